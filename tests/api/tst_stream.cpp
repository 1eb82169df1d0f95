// Black-box tests of the WebSocket stream of a real valiant-server on
// 127.0.0.1 that makes a quote every 100 ms. They cover the hello message,
// quote order, resume with after_id, authentication by header and by first
// message, errors before a close, close code 1001 on shutdown, and a
// client that stops reading.

#include "support/httpclient.h"
#include "support/serverprocess.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTest>
#include <QWebSocket>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

using namespace valiant::test;

namespace {

constexpr int tickMs = 100;
constexpr int waitMs = 15'000;

bool isTimestamp(const QJsonValue& value)
{
    static const QRegularExpression form(
        QStringLiteral("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$"));
    return value.isString() && form.match(value.toString()).hasMatch();
}

// One WebSocket connection that records every text message as JSON.
class StreamClient
{
public:
    explicit StreamClient(const QUrl& url, const QString& token = {})
    {
        QObject::connect(&m_socket, &QWebSocket::connected, &m_socket,
                         [this] { m_connected = true; });
        QObject::connect(&m_socket, &QWebSocket::disconnected, &m_socket,
                         [this] { m_disconnected = true; });
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, &m_socket,
                         [this](const QString& text) {
                             m_raw.append(text);
                             m_messages.append(QJsonDocument::fromJson(text.toUtf8()).object());
                         });

        QNetworkRequest request(url);
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
        m_socket.open(request);
    }

    bool waitForConnected()
    {
        return waitFor([this] { return m_connected || m_disconnected; }) && m_connected;
    }

    bool waitForDisconnected() { return waitFor([this] { return m_disconnected; }); }

    /// Waits until `condition` holds, spinning the event loop, for at most `timeoutMs`.
    bool waitFor(const std::function<bool()>& condition, int timeoutMs = waitMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!condition()) {
            if (deadline.hasExpired())
                return false;
            QTest::qWait(10);
        }
        return true;
    }

    QList<QJsonObject> messagesOfType(const QString& type) const
    {
        QList<QJsonObject> result;
        for (const QJsonObject& message : m_messages) {
            if (message.value("type").toString() == type)
                result.append(message);
        }
        return result;
    }

    QList<qint64> quoteIds() const
    {
        QList<qint64> ids;
        for (const QJsonObject& quote : messagesOfType("quote"))
            ids.append(quote.value("id").toInteger());
        return ids;
    }

    /// Waits until a quote with an id of at least `id` arrived.
    bool waitForQuote(qint64 id)
    {
        return waitFor([this, id] {
            const QList<qint64> ids = quoteIds();
            return !ids.isEmpty() && ids.last() >= id;
        });
    }

    void sendText(const QByteArray& text) { m_socket.sendTextMessage(QString::fromUtf8(text)); }
    void close() { m_socket.close(); }

    QWebSocket& socket() { return m_socket; }
    const QList<QJsonObject>& messages() const { return m_messages; }
    QString transcript() const { return m_raw.join(QLatin1Char('\n')).left(3000); }

private:
    QWebSocket m_socket;
    QList<QJsonObject> m_messages;
    QStringList m_raw;
    bool m_connected = false;
    bool m_disconnected = false;
};

// A stream client that stops reading right after the upgrade handshake,
// on a raw socket with a small receive buffer so that the server's send
// queue for it fills. Linux only, like the server.
class StalledStream
{
public:
    StalledStream(quint16 port, const QString& token)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        const int receiveBuffer = 4096;
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
            return;

        const QByteArray request = "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                   "Sec-WebSocket-Version: 13\r\n"
                                   "Authorization: Bearer " + token.toUtf8() + "\r\n\r\n";
        if (::send(m_fd, request.constData(), size_t(request.size()), MSG_NOSIGNAL) != request.size())
            return;
        // Reads byte by byte up to the end of the response headers, so that
        // no frame after them is consumed.
        QByteArray response;
        QDeadlineTimer deadline(waitMs);
        while (!response.endsWith("\r\n\r\n") && !deadline.hasExpired()) {
            pollfd readable{m_fd, POLLIN, 0};
            if (::poll(&readable, 1, 100) <= 0)
                continue;
            char byte = 0;
            if (::recv(m_fd, &byte, 1, 0) != 1)
                return;
            response.append(byte);
        }
        m_upgraded = response.startsWith("HTTP/1.1 101");
    }

    ~StalledStream() { ::close(m_fd); }

    StalledStream(const StalledStream&) = delete;
    StalledStream& operator=(const StalledStream&) = delete;

    bool upgraded() const { return m_upgraded; }

    /// Reads everything until the stream ends or `timeoutMs` pass.
    QByteArray readAll(int timeoutMs)
    {
        QByteArray received;
        QDeadlineTimer deadline(timeoutMs);
        char buffer[65536];
        while (!deadline.hasExpired()) {
            pollfd readable{m_fd, POLLIN, 0};
            if (::poll(&readable, 1, 100) <= 0)
                continue;
            const ssize_t count = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (count <= 0)
                break;
            received.append(buffer, count);
        }
        return received;
    }

    /// Reads again and returns true if the stream ends (EOF or reset)
    /// within `timeoutMs`, that is, if the server closed the connection.
    bool closedByServer(int timeoutMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        char buffer[65536];
        while (!deadline.hasExpired()) {
            pollfd readable{m_fd, POLLIN, 0};
            if (::poll(&readable, 1, 100) <= 0)
                continue;
            const ssize_t received = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (received == 0 || (received < 0 && errno == ECONNRESET))
                return true;
        }
        return false;
    }

private:
    int m_fd = -1;
    bool m_upgraded = false;
};

/// Sends the upgrade request and each of `frameTexts` as a masked text
/// frame in one write, as a client that does not wait for the 101 response
/// does. Then reads until the server closes the connection or `waitMs`
/// passes. Returns the text messages received and, last, "close CODE".
QStringList pipelinedStream(quint16 port, const QList<QByteArray>& frameTexts)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return {};
    }

    QByteArray bytes = "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n";
    const QByteArray mask("\x11\x22\x33\x44", 4);
    for (const QByteArray& frameText : frameTexts) {
        bytes.append(char(0x81));  // FIN and opcode 1, text
        bytes.append(char(0x80 | frameText.size()));  // masked; texts here are under 126 bytes
        bytes.append(mask);
        for (qsizetype i = 0; i < frameText.size(); ++i)
            bytes.append(char(frameText[i] ^ mask[i % 4]));
    }
    ::send(fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL);

    QByteArray received;
    QDeadlineTimer deadline(waitMs);
    while (!deadline.hasExpired()) {
        pollfd readable{fd, POLLIN, 0};
        if (::poll(&readable, 1, 100) <= 0)
            continue;
        char chunk[4096];
        const ssize_t count = ::recv(fd, chunk, sizeof chunk, 0);
        if (count <= 0)
            break;
        received.append(chunk, count);
    }
    ::close(fd);

    // Frames from the server are unmasked; these are all under 64 KiB.
    QStringList messages;
    qsizetype at = received.indexOf("\r\n\r\n");
    if (at < 0)
        return messages;
    at += 4;
    while (at + 2 <= received.size()) {
        const int opcode = received[at] & 0x0f;
        qsizetype length = received[at + 1] & 0x7f;
        qsizetype start = at + 2;
        if (length == 126) {
            length = (qsizetype(quint8(received[at + 2])) << 8) | quint8(received[at + 3]);
            start = at + 4;
        }
        if (start + length > received.size())
            break;
        const QByteArray payload = received.mid(start, length);
        if (opcode == 1)
            messages.append(QString::fromUtf8(payload));
        else if (opcode == 8 && payload.size() >= 2)
            messages.append(QStringLiteral("close %1").arg((quint8(payload[0]) << 8) | quint8(payload[1])));
        at = start + length;
    }
    return messages;
}

}  // namespace

class StreamTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void helloComesFirst();
    void liveQuotesFollowHelloLatest();
    void quotesAscendingWithoutGaps();
    void resumeDeliversExactlyMissedQuotes();
    void resumeFromStartDeliversAll();
    void resumeBacklogCappedAt3600();
    void headerAuthReceivesPortfolio();
    void praiseWithoutSharesStreamsNothing();
    void portfolioVersionCountsChanges();
    void messageAuthReceivesPortfolio();
    void anonymousStreamHasNoPortfolio();
    void badTokenInHeaderErrorThenClose();
    void badTokenInMessageErrorThenClose();
    void authSentWithUpgradeRead();
    void messagesSentWithUpgradeReadInOrder();
    void logoutEndsHeaderAuthStream();
    void logoutEndsMessageAuthStream();
    void invalidMessagesGetErrors();
    void binaryFrameClosesUnsupported();
    void shutdownClosesWithGoingAway();
    void stalledClientDroppedAtQueueCap();
    void shutdownNotHeldByStalledClient();
    void slowClientGetsErrorBeforeClose();
    void stalledClientWithPendingPingDropped();

private:
    struct Account
    {
        QString token;
        QString username;
    };

    Account createAccount(const ServerProcess& server);
    static qint64 latestQuoteId(const ServerProcess& server);
    /// Places alternating buy and sell orders of one share until `maxOrders`
    /// are placed or the server's log contains `stopAt` (when not empty).
    /// Returns how many were placed, or -1 after an order failed.
    static int placeOrders(const ServerProcess& server, const QString& token, int maxOrders,
                           const QByteArray& stopAt = {});
    void verifyLogoutEndsStream(bool tokenInHeader);
    static void verifyQuotesMatchServer(const ServerProcess& server,
                                        const QList<QJsonObject>& quotes);

    std::unique_ptr<ServerProcess> m_server;
    int m_accountCounter = 0;
};

// --- helpers ---

StreamTest::Account StreamTest::createAccount(const ServerProcess& server)
{
    const QString username = QStringLiteral("streamer_%1").arg(++m_accountCounter);
    const HttpResponse response =
        HttpClient(server.baseUrl())
            .post("/api/v1/accounts", {{"username", username}, {"password", "password-123"}});
    if (response.status != 201)
        qWarning("Creating account %s failed: %s", qPrintable(username),
                 qPrintable(response.describe()));
    return Account{response.json().value("token").toString(), username};
}

int StreamTest::placeOrders(const ServerProcess& server, const QString& token, int maxOrders,
                            const QByteArray& stopAt)
{
    const HttpClient http(server.baseUrl());
    int orders = 0;
    while (orders < maxOrders && (stopAt.isEmpty() || !server.standardError().contains(stopAt))) {
        const QString side = orders % 2 == 0 ? QStringLiteral("buy") : QStringLiteral("sell");
        const HttpResponse placed = http.post("/api/v1/orders", {{"side", side}, {"quantity", 1}}, token);
        if (placed.status != 201) {
            qWarning("Order %d failed: %s", orders + 1, qPrintable(placed.describe()));
            return -1;
        }
        ++orders;
    }
    return orders;
}

qint64 StreamTest::latestQuoteId(const ServerProcess& server)
{
    return HttpClient(server.baseUrl())
        .get("/api/v1/quotes/latest")
        .json()
        .value("id")
        .toInteger();
}

// Checks each streamed quote against the same id from the REST API.
void StreamTest::verifyQuotesMatchServer(const ServerProcess& server,
                                         const QList<QJsonObject>& quotes)
{
    QVERIFY(!quotes.isEmpty());
    const qint64 firstId = quotes.first().value("id").toInteger();
    const QJsonArray stored =
        HttpClient(server.baseUrl())
            .get(QStringLiteral("/api/v1/quotes?after_id=%1&limit=1000").arg(firstId - 1))
            .json()
            .value("quotes")
            .toArray();
    QVERIFY(stored.size() >= qMin<qsizetype>(quotes.size(), 1000));
    for (qsizetype i = 0; i < qMin<qsizetype>(quotes.size(), stored.size()); ++i) {
        const QJsonObject expected = stored.at(i).toObject();
        QCOMPARE(quotes.at(i).value("id"), expected.value("id"));
        QCOMPARE(quotes.at(i).value("price"), expected.value("price"));
        QCOMPARE(quotes.at(i).value("created"), expected.value("created"));
    }
}

// --- set-up ---

void StreamTest::initTestCase()
{
    QVERIFY2(!ServerProcess::serverBinary().isEmpty(), "VALIANT_SERVER_BIN is not set");
    // The price wanders every 100 ms, so accounts get room to buy a share
    // however far it climbs during the suite.
    ServerProcess::Options options;
    options.tickMs = tickMs;
    options.startingCash = QStringLiteral("1000000.00");
    m_server = std::make_unique<ServerProcess>(options);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(latestQuoteId(*m_server) > 0, waitMs);
}

void StreamTest::cleanupTestCase()
{
    if (m_server && m_server->isRunning())
        QVERIFY2(m_server->stop(), qPrintable(m_server->errorString()));
}

// --- tests ---

void StreamTest::helloComesFirst()
{
    const qint64 latestBefore = latestQuoteId(*m_server);
    StreamClient client(m_server->webSocketUrl("/api/v1/stream"));
    QVERIFY2(client.waitForConnected(), qPrintable(client.socket().errorString()));
    QVERIFY(client.waitFor([&] { return client.messages().size() >= 3; }));

    const QJsonObject hello = client.messages().first();
    QCOMPARE(hello.value("type").toString(), QStringLiteral("hello"));
    QVERIFY2(isTimestamp(hello.value("server_time")), qPrintable(client.transcript()));
    QVERIFY(hello.value("latest_id").isDouble());
    const qint64 latestId = hello.value("latest_id").toInteger();
    QVERIFY(latestId >= latestBefore);
    QCOMPARE(client.messagesOfType("hello").size(), 1);

    // Live quotes continue right after the one the hello names.
    QVERIFY(client.waitForQuote(latestId + 1));
    QCOMPARE(client.quoteIds().first(), latestId + 1);
}

void StreamTest::liveQuotesFollowHelloLatest()
{
    // Many clients connecting over several ticks, while busy threads compete
    // with the server for the CPU, make it likely that a quote reaches the
    // server's hub while a session is still reading the latest id. No client
    // may receive the quote its hello already named.
    constexpr int clientCount = 150;
    std::atomic<bool> busy{true};
    std::vector<std::thread> spinners;
    for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency()) * 2; ++i) {
        spinners.emplace_back([&busy] {
            while (busy.load(std::memory_order_relaxed)) {
            }
        });
    }
    std::vector<std::unique_ptr<StreamClient>> clients;
    for (int i = 0; i < clientCount; ++i) {
        clients.push_back(std::make_unique<StreamClient>(m_server->webSocketUrl("/api/v1/stream")));
        QTest::qWait(tickMs / 12);
    }
    busy = false;
    for (std::thread& spinner : spinners)
        spinner.join();

    for (const auto& client : clients) {
        QVERIFY(client->waitFor([&] { return !client->quoteIds().isEmpty(); }));
        const QJsonObject hello = client->messages().first();
        QCOMPARE(hello.value("type").toString(), QStringLiteral("hello"));
        const qint64 latestId = hello.value("latest_id").toInteger();
        QCOMPARE(client->quoteIds().first(), latestId + 1);
    }
}

void StreamTest::quotesAscendingWithoutGaps()
{
    StreamClient client(m_server->webSocketUrl("/api/v1/stream"));
    QVERIFY(client.waitForConnected());
    QVERIFY(client.waitFor([&] { return client.quoteIds().size() >= 30; }));

    const QList<QJsonObject> quotes = client.messagesOfType("quote");
    for (qsizetype i = 0; i < quotes.size(); ++i) {
        const QJsonObject quote = quotes.at(i);
        QVERIFY2(centsFromMoney(quote.value("price").toString()).has_value(),
                 qPrintable(quote.value("price").toString()));
        QVERIFY(isTimestamp(quote.value("created")));
        if (i > 0) {
            QCOMPARE(quote.value("id").toInteger(), quotes.at(i - 1).value("id").toInteger() + 1);
            QVERIFY(quote.value("created").toString() >= quotes.at(i - 1).value("created").toString());
        }
    }
    verifyQuotesMatchServer(*m_server, quotes);
}

void StreamTest::resumeDeliversExactlyMissedQuotes()
{
    qint64 lastSeen = 0;
    {
        StreamClient first(m_server->webSocketUrl("/api/v1/stream"));
        QVERIFY(first.waitForConnected());
        QVERIFY(first.waitFor([&] { return first.quoteIds().size() >= 5; }));
        lastSeen = first.quoteIds().last();
        first.close();
    }

    // Let at least 20 quotes pass while disconnected.
    QTRY_VERIFY_WITH_TIMEOUT(latestQuoteId(*m_server) >= lastSeen + 20, waitMs);

    StreamClient resumed(
        m_server->webSocketUrl(QStringLiteral("/api/v1/stream?after_id=%1").arg(lastSeen)));
    QVERIFY(resumed.waitForConnected());
    const qint64 target = latestQuoteId(*m_server) + 5;
    QVERIFY2(resumed.waitForQuote(target), qPrintable(resumed.transcript()));

    QCOMPARE(resumed.messages().first().value("type").toString(), QStringLiteral("hello"));
    const QList<qint64> ids = resumed.quoteIds();
    QCOMPARE(ids.first(), lastSeen + 1);
    for (qsizetype i = 1; i < ids.size(); ++i)
        QVERIFY2(ids.at(i) == ids.at(i - 1) + 1,
                 qPrintable(QStringLiteral("quote %1 follows %2").arg(ids.at(i)).arg(ids.at(i - 1))));
    verifyQuotesMatchServer(*m_server, resumed.messagesOfType("quote"));
}

void StreamTest::resumeFromStartDeliversAll()
{
    // after_id=0 on a young server: every quote since the start, fewer than 3600.
    const qint64 latest = latestQuoteId(*m_server);
    QVERIFY(latest < 3600);
    StreamClient client(m_server->webSocketUrl("/api/v1/stream?after_id=0"));
    QVERIFY(client.waitForConnected());
    QVERIFY(client.waitForQuote(latest + 2));

    const QList<qint64> ids = client.quoteIds();
    const QJsonArray first =
        HttpClient(m_server->baseUrl()).get("/api/v1/quotes?after_id=0&limit=1").json().value(
            "quotes").toArray();
    QCOMPARE(ids.first(), first.at(0).toObject().value("id").toInteger());
    for (qsizetype i = 1; i < ids.size(); ++i)
        QCOMPARE(ids.at(i), ids.at(i - 1) + 1);
}

void StreamTest::resumeBacklogCappedAt3600()
{
    // At the fastest tick, 10 ms, more than 3600 quotes exist after about 40 s.
    ServerProcess::Options options;
    options.tickMs = 10;
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(latestQuoteId(server) > 3'700, 120'000);

    StreamClient client(server.webSocketUrl("/api/v1/stream?after_id=0"));
    QVERIFY(client.waitForConnected());
    QVERIFY(client.waitFor([&] { return !client.messages().isEmpty(); }));
    const qint64 latestId = client.messages().first().value("latest_id").toInteger();
    QVERIFY(client.waitForQuote(latestId + 10));

    // The backlog is the newest 3600 quotes up to latest_id, then live ones follow.
    const QList<qint64> ids = client.quoteIds();
    QCOMPARE(ids.first(), latestId - 3'600 + 1);
    for (qsizetype i = 1; i < ids.size(); ++i)
        QVERIFY2(ids.at(i) == ids.at(i - 1) + 1,
                 qPrintable(QStringLiteral("quote %1 follows %2").arg(ids.at(i)).arg(ids.at(i - 1))));
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

void StreamTest::headerAuthReceivesPortfolio()
{
    const Account account = createAccount(*m_server);
    StreamClient client(m_server->webSocketUrl("/api/v1/stream"), account.token);
    QVERIFY(client.waitForConnected());
    QVERIFY(client.waitFor([&] { return !client.messages().isEmpty(); }));

    const HttpClient http(m_server->baseUrl());
    const HttpResponse bought =
        http.post("/api/v1/orders", {{"side", "buy"}, {"quantity", 1}}, account.token);
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));
    QVERIFY2(client.waitFor([&] {
                 for (const QJsonObject& message : client.messagesOfType("portfolio")) {
                     if (message.value("shares").toInteger() == 1)
                         return true;
                 }
                 return false;
             }),
             qPrintable(client.transcript()));

    const QJsonObject expected = bought.json().value("portfolio").toObject();
    const QJsonObject streamed = client.messagesOfType("portfolio").last();
    QCOMPARE(streamed.value("cash"), expected.value("cash"));
    QCOMPARE(streamed.value("cost_basis"), expected.value("cost_basis"));

    // Praise changes the wallet too, so it is streamed as well.
    const HttpResponse praised = http.post("/api/v1/praise", {}, account.token);
    QVERIFY2(praised.status == 200, qPrintable(praised.describe()));
    const QJsonValue cashAfterPraise =
        praised.json().value("portfolio").toObject().value("cash");
    QVERIFY2(client.waitFor([&] {
                 return client.messagesOfType("portfolio").last().value("cash") == cashAfterPraise;
             }),
             qPrintable(client.transcript()));
}

void StreamTest::praiseWithoutSharesStreamsNothing()
{
    const Account account = createAccount(*m_server);
    StreamClient client(m_server->webSocketUrl("/api/v1/stream"), account.token);
    QVERIFY(client.waitForConnected());
    QVERIFY2(client.waitFor([&] { return client.messagesOfType("portfolio").size() == 1; }),
             qPrintable(client.transcript()));

    const HttpClient http(m_server->baseUrl());
    const HttpResponse praised = http.post("/api/v1/praise", {}, account.token);
    QVERIFY2(praised.status == 200, qPrintable(praised.describe()));
    QCOMPARE(praised.json().value("bonus").toString(), QStringLiteral("0.00"));

    // The stream keeps its order, so once the buy's wallet arrives, a push
    // for the praise would have arrived before it.
    const HttpResponse bought =
        http.post("/api/v1/orders", {{"side", "buy"}, {"quantity", 1}}, account.token);
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));
    QVERIFY2(client.waitFor([&] {
                 return client.messagesOfType("portfolio").last().value("shares").toInteger() == 1;
             }),
             qPrintable(client.transcript()));
    QCOMPARE(client.messagesOfType("portfolio").size(), 2);
}

void StreamTest::portfolioVersionCountsChanges()
{
    const Account account = createAccount(*m_server);
    StreamClient client(m_server->webSocketUrl("/api/v1/stream"), account.token);
    QVERIFY(client.waitForConnected());
    QVERIFY2(client.waitFor([&] { return client.messagesOfType("portfolio").size() == 1; }),
             qPrintable(client.transcript()));
    const HttpClient http(m_server->baseUrl());
    const HttpResponse fetched = http.get("/api/v1/portfolio", account.token);
    QVERIFY2(fetched.status == 200, qPrintable(fetched.describe()));
    const QJsonValue first = fetched.json().value("version");
    QVERIFY2(first.isDouble(), qPrintable(fetched.describe()));
    QCOMPARE(client.messagesOfType("portfolio").first().value("version"), first);

    // Every stored change, by order or by praise, adds one, in the response
    // and on the stream alike.
    const HttpResponse bought =
        http.post("/api/v1/orders", {{"side", "buy"}, {"quantity", 2}}, account.token);
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));
    const QJsonObject afterBuy = bought.json().value("portfolio").toObject();
    QCOMPARE(afterBuy.value("version").toInteger(), first.toInteger() + 1);
    const HttpResponse praised = http.post("/api/v1/praise", {}, account.token);
    QVERIFY2(praised.status == 200, qPrintable(praised.describe()));
    const QJsonObject afterPraise = praised.json().value("portfolio").toObject();
    QCOMPARE(afterPraise.value("version").toInteger(), first.toInteger() + 2);

    QVERIFY2(client.waitFor([&] { return client.messagesOfType("portfolio").size() == 3; }),
             qPrintable(client.transcript()));
    const QList<QJsonObject> streamed = client.messagesOfType("portfolio");
    QCOMPARE(streamed.at(1).value("version"), afterBuy.value("version"));
    QCOMPARE(streamed.at(1).value("shares"), afterBuy.value("shares"));
    QCOMPARE(streamed.at(2).value("version"), afterPraise.value("version"));
    QCOMPARE(streamed.at(2).value("cash"), afterPraise.value("cash"));

    // A rejected order changes nothing, so the version stays.
    const HttpResponse rejected =
        http.post("/api/v1/orders", {{"side", "sell"}, {"quantity", 3}}, account.token);
    QCOMPARE(rejected.status, 422);
    const HttpResponse after = http.get("/api/v1/portfolio", account.token);
    QCOMPARE(after.json().value("version"), afterPraise.value("version"));
}

void StreamTest::messageAuthReceivesPortfolio()
{
    const Account account = createAccount(*m_server);
    StreamClient client(m_server->webSocketUrl("/api/v1/stream"));
    QVERIFY(client.waitForConnected());
    client.sendText(QJsonDocument(QJsonObject{{"type", "auth"}, {"token", account.token}})
                        .toJson(QJsonDocument::Compact));

    // No message confirms the auth, so orders repeat until one is streamed.
    const HttpClient http(m_server->baseUrl());
    bool streamed = false;
    for (int attempt = 0; attempt < 10 && !streamed; ++attempt) {
        const HttpResponse response =
            http.post("/api/v1/orders", {{"side", "buy"}, {"quantity", 1}}, account.token);
        QVERIFY2(response.status == 201, qPrintable(response.describe()));
        streamed = client.waitFor([&] { return !client.messagesOfType("portfolio").isEmpty(); },
                                  1'000);
    }
    QVERIFY2(streamed, qPrintable(client.transcript()));
    QVERIFY(client.messagesOfType("error").isEmpty());
    QVERIFY(client.socket().state() == QAbstractSocket::ConnectedState);

    // Quotes keep flowing on an authenticated stream.
    const qint64 next = latestQuoteId(*m_server) + 2;
    QVERIFY(client.waitForQuote(next));
}

void StreamTest::anonymousStreamHasNoPortfolio()
{
    const Account account = createAccount(*m_server);
    StreamClient client(m_server->webSocketUrl("/api/v1/stream"));
    QVERIFY(client.waitForConnected());
    QVERIFY(client.waitFor([&] { return !client.messages().isEmpty(); }));

    const HttpResponse bought = HttpClient(m_server->baseUrl())
                                    .post("/api/v1/orders", {{"side", "buy"}, {"quantity", 1}},
                                          account.token);
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));
    QVERIFY(client.waitForQuote(latestQuoteId(*m_server) + 5));
    QVERIFY2(client.messagesOfType("portfolio").isEmpty(), qPrintable(client.transcript()));
}

void StreamTest::badTokenInHeaderErrorThenClose()
{
    StreamClient client(m_server->webSocketUrl("/api/v1/stream"), QString(43, QLatin1Char('x')));
    QVERIFY2(client.waitForConnected(),
             qPrintable("the upgrade failed instead of an error message: " +
                        client.socket().errorString()));
    QVERIFY2(client.waitForDisconnected(), qPrintable(client.transcript()));

    const QList<QJsonObject> errors = client.messagesOfType("error");
    QCOMPARE(errors.size(), 1);
    QCOMPARE(client.messages().last(), errors.first());
    QVERIFY(!errors.first().value("code").toString().isEmpty());
    QVERIFY(!errors.first().value("message").toString().isEmpty());
    QVERIFY(client.messagesOfType("portfolio").isEmpty());
    QVERIFY(client.socket().closeCode() != QWebSocketProtocol::CloseCodeNormal);
}

void StreamTest::badTokenInMessageErrorThenClose()
{
    StreamClient client(m_server->webSocketUrl("/api/v1/stream"));
    QVERIFY(client.waitForConnected());
    client.sendText(R"({"type":"auth","token":"not-a-valid-token-not-a-valid-token-00"})");
    QVERIFY2(client.waitForDisconnected(), qPrintable(client.transcript()));

    const QList<QJsonObject> errors = client.messagesOfType("error");
    QCOMPARE(errors.size(), 1);
    QCOMPARE(client.messages().last(), errors.first());
    QVERIFY(!errors.first().value("code").toString().isEmpty());
    QVERIFY(!errors.first().value("message").toString().isEmpty());

    // The server keeps serving other streams.
    StreamClient other(m_server->webSocketUrl("/api/v1/stream"));
    QVERIFY(other.waitForConnected());
    QVERIFY(other.waitForQuote(latestQuoteId(*m_server) + 1));
}

// After a log-out the stream of that token gets invalid_token and 1008
// instead of the next wallet change, made here through a second session.
void StreamTest::verifyLogoutEndsStream(bool tokenInHeader)
{
    const Account account = createAccount(*m_server);
    const HttpClient http(m_server->baseUrl());
    const HttpResponse login = http.post(
        "/api/v1/sessions", {{"username", account.username}, {"password", "password-123"}});
    QVERIFY2(login.status == 201 || login.status == 200, qPrintable(login.describe()));
    const QString otherToken = login.json().value("token").toString();

    StreamClient client(m_server->webSocketUrl("/api/v1/stream"),
                        tokenInHeader ? account.token : QString());
    QVERIFY(client.waitForConnected());
    if (!tokenInHeader) {
        client.sendText(QJsonDocument(QJsonObject{{"type", "auth"}, {"token", account.token}})
                            .toJson(QJsonDocument::Compact));
    }
    QVERIFY2(client.waitFor([&] { return !client.messagesOfType("portfolio").isEmpty(); }),
             qPrintable(client.transcript()));

    const HttpResponse logout = http.deleteResource("/api/v1/sessions/current", account.token);
    QVERIFY2(logout.status == 204 || logout.status == 200, qPrintable(logout.describe()));
    const HttpResponse bought =
        http.post("/api/v1/orders", {{"side", "buy"}, {"quantity", 1}}, otherToken);
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));

    QVERIFY2(client.waitForDisconnected(), qPrintable(client.transcript()));
    const QList<QJsonObject> errors = client.messagesOfType("error");
    QVERIFY2(errors.size() == 1, qPrintable(client.transcript()));
    QCOMPARE(errors.first().value("code").toString(), QStringLiteral("invalid_token"));
    QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    for (const QJsonObject& message : client.messagesOfType("portfolio"))
        QCOMPARE(message.value("shares").toInteger(), 0);
}

void StreamTest::authSentWithUpgradeRead()
{
    // The read of the upgrade request also takes in the auth frame that
    // follows it. The session must read that frame rather than lose it.
    const QStringList messages = pipelinedStream(
        quint16(m_server->port()),
        {R"({"type":"auth","token":"not-a-valid-token-not-a-valid-token-00"})"});
    QVERIFY2(messages.size() >= 3, qPrintable(messages.join('\n')));
    QVERIFY2(messages.first().contains(R"("type":"hello")"), qPrintable(messages.first()));

    const QJsonObject error = QJsonDocument::fromJson(messages[messages.size() - 2].toUtf8()).object();
    QCOMPARE(error.value("type").toString(), QStringLiteral("error"));
    QCOMPARE(error.value("code").toString(), QStringLiteral("invalid_token"));
    QCOMPARE(messages.last(), QStringLiteral("close 1008"));
}

void StreamTest::messagesSentWithUpgradeReadInOrder()
{
    const QStringList messages = pipelinedStream(
        quint16(m_server->port()),
        {"not json", R"({"type":"auth","token":"not-a-valid-token-not-a-valid-token-00"})"});
    QVERIFY2(messages.size() >= 4, qPrintable(messages.join('\n')));

    QStringList errorCodes;
    for (const QString& message : messages) {
        const QJsonObject object = QJsonDocument::fromJson(message.toUtf8()).object();
        if (object.value("type").toString() == QStringLiteral("error"))
            errorCodes.append(object.value("code").toString());
    }
    QCOMPARE(errorCodes, (QStringList{"invalid_message", "invalid_token"}));
    QCOMPARE(messages.last(), QStringLiteral("close 1008"));
}

void StreamTest::logoutEndsHeaderAuthStream()
{
    verifyLogoutEndsStream(true);
}

void StreamTest::logoutEndsMessageAuthStream()
{
    verifyLogoutEndsStream(false);
}

void StreamTest::invalidMessagesGetErrors()
{
    StreamClient client(m_server->webSocketUrl("/api/v1/stream"));
    QVERIFY(client.waitForConnected());
    client.sendText("garbage");
    client.sendText(R"({"type":"hello"})");
    QVERIFY2(client.waitFor([&] { return client.messagesOfType("error").size() >= 2; }),
             qPrintable(client.transcript()));

    for (const QJsonObject& error : client.messagesOfType("error")) {
        QCOMPARE(error.value("code").toString(), QStringLiteral("invalid_message"));
        QVERIFY2(error.value("message").toString().contains(R"({"type":"auth","token":"..."})"),
                 qPrintable(client.transcript()));
    }
    QVERIFY2(client.messagesOfType("error").last().value("message").toString().contains("hello"),
             qPrintable(client.transcript()));

    // The stream stays open and keeps delivering quotes.
    QVERIFY(client.waitForQuote(latestQuoteId(*m_server) + 2));
    QVERIFY(client.socket().state() == QAbstractSocket::ConnectedState);
}

void StreamTest::binaryFrameClosesUnsupported()
{
    StreamClient client(m_server->webSocketUrl("/api/v1/stream"));
    QVERIFY(client.waitForConnected());
    client.socket().sendBinaryMessage(QByteArray("\x01\x02"));
    QVERIFY2(client.waitForDisconnected(), qPrintable(client.transcript()));

    const QList<QJsonObject> errors = client.messagesOfType("error");
    QVERIFY2(errors.size() == 1, qPrintable(client.transcript()));
    QCOMPARE(errors.first().value("code").toString(), QStringLiteral("invalid_message"));
    QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodeDatatypeNotSupported);
}

void StreamTest::shutdownClosesWithGoingAway()
{
    ServerProcess::Options options;
    options.tickMs = tickMs;
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));

    StreamClient client(server.webSocketUrl("/api/v1/stream"));
    QVERIFY(client.waitForConnected());
    QVERIFY(client.waitFor([&] { return client.quoteIds().size() >= 3; }));

    QVERIFY2(server.stop(), qPrintable(server.errorString()));
    QVERIFY2(client.waitForDisconnected(), "the stream stayed open after the server exited");
    QCOMPARE(client.socket().closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    const qint64 lastSeen = client.quoteIds().last();

    // After a restart on the same database, resuming continues without a gap.
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    StreamClient resumed(
        server.webSocketUrl(QStringLiteral("/api/v1/stream?after_id=%1").arg(lastSeen)));
    QVERIFY(resumed.waitForConnected());
    QVERIFY(resumed.waitForQuote(latestQuoteId(server) + 3));
    const QList<qint64> ids = resumed.quoteIds();
    QCOMPARE(ids.first(), lastSeen + 1);
    for (qsizetype i = 1; i < ids.size(); ++i)
        QCOMPARE(ids.at(i), ids.at(i - 1) + 1);
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

// A client that stops reading is dropped once more than 1024 messages wait
// in its send queue, while the other clients keep getting every quote.
// Wallet pushes from a burst of orders fill its queue in seconds, long
// before the 40 s keep-alive timeout would drop it.
void StreamTest::stalledClientDroppedAtQueueCap()
{
    ServerProcess::Options options;
    options.tickMs = tickMs;
    options.startingCash = QStringLiteral("1000000.00");
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const Account account = createAccount(server);

    StreamClient watcher(server.webSocketUrl("/api/v1/stream"));
    QVERIFY(watcher.waitForConnected());
    QVERIFY(watcher.waitFor([&] { return !watcher.quoteIds().isEmpty(); }));
    StalledStream stalled(quint16(server.port()), account.token);
    QVERIFY(stalled.upgraded());

    // Each order pushes the wallet to the stalled stream; the server's
    // socket buffers take a few hundred of them before its queue grows.
    const QByteArray dropped = "dropped: more than 1024 messages";
    const int orders = placeOrders(server, account.token, 6000, dropped);
    QVERIFY(orders >= 0);
    QVERIFY2(server.standardError().contains(dropped),
             qPrintable(QStringLiteral("still open after %1 orders").arg(orders)));
    QVERIFY2(orders > 1024, qPrintable(QString::number(orders)));
    QVERIFY(stalled.closedByServer(waitMs));

    // The other client kept receiving every quote, in order, and is current.
    QVERIFY(watcher.waitForQuote(latestQuoteId(server)));
    const QList<qint64> ids = watcher.quoteIds();
    for (qsizetype i = 1; i < ids.size(); ++i)
        QCOMPARE(ids.at(i), ids.at(i - 1) + 1);
    QVERIFY(watcher.socket().state() == QAbstractSocket::ConnectedState);
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

// A client that stopped reading while a write to it is pending would keep
// its close frame from going out. SIGTERM ends such a stream after the
// close timeout instead of waiting out the whole shutdown.
void StreamTest::shutdownNotHeldByStalledClient()
{
    ServerProcess::Options options;
    options.tickMs = tickMs;
    options.startingCash = QStringLiteral("1000000.00");
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const Account account = createAccount(server);
    StalledStream stalled(quint16(server.port()), account.token);
    QVERIFY(stalled.upgraded());

    // A thousand wallet pushes fill the socket buffers but not the
    // 1024-message queue, so the stream stays open with a write pending.
    QCOMPARE(placeOrders(server, account.token, 1000), 1000);
    QVERIFY(!server.standardError().contains("dropped: more than"));

    QElapsedTimer timer;
    timer.start();
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
    // The close timeout is 2 s. Without it the stream held the server until
    // its own shutdown deadline, 9 s.
    QVERIFY2(timer.elapsed() < 7'000, qPrintable(QStringLiteral("%1 ms").arg(timer.elapsed())));
}

// A client that falls behind but reads again gets the error and a close
// frame with 1013 (try again later) after the messages already in flight.
void StreamTest::slowClientGetsErrorBeforeClose()
{
    ServerProcess::Options options;
    options.tickMs = tickMs;
    options.startingCash = QStringLiteral("1000000.00");
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const Account account = createAccount(server);
    StalledStream slow(quint16(server.port()), account.token);
    QVERIFY(slow.upgraded());

    const QByteArray dropped = "dropped: more than 1024 messages";
    const int orders = placeOrders(server, account.token, 6000, dropped);
    QVERIFY(orders >= 0);
    QVERIFY2(server.standardError().contains(dropped),
             qPrintable(QStringLiteral("still open after %1 orders").arg(orders)));

    const QByteArray received = slow.readAll(waitMs);
    const qsizetype error = received.indexOf(R"("code":"too_slow")");
    QVERIFY2(error > 0, qPrintable(QStringLiteral("no too_slow error in %1 bytes").arg(received.size())));
    // A close frame (opcode 8) whose payload starts with 1013, big-endian.
    const qsizetype close = received.indexOf(QByteArray::fromHex("880203f5"), error);
    QVERIFY2(close > error, "no close frame with 1013 after the error");
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

// Beast sends a keep-alive ping after 20 s without incoming traffic. To a
// client that stopped reading, that ping waits behind a pending write, and
// its completion runs after the dropped session is freed. The server must
// survive it.
void StreamTest::stalledClientWithPendingPingDropped()
{
    ServerProcess::Options options;
    options.tickMs = tickMs;
    options.startingCash = QStringLiteral("1000000.00");
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const Account account = createAccount(server);
    StalledStream stalled(quint16(server.port()), account.token);
    QVERIFY(stalled.upgraded());

    // Fill the socket buffers so that a write is pending when the ping is due.
    QCOMPARE(placeOrders(server, account.token, 1000), 1000);
    QTest::qWait(22'000);

    const QByteArray dropped = "dropped: more than 1024 messages";
    QVERIFY(placeOrders(server, account.token, 6000, dropped) >= 0);
    QVERIFY2(server.standardError().contains(dropped), "the stalled stream was not dropped");
    // The close deadline (2 s) ends the session, then the ping's write completes.
    QTest::qWait(4'000);
    QVERIFY2(server.isRunning(), qPrintable(server.standardError().right(2000)));
    QCOMPARE(HttpClient(server.baseUrl()).get("/up").status, 200);
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

QTEST_GUILESS_MAIN(StreamTest)
#include "tst_stream.moc"
