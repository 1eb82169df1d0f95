#pragma once

// MarketStatsView: open, high, low and the number of quotes of the chart's
// 60-second window, next to the wallet.

#include "core/market.h"

#include <QFrame>
#include <QList>

class QLabel;

namespace valiant::app {

class MarketStatsView : public QFrame
{
    Q_OBJECT

public:
    explicit MarketStatsView(QWidget* parent = nullptr);

    /// `quotes` in ascending id order.
    void setQuotes(const QList<core::Quote>& quotes);

private:
    QLabel* addRow(const QString& objectName, const QString& title);

    QLabel* m_open = nullptr;
    QLabel* m_high = nullptr;
    QLabel* m_low = nullptr;
    QLabel* m_count = nullptr;
};

}  // namespace valiant::app
