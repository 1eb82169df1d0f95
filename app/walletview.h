#pragma once

// WalletView: cash, shares, market value, cost basis, and profit and loss of
// the account, revalued with every new quote.

#include "core/market.h"

#include <QFrame>

#include <optional>

class QLabel;

namespace valiant::app {

class WalletView : public QFrame
{
    Q_OBJECT

public:
    explicit WalletView(QWidget* parent = nullptr);

    void setPortfolio(const core::Portfolio& portfolio);
    /// Revalues the shares at `quote` when it is newer than the wallet's.
    void updateQuote(const core::Quote& quote);
    /// Shows dashes until the next setPortfolio().
    void clear();
    std::optional<core::Portfolio> portfolio() const { return m_portfolio; }

protected:
    void changeEvent(QEvent* event) override;

private:
    QLabel* addRow(const QString& objectName, const QString& title, const QString& accessibleName);
    void refresh();

    QLabel* m_cash = nullptr;
    QLabel* m_shares = nullptr;
    QLabel* m_marketValue = nullptr;
    QLabel* m_costBasis = nullptr;
    QLabel* m_profitAndLoss = nullptr;
    std::optional<core::Portfolio> m_portfolio;
};

}  // namespace valiant::app
