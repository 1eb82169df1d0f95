// RedisBus against a real redis-server: fan-out between two buses, the
// degraded state during an outage and recovery after it, resuming from the
// last stream entry after a dropped connection, and an unreachable Redis.

#include "server/redisbus.h"
#include "support/redisserver.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QMutexLocker>
#include <QTest>

#include <memory>

using valiant::core::Money;
using valiant::core::Portfolio;
using valiant::core::Quote;
using valiant::server::RedisBus;
using valiant::server::RedisEndpoint;
using valiant::test::RedisServer;

namespace {

/// What one bus's handlers received, filled on its subscriber thread.
class Received
{
public:
    void attach(RedisBus& bus)
    {
        bus.subscribe(
            [this](const Quote& quote) {
                QMutexLocker locker(&m_mutex);
                m_quotes.append(quote);
            },
            [this](std::int64_t accountId, const Portfolio& portfolio) {
                QMutexLocker locker(&m_mutex);
                m_portfolios.append({accountId, portfolio});
            });
    }

    QList<Quote> quotes() const
    {
        QMutexLocker locker(&m_mutex);
        return m_quotes;
    }

    QList<QPair<std::int64_t, Portfolio>> portfolios() const
    {
        QMutexLocker locker(&m_mutex);
        return m_portfolios;
    }

    QList<std::int64_t> quoteIds() const
    {
        QList<std::int64_t> ids;
        for (const Quote& quote : quotes())
            ids.append(quote.id);
        return ids;
    }

private:
    mutable QMutex m_mutex;
    QList<Quote> m_quotes;
    QList<QPair<std::int64_t, Portfolio>> m_portfolios;
};

RedisEndpoint endpointOf(const RedisServer& redis)
{
    RedisEndpoint endpoint;
    endpoint.host = QStringLiteral("127.0.0.1");
    endpoint.port = redis.port();
    return endpoint;
}

Quote quote(std::int64_t id)
{
    return Quote{id, Money::fromCents(5000 + id), 1'790'000'000'000 + id * 1000};
}

QList<std::int64_t> range(std::int64_t first, std::int64_t last)
{
    QList<std::int64_t> ids;
    for (std::int64_t id = first; id <= last; ++id)
        ids.append(id);
    return ids;
}

}  // namespace

class TestRedisBus : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void quotesReachOtherBus();
    void portfoliosReachOtherBus();
    void portfolioFilterSkipsAccounts();
    void ownEntriesDeliveredOnce();
    void degradedWhileRedisDown();
    void resumesAfterDroppedConnection();
    void unreachableRedisFailsFast();

private:
    RedisServer m_redis;
};

void TestRedisBus::initTestCase()
{
    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
}

void TestRedisBus::init()
{
    if (!m_redis.isRunning())
        QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
    QCOMPARE(m_redis.command({QStringLiteral("FLUSHALL")}), QByteArray("+OK\r\n"));
}

void TestRedisBus::quotesReachOtherBus()
{
    RedisBus publisher(endpointOf(m_redis));
    RedisBus subscriber(endpointOf(m_redis));
    Received received;
    received.attach(subscriber);
    subscriber.start();
    QTRY_COMPARE_WITH_TIMEOUT(subscriber.state(), QStringLiteral("redis"), 5000);

    for (std::int64_t id = 1; id <= 5; ++id)
        publisher.publishQuote(quote(id));

    QTRY_COMPARE_WITH_TIMEOUT(received.quoteIds(), range(1, 5), 5000);
    const Quote third = received.quotes().at(2);
    QCOMPARE(third.price, quote(3).price);
    QCOMPARE(third.createdMs, quote(3).createdMs);
    QCOMPARE(m_redis.command({QStringLiteral("XLEN"), QString::fromLatin1(RedisBus::quoteStream)}),
             QByteArray(":5\r\n"));
}

void TestRedisBus::portfoliosReachOtherBus()
{
    RedisBus publisher(endpointOf(m_redis));
    RedisBus subscriber(endpointOf(m_redis));
    Received received;
    received.attach(subscriber);
    subscriber.start();
    QTRY_COMPARE_WITH_TIMEOUT(subscriber.state(), QStringLiteral("redis"), 5000);

    Portfolio portfolio;
    portfolio.holdings.cash = Money::fromCents(12345);
    portfolio.holdings.shares = 3;
    portfolio.holdings.costBasis = Money::fromCents(15000);
    portfolio.lastQuote = quote(7);
    publisher.publishPortfolio(42, portfolio);

    QTRY_COMPARE_WITH_TIMEOUT(received.portfolios().size(), 1, 5000);
    const auto [accountId, got] = received.portfolios().first();
    QCOMPARE(accountId, std::int64_t(42));
    QCOMPARE(got.holdings.cash, Money::fromCents(12345));
    QCOMPARE(got.holdings.shares, std::int64_t(3));
    QCOMPARE(got.holdings.costBasis, Money::fromCents(15000));
    QVERIFY(got.lastQuote.has_value());
    QCOMPARE(got.lastQuote->id, std::int64_t(7));
}

void TestRedisBus::portfolioFilterSkipsAccounts()
{
    RedisBus publisher(endpointOf(m_redis));
    RedisBus subscriber(endpointOf(m_redis));
    Received received;
    received.attach(subscriber);
    subscriber.setPortfolioFilter([](std::int64_t accountId) { return accountId == 42; });
    subscriber.start();
    QTRY_COMPARE_WITH_TIMEOUT(subscriber.state(), QStringLiteral("redis"), 5000);

    Portfolio portfolio;
    portfolio.holdings.cash = Money::fromCents(100);
    publisher.publishPortfolio(41, portfolio);
    publisher.publishPortfolio(42, portfolio);
    publisher.publishPortfolio(43, portfolio);
    // Entries arrive in order, so once this last one is in, 41 and 43 were skipped.
    portfolio.holdings.cash = Money::fromCents(200);
    publisher.publishPortfolio(42, portfolio);

    QTRY_COMPARE_WITH_TIMEOUT(received.portfolios().size(), 2, 5000);
    const auto portfolios = received.portfolios();
    QCOMPARE(portfolios.at(0).first, std::int64_t(42));
    QCOMPARE(portfolios.at(1).first, std::int64_t(42));
    QCOMPARE(portfolios.at(1).second.holdings.cash, Money::fromCents(200));
}

void TestRedisBus::ownEntriesDeliveredOnce()
{
    RedisBus bus(endpointOf(m_redis));
    Received received;
    received.attach(bus);
    bus.start();
    QTRY_COMPARE_WITH_TIMEOUT(bus.state(), QStringLiteral("redis"), 5000);

    bus.publishQuote(quote(1));
    bus.publishQuote(quote(2));
    QCOMPARE(received.quoteIds(), range(1, 2));  // delivered at once, in process

    // A third bus's entry proves the subscriber has read past our own two.
    RedisBus other(endpointOf(m_redis));
    other.publishQuote(quote(3));
    QTRY_COMPARE_WITH_TIMEOUT(received.quoteIds(), range(1, 3), 5000);
}

void TestRedisBus::degradedWhileRedisDown()
{
    RedisBus bus(endpointOf(m_redis));
    Received received;
    received.attach(bus);
    bus.start();
    QTRY_COMPARE_WITH_TIMEOUT(bus.state(), QStringLiteral("redis"), 5000);

    m_redis.kill();
    QTRY_COMPARE_WITH_TIMEOUT(bus.state(), QStringLiteral("degraded"), 5000);

    // Publishing while Redis is down still reaches this process's handlers.
    bus.publishQuote(quote(1));
    QCOMPARE(received.quoteIds(), range(1, 1));

    QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(bus.state(), QStringLiteral("redis"), 10000);

    RedisBus publisher(endpointOf(m_redis));
    publisher.publishQuote(quote(2));
    QTRY_COMPARE_WITH_TIMEOUT(received.quoteIds(), range(1, 2), 5000);
}

void TestRedisBus::resumesAfterDroppedConnection()
{
    RedisBus subscriber(endpointOf(m_redis));
    Received received;
    received.attach(subscriber);
    subscriber.start();
    QTRY_COMPARE_WITH_TIMEOUT(subscriber.state(), QStringLiteral("redis"), 5000);

    RedisBus first(endpointOf(m_redis));
    first.publishQuote(quote(1));
    QTRY_COMPARE_WITH_TIMEOUT(received.quoteIds(), range(1, 1), 5000);

    // Dropping every client connection makes the subscriber reconnect after
    // a backoff; entries added meanwhile must still arrive, in order.
    QVERIFY(m_redis.command({QStringLiteral("CLIENT"), QStringLiteral("KILL"),
                             QStringLiteral("TYPE"), QStringLiteral("normal")})
                .startsWith(':'));
    RedisBus second(endpointOf(m_redis));
    for (std::int64_t id = 2; id <= 30; ++id)
        second.publishQuote(quote(id));

    QTRY_COMPARE_WITH_TIMEOUT(received.quoteIds(), range(1, 30), 10000);
    QCOMPARE(subscriber.state(), QStringLiteral("redis"));
}

void TestRedisBus::unreachableRedisFailsFast()
{
    RedisServer unused;
    QVERIFY2(unused.start(), qPrintable(unused.errorString()));
    RedisEndpoint endpoint = endpointOf(unused);
    unused.kill();

    RedisBus bus(endpoint);
    Received received;
    received.attach(bus);
    bus.start();

    QElapsedTimer timer;
    timer.start();
    for (std::int64_t id = 1; id <= 20; ++id)
        bus.publishQuote(quote(id));
    QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(received.quoteIds(), range(1, 20));
    QCOMPARE(bus.state(), QStringLiteral("degraded"));
}

QTEST_GUILESS_MAIN(TestRedisBus)
#include "tst_redisbus.moc"
