// chartbench: times a full repaint of the price chart with one day of
// one-second points (86,400) on the offscreen platform, and prints one JSON
// line: {"points": N, "width": W, "height": H, "runs": R, "median_ms": …,
// "p95_ms": …, "max_ms": …}. It measures; it asserts nothing.

#include "app/pricechart.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QRandomGenerator>

#include <algorithm>
#include <cstdio>

namespace {

// A random walk in whole cents, one candle per second, like a day of ticks.
QList<valiant::core::Candle> dayOfCandles(std::int64_t endMs, int count)
{
    QRandomGenerator random(42);
    QList<valiant::core::Candle> candles;
    candles.reserve(count);
    std::int64_t cents = 50'00;
    for (int i = 0; i < count; ++i) {
        cents = std::max<std::int64_t>(1'00, cents + random.bounded(-100, 101));
        const auto price = valiant::core::Money::fromCents(cents);
        candles.append({endMs - (count - i) * 1000LL, price, price, price, price, 1});
    }
    return candles;
}

double percentile(QList<double> values, double fraction)
{
    std::sort(values.begin(), values.end());
    const auto index = static_cast<qsizetype>(fraction * static_cast<double>(values.size() - 1));
    return values.at(index);
}

}  // namespace

int main(int argc, char* argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption pointsOption(QStringLiteral("points"),
                                          QStringLiteral("Points to draw (default 86400)."),
                                          QStringLiteral("count"), QStringLiteral("86400"));
    const QCommandLineOption runsOption(QStringLiteral("runs"),
                                        QStringLiteral("Repaints to time (default 50)."),
                                        QStringLiteral("count"), QStringLiteral("50"));
    parser.addOptions({pointsOption, runsOption});
    parser.process(app);
    const int points = std::max(2, parser.value(pointsOption).toInt());
    const int runs = std::max(1, parser.value(runsOption).toInt());

    valiant::app::PriceChart chart;
    chart.resize(1200, 420);
    chart.setRange(valiant::app::PriceChart::Range::Day);
    chart.setHistory(dayOfCandles(QDateTime::currentMSecsSinceEpoch(), points), 1000);

    // A device-pixel ratio of 2 is a high-DPI screen: four times the pixels.
    QImage target(chart.size() * 2, QImage::Format_ARGB32_Premultiplied);
    target.setDevicePixelRatio(2);
    QList<double> timings;
    for (int run = 0; run < runs + 3; ++run) {
        target.fill(Qt::transparent);
        QElapsedTimer timer;
        timer.start();
        chart.render(&target);
        const double ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;
        if (run >= 3)  // the first repaints warm caches and fonts
            timings.append(ms);
    }

    const QJsonObject result{{QStringLiteral("points"), static_cast<qint64>(chart.points().size())},
                             {QStringLiteral("width"), chart.width()},
                             {QStringLiteral("height"), chart.height()},
                             {QStringLiteral("device_pixel_ratio"), 2},
                             {QStringLiteral("runs"), runs},
                             {QStringLiteral("median_ms"), percentile(timings, 0.5)},
                             {QStringLiteral("p95_ms"), percentile(timings, 0.95)},
                             {QStringLiteral("max_ms"), percentile(timings, 1.0)}};
    std::fputs(QJsonDocument(result).toJson(QJsonDocument::Compact).constData(), stdout);
    std::fputs("\n", stdout);
    return 0;
}
