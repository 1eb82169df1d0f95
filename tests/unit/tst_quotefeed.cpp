// QuoteFeed over a real SQLite store: ids leave the feed in order with no
// gap and no duplicate, missing quotes are read from the store, and the
// poller catches up while the bus is unhealthy.

#include "server/quotefeed.h"
#include "server/sqlitestore.h"

#include <QMutex>
#include <QMutexLocker>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

using valiant::core::Money;
using valiant::core::Quote;
using valiant::server::QuoteFeed;
using valiant::server::SqliteStore;

namespace {

constexpr std::int64_t baseMs = 1'790'000'000'000;

class Forwarded
{
public:
    QuoteFeed::Forward sink()
    {
        return [this](const Quote& quote) {
            QMutexLocker locker(&m_mutex);
            m_ids.append(quote.id);
        };
    }

    QList<std::int64_t> ids() const
    {
        QMutexLocker locker(&m_mutex);
        return m_ids;
    }

private:
    mutable QMutex m_mutex;
    QList<std::int64_t> m_ids;
};

QList<std::int64_t> range(std::int64_t first, std::int64_t last)
{
    QList<std::int64_t> ids;
    for (std::int64_t id = first; id <= last; ++id)
        ids.append(id);
    return ids;
}

}  // namespace

class TestQuoteFeed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void startsAfterLatestQuote();
    void fillsGapFromStore();
    void dropsDuplicatesAndOldIds();
    void pollsWhileBusUnhealthy();
    void pollsWhenHealthyBusStalls();
    void skipsAheadWhenFarBehind();
    void dropsQuotesAfterStop();

private:
    Quote insert();

    std::unique_ptr<QTemporaryDir> m_directory;
    std::unique_ptr<SqliteStore> m_store;
    std::int64_t m_nextMs = baseMs;
};

void TestQuoteFeed::init()
{
    m_directory = std::make_unique<QTemporaryDir>();
    QVERIFY(m_directory->isValid());
    auto opened = SqliteStore::open(m_directory->filePath(QStringLiteral("feed.db")));
    QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
    m_store = std::move(opened).value();
    const auto migrated = m_store->migrate();
    QVERIFY2(migrated.ok(), qPrintable(migrated.ok() ? QString() : migrated.error().message));
}

void TestQuoteFeed::cleanup()
{
    m_store.reset();
    m_directory.reset();
}

Quote TestQuoteFeed::insert()
{
    m_nextMs += 1000;
    const auto quote = m_store->insertQuote(Money::fromCents(5000), m_nextMs);
    if (!quote.ok())
        qFatal("insertQuote failed: %s", qPrintable(quote.error().message));
    return *quote;
}

void TestQuoteFeed::startsAfterLatestQuote()
{
    insert();
    const Quote second = insert();
    Forwarded forwarded;
    QuoteFeed feed(forwarded.sink());
    feed.start(*m_store, 1000, {});
    QCOMPARE(feed.lastForwardedId(), second.id);

    const Quote third = insert();
    feed.deliver(third);
    QCOMPARE(forwarded.ids(), QList<std::int64_t>{third.id});
}

void TestQuoteFeed::fillsGapFromStore()
{
    const Quote first = insert();
    Forwarded forwarded;
    QuoteFeed feed(forwarded.sink());
    feed.start(*m_store, 1000, {});

    // The bus lost quotes 2 to 4; quote 5 arrives and pulls them in first.
    for (int i = 0; i < 3; ++i)
        insert();
    const Quote fifth = insert();
    feed.deliver(fifth);
    QCOMPARE(forwarded.ids(), range(first.id + 1, fifth.id));
}

void TestQuoteFeed::dropsDuplicatesAndOldIds()
{
    Forwarded forwarded;
    QuoteFeed feed(forwarded.sink());
    feed.start(*m_store, 1000, {});

    const Quote first = insert();
    const Quote second = insert();
    feed.deliver(first);
    feed.deliver(first);
    feed.deliver(second);
    feed.deliver(first);
    feed.deliver(second);
    QCOMPARE(forwarded.ids(), range(first.id, second.id));
}

void TestQuoteFeed::pollsWhileBusUnhealthy()
{
    std::atomic<bool> healthy = true;
    Forwarded forwarded;
    QuoteFeed feed(forwarded.sink());
    feed.start(*m_store, 200, [&healthy] { return healthy.load(); });

    // For three ticks a healthy bus is trusted to deliver, so no polling.
    const Quote first = insert();
    QTest::qWait(100);
    QVERIFY(forwarded.ids().isEmpty());

    healthy = false;
    QTRY_COMPARE_WITH_TIMEOUT(forwarded.ids(), QList<std::int64_t>{first.id}, 2000);
    const Quote second = insert();
    const Quote third = insert();
    QTRY_COMPARE_WITH_TIMEOUT(forwarded.ids(), range(first.id, third.id), 2000);

    // The bus delivering late changes nothing.
    feed.deliver(second);
    QCOMPARE(forwarded.ids(), range(first.id, third.id));
}

void TestQuoteFeed::pollsWhenHealthyBusStalls()
{
    // The bus reports itself healthy but delivers nothing, as for a
    // follower while the leader cannot publish.
    Forwarded forwarded;
    QuoteFeed feed(forwarded.sink());
    feed.start(*m_store, 20, [] { return true; });

    const Quote first = insert();
    const Quote second = insert();
    QTRY_COMPARE_WITH_TIMEOUT(forwarded.ids(), range(first.id, second.id), 2000);
}

void TestQuoteFeed::skipsAheadWhenFarBehind()
{
    Forwarded forwarded;
    QuoteFeed feed(forwarded.sink());
    feed.start(*m_store, 1000, {});

    Quote last;
    for (int i = 0; i < 4000; ++i)
        last = insert();
    feed.deliver(last);

    const QList<std::int64_t> ids = forwarded.ids();
    QCOMPARE(ids.size(), 3601);
    QCOMPARE(ids.first(), last.id - 3600);
    QCOMPARE(ids.last(), last.id);
    QCOMPARE(ids, range(last.id - 3600, last.id));
}

void TestQuoteFeed::dropsQuotesAfterStop()
{
    Forwarded forwarded;
    QuoteFeed feed(forwarded.sink());
    feed.start(*m_store, 1000, {});
    feed.stop();

    feed.deliver(insert());
    QVERIFY(forwarded.ids().isEmpty());
}

QTEST_GUILESS_MAIN(TestQuoteFeed)
#include "tst_quotefeed.moc"
