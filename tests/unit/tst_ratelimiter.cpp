// Unit tests of RateLimiter's token buckets on a controlled clock, and of
// the --rate-limits syntax.

#include "server/ratelimiter.h"

#include <QTest>

using namespace valiant::server;

class RateLimiterTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void burstThenLimited();
    void refillsAtRate();
    void retryAfterRoundsUp();
    void loginRefundKeepsBudget();
    void knownAddressNotLockedOut();
    void loginAddressAndUsernameSeparate();
    void addressKeyGroupsIpv6();
    void parseSettings();
    void parseSettingsRejects_data();
    void parseSettingsRejects();
    void parseSettingsNamesRepeatedRule();
};

void RateLimiterTest::burstThenLimited()
{
    std::int64_t now = 1'000'000;
    RateLimitSettings settings;
    settings.ordersPerAccount = {10, 1, 20};
    RateLimiter limiter(settings, [&] { return now; });

    for (int i = 0; i < 20; ++i) {
        QVERIFY2(!limiter.admitOrder(7), qPrintable(QString::number(i)));
    }
    const auto limited = limiter.admitOrder(7);
    QVERIFY(limited);
    QCOMPARE(limited->retryAfterSeconds, 1);
    QVERIFY(!limiter.admitOrder(8));
}

void RateLimiterTest::refillsAtRate()
{
    std::int64_t now = 0;
    RateLimitSettings settings;
    settings.praisePerAccount = {10, 1, 20};
    RateLimiter limiter(settings, [&] { return now; });
    for (int i = 0; i < 20; ++i) {
        QVERIFY(!limiter.admitPraise(1));
    }
    QVERIFY(limiter.admitPraise(1));

    // 10 per second sustained: one token every 100 ms.
    now += 99;
    QVERIFY(limiter.admitPraise(1));
    now += 1;
    QVERIFY(!limiter.admitPraise(1));
    QVERIFY(limiter.admitPraise(1));
    now += 1000;
    for (int i = 0; i < 10; ++i) {
        QVERIFY(!limiter.admitPraise(1));
    }
    QVERIFY(limiter.admitPraise(1));
}

void RateLimiterTest::retryAfterRoundsUp()
{
    std::int64_t now = 0;
    RateLimitSettings settings;
    settings.signupsPerAddress = {2, 60, 2};
    RateLimiter limiter(settings, [&] { return now; });
    QVERIFY(!limiter.admitSignUp(QStringLiteral("10.0.0.1")));
    QVERIFY(!limiter.admitSignUp(QStringLiteral("10.0.0.1")));

    const auto limited = limiter.admitSignUp(QStringLiteral("10.0.0.1"));
    QVERIFY(limited);
    QCOMPARE(limited->retryAfterSeconds, 30);
    QVERIFY2(limited->message.contains(QStringLiteral("30 seconds")), qPrintable(limited->message));

    now += 29'500;
    const auto almost = limiter.admitSignUp(QStringLiteral("10.0.0.1"));
    QVERIFY(almost);
    QCOMPARE(almost->retryAfterSeconds, 1);
    QVERIFY2(almost->message.contains(QStringLiteral("1 second.")), qPrintable(almost->message));
}

void RateLimiterTest::loginRefundKeepsBudget()
{
    std::int64_t now = 0;
    RateLimitSettings settings;
    settings.loginFailuresPerUsername = {3, 60, 3};
    RateLimiter limiter(settings, [&] { return now; });

    for (int i = 0; i < 10; ++i) {
        QVERIFY(!limiter.admitLogIn(QStringLiteral("ada"), QStringLiteral("10.0.0.1")));
        limiter.refundLogIn(QStringLiteral("ada"), QStringLiteral("10.0.0.1"));
    }
    for (int i = 0; i < 3; ++i) {
        QVERIFY(!limiter.admitLogIn(QStringLiteral("Ada"), QStringLiteral("10.0.0.2")));
    }
    const auto limited = limiter.admitLogIn(QStringLiteral("ADA"), QStringLiteral("10.0.0.3"));
    QVERIFY(limited);
    QVERIFY2(limited->message.contains(QStringLiteral("username")), qPrintable(limited->message));
}

void RateLimiterTest::knownAddressNotLockedOut()
{
    std::int64_t now = 0;
    RateLimitSettings settings;
    settings.loginFailuresPerUsername = {3, 60, 3};
    RateLimiter limiter(settings, [&] { return now; });
    const QString owner = QStringLiteral("10.0.0.1");

    // The owner logs in once, which makes the address known for "ada".
    QVERIFY(!limiter.admitLogIn(QStringLiteral("ada"), owner));
    limiter.refundLogIn(QStringLiteral("ada"), owner);
    limiter.rememberLogIn(QStringLiteral("ada"), owner);

    // Guesses from elsewhere use up the username's failures.
    for (int i = 0; i < 3; ++i)
        QVERIFY(!limiter.admitLogIn(QStringLiteral("ada"), QStringLiteral("10.0.1.%1").arg(i)));
    const auto stranger = limiter.admitLogIn(QStringLiteral("ADA"), QStringLiteral("10.0.2.1"));
    QVERIFY(stranger);
    QVERIFY2(stranger->message.contains(QStringLiteral("username")), qPrintable(stranger->message));

    // The owner still gets in, within a failure budget of its own.
    for (int i = 0; i < 3; ++i)
        QVERIFY(!limiter.admitLogIn(QStringLiteral("ada"), owner));
    const auto ownerLimited = limiter.admitLogIn(QStringLiteral("ada"), owner);
    QVERIFY(ownerLimited);
    QVERIFY2(ownerLimited->message.contains(QStringLiteral("from this address")),
             qPrintable(ownerLimited->message));

    // After 30 days without a log-in the address is a stranger again.
    now += 31LL * 24 * 3600 * 1000;
    for (int i = 0; i < 3; ++i)
        QVERIFY(!limiter.admitLogIn(QStringLiteral("ada"), QStringLiteral("10.0.1.%1").arg(i)));
    QVERIFY(limiter.admitLogIn(QStringLiteral("ada"), owner));
}

void RateLimiterTest::loginAddressAndUsernameSeparate()
{
    std::int64_t now = 0;
    RateLimitSettings settings;
    settings.loginsPerAddress = {4, 60, 4};
    RateLimiter limiter(settings, [&] { return now; });

    for (int i = 0; i < 4; ++i) {
        QVERIFY(!limiter.admitLogIn(QStringLiteral("user%1").arg(i), QStringLiteral("10.0.0.1")));
    }
    const auto limited = limiter.admitLogIn(QStringLiteral("user9"), QStringLiteral("10.0.0.1"));
    QVERIFY(limited);
    QVERIFY2(limited->message.contains(QStringLiteral("address")), qPrintable(limited->message));
    QVERIFY(!limiter.admitLogIn(QStringLiteral("user9"), QStringLiteral("10.0.0.2")));
}

void RateLimiterTest::addressKeyGroupsIpv6()
{
    QCOMPARE(RateLimiter::addressKey(QStringLiteral("2001:db8:1:2:aaaa::1")),
             RateLimiter::addressKey(QStringLiteral("2001:db8:1:2:bbbb::9")));
    QVERIFY(RateLimiter::addressKey(QStringLiteral("2001:db8:1:2::1")) !=
            RateLimiter::addressKey(QStringLiteral("2001:db8:1:3::1")));
    QCOMPARE(RateLimiter::addressKey(QStringLiteral("::ffff:10.1.2.3")), QStringLiteral("10.1.2.3"));
    QCOMPARE(RateLimiter::addressKey(QStringLiteral("10.1.2.3")), QStringLiteral("10.1.2.3"));
}

void RateLimiterTest::parseSettings()
{
    const auto on = parseRateLimitSettings(QStringLiteral("on"));
    QVERIFY(on);
    QVERIFY(on->enabled);
    QCOMPARE(on->loginFailuresPerUsername.count, 5);

    const auto off = parseRateLimitSettings(QStringLiteral(" OFF "));
    QVERIFY(off);
    QVERIFY(!off->enabled);

    const auto custom = parseRateLimitSettings(QStringLiteral("orders=3/2:9, praise=4/5"));
    QVERIFY2(custom, qPrintable(custom ? QString() : custom.error().message));
    QVERIFY(custom->enabled);
    QCOMPARE(custom->ordersPerAccount.count, 3);
    QCOMPARE(custom->ordersPerAccount.periodSeconds, 2);
    QCOMPARE(custom->ordersPerAccount.burst, 9);
    QCOMPARE(custom->praisePerAccount.burst, 4);
    QCOMPARE(custom->loginsPerAddress.count, 30);
}

void RateLimiterTest::parseSettingsRejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("empty") << QString();
    QTest::newRow("unknown name") << QStringLiteral("logins=1/1");
    QTest::newRow("no period") << QStringLiteral("orders=5");
    QTest::newRow("zero count") << QStringLiteral("orders=0/1");
    QTest::newRow("zero period") << QStringLiteral("orders=1/0");
    QTest::newRow("zero burst") << QStringLiteral("orders=1/1:0");
    QTest::newRow("fraction") << QStringLiteral("orders=1.5/1");
    QTest::newRow("period over a day") << QStringLiteral("orders=1/86401");
    QTest::newRow("trailing comma") << QStringLiteral("orders=1/1,");
    QTest::newRow("rule twice") << QStringLiteral("orders=5/1, praise=1/1,orders=6/1");
}

void RateLimiterTest::parseSettingsNamesRepeatedRule()
{
    const auto parsed = parseRateLimitSettings(QStringLiteral("orders=5/1,orders=6/1"));
    QVERIFY(!parsed);
    QVERIFY2(parsed.error().message.contains(
                 QStringLiteral("the rule orders is given twice (\"orders=5/1\" and \"orders=6/1\")")),
             qPrintable(parsed.error().message));
}

void RateLimiterTest::parseSettingsRejects()
{
    QFETCH(QString, text);
    const auto parsed = parseRateLimitSettings(text);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().code, QStringLiteral("invalid_configuration"));
    QVERIFY2(parsed.error().message.contains(QStringLiteral("--rate-limits")),
             qPrintable(parsed.error().message));
}

QTEST_GUILESS_MAIN(RateLimiterTest)
#include "tst_ratelimiter.moc"
