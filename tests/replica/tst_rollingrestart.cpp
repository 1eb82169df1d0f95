// A rolling restart the way ECS deploys. Two valiant-server replicas run on
// one real PostgreSQL and Redis with stream clients and traders on both.
// Each replica in turn gets SIGTERM, drains and starts again. The test
// checks that no order is lost or doubled and that every stream client's
// quote ids continue without a gap across its reconnects.
// NOTE: orders are sent one at a time from this thread, so none is in
// flight at the moment a replica gets SIGTERM; tst_shutdown covers that.
#include "support/httpclient.h"
#include "support/postgresserver.h"
#include "support/redisserver.h"
#include "support/serverprocess.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>

#include <functional>
#include <memory>
#include <vector>

using namespace valiant::test;

namespace {

constexpr int tickMs = 250;
constexpr int waitMs = 20'000;
constexpr int reconnectDelayMs = 100;

bool waitFor(const std::function<bool()>& condition, int timeoutMs = waitMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        QTest::qWait(20);
    }
    return true;
}

/// A stream client that reconnects to the next replica with ?after_id=LAST
/// when its stream closes, and records every quote id.
class ReconnectingStreamClient
{
public:
    ReconnectingStreamClient(QList<QUrl> replicas, int firstReplica)
        : m_replicas(std::move(replicas)), m_replica(firstReplica)
    {
        QObject::connect(&m_socket, &QWebSocket::connected, &m_socket,
                         [this] { ++m_connections; });
        QObject::connect(&m_socket, &QWebSocket::disconnected, &m_socket, [this] {
            m_replica = (m_replica + 1) % m_replicas.size();
            QTimer::singleShot(reconnectDelayMs, &m_socket, [this] { open(); });
        });
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, &m_socket,
                         [this](const QString& text) {
                             const QJsonObject message =
                                 QJsonDocument::fromJson(text.toUtf8()).object();
                             if (message.value(QStringLiteral("type")).toString() ==
                                 QLatin1String("quote"))
                                 m_ids.append(message.value(QStringLiteral("id")).toInteger());
                         });
        open();
    }

    const QList<qint64>& ids() const { return m_ids; }
    qint64 lastId() const { return m_ids.isEmpty() ? 0 : m_ids.last(); }
    int connections() const { return m_connections; }

private:
    void open()
    {
        QUrl url = m_replicas.at(m_replica);
        if (!m_ids.isEmpty()) {
            QUrlQuery query;
            query.addQueryItem(QStringLiteral("after_id"), QString::number(m_ids.last()));
            url.setQuery(query);
        }
        m_socket.open(url);
    }

    QList<QUrl> m_replicas;
    int m_replica = 0;
    QWebSocket m_socket;
    QList<qint64> m_ids;
    int m_connections = 0;
};

/// "" when the ids are consecutive with no repeat, else the first problem.
QString checkConsecutive(const QList<qint64>& ids)
{
    for (qsizetype i = 1; i < ids.size(); ++i) {
        if (ids.at(i) != ids.at(i - 1) + 1)
            return QStringLiteral("id %1 follows id %2 at position %3")
                .arg(ids.at(i))
                .arg(ids.at(i - 1))
                .arg(i);
    }
    return {};
}

struct Trader
{
    QString token;
    int tradesSent = 0;
    QSet<qint64> orderIds;
};

}  // namespace

class RollingRestartTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rollingRestartLosesNothing();

private:
    bool upIsOk(ServerProcess& replica) const;
    /// Sends one order with a fresh idempotency key, retrying the same key
    /// on the other replica while one is down; then repeats it once on the
    /// other replica, as a client whose response was lost would.
    QString trade(Trader& trader);

    PostgresServer m_postgres;
    RedisServer m_redis;
    std::vector<std::unique_ptr<ServerProcess>> m_replicas;
};

void RollingRestartTest::initTestCase()
{
    if (ServerProcess::serverBinary().isEmpty())
        QSKIP("VALIANT_SERVER_BIN is not set; run through ctest.");
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
    QVERIFY2(m_postgres.createDatabase(QStringLiteral("rolling")),
             qPrintable(m_postgres.errorString()));
}

bool RollingRestartTest::upIsOk(ServerProcess& replica) const
{
    return HttpClient(replica.baseUrl(), 3000).get(QStringLiteral("/up")).status == 200;
}

QString RollingRestartTest::trade(Trader& trader)
{
    const int number = trader.tradesSent++;
    const QJsonObject body{
        {QStringLiteral("side"), number % 2 == 0 ? QStringLiteral("buy") : QStringLiteral("sell")},
        {QStringLiteral("quantity"), 1}};
    const HttpHeaders key{{QByteArrayLiteral("Idempotency-Key"),
                           QStringLiteral("rolling-%1-%2").arg(trader.token.left(8)).arg(number).toUtf8()}};

    int replica = number % 2;
    HttpResponse response;
    const QDeadlineTimer deadline(waitMs);
    while (!deadline.hasExpired()) {
        if (m_replicas[replica]->isRunning()) {
            response = HttpClient(m_replicas[replica]->baseUrl(), 5000)
                           .post(QStringLiteral("/api/v1/orders"), body, trader.token, key);
            if (response.status == 201 || response.status == 200)
                break;
        }
        replica = (replica + 1) % 2;
        QTest::qWait(50);
    }
    if (response.status != 201 && response.status != 200)
        return QStringLiteral("order %1 failed on every replica: %2").arg(number).arg(response.describe());
    const qint64 orderId =
        response.json().value(QStringLiteral("order")).toObject().value(QStringLiteral("id")).toInteger();
    trader.orderIds.insert(orderId);

    const int other = (replica + 1) % 2;
    if (!m_replicas[other]->isRunning())
        return {};
    const HttpResponse repeat = HttpClient(m_replicas[other]->baseUrl(), 5000)
                                    .post(QStringLiteral("/api/v1/orders"), body, trader.token, key);
    const qint64 repeatId =
        repeat.json().value(QStringLiteral("order")).toObject().value(QStringLiteral("id")).toInteger();
    if (repeat.status != 200 || repeatId != orderId)
        return QStringLiteral("repeating order %1 on the other replica returned %2, not 200 with id %3")
            .arg(number)
            .arg(repeat.describe())
            .arg(orderId);
    return {};
}

void RollingRestartTest::rollingRestartLosesNothing()
{
    for (int i = 0; i < 2; ++i) {
        ServerProcess::Options options;
        options.tickMs = tickMs;
        options.startingCash = QStringLiteral("10000.00");
        options.extraArguments = {QStringLiteral("--database"), m_postgres.url(QStringLiteral("rolling")),
                                  QStringLiteral("--redis"), m_redis.url(),
                                  QStringLiteral("--generator"), QStringLiteral("auto")};
        m_replicas.push_back(std::make_unique<ServerProcess>(options));
        QVERIFY2(m_replicas.back()->start(), qPrintable(m_replicas.back()->errorString()));
    }
    for (const auto& replica : m_replicas)
        QVERIFY(waitFor([&] { return upIsOk(*replica); }));

    // Two traders, one account created on each replica.
    std::vector<Trader> traders(2);
    for (int i = 0; i < 2; ++i) {
        const HttpResponse created =
            HttpClient(m_replicas[i]->baseUrl())
                .post(QStringLiteral("/api/v1/accounts"),
                      {{QStringLiteral("username"), QStringLiteral("roller%1").arg(i)},
                       {QStringLiteral("password"), QStringLiteral("correct horse battery")}});
        QVERIFY2(created.status == 201, qPrintable(created.describe()));
        traders[i].token = created.json().value(QStringLiteral("token")).toString();
    }
    QVERIFY(waitFor([&] {
        return HttpClient(m_replicas[0]->baseUrl())
                   .get(QStringLiteral("/api/v1/quotes/latest"))
                   .status == 200;
    }));

    const QList<QUrl> streamUrls{m_replicas[0]->webSocketUrl(QStringLiteral("/api/v1/stream")),
                                 m_replicas[1]->webSocketUrl(QStringLiteral("/api/v1/stream"))};
    std::vector<std::unique_ptr<ReconnectingStreamClient>> clients;
    for (int i = 0; i < 4; ++i)
        clients.push_back(std::make_unique<ReconnectingStreamClient>(streamUrls, i % 2));
    QVERIFY(waitFor([&] {
        for (const auto& client : clients) {
            if (client->ids().size() < 3)
                return false;
        }
        return true;
    }));

    auto tradeRound = [&] {
        for (Trader& trader : traders) {
            const QString problem = trade(trader);
            if (!problem.isEmpty())
                return problem;
        }
        return QString();
    };

    // Restart the replicas one after the other: SIGTERM, drain, start.
    for (int restarted = 0; restarted < 2; ++restarted) {
        for (int round = 0; round < 3; ++round) {
            const QString problem = tradeRound();
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        QVERIFY2(m_replicas[restarted]->stop(), qPrintable(m_replicas[restarted]->errorString()));
        for (int round = 0; round < 3; ++round) {
            const QString problem = tradeRound();
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
            QTest::qWait(tickMs);
        }
        QVERIFY2(m_replicas[restarted]->start(), qPrintable(m_replicas[restarted]->errorString()));
        QVERIFY(waitFor([&] { return upIsOk(*m_replicas[restarted]); }));
    }
    for (int round = 0; round < 3; ++round) {
        const QString problem = tradeRound();
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // Every order sent is stored exactly once.
    for (const Trader& trader : traders) {
        const HttpResponse history = HttpClient(m_replicas[0]->baseUrl())
                                         .get(QStringLiteral("/api/v1/orders?limit=500"), trader.token);
        QVERIFY2(history.status == 200, qPrintable(history.describe()));
        QSet<qint64> stored;
        const QJsonArray orders = history.json().value(QStringLiteral("orders")).toArray();
        for (const QJsonValue& order : orders)
            stored.insert(order.toObject().value(QStringLiteral("id")).toInteger());
        QCOMPARE(orders.size(), trader.tradesSent);
        QCOMPARE(stored, trader.orderIds);
    }

    // Every client kept a gap-free run of quote ids through its reconnects.
    const qint64 latest = HttpClient(m_replicas[1]->baseUrl())
                              .get(QStringLiteral("/api/v1/quotes/latest"))
                              .json()
                              .value(QStringLiteral("id"))
                              .toInteger();
    QVERIFY(waitFor([&] {
        for (const auto& client : clients) {
            if (client->lastId() < latest + 2)
                return false;
        }
        return true;
    }));
    for (std::size_t i = 0; i < clients.size(); ++i) {
        const QString problem = checkConsecutive(clients[i]->ids());
        QVERIFY2(problem.isEmpty(), qPrintable(QStringLiteral("client %1: %2").arg(i).arg(problem)));
        QVERIFY2(clients[i]->connections() >= 2,
                 qPrintable(QStringLiteral("client %1 never reconnected").arg(i)));
    }
}

QTEST_GUILESS_MAIN(RollingRestartTest)
#include "tst_rollingrestart.moc"
