#pragma once

// TradePanel: the order ticket. Quantity (1 to 1,000,000 shares), an
// optional limit price typed in the locale's format, Buy, Sell and "Praise
// the sun", with the window-wide shortcuts B, S and Space. Buy and Sell
// stay disabled while an order is pending, while the price is stale and
// while there is no connection; a held key (auto-repeat) never places an
// order, only distinct presses do.

#include "core/market.h"
#include "core/result.h"

#include <QFrame>

#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;
class QShortcut;
class QSpinBox;

namespace valiant::app {

class TradePanel : public QFrame
{
    Q_OBJECT

public:
    explicit TradePanel(QWidget* parent = nullptr);

    /// Off while disconnected: every button and shortcut is inactive.
    void setTradingEnabled(bool enabled);
    bool isTradingEnabled() const { return m_tradingEnabled; }

    /// A reason Buy and Sell are off though connected, such as a stale
    /// price; empty allows them again. The reason is shown in the panel.
    void setBuySellBlockedReason(const QString& reason);
    QString buySellBlockedReason() const { return m_blockedReason; }

    /// Shows `side` as pending (no further order) until clearOrderPending().
    void setOrderPending(core::Side side);
    void clearOrderPending();
    bool isOrderPending() const { return m_pendingSide.has_value(); }

    /// The live price, for the estimated order total.
    void setLastPrice(core::Money price);
    /// Forgets the last price, a pending order and the limit price error,
    /// which belong to the previous server.
    void clearServerState();

    std::int64_t quantity() const;
    void setQuantity(std::int64_t quantity);

    /// The limit price field parsed in the widget's locale: empty for a
    /// market order, an error naming the text when it is not an amount.
    core::Result<std::optional<core::Money>> limitPrice() const;

Q_SIGNALS:
    void orderRequested(valiant::core::Side side, std::int64_t quantity,
                        std::optional<valiant::core::Money> limitPrice);
    void praiseRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    QPushButton* makeButton(const QString& objectName, const QString& text,
                            const QString& accessibleName, const QKeySequence& key,
                            const QString& toolTip, QShortcut** shortcutOut);
    void retranslateButtons();
    void updateEstimate();
    void updateButtons();
    void requestOrder(core::Side side);
    void requestPraise();

    QSpinBox* m_quantity = nullptr;
    QLineEdit* m_limitPrice = nullptr;
    QLabel* m_estimate = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_buy = nullptr;
    QPushButton* m_sell = nullptr;
    QPushButton* m_praise = nullptr;
    QShortcut* m_buyShortcut = nullptr;
    QShortcut* m_sellShortcut = nullptr;
    QShortcut* m_praiseShortcut = nullptr;
    std::optional<core::Money> m_lastPrice;
    std::optional<core::Side> m_pendingSide;
    QString m_blockedReason;
    QString m_limitError;
    bool m_tradingEnabled = true;
};

}  // namespace valiant::app
