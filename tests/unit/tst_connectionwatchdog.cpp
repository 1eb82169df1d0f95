// Tests of ConnectionWatchdog on connected Unix socket pairs: a socket past
// its deadline is shut down so a blocked read ends, and a socket that is
// unwatched, forgotten or still within its deadline is left alone.
#include "server/connectionwatchdog.h"

#include <QElapsedTimer>
#include <QTest>
#include <QThread>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <memory>

using valiant::server::ConnectionWatchdog;
using namespace std::chrono_literals;

namespace {

/// Both ends of a connected stream socket pair, closed at the end of scope.
struct SocketPair
{
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends.data()); }
    ~SocketPair()
    {
        ::close(ends[0]);
        ::close(ends[1]);
    }
    SocketPair(const SocketPair&) = delete;
    SocketPair& operator=(const SocketPair&) = delete;

    int watched() const { return ends[0]; }
    int peer() const { return ends[1]; }

    std::array<int, 2> ends{-1, -1};
};

/// Whether `socket` becomes readable within `timeoutMs`.
bool readable(int socket, int timeoutMs)
{
    pollfd entry{socket, POLLIN, 0};
    return ::poll(&entry, 1, timeoutMs) == 1;
}

/// Whether a byte sent from `from` arrives at `to`, so the connection works.
bool carriesData(int from, int to)
{
    const char sent = 'x';
    if (::send(from, &sent, 1, MSG_NOSIGNAL) != 1 || !readable(to, 1000))
        return false;
    char received = 0;
    return ::recv(to, &received, 1, 0) == 1 && received == sent;
}

}  // namespace

class TestConnectionWatchdog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void deadlinePassedShutsDown();
    void unwatchedSocketLeftOpen();
    void forgottenSocketLeftOpen();
    void shutDownAllIgnoresDeadlines();
    void negativeSocketIgnored();
    void reusedNumberLeftAlone();
};

void TestConnectionWatchdog::deadlinePassedShutsDown()
{
    SocketPair sockets;
    QVERIFY(sockets.watched() >= 0);
    ConnectionWatchdog watchdog(QStringLiteral("a test peer"));

    QElapsedTimer timer;
    timer.start();
    const auto ticket = watchdog.watch(sockets.watched(),
                                       ConnectionWatchdog::Clock::now() + 200ms, "a test read");
    // The peer sends nothing, so only the shutdown ends this wait.
    QVERIFY2(readable(sockets.watched(), 5000), "the watched socket was not shut down");
    const qint64 elapsedMs = timer.elapsed();
    QVERIFY2(elapsedMs >= 190, qPrintable(QStringLiteral("shut down after %1 ms").arg(elapsedMs)));

    char byte = 0;
    QCOMPARE(::recv(sockets.watched(), &byte, 1, 0), ssize_t(0));
    QVERIFY(watchdog.unwatch(ticket));
    QVERIFY(!watchdog.unwatch(ticket));
}

void TestConnectionWatchdog::unwatchedSocketLeftOpen()
{
    SocketPair sockets;
    ConnectionWatchdog watchdog(QStringLiteral("a test peer"));

    const auto ticket = watchdog.watch(sockets.watched(),
                                       ConnectionWatchdog::Clock::now() + 100ms, "a test read");
    QVERIFY(!watchdog.unwatch(ticket));
    QThread::msleep(300);

    QVERIFY(!readable(sockets.watched(), 0));
    QVERIFY(carriesData(sockets.peer(), sockets.watched()));
    QVERIFY(carriesData(sockets.watched(), sockets.peer()));
}

void TestConnectionWatchdog::forgottenSocketLeftOpen()
{
    SocketPair sockets;
    ConnectionWatchdog watchdog(QStringLiteral("a test peer"));

    const auto ticket = watchdog.watch(sockets.watched(),
                                       ConnectionWatchdog::Clock::now() + 100ms, "a test read");
    watchdog.forget(sockets.watched());
    QThread::msleep(300);

    QVERIFY(!watchdog.unwatch(ticket));
    QVERIFY(carriesData(sockets.peer(), sockets.watched()));
}

void TestConnectionWatchdog::shutDownAllIgnoresDeadlines()
{
    SocketPair first;
    SocketPair second;
    SocketPair unwatched;
    ConnectionWatchdog watchdog(QStringLiteral("a test peer"));

    const auto late = ConnectionWatchdog::Clock::now() + 1h;
    const auto firstTicket = watchdog.watch(first.watched(), late, "a test read");
    const auto secondTicket =
        watchdog.watch(second.watched(), ConnectionWatchdog::Clock::time_point::max(), "a migration");
    QCOMPARE(watchdog.shutDownAll(), 2);
    // Sockets already shut down are not counted again.
    QCOMPARE(watchdog.shutDownAll(), 0);

    QVERIFY(readable(first.watched(), 1000));
    QVERIFY(readable(second.watched(), 1000));
    QVERIFY(watchdog.unwatch(firstTicket));
    QVERIFY(watchdog.unwatch(secondTicket));
    QVERIFY(carriesData(unwatched.peer(), unwatched.watched()));
}

void TestConnectionWatchdog::negativeSocketIgnored()
{
    ConnectionWatchdog watchdog(QStringLiteral("a test peer"));
    // A broken libpq connection reports socket -1.
    const auto ticket = watchdog.watch(-1, ConnectionWatchdog::Clock::now(), "a test read");
    QThread::msleep(100);
    QCOMPARE(watchdog.shutDownAll(), 0);
    QVERIFY(!watchdog.unwatch(ticket));
}

void TestConnectionWatchdog::reusedNumberLeftAlone()
{
    ConnectionWatchdog watchdog(QStringLiteral("a test peer"));
    auto closed = std::make_unique<SocketPair>();
    const int number = closed->watched();
    const auto ticket =
        watchdog.watch(number, ConnectionWatchdog::Clock::now() + 200ms, "a test read");

    // libpq closes its socket when the connection breaks, and the next
    // socket opened takes the lowest free number, which is the same one.
    closed.reset();
    SocketPair reused;
    QCOMPARE(reused.watched(), number);
    QThread::msleep(400);

    QVERIFY(carriesData(reused.peer(), reused.watched()));
    QCOMPARE(watchdog.shutDownAll(), 0);
    QVERIFY(carriesData(reused.peer(), reused.watched()));
    QVERIFY(watchdog.unwatch(ticket));
}

QTEST_GUILESS_MAIN(TestConnectionWatchdog)
#include "tst_connectionwatchdog.moc"
