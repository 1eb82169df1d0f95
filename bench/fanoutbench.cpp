// fanoutbench: a load client for the live quote stream. It opens N WebSocket
// connections to one server, a batch at a time, waits for every hello, and
// then for a fixed window measures the delay from each quote's "created"
// time to its arrival. Prints one JSON object on stdout.
//
//   fanoutbench --url ws://127.0.0.1:PORT/api/v1/stream --clients 10000
//               --seconds 10 [--slow-clients 5] [--server-pid PID]
//
// Boost.Beast on --threads threads, each with its own io_context and its
// own share of the connections, so the threads share no locks. With
// --server-pid it also reads the server's RSS and CPU time from /proc at
// the window's edges. "created" has millisecond resolution, so a delay may
// read up to 1 ms longer than it was.
//
// Slow clients stop reading right after hello, with a small socket receive
// buffer so that the server's send queue backs up. After the window they
// read again for --drain-seconds, and each one whose stream then ends
// (close frame, EOF or reset) counts as closed by the server.
//
// NOTE: a delay is taken when a client thread handles the message, so it
// includes the client's own queueing. On a machine that the client shares
// with the server, a busy client makes both servers look slower.

// Boost 1.74's Asio headers fail to compile with GCC 12 unless <utility>
// is included before them.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

constexpr auto connectTimeout = std::chrono::seconds(10);
// Per batch of connections: the time allowed for all of them to get hello.
constexpr auto batchTimeout = std::chrono::seconds(60);
// Receive buffer of a slow client's socket. Linux doubles it and enforces a
// minimum, so the kernel stops accepting data after a few kilobytes.
constexpr int slowReceiveBufferBytes = 4096;

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
    const std::int64_t days = daysFromCivil(*year, static_cast<unsigned>(*month),
                                            static_cast<unsigned>(*day));
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

/// Counters shared by all threads. The main thread sets the window.
struct Shared
{
    std::atomic<int> helloReceived{0};
    std::atomic<int> failed{0};
    std::atomic<int> slowOpened{0};  // slow clients that received hello
    std::atomic<int> slowResolved{0};  // slow clients whose stream ended while draining
    std::atomic<std::int64_t> windowStartMicros{INT64_MAX};
    std::atomic<std::int64_t> windowEndMicros{INT64_MAX};
    std::atomic<bool> finishing{false};  // set after the window: streams that end no longer count as drops
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

struct Worker
{
    net::io_context io{1};
    std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;
    std::thread thread;
    Stats stats;
};

/// One stream connection. All its handlers run on its worker's thread.
class Connection : public std::enable_shared_from_this<Connection>
{
public:
    Connection(Worker& worker, Shared& shared, const Options& options, bool slow)
        : m_worker(worker), m_shared(shared), m_options(options), m_slow(slow),
          m_ws(worker.io.get_executor())
    {
    }

    void start(const tcp::endpoint& endpoint)
    {
        auto& stream = beast::get_lowest_layer(m_ws);
        if (m_slow) {
            beast::error_code error;
            stream.socket().open(endpoint.protocol(), error);
            if (!error) {
                stream.socket().set_option(net::socket_base::receive_buffer_size(slowReceiveBufferBytes),
                                           error);
            }
            if (error) {
                fail("setting the receive buffer failed: " + error.message());
                return;
            }
        }
        stream.expires_after(connectTimeout);
        stream.async_connect(endpoint, [self = shared_from_this()](beast::error_code error) {
            self->onConnected(error);
        });
    }

    /// Makes a slow client read again, to find out whether the server closed it.
    void startDraining()
    {
        if (!m_slow || m_state != State::Open) {
            return;
        }
        m_draining = true;
        readNext();
    }

    net::any_io_executor executor() { return m_ws.get_executor(); }

    /// Closes the socket and cancels the connect timer of a connection
    /// still being opened.
    void closeSocket() { beast::get_lowest_layer(m_ws).close(); }

private:
    enum class State { Connecting, Open, Ended };

    void onConnected(beast::error_code error)
    {
        if (error) {
            fail("connecting failed: " + error.message());
            return;
        }
        beast::get_lowest_layer(m_ws).expires_never();  // the WebSocket stream has its own timeouts
        beast::error_code ignored;  // without TCP_NODELAY the client still works
        beast::get_lowest_layer(m_ws).socket().set_option(tcp::no_delay(true), ignored);
        m_ws.set_option(websocket::stream_base::timeout{connectTimeout, websocket::stream_base::none(),
                                                        false});
        m_ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
            request.set(beast::http::field::user_agent, "fanoutbench");
        }));
        const std::string host = m_options.host + ":" + std::to_string(m_options.port);
        m_ws.async_handshake(host, m_options.target, [self = shared_from_this()](beast::error_code handshakeError) {
            self->onHandshake(handshakeError);
        });
    }

    void onHandshake(beast::error_code error)
    {
        if (error) {
            fail("the WebSocket handshake failed: " + error.message());
            return;
        }
        m_state = State::Open;
        readNext();
    }

    void readNext()
    {
        m_ws.async_read(m_buffer, [self = shared_from_this()](beast::error_code error, std::size_t) {
            self->onRead(error);
        });
    }

    void onRead(beast::error_code error)
    {
        const std::int64_t arrival = nowMicros();
        if (error) {
            onEnded(error);
            return;
        }
        const auto data = m_buffer.cdata();
        const std::string_view text(static_cast<const char*>(data.data()), data.size());
        if (!m_helloSeen) {
            onHello(text);
        } else if (m_draining) {
            ++m_worker.stats.slowDrainedMessages;
        } else {
            onQuote(text, arrival);
        }
        m_buffer.consume(m_buffer.size());

        // A slow client stops reading after hello, until it drains.
        if (m_slow && !m_draining) {
            return;
        }
        readNext();
    }

    void onHello(std::string_view text)
    {
        if (jsonField(text, "\"type\":") != "hello") {
            ++m_worker.stats.malformed;
            m_worker.stats.noteError("the first message is not hello: " + std::string(text.substr(0, 200)));
        }
        m_helloLatestId = parseInteger(jsonField(text, "\"latest_id\":")).value_or(0);
        m_helloSeen = true;
        ++m_shared.helloReceived;
        if (m_slow) {
            ++m_shared.slowOpened;
        }
    }

    void onQuote(std::string_view text, std::int64_t arrival)
    {
        Stats& stats = m_worker.stats;
        const auto id = parseInteger(jsonField(text, "\"id\":"));
        const auto created = parseTimestampMicros(jsonField(text, "\"created\":"));
        if (jsonField(text, "\"type\":") != "quote" || !id || !created) {
            ++stats.malformed;
            stats.noteError("unexpected message: " + std::string(text.substr(0, 200)));
            return;
        }
        // Live quotes continue right after the one the hello names, so the
        // first quote is latest_id + 1 and each next one the id after it.
        const std::int64_t previous = m_lastId > 0 ? m_lastId : m_helloLatestId;
        if (*id > previous + 1 && previous > 0) {
            stats.idGaps += static_cast<std::uint64_t>(*id - previous - 1);
        } else if (*id <= previous) {
            ++stats.idDuplicates;
        }
        m_lastId = std::max(previous, *id);

        if (arrival >= m_shared.windowStartMicros.load(std::memory_order_relaxed) &&
            arrival < m_shared.windowEndMicros.load(std::memory_order_relaxed)) {
            const std::int64_t delay = std::clamp<std::int64_t>(arrival - *created, INT32_MIN, INT32_MAX);
            stats.latenciesMicros.push_back(static_cast<std::int32_t>(delay));
        }
    }

    void onEnded(beast::error_code error)
    {
        const State before = m_state;
        m_state = State::Ended;
        if (m_shared.stopping.load()) {
            return;
        }
        if (before == State::Connecting || !m_helloSeen) {
            fail("the stream ended before hello: " + error.message());
            return;
        }
        if (m_slow) {
            if (m_draining) {
                ++m_worker.stats.slowClosed;
                ++m_shared.slowResolved;
            }
            return;
        }
        if (!m_shared.finishing.load()) {
            ++m_worker.stats.dropped;
            m_worker.stats.noteError("a stream ended during the run: " + error.message());
        }
    }

    void fail(const std::string& message)
    {
        m_state = State::Ended;
        m_worker.stats.noteError(message);
        ++m_shared.failed;
    }

    Worker& m_worker;
    Shared& m_shared;
    const Options& m_options;
    const bool m_slow;
    websocket::stream<beast::tcp_stream> m_ws;
    beast::flat_buffer m_buffer;
    State m_state = State::Connecting;
    bool m_helloSeen = false;
    bool m_draining = false;
    std::int64_t m_helloLatestId = 0;
    std::int64_t m_lastId = 0;  // of the last quote received
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
    beast::error_code addressError;
    const auto address = net::ip::make_address(options.host, addressError);
    if (addressError) {
        std::cerr << "fanoutbench: invalid host \"" << options.host
                  << "\" in --url: expected an IP address such as 127.0.0.1.\n";
        return 2;
    }
    const tcp::endpoint endpoint(address, options.port);

    Shared shared;
    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 0; i < options.threads; ++i) {
        auto worker = std::make_unique<Worker>();
        worker->guard.emplace(worker->io.get_executor());
        worker->thread = std::thread([&io = worker->io] { io.run(); });
        workers.push_back(std::move(worker));
    }

    const ProcessSample idle = sampleProcess(options.serverPid);

    // Slow clients are spread evenly over the connections.
    const auto isSlow = [&](int index) {
        if (options.slowClients == 0) {
            return false;
        }
        const int spacing = options.clients / options.slowClients;
        return index % spacing == spacing / 2 && index / spacing < options.slowClients;
    };

    std::vector<std::shared_ptr<Connection>> connections;
    connections.reserve(static_cast<std::size_t>(options.clients));
    const auto rampStart = std::chrono::steady_clock::now();
    bool rampComplete = true;
    for (int first = 0; first < options.clients && rampComplete; first += options.batch) {
        const int last = std::min(options.clients, first + options.batch);
        for (int index = first; index < last; ++index) {
            Worker& worker = *workers[static_cast<std::size_t>(index % options.threads)];
            auto connection = std::make_shared<Connection>(worker, shared, options, isSlow(index));
            connections.push_back(connection);
            net::post(worker.io, [connection, endpoint] { connection->start(endpoint); });
        }
        rampComplete = waitUntil([&] { return shared.helloReceived + shared.failed >= last; },
                                 batchTimeout);
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
    // handler; after this pause an ended stream no longer counts as dropped.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    shared.finishing = true;
    for (const auto& connection : connections) {
        net::post(connection->executor(), [connection] { connection->startDraining(); });
    }
    waitUntil([&] { return shared.slowResolved >= shared.slowOpened; },
              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                  std::chrono::duration<double>(options.drainSeconds)));

    shared.stopping = true;
    for (const auto& connection : connections) {
        net::post(connection->executor(), [connection] { connection->closeSocket(); });
    }
    for (const auto& worker : workers) {
        worker->guard.reset();
        worker->thread.join();
    }

    Stats total;
    for (const auto& worker : workers) {
        Stats& stats = worker->stats;
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
    json << "{\"clients\":" << options.clients
         << ",\"slow_clients\":" << options.slowClients
         << ",\"threads\":" << options.threads
         << ",\"open\":" << shared.helloReceived.load()
         << ",\"failed\":" << shared.failed.load()
         << ",\"dropped\":" << total.dropped
         << ",\"connect_seconds\":" << connectSeconds
         << ",\"seconds\":" << windowSeconds
         << ",\"quotes\":" << total.latenciesMicros.size()
         << ",\"messages_per_second\":" << double(total.latenciesMicros.size()) / windowSeconds
         << ",\"latency_ms\":{\"p50\":" << percentileMs(total.latenciesMicros, 0.50)
         << ",\"p99\":" << percentileMs(total.latenciesMicros, 0.99)
         << ",\"max\":" << (total.latenciesMicros.empty() ? -1.0 : total.latenciesMicros.back() / 1000.0)
         << "},\"id_gaps\":" << total.idGaps
         << ",\"id_duplicates\":" << total.idDuplicates
         << ",\"malformed\":" << total.malformed
         << ",\"slow_open\":" << shared.slowOpened.load()
         << ",\"slow_closed\":" << total.slowClosed
         << ",\"slow_drained_messages\":" << total.slowDrainedMessages
         << ",\"server_rss_idle_kib\":" << idle.rssKib
         << ",\"server_rss_connected_kib\":" << connected.rssKib
         << ",\"server_rss_end_kib\":" << end.rssKib
         << ",\"server_cpu_seconds\":"
         << (end.cpuSeconds >= 0 ? end.cpuSeconds - connected.cpuSeconds : -1.0)
         << ",\"first_error\":" << jsonString(total.firstError) << "}";
    std::cout << json.str() << std::endl;
    return shared.helloReceived.load() == 0 ? 1 : 0;
}
