#pragma once

// SqlitePool: a small pool of SQLite connections to one database file, one
// connection per concurrent caller, plus thin RAII wrappers for prepared
// statements and transactions over the sqlite3 C API. Used only by
// SqliteStore. Failures throw SqliteFailure, which SqliteStore turns into a
// core::Error at each Store method, so no exception crosses the Store interface.

#include <QByteArray>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace valiant::server {

/// A failed SQLite call: the sqlite3 result code and a message naming the
/// operation, the file and SQLite's reason.
class SqliteFailure : public std::exception
{
public:
    SqliteFailure(int resultCode, QString message);

    int resultCode() const { return m_resultCode; }
    const QString& message() const { return m_message; }
    const char* what() const noexcept override { return m_utf8.constData(); }

private:
    int m_resultCode;
    QString m_message;
    QByteArray m_utf8;
};

class SqlitePool
{
public:
    /// How long a connection waits for another process's write lock
    /// (the `account create` command, a second server) before failing.
    static constexpr int busyTimeoutMs = 5000;

    /// Keeps the path; connections open on first use.
    SqlitePool(QString path, int maxConnections);
    ~SqlitePool();

    SqlitePool(const SqlitePool&) = delete;
    SqlitePool& operator=(const SqlitePool&) = delete;

    /// A connection borrowed from the pool, returned when the lease ends.
    class Lease
    {
    public:
        Lease(SqlitePool& pool, sqlite3* connection) : m_pool(&pool), m_connection(connection) {}
        Lease(Lease&& other) noexcept;
        Lease& operator=(Lease&&) = delete;
        ~Lease();

        sqlite3* handle() const { return m_connection; }

    private:
        SqlitePool* m_pool;
        sqlite3* m_connection;
    };

    /// Borrows an idle connection, opens a new one while fewer than the
    /// maximum exist, or else waits for one. Throws SqliteFailure when a new
    /// connection cannot be opened.
    Lease acquire();

    const QString& path() const { return m_path; }

    /// Ends every wait for another process's lock at once, now and until
    /// the pool is destroyed, so that the waiting statements fail with
    /// SQLITE_BUSY. Callable from any thread.
    void cancelLockWaits() { m_cancelLockWaits = true; }

private:
    sqlite3* openConnection();
    void release(sqlite3* connection);
    /// Waits, as the connection's busy handler, up to busyTimeoutMs in
    /// total in short sleeps, unless cancelLockWaits() was called.
    static int waitForLock(void* pool, int attempt);

    QString m_path;
    int m_maxConnections;
    std::mutex m_mutex;
    std::condition_variable m_released;
    std::vector<sqlite3*> m_idle;
    int m_openCount = 0;
    std::atomic<bool> m_cancelLockWaits{false};
};

/// One prepared statement. Parameters are 1-based, columns 0-based, as in
/// the sqlite3 API.
class SqliteStatement
{
public:
    SqliteStatement(sqlite3* connection, const char* sql);
    ~SqliteStatement();

    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    SqliteStatement& bind(int index, std::int64_t value);
    SqliteStatement& bind(int index, const QString& text);
    SqliteStatement& bindBlob(int index, const QByteArray& blob);

    /// Advances to the next row: true when a row is available, false when
    /// the statement is done.
    bool step();
    /// Runs a statement that returns no rows.
    void run();

    std::int64_t int64(int column) const;
    QString text(int column) const;
    QByteArray blob(int column) const;
    bool isNull(int column) const;

private:
    sqlite3* m_connection;
    sqlite3_stmt* m_statement = nullptr;
    const char* m_sql;
};

/// A transaction that rolls back unless committed. Write transactions use
/// BEGIN IMMEDIATE: they take the write lock before reading, so their writes
/// cannot fail with SQLITE_BUSY on a lock upgrade (busy_timeout applies to BEGIN).
class SqliteTransaction
{
public:
    enum class Mode
    {
        Read,
        Write
    };

    SqliteTransaction(sqlite3* connection, Mode mode);
    ~SqliteTransaction();

    SqliteTransaction(const SqliteTransaction&) = delete;
    SqliteTransaction& operator=(const SqliteTransaction&) = delete;

    void commit();

private:
    sqlite3* m_connection;
    bool m_open = true;
};

/// Runs SQL text without parameters or results (schema statements, pragmas).
void sqliteExecute(sqlite3* connection, const char* sql);

/// Throws SqliteFailure for `resultCode` with the connection's message.
[[noreturn]] void throwSqliteFailure(sqlite3* connection, int resultCode, const char* operation);

}  // namespace valiant::server
