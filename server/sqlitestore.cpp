#include "sqlitestore.h"

#include "core/apicodec.h"
#include "sqlitepool.h"
#include "sqliteschema.h"
#include "storecommon.h"

#include <QDateTime>
#include <QLoggingCategory>

#include <sqlite3.h>

#include <limits>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcStore, "valiant.store")

using core::Error;
using core::makeError;
using Mode = SqliteTransaction::Mode;

const int migrationCount = int(sqliteMigrations().size());

// Keys are pruned at most this often, so placing an order rarely pays for it.
constexpr std::int64_t pruneIntervalMs = 60'000;

/// Builds the error returned to clients. The file's path and SQLite's text go to
/// the log only.
Error unavailable()
{
    return makeError(503, QStringLiteral("database_unavailable"),
                     QStringLiteral("The database is unavailable. Retry the request in a few "
                                    "seconds."));
}

// At most one log line per operation in this time, so a full disk or a
// locked file does not log every request.
LogThrottle failureLog(std::chrono::seconds(10));

/// Runs `body` and turns a SqliteFailure into a 503 error, logged with the
/// operation's name.
template <typename Function>
auto guarded(const char* operation, Function&& body) -> decltype(body())
{
    try {
        return body();
    } catch (const SqliteFailure& failure) {
        std::uint64_t suppressed = 0;
        if (failureLog.allow(operation, suppressed)) {
            qCWarning(lcStore).noquote()
                << "Store operation" << operation << "failed:" << failure.message() + repeatNote(suppressed);
        }
        // SQLite reports a write that ran out of disk space as SQLITE_FULL.
        if ((failure.resultCode() & 0xff) == SQLITE_FULL) {
            return storageFullError();
        }
        return unavailable();
    }
}

Quote readQuote(const SqliteStatement& statement, int firstColumn)
{
    return Quote{statement.int64(firstColumn), Money::fromCents(statement.int64(firstColumn + 1)),
                 statement.int64(firstColumn + 2)};
}

Order readOrder(const SqliteStatement& statement)
{
    Order order;
    order.id = statement.int64(0);
    order.side = statement.text(1) == QLatin1String("sell") ? core::Side::Sell : core::Side::Buy;
    order.quantity = statement.int64(2);
    order.price = Money::fromCents(statement.int64(3));
    order.total = Money::fromCents(statement.int64(4));
    order.quoteId = statement.int64(5);
    order.createdMs = statement.int64(6);
    return order;
}

std::optional<Quote> selectLatestQuote(sqlite3* connection)
{
    SqliteStatement statement(
        connection, "SELECT id, price_cents, created_ms FROM quotes ORDER BY id DESC LIMIT 1");
    if (!statement.step()) {
        return std::nullopt;
    }
    return readQuote(statement, 0);
}

std::optional<Holdings> selectHoldings(sqlite3* connection, std::int64_t accountId)
{
    SqliteStatement statement(
        connection,
        "SELECT cash_cents, shares, cost_basis_cents, wallet_version FROM accounts WHERE id = ?1");
    statement.bind(1, accountId);
    if (!statement.step()) {
        return std::nullopt;
    }
    return Holdings{Money::fromCents(statement.int64(0)), statement.int64(1),
                    Money::fromCents(statement.int64(2)), statement.int64(3)};
}

/// Stores `holdings` as the account's new wallet, one version after the
/// one they were computed from, and sets their version to it.
void updateHoldings(sqlite3* connection, std::int64_t accountId, Holdings& holdings)
{
    ++holdings.version;
    SqliteStatement statement(connection,
                              "UPDATE accounts SET cash_cents = ?2, shares = ?3, "
                              "cost_basis_cents = ?4, wallet_version = ?5 WHERE id = ?1");
    statement.bind(1, accountId)
        .bind(2, holdings.cash.cents())
        .bind(3, holdings.shares)
        .bind(4, holdings.costBasis.cents())
        .bind(5, holdings.version);
    statement.run();
}

Error accountNotFound(std::int64_t accountId)
{
    return makeError(404, QStringLiteral("not_found"),
                     QStringLiteral("Account %1 does not exist.").arg(accountId));
}

QList<Quote> readQuotes(SqliteStatement& statement)
{
    QList<Quote> quotes;
    while (statement.step()) {
        quotes.append(readQuote(statement, 0));
    }
    return quotes;
}

/// The stored response of an idempotency key, with the request fingerprint.
struct StoredKey
{
    QByteArray fingerprint;
    StoredResponse response;
};

std::optional<StoredKey> selectIdempotencyKey(sqlite3* connection, std::int64_t accountId,
                                              const QByteArray& key)
{
    SqliteStatement statement(connection,
                              "SELECT fingerprint, status, body FROM idempotency_keys "
                              "WHERE account_id = ?1 AND idempotency_key = ?2");
    statement.bind(1, accountId).bindBlob(2, key);
    if (!statement.step()) {
        return std::nullopt;
    }
    return StoredKey{statement.blob(0), StoredResponse{int(statement.int64(1)), statement.blob(2)}};
}

void insertIdempotencyKey(sqlite3* connection, std::int64_t accountId, const QByteArray& key,
                          const QByteArray& fingerprint, const StoredResponse& response,
                          std::int64_t nowMs)
{
    SqliteStatement statement(connection,
                              "INSERT INTO idempotency_keys (account_id, idempotency_key, "
                              "fingerprint, status, body, created_ms) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    statement.bind(1, accountId)
        .bindBlob(2, key)
        .bindBlob(3, fingerprint)
        .bind(4, std::int64_t(response.status))
        .bindBlob(5, response.body)
        .bind(6, nowMs);
    statement.run();
}

/// The outcome of a request whose idempotency key the account already
/// used: a replay of the first response when the request is the same, and
/// 422 idempotency_key_reused when it is not. Empty for a new key.
std::optional<Result<OrderOutcome>> replayKnownKey(sqlite3* connection, std::int64_t accountId,
                                                   const QByteArray& key,
                                                   const QByteArray& fingerprint)
{
    const std::optional<StoredKey> stored = selectIdempotencyKey(connection, accountId, key);
    if (!stored) {
        return std::nullopt;
    }
    return replayKeptResponse(stored->fingerprint, stored->response, fingerprint);
}

Order insertOrder(sqlite3* connection, std::int64_t accountId, const OrderRequest& request,
                  const core::Fill& fill, const Quote& quote, std::int64_t nowMs)
{
    SqliteStatement statement(connection,
                              "INSERT INTO orders (account_id, side, quantity, price_cents, "
                              "total_cents, quote_id, created_ms) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    statement.bind(1, accountId)
        .bind(2, core::sideName(request.side))
        .bind(3, request.quantity)
        .bind(4, fill.price.cents())
        .bind(5, fill.total.cents())
        .bind(6, quote.id)
        .bind(7, nowMs);
    statement.run();

    return Order{sqlite3_last_insert_rowid(connection),
                 request.side,
                 request.quantity,
                 fill.price,
                 fill.total,
                 quote.id,
                 nowMs};
}

}  // namespace

int SqliteStore::latestSchemaVersion()
{
    return migrationCount;
}

SqliteStore::SqliteStore(std::unique_ptr<SqlitePool> pool) : m_pool(std::move(pool)) {}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const QString& path, int maxConnections)
{
    auto pool = std::make_unique<SqlitePool>(path, maxConnections);
    try {
        // Opening one connection now turns a bad path or a file that is not
        // a database into an error at start-up instead of at the first request.
        SqlitePool::Lease lease = pool->acquire();
        SqliteStatement check(lease.handle(), "SELECT COUNT(*) FROM sqlite_master");
        check.step();
    } catch (const SqliteFailure& failure) {
        // Only the operator reads this start-up error, so it keeps SQLite's detail.
        return makeError(503, QStringLiteral("database_unavailable"), failure.message());
    }
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(pool)));
}

Result<int> SqliteStore::schemaVersion()
{
    return guarded("schemaVersion", [&]() -> Result<int> {
        SqlitePool::Lease lease = m_pool->acquire();
        return readSqliteSchemaVersion(lease.handle());
    });
}

Result<core::Ok> SqliteStore::migrate()
{
    return guarded("migrate", [&]() -> Result<core::Ok> {
        SqlitePool::Lease lease = m_pool->acquire();
        sqlite3* connection = lease.handle();
        std::lock_guard writeLock(m_writeMutex);

        // One transaction for all steps: a failed migration leaves the
        // schema as it was, and a second process migrating at once waits.
        SqliteTransaction transaction(connection, Mode::Write);
        sqliteExecute(connection,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      "version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)");

        const int current = readSqliteSchemaVersion(connection);
        if (current > migrationCount) {
            return makeError(503, QStringLiteral("database_too_new"),
                             QStringLiteral("The database %1 has schema version %2 but this "
                                            "valiant-server knows only up to %3. Upgrade "
                                            "valiant-server.")
                                 .arg(m_pool->path())
                                 .arg(current)
                                 .arg(migrationCount));
        }

        for (int version = current + 1; version <= migrationCount; ++version) {
            sqliteExecute(connection, sqliteMigrations()[std::size_t(version - 1)]);
            SqliteStatement record(connection,
                                   "INSERT INTO schema_migrations (version, applied_ms) "
                                   "VALUES (?1, ?2)");
            record.bind(1, std::int64_t(version)).bind(2, QDateTime::currentMSecsSinceEpoch());
            record.run();
            qCInfo(lcStore).noquote()
                << "Applied schema migration" << version << "to" << m_pool->path();
        }

        transaction.commit();
        return core::Ok{};
    });
}

void SqliteStore::cancelRunningStatements()
{
    m_pool->cancelLockWaits();
}

Result<core::Ok> SqliteStore::ping()
{
    return guarded("ping", [&]() -> Result<core::Ok> {
        SqlitePool::Lease lease = m_pool->acquire();
        SqliteStatement statement(lease.handle(), "SELECT 1");
        statement.step();
        return core::Ok{};
    });
}

// --- Accounts and sessions -------------------------------------------------

Result<Account> SqliteStore::createAccount(const QString& username, const QByteArray& passwordHash,
                                           Money startingCash)
{
    return guarded("createAccount", [&]() -> Result<Account> {
        SqlitePool::Lease lease = m_pool->acquire();
        sqlite3* connection = lease.handle();
        std::lock_guard writeLock(m_writeMutex);
        SqliteTransaction transaction(connection, Mode::Write);

        SqliteStatement existing(connection, "SELECT 1 FROM accounts WHERE username = ?1");
        existing.bind(1, username);
        if (existing.step()) {
            return makeError(
                409, QStringLiteral("username_taken"),
                QStringLiteral("The username \"%1\" is taken. Choose another one.").arg(username));
        }

        SqliteStatement insert(connection,
                               "INSERT INTO accounts (username, password_hash, cash_cents, "
                               "created_ms) VALUES (?1, ?2, ?3, ?4)");
        insert.bind(1, username)
            .bindBlob(2, passwordHash)
            .bind(3, startingCash.cents())
            .bind(4, QDateTime::currentMSecsSinceEpoch());
        insert.run();
        const std::int64_t id = sqlite3_last_insert_rowid(connection);

        transaction.commit();
        return Account{id, username};
    });
}

Result<AccountCredentials> SqliteStore::findAccount(const QString& username)
{
    return guarded("findAccount", [&]() -> Result<AccountCredentials> {
        SqlitePool::Lease lease = m_pool->acquire();
        SqliteStatement statement(lease.handle(),
                                  "SELECT id, username, password_hash FROM accounts "
                                  "WHERE username = ?1");
        statement.bind(1, username);
        if (!statement.step()) {
            return makeError(404, QStringLiteral("not_found"),
                             QStringLiteral("No account is named \"%1\".").arg(username));
        }
        return AccountCredentials{Account{statement.int64(0), statement.text(1)},
                                  statement.blob(2)};
    });
}

Result<core::Ok> SqliteStore::createSession(std::int64_t accountId, const QByteArray& tokenHash,
                                            std::int64_t expiresMs)
{
    return guarded("createSession", [&]() -> Result<core::Ok> {
        SqlitePool::Lease lease = m_pool->acquire();
        sqlite3* connection = lease.handle();
        std::lock_guard writeLock(m_writeMutex);
        SqliteTransaction transaction(connection, Mode::Write);

        if (!selectHoldings(connection, accountId)) {
            return accountNotFound(accountId);
        }

        // Expired sessions can never authenticate again, so each new
        // session clears them out.
        const std::int64_t nowMs = QDateTime::currentMSecsSinceEpoch();
        SqliteStatement prune(connection, "DELETE FROM sessions WHERE expires_ms <= ?1");
        prune.bind(1, nowMs);
        prune.run();

        SqliteStatement insert(connection,
                               "INSERT INTO sessions (token_hash, account_id, created_ms, "
                               "expires_ms) VALUES (?1, ?2, ?3, ?4)");
        insert.bindBlob(1, tokenHash).bind(2, accountId).bind(3, nowMs).bind(4, expiresMs);
        insert.run();

        transaction.commit();
        return core::Ok{};
    });
}

Result<Account> SqliteStore::findSession(const QByteArray& tokenHash, std::int64_t nowMs,
                                         std::int64_t* expiresMs)
{
    return guarded("findSession", [&]() -> Result<Account> {
        SqlitePool::Lease lease = m_pool->acquire();
        SqliteStatement statement(lease.handle(),
                                  "SELECT accounts.id, accounts.username, sessions.expires_ms "
                                  "FROM sessions JOIN accounts ON accounts.id = sessions.account_id "
                                  "WHERE sessions.token_hash = ?1 AND sessions.expires_ms > ?2");
        statement.bindBlob(1, tokenHash).bind(2, nowMs);
        if (!statement.step()) {
            return makeError(401, QStringLiteral("invalid_token"),
                             QStringLiteral("The token is unknown, expired or logged out. Log "
                                            "in again."));
        }
        if (expiresMs)
            *expiresMs = statement.int64(2);
        return Account{statement.int64(0), statement.text(1)};
    });
}

Result<core::Ok> SqliteStore::deleteSession(const QByteArray& tokenHash)
{
    return guarded("deleteSession", [&]() -> Result<core::Ok> {
        SqlitePool::Lease lease = m_pool->acquire();
        std::lock_guard writeLock(m_writeMutex);
        SqliteStatement statement(lease.handle(), "DELETE FROM sessions WHERE token_hash = ?1");
        statement.bindBlob(1, tokenHash);
        statement.run();
        return core::Ok{};
    });
}

// --- Quotes ----------------------------------------------------------------

Result<Quote> SqliteStore::insertQuote(Money price, std::int64_t createdMs)
{
    return guarded("insertQuote", [&]() -> Result<Quote> {
        SqlitePool::Lease lease = m_pool->acquire();
        sqlite3* connection = lease.handle();
        std::lock_guard writeLock(m_writeMutex);

        SqliteStatement statement(connection,
                                  "INSERT INTO quotes (price_cents, created_ms) VALUES (?1, ?2)");
        statement.bind(1, price.cents()).bind(2, createdMs);
        statement.run();
        return Quote{sqlite3_last_insert_rowid(connection), price, createdMs};
    });
}

Result<std::optional<Quote>> SqliteStore::latestQuote()
{
    return guarded("latestQuote", [&]() -> Result<std::optional<Quote>> {
        SqlitePool::Lease lease = m_pool->acquire();
        return selectLatestQuote(lease.handle());
    });
}

Result<QList<Quote>> SqliteStore::quotesAfter(std::int64_t afterId, int limit)
{
    return guarded("quotesAfter", [&]() -> Result<QList<Quote>> {
        SqlitePool::Lease lease = m_pool->acquire();
        SqliteStatement statement(lease.handle(),
                                  "SELECT id, price_cents, created_ms FROM quotes WHERE id > ?1 "
                                  "ORDER BY id LIMIT ?2");
        statement.bind(1, afterId).bind(2, std::int64_t(limit));
        return readQuotes(statement);
    });
}

Result<QList<Quote>> SqliteStore::quotesSince(std::int64_t sinceMs, int limit)
{
    return guarded("quotesSince", [&]() -> Result<QList<Quote>> {
        SqlitePool::Lease lease = m_pool->acquire();
        SqliteStatement statement(lease.handle(),
                                  "SELECT id, price_cents, created_ms FROM quotes "
                                  "WHERE created_ms >= ?1 ORDER BY id LIMIT ?2");
        statement.bind(1, sinceMs).bind(2, std::int64_t(limit));
        return readQuotes(statement);
    });
}

Result<QList<Quote>> SqliteStore::latestQuotes(int limit)
{
    return guarded("latestQuotes", [&]() -> Result<QList<Quote>> {
        SqlitePool::Lease lease = m_pool->acquire();
        SqliteStatement statement(lease.handle(),
                                  "SELECT id, price_cents, created_ms FROM ("
                                  "SELECT id, price_cents, created_ms FROM quotes "
                                  "ORDER BY id DESC LIMIT ?1) ORDER BY id");
        statement.bind(1, std::int64_t(limit));
        return readQuotes(statement);
    });
}

Result<QList<Candle>> SqliteStore::candles(std::int64_t intervalMs, std::int64_t fromMs,
                                           std::int64_t toMs)
{
    if (const Result<core::Ok> valid = checkCandleInterval(intervalMs); !valid) {
        return valid.error();
    }

    // Buckets starting in [fromMs, toMs) cover the quotes created in
    // [first bucket start, first bucket start at or after toMs).
    const std::int64_t firstStart = alignUpToInterval(fromMs, intervalMs);
    const std::int64_t endStart = alignUpToInterval(toMs, intervalMs);

    // NOTE: aggregates raw quotes on every call; a long range at 1s can scan
    // millions of rows. Precomputed candle tables would remove the scan.
    return guarded("candles", [&]() -> Result<QList<Candle>> {
        SqlitePool::Lease lease = m_pool->acquire();
        SqliteStatement statement(
            lease.handle(),
            "WITH buckets AS ("
            "  SELECT (created_ms / ?1) * ?1 AS start, MIN(id) AS first_id, MAX(id) AS last_id,"
            "         MAX(price_cents) AS high, MIN(price_cents) AS low, COUNT(*) AS count"
            "  FROM quotes WHERE created_ms >= ?2 AND created_ms < ?3 GROUP BY start)"
            " SELECT buckets.start, first.price_cents, buckets.high, buckets.low,"
            "        last.price_cents, buckets.count"
            " FROM buckets JOIN quotes AS first ON first.id = buckets.first_id"
            " JOIN quotes AS last ON last.id = buckets.last_id ORDER BY buckets.start");
        statement.bind(1, intervalMs).bind(2, firstStart).bind(3, endStart);

        QList<Candle> candles;
        while (statement.step()) {
            candles.append(Candle{statement.int64(0), Money::fromCents(statement.int64(1)),
                                  Money::fromCents(statement.int64(2)),
                                  Money::fromCents(statement.int64(3)),
                                  Money::fromCents(statement.int64(4)), statement.int64(5)});
        }
        return candles;
    });
}

// --- Trading ---------------------------------------------------------------

Result<core::Portfolio> SqliteStore::portfolio(std::int64_t accountId)
{
    return guarded("portfolio", [&]() -> Result<core::Portfolio> {
        SqlitePool::Lease lease = m_pool->acquire();
        sqlite3* connection = lease.handle();
        // One read transaction, so the holdings and the quote are one snapshot.
        SqliteTransaction transaction(connection, Mode::Read);

        const std::optional<Holdings> holdings = selectHoldings(connection, accountId);
        if (!holdings) {
            return accountNotFound(accountId);
        }
        return core::Portfolio{*holdings, selectLatestQuote(connection)};
    });
}

void SqliteStore::pruneIdempotencyKeys(sqlite3* connection, std::int64_t nowMs)
{
    if (nowMs - m_lastPruneMs.load() < pruneIntervalMs) {
        return;
    }
    SqliteStatement prune(connection, "DELETE FROM idempotency_keys WHERE created_ms < ?1");
    prune.bind(1, nowMs - idempotencyKeyRetentionMs);
    prune.run();
    m_lastPruneMs.store(nowMs);
}

Result<OrderOutcome> SqliteStore::placeOrder(std::int64_t accountId, const OrderRequest& request,
                                             const QByteArray& idempotencyKey,
                                             const QByteArray& requestFingerprint,
                                             std::int64_t nowMs)
{
    return guarded("placeOrder", [&]() -> Result<OrderOutcome> {
        SqlitePool::Lease lease = m_pool->acquire();
        sqlite3* connection = lease.handle();
        std::lock_guard writeLock(m_writeMutex);
        SqliteTransaction transaction(connection, Mode::Write);

        pruneIdempotencyKeys(connection, nowMs);

        // A known key replays its first response and changes nothing.
        if (!idempotencyKey.isEmpty()) {
            if (auto replay =
                    replayKnownKey(connection, accountId, idempotencyKey, requestFingerprint)) {
                return std::move(*replay);
            }
        }

        const std::optional<Holdings> holdings = selectHoldings(connection, accountId);
        if (!holdings) {
            return accountNotFound(accountId);
        }

        // The rules run against the newest quote inside the write lock, so
        // no quote inserted before the commit is older than the one used.
        const std::optional<Quote> quote = selectLatestQuote(connection);
        Result<core::Fill> fill =
            quote ? core::executeOrder(*holdings, request, quote->price)
                  : Result<core::Fill>(makeError(422, QStringLiteral("no_quotes"),
                                                 QStringLiteral("No price exists yet. Wait for "
                                                                "the first quote and try again.")));

        OrderOutcome outcome;
        if (fill.ok()) {
            const Order order = insertOrder(connection, accountId, request, *fill, *quote, nowMs);
            updateHoldings(connection, accountId, fill->holdings);
            const core::Portfolio portfolio{fill->holdings, quote};
            outcome.response = filledOrderResponse(order, portfolio);
            outcome.changedPortfolio = portfolio;
        } else {
            outcome.response = rejectedOrderResponse(fill.error());
        }

        if (!idempotencyKey.isEmpty()) {
            insertIdempotencyKey(connection, accountId, idempotencyKey, requestFingerprint,
                                 outcome.response, nowMs);
        }
        transaction.commit();
        return outcome;
    });
}

Result<OrderOutcome> SqliteStore::keepInvalidOrder(std::int64_t accountId,
                                                   const QByteArray& idempotencyKey,
                                                   const QByteArray& requestFingerprint,
                                                   const StoredResponse& response,
                                                   std::int64_t nowMs)
{
    return guarded("keepInvalidOrder", [&]() -> Result<OrderOutcome> {
        SqlitePool::Lease lease = m_pool->acquire();
        sqlite3* connection = lease.handle();
        std::lock_guard writeLock(m_writeMutex);
        SqliteTransaction transaction(connection, Mode::Write);

        pruneIdempotencyKeys(connection, nowMs);
        if (auto replay =
                replayKnownKey(connection, accountId, idempotencyKey, requestFingerprint)) {
            return std::move(*replay);
        }
        insertIdempotencyKey(connection, accountId, idempotencyKey, requestFingerprint, response,
                             nowMs);
        transaction.commit();
        return OrderOutcome{response, false, std::nullopt};
    });
}

Result<PraiseResult> SqliteStore::praise(std::int64_t accountId, std::int64_t nowMs)
{
    return guarded("praise", [&]() -> Result<PraiseResult> {
        SqlitePool::Lease lease = m_pool->acquire();
        sqlite3* connection = lease.handle();
        std::lock_guard writeLock(m_writeMutex);
        SqliteTransaction transaction(connection, Mode::Write);

        const std::optional<Holdings> holdings = selectHoldings(connection, accountId);
        if (!holdings) {
            return accountNotFound(accountId);
        }
        Result<core::PraiseOutcome> outcome = core::praise(*holdings);
        if (!outcome.ok()) {
            return outcome.error();
        }

        updateHoldings(connection, accountId, outcome->holdings);
        SqliteStatement record(connection,
                               "INSERT INTO praises (account_id, shares, bonus_cents, created_ms) "
                               "VALUES (?1, ?2, ?3, ?4)");
        record.bind(1, accountId)
            .bind(2, outcome->holdings.shares)
            .bind(3, outcome->bonus.cents())
            .bind(4, nowMs);
        record.run();
        const core::Portfolio portfolio{outcome->holdings, selectLatestQuote(connection)};
        transaction.commit();
        return PraiseResult{outcome->bonus, portfolio};
    });
}

Result<QList<Order>> SqliteStore::orders(std::int64_t accountId, std::int64_t beforeId, int limit)
{
    return guarded("orders", [&]() -> Result<QList<Order>> {
        SqlitePool::Lease lease = m_pool->acquire();
        SqliteStatement statement(lease.handle(),
                                  "SELECT id, side, quantity, price_cents, total_cents, quote_id, "
                                  "created_ms FROM orders WHERE account_id = ?1 AND id < ?2 "
                                  "ORDER BY id DESC LIMIT ?3");
        const std::int64_t upperBound =
            beforeId > 0 ? beforeId : std::numeric_limits<std::int64_t>::max();
        statement.bind(1, accountId).bind(2, upperBound).bind(3, std::int64_t(limit));

        QList<Order> orders;
        while (statement.step()) {
            orders.append(readOrder(statement));
        }
        return orders;
    });
}

}  // namespace valiant::server
