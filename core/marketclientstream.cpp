#include "apicodec.h"
#include "marketclient_p.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QWebSocket>

#include <algorithm>

namespace valiant::core {

namespace {

// From open() until the WebSocket handshake completes, then until "hello".
constexpr int streamConnectTimeoutMs = 10'000;
constexpr int streamHelloTimeoutMs = 5'000;
// A half-open connection (a laptop that slept, a NAT that forgot it) or a
// frozen server never delivers a close, so silence past the idle timeout
// counts as a drop. Quotes arrive every tick, so 30 s of silence with three
// unanswered pings is far beyond a healthy server's.
constexpr int streamPingIntervalMs = 10'000;
constexpr int streamIdleTimeoutMs = 30'000;

}  // namespace

void MarketClient::Private::setUpStreamTimers()
{
    handshakeTimer.setSingleShot(true);
    reconnectTimer.setSingleShot(true);
    QObject::connect(&handshakeTimer, &QTimer::timeout, q, [this] {
        const bool opened = socket != nullptr && socket->state() == QAbstractSocket::ConnectedState;
        handleStreamDropped(
            socket, opened
                        ? QStringLiteral("no hello within %1 ms").arg(streamHelloTimeoutMs)
                        : QStringLiteral("no connection within %1 ms").arg(streamConnectTimeoutMs));
    });
    QObject::connect(&reconnectTimer, &QTimer::timeout, q, [this] { openStream(); });

    idleTimer.setSingleShot(true);
    QObject::connect(&pingTimer, &QTimer::timeout, q, [this] {
        if (socket != nullptr) {
            socket->ping();
        }
    });
    QObject::connect(&idleTimer, &QTimer::timeout, q, [this] {
        handleStreamDropped(
            socket, QStringLiteral("no message or pong within %1 ms").arg(streamIdleTimeoutMs));
    });
}

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
                             restartIdleTimer();
                             handleStreamMessage(text);
                         }
                     });
    QObject::connect(newSocket, &QWebSocket::pong, q, [this, newSocket] {
        if (newSocket == socket) {
            restartIdleTimer();
        }
    });
    QObject::connect(newSocket, &QWebSocket::disconnected, q, [this, newSocket] {
        // A failed connect also ends here, sometimes before the error signal.
        if (newSocket->error() != QAbstractSocket::UnknownSocketError) {
            handleStreamDropped(newSocket, newSocket->errorString());
            return;
        }
        const QString reason = newSocket->closeReason().isEmpty()
                                   ? QString()
                                   : QStringLiteral(": ") + newSocket->closeReason();
        handleStreamDropped(
            newSocket,
            QStringLiteral("closed with code %1%2").arg(int(newSocket->closeCode())).arg(reason));
    });
    QObject::connect(newSocket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), q,
                     [this, newSocket](QAbstractSocket::SocketError) {
                         handleStreamDropped(newSocket, newSocket->errorString());
                     });

    QObject::connect(newSocket, &QWebSocket::sslErrors, q,
                     [this, newSocket, url](const QList<QSslError>& errors) {
                         const QSslCertificate certificate =
                             newSocket->sslConfiguration().peerCertificate();
                         if (isAccepted(certificate, errors)) {
                             newSocket->ignoreSslErrors();
                             return;
                         }
                         reportSslErrors(url, certificate, errors);
                     });

    QNetworkRequest request(url);
    if (!token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    }
    qCDebug(lcMarketClient).noquote() << "Opening the live stream" << displayUrl(url);
    handshakeTimer.start(streamConnectTimeoutMs);
    newSocket->open(request);
}

// Stops the current socket without a reconnect. Its signals are cut first,
// so closing it cannot call back into handleStreamDropped.
void MarketClient::Private::closeStream()
{
    handshakeTimer.stop();
    pingTimer.stop();
    idleTimer.stop();
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

void MarketClient::Private::restartIdleTimer()
{
    if (idleTimer.isActive()) {
        idleTimer.start(streamIdleTimeoutMs);
    }
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
    qCWarning(lcMarketClient).noquote()
        << QStringLiteral("Live stream from %1 lost (%2); reconnecting in %3 ms%4.")
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
        qCWarning(lcMarketClient).noquote()
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
            qCWarning(lcMarketClient).noquote()
                << "Ignored a malformed portfolio message:" << portfolio.error().message;
            return;
        }
        Q_EMIT q->portfolioChanged(*portfolio, MarketClient::PortfolioSource::Stream);
        return;
    }
    if (type == QLatin1String("error")) {
        const Error error = makeError(0, message.value(QStringLiteral("code")).toString(),
                                      message.value(QStringLiteral("message")).toString());
        qCWarning(lcMarketClient).noquote()
            << QStringLiteral("Live stream error %1: %2").arg(error.code, error.message);
        Q_EMIT q->streamError(error);
        return;
    }
    // Newer servers may add message types, which this client skips.
    qCDebug(lcMarketClient).noquote() << "Ignored a live stream message of type" << type;
}

void MarketClient::Private::handleHello(const QJsonObject& message)
{
    handshakeTimer.stop();
    pingTimer.start(streamPingIntervalMs);
    idleTimer.start(streamIdleTimeoutMs);
    const std::int64_t latestId = message.value(QStringLiteral("latest_id")).toInteger(-1);
    if (resumeAfterId < 0 && latestId >= 0) {
        resumeAfterId = latestId;
    }
    // A server whose database was replaced starts its ids again, so its
    // quotes would stay hidden behind the ids this client has seen. The
    // client starts over from the server's newest quote instead.
    const std::int64_t serverLatestId = std::max<std::int64_t>(latestId, 0);
    if (lastQuoteId > serverLatestId) {
        qCWarning(lcMarketClient).noquote()
            << QStringLiteral(
                   "Server %1 reports latest quote %2, older than quote %3 already received; "
                   "its quote history was replaced, so the client starts over from it.")
                   .arg(displayUrl(serverUrl))
                   .arg(latestId)
                   .arg(lastQuoteId);
        lastQuoteId = serverLatestId;
        resumeAfterId = latestId;
        Q_EMIT q->quoteHistoryReplaced();
    }

    nextDelayMs = firstDelayMs;
    qCInfo(lcMarketClient).noquote()
        << QStringLiteral("Live stream connected to %1, latest quote %2.")
               .arg(displayUrl(serverUrl))
               .arg(latestId);
    setState(ConnectionState::Connected);
}

void MarketClient::Private::handleQuote(const QJsonObject& message)
{
    const Result<Quote> quote = api::decodeQuote(message);
    if (!quote) {
        qCWarning(lcMarketClient).noquote()
            << "Ignored a malformed quote message:" << quote.error().message;
        return;
    }
    // A backfill can repeat quotes that already arrived live before a drop.
    if (quote->id <= lastQuoteId) {
        qCDebug(lcMarketClient) << "Dropped quote" << quote->id << "already received";
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

}  // namespace valiant::core
