#include "core/orderrules.h"

#include <QTest>

#include <limits>

using namespace valiant::core;

namespace {

Holdings holdings(qint64 cashCents, qint64 shares, qint64 basisCents)
{
    return Holdings{Money::fromCents(cashCents), shares, Money::fromCents(basisCents)};
}

OrderRequest order(Side side, qint64 quantity, qint64 limitCents = -1)
{
    OrderRequest request{side, quantity, std::nullopt};
    if (limitCents >= 0) {
        request.limitPrice = Money::fromCents(limitCents);
    }
    return request;
}

}  // namespace

class TestOrderRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void buyFillsAtPrice();
    void buySpendingEverythingFills();
    void sellFillsAndReducesBasisProportionally();
    void sellAllClearsBasis();
    void limitPrices_data();
    void limitPrices();
    void rejections_data();
    void rejections();
    void insufficientFundsMessageNamesAmounts();
    void messagesGroupThousands();
    void praiseAddsTenCentsPerShare_data();
    void praiseAddsTenCentsPerShare();
    void praiseOverflowIsRejected();
};

void TestOrderRules::buyFillsAtPrice()
{
    const auto fill = executeOrder(holdings(10000, 0, 0), order(Side::Buy, 3), Money::fromCents(1234));

    QVERIFY(fill.ok());
    QCOMPARE(fill->price.cents(), 1234);
    QCOMPARE(fill->total.cents(), 3702);
    QCOMPARE(fill->holdings.cash.cents(), 10000 - 3702);
    QCOMPARE(fill->holdings.shares, 3);
    QCOMPARE(fill->holdings.costBasis.cents(), 3702);
}

void TestOrderRules::buySpendingEverythingFills()
{
    const auto fill = executeOrder(holdings(10000, 0, 0), order(Side::Buy, 2), Money::fromCents(5000));

    QVERIFY(fill.ok());
    QCOMPARE(fill->holdings.cash.cents(), 0);
}

void TestOrderRules::sellFillsAndReducesBasisProportionally()
{
    // 3 shares that cost $100.00 in all; selling 1 keeps 2/3 of the basis,
    // rounded down to 6666 cents.
    const auto fill = executeOrder(holdings(0, 3, 10000), order(Side::Sell, 1), Money::fromCents(4000));

    QVERIFY(fill.ok());
    QCOMPARE(fill->total.cents(), 4000);
    QCOMPARE(fill->holdings.cash.cents(), 4000);
    QCOMPARE(fill->holdings.shares, 2);
    QCOMPARE(fill->holdings.costBasis.cents(), 6666);
}

void TestOrderRules::sellAllClearsBasis()
{
    const auto fill = executeOrder(holdings(0, 3, 10000), order(Side::Sell, 3), Money::fromCents(1));

    QVERIFY(fill.ok());
    QCOMPARE(fill->holdings.shares, 0);
    QCOMPARE(fill->holdings.costBasis.cents(), 0);
}

void TestOrderRules::limitPrices_data()
{
    QTest::addColumn<int>("side");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<bool>("fills");

    // The price is $50.00 in every row.
    QTest::newRow("buy limit above price") << int(Side::Buy) << qint64(5001) << true;
    QTest::newRow("buy limit at price") << int(Side::Buy) << qint64(5000) << true;
    QTest::newRow("buy limit below price") << int(Side::Buy) << qint64(4999) << false;
    QTest::newRow("sell limit below price") << int(Side::Sell) << qint64(4999) << true;
    QTest::newRow("sell limit at price") << int(Side::Sell) << qint64(5000) << true;
    QTest::newRow("sell limit above price") << int(Side::Sell) << qint64(5001) << false;
}

void TestOrderRules::limitPrices()
{
    QFETCH(int, side);
    QFETCH(qint64, limit);
    QFETCH(bool, fills);

    const auto fill = executeOrder(holdings(100000, 10, 5000), order(Side(side), 1, limit),
                                   Money::fromCents(5000));
    QCOMPARE(fill.ok(), fills);
    if (!fills) {
        QCOMPARE(fill.error().code, QStringLiteral("limit_not_met"));
    }
}

void TestOrderRules::rejections_data()
{
    QTest::addColumn<int>("side");
    QTest::addColumn<qint64>("quantity");
    QTest::addColumn<qint64>("cash");
    QTest::addColumn<qint64>("shares");
    QTest::addColumn<qint64>("price");
    QTest::addColumn<QString>("code");

    const qint64 max = std::numeric_limits<qint64>::max();
    QTest::newRow("zero quantity") << int(Side::Buy) << qint64(0) << qint64(10000) << qint64(0) << qint64(5000) << "invalid_quantity";
    QTest::newRow("negative quantity") << int(Side::Sell) << qint64(-1) << qint64(10000) << qint64(5) << qint64(5000) << "invalid_quantity";
    QTest::newRow("quantity above a million") << int(Side::Buy) << qint64(1000001) << qint64(max) << qint64(0) << qint64(100) << "invalid_quantity";
    QTest::newRow("one cent short") << int(Side::Buy) << qint64(2) << qint64(9999) << qint64(0) << qint64(5000) << "insufficient_funds";
    QTest::newRow("no shares to sell") << int(Side::Sell) << qint64(1) << qint64(10000) << qint64(0) << qint64(5000) << "insufficient_shares";
    QTest::newRow("more shares than held") << int(Side::Sell) << qint64(4) << qint64(0) << qint64(3) << qint64(5000) << "insufficient_shares";
    QTest::newRow("total overflows") << int(Side::Buy) << qint64(1000000) << qint64(max) << qint64(0) << qint64(max / 10) << "amount_too_large";
    QTest::newRow("sale overflows cash") << int(Side::Sell) << qint64(1) << qint64(max) << qint64(1) << qint64(1) << "amount_too_large";
}

void TestOrderRules::rejections()
{
    QFETCH(int, side);
    QFETCH(qint64, quantity);
    QFETCH(qint64, cash);
    QFETCH(qint64, shares);
    QFETCH(qint64, price);
    QFETCH(QString, code);

    const auto fill = executeOrder(holdings(cash, shares, 0), order(Side(side), quantity),
                                   Money::fromCents(price));
    QVERIFY(!fill.ok());
    QCOMPARE(fill.error().code, code);
    QCOMPARE(fill.error().status, 422);
    QVERIFY(!fill.error().message.isEmpty());
}

void TestOrderRules::insufficientFundsMessageNamesAmounts()
{
    const auto fill = executeOrder(holdings(1000, 0, 0), order(Side::Buy, 3), Money::fromCents(5120));

    QVERIFY(!fill.ok());
    QCOMPARE(fill.error().message,
             QStringLiteral("Buying 3 shares at $51.20 costs $153.60 but the cash balance is $10.00."));
}

void TestOrderRules::messagesGroupThousands()
{
    const auto fill = executeOrder(holdings(123456789, 0, 0), order(Side::Buy, 1000000),
                                   Money::fromCents(4988));

    QVERIFY(!fill.ok());
    QCOMPARE(fill.error().message,
             QStringLiteral("Buying 1000000 shares at $49.88 costs $49,880,000.00 but the cash "
                            "balance is $1,234,567.89."));
}

void TestOrderRules::praiseAddsTenCentsPerShare_data()
{
    QTest::addColumn<qint64>("shares");
    QTest::addColumn<qint64>("bonus");

    QTest::newRow("no shares") << qint64(0) << qint64(0);
    QTest::newRow("one share") << qint64(1) << qint64(10);
    QTest::newRow("three shares") << qint64(3) << qint64(30);
    QTest::newRow("a million shares") << qint64(1000000) << qint64(10000000);
}

void TestOrderRules::praiseAddsTenCentsPerShare()
{
    QFETCH(qint64, shares);
    QFETCH(qint64, bonus);

    const auto outcome = praise(holdings(500, shares, 1234));
    QVERIFY(outcome.ok());
    QCOMPARE(outcome->bonus.cents(), bonus);
    QCOMPARE(outcome->holdings.cash.cents(), 500 + bonus);
    QCOMPARE(outcome->holdings.shares, shares);
    QCOMPARE(outcome->holdings.costBasis.cents(), 1234);
}

void TestOrderRules::praiseOverflowIsRejected()
{
    const auto outcome = praise(holdings(std::numeric_limits<qint64>::max(), 1, 0));

    QVERIFY(!outcome.ok());
    QCOMPARE(outcome.error().code, QStringLiteral("amount_too_large"));
}

QTEST_GUILESS_MAIN(TestOrderRules)
#include "tst_orderrules.moc"
