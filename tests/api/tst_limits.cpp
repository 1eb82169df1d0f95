// Black-box tests of the rate limits against real valiant-server processes:
// failed log-ins per username, log-ins and sign-ups per client address,
// orders and praise per account. Each test starts its own server with small
// limits (--rate-limits), so that a window passes within a few seconds.
// A second loopback address, 127.0.0.2, stands for a second client.

#include "support/httpclient.h"
#include "support/serverprocess.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <memory>

using namespace valiant::test;

namespace {

const QString password = QStringLiteral("correct horse battery");

std::unique_ptr<ServerProcess> startServer(const QString& limits, int tickMs = 3'600'000)
{
    ServerProcess::Options options;
    options.tickMs = tickMs;
    options.startingCash = QStringLiteral("100000.00");
    options.extraArguments = {QStringLiteral("--rate-limits"), limits};
    auto server = std::make_unique<ServerProcess>(options);
    if (!server->start()) {
        qWarning().noquote() << server->errorString();
        return nullptr;
    }
    return server;
}

QJsonObject credentials(const QString& username, const QString& secret)
{
    return QJsonObject{{QStringLiteral("username"), username},
                       {QStringLiteral("password"), secret}};
}

/// Sends one request from `sourceAddress` (a loopback address other than
/// 127.0.0.1), which QNetworkAccessManager cannot do.
HttpResponse postFrom(const QString& sourceAddress, int port, const QByteArray& path,
                      const QJsonObject& body)
{
    QTcpSocket socket;
    if (!socket.bind(QHostAddress(sourceAddress))) {
        HttpResponse failed;
        failed.transportError = QStringLiteral("bind to %1 failed: %2").arg(sourceAddress, socket.errorString());
        return failed;
    }
    socket.connectToHost(QHostAddress::LocalHost, quint16(port));
    if (!socket.waitForConnected(5000)) {
        HttpResponse failed;
        failed.transportError = socket.errorString();
        return failed;
    }
    socket.write(RawHttp::buildRequest("POST", path,
                                       {{"Content-Type", "application/json"}},
                                       QJsonDocument(body).toJson(QJsonDocument::Compact)));

    QByteArray received;
    const QDeadlineTimer deadline(15'000);
    while (!deadline.hasExpired()) {
        const bool closed = !socket.waitForReadyRead(100) &&
                            socket.state() != QAbstractSocket::ConnectedState;
        received += socket.readAll();
        if (const auto response = RawHttp::parseResponse(received, closed)) {
            return *response;
        }
        if (closed) {
            break;
        }
    }
    HttpResponse failed;
    failed.transportError = QStringLiteral("no complete response from the server");
    return failed;
}

/// The Retry-After header as whole seconds, or -1 when missing or not an integer.
int retryAfterSeconds(const HttpResponse& response)
{
    bool ok = false;
    const int seconds = response.header("Retry-After").toInt(&ok);
    return ok ? seconds : -1;
}

/// Sleeps until the Retry-After of `response` has passed.
void sleepRetryAfter(const HttpResponse& response)
{
    QThread::msleep(static_cast<unsigned long>(qBound(0, retryAfterSeconds(response), 60)) * 1000 + 200);
}

}  // namespace

class LimitsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void failedLoginsLimitUsername();
    void successfulLoginsNotCounted();
    void guessesElsewhereSpareOwner();
    void loginsLimitAddress();
    void signupsLimitAddress();
    void rejectedSignUpsDoNotCount();
    void ordersLimitAccount();
    void praiseLimitAccount();
    void limitsOffAllowsBursts();
    void invalidLimitsRejected();

private:
    static void verifyRateLimited(const HttpResponse& response, int maxRetryAfter);
    static QString createAccount(const ServerProcess& server, const QString& username);
    static bool waitForFirstQuote(const ServerProcess& server);
};

void LimitsTest::initTestCase()
{
    QVERIFY2(!ServerProcess::serverBinary().isEmpty(), "VALIANT_SERVER_BIN is not set");

    // The address tests need a second loopback address; Linux routes all
    // of 127.0.0.0/8 to the loopback interface.
    QTcpSocket probe;
    QVERIFY2(probe.bind(QHostAddress(QStringLiteral("127.0.0.2"))),
             qPrintable(QStringLiteral("Cannot bind to 127.0.0.2: %1").arg(probe.errorString())));
}

void LimitsTest::verifyRateLimited(const HttpResponse& response, int maxRetryAfter)
{
    QVERIFY2(response.status == 429, qPrintable(response.describe()));
    QCOMPARE(response.errorCode(), QStringLiteral("rate_limited"));
    QVERIFY2(response.errorMessage().contains(QStringLiteral("Try again in")),
             qPrintable(response.errorMessage()));
    const int retryAfter = retryAfterSeconds(response);
    QVERIFY2(retryAfter >= 1, qPrintable(response.describe()));
    QVERIFY2(retryAfter <= maxRetryAfter,
             qPrintable(QStringLiteral("Retry-After %1 > %2").arg(retryAfter).arg(maxRetryAfter)));
}

QString LimitsTest::createAccount(const ServerProcess& server, const QString& username)
{
    const HttpResponse created =
        HttpClient(server.baseUrl()).post(QStringLiteral("/api/v1/accounts"), credentials(username, password));
    if (created.status != 201) {
        qWarning().noquote() << "Creating" << username << "failed:" << created.describe();
        return {};
    }
    return created.json().value(QStringLiteral("token")).toString();
}

bool LimitsTest::waitForFirstQuote(const ServerProcess& server)
{
    const HttpClient client(server.baseUrl());
    const QDeadlineTimer deadline(10'000);
    while (!deadline.hasExpired()) {
        if (client.get(QStringLiteral("/api/v1/quotes/latest")).status == 200) {
            return true;
        }
        QThread::msleep(50);
    }
    return false;
}

void LimitsTest::failedLoginsLimitUsername()
{
    const auto server = startServer(QStringLiteral("login-username=1/6:3"));
    QVERIFY(server);
    QVERIFY(!createAccount(*server, QStringLiteral("ada")).isEmpty());
    QVERIFY(!createAccount(*server, QStringLiteral("grace")).isEmpty());
    const HttpClient client(server->baseUrl());
    const QString sessions = QStringLiteral("/api/v1/sessions");

    for (int i = 0; i < 3; ++i) {
        const HttpResponse wrong = client.post(sessions, credentials(QStringLiteral("ada"), QStringLiteral("wrong password")));
        QVERIFY2(wrong.status == 401, qPrintable(wrong.describe()));
    }

    // The fourth guess is limited, and so is the right password until the
    // window passes: otherwise a guesser would learn when it hit.
    const HttpResponse limited = client.post(sessions, credentials(QStringLiteral("ada"), QStringLiteral("wrong password")));
    verifyRateLimited(limited, 6);
    if (QTest::currentTestFailed()) {
        return;
    }
    const HttpResponse rightButLimited = client.post(sessions, credentials(QStringLiteral("ADA"), password));
    verifyRateLimited(rightButLimited, 6);
    if (QTest::currentTestFailed()) {
        return;
    }

    // The limit belongs to the username, not to the address.
    const HttpResponse other = client.post(sessions, credentials(QStringLiteral("grace"), password));
    QVERIFY2(other.status == 201, qPrintable(other.describe()));

    sleepRetryAfter(rightButLimited);
    const HttpResponse recovered = client.post(sessions, credentials(QStringLiteral("ada"), password));
    QVERIFY2(recovered.status == 201, qPrintable(recovered.describe()));
}

void LimitsTest::guessesElsewhereSpareOwner()
{
    const auto server = startServer(QStringLiteral("login-username=1/60:3"));
    QVERIFY(server);
    // Signed up from 127.0.0.1, which is then a known address for "owner".
    QVERIFY(!createAccount(*server, QStringLiteral("owner")).isEmpty());
    const QByteArray sessions("/api/v1/sessions");

    // A guesser at 127.0.0.2 uses up the username's failures.
    for (int i = 0; i < 3; ++i) {
        const HttpResponse wrong = postFrom(QStringLiteral("127.0.0.2"), server->port(), sessions,
                                            credentials(QStringLiteral("owner"), QStringLiteral("guess")));
        QVERIFY2(wrong.status == 401, qPrintable(wrong.describe()));
    }
    const HttpResponse limited = postFrom(QStringLiteral("127.0.0.2"), server->port(), sessions,
                                          credentials(QStringLiteral("owner"), password));
    verifyRateLimited(limited, 60);
    if (QTest::currentTestFailed()) {
        return;
    }

    // The owner's own address still logs in.
    const HttpClient client(server->baseUrl());
    const HttpResponse owner = client.post(QString::fromLatin1(sessions),
                                           credentials(QStringLiteral("owner"), password));
    QVERIFY2(owner.status == 201, qPrintable(owner.describe()));
}

void LimitsTest::successfulLoginsNotCounted()
{
    const auto server = startServer(QStringLiteral("login-username=2/60"));
    QVERIFY(server);
    QVERIFY(!createAccount(*server, QStringLiteral("linus")).isEmpty());
    const HttpClient client(server->baseUrl());

    for (int i = 0; i < 6; ++i) {
        const HttpResponse login = client.post(QStringLiteral("/api/v1/sessions"), credentials(QStringLiteral("linus"), password));
        QVERIFY2(login.status == 201, qPrintable(QStringLiteral("login %1: %2").arg(i).arg(login.describe())));
    }
}

void LimitsTest::loginsLimitAddress()
{
    const auto server = startServer(QStringLiteral("login-address=1/10:5"));
    QVERIFY(server);
    const HttpClient client(server->baseUrl());
    const QString sessions = QStringLiteral("/api/v1/sessions");

    // Five unknown usernames: the per-username limit never applies.
    for (int i = 0; i < 5; ++i) {
        const HttpResponse attempt = client.post(sessions, credentials(QStringLiteral("nobody%1").arg(i), password));
        QVERIFY2(attempt.status == 401, qPrintable(attempt.describe()));
    }
    const HttpResponse limited = client.post(sessions, credentials(QStringLiteral("nobody9"), password));
    verifyRateLimited(limited, 10);
    if (QTest::currentTestFailed()) {
        return;
    }

    // Another client address is not limited.
    const HttpResponse elsewhere = postFrom(QStringLiteral("127.0.0.2"), server->port(), "/api/v1/sessions",
                                            credentials(QStringLiteral("nobody10"), password));
    QVERIFY2(elsewhere.status == 401, qPrintable(elsewhere.describe()));

    sleepRetryAfter(limited);
    const HttpResponse recovered = client.post(sessions, credentials(QStringLiteral("nobody11"), password));
    QVERIFY2(recovered.status == 401, qPrintable(recovered.describe()));
}

void LimitsTest::signupsLimitAddress()
{
    const auto server = startServer(QStringLiteral("signup-address=3/3600"));
    QVERIFY(server);

    for (int i = 0; i < 3; ++i) {
        QVERIFY(!createAccount(*server, QStringLiteral("signup%1").arg(i)).isEmpty());
    }
    const HttpResponse limited = HttpClient(server->baseUrl())
                                     .post(QStringLiteral("/api/v1/accounts"),
                                           credentials(QStringLiteral("signup3"), password));
    verifyRateLimited(limited, 3600);
    if (QTest::currentTestFailed()) {
        return;
    }
    QVERIFY2(retryAfterSeconds(limited) > 60, qPrintable(limited.describe()));

    // The limited request created nothing: the same name is still free
    // for another address.
    const HttpResponse elsewhere = postFrom(QStringLiteral("127.0.0.2"), server->port(), "/api/v1/accounts",
                                            credentials(QStringLiteral("signup3"), password));
    QVERIFY2(elsewhere.status == 201, qPrintable(elsewhere.describe()));
}

// Sign-ups refused by the username rules create nothing, so they leave the
// address's sign-up budget untouched.
void LimitsTest::rejectedSignUpsDoNotCount()
{
    const auto server = startServer(QStringLiteral("signup-address=2/3600"));
    QVERIFY(server);
    const HttpClient client(server->baseUrl());

    for (int i = 0; i < 4; ++i) {
        const HttpResponse rejected =
            client.post(QStringLiteral("/api/v1/accounts"), credentials(QStringLiteral("x"), password));
        QVERIFY2(rejected.status == 422, qPrintable(rejected.describe()));
        QCOMPARE(rejected.errorCode(), QStringLiteral("invalid_username"));
    }
    for (int i = 0; i < 2; ++i) {
        QVERIFY(!createAccount(*server, QStringLiteral("refunded%1").arg(i)).isEmpty());
    }
    const HttpResponse limited = client.post(QStringLiteral("/api/v1/accounts"),
                                             credentials(QStringLiteral("refunded2"), password));
    verifyRateLimited(limited, 3600);
    QVERIFY2(limited.errorMessage().contains(QStringLiteral("sign-up attempts")),
             qPrintable(limited.describe()));
}

void LimitsTest::ordersLimitAccount()
{
    // A burst of 4 orders, then one every 5 s; one quote a second.
    const auto server = startServer(QStringLiteral("orders=1/5:4"), 1000);
    QVERIFY(server);
    QVERIFY(waitForFirstQuote(*server));
    const QString token = createAccount(*server, QStringLiteral("trader"));
    const QString otherToken = createAccount(*server, QStringLiteral("other"));
    QVERIFY(!token.isEmpty() && !otherToken.isEmpty());
    const HttpClient client(server->baseUrl());
    const QJsonObject buyOne{{QStringLiteral("side"), QStringLiteral("buy")},
                             {QStringLiteral("quantity"), 1}};

    // Sent back to back, far faster than one per 5 s: at most the burst
    // plus what refills meanwhile passes, and the rest is limited.
    int filled = 0;
    HttpResponse limited;
    for (int i = 0; i < 12 && limited.status != 429; ++i) {
        const HttpResponse response = client.post(QStringLiteral("/api/v1/orders"), buyOne, token,
                                                  {{"Idempotency-Key", QByteArray("order-") + QByteArray::number(i)}});
        if (response.status == 201) {
            ++filled;
        } else {
            limited = response;
        }
    }
    verifyRateLimited(limited, 5);
    if (QTest::currentTestFailed()) {
        return;
    }
    QVERIFY2(filled >= 4 && filled < 12, qPrintable(QStringLiteral("%1 orders filled").arg(filled)));

    // The limited order changed nothing: the account has one share per fill.
    const HttpResponse portfolio = client.get(QStringLiteral("/api/v1/portfolio"), token);
    QCOMPARE(portfolio.json().value(QStringLiteral("shares")).toInt(), filled);

    // Another account has its own bucket.
    const HttpResponse other = client.post(QStringLiteral("/api/v1/orders"), buyOne, otherToken,
                                           {{"Idempotency-Key", "other-0"}});
    QVERIFY2(other.status == 201, qPrintable(other.describe()));

    sleepRetryAfter(limited);
    const HttpResponse recovered = client.post(QStringLiteral("/api/v1/orders"), buyOne, token,
                                               {{"Idempotency-Key", "after-window"}});
    QVERIFY2(recovered.status == 201, qPrintable(recovered.describe()));
}

void LimitsTest::praiseLimitAccount()
{
    const auto server = startServer(QStringLiteral("praise=1/5:3"));
    QVERIFY(server);
    const QString token = createAccount(*server, QStringLiteral("praiser"));
    QVERIFY(!token.isEmpty());
    const HttpClient client(server->baseUrl());

    int answered = 0;
    HttpResponse limited;
    for (int i = 0; i < 12 && limited.status != 429; ++i) {
        const HttpResponse response = client.post(QStringLiteral("/api/v1/praise"), QJsonObject(), token);
        if (response.status == 200) {
            ++answered;
        } else {
            limited = response;
        }
    }
    verifyRateLimited(limited, 5);
    if (QTest::currentTestFailed()) {
        return;
    }
    QVERIFY2(answered >= 3 && answered < 12, qPrintable(QStringLiteral("%1 praises answered").arg(answered)));

    sleepRetryAfter(limited);
    const HttpResponse recovered = client.post(QStringLiteral("/api/v1/praise"), QJsonObject(), token);
    QVERIFY2(recovered.status == 200, qPrintable(recovered.describe()));
}

void LimitsTest::limitsOffAllowsBursts()
{
    const auto server = startServer(QStringLiteral("off"));
    QVERIFY(server);
    QVERIFY(!createAccount(*server, QStringLiteral("free")).isEmpty());
    const HttpClient client(server->baseUrl());

    // Twice the default of 5 failed log-ins per minute.
    for (int i = 0; i < 10; ++i) {
        const HttpResponse wrong = client.post(QStringLiteral("/api/v1/sessions"),
                                               credentials(QStringLiteral("free"), QStringLiteral("wrong password")));
        QVERIFY2(wrong.status == 401, qPrintable(wrong.describe()));
    }
}

void LimitsTest::invalidLimitsRejected()
{
    for (const QString& spec : {QStringLiteral("orders=0/1"), QStringLiteral("orders=10"),
                                QStringLiteral("bogus=1/1"), QStringLiteral("orders=1/1:x")}) {
        ServerProcess::Options options;
        options.extraArguments = {QStringLiteral("--rate-limits"), spec};
        ServerProcess server(options);
        QVERIFY2(!server.start(), qPrintable(spec));
        QVERIFY2(server.errorString().contains(QStringLiteral("--rate-limits")),
                 qPrintable(server.errorString()));
    }
}

QTEST_GUILESS_MAIN(LimitsTest)
#include "tst_limits.moc"
