#include "pricechart.h"

#include "theme.h"
#include "timeaxis.h"

#include <QDateTime>
#include <QEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QTimeZone>
#include <QToolTip>

#include <algorithm>
#include <iterator>
#include <limits>
#include <vector>

namespace valiant::app {

namespace {

constexpr int axisGap = 6;
constexpr int minTickSpacingPx = 90;

// The server's tick interval is not sent to the app, so the chart estimates
// it as the lower median step between consecutive ids. A step of more than
// three ticks means the server was not running, and is drawn as a gap.
constexpr std::int64_t ticksBeforeGap = 3;

std::int64_t typicalStepMs(const std::map<std::int64_t, core::Quote>& quotes)
{
    std::vector<std::int64_t> steps;
    for (auto it = quotes.begin(); it != quotes.end() && std::next(it) != quotes.end(); ++it) {
        const auto next = std::next(it);
        if (next->first == it->first + 1 && next->second.createdMs > it->second.createdMs)
            steps.push_back(next->second.createdMs - it->second.createdMs);
    }
    if (steps.empty())
        return std::numeric_limits<std::int64_t>::max() / (ticksBeforeGap + 1);
    const auto middle = steps.begin() + static_cast<std::ptrdiff_t>((steps.size() - 1) / 2);
    std::nth_element(steps.begin(), middle, steps.end());
    return *middle;
}

// A gap is a missing id or more than three ticks without a quote.
bool gapBetween(std::int64_t previousId, std::int64_t previousMs, const core::Quote& quote,
                std::int64_t stepMs)
{
    if (previousId == 0)
        return false;
    return quote.id != previousId + 1 || quote.createdMs - previousMs > ticksBeforeGap * stepMs;
}

// Pixel positions are doubles; money itself stays in integer cents.
double centsToY(std::int64_t cents, std::int64_t lowCents, std::int64_t highCents,
                const QRectF& plot)
{
    const double span = static_cast<double>(std::max<std::int64_t>(highCents - lowCents, 1));
    return plot.bottom() - static_cast<double>(cents - lowCents) / span * plot.height();
}

// One pixel column's first, lowest, highest and last price, so a day of
// points draws as at most four vertices per column with the same outline.
struct Column
{
    double x = 0;
    std::int64_t first = 0;
    std::int64_t low = 0;
    std::int64_t high = 0;
    std::int64_t last = 0;
};

struct Segment
{
    QList<Column> columns;
    qsizetype pointCount = 0;

    void add(double x, std::int64_t cents)
    {
        ++pointCount;
        if (!columns.isEmpty() && static_cast<int>(columns.last().x) == static_cast<int>(x)) {
            Column& column = columns.last();
            column.low = std::min(column.low, cents);
            column.high = std::max(column.high, cents);
            column.last = cents;
            return;
        }
        columns.append(Column{x, cents, cents, cents, cents});
    }

    // More than two points per column on average.
    bool isDense() const { return pointCount > 2 * columns.size(); }
};

void appendDecimated(QPolygonF& line, const Column& column, const auto& toY)
{
    line.append(QPointF(column.x, toY(column.first)));
    if (column.low != column.first)
        line.append(QPointF(column.x, toY(column.low)));
    if (column.high != column.low)
        line.append(QPointF(column.x, toY(column.high)));
    if (column.last != column.high)
        line.append(QPointF(column.x, toY(column.last)));
}

}  // namespace

std::int64_t PriceChart::spanMs(Range range)
{
    switch (range) {
        case Range::LiveMinute:
            return windowMs;
        case Range::Hour:
            return 60 * 60 * 1000;
        case Range::Day:
            return 24 * 60 * 60 * 1000;
    }
    return windowMs;
}

PriceChart::PriceChart(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("priceChart"));
    setAccessibleName(tr("Price chart of the last minute"));
    setMinimumHeight(240);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
    rebuildPoints();
}

void PriceChart::addQuote(const core::Quote& quote)
{
    addQuotes({quote});
}

void PriceChart::addQuotes(const QList<core::Quote>& quotes)
{
    if (quotes.isEmpty())
        return;

    for (const core::Quote& quote : quotes) {
        m_quotes.insert_or_assign(quote.id, quote);
        if (m_range != Range::LiveMinute)
            m_tail.insert_or_assign(quote.id, quote);
    }
    dropOutsideWindow();
    rebuildPoints();
    Q_EMIT quotesChanged();
}

void PriceChart::setRange(Range range)
{
    if (range == m_range)
        return;
    m_range = range;
    m_candles.clear();
    m_tail.clear();
    m_intervalMs = 0;
    switch (range) {
        case Range::LiveMinute:
            setAccessibleName(tr("Price chart of the last minute"));
            break;
        case Range::Hour:
            setAccessibleName(tr("Price chart of the last hour"));
            break;
        case Range::Day:
            setAccessibleName(tr("Price chart of the last day"));
            break;
    }
    rebuildPoints();
}

void PriceChart::clear()
{
    m_quotes.clear();
    m_tail.clear();
    m_candles.clear();
    m_hovered.reset();
    rebuildPoints();
    Q_EMIT quotesChanged();
}

void PriceChart::setHistory(const QList<core::Candle>& candles, std::int64_t intervalMs)
{
    if (m_range == Range::LiveMinute || intervalMs <= 0)
        return;

    m_candles = candles;
    m_intervalMs = intervalMs;
    if (!m_candles.isEmpty()) {
        const std::int64_t historyEndMs = m_candles.last().startMs + intervalMs;
        std::erase_if(m_tail, [historyEndMs](const auto& entry) {
            return entry.second.createdMs < historyEndMs;
        });
    }
    rebuildPoints();
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

int PriceChart::gapCount() const
{
    return static_cast<int>(std::count_if(m_points.begin(), m_points.end(),
                                          [](const ChartPoint& point) { return point.gapBefore; }));
}

void PriceChart::dropOutsideWindow()
{
    const std::int64_t newestMs = m_quotes.rbegin()->second.createdMs;
    std::erase_if(m_quotes, [newestMs](const auto& entry) {
        return entry.second.createdMs < newestMs - windowMs;
    });
    if (!m_tail.empty()) {
        const std::int64_t tailNewestMs = m_tail.rbegin()->second.createdMs;
        const std::int64_t span = spanMs(m_range);
        std::erase_if(m_tail, [tailNewestMs, span](const auto& entry) {
            return entry.second.createdMs < tailNewestMs - span;
        });
    }
}

void PriceChart::rebuildPoints()
{
    m_points.clear();
    if (m_range == Range::LiveMinute) {
        // Ids count up by one per quote, so a jump means quotes that neither
        // the stream nor its backfill delivered.
        const std::int64_t stepMs = typicalStepMs(m_quotes);
        std::int64_t previousId = 0;
        std::int64_t previousMs = 0;
        for (const auto& [id, quote] : m_quotes) {
            m_points.append(ChartPoint{quote.createdMs, quote.price,
                                       gapBetween(previousId, previousMs, quote, stepMs)});
            previousId = id;
            previousMs = quote.createdMs;
        }
    } else {
        for (const core::Candle& candle : std::as_const(m_candles)) {
            const bool gap =
                !m_points.isEmpty() && candle.startMs - m_points.last().timeMs > m_intervalMs;
            m_points.append(ChartPoint{candle.startMs, candle.close, gap});
        }
        const std::int64_t stepMs = typicalStepMs(m_tail);
        std::int64_t previousId = 0;
        std::int64_t previousMs = 0;
        for (const auto& [id, quote] : m_tail) {
            bool gap = gapBetween(previousId, previousMs, quote, stepMs);
            if (previousId == 0 && !m_points.isEmpty())
                gap = quote.createdMs - m_points.last().timeMs > 2 * std::max<std::int64_t>(m_intervalMs, 1000);
            m_points.append(ChartPoint{quote.createdMs, quote.price, gap});
            previousId = id;
            previousMs = quote.createdMs;
        }
    }

    m_rangeEndMs = m_points.isEmpty() ? QDateTime::currentMSecsSinceEpoch() : m_points.last().timeMs;
    m_rangeStartMs = m_rangeEndMs - spanMs(m_range);
    const auto firstInside =
        std::find_if(m_points.begin(), m_points.end(),
                     [this](const ChartPoint& point) { return point.timeMs >= m_rangeStartMs; });
    m_points.erase(m_points.begin(), firstInside);
    if (!m_points.isEmpty())
        m_points.first().gapBefore = false;

    if (m_hovered && !pointNear(m_hovered->timeMs))
        m_hovered.reset();
    update();
}

std::optional<ChartPoint> PriceChart::pointNear(std::int64_t timeMs) const
{
    if (m_points.isEmpty())
        return std::nullopt;

    const auto after = std::lower_bound(
        m_points.begin(), m_points.end(), timeMs,
        [](const ChartPoint& point, std::int64_t ms) { return point.timeMs < ms; });
    if (after == m_points.begin())
        return *after;
    if (after == m_points.end())
        return m_points.last();
    const auto before = after - 1;
    return (timeMs - before->timeMs <= after->timeMs - timeMs) ? *before : *after;
}

QString PriceChart::describePoint(const ChartPoint& point) const
{
    const QLocale locale = this->locale();
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(point.timeMs);
    const QDateTime utc = QDateTime::fromMSecsSinceEpoch(point.timeMs, QTimeZone::utc());
    const QString format = QStringLiteral("yyyy-MM-dd HH:mm:ss");
    return tr("%1\n%2 local time\n%3 UTC")
        .arg(point.price.toLocaleString(locale), locale.toString(local, format),
             locale.toString(utc, format));
}

QRectF PriceChart::plotRect() const
{
    const QFontMetrics metrics = fontMetrics();
    const int priceWidth = metrics.horizontalAdvance(locale().toString(88888.88, 'f', 2));
    return QRectF(4, metrics.height() / 2.0, width() - priceWidth - 4 - 2 * axisGap,
                  height() - metrics.height() * 1.5 - axisGap);
}

double PriceChart::xFor(std::int64_t timeMs, const QRectF& plot) const
{
    const double span = static_cast<double>(std::max<std::int64_t>(m_rangeEndMs - m_rangeStartMs, 1));
    return plot.left() + static_cast<double>(timeMs - m_rangeStartMs) / span * plot.width();
}

std::int64_t PriceChart::timeAt(double x, const QRectF& plot) const
{
    const double fraction = (x - plot.left()) / std::max(plot.width(), 1.0);
    return m_rangeStartMs +
           static_cast<std::int64_t>(fraction * static_cast<double>(m_rangeEndMs - m_rangeStartMs));
}

void PriceChart::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette palette = this->palette();
    const QLocale locale = this->locale();
    const QRectF plot = plotRect();
    const QColor muted = palette.color(QPalette::PlaceholderText);
    if (plot.width() < 10 || plot.height() < 10)
        return;

    if (m_points.isEmpty()) {
        painter.setPen(muted);
        painter.drawText(rect(), Qt::AlignCenter,
                         m_range == Range::LiveMinute ? tr("Waiting for prices…")
                                                      : tr("Loading the price history…"));
        return;
    }

    // Price axis: grid lines and labels on round cent steps.
    const auto [low, high] = std::minmax_element(
        m_points.begin(), m_points.end(),
        [](const ChartPoint& a, const ChartPoint& b) { return a.price < b.price; });
    const PriceTicks ticks = priceTicks(low->price.cents(), high->price.cents());
    const auto toY = [&](std::int64_t cents) {
        return centsToY(cents, ticks.lowCents, ticks.highCents, plot);
    };
    QColor grid = palette.color(QPalette::Text);
    grid.setAlpha(theme::isHighContrast(palette) ? 120 : 28);
    const std::int64_t stepCents =
        ticks.count > 1 ? (ticks.highCents - ticks.lowCents) / (ticks.count - 1) : 1;
    for (int i = 0; i < ticks.count; ++i) {
        const std::int64_t cents = ticks.lowCents + i * stepCents;
        const double y = toY(cents);
        painter.setPen(QPen(grid, 1));
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        painter.setPen(muted);
        painter.drawText(QRectF(plot.right() + axisGap, y - fontMetrics().height() / 2.0,
                                width() - plot.right() - axisGap, fontMetrics().height()),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         locale.toString(static_cast<double>(cents) / 100.0, 'f', 2));
    }

    // Time axis in local time.
    const int maxTicks = std::max(2, static_cast<int>(plot.width()) / minTickSpacingPx);
    for (const TimeTick& tick : timeTicks(m_rangeStartMs, m_rangeEndMs, maxTicks, locale)) {
        const double x = xFor(tick.ms, plot);
        const int labelWidth = fontMetrics().horizontalAdvance(tick.label);
        if (x - labelWidth / 2.0 < 0 || x + labelWidth / 2.0 > plot.right())
            continue;
        painter.setPen(muted);
        painter.drawText(QRectF(x - labelWidth / 2.0, plot.bottom() + axisGap, labelWidth,
                                fontMetrics().height()),
                         Qt::AlignCenter, tick.label);
    }

    // Line and fill, one segment between gaps, decimated per pixel column.
    const bool falling = m_points.last().price < m_points.first().price;
    const QColor lineColor = falling ? theme::lossColor(palette) : theme::gainColor(palette);
    QList<Segment> segments(1);
    QList<QRectF> gaps;
    for (qsizetype i = 0; i < m_points.size(); ++i) {
        const ChartPoint& point = m_points.at(i);
        const double x = xFor(point.timeMs, plot);
        if (point.gapBefore) {
            gaps.append(QRectF(QPointF(xFor(m_points.at(i - 1).timeMs, plot), plot.top()),
                               QPointF(x, plot.bottom())));
            segments.append(Segment());
        }
        segments.last().add(x, point.price.cents());
    }

    QLinearGradient fill(QPointF(0, plot.top()), QPointF(0, plot.bottom()));
    QColor top = lineColor;
    top.setAlpha(theme::isHighContrast(palette) ? 0 : 90);
    QColor bottom = lineColor;
    bottom.setAlpha(0);
    fill.setColorAt(0.0, top);
    fill.setColorAt(1.0, bottom);
    const double lineWidth = theme::isHighContrast(palette) ? 3.0 : 2.2;
    QPen linePen(lineColor, lineWidth);
    linePen.setJoinStyle(Qt::RoundJoin);
    for (const Segment& segment : std::as_const(segments)) {
        if (segment.columns.isEmpty())
            continue;
        QPainterPath area;
        area.moveTo(segment.columns.first().x, plot.bottom());
        for (const Column& column : segment.columns)
            area.lineTo(column.x, toY(column.high));
        area.lineTo(segment.columns.last().x, plot.bottom());
        painter.fillPath(area, fill);

        if (!segment.isDense()) {
            QPolygonF line;
            for (const Column& column : segment.columns)
                appendDecimated(line, column, toY);
            painter.setPen(linePen);
            painter.drawPolyline(line);
            if (line.size() == 1)
                painter.drawEllipse(line.first(), 1.5, 1.5);
            continue;
        }
        // Many points per pixel column: stroking thousands of reversals
        // costs hundreds of milliseconds, so fill the band between the
        // highest and lowest price of each column, widened by the pen.
        QPolygonF band;
        band.reserve(2 * segment.columns.size());
        for (const Column& column : segment.columns)
            band.append(QPointF(column.x, toY(column.high) - lineWidth / 2));
        for (auto column = segment.columns.crbegin(); column != segment.columns.crend(); ++column)
            band.append(QPointF(column->x, toY(column->low) + lineWidth / 2));
        painter.setPen(Qt::NoPen);
        painter.setBrush(lineColor);
        painter.drawPolygon(band);
        painter.setBrush(Qt::NoBrush);
    }

    // Missing prices: a hatched band with dashed edges, labelled when wide enough.
    for (const QRectF& gap : std::as_const(gaps)) {
        painter.fillRect(gap, QBrush(muted, Qt::BDiagPattern));
        painter.setPen(QPen(muted, 1, Qt::DashLine));
        painter.drawLine(gap.topLeft(), gap.bottomLeft());
        painter.drawLine(gap.topRight(), gap.bottomRight());
        const QString label = tr("no prices");
        if (fontMetrics().horizontalAdvance(label) + 8 < gap.width()) {
            painter.setPen(palette.color(QPalette::Text));
            painter.drawText(gap, Qt::AlignHCenter | Qt::AlignTop, label);
        }
    }

    if (m_hovered) {
        const double x = xFor(m_hovered->timeMs, plot);
        painter.setPen(QPen(palette.color(QPalette::Text), 1, Qt::DotLine));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        painter.setBrush(lineColor);
        painter.setPen(Qt::NoPen);
        painter.drawEllipse(QPointF(x, toY(m_hovered->price.cents())), 4, 4);
    }
}

void PriceChart::mouseMoveEvent(QMouseEvent* event)
{
    QWidget::mouseMoveEvent(event);
    const QRectF plot = plotRect();
    if (!plot.contains(event->position())) {
        leaveEvent(event);
        return;
    }
    m_hovered = pointNear(timeAt(event->position().x(), plot));
    if (!m_hovered)
        return;
    QToolTip::showText(event->globalPosition().toPoint(), describePoint(*m_hovered), this);
    update();
}

void PriceChart::leaveEvent(QEvent* event)
{
    QWidget::leaveEvent(event);
    m_hovered.reset();
    QToolTip::hideText();
    update();
}

void PriceChart::changeEvent(QEvent* event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::LocaleChange)
        update();
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

}  // namespace valiant::app
