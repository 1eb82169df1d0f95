#include "networkcontext.h"  // first: it includes <utility> before Asio

#include "httpserver.h"

#include "httpapi.h"
#include "marketservice.h"
#include "metrics.h"
#include "requestparsing.h"
#include "requestparser.h"
#include "store.h"
#include "streamhub.h"

#include <QLoggingCategory>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <optional>
#include <string>
#include <thread>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcHttp, "valiant.http")

// After a response that closes the connection (a 413, Connection: close,
// a shutdown), what the client still sends is drained this long (at most
// lingerMaxBytes). Closing a socket with unread data makes Linux send a
// reset, and the client loses the part of the response it had not read.
constexpr auto lingerTimeout = std::chrono::seconds(2);
constexpr std::size_t lingerMaxBytes = 1024 * 1024;
// Bytes read at once while waiting for the start of a keep-alive request.
constexpr std::size_t readChunkBytes = 4096;
constexpr auto stopDeadline = std::chrono::seconds(9);
// This long after a stop began, requests not yet handled are rejected. The
// statements that running requests wait for are cancelled too, because a
// worker blocked in the database cannot be stopped otherwise. The cancel
// repeats at the interval for statements that started later.
constexpr auto cancelStatementsAfter = std::chrono::seconds(7);
constexpr auto cancelRepeatInterval = std::chrono::milliseconds(500);
// During a shutdown, a request that had arrived but not been read (its
// session waited for a worker) gets this long to be read.
constexpr auto stopReadTimeout = std::chrono::seconds(2);
constexpr auto acceptRetryDelay = std::chrono::milliseconds(100);
constexpr auto acceptLogInterval = std::chrono::seconds(10);

QString methodLabel(std::string_view method)
{
    static constexpr std::string_view known[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    for (const std::string_view name : known) {
        if (method == name) {
            return QString::fromLatin1(method.data(), static_cast<qsizetype>(method.size()));
        }
    }
    return QStringLiteral("other");
}

/// A Beast SyncWriteStream that appends everything written to a string,
/// so that a response is serialized by Beast's rules into one buffer.
struct StringWriteStream
{
    std::string* out;

    template <typename ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers)
    {
        std::size_t written = 0;
        for (const net::const_buffer buffer : beast::buffers_range_ref(buffers)) {
            out->append(static_cast<const char*>(buffer.data()), buffer.size());
            written += buffer.size();
        }
        return written;
    }

    template <typename ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers, beast::error_code& error)
    {
        error = {};
        return write_some(buffers);
    }
};

/// One HTTP connection, on a strand of the worker threads. It reads requests
/// one at a time, so responses to pipelined requests go out in order, and
/// runs each in HttpApi right in its handler. Blocking there holds up only
/// this connection, and an order needs no hand-off between threads. A stream
/// upgrade hands the socket over to a WebSocketSession on a network thread.
class HttpSession : public std::enable_shared_from_this<HttpSession>
{
public:
    HttpSession(NetworkContext& context, tcp::socket&& socket)
        : m_context(context), m_stream(std::move(socket))
    {
        beast::error_code error;
        const auto endpoint = m_stream.socket().remote_endpoint(error);
        if (!error) {
            m_remoteAddress = QString::fromStdString(endpoint.address().to_string());
        }
    }

    ~HttpSession()
    {
        m_context.removeConnection(m_connectionId);
        if (m_addressCounted) {
            m_context.releaseAddress(m_remoteAddress);
        }
    }

    void start()
    {
        if (!m_context.acquireAddress(m_remoteAddress)) {
            net::dispatch(m_stream.get_executor(), [self = shared_from_this()] { self->rejectOverCap(); });
            return;
        }
        m_addressCounted = true;

        const std::weak_ptr<HttpSession> weak = weak_from_this();
        m_connectionId = m_context.addConnection(
            [weak] {
                if (const auto session = weak.lock()) {
                    session->shutDown();
                }
            },
            nullptr);
        net::dispatch(m_stream.get_executor(), [self = shared_from_this()] { self->readHeader(); });
    }

    /// Closes the connection after the response to the request being
    /// handled, or to a request whose bytes are waiting unread, and
    /// otherwise at once. Reading such a request gets stopReadTimeout, and a
    /// request with no bytes waiting is dropped, so a client that stalls
    /// mid-body cannot hold up a shutdown. Callable from any thread.
    void shutDown()
    {
        net::post(m_stream.get_executor(), [self = shared_from_this()] {
            self->m_closeAfterResponse = true;
            if (!self->m_handling) {
                // The pending read ends with operation_aborted, unless it
                // has already completed. Its handler then reads on if
                // request bytes are waiting (readsOnAfterStop) or closes.
                // A composed Beast read between two of its reads has nothing
                // to cancel, so its next read gets the stop's read timeout.
                self->m_stream.expires_after(stopReadTimeout);
                beast::error_code ignored;
                self->m_stream.socket().cancel(ignored);
            }
        });
    }

private:
    void readHeader()
    {
        m_handling = false;
        if (m_closed || (m_context.stopping && m_buffer.size() == 0 && !requestBytesWaiting())) {
            closeNow();
            return;
        }

        // A keep-alive connection may wait idleTimeout for the next request
        // to begin. From its first byte on, like the first request, it has
        // requestTimeout for its headers.
        if (!m_firstRequest && m_buffer.size() == 0 && !m_context.stopping) {
            m_stream.expires_after(m_context.idleTimeout);
            m_stream.async_read_some(
                m_buffer.prepare(readChunkBytes),
                [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                    if (error) {
                        if (self->readsOnAfterStop(error)) {
                            self->readRequestHeader();
                            return;
                        }
                        // Closed by the client or idle too long, so no response is sent.
                        if (error == beast::error::timeout) {
                            qCDebug(lcHttp) << "Keep-alive connection from"
                                            << self->m_remoteAddress << "timed out and is closed";
                        }
                        self->closeNow();
                        return;
                    }
                    self->m_buffer.commit(bytes);
                    self->readRequestHeader();
                });
            return;
        }
        readRequestHeader();
    }

    void readRequestHeader()
    {
        m_parser.emplace();
        applyRequestLimits(*m_parser);
        continueReadHeader();
    }

    void continueReadHeader()
    {
        // Beast's deadline covers the whole read, not each byte, so a client
        // that trickles a byte at a time is still cut off at the timeout.
        m_stream.expires_after(readTimeout());
        http::async_read_header(m_stream, m_buffer, *m_parser,
                                [self = shared_from_this()](beast::error_code error, std::size_t) {
                                    self->onHeader(error);
                                });
    }

    void onHeader(beast::error_code error)
    {
        m_started = std::chrono::steady_clock::now();
        if (error) {
            onReadFailed(error);
            return;
        }

        const auto& request = m_parser->get();
        // Checked before the body is read, because a body of unknown length
        // must not be read at all.
        const auto framing = checkFraming(convertRequest(request, m_remoteAddress), request.version() >= 11);
        if (!framing) {
            rejectAndClose(framing.error());
            return;
        }

        const bool expectsContinue = beast::iequals(request[http::field::expect], "100-continue");
        if (m_parser->is_done()) {
            handleRequest();
            return;
        }
        if (!expectsContinue) {
            readBody();
            return;
        }

        // The client waits for this before it sends the body.
        auto interim = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                          request.version());
        m_stream.expires_after(readTimeout());
        http::async_write(m_stream, *interim,
                          [self = shared_from_this(), interim](beast::error_code writeError, std::size_t) {
                              if (writeError) {
                                  self->closeNow();
                                  return;
                              }
                              self->readBody();
                          });
    }

    void readBody()
    {
        m_stream.expires_after(readTimeout());
        http::async_read(m_stream, m_buffer, *m_parser,
                         [self = shared_from_this()](beast::error_code error, std::size_t) {
                             if (error) {
                                 self->onReadFailed(error);
                                 return;
                             }
                             self->handleRequest();
                         });
    }

    void onReadFailed(beast::error_code error)
    {
        if (readsOnAfterStop(error)) {
            if (m_parser->is_header_done()) {
                readBody();
            } else {
                continueReadHeader();
            }
            return;
        }
        if (const std::optional<core::Error> rejection = readFailureError(error, *m_parser)) {
            rejectAndClose(*rejection);
            return;
        }

        // The client closed the connection or timed out, so no response is sent.
        if (error == beast::error::timeout) {
            qCDebug(lcHttp) << "Connection from" << m_remoteAddress << "timed out and is closed";
        }
        closeNow();
    }

    /// True when `error` is the cancellation by shutDown() and more request
    /// bytes have arrived, which the caller then reads.
    bool readsOnAfterStop(beast::error_code error)
    {
        return error == net::error::operation_aborted && m_context.stopping && !m_closed
               && requestBytesWaiting();
    }

    /// True when the socket has bytes that the client sent and no read has
    /// taken yet.
    bool requestBytesWaiting()
    {
        beast::error_code error;
        const std::size_t readable = m_stream.socket().available(error);
        return !error && readable > 0;
    }

    /// The deadline for reading a request, shorter once the server stops.
    std::chrono::seconds readTimeout() const
    {
        return m_context.stopping ? stopReadTimeout : m_context.requestTimeout;
    }

    void handleRequest()
    {
        if (m_context.cancelling) {
            rejectAndClose(core::makeError(503, QStringLiteral("shutting_down"),
                                           QStringLiteral("The server is shutting down; send the "
                                                          "request again in a moment.")));
            return;
        }
        m_handling = true;
        http::request<http::string_body> request = m_parser->release();
        if (isStreamUpgrade(request)) {
            handleUpgrade(std::move(request));
            return;
        }

        auto handle = [this, &request]() -> core::Result<HttpResponse> {
            return m_context.api.handle(convertRequest(request, m_remoteAddress));
        };
        ++m_context.pendingJobs;
        const core::Result<HttpResponse> response = runGuarded(handle);
        --m_context.pendingJobs;
        sendResponse(response ? *response : HttpApi::errorResponse(response.error()),
                     request.version(), request.keep_alive());
    }

    void handleUpgrade(http::request<http::string_body> request)
    {
        if (m_context.stopping) {
            rejectAndClose(core::makeError(503, QStringLiteral("shutting_down"),
                                           QStringLiteral("The server is shutting down; "
                                                          "connect again in a moment.")));
            return;
        }

        auto accept = [this, &request] {
            return m_context.api.acceptStream(convertRequest(request, m_remoteAddress));
        };
        ++m_context.pendingJobs;
        core::Result<StreamRequest> accepted = runGuarded(accept);
        --m_context.pendingJobs;
        m_upgrade = std::move(request);
        onUpgradeChecked(std::move(accepted));
    }

    void onUpgradeChecked(core::Result<StreamRequest> accepted)
    {
        if (!accepted) {
            rejectAndClose(accepted.error());
            return;
        }
        if (m_context.stopping) {
            closeNow();
            return;
        }

        // A client may send frames before it receives the 101 response,
        // such as its auth message, and the read of the request may have
        // taken them into m_buffer. The session reads them first.
        std::string receivedBytes = beast::buffers_to_string(m_buffer.data());
        m_buffer.consume(m_buffer.size());
        recordRequest(101);
        m_context.removeConnection(m_connectionId);
        m_connectionId = 0;
        m_handedOver = true;
        startWebSocketSession(m_context, std::move(m_stream), std::move(*m_upgrade),
                              std::move(receivedBytes), accepted->accountId, accepted->afterId,
                              accepted->authError);
    }

    void sendResponse(HttpResponse response, unsigned version, bool keepAlive)
    {
        auto message = std::make_shared<http::response<http::string_body>>();
        message->version(version);
        message->result(static_cast<unsigned>(response.status));
        message->set(http::field::server, "valiant/" VALIANT_VERSION);
        if (!response.contentType.isEmpty()) {
            message->set(http::field::content_type, response.contentType.toStdString());
        }
        for (const auto& [name, value] : response.headers) {
            message->insert(name.toStdString(), value.toStdString());
        }
        message->body() = response.body.toStdString();

        const bool close = !keepAlive || m_closeAfterResponse || m_context.stopping;
        message->keep_alive(!close);
        if (response.omittedBodyLength) {
            message->content_length(static_cast<std::uint64_t>(*response.omittedBodyLength));
        } else {
            message->prepare_payload();
        }

        // Serialized by Beast into one buffer and sent straight from this
        // handler. Only what the kernel does not take at once goes through
        // an asynchronous write, so a typical response costs one system
        // call and no completion handler.
        auto bytes = std::make_shared<std::string>();
        StringWriteStream sink{bytes.get()};
        http::write(sink, *message);
        const ssize_t sent = ::send(m_stream.socket().native_handle(), bytes->data(), bytes->size(),
                                    MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            onWritten(beast::error_code(errno, boost::system::system_category()), close);
            return;
        }
        const std::size_t written = sent > 0 ? static_cast<std::size_t>(sent) : 0;
        if (written == bytes->size()) {
            onWritten({}, close);
            return;
        }

        m_stream.expires_after(m_context.requestTimeout);
        net::async_write(m_stream, net::buffer(bytes->data() + written, bytes->size() - written),
                         [self = shared_from_this(), bytes, close](beast::error_code error, std::size_t) {
                             self->onWritten(error, close);
                         });
    }

    void onWritten(beast::error_code error, bool close)
    {
        if (error) {
            closeNow();
            return;
        }
        if (close) {
            beast::error_code ignored;
            m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
            m_closed = true;
            m_stream.expires_after(lingerTimeout);
            drain();
            return;
        }
        m_firstRequest = false;
        readHeader();
    }

    /// Sends the error response for a request rejected before HttpApi handles
    /// it, then closes the connection after draining what the client still sends.
    void rejectAndClose(const core::Error& error)
    {
        m_handling = true;
        HttpResponse response = HttpApi::errorResponse(error);
        response.headers.append(qMakePair(QByteArray("Cache-Control"), QByteArray("no-store")));
        recordRequest(error.status);
        std::uint64_t suppressed = 0;
        if (m_context.rejectionLog.allow(&m_context, suppressed)) {
            qCInfo(lcHttp).noquote() << "Rejected a request from" << m_remoteAddress << "with"
                                     << error.status << error.code + repeatNote(suppressed);
        }

        m_closeAfterResponse = true;
        auto message = std::make_shared<http::response<http::string_body>>();
        message->version(11);
        message->result(static_cast<unsigned>(response.status));
        message->set(http::field::server, "valiant/" VALIANT_VERSION);
        message->set(http::field::content_type, response.contentType.toStdString());
        for (const auto& [name, value] : response.headers) {
            message->insert(name.toStdString(), value.toStdString());
        }
        message->body() = response.body.toStdString();
        message->keep_alive(false);
        message->prepare_payload();
        // A response to HEAD keeps the Content-Length of the body that GET
        // would get but sends no body (RFC 9110 section 9.3.2).
        if (m_parser && m_parser->get().method() == http::verb::head) {
            message->body().clear();
        }

        m_stream.expires_after(m_context.requestTimeout);
        http::async_write(m_stream, *message,
                          [self = shared_from_this(), message](beast::error_code writeError, std::size_t) {
                              if (writeError) {
                                  self->closeNow();
                                  return;
                              }
                              beast::error_code ignored;
                              self->m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
                              self->m_stream.expires_after(lingerTimeout);
                              self->drain();
                          });
    }

    /// Sends 429 at once, before reading anything, to a connection over
    /// the per-address cap, then closes it.
    void rejectOverCap()
    {
        const std::uint64_t rejected = ++m_context.rejectedOverCap;
        if (rejected % 1000 == 1) {
            qCWarning(lcHttp) << "Rejected a connection from" << m_remoteAddress
                              << "because the address holds" << m_context.maxConnectionsPerAddress
                              << "connections already (" << rejected << "rejected so far)";
        }

        HttpResponse response = HttpApi::errorResponse(core::makeError(
            429, QStringLiteral("rate_limited"),
            QStringLiteral("This address has %1 open connections, the maximum. Close some or try "
                           "again in 1 second.")
                .arg(m_context.maxConnectionsPerAddress)));
        auto message = std::make_shared<http::response<http::string_body>>();
        message->version(11);
        message->result(http::status::too_many_requests);
        message->set(http::field::server, "valiant/" VALIANT_VERSION);
        message->set(http::field::content_type, response.contentType.toStdString());
        message->set(http::field::retry_after, "1");
        message->body() = response.body.toStdString();
        message->keep_alive(false);
        message->prepare_payload();

        m_stream.expires_after(lingerTimeout);
        http::async_write(m_stream, *message,
                          [self = shared_from_this(), message](beast::error_code writeError, std::size_t) {
                              if (writeError) {
                                  self->closeNow();
                                  return;
                              }
                              beast::error_code ignored;
                              self->m_stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
                              self->drain();
                          });
    }

    void drain()
    {
        m_stream.async_read_some(net::buffer(m_drainBuffer),
                                 [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                                     self->m_drained += bytes;
                                     if (error || self->m_drained > lingerMaxBytes) {
                                         self->closeNow();
                                         return;
                                     }
                                     self->drain();
                                 });
    }

    void recordRequest(int status)
    {
        QString method = QStringLiteral("other");
        QString route = QStringLiteral("unmatched");
        if (m_upgrade) {
            method = methodLabel(m_upgrade->method_string());
            route = HttpApi::routePattern(originForm(toByteArray(m_upgrade->target())));
        } else if (m_parser && !m_parser->get().target().empty()) {
            // The request line is parsed even when a header limit failed.
            method = methodLabel(m_parser->get().method_string());
            route = HttpApi::routePattern(originForm(toByteArray(m_parser->get().target())));
        }
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - m_started;
        m_context.metrics.recordRequest(method, route, status, elapsed.count());
    }

    void closeNow()
    {
        if (m_handedOver) {
            return;
        }
        m_closed = true;
        beast::error_code ignored;
        m_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        m_stream.close();
    }

    NetworkContext& m_context;
    beast::tcp_stream m_stream;
    beast::flat_buffer m_buffer;
    std::optional<RequestParser> m_parser;
    std::optional<http::request<http::string_body>> m_upgrade;
    std::array<char, 16 * 1024> m_drainBuffer{};
    std::size_t m_drained = 0;
    QString m_remoteAddress;
    std::uint64_t m_connectionId = 0;
    std::chrono::steady_clock::time_point m_started = std::chrono::steady_clock::now();
    bool m_handling = false;  // a request is being handled or its response sent
    bool m_closeAfterResponse = false;
    bool m_firstRequest = true;
    bool m_closed = false;
    bool m_handedOver = false;  // the socket belongs to a WebSocketSession now
    bool m_addressCounted = false;  // occupies one of its address's connection slots
};

/// Accepts connections until closed.
class Listener : public std::enable_shared_from_this<Listener>
{
public:
    Listener(NetworkContext& context, tcp::acceptor&& acceptor)
        : m_context(context), m_acceptor(std::move(acceptor)), m_retryTimer(m_acceptor.get_executor())
    {
    }

    void accept()
    {
        m_acceptor.async_accept([self = shared_from_this()](beast::error_code error, tcp::socket socket) {
                                    self->onAccepted(error, std::move(socket));
                                });
    }

    void close()
    {
        net::post(m_acceptor.get_executor(), [self = shared_from_this()] {
            beast::error_code ignored;
            self->m_acceptor.close(ignored);
            self->m_retryTimer.cancel();
        });
    }

private:
    void onAccepted(beast::error_code error, tcp::socket socket)
    {
        if (!m_acceptor.is_open() || m_context.stopping) {
            return;
        }
        if (error) {
            // Typically the process is out of file descriptors, so wait
            // instead of spinning, and log the first failure and then a
            // count of them every acceptLogInterval.
            ++m_acceptFailures;
            std::uint64_t suppressed = 0;
            if (m_acceptFailureLog.allow(this, suppressed)) {
                qCWarning(lcHttp).noquote()
                    << "Accepting a connection failed:" << QString::fromStdString(error.message())
                    << "- retrying every" << acceptRetryDelay.count()
                    << "ms" + repeatNote(suppressed);
            }
            m_retryTimer.expires_after(acceptRetryDelay);
            m_retryTimer.async_wait([self = shared_from_this()](beast::error_code timerError) {
                if (!timerError) {
                    self->accept();
                }
            });
            return;
        }

        if (m_acceptFailures > 0) {
            qCInfo(lcHttp) << "Accepting connections works again after" << m_acceptFailures
                           << "failed attempts";
            m_acceptFailures = 0;
        }

        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if (std::optional<tcp::socket> moved = moveToWorkers(std::move(socket))) {
            std::make_shared<HttpSession>(m_context, std::move(*moved))->start();
        }
        accept();
    }

    /// Moves an accepted socket to a new strand of the worker threads. The
    /// listener accepts on a network thread, so that it never waits for a
    /// worker, and a socket cannot move between io_contexts as an object.
    std::optional<tcp::socket> moveToWorkers(tcp::socket socket)
    {
        tcp::socket moved(net::make_strand(m_context.workers));
        beast::error_code error;
        const auto endpoint = socket.local_endpoint(error);
        if (!error) {
            const auto handle = socket.release(error);
            if (!error) {
                moved.assign(endpoint.protocol(), handle, error);
                if (error) {
                    ::close(handle);
                }
            }
        }
        if (error) {
            qCDebug(lcHttp) << "Accepted connection dropped: moving it to a worker failed:"
                            << QString::fromStdString(error.message());
            return std::nullopt;
        }
        return moved;
    }

    NetworkContext& m_context;
    tcp::acceptor m_acceptor;
    net::steady_timer m_retryTimer;
    LogThrottle m_acceptFailureLog{acceptLogInterval};
    std::uint64_t m_acceptFailures = 0;  // since the last accepted connection
};

}  // namespace

// --- NetworkContext ----------------------------------------------------------

std::uint64_t NetworkContext::addConnection(std::function<void()> shutDown, const StreamSink* stream)
{
    std::lock_guard lock(m_mutex);
    const std::uint64_t id = m_nextId++;
    m_connections.emplace(id, Connection{std::move(shutDown), stream});
    return id;
}

void NetworkContext::removeConnection(std::uint64_t id)
{
    if (id == 0) {
        return;
    }
    std::lock_guard lock(m_mutex);
    m_connections.erase(id);
}

void NetworkContext::shutDownConnections()
{
    std::vector<std::function<void()>> closers;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [id, connection] : m_connections) {
            closers.push_back(connection.shutDown);
        }
    }
    for (const auto& close : closers) {
        close();
    }
}

bool NetworkContext::acquireAddress(const QString& address)
{
    if (maxConnectionsPerAddress <= 0) {
        return true;
    }
    std::lock_guard lock(m_mutex);
    int& count = m_addressConnections[address.toStdString()];
    if (count >= maxConnectionsPerAddress) {
        return false;
    }
    ++count;
    return true;
}

void NetworkContext::releaseAddress(const QString& address)
{
    if (maxConnectionsPerAddress <= 0) {
        return;
    }
    std::lock_guard lock(m_mutex);
    const auto found = m_addressConnections.find(address.toStdString());
    if (found != m_addressConnections.end() && --found->second <= 0) {
        m_addressConnections.erase(found);
    }
}

std::size_t NetworkContext::connectionCount() const
{
    std::lock_guard lock(m_mutex);
    return m_connections.size();
}

std::vector<const StreamSink*> NetworkContext::openStreams() const
{
    std::lock_guard lock(m_mutex);
    std::vector<const StreamSink*> streams;
    for (const auto& [id, connection] : m_connections) {
        if (connection.stream) {
            streams.push_back(connection.stream);
        }
    }
    return streams;
}

// --- HttpServer --------------------------------------------------------------

struct HttpServer::Private
{
    Private(HttpApi& api, StreamHub& hub, MarketService& service, Metrics& metrics, int ioThreads,
            int workerThreads)
        : context(api, hub, service, metrics, workers),
          io(std::max(1, ioThreads)),
          workers(std::max(1, workerThreads)),
          ioThreadCount(std::max(1, ioThreads)),
          workerThreadCount(std::max(1, workerThreads))
    {
        for (int lane = 0; lane < hub.laneCount(); ++lane) {
            context.streamLanes.push_back(net::make_strand(io));
        }
    }

    ~Private()
    {
        // A strand's last copy must go before the io_context (see NetworkContext).
        context.streamLanes.clear();
    }

    static void run(net::io_context& runner, const char* name)
    {
        // A handler that throws must not take the whole server down.
        for (;;) {
            try {
                runner.run();
                return;
            } catch (const std::exception& exception) {
                qCCritical(lcHttp) << "A handler on a" << name << "thread threw:" << exception.what()
                                   << "- the thread continues";
            }
        }
    }

    // Declared in this order so that the io_contexts, whose pending handlers
    // refer to the context, are destroyed first. The workers go first,
    // because their pending jobs can hold stream sessions, whose sockets
    // belong to `io`.
    NetworkContext context;
    net::io_context io;
    net::io_context workers;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> workGuard;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> workersGuard;
    std::shared_ptr<Listener> listener;
    std::vector<std::thread> threads;
    std::vector<std::thread> workerThreads;
    int ioThreadCount = 1;
    int workerThreadCount = 1;
    std::mutex stopMutex;
    bool stopped = false;
};

HttpServer::HttpServer(HttpApi& api, StreamHub& hub, MarketService& service, Metrics& metrics,
                       int ioThreads, int workerThreads)
    : d(std::make_unique<Private>(api, hub, service, metrics, ioThreads, workerThreads))
{
}

HttpServer::~HttpServer()
{
    stop();
}

void HttpServer::setLimits(const Limits& limits)
{
    d->context.requestTimeout = std::chrono::seconds(std::max(1, limits.requestTimeoutSeconds));
    d->context.idleTimeout = std::chrono::seconds(std::max(1, limits.idleTimeoutSeconds));
    d->context.maxConnectionsPerAddress = std::max(0, limits.maxConnectionsPerAddress);
}

core::Result<core::Ok> HttpServer::checkCanListen(const QString& host, int port)
{
    const QString address = QStringLiteral("%1:%2").arg(host).arg(port);
    const auto failed = [&address](const QString& reason) {
        return core::makeError(500, QStringLiteral("listen_failed"),
                               QStringLiteral("Cannot listen on %1: %2.").arg(address, reason));
    };
    if (port < 0 || port > 65535) {
        return failed(QStringLiteral("the port must be from 0 to 65535"));
    }
    net::io_context io;
    beast::error_code error;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(host.toStdString(), std::to_string(port),
                                            tcp::resolver::passive | tcp::resolver::numeric_service,
                                            error);
    if (error || endpoints.empty()) {
        return failed(QStringLiteral("the host does not resolve (%1)").arg(QString::fromStdString(error.message())));
    }
    tcp::acceptor acceptor(io);
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor.open(endpoint.protocol(), error);
    if (!error) {
        acceptor.set_option(net::socket_base::reuse_address(true), error);
    }
    if (!error) {
        acceptor.bind(endpoint, error);
    }
    if (!error) {
        acceptor.listen(net::socket_base::max_listen_connections, error);
    }
    if (error) {
        return failed(QString::fromStdString(error.message()));
    }
    return core::Ok{};
}

core::Result<int> HttpServer::listen(const QString& host, int port)
{
    const QString address = QStringLiteral("%1:%2").arg(host).arg(port);
    const auto failed = [&address](const QString& reason) {
        return core::makeError(500, QStringLiteral("listen_failed"),
                               QStringLiteral("Cannot listen on %1: %2.").arg(address, reason));
    };
    if (d->listener || d->stopped) {
        return failed(QStringLiteral("this server is already listening or has stopped"));
    }
    if (port < 0 || port > 65535) {
        return failed(QStringLiteral("the port must be from 0 to 65535"));
    }

    beast::error_code error;
    tcp::resolver resolver(d->io);
    const auto endpoints = resolver.resolve(host.toStdString(), std::to_string(port),
                                            tcp::resolver::passive | tcp::resolver::numeric_service,
                                            error);
    if (error || endpoints.empty()) {
        return failed(QStringLiteral("the host does not resolve (%1)").arg(QString::fromStdString(error.message())));
    }
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();

    tcp::acceptor acceptor(net::make_strand(d->io));
    acceptor.open(endpoint.protocol(), error);
    if (!error) {
        // Lets a restarted server bind while old connections sit in TIME_WAIT.
        acceptor.set_option(net::socket_base::reuse_address(true), error);
    }
    if (!error) {
        acceptor.bind(endpoint, error);
    }
    if (!error) {
        acceptor.listen(net::socket_base::max_listen_connections, error);
    }
    if (error) {
        return failed(QString::fromStdString(error.message()));
    }
    const int boundPort = acceptor.local_endpoint().port();

    d->listener = std::make_shared<Listener>(d->context, std::move(acceptor));
    d->listener->accept();
    d->workGuard.emplace(net::make_work_guard(d->io));
    d->workersGuard.emplace(net::make_work_guard(d->workers));
    for (int i = 0; i < d->ioThreadCount; ++i) {
        d->threads.emplace_back([this] { Private::run(d->io, "network"); });
    }
    for (int i = 0; i < d->workerThreadCount; ++i) {
        d->workerThreads.emplace_back([this] { Private::run(d->workers, "worker"); });
    }

    qCInfo(lcHttp) << "Listening on" << QStringLiteral("%1:%2").arg(host).arg(boundPort) << "with"
                   << d->ioThreadCount << "network threads and" << d->workerThreadCount
                   << "worker threads";
    return boundPort;
}

void HttpServer::stop(std::chrono::steady_clock::time_point requestedAt)
{
    std::lock_guard lock(d->stopMutex);
    if (d->stopped) {
        return;
    }
    d->stopped = true;
    const auto deadline = requestedAt + stopDeadline;

    // Stop accepting, send every stream a 1001 close and close idle
    // connections. Requests in progress still get their response.
    d->context.stopping = true;
    const bool wasListening = d->listener != nullptr;
    if (d->listener) {
        d->listener->close();
    }
    d->context.hub.closeAll();
    d->context.shutDownConnections();

    auto nextCancel = requestedAt + cancelStatementsAfter;
    bool warned = false;
    while (std::chrono::steady_clock::now() < deadline
           && (d->context.connectionCount() > 0 || d->context.pendingJobs > 0)) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= nextCancel) {
            d->context.cancelling = true;
            nextCancel = now + cancelRepeatInterval;
            if (d->context.pendingJobs > 0) {
                if (!warned) {
                    qCWarning(lcHttp) << d->context.pendingJobs.load() << "requests still run after"
                                      << cancelStatementsAfter.count()
                                      << "s of stopping; cancelling their database statements";
                    warned = true;
                }
                d->context.service.store().cancelRunningStatements();
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (d->context.connectionCount() > 0 || d->context.pendingJobs > 0) {
        qCWarning(lcHttp) << "Stopping with" << d->context.connectionCount() << "connections and"
                          << d->context.pendingJobs.load() << "requests still open after"
                          << stopDeadline.count() << "s; closing them";
        d->workers.stop();
    }
    d->workersGuard.reset();
    for (std::thread& thread : d->workerThreads) {
        thread.join();
    }
    d->workerThreads.clear();

    d->workGuard.reset();
    d->io.stop();
    for (std::thread& thread : d->threads) {
        thread.join();
    }
    d->threads.clear();

    // Streams still registered are destroyed with the io_context. Detach
    // them first so that no broadcast reaches a destroyed strand.
    for (const StreamSink* stream : d->context.openStreams()) {
        d->context.hub.detach(stream);
    }
    if (wasListening) {
        qCInfo(lcHttp) << "Stopped listening";
    }
}

}  // namespace valiant::server
