#pragma once

// PriceChart: a Qt Charts line of the quotes of the last 60 seconds, on a
// time axis in local time. Quotes may arrive twice or out of order (a
// backfill racing the live stream), so they are kept by id and each counts once.

#include "core/market.h"

#include <QChartView>
#include <QList>

#include <map>
#include <optional>

class QAreaSeries;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace valiant::app {

class PriceChart : public QChartView
{
    Q_OBJECT

public:
    static constexpr std::int64_t windowMs = 60'000;

    explicit PriceChart(QWidget* parent = nullptr);

    void addQuote(const core::Quote& quote);
    void addQuotes(const QList<core::Quote>& quotes);

    /// The oldest and newest quotes inside the window; empty before the first.
    std::optional<core::Quote> oldestQuote() const;
    std::optional<core::Quote> latestQuote() const;
    int pointCount() const { return static_cast<int>(m_quotes.size()); }
    /// The quotes inside the window, ascending by id.
    QList<core::Quote> quotes() const;

Q_SIGNALS:
    void quotesChanged();

protected:
    void changeEvent(QEvent* event) override;

private:
    struct PriceTicks
    {
        std::int64_t lowCents = 0;
        std::int64_t highCents = 0;
        int count = 0;
    };
    static PriceTicks priceTicks(std::int64_t lowCents, std::int64_t highCents);

    void insert(const core::Quote& quote);
    void dropOutsideWindow();
    void rebuildSeries();
    void updateRanges();
    void applyPalette();
    void showPointToolTip(const QPointF& point, bool entered);

    std::map<std::int64_t, core::Quote> m_quotes;  // by id, ascending
    QLineSeries* m_line = nullptr;
    QAreaSeries* m_area = nullptr;
    QDateTimeAxis* m_timeAxis = nullptr;
    QValueAxis* m_priceAxis = nullptr;
};

}  // namespace valiant::app
