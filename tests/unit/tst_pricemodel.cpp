#include "core/pricemodel.h"

#include <QTest>

using valiant::core::Money;
using valiant::core::PriceModel;

class TestPriceModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstPriceIsFiftyDollars();
    void hundredThousandTicksFollowTheRules();
    void sameSeedSameSequence();
    void applyRoundsHalfAwayFromZero_data();
    void applyRoundsHalfAwayFromZero();
    void spikeDownFloorsAtOneDollar();
};

void TestPriceModel::firstPriceIsFiftyDollars()
{
    QCOMPARE(PriceModel::firstPrice.cents(), 5000);
    QCOMPARE(PriceModel::floorPrice.cents(), 100);
}

void TestPriceModel::hundredThousandTicksFollowTheRules()
{
    constexpr int ticks = 100'000;
    PriceModel::Random random(20261204);
    Money price = PriceModel::firstPrice;
    int spikes = 0;
    int spikesUp = 0;

    for (int i = 0; i < ticks; ++i) {
        const PriceModel::Step step = PriceModel::next(price, random);
        QVERIFY2(step.price >= PriceModel::floorPrice,
                 qPrintable(QStringLiteral("tick %1 fell to %2").arg(i).arg(step.price.toString())));
        QCOMPARE(step.price, PriceModel::apply(price, step.changePpm));

        if (step.spike) {
            ++spikes;
            spikesUp += step.changePpm > 0;
            QVERIFY(std::abs(step.changePpm) >= PriceModel::spikeMinPpm);
            QVERIFY(std::abs(step.changePpm) <= PriceModel::spikeMaxPpm);
        } else {
            QVERIFY(std::abs(step.changePpm) <= PriceModel::normalMaxPpm);
            // A normal step moves the price by at most 2 % plus half a cent
            // of rounding, unless the floor lifted it.
            const double limit = price.cents() * 0.02 + 0.5;
            if (step.price > PriceModel::floorPrice) {
                QVERIFY2(std::abs(step.price.cents() - price.cents()) <= limit,
                         qPrintable(QStringLiteral("tick %1: %2 -> %3")
                                        .arg(i)
                                        .arg(price.toString(), step.price.toString())));
            }
        }
        price = step.price;
    }

    const double spikeShare = double(spikes) / ticks;
    QVERIFY2(spikeShare >= 0.035 && spikeShare <= 0.045,
             qPrintable(QStringLiteral("spike share %1").arg(spikeShare)));
    // Up and down are equally likely: with ~4000 spikes, 45-55 % is > 5 sigma.
    const double upShare = double(spikesUp) / spikes;
    QVERIFY2(upShare > 0.45 && upShare < 0.55, qPrintable(QString::number(upShare)));
}

void TestPriceModel::sameSeedSameSequence()
{
    PriceModel::Random first(7);
    PriceModel::Random second(7);
    Money a = PriceModel::firstPrice;
    Money b = PriceModel::firstPrice;
    for (int i = 0; i < 1000; ++i) {
        a = PriceModel::next(a, first).price;
        b = PriceModel::next(b, second).price;
        QCOMPARE(a, b);
    }
}

void TestPriceModel::applyRoundsHalfAwayFromZero_data()
{
    QTest::addColumn<qint64>("previous");
    QTest::addColumn<qint64>("ppm");
    QTest::addColumn<qint64>("expected");

    QTest::newRow("no change") << qint64(5000) << qint64(0) << qint64(5000);
    QTest::newRow("plus 2 %") << qint64(5000) << qint64(20000) << qint64(5100);
    QTest::newRow("minus 2 %") << qint64(5000) << qint64(-20000) << qint64(4900);
    // 1.50 * 1.01 = 1.515 -> 1.52 (half rounds up, away from zero)
    QTest::newRow("half rounds up") << qint64(150) << qint64(10000) << qint64(152);
    // 1.50 * 1.003 = 1.5045 -> 1.50
    QTest::newRow("below half rounds down") << qint64(150) << qint64(3000) << qint64(150);
    QTest::newRow("spike up 40 %") << qint64(5000) << qint64(400000) << qint64(7000);
    QTest::newRow("spike down 40 %") << qint64(5000) << qint64(-400000) << qint64(3000);
}

void TestPriceModel::applyRoundsHalfAwayFromZero()
{
    QFETCH(qint64, previous);
    QFETCH(qint64, ppm);
    QFETCH(qint64, expected);

    QCOMPARE(PriceModel::apply(Money::fromCents(previous), ppm).cents(), expected);
}

void TestPriceModel::spikeDownFloorsAtOneDollar()
{
    QCOMPARE(PriceModel::apply(Money::fromCents(120), -400000).cents(), 100);
    QCOMPARE(PriceModel::apply(Money::fromCents(100), -20000).cents(), 100);
    QCOMPARE(PriceModel::apply(Money::fromCents(101), -20000).cents(), 100);
}

QTEST_GUILESS_MAIN(TestPriceModel)
#include "tst_pricemodel.moc"
