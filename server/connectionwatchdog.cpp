#include "connectionwatchdog.h"

#include <QLoggingCategory>

#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcWatchdog, "valiant.store")

/// The device and inode of an open descriptor, or zeros when it is closed.
std::pair<std::uint64_t, std::uint64_t> identity(int socket)
{
    struct stat status{};
    if (socket < 0 || ::fstat(socket, &status) != 0)
        return {0, 0};
    return {std::uint64_t(status.st_dev), std::uint64_t(status.st_ino)};
}

}  // namespace

ConnectionWatchdog::ConnectionWatchdog(QString peer)
    : m_peer(std::move(peer)), m_thread([this] { run(); })
{
}

ConnectionWatchdog::~ConnectionWatchdog()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

ConnectionWatchdog::Ticket ConnectionWatchdog::watch(int socket, Clock::time_point deadline,
                                                     const char* operation)
{
    const auto [device, inode] = identity(socket);
    Ticket ticket = 0;
    bool earlier = false;
    {
        std::lock_guard lock(m_mutex);
        ticket = m_nextTicket++;
        m_watched.emplace(ticket,
                          Watched{socket, device, inode, deadline, Clock::now(), operation});
        earlier = deadline < m_wakeAt;
    }
    // Waking the thread for every lease would cost a context switch per
    // statement; most deadlines come after the one it already waits for.
    if (earlier)
        m_changed.notify_all();
    return ticket;
}

bool ConnectionWatchdog::unwatch(Ticket ticket)
{
    std::lock_guard lock(m_mutex);
    const auto found = m_watched.find(ticket);
    if (found == m_watched.end())
        return false;
    const bool shut = found->second.shutDown;
    m_watched.erase(found);
    return shut;
}

void ConnectionWatchdog::forget(int socket)
{
    std::lock_guard lock(m_mutex);
    std::erase_if(m_watched, [socket](const auto& entry) { return entry.second.socket == socket; });
}

bool ConnectionWatchdog::wasShutDown(Ticket ticket) const
{
    std::lock_guard lock(m_mutex);
    const auto found = m_watched.find(ticket);
    return found != m_watched.end() && found->second.shutDown;
}

int ConnectionWatchdog::shutDownAll()
{
    std::lock_guard lock(m_mutex);
    int count = 0;
    for (auto& [ticket, watched] : m_watched) {
        if (!watched.shutDown && watched.socket >= 0 && shutDown(watched, "the server is stopping"))
            ++count;
    }
    return count;
}

bool ConnectionWatchdog::shutDown(Watched& watched, const char* reason)
{
    // Marked either way, so the socket is not looked at again.
    watched.shutDown = true;
    if (identity(watched.socket) != std::pair{watched.device, watched.inode})
        return false;  // libpq closed it, so the connection is broken already

    // shutdown(2), not close(2): the thread blocked in libpq still owns the
    // descriptor, and closing it could let a new socket take its number.
    ::shutdown(watched.socket, SHUT_RDWR);
    const auto busyMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - watched.since).count();
    qCWarning(lcWatchdog).noquote()
        << QStringLiteral("Closed a connection to %1 after %2 ran for %3 ms because %4. Its "
                          "caller gets an error, and the next request opens a new connection.")
               .arg(m_peer, QLatin1String(watched.operation))
               .arg(busyMs)
               .arg(QLatin1String(reason));
    return true;
}

void ConnectionWatchdog::run()
{
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        const Clock::time_point now = Clock::now();
        Clock::time_point next = Clock::time_point::max();
        for (auto& [ticket, watched] : m_watched) {
            if (watched.shutDown || watched.socket < 0)
                continue;
            if (watched.deadline <= now)
                shutDown(watched, "the database did not respond in time");
            else
                next = std::min(next, watched.deadline);
        }
        m_wakeAt = next;
        if (next == Clock::time_point::max())
            m_changed.wait(lock);
        else
            m_changed.wait_until(lock, next);
    }
}

}  // namespace valiant::server
