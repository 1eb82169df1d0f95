#include "server/streamhub.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTest>

using namespace valiant::core;
using valiant::server::StreamHub;
using valiant::server::StreamSink;

namespace {

/// A stream client that keeps every message the hub queues for it.
class RecordingSink final : public StreamSink
{
public:
    void deliverQuote(const Quote&,
                      const std::shared_ptr<const valiant::server::QuoteMessage>& message) override
    {
        deliver(std::make_shared<const QByteArray>(message->text().toByteArray()), 0);
    }

    void deliver(std::shared_ptr<const QByteArray> message, std::int64_t walletVersion) override
    {
        QMutexLocker locker(&m_mutex);
        m_messages.append(*message);
        m_walletVersions.append(walletVersion);
    }

    void closeGoingAway() override {}
    void runFanOut(std::function<void()> job) override { job(); }

    /// The cash of each wallet message received so far.
    QStringList walletCash() const
    {
        QMutexLocker locker(&m_mutex);
        QStringList cash;
        for (const QByteArray& message : m_messages) {
            const QJsonObject object = QJsonDocument::fromJson(message).object();
            if (object.value(QStringLiteral("type")) == QStringLiteral("portfolio"))
                cash.append(object.value(QStringLiteral("cash")).toString());
        }
        return cash;
    }

    QList<std::int64_t> walletVersions() const
    {
        QMutexLocker locker(&m_mutex);
        return m_walletVersions;
    }

private:
    mutable QMutex m_mutex;
    QList<QByteArray> m_messages;
    QList<std::int64_t> m_walletVersions;  // one per message, 0 for quotes
};

// The lane whose fan-out job runs on this thread, -1 outside one.
thread_local int runningLane = -1;

/// A stream client of a known lane. Like the network layer's strands, its
/// runFanOut() marks the job's lane, and deliverQuote() counts quotes that
/// arrive outside a job of its own lane.
class LaneSink final : public StreamSink
{
public:
    explicit LaneSink(int lane) : m_lane(lane) {}

    void deliverQuote(const Quote& quote,
                      const std::shared_ptr<const valiant::server::QuoteMessage>&) override
    {
        QMutexLocker locker(&m_mutex);
        m_quoteIds.append(quote.id);
        if (runningLane != m_lane)
            ++m_foreignDeliveries;
    }

    void deliver(std::shared_ptr<const QByteArray>, std::int64_t) override {}
    void closeGoingAway() override {}

    void runFanOut(std::function<void()> job) override
    {
        const int outer = runningLane;
        runningLane = m_lane;
        job();
        runningLane = outer;
    }

    QList<std::int64_t> quoteIds() const
    {
        QMutexLocker locker(&m_mutex);
        return m_quoteIds;
    }

    int foreignDeliveries() const
    {
        QMutexLocker locker(&m_mutex);
        return m_foreignDeliveries;
    }

private:
    const int m_lane;
    mutable QMutex m_mutex;
    QList<std::int64_t> m_quoteIds;
    int m_foreignDeliveries = 0;
};

Quote quoteWithId(std::int64_t id)
{
    Quote quote;
    quote.id = id;
    quote.price = Money::fromCents(10000);
    quote.createdMs = 1'700'000'000'000;
    return quote;
}

Portfolio walletWithCash(std::int64_t cents)
{
    Portfolio portfolio;
    portfolio.holdings.cash = Money::fromCents(cents);
    return portfolio;
}

}  // namespace

class TestStreamHub : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void walletReachesOnlyItsAccount();
    void walletFollowsAccountChanges();
    void walletVersionReachesSessions();
    void reservedLanesStayBalanced();
    void quotesReachSinksInTheirLane();
    void quoteMessageFramedOnce();
    void quotesFollowMemberChanges();
    void detachReleasesSink();
};

void TestStreamHub::quoteMessageFramedOnce()
{
    const QByteArray text = QByteArray(200, 'x');
    const valiant::server::QuoteMessage message(text);
    QCOMPARE(message.text().toByteArray(), text);
    // FIN and opcode 1, then 126 and the length as 16 bits, big-endian.
    QCOMPARE(message.frame().left(4), QByteArray("\x81\x7e\x00\xc8", 4));
    QCOMPARE(message.frame().mid(4), text);
}

void TestStreamHub::quotesFollowMemberChanges()
{
    // The hub keeps a lane's list of sinks between quotes, so a sink that
    // joins or leaves between two quotes tests that the list is rebuilt.
    StreamHub hub(1);
    auto first = std::make_shared<LaneSink>(0);
    auto second = std::make_shared<LaneSink>(0);
    hub.attach(first, 0);
    hub.broadcastQuote(quoteWithId(1));

    hub.attach(second, 0);
    hub.broadcastQuote(quoteWithId(2));

    hub.detach(first.get());
    hub.broadcastQuote(quoteWithId(3));

    QCOMPARE(first->quoteIds(), (QList<std::int64_t>{1, 2}));
    QCOMPARE(second->quoteIds(), (QList<std::int64_t>{2, 3}));
}

void TestStreamHub::detachReleasesSink()
{
    StreamHub hub(2);
    auto sink = std::make_shared<LaneSink>(0);
    auto neighbour = std::make_shared<LaneSink>(0);
    hub.attach(sink, 0, 0);
    hub.attach(neighbour, 0, 0);
    hub.broadcastQuote(quoteWithId(1));
    QCOMPARE(sink->quoteIds(), (QList<std::int64_t>{1}));

    const std::weak_ptr<LaneSink> watched = sink;
    hub.detach(sink.get());
    sink.reset();
    QVERIFY(watched.expired());

    hub.broadcastQuote(quoteWithId(2));
    QCOMPARE(neighbour->quoteIds(), (QList<std::int64_t>{1, 2}));
}

void TestStreamHub::reservedLanesStayBalanced()
{
    StreamHub hub(3);
    QCOMPARE(hub.laneCount(), 3);

    // Reservations count like members, so sessions still being set up
    // spread over the lanes too.
    QCOMPARE(hub.reserveLane(), std::size_t(0));
    QCOMPARE(hub.reserveLane(), std::size_t(1));
    QCOMPARE(hub.reserveLane(), std::size_t(2));
    hub.cancelLaneReservation(1);
    QCOMPARE(hub.reserveLane(), std::size_t(1));

    // Attaching turns lane 2's reservation into a member.
    auto member = std::make_shared<LaneSink>(2);
    hub.attach(member, 0, std::size_t(2));
    hub.cancelLaneReservation(0);
    QCOMPARE(hub.reserveLane(), std::size_t(0));
    QCOMPARE(hub.reserveLane(), std::size_t(0));  // all lanes at one: the first wins
    hub.cancelLaneReservation(0);
    hub.cancelLaneReservation(0);
    hub.cancelLaneReservation(1);
    QCOMPARE(hub.reserveLane(), std::size_t(0));
    QCOMPARE(hub.reserveLane(), std::size_t(1));
    QCOMPARE(hub.reserveLane(), std::size_t(0));

    hub.detach(member.get());
    QCOMPARE(hub.reserveLane(), std::size_t(2));
}

void TestStreamHub::quotesReachSinksInTheirLane()
{
    // Sessions of a lane share its strand in the network layer, which is
    // only safe when a lane's job delivers to that lane's sinks alone.
    StreamHub hub(3);
    std::vector<std::shared_ptr<LaneSink>> sinks;
    for (int index = 0; index < 30; ++index) {
        const std::size_t lane = hub.reserveLane();
        auto sink = std::make_shared<LaneSink>(static_cast<int>(lane));
        hub.attach(sink, 0, lane);
        sinks.push_back(std::move(sink));
    }
    hub.broadcastQuote(quoteWithId(1));
    hub.broadcastQuote(quoteWithId(2));

    for (const auto& sink : sinks) {
        QCOMPARE(sink->quoteIds(), (QList<std::int64_t>{1, 2}));
        QCOMPARE(sink->foreignDeliveries(), 0);
    }
}

void TestStreamHub::walletReachesOnlyItsAccount()
{
    StreamHub hub(2);
    auto first = std::make_shared<RecordingSink>();
    auto second = std::make_shared<RecordingSink>();
    auto other = std::make_shared<RecordingSink>();
    auto anonymous = std::make_shared<RecordingSink>();
    hub.attach(first, 1);
    hub.attach(second, 1);
    hub.attach(other, 2);
    hub.attach(anonymous, 0);

    hub.sendPortfolio(1, walletWithCash(150));

    QCOMPARE(first->walletCash(), QStringList{QStringLiteral("1.50")});
    QCOMPARE(second->walletCash(), QStringList{QStringLiteral("1.50")});
    QVERIFY(other->walletCash().isEmpty());
    QVERIFY(anonymous->walletCash().isEmpty());
    QVERIFY(hub.hasSessionsOf(1));
    QVERIFY(hub.hasSessionsOf(2));
    QVERIFY(!hub.hasSessionsOf(0));
    QVERIFY(!hub.hasSessionsOf(3));
}

void TestStreamHub::walletVersionReachesSessions()
{
    // Sessions drop a wallet older than one they queued, so each needs the
    // version of what it receives, from a push and from a refresh alike.
    StreamHub hub(1);
    auto session = std::make_shared<RecordingSink>();
    hub.attach(session, 1);

    Portfolio pushed = walletWithCash(150);
    pushed.holdings.version = 7;
    hub.sendPortfolio(1, pushed);
    Portfolio stored = walletWithCash(175);
    stored.holdings.version = 9;
    hub.refreshPortfolios([&](std::int64_t) { return std::optional<Portfolio>(stored); });

    QCOMPARE(session->walletVersions(), (QList<std::int64_t>{7, 9}));
}

void TestStreamHub::walletFollowsAccountChanges()
{
    StreamHub hub(2);
    auto session = std::make_shared<RecordingSink>();
    auto stays = std::make_shared<RecordingSink>();
    hub.attach(session, 0);
    hub.attach(stays, 1);

    // Signing in on an open stream, as with the first-message token.
    hub.setAccount(session.get(), 1);
    hub.sendPortfolio(1, walletWithCash(100));
    QCOMPARE(session->walletCash(), QStringList{QStringLiteral("1.00")});

    // Attaching again under another account moves the session.
    hub.attach(session, 2);
    hub.sendPortfolio(1, walletWithCash(200));
    hub.sendPortfolio(2, walletWithCash(300));
    QCOMPARE(session->walletCash(), (QStringList{QStringLiteral("1.00"), QStringLiteral("3.00")}));
    QCOMPARE(stays->walletCash(), (QStringList{QStringLiteral("1.00"), QStringLiteral("2.00")}));

    hub.detach(session.get());
    QVERIFY(!hub.hasSessionsOf(2));
    hub.sendPortfolio(2, walletWithCash(400));
    QCOMPARE(session->walletCash().size(), 2);

    hub.detach(stays.get());
    QVERIFY(!hub.hasSessionsOf(1));
    QCOMPARE(hub.sessionCount(), 0);
}

QTEST_GUILESS_MAIN(TestStreamHub)
#include "tst_streamhub.moc"
