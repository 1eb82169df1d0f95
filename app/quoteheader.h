#pragma once

// QuoteHeader: the symbol, the live price and its change over the chart's
// window, as a colour plus an arrow and a sign so the direction never
// depends on colour alone.

#include "core/market.h"

#include <QWidget>

#include <optional>

class QLabel;

namespace valiant::app {

class QuoteHeader : public QWidget
{
    Q_OBJECT

public:
    explicit QuoteHeader(QWidget* parent = nullptr);

    /// Shows `latest` and its change from `reference` (the oldest quote in
    /// the chart's window).
    void setQuotes(const core::Quote& reference, const core::Quote& latest);
    /// Shows a dash until the next setQuotes().
    void clear();

Q_SIGNALS:
    /// Emitted once, after the price label has been painted with a quote.
    void firstPricePainted();

protected:
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateChange();

    QLabel* m_symbol = nullptr;
    QLabel* m_ticker = nullptr;
    QLabel* m_price = nullptr;
    QLabel* m_change = nullptr;
    QLabel* m_window = nullptr;
    std::optional<core::Quote> m_reference;
    std::optional<core::Quote> m_latest;
    bool m_pricePainted = false;
};

}  // namespace valiant::app
