// Safe orders in the main window against a real embedded server. One order
// runs at a time, key auto-repeat sends none, limit prices are read in German
// format, B and S never end up as text in the limit price, a stale price
// pauses Buy and Sell, and an order retried across a server restart fills
// exactly once.

#include "app/embeddedserver.h"
#include "app/localization.h"
#include "app/mainwindow.h"
#include "app/resources.h"

#include "core/marketclient.h"

#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QPushButton>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using valiant::app::EmbeddedServer;
using valiant::app::MainWindow;
using valiant::core::Error;
using valiant::core::MarketClient;
using valiant::core::Money;
using valiant::core::Order;

namespace {

constexpr int connectTimeoutMs = 15'000;

}  // namespace

class TestTrading : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void pendingOrderBlocksSecondOrder();
    void autoRepeatSendsNoOrder();
    void distinctPressesSendTwoOrders();
    void germanLimitPriceParsed();
    void largeEstimateShownWhole();
    void invalidLimitPriceSendsNothing();
    void misplacedSeparatorSendsNothing_data();
    void misplacedSeparatorSendsNothing();
    void limitPriceRejectsLetters();
    void tradeKeysNotTypedWhileDisconnected();
    void stalePricePausesBuyAndSell();
    void orderRetriedAcrossRestartFillsOnce();

private:
    template <typename T>
    T* child(const char* objectName) const;
    void restartServer(bool generatorEnabled);
    qsizetype countOrdersOnServer();

    QTemporaryDir m_dataDir;
    std::unique_ptr<EmbeddedServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<MarketClient> m_client;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QSignalSpy> m_filled;
    std::unique_ptr<QSignalSpy> m_rejected;
};

void TestTrading::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    valiant::app::initResources();
    QVERIFY2(m_dataDir.isValid(), qPrintable(m_dataDir.errorString()));

    EmbeddedServer::Options options;
    options.databasePath = m_dataDir.filePath(QStringLiteral("data/valiant.db"));
    options.tickMs = 100;
    options.startingCash = Money::fromCents(1'000'000'00);
    m_server = std::make_unique<EmbeddedServer>(options);
    const auto started = m_server->start();
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));

    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<MarketClient>(m_network.get());
    m_client->setServerUrl(m_server->url());
    m_client->setToken(m_server->token());
    m_client->setReconnectDelays(100, 500);
    m_filled = std::make_unique<QSignalSpy>(m_client.get(), &MarketClient::orderFilled);
    m_rejected = std::make_unique<QSignalSpy>(m_client.get(), &MarketClient::orderRejected);

    m_window = std::make_unique<MainWindow>(*m_client, QStringLiteral("this computer"));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));

    m_client->start();
    QTRY_VERIFY_WITH_TIMEOUT(child<QPushButton>("buyButton")->isEnabled(), connectTimeoutMs);
}

void TestTrading::cleanupTestCase()
{
    m_window.reset();
    if (m_client)
        m_client->stop();
    m_client.reset();
    m_server.reset();
}

void TestTrading::init()
{
    // A case that failed while the server was stopped leaves it stopped.
    if (!m_server->isRunning()) {
        const auto started = m_server->start();
        QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));
    }
    QTRY_VERIFY_WITH_TIMEOUT(child<QPushButton>("buyButton")->isEnabled(), connectTimeoutMs);
    child<QSpinBox>("quantitySpinBox")->setValue(1);
    child<QLineEdit>("limitPriceEdit")->clear();
    m_filled->clear();
    m_rejected->clear();
}

void TestTrading::pendingOrderBlocksSecondOrder()
{
    auto* buy = child<QPushButton>("buyButton");

    QTest::mouseClick(buy, Qt::LeftButton);

    // The click shows the order pending at once, before the server responds.
    QVERIFY(!buy->isEnabled());
    QCOMPARE(buy->text(), QStringLiteral("Buying…"));
    QVERIFY(!child<QPushButton>("sellButton")->isEnabled());
    QTest::mouseClick(buy, Qt::LeftButton);
    QTest::keyClick(m_window.get(), Qt::Key_B);
    QTest::keyClick(m_window.get(), Qt::Key_S);

    QTRY_COMPARE(m_filled->count(), 1);
    QTRY_VERIFY(buy->isEnabled());
    QCOMPARE(buy->text(), QStringLiteral("Buy  (B)"));
    QTest::qWait(500);
    QCOMPARE(m_filled->count(), 1);
    QCOMPARE(m_rejected->count(), 0);
}

void TestTrading::autoRepeatSendsNoOrder()
{
    // A held B sends a first press and then auto-repeated ones; only the
    // auto-repeated ones are sent here, so nothing may be ordered.
    for (int i = 0; i < 5; ++i)
        QTest::simulateEvent(m_window.get(), true, Qt::Key_B, Qt::NoModifier, QStringLiteral("b"),
                             true);
    QTest::simulateEvent(m_window.get(), false, Qt::Key_B, Qt::NoModifier, QStringLiteral("b"),
                         false);

    // Enter held on the focused Buy button does not click it either.
    auto* buy = child<QPushButton>("buyButton");
    buy->setFocus();
    for (int i = 0; i < 3; ++i)
        QTest::simulateEvent(buy, true, Qt::Key_Return, Qt::NoModifier, QString(), true);

    QTest::qWait(700);
    QCOMPARE(m_filled->count(), 0);
    QCOMPARE(m_rejected->count(), 0);
}

void TestTrading::distinctPressesSendTwoOrders()
{
    QTest::keyClick(m_window.get(), Qt::Key_B);
    QTRY_COMPARE(m_filled->count(), 1);
    QTRY_VERIFY(child<QPushButton>("buyButton")->isEnabled());

    QTest::keyClick(m_window.get(), Qt::Key_B);
    QTRY_COMPARE(m_filled->count(), 2);

    QTest::qWait(300);
    QCOMPARE(m_filled->count(), 2);
    const auto first = m_filled->at(0).at(0).value<Order>();
    const auto second = m_filled->at(1).at(0).value<Order>();
    QVERIFY(first.id != second.id);
}

void TestTrading::germanLimitPriceParsed()
{
    m_window->setLocale(valiant::app::chooseLocale(QStringLiteral("de")));
    auto* limit = child<QLineEdit>("limitPriceEdit");

    // 1.000,00 is a thousand dollars: far above the price, so the buy fills.
    QTest::keyClicks(limit, QStringLiteral("1.000,00"));
    QTest::mouseClick(child<QPushButton>("buyButton"), Qt::LeftButton);
    QTRY_COMPARE(m_filled->count(), 1);
    QVERIFY(m_filled->at(0).at(0).value<Order>().price <= Money::fromCents(1000'00));

    // 0,50 is fifty cents, below the $1.00 price floor, so it cannot be met.
    QTRY_VERIFY(child<QPushButton>("buyButton")->isEnabled());
    limit->clear();
    QTest::keyClicks(limit, QStringLiteral("0,50"));
    QTest::mouseClick(child<QPushButton>("buyButton"), Qt::LeftButton);
    QTRY_COMPARE(m_rejected->count(), 1);
    QCOMPARE(m_rejected->at(0).at(0).value<Error>().code, QStringLiteral("limit_not_met"));
    QCOMPARE(m_filled->count(), 1);

    // The estimate is written in the German format too.
    QLabel* estimate = nullptr;
    for (QLabel* label : m_window->findChildren<QLabel*>()) {
        if (label->accessibleName() == QLatin1String("Estimated order total"))
            estimate = label;
    }
    QVERIFY(estimate != nullptr);
    const QRegularExpression germanAmount(QStringLiteral(R"(\d,\d\d\s\$)"),
                                          QRegularExpression::UseUnicodePropertiesOption);
    QTRY_VERIFY2(germanAmount.match(estimate->text()).hasMatch(), qPrintable(estimate->text()));
    m_window->setLocale(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TestTrading::largeEstimateShownWhole()
{
    QLabel* estimate = nullptr;
    for (QLabel* label : m_window->findChildren<QLabel*>()) {
        if (label->accessibleName() == QLatin1String("Estimated order total"))
            estimate = label;
    }
    QVERIFY(estimate != nullptr);
    child<QSpinBox>("quantitySpinBox")->setValue(1'000'000);
    const QRegularExpression millions(QStringLiteral(R"(\$\d{1,3},\d{3},\d{3}\.\d{2})"));
    QTRY_VERIFY2(millions.match(estimate->text()).hasMatch(), qPrintable(estimate->text()));
    QApplication::processEvents();

    // The whole text, wrapped at the label's width, fits the label's height.
    const QRect needed = estimate->fontMetrics().boundingRect(
        QRect(0, 0, estimate->contentsRect().width(), 10'000), Qt::TextWordWrap, estimate->text());
    QVERIFY2(needed.height() <= estimate->contentsRect().height(),
             qPrintable(QStringLiteral("%1 needs %2 px, has %3")
                            .arg(estimate->text())
                            .arg(needed.height())
                            .arg(estimate->contentsRect().height())));
    child<QSpinBox>("quantitySpinBox")->setValue(1);
}

void TestTrading::invalidLimitPriceSendsNothing()
{
    // The field takes only digits, separators, "$" and spaces, so the
    // invalid prices left to type are ones like zero.
    QTest::keyClicks(child<QLineEdit>("limitPriceEdit"), QStringLiteral("0.00"));
    QTest::mouseClick(child<QPushButton>("buyButton"), Qt::LeftButton);

    auto* status = child<QLabel>("tradeStatusLabel");
    QVERIFY(status->isVisible());
    QVERIFY2(status->text().contains(QStringLiteral("\"0.00\"")), qPrintable(status->text()));
    QTest::qWait(300);
    QCOMPARE(m_filled->count(), 0);
    QCOMPARE(m_rejected->count(), 0);
}

void TestTrading::misplacedSeparatorSendsNothing_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("readable");

    // Each would read as 100 times the amount if the separator were dropped.
    QTest::newRow("English comma decimals") << "en" << "1,00" << "1.00";
    QTest::newRow("German point decimals") << "de" << "12.50" << "12,50";
    QTest::newRow("Spanish point decimals") << "es" << "12.50" << "12,50";
}

void TestTrading::misplacedSeparatorSendsNothing()
{
    QFETCH(QString, language);
    QFETCH(QString, typed);
    QFETCH(QString, readable);
    m_window->setLocale(valiant::app::chooseLocale(language));
    const auto restoreLocale = qScopeGuard(
        [this] { m_window->setLocale(QLocale(QLocale::English, QLocale::UnitedStates)); });

    auto* limit = child<QLineEdit>("limitPriceEdit");
    QTest::keyClicks(limit, typed);
    QCOMPARE(limit->text(), typed);
    QTest::mouseClick(child<QPushButton>("buyButton"), Qt::LeftButton);

    auto* status = child<QLabel>("tradeStatusLabel");
    QVERIFY(status->isVisible());
    QVERIFY2(status->text().contains(QStringLiteral("\"%1\"").arg(typed)), qPrintable(status->text()));
    QVERIFY2(status->text().contains(QStringLiteral("wrong place")), qPrintable(status->text()));
    QTest::qWait(300);
    QCOMPARE(m_filled->count(), 0);
    QCOMPARE(m_rejected->count(), 0);

    // Typed the local way, the limit is read as meant, and the estimate shows it.
    limit->clear();
    QTest::keyClicks(limit, readable);
    QLabel* estimate = nullptr;
    for (QLabel* label : m_window->findChildren<QLabel*>()) {
        if (label->accessibleName() == QLatin1String("Estimated order total"))
            estimate = label;
    }
    QVERIFY(estimate != nullptr);
    const QString limitText =
        valiant::core::Money::parseLocale(readable, m_window->locale())->toLocaleString(m_window->locale());
    QVERIFY2(limitText.contains(readable), qPrintable(limitText));
    QVERIFY2(estimate->text().contains(QStringLiteral("limit of %1").arg(limitText)),
             qPrintable(estimate->text()));
}

void TestTrading::limitPriceRejectsLetters()
{
    auto* limit = child<QLineEdit>("limitPriceEdit");
    limit->setFocus();
    QTRY_VERIFY(limit->hasFocus());

    // Shift+B is no shortcut, so it reaches the field as the letter "B".
    QTest::keyClick(limit, Qt::Key_B, Qt::ShiftModifier);
    QTest::keyClicks(limit, QStringLiteral("1x2.5"));
    QCOMPARE(limit->text(), QStringLiteral("12.5"));

    // What the app itself shows as a price can be typed back.
    limit->clear();
    const QString displayedPrice = Money::fromCents(1'234'50).toLocaleString(limit->locale());
    QTest::keyClicks(limit, displayedPrice);
    QCOMPARE(limit->text(), displayedPrice);
    QCOMPARE(m_filled->count(), 0);
}

void TestTrading::tradeKeysNotTypedWhileDisconnected()
{
    auto* limit = child<QLineEdit>("limitPriceEdit");
    auto* buy = child<QPushButton>("buyButton");
    QTest::mouseClick(limit, Qt::LeftButton);
    QTRY_VERIFY(limit->hasFocus());

    m_server->stop();
    QTRY_VERIFY_WITH_TIMEOUT(
        m_client->connectionState() != MarketClient::ConnectionState::Connected, connectTimeoutMs);
    QVERIFY(!buy->isEnabled());
    QVERIFY(limit->hasFocus());
    QTest::keyClick(limit, Qt::Key_B);
    QTest::keyClick(limit, Qt::Key_S);
    QCOMPARE(limit->text(), QString());

    // Back online, B buys at the live price instead of failing on a "b".
    const auto restarted = m_server->start();
    QVERIFY2(restarted.ok(), qPrintable(restarted.ok() ? QString() : restarted.error().message));
    QTRY_VERIFY_WITH_TIMEOUT(buy->isEnabled(), connectTimeoutMs);
    QVERIFY(limit->hasFocus());
    QTest::keyClick(limit, Qt::Key_B);
    QTRY_COMPARE(m_filled->count(), 1);
    QCOMPARE(m_rejected->count(), 0);
    QCOMPARE(limit->text(), QString());
    QVERIFY(!child<QLabel>("tradeStatusLabel")->isVisible());
}

void TestTrading::stalePricePausesBuyAndSell()
{
    auto* buy = child<QPushButton>("buyButton");
    auto* status = child<QLabel>("tradeStatusLabel");

    // A server whose generator is off: connected, but no new quote arrives.
    QSignalSpy states(m_client.get(), &MarketClient::connectionStateChanged);
    restartServer(false);
    QTRY_VERIFY_WITH_TIMEOUT(!states.isEmpty() && states.last().at(0).value<MarketClient::ConnectionState>() ==
                                 MarketClient::ConnectionState::Connected,
                             connectTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!buy->isEnabled(), MainWindow::staleQuoteMs + 2000);
    QCOMPARE(m_client->connectionState(), MarketClient::ConnectionState::Connected);
    QVERIFY(!child<QPushButton>("sellButton")->isEnabled());
    QVERIFY(child<QPushButton>("praiseButton")->isEnabled());
    QVERIFY(status->isVisible());
    QVERIFY2(status->text().contains(QStringLiteral("paused")), qPrintable(status->text()));

    QTest::keyClick(m_window.get(), Qt::Key_B);
    QTest::qWait(300);
    QCOMPARE(m_filled->count(), 0);

    // Nor does a paused B or S end up as text in the focused limit price.
    auto* limit = child<QLineEdit>("limitPriceEdit");
    limit->setFocus();
    QTRY_VERIFY(limit->hasFocus());
    QTest::keyClick(limit, Qt::Key_B);
    QTest::keyClick(limit, Qt::Key_S);
    QCOMPARE(limit->text(), QString());
    QCOMPARE(m_filled->count(), 0);

    // Quotes flow again: Buy and Sell come back and the reason goes.
    restartServer(true);
    QTRY_VERIFY_WITH_TIMEOUT(buy->isEnabled(), connectTimeoutMs);
    QVERIFY(!status->isVisible());
}

void TestTrading::orderRetriedAcrossRestartFillsOnce()
{
    const qsizetype ordersBefore = countOrdersOnServer();
    auto* buy = child<QPushButton>("buyButton");
    child<QSpinBox>("quantitySpinBox")->setValue(2);

    // The server goes away before the window has noticed, so the click
    // still sends the order to a closed port. MarketClient then retries
    // with the same Idempotency-Key until the server is back.
    m_server->stop();
    QVERIFY(buy->isEnabled());
    buy->click();
    QTest::qWait(1200);
    QVERIFY(!buy->isEnabled());
    QCOMPARE(m_filled->count(), 0);
    const auto restarted = m_server->start();
    QVERIFY2(restarted.ok(), qPrintable(restarted.ok() ? QString() : restarted.error().message));

    QTRY_COMPARE_WITH_TIMEOUT(m_filled->count(), 1, connectTimeoutMs);
    QCOMPARE(m_filled->at(0).at(0).value<Order>().quantity, 2);
    QTest::qWait(1500);
    QCOMPARE(m_filled->count(), 1);
    QCOMPARE(m_rejected->count(), 0);
    QCOMPARE(countOrdersOnServer(), ordersBefore + 1);
}

void TestTrading::restartServer(bool generatorEnabled)
{
    m_server->stop();
    m_server->setGeneratorEnabled(generatorEnabled);
    const auto started = m_server->start();
    QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));
}

qsizetype TestTrading::countOrdersOnServer()
{
    qsizetype count = -1;
    m_client->fetchOrders(0, 500, [&count](valiant::core::Result<QList<Order>> orders) {
        count = orders ? orders->size() : -2;
    });
    [&] { QTRY_VERIFY(count != -1); }();
    return count;
}

template <typename T>
T* TestTrading::child(const char* objectName) const
{
    T* found = m_window->findChild<T*>(QString::fromLatin1(objectName));
    if (!found)
        qFatal("The main window has no %s named '%s'", T::staticMetaObject.className(), objectName);
    return found;
}

QTEST_MAIN(TestTrading)
#include "tst_trading.moc"
