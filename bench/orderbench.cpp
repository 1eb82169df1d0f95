// orderbench: measures orders per second against running valiant-server
// replicas. Each of N clients has its own account and its own keep-alive
// HTTP/1.1 connection and keeps exactly one order in flight, alternating
// buy 1 and sell 1 so the wallet never runs dry. With several --url, the
// clients are spread over them in turn. Prints one JSON object.
//
//   orderbench --url http://127.0.0.1:PORT [--url ...] --clients 8 --seconds 10
//
// The client shares the cores with the server and the database it
// measures, so it is kept as lean as pgbench's C client. It runs one thread
// with one epoll instance over non-blocking sockets. It makes one send() per
// request and one recv() per readable socket, and writes and parses HTTP in
// place. An earlier client on QTcpSocket spent more CPU per order in Qt's
// buffering and signals, and a QUuid per Idempotency-Key cost a getrandom()
// call.

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Endpoint
{
    std::string host;
    std::string port;
    std::string authority;  // host:port, for the Host header
};

/// One client: its connection, its account and the request in flight.
struct Client
{
    int socket = -1;
    std::size_t endpoint = 0;
    std::string token;
    bool buyNext = true;
    std::uint64_t sequence = 0;
    std::string out;          // the request being sent
    std::size_t outSent = 0;  // bytes of `out` already sent
    std::string in;           // bytes received and not yet parsed
    Clock::time_point sentAt;
    bool signingUp = true;
};

struct Totals
{
    std::int64_t filled = 0;
    std::int64_t rejected = 0;
    std::int64_t failed = 0;
    std::vector<std::int64_t> latenciesUs;
};

struct Response
{
    int status = 0;
    std::string_view body;
};

[[noreturn]] void fail(const std::string& message)
{
    std::fprintf(stderr, "orderbench: %s\n", message.c_str());
    std::exit(1);
}

bool parseUrl(const std::string& url, Endpoint& endpoint)
{
    const std::string_view prefix = "http://";
    if (url.compare(0, prefix.size(), prefix) != 0)
        return false;
    std::string authority = url.substr(prefix.size());
    authority = authority.substr(0, authority.find('/'));
    const std::size_t colon = authority.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == authority.size())
        return false;
    endpoint.host = authority.substr(0, colon);
    endpoint.port = authority.substr(colon + 1);
    endpoint.authority = authority;
    int port = 0;
    const auto [end, status] =
        std::from_chars(endpoint.port.data(), endpoint.port.data() + endpoint.port.size(), port);
    return status == std::errc() && end == endpoint.port.data() + endpoint.port.size() &&
           port > 0 && port < 65536;
}

/// Connects a blocking socket. The caller makes it non-blocking once the
/// sign-up is sent, since only the orders are timed.
int connectTo(const Endpoint& endpoint)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int error =
            ::getaddrinfo(endpoint.host.c_str(), endpoint.port.c_str(), &hints, &found))
        fail("resolving " + endpoint.authority + " failed: " + ::gai_strerror(error));
    int fd = -1;
    for (addrinfo* address = found; address != nullptr && fd < 0; address = address->ai_next) {
        fd =
            ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
        if (fd >= 0 && ::connect(fd, address->ai_addr, address->ai_addrlen) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(found);
    if (fd < 0)
        fail("connecting to " + endpoint.authority + " failed: " + std::strerror(errno));
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    return fd;
}

std::string buildPost(const Endpoint& endpoint, std::string_view path, const std::string& token,
                      const std::string& key, std::string_view body)
{
    std::string request;
    request.reserve(320);
    request.append("POST ").append(path).append(" HTTP/1.1\r\nHost: ").append(endpoint.authority);
    request.append("\r\nContent-Type: application/json\r\nContent-Length: ");
    request.append(std::to_string(body.size())).append("\r\n");
    if (!token.empty())
        request.append("Authorization: Bearer ").append(token).append("\r\n");
    if (!key.empty())
        request.append("Idempotency-Key: ").append(key).append("\r\n");
    request.append("\r\n").append(body);
    return request;
}

/// Sends what is left of the client's request; false when the connection failed.
bool sendPending(Client& client)
{
    while (client.outSent < client.out.size()) {
        const ssize_t sent = ::send(client.socket, client.out.data() + client.outSent,
                                    client.out.size() - client.outSent, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;  // EPOLLOUT finishes it
            if (errno == EINTR)
                continue;
            return false;
        }
        client.outSent += static_cast<std::size_t>(sent);
    }
    return true;
}

/// The length of the first complete response in `in`, with its status and
/// body, or 0 while it is incomplete. The server always sends Content-Length.
std::size_t parseResponse(const std::string& in, Response& response)
{
    const std::size_t headerEnd = in.find("\r\n\r\n");
    if (headerEnd == std::string::npos || headerEnd < 12)
        return 0;
    std::from_chars(in.data() + 9, in.data() + 12, response.status);
    std::size_t length = 0;
    for (std::size_t line = in.find("\r\n"); line < headerEnd; line = in.find("\r\n", line + 2)) {
        constexpr std::string_view name = "content-length:";
        if (headerEnd - line - 2 < name.size())
            continue;
        bool matches = true;
        for (std::size_t i = 0; i < name.size() && matches; ++i)
            matches = std::tolower(static_cast<unsigned char>(in[line + 2 + i])) == name[i];
        if (!matches)
            continue;
        std::size_t at = line + 2 + name.size();
        while (at < headerEnd && in[at] == ' ')
            ++at;
        std::from_chars(in.data() + at, in.data() + headerEnd, length);
        break;
    }
    if (in.size() < headerEnd + 4 + length)
        return 0;
    response.body = std::string_view(in).substr(headerEnd + 4, length);
    return headerEnd + 4 + length;
}

/// The value of the JSON string member "token" in `body`, or empty.
std::string tokenOf(std::string_view body)
{
    const std::size_t key = body.find("\"token\":\"");
    if (key == std::string_view::npos)
        return {};
    const std::size_t start = key + 9;
    const std::size_t end = body.find('"', start);
    return end == std::string_view::npos ? std::string()
                                         : std::string(body.substr(start, end - start));
}

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p)
{
    if (sorted.empty())
        return 0;
    return sorted[std::min(sorted.size() - 1, std::size_t(p * double(sorted.size())))];
}

void usage()
{
    std::fprintf(stderr,
                 "usage: orderbench --url http://HOST:PORT [--url ...] [--clients N] "
                 "[--seconds S]\n"
                 "  --url      a server's base URL; repeat it to spread clients over replicas\n"
                 "  --clients  concurrent clients, each with one order in flight (default 8)\n"
                 "  --seconds  measured duration in seconds (default 10)\n");
}

}  // namespace

int main(int argc, char* argv[])
{
    std::vector<Endpoint> endpoints;
    int clientCount = 8;
    int seconds = 10;
    for (int i = 1; i < argc; ++i) {
        const std::string_view option = argv[i];
        if (option == "--help" || option == "-h") {
            usage();
            return 0;
        }
        if (i + 1 >= argc) {
            usage();
            return 2;
        }
        const std::string value = argv[++i];
        if (option == "--url") {
            Endpoint endpoint;
            if (!parseUrl(value, endpoint)) {
                std::fprintf(stderr, "orderbench: invalid --url %s: use http://HOST:PORT\n",
                             value.c_str());
                return 2;
            }
            endpoints.push_back(endpoint);
        } else if (option == "--clients" || option == "--seconds") {
            int number = 0;
            const auto [end, status] =
                std::from_chars(value.data(), value.data() + value.size(), number);
            if (status != std::errc() || end != value.data() + value.size() || number < 1) {
                std::fprintf(stderr,
                             "orderbench: invalid %s %s: use a whole number of at least 1\n",
                             argv[i - 1], value.c_str());
                return 2;
            }
            (option == "--clients" ? clientCount : seconds) = number;
        } else {
            std::fprintf(stderr, "orderbench: unknown option %s\n", argv[i - 1]);
            usage();
            return 2;
        }
    }
    if (endpoints.empty()) {
        usage();
        return 2;
    }

    // Account names and idempotency keys unique to this run.
    std::random_device seed;
    char runId[9];
    std::snprintf(runId, sizeof runId, "%08x", static_cast<unsigned>(seed()));

    const int poller = ::epoll_create1(EPOLL_CLOEXEC);
    if (poller < 0)
        fail(std::string("epoll_create1 failed: ") + std::strerror(errno));
    std::vector<Client> clients(static_cast<std::size_t>(clientCount));
    for (std::size_t i = 0; i < clients.size(); ++i) {
        Client& client = clients[i];
        client.endpoint = i % endpoints.size();
        client.socket = connectTo(endpoints[client.endpoint]);
        const std::string body = std::string("{\"username\":\"bench") + runId + "-" +
                                 std::to_string(i) + "\",\"password\":\"benchmark-password\"}";
        client.out = buildPost(endpoints[client.endpoint], "/api/v1/accounts", {}, {}, body);
        if (!sendPending(client))
            fail("sending the sign-up failed: " + std::string(std::strerror(errno)));
        ::fcntl(client.socket, F_SETFL, O_NONBLOCK);
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.u64 = i;
        ::epoll_ctl(poller, EPOLL_CTL_ADD, client.socket, &event);
    }

    Totals totals;
    totals.latenciesUs.reserve(1 << 20);
    bool measuring = false;
    std::size_t signedUp = 0;
    Clock::time_point started;
    Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);  // for the sign-ups

    const auto sendOrder = [&](std::size_t index) {
        Client& client = clients[index];
        const std::string key = std::string(runId) + "-" + std::to_string(index) + "-" +
                                std::to_string(++client.sequence);
        client.out =
            buildPost(endpoints[client.endpoint], "/api/v1/orders", client.token, key,
                      client.buyNext ? std::string_view("{\"side\":\"buy\",\"quantity\":1}")
                                     : std::string_view("{\"side\":\"sell\",\"quantity\":1}"));
        client.outSent = 0;
        client.sentAt = Clock::now();
        if (!sendPending(client))
            fail("sending an order failed: " + std::string(std::strerror(errno)));
        if (client.outSent < client.out.size()) {
            epoll_event event{};
            event.events = EPOLLIN | EPOLLOUT;
            event.data.u64 = index;
            ::epoll_ctl(poller, EPOLL_CTL_MOD, client.socket, &event);
        }
    };

    const auto handleResponse = [&](std::size_t index, const Response& response) {
        Client& client = clients[index];
        if (client.signingUp) {
            client.token = tokenOf(response.body);
            if (client.token.empty())
                fail("creating account " + std::to_string(index) + " failed with " +
                     std::to_string(response.status) + ": " +
                     std::string(response.body.substr(0, 300)));
            client.signingUp = false;
            if (++signedUp == clients.size()) {
                measuring = true;
                started = Clock::now();
                deadline = started + std::chrono::seconds(seconds);
                for (std::size_t i = 0; i < clients.size(); ++i)
                    sendOrder(i);
            }
            return;
        }
        if (response.status == 201) {
            ++totals.filled;
            client.buyNext = !client.buyNext;
        } else if (response.status == 422) {
            ++totals.rejected;
        } else {
            ++totals.failed;
            if (totals.failed <= 3)
                std::fprintf(stderr, "orderbench: order failed with %d: %.*s\n", response.status,
                             int(std::min<std::size_t>(response.body.size(), 300)),
                             response.body.data());
        }
        totals.latenciesUs.push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - client.sentAt)
                .count());
        sendOrder(index);
    };

    std::vector<epoll_event> events(clients.size());
    char buffer[16384];
    for (;;) {
        const auto now = Clock::now();
        if (now >= deadline)
            break;
        const int timeoutMs =
            int(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count()) + 1;
        const int ready = ::epoll_wait(poller, events.data(), int(events.size()), timeoutMs);
        if (ready < 0 && errno != EINTR)
            fail(std::string("epoll_wait failed: ") + std::strerror(errno));
        for (int e = 0; e < ready; ++e) {
            const std::size_t index = events[std::size_t(e)].data.u64;
            Client& client = clients[index];
            if (events[std::size_t(e)].events & EPOLLOUT) {
                if (!sendPending(client))
                    fail("sending failed: " + std::string(std::strerror(errno)));
                if (client.outSent == client.out.size()) {
                    epoll_event event{};
                    event.events = EPOLLIN;
                    event.data.u64 = index;
                    ::epoll_ctl(poller, EPOLL_CTL_MOD, client.socket, &event);
                }
            }
            if (!(events[std::size_t(e)].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                continue;
            const ssize_t received = ::recv(client.socket, buffer, sizeof buffer, 0);
            if (received == 0 || (received < 0 && errno != EAGAIN && errno != EINTR)) {
                // A lost connection is not retried: the run reports it.
                ++totals.failed;
                std::fprintf(stderr, "orderbench: client %zu lost its connection\n", index);
                ::epoll_ctl(poller, EPOLL_CTL_DEL, client.socket, nullptr);
                continue;
            }
            if (received < 0)
                continue;
            client.in.append(buffer, std::size_t(received));
            Response response;
            while (const std::size_t used = parseResponse(client.in, response)) {
                handleResponse(index, response);  // sends the next request, which leaves `in` alone
                client.in.erase(0, used);
            }
        }
        if (!measuring && signedUp < clients.size() && Clock::now() >= deadline)
            fail("the sign-ups did not finish within 60 s");
    }
    if (!measuring)
        fail("the sign-ups did not finish within 60 s");

    const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    std::sort(totals.latenciesUs.begin(), totals.latenciesUs.end());
    std::printf(
        "{\"clients\":%d,\"failed\":%lld,\"filled\":%lld,\"orders_per_second\":%.3f,"
        "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"rejected\":%lld,\"replicas\":%zu,"
        "\"seconds\":%.3f}\n",
        clientCount, static_cast<long long>(totals.failed), static_cast<long long>(totals.filled),
        double(totals.filled) / elapsed, double(percentile(totals.latenciesUs, 0.50)) / 1000.0,
        double(percentile(totals.latenciesUs, 0.99)) / 1000.0,
        static_cast<long long>(totals.rejected), endpoints.size(), elapsed);
    return totals.failed == 0 ? 0 : 1;
}
