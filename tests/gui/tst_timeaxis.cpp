// The chart's time axis and hover text in Europe/Berlin (CTest sets TZ)
// across the daylight-saving changes of 2026: clocks jump from 02:00 to
// 03:00 on 29 March and from 03:00 back to 02:00 on 25 October.

#include "app/pricechart.h"
#include "app/timeaxis.h"

#include <QDateTime>
#include <QTest>
#include <QTimeZone>

using valiant::app::ChartPoint;
using valiant::app::PriceChart;
using valiant::app::TimeTick;
using valiant::core::Candle;
using valiant::core::Money;

namespace {

std::int64_t utcMs(const char* iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate).toMSecsSinceEpoch();
}

QStringList labelsOf(const QList<TimeTick>& ticks)
{
    QStringList labels;
    for (const TimeTick& tick : ticks)
        labels.append(tick.label);
    return labels;
}

}  // namespace

class TestTimeAxis : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void springForwardSkipsMissingHour();
    void fallBackRepeatsHourTick();
    void labelsNameLocalTimeOfTick();
    void dayRangeAcrossDstHasNoGap();
    void hoverShowsLocalAndUtcTime();

private:
    QLocale m_locale{QLocale::English, QLocale::UnitedStates};
};

void TestTimeAxis::initTestCase()
{
    // Fails clearly when TZ did not reach the test or tzdata is missing.
    const QDateTime summer = QDateTime::fromMSecsSinceEpoch(utcMs("2026-07-01T12:00:00Z"));
    const QDateTime winter = QDateTime::fromMSecsSinceEpoch(utcMs("2026-01-01T12:00:00Z"));
    QCOMPARE(summer.offsetFromUtc(), 2 * 3600);
    QCOMPARE(winter.offsetFromUtc(), 1 * 3600);
}

void TestTimeAxis::springForwardSkipsMissingHour()
{
    // 00:00 to 06:00 local on 29 March is five real hours.
    const QList<TimeTick> ticks = valiant::app::timeTicks(
        utcMs("2026-03-28T23:00:00Z"), utcMs("2026-03-29T04:00:00Z"), 7, m_locale);

    QCOMPARE(labelsOf(ticks), (QStringList{QStringLiteral("00:00"), QStringLiteral("01:00"),
                                           QStringLiteral("03:00"), QStringLiteral("04:00"),
                                           QStringLiteral("05:00"), QStringLiteral("06:00")}));
    QCOMPARE(ticks.at(2).ms, utcMs("2026-03-29T01:00:00Z"));
    QCOMPARE(ticks.at(2).ms - ticks.at(1).ms, std::int64_t{3600'000});
}

void TestTimeAxis::fallBackRepeatsHourTick()
{
    // 00:00 to 06:00 local on 25 October is seven real hours.
    const QList<TimeTick> ticks = valiant::app::timeTicks(
        utcMs("2026-10-24T22:00:00Z"), utcMs("2026-10-25T05:00:00Z"), 10, m_locale);

    // The hour from 02:00 to 03:00 happens twice, so its tick does too.
    QCOMPARE(labelsOf(ticks), (QStringList{QStringLiteral("00:00"), QStringLiteral("01:00"),
                                           QStringLiteral("02:00"), QStringLiteral("02:00"),
                                           QStringLiteral("03:00"), QStringLiteral("04:00"),
                                           QStringLiteral("05:00"), QStringLiteral("06:00")}));
    for (qsizetype i = 1; i < ticks.size(); ++i)
        QCOMPARE(ticks.at(i).ms - ticks.at(i - 1).ms, std::int64_t{3600'000});
}

void TestTimeAxis::labelsNameLocalTimeOfTick()
{
    const std::pair<const char*, const char*> ranges[] = {
        {"2026-03-28T12:00:00Z", "2026-03-29T12:00:00Z"},
        {"2026-10-24T12:00:00Z", "2026-10-25T12:00:00Z"},
        {"2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z"},
        {"2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"},
    };
    for (const auto& [from, to] : ranges) {
        const QList<TimeTick> ticks =
            valiant::app::timeTicks(utcMs(from), utcMs(to), 8, m_locale);
        QVERIFY2(ticks.size() >= 4, from);
        for (const TimeTick& tick : ticks) {
            const QDateTime local = QDateTime::fromMSecsSinceEpoch(tick.ms);
            QCOMPARE(tick.label, local.toString(tick.label.size() == 5 ? QStringLiteral("HH:mm")
                                                                       : QStringLiteral("HH:mm:ss")));
            QVERIFY(tick.ms >= utcMs(from));
            QVERIFY(tick.ms <= utcMs(to));
        }
    }
}

void TestTimeAxis::dayRangeAcrossDstHasNoGap()
{
    PriceChart chart;
    chart.resize(900, 300);
    chart.setRange(PriceChart::Range::Day);

    QList<Candle> candles;
    const std::int64_t startMs = utcMs("2026-03-28T12:00:00Z");
    for (int minute = 0; minute <= 24 * 60; ++minute) {
        const Money price = Money::fromCents(50'00 + (minute % 7) * 3);
        candles.append(Candle{startMs + minute * 60'000LL, price, price, price, price, 60});
    }
    chart.setHistory(candles, 60'000);

    QCOMPARE(chart.points().size(), candles.size());
    QCOMPARE(chart.gapCount(), 0);
    QCOMPARE(chart.rangeEndMs() - chart.rangeStartMs(), PriceChart::spanMs(PriceChart::Range::Day));
    QVERIFY(!chart.grab().isNull());
}

void TestTimeAxis::hoverShowsLocalAndUtcTime()
{
    PriceChart chart;
    chart.setLocale(m_locale);
    const ChartPoint point{utcMs("2026-03-29T01:00:00Z"), Money::fromCents(51'25), false};

    const QString text = chart.describePoint(point);

    QVERIFY2(text.contains(QStringLiteral("$51.25")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("2026-03-29 03:00:00 local time")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("2026-03-29 01:00:00 UTC")), qPrintable(text));
}

QTEST_MAIN(TestTimeAxis)
#include "tst_timeaxis.moc"
