#pragma once

// MainWindow: the trading screen. It shows what MarketClient reports (quotes,
// wallet, fills, rejections, connection state) and sends the person's
// requests through it. Every server call is asynchronous, so nothing here
// waits on the network or the server.

#include "core/marketclient.h"
#include "pricechart.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <functional>
#include <optional>

class QAction;
class QActionGroup;
class QLabel;
class QSettings;
class QSystemTrayIcon;
class QTimer;

namespace valiant::app {

class ConnectionOverlay;
class MarketStatsView;
class MessageBar;
class OrderHistoryModel;
class OrderHistoryPager;
class OrderHistoryView;
class PriceAlerts;
class QuoteHeader;
class TradePanel;
class WalletView;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// `client` is not owned and must outlive the window. `serverName`
    /// names the server in the status bar, e.g. "this computer".
    MainWindow(core::MarketClient& client, const QString& serverName, QWidget* parent = nullptr);

    static constexpr int orderHistoryLimit = 50;
    /// Buy and Sell pause while the newest quote arrived longer ago than this.
    static constexpr int staleQuoteMs = 5'000;

    void setChartRange(PriceChart::Range range);
    /// Switches between the high-contrast palette and the system's.
    void setHighContrast(bool enabled);
    bool isHighContrast() const { return m_highContrast; }
    /// Pages through every order and writes them as CSV to `path`; `done`
    /// gets the number of orders written or the error, also shown to the person.
    void exportOrderHistory(const QString& path, std::function<void(core::Result<int>)> done = {});
    PriceAlerts& priceAlerts() { return *m_alerts; }
    OrderHistoryPager& orderHistoryPager() { return *m_pager; }

    /// Window geometry and state, chart range, high contrast and alerts.
    void saveSettings(QSettings& settings) const;
    void restoreSettings(const QSettings& settings);

    /// Empties every view of the previous server's data and names the new
    /// one in the status bar (mainwindowconnection.cpp).
    void switchServer(const QString& serverName);

    /// On the first show without a saved geometry, first grows the window
    /// to fit the side column.
    void setVisible(bool visible) override;

Q_SIGNALS:
    /// Emitted once, when the first live price is on screen.
    void firstPricePainted();

protected:
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void buildUi();
    void resizeToFitSideColumn();
    QWidget* makeCard(const QString& title, QWidget* content);
    void connectClient();

    void handleConnectionState(core::MarketClient::ConnectionState state);
    void handleQuote(const core::Quote& quote);
    void handleFill(const core::Order& order);
    void handlePortfolio(const core::Portfolio& portfolio,
                         core::MarketClient::PortfolioSource source);
    void syncOrderHistory();
    void handleRejection(const core::Error& error);
    void placeOrder(core::Side side, std::int64_t quantity, std::optional<core::Money> limitPrice);
    void praise();

    void refreshFromServer();
    void fetchWalletThenHistory();
    void showQuotes();
    void updateStatus();

    // Menus, chart ranges, alerts, export and the stale-price guard
    // (mainwindowviews.cpp).
    void setUpViews();
    void buildMenus();
    void updateTradeGuard();
    void loadChartHistory();
    void notify(const QString& title, const QString& text);
    void chooseExportFile();
    void showAlertDialog();

    core::MarketClient& m_client;
    QString m_serverName;
    bool m_everConnected = false;

    QuoteHeader* m_header = nullptr;
    MessageBar* m_messageBar = nullptr;
    PriceChart* m_chart = nullptr;
    TradePanel* m_tradePanel = nullptr;
    WalletView* m_wallet = nullptr;
    MarketStatsView* m_marketStats = nullptr;
    OrderHistoryModel* m_orders = nullptr;
    OrderHistoryView* m_ordersView = nullptr;
    ConnectionOverlay* m_overlay = nullptr;
    QLabel* m_connectionLabel = nullptr;
    QLabel* m_lastQuoteLabel = nullptr;
    QLabel* m_chartTitle = nullptr;

    OrderHistoryPager* m_pager = nullptr;
    PriceAlerts* m_alerts = nullptr;
    QSystemTrayIcon* m_tray = nullptr;
    QTimer* m_staleTimer = nullptr;
    // The wallet version shown, which a late response with an older wallet
    // must not replace. 0 until the first versioned wallet after a connect.
    std::int64_t m_walletVersion = 0;
    // The wallet version whose orders the history table contains: the one at
    // the last history load, advanced by this window's own changes that
    // directly follow it. A newer pushed version means a change elsewhere.
    std::optional<std::int64_t> m_historyVersion;
    int m_praisesPending = 0;  // reset on a server switch, which drops replies
    QTimer* m_historySyncTimer = nullptr;
    QElapsedTimer m_sinceLastQuote;  // invalid until the first live quote
    QActionGroup* m_rangeActions = nullptr;
    QAction* m_highContrastAction = nullptr;
    bool m_highContrast = false;
    // False once a saved geometry is restored, which keeps the user's size.
    bool m_fitOnFirstShow = true;
    // The height that the last fit gave the window, -1 before the first.
    // While the window keeps it, the side column growing (as when the
    // wallet card fills on connecting) fits the window again. A height the
    // user chose instead is kept.
    int m_fittedHeight = -1;
    bool m_refitQueued = false;
    QPalette m_paletteBeforeHighContrast;
    int m_historyRequest = 0;  // a newer range switch makes older responses stale
};

}  // namespace valiant::app
