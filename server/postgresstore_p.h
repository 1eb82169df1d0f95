#pragma once

// Internals of PostgresStore shared by its source files: the connection
// pool, statement execution with the slow statement log, and run(), which
// turns libpqxx exceptions into core::Error values so that none crosses
// the Store interface.

#include "postgrespool.h"
#include "postgresstatements.h"
#include "postgresstore.h"
#include "storecommon.h"

#include <QLoggingCategory>
#include <QStringList>

#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/subtransaction>
#include <pqxx/transaction>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <mutex>
#include <type_traits>
#include <unordered_map>

namespace valiant::server {

Q_DECLARE_LOGGING_CATEGORY(lcPostgres)

inline std::string toHex(const QByteArray& bytes)
{
    return bytes.toHex().toStdString();
}

inline QByteArray fromHex(const pqxx::field& field)
{
    return QByteArray::fromHex(QByteArray::fromStdString(field.as<std::string>()));
}

inline QString toQString(const pqxx::field& field)
{
    return QString::fromStdString(field.as<std::string>());
}

inline Money moneyOf(const pqxx::field& field)
{
    return Money::fromCents(field.as<std::int64_t>());
}

core::Error databaseUnavailable();

/// What an order needs to run again after a conflict.
struct OrderAttempt
{
    std::int64_t accountId;
    const OrderRequest& request;
    const QByteArray& idempotencyKey;
    const QByteArray& requestFingerprint;
    std::int64_t nowMs;
};

/// The holdings of each account and the newest quote as this process last
/// read or wrote them, so that tryCachedOrder() can judge and write an order
/// in one round trip. The write checks them against the database, and a
/// stale entry costs the usual two round trips.
class TradingCache
{
public:
    struct View
    {
        Holdings holdings;
        Quote newest;
    };

    std::optional<View> view(std::int64_t accountId) const;
    void noteHoldings(std::int64_t accountId, const Holdings& holdings);
    /// Stores the quote if it is newer than the stored one.
    void noteQuote(const std::optional<Quote>& quote);

private:
    // Past this size the map is cleared rather than grow without bound.
    static constexpr std::size_t maxAccounts = 100'000;

    mutable std::mutex m_mutex;
    std::unordered_map<std::int64_t, Holdings> m_holdings;
    std::optional<Quote> m_newest;
};

struct PostgresStore::Private
{
    Private(const QString& url, Options options);

    /// Runs a prepared statement and, when the log is on and it took at
    /// least slowStatementMs, logs it with its EXPLAIN plan. A single read
    /// runs in a pqxx::nontransaction: one round trip instead of three.
    template <typename Transaction, typename... Args>
    pqxx::result exec(Transaction& transaction, const sql::Statement& statement,
                      const Args&... arguments)
    {
        const auto started = std::chrono::steady_clock::now();
        pqxx::result result = transaction.exec_prepared(statement.name, arguments...);
        if (slowStatementMs <= 0)
            return result;

        const auto elapsedMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - started)
                                   .count();
        if (elapsedMs >= slowStatementMs)
            logSlowStatement(
                statement, elapsedMs,
                explain(transaction, std::string("EXPLAIN ") + statement.text, arguments...));
        return result;
    }

    /// The plan of `query`, or why there is none. In a transaction it runs
    /// in a subtransaction, so a failed EXPLAIN cannot abort the caller's work.
    template <typename Transaction, typename... Args>
    static QStringList explain(Transaction& transaction, const std::string& query,
                               const Args&... arguments)
    {
        QStringList plan;
        try {
            if constexpr (std::is_base_of_v<pqxx::dbtransaction, Transaction>) {
                pqxx::subtransaction explaining(transaction, "explain");
                plan = planLines(explaining.exec_params(query, arguments...));
                explaining.commit();
            } else {
                plan = planLines(transaction.exec_params(query, arguments...));
            }
        } catch (const pqxx::sql_error& failure) {
            plan.append(
                QStringLiteral("(EXPLAIN failed: %1)").arg(QString::fromUtf8(failure.what())));
        }
        return plan;
    }

    static QStringList planLines(const pqxx::result& rows);

    void logSlowStatement(const sql::Statement& statement, std::int64_t elapsedMs,
                          const QStringList& plan) const;

    /// Borrows a connection and calls `body(connection)`, which returns a
    /// Result. A lost connection becomes 503 database_unavailable, and the
    /// connection is discarded. A deadlock, serialization failure or unique violation runs
    /// `body` again, up to 3 times in all. Any other database error is a
    /// logged 500 database_error. Each attempt's connection is cut after
    /// `timeout` (0 for no limit), which also counts as a lost connection.
    template <typename Body>
    auto run(const char* operation, Body&& body,
             std::chrono::milliseconds timeout = PostgresPool::defaultLeaseTimeout)
        -> std::invoke_result_t<Body&, pqxx::connection&>
    {
        constexpr int maxAttempts = 3;
        for (int attempt = 1;; ++attempt) {
            std::optional<PostgresPool::Lease> lease;
            try {
                lease.emplace(pool.acquire(timeout));
            } catch (const PostgresUnavailable&) {
                // The pool has logged the cause. The client gets no host or port.
                return databaseUnavailable();
            }

            try {
                return body(lease->connection());
            } catch (const pqxx::in_doubt_error& failure) {
                lease->discard();
                return failed(operation, failure,
                              QStringLiteral("the connection was lost while "
                                             "committing, so the outcome is "
                                             "unknown"));
            } catch (const pqxx::broken_connection& failure) {
                lease->discard();
                return failed(operation, failure, lease->lostReason());
            } catch (const pqxx::deadlock_detected& failure) {
                if (attempt < maxAttempts)
                    continue;
                return failed(operation, failure, {});
            } catch (const pqxx::serialization_failure& failure) {
                if (attempt < maxAttempts)
                    continue;
                return failed(operation, failure, {});
            } catch (const pqxx::unique_violation& failure) {
                // A concurrent transaction committed the same key first;
                // running again reads what it wrote.
                if (attempt < maxAttempts)
                    continue;
                return failed(operation, failure, {});
            } catch (const pqxx::sql_error& failure) {
                if (isConnectionLoss(failure.sqlstate()) || !lease->connection().is_open()) {
                    lease->discard();
                    return failed(operation, failure, lease->lostReason());
                }
                return failed(operation, failure, {});
            } catch (const std::exception& failure) {
                if (!lease->connection().is_open()) {
                    lease->discard();
                    return failed(operation, failure, lease->lostReason());
                }
                return failed(operation, failure, {});
            }
        }
    }

    /// Runs `attempt(transaction, locked)`, which returns nothing when the
    /// account changed under it. First without a lock, in autocommit: the
    /// attempt reads in one statement and writes in one that checks its
    /// reads still hold. An account that keeps changing (several clients
    /// at once) then gets the row lock for the whole attempt.
    template <typename T, typename Attempt>
    Result<T> optimistically(pqxx::connection& connection, Attempt&& attempt)
    {
        constexpr int optimisticAttempts = 3;
        for (int i = 0; i < optimisticAttempts; ++i) {
            pqxx::nontransaction transaction(connection);
            if (std::optional<Result<T>> outcome = attempt(transaction, false))
                return std::move(*outcome);
        }
        // Under the lock only a same-key commit that the first read missed
        // can still clash, and the next statement's snapshot includes it.
        constexpr int lockedAttempts = 3;
        for (int i = 0; i < lockedAttempts; ++i) {
            pqxx::work transaction(connection);
            std::optional<Result<T>> outcome = attempt(transaction, true);
            if (!outcome)
                continue;
            if (outcome->ok())
                transaction.commit();
            return std::move(*outcome);
        }
        return core::makeError(503, QStringLiteral("account_busy"),
                               QStringLiteral("The account changed during every attempt to apply "
                                              "this request. Send it again."));
    }

    template <typename Transaction>
    std::optional<Result<OrderOutcome>> tryOrder(Transaction& transaction, bool locked,
                                                 const OrderAttempt& attempt);

    /// Fills the order in one statement on the cached holdings and quote.
    /// Returns nothing when the cache has no entry, when it would reject the
    /// order (rejections are judged on fresh reads) or when the database differs.
    std::optional<OrderOutcome> tryCachedOrder(pqxx::connection& connection,
                                               const OrderAttempt& attempt);

    /// Runs `statement`, which returns the holdings and the newest quote of
    /// account $1 like sql::portfolio, and notes both in the cache.
    Result<core::Portfolio> readPortfolio(const char* operation, const sql::Statement& statement,
                                          std::int64_t accountId);

    template <typename Transaction>
    std::optional<Result<PraiseResult>> tryPraise(Transaction& transaction, bool locked,
                                                  std::int64_t accountId, std::int64_t nowMs);

    /// SQLSTATE classes of a connection that is gone or going: 08
    /// (connection exception), 57P01..57P03 (shutdown, crash, starting up)
    /// and 53300 (too many connections).
    static bool isConnectionLoss(const std::string& sqlState);

    /// Logs the failure, at most once per operation in 10 s, and returns
    /// 503 database_unavailable when `lostReason` is set, 503 storage_full
    /// when the disk is full, else 500 database_error.
    core::Error failed(const char* operation, const std::exception& failure,
                       const QString& lostReason) const;

    /// Deletes idempotency keys past their retention, at most once a minute
    /// per process and in its own transaction.
    void pruneIdempotencyKeys(pqxx::connection& connection, std::int64_t nowMs);

    PostgresPool pool;
    QString displayName;
    int slowStatementMs = 0;
    // At most one log line per operation in this time, so an outage does
    // not log every request.
    mutable LogThrottle failureLog{std::chrono::seconds(10)};
    std::atomic<std::int64_t> lastPruneMs{0};
    TradingCache cache;
    // Until this time (ms since the epoch), every wallet change counts as
    // watched. Set by migrate().
    std::atomic<std::int64_t> publishAllWalletsUntilMs{0};
    std::atomic<std::uint64_t> ordersFilledFromCache{0};
};

}  // namespace valiant::server
