// Black-box tests of every endpoint and error code of the Valiant HTTP API,
// against real valiant-server processes on 127.0.0.1.
//
// Two servers run for the whole suite. The trading server ticks once an
// hour, aligned to the wall clock, so its price stays at the first value of
// $50.00 for the few milliseconds an order check takes. Order checks still
// read the latest quote before and after the order, so that a tick in
// between shows up as such and not as a wrong price. The quote server
// ticks every 50 ms for the quote list and candle tests.

#include "support/httpclient.h"
#include "support/serverprocess.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <limits>
#include <memory>

using namespace valiant::test;

namespace {

constexpr qint64 tradingStartingCents = 10'000'00;

struct Quote
{
    qint64 id = 0;
    qint64 cents = 0;
    QString created;
};

bool isTimestamp(const QJsonValue& value)
{
    static const QRegularExpression form(
        QStringLiteral("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$"));
    return value.isString() && form.match(value.toString()).hasMatch();
}

bool isMoney(const QJsonValue& value)
{
    return value.isString() && centsFromMoney(value.toString()).has_value();
}

qint64 cents(const QJsonValue& value)
{
    return centsFromMoney(value.toString()).value_or(-1'000'000'000'000);
}

QDateTime parseTimestamp(const QString& text)
{
    return QDateTime::fromString(text, Qt::ISODateWithMs);
}

QString toTimestamp(const QDateTime& time)
{
    return time.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

QString percentEncoded(const QString& text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

}  // namespace

class ApiTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void upReportsHealthyServer();
    void metricsIsPrometheusText();

    void accountCreationReturnsToken();
    void accountUsernameTaken();
    void accountUsernameBoundsAccepted();
    void accountInvalidUsername_data();
    void accountInvalidUsername();
    void accountInvalidPassword_data();
    void accountInvalidPassword();
    void accountStartsWithStartingCash();

    void sessionLoginReturnsToken();
    void sessionInvalidCredentialsIdentical();
    void sessionLogoutRevokesToken();
    void authMissingOrBadToken_data();
    void authMissingOrBadToken();

    void quoteLatestFirstPrice();
    void quoteLatestBeforeFirstQuote();
    void quoteListDefault();
    void quoteListAfterId();
    void quoteListSince();
    void quoteListBadParameters_data();
    void quoteListBadParameters();

    void candlesOneSecondMatchQuotes();
    void candlesIntervalsAligned_data();
    void candlesIntervalsAligned();
    void candlesTooMany();
    void candlesBadParameters_data();
    void candlesBadParameters();

    void portfolioFields();
    void orderBuyAndSellFillMath();
    void orderFillsAtLatestQuoteWhileTicking();
    void orderLimitPrice();
    void orderInvalidLimitPrice_data();
    void orderInvalidLimitPrice();
    void orderInsufficientFundsSentence();
    void orderInsufficientShares();
    void orderInvalidQuantity_data();
    void orderInvalidQuantity();
    void orderMaximumQuantityIsValid();
    void orderInvalidSide_data();
    void orderInvalidSide();
    void orderNoQuotes();

    void idempotentRepeatReturnsFirstAnswer();
    void idempotencyKeyReusedWithOtherBody();
    void idempotentRejectionReplayed();
    void invalidOrderKeepsItsKey();
    void invalidOrderWithoutKeyKeepsNothing();
    void nonJsonOrderLeavesKeyUnused();
    void idempotencyKeyPerAccount();
    void idempotencyKeyTooLong();

    void orderHistoryPaging();
    void orderHistoryBadLimit_data();
    void orderHistoryBadLimit();

    void praiseWithoutShares();
    void praiseTenCentsPerShare();
    void praiseOverflowRejected();

    void malformedBody_data();
    void malformedBody();
    void unsupportedContentType_data();
    void unsupportedContentType();
    void jsonWithCharsetAccepted();
    void unknownPath_data();
    void unknownPath();
    void wrongMethod_data();
    void wrongMethod();
    void bodyTooLarge();
    void declaredBodyTooLarge();
    void oversizedHeaders();
    void chunkedBodyAccepted();
    void chunkedBodyTooLarge();
    void pipelinedRequestsAnswered();
    void pipelinedResponsesFillWindow();
    void invalidStartingCashRejected();
    void takenPortCreatesNoDatabase();
    void malformedRequestNamesRemedy();

    void restartKeepsAccountsAndOrders();

private:
    struct Account
    {
        QString username;
        QString password;
        QString token;
        qint64 id = 0;
    };

    HttpClient trading() const { return HttpClient(m_trading->baseUrl()); }
    HttpClient quotes() const { return HttpClient(m_quotes->baseUrl()); }
    QString uniqueUsername(const QString& tag);
    Account createAccount(const ServerProcess& server, const QString& tag);
    static Quote latestQuote(const ServerProcess& server);
    static QJsonObject portfolio(const ServerProcess& server, const QString& token);
    static HttpResponse order(const ServerProcess& server, const QString& token,
                              const QJsonObject& body, const QByteArray& idempotencyKey = {});
    static bool waitForQuoteCount(const ServerProcess& server, qint64 count);
    static QJsonArray allQuotes(const ServerProcess& server);
    static void verifyServerAnswers(const ServerProcess& server);
    static void verifyError(const HttpResponse& response, int status, const QString& code);
    static void verifyPortfolioShape(const QJsonObject& portfolio);

    std::unique_ptr<ServerProcess> m_trading;
    std::unique_ptr<ServerProcess> m_quotes;
    int m_usernameCounter = 0;
};

// --- helpers ---

QString ApiTest::uniqueUsername(const QString& tag)
{
    return QStringLiteral("%1_%2").arg(tag.left(20)).arg(++m_usernameCounter);
}

ApiTest::Account ApiTest::createAccount(const ServerProcess& server, const QString& tag)
{
    Account account;
    account.username = uniqueUsername(tag);
    account.password = QStringLiteral("correct horse %1").arg(m_usernameCounter);
    const HttpResponse response =
        HttpClient(server.baseUrl())
            .post(QStringLiteral("/api/v1/accounts"),
                  {{"username", account.username}, {"password", account.password}});
    if (response.status != 201) {
        qWarning("Creating account %s failed: %s", qPrintable(account.username),
                 qPrintable(response.describe()));
        return account;
    }
    account.token = response.json().value("token").toString();
    account.id = response.json().value("account").toObject().value("id").toInteger();
    return account;
}

Quote ApiTest::latestQuote(const ServerProcess& server)
{
    const HttpResponse response = HttpClient(server.baseUrl()).get("/api/v1/quotes/latest");
    const QJsonObject body = response.json();
    if (response.status != 200)
        return {};
    return Quote{body.value("id").toInteger(), cents(body.value("price")),
                 body.value("created").toString()};
}

QJsonObject ApiTest::portfolio(const ServerProcess& server, const QString& token)
{
    return HttpClient(server.baseUrl()).get("/api/v1/portfolio", token).json();
}

HttpResponse ApiTest::order(const ServerProcess& server, const QString& token,
                            const QJsonObject& body, const QByteArray& idempotencyKey)
{
    HttpHeaders extra;
    if (!idempotencyKey.isEmpty())
        extra.append({"Idempotency-Key", idempotencyKey});
    return HttpClient(server.baseUrl()).post("/api/v1/orders", body, token, extra);
}

bool ApiTest::waitForQuoteCount(const ServerProcess& server, qint64 count)
{
    const HttpClient client(server.baseUrl());
    for (int attempt = 0; attempt < 400; ++attempt) {
        const HttpResponse response = client.get("/api/v1/quotes?limit=1000");
        if (response.json().value("quotes").toArray().size() >= count)
            return true;
        QTest::qWait(50);
    }
    return false;
}

QJsonArray ApiTest::allQuotes(const ServerProcess& server)
{
    const HttpClient client(server.baseUrl());
    QJsonArray quotes;
    qint64 afterId = 0;
    for (int page = 0; page < 100; ++page) {
        const QJsonArray batch =
            client.get(QStringLiteral("/api/v1/quotes?after_id=%1&limit=1000").arg(afterId))
                .json()
                .value("quotes")
                .toArray();
        if (batch.isEmpty())
            break;
        for (const QJsonValue& quote : batch)
            quotes.append(quote);
        afterId = batch.last().toObject().value("id").toInteger();
    }
    return quotes;
}

void ApiTest::verifyServerAnswers(const ServerProcess& server)
{
    const HttpResponse up = HttpClient(server.baseUrl()).get("/up");
    QVERIFY2(up.status == 200, qPrintable("GET /up after a bad request: " + up.describe()));
}

void ApiTest::verifyError(const HttpResponse& response, int status, const QString& code)
{
    QVERIFY2(response.status == status,
             qPrintable(QStringLiteral("expected %1 %2, got %3")
                            .arg(status)
                            .arg(code, response.describe())));
    QVERIFY2(response.isJsonObject(), qPrintable("error body is not JSON: " + response.describe()));
    QVERIFY2(response.header("Content-Type").startsWith("application/json"),
             response.header("Content-Type").constData());
    if (!code.isEmpty())
        QCOMPARE(response.errorCode(), code);
    QVERIFY2(!response.errorCode().isEmpty(), qPrintable(response.describe()));
    QVERIFY2(!response.errorMessage().isEmpty(), qPrintable(response.describe()));
}

void ApiTest::verifyPortfolioShape(const QJsonObject& portfolio)
{
    QVERIFY2(isMoney(portfolio.value("cash")), qPrintable(QJsonDocument(portfolio).toJson()));
    QVERIFY(portfolio.value("shares").isDouble());
    QVERIFY(isMoney(portfolio.value("cost_basis")));
    QVERIFY(isMoney(portfolio.value("market_value")));
    QVERIFY(isMoney(portfolio.value("last_price")));
    QVERIFY(portfolio.value("last_quote_id").isDouble());
}

// --- set-up ---

void ApiTest::initTestCase()
{
    QVERIFY2(!ServerProcess::serverBinary().isEmpty(), "VALIANT_SERVER_BIN is not set");

    ServerProcess::Options tradingOptions;
    tradingOptions.tickMs = 3'600'000;
    tradingOptions.startingCash = moneyFromCents(tradingStartingCents);
    m_trading = std::make_unique<ServerProcess>(tradingOptions);
    QVERIFY2(m_trading->start(), qPrintable(m_trading->errorString()));

    ServerProcess::Options quoteOptions;
    quoteOptions.tickMs = 50;
    m_quotes = std::make_unique<ServerProcess>(quoteOptions);
    QVERIFY2(m_quotes->start(), qPrintable(m_quotes->errorString()));
}

void ApiTest::cleanupTestCase()
{
    if (m_trading && m_trading->isRunning())
        QVERIFY2(m_trading->stop(), qPrintable(m_trading->errorString()));
    if (m_quotes && m_quotes->isRunning())
        QVERIFY2(m_quotes->stop(), qPrintable(m_quotes->errorString()));
}

// --- health and metrics ---

void ApiTest::upReportsHealthyServer()
{
    const HttpResponse response = trading().get("/up");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QVERIFY2(response.header("Content-Type").startsWith("application/json"),
             response.header("Content-Type").constData());

    const QJsonObject body = response.json();
    QCOMPARE(body.value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(body.value("database").toString(), QStringLiteral("ok"));
    QCOMPARE(body.value("bus").toString(), QStringLiteral("local"));
    QCOMPARE(body.value("generator").toString(), QStringLiteral("leader"));
    QVERIFY2(QRegularExpression(QStringLiteral("^\\d+\\.\\d+\\.\\d+"))
                 .match(body.value("version").toString())
                 .hasMatch(),
             qPrintable(body.value("version").toString()));
}

void ApiTest::metricsIsPrometheusText()
{
    QCOMPARE(trading().get("/up").status, 200);

    const HttpResponse response = trading().get("/metrics");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QVERIFY2(response.header("Content-Type").startsWith("text/plain"),
             response.header("Content-Type").constData());
    QVERIFY(!response.body.isEmpty());
    QVERIFY2(response.body.endsWith('\n'), "the exposition format requires a final newline");
    QVERIFY(response.body.contains("# TYPE "));

    // Every sample line is `name{labels} value`, the value a number.
    static const QRegularExpression sample(QStringLiteral(
        "^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^}]*\\})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)( -?\\d+)?$"));
    int samples = 0;
    for (const QByteArray& line : response.body.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        ++samples;
        QVERIFY2(sample.match(QString::fromUtf8(line)).hasMatch(), line.constData());
    }
    QVERIFY(samples > 0);
}

// --- accounts ---

void ApiTest::accountCreationReturnsToken()
{
    const QString username = uniqueUsername("ada");
    const HttpResponse response = trading().post(
        "/api/v1/accounts", {{"username", username}, {"password", "long enough password"}});
    QVERIFY2(response.status == 201, qPrintable(response.describe()));
    QVERIFY2(response.header("Content-Type").startsWith("application/json"),
             response.header("Content-Type").constData());

    const QJsonObject body = response.json();
    const QJsonObject account = body.value("account").toObject();
    QVERIFY(account.value("id").isDouble());
    QVERIFY(account.value("id").toInteger() > 0);
    QCOMPARE(account.value("username").toString(), username);
    QVERIFY(body.value("token").isString());
    // 32 random bytes take at least 43 characters in any text encoding.
    QVERIFY2(body.value("token").toString().size() >= 43,
             qPrintable(QString::number(body.value("token").toString().size())));
    QVERIFY(!body.contains("password"));
    QVERIFY(!account.contains("password"));

    const HttpResponse portfolioResponse =
        trading().get("/api/v1/portfolio", body.value("token").toString());
    QVERIFY2(portfolioResponse.status == 200, qPrintable(portfolioResponse.describe()));
}

void ApiTest::accountUsernameTaken()
{
    const Account first = createAccount(*m_trading, "taken");
    QVERIFY(!first.token.isEmpty());

    const HttpResponse response = trading().post(
        "/api/v1/accounts", {{"username", first.username}, {"password", "another password"}});
    verifyError(response, 409, "username_taken");

    // The first account still logs in with its own password.
    const HttpResponse login = trading().post(
        "/api/v1/sessions", {{"username", first.username}, {"password", first.password}});
    QVERIFY2(login.status == 201, qPrintable(login.describe()));
}

void ApiTest::accountUsernameBoundsAccepted()
{
    const QString suffix = QString::number(++m_usernameCounter);
    const QStringList names{
        QStringLiteral("a") + suffix.right(2).rightJustified(2, QLatin1Char('0')),
        QString(32 - suffix.size(), QLatin1Char('L')) + suffix,
        QStringLiteral("A.b_c-D9.") + suffix,
    };
    for (const QString& name : names) {
        const HttpResponse response =
            trading().post("/api/v1/accounts", {{"username", name}, {"password", "12345678"}});
        QVERIFY2(response.status == 201, qPrintable(name + ": " + response.describe()));
    }

    const QString longest(1024, QLatin1Char('p'));
    const HttpResponse response = trading().post(
        "/api/v1/accounts", {{"username", uniqueUsername("longpw")}, {"password", longest}});
    QVERIFY2(response.status == 201, qPrintable(response.describe()));
}

void ApiTest::accountInvalidUsername_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("two characters") << QByteArray(R"({"username":"ab","password":"12345678"})");
    QTest::newRow("33 characters")
        << (R"({"username":")" + QByteArray(33, 'x') + R"(","password":"12345678"})");
    QTest::newRow("space") << QByteArray(R"({"username":"ada lovelace","password":"12345678"})");
    QTest::newRow("at sign") << QByteArray(R"({"username":"ada@home","password":"12345678"})");
    QTest::newRow("slash") << QByteArray(R"({"username":"ada/b","password":"12345678"})");
    QTest::newRow("non-ASCII letter")
        << QByteArray(R"({"username":"ad\u00e9x","password":"12345678"})");
    QTest::newRow("empty") << QByteArray(R"({"username":"","password":"12345678"})");
    QTest::newRow("missing") << QByteArray(R"({"password":"12345678"})");
    QTest::newRow("number") << QByteArray(R"({"username":12345,"password":"12345678"})");
    QTest::newRow("null") << QByteArray(R"({"username":null,"password":"12345678"})");
}

void ApiTest::accountInvalidUsername()
{
    QFETCH(QByteArray, body);
    const HttpResponse response =
        trading().send("POST", "/api/v1/accounts", body, HttpClient::jsonHeaders());
    verifyError(response, 422, "invalid_username");
}

void ApiTest::accountInvalidPassword_data()
{
    QTest::addColumn<QJsonValue>("password");
    QTest::addColumn<bool>("present");

    QTest::newRow("seven characters") << QJsonValue("1234567") << true;
    QTest::newRow("1025 characters") << QJsonValue(QString(1025, QLatin1Char('p'))) << true;
    QTest::newRow("empty") << QJsonValue("") << true;
    QTest::newRow("number") << QJsonValue(12345678) << true;
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << true;
    QTest::newRow("missing") << QJsonValue() << false;
}

void ApiTest::accountInvalidPassword()
{
    QFETCH(QJsonValue, password);
    QFETCH(bool, present);

    const QString username = uniqueUsername("badpw");
    QJsonObject body{{"username", username}};
    if (present)
        body.insert("password", password);
    verifyError(trading().post("/api/v1/accounts", body), 422, "invalid_password");

    // A rejected sign-up leaves no account behind: the name is still free.
    const HttpResponse retry = trading().post(
        "/api/v1/accounts", {{"username", username}, {"password", "a valid password"}});
    QVERIFY2(retry.status == 201, qPrintable(retry.describe()));
}

void ApiTest::accountStartsWithStartingCash()
{
    const Account account = createAccount(*m_trading, "fresh");
    const HttpResponse response = trading().get("/api/v1/portfolio", account.token);
    QVERIFY2(response.status == 200, qPrintable(response.describe()));

    const QJsonObject body = response.json();
    verifyPortfolioShape(body);
    QCOMPARE(body.value("cash").toString(), moneyFromCents(tradingStartingCents));
    QCOMPARE(body.value("shares").toInteger(), 0);
    QCOMPARE(body.value("cost_basis").toString(), QStringLiteral("0.00"));
    QCOMPARE(body.value("market_value").toString(), QStringLiteral("0.00"));
}

// --- sessions ---

void ApiTest::sessionLoginReturnsToken()
{
    const Account account = createAccount(*m_trading, "login");
    const HttpResponse response = trading().post(
        "/api/v1/sessions", {{"username", account.username}, {"password", account.password}});
    QVERIFY2(response.status == 201, qPrintable(response.describe()));

    const QJsonObject body = response.json();
    const QString token = body.value("token").toString();
    QVERIFY(token.size() >= 43);
    QVERIFY(token != account.token);
    QCOMPARE(body.value("account").toObject().value("username").toString(), account.username);
    QCOMPARE(body.value("account").toObject().value("id").toInteger(), account.id);

    QCOMPARE(trading().get("/api/v1/portfolio", token).status, 200);
    QCOMPARE(trading().get("/api/v1/portfolio", account.token).status, 200);
}

void ApiTest::sessionInvalidCredentialsIdentical()
{
    const Account account = createAccount(*m_trading, "creds");

    const HttpResponse wrongPassword = trading().post(
        "/api/v1/sessions", {{"username", account.username}, {"password", "wrong password"}});
    const HttpResponse unknownUser = trading().post(
        "/api/v1/sessions", {{"username", uniqueUsername("ghost")}, {"password", "wrong password"}});

    verifyError(wrongPassword, 401, "invalid_credentials");
    verifyError(unknownUser, 401, "invalid_credentials");
    QCOMPARE(unknownUser.body, wrongPassword.body);
}

void ApiTest::sessionLogoutRevokesToken()
{
    const Account account = createAccount(*m_trading, "logout");
    const HttpResponse login = trading().post(
        "/api/v1/sessions", {{"username", account.username}, {"password", account.password}});
    const QString sessionToken = login.json().value("token").toString();
    QVERIFY(!sessionToken.isEmpty());

    const HttpResponse logout = trading().deleteResource("/api/v1/sessions/current", sessionToken);
    QVERIFY2(logout.status == 204, qPrintable(logout.describe()));
    QVERIFY(logout.body.isEmpty());

    verifyError(trading().get("/api/v1/portfolio", sessionToken), 401, {});
    verifyError(trading().deleteResource("/api/v1/sessions/current", sessionToken), 401, {});
    verifyError(order(*m_trading, sessionToken, {{"side", "buy"}, {"quantity", 1}}), 401, {});

    // Only that session ended: the token from sign-up still works.
    QCOMPARE(trading().get("/api/v1/portfolio", account.token).status, 200);
}

void ApiTest::authMissingOrBadToken_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("authorization");

    const QList<QPair<QByteArray, QString>> endpoints{
        {"GET", "/api/v1/portfolio"},
        {"GET", "/api/v1/orders"},
        {"POST", "/api/v1/orders"},
        {"POST", "/api/v1/praise"},
        {"DELETE", "/api/v1/sessions/current"},
    };
    const QList<QPair<const char*, QByteArray>> headers{
        {"missing", QByteArray()},
        {"unknown token", "Bearer " + QByteArray(43, 'A')},
        {"empty bearer", "Bearer "},
        {"basic scheme", "Basic YWRhOnBhc3N3b3Jk"},
        {"no scheme", QByteArray(43, 'A')},
    };
    for (const auto& [method, path] : endpoints) {
        for (const auto& [name, value] : headers) {
            QTest::addRow("%s %s, %s", method.constData(), qPrintable(path), name)
                << method << path << value;
        }
    }
}

void ApiTest::authMissingOrBadToken()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, authorization);

    HttpHeaders headers{{"Content-Type", "application/json"}};
    if (!authorization.isEmpty())
        headers.append({"Authorization", authorization});
    const QByteArray body = method == "POST" ? QByteArray(R"({"side":"buy","quantity":1})") : "";
    const HttpResponse response = trading().send(method, path, body, headers);
    verifyError(response, 401, {});
    verifyServerAnswers(*m_trading);
}

// --- quotes ---

void ApiTest::quoteLatestFirstPrice()
{
    const HttpResponse response = trading().get("/api/v1/quotes/latest");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    const QJsonObject body = response.json();
    QVERIFY(body.value("id").isDouble());
    QVERIFY(isMoney(body.value("price")));
    QVERIFY2(isTimestamp(body.value("created")), qPrintable(body.value("created").toString()));

    // The very first quote of a new database is $50.00.
    const HttpResponse all = quotes().get("/api/v1/quotes?after_id=0&limit=1");
    QVERIFY2(all.status == 200, qPrintable(all.describe()));
    const QJsonArray first = all.json().value("quotes").toArray();
    QCOMPARE(first.size(), 1);
    QCOMPARE(first.at(0).toObject().value("price").toString(), QStringLiteral("50.00"));

    const HttpResponse tradingFirst = trading().get("/api/v1/quotes?after_id=0&limit=1");
    QCOMPARE(tradingFirst.json().value("quotes").toArray().at(0).toObject().value("price"),
             QJsonValue("50.00"));

    // The created time is close to now: the clock is UTC, not local time.
    const QDateTime created = parseTimestamp(body.value("created").toString());
    QVERIFY(created.isValid());
    QVERIFY2(qAbs(created.secsTo(QDateTime::currentDateTimeUtc())) < 3'700,
             qPrintable(body.value("created").toString()));
}

void ApiTest::quoteLatestBeforeFirstQuote()
{
    ServerProcess::Options options;
    options.extraArguments = {"--generator", "off"};
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));

    const HttpClient client(server.baseUrl());
    verifyError(client.get("/api/v1/quotes/latest"), 404, "no_quotes");

    const HttpResponse list = client.get("/api/v1/quotes");
    QVERIFY2(list.status == 200, qPrintable(list.describe()));
    QCOMPARE(list.json().value("quotes").toArray().size(), 0);

    const HttpResponse up = client.get("/up");
    QCOMPARE(up.json().value("generator").toString(), QStringLiteral("off"));

    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

void ApiTest::quoteListDefault()
{
    QVERIFY2(waitForQuoteCount(*m_quotes, 70), "the 50 ms server made fewer than 70 quotes");

    const Quote before = latestQuote(*m_quotes);
    const HttpResponse response = quotes().get("/api/v1/quotes");
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    const QJsonArray list = response.json().value("quotes").toArray();
    QCOMPARE(list.size(), 60);

    qint64 previous = 0;
    for (const QJsonValue& value : list) {
        const QJsonObject quote = value.toObject();
        QVERIFY(quote.value("id").toInteger() > previous);
        QVERIFY(isMoney(quote.value("price")));
        QVERIFY(cents(quote.value("price")) >= 100);
        QVERIFY(isTimestamp(quote.value("created")));
        previous = quote.value("id").toInteger();
    }
    // Without after_id the list is the newest quotes, still ascending.
    QVERIFY2(previous >= before.id, qPrintable(QStringLiteral("%1 < %2").arg(previous).arg(before.id)));

    const HttpResponse limited = quotes().get("/api/v1/quotes?limit=5");
    QCOMPARE(limited.json().value("quotes").toArray().size(), 5);
    QCOMPARE(quotes().get("/api/v1/quotes?limit=1000").status, 200);
    QCOMPARE(quotes().get("/api/v1/quotes?limit=1").json().value("quotes").toArray().size(), 1);
}

void ApiTest::quoteListAfterId()
{
    QVERIFY(waitForQuoteCount(*m_quotes, 30));
    const HttpResponse all = quotes().get("/api/v1/quotes?after_id=0&limit=1000");
    const QJsonArray knownQuotes = all.json().value("quotes").toArray();
    QVERIFY(knownQuotes.size() >= 30);

    const qint64 start = knownQuotes.at(10).toObject().value("id").toInteger();
    const HttpResponse response =
        quotes().get(QStringLiteral("/api/v1/quotes?after_id=%1&limit=5").arg(start));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    const QJsonArray list = response.json().value("quotes").toArray();
    QCOMPARE(list.size(), 5);
    for (int i = 0; i < 5; ++i) {
        // The same quotes, in the same order, as the full list after index 10.
        QCOMPARE(list.at(i).toObject(), knownQuotes.at(11 + i).toObject());
    }

    const Quote latest = latestQuote(*m_quotes);
    const HttpResponse beyond =
        quotes().get(QStringLiteral("/api/v1/quotes?after_id=%1").arg(latest.id + 1'000'000));
    QVERIFY2(beyond.status == 200, qPrintable(beyond.describe()));
    QCOMPARE(beyond.json().value("quotes").toArray().size(), 0);
}

void ApiTest::quoteListSince()
{
    QVERIFY(waitForQuoteCount(*m_quotes, 30));
    const QJsonArray knownQuotes =
        quotes().get("/api/v1/quotes?after_id=0&limit=1000").json().value("quotes").toArray();
    const QJsonObject pivot = knownQuotes.at(20).toObject();
    const QDateTime since = parseTimestamp(pivot.value("created").toString());
    QVERIFY(since.isValid());

    const HttpResponse response = quotes().get(
        "/api/v1/quotes?limit=5&since=" + percentEncoded(toTimestamp(since)));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    const QJsonArray list = response.json().value("quotes").toArray();
    QCOMPARE(list.size(), 5);

    qint64 previous = 0;
    for (const QJsonValue& value : list) {
        const QJsonObject quote = value.toObject();
        QVERIFY(parseTimestamp(quote.value("created").toString()) >= since);
        QVERIFY(quote.value("id").toInteger() > previous);
        previous = quote.value("id").toInteger();
    }
    // The quote right after the pivot is included: nothing is skipped.
    const qint64 nextId = knownQuotes.at(21).toObject().value("id").toInteger();
    QVERIFY(list.at(0).toObject().value("id").toInteger() <= nextId);
}

void ApiTest::quoteListBadParameters_data()
{
    QTest::addColumn<QString>("query");

    QTest::newRow("limit 0") << "limit=0";
    QTest::newRow("limit -1") << "limit=-1";
    QTest::newRow("limit 1001") << "limit=1001";
    QTest::newRow("limit text") << "limit=ten";
    QTest::newRow("limit fraction") << "limit=1.5";
    QTest::newRow("limit huge") << "limit=99999999999999999999";
    QTest::newRow("after_id text") << "after_id=abc";
    QTest::newRow("after_id fraction") << "after_id=2.5";
    QTest::newRow("since not a time") << "since=yesterday";
    QTest::newRow("since date only") << "since=2026-13-45";
}

void ApiTest::quoteListBadParameters()
{
    QFETCH(QString, query);
    verifyError(quotes().get("/api/v1/quotes?" + query), 422, {});
    verifyServerAnswers(*m_quotes);
}

// --- candles ---

void ApiTest::candlesOneSecondMatchQuotes()
{
    // Three full seconds of 50 ms quotes, plus partial seconds at each end.
    QVERIFY(waitForQuoteCount(*m_quotes, 20));
    const Quote startQuote = latestQuote(*m_quotes);
    const QDateTime from = parseTimestamp(startQuote.created);
    QTRY_VERIFY_WITH_TIMEOUT(
        parseTimestamp(latestQuote(*m_quotes).created) > from.addSecs(5), 15'000);
    const QDateTime to = from.addSecs(4);

    const HttpResponse response = quotes().get(
        QStringLiteral("/api/v1/candles?interval=1s&from=%1&to=%2")
            .arg(percentEncoded(toTimestamp(from)), percentEncoded(toTimestamp(to))));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    const QJsonArray candles = response.json().value("candles").toArray();
    QVERIFY2(candles.size() >= 3, qPrintable(response.describe()));

    const QJsonArray knownQuotes = quotes()
                                     .get(QStringLiteral("/api/v1/quotes?after_id=%1&limit=1000")
                                              .arg(startQuote.id - 30))
                                     .json()
                                     .value("quotes")
                                     .toArray();

    // Interior candles cover whole seconds inside [from, to], so they must
    // summarize exactly the quotes created in their second.
    QDateTime previousStart;
    for (int i = 0; i < candles.size(); ++i) {
        const QJsonObject candle = candles.at(i).toObject();
        const QDateTime start = parseTimestamp(candle.value("start").toString());
        QVERIFY2(start.isValid(), qPrintable(candle.value("start").toString()));
        QCOMPARE(start.time().msec(), 0);
        QVERIFY(!previousStart.isValid() || start > previousStart);
        previousStart = start;

        for (const char* field : {"open", "high", "low", "close"})
            QVERIFY2(isMoney(candle.value(field)), field);
        QVERIFY(cents(candle.value("low")) <= cents(candle.value("open")));
        QVERIFY(cents(candle.value("low")) <= cents(candle.value("close")));
        QVERIFY(cents(candle.value("high")) >= cents(candle.value("open")));
        QVERIFY(cents(candle.value("high")) >= cents(candle.value("close")));
        QVERIFY(candle.value("count").toInteger() > 0);
        QVERIFY(start >= from.addMSecs(-from.time().msec()));
        QVERIFY(start <= to);

        if (i == 0 || i == candles.size() - 1)
            continue;
        QList<qint64> prices;
        for (const QJsonValue& value : knownQuotes) {
            const QDateTime created = parseTimestamp(value.toObject().value("created").toString());
            if (created >= start && created < start.addSecs(1))
                prices.append(cents(value.toObject().value("price")));
        }
        QVERIFY2(!prices.isEmpty(), qPrintable(candle.value("start").toString()));
        QCOMPARE(candle.value("count").toInteger(), prices.size());
        QCOMPARE(cents(candle.value("open")), prices.first());
        QCOMPARE(cents(candle.value("close")), prices.last());
        QCOMPARE(cents(candle.value("high")), *std::max_element(prices.begin(), prices.end()));
        QCOMPARE(cents(candle.value("low")), *std::min_element(prices.begin(), prices.end()));
    }
}

void ApiTest::candlesIntervalsAligned_data()
{
    QTest::addColumn<QString>("interval");
    QTest::addColumn<qint64>("seconds");

    QTest::newRow("1s") << "1s" << qint64(1);
    QTest::newRow("1m") << "1m" << qint64(60);
    QTest::newRow("5m") << "5m" << qint64(300);
    QTest::newRow("1h") << "1h" << qint64(3600);
    QTest::newRow("1d") << "1d" << qint64(86400);
}

void ApiTest::candlesIntervalsAligned()
{
    QFETCH(QString, interval);
    QFETCH(qint64, seconds);

    QVERIFY(waitForQuoteCount(*m_quotes, 10));
    const QJsonArray quoteList = allQuotes(*m_quotes);
    const QDateTime first = parseTimestamp(quoteList.first().toObject().value("created").toString());
    const QDateTime last = parseTimestamp(quoteList.last().toObject().value("created").toString());

    // The window spans every quote so far, rounded out to whole intervals.
    const qint64 fromSeconds = first.toSecsSinceEpoch() / seconds * seconds;
    const qint64 toSeconds = (last.toSecsSinceEpoch() / seconds + 1) * seconds;
    const QDateTime from = QDateTime::fromSecsSinceEpoch(fromSeconds, Qt::UTC);
    const QDateTime to = QDateTime::fromSecsSinceEpoch(toSeconds, Qt::UTC);
    QVERIFY(to.toSecsSinceEpoch() - from.toSecsSinceEpoch() <= 1'000 * seconds);

    const HttpResponse response =
        quotes().get(QStringLiteral("/api/v1/candles?interval=%1&from=%2&to=%3")
                         .arg(interval, percentEncoded(toTimestamp(from)),
                              percentEncoded(toTimestamp(to))));
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    const QJsonArray candles = response.json().value("candles").toArray();
    QVERIFY(!candles.isEmpty());

    qint64 total = 0;
    qint64 previous = -1;
    for (const QJsonValue& value : candles) {
        const QJsonObject candle = value.toObject();
        const QDateTime start = parseTimestamp(candle.value("start").toString());
        QVERIFY2(start.isValid(), qPrintable(candle.value("start").toString()));
        QCOMPARE(start.time().msec(), 0);
        QCOMPARE(start.toSecsSinceEpoch() % seconds, 0);
        QVERIFY(start.toSecsSinceEpoch() > previous);
        previous = start.toSecsSinceEpoch();
        total += candle.value("count").toInteger();
    }
    // Every quote up to `last` falls in the window, and newer ones may too.
    QVERIFY2(total >= quoteList.size(),
             qPrintable(QStringLiteral("%1 candle quotes < %2").arg(total).arg(quoteList.size())));
}

void ApiTest::candlesTooMany()
{
    const QDateTime to = QDateTime::currentDateTimeUtc();
    const QString tooMany = QStringLiteral("/api/v1/candles?interval=1s&from=%1&to=%2")
                                .arg(percentEncoded(toTimestamp(to.addSecs(-3600))),
                                     percentEncoded(toTimestamp(to)));
    verifyError(quotes().get(tooMany), 422, "too_many_candles");

    const QString days = QStringLiteral("/api/v1/candles?interval=1m&from=%1&to=%2")
                             .arg(percentEncoded(toTimestamp(to.addDays(-30))),
                                  percentEncoded(toTimestamp(to)));
    verifyError(quotes().get(days), 422, "too_many_candles");

    const QString fits = QStringLiteral("/api/v1/candles?interval=1s&from=%1&to=%2")
                             .arg(percentEncoded(toTimestamp(to.addSecs(-1000))),
                                  percentEncoded(toTimestamp(to)));
    QCOMPARE(quotes().get(fits).status, 200);
}

void ApiTest::candlesBadParameters_data()
{
    QTest::addColumn<QString>("query");

    const QString from = percentEncoded(toTimestamp(QDateTime::currentDateTimeUtc().addSecs(-60)));
    const QString to = percentEncoded(toTimestamp(QDateTime::currentDateTimeUtc()));
    QTest::newRow("interval 2m") << QStringLiteral("interval=2m&from=%1&to=%2").arg(from, to);
    QTest::newRow("interval 1w") << QStringLiteral("interval=1w&from=%1&to=%2").arg(from, to);
    QTest::newRow("interval empty") << QStringLiteral("interval=&from=%1&to=%2").arg(from, to);
    QTest::newRow("interval missing") << QStringLiteral("from=%1&to=%2").arg(from, to);
    QTest::newRow("from not a time") << QStringLiteral("interval=1s&from=now&to=%1").arg(to);
    QTest::newRow("to not a time") << QStringLiteral("interval=1s&from=%1&to=later").arg(from);
}

void ApiTest::candlesBadParameters()
{
    QFETCH(QString, query);
    verifyError(quotes().get("/api/v1/candles?" + query), 422, {});
    verifyServerAnswers(*m_quotes);
}

// --- portfolio and orders ---

void ApiTest::portfolioFields()
{
    const Account account = createAccount(*m_trading, "pf");
    const Quote latest = latestQuote(*m_trading);
    const QJsonObject body = portfolio(*m_trading, account.token);
    verifyPortfolioShape(body);
    QCOMPARE(body.value("last_quote_id").toInteger(), latest.id);
    QCOMPARE(cents(body.value("last_price")), latest.cents);
}

void ApiTest::orderBuyAndSellFillMath()
{
    const Account account = createAccount(*m_trading, "fill");

    const Quote before = latestQuote(*m_trading);
    const HttpResponse buy = order(*m_trading, account.token, {{"side", "buy"}, {"quantity", 3}},
                                   "fill-buy-1");
    const Quote after = latestQuote(*m_trading);
    QVERIFY2(buy.status == 201, qPrintable(buy.describe()));
    QVERIFY2(before.id == after.id, "a quote arrived during the order; the check is unreliable");

    const QJsonObject bought = buy.json().value("order").toObject();
    QVERIFY(bought.value("id").isDouble());
    QCOMPARE(bought.value("side").toString(), QStringLiteral("buy"));
    QCOMPARE(bought.value("quantity").toInteger(), 3);
    QCOMPARE(bought.value("quote_id").toInteger(), before.id);
    QCOMPARE(cents(bought.value("price")), before.cents);
    QCOMPARE(cents(bought.value("total")), 3 * before.cents);
    QVERIFY(isTimestamp(bought.value("created")));

    const QJsonObject afterBuy = buy.json().value("portfolio").toObject();
    verifyPortfolioShape(afterBuy);
    QCOMPARE(cents(afterBuy.value("cash")), tradingStartingCents - 3 * before.cents);
    QCOMPARE(afterBuy.value("shares").toInteger(), 3);
    QCOMPARE(cents(afterBuy.value("cost_basis")), 3 * before.cents);
    QCOMPARE(cents(afterBuy.value("market_value")), 3 * before.cents);
    QCOMPARE(portfolio(*m_trading, account.token), afterBuy);

    const HttpResponse sell = order(*m_trading, account.token, {{"side", "sell"}, {"quantity", 1}},
                                    "fill-sell-1");
    QVERIFY2(sell.status == 201, qPrintable(sell.describe()));
    QCOMPARE(latestQuote(*m_trading).id, before.id);

    const QJsonObject sold = sell.json().value("order").toObject();
    QCOMPARE(sold.value("side").toString(), QStringLiteral("sell"));
    QCOMPARE(sold.value("quantity").toInteger(), 1);
    QVERIFY(sold.value("id").toInteger() > bought.value("id").toInteger());
    QCOMPARE(cents(sold.value("total")), before.cents);

    // Selling one of three shares bought at one price keeps 2/3 of the cost.
    const QJsonObject afterSell = sell.json().value("portfolio").toObject();
    QCOMPARE(cents(afterSell.value("cash")), tradingStartingCents - 2 * before.cents);
    QCOMPARE(afterSell.value("shares").toInteger(), 2);
    QCOMPARE(cents(afterSell.value("cost_basis")), 2 * before.cents);
    QCOMPARE(cents(afterSell.value("market_value")), 2 * before.cents);
    QCOMPARE(portfolio(*m_trading, account.token), afterSell);
}

void ApiTest::orderFillsAtLatestQuoteWhileTicking()
{
    // On a 50 ms server the price moves, and each fill must use the quote
    // that was the latest at execution, never an older one.
    ServerProcess::Options options;
    options.tickMs = 50;
    options.startingCash = QStringLiteral("1000000.00");
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const Account account = createAccount(server, "tick");
    QVERIFY(waitForQuoteCount(server, 5));

    const HttpClient client(server.baseUrl());
    qint64 expectedCash = 1'000'000'00;
    qint64 expectedShares = 0;
    for (int i = 0; i < 20; ++i) {
        const Quote before = latestQuote(server);
        const HttpResponse response = order(server, account.token,
                                            {{"side", "buy"}, {"quantity", 2}},
                                            QByteArray("tick-") + QByteArray::number(i));
        const Quote after = latestQuote(server);
        QVERIFY2(response.status == 201, qPrintable(response.describe()));

        const QJsonObject filled = response.json().value("order").toObject();
        const qint64 quoteId = filled.value("quote_id").toInteger();
        QVERIFY2(quoteId >= before.id && quoteId <= after.id,
                 qPrintable(QStringLiteral("quote %1 outside [%2, %3]")
                                .arg(quoteId)
                                .arg(before.id)
                                .arg(after.id)));
        const QJsonArray quoteList = client.get(QStringLiteral("/api/v1/quotes?after_id=%1&limit=1")
                                                    .arg(quoteId - 1))
                                         .json()
                                         .value("quotes")
                                         .toArray();
        QCOMPARE(quoteList.at(0).toObject().value("id").toInteger(), quoteId);
        QCOMPARE(filled.value("price"), quoteList.at(0).toObject().value("price"));
        QCOMPARE(cents(filled.value("total")), 2 * cents(filled.value("price")));

        expectedCash -= cents(filled.value("total"));
        expectedShares += 2;
        const QJsonObject after2 = response.json().value("portfolio").toObject();
        QCOMPARE(cents(after2.value("cash")), expectedCash);
        QCOMPARE(after2.value("shares").toInteger(), expectedShares);
        QCOMPARE(cents(after2.value("cost_basis")), 1'000'000'00 - expectedCash);
    }
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

void ApiTest::orderLimitPrice()
{
    const Account account = createAccount(*m_trading, "limit");
    const Quote quote = latestQuote(*m_trading);
    const QString below = moneyFromCents(quote.cents - 1);
    const QString at = moneyFromCents(quote.cents);
    const QString above = moneyFromCents(quote.cents + 1);

    verifyError(order(*m_trading, account.token,
                      {{"side", "buy"}, {"quantity", 1}, {"limit_price", below}}),
                422, "limit_not_met");
    QCOMPARE(cents(portfolio(*m_trading, account.token).value("cash")), tradingStartingCents);

    const HttpResponse buyAt = order(*m_trading, account.token,
                                     {{"side", "buy"}, {"quantity", 2}, {"limit_price", at}});
    QVERIFY2(buyAt.status == 201, qPrintable(buyAt.describe()));
    const HttpResponse buyAbove = order(*m_trading, account.token,
                                        {{"side", "buy"}, {"quantity", 1}, {"limit_price", above}});
    QVERIFY2(buyAbove.status == 201, qPrintable(buyAbove.describe()));

    verifyError(order(*m_trading, account.token,
                      {{"side", "sell"}, {"quantity", 1}, {"limit_price", above}}),
                422, "limit_not_met");
    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 3);

    const HttpResponse sellAt = order(*m_trading, account.token,
                                      {{"side", "sell"}, {"quantity", 1}, {"limit_price", at}});
    QVERIFY2(sellAt.status == 201, qPrintable(sellAt.describe()));
    const HttpResponse sellBelow = order(*m_trading, account.token,
                                         {{"side", "sell"}, {"quantity", 1}, {"limit_price", below}});
    QVERIFY2(sellBelow.status == 201, qPrintable(sellBelow.describe()));
    QCOMPARE(latestQuote(*m_trading).id, quote.id);
    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 1);
}

void ApiTest::orderInvalidLimitPrice_data()
{
    QTest::addColumn<QJsonValue>("limitPrice");

    QTest::newRow("number") << QJsonValue(50);
    QTest::newRow("one fraction digit") << QJsonValue("50.1");
    QTest::newRow("three fraction digits") << QJsonValue("50.123");
    QTest::newRow("text") << QJsonValue("fifty");
    QTest::newRow("empty") << QJsonValue("");
    QTest::newRow("negative") << QJsonValue("-1.00");
    QTest::newRow("zero") << QJsonValue("0.00");
    QTest::newRow("overflow") << QJsonValue("99999999999999999999.00");
}

void ApiTest::orderInvalidLimitPrice()
{
    QFETCH(QJsonValue, limitPrice);
    const Account account = createAccount(*m_trading, "badlimit");
    verifyError(order(*m_trading, account.token,
                      {{"side", "buy"}, {"quantity", 1}, {"limit_price", limitPrice}}),
                422, {});
    QCOMPARE(cents(portfolio(*m_trading, account.token).value("cash")), tradingStartingCents);
}

void ApiTest::orderInsufficientFundsSentence()
{
    ServerProcess::Options options;
    options.tickMs = 3'600'000;
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const Account account = createAccount(server, "poor");

    const Quote before = latestQuote(server);
    const HttpResponse response =
        order(server, account.token, {{"side", "buy"}, {"quantity", 3}});
    QCOMPARE(latestQuote(server).id, before.id);

    verifyError(response, 422, "insufficient_funds");
    const QString expected =
        QStringLiteral("Buying 3 shares at $%1 costs $%2 but the cash balance is $100.00.")
            .arg(moneyFromCents(before.cents), moneyFromCents(3 * before.cents));
    QCOMPARE(response.errorMessage(), expected);

    const QJsonObject unchanged = portfolio(server, account.token);
    QCOMPARE(unchanged.value("cash").toString(), QStringLiteral("100.00"));
    QCOMPARE(unchanged.value("shares").toInteger(), 0);
    QCOMPARE(HttpClient(server.baseUrl())
                 .get("/api/v1/orders", account.token)
                 .json()
                 .value("orders")
                 .toArray()
                 .size(),
             0);
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

void ApiTest::orderInsufficientShares()
{
    const Account account = createAccount(*m_trading, "noshares");
    verifyError(order(*m_trading, account.token, {{"side", "sell"}, {"quantity", 1}}), 422,
                "insufficient_shares");

    QCOMPARE(order(*m_trading, account.token, {{"side", "buy"}, {"quantity", 2}}).status, 201);
    verifyError(order(*m_trading, account.token, {{"side", "sell"}, {"quantity", 3}}), 422,
                "insufficient_shares");
    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 2);
}

void ApiTest::orderInvalidQuantity_data()
{
    QTest::addColumn<QByteArray>("quantity");

    QTest::newRow("zero") << QByteArray("0");
    QTest::newRow("minus one") << QByteArray("-1");
    QTest::newRow("1000001") << QByteArray("1000001");
    QTest::newRow("fraction") << QByteArray("1.5");
    QTest::newRow("integer with a point") << QByteArray("2.0");
    QTest::newRow("just above one") << QByteArray("1.0000000000000001");
    QTest::newRow("just below one") << QByteArray("0.99999999999999999999");
    QTest::newRow("string") << QByteArray(R"("3")");
    QTest::newRow("1e30") << QByteArray("1e30");
    QTest::newRow("beyond 64 bits") << QByteArray("99999999999999999999");
    QTest::newRow("beyond 64 bits negative") << QByteArray("-99999999999999999999");
    QTest::newRow("2^63") << QByteArray("9223372036854775808");
    QTest::newRow("null") << QByteArray("null");
    QTest::newRow("true") << QByteArray("true");
    QTest::newRow("array") << QByteArray("[3]");
    QTest::newRow("object") << QByteArray(R"({"n":3})");
}

void ApiTest::orderInvalidQuantity()
{
    QFETCH(QByteArray, quantity);
    const Account account = createAccount(*m_trading, "badqty");

    const QByteArray body = R"({"side":"buy","quantity":)" + quantity + "}";
    const HttpResponse response = trading().send("POST", "/api/v1/orders", body,
                                                 HttpClient::jsonHeaders(account.token));
    verifyError(response, 422, "invalid_quantity");
    QCOMPARE(cents(portfolio(*m_trading, account.token).value("cash")), tradingStartingCents);

    const QByteArray missing = R"({"side":"buy"})";
    verifyError(trading().send("POST", "/api/v1/orders", missing,
                               HttpClient::jsonHeaders(account.token)),
                422, "invalid_quantity");
}

void ApiTest::orderMaximumQuantityIsValid()
{
    // 1,000,000 shares is in range, so the rejection is about money.
    const Account account = createAccount(*m_trading, "maxqty");
    verifyError(order(*m_trading, account.token, {{"side", "buy"}, {"quantity", 1'000'000}}), 422,
                "insufficient_funds");
    verifyError(order(*m_trading, account.token, {{"side", "sell"}, {"quantity", 1'000'000}}), 422,
                "insufficient_shares");
}

void ApiTest::orderInvalidSide_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("hold") << QByteArray(R"({"side":"hold","quantity":1})");
    QTest::newRow("upper case") << QByteArray(R"({"side":"BUY","quantity":1})");
    QTest::newRow("empty") << QByteArray(R"({"side":"","quantity":1})");
    QTest::newRow("number") << QByteArray(R"({"side":1,"quantity":1})");
    QTest::newRow("missing") << QByteArray(R"({"quantity":1})");
    QTest::newRow("empty object") << QByteArray("{}");
}

void ApiTest::orderInvalidSide()
{
    QFETCH(QByteArray, body);
    const Account account = createAccount(*m_trading, "badside");
    const HttpResponse response = trading().send("POST", "/api/v1/orders", body,
                                                 HttpClient::jsonHeaders(account.token));
    verifyError(response, 422, {});
    QVERIFY2(response.errorCode() != QStringLiteral("invalid_json"), qPrintable(response.describe()));
    QCOMPARE(cents(portfolio(*m_trading, account.token).value("cash")), tradingStartingCents);
}

void ApiTest::orderNoQuotes()
{
    ServerProcess::Options options;
    options.extraArguments = {"--generator", "off"};
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const Account account = createAccount(server, "noquote");

    verifyError(order(server, account.token, {{"side", "buy"}, {"quantity", 1}}), 422,
                "no_quotes");
    QCOMPARE(portfolio(server, account.token).value("cash").toString(), QStringLiteral("100.00"));
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

// --- idempotency ---

void ApiTest::idempotentRepeatReturnsFirstAnswer()
{
    const Account account = createAccount(*m_trading, "idem");
    const QJsonObject body{{"side", "buy"}, {"quantity", 2}};

    const HttpResponse first = order(*m_trading, account.token, body, "key-repeat");
    QVERIFY2(first.status == 201, qPrintable(first.describe()));
    const HttpResponse second = order(*m_trading, account.token, body, "key-repeat");
    QVERIFY2(second.status == 200, qPrintable(second.describe()));
    QCOMPARE(second.json(), first.json());

    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 2);
    const QJsonArray history =
        trading().get("/api/v1/orders", account.token).json().value("orders").toArray();
    QCOMPARE(history.size(), 1);

    // A new key is a new order.
    QCOMPARE(order(*m_trading, account.token, body, "key-repeat-2").status, 201);
    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 4);
}

void ApiTest::idempotencyKeyReusedWithOtherBody()
{
    const Account account = createAccount(*m_trading, "reuse");
    QCOMPARE(order(*m_trading, account.token, {{"side", "buy"}, {"quantity", 1}}, "key-reuse")
                 .status,
             201);

    verifyError(order(*m_trading, account.token, {{"side", "buy"}, {"quantity", 2}}, "key-reuse"),
                422, "idempotency_key_reused");
    verifyError(order(*m_trading, account.token, {{"side", "sell"}, {"quantity", 1}}, "key-reuse"),
                422, "idempotency_key_reused");
    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 1);
}

void ApiTest::idempotentRejectionReplayed()
{
    const Account account = createAccount(*m_trading, "reject");
    const QJsonObject sell{{"side", "sell"}, {"quantity", 1}};

    const HttpResponse first = order(*m_trading, account.token, sell, "key-reject");
    verifyError(first, 422, "insufficient_shares");

    // Now the account has shares, but the repeat still returns the rejection.
    QCOMPARE(order(*m_trading, account.token, {{"side", "buy"}, {"quantity", 1}}).status, 201);
    const HttpResponse repeat = order(*m_trading, account.token, sell, "key-reject");
    QVERIFY2(repeat.status == 200, qPrintable(repeat.describe()));
    QCOMPARE(repeat.json(), first.json());
    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 1);
}

void ApiTest::invalidOrderKeepsItsKey()
{
    const Account account = createAccount(*m_trading, "badkey");
    HttpHeaders headers = HttpClient::jsonHeaders(account.token);
    headers.append({"Idempotency-Key", QByteArray("key-invalid")});
    const QByteArray invalid = R"({"side":"buy","quantity":0})";

    const HttpResponse first = trading().send("POST", "/api/v1/orders", invalid, headers);
    verifyError(first, 422, "invalid_quantity");

    // The same bytes again replay the rejection.
    const HttpResponse repeat = trading().send("POST", "/api/v1/orders", invalid, headers);
    QVERIFY2(repeat.status == 200, qPrintable(repeat.describe()));
    QCOMPARE(repeat.header("Idempotent-Replayed"), QByteArray("true"));
    QCOMPARE(repeat.json(), first.json());

    // A valid order under the used key is another request: rejected, not placed.
    const QByteArray valid = R"({"side":"buy","quantity":1})";
    verifyError(trading().send("POST", "/api/v1/orders", valid, headers), 422,
                "idempotency_key_reused");
    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 0);
    QCOMPARE(cents(portfolio(*m_trading, account.token).value("cash")), tradingStartingCents);
    const HttpResponse history = trading().get("/api/v1/orders", account.token);
    QCOMPARE(history.json().value("orders").toArray().size(), 0);

    // An invalid order under a key that a filled order used is rejected too.
    QCOMPARE(
        order(*m_trading, account.token, {{"side", "buy"}, {"quantity", 1}}, "key-filled").status,
        201);
    HttpHeaders filledKey = HttpClient::jsonHeaders(account.token);
    filledKey.append({"Idempotency-Key", QByteArray("key-filled")});
    verifyError(trading().send("POST", "/api/v1/orders", invalid, filledKey), 422,
                "idempotency_key_reused");
    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 1);
}

void ApiTest::invalidOrderWithoutKeyKeepsNothing()
{
    const Account account = createAccount(*m_trading, "badnokey");
    const HttpHeaders headers = HttpClient::jsonHeaders(account.token);

    verifyError(
        trading().send("POST", "/api/v1/orders", R"({"side":"buy","quantity":-1})", headers), 422,
        "invalid_quantity");
    QCOMPARE(order(*m_trading, account.token, {{"side", "buy"}, {"quantity", 1}}).status, 201);
    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 1);
}

void ApiTest::nonJsonOrderLeavesKeyUnused()
{
    const Account account = createAccount(*m_trading, "badjson");
    HttpHeaders headers = HttpClient::jsonHeaders(account.token);
    headers.append({"Idempotency-Key", QByteArray("key-json")});

    // Not a JSON object, so never an order request: the key stays free.
    verifyError(trading().send("POST", "/api/v1/orders", R"({"side":"buy",)", headers), 400, {});
    const HttpResponse placed =
        order(*m_trading, account.token, {{"side", "buy"}, {"quantity", 1}}, "key-json");
    QVERIFY2(placed.status == 201, qPrintable(placed.describe()));
    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 1);
}

void ApiTest::idempotencyKeyPerAccount()
{
    const Account ada = createAccount(*m_trading, "keyada");
    const Account bob = createAccount(*m_trading, "keybob");
    const QJsonObject body{{"side", "buy"}, {"quantity", 1}};

    const HttpResponse adaOrder = order(*m_trading, ada.token, body, "shared-key");
    const HttpResponse bobOrder = order(*m_trading, bob.token, body, "shared-key");
    QVERIFY2(adaOrder.status == 201, qPrintable(adaOrder.describe()));
    QVERIFY2(bobOrder.status == 201, qPrintable(bobOrder.describe()));
    QVERIFY(adaOrder.json().value("order").toObject().value("id") !=
            bobOrder.json().value("order").toObject().value("id"));
    QCOMPARE(portfolio(*m_trading, bob.token).value("shares").toInteger(), 1);
}

void ApiTest::idempotencyKeyTooLong()
{
    const Account account = createAccount(*m_trading, "longkey");
    const QJsonObject body{{"side", "buy"}, {"quantity", 1}};

    QCOMPARE(order(*m_trading, account.token, body, QByteArray(64, 'k')).status, 201);
    verifyError(order(*m_trading, account.token, body, QByteArray(65, 'k')), 422, {});
    QCOMPARE(portfolio(*m_trading, account.token).value("shares").toInteger(), 1);
}

// --- order history ---

void ApiTest::orderHistoryPaging()
{
    const Account account = createAccount(*m_trading, "history");
    const Account other = createAccount(*m_trading, "otherhist");
    QCOMPARE(order(*m_trading, other.token, {{"side", "buy"}, {"quantity", 1}}).status, 201);

    QList<qint64> ids;
    for (int i = 1; i <= 5; ++i) {
        const HttpResponse response =
            order(*m_trading, account.token, {{"side", "buy"}, {"quantity", i}});
        QVERIFY2(response.status == 201, qPrintable(response.describe()));
        ids.prepend(response.json().value("order").toObject().value("id").toInteger());
    }

    const HttpResponse all = trading().get("/api/v1/orders", account.token);
    QVERIFY2(all.status == 200, qPrintable(all.describe()));
    const QJsonArray orders = all.json().value("orders").toArray();
    QCOMPARE(orders.size(), 5);
    for (int i = 0; i < 5; ++i) {
        const QJsonObject entry = orders.at(i).toObject();
        QCOMPARE(entry.value("id").toInteger(), ids.at(i));
        QCOMPARE(entry.value("quantity").toInteger(), 5 - i);
        QCOMPARE(entry.value("side").toString(), QStringLiteral("buy"));
        QVERIFY(isMoney(entry.value("price")));
        QVERIFY(isMoney(entry.value("total")));
        QVERIFY(isTimestamp(entry.value("created")));
    }

    const QJsonArray page1 =
        trading().get("/api/v1/orders?limit=2", account.token).json().value("orders").toArray();
    QCOMPARE(page1.size(), 2);
    QCOMPARE(page1.at(0).toObject().value("id").toInteger(), ids.at(0));
    QCOMPARE(page1.at(1).toObject().value("id").toInteger(), ids.at(1));

    const QJsonArray page2 = trading()
                                 .get(QStringLiteral("/api/v1/orders?limit=2&before_id=%1")
                                          .arg(ids.at(1)),
                                      account.token)
                                 .json()
                                 .value("orders")
                                 .toArray();
    QCOMPARE(page2.size(), 2);
    QCOMPARE(page2.at(0).toObject().value("id").toInteger(), ids.at(2));
    QCOMPARE(page2.at(1).toObject().value("id").toInteger(), ids.at(3));

    const QJsonArray page3 = trading()
                                 .get(QStringLiteral("/api/v1/orders?limit=2&before_id=%1")
                                          .arg(ids.at(3)),
                                      account.token)
                                 .json()
                                 .value("orders")
                                 .toArray();
    QCOMPARE(page3.size(), 1);
    QCOMPARE(page3.at(0).toObject().value("id").toInteger(), ids.at(4));

    QCOMPARE(trading().get("/api/v1/orders?limit=500", account.token).status, 200);
}

void ApiTest::orderHistoryBadLimit_data()
{
    QTest::addColumn<QString>("query");

    QTest::newRow("limit 0") << "limit=0";
    QTest::newRow("limit 501") << "limit=501";
    QTest::newRow("limit text") << "limit=many";
    QTest::newRow("before_id text") << "before_id=last";
}

void ApiTest::orderHistoryBadLimit()
{
    QFETCH(QString, query);
    const Account account = createAccount(*m_trading, "histbad");
    verifyError(trading().get("/api/v1/orders?" + query, account.token), 422, {});
}

// --- praise ---

void ApiTest::praiseWithoutShares()
{
    const Account account = createAccount(*m_trading, "praise0");
    const HttpResponse response = trading().post("/api/v1/praise", {}, account.token);
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.json().value("bonus").toString(), QStringLiteral("0.00"));
    const QJsonObject after = response.json().value("portfolio").toObject();
    verifyPortfolioShape(after);
    QCOMPARE(cents(after.value("cash")), tradingStartingCents);
}

void ApiTest::praiseTenCentsPerShare()
{
    const Account account = createAccount(*m_trading, "praise3");
    QCOMPARE(order(*m_trading, account.token, {{"side", "buy"}, {"quantity", 3}}).status, 201);
    const qint64 cashBefore = cents(portfolio(*m_trading, account.token).value("cash"));

    const HttpResponse response = trading().post("/api/v1/praise", {}, account.token);
    QVERIFY2(response.status == 200, qPrintable(response.describe()));
    QCOMPARE(response.json().value("bonus").toString(), QStringLiteral("0.30"));
    const QJsonObject after = response.json().value("portfolio").toObject();
    QCOMPARE(cents(after.value("cash")), cashBefore + 30);
    QCOMPARE(after.value("shares").toInteger(), 3);
    QCOMPARE(portfolio(*m_trading, account.token), after);

    // Praise works with no body at all, too.
    const HttpResponse bare = trading().send(
        "POST", "/api/v1/praise", {}, {{"Authorization", "Bearer " + account.token.toUtf8()}});
    QVERIFY2(bare.status == 200, qPrintable(bare.describe()));
    QCOMPARE(cents(bare.json().value("portfolio").toObject().value("cash")), cashBefore + 60);
}

void ApiTest::praiseOverflowRejected()
{
    // Starting at the largest balance, $0.10 per praise refills the price of
    // one share ($50.00: 500 praises), and the next praise would overflow.
    ServerProcess::Options options;
    options.tickMs = 3'600'000;
    options.startingCash = QStringLiteral("92233720368547758.07");
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const Account account = createAccount(server, "rich");
    const HttpResponse bought = order(server, account.token, {{"side", "buy"}, {"quantity", 1}});
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));
    const qint64 price = cents(bought.json().value("order").toObject().value("price"));
    const qint64 largest = std::numeric_limits<qint64>::max();
    QCOMPARE(cents(bought.json().value("portfolio").toObject().value("cash")), largest - price);

    const HttpClient client(server.baseUrl());
    for (qint64 i = 0; i < price / 10; ++i) {
        const HttpResponse praised = client.post("/api/v1/praise", {}, account.token);
        QVERIFY2(praised.status == 200, qPrintable(praised.describe()));
    }
    const qint64 cashBefore = largest - price % 10;
    QCOMPARE(cents(portfolio(server, account.token).value("cash")), cashBefore);

    verifyError(client.post("/api/v1/praise", {}, account.token), 422, {});
    QCOMPARE(cents(portfolio(server, account.token).value("cash")), cashBefore);

    // Selling the share would overflow the balance too, so it is rejected whole.
    verifyError(order(server, account.token, {{"side", "sell"}, {"quantity", 1}}), 422, {});
    QCOMPARE(portfolio(server, account.token).value("shares").toInteger(), 1);
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

// --- malformed requests ---

void ApiTest::malformedBody_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("authenticated");

    const QList<QPair<QString, bool>> endpoints{
        {"/api/v1/accounts", false}, {"/api/v1/sessions", false}, {"/api/v1/orders", true}};
    const QList<QPair<const char*, QByteArray>> bodies{
        {"truncated", R"({"username":)"},
        {"not JSON", "username=ada&password=secret"},
        {"trailing garbage", R"({"side":"buy","quantity":1} x)"},
        {"array", R"([{"side":"buy","quantity":1}])"},
        {"string", R"("buy")"},
        {"number", "3"},
        {"null", "null"},
        {"empty", ""},
        {"invalid UTF-8", "{\"username\":\"\xff\xfe\",\"password\":\"12345678\"}"},
    };
    for (const auto& [path, authenticated] : endpoints) {
        for (const auto& [name, body] : bodies)
            QTest::addRow("%s %s", qPrintable(path), name) << path << body << authenticated;
    }
}

void ApiTest::malformedBody()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(bool, authenticated);

    const Account account = authenticated ? createAccount(*m_trading, "malformed") : Account{};
    const QByteArray request = RawHttp::buildRequest(
        "POST", path.toUtf8(), HttpClient::jsonHeaders(account.token), body);
    const HttpResponse response = RawHttp::exchange(m_trading->port(), request);
    verifyError(response, 400, "invalid_json");
    verifyServerAnswers(*m_trading);
}

void ApiTest::unsupportedContentType_data()
{
    QTest::addColumn<QByteArray>("contentType");

    QTest::newRow("absent") << QByteArray();
    QTest::newRow("text/plain") << QByteArray("text/plain");
    QTest::newRow("form") << QByteArray("application/x-www-form-urlencoded");
    QTest::newRow("json-like") << QByteArray("application/jsonp");
}

void ApiTest::unsupportedContentType()
{
    QFETCH(QByteArray, contentType);
    HttpHeaders headers;
    if (!contentType.isEmpty())
        headers.append({"Content-Type", contentType});
    const QByteArray body =
        QJsonDocument(QJsonObject{{"username", uniqueUsername("ctype")}, {"password", "12345678"}})
            .toJson(QJsonDocument::Compact);

    const HttpResponse response = RawHttp::exchange(
        m_trading->port(), RawHttp::buildRequest("POST", "/api/v1/accounts", headers, body));
    verifyError(response, 415, {});
    verifyServerAnswers(*m_trading);
}

void ApiTest::jsonWithCharsetAccepted()
{
    const QByteArray body =
        QJsonDocument(QJsonObject{{"username", uniqueUsername("charset")}, {"password", "12345678"}})
            .toJson(QJsonDocument::Compact);
    const HttpResponse response =
        trading().send("POST", "/api/v1/accounts", body,
                       {{"Content-Type", "application/json; charset=utf-8"}});
    QVERIFY2(response.status == 201, qPrintable(response.describe()));
}

void ApiTest::unknownPath_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");

    QTest::newRow("api root") << QByteArray("GET") << "/api/v1/";
    QTest::newRow("unknown resource") << QByteArray("GET") << "/api/v1/stocks";
    QTest::newRow("other version") << QByteArray("GET") << "/api/v2/quotes/latest";
    QTest::newRow("site root") << QByteArray("GET") << "/";
    QTest::newRow("deep path") << QByteArray("GET") << "/api/v1/quotes/latest/extra";
    QTest::newRow("post unknown") << QByteArray("POST") << "/api/v1/trades";
}

void ApiTest::unknownPath()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const QByteArray body = method == "POST" ? QByteArray("{}") : QByteArray();
    const HttpResponse response = RawHttp::exchange(
        m_trading->port(),
        RawHttp::buildRequest(method, path.toUtf8(), HttpClient::jsonHeaders(), body));
    verifyError(response, 404, {});
    verifyServerAnswers(*m_trading);
}

void ApiTest::wrongMethod_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");

    QTest::newRow("GET accounts") << QByteArray("GET") << "/api/v1/accounts";
    QTest::newRow("PUT accounts") << QByteArray("PUT") << "/api/v1/accounts";
    QTest::newRow("GET sessions") << QByteArray("GET") << "/api/v1/sessions";
    QTest::newRow("POST quotes latest") << QByteArray("POST") << "/api/v1/quotes/latest";
    QTest::newRow("DELETE quotes") << QByteArray("DELETE") << "/api/v1/quotes";
    QTest::newRow("POST candles") << QByteArray("POST") << "/api/v1/candles";
    QTest::newRow("POST portfolio") << QByteArray("POST") << "/api/v1/portfolio";
    QTest::newRow("PATCH orders") << QByteArray("PATCH") << "/api/v1/orders";
    QTest::newRow("GET praise") << QByteArray("GET") << "/api/v1/praise";
    QTest::newRow("GET sessions current") << QByteArray("GET") << "/api/v1/sessions/current";
    QTest::newRow("POST up") << QByteArray("POST") << "/up";
}

void ApiTest::wrongMethod()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const QByteArray body = method == "GET" || method == "DELETE" ? QByteArray() : "{}";
    const HttpResponse response = RawHttp::exchange(
        m_trading->port(),
        RawHttp::buildRequest(method, path.toUtf8(), HttpClient::jsonHeaders(), body));
    verifyError(response, 405, {});
    QVERIFY2(response.hasHeader("Allow"), "RFC 9110 requires Allow on 405");
    verifyServerAnswers(*m_trading);
}

void ApiTest::bodyTooLarge()
{
    // A valid JSON object just over 64 KiB: only its size is wrong.
    const QByteArray padding(64 * 1024, 'p');
    const QByteArray body = R"({"username":"big","password":")" + padding + R"("})";
    QVERIFY(body.size() > 64 * 1024);

    const HttpResponse response = RawHttp::exchange(
        m_trading->port(),
        RawHttp::buildRequest("POST", "/api/v1/accounts", HttpClient::jsonHeaders(), body));
    verifyError(response, 413, {});
    verifyServerAnswers(*m_trading);

    // Exactly at the limit the size is fine and the password length decides.
    const QByteArray prefix = R"({"username":"big","password":")";
    const QByteArray suffix = R"("})";
    const QByteArray atLimit =
        prefix + QByteArray(64 * 1024 - prefix.size() - suffix.size(), 'p') + suffix;
    QCOMPARE(atLimit.size(), 64 * 1024);
    verifyError(trading().send("POST", "/api/v1/accounts", atLimit, HttpClient::jsonHeaders()),
                422, "invalid_password");
}

void ApiTest::declaredBodyTooLarge()
{
    // The server rejects by Content-Length before any of the body arrives.
    const QByteArray request = RawHttp::buildRequest(
        "POST", "/api/v1/accounts",
        {{"Content-Type", "application/json"}, {"Content-Length", "10000000"}}, "{");
    const HttpResponse response = RawHttp::exchange(m_trading->port(), request, 10'000);
    verifyError(response, 413, {});
    verifyServerAnswers(*m_trading);
}

void ApiTest::oversizedHeaders()
{
    const QByteArray request = RawHttp::buildRequest(
        "GET", "/api/v1/quotes/latest", {{"X-Padding", QByteArray(64 * 1024, 'h')}}, {});
    const HttpResponse response = RawHttp::exchange(m_trading->port(), request, 10'000);
    QVERIFY2(response.status == 431 || response.status == 400 || response.status == 413 ||
                 (response.status == 0 && !response.transportError.isEmpty()),
             qPrintable(response.describe()));
    verifyServerAnswers(*m_trading);
}

void ApiTest::chunkedBodyAccepted()
{
    const QByteArray json =
        QJsonDocument(QJsonObject{{"username", uniqueUsername("chunked")}, {"password", "12345678"}})
            .toJson(QJsonDocument::Compact);
    QByteArray chunked;
    for (qsizetype i = 0; i < json.size(); i += 7) {
        const QByteArray part = json.mid(i, 7);
        chunked += QByteArray::number(part.size(), 16) + "\r\n" + part + "\r\n";
    }
    chunked += "0\r\n\r\n";

    const QByteArray request = RawHttp::buildRequest(
        "POST", "/api/v1/accounts",
        {{"Content-Type", "application/json"}, {"Transfer-Encoding", "chunked"}}, chunked);
    // buildRequest adds a Content-Length, which a chunked request must not carry.
    QByteArray withoutLength = request;
    withoutLength.replace("Content-Length: " + QByteArray::number(chunked.size()) + "\r\n", "");
    const HttpResponse response = RawHttp::exchange(m_trading->port(), withoutLength);
    QVERIFY2(response.status == 201, qPrintable(response.describe()));
}

void ApiTest::chunkedBodyTooLarge()
{
    // Chunks carry no total length up front, so the limit must apply while reading.
    QByteArray chunked;
    const QByteArray part(4096, ' ');
    for (int i = 0; i < 20; ++i)
        chunked += QByteArray::number(part.size(), 16) + "\r\n" + part + "\r\n";
    chunked += "0\r\n\r\n";

    QByteArray request = RawHttp::buildRequest(
        "POST", "/api/v1/accounts",
        {{"Content-Type", "application/json"}, {"Transfer-Encoding", "chunked"}}, chunked);
    request.replace("Content-Length: " + QByteArray::number(chunked.size()) + "\r\n", "");
    const HttpResponse response = RawHttp::exchange(m_trading->port(), request, 10'000);
    verifyError(response, 413, {});
    verifyServerAnswers(*m_trading);
}

void ApiTest::pipelinedRequestsAnswered()
{
    // HTTP/1.1 lets a client send the next request before the first response.
    const QByteArray one = "GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    const QByteArray two = "GET /api/v1/quotes/latest HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Connection: close\r\n\r\n";
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), quint16(m_trading->port()));
    QVERIFY(socket.waitForConnected(5'000));
    socket.write(one + two);

    QByteArray received;
    QDeadlineTimer deadline(10'000);
    while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        socket.waitForReadyRead(100);
        received += socket.readAll();
    }
    received += socket.readAll();

    const std::optional<HttpResponse> first = RawHttp::parseResponse(received, false);
    QVERIFY2(first.has_value(), received.left(500).constData());
    QCOMPARE(first->status, 200);
    QCOMPARE(first->json().value("status").toString(), QStringLiteral("ok"));

    const qsizetype secondStart = received.indexOf("HTTP/1.1 ", 1);
    QVERIFY2(secondStart > 0, received.left(1000).constData());
    const std::optional<HttpResponse> second =
        RawHttp::parseResponse(received.mid(secondStart), true);
    QVERIFY(second.has_value());
    QCOMPARE(second->status, 200);
    QVERIFY(second->json().value("id").isDouble());
}

void ApiTest::pipelinedResponsesFillWindow()
{
    // A client with a small receive window that sends many requests before
    // it reads makes the server's send buffer fill, so responses go out in
    // parts. Every byte must still arrive, in order.
    // On Linux 6.18 a loopback socket took over 1 MB before its send buffer
    // was full, so the responses (about 3.6 KB each) add up to several MB.
    constexpr int requestCount = 1500;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    const auto closeSocket = qScopeGuard([fd] { ::close(fd); });
    const int receiveBuffer = 4096;
    QCOMPARE(::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, sizeof receiveBuffer), 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(quint16(m_trading->port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QCOMPARE(::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);

    QByteArray requests;
    for (int i = 0; i < requestCount; ++i) {
        requests += "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        requests += i + 1 == requestCount ? "Connection: close\r\n\r\n" : "\r\n";
    }
    QCOMPARE(::send(fd, requests.constData(), size_t(requests.size()), MSG_NOSIGNAL), requests.size());
    QTest::qWait(500);  // not reading meanwhile

    QByteArray received;
    QDeadlineTimer deadline(30'000);
    char buffer[65536];
    while (!deadline.hasExpired()) {
        pollfd readable{fd, POLLIN, 0};
        if (::poll(&readable, 1, 100) <= 0)
            continue;
        const ssize_t count = ::recv(fd, buffer, sizeof buffer, 0);
        if (count <= 0)
            break;
        received.append(buffer, count);
    }

    int parsed = 0;
    qsizetype at = 0;
    while (at < received.size()) {
        const qsizetype headerEnd = received.indexOf("\r\n\r\n", at);
        QVERIFY2(headerEnd > at, qPrintable(QStringLiteral("response %1 has no header end").arg(parsed)));
        const QByteArray header = received.mid(at, headerEnd - at);
        QVERIFY2(header.startsWith("HTTP/1.1 200 "), header.left(200).constData());
        static const QRegularExpression lengthField(QStringLiteral("(?i)\r\ncontent-length: *(\\d+)"));
        const QRegularExpressionMatch length = lengthField.match(QString::fromLatin1(header));
        QVERIFY2(length.hasMatch(), header.constData());
        const qsizetype bodyStart = headerEnd + 4;
        const qsizetype bodyEnd = bodyStart + length.captured(1).toLongLong();
        QVERIFY2(bodyEnd <= received.size(), qPrintable(QStringLiteral("response %1 is cut short").arg(parsed)));
        QVERIFY(received.mid(bodyStart, bodyEnd - bodyStart).endsWith('\n'));
        at = bodyEnd;
        ++parsed;
    }
    QCOMPARE(parsed, requestCount);
}

void ApiTest::invalidStartingCashRejected()
{
    // Not an API call, but a wrong flag must stop the server with a message
    // that names the value, before it listens.
    for (const QString& cash : {QStringLiteral("abc"), QStringLiteral("-5.00")}) {
        ServerProcess::Options options;
        options.startingCash = cash;
        ServerProcess server(options);
        QVERIFY2(!server.start(), qPrintable("started with --starting-cash " + cash));
        QVERIFY2(server.errorString().contains(cash), qPrintable(server.errorString()));
    }
}

void ApiTest::malformedRequestNamesRemedy()
{
    const HttpResponse response = RawHttp::exchange(m_trading->port(), "HELLO THERE\r\n\r\n");
    verifyError(response, 400, "bad_request");
    QVERIFY2(response.errorMessage().contains(QStringLiteral("Send a valid HTTP/1.1 request")),
             qPrintable(response.describe()));
    verifyServerAnswers(*m_trading);
}

void ApiTest::takenPortCreatesNoDatabase()
{
    // serve on a port in use fails before it creates or migrates a database,
    // and does not claim it stopped listening.
    QTemporaryDir directory;
    QVERIFY(directory.isValid());
    const QString database = directory.filePath(QStringLiteral("taken.sqlite"));
    QProcess process;
    process.start(ServerProcess::serverBinary(),
                  {QStringLiteral("serve"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                   QStringLiteral("--port"), QString::number(m_trading->port()),
                   QStringLiteral("--database"), QStringLiteral("sqlite://") + database});
    QVERIFY(process.waitForFinished(20'000));
    const QString errors = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(process.exitCode() != 0, qPrintable(errors));
    QVERIFY2(errors.contains(QString::number(m_trading->port())), qPrintable(errors));
    QVERIFY2(!QFileInfo::exists(database), qPrintable(errors));
    QVERIFY2(!errors.contains(QStringLiteral("Stopped listening")), qPrintable(errors));
    verifyServerAnswers(*m_trading);
}

// --- restart ---

void ApiTest::restartKeepsAccountsAndOrders()
{
    ServerProcess::Options options;
    options.tickMs = 3'600'000;
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const int port = server.port();
    const Account account = createAccount(server, "restart");
    const HttpResponse bought =
        order(server, account.token, {{"side", "buy"}, {"quantity", 1}}, "restart-key");
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));
    const QJsonObject before = portfolio(server, account.token);
    const Quote quoteBefore = latestQuote(server);

    QVERIFY2(server.stop(), qPrintable(server.errorString()));
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    QCOMPARE(server.port(), port);

    // Tokens, the wallet, history, quotes and idempotency keys survive.
    QCOMPARE(portfolio(server, account.token).value("shares"), before.value("shares"));
    QCOMPARE(portfolio(server, account.token).value("cash"), before.value("cash"));
    const HttpResponse login = HttpClient(server.baseUrl())
                                   .post("/api/v1/sessions", {{"username", account.username},
                                                              {"password", account.password}});
    QVERIFY2(login.status == 201, qPrintable(login.describe()));
    QVERIFY(latestQuote(server).id >= quoteBefore.id);
    const HttpResponse replay =
        order(server, account.token, {{"side", "buy"}, {"quantity", 1}}, "restart-key");
    QVERIFY2(replay.status == 200, qPrintable(replay.describe()));
    QCOMPARE(replay.json().value("order"), bought.json().value("order"));

    // Killed without warning, the committed state is still there.
    server.kill();
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    QCOMPARE(portfolio(server, account.token).value("shares").toInteger(), 1);
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

QTEST_GUILESS_MAIN(ApiTest)
#include "tst_api.moc"
