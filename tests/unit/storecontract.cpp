#include "storecontract.h"

#include <QJsonDocument>
#include <QTest>

#include <atomic>
#include <barrier>
#include <thread>
#include <vector>

namespace valiant::test {

using core::Money;
using core::OrderRequest;
using core::Side;
using server::OrderOutcome;

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

std::int64_t StoreContract::createAccount(const QString& name, const QString& cash)
{
    const auto account =
        store().createAccount(name, "hash-of-" + name.toUtf8(), *Money::parse(cash));
    if (!account.ok()) {
        qWarning() << "createAccount failed:" << account.error().message;
        return 0;
    }
    return account->id;
}

void StoreContract::accountCreateAndFind()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"), QStringLiteral("123.45"));
    QVERIFY(id > 0);

    const auto found = store().findAccount(QStringLiteral("ada"));
    QVERIFY(found.ok());
    QCOMPARE(found->account.id, id);
    QCOMPARE(found->account.username, QStringLiteral("ada"));
    QCOMPARE(found->passwordHash, QByteArray("hash-of-ada"));

    const auto portfolio = store().portfolio(id);
    QVERIFY(portfolio.ok());
    QCOMPARE(portfolio->holdings.cash, Money::fromCents(12345));
    QCOMPARE(portfolio->holdings.shares, 0);
    QVERIFY(!portfolio->lastQuote.has_value());

    const auto missing = store().findAccount(QStringLiteral("bob"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().status, 404);

    QCOMPARE(store().portfolio(id + 100).error().status, 404);
}

void StoreContract::accountUsernameTakenIgnoresCase()
{
    QVERIFY(createAccount(QStringLiteral("ada")) > 0);

    const auto again = store().createAccount(QStringLiteral("ada"), "x", Money());
    QVERIFY(!again.ok());
    QCOMPARE(again.error().status, 409);
    QCOMPARE(again.error().code, QStringLiteral("username_taken"));

    const auto upper = store().createAccount(QStringLiteral("ADA"), "x", Money());
    QVERIFY(!upper.ok());
    QCOMPARE(upper.error().code, QStringLiteral("username_taken"));
}

void StoreContract::sessionLifecycle()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(store().createSession(id, "token-hash", now + 60'000).ok());

    const auto found = store().findSession("token-hash", now);
    QVERIFY(found.ok());
    QCOMPARE(found->id, id);
    QCOMPARE(found->username, QStringLiteral("ada"));

    QCOMPARE(store().findSession("other-hash", now).error().status, 401);

    QVERIFY(store().deleteSession("token-hash").ok());
    const auto deleted = store().findSession("token-hash", now);
    QVERIFY(!deleted.ok());
    QCOMPARE(deleted.error().code, QStringLiteral("invalid_token"));

    QCOMPARE(store().createSession(id + 100, "orphan", now + 60'000).error().status, 404);
}

void StoreContract::sessionExpires()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(store().createSession(id, "token-hash", now + 1000).ok());

    QVERIFY(store().findSession("token-hash", now + 999).ok());
    QCOMPARE(store().findSession("token-hash", now + 1000).error().status, 401);
}

void StoreContract::quotesInIdOrder()
{
    QVERIFY(!store().latestQuote()->has_value());
    for (int i = 0; i < 10; ++i) {
        const auto quote = store().insertQuote(Money::fromCents(5000 + i), baseMs + i * 1000);
        QVERIFY(quote.ok());
        QCOMPARE(quote->id, i + 1);
    }

    QCOMPARE(store().latestQuote()->value().id, 10);

    const auto after = store().quotesAfter(7, 60);
    QCOMPARE(after->size(), 3);
    QCOMPARE(after->at(0).id, 8);
    QCOMPARE(after->at(2).id, 10);
    QCOMPARE(after->at(0).price, Money::fromCents(5007));
    QCOMPARE(after->at(0).createdMs, baseMs + 7000);

    const auto limited = store().quotesAfter(0, 2);
    QCOMPARE(limited->size(), 2);
    QCOMPARE(limited->at(1).id, 2);

    const auto latest = store().latestQuotes(3);
    QCOMPARE(latest->size(), 3);
    QCOMPARE(latest->at(0).id, 8);
    QCOMPARE(latest->at(2).id, 10);

    const auto since = store().quotesSince(baseMs + 5000, 60);
    QCOMPARE(since->size(), 5);
    QCOMPARE(since->first().id, 6);
}

void StoreContract::candlesAlignedToInterval()
{
    QCOMPARE(baseMs % 60'000, 0);
    const std::int64_t prices[] = {5000, 5300, 4900, 5100,  // minute 0
                                   5200,                    // minute 1
                                   5050, 5060};             // minute 3
    const std::int64_t times[] = {baseMs + 1000,   baseMs + 20'000, baseMs + 40'000,
                                  baseMs + 59'999, baseMs + 60'000, baseMs + 180'500,
                                  baseMs + 181'000};
    for (int i = 0; i < 7; ++i) {
        QVERIFY(store().insertQuote(Money::fromCents(prices[i]), times[i]).ok());
    }

    const auto candles = store().candles(60'000, baseMs, baseMs + 240'000);
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
    const auto later = store().candles(60'000, baseMs + 1, baseMs + 180'000);
    QCOMPARE(later->size(), 1);
    QCOMPARE(later->first().startMs, baseMs + 60'000);
}

void StoreContract::candlesRejectZeroInterval()
{
    const auto candles = store().candles(0, baseMs, baseMs + 1000);
    QVERIFY(!candles.ok());
    QCOMPARE(candles.error().status, 422);
}

void StoreContract::orderFillsAtLatestQuote()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(store().insertQuote(Money::fromCents(4000), baseMs).ok());
    const auto latest = store().insertQuote(Money::fromCents(5012), baseMs + 1000);

    const auto outcome = store().placeOrder(id, buy(1), "key-1", "fingerprint", baseMs + 1500);
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

    const auto stored = store().portfolio(id);
    QCOMPARE(stored->holdings.cash, Money::fromCents(4988));
    QCOMPARE(stored->holdings.shares, 1);
    QCOMPARE(stored->holdings.costBasis, Money::fromCents(5012));

    const auto orders = store().orders(id, 0, 50);
    QCOMPARE(orders->size(), 1);
    QCOMPARE(orders->first().quoteId, latest->id);
    QCOMPARE(orders->first().total, Money::fromCents(5012));
    QCOMPARE(orders->first().createdMs, baseMs + 1500);
}

void StoreContract::orderWithoutQuotesIsRejected()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    const auto outcome = store().placeOrder(id, buy(1), "key-1", "fingerprint", baseMs);
    QVERIFY(outcome.ok());
    QCOMPARE(outcome->response.status, 422);
    QCOMPARE(errorCodeOf(outcome->response.body), QStringLiteral("no_quotes"));
    QVERIFY(!outcome->changedPortfolio.has_value());
    QCOMPARE(store().portfolio(id)->holdings.cash, Money::fromCents(10000));
}

void StoreContract::orderRejectionIsReplayed()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(store().insertQuote(Money::fromCents(5000), baseMs).ok());

    const auto first = store().placeOrder(id, buy(3), "key-1", "buy-3", baseMs);
    QCOMPARE(first->response.status, 422);
    QCOMPARE(errorCodeOf(first->response.body), QStringLiteral("insufficient_funds"));

    // Even once the account could afford it, the key keeps its first response.
    QVERIFY(store().insertQuote(Money::fromCents(100), baseMs + 1000).ok());
    const auto repeat = store().placeOrder(id, buy(3), "key-1", "buy-3", baseMs + 1000);
    QVERIFY(repeat.ok());
    QVERIFY(repeat->replayed);
    QCOMPARE(repeat->response.status, 422);
    QCOMPARE(repeat->response.body, first->response.body);
    QCOMPARE(store().portfolio(id)->holdings.shares, 0);
}

void StoreContract::orderReplayChangesNothing()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(store().insertQuote(Money::fromCents(1000), baseMs).ok());

    const auto first = store().placeOrder(id, buy(2), "key-1", "buy-2", baseMs);
    QCOMPARE(first->response.status, 201);

    QVERIFY(store().insertQuote(Money::fromCents(2000), baseMs + 1000).ok());
    const auto repeat = store().placeOrder(id, buy(2), "key-1", "buy-2", baseMs + 1000);
    QVERIFY(repeat.ok());
    QVERIFY(repeat->replayed);
    QCOMPARE(repeat->response.status, 200);
    QCOMPARE(repeat->response.body, first->response.body);
    QVERIFY(!repeat->changedPortfolio.has_value());

    QCOMPARE(store().portfolio(id)->holdings.shares, 2);
    QCOMPARE(store().portfolio(id)->holdings.cash, Money::fromCents(8000));
    QCOMPARE(store().orders(id, 0, 50)->size(), 1);
}

void StoreContract::orderKeyReusedWithOtherBody()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(store().insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(store().placeOrder(id, buy(1), "key-1", "buy-1", baseMs)->response.status, 201);

    const auto reused = store().placeOrder(id, buy(2), "key-1", "buy-2", baseMs);
    QVERIFY(!reused.ok());
    QCOMPARE(reused.error().status, 422);
    QCOMPARE(reused.error().code, QStringLiteral("idempotency_key_reused"));
    QCOMPARE(store().portfolio(id)->holdings.shares, 1);
}

void StoreContract::invalidOrderKeptUnderKey()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(store().insertQuote(Money::fromCents(1000), baseMs).ok());
    const server::StoredResponse rejection{422, R"({"error":{"code":"invalid_quantity"}})"};

    const auto first = store().keepInvalidOrder(id, "key-1", "invalid-1", rejection, baseMs);
    QVERIFY(first.ok());
    QVERIFY(!first->replayed);
    QCOMPARE(first->response.status, 422);

    const auto repeat = store().keepInvalidOrder(id, "key-1", "invalid-1", rejection, baseMs);
    QVERIFY(repeat.ok());
    QVERIFY(repeat->replayed);
    QCOMPARE(repeat->response.body, rejection.body);

    // A valid order under the kept key is another request.
    const auto order = store().placeOrder(id, buy(1), "key-1", "buy-1", baseMs);
    QVERIFY(!order.ok());
    QCOMPARE(order.error().code, QStringLiteral("idempotency_key_reused"));
    QCOMPARE(store().portfolio(id)->holdings.shares, 0);

    // So is an invalid order under a key that a filled order used.
    QCOMPARE(store().placeOrder(id, buy(1), "key-2", "buy-1", baseMs)->response.status, 201);
    const auto invalid = store().keepInvalidOrder(id, "key-2", "invalid-1", rejection, baseMs);
    QVERIFY(!invalid.ok());
    QCOMPARE(invalid.error().code, QStringLiteral("idempotency_key_reused"));
    QCOMPARE(store().portfolio(id)->holdings.shares, 1);
}

void StoreContract::orderKeysArePerAccount()
{
    const std::int64_t ada = createAccount(QStringLiteral("ada"));
    const std::int64_t bob = createAccount(QStringLiteral("bob"));
    QVERIFY(store().insertQuote(Money::fromCents(1000), baseMs).ok());

    QCOMPARE(store().placeOrder(ada, buy(1), "shared-key", "buy-1", baseMs)->response.status, 201);
    const auto other = store().placeOrder(bob, buy(1), "shared-key", "buy-1", baseMs);
    QCOMPARE(other->response.status, 201);
    QVERIFY(!other->replayed);
    QCOMPARE(store().portfolio(bob)->holdings.shares, 1);
}

void StoreContract::orderKeysExpireAfterRetention()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(store().insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(store().placeOrder(id, buy(1), "key-1", "buy-1", baseMs)->response.status, 201);

    const std::int64_t almostDay = baseMs + idempotencyKeyRetentionMs() - 1;
    QVERIFY(store().placeOrder(id, buy(1), "key-1", "buy-1", almostDay)->replayed);

    const std::int64_t dayLater = baseMs + idempotencyKeyRetentionMs() + 120'000;
    const auto fresh = store().placeOrder(id, buy(1), "key-1", "buy-1", dayLater);
    QVERIFY(fresh.ok());
    QVERIFY(!fresh->replayed);
    QCOMPARE(fresh->response.status, 201);
    QCOMPARE(store().portfolio(id)->holdings.shares, 2);
}

void StoreContract::orderSellReducesCostBasis()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(store().insertQuote(Money::fromCents(1000), baseMs).ok());
    QCOMPARE(store().placeOrder(id, buy(4), "", "", baseMs)->response.status, 201);
    QVERIFY(store().insertQuote(Money::fromCents(1500), baseMs + 1000).ok());

    const auto sold = store().placeOrder(id, sell(1), "", "", baseMs + 1000);
    QCOMPARE(sold->response.status, 201);
    const auto portfolio = store().portfolio(id);
    QCOMPARE(portfolio->holdings.shares, 3);
    QCOMPARE(portfolio->holdings.cash, Money::fromCents(10000 - 4000 + 1500));
    QCOMPARE(portfolio->holdings.costBasis, Money::fromCents(3000));

    const auto tooMany = store().placeOrder(id, sell(4), "", "", baseMs + 1000);
    QCOMPARE(tooMany->response.status, 422);
    QCOMPARE(errorCodeOf(tooMany->response.body), QStringLiteral("insufficient_shares"));
}

void StoreContract::concurrentBuysFillOnlyAffordable()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"), QStringLiteral("60.00"));
    QVERIFY(store().insertQuote(Money::fromCents(5000), baseMs).ok());

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
            const auto outcome = store().placeOrder(id, buy(1), key, "buy-1", baseMs);
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
    QCOMPARE(store().portfolio(id)->holdings.cash, Money::fromCents(1000));
    QCOMPARE(store().orders(id, 0, 50)->size(), 1);
}

void StoreContract::concurrentSameKeyPlacesOneOrder()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QVERIFY(store().insertQuote(Money::fromCents(1000), baseMs).ok());

    constexpr int threadCount = 10;
    std::barrier start(threadCount);
    std::vector<OrderOutcome> outcomes(threadCount);
    std::atomic<int> failures = 0;

    std::vector<std::thread> threads;
    for (int i = 0; i < threadCount; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            const auto outcome = store().placeOrder(id, buy(1), "same-key", "buy-1", baseMs);
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
    QCOMPARE(store().orders(id, 0, 50)->size(), 1);
    QCOMPARE(store().portfolio(id)->holdings.shares, 1);
}

void StoreContract::walletVersionGrowsPerChange()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    QCOMPARE(store().portfolio(id)->holdings.version, 0);
    QVERIFY(store().insertQuote(Money::fromCents(1000), baseMs).ok());

    // Each stored change returns the wallet one version on.
    const auto first = store().placeOrder(id, buy(2), "version-1", "", baseMs);
    QCOMPARE(first->response.status, 201);
    QCOMPARE(first->changedPortfolio->holdings.version, 1);
    const auto second = store().placeOrder(id, buy(1), "", "", baseMs);
    QCOMPARE(second->changedPortfolio->holdings.version, 2);
    const auto praised = store().praise(id, baseMs);
    QCOMPARE(praised->portfolio.holdings.version, 3);

    // A rejection and a replay change nothing.
    const auto rejected = store().placeOrder(id, buy(1'000'000), "", "", baseMs);
    QCOMPARE(rejected->response.status, 422);
    QVERIFY(!rejected->changedPortfolio);
    const auto replayed = store().placeOrder(id, buy(2), "version-1", "", baseMs);
    QVERIFY(replayed->replayed);
    QCOMPARE(store().portfolio(id)->holdings.version, 3);
}

void StoreContract::ordersNewestFirstWithPaging()
{
    const std::int64_t id = createAccount(QStringLiteral("ada"));
    const std::int64_t otherId = createAccount(QStringLiteral("bob"));
    QVERIFY(store().insertQuote(Money::fromCents(100), baseMs).ok());
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(store().placeOrder(id, buy(1), "", "", baseMs + i)->response.status, 201);
    }
    QCOMPARE(store().placeOrder(otherId, buy(1), "", "", baseMs)->response.status, 201);

    const auto page = store().orders(id, 0, 3);
    QCOMPARE(page->size(), 3);
    QVERIFY(page->at(0).id > page->at(1).id);
    QVERIFY(page->at(1).id > page->at(2).id);

    const auto rest = store().orders(id, page->last().id, 50);
    QCOMPARE(rest->size(), 2);
    QVERIFY(rest->first().id < page->last().id);
    QCOMPARE(store().orders(otherId, 0, 50)->size(), 1);
}

}  // namespace valiant::test
