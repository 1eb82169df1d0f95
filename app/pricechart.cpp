#include "pricechart.h"

#include "theme.h"

#include <QAreaSeries>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QEvent>
#include <QLineSeries>
#include <QLocale>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cstdlib>

namespace valiant::app {

namespace {

// Chart coordinates are doubles that only place pixels. Money itself stays
// in integer cents everywhere else.
double chartY(const core::Money& price)
{
    return static_cast<double>(price.cents()) / 100.0;
}

}  // namespace

PriceChart::PriceChart(QWidget* parent) : QChartView(parent)
{
    setObjectName(QStringLiteral("priceChart"));
    setAccessibleName(tr("Price chart of the last 60 seconds"));
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(240);
    setFrameShape(QFrame::NoFrame);
    setStyleSheet(QStringLiteral("background: transparent;"));

    auto* chart = new QChart;
    chart->legend()->hide();
    chart->setBackgroundVisible(false);
    chart->setMargins(QMargins(0, 4, 0, 0));
    chart->setBackgroundRoundness(0);
    chart->setLocalizeNumbers(true);
    chart->setLocale(locale());

    m_line = new QLineSeries(chart);
    m_area = new QAreaSeries(m_line);
    chart->addSeries(m_area);
    chart->addSeries(m_line);

    m_timeAxis = new QDateTimeAxis(chart);
    m_timeAxis->setFormat(QStringLiteral("HH:mm:ss"));
    m_timeAxis->setTickCount(7);
    chart->addAxis(m_timeAxis, Qt::AlignBottom);

    m_priceAxis = new QValueAxis(chart);
    m_priceAxis->setLabelFormat(QStringLiteral("%.2f"));
    m_priceAxis->setTickCount(5);
    chart->addAxis(m_priceAxis, Qt::AlignRight);

    for (QAbstractSeries* series :
         {static_cast<QAbstractSeries*>(m_area), static_cast<QAbstractSeries*>(m_line)}) {
        series->attachAxis(m_timeAxis);
        series->attachAxis(m_priceAxis);
    }

    connect(m_line, &QLineSeries::hovered, this, &PriceChart::showPointToolTip);

    setChart(chart);
    applyPalette();
    updateRanges();
}

void PriceChart::addQuote(const core::Quote& quote)
{
    addQuotes({quote});
}

void PriceChart::addQuotes(const QList<core::Quote>& quotes)
{
    if (quotes.isEmpty())
        return;

    for (const core::Quote& quote : quotes)
        insert(quote);
    dropOutsideWindow();
    rebuildSeries();
    Q_EMIT quotesChanged();
}

std::optional<core::Quote> PriceChart::oldestQuote() const
{
    if (m_quotes.empty())
        return std::nullopt;
    return m_quotes.begin()->second;
}

std::optional<core::Quote> PriceChart::latestQuote() const
{
    if (m_quotes.empty())
        return std::nullopt;
    return m_quotes.rbegin()->second;
}

QList<core::Quote> PriceChart::quotes() const
{
    QList<core::Quote> list;
    list.reserve(static_cast<qsizetype>(m_quotes.size()));
    for (const auto& [id, quote] : m_quotes)
        list.append(quote);
    return list;
}

void PriceChart::changeEvent(QEvent* event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
    if (event->type() == QEvent::LocaleChange)
        chart()->setLocale(locale());
}

void PriceChart::insert(const core::Quote& quote)
{
    m_quotes.insert_or_assign(quote.id, quote);
}

void PriceChart::dropOutsideWindow()
{
    const std::int64_t newestMs = m_quotes.rbegin()->second.createdMs;
    std::erase_if(m_quotes, [newestMs](const auto& entry) {
        return entry.second.createdMs < newestMs - windowMs;
    });
}

void PriceChart::rebuildSeries()
{
    QList<QPointF> points;
    points.reserve(static_cast<qsizetype>(m_quotes.size()));
    for (const auto& [id, quote] : m_quotes)
        points.append(QPointF(static_cast<double>(quote.createdMs), chartY(quote.price)));
    m_line->replace(points);

    applyPalette();
    updateRanges();
}

void PriceChart::updateRanges()
{
    const QDateTime newest =
        m_quotes.empty() ? QDateTime::currentDateTime()
                         : QDateTime::fromMSecsSinceEpoch(m_quotes.rbegin()->second.createdMs);
    m_timeAxis->setRange(newest.addMSecs(-windowMs), newest);

    if (m_quotes.empty()) {
        m_priceAxis->setRange(0, 100);
        return;
    }

    const auto [low, high] = std::minmax_element(
        m_quotes.begin(), m_quotes.end(),
        [](const auto& a, const auto& b) { return a.second.price < b.second.price; });
    const PriceTicks ticks = priceTicks(low->second.price.cents(), high->second.price.cents());
    m_priceAxis->setRange(static_cast<double>(ticks.lowCents) / 100.0,
                          static_cast<double>(ticks.highCents) / 100.0);
    m_priceAxis->setTickCount(ticks.count);
}

PriceChart::PriceTicks PriceChart::priceTicks(std::int64_t lowCents, std::int64_t highCents)
{
    // Steps are 1, 2 or 5 times a power of ten cents, so every label is a
    // round amount. The range has about four steps plus one step of room.
    const std::int64_t span = std::max<std::int64_t>(highCents - lowCents, 1);
    std::int64_t step = 1;
    for (std::int64_t magnitude = 1;; magnitude *= 10) {
        const std::int64_t candidates[] = {magnitude, 2 * magnitude, 5 * magnitude};
        const auto fits = std::find_if(std::begin(candidates), std::end(candidates),
                                       [span](std::int64_t c) { return span / c <= 4; });
        if (fits != std::end(candidates)) {
            step = *fits;
            break;
        }
    }

    PriceTicks ticks;
    ticks.lowCents =
        std::max<std::int64_t>(0, (lowCents / step) * step - (lowCents % step == 0 ? step : 0));
    ticks.highCents = (highCents / step + 1) * step;
    ticks.count = static_cast<int>((ticks.highCents - ticks.lowCents) / step) + 1;
    return ticks;
}

void PriceChart::applyPalette()
{
    const QPalette palette = this->palette();
    const bool falling =
        m_quotes.size() > 1 && m_quotes.rbegin()->second.price < m_quotes.begin()->second.price;
    const QColor lineColor = falling ? theme::lossColor(palette) : theme::gainColor(palette);

    QPen pen(lineColor);
    pen.setWidthF(2.2);
    m_line->setPen(pen);

    QLinearGradient fill(QPointF(0, 0), QPointF(0, 1));
    fill.setCoordinateMode(QGradient::ObjectBoundingMode);
    QColor top = lineColor;
    top.setAlpha(90);
    QColor bottom = lineColor;
    bottom.setAlpha(0);
    fill.setColorAt(0.0, top);
    fill.setColorAt(1.0, bottom);
    m_area->setBrush(fill);
    m_area->setPen(Qt::NoPen);

    const QColor labels = palette.color(QPalette::PlaceholderText);
    QColor grid = palette.color(QPalette::Text);
    grid.setAlpha(28);
    for (QAbstractAxis* axis :
         {static_cast<QAbstractAxis*>(m_timeAxis), static_cast<QAbstractAxis*>(m_priceAxis)}) {
        axis->setLabelsBrush(labels);
        axis->setGridLinePen(QPen(grid, 1));
        axis->setLinePen(Qt::NoPen);
        axis->setMinorGridLineVisible(false);
    }
    m_priceAxis->setGridLineVisible(true);
    m_timeAxis->setGridLineVisible(false);
}

void PriceChart::showPointToolTip(const QPointF& point, bool entered)
{
    if (!entered) {
        QToolTip::hideText();
        return;
    }

    // Show the stored quote nearest in time, so the price is exact cents.
    const auto hoveredMs = static_cast<std::int64_t>(point.x());
    const auto nearest = std::min_element(m_quotes.begin(), m_quotes.end(),
                                          [hoveredMs](const auto& a, const auto& b) {
                                              return std::llabs(a.second.createdMs - hoveredMs) <
                                                     std::llabs(b.second.createdMs - hoveredMs);
                                          });
    if (nearest == m_quotes.end())
        return;

    const core::Quote& quote = nearest->second;
    const QTime time = QDateTime::fromMSecsSinceEpoch(quote.createdMs).time();
    QToolTip::showText(QCursor::pos(),
                       tr("%1 at %2")
                           .arg(quote.price.toLocaleString(locale()),
                                locale().toString(time, QStringLiteral("HH:mm:ss"))),
                       this);
}

}  // namespace valiant::app
