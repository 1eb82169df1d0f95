// Fuzz target for the query parameters of the API: the candle interval,
// from and to, the quote limit, after_id and since, and the order list's
// limit and before_id. The input is the query string after '?'. It goes to
// the parameter readers of server/requestparsing.h directly and, through
// HttpApi, to the candle, quote, order list and stream endpoints of a real
// service (ApiFixture). Beyond crashes it aborts when a reader returns a
// value outside its range or a candle response breaks the candle rules.

#include "apifixture.h"

#include "core/apicodec.h"
#include "server/requestparsing.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

#include <cstdint>
#include <limits>
#include <optional>

namespace api = valiant::core::api;
using valiant::fuzz::ApiFixture;
using valiant::fuzz::failCheck;
using valiant::server::HttpRequest;
using valiant::server::HttpResponse;

namespace {

HttpRequest getRequest(const QByteArray& path, const QByteArray& query, const QByteArray& token)
{
    HttpRequest request;
    request.method = "GET";
    request.target = path + '?' + query;
    request.remoteAddress = QStringLiteral("127.0.0.1");
    if (!token.isEmpty()) {
        request.headers.append(qMakePair(QByteArray("authorization"), "Bearer " + token));
    }
    return request;
}

/// Reads the parameters as the handlers do and checks each value's range.
void checkReaders(const HttpRequest& request, const QUrlQuery& query)
{
    using valiant::server::integerParameter;
    const auto limit = integerParameter(query, QStringLiteral("limit"), 1, 1000, 60);
    if (limit && (*limit < 1 || *limit > 1000)) {
        failCheck(request, QStringLiteral("limit %1 is outside 1 to 1000").arg(*limit));
    }
    const auto afterId = integerParameter(query, QStringLiteral("after_id"), 0,
                                          std::numeric_limits<std::int64_t>::max(), -1);
    if (afterId && *afterId < -1) {
        failCheck(request, QStringLiteral("after_id %1 is negative").arg(*afterId));
    }
    for (const auto& failed : {limit.ok() ? std::optional<valiant::core::Error>() : limit.error(),
                               afterId.ok() ? std::optional<valiant::core::Error>() : afterId.error()}) {
        if (failed && (failed->status != 422 || failed->code != u"invalid_parameter")) {
            failCheck(request, QStringLiteral("a parameter error is %1 %2, not 422 invalid_parameter")
                                   .arg(failed->status)
                                   .arg(failed->code));
        }
    }

    const auto since = valiant::server::timeParameter(query, QStringLiteral("since"));
    if (since && since->has_value() && !api::parseTime(api::formatTime(**since))) {
        failCheck(request, QStringLiteral("since %1 does not format as an RFC 3339 time").arg(**since));
    }
}

std::optional<std::int64_t> intervalMs(const QString& name)
{
    const std::pair<const char*, std::int64_t> intervals[] = {
        {"1s", 1000}, {"1m", 60'000}, {"5m", 300'000}, {"1h", 3'600'000}, {"1d", 86'400'000}};
    for (const auto& [text, ms] : intervals) {
        if (name == QLatin1String(text)) {
            return ms;
        }
    }
    return std::nullopt;
}

/// A 200 candle response: at most 2000 candles in ascending order, each
/// aligned to the interval, inside [from, to) when both are given, with
/// low <= open, close <= high and at least one quote.
void checkCandles(const HttpRequest& request, const QUrlQuery& query, const HttpResponse& response)
{
    if (response.status != 200) {
        return;
    }
    const std::optional<std::int64_t> stepMs =
        intervalMs(query.queryItemValue(QStringLiteral("interval"), QUrl::FullyDecoded));
    if (!stepMs) {
        failCheck(request, QStringLiteral("candles were returned for an invalid interval"));
    }
    const auto from = valiant::server::timeParameter(query, QStringLiteral("from"));
    const auto to = valiant::server::timeParameter(query, QStringLiteral("to"));
    const std::int64_t fromMs = from && from->has_value() ? **from : std::numeric_limits<std::int64_t>::min();
    const std::int64_t toMs = to && to->has_value() ? **to : ApiFixture::nowMs;

    const QJsonArray candles =
        QJsonDocument::fromJson(response.body).object().value(QStringLiteral("candles")).toArray();
    if (candles.size() > 2000) {
        failCheck(request, QStringLiteral("%1 candles exceed the maximum of 2000").arg(candles.size()));
    }
    std::int64_t previousStart = std::numeric_limits<std::int64_t>::min();
    for (const auto& value : candles) {
        const auto candle = api::decodeCandle(value.toObject());
        if (!candle) {
            failCheck(request, QStringLiteral("a candle does not decode: %1").arg(candle.error().message));
        }
        const bool aligned = candle->startMs % *stepMs == 0;
        const bool inRange = candle->startMs >= fromMs && candle->startMs < toMs;
        const bool ordered = candle->startMs > previousStart;
        const bool pricesOk = candle->low <= candle->open && candle->low <= candle->close
                              && candle->open <= candle->high && candle->close <= candle->high;
        if (!aligned || !inRange || !ordered || !pricesOk || candle->count < 1) {
            failCheck(request, QStringLiteral("the candle at %1 breaks a candle rule (aligned %2, "
                                              "in range %3, ordered %4, prices %5, count %6)")
                                   .arg(api::formatTime(candle->startMs))
                                   .arg(aligned)
                                   .arg(inRange)
                                   .arg(ordered)
                                   .arg(pricesOk)
                                   .arg(candle->count));
        }
        previousStart = candle->startMs;
    }
}

/// A 200 quote response has at most `limit` quotes in ascending id order.
void checkQuotes(const HttpRequest& request, const QUrlQuery& query, const HttpResponse& response)
{
    if (response.status != 200) {
        return;
    }
    const auto limit = valiant::server::integerParameter(query, QStringLiteral("limit"), 1, 1000, 60);
    const QJsonArray quotes =
        QJsonDocument::fromJson(response.body).object().value(QStringLiteral("quotes")).toArray();
    if (!limit || quotes.size() > *limit) {
        failCheck(request, QStringLiteral("%1 quotes were returned for the limit").arg(quotes.size()));
    }
    std::int64_t previousId = 0;
    for (const auto& value : quotes) {
        const auto quote = api::decodeQuote(value.toObject());
        if (!quote || quote->id <= previousId) {
            failCheck(request, QStringLiteral("the quotes do not decode in ascending id order"));
        }
        previousId = quote->id;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static ApiFixture fixture;

    const QByteArray queryText(reinterpret_cast<const char*>(data), qsizetype(size));
    // HttpApi reads the query as UTF-8 the same way.
    const QUrlQuery query(QString::fromUtf8(queryText));

    checkReaders(getRequest("/api/v1/quotes", queryText, {}), query);

    const HttpRequest candles = getRequest("/api/v1/candles", queryText, {});
    checkCandles(candles, query, fixture.handle(candles));

    const HttpRequest quotes = getRequest("/api/v1/quotes", queryText, {});
    checkQuotes(quotes, query, fixture.handle(quotes));

    fixture.handle(getRequest("/api/v1/orders", queryText, fixture.token()));
    fixture.acceptStream(getRequest("/api/v1/stream", queryText, {}));
    return 0;
}
