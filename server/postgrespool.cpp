#include "postgrespool.h"

#include "logging.h"

#include <QLoggingCategory>
#include <QUrl>
#include <QUrlQuery>

#include <pqxx/except>
#include <pqxx/nontransaction>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcPool, "valiant.store")

using Clock = std::chrono::steady_clock;

}  // namespace

std::string postgresConnectionString(const QString& url)
{
    QUrl parsed(url);
    QUrlQuery query(parsed);
    if (!query.hasQueryItem(QStringLiteral("connect_timeout")))
        query.addQueryItem(QStringLiteral("connect_timeout"), QStringLiteral("2"));
    if (!query.hasQueryItem(QStringLiteral("application_name")))
        query.addQueryItem(QStringLiteral("application_name"), QStringLiteral("valiant-server"));
    parsed.setQuery(query);
    return parsed.toString(QUrl::FullyEncoded).toStdString();
}

QString postgresDisplayName(const QString& url)
{
    const QUrl parsed(url);
    return QStringLiteral("%1:%2%3").arg(parsed.host()).arg(parsed.port(5432)).arg(parsed.path());
}

PostgresPool::PostgresPool(const QString& url, int maxConnections, ConnectionSetup setup)
    : m_connectionString(postgresConnectionString(url)),
      m_displayName(postgresDisplayName(url)),
      m_maxConnections(std::max(1, maxConnections)),
      m_setup(std::move(setup)),
      m_watchdog(QStringLiteral("PostgreSQL at %1").arg(m_displayName))
{
}

PostgresPool::~PostgresPool() = default;

PostgresPool::Lease::Lease(PostgresPool& pool, std::unique_ptr<pqxx::connection> connection,
                           ConnectionWatchdog::Ticket ticket, std::chrono::milliseconds timeout)
    : m_pool(&pool), m_connection(std::move(connection)), m_ticket(ticket), m_timeout(timeout)
{
}

PostgresPool::Lease::Lease(Lease&& other) noexcept
    : m_pool(other.m_pool),
      m_connection(std::move(other.m_connection)),
      m_ticket(other.m_ticket),
      m_timeout(other.m_timeout),
      m_discarded(other.m_discarded),
      m_retired(other.m_retired)
{
}

PostgresPool::Lease::~Lease()
{
    if (m_connection)
        m_pool->release(std::move(m_connection), m_discarded, m_retired, m_ticket, m_timeout);
}

void PostgresPool::Lease::discard()
{
    m_discarded = true;
}

QString PostgresPool::Lease::lostReason() const
{
    if (!m_pool->m_watchdog.wasShutDown(m_ticket))
        return QStringLiteral("the connection was lost");
    std::lock_guard lock(m_pool->m_mutex);
    if (m_pool->m_stopping)
        return QStringLiteral("the server is stopping, so the connection was closed");
    return QStringLiteral("PostgreSQL did not respond within %1 ms, so the connection was closed")
        .arg(m_timeout.count());
}

PostgresPool::Lease PostgresPool::acquire(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    m_released.wait(lock, [this] { return !m_idle.empty() || m_openCount < m_maxConnections; });

    if (!m_idle.empty()) {
        std::unique_ptr<pqxx::connection> connection = std::move(m_idle.back());
        m_idle.pop_back();
        lock.unlock();
        return lease(std::move(connection), timeout);
    }

    const Clock::time_point now = Clock::now();
    if (now < m_nextAttempt) {
        const auto waitMs =
            std::chrono::duration_cast<std::chrono::milliseconds>(m_nextAttempt - now).count();
        throw PostgresUnavailable(QStringLiteral("PostgreSQL at %1 is unreachable (%2); the next "
                                                 "connection attempt is in %3 ms.")
                                      .arg(m_displayName, m_lastFailure)
                                      .arg(waitMs)
                                      .toStdString());
    }

    if (m_stopping) {
        throw PostgresUnavailable(QStringLiteral("The server is stopping, so it opens no new "
                                                 "connection to PostgreSQL at %1.")
                                      .arg(m_displayName)
                                      .toStdString());
    }
    const bool probe = m_backoff.count() != 0;
    if (probe && m_probing) {
        throw PostgresUnavailable(QStringLiteral("PostgreSQL at %1 is unreachable (%2); another "
                                                 "connection attempt is under way.")
                                      .arg(m_displayName, m_lastFailure)
                                      .toStdString());
    }

    // Connect outside the lock, holding a slot, so other callers can still
    // take idle connections meanwhile.
    ++m_openCount;
    m_probing = probe;
    lock.unlock();
    std::unique_ptr<pqxx::connection> connection;
    try {
        connection = openConnection();
    } catch (const std::exception& failure) {
        // Copies for the messages, because other threads change the
        // members once the lock is released.
        const QString cause = flattenLineBreaks(QString::fromUtf8(failure.what()));
        lock.lock();
        --m_openCount;
        m_probing = false;
        backOff(cause);
        const auto retryMs = m_backoff.count();
        lock.unlock();
        m_released.notify_one();
        qCWarning(lcPool).noquote() << "Failed to connect to PostgreSQL at" << m_displayName << ":"
                                    << cause << "; retrying in" << retryMs << "ms.";
        throw PostgresUnavailable(QStringLiteral("Failed to connect to PostgreSQL at %1: %2")
                                      .arg(m_displayName, cause)
                                      .toStdString());
    }

    lock.lock();
    m_probing = false;
    if (m_backoff.count() != 0)
        qCInfo(lcPool).noquote() << "Connected to PostgreSQL at" << m_displayName << "again.";
    m_backoff = std::chrono::milliseconds{0};
    m_nextAttempt = {};
    lock.unlock();
    return lease(std::move(connection), timeout);
}

PostgresPool::Lease PostgresPool::lease(std::unique_ptr<pqxx::connection> connection,
                                        std::chrono::milliseconds timeout)
{
    const Clock::time_point deadline =
        timeout.count() > 0 ? Clock::now() + timeout : Clock::time_point::max();
    const ConnectionWatchdog::Ticket ticket =
        m_watchdog.watch(connection->sock(), deadline, "a statement");
    Lease lease(*this, std::move(connection), ticket, timeout);
    if (timeout.count() == 0) {
        lease.m_retired = true;
        try {
            pqxx::nontransaction transaction(lease.connection());
            transaction.exec("SET statement_timeout = 0");
        } catch (const std::exception& failure) {
            lease.discard();
            const QString message =
                QStringLiteral("Failed to turn off statement_timeout on a connection to PostgreSQL "
                               "at %1: %2")
                    .arg(m_displayName, flattenLineBreaks(QString::fromUtf8(failure.what())));
            qCWarning(lcPool).noquote() << message;
            throw PostgresUnavailable(message.toStdString());
        }
    }
    return lease;
}

void PostgresPool::backOff(const QString& failure)
{
    m_backoff = m_backoff.count() == 0 ? initialBackoff : std::min(m_backoff * 2, maxBackoff);
    m_nextAttempt = Clock::now() + m_backoff;
    m_lastFailure = failure;
}

int PostgresPool::disconnectForStop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    return m_watchdog.shutDownAll();
}

std::unique_ptr<pqxx::connection> PostgresPool::openConnection()
{
    auto connection = std::make_unique<pqxx::connection>(m_connectionString);
    {
        // Set here, not in the startup packet, which poolers may reject.
        pqxx::nontransaction transaction(*connection);
        transaction.exec("SET statement_timeout = " + std::to_string(statementTimeout.count()));
    }
    if (m_setup)
        m_setup(*connection);
    return connection;
}

void PostgresPool::release(std::unique_ptr<pqxx::connection> connection, bool discarded,
                           bool retired, ConnectionWatchdog::Ticket ticket,
                           std::chrono::milliseconds timeout)
{
    // A socket shut down just after its last statement still looks open
    // to libpq.
    const bool cut = m_watchdog.unwatch(ticket);
    if (cut)
        discarded = true;

    std::vector<std::unique_ptr<pqxx::connection>> dropped;
    {
        std::lock_guard lock(m_mutex);
        // A server that did not respond within the time limit would most
        // likely keep the next connection attempts waiting too. Leases cut
        // together (all of them, at a freeze) count as one failure.
        if (cut && !m_stopping && Clock::now() >= m_nextAttempt) {
            backOff(QStringLiteral("no response within %1 ms").arg(timeout.count()));
            qCWarning(lcPool).noquote()
                << "PostgreSQL at" << m_displayName << "did not respond within" << timeout.count()
                << "ms; new connections wait" << m_backoff.count() << "ms.";
        }
        if (discarded || !connection->is_open()) {
            // Idle connections share the fate of the broken one (a server
            // restart kills them all), so they go too.
            dropped = std::move(m_idle);
            m_idle.clear();
            m_openCount -= int(dropped.size()) + 1;
            dropped.push_back(std::move(connection));
        } else if (retired) {
            --m_openCount;
            dropped.push_back(std::move(connection));
        } else {
            m_idle.push_back(std::move(connection));
        }
    }
    m_released.notify_all();
    // Closing sockets happens outside the lock; `dropped` ends here.
}

}  // namespace valiant::server
