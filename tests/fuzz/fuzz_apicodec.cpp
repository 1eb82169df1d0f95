// Fuzz target for the API's JSON codecs (core/apicodec.h). The input is a
// request or response body. Every decoder reads it, as the server does for
// request bodies and MarketClient for responses, and a value that decodes
// must encode to JSON that decodes to the same value again. The two order
// decoders must agree: the one that also reads the raw quantity literal
// only ever rejects more.

#include "core/apicodec.h"

#include <QJsonDocument>
#include <QString>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace api = valiant::core::api;
using valiant::core::Candle;
using valiant::core::OrderRequest;
using valiant::core::Portfolio;
using valiant::core::Quote;

namespace {

[[noreturn]] void fail(const QByteArray& body, const char* problem)
{
    std::fprintf(stderr, "API codec check failed for %s: %s\n", body.left(400).constData(), problem);
    std::abort();
}

bool sameOrderRequest(const OrderRequest& a, const OrderRequest& b)
{
    return a.side == b.side && a.quantity == b.quantity && a.limitPrice == b.limitPrice;
}

/// Checks that JsonWriter wrote what QJsonDocument writes for the same
/// values, because stored replies and fingerprints compare byte for byte.
void checkQtCanonical(const QByteArray& body, const QByteArray& written)
{
    const QJsonDocument document = QJsonDocument::fromJson(written);
    if (document.isNull() || document.toJson(QJsonDocument::Compact) != written) {
        fail(body, "JsonWriter wrote other bytes than QJsonDocument would");
    }
}

void checkOrderRequest(const QByteArray& body, const QJsonObject& object)
{
    const auto fromObject = api::decodeOrderRequest(object);
    const auto fromBody = api::decodeOrderRequest(object, body);
    if (fromBody && (!fromObject || !sameOrderRequest(*fromBody, *fromObject))) {
        fail(body, "the raw-body order decoder accepts what the object decoder does not");
    }
    if (!fromObject && fromObject.error().code != u"invalid_quantity"
        && (fromBody || fromBody.error().code != fromObject.error().code)) {
        fail(body, "the two order decoders report different errors for a field other than quantity");
    }
    if (!fromBody) {
        if (fromBody.error().status != 422 || fromBody.error().message.size() > 300) {
            fail(body, "an order error is not a short 422");
        }
        return;
    }

    const QByteArray encoded = api::toJson(*fromBody);
    checkQtCanonical(body, encoded);
    const auto reparsed = api::parseObject(encoded);
    if (!reparsed) {
        fail(body, "an encoded order request is not a JSON object");
    }
    const auto again = api::decodeOrderRequest(*reparsed, encoded);
    if (!again || !sameOrderRequest(*again, *fromBody)) {
        fail(body, "an order request does not survive encoding and decoding");
    }
}

void checkCredentials(const QJsonObject& object)
{
    const auto credentials = api::decodeCredentials(object);
    if (!credentials) {
        return;
    }
    // The sign-up rules must decide every string without crashing.
    api::checkUsername(credentials->username);
    api::checkPassword(credentials->password);
}

/// Encodes a decoded value, parses the JSON text and decodes it again.
template <typename Value, typename Decode, typename Same>
void checkRoundTrip(const QByteArray& body, const valiant::core::Result<Value>& decoded,
                    Decode decode, Same same, const char* problem)
{
    if (!decoded) {
        return;
    }
    const QByteArray encoded = api::toJson(*decoded);
    checkQtCanonical(body, encoded);
    const auto reparsed = api::parseObject(encoded);
    if (!reparsed) {
        fail(body, problem);
    }
    const auto again = decode(*reparsed);
    if (!again || !same(*again, *decoded)) {
        fail(body, problem);
    }
}

void checkResponseDecoders(const QByteArray& body, const QJsonObject& object)
{
    checkRoundTrip(body, api::decodeQuote(object), api::decodeQuote,
                   [](const Quote& a, const Quote& b) {
                       return a.id == b.id && a.price == b.price && a.createdMs == b.createdMs;
                   },
                   "a quote does not survive encoding and decoding");
    checkRoundTrip(body, api::decodeCandle(object), api::decodeCandle,
                   [](const Candle& a, const Candle& b) {
                       return a.startMs == b.startMs && a.open == b.open && a.high == b.high
                              && a.low == b.low && a.close == b.close && a.count == b.count;
                   },
                   "a candle does not survive encoding and decoding");
    checkRoundTrip(body, api::decodeAccount(object), api::decodeAccount,
                   [](const auto& a, const auto& b) { return a.id == b.id && a.username == b.username; },
                   "an account does not survive encoding and decoding");
    checkRoundTrip(body, api::decodeOrder(object), api::decodeOrder,
                   [](const auto& a, const auto& b) {
                       return a.id == b.id && a.side == b.side && a.quantity == b.quantity
                              && a.price == b.price && a.total == b.total && a.quoteId == b.quoteId
                              && a.createdMs == b.createdMs;
                   },
                   "an order does not survive encoding and decoding");

    // The wallet view shows the market value and profit of whatever wallet
    // the server sent, so both must be defined for any decoded one.
    const auto portfolio = api::decodePortfolio(object);
    if (portfolio) {
        portfolio->marketValue();
        portfolio->profitAndLoss();
    }
    checkRoundTrip(body, portfolio, api::decodePortfolio,
                   [](const Portfolio& a, const Portfolio& b) {
                       const bool sameQuote = a.lastQuote.has_value() == b.lastQuote.has_value()
                                              && (!a.lastQuote
                                                  || (a.lastQuote->id == b.lastQuote->id
                                                      && a.lastQuote->price == b.lastQuote->price));
                       return a.holdings.cash == b.holdings.cash
                              && a.holdings.shares == b.holdings.shares
                              && a.holdings.costBasis == b.holdings.costBasis && sameQuote;
                   },
                   "a portfolio does not survive encoding and decoding");
}

void checkError(const QByteArray& body)
{
    const auto error = api::decodeError(409, body);
    if (error.status != 409 || error.code.isEmpty()) {
        fail(body, "decodeError() returned no code or another status");
    }
    checkQtCanonical(body, api::toJson(error));
    checkQtCanonical(body, api::errorMessage(error.code, error.message));
}

void checkTime(const QByteArray& body)
{
    const auto ms = api::parseTime(QString::fromUtf8(body));
    if (!ms) {
        return;
    }
    if (api::parseTime(api::formatTime(*ms)) != ms) {
        fail(body, "formatTime() of a parsed time does not parse back to the same time");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray body(reinterpret_cast<const char*>(data), qsizetype(size));
    checkError(body);
    checkTime(body);
    api::checkIdempotencyKey(body);

    const auto object = api::parseObject(body);
    if (!object) {
        if (object.error().status != 400 || object.error().code != u"invalid_json") {
            fail(body, "a body that is not a JSON object gets no 400 invalid_json");
        }
        return 0;
    }
    checkOrderRequest(body, *object);
    checkCredentials(*object);
    checkResponseDecoders(body, *object);
    return 0;
}
