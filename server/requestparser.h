#pragma once

// How the server reads an HTTP request with Boost.Beast: the parser limits,
// the rejection a failed read gets, and the conversion to HttpRequest.
// httpserver.cpp and the fuzz target of the HTTP request path both use it,
// so the fuzzer reads requests exactly as the server does. The functions
// are inline so that the server library gains no Beast unit.

// Boost 1.74's Asio headers fail to compile with GCC 12 unless <utility>
// is included before them.
#include <utility>

#include "core/result.h"
#include "httpapi.h"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <QString>

#include <cstddef>
#include <optional>
#include <string_view>

namespace valiant::server {

namespace beast = boost::beast;
namespace http = beast::http;

using RequestParser = http::request_parser<http::string_body>;

/// The request line and headers together.
inline constexpr std::size_t headerLimitBytes = 8 * 1024;
inline constexpr std::string_view streamPath = "/api/v1/stream";

/// Sets the server's limits on a new parser: headerLimitBytes of request
/// line and headers and HttpApi::maxBodyBytes of body. Beast then fails the
/// read with header_limit or body_limit instead of buffering more.
inline void applyRequestLimits(RequestParser& parser)
{
    parser.header_limit(headerLimitBytes);
    parser.body_limit(HttpApi::maxBodyBytes);
}

inline QByteArray toByteArray(std::string_view text)
{
    return QByteArray(text.data(), static_cast<qsizetype>(text.size()));
}


/// Returns the origin form (path and query) of a request target. A target in
/// absolute form ("http://host/up?x", which RFC 9112 requires servers to
/// accept) loses its scheme and authority, and one without a path becomes "/".
/// Other targets are returned unchanged.
inline QByteArray originForm(const QByteArray& target)
{
    if (target.startsWith('/') || target == "*")
        return target;

    qsizetype schemeEnd = -1;
    for (const char* scheme : {"http://", "https://"}) {
        const QByteArray prefix(scheme);
        if (target.size() >= prefix.size() &&
            target.left(prefix.size()).compare(prefix, Qt::CaseInsensitive) == 0) {
            schemeEnd = prefix.size();
        }
    }
    if (schemeEnd < 0)
        return target;

    const qsizetype pathStart = target.indexOf('/', schemeEnd);
    const qsizetype queryStart = target.indexOf('?', schemeEnd);
    if (pathStart >= 0 && (queryStart < 0 || pathStart < queryStart))
        return target.mid(pathStart);
    if (queryStart >= 0)
        return "/" + target.mid(queryStart);
    return QByteArrayLiteral("/");
}

/// True for a WebSocket upgrade of /api/v1/stream, with or without a query.
inline bool isStreamUpgrade(const http::request<http::string_body>& request)
{
    const QByteArray target = originForm(toByteArray(request.target()));
    const qsizetype question = target.indexOf('?');
    const QByteArray path = question < 0 ? target : target.left(question);
    return beast::websocket::is_upgrade(request) && path == QByteArray(streamPath.data(), qsizetype(streamPath.size()));
}

/// Copies a parsed request into the Beast-free form HttpApi handles, with
/// header names in lower case and the target in origin form.
inline HttpRequest convertRequest(const http::request<http::string_body>& request,
                                  const QString& remoteAddress)
{
    HttpRequest converted;
    converted.method = toByteArray(request.method_string());
    converted.target = originForm(toByteArray(request.target()));
    for (const auto& field : request) {
        converted.headers.append(qMakePair(toByteArray(field.name_string()).toLower(),
                                           toByteArray(field.value())));
    }
    converted.body = QByteArray::fromStdString(request.body());
    converted.remoteAddress = remoteAddress;
    return converted;
}

/// Describes what is wrong with a request that Beast failed to parse with
/// `error`, in words a client can act on, or in Beast's words for other errors.
inline QString malformedRequestReason(const beast::error_code& error)
{
    static const std::pair<http::error, const char*> reasons[] = {
        {http::error::bad_line_ending, "a line does not end with CRLF (\\r\\n)"},
        {http::error::bad_method, "the method is not a valid token such as GET or POST"},
        {http::error::bad_target,
         "the request target contains a space, a control character such as NUL or another byte "
         "that a URL does not allow; percent-encode it"},
        {http::error::bad_version,
         "the request line does not end with HTTP/1.1 or HTTP/1.0 followed by CRLF (\\r\\n)"},
        {http::error::bad_field,
         "a header name is empty or contains a character that a token does not allow, such as a "
         "space before the colon"},
        {http::error::bad_value, "a header value contains a control character such as NUL"},
        {http::error::bad_content_length,
         "the Content-Length header is not one decimal number below 2^64, or it is repeated with "
         "another value"},
        {http::error::bad_transfer_encoding,
         "the request has both Content-Length and Transfer-Encoding, or an invalid "
         "Transfer-Encoding; send only one of them"},
        {http::error::bad_chunk,
         "a chunk of the chunked body does not start with its size as a hexadecimal number below "
         "2^64 followed by CRLF"},
        {http::error::bad_chunk_extension, "a chunk extension of the chunked body is invalid"},
        {http::error::bad_obs_fold, "a header value is folded onto a second line; send it on one line"},
    };
    for (const auto& [code, reason] : reasons) {
        if (error == code) {
            return QString::fromLatin1(reason);
        }
    }
    return QString::fromStdString(error.message());
}

/// The error response for a request that `parser` failed to read with
/// `error`: 413, 431 or 400. std::nullopt when the client closed the
/// connection or timed out, because then no response is sent.
inline std::optional<core::Error> readFailureError(const beast::error_code& error,
                                                   const RequestParser& parser)
{
    if (error == http::error::body_limit) {
        // Beast fails with body_limit before it marks the header done, so
        // the declared length is read from the fields, not content_length().
        const std::string_view length = parser.get()[http::field::content_length];
        return core::makeError(
            413, QStringLiteral("body_too_large"),
            !length.empty()
                ? QStringLiteral("The request body has %1 bytes but the limit is %2 bytes.")
                      .arg(QString::fromLatin1(length.data(), qsizetype(length.size())))
                      .arg(HttpApi::maxBodyBytes)
                : QStringLiteral("The request body is larger than the limit of %1 bytes.")
                      .arg(HttpApi::maxBodyBytes));
    }
    if (error == http::error::header_limit) {
        return core::makeError(
            431, QStringLiteral("headers_too_large"),
            QStringLiteral("The request line and headers are larger than the limit of %1 bytes.")
                .arg(headerLimitBytes));
    }
    const bool isHttpError = error.category() == make_error_code(http::error::bad_version).category();
    if (isHttpError && error != http::error::end_of_stream && error != http::error::partial_message) {
        return core::makeError(
            400, QStringLiteral("bad_request"),
            QStringLiteral("The request is not valid HTTP/1.1: %1. Send a valid HTTP/1.1 "
                           "request, such as GET /up HTTP/1.1 with a Host header.")
                .arg(malformedRequestReason(error)));
    }
    return std::nullopt;
}

}  // namespace valiant::server
