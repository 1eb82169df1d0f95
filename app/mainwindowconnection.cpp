// MainWindow's part of switching servers: the previous server's quotes,
// wallet and orders must not stay on screen next to the new server's.

#include "mainwindow.h"

#include "marketstatsview.h"
#include "messagebar.h"
#include "orderhistorymodel.h"
#include "pricechart.h"
#include "quoteheader.h"
#include "tradepanel.h"
#include "walletview.h"

#include <QLabel>

namespace valiant::app {

void MainWindow::switchServer(const QString& serverName)
{
    m_serverName = serverName;
    m_everConnected = false;
    m_sinceLastQuote.invalidate();
    m_praisesPending = 0;

    m_chart->clear();
    m_header->clear();
    m_wallet->clear();
    m_tradePanel->clearServerState();
    m_marketStats->setQuotes({});
    m_orders->setOrders({});
    m_lastQuoteLabel->clear();
    m_messageBar->hide();

    handleConnectionState(m_client.connectionState());
}

}  // namespace valiant::app
