#include "server/sessioncache.h"
#include "server/marketservice.h"
#include "server/metrics.h"
#include "server/quotebus.h"
#include "server/sqlitestore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <barrier>
#include <memory>
#include <thread>
#include <vector>

using valiant::core::Money;
using valiant::core::OrderRequest;
using valiant::core::Portfolio;
using valiant::core::PriceModel;
using valiant::core::Quote;
using valiant::core::Side;
using valiant::server::SessionCache;
using valiant::server::LocalBus;
using valiant::server::MarketService;
using valiant::server::Metrics;
using valiant::server::SqliteStore;

namespace {

// 2026-09-21T14:13:00Z; the tests move the service's clock by hand.
constexpr std::int64_t startMs = 1'789'999'980'000;

const QString password = QStringLiteral("correct horse");

QString errorCodeOf(const QByteArray& body)
{
    return QJsonDocument::fromJson(body)
        .object()
        .value(QStringLiteral("error"))
        .toObject()
        .value(QStringLiteral("code"))
        .toString();
}

}  // namespace

class TestMarketService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void createAccountIssuesToken();
    void createAccountRejectsBadInput();
    void createAccountUsernameTaken();
    void passwordStoredAsArgon2id();
    void logInChecksPassword();
    void logInUnknownUserSameError();
    void logOutEndsSession();
    void sessionExpiresAfterLifetime();
    void otherReplicaLogOutTakesOneSecond();
    void cachedSessionEndsWithSession();
    void tokenStoredOnlyAsHash();
    void localSessionReusesAccount();
    void generateQuoteStartsAtFifty();
    void generateQuoteFollowsPriceModel();
    void latestQuoteBeforeFirstQuote();
    void placeOrderPublishesPortfolio();
    void placeOrderKeyReuseRejected();
    void concurrentOrdersFillOnlyAffordable();
    void praisePublishesPortfolio();
    void healthReportsDatabaseAndBus();

private:
    std::int64_t clockMs() const { return m_nowMs.load(); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SqliteStore> m_store;
    std::unique_ptr<LocalBus> m_bus;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<MarketService> m_service;
    std::atomic<std::int64_t> m_nowMs = startMs;

    QMutex m_publishedMutex;
    QList<Quote> m_publishedQuotes;
    QList<QPair<std::int64_t, Portfolio>> m_publishedPortfolios;
};

void TestMarketService::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    auto store = SqliteStore::open(m_dir->filePath(QStringLiteral("valiant.sqlite3")));
    QVERIFY(store.ok());
    m_store = std::move(store).value();
    QVERIFY(m_store->migrate().ok());

    m_nowMs = startMs;
    m_publishedQuotes.clear();
    m_publishedPortfolios.clear();
    m_bus = std::make_unique<LocalBus>();
    m_bus->subscribe(
        [this](const Quote& quote) {
            QMutexLocker locker(&m_publishedMutex);
            m_publishedQuotes.append(quote);
        },
        [this](std::int64_t accountId, const Portfolio& portfolio) {
            QMutexLocker locker(&m_publishedMutex);
            m_publishedPortfolios.append({accountId, portfolio});
        });
    m_metrics = std::make_unique<Metrics>();
    m_service = std::make_unique<MarketService>(
        *m_store, *m_bus, *m_metrics, Money::fromCents(10000), [this] { return clockMs(); });
}

void TestMarketService::cleanup()
{
    m_service.reset();
    m_metrics.reset();
    m_bus.reset();
    m_store.reset();
    m_dir.reset();
}

void TestMarketService::createAccountIssuesToken()
{
    const auto grant = m_service->createAccount(QStringLiteral("ada"), password);
    QVERIFY(grant.ok());
    QCOMPARE(grant->account.username, QStringLiteral("ada"));

    // 32 random bytes in unpadded base64url.
    static const QRegularExpression tokenPattern(QStringLiteral("^[A-Za-z0-9_-]{43}$"));
    QVERIFY2(tokenPattern.match(grant->token).hasMatch(), qPrintable(grant->token));

    const auto account = m_service->authenticate(grant->token);
    QVERIFY(account.ok());
    QCOMPARE(account->id, grant->account.id);

    const auto portfolio = m_service->portfolio(grant->account.id);
    QCOMPARE(portfolio->holdings.cash, Money::fromCents(10000));
    QCOMPARE(portfolio->holdings.shares, 0);

    const auto other = m_service->createAccount(QStringLiteral("bob"), password);
    QVERIFY(other->token != grant->token);
}

void TestMarketService::createAccountRejectsBadInput()
{
    const auto shortName = m_service->createAccount(QStringLiteral("ab"), password);
    QCOMPARE(shortName.error().status, 422);
    QCOMPARE(shortName.error().code, QStringLiteral("invalid_username"));

    const auto spaces = m_service->createAccount(QStringLiteral("ada lovelace"), password);
    QCOMPARE(spaces.error().code, QStringLiteral("invalid_username"));

    const auto shortPassword =
        m_service->createAccount(QStringLiteral("ada"), QStringLiteral("1234567"));
    QCOMPARE(shortPassword.error().status, 422);
    QCOMPARE(shortPassword.error().code, QStringLiteral("invalid_password"));

    QCOMPARE(m_store->findAccount(QStringLiteral("ada")).error().status, 404);
}

void TestMarketService::createAccountUsernameTaken()
{
    QVERIFY(m_service->createAccount(QStringLiteral("ada"), password).ok());
    const auto again =
        m_service->createAccount(QStringLiteral("ada"), QStringLiteral("other password"));
    QVERIFY(!again.ok());
    QCOMPARE(again.error().status, 409);
    QCOMPARE(again.error().code, QStringLiteral("username_taken"));
}

void TestMarketService::passwordStoredAsArgon2id()
{
    QVERIFY(m_service->createAccount(QStringLiteral("ada"), password).ok());
    const auto stored = m_store->findAccount(QStringLiteral("ada"));
    QVERIFY(stored.ok());
    QVERIFY2(stored->passwordHash.startsWith("$argon2id$"), stored->passwordHash.constData());
    QVERIFY(!stored->passwordHash.contains(password.toUtf8()));
}

void TestMarketService::logInChecksPassword()
{
    const auto created = m_service->createAccount(QStringLiteral("ada"), password);
    QVERIFY(created.ok());

    const auto loggedIn = m_service->logIn(QStringLiteral("ada"), password);
    QVERIFY(loggedIn.ok());
    QCOMPARE(loggedIn->account.id, created->account.id);
    QVERIFY(loggedIn->token != created->token);
    QVERIFY(m_service->authenticate(loggedIn->token).ok());

    const auto wrong = m_service->logIn(QStringLiteral("ada"), QStringLiteral("wrong password"));
    QVERIFY(!wrong.ok());
    QCOMPARE(wrong.error().status, 401);
    QCOMPARE(wrong.error().code, QStringLiteral("invalid_credentials"));
}

void TestMarketService::logInUnknownUserSameError()
{
    QVERIFY(m_service->createAccount(QStringLiteral("ada"), password).ok());
    const auto wrong = m_service->logIn(QStringLiteral("ada"), QStringLiteral("wrong password"));
    const auto unknown = m_service->logIn(QStringLiteral("nobody"), password);
    QVERIFY(!unknown.ok());
    QCOMPARE(unknown.error().status, wrong.error().status);
    QCOMPARE(unknown.error().code, wrong.error().code);
    QCOMPARE(unknown.error().message, wrong.error().message);
}

void TestMarketService::logOutEndsSession()
{
    const auto grant = m_service->createAccount(QStringLiteral("ada"), password);
    const auto second = m_service->logIn(QStringLiteral("ada"), password);
    QVERIFY(m_service->logOut(grant->token).ok());

    const auto after = m_service->authenticate(grant->token);
    QVERIFY(!after.ok());
    QCOMPARE(after.error().status, 401);
    QCOMPARE(after.error().code, QStringLiteral("invalid_token"));
    // Other sessions of the same account keep working.
    QVERIFY(m_service->authenticate(second->token).ok());
}

void TestMarketService::sessionExpiresAfterLifetime()
{
    // The store prunes by the wall clock, so the session starts now.
    m_nowMs = QDateTime::currentMSecsSinceEpoch();
    const auto grant = m_service->createAccount(QStringLiteral("ada"), password);
    QVERIFY(grant.ok());

    m_nowMs += MarketService::sessionLifetimeMs - 1;
    QVERIFY(m_service->authenticate(grant->token).ok());
    m_nowMs += 1;
    QCOMPARE(m_service->authenticate(grant->token).error().status, 401);
}

void TestMarketService::otherReplicaLogOutTakesOneSecond()
{
    // A second service on the same store plays another replica.
    MarketService other(*m_store, *m_bus, *m_metrics, Money::fromCents(10000),
                        [this] { return clockMs(); });
    m_nowMs = QDateTime::currentMSecsSinceEpoch();
    const auto grant = m_service->createAccount(QStringLiteral("ada"), password);
    QVERIFY(grant.ok());
    QVERIFY(m_service->authenticate(grant->token).ok());
    QVERIFY(other.authenticate(grant->token).ok());

    QVERIFY(other.logOut(grant->token).ok());
    QCOMPARE(other.authenticate(grant->token).error().status, 401);
    // This replica confirmed the token less than a second ago.
    m_nowMs += SessionCache::defaultTtlMs - 1;
    QVERIFY(m_service->authenticate(grant->token).ok());
    m_nowMs += 1;
    QCOMPARE(m_service->authenticate(grant->token).error().status, 401);
}

void TestMarketService::cachedSessionEndsWithSession()
{
    SessionCache cache(1000);
    const valiant::core::Account ada{7, QStringLiteral("ada")};
    cache.insert("hash", ada, 10'000, 10'500);
    QCOMPARE(cache.find("hash", 10'499)->id, 7);
    QVERIFY(!cache.find("hash", 10'500));  // the session ended before the TTL

    cache.insert("hash", ada, 10'000, 99'000);
    QVERIFY(!cache.find("hash", 9'999));  // a clock that went back drops it
    cache.insert("hash", ada, 10'000, 99'000);
    QVERIFY(cache.find("hash", 10'999));
    QVERIFY(!cache.find("hash", 11'000));
    cache.insert("hash", ada, 10'000, 99'000);
    cache.revoke("hash", 10'001);
    QVERIFY(!cache.find("hash", 10'001));
    // A lookup that read the session before the log-out cannot restore it.
    cache.insert("hash", ada, 10'002, 99'000);
    QVERIFY(!cache.find("hash", 10'003));
    cache.insert("hash", ada, 10'004, 99'000);  // after a lookup, still blocked
    QVERIFY(!cache.find("hash", 10'005));
    cache.insert("hash", ada, 11'001, 99'000);  // the mark has run out
    QVERIFY(cache.find("hash", 11'002));

    SessionCache off(0);
    off.insert("hash", ada, 10'000, 99'000);
    QVERIFY(!off.find("hash", 10'000));
}

void TestMarketService::tokenStoredOnlyAsHash()
{
    const auto grant = m_service->createAccount(QStringLiteral("ada"), password);
    QVERIFY(grant.ok());
    QCOMPARE(m_store->findSession(grant->token.toUtf8(), clockMs()).error().status, 401);
    QCOMPARE(m_service->authenticate(QString()).error().status, 401);
    QCOMPARE(m_service->authenticate(grant->token + QLatin1Char('x')).error().status, 401);
}

void TestMarketService::localSessionReusesAccount()
{
    const auto first = m_service->localSession();
    QVERIFY(first.ok());
    QCOMPARE(first->account.username, QStringLiteral("~local"));
    QVERIFY(m_service->authenticate(first->token).ok());

    const auto second = m_service->localSession();
    QVERIFY(second.ok());
    QCOMPARE(second->account.id, first->account.id);
    QVERIFY(second->token != first->token);

    // Nobody can take the local account's name over the API.
    const auto squatter =
        m_service->createAccount(QStringLiteral("local"), QStringLiteral("long-enough-password"));
    QVERIFY(squatter.ok());
    QVERIFY(squatter->account.id != first->account.id);

    // The local account has no password that could log in over the network.
    QCOMPARE(m_service->logIn(QStringLiteral("~local"), QString()).error().status, 401);
    QCOMPARE(
        m_service->logIn(QStringLiteral("~local"), QStringLiteral("!no-password")).error().status,
        401);
}

void TestMarketService::generateQuoteStartsAtFifty()
{
    PriceModel::Random random(42);
    const auto first = m_service->generateQuote(random);
    QVERIFY(first.ok());
    QCOMPARE(first->price, Money::fromCents(5000));
    QCOMPARE(first->createdMs, startMs);
    QCOMPARE(m_service->latestQuote()->id, first->id);

    QCOMPARE(m_publishedQuotes.size(), 1);
    QCOMPARE(m_publishedQuotes.first().id, first->id);
    QVERIFY(m_metrics->render().contains("valiant_quotes_generated_total 1\n"));
}

void TestMarketService::generateQuoteFollowsPriceModel()
{
    PriceModel::Random random(7);
    Money previous = m_service->generateQuote(random)->price;

    // The service draws exactly what the model draws from the same seed.
    PriceModel::Random mirror(7);
    Money expected = PriceModel::firstPrice;
    for (int i = 0; i < 50; ++i) {
        m_nowMs += 1000;
        const auto quote = m_service->generateQuote(random);
        QVERIFY(quote.ok());
        expected = PriceModel::next(expected, mirror).price;
        QCOMPARE(quote->price, expected);
        QCOMPARE(quote->createdMs, clockMs());
        QVERIFY(quote->price >= PriceModel::floorPrice);
        previous = quote->price;
    }
    QCOMPARE(m_publishedQuotes.size(), 51);
    QCOMPARE(m_service->latestQuote()->price, previous);
}

void TestMarketService::latestQuoteBeforeFirstQuote()
{
    const auto latest = m_service->latestQuote();
    QVERIFY(!latest.ok());
    QCOMPARE(latest.error().status, 404);
    QCOMPARE(latest.error().code, QStringLiteral("no_quotes"));
}

void TestMarketService::placeOrderPublishesPortfolio()
{
    const auto grant = m_service->createAccount(QStringLiteral("ada"), password);
    const std::int64_t id = grant->account.id;
    PriceModel::Random random(1);
    QVERIFY(m_service->generateQuote(random).ok());

    const OrderRequest buyOne{Side::Buy, 1, std::nullopt};
    const auto filled = m_service->placeOrder(id, buyOne, "key-1");
    QVERIFY(filled.ok());
    QCOMPARE(filled->response.status, 201);
    QCOMPARE(m_publishedPortfolios.size(), 1);
    QCOMPARE(m_publishedPortfolios.first().first, id);
    QCOMPARE(m_publishedPortfolios.first().second.holdings.shares, 1);

    const auto replayed = m_service->placeOrder(id, buyOne, "key-1");
    QVERIFY(replayed->replayed);
    QCOMPARE(replayed->response.status, 200);

    const auto rejected =
        m_service->placeOrder(id, OrderRequest{Side::Sell, 5, std::nullopt}, "key-2");
    QCOMPARE(rejected->response.status, 422);
    QCOMPARE(errorCodeOf(rejected->response.body), QStringLiteral("insufficient_shares"));

    // Only the fill changed the wallet.
    QCOMPARE(m_publishedPortfolios.size(), 1);

    const QByteArray metrics = m_metrics->render();
    QVERIFY(metrics.contains("valiant_orders_total{outcome=\"filled\"} 1\n"));
    QVERIFY(metrics.contains("valiant_orders_total{outcome=\"replayed\"} 1\n"));
    QVERIFY(metrics.contains("valiant_orders_total{outcome=\"insufficient_shares\"} 1\n"));
    QVERIFY(
        metrics.contains("valiant_db_query_duration_seconds_count{operation=\"place_order\"} 3\n"));
}

void TestMarketService::placeOrderKeyReuseRejected()
{
    const auto grant = m_service->createAccount(QStringLiteral("ada"), password);
    const std::int64_t id = grant->account.id;
    PriceModel::Random random(1);
    QVERIFY(m_service->generateQuote(random).ok());

    const OrderRequest limited{Side::Buy, 1, Money::fromCents(10000)};
    QCOMPARE(m_service->placeOrder(id, limited, "key-1")->response.status, 201);
    QVERIFY(m_service->placeOrder(id, limited, "key-1")->replayed);

    const OrderRequest otherLimit{Side::Buy, 1, Money::fromCents(9000)};
    const auto reused = m_service->placeOrder(id, otherLimit, "key-1");
    QVERIFY(!reused.ok());
    QCOMPARE(reused.error().code, QStringLiteral("idempotency_key_reused"));
    QCOMPARE(m_service->portfolio(id)->holdings.shares, 1);
}

void TestMarketService::concurrentOrdersFillOnlyAffordable()
{
    const auto grant = m_service->createAccount(QStringLiteral("ada"), password);
    const std::int64_t id = grant->account.id;
    PriceModel::Random random(1);
    QVERIFY(m_service->generateQuote(random).ok());  // $50.00, so the $100.00 buys two shares

    constexpr int threadCount = 20;
    std::barrier start(threadCount);
    std::atomic<int> filled = 0;
    std::atomic<int> insufficient = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < threadCount; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            const auto outcome = m_service->placeOrder(id, OrderRequest{Side::Buy, 1, std::nullopt},
                                                       "key-" + QByteArray::number(i));
            if (outcome.ok() && outcome->response.status == 201) {
                ++filled;
            } else if (outcome.ok() &&
                       errorCodeOf(outcome->response.body) == "insufficient_funds") {
                ++insufficient;
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }

    QCOMPARE(filled.load(), 2);
    QCOMPARE(insufficient.load(), threadCount - 2);
    QCOMPARE(m_service->portfolio(id)->holdings.cash, Money());
    QCOMPARE(m_publishedPortfolios.size(), 2);
}

void TestMarketService::praisePublishesPortfolio()
{
    const auto grant = m_service->createAccount(QStringLiteral("ada"), password);
    const std::int64_t id = grant->account.id;

    const auto nothing = m_service->praise(id);
    QVERIFY(nothing.ok());
    QCOMPARE(nothing->bonus, Money());

    PriceModel::Random random(1);
    QVERIFY(m_service->generateQuote(random).ok());
    QCOMPARE(
        m_service->placeOrder(id, OrderRequest{Side::Buy, 1, std::nullopt}, "")->response.status,
        201);

    m_publishedPortfolios.clear();
    const auto praised = m_service->praise(id);
    QVERIFY(praised.ok());
    QCOMPARE(praised->bonus, Money::fromCents(10));
    QCOMPARE(praised->portfolio.holdings.cash, Money::fromCents(5010));
    QCOMPARE(m_publishedPortfolios.size(), 1);
    QCOMPARE(m_publishedPortfolios.first().second.holdings.cash, Money::fromCents(5010));
}

void TestMarketService::healthReportsDatabaseAndBus()
{
    const auto health = m_service->health(QStringLiteral("leader"));
    QVERIFY(health.databaseOk);
    QCOMPARE(health.bus, QStringLiteral("local"));
    QCOMPARE(health.generator, QStringLiteral("leader"));
}

QTEST_GUILESS_MAIN(TestMarketService)
#include "tst_marketservice.moc"
