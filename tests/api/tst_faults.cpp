// Black-box tests of how a real valiant-server treats hostile or broken
// clients: a Content-Length of 10 GiB, connections that stay silent or
// trickle a request byte by byte, a flood of half-open requests, and the
// per-address connection cap. The servers run with short timeouts
// (--request-timeout, --idle-timeout) so that the suite ends in well under
// a minute.

#include "support/httpclient.h"
#include "support/serverprocess.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QTcpSocket>
#include <QTest>
#include <QScopeGuard>
#include <QThread>

#include <memory>
#include <vector>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace valiant::test;

namespace {

constexpr int timeoutSeconds = 2;
constexpr int floodSize = 500;

std::unique_ptr<ServerProcess> startServer(const QStringList& arguments)
{
    ServerProcess::Options options;
    options.tickMs = 3'600'000;
    options.extraArguments = arguments;
    auto server = std::make_unique<ServerProcess>(options);
    if (!server->start()) {
        qWarning().noquote() << server->errorString();
        return nullptr;
    }
    return server;
}

std::unique_ptr<QTcpSocket> connectFrom(const QString& sourceAddress, int port)
{
    auto socket = std::make_unique<QTcpSocket>();
    if (!sourceAddress.isEmpty() && !socket->bind(QHostAddress(sourceAddress))) {
        return nullptr;
    }
    socket->connectToHost(QHostAddress::LocalHost, quint16(port));
    if (!socket->waitForConnected(5000)) {
        return nullptr;
    }
    return socket;
}

/// Waits until the server closes `socket`, reading whatever it sends.
/// Returns the milliseconds that took, or -1 when it stays open past `limitMs`.
qint64 waitForClose(QTcpSocket& socket, int limitMs, QByteArray* received = nullptr)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < limitMs) {
        socket.waitForReadyRead(50);
        const QByteArray bytes = socket.readAll();
        if (received) {
            *received += bytes;
        }
        if (socket.state() != QAbstractSocket::ConnectedState) {
            return timer.elapsed();
        }
    }
    return -1;
}

/// Sends GET /up on `socket` and reads its response, keeping the bytes in
/// `received`. Returns nothing when no whole response arrives within 5 s.
std::optional<HttpResponse> getUp(QTcpSocket& socket, QByteArray* received)
{
    socket.write("GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::optional<HttpResponse> response;
    const QDeadlineTimer deadline(5000);
    while (!response && !deadline.hasExpired()) {
        socket.waitForReadyRead(50);
        *received += socket.readAll();
        response = RawHttp::parseResponse(*received, false);
    }
    return response;
}

/// GET /up on a new connection; returns the status and sets `elapsedMs`.
int timedUp(const ServerProcess& server, qint64* elapsedMs)
{
    QElapsedTimer timer;
    timer.start();
    const HttpResponse response = HttpClient(server.baseUrl(), 5000).get(QStringLiteral("/up"));
    *elapsedMs = timer.elapsed();
    return response.status;
}

}  // namespace

class FaultsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void hugeContentLengthRejectedUnread();
    void silentConnectionClosed();
    void tricklingRequestClosed();
    void idleKeepAliveClosed();
    void secondRequestHeadersTimedOut();
    void closingResponseSurvivesPipelining();
    void halfOpenFloodKeepsUpAnswering();
    void connectionCapPerAddress();
    void secondSqliteGeneratorRejected();

private:
    std::unique_ptr<ServerProcess> m_server;
};

void FaultsTest::initTestCase()
{
    QVERIFY2(!ServerProcess::serverBinary().isEmpty(), "VALIANT_SERVER_BIN is not set");
    m_server = startServer({QStringLiteral("--request-timeout"), QString::number(timeoutSeconds),
                            QStringLiteral("--idle-timeout"), QString::number(timeoutSeconds)});
    QVERIFY(m_server);
}

void FaultsTest::cleanupTestCase()
{
    if (m_server) {
        QVERIFY2(m_server->stop(), qPrintable(m_server->errorString()));
    }
}

void FaultsTest::hugeContentLengthRejectedUnread()
{
    // Headers only: a server that waited for the 10 GiB body would time out
    // instead of responding.
    const auto socket = connectFrom({}, m_server->port());
    QVERIFY(socket);
    QElapsedTimer timer;
    timer.start();
    socket->write("POST /api/v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "Content-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n");

    QByteArray received;
    std::optional<HttpResponse> response;
    while (!response && timer.elapsed() < 1000 * timeoutSeconds) {
        socket->waitForReadyRead(50);
        received += socket->readAll();
        response = RawHttp::parseResponse(received, socket->state() != QAbstractSocket::ConnectedState);
    }
    QVERIFY2(response, received.constData());
    QCOMPARE(response->status, 413);
    QCOMPARE(response->errorCode(), QStringLiteral("body_too_large"));
    QVERIFY2(response->errorMessage().contains(QStringLiteral("10737418240")),
             qPrintable(response->errorMessage()));
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QStringLiteral("413 after %1 ms").arg(timer.elapsed())));

    // The server closes the connection rather than wait for the body.
    QVERIFY(waitForClose(*socket, 5000) >= 0);
}

void FaultsTest::silentConnectionClosed()
{
    const auto socket = connectFrom({}, m_server->port());
    QVERIFY(socket);
    const qint64 closedAfter = waitForClose(*socket, 1000 * (timeoutSeconds + 3));
    QVERIFY2(closedAfter >= 0, "a connection that sent nothing stayed open");
    QVERIFY2(closedAfter >= 1000 * timeoutSeconds - 200, qPrintable(QString::number(closedAfter)));
}

void FaultsTest::tricklingRequestClosed()
{
    // One byte every 200 ms keeps the socket busy, but the deadline covers
    // the whole request line and headers.
    const auto socket = connectFrom({}, m_server->port());
    QVERIFY(socket);
    const QByteArray request = "GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + QByteArray(200, 'a');
    QElapsedTimer timer;
    timer.start();
    for (const char byte : request) {
        socket->write(&byte, 1);
        socket->waitForBytesWritten(100);
        socket->waitForReadyRead(200);
        socket->readAll();
        if (socket->state() != QAbstractSocket::ConnectedState) {
            break;
        }
    }
    QVERIFY2(socket->state() != QAbstractSocket::ConnectedState,
             "a request trickled byte by byte was read to its end");
    QVERIFY2(timer.elapsed() < 1000 * (timeoutSeconds + 3), qPrintable(QString::number(timer.elapsed())));
}

void FaultsTest::idleKeepAliveClosed()
{
    const auto socket = connectFrom({}, m_server->port());
    QVERIFY(socket);
    QByteArray received;
    const std::optional<HttpResponse> response = getUp(*socket, &received);
    QVERIFY2(response, received.constData());
    QCOMPARE(response->status, 200);

    const qint64 closedAfter = waitForClose(*socket, 1000 * (timeoutSeconds + 3));
    QVERIFY2(closedAfter >= 0, "an idle keep-alive connection stayed open");
}

// The idle keep-alive timeout covers the wait for the next request to
// begin. Its headers then get the request timeout, like the first one's.
void FaultsTest::secondRequestHeadersTimedOut()
{
    const int idleSeconds = 10;
    const auto server = startServer({QStringLiteral("--request-timeout"), QString::number(timeoutSeconds),
                                     QStringLiteral("--idle-timeout"), QString::number(idleSeconds)});
    QVERIFY(server);
    const auto socket = connectFrom({}, server->port());
    QVERIFY(socket);
    QByteArray received;
    const std::optional<HttpResponse> response = getUp(*socket, &received);
    QVERIFY2(response, received.constData());
    QCOMPARE(response->status, 200);

    // The second request's headers, one byte every 250 ms.
    const QByteArray second = "GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: abcdefghijklmnopqrstuvwxyz\r\n";
    QElapsedTimer timer;
    timer.start();
    for (qsizetype i = 0; i < second.size() && socket->state() == QAbstractSocket::ConnectedState; ++i) {
        socket->write(second.mid(i, 1));
        socket->waitForBytesWritten(100);
        socket->waitForDisconnected(250);
    }
    QVERIFY2(socket->state() != QAbstractSocket::ConnectedState, "the trickled request was never cut off");
    QVERIFY2(timer.elapsed() < 1000 * (timeoutSeconds + 3),
             qPrintable(QStringLiteral("cut off after %1 ms").arg(timer.elapsed())));
}

// A client may send its next request before reading a response that
// closes the connection. The server must not reset the connection with
// that request unread, or the client loses the rest of the response.
void FaultsTest::closingResponseSurvivesPipelining()
{
    ServerProcess::Options options;
    options.tickMs = 10;
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    // 200 quotes make a response of about 16 KiB.
    QThread::msleep(2500);

    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    const auto closeSocket = qScopeGuard([fd] { ::close(fd); });
    // A small receive buffer keeps most of the response in the server's send buffer.
    const int receiveBuffer = 4096;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(quint16(server.port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);

    const QByteArray first = "GET /api/v1/quotes?limit=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Connection: close\r\n\r\n";
    QCOMPARE(::send(fd, first.constData(), size_t(first.size()), MSG_NOSIGNAL), first.size());
    QThread::msleep(300);
    const QByteArray second = "GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    QCOMPARE(::send(fd, second.constData(), size_t(second.size()), MSG_NOSIGNAL), second.size());
    QThread::msleep(300);

    QByteArray received;
    int lastError = 0;
    const QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        pollfd readable{fd, POLLIN, 0};
        if (::poll(&readable, 1, 100) <= 0)
            continue;
        char chunk[4096];
        const ssize_t bytes = ::recv(fd, chunk, sizeof chunk, 0);
        if (bytes <= 0) {
            lastError = bytes < 0 ? errno : 0;
            break;
        }
        received.append(chunk, qsizetype(bytes));
    }
    QCOMPARE(lastError, 0);
    const std::optional<HttpResponse> response = RawHttp::parseResponse(received, true);
    QVERIFY2(response, qPrintable(QStringLiteral("incomplete response of %1 bytes").arg(received.size())));
    QCOMPARE(response->status, 200);
    QVERIFY2(received.size() > 2 * receiveBuffer,
             qPrintable(QStringLiteral("a response of only %1 bytes").arg(received.size())));
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

void FaultsTest::halfOpenFloodKeepsUpAnswering()
{
    // The flood uses the server's default 30 s request timeout, so no
    // connection of it ends during the test.
    const auto server = startServer({});
    QVERIFY(server);

    std::vector<std::unique_ptr<QTcpSocket>> flood;
    for (int i = 0; i < floodSize; ++i) {
        auto socket = connectFrom({}, server->port());
        QVERIFY2(socket, qPrintable(QStringLiteral("connection %1 failed").arg(i)));
        socket->write("GET /api/v1/quotes/latest HTTP/1.1\r\nHo");
        socket->flush();
        flood.push_back(std::move(socket));
    }

    for (int attempt = 0; attempt < 5; ++attempt) {
        qint64 elapsedMs = 0;
        QCOMPARE(timedUp(*server, &elapsedMs), 200);
        QVERIFY2(elapsedMs < 1000, qPrintable(QStringLiteral("GET /up took %1 ms").arg(elapsedMs)));
    }

    // Every half-open connection is still open: the server did not cope by
    // dropping them early, and the test measured /up under the full flood.
    int open = 0;
    for (const auto& socket : flood) {
        socket->waitForReadyRead(0);
        open += socket->state() == QAbstractSocket::ConnectedState ? 1 : 0;
    }
    QCOMPARE(open, floodSize);
}

void FaultsTest::connectionCapPerAddress()
{
    constexpr int cap = 50;
    const auto server = startServer({QStringLiteral("--max-connections-per-address"), QString::number(cap)});
    QVERIFY(server);

    // The first `cap` connections from 127.0.0.2 stall half-open.
    std::vector<std::unique_ptr<QTcpSocket>> held;
    for (int i = 0; i < cap; ++i) {
        auto socket = connectFrom(QStringLiteral("127.0.0.2"), server->port());
        QVERIFY(socket);
        socket->write("GET /up HTTP/1.1\r\nHo");
        socket->flush();
        held.push_back(std::move(socket));
    }
    // Give the server time to count them all before the next one arrives.
    QThread::msleep(300);

    // One more from the same address gets 429 at once and is closed.
    const auto extra = connectFrom(QStringLiteral("127.0.0.2"), server->port());
    QVERIFY(extra);
    extra->write("GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray received;
    QVERIFY2(waitForClose(*extra, 3000, &received) >= 0, "the connection over the cap stayed open");
    const auto rejected = RawHttp::parseResponse(received, true);
    QVERIFY2(rejected, received.constData());
    QCOMPARE(rejected->status, 429);
    QCOMPARE(rejected->errorCode(), QStringLiteral("rate_limited"));
    QCOMPARE(rejected->header("Retry-After"), QByteArray("1"));

    // Other addresses are not affected.
    qint64 elapsedMs = 0;
    QCOMPARE(timedUp(*server, &elapsedMs), 200);

    // Closing one held connection frees a slot for the address.
    held.front()->abort();
    held.erase(held.begin());
    QThread::msleep(300);
    const auto again = connectFrom(QStringLiteral("127.0.0.2"), server->port());
    QVERIFY(again);
    again->write("GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    received.clear();
    QVERIFY(waitForClose(*again, 5000, &received) >= 0);
    const auto answered = RawHttp::parseResponse(received, true);
    QVERIFY2(answered, received.constData());
    QCOMPARE(answered->status, 200);
}

void FaultsTest::secondSqliteGeneratorRejected()
{
    ServerProcess first;
    QVERIFY2(first.start(), qPrintable(first.errorString()));
    const QStringList sameFile{QStringLiteral("--database"), first.databaseUrl()};

    // A second generator on the running server's SQLite file would add a
    // second quote per tick.
    ServerProcess second(ServerProcess::Options{1000, QStringLiteral("100.00"), sameFile});
    QVERIFY(!second.start());
    QVERIFY2(second.errorString().contains(QStringLiteral("already generates quotes")),
             qPrintable(second.errorString()));
    QVERIFY2(second.errorString().contains(QString::number(first.processId())),
             qPrintable(second.errorString()));

    // Without a generator it may share the file.
    ServerProcess reader(ServerProcess::Options{
        1000, QStringLiteral("100.00"), sameFile + QStringList{QStringLiteral("--generator"),
                                                               QStringLiteral("off")}});
    QVERIFY2(reader.start(), qPrintable(reader.errorString()));
    QVERIFY2(reader.stop(), qPrintable(reader.errorString()));

    // The lock of a killed generator does not block the next one.
    first.kill();
    ServerProcess next(ServerProcess::Options{1000, QStringLiteral("100.00"), sameFile});
    QVERIFY2(next.start(), qPrintable(next.errorString()));
    QVERIFY2(next.stop(), qPrintable(next.errorString()));
}

QTEST_GUILESS_MAIN(FaultsTest)
#include "tst_faults.moc"
