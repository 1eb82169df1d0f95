#pragma once

// ConnectionWatchdog: shuts down the socket of a database connection that
// stays busy past its deadline. libpq waits for a result without a time
// limit. A PostgreSQL server that stops responding (its processes frozen,
// or a network path that drops packets without a reset) leaves the TCP
// connection open. The waiting thread would then block until TCP gives
// up, after about 15 minutes with Linux's default tcp_retries2 (tcp(7)),
// or never when the peer's kernel still acknowledges. After shutdown(2),
// libpq reads end-of-file at once and the caller gets
// pqxx::broken_connection.

#include <QString>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace valiant::server {

class ConnectionWatchdog
{
public:
    using Clock = std::chrono::steady_clock;
    using Ticket = std::uint64_t;

    /// `peer` names the database in log messages, such as
    /// "PostgreSQL at 127.0.0.1:5432/valiant".
    explicit ConnectionWatchdog(QString peer);
    /// Stops the watchdog's thread. Sockets still watched are left open.
    ~ConnectionWatchdog();

    ConnectionWatchdog(const ConnectionWatchdog&) = delete;
    ConnectionWatchdog& operator=(const ConnectionWatchdog&) = delete;

    /// Watches `socket` until unwatch(). Once `deadline` passes, the socket
    /// is shut down for reading and writing. `operation` (a string literal)
    /// names the work in the log message. A negative socket is never shut
    /// down. Thread-safe, like every other member.
    Ticket watch(int socket, Clock::time_point deadline, const char* operation);

    /// Stops watching. Returns true when the socket was shut down, so the
    /// connection is broken and must be discarded. After this returns, the
    /// watchdog no longer touches the socket, so it may be closed.
    bool unwatch(Ticket ticket);

    /// Whether the watchdog shut down the socket of `ticket`.
    bool wasShutDown(Ticket ticket) const;

    /// Stops every watch of `socket`, for a caller about to close it while
    /// a WatchedScope still covers it.
    void forget(int socket);

    /// Shuts down every watched socket now, whatever its deadline, and
    /// returns how many were shut down.
    int shutDownAll();

private:
    struct Watched
    {
        int socket;
        // The socket's inode when watching began. libpq closes its socket
        // when it loses the connection, so by the deadline the number may
        // belong to a new socket, which must be left alone.
        std::uint64_t device;
        std::uint64_t inode;
        Clock::time_point deadline;
        Clock::time_point since;
        const char* operation;
        bool shutDown = false;
    };

    void run();
    /// Shuts down one socket unless its number now belongs to another
    /// socket or none. Returns whether it did. The caller holds m_mutex.
    bool shutDown(Watched& watched, const char* reason);

    QString m_peer;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::map<Ticket, Watched> m_watched;
    Ticket m_nextTicket = 1;
    // When the thread wakes next, unless watch() notifies it of an earlier deadline.
    Clock::time_point m_wakeAt = Clock::time_point::max();
    bool m_stopping = false;
    std::thread m_thread;
};

/// Watches a socket for the life of a scope. When the scope ends, it sets
/// *shutDown (if given) to whether the watchdog shut the socket down. An
/// exception that leaves the scope has set it by the time a handler
/// outside the scope runs.
class WatchedScope
{
public:
    WatchedScope(ConnectionWatchdog& watchdog, int socket, ConnectionWatchdog::Clock::duration timeout,
                 const char* operation, bool* shutDown = nullptr)
        : m_watchdog(watchdog),
          m_ticket(watchdog.watch(socket, ConnectionWatchdog::Clock::now() + timeout, operation)),
          m_shutDown(shutDown)
    {
    }
    ~WatchedScope()
    {
        const bool shut = m_watchdog.unwatch(m_ticket);
        if (m_shutDown != nullptr)
            *m_shutDown = shut;
    }

    WatchedScope(const WatchedScope&) = delete;
    WatchedScope& operator=(const WatchedScope&) = delete;

private:
    ConnectionWatchdog& m_watchdog;
    ConnectionWatchdog::Ticket m_ticket;
    bool* m_shutDown;
};

}  // namespace valiant::server
