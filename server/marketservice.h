#pragma once

// MarketService: the operations of the API on top of a Store and a
// QuoteBus, independent of HTTP. Passwords are hashed with argon2id and
// tokens (32 random bytes) are kept only as hashes. Every method is
// synchronous and thread-safe; the server calls them from its worker pool.

#include "core/pricemodel.h"
#include "sessioncache.h"
#include "store.h"

#include <QString>

#include <atomic>
#include <functional>

namespace valiant::server {

class QuoteBus;
class Metrics;

struct SessionGrant
{
    Account account;
    QString token;  // returned once, never stored
};

struct Health
{
    bool databaseOk = false;
    // The latest write failed because the database's disk is full. Reads
    // still work, and the next successful write clears it.
    bool storageFull = false;
    QString bus;        // local, redis, degraded
    QString generator;  // leader, follower, off
};

class MarketService
{
public:
    using Clock = std::function<std::int64_t()>;  // ms since the epoch, UTC

    static constexpr std::int64_t sessionLifetimeMs = 30LL * 24 * 3600 * 1000;

    MarketService(Store& store, QuoteBus& bus, Metrics& metrics, Money startingCash, Clock clock);

    Result<SessionGrant> createAccount(const QString& username, const QString& password);
    Result<SessionGrant> logIn(const QString& username, const QString& password);
    /// For the embedded instance: the one local account ("local"), created
    /// on first use, and a new token for it. No password exists for it.
    Result<SessionGrant> localSession();
    Result<core::Ok> logOut(const QString& token);
    /// 401 invalid_token when the token is unknown, expired or logged out.
    /// A token confirmed in the last SessionCache::defaultTtlMs is taken
    /// from the cache, so another replica's log-out takes up to that long.
    Result<Account> authenticate(const QString& token);

    Result<Quote> latestQuote();  // 404 no_quotes
    Result<QList<Quote>> quotesAfter(std::int64_t afterId, int limit);
    Result<QList<Quote>> quotesSince(std::int64_t sinceMs, int limit);
    Result<QList<Quote>> latestQuotes(int limit);
    Result<QList<Candle>> candles(std::int64_t intervalMs, std::int64_t fromMs, std::int64_t toMs);

    Result<core::Portfolio> portfolio(std::int64_t accountId);
    /// Reads the wallet for a stream session that starts watching it, or
    /// stops counting a session that ends. See Store::watchPortfolio().
    Result<core::Portfolio> watchPortfolio(std::int64_t accountId);
    Result<core::Ok> unwatchPortfolio(std::int64_t accountId);
    /// Publishes the new wallet on the bus when the order changed it.
    Result<OrderOutcome> placeOrder(std::int64_t accountId, const OrderRequest& request,
                                    const QByteArray& idempotencyKey);
    /// Rejects an order request whose body was invalid with `error`. With an
    /// idempotency key the rejection is kept under the key, like a rejection
    /// by the trading rules, so that a repeat of `body` replays it and any
    /// other request with the key gets 422 idempotency_key_reused.
    Result<OrderOutcome> rejectInvalidOrder(std::int64_t accountId, const QByteArray& body,
                                            const QByteArray& idempotencyKey,
                                            const core::Error& error);
    Result<PraiseResult> praise(std::int64_t accountId);
    Result<QList<Order>> orders(std::int64_t accountId, std::int64_t beforeId, int limit);

    /// Makes the next quote from the latest one (the first is $50.00),
    /// stores it and publishes it. Called by the generator on the leader.
    Result<Quote> generateQuote(core::PriceModel::Random& random);

    Health health(const QString& generatorState);
    std::int64_t now() const { return m_clock(); }
    Store& store() { return m_store; }
    QuoteBus& bus() { return m_bus; }
    Metrics& metrics() { return m_metrics; }

private:
    /// Tracks whether writes fail for lack of disk space: a successful
    /// write (`wrote`) clears the flag and a storage_full error sets it.
    template <typename T>
    void noteWrite(bool wrote, const Result<T>& result);

    Store& m_store;
    QuoteBus& m_bus;
    Metrics& m_metrics;
    Money m_startingCash;
    Clock m_clock;
    SessionCache m_sessions;
    std::atomic<bool> m_storageFull{false};
};

}  // namespace valiant::server
