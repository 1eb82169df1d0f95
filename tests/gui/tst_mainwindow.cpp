// The main window against a real embedded server on loopback: real clicks
// and key presses, real orders in a SQLite file in a temporary folder.

#include "app/connectionoverlay.h"
#include "app/embeddedserver.h"
#include "app/mainwindow.h"
#include "app/messagebar.h"
#include "app/orderhistorymodel.h"
#include "app/pricechart.h"
#include "app/resources.h"
#include "app/walletview.h"

#include "core/marketclient.h"

#include <QLabel>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QScreen>
#include <QBoxLayout>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using valiant::app::ConnectionOverlay;
using valiant::app::EmbeddedServer;
using valiant::app::MainWindow;
using valiant::app::MessageBar;
using valiant::app::PriceChart;
using valiant::app::WalletView;
using valiant::core::Error;
using valiant::core::MarketClient;
using valiant::core::Money;
using valiant::core::Order;

namespace {

constexpr Money startingCash = Money::fromCents(10'000'00);
constexpr int connectTimeoutMs = 15'000;

}  // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void windowFitsScreen();
    void windowGrowsWithSideColumn();
    void buyClickChargesOrderTotal();
    void spacePraisesPerShareHeld();
    void sellShortcutSellsOneShare();
    void rejectedOrderShowsServerMessage();
    void otherClientOrderShownInHistory();
    void otherClientRoundTripShownInHistory();
    void olderWalletResponseIgnored();
    void replacedHistoryClearsChart();
    void overlayBlocksTradingWhileServerDown();
    void sideColumnKeepsControlsApart_data();
    void sideColumnKeepsControlsApart();
    void switchingServerClearsMessage();

private:
    template <typename T>
    T* child(const char* objectName) const;
    QString text(const char* objectName) const;
    QString money(Money amount) const { return amount.toLocaleString(m_window->locale()); }
    QString count(std::int64_t value) const;

    QTemporaryDir m_dataDir;
    std::unique_ptr<EmbeddedServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<MarketClient> m_client;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QSignalSpy> m_filled;
    std::unique_ptr<QSignalSpy> m_rejected;

    Money m_cash;
    std::int64_t m_shares = 0;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    valiant::app::initResources();
    QVERIFY2(m_dataDir.isValid(), qPrintable(m_dataDir.errorString()));

    EmbeddedServer::Options options;
    options.databasePath = m_dataDir.filePath(QStringLiteral("data/valiant.db"));
    options.tickMs = 100;
    options.startingCash = startingCash;
    m_server = std::make_unique<EmbeddedServer>(options);
    const auto started = m_server->start();
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));
    QVERIFY(m_server->port() > 0);
    QVERIFY(!m_server->token().isEmpty());

    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<MarketClient>(m_network.get());
    m_client->setServerUrl(m_server->url());
    m_client->setToken(m_server->token());
    m_client->setReconnectDelays(100, 1000);
    m_filled = std::make_unique<QSignalSpy>(m_client.get(), &MarketClient::orderFilled);
    m_rejected = std::make_unique<QSignalSpy>(m_client.get(), &MarketClient::orderRejected);

    m_window = std::make_unique<MainWindow>(*m_client, QStringLiteral("this computer"));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));

    // Before the stream is up, the overlay already blocks trading.
    QVERIFY(child<ConnectionOverlay>("connectionOverlay")->isVisible());
    QVERIFY(!child<QPushButton>("buyButton")->isEnabled());

    m_client->start();
    QTRY_VERIFY_WITH_TIMEOUT(!child<ConnectionOverlay>("connectionOverlay")->isVisible(),
                             connectTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(child<PriceChart>("priceChart")->pointCount() > 0, connectTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(text("cashValue"), money(startingCash), connectTimeoutMs);
    QCOMPARE(text("sharesValue"), count(0));
    // The chart fills from history first; trading opens with the first live quote.
    QTRY_VERIFY_WITH_TIMEOUT(child<QPushButton>("buyButton")->isEnabled(), connectTimeoutMs);

    m_cash = startingCash;
}

void TestMainWindow::cleanupTestCase()
{
    m_window.reset();
    if (m_client)
        m_client->stop();
    m_client.reset();
    m_server.reset();
}

void TestMainWindow::buyClickChargesOrderTotal()
{
    child<QSpinBox>("quantitySpinBox")->setValue(3);
    QTest::mouseClick(child<QPushButton>("buyButton"), Qt::LeftButton);

    QTRY_COMPARE(m_filled->count(), 1);
    const auto order = m_filled->last().at(0).value<Order>();

    QCOMPARE(order.side, valiant::core::Side::Buy);
    QCOMPARE(order.quantity, 3);
    QCOMPARE(order.total, *order.price.times(3));

    m_cash = *m_cash.minus(order.total);
    m_shares += 3;
    QTRY_COMPARE(text("sharesValue"), count(m_shares));
    QTRY_COMPARE(text("cashValue"), money(m_cash));
    QTRY_COMPARE(text("costBasisValue"), money(order.total));

    auto* history = child<QTableView>("orderHistoryView");
    QTRY_COMPARE(history->model()->rowCount(), 1);
    QCOMPARE(
        history->model()->index(0, valiant::app::OrderHistoryModel::PriceColumn).data().toString(),
        money(order.price));

    auto* message = child<MessageBar>("messageBar");
    QVERIFY(message->isVisible());
    QVERIFY(!message->isError());
}

void TestMainWindow::spacePraisesPerShareHeld()
{
    QVERIFY(m_shares > 0);
    const Money bonus = *valiant::core::praiseBonusPerShare.times(m_shares);

    QTest::keyClick(m_window.get(), Qt::Key_Space);

    m_cash = *m_cash.plus(bonus);
    QTRY_COMPARE(text("cashValue"), money(m_cash));
    QCOMPARE(text("sharesValue"), count(m_shares));
}

void TestMainWindow::sellShortcutSellsOneShare()
{
    child<QSpinBox>("quantitySpinBox")->setValue(1);
    const qsizetype fillsBefore = m_filled->count();

    QTest::keyClick(m_window.get(), Qt::Key_S);

    QTRY_COMPARE(m_filled->count(), fillsBefore + 1);
    const auto order = m_filled->last().at(0).value<Order>();
    QCOMPARE(order.side, valiant::core::Side::Sell);
    QCOMPARE(order.quantity, 1);

    m_cash = *m_cash.plus(order.total);
    m_shares -= 1;
    QTRY_COMPARE(text("sharesValue"), count(m_shares));
    QTRY_COMPARE(text("cashValue"), money(m_cash));
    QTRY_COMPARE(child<QTableView>("orderHistoryView")->model()->rowCount(), 2);
}

void TestMainWindow::rejectedOrderShowsServerMessage()
{
    child<QSpinBox>("quantitySpinBox")->setValue(1'000'000);
    const qsizetype rejectionsBefore = m_rejected->count();

    QTest::mouseClick(child<QPushButton>("buyButton"), Qt::LeftButton);

    QTRY_COMPARE(m_rejected->count(), rejectionsBefore + 1);
    const auto error = m_rejected->last().at(0).value<Error>();
    QCOMPARE(error.code, QStringLiteral("insufficient_funds"));
    QVERIFY(!error.message.isEmpty());

    auto* message = child<MessageBar>("messageBar");
    QTRY_VERIFY(message->isVisible());
    QVERIFY(message->isError());
    QVERIFY2(message->text().contains(error.message), qPrintable(message->text()));

    QCOMPARE(text("cashValue"), money(m_cash));
    QCOMPARE(text("sharesValue"), count(m_shares));
    child<QSpinBox>("quantitySpinBox")->setValue(1);
}

void TestMainWindow::otherClientOrderShownInHistory()
{
    auto* history = child<QTableView>("orderHistoryView");
    auto* model = qobject_cast<valiant::app::OrderHistoryModel*>(history->model());
    QVERIFY(model);
    const int rowsBefore = model->rowCount();
    QVERIFY(rowsBefore > 0);
    const qsizetype fillsBefore = m_filled->count();

    // A second client of the same account, such as a script, buys 2 shares.
    QNetworkAccessManager network;
    MarketClient other(&network);
    other.setServerUrl(m_server->url());
    other.setToken(m_server->token());
    valiant::core::OrderRequest request;
    request.side = valiant::core::Side::Buy;
    request.quantity = 2;
    std::optional<valiant::core::Result<Order>> placed;
    other.placeOrder(request, [&placed](valiant::core::Result<Order> order) { placed = order; });
    QTRY_VERIFY_WITH_TIMEOUT(placed.has_value(), connectTimeoutMs);
    QVERIFY2(placed->ok(), qPrintable(placed->ok() ? QString() : placed->error().message));
    const Order order = placed->value();

    // The wallet follows the stream's push, and the table follows the wallet.
    m_cash = *m_cash.minus(order.total);
    m_shares += 2;
    QTRY_COMPARE(text("sharesValue"), count(m_shares));
    QCOMPARE(text("cashValue"), money(m_cash));
    QTRY_COMPARE(model->rowCount(), rowsBefore + 1);
    QCOMPARE(model->orderAt(0).id, order.id);
    QCOMPARE(model->orderAt(0).quantity, 2);
    QCOMPARE(m_filled->count(), fillsBefore);

    // The export writes the same orders that the table shows.
    const QString path = m_dataDir.filePath(QStringLiteral("orders.csv"));
    std::optional<valiant::core::Result<int>> exported;
    m_window->exportOrderHistory(
        path, [&exported](valiant::core::Result<int> written) { exported = written; });
    QTRY_VERIFY(exported.has_value());
    QVERIFY2(exported->ok(), qPrintable(exported->ok() ? QString() : exported->error().message));
    QCOMPARE(exported->value(), model->rowCount());
}

void TestMainWindow::otherClientRoundTripShownInHistory()
{
    auto* history = child<QTableView>("orderHistoryView");
    auto* model = qobject_cast<valiant::app::OrderHistoryModel*>(history->model());
    QVERIFY(model);
    const int rowsBefore = model->rowCount();

    // Another client buys 1 share and sells it straight away, so the share
    // count the window ends with is the one it started with.
    QNetworkAccessManager network;
    MarketClient other(&network);
    other.setServerUrl(m_server->url());
    other.setToken(m_server->token());
    QList<Order> placed;
    for (const valiant::core::Side side : {valiant::core::Side::Buy, valiant::core::Side::Sell}) {
        valiant::core::OrderRequest request;
        request.side = side;
        request.quantity = 1;
        std::optional<valiant::core::Result<Order>> result;
        other.placeOrder(request, [&result](valiant::core::Result<Order> order) { result = order; });
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), connectTimeoutMs);
        QVERIFY2(result->ok(), qPrintable(result->ok() ? QString() : result->error().message));
        placed.append(result->value());
    }
    m_cash = *m_cash.minus(placed.at(0).total);
    m_cash = *m_cash.plus(placed.at(1).total);

    QTRY_COMPARE(model->rowCount(), rowsBefore + 2);
    QCOMPARE(model->orderAt(0).id, placed.at(1).id);
    QCOMPARE(model->orderAt(1).id, placed.at(0).id);
    QTRY_COMPARE(text("cashValue"), money(m_cash));
    QCOMPARE(text("sharesValue"), count(m_shares));
}

void TestMainWindow::olderWalletResponseIgnored()
{
    using Source = MarketClient::PortfolioSource;
    valiant::core::Portfolio newer;
    newer.holdings = valiant::core::Holdings{Money::fromCents(123'45), 7, Money::fromCents(1), 1000};
    valiant::core::Portfolio older = newer;
    older.holdings.cash = Money::fromCents(99);
    older.holdings.version = 999;

    // A response that arrives after the stream pushed a newer wallet is late.
    Q_EMIT m_client->portfolioChanged(newer, Source::Stream);
    Q_EMIT m_client->portfolioChanged(older, Source::OwnChange);
    QCOMPARE(text("cashValue"), money(newer.holdings.cash));
    QCOMPARE(text("sharesValue"), count(7));

    // Put the server's wallet back for the tests after this one.
    m_window->switchServer(QStringLiteral("this computer"));
    QTRY_COMPARE(text("cashValue"), money(m_cash));
}

void TestMainWindow::replacedHistoryClearsChart()
{
    auto* chart = child<PriceChart>("priceChart");
    QTRY_VERIFY(chart->pointCount() > 0);

    // Quotes of the replaced history must not stay next to the new ones.
    Q_EMIT m_client->quoteHistoryReplaced();
    QCOMPARE(chart->pointCount(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(chart->pointCount() > 0, connectTimeoutMs);
}

void TestMainWindow::overlayBlocksTradingWhileServerDown()
{
    auto* overlay = child<ConnectionOverlay>("connectionOverlay");
    auto* buy = child<QPushButton>("buyButton");
    const int port = m_server->port();

    m_server->stop();
    QTRY_VERIFY_WITH_TIMEOUT(overlay->isVisible(), connectTimeoutMs);
    QCOMPARE(overlay->message(), QStringLiteral("Disconnected from server, reconnecting…"));
    QVERIFY(!buy->isEnabled());
    QVERIFY(!child<QPushButton>("sellButton")->isEnabled());
    QVERIFY(!child<QPushButton>("praiseButton")->isEnabled());

    // B sends nothing while disconnected.
    const qsizetype fillsBefore = m_filled->count();
    const qsizetype rejectionsBefore = m_rejected->count();
    QTest::keyClick(m_window.get(), Qt::Key_B);
    QTest::qWait(300);
    QCOMPARE(m_filled->count(), fillsBefore);
    QCOMPARE(m_rejected->count(), rejectionsBefore);

    const auto restarted = m_server->start();
    QVERIFY2(restarted.ok(), qPrintable(restarted.ok() ? QString() : restarted.error().message));
    QCOMPARE(m_server->port(), port);

    QTRY_VERIFY_WITH_TIMEOUT(!overlay->isVisible(), connectTimeoutMs);
    QVERIFY(buy->isEnabled());

    // Nothing pressed while disconnected was queued and sent after the return.
    QTest::qWait(500);
    QCOMPARE(m_filled->count(), fillsBefore);
    QCOMPARE(m_rejected->count(), rejectionsBefore);
    QTRY_COMPARE(text("cashValue"), money(m_cash));
    QCOMPARE(text("sharesValue"), count(m_shares));
}

// CTest runs this on a 1600x1000 offscreen screen with the whole suite,
// and alone on a 1366x768 one (tst_mainwindow_small_screen).
void TestMainWindow::windowFitsScreen()
{
    const QRect available = m_window->screen()->availableGeometry();
    QVERIFY2(available.height() == 1000 || available.height() == 768,
             qPrintable(QStringLiteral("The screen is %1 pixels high; CTest configures a 1000- or "
                                       "768-pixel offscreen screen for this test")
                            .arg(available.height())));
    QVERIFY(m_window->height() <= available.height());
    QVERIFY(m_window->width() <= available.width());

    const auto* sideScroll = child<QScrollArea>("sideScroll");
    if (available.height() == 1000) {
        // Opened on a tall enough screen, every side card shows at once.
        QCOMPARE(sideScroll->verticalScrollBar()->maximum(), 0);
        QVERIFY(m_window->height() >= 780);
    } else {
        // The default 780 pixels do not fit, so the window shrinks and
        // the side column scrolls.
        QVERIFY2(m_window->height() < 780, qPrintable(QString::number(m_window->height())));
        QVERIFY(m_window->height() >= m_window->minimumHeight());
        QVERIFY(sideScroll->verticalScrollBar()->maximum() > 0);
    }
}

// Content that the side column gains after the first fit, as when the
// wallet card fills on connecting, makes the window grow again.
void TestMainWindow::windowGrowsWithSideColumn()
{
    if (m_window->screen()->availableGeometry().height() != 1000)
        QSKIP("The window has room to grow only on the 1000-pixel screen");
    const auto* sideScroll = child<QScrollArea>("sideScroll");
    QTRY_COMPARE(sideScroll->verticalScrollBar()->maximum(), 0);
    auto* column = qobject_cast<QBoxLayout*>(sideScroll->widget()->layout());
    QVERIFY(column);
    const int before = m_window->height();

    // The column may have room to spare, so the new content takes that
    // room and 60 pixels more.
    const int spare = sideScroll->viewport()->height() - sideScroll->widget()->sizeHint().height();
    auto* added = new QWidget(sideScroll->widget());
    added->setFixedHeight(std::max(0, spare) + 60);
    column->addWidget(added);
    QTRY_VERIFY2(m_window->height() >= before + 60, qPrintable(QString::number(m_window->height())));
    QTRY_COMPARE(sideScroll->verticalScrollBar()->maximum(), 0);
    delete added;
}

void TestMainWindow::sideColumnKeepsControlsApart_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1280x800") << QSize(1280, 800);
    QTest::newRow("1200x700") << QSize(1200, 700);
}

void TestMainWindow::sideColumnKeepsControlsApart()
{
    QFETCH(QSize, size);
    const QSize before = m_window->size();
    m_window->resize(size);
    auto* message = child<MessageBar>("messageBar");
    message->showError(QStringLiteral("A long message that takes the bar's full height, so the "
                                      "columns below it get less room."));
    QTRY_VERIFY(message->isVisible());
    QTRY_COMPARE(m_window->size(), size);
    QCoreApplication::processEvents();

    const QList<const char*> names{"buyButton", "sellButton", "praiseButton", "quantitySpinBox"};
    QList<QRect> rects;
    for (const char* name : names) {
        QWidget* widget = child<QWidget>(name);
        QVERIFY2(widget->isVisible(), name);
        QVERIFY2(widget->height() >= widget->minimumSizeHint().height(), name);
        rects.append(QRect(widget->mapTo(m_window.get(), QPoint(0, 0)), widget->size()));
    }
    for (qsizetype i = 0; i < rects.size(); ++i) {
        for (qsizetype j = i + 1; j < rects.size(); ++j) {
            QVERIFY2(!rects.at(i).intersects(rects.at(j)),
                     qPrintable(QStringLiteral("%1 overlaps %2 at %3x%4")
                                    .arg(QString::fromLatin1(names.at(i)),
                                         QString::fromLatin1(names.at(j)))
                                    .arg(size.width())
                                    .arg(size.height())));
        }
    }
    message->hide();
    m_window->resize(before);
}

template <typename T>
T* TestMainWindow::child(const char* objectName) const
{
    T* found = m_window->findChild<T*>(QString::fromLatin1(objectName));
    if (!found)
        qFatal("The main window has no %s named '%s'", T::staticMetaObject.className(), objectName);
    return found;
}

QString TestMainWindow::text(const char* objectName) const
{
    return child<QLabel>(objectName)->text();
}

QString TestMainWindow::count(std::int64_t value) const
{
    return m_window->locale().toString(static_cast<qlonglong>(value));
}

void TestMainWindow::switchingServerClearsMessage()
{
    auto* message = child<MessageBar>("messageBar");
    Q_EMIT m_client->orderRejected(valiant::core::Error{
        422, QStringLiteral("insufficient_funds"), QStringLiteral("Not enough cash.")});
    QTRY_VERIFY(message->isVisible());

    // An error about the previous server's order means nothing on the next one.
    m_window->switchServer(QStringLiteral("another server"));
    QVERIFY(!message->isVisible());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
