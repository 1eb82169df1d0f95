#include "httpapi.h"

#include "core/apicodec.h"
#include "marketservice.h"
#include "metrics.h"
#include "ratelimiter.h"
#include "requestparsing.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QUrlQuery>

#include <algorithm>
#include <chrono>
#include <exception>
#include <limits>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcHttp, "valiant.http")

using core::Error;
using core::JsonWriter;
using core::makeError;
namespace api = core::api;

constexpr const char* streamParameters = "after_id";
constexpr int defaultQuoteLimit = 60;
constexpr int maxQuoteLimit = 1000;
constexpr int defaultOrderLimit = 50;
constexpr int maxOrderLimit = 500;
constexpr std::int64_t defaultCandleCount = 60;
constexpr std::int64_t maxCandleCount = 2000;

/// A request with its path and query split apart, plus what handlers use.
struct Call
{
    const HttpRequest& request;
    QUrlQuery query;
    MarketService& service;
    RateLimiter* limiter;  // null: no limits
};

using Handler = HttpResponse (*)(const Call& call);

struct Route
{
    const char* path;
    const char* method;
    Handler handler;
    const char* parameters;  // the query parameters it accepts, comma-separated
};

HttpResponse jsonResponse(int status, QByteArray body)
{
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
}

HttpResponse jsonResponse(int status, const QJsonObject& object)
{
    return jsonResponse(status, api::toBytes(object));
}

/// {"<name>": [each value]}
template <typename T>
QByteArray listBody(std::string_view name, const QList<T>& values)
{
    JsonWriter out(64 + 128 * values.size());
    out.beginObject().key(name).beginArray();
    for (const T& value : values)
        api::write(out, value);
    return out.endArray().endObject().take();
}

/// 429 rate_limited with Retry-After in whole seconds.
HttpResponse rateLimitedResponse(const RateLimited& limited)
{
    HttpResponse response = jsonResponse(
        429, api::toJson(makeError(429, QStringLiteral("rate_limited"), limited.message)));
    response.headers.append(
        qMakePair(QByteArray("Retry-After"), QByteArray::number(limited.retryAfterSeconds)));
    return response;
}

Result<Account> authenticate(const Call& call)
{
    const auto token = bearerToken(call.request);
    if (!token) {
        return token.error();
    }
    return call.service.authenticate(*token);
}

// --- Health and metrics ------------------------------------------------------

struct ServiceInfo
{
    QString version;
    QString generatorState;
};

HttpResponse handleUp(MarketService& service, const ServiceInfo& info)
{
    const Health health = service.health(info.generatorState);
    // A full disk keeps 200: reads still work, and a load balancer that took
    // every replica out would stop those too while freeing no space.
    QString status = QStringLiteral("ok");
    QString database = QStringLiteral("ok");
    if (!health.databaseOk) {
        status = database = QStringLiteral("unavailable");
    } else if (health.storageFull) {
        status = QStringLiteral("degraded");
        database = QStringLiteral("full");
    }
    QJsonObject body{
        {QStringLiteral("status"), status},
        {QStringLiteral("database"), database},
        {QStringLiteral("bus"), health.bus},
        {QStringLiteral("generator"), health.generator},
        {QStringLiteral("version"), info.version},
    };
    return jsonResponse(health.databaseOk ? 200 : 503, body);
}

HttpResponse handleMetrics(MarketService& service)
{
    HttpResponse response;
    response.contentType = "text/plain; version=0.0.4; charset=utf-8";
    response.body = service.metrics().render();
    return response;
}

// --- Accounts and sessions ---------------------------------------------------

HttpResponse grantResponse(const Result<SessionGrant>& grant)
{
    if (!grant) {
        return HttpApi::errorResponse(grant.error());
    }
    JsonWriter out;
    out.beginObject().key("account");
    api::write(out, grant->account);
    out.key("token").value(grant->token);
    return jsonResponse(201, out.endObject().take());
}

HttpResponse postAccounts(const Call& call)
{
    const auto body = jsonBody(call.request);
    if (!body) {
        return HttpApi::errorResponse(body.error());
    }
    const auto known = checkKnownFields(*body, {QStringLiteral("username"), QStringLiteral("password")},
                                        QStringLiteral("POST /api/v1/accounts"));
    if (!known) {
        return HttpApi::errorResponse(known.error());
    }
    const auto credentials = api::decodeCredentials(*body);
    if (!credentials) {
        return HttpApi::errorResponse(credentials.error());
    }
    // Before hashing: argon2id is the costly step a flood would exploit.
    if (call.limiter) {
        if (const auto limited = call.limiter->admitSignUp(call.request.remoteAddress)) {
            return rateLimitedResponse(*limited);
        }
    }
    const Result<SessionGrant> grant =
        call.service.createAccount(credentials->username, credentials->password);
    // A name or password that breaks the rules is rejected before hashing,
    // so it costs nothing and does not count against the address.
    if (call.limiter && !grant && grant.error().status == 422) {
        call.limiter->refundSignUp(call.request.remoteAddress);
    }
    if (call.limiter && grant) {
        call.limiter->rememberLogIn(credentials->username, call.request.remoteAddress);
    }
    return grantResponse(grant);
}

HttpResponse postSessions(const Call& call)
{
    const auto body = jsonBody(call.request);
    if (!body) {
        return HttpApi::errorResponse(body.error());
    }

    const auto known = checkKnownFields(*body, {QStringLiteral("username"), QStringLiteral("password")},
                                        QStringLiteral("POST /api/v1/sessions"));
    if (!known) {
        return HttpApi::errorResponse(known.error());
    }

    // Log-in checks only the shape: a name that breaks the sign-up rules
    // simply matches no account, and gets the same 401 as a wrong password.
    const QJsonValue username = body->value(QStringLiteral("username"));
    const QJsonValue password = body->value(QStringLiteral("password"));
    if (!username.isString() || !password.isString()) {
        return HttpApi::errorResponse(
            makeError(422, QStringLiteral("invalid_field"),
                      QStringLiteral("The body must have string fields username and password.")));
    }
    if (!call.limiter) {
        return grantResponse(call.service.logIn(username.toString(), password.toString()));
    }

    // Checked before the account lookup and the password hash. Every attempt
    // reserves a failure for the username, so parallel guesses cannot all
    // pass before the first one fails; a success gives it back.
    if (const auto limited =
            call.limiter->admitLogIn(username.toString(), call.request.remoteAddress)) {
        return rateLimitedResponse(*limited);
    }
    const Result<SessionGrant> grant = call.service.logIn(username.toString(), password.toString());
    if (grant || grant.error().status != 401) {
        call.limiter->refundLogIn(username.toString(), call.request.remoteAddress);
    }
    if (grant) {
        call.limiter->rememberLogIn(username.toString(), call.request.remoteAddress);
    }
    return grantResponse(grant);
}

HttpResponse deleteCurrentSession(const Call& call)
{
    const auto token = bearerToken(call.request);
    if (!token) {
        return HttpApi::errorResponse(token.error());
    }
    const auto account = call.service.authenticate(*token);
    if (!account) {
        return HttpApi::errorResponse(account.error());
    }
    const auto loggedOut = call.service.logOut(*token);
    if (!loggedOut) {
        return HttpApi::errorResponse(loggedOut.error());
    }

    HttpResponse response;
    response.status = 204;
    response.contentType.clear();
    return response;
}

// --- Quotes ------------------------------------------------------------------

HttpResponse quotesResponse(const Result<QList<Quote>>& quotes)
{
    if (!quotes) {
        return HttpApi::errorResponse(quotes.error());
    }
    return jsonResponse(200, listBody("quotes", *quotes));
}

HttpResponse getLatestQuote(const Call& call)
{
    const auto quote = call.service.latestQuote();
    if (!quote) {
        return HttpApi::errorResponse(quote.error());
    }
    return jsonResponse(200, api::toJson(*quote));
}

HttpResponse getQuotes(const Call& call)
{
    const auto limit = integerParameter(call.query, QStringLiteral("limit"), 1, maxQuoteLimit,
                                        defaultQuoteLimit);
    if (!limit) {
        return HttpApi::errorResponse(limit.error());
    }
    const auto afterId = integerParameter(call.query, QStringLiteral("after_id"), 0,
                                          std::numeric_limits<std::int64_t>::max(), -1);
    if (!afterId) {
        return HttpApi::errorResponse(afterId.error());
    }
    const auto since = timeParameter(call.query, QStringLiteral("since"));
    if (!since) {
        return HttpApi::errorResponse(since.error());
    }

    const int count = static_cast<int>(*limit);
    if (*afterId >= 0 && since->has_value()) {
        return HttpApi::errorResponse(makeError(
            422, QStringLiteral("invalid_parameter"),
            QStringLiteral("Give either after_id or since, not both.")));
    }
    if (*afterId >= 0) {
        return quotesResponse(call.service.quotesAfter(*afterId, count));
    }
    if (since->has_value()) {
        return quotesResponse(call.service.quotesSince(**since, count));
    }
    return quotesResponse(call.service.latestQuotes(count));
}

std::optional<std::int64_t> intervalMs(const QString& name)
{
    if (name == u"1s") {
        return 1000;
    }
    if (name == u"1m") {
        return 60'000;
    }
    if (name == u"5m") {
        return 300'000;
    }
    if (name == u"1h") {
        return 3'600'000;
    }
    if (name == u"1d") {
        return 86'400'000;
    }
    return std::nullopt;
}

/// Floor division, so that bucket starts before 1970 align too.
std::int64_t floorDivide(std::int64_t a, std::int64_t b)
{
    const std::int64_t quotient = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient;
}

HttpResponse getCandles(const Call& call)
{
    const auto interval = queryValue(call.query, QStringLiteral("interval"));
    if (!interval) {
        return HttpApi::errorResponse(interval.error());
    }
    if (!interval->has_value()) {
        return HttpApi::errorResponse(makeError(
            422, QStringLiteral("invalid_parameter"),
            QStringLiteral("The query parameter interval is missing; add interval=1s, 1m, 5m, 1h or 1d.")));
    }
    const QString intervalName = **interval;
    const auto stepMs = intervalMs(intervalName);
    if (!stepMs) {
        return HttpApi::errorResponse(invalidParameter(
            QStringLiteral("interval"), intervalName, QStringLiteral("use one of 1s, 1m, 5m, 1h, 1d")));
    }

    const auto from = timeParameter(call.query, QStringLiteral("from"));
    if (!from) {
        return HttpApi::errorResponse(from.error());
    }
    const auto to = timeParameter(call.query, QStringLiteral("to"));
    if (!to) {
        return HttpApi::errorResponse(to.error());
    }

    const std::int64_t toMs = to->value_or(call.service.now());
    const std::int64_t fromMs = from->value_or(toMs - defaultCandleCount * *stepMs);
    if (fromMs >= toMs) {
        return HttpApi::errorResponse(makeError(
            422, QStringLiteral("invalid_parameter"),
            QStringLiteral("The time range is empty: from (%1) must be before to (%2).")
                .arg(api::formatTime(fromMs), api::formatTime(toMs))));
    }

    // Buckets are aligned to the epoch, so count the starts in [from, to).
    const std::int64_t firstBucket = floorDivide(fromMs + *stepMs - 1, *stepMs);
    const std::int64_t lastBucket = floorDivide(toMs - 1, *stepMs);
    const std::int64_t bucketCount = lastBucket - firstBucket + 1;
    if (bucketCount > maxCandleCount) {
        return HttpApi::errorResponse(makeError(
            422, QStringLiteral("too_many_candles"),
            QStringLiteral("The range holds %1 candles of %2 but one answer holds at most %3; "
                           "narrow from/to or use a longer interval.")
                .arg(bucketCount)
                .arg(intervalName)
                .arg(maxCandleCount)));
    }

    const auto candles = call.service.candles(*stepMs, fromMs, toMs);
    if (!candles) {
        return HttpApi::errorResponse(candles.error());
    }
    return jsonResponse(200, listBody("candles", *candles));
}

// --- Trading -----------------------------------------------------------------

HttpResponse getPortfolio(const Call& call)
{
    const auto account = authenticate(call);
    if (!account) {
        return HttpApi::errorResponse(account.error());
    }
    const auto portfolio = call.service.portfolio(account->id);
    if (!portfolio) {
        return HttpApi::errorResponse(portfolio.error());
    }
    return jsonResponse(200, api::toJson(*portfolio));
}

/// The Idempotency-Key header: empty when absent, an error when present
/// but not 1 to 64 printable ASCII characters.
Result<QByteArray> idempotencyKey(const HttpRequest& request)
{
    for (const auto& [name, value] : request.headers) {
        if (name == "idempotency-key") {
            const auto valid = api::checkIdempotencyKey(value);
            if (!valid) {
                return valid.error();
            }
            return value;
        }
    }
    return QByteArray();
}

HttpResponse postOrders(const Call& call)
{
    const auto account = authenticate(call);
    if (!account) {
        return HttpApi::errorResponse(account.error());
    }
    const auto key = idempotencyKey(call.request);
    if (!key) {
        return HttpApi::errorResponse(key.error());
    }
    // A body that is not a JSON object never becomes an order request, so
    // its key stays unused.
    const auto body = jsonBody(call.request);
    if (!body) {
        return HttpApi::errorResponse(body.error());
    }
    const auto known = checkKnownFields(
        *body, {QStringLiteral("side"), QStringLiteral("quantity"), QStringLiteral("limit_price")},
        QStringLiteral("POST /api/v1/orders"));
    const auto order = known ? api::decodeOrderRequest(*body, call.request.body)
                             : core::Result<OrderRequest>(known.error());

    // After the session lookup, which names the account, and before
    // anything is written: an invalid order is written only under a key.
    if (call.limiter && (order || !key->isEmpty())) {
        if (const auto limited = call.limiter->admitOrder(account->id)) {
            return rateLimitedResponse(*limited);
        }
    }

    const auto outcome = order ? call.service.placeOrder(account->id, *order, *key)
                               : call.service.rejectInvalidOrder(account->id, call.request.body,
                                                                 *key, order.error());
    if (!outcome) {
        return HttpApi::errorResponse(outcome.error());
    }

    // A replay returns 200 with the first response's body, even when the
    // first response was a rejection.
    HttpResponse response;
    response.status = outcome->replayed ? 200 : outcome->response.status;
    response.body = outcome->response.body;
    if (outcome->replayed) {
        response.headers.append(qMakePair(QByteArray("Idempotent-Replayed"), QByteArray("true")));
    }
    return response;
}

HttpResponse getOrders(const Call& call)
{
    const auto account = authenticate(call);
    if (!account) {
        return HttpApi::errorResponse(account.error());
    }
    const auto limit = integerParameter(call.query, QStringLiteral("limit"), 1, maxOrderLimit,
                                        defaultOrderLimit);
    if (!limit) {
        return HttpApi::errorResponse(limit.error());
    }
    const auto beforeId = integerParameter(call.query, QStringLiteral("before_id"), 1,
                                           std::numeric_limits<std::int64_t>::max(), 0);
    if (!beforeId) {
        return HttpApi::errorResponse(beforeId.error());
    }

    const auto orders = call.service.orders(account->id, *beforeId, static_cast<int>(*limit));
    if (!orders) {
        return HttpApi::errorResponse(orders.error());
    }
    return jsonResponse(200, listBody("orders", *orders));
}

HttpResponse postPraise(const Call& call)
{
    const auto account = authenticate(call);
    if (!account) {
        return HttpApi::errorResponse(account.error());
    }

    // Praise takes no fields, but a body that is sent must still be JSON.
    if (!call.request.body.isEmpty()) {
        const auto body = jsonBody(call.request);
        if (!body) {
            return HttpApi::errorResponse(body.error());
        }
        const auto known = checkKnownFields(*body, {}, QStringLiteral("POST /api/v1/praise"));
        if (!known) {
            return HttpApi::errorResponse(known.error());
        }
    }

    if (call.limiter) {
        if (const auto limited = call.limiter->admitPraise(account->id)) {
            return rateLimitedResponse(*limited);
        }
    }

    const auto praised = call.service.praise(account->id);
    if (!praised) {
        return HttpApi::errorResponse(praised.error());
    }
    JsonWriter out;
    out.beginObject().key("bonus").value(praised->bonus.toString()).key("portfolio");
    api::write(out, praised->portfolio);
    return jsonResponse(200, out.endObject().take());
}

HttpResponse getStream(const Call&)
{
    HttpResponse response = HttpApi::errorResponse(makeError(
        426, QStringLiteral("upgrade_required"),
        QStringLiteral("GET /api/v1/stream must be a WebSocket upgrade request.")));
    response.headers.append(qMakePair(QByteArray("Upgrade"), QByteArray("websocket")));
    return response;
}

// /up and /metrics have no handler here because they need ServiceInfo.
// Query parameters of /up and /metrics are ignored, so that probes and
// scrapers that add their own still work.
constexpr Route routes[] = {
    {"/up", "GET", nullptr, nullptr},
    {"/metrics", "GET", nullptr, nullptr},
    {"/api/v1/accounts", "POST", postAccounts, ""},
    {"/api/v1/sessions", "POST", postSessions, ""},
    {"/api/v1/sessions/current", "DELETE", deleteCurrentSession, ""},
    {"/api/v1/quotes/latest", "GET", getLatestQuote, ""},
    {"/api/v1/quotes", "GET", getQuotes, "after_id,since,limit"},
    {"/api/v1/candles", "GET", getCandles, "interval,from,to"},
    {"/api/v1/portfolio", "GET", getPortfolio, ""},
    {"/api/v1/orders", "GET", getOrders, "before_id,limit"},
    {"/api/v1/orders", "POST", postOrders, ""},
    {"/api/v1/praise", "POST", postPraise, ""},
    {"/api/v1/stream", "GET", getStream, streamParameters},
};

/// Every route's path once, in the table's order, separated by commas.
QByteArray routePaths()
{
    QByteArrayList paths;
    for (const Route& route : routes) {
        if (!paths.contains(route.path)) {
            paths.append(route.path);
        }
    }
    return paths.join(", ");
}

QByteArray pathOf(const QByteArray& target)
{
    const qsizetype question = target.indexOf('?');
    return question < 0 ? target : target.left(question);
}

/// A method name for metrics labels: unknown methods share one label so
/// that a client cannot grow the label set without bound.
QString methodLabel(const QByteArray& method)
{
    static constexpr const char* known[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    for (const char* name : known) {
        if (method == name) {
            return QString::fromLatin1(method);
        }
    }
    return QStringLiteral("other");
}

HttpResponse dispatch(const HttpRequest& request, const Route& route, MarketService& service,
                      const ServiceInfo& info, RateLimiter* limiter)
{
    const QByteArray path = route.path;
    if (path == "/up") {
        return handleUp(service, info);
    }
    if (path == "/metrics") {
        return handleMetrics(service);
    }

    const qsizetype question = request.target.indexOf('?');
    const QUrlQuery query(question < 0 ? QString() : QString::fromUtf8(request.target.mid(question + 1)));
    const auto known = checkKnownParameters(
        query, QString::fromLatin1(route.parameters).split(u',', Qt::SkipEmptyParts),
        QStringLiteral("%1 %2").arg(QLatin1String(route.method), QLatin1String(route.path)));
    if (!known) {
        return HttpApi::errorResponse(known.error());
    }
    return route.handler(Call{request, query, service, limiter});
}

HttpResponse routeRequest(const HttpRequest& request, MarketService& service,
                          const ServiceInfo& info, RateLimiter* limiter)
{
    if (request.body.size() > HttpApi::maxBodyBytes) {
        return HttpApi::errorResponse(makeError(
            413, QStringLiteral("body_too_large"),
            QStringLiteral("The request body has %1 bytes but the limit is %2 bytes.")
                .arg(request.body.size())
                .arg(HttpApi::maxBodyBytes)));
    }

    const auto single = checkSingleHeaders(request);
    if (!single) {
        return HttpApi::errorResponse(single.error());
    }

    const QByteArray path = pathOf(request.target);
    QByteArrayList allowed;
    for (const Route& route : routes) {
        if (path != route.path) {
            continue;
        }
        allowed.append(route.method);
        // RFC 9110 section 9.3.2: HEAD is GET without the content, and
        // HttpApi::handle() drops the body.
        const bool get = qstrcmp(route.method, "GET") == 0;
        if (get) {
            allowed.append("HEAD");
        }
        if (request.method == route.method || (get && request.method == "HEAD")) {
            return dispatch(request, route, service, info, limiter);
        }
    }

    if (allowed.isEmpty()) {
        return HttpApi::errorResponse(makeError(
            404, QStringLiteral("not_found"),
            QStringLiteral("No endpoint has the path %1. The paths are %2.")
                .arg(QString::fromUtf8(path.left(200)), QString::fromLatin1(routePaths()))));
    }
    const QByteArray choices = allowed.size() < 2
        ? allowed.join()
        : allowed.first(allowed.size() - 1).join(", ") + " or " + allowed.last();
    HttpResponse response = HttpApi::errorResponse(makeError(
        405, QStringLiteral("method_not_allowed"),
        QStringLiteral("%1 does not accept %2; use %3.")
            .arg(QString::fromUtf8(path), QString::fromLatin1(request.method.left(20)),
                 QString::fromLatin1(choices))));
    response.headers.append(qMakePair(QByteArray("Allow"), QByteArray(allowed.join(", "))));
    return response;
}

}  // namespace

QByteArray HttpRequest::header(const QByteArray& lowerCaseName) const
{
    for (const auto& [name, value] : headers) {
        if (name == lowerCaseName) {
            return value;
        }
    }
    return QByteArray();
}

HttpApi::HttpApi(MarketService& service, QString version, std::function<QString()> generatorState,
                 RateLimiter* limiter, int trustedProxies)
    : m_service(service),
      m_version(std::move(version)),
      m_generatorState(std::move(generatorState)),
      m_limiter(limiter),
      m_trustedProxies(trustedProxies)
{
}

QString HttpApi::clientAddress(const HttpRequest& request, int trustedProxies)
{
    if (trustedProxies <= 0)
        return request.remoteAddress;
    // Each proxy appends the peer it saw; repeated headers count in order.
    QByteArrayList hops;
    for (const auto& [name, value] : request.headers) {
        if (name == "x-forwarded-for") {
            for (const QByteArray& entry : value.split(','))
                hops.append(entry.trimmed());
        }
    }
    hops.append(request.remoteAddress.toLatin1());
    const qsizetype index = std::max<qsizetype>(0, hops.size() - 1 - trustedProxies);
    const QHostAddress address(QString::fromLatin1(hops.at(index)));
    // Garbage where a trusted proxy's entry belongs means the header did not
    // come from our proxies; the peer is the only address known for sure.
    return address.isNull() ? request.remoteAddress : address.toString();
}

HttpResponse HttpApi::errorResponse(const core::Error& error)
{
    HttpResponse response = jsonResponse(error.status, api::toJson(error));
    if (error.status == 401) {
        const QByteArray challenge = error.code == u"invalid_token"
                                         ? "Bearer realm=\"valiant\", error=\"invalid_token\""
                                         : "Bearer realm=\"valiant\"";
        response.headers.append(qMakePair(QByteArray("WWW-Authenticate"), QByteArray(challenge)));
    }
    // Space must be freed by an operator first, so a client that retries at
    // once only adds load. 60 s is a guess at a sensible pause, not a
    // measured recovery time.
    if (error.code == u"storage_full") {
        response.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("60")));
    }
    // The pool reconnects on the next request, so a short pause is enough,
    // and it spares a restarting database a storm of retries. 2 s is a
    // choice, not a measured recovery time.
    if (error.code == u"database_unavailable") {
        response.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("2")));
    }
    // RFC 6455 section 4.4: a version mismatch names the versions the server supports.
    if (error.code == u"unsupported_websocket_version") {
        response.headers.append(qMakePair(QByteArray("Sec-WebSocket-Version"), QByteArray("13")));
    }
    return response;
}

QString HttpApi::routePattern(const QByteArray& target)
{
    const QByteArray path = pathOf(target);
    for (const Route& route : routes) {
        if (path == route.path) {
            return QString::fromLatin1(route.path);
        }
    }
    return QStringLiteral("unmatched");
}

core::Result<StreamRequest> HttpApi::acceptStream(const HttpRequest& request)
{
    const qsizetype question = request.target.indexOf('?');
    const QUrlQuery query(question < 0 ? QString() : QString::fromUtf8(request.target.mid(question + 1)));

    const auto single = checkSingleHeaders(request);
    if (!single) {
        return single.error();
    }
    const auto handshake = checkWebSocketHandshake(request);
    if (!handshake) {
        return handshake.error();
    }
    const auto known = checkKnownParameters(query, {QString::fromLatin1(streamParameters)},
                                            QStringLiteral("GET /api/v1/stream"));
    if (!known) {
        return known.error();
    }

    StreamRequest stream;
    const auto afterId = integerParameter(query, QStringLiteral("after_id"), 0,
                                          std::numeric_limits<std::int64_t>::max(), -1);
    if (!afterId) {
        return afterId.error();
    }
    if (*afterId >= 0) {
        stream.afterId = *afterId;
    }

    // Without an Authorization header the client may still send an auth
    // message, or stay on quotes only.
    if (request.header("authorization").isEmpty()) {
        return stream;
    }
    const auto token = bearerToken(request);
    if (!token) {
        stream.authError = token.error();
        return stream;
    }
    const auto account = m_service.authenticate(*token);
    if (!account) {
        stream.authError = account.error();
        return stream;
    }
    stream.accountId = account->id;
    return stream;
}

HttpResponse HttpApi::handle(const HttpRequest& request)
{
    const auto started = std::chrono::steady_clock::now();

    // Rate limits count the address the outermost trusted proxy saw.
    HttpRequest resolved;
    if (m_trustedProxies > 0) {
        resolved = request;
        resolved.remoteAddress = clientAddress(request, m_trustedProxies);
    }
    const HttpRequest& routed = m_trustedProxies > 0 ? resolved : request;

    HttpResponse response;
    try {
        response = routeRequest(routed, m_service, ServiceInfo{m_version, m_generatorState ? m_generatorState() : QStringLiteral("off")}, m_limiter);
    } catch (const std::exception& exception) {
        // The handlers return errors as values, so an exception here is a
        // bug. The client gets a 500 and the server keeps running.
        qCCritical(lcHttp) << "Request" << request.method << routePattern(request.target)
                           << "failed with an exception:" << exception.what();
        response = errorResponse(makeError(500, QStringLiteral("internal_error"),
                                           QStringLiteral("The server failed to handle the "
                                                          "request; try again later.")));
    }
    // A response to HEAD has no content (RFC 9110 section 9.3.2). On a kept-alive
    // connection the client would read a body as the start of the next response.
    // Its Content-Length is still that of GET's body (section 8.6).
    if (request.method == "HEAD") {
        response.omittedBodyLength = response.body.size();
        response.body.clear();
    }
    response.headers.append(qMakePair(QByteArray("Cache-Control"), QByteArray("no-store")));

    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
    m_service.metrics().recordRequest(methodLabel(request.method), routePattern(request.target),
                                      response.status, elapsed.count());
    return response;
}

}  // namespace valiant::server
