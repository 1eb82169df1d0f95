#pragma once

// MainWindow: the trading screen. It shows what MarketClient reports (quotes,
// wallet, fills, rejections, connection state) and sends the person's
// requests through it. Every server call is asynchronous, so nothing here
// waits on the network or the server.

#include "core/marketclient.h"

#include <QMainWindow>

class QLabel;

namespace valiant::app {

class ConnectionOverlay;
class MarketStatsView;
class MessageBar;
class OrderHistoryModel;
class OrderHistoryView;
class PriceChart;
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

Q_SIGNALS:
    /// Emitted once, when the first live price is on screen.
    void firstPricePainted();

protected:
    void changeEvent(QEvent* event) override;

private:
    void buildUi();
    QWidget* makeCard(const QString& title, QWidget* content);
    void connectClient();

    void handleConnectionState(core::MarketClient::ConnectionState state);
    void handleQuote(const core::Quote& quote);
    void handleFill(const core::Order& order);
    void handleRejection(const core::Error& error);
    void placeOrder(core::Side side, std::int64_t quantity);
    void praise();

    void refreshFromServer();
    void fetchPortfolio();
    void showQuotes();
    void updateStatus();

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
};

}  // namespace valiant::app
