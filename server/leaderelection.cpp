#include "leaderelection.h"

#include "connectionwatchdog.h"
#include "logging.h"

#include <QLoggingCategory>
#include <QUrl>
#include <QUrlQuery>

#include <pqxx/pqxx>

#include <optional>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcLeader, "valiant.generator")

// While the lock connection keeps failing, only every this many failures is logged.
constexpr int failureLogInterval = 60;
// A leader that lost its lock connection sits out this many ticks before it
// competes again, so a follower (retrying every tick) takes over.
constexpr int deposedCooldownTicks = 2;

// The lock session's statement_timeout, and the time after which its socket
// is shut down when the server does not even respond within that (frozen, or cut
// off without a reset). The election runs on the generator's thread, which
// also handles SIGTERM, so these limits also bound how long a signal waits.
constexpr int statementTimeoutMs = 2000;
constexpr auto noResponseTimeout = std::chrono::milliseconds(statementTimeoutMs + 1000);
// Releasing the lock is a courtesy, because the lock also ends with the
// session, so a stop waits less for it.
constexpr auto releaseTimeout = std::chrono::milliseconds(1000);

/// `evidence` completes "The database connection …".
core::Error poolingError(const QString& evidence)
{
    return core::makeError(
        500, QStringLiteral("transaction_pooling"),
        QStringLiteral("The database connection %1, so it goes through a transaction-pooling "
                       "proxy such as PgBouncer in transaction mode. The leader's session "
                       "advisory lock cannot be held that way: point --database at PostgreSQL "
                       "itself or at a session-pooling proxy, or run with --generator off.")
            .arg(evidence));
}

QString switchedSessions(int firstPid, int secondPid)
{
    return QStringLiteral("switched server sessions between two statements (pg_backend_pid %1, "
                          "then %2)")
        .arg(firstPid)
        .arg(secondPid);
}

/// The URL with short timeouts added, so a dead server or network costs
/// the generator at most a few seconds per tick. Settings the URL has win.
std::string lockConnectionString(const QString& databaseUrl)
{
    QUrl url(databaseUrl);
    QUrlQuery query(url);
    const std::pair<const char*, const char*> defaults[] = {
        {"application_name", "valiant-leader"},
        {"connect_timeout", "2"},
        {"tcp_user_timeout", "2000"},
        {"keepalives_idle", "5"},
        {"keepalives_interval", "1"},
        {"keepalives_count", "3"},
    };
    for (const auto& [key, value] : defaults) {
        if (!query.hasQueryItem(QLatin1String(key))) {
            query.addQueryItem(QLatin1String(key),
                               QString::fromLatin1(QUrl::toPercentEncoding(QLatin1String(value))));
        }
    }
    url.setQuery(query.query(QUrl::FullyEncoded), QUrl::StrictMode);
    return url.toString(QUrl::FullyEncoded).toStdString();
}

const std::string tryLockSql =
    "SELECT pg_try_advisory_lock(" + std::to_string(LeaderElection::lockKeyHigh) + ", " +
    std::to_string(LeaderElection::lockKeyLow) + "), pg_backend_pid()";

const std::string unlockSql =
    "SELECT pg_advisory_unlock(" + std::to_string(LeaderElection::lockKeyHigh) + ", " +
    std::to_string(LeaderElection::lockKeyLow) + ")";

// Created by the lock holder only, so two replicas never race on it.
const std::string createFenceSql =
    "CREATE TABLE IF NOT EXISTS valiant_generator_fence ("
    " id integer PRIMARY KEY CHECK (id = 1),"
    " slot bigint NOT NULL);"
    "INSERT INTO valiant_generator_fence (id, slot) VALUES (1, 0) ON CONFLICT (id) DO NOTHING";

// One round trip: whether this session holds the lock (pg_locks shows a
// two-key advisory lock as classid, objid and objsubid 2), whether the
// slot was claimed, and the backend pid.
const std::string claimSql =
    "WITH held AS ("
    "  SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    "   AND pid = pg_backend_pid() AND classid = " +
    std::to_string(LeaderElection::lockKeyHigh) +
    "   AND objid = " + std::to_string(LeaderElection::lockKeyLow) +
    "   AND objsubid = 2) AS held),"
    " claimed AS ("
    "  UPDATE valiant_generator_fence SET slot = $1"
    "  WHERE id = 1 AND slot < $1 AND (SELECT held FROM held) RETURNING slot)"
    " SELECT (SELECT held FROM held), EXISTS (SELECT 1 FROM claimed), pg_backend_pid()";

}  // namespace

struct LeaderElection::Private
{
    Private(QString databaseUrl, int tickMs)
        : databaseUrl(std::move(databaseUrl)),
          idleTimeoutMs(3 * std::int64_t(tickMs) + 2000),
          watchdog(QStringLiteral("PostgreSQL (the leader lock connection)"))
    {
    }

    QString databaseUrl;
    // The lock session runs a statement every tick. PostgreSQL ends it after
    // this long without one, so the lock of a frozen or vanished leader
    // (SIGSTOP, a host gone without closing its connection) is released.
    std::int64_t idleTimeoutMs;
    // Declared before the connections, so it outlives their sockets.
    ConnectionWatchdog watchdog;
    std::unique_ptr<pqxx::connection> connection;
    int backendPid = 0;
    bool leader = false;
    int consecutiveFailures = 0;
    int cooldownTicks = 0;

    /// Connects and checks that two statements run in one session.
    std::optional<core::Error> connect();
    /// Closes the lock connection. Every reset goes through here, so the
    /// watchdog never shuts down a socket number after it was closed.
    void closeConnection();
    void dropConnection(const QString& reason);
    void setLeader(bool value, const QString& reason);
    bool tryLock();
    bool claim(std::int64_t slot);
};

std::optional<core::Error> LeaderElection::Private::connect()
{
    const std::string connectionString = lockConnectionString(databaseUrl);
    // connect_timeout bounds each connection attempt, and the watches the
    // statements on each connection.
    connection = std::make_unique<pqxx::connection>(connectionString);
    const WatchedScope watched(watchdog, connection->sock(), noResponseTimeout,
                               "the leader lock connection's set-up");
    pqxx::nontransaction transaction(*connection);
    const int firstPid = transaction.exec("SELECT pg_backend_pid()")[0][0].as<int>();

    // A second client keeps a transaction open, which pins the server session
    // a pooler hands it. A pooler that just released the first session gives
    // it to the probe, or else moves the lock connection to another session.
    pqxx::connection probe(connectionString);
    const WatchedScope probeWatched(watchdog, probe.sock(), noResponseTimeout,
                                    "the leader lock connection's session probe");
    pqxx::work probeTransaction(probe);
    const int probePid = probeTransaction.exec("SELECT pg_backend_pid()")[0][0].as<int>();
    const int secondPid = transaction.exec("SELECT pg_backend_pid()")[0][0].as<int>();
    probeTransaction.abort();

    if (probePid == firstPid) {
        closeConnection();
        return poolingError(
            QStringLiteral("shares its server session (pg_backend_pid %1) with another client")
                .arg(firstPid));
    }
    if (secondPid != firstPid) {
        closeConnection();
        return poolingError(switchedSessions(firstPid, secondPid));
    }

    // Set here, not in the startup packet, which poolers may reject.
    transaction.exec("SET statement_timeout = " + std::to_string(statementTimeoutMs));
    try {
        transaction.exec("SET idle_session_timeout = " + std::to_string(idleTimeoutMs));
    } catch (const pqxx::sql_error& error) {
        // PostgreSQL before 14 has no idle_session_timeout.
        qCWarning(lcLeader).noquote()
            << QStringLiteral("Setting idle_session_timeout on the leader lock connection failed "
                              "(%1); a frozen leader then keeps the lock until its connection "
                              "closes.")
                   .arg(flattenLineBreaks(QString::fromUtf8(error.what())));
    }
    backendPid = firstPid;
    return std::nullopt;
}

void LeaderElection::Private::closeConnection()
{
    if (connection)
        watchdog.forget(connection->sock());
    connection.reset();
}

void LeaderElection::Private::dropConnection(const QString& reason)
{
    ++consecutiveFailures;
    if (consecutiveFailures == 1 || consecutiveFailures % failureLogInterval == 0) {
        QString cause = reason;
        if (cause.endsWith(u'.'))
            cause.chop(1);
        qCWarning(lcLeader).noquote()
            << QStringLiteral("Leader lock connection failed: %1 (failure %2 in a row). Retrying "
                              "at the next tick as a follower.")
                   .arg(cause)
                   .arg(consecutiveFailures);
    }
    closeConnection();
    if (leader) {
        cooldownTicks = deposedCooldownTicks;
    }
    // Before the pid is cleared, so the log line names the lost session.
    setLeader(false, QStringLiteral("the lock connection was lost"));
    backendPid = 0;
}

void LeaderElection::Private::setLeader(bool value, const QString& reason)
{
    if (leader == value) {
        return;
    }
    leader = value;
    qCInfo(lcLeader).noquote() << (value ? QStringLiteral("Became the quote generator leader")
                                         : QStringLiteral("Lost the quote generator leadership"))
                               << QStringLiteral("(backend pid %1): %2").arg(backendPid).arg(reason);
}

bool LeaderElection::Private::tryLock()
{
    pqxx::nontransaction transaction(*connection);
    const pqxx::row row = transaction.exec(tryLockSql)[0];
    if (!row[0].as<bool>()) {
        return false;
    }
    transaction.exec(createFenceSql);
    setLeader(true, QStringLiteral("took the advisory lock"));
    return true;
}

bool LeaderElection::Private::claim(std::int64_t slot)
{
    pqxx::nontransaction transaction(*connection);
    const pqxx::row row = transaction.exec_params(claimSql, slot)[0];
    const bool held = row[0].as<bool>();
    const bool claimed = row[1].as<bool>();
    const int pid = row[2].as<int>();

    if (pid != backendPid) {
        // The proxy moved this connection to another server session, where
        // the lock does not live.
        qCCritical(lcLeader).noquote() << poolingError(switchedSessions(backendPid, pid)).message;
        closeConnection();
        setLeader(false, QStringLiteral("the connection changed server sessions"));
        return false;
    }
    if (!held) {
        setLeader(false, QStringLiteral("the advisory lock is no longer held"));
        return false;
    }
    if (!claimed) {
        qCWarning(lcLeader) << "Skipping tick slot" << slot
                            << "because it or a later slot was claimed already";
    }
    return claimed;
}

LeaderElection::LeaderElection(QString databaseUrl, int tickMs)
    : d(std::make_unique<Private>(std::move(databaseUrl), tickMs))
{
}

LeaderElection::~LeaderElection()
{
    release();
}

core::Result<core::Ok> LeaderElection::start()
{
    try {
        if (const std::optional<core::Error> error = d->connect()) {
            return *error;
        }
    } catch (const std::exception& error) {
        d->dropConnection(flattenLineBreaks(QString::fromUtf8(error.what())));
    }
    return core::Ok{};
}

bool LeaderElection::claimTick(std::int64_t slot)
{
    if (d->cooldownTicks > 0) {
        --d->cooldownTicks;
        return false;
    }
    bool cut = false;
    try {
        if (!d->connection || !d->connection->is_open()) {
            if (const std::optional<core::Error> error = d->connect()) {
                qCCritical(lcLeader).noquote() << error->message;
                return false;
            }
        }
        const WatchedScope watched(d->watchdog, d->connection->sock(), noResponseTimeout,
                                   "the leader's tick claim", &cut);
        if (!d->leader && !d->tryLock()) {
            d->consecutiveFailures = 0;
            return false;
        }
        const bool claimed = d->claim(slot);
        d->consecutiveFailures = 0;
        return claimed;
    } catch (const std::exception& error) {
        // broken_connection after pg_terminate_backend or a server restart,
        // a timeout, or an SQL error: in every case this replica stops
        // leading until it holds the lock again on a fresh connection. The
        // watch has ended by now, so `cut` is set when it closed the socket.
        d->dropConnection(cut ? QStringLiteral("PostgreSQL did not respond to the tick claim "
                                               "within %1 ms")
                                    .arg(noResponseTimeout.count())
                              : flattenLineBreaks(QString::fromUtf8(error.what())));
        return false;
    }
}

bool LeaderElection::isLeader() const
{
    return d->leader;
}

void LeaderElection::release()
{
    if (!d->connection) {
        return;
    }
    try {
        if (d->leader) {
            const WatchedScope watched(d->watchdog, d->connection->sock(), releaseTimeout,
                                       "releasing the leader lock");
            pqxx::nontransaction transaction(*d->connection);
            transaction.exec(unlockSql);
            d->setLeader(false, QStringLiteral("released the advisory lock"));
        }
    } catch (const std::exception& error) {
        qCWarning(lcLeader) << "Releasing the leader lock failed; it ends with the session:"
                            << error.what();
    }
    d->leader = false;
    d->closeConnection();
}

}  // namespace valiant::server
