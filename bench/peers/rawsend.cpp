// rawsend: the floor for a quote stream on this machine. It sends the same
// hello and quote messages as valiant-server's GET /api/v1/stream, with the
// keys in the same order so that frames have the same size. It does
// nothing else. Each tick, --threads threads each loop over their share of
// the sockets and call send() once per socket with one prebuilt WebSocket
// frame. There is no event loop, queue, database or history, and a socket
// whose send buffer is full is closed rather than queued for.
//
// bench/valiantbench/fanout.py runs bench/fanoutbench against it next to
// valiant-server and the Node.js peer. What it measures is what the kernel
// and the load client cost on their own, which no stream server can beat.
//
//   rawsend --port PORT [--tick-ms 1000] [--threads 2]
// Prints "listening on ws://127.0.0.1:PORT" once it accepts connections.

// Boost 1.74's Asio headers fail to compile with GCC 12 unless <utility>
// is included before them.
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct Options
{
    unsigned short port = 0;
    int tickMs = 1000;
    int threads = 2;
};

bool parseOptions(int argc, char** argv, Options& options)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        char* end = nullptr;
        const long value = std::strtol(argv[i + 1], &end, 10);
        const bool number = end != argv[i + 1] && *end == '\0';
        if (flag == "--port" && number && value >= 0 && value <= 65535) {
            options.port = static_cast<unsigned short>(value);
        } else if (flag == "--tick-ms" && number && value >= 10) {
            options.tickMs = static_cast<int>(value);
        } else if (flag == "--threads" && number && value >= 1 && value <= 64) {
            options.threads = static_cast<int>(value);
        } else {
            std::cerr << "rawsend: invalid argument " << flag << " " << argv[i + 1]
                      << ": expected --port 0..65535, --tick-ms of at least 10 and --threads 1..64.\n";
            return false;
        }
    }
    return argc % 2 == 1;
}

/// Formats milliseconds since the epoch as the API's UTC time,
/// "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string isoTime(std::int64_t ms)
{
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                  static_cast<int>(ms % 1000));
    return text;
}

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// An unmasked WebSocket text frame (RFC 6455 section 5.2) holding `payload`.
std::string textFrame(const std::string& payload)
{
    std::string frame;
    frame.push_back(static_cast<char>(0x81));  // FIN and opcode 1, text
    const std::uint64_t size = payload.size();
    if (size < 126) {
        frame.push_back(static_cast<char>(size));
    } else if (size <= 0xffff) {
        frame.push_back(static_cast<char>(126));
        frame.push_back(static_cast<char>(size >> 8));
        frame.push_back(static_cast<char>(size & 0xff));
    } else {
        frame.push_back(static_cast<char>(127));
        for (int shift = 56; shift >= 0; shift -= 8) {
            frame.push_back(static_cast<char>((size >> shift) & 0xff));
        }
    }
    return frame + payload;
}

/// A socket that got its hello and waits to join a sender's loop.
struct NewSocket
{
    tcp::socket socket;
    std::int64_t helloLatestId = 0;
};

/// The sockets of one sender thread and the frame it is to send.
struct Shard
{
    std::mutex mutex;
    std::condition_variable wake;
    std::vector<NewSocket> newSockets;
    std::string frame;
    std::int64_t quoteId = 0;  // of the frame; the thread sends when it grows
};

void runSender(Shard& shard)
{
    std::int64_t sentId = 0;
    std::vector<tcp::socket> sockets;
    for (;;) {
        std::string frame;
        std::vector<tcp::socket> joinAfterSending;
        {
            std::unique_lock lock(shard.mutex);
            shard.wake.wait(lock, [&] { return shard.quoteId != sentId; });
            sentId = shard.quoteId;
            frame = shard.frame;
            // Sockets accepted since the last tick join the loop, except
            // those whose hello already named this quote.
            for (NewSocket& added : shard.newSockets) {
                if (added.helloLatestId < sentId) {
                    sockets.push_back(std::move(added.socket));
                } else {
                    joinAfterSending.push_back(std::move(added.socket));
                }
            }
            shard.newSockets.clear();
        }
        std::size_t openCount = 0;  // sockets still open, moved to the front
        for (std::size_t i = 0; i < sockets.size(); ++i) {
            const ssize_t sent = ::send(sockets[i].native_handle(), frame.data(), frame.size(),
                                        MSG_DONTWAIT | MSG_NOSIGNAL);
            if (sent != static_cast<ssize_t>(frame.size())) {
                beast::error_code ignored;
                sockets[i].close(ignored);  // full send buffer or gone: dropped, not queued
                continue;
            }
            if (openCount != i) {
                sockets[openCount] = std::move(sockets[i]);
            }
            ++openCount;
        }
        sockets.erase(sockets.begin() + static_cast<std::ptrdiff_t>(openCount), sockets.end());
        for (tcp::socket& socket : joinAfterSending) {
            sockets.push_back(std::move(socket));
        }
    }
}

struct Market
{
    std::mutex mutex;
    std::int64_t latestId = 0;
    std::int64_t priceCents = 5000;
};

/// The hello for a new client. The caller holds the market's lock.
std::string helloMessage(const Market& market)
{
    const std::string latest = market.latestId > 0 ? std::to_string(market.latestId) : "null";
    return "{\"latest_id\":" + latest + ",\"server_time\":\"" + isoTime(nowMs()) +
           "\",\"type\":\"hello\"}";
}

/// Makes one quote per tick, aligned to the wall clock like the Node.js
/// peer, and hands its frame to every sender. The market's lock is held
/// until every sender has the frame, so that a hello names either a quote
/// the senders have or the one before it.
void runTicks(const Options& options, Market& market, std::vector<Shard>& shards)
{
    std::int64_t nextTickMs = (nowMs() / options.tickMs + 1) * options.tickMs;
    for (;;) {
        std::this_thread::sleep_until(std::chrono::system_clock::time_point(
            std::chrono::milliseconds(nextTickMs)));
        {
            std::lock_guard marketLock(market.mutex);
            ++market.latestId;
            // A walk of a few cents; the price only gives the message its size.
            market.priceCents += (market.latestId % 3) - 1;
            const std::string cents = std::to_string(100 + market.priceCents % 100).substr(1);
            const std::string frame = textFrame(
                "{\"created\":\"" + isoTime(nextTickMs) + "\",\"id\":" + std::to_string(market.latestId) +
                ",\"price\":\"" + std::to_string(market.priceCents / 100) + "." + cents +
                "\",\"type\":\"quote\"}");
            for (Shard& shard : shards) {
                std::lock_guard lock(shard.mutex);
                shard.frame = frame;
                shard.quoteId = market.latestId;
            }
        }
        for (Shard& shard : shards) {
            shard.wake.notify_one();
        }
        nextTickMs += options.tickMs;
    }
}

}  // namespace

int main(int argc, char** argv)
{
    Options options;
    if (!parseOptions(argc, argv, options)) {
        std::cerr << "usage: rawsend --port PORT [--tick-ms 1000] [--threads 2]\n";
        return 2;
    }

    net::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), options.port));
    acceptor.listen(4096);
    std::cout << "listening on ws://127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;

    Market market;
    std::vector<Shard> shards(static_cast<std::size_t>(options.threads));
    std::vector<std::thread> threads;
    for (Shard& shard : shards) {
        threads.emplace_back([&shard] { runSender(shard); });
    }
    threads.emplace_back([&] { runTicks(options, market, shards); });

    // Handshakes run one at a time on this thread; the load client opens
    // its connections in batches before it measures.
    std::size_t next = 0;
    for (;;) {
        beast::error_code error;
        tcp::socket socket(io);
        acceptor.accept(socket, error);
        if (error) {
            continue;
        }
        websocket::stream<tcp::socket> stream(std::move(socket));
        stream.accept(error);
        if (error) {
            continue;
        }
        stream.next_layer().set_option(tcp::no_delay(true), error);
        stream.text(true);

        // The hello and the join happen under the market's lock, so no
        // quote is made in between.
        std::lock_guard marketLock(market.mutex);
        stream.write(net::buffer(helloMessage(market)), error);
        if (error) {
            continue;
        }
        Shard& shard = shards[next++ % shards.size()];
        std::lock_guard lock(shard.mutex);
        shard.newSockets.push_back(NewSocket{std::move(stream.next_layer()), market.latestId});
    }
}
