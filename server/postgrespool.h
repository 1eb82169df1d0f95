#pragma once

// PostgresPool: a bounded pool of libpqxx connections to one PostgreSQL
// database, one connection per concurrent caller. Used only inside the
// PostgreSQL store, so this header may include libpqxx.
//
// A connection that failed (server restart, pg_terminate_backend) is
// discarded together with every idle one, since they most likely died with
// it. New connections are opened on demand; after a failed attempt the pool
// rejects callers at once (PostgresUnavailable) until a backoff delay of
// 50 ms doubling up to 1 s has passed, so a restart costs 503s for a few
// seconds and then heals without anyone reconfiguring anything. While the
// pool backs off, one caller at a time tries to connect, and the others
// are rejected instead of each waiting for the connect timeout.
//
// A lease has a time limit (5 s unless the caller gives another). A lease
// held past it has its socket shut down by a ConnectionWatchdog, so a
// server that stops responding costs its callers an error instead of a
// thread blocked without end. Such a cut starts the backoff too.

#include "connectionwatchdog.h"

#include <QString>

#include <pqxx/connection>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace valiant::server {

/// Error thrown when no connection could be opened. Its message gives the
/// cause and when the next attempt is due.
class PostgresUnavailable : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

class PostgresPool
{
public:
    /// Called on every new connection before first use (to prepare
    /// statements); may throw, which fails that connection.
    using ConnectionSetup = std::function<void(pqxx::connection&)>;

    static constexpr std::chrono::milliseconds initialBackoff{50};
    static constexpr std::chrono::milliseconds maxBackoff{1000};
    /// Far longer than any statement of the API takes on a server that
    /// responds, and short enough that a stop (9 s) outlasts it.
    static constexpr std::chrono::milliseconds defaultLeaseTimeout{5000};
    /// Every connection's statement_timeout, below the lease's limit: a
    /// statement waiting for a lock held elsewhere then ends in PostgreSQL
    /// itself, which frees its backend and keeps the connection. A cut
    /// socket would leave the backend waiting, and each retry would add one.
    static constexpr std::chrono::milliseconds statementTimeout{4000};

    /// Keeps the settings of a postgres:// or postgresql:// URL; connections
    /// open on first use.
    PostgresPool(const QString& url, int maxConnections, ConnectionSetup setup);
    ~PostgresPool();

    PostgresPool(const PostgresPool&) = delete;
    PostgresPool& operator=(const PostgresPool&) = delete;

    /// A connection borrowed from the pool. It goes back to the idle list
    /// when the lease ends unless discard() was called.
    class Lease
    {
    public:
        Lease(PostgresPool& pool, std::unique_ptr<pqxx::connection> connection,
              ConnectionWatchdog::Ticket ticket, std::chrono::milliseconds timeout);
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&&) = delete;
        ~Lease();

        pqxx::connection& connection() const { return *m_connection; }
        /// Drops this connection and all idle ones instead of reusing them.
        void discard();
        /// Why the connection broke, for messages: the lease's time limit,
        /// the server stopping, or else a lost connection.
        QString lostReason() const;

    private:
        PostgresPool* m_pool;
        std::unique_ptr<pqxx::connection> m_connection;
        ConnectionWatchdog::Ticket m_ticket;
        std::chrono::milliseconds m_timeout;
        bool m_discarded = false;
        bool m_retired = false;  // closed when the lease ends, not kept idle

        friend class PostgresPool;
    };

    /// Borrows an idle connection, opens a new one while fewer than the
    /// maximum exist, or else waits for one. Throws PostgresUnavailable when
    /// a connection cannot be opened or the backoff delay has not passed.
    /// The connection's socket is shut down when the lease lasts longer
    /// than `timeout` (counted from when the lease starts). With 0 there is
    /// no limit, not even statement_timeout, and the connection is closed
    /// when the lease ends rather than reused.
    Lease acquire(std::chrono::milliseconds timeout = defaultLeaseTimeout);

    /// For a stop of the server: shuts down the socket of every leased
    /// connection, so each caller waiting for a statement gets
    /// pqxx::broken_connection at once, and opens no new connections from
    /// then on. Callable from any thread, also again for leases that began
    /// later. Returns how many sockets were shut down.
    ///
    /// PQcancel would be gentler on a server that responds, but it waits
    /// for the server without a time limit, so it would hang on one that
    /// does not respond. The server aborts a transaction whose client went away
    /// when it next writes to the client.
    int disconnectForStop();

    /// The host, port and database of the connection string, for messages
    /// (never the password).
    const QString& displayName() const { return m_displayName; }

private:
    std::unique_ptr<pqxx::connection> openConnection();
    Lease lease(std::unique_ptr<pqxx::connection> connection, std::chrono::milliseconds timeout);
    void release(std::unique_ptr<pqxx::connection> connection, bool discarded, bool retired,
                 ConnectionWatchdog::Ticket ticket, std::chrono::milliseconds timeout);
    /// Starts or lengthens the backoff after `failure`. The caller holds m_mutex.
    void backOff(const QString& failure);

    std::string m_connectionString;
    QString m_displayName;
    int m_maxConnections;
    ConnectionSetup m_setup;

    std::mutex m_mutex;
    std::condition_variable m_released;
    std::vector<std::unique_ptr<pqxx::connection>> m_idle;
    int m_openCount = 0;  // idle plus leased, plus those being opened
    std::chrono::milliseconds m_backoff{0};
    std::chrono::steady_clock::time_point m_nextAttempt{};
    QString m_lastFailure;
    bool m_probing = false;  // a connection attempt during the backoff is running
    bool m_stopping = false;
    ConnectionWatchdog m_watchdog;
};

/// The connection string for a postgres:// or postgresql:// URL: the URL
/// itself, with connect_timeout=2 and application_name=valiant-server added
/// unless the URL sets them.
std::string postgresConnectionString(const QString& url);

/// "HOST:PORT/DATABASE" of a postgres:// URL, without user or password.
QString postgresDisplayName(const QString& url);

}  // namespace valiant::server
