#include "postgresstore.h"

#include "core/apicodec.h"
#include "postgresschema.h"
#include "postgresstore_p.h"
#include "storecommon.h"

#include <QDateTime>

#include <limits>

namespace valiant::server {

Q_LOGGING_CATEGORY(lcPostgres, "valiant.store")

namespace {

using core::Error;
using core::makeError;

// Keys are pruned at most this often, so placing an order rarely pays for it.
constexpr std::int64_t pruneIntervalMs = 60'000;

// The schema version that added accounts.wallet_watchers. Replicas of older
// versions stream without counting, so for this long after a database was
// upgraded to it (a rolling deploy runs both versions), every wallet change
// is published as before.
constexpr int walletWatchersVersion = 6;
constexpr std::int64_t uncountedWatchersGraceMs = 15 * 60'000;

// A migration may rewrite a large table, so it runs without a time limit.
constexpr std::chrono::milliseconds noLeaseTimeout{0};

Error accountNotFound(std::int64_t accountId)
{
    return makeError(404, QStringLiteral("not_found"),
                     QStringLiteral("Account %1 does not exist.").arg(accountId));
}

/// The holdings in columns 0 to 2 and the column wallet_version of `row`.
Holdings readHoldings(const pqxx::row& row)
{
    return Holdings{moneyOf(row[0]), row[1].as<std::int64_t>(), moneyOf(row[2]),
                    row["wallet_version"].as<std::int64_t>()};
}

/// The holdings after a change: `changed`, one version after `before`.
Holdings nextVersion(Holdings changed, const Holdings& before)
{
    changed.version = before.version + 1;
    return changed;
}

/// The quote in columns first..first+2 of `row`, or nothing when they are NULL.
std::optional<Quote> readOptionalQuote(const pqxx::row& row, int first)
{
    if (row[first].is_null())
        return std::nullopt;
    return Quote{row[first].as<std::int64_t>(), moneyOf(row[first + 1]),
                 row[first + 2].as<std::int64_t>()};
}

Order readOrder(const pqxx::row& row)
{
    Order order;
    order.id = row[0].as<std::int64_t>();
    order.side = row[1].as<std::string>() == "sell" ? core::Side::Sell : core::Side::Buy;
    order.quantity = row[2].as<std::int64_t>();
    order.price = moneyOf(row[3]);
    order.total = moneyOf(row[4]);
    order.quoteId = row[5].as<std::int64_t>();
    order.createdMs = row[6].as<std::int64_t>();
    return order;
}

}  // namespace

core::Error databaseUnavailable()
{
    return makeError(503, QStringLiteral("database_unavailable"),
                     QStringLiteral("The database is unavailable. Retry the request in a few "
                                    "seconds."));
}

// --- Private -----------------------------------------------------------------

PostgresStore::Private::Private(const QString& url, Options options)
    : pool(url, options.maxConnections,
           [](pqxx::connection& connection) {
               for (const sql::Statement* statement : sql::all)
                   connection.prepare(statement->name, statement->text);
           }),
      displayName(postgresDisplayName(url)),
      slowStatementMs(options.slowStatementMs)
{
}

bool PostgresStore::Private::isConnectionLoss(const std::string& sqlState)
{
    return sqlState.rfind("08", 0) == 0 || sqlState == "57P01" || sqlState == "57P02" ||
           sqlState == "57P03" || sqlState == "53300";
}

core::Error PostgresStore::Private::failed(const char* operation, const std::exception& failure,
                                           const QString& lostReason) const
{
    const QString reason = flattenLineBreaks(QString::fromUtf8(failure.what()));
    std::uint64_t suppressed = 0;
    const bool logged = failureLog.allow(operation, suppressed);
    if (!lostReason.isEmpty()) {
        if (logged) {
            qCWarning(lcPostgres).noquote()
                << QStringLiteral("Store operation %1 failed on %2 because %3; the connection is "
                                  "dropped (driver error: %4).")
                           .arg(QLatin1String(operation), displayName, lostReason, reason)
                       + repeatNote(suppressed);
        }
        return databaseUnavailable();
    }
    if (logged) {
        qCWarning(lcPostgres).noquote() << "Store operation" << operation << "failed on"
                                        << displayName << ":" << reason + repeatNote(suppressed);
    }
    // SQLSTATE 53100 (disk_full): PostgreSQL could not extend a file.
    const auto* sqlFailure = dynamic_cast<const pqxx::sql_error*>(&failure);
    if (sqlFailure != nullptr && sqlFailure->sqlstate() == "53100") {
        return storageFullError();
    }
    // SQLSTATE 57014 (query_canceled): a stopping server cancelled it, so
    // the request can go to another replica or to this one after its restart.
    if (sqlFailure != nullptr && sqlFailure->sqlstate() == "57014") {
        return databaseUnavailable();
    }
    // The database's own text names tables and constraints, so it goes to
    // the log and never to the client.
    return makeError(500, QStringLiteral("database_error"),
                     QStringLiteral("The database could not complete the request. The server "
                                    "has logged the cause; retrying will not help."));
}

QStringList PostgresStore::Private::planLines(const pqxx::result& rows)
{
    QStringList plan;
    for (const pqxx::row& row : rows)
        plan.append(toQString(row[0]));
    return plan;
}

void PostgresStore::Private::logSlowStatement(const sql::Statement& statement,
                                              std::int64_t elapsedMs, const QStringList& plan) const
{
    qCWarning(lcPostgres).noquote()
        << "Slow statement" << statement.name << "took" << elapsedMs << "ms (limit"
        << slowStatementMs << "ms):" << statement.text << "\n"
        << plan.join(QLatin1Char('\n'));
}

void PostgresStore::Private::pruneIdempotencyKeys(pqxx::connection& connection, std::int64_t nowMs)
{
    std::int64_t last = lastPruneMs.load();
    if (nowMs - last < pruneIntervalMs || !lastPruneMs.compare_exchange_strong(last, nowMs))
        return;
    pqxx::work transaction(connection);
    exec(transaction, sql::pruneIdempotencyKeys, nowMs - idempotencyKeyRetentionMs);
    transaction.commit();
}

// --- Orders and praise ------------------------------------------------------

std::optional<TradingCache::View> TradingCache::view(std::int64_t accountId) const
{
    std::lock_guard lock(m_mutex);
    const auto found = m_holdings.find(accountId);
    if (found == m_holdings.end() || !m_newest)
        return std::nullopt;
    return View{found->second, *m_newest};
}

void TradingCache::noteHoldings(std::int64_t accountId, const Holdings& holdings)
{
    std::lock_guard lock(m_mutex);
    if (m_holdings.size() >= maxAccounts && !m_holdings.contains(accountId))
        m_holdings.clear();
    m_holdings.insert_or_assign(accountId, holdings);
}

void TradingCache::noteQuote(const std::optional<Quote>& quote)
{
    if (!quote)
        return;
    std::lock_guard lock(m_mutex);
    if (!m_newest || m_newest->id < quote->id)
        m_newest = quote;
}

std::optional<OrderOutcome> PostgresStore::Private::tryCachedOrder(pqxx::connection& connection,
                                                                   const OrderAttempt& attempt)
{
    const std::optional<TradingCache::View> view = cache.view(attempt.accountId);
    if (!view)
        return std::nullopt;
    const Holdings& holdings = view->holdings;
    const Result<core::Fill> fill =
        core::executeOrder(holdings, attempt.request, view->newest.price);
    if (!fill.ok())
        return std::nullopt;

    Order order{0,           attempt.request.side, attempt.request.quantity, fill->price,
                fill->total, view->newest.id,      attempt.nowMs};
    const Holdings next = nextVersion(fill->holdings, holdings);
    const core::Portfolio portfolio{next, view->newest};
    const FilledBodyAroundId body = filledOrderResponseAroundId(order, portfolio);

    pqxx::nontransaction transaction(connection);
    const pqxx::result applied = exec(
        transaction, sql::recordCachedFill, attempt.accountId,
        core::sideName(order.side).toStdString(), order.quantity, order.price.cents(),
        order.total.cents(), order.quoteId, attempt.nowMs, fill->holdings.cash.cents(),
        fill->holdings.shares, fill->holdings.costBasis.cents(), toHex(attempt.idempotencyKey),
        toHex(attempt.requestFingerprint), toHex(body.before), toHex(body.after),
        holdings.cash.cents(), holdings.shares, holdings.costBasis.cents(), holdings.version);
    if (applied.empty())
        return std::nullopt;

    order.id = applied[0][0].as<std::int64_t>();
    ++ordersFilledFromCache;
    cache.noteHoldings(attempt.accountId, next);
    StoredResponse response{201, body.before + QByteArray::number(qint64(order.id)) + body.after};
    return OrderOutcome{std::move(response), false, portfolio, applied[0][1].as<int>() > 0};
}

template <typename Transaction>
std::optional<Result<OrderOutcome>> PostgresStore::Private::tryOrder(Transaction& transaction,
                                                                     bool locked,
                                                                     const OrderAttempt& attempt)
{
    const pqxx::result rows =
        exec(transaction, locked ? sql::orderContextLocked : sql::orderContext, attempt.accountId,
             toHex(attempt.idempotencyKey));
    if (rows.empty())
        return Result<OrderOutcome>(accountNotFound(attempt.accountId));
    const pqxx::row context = rows[0];
    const Holdings holdings = readHoldings(context);
    cache.noteHoldings(attempt.accountId, holdings);
    cache.noteQuote(readOptionalQuote(context, 6));

    // A known key replays its first response and changes nothing.
    if (!attempt.idempotencyKey.isEmpty() && !context[3].is_null()) {
        const StoredResponse kept{context[4].as<int>(), fromHex(context[5])};
        return replayKeptResponse(fromHex(context[3]), kept, attempt.requestFingerprint);
    }

    const std::optional<Quote> quote = readOptionalQuote(context, 6);
    Result<core::Fill> fill =
        quote ? core::executeOrder(holdings, attempt.request, quote->price)
              : Result<core::Fill>(makeError(422, QStringLiteral("no_quotes"),
                                             QStringLiteral("No price exists yet. Wait for the "
                                                            "first quote and try again.")));
    if (!fill.ok()) {
        OrderOutcome outcome{rejectedOrderResponse(fill.error()), false, std::nullopt};
        if (attempt.idempotencyKey.isEmpty())
            return outcome;
        const pqxx::result kept = exec(
            transaction, sql::recordRejection, attempt.accountId, toHex(attempt.idempotencyKey),
            toHex(attempt.requestFingerprint), outcome.response.status,
            toHex(outcome.response.body), attempt.nowMs, holdings.cash.cents(), holdings.shares,
            holdings.costBasis.cents(), quote ? quote->id : std::int64_t(0));
        if (kept.empty())
            return std::nullopt;
        return outcome;
    }

    const Order order{context[9].as<std::int64_t>(),
                      attempt.request.side,
                      attempt.request.quantity,
                      fill->price,
                      fill->total,
                      quote->id,
                      attempt.nowMs};
    const Holdings next = nextVersion(fill->holdings, holdings);
    const core::Portfolio portfolio{next, quote};
    OrderOutcome outcome{filledOrderResponse(order, portfolio), false, portfolio};
    const pqxx::result applied = exec(
        transaction, sql::recordFill, order.id, attempt.accountId,
        core::sideName(order.side).toStdString(), order.quantity, order.price.cents(),
        order.total.cents(), quote->id, attempt.nowMs, fill->holdings.cash.cents(),
        fill->holdings.shares, fill->holdings.costBasis.cents(), toHex(attempt.idempotencyKey),
        toHex(attempt.requestFingerprint), outcome.response.status, toHex(outcome.response.body),
        holdings.cash.cents(), holdings.shares, holdings.costBasis.cents(), holdings.version);
    if (applied[0][0].as<std::int64_t>() == 0)
        return std::nullopt;
    outcome.walletWatched = applied[0][1].as<int>() > 0;
    cache.noteHoldings(attempt.accountId, next);
    return outcome;
}

template <typename Transaction>
std::optional<Result<PraiseResult>> PostgresStore::Private::tryPraise(Transaction& transaction,
                                                                      bool locked,
                                                                      std::int64_t accountId,
                                                                      std::int64_t nowMs)
{
    const pqxx::result rows =
        exec(transaction, locked ? sql::praiseContextLocked : sql::praiseContext, accountId);
    if (rows.empty())
        return Result<PraiseResult>(accountNotFound(accountId));
    const Holdings holdings = readHoldings(rows[0]);

    const Result<core::PraiseOutcome> outcome = core::praise(holdings);
    if (!outcome.ok())
        return Result<PraiseResult>(outcome.error());

    const pqxx::result applied =
        exec(transaction, sql::recordPraise, accountId, outcome->holdings.cash.cents(),
             holdings.shares, outcome->bonus.cents(), nowMs, holdings.cash.cents(),
             holdings.version);
    if (applied.empty())
        return std::nullopt;
    const Holdings next = nextVersion(outcome->holdings, holdings);
    cache.noteHoldings(accountId, next);
    return PraiseResult{outcome->bonus, core::Portfolio{next, readOptionalQuote(rows[0], 3)}};
}

// --- Opening and migrations --------------------------------------------------

int PostgresStore::latestSchemaVersion()
{
    return int(postgresMigrations().size());
}

std::uint64_t PostgresStore::ordersFilledFromCache() const
{
    return d->ordersFilledFromCache.load();
}

PostgresStore::PostgresStore(std::unique_ptr<Private> d) : d(std::move(d)) {}

PostgresStore::~PostgresStore() = default;

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const QString& url, Options options)
{
    auto d = std::make_unique<Private>(url, options);
    // One connection now turns a wrong URL or a server that is down into an
    // error at start-up instead of at the first request.
    try {
        PostgresPool::Lease lease = d->pool.acquire();
    } catch (const PostgresUnavailable& failure) {
        // Only the operator reads this start-up error, so it keeps libpq's detail.
        return makeError(503, QStringLiteral("database_unavailable"),
                         QString::fromUtf8(failure.what()));
    }
    return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(d)));
}

Result<int> PostgresStore::schemaVersion()
{
    return d->run("schemaVersion", [&](pqxx::connection& connection) -> Result<int> {
        pqxx::work transaction(connection);
        return readPostgresSchemaVersion(transaction);
    });
}

Result<core::Ok> PostgresStore::migrate()
{
    return d->run("migrate", [&](pqxx::connection& connection) -> Result<core::Ok> {
        const Result<int> version = applyPostgresMigrations(connection, d->displayName);
        if (!version)
            return version.error();

        // A fresh database got every migration in one run, so no older
        // replica can be streaming from it.
        pqxx::nontransaction transaction(connection);
        const pqxx::result applied = transaction.exec_params(
            "SELECT (SELECT applied_ms FROM schema_migrations WHERE version = $1), "
            "(SELECT applied_ms FROM schema_migrations WHERE version = $1 - 1)",
            walletWatchersVersion);
        const pqxx::row times = applied[0];
        const bool upgraded = !times[0].is_null() && !times[1].is_null() &&
                              times[0].as<std::int64_t>() - times[1].as<std::int64_t>() > 60'000;
        d->publishAllWalletsUntilMs =
            upgraded ? times[0].as<std::int64_t>() + uncountedWatchersGraceMs : 0;
        return core::Ok{};
    }, noLeaseTimeout);
}

void PostgresStore::cancelRunningStatements()
{
    // The pool logs each connection it cuts.
    d->pool.disconnectForStop();
}

Result<core::Ok> PostgresStore::ping()
{
    return d->run("ping", [&](pqxx::connection& connection) -> Result<core::Ok> {
        pqxx::nontransaction transaction(connection);
        d->exec(transaction, sql::ping);
        return core::Ok{};
    });
}

// --- Accounts and sessions ---------------------------------------------------

Result<Account> PostgresStore::createAccount(const QString& username,
                                             const QByteArray& passwordHash, Money startingCash)
{
    return d->run("createAccount", [&](pqxx::connection& connection) -> Result<Account> {
        pqxx::work transaction(connection);
        const pqxx::result inserted =
            d->exec(transaction, sql::insertAccount, username.toStdString(), toHex(passwordHash),
                    startingCash.cents(), std::int64_t(QDateTime::currentMSecsSinceEpoch()));
        if (inserted.empty()) {
            return makeError(
                409, QStringLiteral("username_taken"),
                QStringLiteral("The username \"%1\" is taken. Choose another one.").arg(username));
        }
        transaction.commit();
        return Account{inserted[0][0].as<std::int64_t>(), username};
    });
}

Result<AccountCredentials> PostgresStore::findAccount(const QString& username)
{
    return d->run("findAccount", [&](pqxx::connection& connection) -> Result<AccountCredentials> {
        pqxx::nontransaction transaction(connection);
        const pqxx::result rows = d->exec(transaction, sql::findAccount, username.toStdString());
        if (rows.empty()) {
            return makeError(404, QStringLiteral("not_found"),
                             QStringLiteral("No account is named \"%1\".").arg(username));
        }
        return AccountCredentials{Account{rows[0][0].as<std::int64_t>(), toQString(rows[0][1])},
                                  fromHex(rows[0][2])};
    });
}

Result<core::Ok> PostgresStore::createSession(std::int64_t accountId, const QByteArray& tokenHash,
                                              std::int64_t expiresMs)
{
    return d->run("createSession", [&](pqxx::connection& connection) -> Result<core::Ok> {
        pqxx::work transaction(connection);
        if (d->exec(transaction, sql::accountExists, accountId).empty())
            return accountNotFound(accountId);

        // Expired sessions can never authenticate again, so each new
        // session clears them out.
        const std::int64_t nowMs = QDateTime::currentMSecsSinceEpoch();
        d->exec(transaction, sql::pruneSessions, nowMs);
        d->exec(transaction, sql::insertSession, toHex(tokenHash), accountId, nowMs, expiresMs);
        transaction.commit();
        return core::Ok{};
    });
}

Result<Account> PostgresStore::findSession(const QByteArray& tokenHash, std::int64_t nowMs,
                                           std::int64_t* expiresMs)
{
    return d->run("findSession", [&](pqxx::connection& connection) -> Result<Account> {
        pqxx::nontransaction transaction(connection);
        const pqxx::result rows = d->exec(transaction, sql::findSession, toHex(tokenHash), nowMs);
        if (rows.empty()) {
            return makeError(401, QStringLiteral("invalid_token"),
                             QStringLiteral("The token is unknown, expired or logged out. Log "
                                            "in again."));
        }
        if (expiresMs)
            *expiresMs = rows[0][2].as<std::int64_t>();
        return Account{rows[0][0].as<std::int64_t>(), toQString(rows[0][1])};
    });
}

Result<core::Ok> PostgresStore::deleteSession(const QByteArray& tokenHash)
{
    return d->run("deleteSession", [&](pqxx::connection& connection) -> Result<core::Ok> {
        pqxx::work transaction(connection);
        d->exec(transaction, sql::deleteSession, toHex(tokenHash));
        transaction.commit();
        return core::Ok{};
    });
}

// --- Trading -----------------------------------------------------------------

Result<core::Portfolio> PostgresStore::Private::readPortfolio(const char* operation,
                                                              const sql::Statement& statement,
                                                              std::int64_t accountId)
{
    return run(operation, [&](pqxx::connection& connection) -> Result<core::Portfolio> {
        pqxx::nontransaction transaction(connection);
        const pqxx::result rows = exec(transaction, statement, accountId);
        if (rows.empty())
            return accountNotFound(accountId);
        const core::Portfolio portfolio{readHoldings(rows[0]), readOptionalQuote(rows[0], 3)};
        cache.noteHoldings(accountId, portfolio.holdings);
        cache.noteQuote(portfolio.lastQuote);
        return portfolio;
    });
}

Result<core::Portfolio> PostgresStore::portfolio(std::int64_t accountId)
{
    return d->readPortfolio("portfolio", sql::portfolio, accountId);
}

Result<core::Portfolio> PostgresStore::watchPortfolio(std::int64_t accountId)
{
    return d->readPortfolio("watchPortfolio", sql::watchPortfolio, accountId);
}

Result<core::Ok> PostgresStore::unwatchPortfolio(std::int64_t accountId)
{
    return d->run("unwatchPortfolio", [&](pqxx::connection& connection) -> Result<core::Ok> {
        pqxx::nontransaction transaction(connection);
        d->exec(transaction, sql::unwatchPortfolio, accountId);
        return core::Ok{};
    });
}

Result<OrderOutcome> PostgresStore::placeOrder(std::int64_t accountId, const OrderRequest& request,
                                               const QByteArray& idempotencyKey,
                                               const QByteArray& requestFingerprint,
                                               std::int64_t nowMs)
{
    const OrderAttempt attempt{accountId, request, idempotencyKey, requestFingerprint, nowMs};
    Result<OrderOutcome> outcome =
        d->run("placeOrder", [&](pqxx::connection& connection) -> Result<OrderOutcome> {
            d->pruneIdempotencyKeys(connection, nowMs);
            if (std::optional<OrderOutcome> filled = d->tryCachedOrder(connection, attempt))
                return std::move(*filled);
            return d->optimistically<OrderOutcome>(connection, [&](auto& transaction, bool locked) {
                return d->tryOrder(transaction, locked, attempt);
            });
        });
    // Wall-clock time, because the grace is about when the upgrade ran.
    if (outcome && QDateTime::currentMSecsSinceEpoch() < d->publishAllWalletsUntilMs.load())
        outcome->walletWatched = true;
    return outcome;
}

Result<OrderOutcome> PostgresStore::keepInvalidOrder(std::int64_t accountId,
                                                     const QByteArray& idempotencyKey,
                                                     const QByteArray& requestFingerprint,
                                                     const StoredResponse& response,
                                                     std::int64_t nowMs)
{
    return d->run("keepInvalidOrder", [&](pqxx::connection& connection) -> Result<OrderOutcome> {
        d->pruneIdempotencyKeys(connection, nowMs);
        pqxx::nontransaction transaction(connection);
        // Each statement commits on its own, so the read finds a key that a
        // concurrent request inserted, which the insert waited for. A key
        // pruned between the two is inserted on the next round.
        for (int round = 0; round < 3; ++round) {
            const pqxx::result inserted =
                d->exec(transaction, sql::keepInvalidOrder, accountId, toHex(idempotencyKey),
                        toHex(requestFingerprint), response.status, toHex(response.body), nowMs);
            if (!inserted.empty())
                return OrderOutcome{response, false, std::nullopt};

            const pqxx::result kept =
                d->exec(transaction, sql::keptResponse, accountId, toHex(idempotencyKey));
            if (kept.empty())
                continue;
            const StoredResponse first{kept[0][1].as<int>(), fromHex(kept[0][2])};
            return replayKeptResponse(fromHex(kept[0][0]), first, requestFingerprint);
        }
        qCWarning(lcPostgres) << "Keeping an invalid order under an Idempotency-Key of account"
                           << accountId << "failed three times: the key expired between the "
                                           "insert and the read each time";
        return makeError(503, QStringLiteral("database_unavailable"),
                         QStringLiteral("Storing the Idempotency-Key failed three times because "
                                        "it expired meanwhile. Send the request again."));
    });
}

Result<PraiseResult> PostgresStore::praise(std::int64_t accountId, std::int64_t nowMs)
{
    return d->run("praise", [&](pqxx::connection& connection) -> Result<PraiseResult> {
        return d->optimistically<PraiseResult>(connection, [&](auto& transaction, bool locked) {
            return d->tryPraise(transaction, locked, accountId, nowMs);
        });
    });
}

Result<QList<Order>> PostgresStore::orders(std::int64_t accountId, std::int64_t beforeId, int limit)
{
    return d->run("orders", [&](pqxx::connection& connection) -> Result<QList<Order>> {
        pqxx::nontransaction transaction(connection);
        const std::int64_t upperBound =
            beforeId > 0 ? beforeId : std::numeric_limits<std::int64_t>::max();
        const pqxx::result rows =
            d->exec(transaction, sql::latestOrders, accountId, upperBound, std::int64_t(limit));

        QList<Order> orders;
        for (const pqxx::row& row : rows)
            orders.append(readOrder(row));
        return orders;
    });
}

}  // namespace valiant::server
