#pragma once

// SqliteStore: the Store of the embedded local instance and of single-node
// servers, one SQLite file in WAL mode. Money is stored as INTEGER cents.
// Write transactions are serialized inside the process and take SQLite's
// write lock up front (BEGIN IMMEDIATE), so concurrent orders queue instead
// of failing with "database is locked".

#include "store.h"

#include <atomic>
#include <memory>
#include <mutex>

struct sqlite3;

namespace valiant::server {

class SqlitePool;

class SqliteStore final : public Store
{
public:
    static constexpr int defaultMaxConnections = 16;
    /// Idempotency keys older than this are deleted; API clients may rely
    /// on a key being honored for 24 hours.
    static constexpr std::int64_t idempotencyKeyRetentionMs = 24LL * 3600 * 1000;
    /// The schema version that migrate() brings a database to.
    static int latestSchemaVersion();

    /// Opens or creates the database file at `path` (its folder must exist)
    /// and checks that it is a usable SQLite database. Does not migrate.
    static Result<std::unique_ptr<SqliteStore>> open(const QString& path,
                                                     int maxConnections = defaultMaxConnections);
    ~SqliteStore() override;

    /// The version recorded in schema_migrations; 0 for a new file.
    Result<int> schemaVersion() override;

    Result<core::Ok> migrate() override;
    Result<core::Ok> ping() override;
    void cancelRunningStatements() override;

    Result<Account> createAccount(const QString& username, const QByteArray& passwordHash,
                                  Money startingCash) override;
    Result<AccountCredentials> findAccount(const QString& username) override;
    Result<core::Ok> createSession(std::int64_t accountId, const QByteArray& tokenHash,
                                   std::int64_t expiresMs) override;
    Result<Account> findSession(const QByteArray& tokenHash, std::int64_t nowMs,
                                std::int64_t* expiresMs = nullptr) override;
    Result<core::Ok> deleteSession(const QByteArray& tokenHash) override;

    Result<Quote> insertQuote(Money price, std::int64_t createdMs) override;
    Result<std::optional<Quote>> latestQuote() override;
    Result<QList<Quote>> quotesAfter(std::int64_t afterId, int limit) override;
    Result<QList<Quote>> quotesSince(std::int64_t sinceMs, int limit) override;
    Result<QList<Quote>> latestQuotes(int limit) override;
    Result<QList<Candle>> candles(std::int64_t intervalMs, std::int64_t fromMs,
                                  std::int64_t toMs) override;

    Result<core::Portfolio> portfolio(std::int64_t accountId) override;
    Result<OrderOutcome> placeOrder(std::int64_t accountId, const OrderRequest& request,
                                    const QByteArray& idempotencyKey,
                                    const QByteArray& requestFingerprint,
                                    std::int64_t nowMs) override;
    Result<OrderOutcome> keepInvalidOrder(std::int64_t accountId, const QByteArray& idempotencyKey,
                                          const QByteArray& requestFingerprint,
                                          const StoredResponse& response,
                                          std::int64_t nowMs) override;
    Result<PraiseResult> praise(std::int64_t accountId, std::int64_t nowMs) override;
    Result<QList<Order>> orders(std::int64_t accountId, std::int64_t beforeId, int limit) override;

private:
    explicit SqliteStore(std::unique_ptr<SqlitePool> pool);
    /// Deletes expired idempotency keys, at most once a minute. Call with
    /// the write lock held, inside a write transaction.
    void pruneIdempotencyKeys(sqlite3* connection, std::int64_t nowMs);

    std::unique_ptr<SqlitePool> m_pool;
    // Serializes this process's write transactions, so they wait here in
    // order rather than in SQLite's sleeping busy handler.
    std::mutex m_writeMutex;
    std::atomic<std::int64_t> m_lastPruneMs{0};
};

}  // namespace valiant::server
