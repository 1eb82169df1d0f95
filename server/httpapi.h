#pragma once

// HttpApi: routes one parsed HTTP request to MarketService and turns the
// result into a response. It knows nothing of sockets or Boost.Beast, so it
// can be tested and fuzzed on plain values. Every rejection becomes a
// status and an {"error": {...}} body here, in one place.

#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>
#include <optional>

namespace valiant::server {

class MarketService;
class RateLimiter;

struct HttpRequest
{
    QByteArray method;  // "GET", "POST", ...
    QByteArray target;  // path and query, as sent: "/api/v1/quotes?limit=5"
    QList<QPair<QByteArray, QByteArray>> headers;  // names lower-case
    QByteArray body;
    QString remoteAddress;

    QByteArray header(const QByteArray& lowerCaseName) const;
};

struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json; charset=utf-8";
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    /// Set in a response to HEAD: the length of the body that GET sends,
    /// which `body` no longer contains, for the Content-Length header.
    std::optional<qsizetype> omittedBodyLength;
};

/// A validated WebSocket upgrade of /api/v1/stream.
struct StreamRequest
{
    std::int64_t accountId = 0;           // 0: not authenticated, quotes only
    std::optional<std::int64_t> afterId;  // resume after this quote id
    /// Set when the Authorization header was rejected (401) or could not be
    /// checked (503). The upgrade still succeeds so that the client reads
    /// this error as a stream error message before the close.
    std::optional<core::Error> authError;
};

class HttpApi
{
public:
    static constexpr int maxBodyBytes = 64 * 1024;

    /// `limiter` may be null: then no request is rate limited.
    /// `trustedProxies` is how many proxies of our own append to
    /// X-Forwarded-For in front of the server (see clientAddress()).
    HttpApi(MarketService& service, QString version, std::function<QString()> generatorState,
            RateLimiter* limiter = nullptr, int trustedProxies = 0);

    /// Handles everything but the WebSocket upgrade of /api/v1/stream.
    /// Blocking: call it on a worker thread.
    HttpResponse handle(const HttpRequest& request);

    /// Validates the upgrade request of /api/v1/stream: its handshake
    /// fields (426 or 400), its query (422 for an unknown parameter or an
    /// invalid after_id) and, when an Authorization header is present, the
    /// token (StreamRequest::authError). Blocking: call it on a worker thread.
    core::Result<StreamRequest> acceptStream(const HttpRequest& request);

    /// The client's address for per-address limits: the TCP peer, or with
    /// N trusted proxies the address the outermost of them saw, which is
    /// the Nth X-Forwarded-For entry from the right. Entries further left
    /// are the client's own word and are never used.
    static QString clientAddress(const HttpRequest& request, int trustedProxies);

    /// The error response for `error` (status from the error itself).
    static HttpResponse errorResponse(const core::Error& error);

    /// The route of `target` for metrics labels ("/api/v1/orders"), or
    /// "unmatched", so that label sets stay bounded.
    static QString routePattern(const QByteArray& target);

private:
    MarketService& m_service;
    QString m_version;
    std::function<QString()> m_generatorState;
    RateLimiter* m_limiter = nullptr;
    int m_trustedProxies = 0;
};

}  // namespace valiant::server
