// MarketClient against a real valiant-server process on 127.0.0.1: the
// live stream in order, reconnects after SIGKILL without gaps or repeats,
// orders retried with one Idempotency-Key, rejections and praise. Small
// loopback peers (a proxy that loses one response, a WebSocket server that
// never sends hello, a port that drops every connection) produce the
// failures a healthy server never shows.

#include "core/marketclient.h"
#include "support/httpclient.h"
#include "support/serverprocess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>
#include <optional>

using valiant::core::Error;
using valiant::core::MarketClient;
using valiant::core::Money;
using valiant::core::Order;
using valiant::core::OrderRequest;
using valiant::core::Portfolio;
using valiant::core::Quote;
using valiant::core::Result;
using valiant::core::Side;
using valiant::test::HttpClient;
using valiant::test::ServerProcess;

using State = MarketClient::ConnectionState;

namespace {

constexpr int waitMs = 20'000;
const QString password = QStringLiteral("correct horse battery");

// The outcome of one callback, kept alive by the callback itself so a
// late call after a timed-out wait cannot write to a dead stack frame.
template <typename T>
struct Outcome
{
    int calls = 0;
    std::optional<Result<T>> result;
};

template <typename T, typename Call>
std::shared_ptr<Outcome<T>> awaitResult(Call call, int timeoutMs = waitMs)
{
    auto outcome = std::make_shared<Outcome<T>>();
    call([outcome](Result<T> result) {
        ++outcome->calls;
        outcome->result.emplace(std::move(result));
    });
    // Callers check outcome->calls, which also catches a timeout.
    (void)QTest::qWaitFor([&] { return outcome->calls > 0; }, timeoutMs);
    return outcome;
}

// QVERIFY2 builds its message before it checks, so this must not assume an error.
template <typename T>
QString errorText(const Result<T>& result)
{
    return result.ok() ? QString() : result.error().message;
}

QList<std::int64_t> quoteIds(const QSignalSpy& spy)
{
    QList<std::int64_t> ids;
    for (const QList<QVariant>& arguments : spy) {
        ids.append(arguments.at(0).value<Quote>().id);
    }
    return ids;
}

QList<State> states(const QSignalSpy& spy)
{
    QList<State> result;
    for (const QList<QVariant>& arguments : spy) {
        result.append(arguments.at(0).value<State>());
    }
    return result;
}

// Forwards TCP connections to the server and, when armed, loses the
// response to the next POST /api/v1/orders. The server executes the order
// but the client gets a 502, as from a load balancer whose upstream failed.
class ResponseDroppingProxy : public QObject
{
public:
    explicit ResponseDroppingProxy(int targetPort) : m_targetPort(targetPort)
    {
        connect(&m_listener, &QTcpServer::newConnection, this, &ResponseDroppingProxy::accept);
    }

    bool listen() { return m_listener.listen(QHostAddress::LocalHost, 0); }
    QUrl baseUrl() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_listener.serverPort()));
    }
    void dropNextOrderResponse() { m_dropArmed = true; }
    int droppedResponses() const { return m_droppedResponses; }
    int orderRequests() const { return m_orderRequests; }

private:
    void accept()
    {
        while (QTcpSocket* client = m_listener.nextPendingConnection()) {
            auto* server = new QTcpSocket(client);
            auto dropping = std::make_shared<bool>(false);
            connect(client, &QTcpSocket::readyRead, this, [this, client, server, dropping] {
                const QByteArray bytes = client->readAll();
                if (bytes.contains("POST /api/v1/orders")) {
                    ++m_orderRequests;
                    if (m_dropArmed) {
                        m_dropArmed = false;
                        *dropping = true;
                    }
                }
                server->write(bytes);
            });
            connect(server, &QTcpSocket::readyRead, this, [this, client, server, dropping] {
                const QByteArray bytes = server->readAll();
                if (*dropping) {
                    *dropping = false;
                    ++m_droppedResponses;
                    client->write(
                        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                        "Connection: close\r\n\r\n");
                    client->disconnectFromHost();
                    server->abort();
                    return;
                }
                client->write(bytes);
            });
            connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
            connect(server, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
            server->connectToHost(QHostAddress::LocalHost, quint16(m_targetPort));
        }
    }

    QTcpServer m_listener;
    int m_targetPort;
    bool m_dropArmed = false;
    int m_droppedResponses = 0;
    int m_orderRequests = 0;
};

}  // namespace

class TestMarketClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void quotesArriveInOrder();
    void reconnectsWithoutGapAfterKill();
    void replacedDatabaseStartsQuotesOver();
    void orderWhileServerDownFillsOnce();
    void orderWithLostResponseFillsOnce();
    void rejectedOrderEmitsInsufficientFunds();
    void praiseEmitsBonusAndPortfolio();
    void refusedConnectionIsNetworkError();
    void streamWithoutHelloReconnects();
    void reconnectDelaysGrowToMax();

private:
    bool startServer(const QString& startingCash = QStringLiteral("100.00"));
    std::unique_ptr<MarketClient> makeClient(const QUrl& url);
    QString createAccount(MarketClient& client, const QString& username);
    bool waitForQuotes(QSignalSpy& spy, int count);

    QNetworkAccessManager m_network;
    std::unique_ptr<ServerProcess> m_server;
    int m_accountNumber = 0;
};

void TestMarketClient::initTestCase()
{
    qRegisterMetaType<Quote>();
    qRegisterMetaType<Portfolio>();
    qRegisterMetaType<Order>();
    qRegisterMetaType<Error>();
    qRegisterMetaType<Money>();
}

bool TestMarketClient::startServer(const QString& startingCash)
{
    ServerProcess::Options options;
    options.tickMs = 100;
    options.startingCash = startingCash;
    m_server = std::make_unique<ServerProcess>(options);
    if (m_server->start()) {
        return true;
    }
    qWarning().noquote() << m_server->errorString();
    return false;
}

void TestMarketClient::cleanup()
{
    m_server.reset();
}

std::unique_ptr<MarketClient> TestMarketClient::makeClient(const QUrl& url)
{
    auto client = std::make_unique<MarketClient>(&m_network);
    client->setServerUrl(url);
    client->setReconnectDelays(50, 400);
    return client;
}

// Creates an account and sets its token on `client`. Returns the token, or
// an empty string on failure.
QString TestMarketClient::createAccount(MarketClient& client, const QString& username)
{
    const QString name = QStringLiteral("%1_%2").arg(username).arg(++m_accountNumber);
    const auto outcome = awaitResult<QString>(
        [&](auto done) { client.createAccount(name, password, std::move(done)); });
    if (outcome->calls != 1 || !outcome->result->ok()) {
        qWarning() << "Creating account" << name << "failed:"
                   << (outcome->result ? outcome->result->error().message
                                       : QStringLiteral("no response"));
        return {};
    }
    client.setToken(outcome->result->value());
    return outcome->result->value();
}

bool TestMarketClient::waitForQuotes(QSignalSpy& spy, int count)
{
    return QTest::qWaitFor([&] { return spy.size() >= count; }, waitMs);
}

void TestMarketClient::quotesArriveInOrder()
{
    QVERIFY(startServer());
    auto client = makeClient(m_server->baseUrl());
    QSignalSpy stateSpy(client.get(), &MarketClient::connectionStateChanged);
    QSignalSpy quoteSpy(client.get(), &MarketClient::quoteReceived);

    client->start();
    QCOMPARE(client->connectionState(), State::Connecting);
    QTRY_COMPARE_WITH_TIMEOUT(client->connectionState(), State::Connected, waitMs);
    QVERIFY(waitForQuotes(quoteSpy, 10));
    client->stop();
    QCOMPARE(client->connectionState(), State::Disconnected);
    QCOMPARE(states(stateSpy),
             (QList<State>{State::Connecting, State::Connected, State::Disconnected}));

    // The stream must match the server's own history id for id and price.
    const QList<std::int64_t> ids = quoteIds(quoteSpy);
    QCOMPARE(client->lastQuoteId(), ids.last());
    const auto history = awaitResult<QList<Quote>>(
        [&](auto done) { client->fetchQuotes(ids.first() - 1, int(ids.size()), std::move(done)); });
    QVERIFY(history->result.has_value());
    QVERIFY2(history->result->ok(), qPrintable(errorText(*history->result)));
    QCOMPARE(history->result->value().size(), ids.size());
    for (int i = 0; i < ids.size(); ++i) {
        const Quote streamed = quoteSpy.at(i).at(0).value<Quote>();
        const Quote stored = history->result->value().at(i);
        QCOMPARE(streamed.id, stored.id);
        QCOMPARE(streamed.price.cents(), stored.price.cents());
        QCOMPARE(streamed.createdMs, stored.createdMs);
    }
}

void TestMarketClient::reconnectsWithoutGapAfterKill()
{
    QVERIFY(startServer());
    auto client = makeClient(m_server->baseUrl());
    // A long first delay, so that the restarted server makes quotes before
    // the client returns, which it can then only get from the backfill.
    client->setReconnectDelays(3000, 6000);
    QSignalSpy stateSpy(client.get(), &MarketClient::connectionStateChanged);
    QSignalSpy quoteSpy(client.get(), &MarketClient::quoteReceived);
    client->start();
    QTRY_COMPARE_WITH_TIMEOUT(client->connectionState(), State::Connected, waitMs);
    QVERIFY(waitForQuotes(quoteSpy, 5));

    m_server->kill();
    QTRY_COMPARE_WITH_TIMEOUT(client->connectionState(), State::Reconnecting, waitMs);
    const std::int64_t lastBeforeKill = client->lastQuoteId();
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

    // Wait until the server has quotes beyond the last one the client saw.
    const HttpClient http(m_server->baseUrl());
    std::int64_t latestAfterRestart = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            const QJsonObject latest = http.get(QStringLiteral("/api/v1/quotes/latest")).json();
            latestAfterRestart = latest.value(QStringLiteral("id")).toInteger();
            return latestAfterRestart >= lastBeforeKill + 3;
        },
        waitMs));
    QCOMPARE(client->connectionState(), State::Reconnecting);
    QCOMPARE(client->lastQuoteId(), lastBeforeKill);

    QTRY_COMPARE_WITH_TIMEOUT(client->connectionState(), State::Connected, waitMs);
    QTRY_VERIFY_WITH_TIMEOUT(client->lastQuoteId() >= latestAfterRestart + 3, waitMs);
    client->stop();

    const QList<State> seen = states(stateSpy);
    const qsizetype reconnecting = seen.indexOf(State::Reconnecting);
    QVERIFY(reconnecting > 0);
    QCOMPARE(seen.at(reconnecting + 1), State::Connected);

    const QList<std::int64_t> ids = quoteIds(quoteSpy);
    for (int i = 1; i < ids.size(); ++i) {
        QVERIFY2(
            ids.at(i) == ids.at(i - 1) + 1,
            qPrintable(
                QStringLiteral("quote %1 followed quote %2").arg(ids.at(i)).arg(ids.at(i - 1))));
    }
    QVERIFY(ids.contains(lastBeforeKill + 1));

    // Each attempt had its own socket, and the dropped ones are deleted.
    QTRY_COMPARE_WITH_TIMEOUT(client->findChildren<QWebSocket*>().size(), 0, waitMs);
}

void TestMarketClient::replacedDatabaseStartsQuotesOver()
{
    QVERIFY(startServer());
    auto client = makeClient(m_server->baseUrl());
    QSignalSpy replaced(client.get(), &MarketClient::quoteHistoryReplaced);
    QSignalSpy quoteSpy(client.get(), &MarketClient::quoteReceived);
    client->start();
    QTRY_COMPARE_WITH_TIMEOUT(client->connectionState(), State::Connected, waitMs);
    QVERIFY(waitForQuotes(quoteSpy, 30));
    QVERIFY2(m_server->stop(), qPrintable(m_server->errorString()));

    // The same server with a new, empty database starts its ids at 1 again.
    for (const QString& suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(m_server->databasePath() + suffix);
    QVERIFY(!QFile::exists(m_server->databasePath()));
    const std::int64_t lastBefore = client->lastQuoteId();
    QVERIFY(lastBefore >= 30);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

    QTRY_COMPARE_WITH_TIMEOUT(replaced.count(), 1, waitMs);
    QTRY_COMPARE_WITH_TIMEOUT(client->connectionState(), State::Connected, waitMs);
    const qsizetype before = quoteSpy.size();
    QVERIFY(QTest::qWaitFor([&] { return quoteSpy.size() >= before + 3; }, waitMs));
    const QList<std::int64_t> ids = quoteIds(quoteSpy).mid(before);
    QVERIFY2(ids.first() < lastBefore, qPrintable(QString::number(ids.first())));
    for (int i = 1; i < ids.size(); ++i)
        QCOMPARE(ids.at(i), ids.at(i - 1) + 1);
    client->stop();
}

void TestMarketClient::orderWhileServerDownFillsOnce()
{
    QVERIFY(startServer());
    auto client = makeClient(m_server->baseUrl());
    QVERIFY(!createAccount(*client, QStringLiteral("down")).isEmpty());
    QSignalSpy quoteSpy(client.get(), &MarketClient::quoteReceived);
    client->start();
    QVERIFY(waitForQuotes(quoteSpy, 1));

    m_server->kill();
    QSignalSpy filledSpy(client.get(), &MarketClient::orderFilled);
    QSignalSpy rejectedSpy(client.get(), &MarketClient::orderRejected);
    auto outcome = std::make_shared<Outcome<Order>>();
    client->placeOrder(OrderRequest{Side::Buy, 1, std::nullopt}, [outcome](Result<Order> result) {
        ++outcome->calls;
        outcome->result.emplace(std::move(result));
    });

    // The first tries meet a closed port, and then the server comes back.
    QTest::qWait(800);
    QCOMPARE(outcome->calls, 0);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(outcome->calls, 1, waitMs);
    QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
    QCOMPARE(outcome->result->value().quantity, 1);
    QCOMPARE(filledSpy.size(), 1);
    QCOMPARE(rejectedSpy.size(), 0);

    const auto orders =
        awaitResult<QList<Order>>([&](auto done) { client->fetchOrders(0, 10, std::move(done)); });
    QVERIFY(orders->result.has_value());
    QVERIFY2(orders->result->ok(), qPrintable(errorText(*orders->result)));
    QCOMPARE(orders->result->value().size(), 1);
    QCOMPARE(orders->result->value().first().id, outcome->result->value().id);
    QTest::qWait(300);
    QCOMPARE(outcome->calls, 1);
}

void TestMarketClient::orderWithLostResponseFillsOnce()
{
    QVERIFY(startServer(QStringLiteral("1000.00")));
    ResponseDroppingProxy proxy(m_server->port());
    QVERIFY(proxy.listen());
    auto client = makeClient(proxy.baseUrl());
    QVERIFY(!createAccount(*client, QStringLiteral("lost")).isEmpty());
    const HttpClient http(m_server->baseUrl());
    QVERIFY(QTest::qWaitFor(
        [&] { return http.get(QStringLiteral("/api/v1/quotes/latest")).status == 200; }, waitMs));

    proxy.dropNextOrderResponse();
    QSignalSpy filledSpy(client.get(), &MarketClient::orderFilled);
    QSignalSpy portfolioSpy(client.get(), &MarketClient::portfolioChanged);
    const auto outcome = awaitResult<Order>([&](auto done) {
        client->placeOrder(OrderRequest{Side::Buy, 2, std::nullopt}, std::move(done));
    });
    QCOMPARE(outcome->calls, 1);
    QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
    QCOMPARE(proxy.droppedResponses(), 1);
    QVERIFY(proxy.orderRequests() >= 2);
    QCOMPARE(filledSpy.size(), 1);
    QVERIFY(portfolioSpy.size() >= 1);
    QCOMPARE(portfolioSpy.last().at(0).value<Portfolio>().holdings.shares, 2);

    const auto orders =
        awaitResult<QList<Order>>([&](auto done) { client->fetchOrders(0, 10, std::move(done)); });
    QVERIFY(orders->result.has_value());
    QVERIFY2(orders->result->ok(), qPrintable(errorText(*orders->result)));
    QCOMPARE(orders->result->value().size(), 1);
    QCOMPARE(orders->result->value().first().id, outcome->result->value().id);
}

void TestMarketClient::rejectedOrderEmitsInsufficientFunds()
{
    QVERIFY(startServer());
    auto client = makeClient(m_server->baseUrl());
    QVERIFY(!createAccount(*client, QStringLiteral("poor")).isEmpty());
    const HttpClient http(m_server->baseUrl());
    QVERIFY(QTest::qWaitFor(
        [&] { return http.get(QStringLiteral("/api/v1/quotes/latest")).status == 200; }, waitMs));

    QSignalSpy filledSpy(client.get(), &MarketClient::orderFilled);
    QSignalSpy rejectedSpy(client.get(), &MarketClient::orderRejected);
    const auto outcome = awaitResult<Order>([&](auto done) {
        client->placeOrder(OrderRequest{Side::Buy, 1'000'000, std::nullopt}, std::move(done));
    });
    QCOMPARE(outcome->calls, 1);
    QVERIFY(!outcome->result->ok());
    QCOMPARE(outcome->result->error().status, 422);
    QCOMPARE(outcome->result->error().code, QStringLiteral("insufficient_funds"));
    QCOMPARE(filledSpy.size(), 0);
    QCOMPARE(rejectedSpy.size(), 1);
    QCOMPARE(rejectedSpy.first().at(0).value<Error>().code, QStringLiteral("insufficient_funds"));
}

void TestMarketClient::praiseEmitsBonusAndPortfolio()
{
    // Enough cash for 3 shares even after a few price spikes.
    QVERIFY(startServer(QStringLiteral("1000.00")));
    auto client = makeClient(m_server->baseUrl());
    QVERIFY(!createAccount(*client, QStringLiteral("sunny")).isEmpty());
    const HttpClient http(m_server->baseUrl());
    QVERIFY(QTest::qWaitFor(
        [&] { return http.get(QStringLiteral("/api/v1/quotes/latest")).status == 200; }, waitMs));

    const auto bought = awaitResult<Order>([&](auto done) {
        client->placeOrder(OrderRequest{Side::Buy, 3, std::nullopt}, std::move(done));
    });
    QVERIFY(bought->result.has_value());
    QVERIFY2(bought->result->ok(), qPrintable(errorText(*bought->result)));
    const auto before =
        awaitResult<Portfolio>([&](auto done) { client->fetchPortfolio(std::move(done)); });
    QVERIFY(before->result.has_value());
    QVERIFY2(before->result->ok(), qPrintable(errorText(*before->result)));

    QSignalSpy praisedSpy(client.get(), &MarketClient::praised);
    QSignalSpy portfolioSpy(client.get(), &MarketClient::portfolioChanged);
    const auto outcome = awaitResult<Money>([&](auto done) { client->praise(std::move(done)); });
    QCOMPARE(outcome->calls, 1);
    QVERIFY2(outcome->result->ok(), qPrintable(errorText(*outcome->result)));
    QCOMPARE(outcome->result->value().cents(), 30);
    QCOMPARE(praisedSpy.size(), 1);
    QCOMPARE(praisedSpy.first().at(0).value<Money>().cents(), 30);
    QCOMPARE(portfolioSpy.size(), 1);
    const Portfolio after = portfolioSpy.first().at(0).value<Portfolio>();
    QCOMPARE(after.holdings.cash.cents(), before->result->value().holdings.cash.cents() + 30);
    QCOMPARE(after.holdings.shares, 3);
}

void TestMarketClient::refusedConnectionIsNetworkError()
{
    // A port that was just free and is closed again refuses connections.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();

    auto client = makeClient(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    const auto outcome =
        awaitResult<Portfolio>([&](auto done) { client->fetchPortfolio(std::move(done)); });
    QCOMPARE(outcome->calls, 1);
    QVERIFY(!outcome->result->ok());
    const Error error = outcome->result->error();
    QCOMPARE(error.status, 0);
    QCOMPARE(error.code, QStringLiteral("network_error"));
    QVERIFY2(error.message.contains(QStringLiteral("server at http://127.0.0.1:%1 ").arg(port)),
             qPrintable(error.message));
    QVERIFY2(error.message.contains(QStringLiteral("GET /api/v1/portfolio")),
             qPrintable(error.message));
    QVERIFY2(error.message.contains(QStringLiteral("server is running")), qPrintable(error.message));
    QVERIFY2(error.message.contains(QStringLiteral("refused"), Qt::CaseInsensitive),
             qPrintable(error.message));
}

void TestMarketClient::streamWithoutHelloReconnects()
{
    // A WebSocket server that accepts but never sends hello.
    QWebSocketServer silent(QStringLiteral("silent"), QWebSocketServer::NonSecureMode);
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QList<QNetworkRequest> handshakes;
    QList<QPointer<QWebSocket>> peers;
    connect(&silent, &QWebSocketServer::newConnection, this, [&] {
        while (QWebSocket* peer = silent.nextPendingConnection()) {
            handshakes.append(peer->request());
            peers.append(peer);
        }
    });

    auto client = makeClient(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort())));
    client->setToken(QStringLiteral("secret-token"));
    QSignalSpy stateSpy(client.get(), &MarketClient::connectionStateChanged);
    client->start();

    QTRY_COMPARE_WITH_TIMEOUT(handshakes.size(), 1, waitMs);
    QCOMPARE(handshakes.first().url().path(), QStringLiteral("/api/v1/stream"));
    QCOMPARE(handshakes.first().rawHeader("Authorization"), QByteArray("Bearer secret-token"));
    QTRY_COMPARE_WITH_TIMEOUT(client->connectionState(), State::Reconnecting, waitMs);
    QTRY_COMPARE_WITH_TIMEOUT(handshakes.size(), 2, waitMs);
    QCOMPARE(states(stateSpy).first(), State::Connecting);
    QVERIFY(!states(stateSpy).contains(State::Connected));

    // The first socket was closed by the client when it gave up on it.
    QTRY_VERIFY_WITH_TIMEOUT(
        peers.first().isNull() || peers.first()->state() == QAbstractSocket::UnconnectedState,
        waitMs);
    client->stop();
    qDeleteAll(peers);
}

void TestMarketClient::reconnectDelaysGrowToMax()
{
    // Every connection is accepted and closed at once, so each attempt fails.
    QTcpServer closer;
    QVERIFY(closer.listen(QHostAddress::LocalHost, 0));
    QElapsedTimer clock;
    QList<qint64> attemptsMs;
    connect(&closer, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket* socket = closer.nextPendingConnection()) {
            attemptsMs.append(clock.elapsed());
            socket->abort();
            socket->deleteLater();
        }
    });

    auto client = makeClient(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(closer.serverPort())));
    client->setReconnectDelays(100, 400);
    clock.start();
    client->start();
    QTRY_VERIFY_WITH_TIMEOUT(attemptsMs.size() >= 6, waitMs);
    client->stop();

    // Delays are 100, 200, 400, 400 and 400 ms, each plus up to 50 % jitter.
    // Qt's coarse timers may fire up to 5 % early, so the lower bound is 90 %,
    // and the upper bound allows 250 ms of scheduling slack on a busy machine.
    const QList<qint64> expectedMs{100, 200, 400, 400, 400};
    for (int i = 0; i < expectedMs.size(); ++i) {
        const qint64 gap = attemptsMs.at(i + 1) - attemptsMs.at(i);
        QVERIFY2(gap >= expectedMs.at(i) * 9 / 10,
                 qPrintable(QStringLiteral("gap %1 was %2 ms").arg(i).arg(gap)));
        QVERIFY2(gap <= expectedMs.at(i) * 3 / 2 + 250,
                 qPrintable(QStringLiteral("gap %1 was %2 ms").arg(i).arg(gap)));
    }
}

QTEST_GUILESS_MAIN(TestMarketClient)
#include "tst_marketclient.moc"
