// Concurrent orders against a real valiant-server: each request has its own
// connection, and all requests are written once every connection is open,
// so the server handles them at the same time.
//
// The servers start accounts with $100.00 and tick once an hour, so the
// price stays at the first quote, $50.00, and two shares cost exactly the
// starting cash. The affordability burst checks the latest quote before
// and after, and runs again on a fresh server (at most three times) if an
// hourly tick came first or landed inside it.

#include "support/httpclient.h"
#include "support/serverprocess.h"

#include <QJsonArray>
#include <QTest>

#include <memory>

using namespace valiant::test;

namespace {

constexpr int burstAttempts = 3;

qint64 cents(const QJsonValue& value)
{
    return centsFromMoney(value.toString()).value_or(-1);
}

}  // namespace

class ConcurrencyTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void buysAffordingOneFillOnce();
    void sellsLimitedByShares();
    void ordersOfManyAccountsAllFill();
    void sameKeyAtOnceMakesOneOrder();
    void sameKeyBurstMakesOneOrder();

private:
    struct Account
    {
        QString token;
        qint64 id = 0;
    };

    Account createAccount();
    QJsonObject portfolio(const QString& token) const;
    QJsonArray orderHistory(const QString& token) const;
    QByteArray orderRequest(const QString& token, const QByteArray& side, int quantity,
                            const QByteArray& idempotencyKey) const;
    QString describe(const QList<HttpResponse>& responses) const;

    std::unique_ptr<ServerProcess> m_server;
    int m_accountCounter = 0;
};

// --- helpers ---

ConcurrencyTest::Account ConcurrencyTest::createAccount()
{
    const QString username = QStringLiteral("racer_%1").arg(++m_accountCounter);
    const HttpResponse response =
        HttpClient(m_server->baseUrl())
            .post("/api/v1/accounts", {{"username", username}, {"password", "password-123"}});
    if (response.status != 201) {
        qWarning("Creating account %s failed: %s", qPrintable(username),
                 qPrintable(response.describe()));
        return {};
    }
    return Account{response.json().value("token").toString(),
                   response.json().value("account").toObject().value("id").toInteger()};
}

QJsonObject ConcurrencyTest::portfolio(const QString& token) const
{
    return HttpClient(m_server->baseUrl()).get("/api/v1/portfolio", token).json();
}

QJsonArray ConcurrencyTest::orderHistory(const QString& token) const
{
    return HttpClient(m_server->baseUrl())
        .get("/api/v1/orders?limit=500", token)
        .json()
        .value("orders")
        .toArray();
}

QByteArray ConcurrencyTest::orderRequest(const QString& token, const QByteArray& side,
                                         int quantity, const QByteArray& idempotencyKey) const
{
    const QByteArray body =
        R"({"side":")" + side + R"(","quantity":)" + QByteArray::number(quantity) + "}";
    HttpHeaders headers = HttpClient::jsonHeaders(token);
    headers.append({"Idempotency-Key", idempotencyKey});
    return RawHttp::buildRequest("POST", "/api/v1/orders", headers, body);
}

QString ConcurrencyTest::describe(const QList<HttpResponse>& responses) const
{
    QStringList lines;
    for (const HttpResponse& response : responses)
        lines.append(response.describe());
    return lines.join(QLatin1Char('\n'));
}

// --- set-up ---

void ConcurrencyTest::initTestCase()
{
    QVERIFY2(!ServerProcess::serverBinary().isEmpty(), "VALIANT_SERVER_BIN is not set");
    ServerProcess::Options options;
    options.tickMs = 3'600'000;
    options.startingCash = QStringLiteral("100.00");
    m_server = std::make_unique<ServerProcess>(options);
    QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));

    const HttpResponse latest = HttpClient(m_server->baseUrl()).get("/api/v1/quotes/latest");
    QVERIFY2(latest.status == 200, qPrintable(latest.describe()));
}

void ConcurrencyTest::cleanupTestCase()
{
    if (m_server && m_server->isRunning())
        QVERIFY2(m_server->stop(), qPrintable(m_server->errorString()));
}

// --- tests ---

void ConcurrencyTest::buysAffordingOneFillOnce()
{
    for (int attempt = 1; attempt <= burstAttempts; ++attempt) {
        // A fresh database per attempt, so its only quote is the first, $50.00.
        ServerProcess::Options options;
        options.tickMs = 3'600'000;
        options.startingCash = QStringLiteral("100.00");
        ServerProcess server(options);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const HttpClient client(server.baseUrl());
        const HttpResponse created =
            client.post("/api/v1/accounts", {{"username", "buyer"}, {"password", "password-123"}});
        QVERIFY2(created.status == 201, qPrintable(created.describe()));
        const QString token = created.json().value("token").toString();

        const QJsonObject quoteBefore = client.get("/api/v1/quotes/latest").json();
        if (quoteBefore.value("price").toString() != QStringLiteral("50.00")) {
            qWarning("An hourly tick came before the burst; running it again.");
            continue;
        }

        QList<QByteArray> requests;
        for (int i = 0; i < 20; ++i)
            requests.append(orderRequest(token, "buy", 2, "burst-" + QByteArray::number(i)));
        const QList<HttpResponse> responses =
            RawHttp::exchangeConcurrently(server.port(), requests);
        const QJsonObject quoteAfter = client.get("/api/v1/quotes/latest").json();
        if (quoteAfter.value("id") != quoteBefore.value("id")) {
            qWarning("An hourly tick landed inside the burst; running it again.");
            continue;
        }

        int filled = 0;
        int rejected = 0;
        for (const HttpResponse& response : responses) {
            if (response.status == 201)
                ++filled;
            else if (response.status == 422 && response.errorCode() == "insufficient_funds")
                ++rejected;
        }
        QVERIFY2(filled == 1, qPrintable(describe(responses)));
        QVERIFY2(rejected == 19, qPrintable(describe(responses)));

        const QJsonObject after = client.get("/api/v1/portfolio", token).json();
        QCOMPARE(after.value("cash").toString(), QStringLiteral("0.00"));
        QCOMPARE(after.value("shares").toInteger(), 2);
        QCOMPARE(after.value("cost_basis").toString(), QStringLiteral("100.00"));
        const QJsonArray history =
            client.get("/api/v1/orders", token).json().value("orders").toArray();
        QCOMPARE(history.size(), 1);
        QCOMPARE(history.at(0).toObject().value("total").toString(), QStringLiteral("100.00"));
        QVERIFY2(server.stop(), qPrintable(server.errorString()));
        return;
    }
    QFAIL("An hourly tick interfered with every attempt.");
}

void ConcurrencyTest::sellsLimitedByShares()
{
    // Five shares, ten sells of one at once: exactly five fill.
    ServerProcess::Options options;
    options.tickMs = 3'600'000;
    options.startingCash = QStringLiteral("1000.00");
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const HttpClient client(server.baseUrl());
    const HttpResponse created =
        client.post("/api/v1/accounts", {{"username", "seller"}, {"password", "password-123"}});
    QVERIFY2(created.status == 201, qPrintable(created.describe()));
    const QString token = created.json().value("token").toString();
    const HttpResponse bought =
        client.post("/api/v1/orders", {{"side", "buy"}, {"quantity", 5}}, token);
    QVERIFY2(bought.status == 201, qPrintable(bought.describe()));
    const qint64 cashAfterBuy = cents(bought.json().value("portfolio").toObject().value("cash"));
    const qint64 price = cents(bought.json().value("order").toObject().value("price"));

    QList<QByteArray> requests;
    for (int i = 0; i < 10; ++i)
        requests.append(orderRequest(token, "sell", 1, "sell-" + QByteArray::number(i)));
    const QList<HttpResponse> responses = RawHttp::exchangeConcurrently(server.port(), requests);

    int filled = 0;
    int rejected = 0;
    qint64 proceeds = 0;
    for (const HttpResponse& response : responses) {
        if (response.status == 201) {
            ++filled;
            proceeds += cents(response.json().value("order").toObject().value("total"));
        } else if (response.status == 422 && response.errorCode() == "insufficient_shares") {
            ++rejected;
        }
    }
    QVERIFY2(filled == 5, qPrintable(describe(responses)));
    QVERIFY2(rejected == 5, qPrintable(describe(responses)));

    const QJsonObject after = client.get("/api/v1/portfolio", token).json();
    QCOMPARE(after.value("shares").toInteger(), 0);
    QCOMPARE(cents(after.value("cash")), cashAfterBuy + proceeds);
    QCOMPARE(after.value("cost_basis").toString(), QStringLiteral("0.00"));
    if (client.get("/api/v1/quotes/latest").json().value("price") == QJsonValue("50.00"))
        QCOMPARE(proceeds, 5 * price);
    QVERIFY2(server.stop(), qPrintable(server.errorString()));
}

void ConcurrencyTest::ordersOfManyAccountsAllFill()
{
    // SQLite allows one writer at a time, so concurrent orders must queue
    // and never fail with "database is locked".
    QList<Account> accounts;
    for (int i = 0; i < 40; ++i) {
        accounts.append(createAccount());
        QVERIFY(!accounts.last().token.isEmpty());
    }

    // One share costs about half the starting cash, so every order fits.
    QList<QByteArray> requests;
    for (const Account& account : accounts)
        requests.append(orderRequest(account.token, "buy", 1, "many"));
    const QList<HttpResponse> responses = RawHttp::exchangeConcurrently(m_server->port(), requests);
    for (const HttpResponse& response : responses)
        QVERIFY2(response.status == 201, qPrintable(describe(responses)));

    for (const Account& account : accounts) {
        QCOMPARE(portfolio(account.token).value("shares").toInteger(), 1);
        QCOMPARE(orderHistory(account.token).size(), 1);
    }
}

void ConcurrencyTest::sameKeyAtOnceMakesOneOrder()
{
    // A race may go either way, so the pair is sent several times.
    for (int round = 0; round < 10; ++round) {
        const Account account = createAccount();
        QVERIFY(!account.token.isEmpty());
        const QByteArray key = "twin-" + QByteArray::number(round);
        const QByteArray request = orderRequest(account.token, "buy", 1, key);

        const QList<HttpResponse> responses =
            RawHttp::exchangeConcurrently(m_server->port(), {request, request});
        QCOMPARE(orderHistory(account.token).size(), 1);
        QCOMPARE(portfolio(account.token).value("shares").toInteger(), 1);

        // One executes (201). The other replays it (200) or, while the first
        // is still running, may return 409 request_in_progress.
        QList<int> statuses{responses.at(0).status, responses.at(1).status};
        std::sort(statuses.begin(), statuses.end());
        const bool replayed = statuses == QList<int>{200, 201};
        const bool inProgress = statuses == QList<int>{201, 409};
        QVERIFY2(replayed || inProgress, qPrintable(describe(responses)));

        const HttpResponse& executed = responses.at(0).status == 201 ? responses.at(0)
                                                                     : responses.at(1);
        const HttpResponse& other = responses.at(0).status == 201 ? responses.at(1)
                                                                  : responses.at(0);
        const QJsonValue orderId = executed.json().value("order").toObject().value("id");
        QVERIFY(orderId.isDouble());
        if (replayed) {
            QCOMPARE(other.json().value("order").toObject().value("id"), orderId);
            QCOMPARE(other.json(), executed.json());
        } else {
            QCOMPARE(other.errorCode(), QStringLiteral("request_in_progress"));
            const HttpResponse later =
                RawHttp::exchange(m_server->port(), request);
            QVERIFY2(later.status == 200, qPrintable(later.describe()));
            QCOMPARE(later.json().value("order").toObject().value("id"), orderId);
        }
    }
}

void ConcurrencyTest::sameKeyBurstMakesOneOrder()
{
    const Account account = createAccount();
    QVERIFY(!account.token.isEmpty());
    const QByteArray request = orderRequest(account.token, "buy", 1, "burst-key");

    const QList<HttpResponse> responses =
        RawHttp::exchangeConcurrently(m_server->port(), QList<QByteArray>(12, request));
    int executed = 0;
    QJsonValue orderId(QJsonValue::Undefined);
    for (const HttpResponse& response : responses) {
        QVERIFY2(response.status == 201 || response.status == 200 || response.status == 409,
                 qPrintable(describe(responses)));
        if (response.status == 201)
            ++executed;
        if (response.status == 409) {
            QCOMPARE(response.errorCode(), QStringLiteral("request_in_progress"));
            continue;
        }
        const QJsonValue id = response.json().value("order").toObject().value("id");
        QVERIFY(id.isDouble());
        if (orderId.isUndefined())
            orderId = id;
        QCOMPARE(id, orderId);
    }
    QVERIFY2(executed == 1, qPrintable(describe(responses)));
    QCOMPARE(orderHistory(account.token).size(), 1);
    QCOMPARE(portfolio(account.token).value("shares").toInteger(), 1);
}

QTEST_GUILESS_MAIN(ConcurrencyTest)
#include "tst_concurrency.moc"
