#pragma once

// Store: the persistence interface of the market, implemented by
// SqliteStore (embedded default) and PostgresStore (replicated servers). Every call is
// synchronous and thread-safe; the server runs them on its worker pool,
// never on a network thread. A failure to reach the database is an Error
// with status 503 and code database_unavailable.

#include "core/market.h"
#include "core/orderrules.h"
#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <cstdint>
#include <optional>

namespace valiant::server {

using core::Account;
using core::Candle;
using core::Holdings;
using core::Money;
using core::Order;
using core::OrderRequest;
using core::Quote;
using core::Result;

struct AccountCredentials
{
    Account account;
    QByteArray passwordHash;  // libsodium crypto_pwhash_str output
};

/// A response kept with its Idempotency-Key so that a repeat gets the same
/// response: the HTTP status and the JSON body.
struct StoredResponse
{
    int status = 0;
    QByteArray body;
};

/// Result of placeOrder: the response to send and, when this call changed
/// the account (not a replay, not a rejection), the account's new wallet
/// for the stream's portfolio message.
struct OrderOutcome
{
    StoredResponse response;
    bool replayed = false;
    std::optional<core::Portfolio> changedPortfolio;
    /// False when the store counts no stream session, on any replica, that
    /// watches the account's wallet, so the change need not leave this
    /// process. True when the store does not count them.
    bool walletWatched = true;
};

struct PraiseResult
{
    Money bonus;
    core::Portfolio portfolio;
};

class Store
{
public:
    virtual ~Store() = default;

    /// Creates or upgrades the schema; safe to call at every start.
    virtual Result<core::Ok> migrate() = 0;
    /// The schema version recorded in the database; 0 before migrate().
    virtual Result<int> schemaVersion() = 0;
    virtual Result<core::Ok> ping() = 0;
    /// Ends the waits of callers blocked in the database, so that a
    /// shutdown does not wait for a blocked statement: SQLite stops waiting
    /// for a lock, and PostgreSQL connections in use are disconnected. The
    /// callers get errors. Callable from any thread, and again for
    /// statements that started later.
    virtual void cancelRunningStatements() = 0;

    // Accounts and sessions. Only hashes of passwords and tokens are stored.
    virtual Result<Account> createAccount(const QString& username, const QByteArray& passwordHash,
                                          Money startingCash) = 0;  // 409 username_taken
    virtual Result<AccountCredentials> findAccount(const QString& username) = 0;  // 404 not_found
    virtual Result<core::Ok> createSession(std::int64_t accountId, const QByteArray& tokenHash,
                                           std::int64_t expiresMs) = 0;
    /// 401 invalid_token; `expiresMs`, when given, receives the session's end.
    virtual Result<Account> findSession(const QByteArray& tokenHash, std::int64_t nowMs,
                                        std::int64_t* expiresMs = nullptr) = 0;
    virtual Result<core::Ok> deleteSession(const QByteArray& tokenHash) = 0;

    // Quotes, ids ascending.
    virtual Result<Quote> insertQuote(Money price, std::int64_t createdMs) = 0;
    virtual Result<std::optional<Quote>> latestQuote() = 0;
    virtual Result<QList<Quote>> quotesAfter(std::int64_t afterId, int limit) = 0;
    virtual Result<QList<Quote>> quotesSince(std::int64_t sinceMs, int limit) = 0;
    virtual Result<QList<Quote>> latestQuotes(int limit) = 0;
    /// Candles of `intervalMs` aligned to the epoch, for buckets that start
    /// in [fromMs, toMs) and contain at least one quote.
    virtual Result<QList<Candle>> candles(std::int64_t intervalMs, std::int64_t fromMs,
                                          std::int64_t toMs) = 0;

    // Trading.
    virtual Result<core::Portfolio> portfolio(std::int64_t accountId) = 0;
    /// Reads the wallet for a stream session that starts watching it. A
    /// store shared by replicas counts the watching sessions with the read,
    /// so that a change committed after the read is published to the
    /// other replicas (OrderOutcome::walletWatched).
    virtual Result<core::Portfolio> watchPortfolio(std::int64_t accountId)
    {
        return portfolio(accountId);
    }
    /// Counts one watching stream session less. See watchPortfolio().
    virtual Result<core::Ok> unwatchPortfolio(std::int64_t accountId)
    {
        (void)accountId;
        return core::Ok{};
    }

    /// Runs one order in one write transaction: replays the stored response
    /// of `idempotencyKey` when present (422 idempotency_key_reused when the
    /// stored request differs from `requestFingerprint`), otherwise reads the
    /// latest quote, applies the core rules, records the order or the
    /// rejection, and stores the response with the key. An empty key means
    /// no idempotency.
    virtual Result<OrderOutcome> placeOrder(std::int64_t accountId, const OrderRequest& request,
                                            const QByteArray& idempotencyKey,
                                            const QByteArray& requestFingerprint,
                                            std::int64_t nowMs) = 0;
    /// Keeps `response`, the rejection of an order request whose body was
    /// invalid, under `idempotencyKey` when the key is new for the account.
    /// A key already used returns its first response as a replay when
    /// `requestFingerprint` matches, and 422 idempotency_key_reused when it
    /// does not, as placeOrder() does.
    virtual Result<OrderOutcome> keepInvalidOrder(std::int64_t accountId,
                                                  const QByteArray& idempotencyKey,
                                                  const QByteArray& requestFingerprint,
                                                  const StoredResponse& response,
                                                  std::int64_t nowMs) = 0;
    virtual Result<PraiseResult> praise(std::int64_t accountId, std::int64_t nowMs) = 0;
    /// Newest first, ids below `beforeId` (all when beforeId <= 0).
    virtual Result<QList<Order>> orders(std::int64_t accountId, std::int64_t beforeId,
                                        int limit) = 0;
};

}  // namespace valiant::server
