#pragma once

// Internal to httpserver.cpp and websocketsession.cpp, the only units that
// include Boost.Beast: the Beast and Asio names and the state that HTTP and
// WebSocket sessions share.

// Boost 1.74's Asio headers fail to compile with GCC 12 unless <utility>
// is included before them.
#include <utility>

#include "core/result.h"
#include "logging.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <QString>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace valiant::server {

class HttpApi;
class MarketService;
class Metrics;
class StreamHub;
class StreamSink;

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

using UpgradeRequest = http::request<http::string_body>;

/// The executor of a stream session: a strand of the server's io_context,
/// named as a concrete type because the type-erased any_io_executor costs
/// a reference-counted copy in every asynchronous operation.
using SessionStrand = net::strand<net::io_context::executor_type>;

/// The state shared by the sessions of one HttpServer. Its registry of open
/// connections lets stop() close them all and wait until they have ended.
struct NetworkContext
{
    NetworkContext(HttpApi& api, StreamHub& hub, MarketService& service, Metrics& metrics,
                   net::io_context& workers)
        : api(api), hub(hub), service(service), metrics(metrics), workers(workers)
    {
    }

    /// Registers an open connection. `shutDown` may be called from any
    /// thread. `stream` is the hub sink of a WebSocket session, or null.
    std::uint64_t addConnection(std::function<void()> shutDown, const StreamSink* stream);
    void removeConnection(std::uint64_t id);
    void shutDownConnections();
    std::size_t connectionCount() const;
    std::vector<const StreamSink*> openStreams() const;

    /// Counts one more HTTP connection from `address`; false (and nothing
    /// counted) when the address already holds maxConnectionsPerAddress.
    bool acquireAddress(const QString& address);
    void releaseAddress(const QString& address);

    HttpApi& api;
    StreamHub& hub;
    MarketService& service;
    Metrics& metrics;
    // Runs the HTTP sessions, whose handlers may block on the store, and the
    // blocking jobs of stream sessions. Stream sessions and the listener
    // run on the network threads, which never block.
    net::io_context& workers;
    std::atomic<bool> stopping{false};
    // Set late in a stop: from then on, requests are rejected instead of handled.
    std::atomic<bool> cancelling{false};
    // Requests being handled and jobs waiting for or running on a worker.
    std::atomic<int> pendingJobs{0};
    // Set before listening, read-only afterwards.
    std::chrono::seconds requestTimeout{30};
    std::chrono::seconds idleTimeout{75};
    int maxConnectionsPerAddress = 0;  // 0: no cap
    // One strand per fan-out lane of the hub, index for index. Every
    // handler of a stream session, and its lane's fan-out job, runs on its
    // lane's strand. The owner clears them before destroying the
    // io_context, because a strand refers to the io_context's service.
    std::vector<SessionStrand> streamLanes;
    std::atomic<std::uint64_t> rejectedOverCap{0};
    // One line per interval for requests rejected before routing, so that a
    // client sending malformed requests in a loop cannot flood the log.
    LogThrottle rejectionLog{std::chrono::seconds(10)};

private:
    struct Connection
    {
        std::function<void()> shutDown;
        const StreamSink* stream = nullptr;
    };

    mutable std::mutex m_mutex;
    std::uint64_t m_nextId = 1;
    std::unordered_map<std::uint64_t, Connection> m_connections;
    std::unordered_map<std::string, int> m_addressConnections;
};

/// Runs `work` (blocking, returns a core::Result) on this thread and
/// returns its result. An exception from `work` becomes a 500
/// internal_error result.
template <typename Work>
auto runGuarded(Work& work) -> decltype(work())
{
    try {
        return work();
    } catch (const std::exception& exception) {
        return core::makeError(
            500, QStringLiteral("internal_error"),
            QStringLiteral("The server failed to handle the request (%1); try again later.")
                .arg(QString::fromLocal8Bit(exception.what())));
    }
}

/// Runs `work` (blocking, returns a core::Result) on the worker pool and
/// then `done` with its result on `home`, the session's strand. An
/// exception from `work` becomes a 500 internal_error result.
template <typename Work, typename Done>
void runOnWorkers(NetworkContext& context, net::any_io_executor home, Work work, Done done)
{
    ++context.pendingJobs;
    net::post(context.workers, [&context, home = std::move(home), work = std::move(work),
                                done = std::move(done)]() mutable {
        auto result = runGuarded(work);
        --context.pendingJobs;
        net::post(home, [done = std::move(done), result = std::move(result)]() mutable {
            done(std::move(result));
        });
    });
}

/// Takes over `stream` after a validated upgrade request of /api/v1/stream
/// and runs the WebSocket session until it closes. `receivedBytes` are
/// bytes that the client sent after the request and that were read with
/// it. The session reads them first. A set `authError` is sent as an error
/// message, then the stream closes.
void startWebSocketSession(NetworkContext& context, beast::tcp_stream stream,
                           UpgradeRequest request, std::string receivedBytes,
                           std::int64_t accountId, std::optional<std::int64_t> afterId,
                           std::optional<core::Error> authError);

}  // namespace valiant::server
