#pragma once

// MarketClient: the one client of the API that the desktop app (and any Qt
// program) uses, whether the server is the embedded local instance or a
// remote one. It keeps the live stream open, reconnects with exponential
// backoff and jitter (a new socket per attempt), resumes with after_id so no
// quote is missed, and sends every order with its own Idempotency-Key that
// it reuses when it retries after a network failure.

#include "market.h"
#include "orderrules.h"
#include "result.h"

#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslError>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;

namespace valiant::core {

class MarketClient : public QObject
{
    Q_OBJECT

public:
    enum class ConnectionState { Disconnected, Connecting, Connected, Reconnecting };
    Q_ENUM(ConnectionState)

    /// The origin of a wallet: the stream, after a change by any client of
    /// the account, or the response to this client's order or praise.
    enum class PortfolioSource { Stream, OwnChange };
    Q_ENUM(PortfolioSource)

    /// `network` is not owned and must outlive the client.
    explicit MarketClient(QNetworkAccessManager* network, QObject* parent = nullptr);
    ~MarketClient() override;

    /// Base URL such as http://127.0.0.1:3000 (http, https).
    void setServerUrl(const QUrl& url);
    QUrl serverUrl() const;

    void setToken(const QString& token);
    QString token() const;

    /// Reconnect delays: first, doubling up to `max`, each with up to 50 %
    /// random jitter added.
    void setReconnectDelays(int firstMs, int maxMs);

    /// Trusts `certificate` for the rest of this client's life although it
    /// failed verification, but only for the errors it was shown with
    /// (see sslErrorsOccurred). Nothing else ever ignores a TLS error.
    void acceptCertificate(const QSslCertificate& certificate, const QList<QSslError>& errors);

    /// Opens the live stream and keeps it open until stop().
    void start();
    void stop();
    ConnectionState connectionState() const;
    std::int64_t lastQuoteId() const;

    // REST calls. Each callback runs once on this object's thread with the
    // typed result or the server's (or the network's) error.
    void createAccount(const QString& username, const QString& password,
                       std::function<void(Result<QString>)> done);  // token
    void logIn(const QString& username, const QString& password,
               std::function<void(Result<QString>)> done);  // token
    /// Create an account or log in on the server at `serverUrl`, which may
    /// differ from serverUrl(), so a failed sign-up leaves this client's
    /// server, token and stream as they are. The token goes only to serverUrl().
    void createAccount(const QUrl& serverUrl, const QString& username, const QString& password,
                       std::function<void(Result<QString>)> done);  // token
    void logIn(const QUrl& serverUrl, const QString& username, const QString& password,
               std::function<void(Result<QString>)> done);  // token
    void logOut(std::function<void(Result<Ok>)> done);
    void fetchPortfolio(std::function<void(Result<Portfolio>)> done);
    void fetchQuotes(std::int64_t afterId, int limit,
                     std::function<void(Result<QList<Quote>>)> done);
    void fetchCandles(const QString& interval, std::int64_t fromMs, std::int64_t toMs,
                      std::function<void(Result<QList<Candle>>)> done);
    void fetchOrders(std::int64_t beforeId, int limit,
                     std::function<void(Result<QList<Order>>)> done);

    /// Places an order with a fresh Idempotency-Key, retrying with the same
    /// key after network failures. Emits orderFilled or orderRejected too.
    void placeOrder(const OrderRequest& request,
                    std::function<void(Result<Order>)> done = {});
    void praise(std::function<void(Result<Money>)> done = {});

Q_SIGNALS:
    void connectionStateChanged(valiant::core::MarketClient::ConnectionState state);
    /// Every quote once, in id order, whether live or backfilled.
    void quoteReceived(const valiant::core::Quote& quote);
    /// The server's newest quote id is below the ones already received, as
    /// after its database was replaced. Quotes received so far belong to
    /// another history; the next quoteReceived ids start from the server's.
    /// Emitted before connectionStateChanged reports Connected.
    void quoteHistoryReplaced();
    void portfolioChanged(const valiant::core::Portfolio& portfolio,
                          valiant::core::MarketClient::PortfolioSource source);
    void orderFilled(const valiant::core::Order& order);
    void orderRejected(const valiant::core::Error& error);
    void praised(valiant::core::Money bonus);
    /// A stream error message from the server, such as invalid_token.
    void streamError(const valiant::core::Error& error);
    /// A TLS handshake with `url` failed verification and was aborted before
    /// any request was sent. `certificate` is the server's own certificate.
    void sslErrorsOccurred(const QUrl& url, const QSslCertificate& certificate,
                           const QList<QSslError>& errors);

private:
    class Private;
    std::unique_ptr<Private> d;
};

}  // namespace valiant::core
