// Black-box tests of hostile input against a real valiant-server on
// 127.0.0.1. One table lists malformed or hostile HTTP requests written
// on raw sockets, each with the status and error code it must get. Another
// lists hand-made WebSocket frames, each with the close code it must get.
// A slowloris run follows, then checks of valid Host values, of HEAD
// framing and of how rarely rejections and failed accept calls are
// logged. After every row GET /up must return 200
// within a second and the test account's portfolio must be unchanged, so
// a rejected request left no state behind.

#include "support/httpclient.h"
#include "support/serverprocess.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <sys/resource.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

using namespace valiant::test;

namespace {

// Short, so that the row whose body stalls ends quickly.
constexpr int requestTimeoutSeconds = 3;
constexpr int tickMs = 500;
constexpr int slowlorisConnections = 500;
constexpr int slowlorisSeconds = 12;
constexpr int slowlorisPollMs = 200;
constexpr int maxBodyBytes = 64 * 1024;

// --- HTTP rows ---------------------------------------------------------------

/// What the rows need to know about the server under test.
struct Target
{
    QByteArray token;     // an account with cash and no shares
    QByteArray usedKey;   // an Idempotency-Key that account already used
};

/// How the bytes of a row reach the server.
enum class Delivery {
    Whole,          // all of them, reading while writing
    EndlessChunks,  // the bytes, then 1 KiB chunks that never end
    Stall,          // the bytes, then silence
};

struct HttpRow
{
    const char* name;
    std::function<QByteArray(const Target&)> bytes;
    int status;           // 0: closed without a response
    const char* code;     // error.code of the response body
    const char* mention;  // text the error message must contain, or nullptr
    Delivery delivery = Delivery::Whole;
    const char* header = nullptr;  // "Name: value" the response must carry; value as a prefix
};

/// A request line, Host and `headers`, and the blank line.
QByteArray head(const QByteArray& requestLine, const QList<QByteArray>& headers = {})
{
    QByteArray bytes = requestLine + "\r\nHost: 127.0.0.1\r\n";
    for (const QByteArray& header : headers) {
        bytes += header + "\r\n";
    }
    return bytes + "\r\n";
}

QByteArray get(const QByteArray& target, QList<QByteArray> headers = {})
{
    headers.prepend("Connection: close");
    return head("GET " + target + " HTTP/1.1", headers);
}

QByteArray post(const QByteArray& path, const QByteArray& body, QList<QByteArray> headers)
{
    headers.prepend("Connection: close");
    headers.append("Content-Length: " + QByteArray::number(body.size()));
    return head("POST " + path + " HTTP/1.1", headers) + body;
}

/// GET /up with `host` as the only Host header.
QByteArray withHost(const QByteArray& host)
{
    return "GET /up HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
}

/// A stream upgrade request; a `key` of 16 bytes in base64 is what RFC 6455 requires.
QByteArray upgrade(const QByteArray& target, const QByteArray& key, const QByteArray& version)
{
    QList<QByteArray> headers{"Upgrade: websocket", "Connection: Upgrade"};
    if (!key.isEmpty()) {
        headers.append("Sec-WebSocket-Key: " + key);
    }
    headers.append("Sec-WebSocket-Version: " + version);
    return head("GET " + target + " HTTP/1.1", headers);
}

constexpr const char* validKey = "dGhlIHNhbXBsZSBub25jZQ==";

QByteArray bearer(const Target& target)
{
    return "Authorization: Bearer " + target.token;
}

/// An authenticated JSON order with `extraHeaders` after the usual ones.
QByteArray order(const Target& target, const QByteArray& body, const QList<QByteArray>& extraHeaders = {})
{
    return post("/api/v1/orders", body,
                QList<QByteArray>{bearer(target), "Content-Type: application/json"} + extraHeaders);
}

QByteArray signUp(const QByteArray& body)
{
    return post("/api/v1/accounts", body, {"Content-Type: application/json"});
}

QByteArray repeated(const QByteArray& text, int count)
{
    QByteArray result;
    result.reserve(text.size() * count);
    for (int i = 0; i < count; ++i) {
        result += text;
    }
    return result;
}

const std::vector<HttpRow>& httpRows()
{
    using T = const Target&;
    const QByteArray buyOne = R"({"side":"buy","quantity":1})";
    static const std::vector<HttpRow> rows{
        // Framing: lengths, chunks and request smuggling.
        {"Content-Length of 10 GiB",
         [](T t) { return head("POST /api/v1/orders HTTP/1.1", {bearer(t), "Content-Type: application/json", "Content-Length: 10737418240"}); },
         413, "body_too_large", "10737418240"},
        {"Content-Length negative",
         [](T) { return head("POST /api/v1/accounts HTTP/1.1", {"Content-Type: application/json", "Content-Length: -1"}) + "{}"; },
         400, "bad_request", "Content-Length"},
        {"Content-Length beyond 2^64",
         [](T) { return head("POST /api/v1/accounts HTTP/1.1", {"Content-Type: application/json", "Content-Length: 99999999999999999999999"}) + "{}"; },
         400, "bad_request", "Content-Length"},
        {"Content-Length twice, differing",
         [](T) { return head("POST /api/v1/accounts HTTP/1.1", {"Content-Type: application/json", "Content-Length: 2", "Content-Length: 3"}) + "{} "; },
         400, "bad_request", "Content-Length"},
        {"body over 64 KiB",
         [](T t) { return order(t, R"({"side":"buy","quantity":1,"pad":")" + QByteArray(maxBodyBytes, 'x') + "\"}"); },
         413, "body_too_large", "65536"},
        // Each carries a smuggled second request, which must get no response.
        {"Content-Length with Transfer-Encoding",
         [](T) { return head("POST /api/v1/accounts HTTP/1.1", {"Content-Type: application/json", "Content-Length: 4", "Transfer-Encoding: chunked"}) + "0\r\n\r\n" + head("GET /up HTTP/1.1"); },
         400, "bad_request", "Transfer-Encoding"},
        {"Transfer-Encoding gzip only",
         [](T) { return head("POST /api/v1/accounts HTTP/1.1", {"Content-Type: application/json", "Transfer-Encoding: gzip"}) + head("GET /up HTTP/1.1"); },
         400, "bad_request", "Transfer-Encoding"},
        {"Transfer-Encoding gzip, chunked",
         [](T) { return head("POST /api/v1/accounts HTTP/1.1", {"Connection: close", "Content-Type: application/json", "Transfer-Encoding: gzip, chunked"}) + "2\r\n{}\r\n0\r\n\r\n"; },
         501, "unsupported_transfer_encoding", "gzip"},
        {"HTTP/1.0 with Transfer-Encoding",
         [](T) { return QByteArray("POST /api/v1/sessions HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n") + "GET /up HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"; },
         400, "bad_request", "HTTP/1.0"},
        {"Transfer-Encoding xchunked",
         [](T) { return head("POST /api/v1/accounts HTTP/1.1", {"Content-Type: application/json", "Transfer-Encoding: xchunked"}) + "2\r\n{}\r\n0\r\n\r\n" + head("GET /up HTTP/1.1"); },
         400, "bad_request", "Transfer-Encoding"},
        {"space before header colon",
         [](T) { return head("POST /api/v1/accounts HTTP/1.1", {"Content-Type: application/json", "Transfer-Encoding : chunked"}) + "0\r\n\r\n"; },
         400, "bad_request", "header"},
        {"chunk size beyond 64 bits",
         [](T) { return head("POST /api/v1/accounts HTTP/1.1", {"Content-Type: application/json", "Transfer-Encoding: chunked"}) + "fffffffffffffffffff\r\n"; },
         400, "bad_request", "chunk"},
        {"chunk size not hexadecimal",
         [](T) { return head("POST /api/v1/accounts HTTP/1.1", {"Content-Type: application/json", "Transfer-Encoding: chunked"}) + "zz\r\n{}\r\n0\r\n\r\n"; },
         400, "bad_request", "chunk"},
        {"chunked body never ends",
         [](T t) { return head("POST /api/v1/orders HTTP/1.1", {bearer(t), "Content-Type: application/json", "Transfer-Encoding: chunked"}); },
         413, "body_too_large", "65536", Delivery::EndlessChunks},
        {"chunked body stalls",
         [](T t) { return head("POST /api/v1/orders HTTP/1.1", {bearer(t), "Content-Type: application/json", "Transfer-Encoding: chunked"}) + "2\r\n{}\r\n"; },
         0, nullptr, nullptr, Delivery::Stall},

        // Request line and headers.
        {"headers of 1 MB", [](T) { return get("/up", {"X-Big: " + QByteArray(1'000'000, 'a')}); },
         431, "headers_too_large", "8192"},
        {"10000 header lines", [](T) { return get("/up", {repeated("X-Many: 1\r\n", 10'000).chopped(2)}); },
         431, "headers_too_large", "8192"},
        {"URL of 20000 characters", [](T) { return get("/api/v1/quotes?limit=1&x=" + QByteArray(20'000, 'a')); },
         431, "headers_too_large", "8192"},
        {"unknown method", [](T) { return head("FROB /up HTTP/1.1", {"Connection: close"}); },
         405, "method_not_allowed", "FROB", Delivery::Whole, "Allow: GET"},
        {"lower-case method", [](T) { return head("get /up HTTP/1.1", {"Connection: close"}); },
         405, "method_not_allowed", "GET"},
        {"method with a bracket", [](T) { return head("GE(T /up HTTP/1.1"); },
         400, "bad_request", "method"},
        {"HTTP version 9.9", [](T) { return head("GET /up HTTP/9.9"); },
         400, "bad_request", "HTTP/1.1"},
        {"HTTP/2 preface", [](T) { return QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"); },
         400, "bad_request", "HTTP/1.1"},
        {"bare LF line endings", [](T) { return QByteArray("GET /up HTTP/1.1\nHost: 127.0.0.1\n\n"); },
         400, "bad_request", "CRLF"},
        {"NUL byte in target", [](T) { return head(QByteArray("GET /up\0x HTTP/1.1", 18)); },
         400, "bad_request", "target"},
        {"NUL byte in header value", [](T) { return head("GET /up HTTP/1.1", {QByteArray("X-Note: a\0b", 11)}); },
         400, "bad_request", "header"},
        {"Host missing", [](T) { return QByteArray("GET /up HTTP/1.1\r\nConnection: close\r\n\r\n"); },
         400, "bad_request", "Host"},
        {"Host twice", [](T) { return get("/up", {"Host: example.com"}); },
         400, "bad_request", "Host"},
        {"Host as a list", [](T) { return withHost("a, b"); }, 400, "bad_request", "\"a, b\""},
        {"Host with a space", [](T) { return withHost("a b"); }, 400, "bad_request", "\"a b\""},
        {"Host with user and path", [](T) { return withHost("user@evil:80/x?"); },
         400, "bad_request", "\"user@evil:80/x?\""},
        {"Host port not digits", [](T) { return withHost("127.0.0.1:80a"); }, 400, "bad_request", "80a"},
        {"Host IPv6 without brackets", [](T) { return withHost("::1"); }, 400, "bad_request", "::1"},
        {"Host IPv6 with a zone", [](T) { return withHost("[fe80::1%eth0]"); }, 400, "bad_request", "fe80"},
        {"Host bracket unclosed", [](T) { return withHost("[::1"); }, 400, "bad_request", "[::1"},
        {"Host bad percent-encoding", [](T) { return withHost("a%zz"); }, 400, "bad_request", "a%zz"},

        // Paths and query parameters.
        {"path traversal", [](T) { return get("/api/v1/../../etc/passwd"); },
         404, "not_found", "/api/v1/../../etc/passwd"},
        {"encoded path traversal", [](T) { return get("/api/v1/%2e%2e/%2e%2e/etc/passwd"); },
         404, "not_found", "%2e%2e"},
        {"encoded slash", [](T) { return get("/api/v1%2fquotes"); },
         404, "not_found", "%2f"},
        {"bad percent-encoding in path", [](T) { return get("/api/v1/%zz"); },
         404, "not_found", "%zz"},
        {"invalid UTF-8 in path", [](T) { return get("/api/v1/\xff\xfe"); },
         404, "not_found", "/api/v1/"},
        {"bad percent-encoding in query", [](T) { return get("/api/v1/quotes?limit=%zz"); },
         422, "invalid_parameter", "limit"},
        {"unknown query parameter", [](T) { return get("/api/v1/quotes?limt=5"); },
         422, "invalid_parameter", "limt"},
        {"query parameter twice", [](T) { return get("/api/v1/quotes?after_id=1&after_id=2"); },
         422, "invalid_parameter", "after_id"},
        {"limit beyond 2^63", [](T) { return get("/api/v1/quotes?limit=99999999999999999999999"); },
         422, "invalid_parameter", "limit"},
        {"wrong method", [](T t) { return head("DELETE /api/v1/orders HTTP/1.1", {"Connection: close", bearer(t)}); },
         405, "method_not_allowed", "DELETE"},
        {"stream without upgrade", [](T) { return get("/api/v1/stream"); },
         426, "upgrade_required", "WebSocket", Delivery::Whole, "Upgrade: websocket"},

        // Tokens.
        {"oversized token", [](T) { return get("/api/v1/portfolio", {"Authorization: Bearer " + QByteArray(7000, 'A')}); },
         401, "invalid_token", "token"},
        {"Basic instead of Bearer", [](T) { return get("/api/v1/portfolio", {"Authorization: Basic YWRhOnNlY3JldA=="}); },
         401, "invalid_token", "Bearer", Delivery::Whole, "WWW-Authenticate: Bearer"},
        {"Authorization twice", [](T t) { return get("/api/v1/portfolio", {bearer(t), "Authorization: Bearer other"}); },
         400, "bad_request", "Authorization"},

        // JSON bodies.
        {"empty body", [](T t) { return order(t, ""); },
         400, "invalid_json", "empty"},
        {"wrong Content-Type", [buyOne](T t) { return post("/api/v1/orders", buyOne, {bearer(t), "Content-Type: text/plain"}); },
         415, "unsupported_media_type", "text/plain"},
        {"Latin-1 charset", [buyOne](T t) { return post("/api/v1/orders", buyOne, {bearer(t), "Content-Type: application/json; charset=latin1"}); },
         415, "unsupported_media_type", "latin1"},
        {"Content-Type twice", [buyOne](T t) { return order(t, buyOne, {"Content-Type: text/plain"}); },
         400, "bad_request", "Content-Type"},
        {"invalid UTF-8 in string", [](T) { return signUp("{\"username\":\"ab\xff\xfe\",\"password\":\"correct horse\"}"); },
         400, "invalid_json", "UTF"},
        {"overlong UTF-8 slash", [](T) { return signUp("{\"username\":\"a\xc0\xaf\",\"password\":\"correct horse\"}"); },
         400, "invalid_json", "UTF"},
        {"lone surrogate escape", [](T) { return signUp(R"({"username":"ab\ud800c","password":"correct horse"})"); },
         400, "invalid_json", "surrogate"},
        {"lone surrogate in password", [](T) { return signUp(R"({"username":"surrogate","password":"correct horse\udfff"})"); },
         400, "invalid_json", "\\udfff"},
        {"raw control character", [](T t) { return order(t, "{\"side\":\"buy\n\",\"quantity\":1}"); },
         400, "invalid_json", "U+000a"},
        {"NUL escape in side", [](T t) { return order(t, R"({"side":"buy\u0000","quantity":1})"); },
         422, "invalid_side", "side"},
        {"JSON nested 10000 deep", [](T t) { return order(t, QByteArray(10'000, '[') + QByteArray(10'000, ']')); },
         400, "invalid_json", "nested"},
        {"objects nested 10000 deep", [](T t) { return order(t, repeated(R"({"a":)", 10'000) + "1" + QByteArray(10'000, '}')); },
         400, "invalid_json", "nested"},
        {"body is an array", [buyOne](T t) { return order(t, "[" + buyOne + "]"); },
         400, "invalid_json", "object"},
        {"trailing garbage", [buyOne](T t) { return order(t, buyOne + " x"); },
         400, "invalid_json", "garbage"},
        {"quantity 2^63", [](T t) { return order(t, R"({"side":"buy","quantity":9223372036854775808})"); },
         422, "invalid_quantity", "9223372036854775808"},
        {"quantity beyond 2^64", [](T t) { return order(t, R"({"side":"buy","quantity":-99999999999999999999})"); },
         422, "invalid_quantity", "-99999999999999999999"},
        {"quantity -0", [](T t) { return order(t, R"({"side":"buy","quantity":-0})"); },
         422, "invalid_quantity", "-0"},
        {"quantity 1e400", [](T t) { return order(t, R"({"side":"buy","quantity":1e400})"); },
         422, "invalid_quantity", "1e400"},
        {"quantity 1e-400", [](T t) { return order(t, R"({"side":"buy","quantity":1e-400})"); },
         422, "invalid_quantity", "1e-400"},
        {"quantity NaN", [](T t) { return order(t, R"({"side":"buy","quantity":NaN})"); },
         400, "invalid_json", "number"},
        {"quantity Infinity", [](T t) { return order(t, R"({"side":"buy","quantity":Infinity})"); },
         400, "invalid_json", "number"},
        {"quantity \"1\"", [](T t) { return order(t, R"({"side":"buy","quantity":"1"})"); },
         422, "invalid_quantity", "\"1\""},
        {"quantity 1.0", [](T t) { return order(t, R"({"side":"buy","quantity":1.0})"); },
         422, "invalid_quantity", "1.0"},
        {"duplicate keys", [](T t) { return order(t, R"({"side":"buy","quantity":"x","quantity":1})"); },
         400, "invalid_json", "quantity"},
        {"duplicate keys by escape", [](T t) { return order(t, R"({"side":"sell","quantity":1,"\u0073ide":"buy"})"); },
         400, "invalid_json", "side"},
        {"unknown field", [](T t) { return order(t, R"({"side":"buy","quantity":1,"bogus":true})"); },
         422, "unknown_field", "bogus"},
        {"misspelled limit_price", [](T t) { return order(t, R"({"side":"buy","quantity":1,"limit_prise":"1.00"})"); },
         422, "unknown_field", "limit_prise"},
        {"limit_price as number", [](T t) { return order(t, R"({"side":"buy","quantity":1,"limit_price":51})"); },
         422, "invalid_limit_price", "51"},
        {"limit_price beyond 64 bits", [](T t) { return order(t, R"({"side":"buy","quantity":1,"limit_price":"999999999999999999999.00"})"); },
         422, "invalid_limit_price", "limit_price"},
        {"praise with a field", [](T t) { return post("/api/v1/praise", R"({"amount":"1000.00"})", {bearer(t), "Content-Type: application/json"}); },
         422, "unknown_field", "amount"},

        // Idempotency-Key.
        {"Idempotency-Key of 65 characters", [buyOne](T t) { return order(t, buyOne, {"Idempotency-Key: " + QByteArray(65, 'k')}); },
         422, "invalid_idempotency_key", "is 65 characters long; use 1 to 64"},
        {"Idempotency-Key empty", [buyOne](T t) { return order(t, buyOne, {"Idempotency-Key:"}); },
         422, "invalid_idempotency_key", "Idempotency-Key"},
        {"Idempotency-Key with a space", [buyOne](T t) { return order(t, buyOne, {"Idempotency-Key: a b"}); },
         422, "invalid_idempotency_key", "Idempotency-Key"},
        {"Idempotency-Key twice", [buyOne](T t) { return order(t, buyOne, {"Idempotency-Key: first", "Idempotency-Key: second"}); },
         400, "bad_request", "Idempotency-Key"},
        {"Idempotency-Key reused", [](T t) { return order(t, R"({"side":"buy","quantity":2})", {"Idempotency-Key: " + t.usedKey}); },
         422, "idempotency_key_reused", nullptr},

        // Stream upgrades that Beast itself would reject with a plain-text body.
        {"WebSocket version 8", [](T) { return upgrade("/api/v1/stream", validKey, "8"); },
         426, "unsupported_websocket_version", "13", Delivery::Whole, "Sec-WebSocket-Version: 13"},
        {"WebSocket key missing", [](T) { return upgrade("/api/v1/stream", {}, "13"); },
         400, "bad_request", "Sec-WebSocket-Key"},
        {"WebSocket key too short", [](T) { return upgrade("/api/v1/stream", "abc", "13"); },
         400, "bad_request", "Sec-WebSocket-Key"},
        {"WebSocket key twice",
         [](T) { return head("GET /api/v1/stream HTTP/1.1", {"Upgrade: websocket", "Connection: Upgrade", QByteArray("Sec-WebSocket-Key: ") + validKey, "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==", "Sec-WebSocket-Version: 13"}); },
         400, "bad_request", "Sec-WebSocket-Key"},
        {"WebSocket version twice",
         [](T) { return head("GET /api/v1/stream HTTP/1.1", {"Upgrade: websocket", "Connection: Upgrade", QByteArray("Sec-WebSocket-Key: ") + validKey, "Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 13"}); },
         400, "bad_request", "Sec-WebSocket-Version"},
        {"stream after_id negative", [](T) { return upgrade("/api/v1/stream?after_id=-5", validKey, "13"); },
         422, "invalid_parameter", "after_id"},
        {"stream unknown parameter", [](T) { return upgrade("/api/v1/stream?afterid=5", validKey, "13"); },
         422, "invalid_parameter", "afterid"},
    };
    return rows;
}

struct Exchange
{
    std::optional<HttpResponse> response;
    int responseCount = 0;  // final responses, so a smuggled request shows as a second one
    bool closed = false;
    QByteArray received;
};

int countResponses(const QByteArray& received)
{
    int count = 0;
    for (qsizetype at = 0; (at = received.indexOf("HTTP/1.", at)) >= 0; at += 7) {
        const bool lineStart = at == 0 || received.mid(at - 2, 2) == "\r\n";
        const bool interim = received.mid(at + 9, 1) == "1";  // 100 Continue
        count += lineStart && !interim ? 1 : 0;
    }
    return count;
}

/// Sends `bytes` on a new connection and reads until the server closes it
/// or `timeoutMs` passes, writing and reading in turns so that neither
/// side's buffers fill up.
Exchange exchange(int port, const QByteArray& bytes, Delivery delivery, int timeoutMs)
{
    Exchange result;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(port));
    if (!socket.waitForConnected(5000)) {
        return result;
    }

    const QByteArray chunk = "400\r\n" + QByteArray(1024, 'c') + "\r\n";
    const QDeadlineTimer deadline(timeoutMs);
    qsizetype written = 0;
    while (!deadline.hasExpired() && !result.closed) {
        const bool connected = socket.state() == QAbstractSocket::ConnectedState;
        if (connected && written < bytes.size()) {
            const qint64 sent = socket.write(bytes.mid(written, 64 * 1024));
            written = sent < 0 ? bytes.size() : written + sent;
        } else if (connected && delivery == Delivery::EndlessChunks && !result.response) {
            socket.write(chunk);
        }
        socket.waitForBytesWritten(5);
        socket.waitForReadyRead(5);
        result.received += socket.readAll();
        result.closed = socket.state() != QAbstractSocket::ConnectedState;
        if (!result.response) {
            result.response = RawHttp::parseResponse(result.received, result.closed);
        }
    }
    result.responseCount = countResponses(result.received);
    return result;
}

// --- WebSocket rows ----------------------------------------------------------

namespace opcode {
constexpr int continuation = 0x0;
constexpr int text = 0x1;
constexpr int binary = 0x2;
constexpr int close = 0x8;
constexpr int ping = 0x9;
constexpr int pong = 0xA;
}  // namespace opcode

struct Frame
{
    int opcode = 0;
    QByteArray payload;
};

/// One client frame. RFC 6455 requires clients to mask every frame;
/// `masked` false breaks that rule on purpose.
QByteArray frame(int code, QByteArray payload, bool fin = true, bool masked = true, int reserved = 0)
{
    QByteArray bytes;
    bytes.append(char((fin ? 0x80 : 0) | (reserved << 4) | code));
    const char maskBit = masked ? char(0x80) : char(0);
    const qsizetype length = payload.size();
    if (length < 126) {
        bytes.append(char(maskBit | length));
    } else if (length < 65536) {
        bytes.append(char(maskBit | 126));
        bytes.append(char(length >> 8)).append(char(length & 0xff));
    } else {
        bytes.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes.append(char((quint64(length) >> shift) & 0xff));
        }
    }
    if (masked) {
        const quint32 key = QRandomGenerator::global()->generate();
        const char mask[4] = {char(key >> 24), char(key >> 16), char(key >> 8), char(key)};
        bytes.append(mask, 4);
        for (qsizetype i = 0; i < payload.size(); ++i) {
            payload[i] = char(payload[i] ^ mask[i % 4]);
        }
    }
    return bytes + payload;
}

/// A masked text frame header that declares `length` bytes, without them.
QByteArray frameHeader(quint64 length)
{
    QByteArray bytes("\x81\xff", 2);
    for (int shift = 56; shift >= 0; shift -= 8) {
        bytes.append(char((length >> shift) & 0xff));
    }
    return bytes + QByteArray(4, '\x5a');
}

QByteArray closeFrame(quint16 code, const QByteArray& reason = {})
{
    QByteArray payload;
    payload.append(char(code >> 8)).append(char(code & 0xff));
    return frame(opcode::close, payload + reason);
}

/// A stream connection on a raw socket: the upgrade handshake, then frames
/// written as given and server frames parsed as they arrive.
class RawStream
{
public:
    bool open(int port, QString* error)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, quint16(port));
        if (!m_socket.waitForConnected(5000)) {
            *error = m_socket.errorString();
            return false;
        }
        m_socket.write(upgrade("/api/v1/stream", validKey, "13"));
        const QDeadlineTimer deadline(5000);
        while (!m_buffer.contains("\r\n\r\n") && !deadline.hasExpired()) {
            m_socket.waitForReadyRead(20);
            m_buffer += m_socket.readAll();
        }
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0 || !m_buffer.startsWith("HTTP/1.1 101 ")) {
            *error = QStringLiteral("no 101 response: %1").arg(QString::fromLatin1(m_buffer.left(300)));
            return false;
        }
        m_buffer.remove(0, end + 4);
        return true;
    }

    /// Writes `bytes` while reading, so that pongs to a flood of pings
    /// cannot fill the buffers and stall both sides.
    void send(const QByteArray& bytes)
    {
        for (qsizetype at = 0; at < bytes.size() && isOpen();) {
            const qint64 sent = m_socket.write(bytes.mid(at, 16 * 1024));
            at = sent < 0 ? bytes.size() : at + sent;
            m_socket.waitForBytesWritten(5);
            pump(0);
        }
    }

    /// Reads frames until `done` holds, the connection ends or `timeoutMs` passes.
    bool readUntil(const std::function<bool()>& done, int timeoutMs)
    {
        const QDeadlineTimer deadline(timeoutMs);
        while (!done()) {
            if (deadline.hasExpired() || !isOpen()) {
                return done();
            }
            pump(20);
        }
        return true;
    }

    bool isOpen() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    const QList<Frame>& frames() const { return m_frames; }

    std::optional<Frame> find(int code) const
    {
        for (const Frame& received : m_frames) {
            if (received.opcode == code) {
                return received;
            }
        }
        return std::nullopt;
    }

    int count(int code) const
    {
        int total = 0;
        for (const Frame& received : m_frames) {
            total += received.opcode == code ? 1 : 0;
        }
        return total;
    }

    /// The text messages parsed as JSON objects, in order.
    QList<QJsonObject> messages() const
    {
        QList<QJsonObject> result;
        for (const Frame& received : m_frames) {
            if (received.opcode == opcode::text) {
                result.append(QJsonDocument::fromJson(received.payload).object());
            }
        }
        return result;
    }

    int quoteCount() const
    {
        int total = 0;
        for (const QJsonObject& message : messages()) {
            total += message.value(QStringLiteral("type")).toString() == u"quote" ? 1 : 0;
        }
        return total;
    }

    QString transcript() const
    {
        QStringList lines;
        for (const Frame& received : m_frames) {
            if (received.opcode != opcode::pong) {
                lines.append(QStringLiteral("opcode %1: %2").arg(received.opcode).arg(QString::fromUtf8(received.payload.left(200))));
            }
        }
        return lines.join(QLatin1Char('\n'));
    }

private:
    void pump(int waitMs)
    {
        m_socket.waitForReadyRead(waitMs);
        m_buffer += m_socket.readAll();
        parseFrames();
    }

    // Server frames are never masked (RFC 6455 section 5.1).
    void parseFrames()
    {
        for (;;) {
            if (m_buffer.size() < 2) {
                return;
            }
            const int code = m_buffer[0] & 0x0f;
            quint64 length = quint8(m_buffer[1]) & 0x7f;
            qsizetype offset = 2;
            if (length == 126) {
                if (m_buffer.size() < 4) {
                    return;
                }
                length = (quint64(quint8(m_buffer[2])) << 8) | quint8(m_buffer[3]);
                offset = 4;
            } else if (length == 127) {
                if (m_buffer.size() < 10) {
                    return;
                }
                length = 0;
                for (int i = 0; i < 8; ++i) {
                    length = (length << 8) | quint8(m_buffer[2 + i]);
                }
                offset = 10;
            }
            if (quint64(m_buffer.size() - offset) < length) {
                return;
            }
            m_frames.append(Frame{code, m_buffer.mid(offset, qsizetype(length))});
            m_buffer.remove(0, offset + qsizetype(length));
        }
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QList<Frame> m_frames;
};

struct StreamRow
{
    const char* name;
    std::function<QByteArray()> frames;
    int closeCode;           // 0: the stream stays open
    const char* errorCode;   // the code of an error message the server sends, or nullptr
    bool expectsPong = false;
};

const std::vector<StreamRow>& streamRows()
{
    const QByteArray auth = R"({"type":"auth","token":"x"})";
    static const std::vector<StreamRow> rows{
        {"text over 64 KiB", [] { return frame(opcode::text, QByteArray(70 * 1024, 'x')); }, 1009, nullptr},
        {"length field of 1 TiB", [] { return frameHeader(quint64(1) << 40); }, 1009, nullptr},
        {"fragments over 64 KiB",
         [] {
             QByteArray bytes = frame(opcode::text, QByteArray(8192, 'y'), false);
             for (int i = 0; i < 9; ++i) {
                 bytes += frame(opcode::continuation, QByteArray(8192, 'y'), false);
             }
             return bytes + frame(opcode::continuation, "z");
         },
         1009, nullptr},
        {"unmasked client frame", [auth] { return frame(opcode::text, auth, true, false); }, 1002, nullptr},
        {"invalid UTF-8 in text", [] { return frame(opcode::text, "{\"type\":\"\xff\xfe\"}"); }, 1007, nullptr},
        {"invalid UTF-8 across fragments",
         [] { return frame(opcode::text, "\xe2\x82", false) + frame(opcode::continuation, "\x28"); }, 1007, nullptr},
        {"binary frame", [] { return frame(opcode::binary, QByteArray("\x00\x01\x02", 3)); }, 1003, "invalid_message"},
        {"continuation without start", [] { return frame(opcode::continuation, "garbage"); }, 1002, nullptr},
        {"text inside fragmented message",
         [] { return frame(opcode::text, "ab", false) + frame(opcode::text, "cd"); }, 1002, nullptr},
        {"reserved bit set", [] { return frame(opcode::text, "{}", true, true, 4); }, 1002, nullptr},
        {"unknown data opcode", [] { return frame(0x3, "x"); }, 1002, nullptr},
        {"unknown control opcode", [] { return frame(0xB, "x"); }, 1002, nullptr},
        {"ping over 125 bytes", [] { return frame(opcode::ping, QByteArray(126, 'p')); }, 1002, nullptr},
        {"fragmented ping", [] { return frame(opcode::ping, "p", false); }, 1002, nullptr},
        {"close code 999", [] { return closeFrame(999); }, 1002, nullptr},
        {"close payload of one byte", [] { return frame(opcode::close, "\x03"); }, 1002, nullptr},
        {"close reason invalid UTF-8", [] { return closeFrame(1000, "\xff"); }, 1002, nullptr},
        {"ping flood", [] { return repeated(frame(opcode::ping, "p"), 20'000); }, 0, nullptr, true},
        {"invalid JSON text", [] { return frame(opcode::text, "not json"); }, 0, "invalid_message"},
        {"unknown message type", [] { return frame(opcode::text, R"({"type":"buy","quantity":1})"); }, 0, "invalid_message"},
        {"invalid message flood",
         [] { return repeated(frame(opcode::text, "junk"), 3000); }, 1008, "too_many_invalid_messages"},
        {"auth with empty token", [] { return frame(opcode::text, R"({"type":"auth","token":""})"); }, 1008, "invalid_token"},
        {"auth with unknown token", [auth] { return frame(opcode::text, auth); }, 1008, "invalid_token"},
    };
    return rows;
}

// --- Server ------------------------------------------------------------------

std::unique_ptr<ServerProcess> startServer(const QStringList& arguments)
{
    ServerProcess::Options options;
    options.tickMs = tickMs;
    options.startingCash = QStringLiteral("1000000.00");
    options.extraArguments = arguments;
    auto server = std::make_unique<ServerProcess>(options);
    if (!server->start()) {
        qWarning().noquote() << server->errorString();
        return nullptr;
    }
    return server;
}

}  // namespace

class HostileTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void httpRequestRejected_data();
    void httpRequestRejected();
    void streamFrameRejected_data();
    void streamFrameRejected();
    void slowlorisKeepsUpAnswering();
    void absoluteFormTargetServed_data();
    void absoluteFormTargetServed();
    void validHostServed_data();
    void validHostServed();
    void headSendsLengthOfGet();
    void rejectedHeadHasNoBody();
    void rejectionsLoggedRarely();
    void acceptFailuresLoggedRarely();

private:
    QJsonObject portfolio() const;
    void verifyHealthy(const QJsonObject& portfolioBefore) const;

    std::unique_ptr<ServerProcess> m_server;
    Target m_target;
};

void HostileTest::initTestCase()
{
    QVERIFY2(!ServerProcess::serverBinary().isEmpty(), "VALIANT_SERVER_BIN is not set");
    QVERIFY(httpRows().size() + streamRows().size() >= 40);

    m_server = startServer({QStringLiteral("--request-timeout"), QString::number(requestTimeoutSeconds)});
    QVERIFY(m_server);
    const HttpClient client(m_server->baseUrl());

    const HttpResponse created = client.post(
        QStringLiteral("/api/v1/accounts"),
        QJsonObject{{QStringLiteral("username"), QStringLiteral("hostile")},
                    {QStringLiteral("password"), QStringLiteral("correct horse battery")}});
    QVERIFY2(created.status == 201, qPrintable(created.describe()));
    m_target.token = created.json().value(QStringLiteral("token")).toString().toUtf8();

    // A rejected order stores its response under its key too, and changes
    // no holdings, so the portfolio stays that of a new account.
    const QDeadlineTimer deadline(10'000);
    while (client.get(QStringLiteral("/api/v1/quotes/latest")).status != 200 && !deadline.hasExpired()) {
        QThread::msleep(50);
    }
    m_target.usedKey = "hostile-used-key";
    const HttpResponse first = client.post(
        QStringLiteral("/api/v1/orders"),
        QJsonObject{{QStringLiteral("side"), QStringLiteral("sell")}, {QStringLiteral("quantity"), 1}},
        QString::fromUtf8(m_target.token), {{"Idempotency-Key", m_target.usedKey}});
    QVERIFY2(first.status == 422, qPrintable(first.describe()));
    QCOMPARE(first.errorCode(), QStringLiteral("insufficient_shares"));
}

void HostileTest::cleanupTestCase()
{
    if (m_server) {
        QVERIFY2(m_server->stop(), qPrintable(m_server->errorString()));
    }
}

QJsonObject HostileTest::portfolio() const
{
    return HttpClient(m_server->baseUrl(), 5000)
        .get(QStringLiteral("/api/v1/portfolio"), QString::fromUtf8(m_target.token))
        .json();
}

void HostileTest::verifyHealthy(const QJsonObject& portfolioBefore) const
{
    const HttpClient client(m_server->baseUrl(), 5000);
    QElapsedTimer timer;
    timer.start();
    const HttpResponse up = client.get(QStringLiteral("/up"));
    QVERIFY2(up.status == 200, qPrintable(QStringLiteral("GET /up: %1").arg(up.describe())));
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QStringLiteral("GET /up took %1 ms").arg(timer.elapsed())));

    const HttpResponse after = client.get(QStringLiteral("/api/v1/portfolio"), QString::fromUtf8(m_target.token));
    QVERIFY2(after.status == 200, qPrintable(QStringLiteral("GET /api/v1/portfolio: %1").arg(after.describe())));
    QCOMPARE(after.json().value(QStringLiteral("cash")), portfolioBefore.value(QStringLiteral("cash")));
    QCOMPARE(after.json().value(QStringLiteral("shares")), portfolioBefore.value(QStringLiteral("shares")));
}

void HostileTest::httpRequestRejected_data()
{
    QTest::addColumn<int>("row");
    for (std::size_t i = 0; i < httpRows().size(); ++i) {
        QTest::newRow(httpRows()[i].name) << int(i);
    }
}

void HostileTest::httpRequestRejected()
{
    QFETCH(int, row);
    const HttpRow& test = httpRows()[std::size_t(row)];
    const QJsonObject before = portfolio();
    QVERIFY2(before.contains(QStringLiteral("cash")), "the portfolio of the test account did not load");

    const int timeoutMs = test.delivery == Delivery::Stall ? (requestTimeoutSeconds + 4) * 1000 : 10'000;
    QElapsedTimer timer;
    timer.start();
    const Exchange result = exchange(m_server->port(), test.bytes(m_target), test.delivery, timeoutMs);
    const QByteArray shown = result.received.left(600);

    if (test.status == 0) {
        QVERIFY2(!result.response, shown.constData());
        QVERIFY2(result.closed, "the connection stayed open");
        QVERIFY2(timer.elapsed() >= requestTimeoutSeconds * 1000 - 200,
                 qPrintable(QStringLiteral("closed after %1 ms").arg(timer.elapsed())));
    } else {
        QVERIFY2(result.response, shown.constData());
        QVERIFY2(result.response->status == test.status, qPrintable(result.response->describe()));
        QVERIFY2(result.response->errorCode() == QLatin1String(test.code), qPrintable(result.response->describe()));
        QVERIFY2(result.response->header("Content-Type").startsWith("application/json"),
                 qPrintable(result.response->describe()));
        if (test.mention) {
            QVERIFY2(result.response->errorMessage().contains(QLatin1String(test.mention), Qt::CaseInsensitive),
                     qPrintable(result.response->describe()));
        }
        if (test.header) {
            const QList<QByteArray> header = QByteArray(test.header).split(':');
            QVERIFY2(result.response->header(header.at(0)).startsWith(header.at(1).trimmed()),
                     qPrintable(QStringLiteral("%1 missing in %2").arg(QLatin1String(test.header), QString::fromUtf8(shown))));
        }
        QVERIFY2(result.responseCount == 1, shown.constData());
        QVERIFY2(result.closed, "the connection stayed open after the response");
    }

    verifyHealthy(before);
}

void HostileTest::streamFrameRejected_data()
{
    QTest::addColumn<int>("row");
    for (std::size_t i = 0; i < streamRows().size(); ++i) {
        QTest::newRow(streamRows()[i].name) << int(i);
    }
}

void HostileTest::streamFrameRejected()
{
    QFETCH(int, row);
    const StreamRow& test = streamRows()[std::size_t(row)];
    const QJsonObject before = portfolio();

    RawStream stream;
    QString error;
    QVERIFY2(stream.open(m_server->port(), &error), qPrintable(error));
    const auto hello = [&stream] {
        const QList<QJsonObject> messages = stream.messages();
        return !messages.isEmpty() && messages.first().value(QStringLiteral("type")).toString() == u"hello";
    };
    QVERIFY2(stream.readUntil(hello, 5000), qPrintable(stream.transcript()));

    stream.send(test.frames());
    const int quotesBefore = stream.quoteCount();
    const auto errorSent = [&stream, &test] {
        for (const QJsonObject& message : stream.messages()) {
            if (message.value(QStringLiteral("type")).toString() == u"error"
                && message.value(QStringLiteral("code")).toString() == QLatin1String(test.errorCode)) {
                return true;
            }
        }
        return false;
    };

    if (test.closeCode == 0) {
        // Still open: a quote made after the frames arrives, and no close.
        QVERIFY2(stream.readUntil([&] { return stream.quoteCount() > quotesBefore + 1; }, 4 * tickMs + 2000),
                 qPrintable(stream.transcript()));
        QVERIFY2(!stream.find(opcode::close), qPrintable(stream.transcript()));
        if (test.errorCode) {
            QVERIFY2(errorSent(), qPrintable(stream.transcript()));
        }
        if (test.expectsPong) {
            QVERIFY2(stream.count(opcode::pong) > 0, "no pong came back");
        }
    } else {
        QVERIFY2(stream.readUntil([&] { return stream.find(opcode::close).has_value(); }, 5000),
                 qPrintable(stream.transcript()));
        const QByteArray payload = stream.find(opcode::close)->payload;
        QVERIFY2(payload.size() >= 2, "the close frame has no code");
        const int code = (quint8(payload[0]) << 8) | quint8(payload[1]);
        QCOMPARE(code, test.closeCode);
        if (test.errorCode) {
            QVERIFY2(errorSent(), qPrintable(stream.transcript()));
        }

        // The client echoes the close, and the server ends the connection.
        stream.send(closeFrame(quint16(code)));
        QVERIFY2(stream.readUntil([&stream] { return !stream.isOpen(); }, 5000),
                 "the server kept the connection open after the close");
    }

    verifyHealthy(before);
}

void HostileTest::slowlorisKeepsUpAnswering()
{
    // Room for the flood and the test's own connections.
    rlimit limit{};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &limit), 0);
    const rlim_t needed = slowlorisConnections + 200;
    if (limit.rlim_cur < needed) {
        limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, needed);
        QCOMPARE(setrlimit(RLIMIT_NOFILE, &limit), 0);
    }
    QVERIFY2(limit.rlim_cur >= needed, qPrintable(QStringLiteral("RLIMIT_NOFILE is %1").arg(limit.rlim_cur)));

    // The server's default 30 s request timeout is longer than the run, so
    // no slow connection is cut off by it and /up is measured under all 500.
    const auto server = startServer({});
    QVERIFY(server);
    const QByteArray request = "GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slowloris: " + QByteArray(100, 'a');

    std::vector<std::unique_ptr<QTcpSocket>> slow;
    for (int i = 0; i < slowlorisConnections; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, quint16(server->port()));
        QVERIFY2(socket->waitForConnected(5000), qPrintable(QStringLiteral("connection %1: %2").arg(i).arg(socket->errorString())));
        slow.push_back(std::move(socket));
    }

    const HttpClient client(server->baseUrl(), 5000);
    QElapsedTimer run;
    run.start();
    int bytesSent = 0;
    int polls = 0;
    qint64 slowestMs = 0;
    while (run.elapsed() < slowlorisSeconds * 1000) {
        if (run.elapsed() >= bytesSent * 1000) {
            for (const auto& socket : slow) {
                socket->write(request.mid(bytesSent, 1));
                socket->flush();
            }
            ++bytesSent;
        }

        QElapsedTimer poll;
        poll.start();
        const HttpResponse up = client.get(QStringLiteral("/up"));
        const qint64 elapsedMs = poll.elapsed();
        QVERIFY2(up.status == 200, qPrintable(up.describe()));
        QVERIFY2(elapsedMs < 1000, qPrintable(QStringLiteral("GET /up took %1 ms after %2 s of slowloris")
                                                  .arg(elapsedMs).arg(run.elapsed() / 1000)));
        slowestMs = std::max(slowestMs, elapsedMs);
        ++polls;
        QThread::msleep(static_cast<unsigned long>(std::max<qint64>(0, slowlorisPollMs - elapsedMs)));
    }
    qInfo("slowloris: %d connections, %d header bytes each, %d polls of GET /up, slowest %lld ms",
          slowlorisConnections, bytesSent, polls, slowestMs);
    QVERIFY(polls >= slowlorisSeconds * 1000 / slowlorisPollMs / 2);

    // No connection got a response: none of them sent a whole request.
    int open = 0;
    for (const auto& socket : slow) {
        socket->waitForReadyRead(0);
        QVERIFY2(socket->readAll().isEmpty(), "a connection with half a request got a response");
        open += socket->state() == QAbstractSocket::ConnectedState ? 1 : 0;
    }
    qInfo("slowloris: %d of %d connections still open", open, slowlorisConnections);

    for (const auto& socket : slow) {
        socket->abort();
    }
    const HttpResponse up = client.get(QStringLiteral("/up"));
    QVERIFY2(up.status == 200, qPrintable(up.describe()));
    QVERIFY2(server->stop(), qPrintable(server->errorString()));
}

// RFC 9112 requires servers to accept a target in absolute form, as a
// client talking to a proxy sends it. The authority is ignored.
void HostileTest::absoluteFormTargetServed_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contains");

    QTest::newRow("health") << QByteArray("http://127.0.0.1/up") << 200 << QByteArray("\"status\"");
    QTest::newRow("upper-case scheme, other host")
        << QByteArray("HTTP://quotes.example:8080/api/v1/quotes?limit=2") << 200
        << QByteArray("\"quotes\"");
    QTest::newRow("https, query without path")
        << QByteArray("https://127.0.0.1?limit=2") << 404 << QByteArray("not_found");
    QTest::newRow("no path") << QByteArray("http://127.0.0.1") << 404 << QByteArray("not_found");
    QTest::newRow("traversal stays unresolved")
        << QByteArray("http://127.0.0.1/api/v1/../up") << 404 << QByteArray("not_found");
}

void HostileTest::absoluteFormTargetServed()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(QByteArray, contains);
    const QJsonObject before = portfolio();

    const Exchange result = exchange(m_server->port(), get(target), Delivery::Whole, 10'000);

    QVERIFY2(result.response, result.received.left(600).constData());
    QVERIFY2(result.response->status == status, qPrintable(result.response->describe()));
    QVERIFY2(result.response->body.contains(contains), qPrintable(result.response->describe()));
    QCOMPARE(result.responseCount, 1);
    verifyHealthy(before);
}

// RFC 9110 section 7.2: Host is uri-host [":" port] from RFC 3986, so
// these must pass the check that rejects invalid ones.
void HostileTest::validHostServed_data()
{
    QTest::addColumn<QByteArray>("host");

    QTest::newRow("name") << QByteArray("localhost");
    QTest::newRow("name and port") << QByteArray("quotes.example:3000");
    QTest::newRow("IPv4 and port") << QByteArray("127.0.0.1:3000");
    QTest::newRow("IPv6 and port") << QByteArray("[::1]:3000");
    QTest::newRow("IPv6 mapped IPv4") << QByteArray("[::ffff:127.0.0.1]");
    QTest::newRow("IPvFuture") << QByteArray("[v1.fe80::a+en1]");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("empty port") << QByteArray("localhost:");
    QTest::newRow("percent-encoded") << QByteArray("b%C3%BCcher.example");
}

void HostileTest::validHostServed()
{
    QFETCH(QByteArray, host);

    const Exchange result = exchange(m_server->port(), withHost(host), Delivery::Whole, 10'000);

    QVERIFY2(result.response, result.received.left(600).constData());
    QVERIFY2(result.response->status == 200, qPrintable(result.response->describe()));
}

// RFC 9110 sections 8.6 and 9.3.2: a response to HEAD has the Content-Length
// of GET's body and no body, so a kept-alive connection stays in step.
void HostileTest::headSendsLengthOfGet()
{
    const QByteArray head = "HEAD /up HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    const Exchange result = exchange(m_server->port(), head + withHost("127.0.0.1"), Delivery::Whole, 10'000);

    const qsizetype headEnd = result.received.indexOf("\r\n\r\n");
    QVERIFY2(headEnd > 0, result.received.left(600).constData());
    const QByteArray headHeader = result.received.left(headEnd);
    QVERIFY2(headHeader.startsWith("HTTP/1.1 200 "), headHeader.constData());
    const auto headField = [&headHeader](const QByteArray& name) {
        for (const QByteArray& line : headHeader.split('\n')) {
            if (line.toLower().startsWith(name.toLower() + ":")) {
                return line.mid(name.size() + 1).trimmed();
            }
        }
        return QByteArray();
    };

    // The GET response follows the HEAD response's header at once.
    const QByteArray rest = result.received.mid(headEnd + 4);
    QVERIFY2(rest.startsWith("HTTP/1.1 200 "), result.received.left(600).constData());
    const std::optional<HttpResponse> getResponse = RawHttp::parseResponse(rest, result.closed);
    QVERIFY2(getResponse, rest.left(600).constData());
    QVERIFY(!getResponse->body.isEmpty());
    QCOMPARE(headField("Content-Length"), QByteArray::number(getResponse->body.size()));
    QCOMPARE(headField("Content-Type"), getResponse->header("Content-Type"));
}

void HostileTest::rejectedHeadHasNoBody()
{
    const Exchange result = exchange(m_server->port(), "HEAD /up HTTP/1.1\r\nHost: a b\r\n\r\n",
                                     Delivery::Whole, 10'000);

    QVERIFY2(result.closed, "the connection stayed open after the response");
    QVERIFY2(result.received.startsWith("HTTP/1.1 400 "), result.received.left(600).constData());
    QVERIFY2(result.received.endsWith("\r\n\r\n"), result.received.left(600).constData());
    QVERIFY2(!result.received.contains("Content-Length: 0\r\n"), result.received.constData());
}

void HostileTest::rejectionsLoggedRarely()
{
    const int linesBefore = int(m_server->standardError().count("Rejected a request"));
    for (int i = 0; i < 20; ++i) {
        const QByteArray withoutHost = "GET /up HTTP/1.1\r\nConnection: close\r\n\r\n";
        const Exchange result = exchange(m_server->port(), withoutHost, Delivery::Whole, 10'000);
        QVERIFY2(result.response && result.response->status == 400, result.received.left(600).constData());
    }

    // At most one line per 10 s, and the earlier rows may have used it up.
    const int linesAfter = int(m_server->standardError().count("Rejected a request"));
    QVERIFY2(linesAfter - linesBefore <= 1, m_server->standardError().right(3000).constData());
}

void HostileTest::acceptFailuresLoggedRarely()
{
    const auto server = startServer({});
    QVERIFY(server);

    // Few enough descriptors that accept() fails while the test keeps more
    // connections than that open.
    constexpr int descriptorLimit = 80;
    constexpr int connectionCount = 120;
    const rlimit limit{descriptorLimit, descriptorLimit};
    QCOMPARE(prlimit(pid_t(server->processId()), RLIMIT_NOFILE, &limit, nullptr), 0);

    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < connectionCount; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, quint16(server->port()));
        QVERIFY2(socket->waitForConnected(5000), qPrintable(socket->errorString()));
        sockets.push_back(std::move(socket));
    }
    // The server retries every 100 ms, so 30 times in this wait.
    QThread::msleep(3000);
    const QByteArray whileFull = server->standardError();
    QVERIFY2(whileFull.count("Accepting a connection failed") == 1, whileFull.right(3000).constData());

    for (const auto& socket : sockets) {
        socket->abort();
    }
    const HttpClient client(server->baseUrl(), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(client.get(QStringLiteral("/up")).status, 200, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(server->standardError().contains("Accepting connections works again after"), 5000);
    QVERIFY2(server->stop(), qPrintable(server->errorString()));
}

QTEST_GUILESS_MAIN(HostileTest)

#include "tst_hostile.moc"
