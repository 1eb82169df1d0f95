#pragma once

// PriceChart: the price line of one time range, painted with QPainter so a
// day of one-second points (86,400) repaints within a frame. Live quotes are
// kept by id, so a quote that arrives twice (a backfill racing the live
// stream) counts once. Where ids or candles are missing, the line stops and
// a hatched band marks the gap: the chart never draws a line across time it
// has no prices for.

#include "core/market.h"

#include <QList>
#include <QWidget>

#include <map>
#include <optional>

namespace valiant::app {

struct ChartPoint
{
    std::int64_t timeMs = 0;
    core::Money price;
    bool gapBefore = false;  // prices between this point and the previous are missing
};

class PriceChart : public QWidget
{
    Q_OBJECT

public:
    enum class Range { LiveMinute, Hour, Day };
    Q_ENUM(Range)

    static constexpr std::int64_t windowMs = 60'000;
    static std::int64_t spanMs(Range range);

    explicit PriceChart(QWidget* parent = nullptr);

    void addQuote(const core::Quote& quote);
    void addQuotes(const QList<core::Quote>& quotes);
    /// Drops every quote and candle, e.g. when the app switches servers.
    void clear();

    Range range() const { return m_range; }
    /// Switches the range. Hour and Day show nothing until setHistory().
    void setRange(Range range);
    /// Candles of `intervalMs` for the current Hour or Day range, ascending.
    /// Live quotes newer than the last candle extend the line.
    void setHistory(const QList<core::Candle>& candles, std::int64_t intervalMs);

    /// The oldest and newest live quotes of the last 60 seconds, whatever
    /// the range shown; empty before the first.
    std::optional<core::Quote> oldestQuote() const;
    std::optional<core::Quote> latestQuote() const;
    int pointCount() const { return static_cast<int>(m_quotes.size()); }
    /// The live quotes of the last 60 seconds, ascending by id.
    QList<core::Quote> quotes() const;

    /// What the current range draws, ascending by time.
    const QList<ChartPoint>& points() const { return m_points; }
    int gapCount() const;
    /// The axis ticks of the range drawn, in local time.
    std::int64_t rangeStartMs() const { return m_rangeStartMs; }
    std::int64_t rangeEndMs() const { return m_rangeEndMs; }
    /// The point nearest in time to `timeMs`; empty without points.
    std::optional<ChartPoint> pointNear(std::int64_t timeMs) const;
    /// Tooltip text of a point: price, local time and UTC time.
    QString describePoint(const ChartPoint& point) const;

Q_SIGNALS:
    void quotesChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    struct PriceTicks
    {
        std::int64_t lowCents = 0;
        std::int64_t highCents = 0;
        int count = 0;
    };
    static PriceTicks priceTicks(std::int64_t lowCents, std::int64_t highCents);

    void dropOutsideWindow();
    void rebuildPoints();
    void appendLiveQuotes(std::int64_t afterMs, bool gapAtStart);
    QRectF plotRect() const;
    double xFor(std::int64_t timeMs, const QRectF& plot) const;
    std::int64_t timeAt(double x, const QRectF& plot) const;

    std::map<std::int64_t, core::Quote> m_quotes;  // live, by id, the last 60 s
    std::map<std::int64_t, core::Quote> m_tail;    // live, by id, newer than the history
    QList<core::Candle> m_candles;
    std::int64_t m_intervalMs = 0;
    Range m_range = Range::LiveMinute;
    QList<ChartPoint> m_points;
    std::int64_t m_rangeStartMs = 0;
    std::int64_t m_rangeEndMs = 0;
    std::optional<ChartPoint> m_hovered;
};

}  // namespace valiant::app
