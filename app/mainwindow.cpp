#include "mainwindow.h"

#include "connectionoverlay.h"
#include "logging.h"
#include "marketstatsview.h"
#include "messagebar.h"
#include "orderhistorymodel.h"
#include "orderhistorypager.h"
#include "orderhistoryview.h"
#include "pricealerts.h"
#include "pricechart.h"
#include "quoteheader.h"
#include "servererrortext.h"
#include "theme.h"
#include "tradepanel.h"
#include "walletview.h"

#include <QDateTime>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPointer>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace valiant::app {

using State = core::MarketClient::ConnectionState;

namespace {

// Enough quotes to fill the 60-second chart at ticks down to 100 ms.
constexpr int quoteBackfillLimit = 600;
// Folds a burst of wallet pushes from orders placed elsewhere into one
// order history request.
constexpr int historySyncDelayMs = 300;
constexpr int sidePanelWidth = 340;
// An estimate of the title bar and borders, which are unknown until the
// window manager has shown the window.
constexpr int windowFrameAllowance = 48;

}  // namespace

MainWindow::MainWindow(core::MarketClient& client, const QString& serverName, QWidget* parent)
    : QMainWindow(parent), m_client(client), m_serverName(serverName)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Valiant — ValveCoin (VALV)"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/valiant.svg")));
    setMinimumSize(920, 640);
    resize(1200, 780);

    buildUi();
    connectClient();
    setUpViews();
    handleConnectionState(m_client.connectionState());
}

void MainWindow::buildUi()
{
    auto* central = new QWidget(this);
    central->setObjectName(QStringLiteral("centralWidget"));

    m_header = new QuoteHeader(central);
    connect(m_header, &QuoteHeader::firstPricePainted, this, &MainWindow::firstPricePainted);
    m_messageBar = new MessageBar(central);
    m_chart = new PriceChart(central);
    m_tradePanel = new TradePanel(central);
    m_wallet = new WalletView(central);
    m_marketStats = new MarketStatsView(central);
    m_orders = new OrderHistoryModel(this);
    m_ordersView = new OrderHistoryView(m_orders, central);
    m_pager = new OrderHistoryPager(m_client, *m_orders, orderHistoryLimit, this);
    m_alerts = new PriceAlerts(this);

    auto* left = new QVBoxLayout;
    left->setSpacing(16);
    QWidget* chartCard = makeCard(tr("PRICE · LAST 60 SECONDS"), m_chart);
    m_chartTitle = chartCard->findChild<QLabel*>(QStringLiteral("cardTitle"));
    left->addWidget(chartCard, 3);
    left->addWidget(makeCard(tr("ORDER HISTORY"), m_ordersView), 2);

    // The side column scrolls when the window is too short for all three
    // cards, so a message bar never squeezes the trade buttons together.
    auto* sideColumn = new QWidget;
    sideColumn->setObjectName(QStringLiteral("sideColumn"));
    auto* right = new QVBoxLayout(sideColumn);
    right->setContentsMargins(0, 0, 0, 0);
    right->setSpacing(16);
    right->addWidget(m_tradePanel);
    right->addWidget(m_wallet);
    right->addWidget(m_marketStats);
    right->addStretch();
    for (QWidget* panel : {static_cast<QWidget*>(m_tradePanel), static_cast<QWidget*>(m_wallet),
                           static_cast<QWidget*>(m_marketStats)})
        panel->setFixedWidth(sidePanelWidth);

    auto* sideScroll = new QScrollArea(central);
    sideScroll->setObjectName(QStringLiteral("sideScroll"));
    sideScroll->setWidget(sideColumn);
    sideColumn->installEventFilter(this);
    sideScroll->setWidgetResizable(true);
    sideScroll->setFrameShape(QFrame::NoFrame);
    sideScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    sideScroll->setFixedWidth(sidePanelWidth + sideScroll->verticalScrollBar()->sizeHint().width());
    sideScroll->viewport()->setAutoFillBackground(false);
    sideColumn->setAutoFillBackground(false);

    auto* columns = new QHBoxLayout;
    columns->setSpacing(16);
    columns->addLayout(left, 1);
    columns->addWidget(sideScroll);

    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(20, 16, 20, 12);
    layout->setSpacing(14);
    layout->addWidget(m_header);
    layout->addWidget(m_messageBar);
    layout->addLayout(columns, 1);
    setCentralWidget(central);

    // Created last, so it stacks above every other child of the content.
    m_overlay = new ConnectionOverlay(central);

    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_connectionLabel->setAccessibleName(tr("Connection state"));
    m_lastQuoteLabel = new QLabel(this);
    m_lastQuoteLabel->setObjectName(QStringLiteral("mutedLabel"));
    m_lastQuoteLabel->setAccessibleName(tr("Time of the last price"));
    statusBar()->addWidget(m_connectionLabel, 1);
    statusBar()->addPermanentWidget(m_lastQuoteLabel);
    statusBar()->setSizeGripEnabled(false);

    setStyleSheet(theme::styleSheet(palette()));
    setTabOrder(m_tradePanel->findChild<QWidget*>(QStringLiteral("quantitySpinBox")),
                m_tradePanel->findChild<QWidget*>(QStringLiteral("buyButton")));
}

// Makes the window tall enough to show every side card without a scroll
// bar, and no larger than the screen. The viewport is laid out only once
// shown, so before that the scroll area's contents stand in for it. That
// estimate can be a few pixels off, which the call after the show corrects.
void MainWindow::resizeToFitSideColumn()
{
    const auto* sideScroll = findChild<QScrollArea*>(QStringLiteral("sideScroll"));
    // A shown window may take its new size only later, so the fit
    // remembers the height it asked for.
    std::optional<int> requestedHeight;
    int maxHeight = QWIDGETSIZE_MAX;
    if (const QScreen* screen = this->screen()) {
        const QRect available = screen->availableGeometry();
        maxHeight = std::max(minimumHeight(), available.height() - windowFrameAllowance);
        // The default size is taller than a 1366x768 laptop screen.
        const int maxWidth = std::max(minimumWidth(), available.width());
        if (height() > maxHeight || width() > maxWidth) {
            requestedHeight = std::min(height(), maxHeight);
            resize(std::min(width(), maxWidth), *requestedHeight);
        }
    }

    // A few rounds, because the layouts need not give the column every
    // added pixel.
    for (int round = 0; round < 3; ++round) {
        // Without this, the heights miss the toolbar that main() added.
        layout()->activate();
        centralWidget()->layout()->activate();
        const int available = isVisible() ? sideScroll->viewport()->height()
                                          : sideScroll->contentsRect().height();
        const int missing = sideScroll->widget()->sizeHint().height() - available;
        const int fittedHeight = std::min(height() + missing, maxHeight);
        if (missing <= 0 || fittedHeight <= height())
            break;
        resize(width(), fittedHeight);
        requestedHeight = fittedHeight;
    }
    m_fittedHeight = requestedHeight.value_or(height());
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    const auto* sideScroll = findChild<QScrollArea*>(QStringLiteral("sideScroll"));
    const bool sideColumnChanged = event->type() == QEvent::LayoutRequest && sideScroll
                                   && watched == sideScroll->widget();
    if (sideColumnChanged && !m_refitQueued && m_fittedHeight >= 0 && height() == m_fittedHeight) {
        m_refitQueued = true;
        QTimer::singleShot(0, this, [this] {
            m_refitQueued = false;
            if (height() == m_fittedHeight)
                resizeToFitSideColumn();
        });
    }
    return QMainWindow::eventFilter(watched, event);
}

// The estimate comes before the platform window exists, so that the window
// opens at about the right size. The correction comes once it is shown.
void MainWindow::setVisible(bool visible)
{
    const bool fit = visible && m_fitOnFirstShow;
    if (fit) {
        m_fitOnFirstShow = false;
        ensurePolished();
        resizeToFitSideColumn();
    }
    QMainWindow::setVisible(visible);
    if (fit)
        QTimer::singleShot(0, this, &MainWindow::resizeToFitSideColumn);
}

QWidget* MainWindow::makeCard(const QString& title, QWidget* content)
{
    auto* card = new QFrame(content->parentWidget());
    card->setObjectName(QStringLiteral("card"));

    auto* titleLabel = new QLabel(title, card);
    titleLabel->setObjectName(QStringLiteral("cardTitle"));

    auto* layout = new QVBoxLayout(card);
    layout->setContentsMargins(16, 14, 16, 12);
    layout->setSpacing(8);
    layout->addWidget(titleLabel);
    layout->addWidget(content, 1);
    return card;
}

void MainWindow::connectClient()
{
    connect(&m_client, &core::MarketClient::connectionStateChanged, this,
            &MainWindow::handleConnectionState);
    connect(&m_client, &core::MarketClient::quoteReceived, this, &MainWindow::handleQuote);
    // The reconnect that follows reloads the chart from the new history.
    connect(&m_client, &core::MarketClient::quoteHistoryReplaced, this, [this] {
        m_chart->clear();
        m_header->clear();
        m_marketStats->setQuotes({});
    });
    connect(&m_client, &core::MarketClient::portfolioChanged, this, &MainWindow::handlePortfolio);
    connect(&m_client, &core::MarketClient::orderFilled, this, &MainWindow::handleFill);
    connect(&m_client, &core::MarketClient::orderRejected, this, &MainWindow::handleRejection);
    connect(&m_client, &core::MarketClient::streamError, this, [this](const core::Error& error) {
        m_messageBar->showError(tr("The server closed the live stream: %1").arg(error.message));
    });

    connect(m_tradePanel, &TradePanel::orderRequested, this, &MainWindow::placeOrder);
    connect(m_tradePanel, &TradePanel::praiseRequested, this, &MainWindow::praise);
    connect(m_chart, &PriceChart::quotesChanged, this, &MainWindow::showQuotes);

    m_historySyncTimer = new QTimer(this);
    m_historySyncTimer->setSingleShot(true);
    m_historySyncTimer->setInterval(historySyncDelayMs);
    connect(m_historySyncTimer, &QTimer::timeout, this, &MainWindow::syncOrderHistory);
}

void MainWindow::changeEvent(QEvent* event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        setStyleSheet(theme::styleSheet(palette()));
        updateStatus();
    }
}

void MainWindow::handleConnectionState(State state)
{
    const bool connected = state == State::Connected;
    m_tradePanel->setTradingEnabled(connected);
    m_overlay->setConnectionState(state, m_everConnected);
    updateStatus();
    updateTradeGuard();

    if (!connected)
        return;

    m_everConnected = true;
    m_walletVersion = 0;
    m_historyVersion.reset();
    m_historySyncTimer->stop();
    refreshFromServer();
}

void MainWindow::handleQuote(const core::Quote& quote)
{
    m_sinceLastQuote.start();
    m_chart->addQuote(quote);
    m_wallet->updateQuote(quote);
    m_alerts->checkQuote(quote);
    updateTradeGuard();
}

void MainWindow::handleFill(const core::Order& order)
{
    m_orders->addOrder(order);
    const QString shares = locale().toString(static_cast<qlonglong>(order.quantity));
    const QString price = order.price.toLocaleString(locale());
    const QString total = order.total.toLocaleString(locale());
    m_messageBar->showInfo(
        order.side == core::Side::Buy
            ? tr("Bought %1 VALV at %2 per share, %3 in total.").arg(shares, price, total)
            : tr("Sold %1 VALV at %2 per share, %3 in total.").arg(shares, price, total));
}

// Wallets come from the stream (after a change by any client of the account)
// and from this window's own order and praise responses.
void MainWindow::handlePortfolio(const core::Portfolio& portfolio,
                                 core::MarketClient::PortfolioSource source)
{
    const std::int64_t version = portfolio.holdings.version;
    if (source == core::MarketClient::PortfolioSource::OwnChange && m_historyVersion &&
        version == *m_historyVersion + 1) {
        m_historyVersion = version;  // handleFill has added the order already
    }

    // The response to an order can arrive after the stream pushed a newer
    // wallet. Servers without wallet versions send 0, which always shows.
    if (version > 0 && version < m_walletVersion)
        return;
    m_wallet->setPortfolio(portfolio);
    m_walletVersion = version;

    if (!m_historyVersion) {
        m_historyVersion = version;
        return;
    }
    if (version > *m_historyVersion && !m_historySyncTimer->isActive())
        m_historySyncTimer->start();
}

// Fetches the newest orders when the wallet is newer than the orders in the
// table explain. The stream may push the wallet of this window's own order
// or praise before its response arrives, so pending ones are waited for.
void MainWindow::syncOrderHistory()
{
    if (m_tradePanel->isOrderPending() || m_praisesPending > 0) {
        m_historySyncTimer->start();
        return;
    }
    if (!m_historyVersion || m_walletVersion <= *m_historyVersion)
        return;

    qCInfo(lcApp).noquote() << QStringLiteral(
                                   "The wallet is at version %1 but the order history "
                                   "explains version %2; fetching the newest orders.")
                                   .arg(m_walletVersion)
                                   .arg(*m_historyVersion);
    m_historyVersion = m_walletVersion;
    m_pager->refreshNewest();
}

void MainWindow::handleRejection(const core::Error& error)
{
    qCInfo(lcApp) << "Order rejected with" << error.code << ":" << error.message;
    m_messageBar->showError(tr("Order not placed. %1").arg(serverErrorText(error)));
}

void MainWindow::placeOrder(core::Side side, std::int64_t quantity,
                            std::optional<core::Money> limitPrice)
{
    core::OrderRequest request;
    request.side = side;
    request.quantity = quantity;
    request.limitPrice = limitPrice;

    // One order at a time: the panel stays pending until the server responds,
    // including MarketClient's retries with the same Idempotency-Key. Fills
    // and rejections also arrive as signals; see connectClient().
    m_tradePanel->setOrderPending(side);
    QPointer<MainWindow> self(this);
    m_client.placeOrder(request, [self](const core::Result<core::Order>&) {
        if (self)
            self->m_tradePanel->clearOrderPending();
    });
}

void MainWindow::praise()
{
    const std::int64_t shares = m_wallet->portfolio() ? m_wallet->portfolio()->holdings.shares : 0;
    ++m_praisesPending;
    m_client.praise([this, shares](core::Result<core::Money> bonus) {
        m_praisesPending = std::max(0, m_praisesPending - 1);
        if (!bonus) {
            m_messageBar->showError(
                tr("Praising the sun failed. %1").arg(serverErrorText(bonus.error())));
            return;
        }
        if (shares == 0) {
            m_messageBar->showInfo(
                tr("The sun is praised, but it pays $0.10 per share and you hold none."));
            return;
        }
        m_messageBar->showInfo(tr("The sun is praised: %1 for your %2 VALV.")
                                   .arg(bonus->toLocaleString(locale()),
                                        locale().toString(static_cast<qlonglong>(shares))));
    });
}

void MainWindow::refreshFromServer()
{
    fetchWalletThenHistory();
    loadChartHistory();

    m_client.fetchQuotes(-1, quoteBackfillLimit, [this](core::Result<QList<core::Quote>> quotes) {
        if (!quotes) {
            qCWarning(lcApp) << "Chart backfill failed:" << quotes.error().message
                             << "; the chart fills from live quotes instead";
            return;
        }
        m_chart->addQuotes(quotes.value());
    });
}

// The history loads after the wallet, so that it contains at least every
// order up to the wallet's version. Loaded the other way round, an order
// placed elsewhere in between would be counted as explained but missing.
void MainWindow::fetchWalletThenHistory()
{
    m_client.fetchPortfolio([this](core::Result<core::Portfolio> portfolio) {
        m_pager->reload();
        if (!portfolio) {
            m_messageBar->showError(
                tr("Could not load the wallet. %1").arg(portfolio.error().message));
            return;
        }
        const std::int64_t version = portfolio->holdings.version;
        if (version > 0 && version < m_walletVersion)
            return;
        m_wallet->setPortfolio(portfolio.value());
        m_walletVersion = version;
        m_historyVersion = version;
    });
}

void MainWindow::showQuotes()
{
    const std::optional<core::Quote> oldest = m_chart->oldestQuote();
    const std::optional<core::Quote> latest = m_chart->latestQuote();
    if (!oldest || !latest)
        return;

    m_header->setQuotes(*oldest, *latest);
    m_marketStats->setQuotes(m_chart->quotes());
    m_tradePanel->setLastPrice(latest->price);
    m_wallet->updateQuote(*latest);

    const QTime time = QDateTime::fromMSecsSinceEpoch(latest->createdMs).time();
    m_lastQuoteLabel->setText(
        tr("Last price at %1").arg(locale().toString(time, QStringLiteral("HH:mm:ss"))));
}

void MainWindow::updateStatus()
{
    const QString where = tr("%1 (%2)").arg(m_serverName, m_client.serverUrl().authority());
    QString text;
    QColor dot;
    switch (m_client.connectionState()) {
        case State::Connected:
            text = tr("Connected to %1").arg(where);
            dot = theme::gainColor(palette());
            break;
        case State::Connecting:
            text = tr("Connecting to %1…").arg(where);
            dot = QColor(0xd2, 0x99, 0x22);
            break;
        case State::Reconnecting:
            text = tr("Disconnected from %1, reconnecting…").arg(where);
            dot = theme::lossColor(palette());
            break;
        case State::Disconnected:
            text = tr("Disconnected from %1").arg(where);
            dot = theme::lossColor(palette());
            break;
    }

    m_connectionLabel->setText(QStringLiteral("<span style=\"color:%1\">●</span> %2")
                                   .arg(dot.name(), text.toHtmlEscaped()));
    m_connectionLabel->setAccessibleDescription(text);
}

}  // namespace valiant::app
