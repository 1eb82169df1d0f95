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
// seconds and then heals without anyone reconfiguring anything.

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
        Lease(PostgresPool& pool, std::unique_ptr<pqxx::connection> connection);
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&&) = delete;
        ~Lease();

        pqxx::connection& connection() const { return *m_connection; }
        /// Drops this connection and all idle ones instead of reusing them.
        void discard();

    private:
        PostgresPool* m_pool;
        std::unique_ptr<pqxx::connection> m_connection;
        bool m_discarded = false;
    };

    /// Borrows an idle connection, opens a new one while fewer than the
    /// maximum exist, or else waits for one. Throws PostgresUnavailable when
    /// a connection cannot be opened or the backoff delay has not passed.
    Lease acquire();

    /// Asks PostgreSQL to cancel the statement running on each leased
    /// connection, whose caller then gets an error. Callable from any
    /// thread. Returns how many cancel requests were sent.
    int cancelLeased();

    /// The host, port and database of the connection string, for messages
    /// (never the password).
    const QString& displayName() const { return m_displayName; }

private:
    std::unique_ptr<pqxx::connection> openConnection();
    void release(std::unique_ptr<pqxx::connection> connection, bool discarded);

    std::string m_connectionString;
    QString m_displayName;
    int m_maxConnections;
    ConnectionSetup m_setup;

    std::mutex m_mutex;
    std::condition_variable m_released;
    std::vector<std::unique_ptr<pqxx::connection>> m_idle;
    std::vector<pqxx::connection*> m_leased;
    int m_openCount = 0;  // idle plus leased, plus those being opened
    std::chrono::milliseconds m_backoff{0};
    std::chrono::steady_clock::time_point m_nextAttempt{};
    QString m_lastFailure;
};

/// The connection string for a postgres:// or postgresql:// URL: the URL
/// itself, with connect_timeout=5 and application_name=valiant-server added
/// unless the URL sets them.
std::string postgresConnectionString(const QString& url);

/// "HOST:PORT/DATABASE" of a postgres:// URL, without user or password.
QString postgresDisplayName(const QString& url);

}  // namespace valiant::server
