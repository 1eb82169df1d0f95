#include "requestparsing.h"

#include "core/apicodec.h"

#include <QHostAddress>
#include <QUrlQuery>

#include <algorithm>
#include <utility>

namespace valiant::server {

using core::Error;
using core::makeError;
using core::Result;
namespace api = core::api;

Error invalidParameter(const QString& name, const QString& value, const QString& expected)
{
    return makeError(422, QStringLiteral("invalid_parameter"),
                     QStringLiteral("The query parameter %1=\"%2\" is invalid: %3.")
                         .arg(name, value.left(100), expected));
}

Result<std::optional<QString>> queryValue(const QUrlQuery& query, const QString& name)
{
    const QStringList values = query.allQueryItemValues(name, QUrl::FullyDecoded);
    if (values.isEmpty()) {
        return std::optional<QString>();
    }
    if (values.size() > 1) {
        return makeError(422, QStringLiteral("invalid_parameter"),
                         QStringLiteral("The query parameter %1 is given %2 times; give it once.")
                             .arg(name)
                             .arg(values.size()));
    }
    return std::optional<QString>(values.first());
}

namespace {

/// A decimal integer in [minimum, maximum] without sign, spaces or fraction.
/// Leading zeros are allowed and do not count toward the 19 digits that
/// fit in 64 bits.
std::optional<std::int64_t> parseBoundedInteger(const QString& text, std::int64_t minimum,
                                                std::int64_t maximum)
{
    for (const QChar c : text) {
        if (c < u'0' || c > u'9') {
            return std::nullopt;
        }
    }
    qsizetype firstDigit = 0;
    while (firstDigit + 1 < text.size() && text[firstDigit] == u'0') {
        ++firstDigit;
    }
    const QStringView digits = QStringView(text).sliced(firstDigit);
    if (digits.isEmpty() || digits.size() > 19) {
        return std::nullopt;
    }
    bool ok = false;
    const std::int64_t value = digits.toLongLong(&ok);
    if (!ok || value < minimum || value > maximum) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

Result<std::int64_t> integerParameter(const QUrlQuery& query, const QString& name,
                                      std::int64_t minimum, std::int64_t maximum,
                                      std::int64_t fallback)
{
    const auto value = queryValue(query, name);
    if (!value) {
        return value.error();
    }
    if (!value->has_value()) {
        return fallback;
    }

    const QString& text = **value;
    if (const auto number = parseBoundedInteger(text, minimum, maximum)) {
        return *number;
    }
    return invalidParameter(name, text,
                            QStringLiteral("use a whole number from %1 to %2").arg(minimum).arg(maximum));
}

Result<std::optional<std::int64_t>> timeParameter(const QUrlQuery& query, const QString& name)
{
    const auto value = queryValue(query, name);
    if (!value) {
        return value.error();
    }
    if (!value->has_value()) {
        return std::optional<std::int64_t>();
    }

    const QString& text = **value;
    if (const auto ms = api::parseTime(text)) {
        return std::optional<std::int64_t>(*ms);
    }
    return invalidParameter(name, text,
                            QStringLiteral("use an RFC 3339 time such as 2026-12-04T19:00:00Z "
                                           "(encode '+' as %2B)"));
}

namespace {

Error unauthorized(const QString& code, const QString& message)
{
    return makeError(401, code, message);
}

}  // namespace

Result<QString> bearerToken(const HttpRequest& request)
{
    const QByteArray header = request.header("authorization").trimmed();
    if (header.isEmpty()) {
        return unauthorized(QStringLiteral("missing_token"),
                            QStringLiteral("This endpoint needs an Authorization: Bearer TOKEN "
                                           "header; get a token from POST /api/v1/sessions."));
    }

    const int space = header.indexOf(' ');
    const QByteArray scheme = header.left(space);
    const QByteArray token = space < 0 ? QByteArray() : header.mid(space + 1).trimmed();
    if (scheme.toLower() != "bearer" || token.isEmpty()) {
        return unauthorized(QStringLiteral("invalid_token"),
                            QStringLiteral("The Authorization header must have the form "
                                           "'Bearer TOKEN'."));
    }
    return QString::fromLatin1(token);
}

Result<core::Ok> checkJsonContentType(const HttpRequest& request)
{
    const QByteArray contentType = request.header("content-type");
    const QList<QByteArray> parts = contentType.split(';');
    const QByteArray mediaType = parts.first().trimmed().toLower();

    bool charsetOk = true;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QByteArray parameter = parts.at(i).trimmed().toLower();
        if (parameter.startsWith("charset=")) {
            const QByteArray charset = parameter.mid(8).replace('"', "");
            charsetOk = charset == "utf-8" || charset == "utf8";
        }
    }

    if (mediaType == "application/json" && charsetOk) {
        return core::Ok{};
    }
    const QString received = contentType.isEmpty() ? QStringLiteral("none")
                                                : QString::fromLatin1(contentType.left(100));
    return makeError(415, QStringLiteral("unsupported_media_type"),
                     QStringLiteral("The request body must be JSON with Content-Type: "
                                    "application/json; the Content-Type was %1.")
                         .arg(received));
}

namespace {

/// "a, b and c" for a message.
QString listNames(const QStringList& names)
{
    if (names.size() < 2) {
        return names.join(QString());
    }
    return names.mid(0, names.size() - 1).join(QStringLiteral(", ")) + QStringLiteral(" and ")
        + names.last();
}

}  // namespace

Result<core::Ok> checkKnownFields(const QJsonObject& body, const QStringList& allowed,
                                  const QString& endpoint)
{
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (allowed.contains(it.key())) {
            continue;
        }
        const QString accepted = allowed.isEmpty()
            ? QStringLiteral("no fields; send {} or no body")
            : QStringLiteral("only the fields %1").arg(listNames(allowed));
        return makeError(422, QStringLiteral("unknown_field"),
                         QStringLiteral("The body has an unknown field \"%1\"; %2 accepts %3.")
                             .arg(it.key().left(40), endpoint, accepted));
    }
    return core::Ok{};
}

Result<core::Ok> checkKnownParameters(const QUrlQuery& query, const QStringList& allowed,
                                      const QString& endpoint)
{
    for (const auto& [name, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (allowed.contains(name)) {
            continue;
        }
        const QString accepted = allowed.isEmpty()
            ? QStringLiteral("takes no query parameters")
            : QStringLiteral("accepts only %1").arg(listNames(allowed));
        return makeError(422, QStringLiteral("invalid_parameter"),
                         QStringLiteral("The query parameter \"%1\" is unknown; %2 %3.")
                             .arg(name.left(40), endpoint, accepted));
    }
    return core::Ok{};
}

Result<core::Ok> checkSingleHeaders(const HttpRequest& request)
{
    static constexpr std::pair<const char*, const char*> single[] = {
        {"host", "Host"},
        {"content-type", "Content-Type"},
        {"authorization", "Authorization"},
        {"idempotency-key", "Idempotency-Key"},
        // RFC 6455 sections 11.3.1 and 11.3.5: at most once in a handshake.
        {"sec-websocket-key", "Sec-WebSocket-Key"},
        {"sec-websocket-version", "Sec-WebSocket-Version"},
    };
    for (const auto& [lowerCaseName, name] : single) {
        qsizetype count = 0;
        for (const auto& header : request.headers) {
            count += header.first == lowerCaseName ? 1 : 0;
        }
        if (count > 1) {
            return makeError(400, QStringLiteral("bad_request"),
                             QStringLiteral("The header %1 appears %2 times; send it once.")
                                 .arg(QLatin1String(name))
                                 .arg(count));
        }
    }
    return core::Ok{};
}

namespace {

bool isUnreserved(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
        || c == '.' || c == '_' || c == '~';
}

bool isSubDelimiter(char c)
{
    return QByteArrayView("!$&'()*+,;=").contains(c);
}

bool isHexDigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// Checks that `text` is an RFC 3986 reg-name: unreserved characters,
/// sub-delims and %XX escapes. Every IPv4 address is one, and so is "".
bool isRegName(QByteArrayView text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size() || !isHexDigit(text[i + 1]) || !isHexDigit(text[i + 2])) {
                return false;
            }
            i += 2;
        } else if (!isUnreserved(c) && !isSubDelimiter(c)) {
            return false;
        }
    }
    return true;
}

/// Checks that `text` is an RFC 3986 IP-literal without its brackets: an
/// IPv6 address or IPvFuture.
bool isIpLiteral(QByteArrayView text)
{
    if (text.startsWith('v') || text.startsWith('V')) {
        const qsizetype dot = text.indexOf('.');
        if (dot < 2 || dot + 1 >= text.size()) {
            return false;
        }
        const QByteArrayView version = text.sliced(1, dot - 1);
        const QByteArrayView rest = text.sliced(dot + 1);
        return std::all_of(version.begin(), version.end(), isHexDigit)
            && std::all_of(rest.begin(), rest.end(),
                           [](char c) { return isUnreserved(c) || isSubDelimiter(c) || c == ':'; });
    }
    // QHostAddress also reads a "%zone" suffix, which RFC 3986 does not allow.
    const QHostAddress address(QString::fromLatin1(text));
    return !text.contains('%') && address.protocol() == QAbstractSocket::IPv6Protocol;
}

/// Checks a Host value against RFC 9110 section 7.2: uri-host [ ":" port ],
/// where uri-host is an IP-literal in brackets, an IPv4 address or a
/// reg-name, and port is digits. Clients send an empty value for a target
/// without an authority.
bool isValidHost(QByteArrayView value)
{
    QByteArrayView host = value;
    QByteArrayView port;
    if (value.startsWith('[')) {
        const qsizetype close = value.indexOf(']');
        if (close < 0) {
            return false;
        }
        host = value.first(close + 1);
        port = value.sliced(close + 1);
        if (!isIpLiteral(host.sliced(1, host.size() - 2))) {
            return false;
        }
    } else {
        const qsizetype colon = value.indexOf(':');
        if (colon >= 0) {
            host = value.first(colon);
            port = value.sliced(colon);
        }
        if (!isRegName(host)) {
            return false;
        }
    }
    if (port.isEmpty()) {
        return true;
    }
    const QByteArrayView digits = port.sliced(1);
    return port.startsWith(':')
        && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Formats `value` for a message: at most 100 bytes, and non-ASCII bytes and
/// control characters as \xNN, so that a response or a log line stays readable.
QString printableHeaderValue(const QByteArray& value)
{
    QString printable;
    for (const char c : value.left(100)) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f) {
            printable += QStringLiteral("\\x%1").arg(byte, 2, 16, QLatin1Char('0'));
        } else {
            printable += QLatin1Char(c);
        }
    }
    if (value.size() > 100) {
        printable += QStringLiteral("... (%1 bytes)").arg(value.size());
    }
    return printable;
}

}  // namespace

Result<core::Ok> checkFraming(const HttpRequest& request, bool http11)
{
    // RFC 9112 section 3.2: a server must reject an HTTP/1.1 request without
    // Host, and any request whose Host is invalid.
    bool hasHost = false;
    for (const auto& [name, value] : request.headers) {
        if (name != "host") {
            continue;
        }
        hasHost = true;
        if (!isValidHost(value)) {
            return makeError(400, QStringLiteral("bad_request"),
                             QStringLiteral("The Host header \"%1\" is invalid. Send one host "
                                            "name or IP address with an optional port, such as "
                                            "Host: 127.0.0.1:3000.")
                                 .arg(printableHeaderValue(value)));
        }
    }
    if (http11 && !hasHost) {
        return makeError(400, QStringLiteral("bad_request"),
                         QStringLiteral("The request has no Host header, which HTTP/1.1 requires; "
                                        "add one, such as Host: 127.0.0.1:3000."));
    }

    // Every Transfer-Encoding line counts, in order (RFC 9110 section 5.3).
    QByteArrayList codings;
    for (const auto& [name, value] : request.headers) {
        if (name == "transfer-encoding") {
            for (const QByteArray& coding : value.split(',')) {
                codings.append(coding.trimmed().toLower());
            }
        }
    }
    if (codings.isEmpty()) {
        return core::Ok{};
    }
    const QString shown = QString::fromLatin1(codings.join(", ").left(100));
    // RFC 9112 section 6.1: HTTP/1.0 has no Transfer-Encoding, so a server
    // must treat the framing of such a message as faulty and close the
    // connection after its response.
    if (!http11) {
        return makeError(400, QStringLiteral("bad_request"),
                         QStringLiteral("The request is HTTP/1.0 but has Transfer-Encoding \"%1\", "
                                        "which HTTP/1.0 does not define, so the body length is "
                                        "unknown. Send the body with Content-Length, or send the "
                                        "request as HTTP/1.1.")
                             .arg(shown));
    }
    if (codings == QByteArrayList{"chunked"}) {
        return core::Ok{};
    }
    // RFC 9112 section 6.3: unless chunked comes last, and only once, the
    // body length is unknown.
    if (codings.last() != "chunked" || codings.count("chunked") > 1) {
        return makeError(400, QStringLiteral("bad_request"),
                         QStringLiteral("The Transfer-Encoding \"%1\" must list chunked once and "
                                        "last, or the body length is unknown. Send the body with "
                                        "Content-Length or Transfer-Encoding: chunked.")
                             .arg(shown));
    }
    return makeError(501, QStringLiteral("unsupported_transfer_encoding"),
                     QStringLiteral("The Transfer-Encoding \"%1\" is not supported; the server "
                                    "decodes only chunked. Send the body uncompressed with "
                                    "Content-Length or Transfer-Encoding: chunked.")
                         .arg(shown));
}

Result<core::Ok> checkWebSocketHandshake(const HttpRequest& request)
{
    const QByteArray version = request.header("sec-websocket-version").trimmed();
    if (version != "13") {
        return makeError(426, QStringLiteral("unsupported_websocket_version"),
                         QStringLiteral("The stream supports WebSocket version 13 (RFC 6455) only, "
                                        "but Sec-WebSocket-Version was \"%1\". Send "
                                        "Sec-WebSocket-Version: 13.")
                             .arg(QString::fromLatin1(version.left(20))));
    }

    const QByteArray key = request.header("sec-websocket-key").trimmed();
    const auto decoded = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    if (key.size() != 24 || !decoded || decoded.decoded.size() != 16) {
        return makeError(400, QStringLiteral("bad_request"),
                         QStringLiteral("The Sec-WebSocket-Key header is %1; send 16 random bytes "
                                        "in base64, such as dGhlIHNhbXBsZSBub25jZQ==.")
                             .arg(key.isEmpty() ? QStringLiteral("missing")
                                                : QStringLiteral("invalid (\"%1\")")
                                                      .arg(QString::fromLatin1(key.left(40)))));
    }
    return core::Ok{};
}

Result<QJsonObject> jsonBody(const HttpRequest& request)
{
    const auto typeOk = checkJsonContentType(request);
    if (!typeOk) {
        return typeOk.error();
    }
    return api::parseObject(request.body);
}

}  // namespace valiant::server
