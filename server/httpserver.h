#pragma once

// HttpServer: the network front, HTTP/1.1 and WebSocket on one port
// through Boost.Beast. Beast and Asio stay inside httpserver.cpp and
// websocketsession.cpp (and the internal headers networkcontext.h and
// requestparser.h); this header keeps them out of every other unit.
// Limits: 64 KiB request bodies (413 without reading the body), 8 KiB of
// headers, idle and per-operation timeouts, pings every 20 s on streams.

#include "core/result.h"

#include <QString>

#include <chrono>
#include <memory>

namespace valiant::server {

class HttpApi;
class MarketService;
class Metrics;
class StreamHub;

class HttpServer
{
public:
    struct Limits
    {
        // The first request's headers, any request body and any response
        // must each be transferred within this time.
        int requestTimeoutSeconds = 30;
        // Between requests on a keep-alive connection. Longer than the 60 s
        // idle timeout of common load balancers, so the load balancer, not
        // the server, closes an idle connection.
        int idleTimeoutSeconds = 75;
        // Open HTTP connections per client address, not counting upgraded
        // streams; 0: no cap.
        int maxConnectionsPerAddress = 0;
    };

    HttpServer(HttpApi& api, StreamHub& hub, MarketService& service, Metrics& metrics,
               int ioThreads, int workerThreads);
    ~HttpServer();

    /// Replaces the default limits. Call before listen().
    void setLimits(const Limits& limits);

    /// Binds host:port (port 0 picks a free one) and starts accepting.
    /// Returns the bound port, or an error naming the address.
    core::Result<int> listen(const QString& host, int port);

    /// Binds `host`:`port` and releases it again, so a taken port is found
    /// before the database is opened. Another process may still take it before listen().
    static core::Result<core::Ok> checkCanListen(const QString& host, int port);

    /// Stops accepting, closes streams with 1001, waits for in-flight
    /// requests and joins the threads. Idempotent. Its time limits count
    /// from `requestedAt`, and it returns about 9 s after that at the latest.
    void stop(std::chrono::steady_clock::time_point requestedAt = std::chrono::steady_clock::now());

private:
    struct Private;
    std::unique_ptr<Private> d;
};

}  // namespace valiant::server
