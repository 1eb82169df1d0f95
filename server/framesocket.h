#pragma once

// FrameSocket: the TCP layer under a stream session's Beast WebSocket.
// Internal to websocketsession.cpp; include networkcontext.h first.
//
// Beast writes one message per operation, through a chain of composed
// operations. The session writes its data frames (text messages, which
// it frames itself) directly to this layer instead, several queued
// messages in one system call, and leaves Beast the handshake, reading,
// control frames (ping, pong, close) and timeouts. This layer keeps the
// two writers apart so that frames never interleave. A Beast write that
// arrives during a direct write waits for it. A direct write waits until a
// Beast frame is written whole, and the idle callback then notifies the
// session.
//
// With several network threads, Asio hands a write that completes at once
// to the io_context's shared queue, which locks the scheduler and wakes an
// idle thread for every message of a fan-out. Asio queues the completion
// on the calling thread instead when the handler reports itself as a
// continuation (asio_handler_is_continuation), so this layer marks every
// handler as one. Completions still run through each handler's associated
// executor, the session's strand, which is also where every call to this
// class happens.

#include "networkcontext.h"
#include "textframe.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace valiant::server {

/// A completion handler that Asio treats as a continuation of the handler
/// that started the operation. Executor and allocator are the wrapped
/// handler's (see the specializations at the end of this file).
template <typename Handler>
struct ContinuationHandler
{
    Handler handler;

    template <typename... Args>
    void operator()(Args&&... args)
    {
        handler(std::forward<Args>(args)...);
    }

    friend bool asio_handler_is_continuation(ContinuationHandler*) { return true; }
};

template <typename Handler>
ContinuationHandler<std::decay_t<Handler>> asContinuation(Handler&& handler)
{
    return {std::forward<Handler>(handler)};
}

using SessionSocket = net::basic_stream_socket<tcp, SessionStrand>;

/// A short buffer sequence that lives inside the write operation, so a
/// write of several messages needs no allocation for its buffer list.
template <std::size_t Capacity>
class InlineBuffers
{
public:
    using value_type = net::const_buffer;
    using const_iterator = const net::const_buffer*;

    bool full() const { return m_count == Capacity; }
    void push_back(net::const_buffer buffer) { m_items[m_count++] = buffer; }
    const_iterator begin() const { return m_items.data(); }
    const_iterator end() const { return m_items.data() + m_count; }

private:
    // Left uninitialized, because only the first m_count are read and a
    // fan-out would otherwise zero 1 KiB per message.
    std::array<net::const_buffer, Capacity> m_items;
    std::size_t m_count = 0;
};

/// A TCP socket shared by Beast and the session's direct frame writes. It
/// meets Beast's AsyncStream and SyncStream requirements.
class FrameSocket
{
public:
    using executor_type = SessionStrand;
    using next_layer_type = SessionSocket;

    /// Takes over the connection of `socket`, which stays open, and runs it
    /// on `strand`. Throws boost::system::system_error if the socket cannot
    /// be moved.
    FrameSocket(const SessionStrand& strand, tcp::socket socket) : m_socket(strand)
    {
        const auto protocol = socket.local_endpoint().protocol();
        m_socket.assign(protocol, socket.release());
    }

    executor_type get_executor() noexcept { return m_socket.get_executor(); }
    SessionSocket& next_layer() noexcept { return m_socket; }
    const SessionSocket& next_layer() const noexcept { return m_socket; }

    /// Called after a Beast write that made a direct write wait has
    /// finished. It must not capture the session strongly, because the
    /// session owns this socket.
    void setIdleCallback(std::function<void()> callback) { m_idleCallback = std::move(callback); }

    /// Sets the object that owns this socket, before the first write. Some
    /// Beast operations, such as its keep-alive ping, hold the stream only
    /// weakly, so a Beast write can complete after the owner, and this
    /// socket with it, is gone. The completion then leaves this socket alone.
    void setOwner(std::weak_ptr<const void> owner) { m_owner = std::move(owner); }

    /// True while a direct write must wait.
    bool busy() const
    {
        return m_directWriting || m_beastWriting || m_beastMidFrame || m_waitingBeastWrite;
    }

    /// True once Beast has begun to write a close frame, after which no
    /// data frame may be sent (RFC 6455 section 5.5.1). Beast's is_open()
    /// reads a field more than 1.5 KB further into Beast's stream state,
    /// and a fan-out calling it would load that cache line for every session.
    bool closeFrameStarted() const { return m_closeFrameStarted; }

    /// Writes all of `buffers`, which must hold whole frames, then calls
    /// `handler(error, bytesWritten)`. Only while !busy().
    template <typename ConstBuffers, typename Handler>
    void asyncWriteDirect(const ConstBuffers& buffers, Handler&& handler)
    {
        m_directWriting = true;
        net::async_write(m_socket, buffers,
                         asContinuation([this, handler = std::forward<Handler>(handler)](
                                            beast::error_code error, std::size_t written) mutable {
                             onDirectWritten();
                             handler(error, written);
                         }));
    }

    /// Writes as much of `buffers` as the kernel takes at once, without
    /// waiting, and returns the number of bytes written. Only while
    /// !busy(), and a partial write must be finished by asyncWriteDirect()
    /// before Beast writes again. Sets `error` on a failure other than a
    /// full send buffer.
    template <typename ConstBuffers>
    std::size_t writeNow(const ConstBuffers& buffers, beast::error_code& error)
    {
        std::array<iovec, 64> parts;  // only the first `count` are set and read
        std::size_t count = 0;
        for (const net::const_buffer& buffer : buffers) {
            if (count == parts.size()) {
                break;
            }
            parts[count++] = iovec{const_cast<void*>(buffer.data()), buffer.size()};
        }
        // MSG_DONTWAIT: the socket need not be in non-blocking mode.
        // MSG_NOSIGNAL: a closed peer gives EPIPE rather than SIGPIPE.
        constexpr int flags = MSG_DONTWAIT | MSG_NOSIGNAL;
        ssize_t written = 0;
        if (count == 1) {
            // A fan-out sends one prebuilt frame, and send() spares the
            // kernel copying in a message header and an iovec array.
            written = ::send(m_socket.native_handle(), parts[0].iov_base, parts[0].iov_len, flags);
        } else {
            msghdr message{};
            message.msg_iov = parts.data();
            message.msg_iovlen = count;
            written = ::sendmsg(m_socket.native_handle(), &message, flags);
        }
        if (written >= 0) {
            return static_cast<std::size_t>(written);
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            error = beast::error_code(errno, boost::system::system_category());
        }
        return 0;
    }

    /// Sets bytes that the client sent before this socket took over, which
    /// reads return before anything from the connection.
    void setReceivedBytes(std::string bytes) { m_received = std::move(bytes); }

    template <typename MutableBuffers, typename Handler>
    void async_read_some(const MutableBuffers& buffers, Handler&& handler)
    {
        if (!m_received.empty()) {
            // Completes later, as an asynchronous read must.
            const std::size_t copied = takeReceived(buffers);
            net::post(get_executor(), beast::bind_front_handler(std::forward<Handler>(handler),
                                                                beast::error_code(), copied));
            return;
        }
        m_socket.async_read_some(buffers, asContinuation(std::forward<Handler>(handler)));
    }

    /// Beast's writes: handshake response and control frames.
    template <typename ConstBuffers, typename Handler>
    void async_write_some(const ConstBuffers& buffers, Handler&& handler)
    {
        noteCloseFrame(buffers);
        if (m_directWriting) {
            m_waitingBeastWrite = std::make_unique<WaitingWrite<ConstBuffers, std::decay_t<Handler>>>(
                buffers, std::forward<Handler>(handler));
            return;
        }
        startBeastWrite(buffers, std::forward<Handler>(handler));
    }

    template <typename MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers, beast::error_code& error)
    {
        if (!m_received.empty()) {
            error = {};
            return takeReceived(buffers);
        }
        return m_socket.read_some(buffers, error);
    }

    template <typename MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers)
    {
        if (!m_received.empty()) {
            return takeReceived(buffers);
        }
        return m_socket.read_some(buffers);
    }

    template <typename ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers, beast::error_code& error)
    {
        return m_socket.write_some(buffers, error);
    }

    template <typename ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers)
    {
        return m_socket.write_some(buffers);
    }

private:
    struct PendingWrite
    {
        virtual ~PendingWrite() = default;
        virtual void start(FrameSocket& socket) = 0;
    };

    template <typename ConstBuffers, typename Handler>
    struct WaitingWrite final : PendingWrite
    {
        template <typename H>
        WaitingWrite(const ConstBuffers& buffers, H&& handler)
            : buffers(buffers), handler(std::forward<H>(handler))
        {
        }

        void start(FrameSocket& socket) override { socket.startBeastWrite(buffers, std::move(handler)); }

        ConstBuffers buffers;
        Handler handler;
    };

    template <typename ConstBuffers, typename Handler>
    void startBeastWrite(const ConstBuffers& buffers, Handler&& handler)
    {
        m_beastWriting = true;
        const std::size_t requested = net::buffer_size(buffers);
        m_socket.async_write_some(
            buffers, asContinuation([this, owner = m_owner, requested,
                                     handler = std::forward<Handler>(handler)](
                                        beast::error_code error, std::size_t written) mutable {
                // Holds the owner, and with it this socket, until the handler returns.
                const std::shared_ptr<const void> alive = owner.lock();
                if (!alive) {
                    handler(error, written);  // Beast finds its stream gone and aborts
                    return;
                }
                m_beastWriting = false;
                // After a partial write Beast continues the same frame.
                m_beastMidFrame = !error && written < requested;
                // Copied first: the handler may release the last reference
                // to the Beast stream that contains this socket.
                std::function<void()> resume = m_beastMidFrame ? nullptr : m_idleCallback;
                handler(error, written);
                if (resume) {
                    resume();
                }
            }));
    }

    /// Sets m_closeFrameStarted when `buffers` begin a close frame: FIN
    /// and opcode 8, unmasked from a server. A write that continues a cut
    /// frame, or the HTTP handshake response, begins with other bytes.
    template <typename ConstBuffers>
    void noteCloseFrame(const ConstBuffers& buffers)
    {
        if (m_beastMidFrame) {
            return;
        }
        const auto end = net::buffer_sequence_end(buffers);
        for (auto it = net::buffer_sequence_begin(buffers); it != end; ++it) {
            const net::const_buffer buffer(*it);
            if (buffer.size() > 0) {
                m_closeFrameStarted |= *static_cast<const unsigned char*>(buffer.data()) == 0x88;
                return;
            }
        }
    }

    /// Moves the start of m_received into `buffers`; returns the bytes moved.
    template <typename MutableBuffers>
    std::size_t takeReceived(const MutableBuffers& buffers)
    {
        const std::size_t copied = net::buffer_copy(buffers, net::buffer(m_received));
        m_received.erase(0, copied);
        return copied;
    }

    void onDirectWritten()
    {
        m_directWriting = false;
        if (m_waitingBeastWrite) {
            const std::unique_ptr<PendingWrite> waiting = std::move(m_waitingBeastWrite);
            waiting->start(*this);
        }
    }

    // The flags come first so that a fan-out finds them, and the socket's
    // descriptor, in the first cache line of this object.
    bool m_directWriting = false;
    bool m_beastWriting = false;
    bool m_beastMidFrame = false;
    bool m_closeFrameStarted = false;
    std::unique_ptr<PendingWrite> m_waitingBeastWrite;
    SessionSocket m_socket;
    std::weak_ptr<const void> m_owner;
    std::function<void()> m_idleCallback;
    std::string m_received;  // see setReceivedBytes()
};

// Beast shuts the connection down through these, found by argument-
// dependent lookup, after a close handshake or a failure.
inline void teardown(beast::role_type role, FrameSocket& socket, beast::error_code& error)
{
    websocket::teardown(role, socket.next_layer(), error);
}

template <typename Handler>
void async_teardown(beast::role_type role, FrameSocket& socket, Handler&& handler)
{
    websocket::async_teardown(role, socket.next_layer(), std::forward<Handler>(handler));
}

}  // namespace valiant::server

namespace boost::asio {

template <typename Handler, typename Executor>
struct associated_executor<valiant::server::ContinuationHandler<Handler>, Executor>
{
    using type = associated_executor_t<Handler, Executor>;

    static type get(const valiant::server::ContinuationHandler<Handler>& wrapper,
                    const Executor& fallback = Executor()) noexcept
    {
        return get_associated_executor(wrapper.handler, fallback);
    }
};

template <typename Handler, typename Allocator>
struct associated_allocator<valiant::server::ContinuationHandler<Handler>, Allocator>
{
    using type = associated_allocator_t<Handler, Allocator>;

    static type get(const valiant::server::ContinuationHandler<Handler>& wrapper,
                    const Allocator& fallback = Allocator()) noexcept
    {
        return get_associated_allocator(wrapper.handler, fallback);
    }
};

}  // namespace boost::asio
