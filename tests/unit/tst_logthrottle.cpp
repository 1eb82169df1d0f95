// LogThrottle: one message per key and interval, with a count of the ones
// held back. flattenLineBreaks: one log entry on one line.

#include "server/logging.h"

#include <QTest>

#include <thread>

using valiant::server::flattenLineBreaks;
using valiant::server::LogThrottle;
using valiant::server::repeatNote;

class TestLogThrottle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstMessageAllowed();
    void repeatsHeldBackAndCounted();
    void keysThrottledSeparately();
    void noteNamesCount();
    void lineBreaksFlattened_data();
    void lineBreaksFlattened();
};

void TestLogThrottle::firstMessageAllowed()
{
    LogThrottle throttle(std::chrono::hours(1));
    std::uint64_t suppressed = 99;
    QVERIFY(throttle.allow("insertQuote", suppressed));
    QCOMPARE(suppressed, 0u);
}

void TestLogThrottle::repeatsHeldBackAndCounted()
{
    constexpr auto interval = std::chrono::seconds(1);
    LogThrottle throttle(interval);
    const char* key = "placeOrder";
    std::uint64_t suppressed = 0;
    QVERIFY(throttle.allow(key, suppressed));
    for (int i = 0; i < 5; ++i)
        QVERIFY(!throttle.allow(key, suppressed));

    std::this_thread::sleep_for(interval + std::chrono::milliseconds(100));
    QVERIFY(throttle.allow(key, suppressed));
    QCOMPARE(suppressed, 5u);
    QVERIFY(!throttle.allow(key, suppressed));
}

void TestLogThrottle::keysThrottledSeparately()
{
    LogThrottle throttle(std::chrono::hours(1));
    const char* first = "praise";
    const char* second = "portfolio";
    std::uint64_t suppressed = 0;
    QVERIFY(throttle.allow(first, suppressed));
    QVERIFY(!throttle.allow(first, suppressed));
    QVERIFY(throttle.allow(second, suppressed));
    QCOMPARE(suppressed, 0u);
}

void TestLogThrottle::noteNamesCount()
{
    QCOMPARE(repeatNote(0), QString());
    QCOMPARE(repeatNote(12), QStringLiteral(" (12 more since the last message, not logged)"));
}

void TestLogThrottle::lineBreaksFlattened_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("flat");

    QTest::newRow("libpq hint")
        << QStringLiteral("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused\n"
                          "\tIs the server running on that host and accepting TCP/IP connections?\n")
        << QStringLiteral("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused / "
                          "Is the server running on that host and accepting TCP/IP connections?");
    QTest::newRow("CRLF and blank lines") << QStringLiteral("a\r\n\r\nb") << QStringLiteral("a / b");
    QTest::newRow("tab inside a line") << QStringLiteral("a\tb") << QStringLiteral("a b");
    QTest::newRow("one line unchanged") << QStringLiteral("no break here") << QStringLiteral("no break here");
}

void TestLogThrottle::lineBreaksFlattened()
{
    QFETCH(QString, text);
    QFETCH(QString, flat);

    QCOMPARE(flattenLineBreaks(text), flat);
}

QTEST_GUILESS_MAIN(TestLogThrottle)
#include "tst_logthrottle.moc"
