#include "core/apicodec.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <limits>

using namespace valiant::core;

class TestApiCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseObjectRejects_data();
    void parseObjectRejects();
    void parseObjectNamesInvalidNumber_data();
    void parseObjectNamesInvalidNumber();
    void parseObjectNamesLoneSurrogate_data();
    void parseObjectNamesLoneSurrogate();
    void parseObjectAcceptsSurrogatePair();
    void parseObjectReportsEarlierSyntaxError();
    void parseObjectNamesNonObject_data();
    void parseObjectNamesNonObject();
    void numericLimitPriceShownAsWritten();
    void orderQuantity_data();
    void orderQuantity();
    void orderQuantityLiteral_data();
    void orderQuantityLiteral();
    void orderQuantityEchoesLiteral();
    void orderSideAndLimit_data();
    void orderSideAndLimit();
    void usernames_data();
    void usernames();
    void passwordLength();
    void idempotencyKeys_data();
    void idempotencyKeys();
    void idempotencyKeyMessages_data();
    void idempotencyKeyMessages();
    void shortenedValueEndsSentence();
    void timesRoundTrip();
    void parseTimeVariants_data();
    void parseTimeVariants();
    void quoteAndOrderRoundTrip();
    void portfolioRoundTrip();
    void portfolioWithoutQuote();
    void errorBodies();
    void writtenJsonIsQtCanonical_data();
    void writtenJsonIsQtCanonical();
    void writtenTimesMatchQDateTime();
};

void TestApiCodec::parseObjectRejects_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not JSON") << QByteArray("side=buy");
    QTest::newRow("array") << QByteArray("[1,2]");
    QTest::newRow("number") << QByteArray("42");
    QTest::newRow("two values") << QByteArray("1, 2");
    QTest::newRow("string then garbage") << QByteArray(R"("a" x)");
    QTest::newRow("truncated") << QByteArray("{\"side\": \"buy\"");
    QTest::newRow("deep nesting") << QByteArray(5000, '[') + QByteArray(5000, ']');
    QTest::newRow("only spaces") << QByteArray(" \r\n\t");
    QTest::newRow("repeated member") << QByteArray(R"({"side":"buy","quantity":2.0,"quantity":4})");
    QTest::newRow("repeated member escaped") << QByteArray(R"({"side":"buy","quantity":4,"\u0071uantity":4})");
    QTest::newRow("repeated nested member") << QByteArray(R"({"x":{"a":1,"b":{},"a":2}})");
    QTest::newRow("raw tab in string") << QByteArray("{\"side\":\"b\tuy\"}");
    QTest::newRow("raw NUL in member name") << QByteArray("{\"si\0de\":\"buy\"}", 15);
    QTest::newRow("NaN") << QByteArray(R"({"quantity":NaN})");
    QTest::newRow("Infinity") << QByteArray(R"({"quantity":Infinity})");
}

void TestApiCodec::parseObjectRejects()
{
    QFETCH(QByteArray, body);

    const auto object = api::parseObject(body);
    QVERIFY(!object.ok());
    QCOMPARE(object.error().status, 400);
    QCOMPARE(object.error().code, QStringLiteral("invalid_json"));
}

void TestApiCodec::parseObjectNamesInvalidNumber_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("literal");

    QTest::newRow("leading zero") << QByteArray(R"({"quantity":01})") << QStringLiteral("01");
    QTest::newRow("plus sign") << QByteArray(R"({"quantity":+1})") << QStringLiteral("+1");
    QTest::newRow("bare point") << QByteArray(R"({"limit_price":1.})") << QStringLiteral("1.");
    QTest::newRow("minus alone") << QByteArray(R"({"quantity":-})") << QStringLiteral("-");
}

void TestApiCodec::parseObjectNamesInvalidNumber()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, literal);

    const auto object = api::parseObject(body);
    QVERIFY(!object.ok());
    QCOMPARE(object.error().code, QStringLiteral("invalid_json"));
    QVERIFY2(object.error().message.contains(QStringLiteral("the number %1 is").arg(literal)),
             qPrintable(object.error().message));
}

void TestApiCodec::parseObjectNamesLoneSurrogate_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("escape");

    // Each would reach the password hash as "?", matching other passwords.
    QTest::newRow("high at the end") << QByteArray(R"({"password":"secret\ud800"})") << "\\ud800";
    QTest::newRow("low alone") << QByteArray(R"({"password":"secret\udfff"})") << "\\udfff";
    QTest::newRow("high then letter") << QByteArray(R"({"password":"\uD83Dx"})") << "\\uD83D";
    QTest::newRow("high then high") << QByteArray(R"({"password":"\ud83d\ud83d"})") << "\\ud83d";
    QTest::newRow("two lows") << QByteArray(R"({"password":"\ud83d\ude00\ude00"})") << "\\ude00";
    QTest::newRow("in a member name") << QByteArray(R"({"\udc00":1})") << "\\udc00";
}

void TestApiCodec::parseObjectNamesLoneSurrogate()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, escape);

    const auto object = api::parseObject(body);
    QVERIFY(!object.ok());
    QCOMPARE(object.error().code, QStringLiteral("invalid_json"));
    QVERIFY2(object.error().message.contains(escape), qPrintable(object.error().message));
    QVERIFY2(object.error().message.contains(QStringLiteral("surrogate")),
             qPrintable(object.error().message));
}

void TestApiCodec::parseObjectAcceptsSurrogatePair()
{
    const auto object = api::parseObject(R"({"password":"smile \ud83d\ude00 \u00e9\\ud800"})");
    QVERIFY2(object.ok(), qPrintable(object.ok() ? QString() : object.error().message));
    QCOMPARE(object->value(QStringLiteral("password")).toString(),
             QStringLiteral("smile \U0001F600 \u00E9\\ud800"));
}

void TestApiCodec::parseObjectReportsEarlierSyntaxError()
{
    // The missing colon comes before the invalid number, so it is reported.
    const auto object = api::parseObject(R"({"side" "buy","quantity":01})");
    QVERIFY(!object.ok());
    QVERIFY2(!object.error().message.contains(QStringLiteral("the number")),
             qPrintable(object.error().message));
}

void TestApiCodec::parseObjectNamesNonObject_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("type");

    QTest::newRow("string") << QByteArray(R"("str")") << QStringLiteral("a JSON string");
    QTest::newRow("number") << QByteArray("42") << QStringLiteral("a JSON number");
    QTest::newRow("null") << QByteArray("null") << QStringLiteral("the JSON value null");
    QTest::newRow("false with spaces") << QByteArray(" false\n") << QStringLiteral("the JSON value false");
    QTest::newRow("array") << QByteArray("[]") << QStringLiteral("a JSON array");
}

void TestApiCodec::parseObjectNamesNonObject()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, type);

    const auto object = api::parseObject(body);
    QVERIFY(!object.ok());
    QCOMPARE(object.error().status, 400);
    QCOMPARE(object.error().code, QStringLiteral("invalid_json"));
    QVERIFY2(object.error().message.contains(QStringLiteral("is %1, but it must be a JSON object").arg(type)),
             qPrintable(object.error().message));
}

void TestApiCodec::numericLimitPriceShownAsWritten()
{
    const QByteArray body = R"({"side":"buy","quantity":1,"limit_price":51.00})";
    const auto object = api::parseObject(body);
    QVERIFY(object.ok());

    const auto order = api::decodeOrderRequest(*object, body);
    QVERIFY(!order.ok());
    QCOMPARE(order.error().code, QStringLiteral("invalid_limit_price"));
    QVERIFY2(order.error().message.contains(QStringLiteral("got the number 51.00.")),
             qPrintable(order.error().message));
}

void TestApiCodec::orderQuantity_data()
{
    QTest::addColumn<QByteArray>("quantity");
    QTest::addColumn<qint64>("expected");  // -1: rejected as invalid_quantity

    QTest::newRow("one") << QByteArray("1") << qint64(1);
    QTest::newRow("a million") << QByteArray("1000000") << qint64(1000000);
    QTest::newRow("zero") << QByteArray("0") << qint64(-1);
    QTest::newRow("negative") << QByteArray("-1") << qint64(-1);
    QTest::newRow("a million and one") << QByteArray("1000001") << qint64(-1);
    QTest::newRow("fraction") << QByteArray("1.5") << qint64(-1);
    // Only plain integer literals count: Qt would read these as 2 and 1000.
    QTest::newRow("integer with a point") << QByteArray("2.0") << qint64(-1);
    QTest::newRow("exponent") << QByteArray("1e3") << qint64(-1);
    QTest::newRow("just above one") << QByteArray("1.0000000000000001") << qint64(-1);
    QTest::newRow("just below one") << QByteArray("0.99999999999999999999") << qint64(-1);
    QTest::newRow("huge exponent") << QByteArray("1e400") << qint64(-1);
    QTest::newRow("huge negative exponent") << QByteArray("-1E+400") << qint64(-1);
    QTest::newRow("tiny exponent") << QByteArray("1e-400") << qint64(-1);
    QTest::newRow("400 digits") << QByteArray(400, '9') << qint64(-1);
    QTest::newRow("beyond 64 bits") << QByteArray("99999999999999999999") << qint64(-1);
    QTest::newRow("2^63") << QByteArray("9223372036854775808") << qint64(-1);
    QTest::newRow("string") << QByteArray("\"3\"") << qint64(-1);
    QTest::newRow("null") << QByteArray("null") << qint64(-1);
    QTest::newRow("boolean") << QByteArray("true") << qint64(-1);
    QTest::newRow("array") << QByteArray("[1]") << qint64(-1);
}

void TestApiCodec::orderQuantity()
{
    QFETCH(QByteArray, quantity);
    QFETCH(qint64, expected);

    const auto object = api::parseObject("{\"side\": \"buy\", \"quantity\": " + quantity + "}");
    QVERIFY2(object.ok(), qPrintable(object.ok() ? QString() : object.error().message));
    const auto request =
        api::decodeOrderRequest(*object, "{\"side\": \"buy\", \"quantity\": " + quantity + "}");
    if (expected < 0) {
        QVERIFY(!request.ok());
        QCOMPARE(request.error().code, QStringLiteral("invalid_quantity"));
        QCOMPARE(request.error().status, 422);
        return;
    }
    QVERIFY(request.ok());
    QCOMPARE(request->quantity, expected);
}

void TestApiCodec::orderQuantityLiteral_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qint64>("expected");  // -1: rejected as invalid_quantity

    QTest::newRow("spaces") << QByteArray("{ \"side\" : \"buy\" ,\n \"quantity\" :\t1.0 }") << qint64(-1);
    QTest::newRow("escaped key") << QByteArray(R"({"side":"buy","\u0071uantity":2.0})") << qint64(-1);
    QTest::newRow("nested member skipped")
        << QByteArray(R"({"x":{"quantity":2.0,"s":"}\""},"side":"buy","quantity":3})") << qint64(3);
    QTest::newRow("same name in nested object") << QByteArray(R"({"side":"buy","x":{"quantity":2.0},"quantity":4})")
                                                << qint64(4);
    QTest::newRow("array skipped") << QByteArray(R"({"a":[1.5,{"quantity":1}],"side":"buy","quantity":5})")
                                   << qint64(5);
}

void TestApiCodec::orderQuantityLiteral()
{
    QFETCH(QByteArray, body);
    QFETCH(qint64, expected);

    const auto object = api::parseObject(body);
    QVERIFY(object.ok());
    const auto request = api::decodeOrderRequest(*object, body);
    if (expected < 0) {
        QVERIFY(!request.ok());
        QCOMPARE(request.error().code, QStringLiteral("invalid_quantity"));
        return;
    }
    QVERIFY2(request.ok(), qPrintable(request.ok() ? QString() : request.error().message));
    QCOMPARE(request->quantity, expected);
}

void TestApiCodec::orderQuantityEchoesLiteral()
{
    const QByteArray body = R"({"side":"buy","quantity":9223372036854775808})";
    const auto request = api::decodeOrderRequest(*api::parseObject(body), body);
    QVERIFY(!request.ok());
    QVERIFY2(request.error().message.contains(QStringLiteral("got 9223372036854775808.")),
             qPrintable(request.error().message));

    // Beyond a double's range the message still shows the literal, not its stand-in.
    const QByteArray huge = R"({"side":"buy","quantity":1e400})";
    const auto hugeRequest = api::decodeOrderRequest(*api::parseObject(huge), huge);
    QVERIFY(!hugeRequest.ok());
    QVERIFY2(hugeRequest.error().message.contains(QStringLiteral("got 1e400.")),
             qPrintable(hugeRequest.error().message));
}

void TestApiCodec::orderSideAndLimit_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");  // empty: accepted

    QTest::newRow("buy") << QByteArray(R"({"side":"buy","quantity":1})") << QString();
    QTest::newRow("sell with limit") << QByteArray(R"({"side":"sell","quantity":1,"limit_price":"51.00"})") << QString();
    QTest::newRow("null limit") << QByteArray(R"({"side":"sell","quantity":1,"limit_price":null})") << QString();
    QTest::newRow("missing side") << QByteArray(R"({"quantity":1})") << "invalid_side";
    QTest::newRow("capitalised side") << QByteArray(R"({"side":"BUY","quantity":1})") << "invalid_side";
    QTest::newRow("side number") << QByteArray(R"({"side":1,"quantity":1})") << "invalid_side";
    QTest::newRow("missing quantity") << QByteArray(R"({"side":"buy"})") << "invalid_quantity";
    QTest::newRow("limit as number") << QByteArray(R"({"side":"buy","quantity":1,"limit_price":51})") << "invalid_limit_price";
    QTest::newRow("limit one decimal") << QByteArray(R"({"side":"buy","quantity":1,"limit_price":"51.0"})") << "invalid_limit_price";
    QTest::newRow("limit zero") << QByteArray(R"({"side":"buy","quantity":1,"limit_price":"0.00"})") << "invalid_limit_price";
    QTest::newRow("limit negative") << QByteArray(R"({"side":"buy","quantity":1,"limit_price":"-1.00"})") << "invalid_limit_price";
}

void TestApiCodec::orderSideAndLimit()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, code);

    const auto request = api::decodeOrderRequest(*api::parseObject(body));
    if (code.isEmpty()) {
        QVERIFY(request.ok());
        return;
    }
    QVERIFY(!request.ok());
    QCOMPARE(request.error().code, code);
}

void TestApiCodec::usernames_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<bool>("valid");

    QTest::newRow("three letters") << "ada" << true;
    QTest::newRow("all allowed kinds") << "Ada_Lovelace-1.0" << true;
    QTest::newRow("thirty-two") << QString(32, QLatin1Char('a')) << true;
    QTest::newRow("two") << "ab" << false;
    QTest::newRow("thirty-three") << QString(33, QLatin1Char('a')) << false;
    QTest::newRow("space") << "ada lovelace" << false;
    QTest::newRow("slash") << "ada/x" << false;
    QTest::newRow("non-ASCII letter") << QString::fromUtf8("adé") << false;
    QTest::newRow("empty") << "" << false;
}

void TestApiCodec::usernames()
{
    QFETCH(QString, username);
    QFETCH(bool, valid);

    const auto result = api::checkUsername(username);
    QCOMPARE(result.ok(), valid);
    if (!valid) {
        QCOMPARE(result.error().code, QStringLiteral("invalid_username"));
    }
}

void TestApiCodec::passwordLength()
{
    QVERIFY(!api::checkPassword(QStringLiteral("1234567")).ok());
    QVERIFY(api::checkPassword(QStringLiteral("12345678")).ok());
    QVERIFY(api::checkPassword(QString(1024, QLatin1Char('x'))).ok());
    QVERIFY(!api::checkPassword(QString(1025, QLatin1Char('x'))).ok());
    // Characters, not UTF-16 units: eight emoji are eight characters.
    QVERIFY(api::checkPassword(QString::fromUtf8("😀😀😀😀😀😀😀😀")).ok());
    QCOMPARE(api::checkPassword(QString()).error().code, QStringLiteral("invalid_password"));

    const auto missing = api::decodeCredentials(*api::parseObject(R"({"username":"ada"})"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, QStringLiteral("invalid_password"));
}

void TestApiCodec::idempotencyKeys_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<bool>("valid");

    QTest::newRow("uuid") << QByteArray("8c1e6a43-4b8e-4f0b-9f73-1d2d3a4b5c6d") << true;
    QTest::newRow("one character") << QByteArray("x") << true;
    QTest::newRow("sixty-four") << QByteArray(64, 'k') << true;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("sixty-five") << QByteArray(65, 'k') << false;
    QTest::newRow("space") << QByteArray("a b") << false;
    QTest::newRow("control character") << QByteArray("a\tb") << false;
}

void TestApiCodec::idempotencyKeys()
{
    QFETCH(QByteArray, key);
    QFETCH(bool, valid);

    QCOMPARE(api::checkIdempotencyKey(key).ok(), valid);
}

void TestApiCodec::idempotencyKeyMessages_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("mention");

    QTest::newRow("empty") << QByteArray() << QStringLiteral("header is empty; use 1 to 64");
    QTest::newRow("sixty-five")
        << QByteArray(65, 'k')
        << QStringLiteral("\"%1...\" is 65 characters long; use 1 to 64").arg(QString(37, u'k'));
    QTest::newRow("space") << QByteArray("a b") << QStringLiteral("\"a b\" contains a space at position 2");
    QTest::newRow("tab") << QByteArray("a\tb") << QStringLiteral("\"a\\x09b\" contains the byte \\x09 at position 2");
    QTest::newRow("long with a NUL")
        << QByteArray(50, 'k') + QByteArray(1, '\0')
        << QStringLiteral("\"%1\"... contains the byte \\x00 at position 51").arg(QString(40, u'k'));
}

void TestApiCodec::idempotencyKeyMessages()
{
    QFETCH(QByteArray, key);
    QFETCH(QString, mention);

    const auto checked = api::checkIdempotencyKey(key);
    QVERIFY(!checked.ok());
    QCOMPARE(checked.error().code, QStringLiteral("invalid_idempotency_key"));
    QVERIFY2(checked.error().message.contains(mention), qPrintable(checked.error().message));
}

void TestApiCodec::shortenedValueEndsSentence()
{
    const QByteArray digits(60, '7');
    const QByteArray body = R"({"side":"buy","quantity":)" + digits + "}";
    const auto quantity = api::decodeOrderRequest(*api::parseObject(body), body);
    QVERIFY(!quantity.ok());
    QVERIFY2(quantity.error().message.endsWith(QStringLiteral("got %1... (60 characters).").arg(QString(37, u'7'))),
             qPrintable(quantity.error().message));

    const QByteArray text(60, 'x');
    const auto side = api::decodeOrderRequest(*api::parseObject(R"({"side":")" + text + R"(","quantity":1})"));
    QVERIFY(!side.ok());
    QVERIFY2(!side.error().message.contains(QStringLiteral("....")), qPrintable(side.error().message));
    QVERIFY2(side.error().message.contains(QStringLiteral("(62 characters)")), qPrintable(side.error().message));
}

void TestApiCodec::timesRoundTrip()
{
    const qint64 ms = 1'796'410'801'000;  // 2026-12-04T19:00:01.000Z
    QCOMPARE(api::formatTime(ms), QStringLiteral("2026-12-04T19:00:01.000Z"));
    QCOMPARE(api::parseTime(api::formatTime(ms)), std::optional<std::int64_t>(ms));
    QCOMPARE(api::formatTime(ms + 7), QStringLiteral("2026-12-04T19:00:01.007Z"));
}

void TestApiCodec::parseTimeVariants_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");  // -1: rejected

    QTest::newRow("Z without fraction") << "2026-12-04T19:00:01Z" << qint64(1'796'410'801'000);
    QTest::newRow("lower-case t and z") << "2026-12-04t19:00:01.500z" << qint64(1'796'410'801'500);
    QTest::newRow("positive offset") << "2026-12-04T20:00:01+01:00" << qint64(1'796'410'801'000);
    QTest::newRow("no offset") << "2026-12-04T19:00:01" << qint64(-1);
    QTest::newRow("date only") << "2026-12-04" << qint64(-1);
    QTest::newRow("garbage") << "yesterday at noon, roughly" << qint64(-1);
    QTest::newRow("month 13") << "2026-13-04T19:00:01Z" << qint64(-1);
}

void TestApiCodec::parseTimeVariants()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);

    const auto parsed = api::parseTime(text);
    if (ms < 0) {
        QVERIFY(!parsed.has_value());
        return;
    }
    QVERIFY(parsed.has_value());
    QCOMPARE(*parsed, ms);
}

void TestApiCodec::quoteAndOrderRoundTrip()
{
    const Quote quote{124, Money::fromCents(5040), 1'796'410'801'000};
    const auto decodedQuote = api::decodeQuote(api::encode(quote));
    QVERIFY(decodedQuote.ok());
    QCOMPARE(decodedQuote->id, quote.id);
    QCOMPARE(decodedQuote->price, quote.price);
    QCOMPARE(decodedQuote->createdMs, quote.createdMs);
    QCOMPARE(api::encode(quote).value(QStringLiteral("price")).toString(), QStringLiteral("50.40"));

    const Order order{9, Side::Sell, 3, Money::fromCents(5012), Money::fromCents(15036), 123,
                      1'796'410'801'000};
    const auto decodedOrder = api::decodeOrder(api::encode(order));
    QVERIFY(decodedOrder.ok());
    QCOMPARE(decodedOrder->id, 9);
    QCOMPARE(decodedOrder->side, Side::Sell);
    QCOMPARE(decodedOrder->quantity, 3);
    QCOMPARE(decodedOrder->total.cents(), 15036);
    QCOMPARE(decodedOrder->quoteId, 123);

    const QByteArray message = api::quoteMessage(quote);
    const QJsonObject parsed = QJsonDocument::fromJson(message).object();
    QCOMPARE(parsed.value(QStringLiteral("type")).toString(), QStringLiteral("quote"));
    QCOMPARE(parsed.value(QStringLiteral("id")).toInteger(), 124);
}

void TestApiCodec::portfolioRoundTrip()
{
    Portfolio portfolio;
    portfolio.holdings = Holdings{Money::fromCents(10000), 3, Money::fromCents(15000), 7};
    portfolio.lastQuote = Quote{123, Money::fromCents(5012), 0};

    const QJsonObject json = api::encode(portfolio);
    QCOMPARE(json.value(QStringLiteral("cash")).toString(), QStringLiteral("100.00"));
    QCOMPARE(json.value(QStringLiteral("version")).toInteger(), 7);
    QCOMPARE(json.value(QStringLiteral("market_value")).toString(), QStringLiteral("150.36"));
    QCOMPARE(json.value(QStringLiteral("profit_and_loss")).toString(), QStringLiteral("0.36"));
    QCOMPARE(json.value(QStringLiteral("last_quote_id")).toInteger(), 123);

    const auto decoded = api::decodePortfolio(json);
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->holdings.shares, 3);
    QCOMPARE(decoded->holdings.costBasis.cents(), 15000);
    QCOMPARE(decoded->holdings.version, 7);
    QCOMPARE(decoded->lastQuote->price.cents(), 5012);

    // A server without the field reads as version 0, and a wrong type is rejected.
    QJsonObject withoutVersion = json;
    withoutVersion.remove(QStringLiteral("version"));
    const auto unversioned = api::decodePortfolio(withoutVersion);
    QVERIFY(unversioned.ok());
    QCOMPARE(unversioned->holdings.version, 0);
    QJsonObject textVersion = json;
    textVersion.insert(QStringLiteral("version"), QStringLiteral("7"));
    const auto rejected = api::decodePortfolio(textVersion);
    QVERIFY(!rejected.ok());
    QVERIFY2(rejected.error().message.contains(QStringLiteral("\"version\"")),
             qPrintable(rejected.error().message));
}

void TestApiCodec::portfolioWithoutQuote()
{
    Portfolio portfolio;
    portfolio.holdings.cash = Money::fromCents(10000);

    const QJsonObject json = api::encode(portfolio);
    QVERIFY(json.value(QStringLiteral("last_price")).isNull());
    QCOMPARE(json.value(QStringLiteral("market_value")).toString(), QStringLiteral("0.00"));

    const auto decoded = api::decodePortfolio(json);
    QVERIFY(decoded.ok());
    QVERIFY(!decoded->lastQuote.has_value());
}

void TestApiCodec::errorBodies()
{
    const Error error{422, QStringLiteral("insufficient_funds"), QStringLiteral("Not enough.")};
    const QByteArray body = api::toBytes(api::encodeError(error));
    QCOMPARE(body, QByteArray(R"({"error":{"code":"insufficient_funds","message":"Not enough."}})"));

    const Error decoded = api::decodeError(422, body);
    QCOMPARE(decoded.code, error.code);
    QCOMPARE(decoded.message, error.message);

    const Error fallback = api::decodeError(502, "<html>Bad Gateway</html>");
    QCOMPARE(fallback.code, QStringLiteral("http_502"));
    QVERIFY(fallback.message.contains(QStringLiteral("502")));
}

// JsonWriter promises the bytes QJsonDocument would write: Qt reading them
// and writing them again must give the same bytes back.
void TestApiCodec::writtenJsonIsQtCanonical_data()
{
    QTest::addColumn<QByteArray>("json");

    const Quote quote{124, Money::fromCents(5040), 1'796'410'801'000};
    const Quote extreme{std::numeric_limits<std::int64_t>::max(),
                        Money::fromCents(std::numeric_limits<std::int64_t>::min()), -1};
    Portfolio portfolio;
    portfolio.holdings = Holdings{Money::fromCents(-5), 3, Money::fromCents(15000)};
    portfolio.lastQuote = quote;
    Portfolio noQuote;
    const Order order{9, Side::Sell, 3, Money::fromCents(5012), Money::fromCents(15036), 123, 0};
    const Candle candle{-86'400'001, Money::fromCents(1), Money::fromCents(900), Money::fromCents(0),
                        Money::fromCents(99), 60};
    const QString awkward = QStringLiteral("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f é € ") +
                            QChar(0xd83d) + QChar(0xde00) + QChar(0xd800) + u'x' + QChar(0xdc00);

    QTest::newRow("quote") << api::toJson(quote);
    QTest::newRow("extreme quote") << api::toJson(extreme);
    QTest::newRow("portfolio") << api::toJson(portfolio);
    QTest::newRow("portfolio without quote") << api::toJson(noQuote);
    QTest::newRow("order") << api::toJson(order);
    QTest::newRow("candle") << api::toJson(candle);
    QTest::newRow("account") << api::toJson(Account{7, QStringLiteral("ada")});
    QTest::newRow("order request") << api::toJson(OrderRequest{Side::Buy, 3, std::nullopt});
    QTest::newRow("limit order request")
        << api::toJson(OrderRequest{Side::Sell, 1, Money::fromCents(5100)});
    QTest::newRow("error") << api::toJson(Error{422, awkward, awkward});
    QTest::newRow("hello") << api::helloMessage(1'796'410'801'000, 123);
    QTest::newRow("hello without quotes") << api::helloMessage(0, 0);
    QTest::newRow("quote message") << api::quoteMessage(quote);
    QTest::newRow("portfolio message") << api::portfolioMessage(portfolio);
    QTest::newRow("error message") << api::errorMessage(QStringLiteral("bad"), awkward);
    QTest::newRow("year 10000") << api::toJson(Quote{1, Money::fromCents(1), 253'402'300'800'000});
    QTest::newRow("year 0") << api::toJson(Quote{1, Money::fromCents(1), -62'135'596'800'001});
}

void TestApiCodec::writtenJsonIsQtCanonical()
{
    QFETCH(QByteArray, json);

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    QVERIFY2(error.error == QJsonParseError::NoError, json.constData());
    QCOMPARE(document.toJson(QJsonDocument::Compact), json);
}

void TestApiCodec::writtenTimesMatchQDateTime()
{
    QCOMPARE(api::toJson(Quote{5, Money::fromCents(5040), 1'796'410'801'007}),
             QByteArray(R"({"created":"2026-12-04T19:00:01.007Z","id":5,"price":"50.40"})"));

    // Both ends of years 1 to 9999, the epoch, and random times between.
    const std::int64_t first = -62'135'596'800'000;
    const std::int64_t last = 253'402'300'799'999;
    QList<std::int64_t> times{first, first - 1, last, last + 1, 0, -1, 951'782'400'000};
    QRandomGenerator random(42);
    for (int i = 0; i < 2000; ++i)
        times.append(first + std::int64_t(random.bounded(quint64(last - first))));

    for (const std::int64_t ms : times) {
        const QJsonObject written = QJsonDocument::fromJson(
            api::toJson(Quote{1, Money::fromCents(1), ms})).object();
        const QString expected =
            QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
        QVERIFY2(written.value(QStringLiteral("created")).toString() == expected,
                 qPrintable(QString::number(ms)));
    }
}

QTEST_GUILESS_MAIN(TestApiCodec)
#include "tst_apicodec.moc"
