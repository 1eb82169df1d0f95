#include "sqlitepool.h"

#include <QLoggingCategory>

#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <utility>

namespace valiant::server {

namespace {
Q_LOGGING_CATEGORY(lcSqlite, "valiant.store")
}  // namespace

SqliteFailure::SqliteFailure(int resultCode, QString message)
    : m_resultCode(resultCode), m_message(std::move(message)), m_utf8(m_message.toUtf8())
{
}

void throwSqliteFailure(sqlite3* connection, int resultCode, const char* operation)
{
    const QString reason = connection ? QString::fromUtf8(sqlite3_errmsg(connection))
                                      : QString::fromUtf8(sqlite3_errstr(resultCode));
    throw SqliteFailure(resultCode, QStringLiteral("SQLite failed to %1: %2 (code %3)")
                                        .arg(QString::fromUtf8(operation), reason)
                                        .arg(resultCode));
}

void sqliteExecute(sqlite3* connection, const char* sql)
{
    char* message = nullptr;
    const int rc = sqlite3_exec(connection, sql, nullptr, nullptr, &message);
    sqlite3_free(message);
    if (rc != SQLITE_OK) {
        throwSqliteFailure(connection, rc, sql);
    }
}

// --- SqlitePool ------------------------------------------------------------

SqlitePool::SqlitePool(QString path, int maxConnections)
    : m_path(std::move(path)), m_maxConnections(maxConnections < 1 ? 1 : maxConnections)
{
}

SqlitePool::~SqlitePool()
{
    // Every lease has ended by now, because leases live inside Store calls
    // and the store outlives its callers.
    for (sqlite3* connection : m_idle) {
        sqlite3_close_v2(connection);
    }
}

SqlitePool::Lease::Lease(Lease&& other) noexcept
    : m_pool(std::exchange(other.m_pool, nullptr)),
      m_connection(std::exchange(other.m_connection, nullptr))
{
}

SqlitePool::Lease::~Lease()
{
    if (m_pool && m_connection) {
        m_pool->release(m_connection);
    }
}

SqlitePool::Lease SqlitePool::acquire()
{
    std::unique_lock lock(m_mutex);
    m_released.wait(lock, [this] { return !m_idle.empty() || m_openCount < m_maxConnections; });

    if (!m_idle.empty()) {
        sqlite3* connection = m_idle.back();
        m_idle.pop_back();
        return Lease(*this, connection);
    }

    // Open outside the lock: opening touches the file and may wait on it.
    ++m_openCount;
    lock.unlock();
    try {
        return Lease(*this, openConnection());
    } catch (...) {
        lock.lock();
        --m_openCount;
        m_released.notify_one();
        throw;
    }
}

void SqlitePool::release(sqlite3* connection)
{
    {
        std::lock_guard lock(m_mutex);
        m_idle.push_back(connection);
    }
    m_released.notify_one();
}

int SqlitePool::waitForLock(void* pool, int attempt)
{
    constexpr int sleepMs = 5;
    const auto* self = static_cast<const SqlitePool*>(pool);
    if (self->m_cancelLockWaits || attempt * sleepMs >= busyTimeoutMs) {
        return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(sleepMs));
    return 1;
}

sqlite3* SqlitePool::openConnection()
{
    sqlite3* connection = nullptr;
    const QByteArray path = m_path.toUtf8();
    // NOMUTEX: a connection is used by one thread at a time, guarded by the pool.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.constData(), &connection, flags, nullptr);
    if (rc != SQLITE_OK) {
        const QString reason = connection ? QString::fromUtf8(sqlite3_errmsg(connection))
                                          : QString::fromUtf8(sqlite3_errstr(rc));
        sqlite3_close_v2(connection);
        throw SqliteFailure(rc, QStringLiteral("Failed to open the SQLite database %1: %2. Check "
                                               "that its folder exists and is writable.")
                                    .arg(m_path, reason));
    }

    try {
        sqlite3_busy_handler(connection, &SqlitePool::waitForLock, this);
        sqlite3_extended_result_codes(connection, 1);
        // WAL lets readers run while one writer commits; NORMAL sync is
        // durable across application crashes in WAL mode and much faster than FULL.
        sqliteExecute(connection, "PRAGMA journal_mode = WAL");
        sqliteExecute(connection, "PRAGMA synchronous = NORMAL");
        sqliteExecute(connection, "PRAGMA foreign_keys = ON");
    } catch (const SqliteFailure& failure) {
        sqlite3_close_v2(connection);
        // A full disk shows up as SQLITE_FULL, or as an I/O error when SQLite
        // cannot size its -wal or -shm file.
        const int primary = failure.resultCode() & 0xff;
        const QString remedy = primary == SQLITE_FULL || primary == SQLITE_IOERR
                                   ? QStringLiteral("Check that the disk holding it has free space "
                                                    "and that its folder is writable.")
                                   : QStringLiteral("Point the database URL at a SQLite file or a "
                                                    "new path.");
        throw SqliteFailure(failure.resultCode(),
                            QStringLiteral("Failed to use %1 as a SQLite database: %2. %3")
                                .arg(m_path, failure.message(), remedy));
    }

    qCDebug(lcSqlite) << "Opened a SQLite connection to" << m_path;
    return connection;
}

// --- SqliteStatement -------------------------------------------------------

SqliteStatement::SqliteStatement(sqlite3* connection, const char* sql)
    : m_connection(connection), m_sql(sql)
{
    const int rc = sqlite3_prepare_v2(connection, sql, -1, &m_statement, nullptr);
    if (rc != SQLITE_OK) {
        throwSqliteFailure(connection, rc, sql);
    }
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value)
{
    const int rc = sqlite3_bind_int64(m_statement, index, value);
    if (rc != SQLITE_OK) {
        throwSqliteFailure(m_connection, rc, m_sql);
    }
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, const QString& text)
{
    const QByteArray utf8 = text.toUtf8();
    const int rc =
        sqlite3_bind_text(m_statement, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) {
        throwSqliteFailure(m_connection, rc, m_sql);
    }
    return *this;
}

SqliteStatement& SqliteStatement::bindBlob(int index, const QByteArray& blob)
{
    // A zero-length blob, not NULL, for an empty array: the columns are NOT NULL.
    const int rc = sqlite3_bind_blob(m_statement, index, blob.constData() ? blob.constData() : "",
                                     int(blob.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) {
        throwSqliteFailure(m_connection, rc, m_sql);
    }
    return *this;
}

bool SqliteStatement::step()
{
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    throwSqliteFailure(m_connection, rc, m_sql);
}

void SqliteStatement::run()
{
    while (step()) {
    }
}

std::int64_t SqliteStatement::int64(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

QString SqliteStatement::text(int column) const
{
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
    return QString::fromUtf8(data, sqlite3_column_bytes(m_statement, column));
}

QByteArray SqliteStatement::blob(int column) const
{
    const auto* data = static_cast<const char*>(sqlite3_column_blob(m_statement, column));
    return QByteArray(data, sqlite3_column_bytes(m_statement, column));
}

bool SqliteStatement::isNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

// --- SqliteTransaction -----------------------------------------------------

SqliteTransaction::SqliteTransaction(sqlite3* connection, Mode mode) : m_connection(connection)
{
    sqliteExecute(connection, mode == Mode::Write ? "BEGIN IMMEDIATE" : "BEGIN");
}

SqliteTransaction::~SqliteTransaction()
{
    if (!m_open) {
        return;
    }
    const int rc = sqlite3_exec(m_connection, "ROLLBACK", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK && sqlite3_get_autocommit(m_connection) == 0) {
        qCWarning(lcSqlite) << "SQLite failed to roll back a transaction:"
                            << sqlite3_errmsg(m_connection);
    }
}

void SqliteTransaction::commit()
{
    sqliteExecute(m_connection, "COMMIT");
    m_open = false;
}

}  // namespace valiant::server
