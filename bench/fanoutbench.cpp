// fanoutbench: a load client for the live quote stream. It opens N WebSocket
// connections to one server, a batch at a time, waits for every hello, and
// then for a fixed window measures the delay from each quote's "created"
// time to its arrival. Prints one JSON object on stdout.
//
//   fanoutbench --url ws://127.0.0.1:PORT/api/v1/stream --clients 10000
//               --seconds 10 [--slow-clients 5] [--server-pid PID]
//
// Each of --threads threads owns its share of the connections and one
// level-triggered epoll instance. It speaks the client side of RFC 6455 on
// non-blocking sockets itself, with one recv() per readable socket, the
// arrival time taken right after it, and frames parsed in place. It
// replies to pings and close frames as a WebSocket client must. The client
// shares the cores with the server it measures, so it is kept as lean as
// the floor peer. An earlier client on Boost.Beast, with one asynchronous
// read per message, used more CPU per message than rawsend, which made
// every server's delays look longer. With --server-pid it also reads the
// server's RSS and CPU time from /proc at the window's edges. "created"
// has millisecond resolution, so a delay may read up to 1 ms longer than
// it was.
//
// Slow clients stop reading right after hello, with a small socket receive
// buffer so that the server's send queue backs up. After the window they
// read again for --drain-seconds, and each one whose stream then ends
// (close frame, EOF or reset) counts as closed by the server.
//
// NOTE: a delay is taken when a client thread reads the message, so it
// includes the time the message waited for that thread. On a machine that
// the client shares with the server, a busy client makes both servers look
// slower.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

// From creating a socket to its hello.
constexpr std::int64_t helloTimeoutMicros = 10'000'000;
// Per batch of connections: the time allowed for all of them to get hello.
constexpr auto batchTimeout = std::chrono::seconds(60);
// Receive buffer of a slow client's socket. Linux doubles it and enforces a
// minimum, so the kernel stops accepting data after a few kilobytes.
constexpr int slowReceiveBufferBytes = 4096;
// Bytes read by one recv(); quotes are about 100 bytes each.
constexpr std::size_t receiveChunkBytes = 64 * 1024;
// A larger frame or handshake response ends the connection as a protocol
// error.
constexpr std::uint64_t maxMessageBytes = 1 << 20;
constexpr std::size_t maxHandshakeResponseBytes = 16 * 1024;
// How often a thread checks for connections that got no hello in time.
constexpr std::int64_t sweepIntervalMicros = 500'000;

struct Options
{
    std::string host;
    unsigned short port = 0;
    std::string target;
    int clients = 1000;
    double seconds = 10;
    int batch = 200;
    int threads = 2;
    int slowClients = 0;
    double drainSeconds = 5;
    int serverPid = 0;
};

std::int64_t nowMicros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// days_from_civil).
std::int64_t daysFromCivil(std::int64_t year, unsigned month, unsigned day)
{
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto yearOfEra = static_cast<unsigned>(year - era * 400);
    const unsigned dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return era * 146097 + static_cast<std::int64_t>(dayOfEra) - 719468;
}

/// Parses "YYYY-MM-DDTHH:MM:SS.mmmZ" (the API's time format) into
/// microseconds since the epoch.
std::optional<std::int64_t> parseTimestampMicros(std::string_view text)
{
    if (text.size() != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':' || text[19] != '.' || text[23] != 'Z') {
        return std::nullopt;
    }
    const auto number = [text](std::size_t at, std::size_t length) -> std::optional<int> {
        int value = 0;
        const char* end = text.data() + at + length;
        const auto [ptr, error] = std::from_chars(text.data() + at, end, value);
        if (error != std::errc() || ptr != end) {
            return std::nullopt;
        }
        return value;
    };
    const auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
    const auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
    const auto milli = number(20, 3);
    if (!year || !month || !day || !hour || !minute || !second || !milli) {
        return std::nullopt;
    }
    const std::int64_t days =
        daysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
    const std::int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second;
    return seconds * 1'000'000 + std::int64_t(*milli) * 1000;
}

/// Returns the text of a field's value in a compact, flat JSON object: the
/// characters after `"key":` up to the next comma or closing brace, with
/// the quotes of a string value removed. Empty when the key is missing.
std::string_view jsonField(std::string_view json, std::string_view quotedKeyColon)
{
    const std::size_t at = json.find(quotedKeyColon);
    if (at == std::string_view::npos) {
        return {};
    }
    std::string_view value = json.substr(at + quotedKeyColon.size());
    if (!value.empty() && value.front() == '"') {
        value.remove_prefix(1);
        return value.substr(0, value.find('"'));
    }
    return value.substr(0, value.find_first_of(",}"));
}

std::optional<std::int64_t> parseInteger(std::string_view text)
{
    std::int64_t value = 0;
    const auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || ptr != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

/// Counters shared by all threads. The main thread sets the target, the
/// window and the phase flags.
struct Shared
{
    std::atomic<int> connectionTarget{0};  // connections with a lower index are to be opened
    std::atomic<int> helloReceived{0};
    std::atomic<int> failed{0};
    std::atomic<int> slowOpened{0};    // slow clients that received hello
    std::atomic<int> slowResolved{0};  // slow clients whose stream ended while draining
    std::atomic<std::int64_t> windowStartMicros{INT64_MAX};
    std::atomic<std::int64_t> windowEndMicros{INT64_MAX};
    std::atomic<bool> finishing{
        false};  // set after the window: streams that end no longer count as drops
    std::atomic<bool> draining{false};  // set after the window: slow clients read again
    std::atomic<bool> stopping{false};  // set when the client closes every socket itself
};

/// Measurements of the connections of one thread, touched only by that
/// thread until it has been joined.
struct Stats
{
    std::vector<std::int32_t> latenciesMicros;  // quotes that arrived in the window
    std::uint64_t idGaps = 0;
    std::uint64_t idDuplicates = 0;
    std::uint64_t malformed = 0;
    int dropped = 0;  // non-slow connections that ended before the window's end
    int slowClosed = 0;
    std::uint64_t slowDrainedMessages = 0;
    std::string firstError;

    void noteError(const std::string& message)
    {
        if (firstError.empty()) {
            firstError = message;
        }
    }
};

enum class State
{
    Connecting,
    Handshaking,
    Open,
    Ended
};

/// One stream connection, owned by one worker thread.
struct Connection
{
    int fd = -1;
    bool slow = false;
    State state = State::Connecting;
    std::int64_t startedMicros = 0;
    std::string unparsed;   // received bytes not parsed yet: part of the response or of a frame
    std::string fragments;  // the payload so far of a message sent in several frames
    bool inFragmentedMessage = false;
    bool helloSeen = false;
    bool draining = false;
    // A slow client's socket reported an error or hang-up while the client
    // was not reading it.
    bool brokenWhilePaused = false;
    std::int64_t helloLatestId = 0;
    std::int64_t lastId = 0;  // of the last quote received

    /// A slow client between its hello and the drain reads nothing.
    bool paused() const { return slow && helloSeen && !draining; }
};

std::string systemError(int error)
{
    return std::strerror(error);
}

/// The connections of one thread, with their epoll instance. Connection i
/// of the run (counted from 0) belongs to thread i % threads.
class Worker
{
public:
    Worker(int index, Shared& shared, const Options& options, const sockaddr_in& endpoint,
           std::function<bool(int)> isSlow)
        : m_shared(shared),
          m_options(options),
          m_endpoint(endpoint),
          m_isSlow(std::move(isSlow)),
          m_nextIndex(index),
          m_maskState(0x9e3779b97f4a7c15ULL * std::uint64_t(index + 1))
    {
    }

    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void run()
    {
        m_epoll = epoll_create1(EPOLL_CLOEXEC);
        if (m_epoll < 0) {
            m_stats.noteError("epoll_create1 failed: " + systemError(errno));
            return;
        }
        std::array<epoll_event, 256> events{};
        std::vector<char> chunk(receiveChunkBytes);
        bool drainStarted = false;
        std::int64_t nextSweep = 0;
        while (!m_shared.stopping.load(std::memory_order_relaxed)) {
            openDueConnections();
            if (!drainStarted && m_shared.draining.load(std::memory_order_relaxed)) {
                startDraining();
                drainStarted = true;
            }
            const int count = epoll_wait(m_epoll, events.data(), int(events.size()), 20);
            if (count < 0 && errno != EINTR) {
                m_stats.noteError("epoll_wait failed: " + systemError(errno));
                break;
            }
            for (int i = 0; i < count; ++i) {
                onEvent(m_connections[events[std::size_t(i)].data.u32],
                        events[std::size_t(i)].events, chunk);
            }
            const std::int64_t now = nowMicros();
            if (now >= nextSweep) {
                failLateHellos(now);
                nextSweep = now + sweepIntervalMicros;
            }
        }
        for (Connection& connection : m_connections) {
            if (connection.fd >= 0) {
                ::close(connection.fd);
            }
        }
        ::close(m_epoll);
    }

    Stats& stats() { return m_stats; }

private:
    void openDueConnections()
    {
        const int target = m_shared.connectionTarget.load(std::memory_order_relaxed);
        for (; m_nextIndex < target; m_nextIndex += m_options.threads) {
            open(m_isSlow(m_nextIndex));
        }
    }

    void open(bool slow)
    {
        m_connections.emplace_back();
        Connection& connection = m_connections.back();
        connection.slow = slow;
        connection.startedMicros = nowMicros();
        connection.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (connection.fd < 0) {
            fail(connection, "creating a socket failed: " + systemError(errno));
            return;
        }
        if (slow && setsockopt(connection.fd, SOL_SOCKET, SO_RCVBUF, &slowReceiveBufferBytes,
                               sizeof slowReceiveBufferBytes) != 0) {
            fail(connection, "setting the receive buffer failed: " + systemError(errno));
            return;
        }
        const int noDelay = 1;  // without TCP_NODELAY the client still works
        setsockopt(connection.fd, IPPROTO_TCP, TCP_NODELAY, &noDelay, sizeof noDelay);
        if (::connect(connection.fd, reinterpret_cast<const sockaddr*>(&m_endpoint),
                      sizeof m_endpoint) != 0 &&
            errno != EINPROGRESS) {
            fail(connection, "connecting failed: " + systemError(errno));
            return;
        }
        // Writable once the connection is established or has failed.
        watch(connection, EPOLL_CTL_ADD, EPOLLOUT);
    }

    void watch(Connection& connection, int operation, std::uint32_t events)
    {
        epoll_event event{};
        event.events = events;
        event.data.u32 = static_cast<std::uint32_t>(&connection - m_connections.data());
        if (epoll_ctl(m_epoll, operation, connection.fd, &event) != 0) {
            fail(connection, "epoll_ctl failed: " + systemError(errno));
        }
    }

    void onEvent(Connection& connection, std::uint32_t events, std::vector<char>& chunk)
    {
        switch (connection.state) {
            case State::Connecting:
                onConnected(connection);
                return;
            case State::Handshaking:
            case State::Open:
                if (connection.paused()) {
                    // Epoll reports errors and hang-ups even without interest;
                    // the drain counts the stream as closed.
                    if (events & (EPOLLERR | EPOLLHUP)) {
                        connection.brokenWhilePaused = true;
                        epoll_ctl(m_epoll, EPOLL_CTL_DEL, connection.fd, nullptr);
                    }
                    return;
                }
                onReadable(connection, chunk);
                return;
            case State::Ended:
                return;
        }
    }

    void onConnected(Connection& connection)
    {
        int error = 0;
        socklen_t size = sizeof error;
        getsockopt(connection.fd, SOL_SOCKET, SO_ERROR, &error, &size);
        if (error != 0) {
            fail(connection, "connecting failed: " + systemError(error));
            return;
        }
        // A fixed key is enough: the client checks the 101 status, not the
        // server's Sec-WebSocket-Accept.
        const std::string request = "GET " + m_options.target +
                                    " HTTP/1.1\r\nHost: " + m_options.host + ":" +
                                    std::to_string(m_options.port) +
                                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    "Sec-WebSocket-Version: 13\r\nUser-Agent: fanoutbench\r\n\r\n";
        if (!sendAll(connection, request)) {
            fail(connection, "sending the WebSocket handshake failed: " + systemError(errno));
            return;
        }
        connection.state = State::Handshaking;
        watch(connection, EPOLL_CTL_MOD, EPOLLIN);
    }

    /// Sends a short message that fits an empty socket buffer; false when
    /// the socket takes less than all of it.
    static bool sendAll(const Connection& connection, std::string_view bytes)
    {
        const ssize_t sent =
            ::send(connection.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent >= 0 && std::size_t(sent) != bytes.size()) {
            errno = EAGAIN;
        }
        return sent >= 0 && std::size_t(sent) == bytes.size();
    }

    void onReadable(Connection& connection, std::vector<char>& chunk)
    {
        const ssize_t received = ::recv(connection.fd, chunk.data(), chunk.size(), 0);
        const std::int64_t arrival = nowMicros();
        if (received > 0) {
            consume(connection, std::string_view(chunk.data(), std::size_t(received)), arrival);
        } else if (received == 0) {
            end(connection, "the server closed the connection");
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            end(connection, "reading failed: " + systemError(errno));
        }
    }

    /// Parses what arrived after the connection's unparsed bytes, and keeps
    /// the bytes of an incomplete response or frame for the next read.
    void consume(Connection& connection, std::string_view received, std::int64_t arrival)
    {
        std::string_view data = received;
        if (!connection.unparsed.empty()) {
            connection.unparsed.append(received);
            data = connection.unparsed;
        }
        const std::size_t used = parse(connection, data, arrival);
        if (connection.state == State::Ended) {
            return;
        }
        if (data.data() == connection.unparsed.data()) {
            connection.unparsed.erase(0, used);
        } else {
            connection.unparsed.assign(data.substr(used));
        }
    }

    /// Handles the handshake response and every whole frame at the start
    /// of `data`; returns the number of bytes handled.
    std::size_t parse(Connection& connection, std::string_view data, std::int64_t arrival)
    {
        std::size_t at = 0;
        if (connection.state == State::Handshaking) {
            const std::size_t headerEnd = data.find("\r\n\r\n");
            if (headerEnd == std::string_view::npos) {
                if (data.size() > maxHandshakeResponseBytes) {
                    end(connection, "the handshake response is over 16 KiB");
                }
                return 0;
            }
            const std::string_view statusLine = data.substr(0, data.find("\r\n"));
            if (statusLine.substr(0, 13) != "HTTP/1.1 101 ") {
                end(connection, "the WebSocket handshake failed: " + std::string(statusLine));
                return 0;
            }
            connection.state = State::Open;
            at = headerEnd + 4;
        }
        while (connection.state == State::Open && !connection.paused()) {
            const std::string_view rest = data.substr(at);
            if (rest.size() < 2) {
                break;
            }
            const auto first = static_cast<std::uint8_t>(rest[0]);
            const auto second = static_cast<std::uint8_t>(rest[1]);
            std::size_t headerSize = 2;
            std::uint64_t length = second & 0x7f;
            if (length >= 126) {
                headerSize = length == 126 ? 4 : 10;
                if (rest.size() < headerSize) {
                    break;
                }
                length = 0;  // the extended length is big-endian
                for (std::size_t i = 2; i < headerSize; ++i) {
                    length = (length << 8) | static_cast<std::uint8_t>(rest[i]);
                }
            }
            if (second & 0x80) {
                protocolError(connection, "the server sent a masked frame");
                break;
            }
            if (first & 0x70) {
                protocolError(connection,
                              "the server set reserved bits, but no extension was agreed");
                break;
            }
            if (length > maxMessageBytes) {
                protocolError(connection,
                              "a frame of " + std::to_string(length) + " bytes, over 1 MiB");
                break;
            }
            if (rest.size() - headerSize < length) {
                break;
            }
            at += headerSize + std::size_t(length);
            onFrame(connection, (first & 0x80) != 0, first & 0x0f,
                    rest.substr(headerSize, std::size_t(length)), arrival);
        }
        return at;
    }

    void onFrame(Connection& connection, bool final, int opcode, std::string_view payload,
                 std::int64_t arrival)
    {
        switch (opcode) {
            case 0x0:  // continuation
                if (!connection.inFragmentedMessage) {
                    protocolError(connection, "a continuation frame outside a message");
                    return;
                }
                connection.fragments.append(payload);
                if (final) {
                    connection.inFragmentedMessage = false;
                    const std::string message = std::move(connection.fragments);
                    connection.fragments.clear();
                    onMessage(connection, message, arrival);
                }
                return;
            case 0x1:  // text
            case 0x2:  // binary
                if (connection.inFragmentedMessage) {
                    protocolError(connection, "a new message inside a fragmented one");
                    return;
                }
                if (final) {
                    onMessage(connection, payload, arrival);
                } else {
                    connection.inFragmentedMessage = true;
                    connection.fragments.assign(payload);
                }
                return;
            case 0x8: {  // close: reply with the same status code, then end
                const std::string_view code = payload.substr(0, 2);
                const std::string codeText =
                    code.size() == 2 ? std::to_string((static_cast<std::uint8_t>(code[0]) << 8) |
                                                      static_cast<std::uint8_t>(code[1]))
                                     : std::string("no status");
                sendControlFrame(connection, 0x8, code);
                end(connection, "the server sent a close frame (" + codeText + ")");
                return;
            }
            case 0x9:  // ping
                if (!sendControlFrame(connection, 0xa, payload)) {
                    end(connection, "sending a pong failed: " + systemError(errno));
                }
                return;
            case 0xa:  // pong
                return;
            default:
                protocolError(connection,
                              "a frame with the unknown opcode " + std::to_string(opcode));
                return;
        }
    }

    /// Sends a masked control frame, as RFC 6455 requires of a client.
    bool sendControlFrame(const Connection& connection, int opcode, std::string_view payload)
    {
        std::string frame;
        frame.push_back(static_cast<char>(0x80 | opcode));
        frame.push_back(static_cast<char>(0x80 | std::min<std::size_t>(payload.size(), 125)));
        payload = payload.substr(0, 125);
        // xorshift64: masks need not be secret in a benchmark, only varied.
        m_maskState ^= m_maskState << 13;
        m_maskState ^= m_maskState >> 7;
        m_maskState ^= m_maskState << 17;
        std::array<char, 4> mask{};
        std::memcpy(mask.data(), &m_maskState, mask.size());
        frame.append(mask.data(), mask.size());
        for (std::size_t i = 0; i < payload.size(); ++i) {
            frame.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
        }
        return sendAll(connection, frame);
    }

    void onMessage(Connection& connection, std::string_view text, std::int64_t arrival)
    {
        if (!connection.helloSeen) {
            onHello(connection, text);
        } else if (connection.draining) {
            ++m_stats.slowDrainedMessages;
        } else {
            onQuote(connection, text, arrival);
        }
    }

    void onHello(Connection& connection, std::string_view text)
    {
        if (jsonField(text, "\"type\":") != "hello") {
            ++m_stats.malformed;
            m_stats.noteError("the first message is not hello: " +
                              std::string(text.substr(0, 200)));
        }
        connection.helloLatestId = parseInteger(jsonField(text, "\"latest_id\":")).value_or(0);
        connection.helloSeen = true;
        ++m_shared.helloReceived;
        if (connection.slow) {
            ++m_shared.slowOpened;
            watch(connection, EPOLL_CTL_MOD, 0);  // stop reading until the drain
        }
    }

    void onQuote(Connection& connection, std::string_view text, std::int64_t arrival)
    {
        const auto id = parseInteger(jsonField(text, "\"id\":"));
        const auto created = parseTimestampMicros(jsonField(text, "\"created\":"));
        if (jsonField(text, "\"type\":") != "quote" || !id || !created) {
            ++m_stats.malformed;
            m_stats.noteError("unexpected message: " + std::string(text.substr(0, 200)));
            return;
        }
        // Live quotes continue right after the one the hello names, so the
        // first quote is latest_id + 1 and each next one the id after it.
        const std::int64_t previous =
            connection.lastId > 0 ? connection.lastId : connection.helloLatestId;
        if (*id > previous + 1 && previous > 0) {
            m_stats.idGaps += static_cast<std::uint64_t>(*id - previous - 1);
        } else if (*id <= previous) {
            ++m_stats.idDuplicates;
        }
        connection.lastId = std::max(previous, *id);

        if (arrival >= m_shared.windowStartMicros.load(std::memory_order_relaxed) &&
            arrival < m_shared.windowEndMicros.load(std::memory_order_relaxed)) {
            const std::int64_t delay =
                std::clamp<std::int64_t>(arrival - *created, INT32_MIN, INT32_MAX);
            m_stats.latenciesMicros.push_back(static_cast<std::int32_t>(delay));
        }
    }

    /// Makes every open slow client read again; one whose socket broke
    /// while it was paused counts as closed by the server at once.
    void startDraining()
    {
        for (Connection& connection : m_connections) {
            if (!connection.paused() || connection.state != State::Open) {
                continue;
            }
            connection.draining = true;
            if (connection.brokenWhilePaused) {
                end(connection, "the socket reported an error or hang-up");
                continue;
            }
            watch(connection, EPOLL_CTL_MOD, EPOLLIN);
            consume(connection, {}, nowMicros());  // frames that arrived with the hello
        }
    }

    void failLateHellos(std::int64_t now)
    {
        for (Connection& connection : m_connections) {
            if (connection.state != State::Ended && !connection.helloSeen &&
                now - connection.startedMicros > helloTimeoutMicros) {
                end(connection, "timed out: no hello within 10 s of connecting");
            }
        }
    }

    void protocolError(Connection& connection, const std::string& message)
    {
        ++m_stats.malformed;
        end(connection, "protocol error: " + message);
    }

    /// Closes the connection and counts how its stream ended.
    void end(Connection& connection, const std::string& reason)
    {
        if (!connection.helloSeen) {
            fail(connection, "the stream ended before hello: " + reason);
            return;
        }
        closeConnection(connection);
        if (m_shared.stopping.load()) {
            return;
        }
        if (connection.slow) {
            if (connection.draining) {
                ++m_stats.slowClosed;
                ++m_shared.slowResolved;
            }
            return;
        }
        if (!m_shared.finishing.load()) {
            ++m_stats.dropped;
            m_stats.noteError("a stream ended during the run: " + reason);
        }
    }

    /// Closes a connection that never got its hello and counts it as failed.
    void fail(Connection& connection, const std::string& message)
    {
        closeConnection(connection);
        m_stats.noteError(message);
        ++m_shared.failed;
    }

    static void closeConnection(Connection& connection)
    {
        connection.state = State::Ended;
        if (connection.fd >= 0) {
            ::close(connection.fd);  // also removes it from the epoll instance
            connection.fd = -1;
        }
        connection.unparsed.clear();
        connection.unparsed.shrink_to_fit();
    }

    Shared& m_shared;
    const Options& m_options;
    const sockaddr_in m_endpoint;
    const std::function<bool(int)> m_isSlow;
    int m_nextIndex;  // of the next connection of the run that this thread opens
    std::uint64_t m_maskState;
    int m_epoll = -1;
    // Epoll events name a connection by its index here, which stays valid
    // when the vector grows.
    std::vector<Connection> m_connections;
    Stats m_stats;
};

struct ProcessSample
{
    long rssKib = -1;
    double cpuSeconds = -1;
};

/// Reads a process's resident set size and user plus system CPU time.
ProcessSample sampleProcess(int pid)
{
    ProcessSample sample;
    if (pid <= 0) {
        return sample;
    }
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) {
            sample.rssKib = std::stol(line.substr(6));
        }
    }
    std::ifstream statFile("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(statFile)), std::istreambuf_iterator<char>());
    // The command name may contain spaces, the fields after it do not.
    const std::size_t nameEnd = stat.rfind(')');
    if (nameEnd != std::string::npos) {
        std::istringstream fields(stat.substr(nameEnd + 1));
        std::string field;
        long utime = 0, stime = 0;
        for (int index = 3; fields >> field; ++index) {
            if (index == 14) {
                utime = std::stol(field);
            } else if (index == 15) {
                stime = std::stol(field);
                break;
            }
        }
        sample.cpuSeconds = double(utime + stime) / double(sysconf(_SC_CLK_TCK));
    }
    return sample;
}

/// Raises the soft limit on open files to the hard limit; returns the new
/// soft limit.
rlim_t raiseOpenFileLimit()
{
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

std::string usage()
{
    return "Usage: fanoutbench --url ws://HOST:PORT/PATH [--clients N] [--seconds S]\n"
           "                   [--batch N] [--threads N] [--slow-clients N]\n"
           "                   [--drain-seconds S] [--server-pid PID]\n"
           "  --url             stream URL, ws:// on an IPv4 address\n"
           "  --clients         connections to open (default 1000)\n"
           "  --seconds         length of the measured window in seconds (default 10)\n"
           "  --batch           connections opened at a time (default 200)\n"
           "  --threads         client threads (default 2)\n"
           "  --slow-clients    of the connections, how many stop reading after hello (default 0)\n"
           "  --drain-seconds   time after the window for slow clients to find their stream "
           "closed (default 5)\n"
           "  --server-pid      server process whose RSS and CPU time to read from /proc\n";
}

/// Parses "ws://HOST:PORT/PATH" into the options; false when it is not one.
bool parseUrl(std::string_view url, Options& options)
{
    constexpr std::string_view scheme = "ws://";
    if (url.substr(0, scheme.size()) != scheme) {
        return false;
    }
    url.remove_prefix(scheme.size());
    const std::size_t slash = url.find('/');
    const std::string_view authority = url.substr(0, slash);
    options.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    const std::size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    options.host = std::string(authority.substr(0, colon));
    const auto port = parseInteger(authority.substr(colon + 1));
    if (!port || *port <= 0 || *port > 65535) {
        return false;
    }
    options.port = static_cast<unsigned short>(*port);
    return true;
}

/// Parses the command line; prints what is wrong and returns nullopt on an
/// invalid argument.
std::optional<Options> parseOptions(int argc, char** argv)
{
    Options options;
    bool haveUrl = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--help") {
            std::cout << usage();
            std::exit(0);
        }
        if (i + 1 >= argc) {
            std::cerr << "fanoutbench: " << flag << " needs a value.\n" << usage();
            return std::nullopt;
        }
        const std::string_view value = argv[++i];
        const auto integer = parseInteger(value);
        const auto positive = [&](int& target, int minimum) {
            if (!integer || *integer < minimum || *integer > 1'000'000) {
                std::cerr << "fanoutbench: invalid " << flag << " \"" << value
                          << "\": expected a whole number from " << minimum << " to 1000000.\n";
                return false;
            }
            target = static_cast<int>(*integer);
            return true;
        };
        const auto seconds = [&](double& target) {
            char* end = nullptr;
            const double parsed = std::strtod(std::string(value).c_str(), &end);
            if (end == nullptr || *end != '\0' || !(parsed > 0) || parsed > 86400) {
                std::cerr << "fanoutbench: invalid " << flag << " \"" << value
                          << "\": expected seconds greater than 0, at most 86400.\n";
                return false;
            }
            target = parsed;
            return true;
        };

        bool ok = true;
        if (flag == "--url") {
            ok = haveUrl = parseUrl(value, options);
            if (!ok) {
                std::cerr << "fanoutbench: invalid --url \"" << value
                          << "\": expected ws://IPV4:PORT/PATH, for example "
                             "ws://127.0.0.1:8080/api/v1/stream.\n";
            }
        } else if (flag == "--clients") {
            ok = positive(options.clients, 1);
        } else if (flag == "--seconds") {
            ok = seconds(options.seconds);
        } else if (flag == "--batch") {
            ok = positive(options.batch, 1);
        } else if (flag == "--threads") {
            ok = positive(options.threads, 1);
        } else if (flag == "--slow-clients") {
            ok = positive(options.slowClients, 0);
        } else if (flag == "--drain-seconds") {
            ok = seconds(options.drainSeconds);
        } else if (flag == "--server-pid") {
            ok = positive(options.serverPid, 1);
        } else {
            std::cerr << "fanoutbench: unknown option " << flag << ".\n" << usage();
            ok = false;
        }
        if (!ok) {
            return std::nullopt;
        }
    }
    if (!haveUrl) {
        std::cerr << "fanoutbench: --url is missing.\n" << usage();
        return std::nullopt;
    }
    if (options.slowClients >= options.clients) {
        std::cerr << "fanoutbench: --slow-clients " << options.slowClients
                  << " must be less than --clients " << options.clients << ".\n";
        return std::nullopt;
    }
    return options;
}

/// Waits until `done` returns true or `timeout` passes; false on timeout.
template <typename Done>
bool waitUntil(Done done, std::chrono::steady_clock::duration timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

double percentileMs(const std::vector<std::int32_t>& sorted, double fraction)
{
    if (sorted.empty()) {
        return -1;
    }
    // Nearest rank: the smallest value with at least `fraction` of the samples at or below it.
    const auto rank = static_cast<std::size_t>(std::ceil(fraction * double(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1] / 1000.0;
}

std::string jsonString(const std::string& text)
{
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            quoted += '\\';
            quoted += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            quoted += ' ';
        } else {
            quoted += c;
        }
    }
    return quoted + "\"";
}

}  // namespace

int main(int argc, char** argv)
{
    const auto parsed = parseOptions(argc, argv);
    if (!parsed) {
        return 2;
    }
    const Options options = *parsed;

    const rlim_t openFileLimit = raiseOpenFileLimit();
    if (openFileLimit < rlim_t(options.clients) + 64) {
        std::cerr << "fanoutbench: the open file limit is " << openFileLimit << ", too low for "
                  << options.clients << " connections; raise the hard limit (ulimit -Hn).\n";
        return 2;
    }
    sockaddr_in endpoint{};
    endpoint.sin_family = AF_INET;
    endpoint.sin_port = htons(options.port);
    if (inet_pton(AF_INET, options.host.c_str(), &endpoint.sin_addr) != 1) {
        std::cerr << "fanoutbench: invalid host \"" << options.host
                  << "\" in --url: expected an IPv4 address such as 127.0.0.1.\n";
        return 2;
    }

    // Slow clients are spread evenly over the connections.
    const auto isSlow = [&options](int index) {
        if (options.slowClients == 0) {
            return false;
        }
        const int spacing = options.clients / options.slowClients;
        return index % spacing == spacing / 2 && index / spacing < options.slowClients;
    };

    Shared shared;
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<std::thread> threads;
    for (int i = 0; i < options.threads; ++i) {
        workers.push_back(std::make_unique<Worker>(i, shared, options, endpoint, isSlow));
        threads.emplace_back([&worker = *workers.back()] { worker.run(); });
    }

    const ProcessSample idle = sampleProcess(options.serverPid);

    const auto rampStart = std::chrono::steady_clock::now();
    bool rampComplete = true;
    for (int first = 0; first < options.clients && rampComplete; first += options.batch) {
        const int last = std::min(options.clients, first + options.batch);
        shared.connectionTarget = last;
        rampComplete =
            waitUntil([&] { return shared.helloReceived + shared.failed >= last; }, batchTimeout);
    }
    const double connectSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - rampStart).count();
    std::cerr << "fanoutbench: " << shared.helloReceived << " of " << options.clients
              << " streams open after " << connectSeconds << " s; measuring for " << options.seconds
              << " s\n";

    const ProcessSample connected = sampleProcess(options.serverPid);
    const std::int64_t windowStart = nowMicros();
    const auto windowMicros = static_cast<std::int64_t>(options.seconds * 1e6);
    shared.windowStartMicros = windowStart;
    shared.windowEndMicros = windowStart + windowMicros;
    std::this_thread::sleep_for(std::chrono::microseconds(windowMicros));
    const ProcessSample end = sampleProcess(options.serverPid);

    // Quotes that arrived before the window's end may still be in a
    // thread's batch of events; after this pause an ended stream no longer
    // counts as dropped.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    shared.finishing = true;
    shared.draining = true;
    waitUntil([&] { return shared.slowResolved >= shared.slowOpened; },
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  std::chrono::duration<double>(options.drainSeconds)));

    shared.stopping = true;
    for (std::thread& thread : threads) {
        thread.join();
    }

    Stats total;
    for (const auto& worker : workers) {
        Stats& stats = worker->stats();
        total.latenciesMicros.insert(total.latenciesMicros.end(), stats.latenciesMicros.begin(),
                                     stats.latenciesMicros.end());
        total.idGaps += stats.idGaps;
        total.idDuplicates += stats.idDuplicates;
        total.malformed += stats.malformed;
        total.dropped += stats.dropped;
        total.slowClosed += stats.slowClosed;
        total.slowDrainedMessages += stats.slowDrainedMessages;
        if (total.firstError.empty()) {
            total.firstError = stats.firstError;
        }
    }
    std::sort(total.latenciesMicros.begin(), total.latenciesMicros.end());

    const double windowSeconds = double(windowMicros) / 1e6;
    std::ostringstream json;
    json.setf(std::ios::fixed);
    json.precision(3);
    json << "{\"clients\":" << options.clients << ",\"slow_clients\":" << options.slowClients
         << ",\"threads\":" << options.threads << ",\"open\":" << shared.helloReceived.load()
         << ",\"failed\":" << shared.failed.load() << ",\"dropped\":" << total.dropped
         << ",\"connect_seconds\":" << connectSeconds << ",\"seconds\":" << windowSeconds
         << ",\"quotes\":" << total.latenciesMicros.size()
         << ",\"messages_per_second\":" << double(total.latenciesMicros.size()) / windowSeconds
         << ",\"latency_ms\":{\"p50\":" << percentileMs(total.latenciesMicros, 0.50)
         << ",\"p99\":" << percentileMs(total.latenciesMicros, 0.99) << ",\"max\":"
         << (total.latenciesMicros.empty() ? -1.0 : total.latenciesMicros.back() / 1000.0)
         << "},\"id_gaps\":" << total.idGaps << ",\"id_duplicates\":" << total.idDuplicates
         << ",\"malformed\":" << total.malformed << ",\"slow_open\":" << shared.slowOpened.load()
         << ",\"slow_closed\":" << total.slowClosed
         << ",\"slow_drained_messages\":" << total.slowDrainedMessages
         << ",\"server_rss_idle_kib\":" << idle.rssKib
         << ",\"server_rss_connected_kib\":" << connected.rssKib
         << ",\"server_rss_end_kib\":" << end.rssKib << ",\"server_cpu_seconds\":"
         << (end.cpuSeconds >= 0 ? end.cpuSeconds - connected.cpuSeconds : -1.0)
         << ",\"first_error\":" << jsonString(total.firstError) << "}";
    std::cout << json.str() << std::endl;
    return shared.helloReceived.load() == 0 ? 1 : 0;
}
