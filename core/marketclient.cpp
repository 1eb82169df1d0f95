#include "marketclient.h"

#include "apicodec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSet>
#include <QTimer>
#include <QUrlQuery>
#include <QUuid>
#include <QWebSocket>

#include <algorithm>
#include <type_traits>

namespace valiant::core {

namespace {

Q_LOGGING_CATEGORY(lcClient, "valiant.client")

constexpr int requestTimeoutMs = 10'000;
// From open() until the WebSocket handshake completes, then until "hello".
constexpr int streamConnectTimeoutMs = 10'000;
constexpr int streamHelloTimeoutMs = 5'000;

// An order is tried at most 5 times, waiting 0.5, 1, 2 and 4 s (plus up to
// 50 % jitter) in between: about 7.5 to 11 s in all when each try fails fast.
constexpr int maxOrderAttempts = 5;
constexpr int firstOrderRetryMs = 500;

struct HttpResponse
{
    int status = 0;
    QByteArray body;
};

using ResponseHandler = std::function<void(Result<HttpResponse>)>;
using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

struct PendingOrder
{
    QByteArray idempotencyKey;
    QByteArray body;
    int attempts = 0;
    std::function<void(Result<Order>)> done;
};

int withJitter(int delayMs)
{
    return delayMs + int(QRandomGenerator::global()->bounded(delayMs / 2 + 1));
}

int doubled(int delayMs, int maxMs)
{
    return delayMs > maxMs / 2 ? maxMs : delayMs * 2;
}

QString displayUrl(const QUrl& url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo);
}

// Failures of the transport itself (refused, timed out, TLS), as opposed to
// an HTTP response. QNetworkReply numbers them below 200.
bool isTransportError(QNetworkReply::NetworkError error)
{
    return error != QNetworkReply::NoError && int(error) < 200;
}

Error networkError(const QByteArray& verb, const QUrl& url, const QNetworkReply* reply)
{
    // The transfer timeout aborts the reply, which Qt reports as canceled.
    const QString reason = reply->error() == QNetworkReply::OperationCanceledError
                               ? QStringLiteral("timed out after %1 ms").arg(requestTimeoutMs)
                               : reply->errorString();
    return makeError(0, QStringLiteral("network_error"),
                     QStringLiteral("%1 %2 failed: %3.")
                         .arg(QString::fromLatin1(verb), displayUrl(url), reason));
}

bool isSuccess(int status)
{
    return status >= 200 && status < 300;
}

// Whether to try again with the same Idempotency-Key, because the server
// was not reached, could not finish, or is still running the first try.
bool isRetryable(const Result<HttpResponse>& response)
{
    if (!response) {
        return true;
    }
    const int status = response->status;
    if (status >= 500 || status == 429) {
        return true;
    }
    return status == 409 &&
           api::decodeError(status, response->body).code == QLatin1String("request_in_progress");
}

// The JSON object of a 2xx response, or the API error of any other response.
// An idempotent replay of a rejected order is a 200 carrying the error body.
Result<QJsonObject> objectOf(const Result<HttpResponse>& response, const QString& requestName)
{
    if (!response) {
        return response.error();
    }
    if (!isSuccess(response->status)) {
        return api::decodeError(response->status, response->body);
    }

    const QJsonDocument document = QJsonDocument::fromJson(response->body);
    if (!document.isObject()) {
        return makeError(
            response->status, QStringLiteral("invalid_response"),
            QStringLiteral("The server's response to %1 is not a JSON object.").arg(requestName));
    }
    if (document.object().value(QStringLiteral("error")).isObject()) {
        return api::decodeError(422, response->body);
    }
    return document.object();
}

Error invalidResponse(const QString& requestName, const Error& cause)
{
    return makeError(0, QStringLiteral("invalid_response"),
                     QStringLiteral("The server's response to %1 is malformed: %2")
                         .arg(requestName, cause.message));
}

template <typename T>
Result<QList<T>> decodeList(const QJsonObject& object, const QString& field,
                            const QString& requestName, Result<T> (*decode)(const QJsonObject&))
{
    const QJsonValue value = object.value(field);
    if (!value.isArray()) {
        return invalidResponse(
            requestName, makeError(0, {}, QStringLiteral("\"%1\" is not an array.").arg(field)));
    }
    QList<T> items;
    for (const QJsonValue& element : value.toArray()) {
        Result<T> item = decode(element.toObject());
        if (!item) {
            return invalidResponse(requestName, item.error());
        }
        items.append(std::move(item).value());
    }
    return items;
}

Result<QString> tokenOf(const Result<HttpResponse>& response, const QString& requestName)
{
    const Result<QJsonObject> object = objectOf(response, requestName);
    if (!object) {
        return object.error();
    }
    const QString token = object->value(QStringLiteral("token")).toString();
    if (token.isEmpty()) {
        return invalidResponse(requestName,
                               makeError(0, {}, QStringLiteral("\"token\" is missing.")));
    }
    return token;
}

// Calls `done` if the caller passed one. A caller that only watches the
// signals passes none.
template <typename T>
void deliver(const std::function<void(Result<T>)>& done, std::type_identity_t<Result<T>> result)
{
    if (done) {
        done(std::move(result));
    }
}

}  // namespace

class MarketClient::Private
{
public:
    Private(MarketClient* client, QNetworkAccessManager* network) : q(client), network(network) {}

    QNetworkRequest makeRequest(const QUrl& url) const;
    QUrl apiUrl(const QString& path, const QUrlQuery& query = {}) const;
    void send(const QByteArray& verb, const QUrl& url, const QByteArray& body,
              const HttpHeaders& headers, ResponseHandler handler);

    void sendOrder(const std::shared_ptr<PendingOrder>& order);
    void finishOrder(const std::shared_ptr<PendingOrder>& order,
                     const Result<HttpResponse>& response);

    QUrl streamUrl() const;
    void openStream();
    void closeStream();
    void handleStreamConnected(QWebSocket* socket);
    void handleStreamDropped(QWebSocket* socket, const QString& reason);
    void handleStreamMessage(const QString& text);
    void handleHello(const QJsonObject& message);
    void handleQuote(const QJsonObject& message);
    void scheduleReconnect(const QString& reason);
    void setState(ConnectionState state);

    MarketClient* q;
    QNetworkAccessManager* network;
    QUrl serverUrl;
    QString token;
    QSet<QNetworkReply*> replies;

    ConnectionState state = ConnectionState::Disconnected;
    QWebSocket* socket = nullptr;
    QTimer handshakeTimer;
    QTimer reconnectTimer;
    int firstDelayMs = 250;
    int maxDelayMs = 10'000;
    int nextDelayMs = 250;

    // lastQuoteId is the newest quote emitted. resumeAfterId is the after_id
    // of the next connection: before any quote, the latest_id of the first
    // hello, and -1 (no after_id) before any hello.
    std::int64_t lastQuoteId = 0;
    std::int64_t resumeAfterId = -1;
};

// --- REST ------------------------------------------------------------------

QUrl MarketClient::Private::apiUrl(const QString& path, const QUrlQuery& query) const
{
    QUrl url = serverUrl;
    QString basePath = url.path();
    while (basePath.endsWith(QLatin1Char('/'))) {
        basePath.chop(1);
    }
    url.setPath(basePath + path);
    url.setQuery(query);
    return url;
}

QNetworkRequest MarketClient::Private::makeRequest(const QUrl& url) const
{
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    if (!token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    }
    request.setTransferTimeout(requestTimeoutMs);
    return request;
}

void MarketClient::Private::send(const QByteArray& verb, const QUrl& url, const QByteArray& body,
                                 const HttpHeaders& headers, ResponseHandler handler)
{
    QNetworkRequest request = makeRequest(url);
    if (!body.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json; charset=utf-8"));
    }
    for (const auto& [name, value] : headers) {
        request.setRawHeader(name, value);
    }

    QNetworkReply* reply = network->sendCustomRequest(request, verb, body);
    replies.insert(reply);
    QObject::connect(reply, &QNetworkReply::finished, q, [this, reply, verb, url, handler] {
        replies.remove(reply);
        reply->deleteLater();

        const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (isTransportError(reply->error()) || !status.isValid()) {
            const Error error = networkError(verb, url, reply);
            qCWarning(lcClient).noquote() << error.message;
            handler(error);
            return;
        }
        handler(HttpResponse{status.toInt(), reply->readAll()});
    });
}

void MarketClient::Private::sendOrder(const std::shared_ptr<PendingOrder>& order)
{
    ++order->attempts;
    const HttpHeaders headers{{QByteArrayLiteral("Idempotency-Key"), order->idempotencyKey}};
    send("POST", apiUrl(QStringLiteral("/api/v1/orders")), order->body, headers,
         [this, order](const Result<HttpResponse>& response) { finishOrder(order, response); });
}

void MarketClient::Private::finishOrder(const std::shared_ptr<PendingOrder>& order,
                                        const Result<HttpResponse>& response)
{
    const QString requestName =
        QStringLiteral("order %1").arg(QString::fromLatin1(order->idempotencyKey));

    if (isRetryable(response) && order->attempts < maxOrderAttempts) {
        int delayMs = firstOrderRetryMs;
        for (int i = 1; i < order->attempts; ++i) {
            delayMs *= 2;
        }
        delayMs = withJitter(delayMs);
        const QString reason =
            response ? QStringLiteral("HTTP %1").arg(response->status) : response.error().message;
        qCInfo(lcClient).noquote()
            << QStringLiteral(
                   "Order %1 try %2 of %3 failed (%4); retrying in %5 ms with the "
                   "same Idempotency-Key.")
                   .arg(QString::fromLatin1(order->idempotencyKey))
                   .arg(order->attempts)
                   .arg(maxOrderAttempts)
                   .arg(reason)
                   .arg(delayMs);
        QTimer::singleShot(delayMs, q, [this, order] { sendOrder(order); });
        return;
    }

    const auto reject = [this, order](Error error) {
        qCInfo(lcClient).noquote()
            << QStringLiteral("Order %1 rejected: %2 (%3)")
                   .arg(QString::fromLatin1(order->idempotencyKey), error.code, error.message);
        Q_EMIT q->orderRejected(error);
        if (order->done) {
            order->done(error);
        }
    };

    Result<QJsonObject> object = objectOf(response, requestName);
    if (!object) {
        Error error = object.error();
        if (error.status == 0) {
            // Without an response the order may or may not have executed.
            error.message = QStringLiteral(
                                "%1 Gave up after %2 tries; the order may have "
                                "executed, so check the order history.")
                                .arg(error.message)
                                .arg(order->attempts);
        }
        reject(error);
        return;
    }
    const Result<Order> filled =
        api::decodeOrder(object->value(QStringLiteral("order")).toObject());
    if (!filled) {
        reject(invalidResponse(requestName, filled.error()));
        return;
    }
    const Result<Portfolio> portfolio =
        api::decodePortfolio(object->value(QStringLiteral("portfolio")).toObject());
    if (!portfolio) {
        reject(invalidResponse(requestName, portfolio.error()));
        return;
    }

    qCInfo(lcClient).noquote() << QStringLiteral("Order %1 filled as order %2: %3 %4 at %5.")
                                      .arg(QString::fromLatin1(order->idempotencyKey))
                                      .arg(filled->id)
                                      .arg(sideName(filled->side))
                                      .arg(filled->quantity)
                                      .arg(filled->price.toString());
    Q_EMIT q->orderFilled(*filled);
    if (order->done) {
        order->done(*filled);
    }
    Q_EMIT q->portfolioChanged(*portfolio);
}

// --- Live stream -----------------------------------------------------------

QUrl MarketClient::Private::streamUrl() const
{
    QUrlQuery query;
    if (resumeAfterId >= 0) {
        query.addQueryItem(QStringLiteral("after_id"), QString::number(resumeAfterId));
    }
    QUrl url = apiUrl(QStringLiteral("/api/v1/stream"), query);
    url.setScheme(url.scheme() == QLatin1String("https") ? QStringLiteral("wss")
                                                         : QStringLiteral("ws"));
    return url;
}

void MarketClient::Private::openStream()
{
    const QUrl url = streamUrl();
    auto* newSocket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, q);
    socket = newSocket;

    QObject::connect(newSocket, &QWebSocket::connected, q,
                     [this, newSocket] { handleStreamConnected(newSocket); });
    QObject::connect(newSocket, &QWebSocket::textMessageReceived, q,
                     [this, newSocket](const QString& text) {
                         if (newSocket == socket) {
                             handleStreamMessage(text);
                         }
                     });
    QObject::connect(newSocket, &QWebSocket::disconnected, q, [this, newSocket] {
        handleStreamDropped(newSocket, QStringLiteral("closed with code %1 %2")
                                           .arg(int(newSocket->closeCode()))
                                           .arg(newSocket->closeReason()));
    });
    QObject::connect(newSocket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), q,
                     [this, newSocket](QAbstractSocket::SocketError) {
                         handleStreamDropped(newSocket, newSocket->errorString());
                     });

    QNetworkRequest request(url);
    if (!token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    }
    qCDebug(lcClient).noquote() << "Opening the live stream" << displayUrl(url);
    handshakeTimer.start(streamConnectTimeoutMs);
    newSocket->open(request);
}

// Stops the current socket without a reconnect. Its signals are cut first,
// so closing it cannot call back into handleStreamDropped.
void MarketClient::Private::closeStream()
{
    handshakeTimer.stop();
    reconnectTimer.stop();
    if (socket == nullptr) {
        return;
    }
    QWebSocket* oldSocket = socket;
    socket = nullptr;
    QObject::disconnect(oldSocket, nullptr, q, nullptr);
    oldSocket->abort();
    oldSocket->deleteLater();
}

void MarketClient::Private::handleStreamConnected(QWebSocket* connectedSocket)
{
    if (connectedSocket != socket) {
        return;
    }
    handshakeTimer.start(streamHelloTimeoutMs);
}

void MarketClient::Private::handleStreamDropped(QWebSocket* droppedSocket, const QString& reason)
{
    if (droppedSocket != socket) {
        return;
    }
    closeStream();
    scheduleReconnect(reason);
}

void MarketClient::Private::scheduleReconnect(const QString& reason)
{
    const int delayMs = withJitter(nextDelayMs);
    nextDelayMs = doubled(nextDelayMs, maxDelayMs);
    const QString resume = resumeAfterId >= 0
                               ? QStringLiteral(", resuming after quote %1").arg(resumeAfterId)
                               : QString();
    qCWarning(lcClient).noquote() << QStringLiteral(
                                         "Live stream from %1 lost (%2); reconnecting in %3 ms%4.")
                                         .arg(displayUrl(serverUrl), reason)
                                         .arg(delayMs)
                                         .arg(resume);
    setState(ConnectionState::Reconnecting);
    reconnectTimer.start(delayMs);
}

void MarketClient::Private::handleStreamMessage(const QString& text)
{
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8());
    if (!document.isObject()) {
        qCWarning(lcClient).noquote()
            << "Ignored a live stream message that is not a JSON object:" << text.left(80);
        return;
    }
    const QJsonObject message = document.object();
    const QString type = message.value(QStringLiteral("type")).toString();

    if (type == QLatin1String("hello")) {
        handleHello(message);
        return;
    }
    if (type == QLatin1String("quote")) {
        handleQuote(message);
        return;
    }
    if (type == QLatin1String("portfolio")) {
        const Result<Portfolio> portfolio = api::decodePortfolio(message);
        if (!portfolio) {
            qCWarning(lcClient).noquote()
                << "Ignored a malformed portfolio message:" << portfolio.error().message;
            return;
        }
        Q_EMIT q->portfolioChanged(*portfolio);
        return;
    }
    if (type == QLatin1String("error")) {
        const Error error = makeError(0, message.value(QStringLiteral("code")).toString(),
                                      message.value(QStringLiteral("message")).toString());
        qCWarning(lcClient).noquote()
            << QStringLiteral("Live stream error %1: %2").arg(error.code, error.message);
        Q_EMIT q->streamError(error);
        return;
    }
    // Newer servers may add message types, which this client skips.
    qCDebug(lcClient).noquote() << "Ignored a live stream message of type" << type;
}

void MarketClient::Private::handleHello(const QJsonObject& message)
{
    handshakeTimer.stop();
    const std::int64_t latestId = message.value(QStringLiteral("latest_id")).toInteger(-1);
    if (resumeAfterId < 0 && latestId >= 0) {
        resumeAfterId = latestId;
    }
    // NOTE: when a server's database was replaced, its ids can be behind
    // this client, and its quotes stay hidden until they pass lastQuoteId.
    if (latestId >= 0 && latestId < lastQuoteId) {
        qCWarning(lcClient).noquote() << QStringLiteral(
                                             "Server %1 reports latest quote %2, older than quote "
                                             "%3 already received; its quote history differs.")
                                             .arg(displayUrl(serverUrl))
                                             .arg(latestId)
                                             .arg(lastQuoteId);
    }

    nextDelayMs = firstDelayMs;
    qCInfo(lcClient).noquote() << QStringLiteral("Live stream connected to %1, latest quote %2.")
                                      .arg(displayUrl(serverUrl))
                                      .arg(latestId);
    setState(ConnectionState::Connected);
}

void MarketClient::Private::handleQuote(const QJsonObject& message)
{
    const Result<Quote> quote = api::decodeQuote(message);
    if (!quote) {
        qCWarning(lcClient).noquote()
            << "Ignored a malformed quote message:" << quote.error().message;
        return;
    }
    // A backfill can repeat quotes that already arrived live before a drop.
    if (quote->id <= lastQuoteId) {
        qCDebug(lcClient) << "Dropped quote" << quote->id << "already received";
        return;
    }
    lastQuoteId = quote->id;
    resumeAfterId = std::max(resumeAfterId, quote->id);
    Q_EMIT q->quoteReceived(*quote);
}

void MarketClient::Private::setState(ConnectionState newState)
{
    if (state == newState) {
        return;
    }
    state = newState;
    Q_EMIT q->connectionStateChanged(newState);
}

// --- MarketClient ----------------------------------------------------------

MarketClient::MarketClient(QNetworkAccessManager* network, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>(this, network))
{
    d->handshakeTimer.setSingleShot(true);
    d->reconnectTimer.setSingleShot(true);
    connect(&d->handshakeTimer, &QTimer::timeout, this, [this] {
        const bool opened =
            d->socket != nullptr && d->socket->state() == QAbstractSocket::ConnectedState;
        d->handleStreamDropped(
            d->socket,
            opened ? QStringLiteral("no hello within %1 ms").arg(streamHelloTimeoutMs)
                   : QStringLiteral("no connection within %1 ms").arg(streamConnectTimeoutMs));
    });
    connect(&d->reconnectTimer, &QTimer::timeout, this, [this] { d->openStream(); });
}

// Replies still running are cut loose first, so that aborting them cannot
// run a callback into a half-destroyed client.
MarketClient::~MarketClient()
{
    d->closeStream();
    const QSet<QNetworkReply*> replies = d->replies;
    for (QNetworkReply* reply : replies) {
        QObject::disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        reply->deleteLater();
    }
}

void MarketClient::setServerUrl(const QUrl& url)
{
    if (url == d->serverUrl) {
        return;
    }
    const bool running = d->state != ConnectionState::Disconnected;
    stop();

    // Quote ids belong to one server, so a new server starts a new sequence.
    d->serverUrl = url;
    d->lastQuoteId = 0;
    d->resumeAfterId = -1;
    if (running) {
        start();
    }
}

QUrl MarketClient::serverUrl() const
{
    return d->serverUrl;
}

void MarketClient::setToken(const QString& token)
{
    if (token == d->token) {
        return;
    }
    d->token = token;

    // The stream authenticates in its handshake, so a new token needs a new socket.
    if (d->state == ConnectionState::Disconnected) {
        return;
    }
    d->closeStream();
    d->setState(ConnectionState::Connecting);
    d->openStream();
}

QString MarketClient::token() const
{
    return d->token;
}

void MarketClient::setReconnectDelays(int firstMs, int maxMs)
{
    if (firstMs < 1 || maxMs < firstMs) {
        qCWarning(lcClient).noquote()
            << QStringLiteral(
                   "Ignored reconnect delays of %1 ms first and %2 ms max: the first "
                   "must be at least 1 ms and the max at least the first.")
                   .arg(firstMs)
                   .arg(maxMs);
        return;
    }
    d->firstDelayMs = firstMs;
    d->maxDelayMs = maxMs;
    d->nextDelayMs = firstMs;
}

void MarketClient::start()
{
    if (d->state != ConnectionState::Disconnected) {
        return;
    }
    const QString scheme = d->serverUrl.scheme();
    if (!d->serverUrl.isValid() ||
        (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
        const Error error = makeError(0, QStringLiteral("invalid_server_url"),
                                      QStringLiteral("Server URL \"%1\" is not an http:// or "
                                                     "https:// URL; set one such as "
                                                     "http://127.0.0.1:3000.")
                                          .arg(displayUrl(d->serverUrl)));
        qCWarning(lcClient).noquote() << error.message;
        Q_EMIT streamError(error);
        return;
    }

    d->nextDelayMs = d->firstDelayMs;
    d->setState(ConnectionState::Connecting);
    d->openStream();
}

void MarketClient::stop()
{
    if (d->state == ConnectionState::Disconnected) {
        return;
    }
    d->closeStream();
    qCInfo(lcClient).noquote() << "Live stream from" << displayUrl(d->serverUrl) << "stopped.";
    d->setState(ConnectionState::Disconnected);
}

MarketClient::ConnectionState MarketClient::connectionState() const
{
    return d->state;
}

std::int64_t MarketClient::lastQuoteId() const
{
    return d->lastQuoteId;
}

void MarketClient::createAccount(const QString& username, const QString& password,
                                 std::function<void(Result<QString>)> done)
{
    const QByteArray body = api::toBytes(
        {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}});
    d->send("POST", d->apiUrl(QStringLiteral("/api/v1/accounts")), body, {},
            [done](const Result<HttpResponse>& response) {
                deliver(done, tokenOf(response, QStringLiteral("account creation")));
            });
}

void MarketClient::logIn(const QString& username, const QString& password,
                         std::function<void(Result<QString>)> done)
{
    const QByteArray body = api::toBytes(
        {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}});
    d->send("POST", d->apiUrl(QStringLiteral("/api/v1/sessions")), body, {},
            [done](const Result<HttpResponse>& response) {
                deliver(done, tokenOf(response, QStringLiteral("log-in")));
            });
}

void MarketClient::logOut(std::function<void(Result<Ok>)> done)
{
    d->send("DELETE", d->apiUrl(QStringLiteral("/api/v1/sessions/current")), {}, {},
            [done](const Result<HttpResponse>& response) {
                if (!response) {
                    deliver(done, response.error());
                    return;
                }
                if (!isSuccess(response->status)) {
                    deliver(done, api::decodeError(response->status, response->body));
                    return;
                }
                deliver(done, Ok{});
            });
}

void MarketClient::fetchPortfolio(std::function<void(Result<Portfolio>)> done)
{
    d->send("GET", d->apiUrl(QStringLiteral("/api/v1/portfolio")), {}, {},
            [done](const Result<HttpResponse>& response) {
                const QString requestName = QStringLiteral("GET /api/v1/portfolio");
                const Result<QJsonObject> object = objectOf(response, requestName);
                if (!object) {
                    deliver(done, object.error());
                    return;
                }
                const Result<Portfolio> portfolio = api::decodePortfolio(*object);
                deliver(done,
                        portfolio ? portfolio : invalidResponse(requestName, portfolio.error()));
            });
}

void MarketClient::fetchQuotes(std::int64_t afterId, int limit,
                               std::function<void(Result<QList<Quote>>)> done)
{
    QUrlQuery query;
    if (afterId >= 0) {
        query.addQueryItem(QStringLiteral("after_id"), QString::number(afterId));
    }
    if (limit > 0) {
        query.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    }
    d->send("GET", d->apiUrl(QStringLiteral("/api/v1/quotes"), query), {}, {},
            [done](const Result<HttpResponse>& response) {
                const QString requestName = QStringLiteral("GET /api/v1/quotes");
                const Result<QJsonObject> object = objectOf(response, requestName);
                if (!object) {
                    deliver(done, object.error());
                    return;
                }
                deliver(done, decodeList<Quote>(*object, QStringLiteral("quotes"), requestName,
                                                &api::decodeQuote));
            });
}

void MarketClient::fetchCandles(const QString& interval, std::int64_t fromMs, std::int64_t toMs,
                                std::function<void(Result<QList<Candle>>)> done)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("interval"), interval);
    query.addQueryItem(QStringLiteral("from"), api::formatTime(fromMs));
    query.addQueryItem(QStringLiteral("to"), api::formatTime(toMs));
    d->send("GET", d->apiUrl(QStringLiteral("/api/v1/candles"), query), {}, {},
            [done](const Result<HttpResponse>& response) {
                const QString requestName = QStringLiteral("GET /api/v1/candles");
                const Result<QJsonObject> object = objectOf(response, requestName);
                if (!object) {
                    deliver(done, object.error());
                    return;
                }
                deliver(done, decodeList<Candle>(*object, QStringLiteral("candles"), requestName,
                                                 &api::decodeCandle));
            });
}

void MarketClient::fetchOrders(std::int64_t beforeId, int limit,
                               std::function<void(Result<QList<Order>>)> done)
{
    QUrlQuery query;
    if (beforeId > 0) {
        query.addQueryItem(QStringLiteral("before_id"), QString::number(beforeId));
    }
    if (limit > 0) {
        query.addQueryItem(QStringLiteral("limit"), QString::number(limit));
    }
    d->send("GET", d->apiUrl(QStringLiteral("/api/v1/orders"), query), {}, {},
            [done](const Result<HttpResponse>& response) {
                const QString requestName = QStringLiteral("GET /api/v1/orders");
                const Result<QJsonObject> object = objectOf(response, requestName);
                if (!object) {
                    deliver(done, object.error());
                    return;
                }
                deliver(done, decodeList<Order>(*object, QStringLiteral("orders"), requestName,
                                                &api::decodeOrder));
            });
}

void MarketClient::placeOrder(const OrderRequest& request, std::function<void(Result<Order>)> done)
{
    auto order = std::make_shared<PendingOrder>();
    order->idempotencyKey = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    order->body = api::toBytes(api::encodeOrderRequest(request));
    order->done = std::move(done);
    d->sendOrder(order);
}

void MarketClient::praise(std::function<void(Result<Money>)> done)
{
    // Not retried: praise carries no Idempotency-Key, so a repeat could pay twice.
    d->send("POST", d->apiUrl(QStringLiteral("/api/v1/praise")), QByteArrayLiteral("{}"), {},
            [this, done](const Result<HttpResponse>& response) {
                const QString requestName = QStringLiteral("POST /api/v1/praise");
                const Result<QJsonObject> object = objectOf(response, requestName);
                if (!object) {
                    deliver(done, object.error());
                    return;
                }
                const Result<Money> bonus =
                    Money::parse(object->value(QStringLiteral("bonus")).toString());
                const Result<Portfolio> portfolio =
                    api::decodePortfolio(object->value(QStringLiteral("portfolio")).toObject());
                if (!bonus || !portfolio) {
                    deliver(done, invalidResponse(requestName,
                                                  bonus ? portfolio.error() : bonus.error()));
                    return;
                }
                Q_EMIT praised(*bonus);
                deliver(done, *bonus);
                Q_EMIT portfolioChanged(*portfolio);
            });
}

}  // namespace valiant::core
