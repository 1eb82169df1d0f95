#pragma once

// The JSON codecs of the API, in one place: requests parsed into typed
// values with every malformed case rejected by name, and typed values
// written as JSON. Both the server and MarketClient use them, so the two
// sides cannot drift apart.

#include "jsonwriter.h"
#include "market.h"
#include "orderrules.h"
#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace valiant::core::api {

inline constexpr int maxUsernameLength = 32;
inline constexpr int minUsernameLength = 3;
inline constexpr int minPasswordLength = 8;
inline constexpr int maxPasswordLength = 1024;
inline constexpr int maxIdempotencyKeyLength = 64;

struct Credentials
{
    QString username;
    QString password;
};

// --- Times -----------------------------------------------------------------

/// Formats milliseconds since the epoch as RFC 3339 UTC with milliseconds:
/// "2026-12-04T19:00:01.000Z".
QString formatTime(std::int64_t msSinceEpoch);

/// Parses an RFC 3339 time with a "Z" or numeric offset, with or without
/// fraction digits. std::nullopt when the text is not such a time or when
/// the time falls outside the years 1 to 9999 in UTC.
std::optional<std::int64_t> parseTime(QStringView text);

// --- Requests (server side) ------------------------------------------------

/// Parses a request body that must be one JSON object (400 invalid_json),
/// with no member repeated and no raw control character in a string.
/// A number beyond a double's range reads as 1e308, -1e308 or 0, so that
/// the field's own check rejects it with 422 (see strictjson.h).
Result<QJsonObject> parseObject(const QByteArray& body);

/// Validates {"username", "password"}: invalid_username, invalid_password.
Result<Credentials> decodeCredentials(const QJsonObject& object);
Result<Ok> checkUsername(const QString& username);
Result<Ok> checkPassword(const QString& password);

/// Validates {"side", "quantity", "limit_price"?}: invalid_side,
/// invalid_quantity (also fractions, strings and numbers beyond 64 bits),
/// invalid_limit_price.
Result<OrderRequest> decodeOrderRequest(const QJsonObject& object);

/// Like decodeOrderRequest(object), but checks the quantity as written in
/// `body`, the JSON text of `object`: only a plain integer literal such as
/// 12 is valid (not 1.0 or 1e3), and an error shows the literal as sent.
Result<OrderRequest> decodeOrderRequest(const QJsonObject& object, const QByteArray& body);

/// Validates an Idempotency-Key header value: 1 to 64 printable ASCII
/// characters (invalid_idempotency_key).
Result<Ok> checkIdempotencyKey(const QByteArray& key);

// --- Values to JSON --------------------------------------------------------

/// Each value as one JSON object, written straight into bytes.
void write(JsonWriter& out, const Quote& quote);
void write(JsonWriter& out, const Candle& candle);
void write(JsonWriter& out, const Account& account);
void write(JsonWriter& out, const Order& order);
void write(JsonWriter& out, const Portfolio& portfolio);
/// The canonical form of an order request, also its idempotency fingerprint.
void write(JsonWriter& out, const OrderRequest& request);
/// {"error": {"code", "message"}}
void write(JsonWriter& out, const Error& error);

template <typename T>
QByteArray toJson(const T& value)
{
    JsonWriter out;
    write(out, value);
    return out.take();
}

/// The same objects read back as QJsonObject, for callers that inspect them.
QJsonObject encode(const Quote& quote);
QJsonObject encode(const Candle& candle);
QJsonObject encode(const Account& account);
QJsonObject encode(const Order& order);
QJsonObject encode(const Portfolio& portfolio);
QJsonObject encodeOrderRequest(const OrderRequest& request);
QJsonObject encodeError(const Error& error);

QByteArray toBytes(const QJsonObject& object);

// --- Stream messages -------------------------------------------------------

QByteArray helloMessage(std::int64_t serverTimeMs, std::int64_t latestId);
QByteArray quoteMessage(const Quote& quote);
QByteArray portfolioMessage(const Portfolio& portfolio);
QByteArray errorMessage(const QString& code, const QString& message);

// --- JSON to values (client side) ------------------------------------------

Result<Quote> decodeQuote(const QJsonObject& object);
Result<Candle> decodeCandle(const QJsonObject& object);
Result<Account> decodeAccount(const QJsonObject& object);
Result<Order> decodeOrder(const QJsonObject& object);
Result<Portfolio> decodePortfolio(const QJsonObject& object);

/// Reads an error body; falls back to the HTTP status and the raw text
/// when the body is not the API's error shape.
Error decodeError(int httpStatus, const QByteArray& body);

}  // namespace valiant::core::api
