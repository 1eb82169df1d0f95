#pragma once

// Synchronous HTTP helpers for black-box tests of valiant-server.
// HttpClient goes through QNetworkAccessManager and spins a local event
// loop until the reply ends or the timeout passes. RawHttp writes bytes
// on a QTcpSocket, for requests Qt would not send (a wrong Content-Length,
// no Content-Type, an oversized body) and for many connections at once.

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

#include <optional>

namespace valiant::test {

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

struct HttpResponse
{
    int status = 0;             // 0 when no response arrived (see transportError)
    QByteArray body;
    HttpHeaders headers;
    QString transportError;     // connection refused, timed out, ...

    /// The value of the first header named `name` (case-insensitive), or empty.
    QByteArray header(const QByteArray& name) const;
    bool hasHeader(const QByteArray& name) const;

    /// The body parsed as a JSON object; empty when it is not one.
    QJsonObject json() const;
    bool isJsonObject() const;

    /// error.code and error.message of an API error body, or empty.
    QString errorCode() const;
    QString errorMessage() const;

    /// A one-line summary for failure messages: status, transport error, body.
    QString describe() const;
};

class HttpClient
{
public:
    explicit HttpClient(QUrl baseUrl, int timeoutMs = 15'000);

    HttpResponse get(const QString& pathAndQuery, const QString& token = {}) const;
    HttpResponse post(const QString& path, const QJsonObject& body, const QString& token = {},
                      const HttpHeaders& extraHeaders = {}) const;
    HttpResponse deleteResource(const QString& path, const QString& token = {}) const;

    /// Sends any method with a raw body; `headers` are sent as given.
    HttpResponse send(const QByteArray& method, const QString& pathAndQuery,
                      const QByteArray& body, const HttpHeaders& headers) const;

    /// Headers for an authenticated JSON request.
    static HttpHeaders jsonHeaders(const QString& token = {});

private:
    QUrl m_baseUrl;
    int m_timeoutMs;
};

namespace RawHttp {

/// Builds an HTTP/1.1 request with Host and Connection: close. A
/// Content-Length header is added unless `headers` carries one or the
/// body is empty for GET.
QByteArray buildRequest(const QByteArray& method, const QByteArray& target,
                        const HttpHeaders& headers, const QByteArray& body);

/// Parses one response from `bytes` (Content-Length, chunked, or until
/// close). Returns nothing while the bytes are still incomplete.
std::optional<HttpResponse> parseResponse(const QByteArray& bytes, bool connectionClosed);

/// Sends `request` on a new connection to 127.0.0.1:port and reads one response.
HttpResponse exchange(int port, const QByteArray& request, int timeoutMs = 15'000);

/// Opens one connection per request, waits until all are connected, then
/// writes every request back to back and collects every response. The
/// result has the same order as `requests`.
QList<HttpResponse> exchangeConcurrently(int port, const QList<QByteArray>& requests,
                                         int timeoutMs = 30'000);

}  // namespace RawHttp

/// Cents of an API money string ("-3.25" → -325); nullopt unless the text
/// has exactly the API form: optional '-', digits, '.', two digits.
std::optional<qint64> centsFromMoney(const QString& text);

/// The API money string of a cent count (325 → "3.25", -5 → "-0.05").
QString moneyFromCents(qint64 cents);

}  // namespace valiant::test
