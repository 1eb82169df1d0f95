#include "marketclient.h"

#include "apicodec.h"
#include "marketclient_p.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSslConfiguration>
#include <QSet>
#include <QTimer>
#include <QUrlQuery>
#include <QUuid>
#include <QWebSocket>

#include <algorithm>
#include <type_traits>

namespace valiant::core {

Q_LOGGING_CATEGORY(lcMarketClient, "valiant.client")

namespace {

constexpr int requestTimeoutMs = 10'000;

// An order is tried at most 5 times, waiting 0.5, 1, 2 and 4 s (plus up to
// 50 % jitter) in between: about 7.5 to 11 s in all when each try fails fast.
constexpr int maxOrderAttempts = 5;
constexpr int firstOrderRetryMs = 500;

// Failures of the transport itself (refused, timed out, TLS), as opposed to
// an HTTP response. QNetworkReply numbers them below 200.
bool isTransportError(QNetworkReply::NetworkError error)
{
    return error != QNetworkReply::NoError && int(error) < 200;
}

Error networkError(const QByteArray& verb, const QUrl& url, const QNetworkReply* reply)
{
    // The transfer timeout aborts the reply, which Qt reports as canceled.
    const QString reason =
        reply->error() == QNetworkReply::OperationCanceledError
            ? QStringLiteral("no response within %1 seconds").arg(requestTimeoutMs / 1000)
            : reply->errorString();
    const QString server = displayUrl(url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery));
    return makeError(0, QStringLiteral("network_error"),
                     QStringLiteral("Could not reach the server at %1 (%2 %3: %4). Check the "
                                    "address and that the server is running, then try again.")
                         .arg(server, QString::fromLatin1(verb), url.path(), reason));
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

// --- REST ------------------------------------------------------------------

QUrl MarketClient::Private::apiUrl(const QString& path, const QUrlQuery& query) const
{
    return apiUrlAt(serverUrl, path, query);
}

QUrl MarketClient::Private::apiUrlAt(const QUrl& baseUrl, const QString& path,
                                     const QUrlQuery& query)
{
    QUrl url = baseUrl;
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
    // The token belongs to serverUrl's server, so a request to another one,
    // such as a sign-up before switching to it, goes without the token.
    const bool sameServer = url.scheme() == serverUrl.scheme() && url.host() == serverUrl.host() &&
                            url.port(-1) == serverUrl.port(-1);
    if (!token.isEmpty() && sameServer) {
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
    // Called during the handshake, before the request leaves: unless the
    // user accepted this certificate, Qt aborts the reply.
    QObject::connect(reply, &QNetworkReply::sslErrors, q,
                     [this, reply, url](const QList<QSslError>& errors) {
                         const QSslCertificate certificate =
                             reply->sslConfiguration().peerCertificate();
                         if (isAccepted(certificate, errors)) {
                             reply->ignoreSslErrors(errors);
                             return;
                         }
                         reportSslErrors(url, certificate, errors);
                     });
    QObject::connect(reply, &QNetworkReply::finished, q, [this, reply, verb, url, handler] {
        replies.remove(reply);
        reply->deleteLater();

        const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (isTransportError(reply->error()) || !status.isValid()) {
            const Error error = networkError(verb, url, reply);
            qCWarning(lcMarketClient).noquote() << error.message;
            handler(error);
            return;
        }
        handler(HttpResponse{status.toInt(), reply->readAll()});
    });
}

bool MarketClient::Private::isAccepted(const QSslCertificate& certificate,
                                       const QList<QSslError>& errors) const
{
    if (certificate.isNull()) {
        return false;
    }
    for (const auto& [accepted, acceptedErrors] : acceptedCertificates) {
        if (accepted != certificate) {
            continue;
        }
        // Clang 14 cannot capture a structured binding, so bind it by name.
        return std::all_of(errors.begin(), errors.end(),
                           [&allowed = acceptedErrors](const QSslError& error) {
                               return allowed.contains(error);
                           });
    }
    return false;
}

void MarketClient::Private::reportSslErrors(const QUrl& url, const QSslCertificate& certificate,
                                            const QList<QSslError>& errors)
{
    QStringList reasons;
    for (const QSslError& error : errors) {
        reasons.append(error.errorString());
    }
    qCWarning(lcMarketClient).noquote()
        << QStringLiteral("TLS handshake with %1 aborted: the certificate of %2 failed "
                          "verification (%3).")
               .arg(displayUrl(url),
                    certificate.subjectInfo(QSslCertificate::CommonName).join(QLatin1Char(',')),
                    reasons.join(QStringLiteral("; ")));
    Q_EMIT q->sslErrorsOccurred(url, certificate, errors);
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
        qCInfo(lcMarketClient).noquote()
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
        qCInfo(lcMarketClient).noquote()
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

    qCInfo(lcMarketClient).noquote() << QStringLiteral("Order %1 filled as order %2: %3 %4 at %5.")
                                            .arg(QString::fromLatin1(order->idempotencyKey))
                                            .arg(filled->id)
                                            .arg(sideName(filled->side))
                                            .arg(filled->quantity)
                                            .arg(filled->price.toString());
    Q_EMIT q->orderFilled(*filled);
    if (order->done) {
        order->done(*filled);
    }
    Q_EMIT q->portfolioChanged(*portfolio, MarketClient::PortfolioSource::OwnChange);
}

// --- MarketClient ----------------------------------------------------------

MarketClient::MarketClient(QNetworkAccessManager* network, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>(this, network))
{
    d->setUpStreamTimers();
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
        qCWarning(lcMarketClient).noquote()
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

void MarketClient::acceptCertificate(const QSslCertificate& certificate,
                                     const QList<QSslError>& errors)
{
    if (certificate.isNull()) {
        return;
    }
    qCInfo(lcMarketClient).noquote()
        << "Certificate with SHA-256 fingerprint"
        << certificate.digest(QCryptographicHash::Sha256).toHex(':')
        << "accepted by the user for this session.";
    d->acceptedCertificates.append({certificate, errors});
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
        qCWarning(lcMarketClient).noquote() << error.message;
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
    qCInfo(lcMarketClient).noquote()
        << "Live stream from" << displayUrl(d->serverUrl) << "stopped.";
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
    createAccount(d->serverUrl, username, password, std::move(done));
}

void MarketClient::logIn(const QString& username, const QString& password,
                         std::function<void(Result<QString>)> done)
{
    logIn(d->serverUrl, username, password, std::move(done));
}

void MarketClient::createAccount(const QUrl& serverUrl, const QString& username,
                                 const QString& password, std::function<void(Result<QString>)> done)
{
    const QByteArray body = api::toBytes(
        {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}});
    d->send("POST", Private::apiUrlAt(serverUrl, QStringLiteral("/api/v1/accounts")), body, {},
            [done](const Result<HttpResponse>& response) {
                deliver(done, tokenOf(response, QStringLiteral("account creation")));
            });
}

void MarketClient::logIn(const QUrl& serverUrl, const QString& username, const QString& password,
                         std::function<void(Result<QString>)> done)
{
    const QByteArray body = api::toBytes(
        {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}});
    d->send("POST", Private::apiUrlAt(serverUrl, QStringLiteral("/api/v1/sessions")), body, {},
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
    order->body = api::toJson(request);
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
                Q_EMIT portfolioChanged(*portfolio, PortfolioSource::OwnChange);
            });
}

}  // namespace valiant::core
