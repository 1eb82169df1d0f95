#include "httpclient.h"

#include <QBuffer>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonParseError>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTimer>

#include <limits>
#include <memory>

namespace valiant::test {

// --- HttpResponse ---

QByteArray HttpResponse::header(const QByteArray& name) const
{
    for (const auto& [key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool HttpResponse::hasHeader(const QByteArray& name) const
{
    for (const auto& pair : headers) {
        if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QJsonObject HttpResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

bool HttpResponse::isJsonObject() const
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    return error.error == QJsonParseError::NoError && document.isObject();
}

QString HttpResponse::errorCode() const
{
    return json().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString();
}

QString HttpResponse::errorMessage() const
{
    return json()
        .value(QLatin1String("error"))
        .toObject()
        .value(QLatin1String("message"))
        .toString();
}

QString HttpResponse::describe() const
{
    QString text = QStringLiteral("HTTP %1").arg(status);
    if (!transportError.isEmpty())
        text += QStringLiteral(" (%1)").arg(transportError);
    text += QStringLiteral(" body: ") + QString::fromUtf8(body.left(600));
    return text;
}

// --- HttpClient ---

HttpClient::HttpClient(QUrl baseUrl, int timeoutMs)
    : m_baseUrl(std::move(baseUrl)), m_timeoutMs(timeoutMs)
{
}

HttpHeaders HttpClient::jsonHeaders(const QString& token)
{
    HttpHeaders headers{{"Content-Type", "application/json"}};
    if (!token.isEmpty())
        headers.append({"Authorization", "Bearer " + token.toUtf8()});
    return headers;
}

HttpResponse HttpClient::get(const QString& pathAndQuery, const QString& token) const
{
    HttpHeaders headers;
    if (!token.isEmpty())
        headers.append({"Authorization", "Bearer " + token.toUtf8()});
    return send("GET", pathAndQuery, {}, headers);
}

HttpResponse HttpClient::post(const QString& path, const QJsonObject& body, const QString& token,
                              const HttpHeaders& extraHeaders) const
{
    return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact),
                jsonHeaders(token) + extraHeaders);
}

HttpResponse HttpClient::deleteResource(const QString& path, const QString& token) const
{
    HttpHeaders headers;
    if (!token.isEmpty())
        headers.append({"Authorization", "Bearer " + token.toUtf8()});
    return send("DELETE", path, {}, headers);
}

HttpResponse HttpClient::send(const QByteArray& method, const QString& pathAndQuery,
                              const QByteArray& body, const HttpHeaders& headers) const
{
    // A manager per request: no pooled connection outlives a server restart.
    QNetworkAccessManager manager;
    QNetworkRequest request(m_baseUrl.resolved(QUrl(pathAndQuery)));
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(m_timeoutMs);
    for (const auto& [name, value] : headers)
        request.setRawHeader(name, value);

    auto buffer = std::make_unique<QBuffer>();
    buffer->setData(body);
    buffer->open(QIODevice::ReadOnly);
    QNetworkReply* reply = manager.sendCustomRequest(request, method,
                                                     body.isEmpty() ? nullptr : buffer.get());

    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(m_timeoutMs + 1'000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();

    HttpResponse response;
    if (!reply->isFinished()) {
        reply->abort();
        response.transportError = QStringLiteral("timed out after %1 ms").arg(m_timeoutMs);
        delete reply;
        return response;
    }
    response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    response.body = reply->readAll();
    for (const auto& pair : reply->rawHeaderPairs())
        response.headers.append(pair);
    if (response.status == 0)
        response.transportError = reply->errorString();
    delete reply;
    return response;
}

// --- RawHttp ---

namespace RawHttp {

QByteArray buildRequest(const QByteArray& method, const QByteArray& target,
                        const HttpHeaders& headers, const QByteArray& body)
{
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\n";
    request += "Host: 127.0.0.1\r\n";
    request += "Connection: close\r\n";
    bool hasLength = false;
    for (const auto& [name, value] : headers) {
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0)
            hasLength = true;
        request += name + ": " + value + "\r\n";
    }
    if (!hasLength && !(body.isEmpty() && (method == "GET" || method == "DELETE")))
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    request += "\r\n";
    request += body;
    return request;
}

namespace {

// Decodes a chunked body; nullopt while incomplete.
std::optional<QByteArray> decodeChunked(const QByteArray& data)
{
    QByteArray body;
    qsizetype position = 0;
    while (true) {
        const qsizetype lineEnd = data.indexOf("\r\n", position);
        if (lineEnd < 0)
            return std::nullopt;
        bool ok = false;
        const QByteArray sizeField = data.mid(position, lineEnd - position).split(';').first();
        const qsizetype size = sizeField.trimmed().toLongLong(&ok, 16);
        if (!ok)
            return std::nullopt;
        position = lineEnd + 2;
        if (size == 0)
            return body;
        if (data.size() < position + size + 2)
            return std::nullopt;
        body += data.mid(position, size);
        position += size + 2;
    }
}

// Runs the event loop for `ms` milliseconds, so sockets make progress.
void spinEventLoop(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

}  // namespace

std::optional<HttpResponse> parseResponse(const QByteArray& bytes, bool connectionClosed)
{
    const qsizetype headerEnd = bytes.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return std::nullopt;

    HttpResponse response;
    const QList<QByteArray> lines = bytes.left(headerEnd).split('\n');
    const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
    if (statusLine.size() < 2)
        return std::nullopt;
    response.status = statusLine.at(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            response.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }

    const QByteArray rest = bytes.mid(headerEnd + 4);
    if (response.status == 204 || response.status == 304 || response.status / 100 == 1)
        return response;
    if (response.header("Transfer-Encoding").toLower().contains("chunked")) {
        const std::optional<QByteArray> body = decodeChunked(rest);
        if (!body)
            return std::nullopt;
        response.body = *body;
        return response;
    }
    if (response.hasHeader("Content-Length")) {
        const qsizetype length = response.header("Content-Length").toLongLong();
        if (rest.size() < length)
            return std::nullopt;
        response.body = rest.left(length);
        return response;
    }
    if (!connectionClosed)
        return std::nullopt;
    response.body = rest;
    return response;
}

HttpResponse exchange(int port, const QByteArray& request, int timeoutMs)
{
    return exchangeConcurrently(port, {request}, timeoutMs).first();
}

QList<HttpResponse> exchangeConcurrently(int port, const QList<QByteArray>& requests,
                                         int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (qsizetype i = 0; i < requests.size(); ++i) {
        sockets.push_back(std::make_unique<QTcpSocket>());
        sockets.back()->connectToHost(QStringLiteral("127.0.0.1"), quint16(port));
    }

    // Connect all first, so the writes below reach the server together.
    auto allSettled = [&] {
        for (const auto& socket : sockets) {
            const auto state = socket->state();
            if (state != QAbstractSocket::ConnectedState &&
                state != QAbstractSocket::UnconnectedState)
                return false;
        }
        return true;
    };
    while (!allSettled() && !deadline.hasExpired())
        spinEventLoop(5);

    QList<QByteArray> received(requests.size());
    QList<bool> done(requests.size(), false);
    for (qsizetype i = 0; i < requests.size(); ++i) {
        if (sockets[i]->state() == QAbstractSocket::ConnectedState)
            sockets[i]->write(requests.at(i));
        else
            done[i] = true;
    }

    QList<HttpResponse> responses(requests.size());
    auto collect = [&](qsizetype i) {
        QTcpSocket& socket = *sockets[i];
        received[i] += socket.readAll();
        const bool closed = socket.state() == QAbstractSocket::UnconnectedState;
        if (auto response = parseResponse(received[i], closed)) {
            responses[i] = *response;
            done[i] = true;
        } else if (closed) {
            responses[i].transportError = QStringLiteral("connection closed after %1 bytes: %2")
                                              .arg(received[i].size())
                                              .arg(QString::fromUtf8(received[i].left(300)));
            done[i] = true;
        }
    };
    while (done.contains(false) && !deadline.hasExpired()) {
        spinEventLoop(5);
        for (qsizetype i = 0; i < requests.size(); ++i) {
            if (!done[i])
                collect(i);
        }
    }

    for (qsizetype i = 0; i < requests.size(); ++i) {
        if (responses[i].status == 0 && responses[i].transportError.isEmpty()) {
            responses[i].transportError =
                sockets[i]->state() == QAbstractSocket::ConnectedState
                    ? QStringLiteral("timed out after %1 ms").arg(timeoutMs)
                    : QStringLiteral("could not connect: %1").arg(sockets[i]->errorString());
        }
    }
    return responses;
}

}  // namespace RawHttp

// --- Money ---

std::optional<qint64> centsFromMoney(const QString& text)
{
    static const QRegularExpression form(QStringLiteral("^(-?)(\\d{1,17})\\.(\\d{2})$"));
    const QRegularExpressionMatch match = form.match(text);
    if (!match.hasMatch())
        return std::nullopt;

    // 17 digits of dollars can exceed 64 bits of cents, so check before multiplying.
    const qint64 dollars = match.captured(2).toLongLong();
    const qint64 fraction = match.captured(3).toLongLong();
    if (dollars > (std::numeric_limits<qint64>::max() - fraction) / 100)
        return std::nullopt;
    const qint64 cents = dollars * 100 + fraction;
    return match.captured(1).isEmpty() ? cents : -cents;
}

QString moneyFromCents(qint64 cents)
{
    const qint64 magnitude = cents < 0 ? -cents : cents;
    return QStringLiteral("%1%2.%3")
        .arg(cents < 0 ? QStringLiteral("-") : QString())
        .arg(magnitude / 100)
        .arg(magnitude % 100, 2, 10, QLatin1Char('0'));
}

}  // namespace valiant::test
