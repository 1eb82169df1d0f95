// One valiant-server on a throwaway PostgreSQL that the test stops, crashes
// and restarts under it: requests that need the database get 503 and /up
// is 503 while it is down, the server reconnects by itself, and no order
// is lost or applied twice. A statement blocked by a lock does not keep
// the server from stopping, and neither does a database that stops
// responding altogether.

#include "support/httpclient.h"
#include "support/postgresserver.h"
#include "support/serverprocess.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <array>
#include <thread>

using valiant::test::HttpClient;
using valiant::test::HttpHeaders;
using valiant::test::HttpResponse;
using valiant::test::PostgresServer;
namespace RawHttp = valiant::test::RawHttp;
using valiant::test::ServerProcess;

class PostgresRestartTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void stopGives503ThenRecovers();
    void crashGives503ThenRecovers();
    void blockedStatementCancelledOnStop();
    void rowLockWaitEndsInDatabase();
    void frozenDatabaseGives503AndStops();
    void stopRightAfterDatabaseFroze();

private:
    HttpResponse placeOrder(const QByteArray& key, int quantity) const;
    void verifyDown(const QByteArray& key);
    void verifyRecovers();
    qint64 orderCount() const;
    qint64 latestQuoteId() const;
    void startAndFreezeDatabase(const QByteArray& orderKey);

    PostgresServer m_postgres;
    std::unique_ptr<ServerProcess> m_server;
    QString m_token;
};

void PostgresRestartTest::initTestCase()
{
    QVERIFY2(!ServerProcess::serverBinary().isEmpty(), "VALIANT_SERVER_BIN is not set");
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));

    // The later --database wins over the one ServerProcess passes.
    ServerProcess::Options options;
    options.tickMs = 200;
    options.startingCash = QStringLiteral("100000.00");
    options.extraArguments = {QStringLiteral("--database"), m_postgres.url()};
    m_server = std::make_unique<ServerProcess>(options);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

    const HttpResponse created =
        HttpClient(m_server->baseUrl())
            .post(QStringLiteral("/api/v1/accounts"),
                  {{"username", "restarter"}, {"password", "correct horse battery"}});
    QVERIFY2(created.status == 201, qPrintable(created.describe()));
    m_token = created.json().value("token").toString();

    QDeadlineTimer firstQuote(10'000);
    while (HttpClient(m_server->baseUrl()).get("/api/v1/quotes/latest").status != 200
           && !firstQuote.hasExpired())
        QThread::msleep(50);
}

HttpResponse PostgresRestartTest::placeOrder(const QByteArray& key, int quantity) const
{
    return HttpClient(m_server->baseUrl())
        .post(QStringLiteral("/api/v1/orders"), {{"side", "buy"}, {"quantity", quantity}}, m_token,
              HttpHeaders{{"Idempotency-Key", key}});
}

qint64 PostgresRestartTest::orderCount() const
{
    const HttpResponse response =
        HttpClient(m_server->baseUrl()).get(QStringLiteral("/api/v1/orders?limit=100"), m_token);
    return response.json().value("orders").toArray().size();
}

qint64 PostgresRestartTest::latestQuoteId() const
{
    return HttpClient(m_server->baseUrl())
        .get("/api/v1/quotes/latest")
        .json()
        .value("id")
        .toInteger();
}

void PostgresRestartTest::verifyDown(const QByteArray& key)
{
    const HttpClient client(m_server->baseUrl());
    const HttpResponse up = client.get("/up");
    QVERIFY2(up.status == 503, qPrintable(up.describe()));

    const HttpResponse order = placeOrder(key, 1);
    QVERIFY2(order.status == 503, qPrintable(order.describe()));
    QCOMPARE(order.errorCode(), QStringLiteral("database_unavailable"));
    QCOMPARE(order.header("Retry-After"), QByteArray("2"));
    // Where the database lives and libpq's text are for the log, not clients.
    for (const QByteArray& secret :
         {QByteArray::number(m_postgres.port()), QByteArray("127.0.0.1"), QByteArray("valiant"),
          QByteArray("PostgreSQL"), QByteArray("connect")}) {
        QVERIFY2(!order.body.contains(secret),
                 qPrintable(QStringLiteral("body leaks %1: %2")
                                .arg(QString::fromLatin1(secret), order.describe())));
    }

    const HttpResponse portfolio = client.get("/api/v1/portfolio", m_token);
    QVERIFY2(portfolio.status == 503, qPrintable(portfolio.describe()));
    QVERIFY(m_server->isRunning());
}

void PostgresRestartTest::verifyRecovers()
{
    const HttpClient client(m_server->baseUrl());
    QDeadlineTimer deadline(10'000);
    HttpResponse up = client.get("/up");
    while (up.status != 200 && !deadline.hasExpired()) {
        QThread::msleep(100);
        up = client.get("/up");
    }
    QVERIFY2(up.status == 200, qPrintable("GET /up 10 s after PostgreSQL returned: " + up.describe()));
}

void PostgresRestartTest::stopGives503ThenRecovers()
{
    const HttpResponse before = placeOrder("before-stop", 1);
    QVERIFY2(before.status == 201, qPrintable(before.describe()));
    const qint64 ordersBefore = orderCount();

    QVERIFY2(m_postgres.stop(), qPrintable(m_postgres.errorString()));
    verifyDown("during-stop");
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    verifyRecovers();

    // The order refused while down runs once on retry; the earlier one replays.
    const HttpResponse retried = placeOrder("during-stop", 1);
    QVERIFY2(retried.status == 201, qPrintable(retried.describe()));
    const HttpResponse replayed = placeOrder("before-stop", 1);
    QVERIFY2(replayed.status == 200, qPrintable(replayed.describe()));
    QCOMPARE(replayed.body, before.body);
    QCOMPARE(orderCount(), ordersBefore + 1);

    // Quotes flow again after the outage.
    const qint64 latest = HttpClient(m_server->baseUrl()).get("/api/v1/quotes/latest").json().value("id").toInteger();
    QDeadlineTimer deadline(5'000);
    while (HttpClient(m_server->baseUrl()).get("/api/v1/quotes/latest").json().value("id").toInteger() <= latest
           && !deadline.hasExpired())
        QThread::msleep(50);
    QVERIFY(HttpClient(m_server->baseUrl()).get("/api/v1/quotes/latest").json().value("id").toInteger() > latest);
}

void PostgresRestartTest::crashGives503ThenRecovers()
{
    const qint64 ordersBefore = orderCount();
    const qint64 lastBeforeCrash = latestQuoteId();
    QVERIFY(lastBeforeCrash > 0);
    m_postgres.kill();
    verifyDown("during-crash");
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    verifyRecovers();

    const HttpResponse retried = placeOrder("during-crash", 2);
    QVERIFY2(retried.status == 201, qPrintable(retried.describe()));
    const HttpResponse again = placeOrder("during-crash", 2);
    QVERIFY2(again.status == 200, qPrintable(again.describe()));
    QCOMPARE(orderCount(), ordersBefore + 1);

    // Quote ids go on from the last one committed before the crash. An
    // identity sequence would jump, because PostgreSQL logs sequence values
    // ahead and a crash loses the unused ones.
    QDeadlineTimer deadline(5'000);
    while (latestQuoteId() < lastBeforeCrash + 3 && !deadline.hasExpired())
        QThread::msleep(50);
    const HttpResponse quotes = HttpClient(m_server->baseUrl())
                                    .get(QStringLiteral("/api/v1/quotes?after_id=%1&limit=1000")
                                             .arg(lastBeforeCrash - 1));
    QVERIFY2(quotes.status == 200, qPrintable(quotes.describe()));
    const QJsonArray listed = quotes.json().value("quotes").toArray();
    QVERIFY2(listed.size() >= 4, qPrintable(quotes.describe()));
    for (qsizetype i = 0; i < listed.size(); ++i)
        QCOMPARE(listed.at(i).toObject().value("id").toInteger(), lastBeforeCrash + i);

    QVERIFY(m_server->stop());
}

void PostgresRestartTest::blockedStatementCancelledOnStop()
{
    // The previous test stopped the server.
    if (!m_server->isRunning())
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

    // A transaction keeps the accounts table locked for 12 s, so an order
    // waits in PostgreSQL for longer than the server may take to stop.
    PostgresServer& postgres = m_postgres;
    std::thread locker([&postgres] {
        postgres.execute(QStringLiteral("BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE; "
                                        "SELECT pg_sleep(12); COMMIT;"));
    });
    QThread::msleep(500);

    // Six orders for the server's four workers: four wait in PostgreSQL,
    // and two wait for a worker, unread, until the stop cancels the others.
    const QByteArray body = R"({"side":"buy","quantity":1})";
    std::array<QTcpSocket, 6> orders;
    for (std::size_t i = 0; i < orders.size(); ++i) {
        QTcpSocket& order = orders[i];
        order.connectToHost(QHostAddress::LocalHost, quint16(m_server->port()));
        QVERIFY2(order.waitForConnected(5000), qPrintable(order.errorString()));
        order.write("POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + m_token.toUtf8() + "\r\nIdempotency-Key: blocked-"
                    + QByteArray::number(qulonglong(i))
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY(order.waitForBytesWritten(5000));
        QThread::msleep(i == 3 ? 500 : 0);  // lets all four workers block first
    }
    QThread::msleep(500);

    QElapsedTimer timer;
    timer.start();
    const bool stopped = m_server->stop();
    const qint64 stopMs = timer.elapsed();
    locker.join();
    QVERIFY2(stopped, qPrintable(m_server->errorString()));
    QVERIFY2(stopMs < 10'000, qPrintable(QStringLiteral("stopping took %1 ms").arg(stopMs)));

    // Cancelled orders get 503 database_unavailable, and those that had
    // not started get 503 shutting_down. Both are safe to retry.
    for (QTcpSocket& order : orders) {
        while (order.waitForReadyRead(1000)) {
        }
        const QByteArray response = order.readAll();
        QVERIFY2(response.startsWith("HTTP/1.1 503"), response.constData());
    }
}

/// Starts the server unless it runs, places an order so the pool keeps
/// connections, and freezes every PostgreSQL process. Their sockets stay
/// open and the kernel acknowledges what the server sends, so only a time
/// limit in the server itself ends a wait. The caller thaws.
void PostgresRestartTest::startAndFreezeDatabase(const QByteArray& orderKey)
{
    if (!m_server->isRunning())
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    const HttpResponse before = placeOrder(orderKey, 1);
    QVERIFY2(before.status == 201, qPrintable(before.describe()));
    m_postgres.freeze();
}

void PostgresRestartTest::rowLockWaitEndsInDatabase()
{
    // The previous test stopped the server.
    if (!m_server->isRunning())
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    const HttpResponse other =
        HttpClient(m_server->baseUrl())
            .post(QStringLiteral("/api/v1/accounts"),
                  {{"username", "bystander"}, {"password", "correct horse battery"}});
    QVERIFY2(other.status == 201, qPrintable(other.describe()));
    const QString otherToken = other.json().value("token").toString();

    // Another session holds this account's row for 8 s, longer than a
    // lease may last.
    PostgresServer& postgres = m_postgres;
    std::thread locker([&postgres] {
        postgres.execute(QStringLiteral("BEGIN; SELECT 1 FROM accounts WHERE username = "
                                        "'restarter' FOR UPDATE; SELECT pg_sleep(8); COMMIT;"));
    });
    const auto joinLocker = qScopeGuard([&locker] { locker.join(); });
    QThread::msleep(500);

    // statement_timeout ends the wait in PostgreSQL before the watchdog
    // would cut the connection.
    QElapsedTimer timer;
    timer.start();
    const HttpResponse blocked = placeOrder("row-locked", 1);
    const qint64 blockedMs = timer.elapsed();
    QVERIFY2(blocked.status == 503, qPrintable(blocked.describe()));
    QCOMPARE(blocked.errorCode(), QStringLiteral("database_unavailable"));
    QVERIFY2(blockedMs < 4'900, qPrintable(QStringLiteral("the order took %1 ms").arg(blockedMs)));

    // No backend of the server is left waiting for the lock, and other
    // accounts trade as usual meanwhile.
    QString waiting;
    QVERIFY2(m_postgres.execute(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE "
                                               "application_name = 'valiant-server' AND "
                                               "wait_event_type = 'Lock'"),
                                &waiting),
             qPrintable(m_postgres.errorString()));
    QCOMPARE(waiting, QStringLiteral("0"));
    const HttpResponse bystander =
        HttpClient(m_server->baseUrl())
            .post(QStringLiteral("/api/v1/orders"), {{"side", "buy"}, {"quantity", 1}}, otherToken,
                  HttpHeaders{{"Idempotency-Key", "bystander-1"}});
    QVERIFY2(bystander.status == 201, qPrintable(bystander.describe()));
}

void PostgresRestartTest::frozenDatabaseGives503AndStops()
{
    const auto thaw = qScopeGuard([this] { m_postgres.thaw(); });
    startAndFreezeDatabase("before-freeze");
    if (QTest::currentTestFailed())
        return;

    // Twice as many orders as the server has workers: the first four wait
    // in PostgreSQL until their connections are cut after 5 s, and the
    // others must not then wait for connection attempts of their own.
    QList<QByteArray> requests;
    for (int i = 0; i < 8; ++i) {
        requests.append(RawHttp::buildRequest(
            "POST", "/api/v1/orders",
            {{"Authorization", "Bearer " + m_token.toUtf8()},
             {"Idempotency-Key", "during-freeze-" + QByteArray::number(i)},
             {"Content-Type", "application/json"}},
            R"({"side":"buy","quantity":1})"));
    }
    QElapsedTimer timer;
    timer.start();
    const QList<HttpResponse> orders = RawHttp::exchangeConcurrently(m_server->port(), requests);
    const qint64 ordersMs = timer.elapsed();
    for (const HttpResponse& order : orders) {
        QVERIFY2(order.status == 503, qPrintable(order.describe()));
        QCOMPARE(order.errorCode(), QStringLiteral("database_unavailable"));
    }
    QVERIFY2(ordersMs < 7'000,
             qPrintable(QStringLiteral("the orders took %1 ms").arg(ordersMs)));

    timer.restart();
    const HttpResponse up = HttpClient(m_server->baseUrl()).get("/up");
    const qint64 upMs = timer.elapsed();
    QVERIFY2(up.status == 503, qPrintable(up.describe()));
    QVERIFY2(upMs < 8'000, qPrintable(QStringLiteral("GET /up took %1 ms").arg(upMs)));

    // The generator and the leader election, which share the thread that
    // handles SIGTERM, must not hold up the stop either.
    timer.restart();
    const bool stopped = m_server->stop();
    const qint64 stopMs = timer.elapsed();
    QVERIFY2(stopped, qPrintable(m_server->errorString()));
    QVERIFY2(stopMs < 10'000, qPrintable(QStringLiteral("stopping took %1 ms").arg(stopMs)));
}

void PostgresRestartTest::stopRightAfterDatabaseFroze()
{
    const auto thaw = qScopeGuard([this] { m_postgres.thaw(); });
    startAndFreezeDatabase("before-second-freeze");
    if (QTest::currentTestFailed())
        return;

    // With a tick every 200 ms, the election's claim is waiting for the
    // database on the thread that handles SIGTERM, and an order waits on a
    // worker.
    const QByteArray body = R"({"side":"buy","quantity":1})";
    QTcpSocket order;
    order.connectToHost(QHostAddress::LocalHost, quint16(m_server->port()));
    QVERIFY2(order.waitForConnected(5000), qPrintable(order.errorString()));
    order.write("POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + m_token.toUtf8()
                + "\r\nIdempotency-Key: frozen-stop\r\nContent-Type: application/json\r\n"
                  "Content-Length: "
                + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QVERIFY(order.waitForBytesWritten(5000));
    QThread::msleep(500);

    QElapsedTimer timer;
    timer.start();
    const bool stopped = m_server->stop();
    const qint64 stopMs = timer.elapsed();
    QVERIFY2(stopped, qPrintable(m_server->errorString()));
    QVERIFY2(stopMs < 10'000, qPrintable(QStringLiteral("stopping took %1 ms").arg(stopMs)));

    while (order.waitForReadyRead(1000)) {
    }
    const QByteArray response = order.readAll();
    QVERIFY2(response.startsWith("HTTP/1.1 503"), response.constData());
    QVERIFY2(response.contains("database_unavailable"), response.constData());
}

QTEST_GUILESS_MAIN(PostgresRestartTest)
#include "tst_postgresrestart.moc"
