#include "marketservice.h"

#include "core/apicodec.h"
#include "metrics.h"
#include "quotebus.h"
#include "storecommon.h"

#include <QCryptographicHash>
#include <QLoggingCategory>

#include <sodium.h>

#include <chrono>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcService, "valiant.store")

using core::Error;
using core::makeError;

constexpr int tokenBytes = 32;
// The "~" is outside the API's username characters, so no one can sign up
// as the embedded instance's local account or log in to it.
const QString localUsername = QStringLiteral("~local");
// Not a crypto_pwhash_str string, so crypto_pwhash_str_verify rejects every
// password for the local account.
const QByteArray unusablePasswordHash = QByteArrayLiteral("!no-password");

Error invalidCredentials()
{
    return makeError(
        401, QStringLiteral("invalid_credentials"),
        QStringLiteral("The username or password is wrong. Check both and try again."));
}

Error invalidToken()
{
    return makeError(401, QStringLiteral("invalid_token"),
                     QStringLiteral("The token is unknown, expired or logged out. Log in again."));
}

/// Hashes a password with argon2id at libsodium's interactive limits
/// (2 passes over 64 MiB in libsodium 1.0.18).
Result<QByteArray> hashPassword(const QString& password)
{
    const QByteArray utf8 = password.toUtf8();
    char hash[crypto_pwhash_STRBYTES];
    const int rc = crypto_pwhash_str_alg(
        hash, utf8.constData(), quint64(utf8.size()), crypto_pwhash_OPSLIMIT_INTERACTIVE,
        crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
    if (rc != 0) {
        // libsodium fails here when it cannot allocate the memory the hash needs.
        qCWarning(lcService) << "Password hashing failed: out of memory";
        return makeError(503, QStringLiteral("server_busy"),
                         QStringLiteral("The server is out of memory for password hashing. Try "
                                        "again in a moment."));
    }
    return QByteArray(hash);
}

bool verifyPassword(const QByteArray& hash, const QString& password)
{
    const QByteArray utf8 = password.toUtf8();
    // crypto_pwhash_str_verify reads a NUL-terminated string; QByteArray keeps one.
    return crypto_pwhash_str_verify(hash.constData(), utf8.constData(), quint64(utf8.size())) == 0;
}

QString newToken()
{
    QByteArray bytes(tokenBytes, Qt::Uninitialized);
    randombytes_buf(bytes.data(), std::size_t(bytes.size()));
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

/// SHA-256 of the token: the store keeps only this, so a copy of the
/// database does not contain usable tokens.
QByteArray tokenHash(const QString& token)
{
    const QByteArray utf8 = token.toUtf8();
    QByteArray hash(crypto_hash_sha256_BYTES, Qt::Uninitialized);
    crypto_hash_sha256(reinterpret_cast<unsigned char*>(hash.data()),
                       reinterpret_cast<const unsigned char*>(utf8.constData()),
                       quint64(utf8.size()));
    return hash;
}

/// Runs one store call and records its duration under `operation`.
template <typename Function>
auto timed(Metrics& metrics, const char* operation, Function&& call) -> decltype(call())
{
    const auto started = std::chrono::steady_clock::now();
    auto result = call();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
    metrics.recordQuery(QLatin1String(operation), elapsed.count());
    return result;
}

/// Issues a new token for `account` and stores its hash with its expiry.
Result<SessionGrant> startSession(Store& store, Metrics& metrics, const Account& account,
                                  std::int64_t expiresMs)
{
    SessionGrant grant{account, newToken()};
    const Result<core::Ok> created = timed(metrics, "create_session", [&] {
        return store.createSession(account.id, tokenHash(grant.token), expiresMs);
    });
    if (!created) {
        return created.error();
    }
    return grant;
}

/// The metrics label of an order outcome: filled, replayed or the code of
/// the rejection.
QString orderOutcomeLabel(const OrderOutcome& outcome)
{
    if (outcome.replayed) {
        return QStringLiteral("replayed");
    }
    if (outcome.response.status == 201) {
        return QStringLiteral("filled");
    }
    return core::api::decodeError(outcome.response.status, outcome.response.body).code;
}

}  // namespace

MarketService::MarketService(Store& store, QuoteBus& bus, Metrics& metrics, Money startingCash,
                             Clock clock)
    : m_store(store),
      m_bus(bus),
      m_metrics(metrics),
      m_startingCash(startingCash),
      m_clock(std::move(clock))
{
    // sodium_init is safe to call more than once. It fails only without an
    // entropy source, and then no token or salt could be made at all.
    if (sodium_init() < 0) {
        qFatal("libsodium failed to initialize; the system has no usable random source.");
    }
}

// --- Accounts and sessions -------------------------------------------------

Result<SessionGrant> MarketService::createAccount(const QString& username, const QString& password)
{
    if (const auto valid = core::api::checkUsername(username); !valid) {
        return valid.error();
    }
    if (const auto valid = core::api::checkPassword(password); !valid) {
        return valid.error();
    }

    const Result<QByteArray> hash = hashPassword(password);
    if (!hash) {
        return hash.error();
    }
    const Result<Account> account = timed(m_metrics, "create_account", [&] {
        return m_store.createAccount(username, *hash, m_startingCash);
    });
    noteWrite(account.ok(), account);
    if (!account) {
        return account.error();
    }

    qCInfo(lcService).noquote() << "Created account" << account->id << account->username;
    Result<SessionGrant> grant = startSession(m_store, m_metrics, *account, now() + sessionLifetimeMs);
    noteWrite(grant.ok(), grant);
    return grant;
}

Result<SessionGrant> MarketService::logIn(const QString& username, const QString& password)
{
    const Result<AccountCredentials> credentials =
        timed(m_metrics, "find_account", [&] { return m_store.findAccount(username); });

    if (!credentials && credentials.error().status == 404) {
        // Hash anyway, so an unknown user takes as long as a wrong password
        // and response times do not reveal which usernames exist.
        hashPassword(password);
        return invalidCredentials();
    }
    if (!credentials) {
        return credentials.error();
    }
    if (!verifyPassword(credentials->passwordHash, password)) {
        return invalidCredentials();
    }
    Result<SessionGrant> grant =
        startSession(m_store, m_metrics, credentials->account, now() + sessionLifetimeMs);
    noteWrite(grant.ok(), grant);
    return grant;
}

Result<SessionGrant> MarketService::localSession()
{
    Result<AccountCredentials> existing = m_store.findAccount(localUsername);
    if (existing) {
        return startSession(m_store, m_metrics, existing->account, now() + sessionLifetimeMs);
    }
    if (existing.error().status != 404) {
        return existing.error();
    }

    const Result<Account> created =
        m_store.createAccount(localUsername, unusablePasswordHash, m_startingCash);
    if (created) {
        return startSession(m_store, m_metrics, *created, now() + sessionLifetimeMs);
    }
    if (created.error().status != 409) {
        return created.error();
    }

    // Another thread created it between the lookup and the insert.
    existing = m_store.findAccount(localUsername);
    if (!existing) {
        return existing.error();
    }
    return startSession(m_store, m_metrics, existing->account, now() + sessionLifetimeMs);
}

Result<core::Ok> MarketService::logOut(const QString& token)
{
    const QByteArray hash = tokenHash(token);
    const Result<core::Ok> deleted =
        timed(m_metrics, "delete_session", [&] { return m_store.deleteSession(hash); });
    noteWrite(deleted.ok(), deleted);
    m_sessions.revoke(hash, now());
    return deleted;
}

Result<Account> MarketService::authenticate(const QString& token)
{
    // Issued tokens are 43 characters, so an empty or oversized one cannot
    // match and the store is skipped.
    if (token.isEmpty() || token.size() > 256) {
        return invalidToken();
    }
    const QByteArray hash = tokenHash(token);
    const std::int64_t nowMs = now();
    if (const std::optional<Account> cached = m_sessions.find(hash, nowMs))
        return *cached;
    std::int64_t expiresMs = 0;
    Result<Account> found = timed(m_metrics, "find_session",
                                  [&] { return m_store.findSession(hash, nowMs, &expiresMs); });
    if (found)
        m_sessions.insert(hash, *found, nowMs, expiresMs);
    return found;
}

// --- Quotes ----------------------------------------------------------------

Result<Quote> MarketService::latestQuote()
{
    const Result<std::optional<Quote>> latest =
        timed(m_metrics, "latest_quote", [&] { return m_store.latestQuote(); });
    if (!latest) {
        return latest.error();
    }
    if (!latest->has_value()) {
        return makeError(404, QStringLiteral("no_quotes"),
                         QStringLiteral("No quote exists yet. Wait for the first one."));
    }
    return latest->value();
}

Result<QList<Quote>> MarketService::quotesAfter(std::int64_t afterId, int limit)
{
    return timed(m_metrics, "quotes_after", [&] { return m_store.quotesAfter(afterId, limit); });
}

Result<QList<Quote>> MarketService::quotesSince(std::int64_t sinceMs, int limit)
{
    return timed(m_metrics, "quotes_since", [&] { return m_store.quotesSince(sinceMs, limit); });
}

Result<QList<Quote>> MarketService::latestQuotes(int limit)
{
    return timed(m_metrics, "latest_quotes", [&] { return m_store.latestQuotes(limit); });
}

Result<QList<Candle>> MarketService::candles(std::int64_t intervalMs, std::int64_t fromMs,
                                             std::int64_t toMs)
{
    return timed(m_metrics, "candles", [&] { return m_store.candles(intervalMs, fromMs, toMs); });
}

Result<Quote> MarketService::generateQuote(core::PriceModel::Random& random)
{
    const Result<std::optional<Quote>> latest =
        timed(m_metrics, "latest_quote", [&] { return m_store.latestQuote(); });
    if (!latest) {
        return latest.error();
    }

    const Money price = latest->has_value()
                            ? core::PriceModel::next(latest->value().price, random).price
                            : core::PriceModel::firstPrice;
    const Result<Quote> quote =
        timed(m_metrics, "insert_quote", [&] { return m_store.insertQuote(price, now()); });
    noteWrite(quote.ok(), quote);
    if (!quote) {
        return quote.error();
    }

    m_metrics.recordQuoteGenerated();
    m_bus.publishQuote(*quote);
    return quote;
}

// --- Trading ---------------------------------------------------------------

Result<core::Portfolio> MarketService::portfolio(std::int64_t accountId)
{
    return timed(m_metrics, "portfolio", [&] { return m_store.portfolio(accountId); });
}

Result<core::Portfolio> MarketService::watchPortfolio(std::int64_t accountId)
{
    return timed(m_metrics, "watch_portfolio", [&] { return m_store.watchPortfolio(accountId); });
}

Result<core::Ok> MarketService::unwatchPortfolio(std::int64_t accountId)
{
    return timed(m_metrics, "unwatch_portfolio",
                 [&] { return m_store.unwatchPortfolio(accountId); });
}

Result<OrderOutcome> MarketService::placeOrder(std::int64_t accountId, const OrderRequest& request,
                                               const QByteArray& idempotencyKey)
{
    // The canonical JSON of the request (keys sorted), so a repeat with the
    // same key is recognised even when its fields are in another order or
    // spaced differently.
    const QByteArray fingerprint = core::api::toJson(request);

    const Result<OrderOutcome> outcome = timed(m_metrics, "place_order", [&] {
        return m_store.placeOrder(accountId, request, idempotencyKey, fingerprint, now());
    });
    // A replay writes nothing, and neither does a rejection without a key.
    const bool wrote = outcome && !outcome->replayed &&
                       (outcome->changedPortfolio.has_value() || !idempotencyKey.isEmpty());
    noteWrite(wrote, outcome);
    if (!outcome) {
        m_metrics.recordOrder(outcome.error().code);
        return outcome;
    }

    m_metrics.recordOrder(orderOutcomeLabel(*outcome));
    if (outcome->changedPortfolio) {
        if (outcome->walletWatched)
            m_bus.publishPortfolio(accountId, *outcome->changedPortfolio);
        else
            m_bus.deliverPortfolioLocally(accountId, *outcome->changedPortfolio);
    }
    return outcome;
}

Result<OrderOutcome> MarketService::rejectInvalidOrder(std::int64_t accountId,
                                                       const QByteArray& body,
                                                       const QByteArray& idempotencyKey,
                                                       const core::Error& error)
{
    const StoredResponse response = rejectedOrderResponse(error);
    if (idempotencyKey.isEmpty())
        return OrderOutcome{response, false, std::nullopt};

    // A body that is no valid order has no canonical form, so only the same
    // bytes count as a repeat. The prefix keeps this fingerprint apart from
    // the canonical JSON of valid orders.
    const QByteArray fingerprint =
        "invalid body, SHA-256 " +
        QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex();
    const Result<OrderOutcome> outcome = timed(m_metrics, "keep_invalid_order", [&] {
        return m_store.keepInvalidOrder(accountId, idempotencyKey, fingerprint, response, now());
    });
    noteWrite(outcome && !outcome->replayed, outcome);
    return outcome;
}

Result<PraiseResult> MarketService::praise(std::int64_t accountId)
{
    const Result<PraiseResult> praised =
        timed(m_metrics, "praise", [&] { return m_store.praise(accountId, now()); });
    noteWrite(praised.ok(), praised);
    // With no shares the bonus is $0.00 and the wallet stays as it was, so
    // the streams get nothing.
    if (praised && praised->bonus.cents() != 0) {
        m_bus.publishPortfolio(accountId, praised->portfolio);
    }
    return praised;
}

Result<QList<Order>> MarketService::orders(std::int64_t accountId, std::int64_t beforeId, int limit)
{
    return timed(m_metrics, "orders", [&] { return m_store.orders(accountId, beforeId, limit); });
}

Health MarketService::health(const QString& generatorState)
{
    const Result<core::Ok> ping = timed(m_metrics, "ping", [&] { return m_store.ping(); });
    return Health{ping.ok(), m_storageFull.load(), m_bus.state(), generatorState};
}

template <typename T>
void MarketService::noteWrite(bool wrote, const Result<T>& result)
{
    if (wrote) {
        m_storageFull = false;
    } else if (!result && result.error().code == u"storage_full") {
        m_storageFull = true;
    }
}

}  // namespace valiant::server
