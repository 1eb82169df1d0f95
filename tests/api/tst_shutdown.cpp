// Black-box test of graceful shutdown: SIGTERM in the middle of an order
// burst against a real valiant-server. The server must close streams with
// 1001, exit 0 within 10 s, and leave a database in which every order
// that got a 201 response exists and every wallet equals the replay of
// its orders. A client stalled mid-body must not delay the exit.

#include "support/httpclient.h"
#include "support/serverprocess.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QWebSocket>

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <memory>
#include <thread>

using namespace valiant::test;

namespace {

constexpr int clientCount = 8;
constexpr qint64 startingCents = 1'000'000'00;

struct Attempt
{
    QByteArray key;
    int status = 0;  // 0: no response (network error)
    qint64 orderId = 0;
};

struct Trader
{
    QString token;
    QList<Attempt> attempts;
};

/// Buys 1 share at a time with fresh keys until `stop` is set or the
/// server stops responding.
void placeOrders(const QUrl& baseUrl, Trader& trader, int index, const std::atomic<bool>& stop)
{
    const HttpClient client(baseUrl, 5000);
    const QJsonObject buyOne{{QStringLiteral("side"), QStringLiteral("buy")},
                             {QStringLiteral("quantity"), 1}};
    int failures = 0;
    for (int i = 0; !stop && failures < 2; ++i) {
        Attempt attempt;
        attempt.key = QByteArray("t") + QByteArray::number(index) + "-" + QByteArray::number(i);
        const HttpResponse response = client.post(QStringLiteral("/api/v1/orders"), buyOne, trader.token,
                                                  {{"Idempotency-Key", attempt.key}});
        attempt.status = response.status;
        attempt.orderId = response.json()
                              .value(QStringLiteral("order"))
                              .toObject()
                              .value(QStringLiteral("id"))
                              .toInteger();
        failures += response.status == 0 ? 1 : 0;
        trader.attempts.append(attempt);
    }
}

/// Sends a buy order with `key` on a new connection to `port` without
/// waiting for the response. False when the connection or write failed.
bool sendOrder(QTcpSocket& socket, int port, const QByteArray& token, const QByteArray& key)
{
    const QByteArray body = R"({"side":"buy","quantity":1})";
    socket.connectToHost(QHostAddress::LocalHost, quint16(port));
    if (!socket.waitForConnected(5000)) {
        return false;
    }
    socket.write("POST /api/v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                 + token + "\r\nIdempotency-Key: " + key
                 + "\r\nContent-Type: application/json\r\nContent-Length: "
                 + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    return socket.waitForBytesWritten(5000);
}

/// Creates an account and returns its token, or an empty token on failure.
QByteArray signUp(const ServerProcess& server, const QString& username)
{
    const HttpResponse created = HttpClient(server.baseUrl())
                                     .post(QStringLiteral("/api/v1/accounts"),
                                           {{QStringLiteral("username"), username},
                                            {QStringLiteral("password"),
                                             QStringLiteral("correct horse battery")}});
    return created.status == 201
               ? created.json().value(QStringLiteral("token")).toString().toUtf8()
               : QByteArray();
}

/// A server with one worker thread and no quote generator, so that one
/// order waiting for the database holds up every other request.
ServerProcess::Options oneWorkerOptions()
{
    ServerProcess::Options options;
    options.extraArguments = {QStringLiteral("--workers"), QStringLiteral("1"),
                              QStringLiteral("--generator"), QStringLiteral("off")};
    return options;
}

/// Opens the server's SQLite file and takes its write lock in an open
/// transaction. Returns null on failure.
sqlite3* lockDatabase(const ServerProcess& server)
{
    sqlite3* lock = nullptr;
    if (sqlite3_open(QFile::encodeName(server.databasePath()).constData(), &lock) != SQLITE_OK
        || sqlite3_exec(lock, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) != SQLITE_OK) {
        sqlite3_close(lock);
        return nullptr;
    }
    return lock;
}

}  // namespace

class ShutdownTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sigtermMidBurstLosesNothing();
    void stalledBodyDoesNotDelayStop();
    void unreadRequestAnsweredOnStop();
    void lockWaitsCancelledOnStop();

private:
    static QList<QJsonObject> allOrders(const HttpClient& client, const QString& token);
    static void verifyWalletReplaysOrders(const HttpClient& client, const Trader& trader);
};

void ShutdownTest::initTestCase()
{
    QVERIFY2(!ServerProcess::serverBinary().isEmpty(), "VALIANT_SERVER_BIN is not set");
}

QList<QJsonObject> ShutdownTest::allOrders(const HttpClient& client, const QString& token)
{
    QList<QJsonObject> orders;
    QString beforeId;
    for (;;) {
        const QString query = QStringLiteral("/api/v1/orders?limit=500") +
                              (beforeId.isEmpty() ? QString() : QStringLiteral("&before_id=") + beforeId);
        const QJsonArray page = client.get(query, token).json().value(QStringLiteral("orders")).toArray();
        for (const QJsonValue& order : page) {
            orders.append(order.toObject());
        }
        if (page.size() < 500) {
            return orders;
        }
        beforeId = QString::number(page.last().toObject().value(QStringLiteral("id")).toInteger());
    }
}

void ShutdownTest::verifyWalletReplaysOrders(const HttpClient& client, const Trader& trader)
{
    const QList<QJsonObject> orders = allOrders(client, trader.token);
    qint64 spentCents = 0;
    for (const QJsonObject& order : orders) {
        spentCents += centsFromMoney(order.value(QStringLiteral("total")).toString()).value_or(-1);
    }

    const QJsonObject portfolio = client.get(QStringLiteral("/api/v1/portfolio"), trader.token).json();
    QCOMPARE(portfolio.value(QStringLiteral("shares")).toInteger(), qint64(orders.size()));
    QCOMPARE(centsFromMoney(portfolio.value(QStringLiteral("cash")).toString()).value_or(-1),
             startingCents - spentCents);
}

void ShutdownTest::sigtermMidBurstLosesNothing()
{
    ServerProcess::Options options;
    options.tickMs = 200;
    options.startingCash = QStringLiteral("1000000.00");
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const HttpClient client(server.baseUrl());

    QList<Trader> traders(clientCount);
    for (int i = 0; i < clientCount; ++i) {
        const HttpResponse created = client.post(
            QStringLiteral("/api/v1/accounts"),
            {{QStringLiteral("username"), QStringLiteral("trader%1").arg(i)},
             {QStringLiteral("password"), QStringLiteral("correct horse battery")}});
        QCOMPARE(created.status, 201);
        traders[i].token = created.json().value(QStringLiteral("token")).toString();
    }
    const QDeadlineTimer quoteDeadline(10'000);
    while (client.get(QStringLiteral("/api/v1/quotes/latest")).status != 200 && !quoteDeadline.hasExpired()) {
        QThread::msleep(50);
    }

    QWebSocket stream;
    QSignalSpy connected(&stream, &QWebSocket::connected);
    QSignalSpy disconnected(&stream, &QWebSocket::disconnected);
    stream.open(server.webSocketUrl(QStringLiteral("/api/v1/stream")));
    QVERIFY(connected.wait(5000));

    std::atomic<bool> stop = false;
    QList<QThread*> threads;
    for (int i = 0; i < clientCount; ++i) {
        threads.append(QThread::create(placeOrders, server.baseUrl(), std::ref(traders[i]), i, std::cref(stop)));
        threads.last()->start();
    }
    QThread::msleep(1500);

    QElapsedTimer timer;
    timer.start();
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
    QVERIFY2(timer.elapsed() < 10'000, qPrintable(QString::number(timer.elapsed())));
    stop = true;
    for (QThread* thread : threads) {
        QVERIFY(thread->wait(30'000));
        delete thread;
    }

    QVERIFY(disconnected.count() > 0 || disconnected.wait(5000));
    QCOMPARE(stream.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);

    int acknowledged = 0;
    int unanswered = 0;
    for (const Trader& trader : traders) {
        for (const Attempt& attempt : trader.attempts) {
            acknowledged += attempt.status == 201 ? 1 : 0;
            unanswered += attempt.status == 0 ? 1 : 0;
            QVERIFY2(attempt.status == 201 || attempt.status == 0 || attempt.status == 503,
                     qPrintable(QStringLiteral("order %1 got %2").arg(QString::fromLatin1(attempt.key)).arg(attempt.status)));
        }
    }
    QVERIFY2(acknowledged > clientCount, qPrintable(QString::number(acknowledged)));
    qInfo() << acknowledged << "orders acknowledged," << unanswered << "without a response";

    // After a restart every acknowledged order exists, and every wallet is
    // the replay of its orders, so no order was half-applied.
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const HttpClient restarted(server.baseUrl());
    for (const Trader& trader : traders) {
        QSet<qint64> stored;
        for (const QJsonObject& order : allOrders(restarted, trader.token)) {
            stored.insert(order.value(QStringLiteral("id")).toInteger());
        }
        for (const Attempt& attempt : trader.attempts) {
            if (attempt.status == 201) {
                QVERIFY2(stored.contains(attempt.orderId), qPrintable(QString::fromLatin1(attempt.key)));
            }
        }
        verifyWalletReplaysOrders(restarted, trader);
    }

    // A retry of an unanswered order with its key gets the one true outcome:
    // the stored order (200) or, when it never ran, a new fill (201).
    for (const Trader& trader : traders) {
        for (const Attempt& attempt : trader.attempts) {
            if (attempt.status != 0) {
                continue;
            }
            const HttpResponse retry = restarted.post(
                QStringLiteral("/api/v1/orders"),
                {{QStringLiteral("side"), QStringLiteral("buy")}, {QStringLiteral("quantity"), 1}},
                trader.token, {{"Idempotency-Key", attempt.key}});
            QVERIFY2(retry.status == 200 || retry.status == 201, qPrintable(retry.describe()));
        }
        verifyWalletReplaysOrders(restarted, trader);
    }
}

void ShutdownTest::stalledBodyDoesNotDelayStop()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.errorString()));

    // The header and 6 of the 100 body bytes it announces, then silence.
    QTcpSocket stalled;
    stalled.connectToHost(QHostAddress::LocalHost, quint16(server.port()));
    QVERIFY2(stalled.waitForConnected(5000), qPrintable(stalled.errorString()));
    stalled.write("POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n"
                  "Content-Type: application/json\r\n\r\n{\"user");
    QVERIFY(stalled.waitForBytesWritten(5000));
    // A request on another connection gives the server time to read that header.
    QCOMPARE(HttpClient(server.baseUrl()).get(QStringLiteral("/up")).status, 200);

    QElapsedTimer timer;
    timer.start();
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QStringLiteral("stopping took %1 ms").arg(timer.elapsed())));

    // The request was dropped without a response.
    stalled.waitForReadyRead(1000);
    QCOMPARE(stalled.readAll(), QByteArray());
    QVERIFY(stalled.state() != QAbstractSocket::ConnectedState || stalled.waitForDisconnected(1000));
}

void ShutdownTest::unreadRequestAnsweredOnStop()
{
    // One worker thread, held up by an order that waits for a SQLite lock
    // that this test holds. A second order arrives meanwhile, and its
    // session waits for the worker with the request unread in its socket
    // when the server receives SIGTERM.
    ServerProcess server(oneWorkerOptions());
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const QByteArray token = signUp(server, QStringLiteral("waiting"));
    QVERIFY(!token.isEmpty());
    sqlite3* lock = lockDatabase(server);
    QVERIFY(lock != nullptr);

    // Without quotes each order is rejected with 422, and keeping that
    // response under its Idempotency-Key needs the write lock.
    QTcpSocket first;
    QVERIFY(sendOrder(first, server.port(), token, "first"));
    QThread::msleep(300);
    QTcpSocket second;
    QVERIFY(sendOrder(second, server.port(), token, "second"));
    QThread::msleep(200);

    std::thread release([lock] {
        QThread::msleep(1000);
        sqlite3_exec(lock, "COMMIT", nullptr, nullptr, nullptr);
    });
    const bool stopped = server.stop();
    release.join();
    sqlite3_close(lock);
    QVERIFY2(stopped, qPrintable(server.errorString()));

    for (QTcpSocket* socket : {&first, &second}) {
        while (socket->waitForReadyRead(1000)) {
        }
        const QByteArray response = socket->readAll();
        const char* order = socket == &first ? "first order" : "second order";
        QVERIFY2(response.startsWith("HTTP/1.1 422"), order);
        QVERIFY2(response.contains("Connection: close"), order);
    }
}

void ShutdownTest::lockWaitsCancelledOnStop()
{
    // One worker thread and a SQLite lock that this test holds until the
    // server has exited. Each queued order would wait 5 s for the lock, so
    // three of them outlast the 10 s a stop may take, unless the stop ends
    // the waits and rejects the orders it has not started.
    ServerProcess server(oneWorkerOptions());
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const QByteArray token = signUp(server, QStringLiteral("queued"));
    QVERIFY(!token.isEmpty());
    sqlite3* lock = lockDatabase(server);
    QVERIFY(lock != nullptr);

    std::array<QTcpSocket, 3> orders;
    for (std::size_t i = 0; i < orders.size(); ++i) {
        QVERIFY(sendOrder(orders[i], server.port(), token, "queued-" + QByteArray::number(qulonglong(i))));
    }
    QThread::msleep(500);

    QElapsedTimer timer;
    timer.start();
    const bool stopped = server.stop();
    const qint64 stopMs = timer.elapsed();
    sqlite3_exec(lock, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(lock);
    QVERIFY2(stopped, qPrintable(server.errorString()));
    QVERIFY2(stopMs < 10'000, qPrintable(QStringLiteral("stopping took %1 ms").arg(stopMs)));

    // The order that waited for the lock first gets 503 (the busy timeout
    // or the cancel), and none is left without a response.
    for (QTcpSocket& order : orders) {
        while (order.waitForReadyRead(1000)) {
        }
        const QByteArray response = order.readAll();
        QVERIFY2(response.startsWith("HTTP/1.1 503"), response.constData());
    }
}

QTEST_GUILESS_MAIN(ShutdownTest)
#include "tst_shutdown.moc"
