#include "server/sqlitestore.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <barrier>
#include <memory>
#include <thread>
#include <vector>

using valiant::core::Money;
using valiant::core::OrderRequest;
using valiant::core::Side;
using valiant::server::OrderOutcome;
using valiant::server::SqliteStore;

namespace {

// A fixed whole minute (2026-09-21T14:13:00Z), so minute buckets start at baseMs.
constexpr std::int64_t baseMs = 1'789'999'980'000;

QJsonObject jsonOf(const QByteArray& body)
{
    return QJsonDocument::fromJson(body).object();
}

QString errorCodeOf(const QByteArray& body)
{
    return jsonOf(body)
        .value(QStringLiteral("error"))
        .toObject()
        .value(QStringLiteral("code"))
        .toString();
}

OrderRequest buy(std::int64_t quantity)
{
    return OrderRequest{Side::Buy, quantity, std::nullopt};
}

OrderRequest sell(std::int64_t quantity)
{
    return OrderRequest{Side::Sell, quantity, std::nullopt};
}

}  // namespace

class TestSqliteStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void migrateTwiceKeepsVersion();
    void migrateAfterReopenKeepsData();
    void openRejectsMissingFolder();
    void openRejectsNonDatabaseFile();
    void accountCreateAndFind();
    void accountUsernameTakenIgnoresCase();
    void sessionLifecycle();
    void sessionExpires();
    void quotesInIdOrder();
    void candlesAlignedToInterval();
    void candlesRejectZeroInterval();
    void orderFillsAtLatestQuote();
    void orderWithoutQuotesIsRejected();
    void orderRejectionIsReplayed();
    void orderReplayChangesNothing();
    void orderKeyReusedWithOtherBody();
    void orderKeysArePerAccount();
    void orderKeysExpireAfterRetention();
    void orderSellReducesCostBasis();
    void concurrentBuysFillOnlyAffordable();
    void concurrentSameKeyPlacesOneOrder();
    void praiseAddsBonusPerShare();
    void walletVersionGrowsPerChange();
    void ordersNewestFirstWithPaging();

private:
    std::unique_ptr<SqliteStore> openStore();
    std::int64_t createAccount(const QString& name, const QString& cash = QStringLiteral("100.00"));

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SqliteStore> m_store;
};

std::unique_ptr<SqliteStore> TestSqliteStore::openStore()
{
    auto opened = SqliteStore::open(m_dir->filePath(QStringLiteral("valiant.sqlite3")));
    if (!opened.ok()) {
        qWarning() << "open failed:" << opened.error().message;
        return nullptr;
    }
    return std::move(opened).value();
}

std::int64_t TestSqliteStore::createAccount(const QString& name, const QString& cash)
{
    const auto account =
        m_store->createAccount(name, "hash-of-" + name.toUtf8(), *Money::parse(cash));
    if (!account.ok()) {
        qWarning() << "createAccount failed:" << account.error().message;
        return 0;
    }
    return account->id;
}

void TestSqliteStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = openStore();
    QVERIFY(m_store);
    const auto migrated = m_store->migrate();
    QVERIFY2(migrated.ok(), qPrintable(migrated.ok() ? QString() : migrated.error().message));
}

void TestSqliteStore::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

void TestSqliteStore::migrateTwiceKeepsVersion()
{
    QCOMPARE(m_store->schemaVersion().value(), SqliteStore::latestSchemaVersion());
    QVERIFY(m_store->migrate().ok());
    QVERIFY(m_store->migrate().ok());
    QCOMPARE(m_store->schemaVersion().value(), SqliteStore::latestSchemaVersion());
}

void TestSqliteStore::migrateAfterReopenKeepsData()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(id > 0);
    QVERIFY(m_store->insertQuote(Money::fromCents(5000), baseMs).ok());
    m_store.reset();

    m_store = openStore();
    QVERIFY(m_store);
    QVERIFY(m_store->migrate().ok());
    QCOMPARE(m_store->findAccount(QStringLiteral("ada"))->account.id, id);
    QCOMPARE(m_store->latestQuote()->value().price, Money::fromCents(5000));
}

void TestSqliteStore::openRejectsMissingFolder()
{
    const auto opened =
        SqliteStore::open(m_dir->filePath(QStringLiteral("missing/valiant.sqlite3")));
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().status, 503);
    QVERIFY2(opened.error().message.contains(QStringLiteral("missing/valiant.sqlite3")),
             qPrintable(opened.error().message));
}

void TestSqliteStore::openRejectsNonDatabaseFile()
{
    const QString path = m_dir->filePath(QStringLiteral("notes.txt"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(4096, 'x'));
    file.close();

    const auto opened = SqliteStore::open(path);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().code, QStringLiteral("database_unavailable"));
    QVERIFY2(opened.error().message.contains(path), qPrintable(opened.error().message));
}

void TestSqliteStore::accountCreateAndFind()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"), QStringLiteral("123.45"));
    QVERIFY(id > 0);

    const auto found = m_store->findAccount(QStringLiteral("ada"));
    QVERIFY(found.ok());
    QCOMPARE(found->account.id, id);
    QCOMPARE(found->account.username, QStringLiteral("ada"));
    QCOMPARE(found->passwordHash, QByteArray("hash-of-ada"));

    const auto portfolio = m_store->portfolio(id);
    QVERIFY(portfolio.ok());
    QCOMPARE(portfolio->holdings.cash, Money::fromCents(12345));
    QCOMPARE(portfolio->holdings.shares, 0);
    QVERIFY(!portfolio->lastQuote.has_value());

    const auto missing = m_store->findAccount(QStringLiteral("bob"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().status, 404);

    QCOMPARE(m_store->portfolio(id + 100).error().status, 404);
}

void TestSqliteStore::accountUsernameTakenIgnoresCase()
{
    QVERIFY(createAccount(QStringLiteral("ada")) > 0);

    const auto again = m_store->createAccount(QStringLiteral("ada"), "x", Money());
    QVERIFY(!again.ok());
    QCOMPARE(again.error().status, 409);
    QCOMPARE(again.error().code, QStringLiteral("username_taken"));

    const auto upper = m_store->createAccount(QStringLiteral("ADA"), "x", Money());
    QVERIFY(!upper.ok());
    QCOMPARE(upper.error().code, QStringLiteral("username_taken"));
}

void TestSqliteStore::sessionLifecycle()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(m_store->createSession(id, "token-hash", now + 60'000).ok());

    const auto found = m_store->findSession("token-hash", now);
    QVERIFY(found.ok());
    QCOMPARE(found->id, id);
    QCOMPARE(found->username, QStringLiteral("ada"));

    QCOMPARE(m_store->findSession("other-hash", now).error().status, 401);

    QVERIFY(m_store->deleteSession("token-hash").ok());
    const auto deleted = m_store->findSession("token-hash", now);
    QVERIFY(!deleted.ok());
    QCOMPARE(deleted.error().code, QStringLiteral("invalid_token"));

    QCOMPARE(m_store->createSession(id + 100, "orphan", now + 60'000).error().status, 404);
}

void TestSqliteStore::sessionExpires()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(m_store->createSession(id, "token-hash", now + 1000).ok());

    QVERIFY(m_store->findSession("token-hash", now + 999).ok());
    QCOMPARE(m_store->findSession("token-hash", now + 1000).error().status, 401);
}

void TestSqliteStore::quotesInIdOrder()
{
    QVERIFY(!m_store->latestQuote()->has_value());
    for (int i = 0; i < 10; ++i) {
        const auto quote = m_store->insertQuote(Money::fromCents(5000 + i), baseMs + i * 1000);
        QVERIFY(quote.ok());
        QCOMPARE(quote->id, i + 1);
    }

    QCOMPARE(m_store->latestQuote()->value().id, 10);

    const auto after = m_store->quotesAfter(7, 60);
    QCOMPARE(after->size(), 3);
    QCOMPARE(after->at(0).id, 8);
    QCOMPARE(after->at(2).id, 10);
    QCOMPARE(after->at(0).price, Money::fromCents(5007));
    QCOMPARE(after->at(0).createdMs, baseMs + 7000);

    const auto limited = m_store->quotesAfter(0, 2);
    QCOMPARE(limited->size(), 2);
    QCOMPARE(limited->at(1).id, 2);

    const auto latest = m_store->latestQuotes(3);
    QCOMPARE(latest->size(), 3);
    QCOMPARE(latest->at(0).id, 8);
    QCOMPARE(latest->at(2).id, 10);

    const auto since = m_store->quotesSince(baseMs + 5000, 60);
    QCOMPARE(since->size(), 5);
    QCOMPARE(since->first().id, 6);
}

void TestSqliteStore::candlesAlignedToInterval()
{
    QCOMPARE(baseMs % 60'000, 0);
    const std::int64_t prices[] = {5000, 5300, 4900, 5100,  // minute 0
                                   5200,                    // minute 1
                                   5050, 5060};             // minute 3
    const std::int64_t times[] = {baseMs + 1000,   baseMs + 20'000, baseMs + 40'000,
                                  baseMs + 59'999, baseMs + 60'000, baseMs + 180'500,
                                  baseMs + 181'000};
    for (int i = 0; i < 7; ++i) {
        QVERIFY(m_store->insertQuote(Money::fromCents(prices[i]), times[i]).ok());
    }

    const auto candles = m_store->candles(60'000, baseMs, baseMs + 240'000);
    QVERIFY(candles.ok());
    QCOMPARE(candles->size(), 3);

    const auto& first = candles->at(0);
    QCOMPARE(first.startMs, baseMs);
    QCOMPARE(first.open, Money::fromCents(5000));
    QCOMPARE(first.high, Money::fromCents(5300));
    QCOMPARE(first.low, Money::fromCents(4900));
    QCOMPARE(first.close, Money::fromCents(5100));
    QCOMPARE(first.count, 4);

    QCOMPARE(candles->at(1).startMs, baseMs + 60'000);
    QCOMPARE(candles->at(1).count, 1);
    QCOMPARE(candles->at(2).startMs, baseMs + 180'000);
    QCOMPARE(candles->at(2).open, Money::fromCents(5050));
    QCOMPARE(candles->at(2).close, Money::fromCents(5060));

    // A range starting inside minute 0 leaves that bucket out: buckets must
    // start within [from, to).
    const auto later = m_store->candles(60'000, baseMs + 1, baseMs + 180'000);
    QCOMPARE(later->size(), 1);
    QCOMPARE(later->first().startMs, baseMs + 60'000);
}

void TestSqliteStore::candlesRejectZeroInterval()
{
    const auto candles = m_store->candles(0, baseMs, baseMs + 1000);
    QVERIFY(!candles.ok());
    QCOMPARE(candles.error().status, 422);
}

void TestSqliteStore::orderFillsAtLatestQuote()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(4000), baseMs).ok());
    const auto latest = m_store->insertQuote(Money::fromCents(5012), baseMs + 1000);

    const auto outcome = m_store->placeOrder(id, buy(1), "key-1", "fingerprint", baseMs + 1500);
    QVERIFY(outcome.ok());
    QCOMPARE(outcome->response.status, 201);
    QVERIFY(!outcome->replayed);
    QVERIFY(outcome->changedPortfolio.has_value());
    QCOMPARE(outcome->changedPortfolio->holdings.cash, Money::fromCents(4988));

    const QJsonObject body = jsonOf(outcome->response.body);
    const QJsonObject order = body.value(QStringLiteral("order")).toObject();
    QCOMPARE(order.value(QStringLiteral("price")).toString(), QStringLiteral("50.12"));
    QCOMPARE(order.value(QStringLiteral("quote_id")).toInteger(), latest->id);
    QCOMPARE(order.value(QStringLiteral("side")).toString(), QStringLiteral("buy"));
    const QJsonObject portfolio = body.value(QStringLiteral("portfolio")).toObject();
    QCOMPARE(portfolio.value(QStringLiteral("cash")).toString(), QStringLiteral("49.88"));
    QCOMPARE(portfolio.value(QStringLiteral("shares")).toInteger(), 1);

    const auto stored = m_store->portfolio(id);
    QCOMPARE(stored->holdings.cash, Money::fromCents(4988));
    QCOMPARE(stored->holdings.shares, 1);
    QCOMPARE(stored->holdings.costBasis, Money::fromCents(5012));

    const auto orders = m_store->orders(id, 0, 50);
    QCOMPARE(orders->size(), 1);
    QCOMPARE(orders->first().quoteId, latest->id);
    QCOMPARE(orders->first().total, Money::fromCents(5012));
    QCOMPARE(orders->first().createdMs, baseMs + 1500);
}

void TestSqliteStore::orderWithoutQuotesIsRejected()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    const auto outcome = m_store->placeOrder(id, buy(1), "key-1", "fingerprint", baseMs);
    QVERIFY(outcome.ok());
    QCOMPARE(outcome->response.status, 422);
    QCOMPARE(errorCodeOf(outcome->response.body), QStringLiteral("no_quotes"));
    QVERIFY(!outcome->changedPortfolio.has_value());
    QCOMPARE(m_store->portfolio(id)->holdings.cash, Money::fromCents(10000));
}

void TestSqliteStore::orderRejectionIsReplayed()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(5000), baseMs).ok());

    const auto first = m_store->placeOrder(id, buy(3), "key-1", "buy-3", baseMs);
    QCOMPARE(first->response.status, 422);
    QCOMPARE(errorCodeOf(first->response.body), QStringLiteral("insufficient_funds"));

    // Even once the account could afford it, the key keeps its first response.
    QVERIFY(m_store->insertQuote(Money::fromCents(100), baseMs + 1000).ok());
    const auto repeat = m_store->placeOrder(id, buy(3), "key-1", "buy-3", baseMs + 1000);
    QVERIFY(repeat.ok());
    QVERIFY(repeat->replayed);
    QCOMPARE(repeat->response.status, 422);
    QCOMPARE(repeat->response.body, first->response.body);
    QCOMPARE(m_store->portfolio(id)->holdings.shares, 0);
}

void TestSqliteStore::orderReplayChangesNothing()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());

    const auto first = m_store->placeOrder(id, buy(2), "key-1", "buy-2", baseMs);
    QCOMPARE(first->response.status, 201);

    QVERIFY(m_store->insertQuote(Money::fromCents(2000), baseMs + 1000).ok());
    const auto repeat = m_store->placeOrder(id, buy(2), "key-1", "buy-2", baseMs + 1000);
    QVERIFY(repeat.ok());
    QVERIFY(repeat->replayed);
    QCOMPARE(repeat->response.status, 200);
    QCOMPARE(repeat->response.body, first->response.body);
    QVERIFY(!repeat->changedPortfolio.has_value());

    QCOMPARE(m_store->portfolio(id)->holdings.shares, 2);
    QCOMPARE(m_store->portfolio(id)->holdings.cash, Money::fromCents(8000));
    QCOMPARE(m_store->orders(id, 0, 50)->size(), 1);
}

void TestSqliteStore::orderKeyReusedWithOtherBody()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(m_store->placeOrder(id, buy(1), "key-1", "buy-1", baseMs)->response.status, 201);

    const auto reused = m_store->placeOrder(id, buy(2), "key-1", "buy-2", baseMs);
    QVERIFY(!reused.ok());
    QCOMPARE(reused.error().status, 422);
    QCOMPARE(reused.error().code, QStringLiteral("idempotency_key_reused"));
    QCOMPARE(m_store->portfolio(id)->holdings.shares, 1);
}

void TestSqliteStore::orderKeysArePerAccount()
{
    const std::int64_t ada = createAccount(QStringLiteral("ada"));
    const std::int64_t bob = createAccount(QStringLiteral("bob"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());

    QCOMPARE(m_store->placeOrder(ada, buy(1), "shared-key", "buy-1", baseMs)->response.status, 201);
    const auto other = m_store->placeOrder(bob, buy(1), "shared-key", "buy-1", baseMs);
    QCOMPARE(other->response.status, 201);
    QVERIFY(!other->replayed);
    QCOMPARE(m_store->portfolio(bob)->holdings.shares, 1);
}

void TestSqliteStore::orderKeysExpireAfterRetention()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(m_store->placeOrder(id, buy(1), "key-1", "buy-1", baseMs)->response.status, 201);

    const std::int64_t almostDay = baseMs + SqliteStore::idempotencyKeyRetentionMs - 1;
    QVERIFY(m_store->placeOrder(id, buy(1), "key-1", "buy-1", almostDay)->replayed);

    const std::int64_t dayLater = baseMs + SqliteStore::idempotencyKeyRetentionMs + 120'000;
    const auto fresh = m_store->placeOrder(id, buy(1), "key-1", "buy-1", dayLater);
    QVERIFY(fresh.ok());
    QVERIFY(!fresh->replayed);
    QCOMPARE(fresh->response.status, 201);
    QCOMPARE(m_store->portfolio(id)->holdings.shares, 2);
}

void TestSqliteStore::orderSellReducesCostBasis()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(m_store->placeOrder(id, buy(4), "", "", baseMs)->response.status, 201);
    QVERIFY(m_store->insertQuote(Money::fromCents(1500), baseMs + 1000).ok());

    const auto sold = m_store->placeOrder(id, sell(1), "", "", baseMs + 1000);
    QCOMPARE(sold->response.status, 201);
    const auto portfolio = m_store->portfolio(id);
    QCOMPARE(portfolio->holdings.shares, 3);
    QCOMPARE(portfolio->holdings.cash, Money::fromCents(10000 - 4000 + 1500));
    QCOMPARE(portfolio->holdings.costBasis, Money::fromCents(3000));

    const auto tooMany = m_store->placeOrder(id, sell(4), "", "", baseMs + 1000);
    QCOMPARE(tooMany->response.status, 422);
    QCOMPARE(errorCodeOf(tooMany->response.body), QStringLiteral("insufficient_shares"));
}

void TestSqliteStore::concurrentBuysFillOnlyAffordable()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"), QStringLiteral("60.00"));
    QVERIFY(m_store->insertQuote(Money::fromCents(5000), baseMs).ok());

    constexpr int threadCount = 20;
    std::barrier start(threadCount);
    std::atomic<int> filled = 0;
    std::atomic<int> insufficient = 0;
    std::atomic<int> other = 0;

    std::vector<std::thread> threads;
    for (int i = 0; i < threadCount; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            const QByteArray key = "key-" + QByteArray::number(i);
            const auto outcome = m_store->placeOrder(id, buy(1), key, "buy-1", baseMs);
            if (outcome.ok() && outcome->response.status == 201) {
                ++filled;
            } else if (outcome.ok() &&
                       errorCodeOf(outcome->response.body) == QLatin1String("insufficient_funds")) {
                ++insufficient;
            } else {
                ++other;
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }

    QCOMPARE(filled.load(), 1);
    QCOMPARE(insufficient.load(), threadCount - 1);
    QCOMPARE(other.load(), 0);
    QCOMPARE(m_store->portfolio(id)->holdings.cash, Money::fromCents(1000));
    QCOMPARE(m_store->orders(id, 0, 50)->size(), 1);
}

void TestSqliteStore::concurrentSameKeyPlacesOneOrder()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());

    constexpr int threadCount = 10;
    std::barrier start(threadCount);
    std::vector<OrderOutcome> outcomes(threadCount);
    std::atomic<int> failures = 0;

    std::vector<std::thread> threads;
    for (int i = 0; i < threadCount; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            const auto outcome = m_store->placeOrder(id, buy(1), "same-key", "buy-1", baseMs);
            if (!outcome.ok()) {
                ++failures;
                return;
            }
            outcomes[i] = outcome.value();
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }

    QCOMPARE(failures.load(), 0);
    int created = 0;
    for (const OrderOutcome& outcome : outcomes) {
        created += outcome.response.status == 201 ? 1 : 0;
        QVERIFY(outcome.response.status == 201 || outcome.response.status == 200);
        QCOMPARE(outcome.response.body, outcomes.front().response.body);
    }
    QCOMPARE(created, 1);
    QCOMPARE(m_store->orders(id, 0, 50)->size(), 1);
    QCOMPARE(m_store->portfolio(id)->holdings.shares, 1);
}

void TestSqliteStore::walletVersionGrowsPerChange()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QCOMPARE(m_store->portfolio(id)->holdings.version, 0);
    QVERIFY(m_store->insertQuote(Money::fromCents(1000), baseMs).ok());

    // Each stored change returns the wallet one version on.
    const auto first = m_store->placeOrder(id, buy(2), "version-1", "", baseMs);
    QCOMPARE(first->response.status, 201);
    QCOMPARE(first->changedPortfolio->holdings.version, 1);
    const auto second = m_store->placeOrder(id, buy(1), "", "", baseMs);
    QCOMPARE(second->changedPortfolio->holdings.version, 2);
    const auto praised = m_store->praise(id, baseMs);
    QCOMPARE(praised->portfolio.holdings.version, 3);

    // A rejection and a replay change nothing.
    const auto rejected = m_store->placeOrder(id, buy(1'000'000), "", "", baseMs);
    QCOMPARE(rejected->response.status, 422);
    QVERIFY(!rejected->changedPortfolio);
    const auto replayed = m_store->placeOrder(id, buy(2), "version-1", "", baseMs);
    QVERIFY(replayed->replayed);
    QCOMPARE(m_store->portfolio(id)->holdings.version, 3);
}

void TestSqliteStore::praiseAddsBonusPerShare()
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

    QCOMPARE(m_store->praise(id + 100, baseMs).error().status, 404);
}

void TestSqliteStore::ordersNewestFirstWithPaging()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    const std::int64_t otherId = createAccount(QStringLiteral("bob"));
    QVERIFY(m_store->insertQuote(Money::fromCents(100), baseMs).ok());
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(m_store->placeOrder(id, buy(1), "", "", baseMs + i)->response.status, 201);
    }
    QCOMPARE(m_store->placeOrder(otherId, buy(1), "", "", baseMs)->response.status, 201);

    const auto page = m_store->orders(id, 0, 3);
    QCOMPARE(page->size(), 3);
    QVERIFY(page->at(0).id > page->at(1).id);
    QVERIFY(page->at(1).id > page->at(2).id);

    const auto rest = m_store->orders(id, page->last().id, 50);
    QCOMPARE(rest->size(), 2);
    QVERIFY(rest->first().id < page->last().id);
    QCOMPARE(m_store->orders(otherId, 0, 50)->size(), 1);
}

QTEST_GUILESS_MAIN(TestSqliteStore)
#include "tst_sqlitestore.moc"
