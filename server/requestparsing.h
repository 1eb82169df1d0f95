#pragma once

// Checks of the parts of an HTTP request that HttpApi validates: query
// parameters, the bearer token and the JSON body. Every rejection is an
// Error that names the value and tells the client what to send instead.

#include "core/result.h"
#include "httpapi.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

class QUrlQuery;

namespace valiant::server {

/// 422 invalid_parameter naming `name`, its value and what `expected` is.
core::Error invalidParameter(const QString& name, const QString& value, const QString& expected);

/// The one value of query parameter `name`, std::nullopt when absent, or an
/// error when it is given more than once.
core::Result<std::optional<QString>> queryValue(const QUrlQuery& query, const QString& name);

/// Reads an optional decimal integer parameter in [minimum, maximum]
/// (no sign, spaces or fraction), or returns `fallback` when it is absent.
core::Result<std::int64_t> integerParameter(const QUrlQuery& query, const QString& name,
                                            std::int64_t minimum, std::int64_t maximum,
                                            std::int64_t fallback);

/// Reads an optional RFC 3339 time parameter as milliseconds since the epoch.
core::Result<std::optional<std::int64_t>> timeParameter(const QUrlQuery& query,
                                                        const QString& name);

/// The bearer token of the Authorization header, or 401 missing_token /
/// invalid_token. The token itself never appears in a message.
core::Result<QString> bearerToken(const HttpRequest& request);

/// Checks that the body is declared as JSON (415 otherwise). A charset,
/// when given, must be UTF-8 because the codecs read only UTF-8.
core::Result<core::Ok> checkJsonContentType(const HttpRequest& request);

/// The body as one JSON object: 415 when not declared as JSON, 400
/// invalid_json when it is not an object.
core::Result<QJsonObject> jsonBody(const HttpRequest& request);

/// 422 unknown_field for the first member of `body` that is not in
/// `allowed`, so that a misspelled optional field such as limit_price is
/// not silently ignored. `endpoint` names the route in the message.
core::Result<core::Ok> checkKnownFields(const QJsonObject& body, const QStringList& allowed,
                                        const QString& endpoint);

/// 422 invalid_parameter for the first query parameter not in `allowed`.
core::Result<core::Ok> checkKnownParameters(const QUrlQuery& query, const QStringList& allowed,
                                            const QString& endpoint);

/// 400 bad_request when a header that must appear at most once (Host,
/// Content-Type, Authorization, Idempotency-Key, Sec-WebSocket-Key,
/// Sec-WebSocket-Version) appears more often, because a proxy in front may
/// read another copy than the server does.
core::Result<core::Ok> checkSingleHeaders(const HttpRequest& request);

/// Checks how a request is addressed and how its body is framed, from its
/// headers alone, so that a body of unknown length is never read and a
/// smuggled request behind it never runs. 400 bad_request for an HTTP/1.1
/// request without Host, an invalid Host value, an HTTP/1.0 request with
/// Transfer-Encoding, or a Transfer-Encoding that does not end in chunked;
/// 501 unsupported_transfer_encoding for a coding other than chunked.
core::Result<core::Ok> checkFraming(const HttpRequest& request, bool http11);

/// Checks the RFC 6455 handshake fields of a WebSocket upgrade, so that a
/// bad one gets a JSON error rather than Beast's plain-text response: 426
/// unsupported_websocket_version unless Sec-WebSocket-Version is 13, 400
/// bad_request unless Sec-WebSocket-Key is 16 bytes in base64.
core::Result<core::Ok> checkWebSocketHandshake(const HttpRequest& request);

}  // namespace valiant::server
