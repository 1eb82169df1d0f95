#pragma once

// TradePanel: the order ticket. Quantity (1 to 1,000,000 shares), Buy,
// Sell and "Praise the sun", with the window-wide shortcuts B, S and Space.
// While trading is disabled (no connection) the buttons and the shortcuts
// are both inactive.

#include "core/money.h"

#include <QFrame>

#include <optional>

class QLabel;
class QPushButton;
class QShortcut;
class QSpinBox;

namespace valiant::app {

class TradePanel : public QFrame
{
    Q_OBJECT

public:
    explicit TradePanel(QWidget* parent = nullptr);

    void setTradingEnabled(bool enabled);
    bool isTradingEnabled() const { return m_tradingEnabled; }

    /// The live price, for the estimated order total.
    void setLastPrice(core::Money price);

    std::int64_t quantity() const;
    void setQuantity(std::int64_t quantity);

Q_SIGNALS:
    void buyRequested(std::int64_t quantity);
    void sellRequested(std::int64_t quantity);
    void praiseRequested();

private:
    QPushButton* makeButton(const QString& objectName, const QString& text,
                            const QString& accessibleName, const QKeySequence& key,
                            const QString& toolTip);
    void updateEstimate();
    void requestBuy();
    void requestSell();
    void requestPraise();

    QSpinBox* m_quantity = nullptr;
    QLabel* m_estimate = nullptr;
    QPushButton* m_buy = nullptr;
    QPushButton* m_sell = nullptr;
    QPushButton* m_praise = nullptr;
    QList<QShortcut*> m_shortcuts;
    std::optional<core::Money> m_lastPrice;
    bool m_tradingEnabled = true;
};

}  // namespace valiant::app
