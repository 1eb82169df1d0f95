#pragma once

// MarketClient::Private, shared by marketclient.cpp (REST and orders) and
// marketclientstream.cpp (the live stream). Not part of the core's API.

#include "marketclient.h"

#include <QByteArray>
#include <QList>
#include <QLoggingCategory>
#include <QPair>
#include <QRandomGenerator>
#include <QSet>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

class QJsonObject;
class QNetworkReply;
class QNetworkRequest;
class QWebSocket;

namespace valiant::core {

Q_DECLARE_LOGGING_CATEGORY(lcMarketClient)

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

inline int withJitter(int delayMs)
{
    return delayMs + int(QRandomGenerator::global()->bounded(delayMs / 2 + 1));
}

inline int doubled(int delayMs, int maxMs)
{
    return delayMs > maxMs / 2 ? maxMs : delayMs * 2;
}

inline QString displayUrl(const QUrl& url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo);
}

class MarketClient::Private
{
public:
    Private(MarketClient* client, QNetworkAccessManager* network) : q(client), network(network) {}

    QNetworkRequest makeRequest(const QUrl& url) const;
    QUrl apiUrl(const QString& path, const QUrlQuery& query = {}) const;
    static QUrl apiUrlAt(const QUrl& baseUrl, const QString& path, const QUrlQuery& query = {});
    void send(const QByteArray& verb, const QUrl& url, const QByteArray& body,
              const HttpHeaders& headers, ResponseHandler handler);

    void sendOrder(const std::shared_ptr<PendingOrder>& order);
    void finishOrder(const std::shared_ptr<PendingOrder>& order,
                     const Result<HttpResponse>& response);

    void setUpStreamTimers();
    QUrl streamUrl() const;
    void openStream();
    void closeStream();
    void handleStreamConnected(QWebSocket* socket);
    void handleStreamDropped(QWebSocket* socket, const QString& reason);
    void handleStreamMessage(const QString& text);
    void handleHello(const QJsonObject& message);
    void handleQuote(const QJsonObject& message);
    void scheduleReconnect(const QString& reason);
    void restartIdleTimer();
    void setState(ConnectionState state);
    bool isAccepted(const QSslCertificate& certificate, const QList<QSslError>& errors) const;
    void reportSslErrors(const QUrl& url, const QSslCertificate& certificate,
                         const QList<QSslError>& errors);

    MarketClient* q;
    QNetworkAccessManager* network;
    QUrl serverUrl;
    QString token;
    QSet<QNetworkReply*> replies;
    // Certificates the user accepted for this session, each with the errors
    // it was accepted for.
    QList<QPair<QSslCertificate, QList<QSslError>>> acceptedCertificates;

    ConnectionState state = ConnectionState::Disconnected;
    QWebSocket* socket = nullptr;
    QTimer handshakeTimer;
    QTimer pingTimer;
    QTimer idleTimer;
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

}  // namespace valiant::core
