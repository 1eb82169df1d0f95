// PostgresStore against a real PostgreSQL 15 started by the test: the store
// contract (storecontract.h), plus concurrent migrations, connections lost
// mid-order, a server restart, candle rollups and index use.

#include "server/postgresstatements.h"
#include "server/postgresstore.h"
#include "storecontract.h"
#include "support/postgresserver.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <atomic>
#include <barrier>
#include <future>
#include <map>
#include <memory>
#include <thread>
#include <vector>

using valiant::core::Candle;
using valiant::core::Money;
using valiant::core::OrderRequest;
using valiant::core::Quote;
using valiant::core::Side;
using valiant::server::OrderOutcome;
using valiant::server::PostgresStore;
using valiant::test::PostgresServer;
using valiant::test::baseMs;
using valiant::test::buy;
using valiant::test::errorCodeOf;
using valiant::test::jsonOf;
using valiant::test::sell;

namespace {

/// OHLC of `quotes` (in id order) in epoch-aligned buckets of `intervalMs`.
QList<Candle> aggregate(const QList<Quote>& quotes, std::int64_t intervalMs)
{
    std::map<std::int64_t, Candle> buckets;
    for (const Quote& quote : quotes) {
        const std::int64_t start = quote.createdMs - quote.createdMs % intervalMs;
        auto [it, inserted] = buckets.try_emplace(
            start, Candle{start, quote.price, quote.price, quote.price, quote.price, 0});
        Candle& candle = it->second;
        candle.high = std::max(candle.high, quote.price);
        candle.low = std::min(candle.low, quote.price);
        candle.close = quote.price;
        ++candle.count;
    }
    QList<Candle> candles;
    for (const auto& [start, candle] : buckets)
        candles.append(candle);
    return candles;
}

QString describe(const Candle& candle)
{
    return QStringLiteral("start %1 open %2 high %3 low %4 close %5 count %6")
        .arg(candle.startMs)
        .arg(candle.open.cents())
        .arg(candle.high.cents())
        .arg(candle.low.cents())
        .arg(candle.close.cents())
        .arg(candle.count);
}

}  // namespace

class TestPostgresStore : public valiant::test::StoreContract
{
    Q_OBJECT

protected:
    valiant::server::Store& store() override { return *m_store; }
    std::int64_t idempotencyKeyRetentionMs() const override
    {
        return PostgresStore::idempotencyKeyRetentionMs;
    }

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void migrateTwiceKeepsVersion();
    void migrateFromThreadsAtOnce();
    void migrateFromProcessesAtOnce();
    void openRejectsUnreachableServer();
    void candlesEqualRawAggregation();
    void candlesReadFromRollups();
    void quoteIdsFollowInsertsWithoutId();
    void historyReadsUseIndexes();
    void tradingWritesProbeQuotesByIndex();
    void cachedOrderReplaysItsExactBody();
    void cachedOrderSeesChangesByOtherReplicas();
    void contendedAccountAppliesEveryChange();
    void connectionKilledMidOrder();
    void restartGives503ThenRecovers();
    void crashGives503ThenRecovers();
    void slowStatementLoggedWithPlan();
    void praiseAddsBonusPerShare();
    void walletWatchersFollowSessions();
    void watchRacingOrdersMissesNone();
    void upgradedDatabasePublishesAllWallets();
    void diskFullGivesStorageFull();

private:
    std::unique_ptr<PostgresStore> openStore(PostgresStore::Options options = {});
    QString sql(const QString& statement);
    /// Starts psql holding the row lock of `accountId` for `seconds`, and
    /// returns once the lock is held.
    std::unique_ptr<QProcess> holdAccountLock(std::int64_t accountId, int seconds);
    /// Waits until a backend of this database waits for a lock; its pid, or 0.
    int waitForLockedBackend();

    PostgresServer m_postgres;
    int m_databaseCount = 0;
    QString m_database;
    std::unique_ptr<PostgresStore> m_store;
};

void TestPostgresStore::initTestCase()
{
    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
}

void TestPostgresStore::init()
{
    // A fresh database per test, so ids start at 1 as in a new SQLite file.
    m_database = QStringLiteral("test_%1").arg(++m_databaseCount);
    if (!m_postgres.isRunning())
        QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    QVERIFY2(m_postgres.createDatabase(m_database), qPrintable(m_postgres.errorString()));
    m_store = openStore();
    QVERIFY(m_store);
    const auto migrated = m_store->migrate();
    QVERIFY2(migrated.ok(), qPrintable(migrated.ok() ? QString() : migrated.error().message));
}

void TestPostgresStore::cleanup()
{
    m_store.reset();
}

std::unique_ptr<PostgresStore> TestPostgresStore::openStore(PostgresStore::Options options)
{
    auto opened = PostgresStore::open(m_postgres.url(m_database), options);
    if (!opened.ok()) {
        qWarning() << "open failed:" << opened.error().message;
        return nullptr;
    }
    return std::move(opened).value();
}

QString TestPostgresStore::sql(const QString& statement)
{
    QString output;
    if (!m_postgres.execute(statement, &output, m_database))
        qWarning().noquote() << "psql failed:" << m_postgres.errorString();
    return output;
}

std::unique_ptr<QProcess> TestPostgresStore::holdAccountLock(std::int64_t accountId, int seconds)
{
    auto psql = std::make_unique<QProcess>();
    psql->start(PostgresServer::binaryDirectory() + QStringLiteral("/psql"),
                {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-h"),
                 QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                 QString::number(m_postgres.port()), QStringLiteral("-U"),
                 QStringLiteral("postgres"), QStringLiteral("-d"), m_database,
                 QStringLiteral("-c"),
                 QStringLiteral("BEGIN; SELECT id FROM accounts WHERE id = %1 FOR UPDATE; "
                                "SELECT pg_sleep(%2); COMMIT;")
                     .arg(accountId)
                     .arg(seconds)});
    if (!psql->waitForStarted())
        return nullptr;

    // The lock is held once psql's session sleeps.
    for (int i = 0; i < 200; ++i) {
        if (sql(QStringLiteral("SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                               "'%%pg_sleep%%' AND state = 'active' AND pid <> pg_backend_pid()"))
                .toInt()
            > 0)
            return psql;
        QThread::msleep(25);
    }
    return nullptr;
}

int TestPostgresStore::waitForLockedBackend()
{
    for (int i = 0; i < 200; ++i) {
        const QString pid = sql(QStringLiteral(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND "
            "wait_event_type = 'Lock' AND application_name = 'valiant-server' LIMIT 1"));
        if (!pid.isEmpty())
            return pid.toInt();
        QThread::msleep(25);
    }
    return 0;
}

void TestPostgresStore::migrateTwiceKeepsVersion()
{
    QCOMPARE(m_store->schemaVersion().value(), PostgresStore::latestSchemaVersion());
    QVERIFY(m_store->migrate().ok());
    QVERIFY(m_store->migrate().ok());
    QCOMPARE(m_store->schemaVersion().value(), PostgresStore::latestSchemaVersion());
    QCOMPARE(sql(QStringLiteral("SELECT count(*) FROM schema_migrations")),
             QString::number(PostgresStore::latestSchemaVersion()));
}

void TestPostgresStore::migrateFromThreadsAtOnce()
{
    m_store.reset();
    m_database = QStringLiteral("threads_%1").arg(m_databaseCount);
    QVERIFY(m_postgres.createDatabase(m_database));

    constexpr int threadCount = 6;
    std::barrier start(threadCount);
    std::vector<std::unique_ptr<PostgresStore>> stores;
    for (int i = 0; i < threadCount; ++i) {
        stores.push_back(openStore());
        QVERIFY(stores.back());
    }
    std::vector<QString> errors(threadCount);
    std::vector<std::thread> threads;
    for (int i = 0; i < threadCount; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            const auto migrated = stores[i]->migrate();
            if (!migrated.ok())
                errors[i] = migrated.error().message;
        });
    }
    for (std::thread& thread : threads)
        thread.join();

    for (const QString& error : errors)
        QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(sql(QStringLiteral("SELECT count(*) FROM schema_migrations")),
             QString::number(PostgresStore::latestSchemaVersion()));
    QCOMPARE(sql(QStringLiteral("SELECT count(*) FROM pg_tables WHERE tablename = 'quotes'")),
             QStringLiteral("1"));
}

void TestPostgresStore::migrateFromProcessesAtOnce()
{
    const QString binary = qEnvironmentVariable("VALIANT_SERVER_BIN");
    if (binary.isEmpty())
        QSKIP("VALIANT_SERVER_BIN is not set; run through ctest.");

    m_store.reset();
    m_database = QStringLiteral("processes_%1").arg(m_databaseCount);
    QVERIFY(m_postgres.createDatabase(m_database));

    std::vector<std::unique_ptr<QProcess>> processes;
    for (int i = 0; i < 3; ++i) {
        auto process = std::make_unique<QProcess>();
        process->start(binary, {QStringLiteral("migrate"), QStringLiteral("--database"),
                                m_postgres.url(m_database)});
        processes.push_back(std::move(process));
    }
    for (auto& process : processes) {
        QVERIFY(process->waitForFinished(30'000));
        QVERIFY2(process->exitStatus() == QProcess::NormalExit && process->exitCode() == 0,
                 qPrintable(QString::fromUtf8(process->readAllStandardError())));
        const QString output = QString::fromUtf8(process->readAllStandardOutput());
        QVERIFY2(output.contains(QStringLiteral("schema version %1")
                                     .arg(PostgresStore::latestSchemaVersion())),
                 qPrintable(output));
    }
    QCOMPARE(sql(QStringLiteral("SELECT count(*) FROM schema_migrations")),
             QString::number(PostgresStore::latestSchemaVersion()));
}

void TestPostgresStore::openRejectsUnreachableServer()
{
    PostgresServer stopped;
    QVERIFY2(stopped.start(), qPrintable(stopped.errorString()));
    const QString url = stopped.url();
    QVERIFY(stopped.stop());

    const auto opened = PostgresStore::open(url, {});
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().status, 503);
    QCOMPARE(opened.error().code, QStringLiteral("database_unavailable"));
    QVERIFY2(opened.error().message.contains(QStringLiteral("127.0.0.1:%1/valiant").arg(stopped.port())),
             qPrintable(opened.error().message));
}

void TestPostgresStore::candlesEqualRawAggregation()
{
    // Three days of quotes at uneven gaps (1 s to 15 min), so every rollup
    // interval has full, partial and empty buckets.
    QRandomGenerator random(42);
    QList<Quote> inserted;
    std::int64_t time = baseMs - 86'400'000;
    for (int i = 0; i < 700; ++i) {
        time += 1000 + std::int64_t(random.bounded(900)) * 1000;
        const auto quote = m_store->insertQuote(Money::fromCents(4000 + random.bounded(2000)), time);
        QVERIFY(quote.ok());
        inserted.append(*quote);
    }
    // Several quotes in one second, to check the 1 s path and open/close order.
    for (int i = 0; i < 5; ++i) {
        const auto quote = m_store->insertQuote(Money::fromCents(5000 + i * 7 % 3), time + 400);
        QVERIFY(quote.ok());
        inserted.append(*quote);
    }

    const std::int64_t from = inserted.first().createdMs - 86'400'000;
    const std::int64_t to = time + 86'400'000;
    for (const std::int64_t interval : {1000LL, 60'000LL, 300'000LL, 3'600'000LL, 86'400'000LL}) {
        const auto candles = m_store->candles(interval, from, to);
        QVERIFY2(candles.ok(), qPrintable(candles.ok() ? QString() : candles.error().message));
        const QList<Candle> expected = aggregate(inserted, interval);
        QCOMPARE(candles->size(), expected.size());
        for (int i = 0; i < expected.size(); ++i)
            QCOMPARE(describe(candles->at(i)), describe(expected.at(i)));
    }

    // A window in the middle keeps only buckets that start inside it.
    const std::int64_t middleFrom = baseMs + 123'456;
    const std::int64_t middleTo = baseMs + 7'654'321;
    QList<Candle> expectedMiddle;
    for (const Candle& candle : aggregate(inserted, 300'000))
        if (candle.startMs >= middleFrom && candle.startMs < middleTo)
            expectedMiddle.append(candle);
    const auto middle = m_store->candles(300'000, middleFrom, middleTo);
    QCOMPARE(middle->size(), expectedMiddle.size());
    for (int i = 0; i < expectedMiddle.size(); ++i)
        QCOMPARE(describe(middle->at(i)), describe(expectedMiddle.at(i)));
}

void TestPostgresStore::candlesReadFromRollups()
{
    for (int i = 0; i < 120; ++i)
        QVERIFY(m_store->insertQuote(Money::fromCents(5000 + i), baseMs + i * 1000).ok());
    QCOMPARE(sql(QStringLiteral("SELECT count(*) FROM candles WHERE interval_ms = 60000")),
             QStringLiteral("2"));
    QCOMPARE(sql(QStringLiteral("SELECT count FROM candles WHERE interval_ms = 86400000")),
             QStringLiteral("120"));

    // With the raw quotes gone, rollup intervals still answer; 1 s candles,
    // which come from raw quotes, do not.
    sql(QStringLiteral("DELETE FROM quotes"));
    const auto minutes = m_store->candles(60'000, baseMs, baseMs + 120'000);
    QCOMPARE(minutes->size(), 2);
    QCOMPARE(minutes->at(1).close, Money::fromCents(5119));
    QCOMPARE(minutes->at(1).count, 60);
    QCOMPARE(m_store->candles(3'600'000, baseMs - 3'600'000, baseMs + 3'600'000)->size(), 1);
    QCOMPARE(m_store->candles(1000, baseMs, baseMs + 120'000)->size(), 0);
}

void TestPostgresStore::quoteIdsFollowInsertsWithoutId()
{
    const auto first = m_store->insertQuote(Money::fromCents(5000), baseMs);
    QVERIFY(first.ok());
    const auto second = m_store->insertQuote(Money::fromCents(5001), baseMs + 1000);
    QVERIFY(second.ok());
    QCOMPARE(second->id, first->id + 1);

    // A replica of the previous version inserts without an id, so the
    // identity sequence must have kept up with the ids the store chose.
    const QString older = sql(QStringLiteral("WITH inserted AS (INSERT INTO quotes (price_cents, "
                                             "created_ms) VALUES (5002, %1) RETURNING id) "
                                             "SELECT id FROM inserted")
                                  .arg(baseMs + 2000))
                              .trimmed();
    QCOMPARE(older, QString::number(second->id + 1));

    const auto third = m_store->insertQuote(Money::fromCents(5003), baseMs + 3000);
    QVERIFY(third.ok());
    QCOMPARE(third->id, second->id + 2);
}

void TestPostgresStore::historyReadsUseIndexes()
{
    // 200,000 quotes, one a second, then fresh statistics and visibility map.
    sql(QStringLiteral("INSERT INTO quotes (price_cents, created_ms) SELECT 5000 + i % 100, "
                       "%1 + i * 1000 FROM generate_series(1, 200000) AS i")
            .arg(baseMs));
    sql(QStringLiteral("VACUUM ANALYZE quotes"));

    struct Case
    {
        const valiant::server::sql::Statement* statement;
        QString arguments;
    };
    const QString since = QString::number(baseMs + 199'000'000);
    const Case cases[] = {
        {&valiant::server::sql::latestQuote, QString()},
        {&valiant::server::sql::insertQuote, QStringLiteral("(5000, %1)").arg(baseMs)},
        {&valiant::server::sql::latestQuotes, QStringLiteral("(60)")},
        {&valiant::server::sql::quotesAfter, QStringLiteral("(199000, 60)")},
        {&valiant::server::sql::quotesSince, QStringLiteral("(%1, 60)").arg(since)},
        {&valiant::server::sql::rawCandles,
         QStringLiteral("(1000, %1, %2)").arg(since).arg(baseMs + 199'060'000)},
    };
    for (const Case& test : cases) {
        const QString plan = sql(QStringLiteral("PREPARE probe AS %1; EXPLAIN EXECUTE probe%2")
                                     .arg(QString::fromUtf8(test.statement->text), test.arguments));
        QVERIFY2(!plan.isEmpty(), test.statement->name);
        QVERIFY2(!plan.contains(QStringLiteral("Seq Scan")),
                 qPrintable(QStringLiteral("%1:\n%2").arg(test.statement->name, plan)));
        QVERIFY2(plan.contains(QStringLiteral("Index")),
                 qPrintable(QStringLiteral("%1:\n%2").arg(test.statement->name, plan)));
    }

    // The latest 60 read only the index (no heap fetches after VACUUM).
    const QString analyzed = sql(QStringLiteral("PREPARE probe AS %1; EXPLAIN (ANALYZE) EXECUTE probe(60)")
                                     .arg(QString::fromUtf8(valiant::server::sql::latestQuotes.text)));
    QVERIFY2(analyzed.contains(QStringLiteral("Index Only Scan")), qPrintable(analyzed));
    QVERIFY2(analyzed.contains(QStringLiteral("Heap Fetches: 0")), qPrintable(analyzed));
}

void TestPostgresStore::tradingWritesProbeQuotesByIndex()
{
    // A small table is where a generic plan is most likely to pick a
    // sequential scan, and each write runs its generic plan after five runs.
    sql(QStringLiteral("INSERT INTO quotes (price_cents, created_ms) SELECT 5000, %1 + i * 1000 "
                       "FROM generate_series(1, 1000) AS i")
            .arg(baseMs));
    sql(QStringLiteral("VACUUM ANALYZE quotes"));

    struct Case
    {
        const valiant::server::sql::Statement* statement;
        QString arguments;
    };
    const Case cases[] = {
        {&valiant::server::sql::recordFill,
         QStringLiteral("(1, 1, 'buy', 1, 100, 100, 5, 1, 1, 1, 1, 'aa', 'aa', 201, 'aa', 1, 1, 1, 0)")},
        {&valiant::server::sql::recordCachedFill,
         QStringLiteral("(1, 'buy', 1, 100, 100, 5, 1, 1, 1, 1, 'aa', 'aa', 'aa', 'aa', 1, 1, 1, 0)")},
        {&valiant::server::sql::recordRejection,
         QStringLiteral("(1, 'aa', 'aa', 422, 'aa', 1, 1, 1, 1, 5)")},
        {&valiant::server::sql::orderContext, QStringLiteral("(1, 'aa')")},
        {&valiant::server::sql::praiseContext, QStringLiteral("(1)")},
        {&valiant::server::sql::portfolio, QStringLiteral("(1)")},
    };
    for (const Case& test : cases) {
        const QString plan = sql(QStringLiteral("SET plan_cache_mode = force_generic_plan; "
                                                "PREPARE probe AS %1; EXPLAIN EXECUTE probe%2")
                                     .arg(QString::fromUtf8(test.statement->text), test.arguments));
        const QString planReport = QStringLiteral("%1:\n%2").arg(test.statement->name, plan);
        QVERIFY2(plan.contains(QStringLiteral("quotes_pkey")), qPrintable(planReport));
        QVERIFY2(!plan.contains(QStringLiteral("Seq Scan on quotes")), qPrintable(planReport));
    }
}

void TestPostgresStore::contendedAccountAppliesEveryChange()
{
    // Many writers on one account make the unlocked attempts conflict, so
    // orders and praise also take the locked path; every one must apply
    // exactly once.
    const std::int64_t id = createAccount(QStringLiteral("ada"), QStringLiteral("100000.00"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(m_store->placeOrder(id, buy(10), "", "", baseMs)->response.status, 201);

    constexpr int threadCount = 16;
    constexpr int rounds = 12;
    std::barrier start(threadCount);
    std::atomic<int> failures = 0;
    std::atomic<std::int64_t> bonusCents = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < threadCount; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            for (int round = 0; round < rounds; ++round) {
                const QByteArray key = QByteArray::number(i) + "-" + QByteArray::number(round);
                const auto order = m_store->placeOrder(id, round % 2 ? sell(1) : buy(1), key,
                                                       key, baseMs);
                if (!order.ok() || order->response.status != 201)
                    ++failures;
                const auto praised = m_store->praise(id, baseMs);
                if (praised.ok())
                    bonusCents += praised->bonus.cents();
                else
                    ++failures;
            }
        });
    }
    for (std::thread& thread : threads)
        thread.join();

    QCOMPARE(failures.load(), 0);
    QCOMPARE(m_store->orders(id, 0, 500)->size(), 1 + threadCount * rounds);
    const auto holdings = m_store->portfolio(id)->holdings;
    QCOMPARE(holdings.shares, 10);
    // Buys and sells at one price cancel out; the praise bonuses remain.
    QCOMPARE(holdings.cash.cents(), 100000'00 - 10 * 1000 + bonusCents.load());
    QCOMPARE(sql(QStringLiteral("SELECT count(*) || ' ' || sum(bonus_cents) FROM praises")),
             QStringLiteral("%1 %2").arg(threadCount * rounds).arg(bonusCents.load()));
}

void TestPostgresStore::connectionKilledMidOrder()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());

    // The order waits on the account row lock, is then cut off by
    // pg_terminate_backend, and must leave nothing behind.
    std::unique_ptr<QProcess> holder = holdAccountLock(id, 3);
    QVERIFY(holder);
    auto pending = std::async(std::launch::async, [&] {
        return m_store->placeOrder(id, buy(2), "key-1", "buy-2", baseMs);
    });
    const int backend = waitForLockedBackend();
    QVERIFY(backend > 0);
    QCOMPARE(sql(QStringLiteral("SELECT pg_terminate_backend(%1)").arg(backend)), QStringLiteral("t"));

    const auto lost = pending.get();
    QVERIFY(!lost.ok());
    QCOMPARE(lost.error().status, 503);
    QCOMPARE(lost.error().code, QStringLiteral("database_unavailable"));
    QVERIFY(holder->waitForFinished(10'000));

    QCOMPARE(m_store->orders(id, 0, 50)->size(), 0);
    QCOMPARE(m_store->portfolio(id)->holdings.cash, Money::fromCents(10000));
    QCOMPARE(sql(QStringLiteral("SELECT count(*) FROM idempotency_keys")), QStringLiteral("0"));

    // The client's retry with the same key runs the order once; a second
    // retry replays it.
    const auto retried = m_store->placeOrder(id, buy(2), "key-1", "buy-2", baseMs);
    QVERIFY2(retried.ok(), qPrintable(retried.ok() ? QString() : retried.error().message));
    QCOMPARE(retried->response.status, 201);
    const auto replayed = m_store->placeOrder(id, buy(2), "key-1", "buy-2", baseMs);
    QVERIFY(replayed.ok());
    QCOMPARE(replayed->response.status, 200);
    QCOMPARE(replayed->response.body, retried->response.body);
    QCOMPARE(m_store->orders(id, 0, 50)->size(), 1);
    QCOMPARE(m_store->portfolio(id)->holdings.cash, Money::fromCents(8000));
}

void TestPostgresStore::restartGives503ThenRecovers()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(m_store->placeOrder(id, buy(1), "key-1", "buy-1", baseMs)->response.status, 201);

    QVERIFY2(m_postgres.stop(), qPrintable(m_postgres.errorString()));
    for (int i = 0; i < 3; ++i) {
        const auto down = m_store->placeOrder(id, buy(1), "key-2", "buy-1", baseMs);
        QVERIFY(!down.ok());
        QCOMPARE(down.error().status, 503);
        QCOMPARE(down.error().code, QStringLiteral("database_unavailable"));
        QCOMPARE(m_store->ping().error().status, 503);
    }

    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    QDeadlineTimer deadline(10'000);
    while (!m_store->ping().ok() && !deadline.hasExpired())
        QThread::msleep(50);
    QVERIFY2(m_store->ping().ok(), "the store did not reconnect within 10 s");

    const auto after = m_store->placeOrder(id, buy(1), "key-2", "buy-1", baseMs);
    QVERIFY2(after.ok(), qPrintable(after.ok() ? QString() : after.error().message));
    QCOMPARE(after->response.status, 201);
    QVERIFY(m_store->placeOrder(id, buy(1), "key-1", "buy-1", baseMs)->replayed);
    QCOMPARE(m_store->orders(id, 0, 50)->size(), 2);
    QCOMPARE(m_store->portfolio(id)->holdings.shares, 2);
}

void TestPostgresStore::crashGives503ThenRecovers()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(m_store->placeOrder(id, buy(1), "key-1", "buy-1", baseMs)->response.status, 201);

    m_postgres.kill();
    QCOMPARE(m_store->latestQuote().error().status, 503);
    QCOMPARE(m_store->insertQuote(Money::fromCents(1100), baseMs + 1000).error().status, 503);

    QVERIFY2(m_postgres.start(), qPrintable(m_postgres.errorString()));
    QDeadlineTimer deadline(10'000);
    while (!m_store->ping().ok() && !deadline.hasExpired())
        QThread::msleep(50);
    QVERIFY2(m_store->ping().ok(), "the store did not reconnect within 10 s");

    // The committed order survived the crash; the failed quote insert left nothing.
    QCOMPARE(m_store->orders(id, 0, 50)->size(), 1);
    QCOMPARE(m_store->latestQuote()->value().id, 1);
    const auto quote = m_store->insertQuote(Money::fromCents(1100), baseMs + 1000);
    QVERIFY(quote.ok());
    QCOMPARE(m_store->candles(60'000, baseMs, baseMs + 60'000)->first().count, 2);
}

namespace {

QStringList* capturedWarnings = nullptr;

void captureWarnings(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    if (type == QtWarningMsg && capturedWarnings
        && QByteArray(context.category) == QByteArrayLiteral("valiant.store"))
        capturedWarnings->append(message);
}

}  // namespace

void TestPostgresStore::slowStatementLoggedWithPlan()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    std::unique_ptr<PostgresStore> logging = openStore(PostgresStore::Options{4, 300});
    QVERIFY(logging);

    // Fast statements stay out of the log.
    QStringList warnings;
    capturedWarnings = &warnings;
    const QtMessageHandler previous = qInstallMessageHandler(captureWarnings);
    QVERIFY(logging->latestQuote().ok());
    QVERIFY(warnings.isEmpty());

    // Waiting about a second for the account row lock makes the write slow.
    std::unique_ptr<QProcess> holder = holdAccountLock(id, 1);
    QVERIFY(holder);
    const auto outcome = logging->placeOrder(id, buy(1), "", "", baseMs);
    qInstallMessageHandler(previous);
    capturedWarnings = nullptr;
    holder->waitForFinished(10'000);

    QVERIFY(outcome.ok());
    QCOMPARE(outcome->response.status, 201);
    QCOMPARE(warnings.size(), 1);
    QVERIFY2(warnings.first().contains(QStringLiteral("Slow statement record_fill")),
             qPrintable(warnings.first()));
    QVERIFY2(warnings.first().contains(QStringLiteral("UPDATE accounts")), qPrintable(warnings.first()));
    QVERIFY2(warnings.first().contains(QStringLiteral("Update on accounts")),
             qPrintable(warnings.first()));
}

void TestPostgresStore::cachedOrderReplaysItsExactBody()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(m_store->placeOrder(id, buy(1), "key-1", "buy-1", baseMs)->response.status, 201);
    QCOMPARE(m_store->ordersFilledFromCache(), 0u);

    // The first order showed the store the holdings, so the second needs no read.
    const auto second = m_store->placeOrder(id, buy(2), "key-2", "buy-2", baseMs + 10);
    QCOMPARE(second->response.status, 201);
    QCOMPARE(m_store->ordersFilledFromCache(), 1u);
    const auto orders = m_store->orders(id, 0, 50);
    QCOMPARE(orders->size(), 2);
    const QJsonObject order = jsonOf(second->response.body).value(QStringLiteral("order")).toObject();
    QCOMPARE(order.value(QStringLiteral("id")).toInteger(), orders->first().id);
    QCOMPARE(jsonOf(second->response.body)
                 .value(QStringLiteral("portfolio"))
                 .toObject()
                 .value(QStringLiteral("cash"))
                 .toString(),
             QStringLiteral("70.00"));

    // The kept body is the one sent, id included, byte for byte.
    const auto repeat = m_store->placeOrder(id, buy(2), "key-2", "buy-2", baseMs + 20);
    QVERIFY(repeat->replayed);
    QCOMPARE(repeat->response.body, second->response.body);
    QCOMPARE(m_store->portfolio(id)->holdings.shares, 3);
    QCOMPARE(m_store->ordersFilledFromCache(), 1u);
}

void TestPostgresStore::cachedOrderSeesChangesByOtherReplicas()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(m_store->placeOrder(id, buy(1), "key-1", "buy-1", baseMs)->response.status, 201);
    const std::unique_ptr<PostgresStore> other = openStore();
    QVERIFY(other);

    // Another replica changes the holdings: the order is judged on the new ones.
    QCOMPARE(other->placeOrder(id, buy(8), "key-2", "buy-8", baseMs)->response.status, 201);
    const auto afterOther = m_store->placeOrder(id, buy(1), "key-3", "buy-1", baseMs);
    QCOMPARE(afterOther->response.status, 201);
    QCOMPARE(afterOther->changedPortfolio->holdings.cash, Money::fromCents(0));
    QCOMPARE(afterOther->changedPortfolio->holdings.shares, 10);

    // Another replica's newer quote sets the price.
    QVERIFY(other->insertQuote(Money::fromCents(500), baseMs + 1000).ok());
    const auto atNewPrice = m_store->placeOrder(id, sell(2), "key-4", "sell-2", baseMs + 1000);
    QCOMPARE(atNewPrice->response.status, 201);
    QCOMPARE(atNewPrice->changedPortfolio->holdings.cash, Money::fromCents(1000));

    // A key another replica used replays its response instead of filling again.
    const auto elsewhere = other->placeOrder(id, sell(1), "key-5", "sell-1", baseMs + 1000);
    QCOMPARE(elsewhere->response.status, 201);
    const std::uint64_t cachedBefore = m_store->ordersFilledFromCache();
    const auto replayed = m_store->placeOrder(id, sell(1), "key-5", "sell-1", baseMs + 1000);
    QVERIFY(replayed->replayed);
    QCOMPARE(replayed->response.body, elsewhere->response.body);
    const auto reused = m_store->placeOrder(id, sell(2), "key-5", "sell-2", baseMs + 1000);
    QCOMPARE(reused.error().code, QStringLiteral("idempotency_key_reused"));

    // With the holdings known again, the next order takes one round trip.
    QCOMPARE(m_store->placeOrder(id, sell(1), "key-6", "sell-1", baseMs + 1000)->response.status,
             201);
    QCOMPARE(m_store->ordersFilledFromCache(), cachedBefore + 1);
    const auto stored = m_store->portfolio(id);
    QCOMPARE(stored->holdings.shares, 6);
    QCOMPARE(stored->holdings.cash, Money::fromCents(2000));
    QCOMPARE(m_store->orders(id, 0, 50)->size(), 6);
}

void TestPostgresStore::diskFullGivesStorageFull()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());

    // PostgreSQL reports a write that cannot extend a file as SQLSTATE
    // 53100 (disk_full). A trigger raises that error on every new order.
    sql(QStringLiteral(
        "CREATE FUNCTION fail_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'could not extend file: No space left on device' "
        "USING ERRCODE = 'disk_full'; END $$; "
        "CREATE TRIGGER disk_full BEFORE INSERT ON orders "
        "FOR EACH ROW EXECUTE FUNCTION fail_disk_full();"));
    const auto failed = m_store->placeOrder(id, buy(1), "full-1", "", baseMs);
    QVERIFY(!failed.ok());
    QCOMPARE(failed.error().status, 503);
    QCOMPARE(failed.error().code, QStringLiteral("storage_full"));
    QCOMPARE(m_store->portfolio(id)->holdings.cash, Money::fromCents(10000));
    QCOMPARE(sql(QStringLiteral("SELECT count(*) FROM orders")), QStringLiteral("0"));

    sql(QStringLiteral("DROP TRIGGER disk_full ON orders"));
    QCOMPARE(m_store->placeOrder(id, buy(1), "full-1", "", baseMs)->response.status, 201);
    QCOMPARE(m_store->portfolio(id)->holdings.cash, Money::fromCents(9000));
}

void TestPostgresStore::walletWatchersFollowSessions()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"), QStringLiteral("1000.00"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    // A second store is another replica, whose cache is stale, so its
    // orders take the two-statement path while this store's take the
    // cached one.
    const std::unique_ptr<PostgresStore> other = openStore();
    QVERIFY(other);

    const auto unwatched = m_store->placeOrder(id, buy(1), "unwatched-1", "", baseMs);
    QCOMPARE(unwatched->response.status, 201);
    QVERIFY(!unwatched->walletWatched);
    const auto unwatchedCached = m_store->placeOrder(id, buy(1), "unwatched-2", "", baseMs);
    QVERIFY(!unwatchedCached->walletWatched);
    QVERIFY(m_store->ordersFilledFromCache() > 0);

    // Two sessions watch, and the read returns the wallet as it is.
    const auto watched = m_store->watchPortfolio(id);
    QVERIFY(watched.ok());
    QCOMPARE(watched->holdings.shares, 2);
    QCOMPARE(watched->holdings.version, 2);
    QVERIFY(other->watchPortfolio(id).ok());

    const auto cached = m_store->placeOrder(id, buy(1), "watched-1", "", baseMs);
    QVERIFY(cached->walletWatched);
    const auto uncached = other->placeOrder(id, buy(1), "watched-2", "", baseMs);
    QCOMPARE(uncached->response.status, 201);
    QVERIFY(uncached->walletWatched);

    // One session left: still watched. Both left: not watched, and an extra
    // unwatch does not take the count below zero.
    QVERIFY(m_store->unwatchPortfolio(id).ok());
    QVERIFY(m_store->placeOrder(id, sell(1), "one-left", "", baseMs)->walletWatched);
    QVERIFY(other->unwatchPortfolio(id).ok());
    QVERIFY(!m_store->placeOrder(id, sell(1), "none-left", "", baseMs)->walletWatched);
    QVERIFY(m_store->unwatchPortfolio(id).ok());
    QVERIFY(m_store->watchPortfolio(id).ok());
    QVERIFY(m_store->placeOrder(id, sell(1), "watched-again", "", baseMs)->walletWatched);

    QVERIFY(!m_store->watchPortfolio(999).ok());
}

void TestPostgresStore::watchRacingOrdersMissesNone()
{
    // A session that starts watching while another replica trades must get
    // every change: one in its first read, or one published because the
    // order saw the watcher. An order newer than the read that saw no
    // watcher would be lost to the session.
    const std::int64_t id = createAccount(QStringLiteral("ada"), QStringLiteral("100000.00"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    const std::unique_ptr<PostgresStore> trader = openStore();
    QVERIFY(trader);

    constexpr int rounds = 30;
    for (int round = 0; round < rounds; ++round) {
        std::atomic<bool> stop = false;
        std::vector<std::pair<std::int64_t, bool>> orders;  // version, watched
        std::thread trading([&] {
            for (int i = 0; !stop || i < 4; ++i) {
                const auto order = trader->placeOrder(id, i % 2 ? sell(1) : buy(1), "", "", baseMs);
                if (order.ok() && order->changedPortfolio)
                    orders.emplace_back(order->changedPortfolio->holdings.version,
                                        order->walletWatched);
            }
        });
        QThread::usleep(QRandomGenerator::global()->bounded(3000));
        const auto watched = m_store->watchPortfolio(id);
        QThread::usleep(2000);
        stop = true;
        trading.join();
        QVERIFY(watched.ok());

        for (const auto& [version, orderWatched] : orders) {
            QVERIFY2(version <= watched->holdings.version || orderWatched,
                     qPrintable(QStringLiteral("round %1: version %2 after the read of version %3 "
                                               "saw no watcher")
                                    .arg(round)
                                    .arg(version)
                                    .arg(watched->holdings.version)));
        }
        QVERIFY(m_store->unwatchPortfolio(id).ok());
    }
}

void TestPostgresStore::upgradedDatabasePublishesAllWallets()
{
    // Replicas from before wallet_watchers stream without counting, so for
    // 15 minutes after an upgrade every wallet change counts as watched.
    const std::int64_t id = createAccount(QStringLiteral("ada"), QStringLiteral("1000.00"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    const auto reopen = [&](qint64 upgradedMinutesAgo) {
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        sql(QStringLiteral("UPDATE schema_migrations SET applied_ms = %1 WHERE version < 6; "
                           "UPDATE schema_migrations SET applied_ms = %2 WHERE version >= 6")
                .arg(nowMs - 24 * 3600'000)
                .arg(nowMs - upgradedMinutesAgo * 60'000));
        m_store = openStore();
        return m_store && m_store->migrate().ok();
    };

    QVERIFY(reopen(5));
    QVERIFY(m_store->placeOrder(id, buy(1), "upgraded-5-minutes-ago", "", baseMs)->walletWatched);
    QVERIFY(reopen(20));
    QVERIFY(!m_store->placeOrder(id, buy(1), "upgraded-20-minutes-ago", "", baseMs)->walletWatched);
}

void TestPostgresStore::praiseAddsBonusPerShare()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));

    const auto none = m_store->praise(id, baseMs);
    QVERIFY(none.ok());
    QCOMPARE(none->bonus, Money());
    QCOMPARE(none->portfolio.holdings.cash, Money::fromCents(10000));

    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(m_store->placeOrder(id, buy(3), "", "", baseMs)->response.status, 201);

    const auto praised = m_store->praise(id, baseMs);
    QVERIFY(praised.ok());
    QCOMPARE(praised->bonus, Money::fromCents(30));
    QCOMPARE(praised->portfolio.holdings.cash, Money::fromCents(7030));
    QCOMPARE(praised->portfolio.lastQuote->id, 1);
    QCOMPARE(m_store->portfolio(id)->holdings.cash, Money::fromCents(7030));

    // Every praise is on record with the shares held and the bonus paid.
    QCOMPARE(sql(QStringLiteral("SELECT string_agg(shares || ':' || bonus_cents, ',' ORDER BY id) "
                                "FROM praises WHERE account_id = %1")
                     .arg(id)),
             QStringLiteral("0:0,3:30"));

    QCOMPARE(m_store->praise(id + 100, baseMs).error().status, 404);
    QCOMPARE(sql(QStringLiteral("SELECT count(*) FROM praises")), QStringLiteral("2"));
}

QTEST_GUILESS_MAIN(TestPostgresStore)
#include "tst_postgresstore.moc"
