// Several valiant-server replicas on one real PostgreSQL and one real Redis.
// The cases: one quote per tick across all replicas, leader failover when
// the leader dies or loses its lock connection, a Redis outage that stream
// clients do not notice, and a PostgreSQL restart. A bank test runs
// concurrent orders and praise with retried idempotency keys on different
// replicas, and a transaction-pooling proxy is rejected at start.
//
// Each test case gets a fresh database and flushed Redis. Ticks are short
// (tickMs) so that the whole suite stays well under two minutes.

#include "support/httpclient.h"
#include "support/postgresserver.h"
#include "support/redisserver.h"
#include "support/serverprocess.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>
#include <QThread>
#include <QWebSocket>

#include <csignal>
#include <functional>
#include <unistd.h>
#include <memory>
#include <vector>

using namespace valiant::test;

namespace {

constexpr int tickMs = 250;
constexpr int waitMs = 20'000;
// The advisory lock keys of the leader election ("VALI", 1).
constexpr int lockKeyHigh = 0x56414C49;
constexpr int lockKeyLow = 1;

struct QuoteRow
{
    qint64 id = 0;
    qint64 createdMs = 0;
};

/// Waits until `condition` holds, spinning the event loop.
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

/// A stream client that records every quote id it receives and, when it
/// has a token, the shares of every wallet message.
class StreamClient
{
public:
    explicit StreamClient(const QUrl& url, const QString& token = {})
    {
        QObject::connect(&m_socket, &QWebSocket::connected, &m_socket, [this, token] {
            m_connected = true;
            if (!token.isEmpty()) {
                const QJsonObject auth{{QStringLiteral("type"), QStringLiteral("auth")},
                                       {QStringLiteral("token"), token}};
                m_socket.sendTextMessage(
                    QString::fromUtf8(QJsonDocument(auth).toJson(QJsonDocument::Compact)));
            }
        });
        QObject::connect(&m_socket, &QWebSocket::disconnected, &m_socket,
                         [this] { m_disconnected = true; });
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, &m_socket,
                         [this](const QString& text) {
                             const QJsonObject message =
                                 QJsonDocument::fromJson(text.toUtf8()).object();
                             const QString type = message.value(QStringLiteral("type")).toString();
                             if (type == QLatin1String("quote"))
                                 m_ids.append(message.value(QStringLiteral("id")).toInteger());
                             else if (type == QLatin1String("portfolio"))
                                 m_shares.append(
                                     message.value(QStringLiteral("shares")).toInteger());
                         });
        m_socket.open(url);
    }

    bool waitForConnected()
    {
        return waitFor([this] { return m_connected || m_disconnected; }) && m_connected;
    }

    bool disconnected() const { return m_disconnected; }
    const QList<qint64>& ids() const { return m_ids; }
    /// The shares of each wallet message, oldest first.
    const QList<qint64>& shares() const { return m_shares; }
    qint64 lastId() const { return m_ids.isEmpty() ? 0 : m_ids.last(); }

private:
    QWebSocket m_socket;
    QList<qint64> m_ids;
    QList<qint64> m_shares;
    bool m_connected = false;
    bool m_disconnected = false;
};

qint64 timeOf(const QJsonValue& value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs).toMSecsSinceEpoch();
}

/// Creates an account through `client` and returns its token, or "" after
/// logging the response when the server rejected it.
QString signUp(const HttpClient& client, const QString& username)
{
    const HttpResponse created = client.post(
        QStringLiteral("/api/v1/accounts"),
        {{"username", username}, {"password", QStringLiteral("correct horse")}});
    if (created.status != 201) {
        qWarning().noquote() << "Creating account" << username << "failed:" << created.describe();
        return {};
    }
    return created.json().value(QStringLiteral("token")).toString();
}

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

}  // namespace

class ReplicasTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void onePerTickAcrossReplicas();
    void failoverWhenLeaderKilled();
    void failoverWhenLockConnectionKilled();
    void failoverWhenLeaderFrozen();
    void redisOutageKeepsStreamsGapFree();
    void walletChangeDuringOutageDelivered();
    void olderWalletVersionDropped();
    void unwatchedWalletStaysOffRedis();
    void followerPublishesAfterRedisRestart();
    void readOnlyRedisChangeReachesLeader();
    void quotesFlowWhileLeaderCannotPublish();
    void stalledRedisKeepsTicking();
    void failedWatchReadRetriedSoon();
    void postgresRestartRecovers();
    void bankBalancesMatchHistory();
    void transactionPoolingRejected();

private:
    using Replica = std::unique_ptr<ServerProcess>;

    bool startReplicas(int count, const QString& startingCash = QStringLiteral("100.00"));
    /// Starts two replicas and waits for one leader, two quotes and both
    /// buses on Redis. Returns what failed, or an empty string.
    QString startTwoOnRedis(const QString& startingCash);
    QJsonObject up(ServerProcess& replica, int* status = nullptr) const;
    QString generatorOf(ServerProcess& replica) const;
    /// The index of the one replica whose /up reports "leader" while every
    /// other running replica reports "follower", or -1.
    int soleLeader() const;
    QList<QuoteRow> quotesAfter(qint64 afterId) const;
    qint64 latestQuoteId() const;
    bool waitForQuotesAfter(qint64 afterId, int count) const;
    QString checkOnePerTick(const QList<QuoteRow>& quotes) const;
    QString describeReplicas() const;
    /// Waits until every replica's /up reports `bus` as `state`.
    bool waitForBuses(const char* state) const;

    PostgresServer m_postgres;
    RedisServer m_redis;
    QString m_databaseName;
    QString m_databaseUrl;
    int m_databaseNumber = 0;
    std::vector<Replica> m_replicas;
};

void ReplicasTest::initTestCase()
{
    if (ServerProcess::serverBinary().isEmpty())
        QSKIP("VALIANT_SERVER_BIN is not set; run through ctest.");
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

void ReplicasTest::init()
{
    if (!m_postgres.isRunning())
        QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    if (!m_redis.isRunning())
        QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
    QCOMPARE(m_redis.command({QStringLiteral("FLUSHALL")}), QByteArray("+OK\r\n"));

    m_databaseName = QStringLiteral("replicas_%1").arg(++m_databaseNumber);
    QVERIFY2(m_postgres.createDatabase(m_databaseName), qPrintable(m_postgres.errorString()));
    m_databaseUrl = m_postgres.url(m_databaseName);
}

void ReplicasTest::cleanup()
{
    if (QTest::currentTestFailed())
        qWarning().noquote() << describeReplicas();
    m_replicas.clear();
}

bool ReplicasTest::startReplicas(int count, const QString& startingCash)
{
    for (int i = 0; i < count; ++i) {
        ServerProcess::Options options;
        options.tickMs = tickMs;
        options.startingCash = startingCash;
        // The later --database wins over the default SQLite file.
        options.extraArguments = {QStringLiteral("--database"), m_databaseUrl,
                                  QStringLiteral("--redis"), m_redis.url(),
                                  QStringLiteral("--generator"), QStringLiteral("auto")};
        m_replicas.push_back(std::make_unique<ServerProcess>(options));
        if (!m_replicas.back()->start()) {
            qWarning().noquote() << "Replica" << i << "failed to start:"
                                 << m_replicas.back()->errorString();
            return false;
        }
    }
    return true;
}

QJsonObject ReplicasTest::up(ServerProcess& replica, int* status) const
{
    const HttpResponse response = HttpClient(replica.baseUrl(), 3000).get(QStringLiteral("/up"));
    if (status)
        *status = response.status;
    return response.json();
}

QString ReplicasTest::generatorOf(ServerProcess& replica) const
{
    return up(replica).value(QStringLiteral("generator")).toString();
}

int ReplicasTest::soleLeader() const
{
    int leader = -1;
    for (std::size_t i = 0; i < m_replicas.size(); ++i) {
        if (!m_replicas[i]->isRunning())
            continue;
        const QString state = generatorOf(*m_replicas[i]);
        if (state == QLatin1String("leader")) {
            if (leader >= 0)
                return -1;
            leader = int(i);
        } else if (state != QLatin1String("follower")) {
            return -1;
        }
    }
    return leader;
}

QList<QuoteRow> ReplicasTest::quotesAfter(qint64 afterId) const
{
    // Any running replica serves the shared database.
    for (const Replica& replica : m_replicas) {
        if (!replica->isRunning())
            continue;
        QList<QuoteRow> rows;
        qint64 cursor = afterId;
        for (;;) {
            const HttpResponse response = HttpClient(replica->baseUrl()).get(
                QStringLiteral("/api/v1/quotes?after_id=%1&limit=1000").arg(cursor));
            if (response.status != 200)
                break;
            const QJsonArray quotes = response.json().value(QStringLiteral("quotes")).toArray();
            for (const QJsonValue& quote : quotes) {
                rows.append(QuoteRow{quote.toObject().value(QStringLiteral("id")).toInteger(),
                                     timeOf(quote.toObject().value(QStringLiteral("created")))});
            }
            if (quotes.size() < 1000)
                return rows;
            cursor = rows.last().id;
        }
    }
    return {};
}

qint64 ReplicasTest::latestQuoteId() const
{
    for (const Replica& replica : m_replicas) {
        if (!replica->isRunning())
            continue;
        const HttpResponse response =
            HttpClient(replica->baseUrl(), 3000).get(QStringLiteral("/api/v1/quotes/latest"));
        if (response.status == 200)
            return response.json().value(QStringLiteral("id")).toInteger();
    }
    return 0;
}

bool ReplicasTest::waitForQuotesAfter(qint64 afterId, int count) const
{
    return waitFor([&] { return latestQuoteId() >= afterId + count; });
}

QString ReplicasTest::checkOnePerTick(const QList<QuoteRow>& quotes) const
{
    QList<qint64> ids;
    for (const QuoteRow& quote : quotes)
        ids.append(quote.id);
    if (const QString problem = checkConsecutive(ids); !problem.isEmpty())
        return problem;

    // Two generators in one tick would make two quotes a few ms apart;
    // one generator makes them a tick apart, give or take timer latency.
    // The first quote of a database is made at start-up, off the tick grid.
    for (qsizetype i = 1; i < quotes.size(); ++i) {
        if (quotes.at(i - 1).id == 1)
            continue;
        const qint64 gap = quotes.at(i).createdMs - quotes.at(i - 1).createdMs;
        if (gap < tickMs * 2 / 5)
            return QStringLiteral("quotes %1 and %2 were made %3 ms apart, less than a tick")
                .arg(quotes.at(i - 1).id)
                .arg(quotes.at(i).id)
                .arg(gap);
    }
    if (quotes.size() >= 2) {
        const qint64 ticks = (quotes.last().createdMs - quotes.first().createdMs) / tickMs;
        if (quotes.size() > ticks + 3)
            return QStringLiteral("%1 quotes in %2 ticks").arg(quotes.size()).arg(ticks);
    }
    return {};
}

QString ReplicasTest::describeReplicas() const
{
    QString text;
    for (std::size_t i = 0; i < m_replicas.size(); ++i) {
        text += QStringLiteral("--- replica %1 (port %2) stderr ---\n%3\n")
                    .arg(i)
                    .arg(m_replicas[i]->port())
                    .arg(QString::fromUtf8(m_replicas[i]->standardError().right(4000)));
    }
    return text;
}

// --- One leader ----------------------------------------------------------

void ReplicasTest::onePerTickAcrossReplicas()
{
    QVERIFY(startReplicas(3));
    QVERIFY2(waitFor([this] { return soleLeader() >= 0; }), qPrintable(describeReplicas()));

    const qint64 start = latestQuoteId();
    QVERIFY(waitForQuotesAfter(start, 16));
    const QList<QuoteRow> quotes = quotesAfter(0);
    QVERIFY2(quotes.size() >= 16, qPrintable(QString::number(quotes.size())));
    const QString problem = checkOnePerTick(quotes);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    QString fence;
    QVERIFY2(m_postgres.execute(QStringLiteral("SELECT count(*) FROM pg_locks WHERE locktype = "
                                               "'advisory' AND granted AND classid = %1 AND "
                                               "objid = %2")
                                    .arg(lockKeyHigh)
                                    .arg(lockKeyLow),
                                &fence, m_databaseUrl.section(QLatin1Char('/'), -1)),
             qPrintable(m_postgres.errorString()));
    QCOMPARE(fence, QStringLiteral("1"));
}

void ReplicasTest::failoverWhenLeaderKilled()
{
    QVERIFY(startReplicas(3));
    int leader = -1;
    QVERIFY2(waitFor([&] { return (leader = soleLeader()) >= 0; }), qPrintable(describeReplicas()));
    QVERIFY(waitForQuotesAfter(0, 4));

    const qint64 killedAtMs = QDateTime::currentMSecsSinceEpoch();
    m_replicas[std::size_t(leader)]->kill();
    const qint64 lastBefore = latestQuoteId();

    int successor = -1;
    QVERIFY2(waitFor([&] { return (successor = soleLeader()) >= 0; }),
             qPrintable(describeReplicas()));
    QVERIFY(successor != leader);
    QVERIFY(waitForQuotesAfter(lastBefore, 4));

    // The first quote after the kill came within 3 ticks, plus a little
    // latency for the timer and the inserts.
    const QList<QuoteRow> quotes = quotesAfter(0);
    qint64 firstAfterKillMs = 0;
    for (const QuoteRow& quote : quotes) {
        if (quote.createdMs > killedAtMs) {
            firstAfterKillMs = quote.createdMs;
            break;
        }
    }
    QVERIFY(firstAfterKillMs > 0);
    QVERIFY2(firstAfterKillMs - killedAtMs <= 3 * tickMs + 150,
             qPrintable(QStringLiteral("first quote %1 ms after the kill")
                            .arg(firstAfterKillMs - killedAtMs)));
    const QString problem = checkOnePerTick(quotes);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void ReplicasTest::failoverWhenLockConnectionKilled()
{
    QVERIFY(startReplicas(2));
    int leader = -1;
    QVERIFY2(waitFor([&] { return (leader = soleLeader()) >= 0; }), qPrintable(describeReplicas()));
    QVERIFY(waitForQuotesAfter(0, 4));

    const qint64 killedAtMs = QDateTime::currentMSecsSinceEpoch();
    QString terminated;
    QVERIFY2(m_postgres.execute(QStringLiteral("SELECT count(pg_terminate_backend(pid)) FROM "
                                               "pg_locks WHERE locktype = 'advisory' AND granted "
                                               "AND classid = %1 AND objid = %2")
                                    .arg(lockKeyHigh)
                                    .arg(lockKeyLow),
                                &terminated),
             qPrintable(m_postgres.errorString()));
    QCOMPARE(terminated, QStringLiteral("1"));
    const qint64 lastBefore = latestQuoteId();

    // The other replica takes over; the old one keeps running as a follower.
    const int other = 1 - leader;
    QVERIFY2(waitFor([&] { return soleLeader() == other; }), qPrintable(describeReplicas()));
    QCOMPARE(generatorOf(*m_replicas[std::size_t(leader)]), QStringLiteral("follower"));
    QVERIFY(waitForQuotesAfter(lastBefore, 4));

    const QList<QuoteRow> quotes = quotesAfter(0);
    qint64 firstAfterKillMs = 0;
    for (const QuoteRow& quote : quotes) {
        if (quote.createdMs > killedAtMs) {
            firstAfterKillMs = quote.createdMs;
            break;
        }
    }
    QVERIFY(firstAfterKillMs > 0);
    QVERIFY2(firstAfterKillMs - killedAtMs <= 3 * tickMs + 150,
             qPrintable(QStringLiteral("first quote %1 ms after the termination")
                            .arg(firstAfterKillMs - killedAtMs)));
    const QString problem = checkOnePerTick(quotes);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(m_replicas[std::size_t(leader)]->standardError().contains(
        "Lost the quote generator leadership"));
}

void ReplicasTest::failoverWhenLeaderFrozen()
{
    // A frozen leader (SIGSTOP, or a host gone without closing its
    // connection) runs no statements on its lock session, so PostgreSQL
    // ends the session after three ticks and 2 s, and the follower takes
    // the lock. Thawed, the old leader finds its session gone and follows.
    QVERIFY(startReplicas(2));
    int leader = -1;
    QVERIFY2(waitFor([&] { return (leader = soleLeader()) >= 0; }), qPrintable(describeReplicas()));
    QVERIFY(waitForQuotesAfter(0, 4));

    const auto pid = static_cast<pid_t>(m_replicas[std::size_t(leader)]->processId());
    QVERIFY(pid > 0);
    const qint64 lastBefore = latestQuoteId();
    QCOMPARE(::kill(pid, SIGSTOP), 0);
    const bool resumed = waitFor([&] { return latestQuoteId() >= lastBefore + 4; }, 3 * tickMs + 8'000);
    QCOMPARE(::kill(pid, SIGCONT), 0);
    QVERIFY2(resumed, qPrintable(describeReplicas()));

    QVERIFY2(waitFor([&] { return generatorOf(*m_replicas[std::size_t(leader)]) == QLatin1String("follower"); }),
             qPrintable(describeReplicas()));
    QVERIFY(waitForQuotesAfter(latestQuoteId(), 4));
    const QString problem = checkOnePerTick(quotesAfter(0));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// --- Redis outage --------------------------------------------------------

void ReplicasTest::redisOutageKeepsStreamsGapFree()
{
    QVERIFY(startReplicas(2));
    QVERIFY2(waitFor([this] { return soleLeader() >= 0; }), qPrintable(describeReplicas()));
    for (const Replica& replica : m_replicas) {
        QVERIFY2(waitFor([&] {
                     return up(*replica).value(QStringLiteral("bus")).toString() ==
                            QLatin1String("redis");
                 }),
                 qPrintable(describeReplicas()));
    }

    std::vector<std::unique_ptr<StreamClient>> clients;
    for (const Replica& replica : m_replicas) {
        clients.push_back(std::make_unique<StreamClient>(
            replica->webSocketUrl(QStringLiteral("/api/v1/stream"))));
        QVERIFY(clients.back()->waitForConnected());
    }
    const qint64 before = latestQuoteId();
    QVERIFY(waitFor([&] {
        for (const auto& client : clients) {
            if (client->lastId() < before + 3)
                return false;
        }
        return true;
    }));

    // Redis goes away: /up stays 200 with "degraded" and quotes keep coming.
    m_redis.kill();
    for (const Replica& replica : m_replicas) {
        QVERIFY2(waitFor([&] {
                     int status = 0;
                     const QJsonObject body = up(*replica, &status);
                     return status == 200 &&
                            body.value(QStringLiteral("bus")).toString() ==
                                QLatin1String("degraded");
                 }),
                 qPrintable(describeReplicas()));
    }
    const qint64 duringOutage = latestQuoteId();
    QVERIFY(waitFor([&] {
        for (const auto& client : clients) {
            if (client->lastId() < duringOutage + 8)
                return false;
        }
        return true;
    }));

    // Redis returns: every replica resubscribes by itself.
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
    for (const Replica& replica : m_replicas) {
        QVERIFY2(waitFor([&] {
                     return up(*replica).value(QStringLiteral("bus")).toString() ==
                            QLatin1String("redis");
                 }),
                 qPrintable(describeReplicas()));
    }
    const qint64 afterReturn = latestQuoteId();
    QVERIFY(waitFor([&] {
        for (const auto& client : clients) {
            if (client->lastId() < afterReturn + 6)
                return false;
        }
        return true;
    }));

    for (std::size_t i = 0; i < clients.size(); ++i) {
        const QList<qint64>& ids = clients[i]->ids();
        QVERIFY(!clients[i]->disconnected());
        const QString problem = checkConsecutive(ids);
        QVERIFY2(problem.isEmpty(),
                 qPrintable(QStringLiteral("client of replica %1: %2").arg(i).arg(problem)));
        QVERIFY(ids.first() <= before + 3);
        QVERIFY(ids.last() >= afterReturn + 6);
    }
}

bool ReplicasTest::waitForBuses(const char* state) const
{
    for (const Replica& replica : m_replicas) {
        const bool reached = waitFor([&] {
            return up(*replica).value(QStringLiteral("bus")).toString() == QLatin1String(state);
        });
        if (!reached)
            return false;
    }
    return true;
}

QString ReplicasTest::startTwoOnRedis(const QString& startingCash)
{
    if (!startReplicas(2, startingCash))
        return QStringLiteral("the replicas did not start");
    if (!waitFor([this] { return soleLeader() >= 0; }))
        return QStringLiteral("no sole leader: ") + describeReplicas();
    if (!waitForQuotesAfter(0, 2))
        return QStringLiteral("no quotes: ") + describeReplicas();
    for (const Replica& replica : m_replicas) {
        const bool onRedis = waitFor([&] {
            return up(*replica).value(QStringLiteral("bus")).toString() == QLatin1String("redis");
        });
        if (!onRedis)
            return QStringLiteral("a bus is not on Redis: ") + describeReplicas();
    }
    return QString();
}

// An order on one replica while Redis is away cannot reach a stream client
// of another replica at once. When Redis returns, the replicas send their
// clients' wallets again.
void ReplicasTest::walletChangeDuringOutageDelivered()
{
    const QString notReady = startTwoOnRedis(QStringLiteral("1000.00"));
    QVERIFY2(notReady.isEmpty(), qPrintable(notReady));

    const HttpClient client(m_replicas[0]->baseUrl());
    const HttpResponse created =
        client.post(QStringLiteral("/api/v1/accounts"),
                    {{"username", QStringLiteral("outage")}, {"password", QStringLiteral("correct horse")}});
    QVERIFY2(created.status == 201, qPrintable(created.describe()));
    const QString token = created.json().value(QStringLiteral("token")).toString();
    StreamClient stream(m_replicas[1]->webSocketUrl(QStringLiteral("/api/v1/stream")), token);
    QVERIFY(stream.waitForConnected());
    QVERIFY(waitFor([&] { return !stream.ids().isEmpty(); }));

    m_redis.kill();
    for (const Replica& replica : m_replicas) {
        QVERIFY2(waitFor([&] {
                     return up(*replica).value(QStringLiteral("bus")).toString() ==
                            QLatin1String("degraded");
                 }),
                 qPrintable(describeReplicas()));
    }
    const HttpResponse bought =
        client.post(QStringLiteral("/api/v1/orders"),
                    {{"side", QStringLiteral("buy")}, {"quantity", 3}}, token);
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));
    QTest::qWait(500);
    QVERIFY2(!stream.shares().contains(3), "the change crossed replicas without Redis");

    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
    QVERIFY2(waitFor([&] { return !stream.shares().isEmpty() && stream.shares().last() == 3; }),
             qPrintable(QStringLiteral("%1 wallet messages, the last with %2 shares")
                            .arg(stream.shares().size())
                            .arg(stream.shares().isEmpty() ? -1 : stream.shares().last())));
    QVERIFY(!stream.disconnected());
}

void ReplicasTest::olderWalletVersionDropped()
{
    // Two orders of one account can finish on two replicas in either order,
    // so their wallet changes can reach Redis out of order. A stream client
    // keeps the newest. Entries written straight to Redis, as another
    // replica would write them, are dropped when their version is not newer.
    const QString notReady = startTwoOnRedis(QStringLiteral("1000.00"));
    QVERIFY2(notReady.isEmpty(), qPrintable(notReady));

    const HttpClient client(m_replicas[0]->baseUrl());
    const HttpResponse created =
        client.post(QStringLiteral("/api/v1/accounts"),
                    {{"username", QStringLiteral("versions")}, {"password", QStringLiteral("correct horse")}});
    QVERIFY2(created.status == 201, qPrintable(created.describe()));
    const QString token = created.json().value(QStringLiteral("token")).toString();
    const qint64 accountId =
        created.json().value(QStringLiteral("account")).toObject().value(QStringLiteral("id")).toInteger();
    StreamClient stream(m_replicas[1]->webSocketUrl(QStringLiteral("/api/v1/stream")), token);
    QVERIFY(stream.waitForConnected());

    // The order makes version 1 and reaches the stream through Redis.
    const HttpResponse bought = client.post(QStringLiteral("/api/v1/orders"),
                                            {{"side", QStringLiteral("buy")}, {"quantity", 1}}, token);
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));
    QVERIFY(waitFor([&] { return !stream.shares().isEmpty() && stream.shares().last() == 1; }));

    const auto publish = [&](qint64 version, qint64 shares) {
        const QByteArray body = QStringLiteral("{\"cash\":\"1.00\",\"cost_basis\":\"0.00\","
                                               "\"last_price\":null,\"last_quote_id\":null,"
                                               "\"market_value\":\"0.00\",\"profit_and_loss\":\"0.00\","
                                               "\"shares\":%1}")
                                    .arg(shares)
                                    .toUtf8();
        return m_redis.command({QStringLiteral("XADD"), QStringLiteral("valiant:portfolios"),
                                QStringLiteral("*"), QStringLiteral("account"),
                                QString::number(accountId), QStringLiteral("version"),
                                QString::number(version), QStringLiteral("body"),
                                QString::fromUtf8(body)});
    };
    QVERIFY(!publish(1, 99).isEmpty());  // the version the client has
    QVERIFY(!publish(7, 42).isEmpty());
    QVERIFY(!publish(5, 77).isEmpty());  // older than 7
    QVERIFY2(waitFor([&] { return stream.shares().last() == 42; }),
             qPrintable(QStringLiteral("last wallet has %1 shares").arg(stream.shares().last())));
    QTest::qWait(500);
    QCOMPARE(stream.shares().last(), 42);
    QVERIFY2(!stream.shares().contains(99), "a wallet of the version the client had was sent");
    QVERIFY2(!stream.shares().contains(77), "an older wallet was sent after a newer one");
}

void ReplicasTest::unwatchedWalletStaysOffRedis()
{
    // A wallet change goes through Redis only while a stream session, on
    // some replica, watches that account.
    const QString notReady = startTwoOnRedis(QStringLiteral("1000.00"));
    QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
    const auto walletEntries = [&] {
        const QByteArray reply = m_redis.command({QStringLiteral("XLEN"), QStringLiteral("valiant:portfolios")});
        return reply.startsWith(':') ? reply.mid(1).trimmed().toLongLong() : qint64(-1);
    };

    const HttpClient client(m_replicas[0]->baseUrl());
    const QString token = signUp(client, QStringLiteral("watched"));
    QVERIFY(!token.isEmpty());
    const auto order = [&](const char* side) {
        return client.post(QStringLiteral("/api/v1/orders"),
                           {{"side", QString::fromLatin1(side)}, {"quantity", 1}}, token);
    };

    const qint64 before = walletEntries();
    QVERIFY(before >= 0);
    QCOMPARE(order("buy").status, 201);
    QTest::qWait(300);  // A publisher thread sends wallet changes.
    QCOMPARE(walletEntries(), before);

    auto stream = std::make_unique<StreamClient>(
        m_replicas[1]->webSocketUrl(QStringLiteral("/api/v1/stream")), token);
    QVERIFY(stream->waitForConnected());
    QVERIFY(waitFor([&] { return !stream->shares().isEmpty() && stream->shares().last() == 1; }));
    QCOMPARE(order("buy").status, 201);
    QVERIFY2(waitFor([&] { return stream->shares().last() == 2; }),
             qPrintable(QStringLiteral("last wallet has %1 shares").arg(stream->shares().last())));
    QCOMPARE(walletEntries(), before + 1);

    // Once the session is gone, changes stay off Redis again.
    stream.reset();
    QVERIFY2(waitFor([&] {
                 const qint64 entries = walletEntries();
                 if (order("sell").status != 201 || order("buy").status != 201)
                     return false;
                 QTest::qWait(200);
                 return walletEntries() == entries;
             }),
             "wallet changes still reach Redis after the session closed");
}

void ReplicasTest::followerPublishesAfterRedisRestart()
{
    // A follower publishes only wallet changes, so after a Redis restart
    // its first publish is the one that finds the connection broken. That
    // change and the later ones must still reach a stream on the leader.
    const QString notReady = startTwoOnRedis(QStringLiteral("1000.00"));
    QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
    const int leader = soleLeader();
    QVERIFY(leader >= 0);
    const HttpClient follower(m_replicas[std::size_t(1 - leader)]->baseUrl());

    const QString token = signUp(follower, QStringLiteral("restart"));
    QVERIFY(!token.isEmpty());
    const auto buy = [&] {
        return follower.post(QStringLiteral("/api/v1/orders"),
                             {{"side", QStringLiteral("buy")}, {"quantity", 1}}, token);
    };
    StreamClient stream(m_replicas[std::size_t(leader)]->webSocketUrl(QStringLiteral("/api/v1/stream")),
                        token);
    QVERIFY(stream.waitForConnected());
    QVERIFY(waitFor([&] { return !stream.shares().isEmpty(); }));
    QCOMPARE(buy().status, 201);
    QVERIFY(waitFor([&] { return stream.shares().last() == 1; }));

    m_redis.kill();
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
    QVERIFY2(waitForBuses("redis"), qPrintable(describeReplicas()));

    QCOMPARE(buy().status, 201);
    QVERIFY2(waitFor([&] { return stream.shares().last() == 2; }),
             qPrintable(QStringLiteral("last wallet has %1 shares").arg(stream.shares().last())));
    QCOMPARE(buy().status, 201);
    QVERIFY2(waitFor([&] { return stream.shares().last() == 3; }),
             qPrintable(QStringLiteral("last wallet has %1 shares").arg(stream.shares().last())));
}

void ReplicasTest::readOnlyRedisChangeReachesLeader()
{
    // Redis demoted to a replica serves reads and PING but rejects every
    // write. A change made then on the follower is lost on the bus, and the
    // wallets_stale marker must follow once writes work again, even when
    // the subscriber reconnected in between.
    const QString notReady = startTwoOnRedis(QStringLiteral("1000.00"));
    QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
    const int leader = soleLeader();
    QVERIFY(leader >= 0);
    const HttpClient follower(m_replicas[std::size_t(1 - leader)]->baseUrl());
    const QString token = signUp(follower, QStringLiteral("readonly"));
    QVERIFY(!token.isEmpty());
    StreamClient stream(m_replicas[std::size_t(leader)]->webSocketUrl(QStringLiteral("/api/v1/stream")),
                        token);
    QVERIFY(stream.waitForConnected());
    QVERIFY(waitFor([&] { return !stream.shares().isEmpty(); }));

    QVERIFY(m_redis.command({"REPLICAOF", "127.0.0.1", "1"}).startsWith("+OK"));
    const HttpResponse bought = follower.post(QStringLiteral("/api/v1/orders"),
                                              {{"side", QStringLiteral("buy")}, {"quantity", 2}}, token);
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));
    QVERIFY2(waitFor([&] {
                 return m_replicas[std::size_t(1 - leader)]->standardError().contains("READONLY");
             }),
             qPrintable(describeReplicas()));

    // The follower's subscriber reconnects while writes still fail. The
    // leader's stays connected, so only the marker can make it reread.
    const QString followerName =
        QStringLiteral("name=valiant-server-%1 ").arg(m_replicas[std::size_t(1 - leader)]->processId());
    int killed = 0;
    for (const QString& line : QString::fromUtf8(m_redis.command({"CLIENT", "LIST"})).split(u'\n')) {
        if (!line.contains(followerName))
            continue;
        const QString id = line.section(u' ', 0, 0).section(u'=', 1);
        QVERIFY(m_redis.command({"CLIENT", "KILL", "ID", id}).startsWith(":1"));
        ++killed;
    }
    QVERIFY2(killed > 0, qPrintable(QString::fromUtf8(m_redis.command({"CLIENT", "LIST"}))));
    QVERIFY2(waitFor([&] {
                 return m_replicas[std::size_t(1 - leader)]->standardError().count("Reconnected to Redis") > 0;
             }),
             qPrintable(describeReplicas()));
    QVERIFY(m_redis.command({"REPLICAOF", "NO", "ONE"}).startsWith("+OK"));
    QVERIFY2(waitFor([&] { return stream.shares().last() == 2; }, 15'000),
             qPrintable(QStringLiteral("last wallet has %1 shares").arg(stream.shares().last())));
}

void ReplicasTest::quotesFlowWhileLeaderCannotPublish()
{
    // With Redis rejecting writes, the leader's quotes stop reaching the
    // bus, yet the follower's subscriber reads on and its bus looks
    // healthy. Its stream clients still get every quote, from the store.
    const QString notReady = startTwoOnRedis(QStringLiteral("100.00"));
    QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
    const int leader = soleLeader();
    QVERIFY(leader >= 0);
    StreamClient stream(
        m_replicas[std::size_t(1 - leader)]->webSocketUrl(QStringLiteral("/api/v1/stream")));
    QVERIFY(stream.waitForConnected());
    QVERIFY(waitFor([&] { return !stream.ids().isEmpty(); }));

    QVERIFY(m_redis.command({"REPLICAOF", "127.0.0.1", "1"}).startsWith("+OK"));
    QVERIFY2(waitFor([&] { return m_replicas[std::size_t(leader)]->standardError().contains("READONLY"); }),
             qPrintable(describeReplicas()));
    const qint64 lastBefore = stream.ids().last();
    const bool flowing = waitFor([&] { return stream.ids().last() >= lastBefore + 12; }, 10'000);
    QVERIFY(m_redis.command({"REPLICAOF", "NO", "ONE"}).startsWith("+OK"));
    QVERIFY2(flowing, qPrintable(QStringLiteral("the stream stopped at quote %1, %2 before")
                                     .arg(stream.ids().last())
                                     .arg(lastBefore)));

    const QList<qint64>& ids = stream.ids();
    for (qsizetype i = 1; i < ids.size(); ++i)
        QVERIFY2(ids.at(i) == ids.at(i - 1) + 1,
                 qPrintable(QStringLiteral("quote %1 follows %2").arg(ids.at(i)).arg(ids.at(i - 1))));
}

void ReplicasTest::stalledRedisKeepsTicking()
{
    // A stalled Redis blocks the publisher for its command timeout. The generator must not wait for it: one quote per tick goes
    // on, and the follower's stream gets them all.
    const QString notReady = startTwoOnRedis(QStringLiteral("100.00"));
    QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
    const int leader = soleLeader();
    QVERIFY(leader >= 0);
    StreamClient stream(
        m_replicas[std::size_t(1 - leader)]->webSocketUrl(QStringLiteral("/api/v1/stream")));
    QVERIFY(stream.waitForConnected());
    QVERIFY(waitFor([&] { return !stream.ids().isEmpty(); }));
    const QList<QuoteRow> before = quotesAfter(0);
    QVERIFY(!before.isEmpty());
    const qint64 firstId = before.last().id;

    QVERIFY(m_redis.command({"DEBUG", "SLEEP", "2.5"}).startsWith("+OK"));
    QVERIFY(waitForQuotesAfter(firstId, 16));

    const QList<QuoteRow> quotes = quotesAfter(firstId - 1);
    for (qsizetype i = 1; i < quotes.size(); ++i) {
        const qint64 gap = quotes.at(i).createdMs - quotes.at(i - 1).createdMs;
        QVERIFY2(gap <= tickMs * 3 / 2,
                 qPrintable(QStringLiteral("quotes %1 and %2 were made %3 ms apart")
                                .arg(quotes.at(i - 1).id)
                                .arg(quotes.at(i).id)
                                .arg(gap)));
    }
    QVERIFY2(waitFor([&] { return stream.ids().last() >= quotes.last().id; }),
             qPrintable(QStringLiteral("the stream is at quote %1 of %2")
                            .arg(stream.ids().last())
                            .arg(quotes.last().id)));
    const QList<qint64>& ids = stream.ids();
    for (qsizetype i = 1; i < ids.size(); ++i)
        QVERIFY2(ids.at(i) == ids.at(i - 1) + 1,
                 qPrintable(QStringLiteral("quote %1 follows %2").arg(ids.at(i)).arg(ids.at(i - 1))));
}

void ReplicasTest::failedWatchReadRetriedSoon()
{
    // Until a stream's first wallet read succeeds, the database does not
    // count the stream as watching, so orders on another replica are not
    // published to it. The read is tried again within seconds, not at the
    // 30-second token recheck.
    const QString notReady = startTwoOnRedis(QStringLiteral("1000.00"));
    QVERIFY2(notReady.isEmpty(), qPrintable(notReady));
    const HttpClient client(m_replicas[0]->baseUrl());
    const QString token = signUp(client, QStringLiteral("retried"));
    QVERIFY(!token.isEmpty());

    // With the column renamed, the watching read fails with a database error.
    const auto renameColumn = [&](const char* from, const char* to) {
        return m_postgres.execute(QStringLiteral("ALTER TABLE accounts RENAME COLUMN %1 TO %2")
                                      .arg(QLatin1String(from), QLatin1String(to)),
                                  nullptr, m_databaseName);
    };
    QVERIFY2(renameColumn("wallet_watchers", "renamed_watchers"), qPrintable(m_postgres.errorString()));
    StreamClient stream(m_replicas[1]->webSocketUrl(QStringLiteral("/api/v1/stream")), token);
    QVERIFY(stream.waitForConnected());
    QVERIFY2(waitFor([&] {
                 return m_replicas[1]->standardError().contains("could not load the wallet");
             }),
             qPrintable(describeReplicas()));
    QVERIFY2(renameColumn("renamed_watchers", "wallet_watchers"), qPrintable(m_postgres.errorString()));

    const HttpResponse bought = client.post(QStringLiteral("/api/v1/orders"),
                                            {{"side", QStringLiteral("buy")}, {"quantity", 2}}, token);
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));
    QVERIFY2(waitFor([&] { return !stream.shares().isEmpty() && stream.shares().last() == 2; }, 10'000),
             qPrintable(QStringLiteral("%1 wallet messages").arg(stream.shares().size())));
}

// --- PostgreSQL restart --------------------------------------------------

void ReplicasTest::postgresRestartRecovers()
{
    QVERIFY(startReplicas(2));
    QVERIFY2(waitFor([this] { return soleLeader() >= 0; }), qPrintable(describeReplicas()));
    QVERIFY(waitForQuotesAfter(0, 3));

    QVERIFY2(m_postgres.stop(), qPrintable(m_postgres.errorString()));
    for (const Replica& replica : m_replicas) {
        QVERIFY2(waitFor([&] {
                     int status = 0;
                     up(*replica, &status);
                     return status == 503;
                 }),
                 qPrintable(describeReplicas()));
        const HttpResponse latest =
            HttpClient(replica->baseUrl(), 5000).get(QStringLiteral("/api/v1/quotes/latest"));
        QCOMPARE(latest.status, 503);
    }

    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    for (const Replica& replica : m_replicas) {
        QVERIFY2(waitFor([&] {
                     int status = 0;
                     up(*replica, &status);
                     return status == 200;
                 }),
                 qPrintable(describeReplicas()));
    }
    QVERIFY2(waitFor([this] { return soleLeader() >= 0; }), qPrintable(describeReplicas()));
    const qint64 afterRestart = latestQuoteId();
    QVERIFY(waitForQuotesAfter(afterRestart, 4));

    const QString problem = checkOnePerTick(quotesAfter(0));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// --- Bank test -----------------------------------------------------------

namespace {

struct Operation
{
    QString kind;          // buy, sell, praise
    int status = 0;
    QJsonObject body;
};

struct ClientLog
{
    int account = 0;
    QList<Operation> operations;
    QStringList failures;
};

QByteArray jsonRequest(const QByteArray& target, const QString& token, const QJsonObject& body,
                       const QByteArray& key)
{
    HttpHeaders headers = HttpClient::jsonHeaders(token);
    if (!key.isEmpty())
        headers.append({QByteArrayLiteral("Idempotency-Key"), key});
    return RawHttp::buildRequest(QByteArrayLiteral("POST"), target, headers,
                                 QJsonDocument(body).toJson(QJsonDocument::Compact));
}

}  // namespace

void ReplicasTest::bankBalancesMatchHistory()
{
    constexpr int accountCount = 6;
    constexpr int clientCount = 12;
    constexpr int operationsPerClient = 25;
    const qint64 startingCents = 1000'00;

    QVERIFY(startReplicas(3, QStringLiteral("1000.00")));
    QVERIFY2(waitFor([this] { return soleLeader() >= 0; }), qPrintable(describeReplicas()));
    QVERIFY(waitForQuotesAfter(0, 2));

    QStringList tokens;
    for (int i = 0; i < accountCount; ++i) {
        const HttpResponse created = HttpClient(m_replicas[std::size_t(i % 3)]->baseUrl())
                                         .post(QStringLiteral("/api/v1/accounts"),
                                               {{"username", QStringLiteral("bank%1").arg(i)},
                                                {"password", QStringLiteral("correct horse")}});
        QVERIFY2(created.status == 201, qPrintable(created.describe()));
        tokens.append(created.json().value(QStringLiteral("token")).toString());
    }

    QList<int> ports;
    for (const Replica& replica : m_replicas)
        ports.append(replica->port());

    // Two clients per account, on different replicas, at the same time. A
    // third of the orders are sent again with the same key to another replica.
    std::vector<ClientLog> logs(clientCount);
    std::vector<std::unique_ptr<QThread>> threads;
    for (int c = 0; c < clientCount; ++c) {
        ClientLog& log = logs[std::size_t(c)];
        log.account = c % accountCount;
        const QString token = tokens.at(log.account);
        threads.emplace_back(QThread::create([&log, token, ports, c] {
            QRandomGenerator random(quint32(1000 + c));
            for (int i = 0; i < operationsPerClient; ++i) {
                const int port = ports.at((c + i) % ports.size());
                const int roll = int(random.bounded(100));
                Operation operation;
                QByteArray request;
                QByteArray key;
                if (roll < 20) {
                    operation.kind = QStringLiteral("praise");
                    request = jsonRequest("/api/v1/praise", token, {}, {});
                } else {
                    operation.kind = roll < 60 ? QStringLiteral("buy") : QStringLiteral("sell");
                    key = QStringLiteral("client%1-op%2").arg(c).arg(i).toUtf8();
                    request = jsonRequest("/api/v1/orders", token,
                                          {{"side", operation.kind},
                                           {"quantity", int(random.bounded(1, 4))}},
                                          key);
                }

                const HttpResponse response = RawHttp::exchange(port, request, 20'000);
                operation.status = response.status;
                operation.body = response.json();
                const bool acceptable =
                    operation.kind == QLatin1String("praise")
                        ? response.status == 200
                        : (response.status == 201 || response.status == 422);
                if (!acceptable)
                    log.failures.append(QStringLiteral("%1 %2 on port %3: %4")
                                            .arg(operation.kind, QString::fromLatin1(key))
                                            .arg(port)
                                            .arg(response.describe()));

                if (!key.isEmpty() && random.bounded(3) == 0) {
                    const int otherPort = ports.at((c + i + 1) % ports.size());
                    const HttpResponse retry = RawHttp::exchange(otherPort, request, 20'000);
                    if (retry.status != 200 || retry.body != response.body)
                        log.failures.append(
                            QStringLiteral("retry of %1 on port %2 did not replay %3: %4")
                                .arg(QString::fromLatin1(key))
                                .arg(otherPort)
                                .arg(response.describe(), retry.describe()));
                }
                log.operations.append(operation);
            }
        }));
        threads.back()->start();
    }
    for (const auto& thread : threads)
        QVERIFY(thread->wait(120'000));
    for (const ClientLog& log : logs)
        QVERIFY2(log.failures.isEmpty(), qPrintable(log.failures.join(QLatin1Char('\n'))));

    for (int a = 0; a < accountCount; ++a) {
        // The responses the clients received: filled orders and bonuses.
        QSet<qint64> acknowledged;
        qint64 bonuses = 0;
        int praises = 0;
        for (const ClientLog& log : logs) {
            if (log.account != a)
                continue;
            for (const Operation& operation : log.operations) {
                if (operation.kind == QLatin1String("praise")) {
                    ++praises;
                    bonuses += centsFromMoney(operation.body.value("bonus").toString()).value_or(-1);
                } else if (operation.status == 201) {
                    acknowledged.insert(
                        operation.body.value("order").toObject().value("id").toInteger());
                }
            }
        }

        // The bonus history in the database: one record per acknowledged
        // praise, paying what its response said.
        QString stored;
        QVERIFY2(m_postgres.execute(QStringLiteral("SELECT count(*) || ' ' || "
                                                   "coalesce(sum(bonus_cents), 0) FROM praises "
                                                   "JOIN accounts ON accounts.id = account_id "
                                                   "WHERE username = 'bank%1'")
                                        .arg(a),
                                    &stored, m_databaseUrl.section(QLatin1Char('/'), -1)),
                 qPrintable(m_postgres.errorString()));
        QCOMPARE(stored, QStringLiteral("%1 %2").arg(praises).arg(bonuses));

        // The order history, read through the API and replayed.
        const HttpClient client(m_replicas[std::size_t(a % 3)]->baseUrl());
        QList<qint64> historyIds;
        qint64 cash = startingCents + bonuses;
        qint64 shares = 0;
        qint64 beforeId = 0;
        for (;;) {
            const QString query = beforeId > 0
                                      ? QStringLiteral("/api/v1/orders?limit=500&before_id=%1")
                                            .arg(beforeId)
                                      : QStringLiteral("/api/v1/orders?limit=500");
            const HttpResponse page = client.get(query, tokens.at(a));
            QVERIFY2(page.status == 200, qPrintable(page.describe()));
            const QJsonArray orders = page.json().value("orders").toArray();
            for (const QJsonValue& value : orders) {
                const QJsonObject order = value.toObject();
                historyIds.append(order.value("id").toInteger());
                const qint64 total = centsFromMoney(order.value("total").toString()).value_or(0);
                const qint64 quantity = order.value("quantity").toInteger();
                if (order.value("side").toString() == QLatin1String("buy")) {
                    cash -= total;
                    shares += quantity;
                } else {
                    cash += total;
                    shares -= quantity;
                }
            }
            if (orders.size() < 500)
                break;
            beforeId = historyIds.last();
        }

        const QSet<qint64> historySet(historyIds.begin(), historyIds.end());
        QCOMPARE(historySet.size(), historyIds.size());  // no order twice
        QCOMPARE(historySet, acknowledged);              // every filled order, nothing else

        const HttpResponse portfolio = client.get(QStringLiteral("/api/v1/portfolio"), tokens.at(a));
        QVERIFY2(portfolio.status == 200, qPrintable(portfolio.describe()));
        const QJsonObject wallet = portfolio.json();
        const qint64 walletCash = centsFromMoney(wallet.value("cash").toString()).value_or(-1);
        const qint64 walletShares = wallet.value("shares").toInteger(-1);
        QCOMPARE(walletCash, cash);
        QCOMPARE(walletShares, shares);
        QVERIFY(walletCash >= 0);
        QVERIFY(walletShares >= 0);
        QVERIFY(centsFromMoney(wallet.value("cost_basis").toString()).value_or(-1) >= 0);
    }
}

// --- Transaction pooling --------------------------------------------------

void ReplicasTest::transactionPoolingRejected()
{
    const QString pgbouncer = QStandardPaths::findExecutable(
        QStringLiteral("pgbouncer"), {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
    if (pgbouncer.isEmpty())
        QSKIP("pgbouncer is not installed (scripts/install-deps.sh installs it).");

    // PgBouncer in transaction mode in front of the test server. It refuses
    // to run as root, so as root it switches to the postgres user and its
    // files must be readable by that user.
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    QFile::setPermissions(directory.path(), QFile::ReadOwner | QFile::WriteOwner |
                                                QFile::ExeOwner | QFile::ReadOther |
                                                QFile::ExeOther | QFile::ReadGroup |
                                                QFile::ExeGroup);
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const int port = probe.serverPort();
    probe.close();

    QFile users(directory.filePath(QStringLiteral("users.txt")));
    QVERIFY(users.open(QIODevice::WriteOnly));
    users.write("\"postgres\" \"\"\n");
    users.close();
    QFile config(directory.filePath(QStringLiteral("pgbouncer.ini")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QStringLiteral("[databases]\n"
                                "* = host=127.0.0.1 port=%1\n"
                                "[pgbouncer]\n"
                                "listen_addr = 127.0.0.1\n"
                                "listen_port = %2\n"
                                "unix_socket_dir =\n"
                                "auth_type = trust\n"
                                "auth_file = %3\n"
                                "pool_mode = transaction\n")
                     .arg(m_postgres.port())
                     .arg(port)
                     .arg(users.fileName())
                     .toUtf8());
    config.close();
    for (QFile* file : {&users, &config})
        file->setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther |
                             QFile::ReadGroup);

    QProcess bouncer;
    QStringList arguments;
    if (::geteuid() == 0)
        arguments << QStringLiteral("-u") << QStringLiteral("postgres");
    arguments << config.fileName();
    bouncer.setProcessChannelMode(QProcess::MergedChannels);
    bouncer.start(pgbouncer, arguments);
    QVERIFY2(bouncer.waitForStarted(), qPrintable(bouncer.errorString()));
    const bool listening = waitFor([&] {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, quint16(port));
        return socket.waitForConnected(200);
    }, 10'000);
    QVERIFY2(listening, bouncer.readAll().constData());

    const QString database = m_databaseUrl.section(QLatin1Char('/'), -1);
    ServerProcess::Options options;
    options.tickMs = tickMs;
    options.extraArguments = {
        QStringLiteral("--database"),
        QStringLiteral("postgres://postgres@127.0.0.1:%1/%2").arg(port).arg(database),
        QStringLiteral("--generator"), QStringLiteral("auto")};
    ServerProcess server(options);
    QVERIFY2(!server.start(), "valiant-server started behind a transaction-pooling proxy");
    const QByteArray error = server.standardError();
    QVERIFY2(error.contains("transaction-pooling proxy"), error.constData());
    QVERIFY2(error.contains("pg_backend_pid"), error.constData());

    bouncer.kill();
    bouncer.waitForFinished();
}

QTEST_GUILESS_MAIN(ReplicasTest)
#include "tst_replicas.moc"
