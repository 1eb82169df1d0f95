#pragma once

// PostgresStore: the Store of production deployments, where several
// valiant-server replicas share one PostgreSQL database (libpqxx). Money is
// BIGINT cents. Orders lock their account row (SELECT ... FOR UPDATE), so
// orders of one account run one after another across all replicas, and
// each quote insert updates the candle rollups in the same transaction.
//
// A lost connection (server restart, pg_terminate_backend) fails the call
// in progress with 503 database_unavailable and nothing half-applied; the
// pool reconnects with backoff on later calls. libpqxx stays out of this
// header (pimpl).

#include "store.h"

#include <memory>

namespace valiant::server {

class PostgresStore final : public Store
{
public:
    struct Options
    {
        int maxConnections = 16;
        /// Statements slower than this many milliseconds are logged with
        /// their EXPLAIN plan; 0 turns the log off.
        int slowStatementMs = 0;
    };

    /// Idempotency keys older than this are deleted; API clients may rely
    /// on a key being honored for 24 hours.
    static constexpr std::int64_t idempotencyKeyRetentionMs = 24LL * 3600 * 1000;
    /// Candle intervals kept as rollups; other intervals aggregate raw quotes.
    static constexpr std::int64_t rollupIntervalsMs[] = {60'000, 300'000, 3'600'000, 86'400'000};

    /// The schema version that migrate() brings a database to.
    static int latestSchemaVersion();

    /// Returns the number of orders this store filled in one round trip on
    /// cached holdings and quote, without reading them first.
    std::uint64_t ordersFilledFromCache() const;

    /// Connects to `url` (postgres:// or postgresql://) once to check that
    /// the database is reachable. Does not migrate. Errors are 503
    /// database_unavailable naming the host, port and database.
    static Result<std::unique_ptr<PostgresStore>> open(const QString& url, Options options);
    ~PostgresStore() override;

    /// The version recorded in schema_migrations; 0 for an empty database.
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
    Result<core::Portfolio> watchPortfolio(std::int64_t accountId) override;
    Result<core::Ok> unwatchPortfolio(std::int64_t accountId) override;
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
    struct Private;
    explicit PostgresStore(std::unique_ptr<Private> d);

    std::unique_ptr<Private> d;
};

}  // namespace valiant::server
