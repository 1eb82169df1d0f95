// HttpApi routing and validation on plain values, against a real
// MarketService over a SQLite file in a temporary directory.

#include "core/pricemodel.h"
#include "server/httpapi.h"
#include "server/marketservice.h"
#include "server/metrics.h"
#include "server/quotebus.h"
#include "server/ratelimiter.h"
#include "server/sqlitestore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/types.h>

#include <atomic>
#include <memory>

using valiant::core::PriceModel;
using valiant::server::HttpApi;
using valiant::server::HttpRequest;
using valiant::server::HttpResponse;
using valiant::server::LocalBus;
using valiant::server::MarketService;
using valiant::server::Metrics;
using valiant::server::RateLimiter;
using valiant::server::RateLimitSettings;
using valiant::server::SqliteStore;

namespace {

// A fixed whole minute (2026-09-21T14:13:00Z), so minute buckets start here.
constexpr std::int64_t baseMs = 1'789'999'980'000;

QJsonObject jsonOf(const HttpResponse& response)
{
    return QJsonDocument::fromJson(response.body).object();
}

QString errorCodeOf(const HttpResponse& response)
{
    return jsonOf(response).value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

QString errorMessageOf(const HttpResponse& response)
{
    return jsonOf(response)
        .value(QStringLiteral("error"))
        .toObject()
        .value(QStringLiteral("message"))
        .toString();
}

QPair<QByteArray, QByteArray> field(const QByteArray& name, const QByteArray& value)
{
    return qMakePair(name, value);
}

QByteArray headerOf(const HttpResponse& response, const QByteArray& name)
{
    for (const auto& [key, value] : response.headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return QByteArray();
}

/// Makes SQLite's default (unix) VFS fail every write that grows a file
/// with ENOSPC while `full` is set, through its replaceable system calls,
/// so the store meets a full disk as it would for real.
namespace fulldisk {

std::atomic<bool> full{false};
sqlite3_syscall_ptr realWrite = nullptr;
sqlite3_syscall_ptr realPwrite = nullptr;
sqlite3_syscall_ptr realPwrite64 = nullptr;

/// True when the disk is full and a write of `size` bytes at `offset`
/// would grow the file, because a full file system still lets a program
/// overwrite the blocks a file already has.
bool failsWrite(int fd, off64_t offset, size_t size)
{
    if (!full) {
        return false;
    }
    struct stat status {};
    if (::fstat(fd, &status) != 0) {
        return true;
    }
    return offset + off64_t(size) > status.st_size;
}

ssize_t write(int fd, const void* data, size_t size)
{
    if (failsWrite(fd, ::lseek64(fd, 0, SEEK_CUR), size)) {
        errno = ENOSPC;
        return -1;
    }
    return reinterpret_cast<ssize_t (*)(int, const void*, size_t)>(realWrite)(fd, data, size);
}

ssize_t pwrite(int fd, const void* data, size_t size, off_t offset)
{
    if (failsWrite(fd, offset, size)) {
        errno = ENOSPC;
        return -1;
    }
    return reinterpret_cast<ssize_t (*)(int, const void*, size_t, off_t)>(realPwrite)(fd, data, size, offset);
}

ssize_t pwrite64(int fd, const void* data, size_t size, off64_t offset)
{
    if (failsWrite(fd, offset, size)) {
        errno = ENOSPC;
        return -1;
    }
    return reinterpret_cast<ssize_t (*)(int, const void*, size_t, off64_t)>(realPwrite64)(fd, data, size, offset);
}

/// Replaces the VFS's write calls. Returns false when it has none of them.
bool install()
{
    sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
    if (vfs == nullptr || vfs->iVersion < 3 || vfs->xSetSystemCall == nullptr) {
        return false;
    }
    const auto replace = [vfs](const char* name, sqlite3_syscall_ptr& real, sqlite3_syscall_ptr replacement) {
        real = vfs->xGetSystemCall(vfs, name);
        return real != nullptr && vfs->xSetSystemCall(vfs, name, replacement) == SQLITE_OK;
    };
    bool replaced = replace("write", realWrite, reinterpret_cast<sqlite3_syscall_ptr>(&write));
    replaced = replace("pwrite", realPwrite, reinterpret_cast<sqlite3_syscall_ptr>(&pwrite)) || replaced;
    replaced = replace("pwrite64", realPwrite64, reinterpret_cast<sqlite3_syscall_ptr>(&pwrite64)) || replaced;
    return replaced;
}

}  // namespace fulldisk

}  // namespace

class TestHttpApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void unknownPathIsNotFound();
    void wrongMethodListsAllowed();
    void upReportsHealth();
    void headMatchesGet_data();
    void headMatchesGet();
    void headMetricsHasNoBody();
    void metricsUseRoutePatterns();
    void responsesAreNotCached();
    void accountCreatedWithToken();
    void accountErrors_data();
    void accountErrors();
    void missingOrBadToken_data();
    void missingOrBadToken();
    void logOutEndsToken();
    void logInWithWrongPassword();
    void quotesParameters_data();
    void quotesParameters();
    void quotesAcceptLeadingZeros();
    void quotesAfterIdAndLimit();
    void latestQuoteBeforeAndAfter();
    void candlesParameters_data();
    void candlesParameters();
    void candlesDefaultRange();
    void orderFillsAndReplays();
    void orderErrors_data();
    void orderErrors();
    void ordersListParameters();
    void praiseAddsBonus();
    void fullDiskDegradesUp();
    void bodyOverLimitRejected();
    void clientAddressBehindProxies_data();
    void clientAddressBehindProxies();
    void signUpLimitCountsForwardedAddress();
    void streamRequestValidation();

private:
    HttpResponse call(const QByteArray& method, const QByteArray& target,
                      const QByteArray& body = {}, const QByteArray& token = {},
                      QList<QPair<QByteArray, QByteArray>> extraHeaders = {});
    QByteArray createAccount(const QString& username);
    void generateQuotes(int count);

    std::unique_ptr<QTemporaryDir> m_directory;
    std::unique_ptr<SqliteStore> m_store;
    std::unique_ptr<LocalBus> m_bus;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<MarketService> m_service;
    std::unique_ptr<HttpApi> m_api;
    std::shared_ptr<std::atomic<std::int64_t>> m_nowMs;
    PriceModel::Random m_random{42};
};

void TestHttpApi::initTestCase()
{
    QVERIFY2(fulldisk::install(), "SQLite's default VFS has no replaceable write call");
}

void TestHttpApi::init()
{
    m_directory = std::make_unique<QTemporaryDir>();
    QVERIFY(m_directory->isValid());
    auto store = SqliteStore::open(m_directory->filePath(QStringLiteral("valiant.db")));
    QVERIFY2(store.ok(), qPrintable(store ? QString() : store.error().message));
    m_store = std::move(store).value();
    QVERIFY(m_store->migrate().ok());

    m_nowMs = std::make_shared<std::atomic<std::int64_t>>(baseMs);
    m_bus = std::make_unique<LocalBus>();
    m_metrics = std::make_unique<Metrics>();
    m_service = std::make_unique<MarketService>(*m_store, *m_bus, *m_metrics,
                                                valiant::core::Money::fromCents(100'00),
                                                [now = m_nowMs] { return now->load(); });
    m_api = std::make_unique<HttpApi>(*m_service, QStringLiteral("9.8.7"),
                                      [] { return QStringLiteral("leader"); });
}

void TestHttpApi::cleanup()
{
    fulldisk::full = false;
    m_api.reset();
    m_service.reset();
    m_metrics.reset();
    m_bus.reset();
    m_store.reset();
    m_directory.reset();
}

HttpResponse TestHttpApi::call(const QByteArray& method, const QByteArray& target,
                               const QByteArray& body, const QByteArray& token,
                               QList<QPair<QByteArray, QByteArray>> extraHeaders)
{
    HttpRequest request;
    request.method = method;
    request.target = target;
    request.body = body;
    request.remoteAddress = QStringLiteral("127.0.0.1");
    if (!body.isEmpty()) {
        request.headers.append(field("content-type", "application/json"));
    }
    if (!token.isEmpty()) {
        request.headers.append(field("authorization", "Bearer " + token));
    }
    request.headers.append(extraHeaders);
    return m_api->handle(request);
}

QByteArray TestHttpApi::createAccount(const QString& username)
{
    const QJsonObject credentials{{QStringLiteral("username"), username},
                                  {QStringLiteral("password"), QStringLiteral("correct horse")}};
    const HttpResponse response =
        call("POST", "/api/v1/accounts", QJsonDocument(credentials).toJson(QJsonDocument::Compact));
    if (response.status != 201) {
        qWarning() << "Creating account" << username << "failed:" << response.body;
        return QByteArray();
    }
    return jsonOf(response).value(QStringLiteral("token")).toString().toLatin1();
}

void TestHttpApi::generateQuotes(int count)
{
    for (int i = 0; i < count; ++i) {
        QVERIFY(m_service->generateQuote(m_random).ok());
        *m_nowMs += 1000;
    }
}

void TestHttpApi::unknownPathIsNotFound()
{
    for (const QByteArray target : {"/", "/api/v1/nothing", "/api/v1/quotes/", "/api/v2/quotes"}) {
        const HttpResponse response = call("GET", target);
        QCOMPARE(response.status, 404);
        QCOMPARE(errorCodeOf(response), QStringLiteral("not_found"));
        QVERIFY2(!errorMessageOf(response).contains(QStringLiteral("start with /api/v1/")),
                 qPrintable(errorMessageOf(response)));
        // Remote clients have no copy of the repository's docs, so the
        // message lists the paths itself.
        QVERIFY2(errorMessageOf(response).contains(QStringLiteral("/api/v1/orders, /api/v1/praise")),
                 qPrintable(errorMessageOf(response)));
        QVERIFY2(!errorMessageOf(response).contains(QStringLiteral("docs/")),
                 qPrintable(errorMessageOf(response)));
    }
}

void TestHttpApi::wrongMethodListsAllowed()
{
    const HttpResponse put = call("PUT", "/api/v1/orders");
    QCOMPARE(put.status, 405);
    QCOMPARE(errorCodeOf(put), QStringLiteral("method_not_allowed"));
    QCOMPARE(headerOf(put, "Allow"), QByteArray("GET, HEAD, POST"));
    QVERIFY2(errorMessageOf(put).contains(QStringLiteral("use GET, HEAD or POST.")),
             qPrintable(errorMessageOf(put)));

    const HttpResponse getAccounts = call("GET", "/api/v1/accounts");
    QCOMPARE(getAccounts.status, 405);
    QCOMPARE(headerOf(getAccounts, "Allow"), QByteArray("POST"));

    const HttpResponse headAccounts = call("HEAD", "/api/v1/accounts");
    QCOMPARE(headAccounts.status, 405);
    QCOMPARE(headerOf(headAccounts, "Allow"), QByteArray("POST"));

    const HttpResponse postUp = call("POST", "/up", "{}");
    QCOMPARE(postUp.status, 405);
    QCOMPARE(headerOf(postUp, "Allow"), QByteArray("GET, HEAD"));
}

void TestHttpApi::headMatchesGet_data()
{
    QTest::addColumn<QByteArray>("target");

    QTest::newRow("health") << QByteArray("/up");
    QTest::newRow("latest quote") << QByteArray("/api/v1/quotes/latest");
    QTest::newRow("quotes") << QByteArray("/api/v1/quotes?after_id=0&limit=2");
    QTest::newRow("candles") << QByteArray("/api/v1/candles?interval=1m");
    QTest::newRow("not found") << QByteArray("/nowhere");
    QTest::newRow("invalid parameter") << QByteArray("/api/v1/quotes?limit=0");
}

void TestHttpApi::headMatchesGet()
{
    QFETCH(QByteArray, target);
    generateQuotes(3);

    const HttpResponse get = call("GET", target);
    const HttpResponse head = call("HEAD", target);

    QCOMPARE(head.status, get.status);
    QCOMPARE(head.contentType, get.contentType);
    QCOMPARE(head.headers, get.headers);
    QVERIFY(head.body.isEmpty());
    QVERIFY(!get.body.isEmpty());
    QVERIFY(!get.omittedBodyLength.has_value());
    QCOMPARE(head.omittedBodyLength.value_or(-1), get.body.size());
}

void TestHttpApi::headMetricsHasNoBody()
{
    const HttpResponse response = call("HEAD", "/metrics");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.contentType, QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    QVERIFY(response.body.isEmpty());
    QVERIFY(response.omittedBodyLength.value_or(0) > 0);
}

void TestHttpApi::upReportsHealth()
{
    const HttpResponse response = call("GET", "/up");
    QCOMPARE(response.status, 200);
    const QJsonObject body = jsonOf(response);
    QCOMPARE(body.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(body.value(QStringLiteral("database")).toString(), QStringLiteral("ok"));
    QCOMPARE(body.value(QStringLiteral("bus")).toString(), QStringLiteral("local"));
    QCOMPARE(body.value(QStringLiteral("generator")).toString(), QStringLiteral("leader"));
    QCOMPARE(body.value(QStringLiteral("version")).toString(), QStringLiteral("9.8.7"));
}

void TestHttpApi::metricsUseRoutePatterns()
{
    call("GET", "/api/v1/quotes?limit=5");
    call("GET", "/no/such/path/12345");

    const HttpResponse response = call("GET", "/metrics");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.contentType, QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    QVERIFY2(response.body.contains("/api/v1/quotes"), response.body.constData());
    QVERIFY(response.body.contains("unmatched"));
    QVERIFY(!response.body.contains("12345"));
    QVERIFY(!response.body.contains("limit=5"));
}

void TestHttpApi::responsesAreNotCached()
{
    for (const QByteArray target : {"/up", "/api/v1/quotes", "/nowhere"}) {
        QCOMPARE(headerOf(call("GET", target), "Cache-Control"), QByteArray("no-store"));
    }
}

void TestHttpApi::accountCreatedWithToken()
{
    const HttpResponse response = call("POST", "/api/v1/accounts",
                                       R"({"username": "ada", "password": "correct horse"})");
    QCOMPARE(response.status, 201);
    const QJsonObject body = jsonOf(response);
    QCOMPARE(body.value(QStringLiteral("account")).toObject().value(QStringLiteral("username")).toString(),
             QStringLiteral("ada"));
    QVERIFY(body.value(QStringLiteral("account")).toObject().value(QStringLiteral("id")).toInteger() > 0);
    QVERIFY(body.value(QStringLiteral("token")).toString().size() >= 43);

    const HttpResponse again = call("POST", "/api/v1/accounts",
                                    R"({"username": "ada", "password": "other password"})");
    QCOMPARE(again.status, 409);
    QCOMPARE(errorCodeOf(again), QStringLiteral("username_taken"));
}

void TestHttpApi::accountErrors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    const QByteArray json = "application/json";
    QTest::newRow("not json") << QByteArray("{username") << json << 400 << "invalid_json";
    QTest::newRow("array") << QByteArray("[1]") << json << 400 << "invalid_json";
    QTest::newRow("empty body") << QByteArray() << json << 400 << "invalid_json";
    QTest::newRow("short name") << QByteArray(R"({"username":"ab","password":"12345678"})") << json
                                << 422 << "invalid_username";
    QTest::newRow("bad character") << QByteArray(R"({"username":"a b c","password":"12345678"})")
                                   << json << 422 << "invalid_username";
    QTest::newRow("short password") << QByteArray(R"({"username":"abc","password":"1234567"})")
                                    << json << 422 << "invalid_password";
    QTest::newRow("text/plain") << QByteArray(R"({"username":"abc","password":"12345678"})")
                                << QByteArray("text/plain") << 415 << "unsupported_media_type";
    QTest::newRow("no content type") << QByteArray(R"({"username":"abc","password":"12345678"})")
                                     << QByteArray() << 415 << "unsupported_media_type";
    QTest::newRow("latin1 charset") << QByteArray(R"({"username":"abc","password":"12345678"})")
                                    << QByteArray("application/json; charset=latin1") << 415
                                    << "unsupported_media_type";
}

void TestHttpApi::accountErrors()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(int, status);
    QFETCH(QString, code);

    HttpRequest request;
    request.method = "POST";
    request.target = "/api/v1/accounts";
    request.body = body;
    if (!contentType.isEmpty()) {
        request.headers.append(field("content-type", contentType));
    }
    const HttpResponse response = m_api->handle(request);
    QCOMPARE(response.status, status);
    QCOMPARE(errorCodeOf(response), code);
    QVERIFY(!errorMessageOf(response).isEmpty());
}

void TestHttpApi::missingOrBadToken_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QString>("code");

    QTest::newRow("absent") << QByteArray() << "missing_token";
    QTest::newRow("basic scheme") << QByteArray("Basic YWRhOnB3") << "invalid_token";
    QTest::newRow("bearer without token") << QByteArray("Bearer ") << "invalid_token";
    QTest::newRow("unknown token") << QByteArray("Bearer abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
                                   << "invalid_token";
}

void TestHttpApi::missingOrBadToken()
{
    QFETCH(QByteArray, authorization);
    QFETCH(QString, code);

    for (const auto& [method, target] : {qMakePair(QByteArray("GET"), QByteArray("/api/v1/portfolio")),
                                         qMakePair(QByteArray("GET"), QByteArray("/api/v1/orders")),
                                         qMakePair(QByteArray("POST"), QByteArray("/api/v1/praise")),
                                         qMakePair(QByteArray("DELETE"), QByteArray("/api/v1/sessions/current"))}) {
        HttpRequest request;
        request.method = method;
        request.target = target;
        if (!authorization.isEmpty()) {
            request.headers.append(field("authorization", authorization));
        }
        const HttpResponse response = m_api->handle(request);
        QCOMPARE(response.status, 401);
        QCOMPARE(errorCodeOf(response), code);
        QVERIFY(headerOf(response, "WWW-Authenticate").startsWith("Bearer"));
    }
}

void TestHttpApi::logOutEndsToken()
{
    const QByteArray token = createAccount(QStringLiteral("grace"));
    QVERIFY(!token.isEmpty());
    QCOMPARE(call("GET", "/api/v1/portfolio", {}, token).status, 200);

    const HttpResponse loggedOut = call("DELETE", "/api/v1/sessions/current", {}, token);
    QCOMPARE(loggedOut.status, 204);
    QVERIFY(loggedOut.body.isEmpty());

    const HttpResponse after = call("GET", "/api/v1/portfolio", {}, token);
    QCOMPARE(after.status, 401);
    QCOMPARE(errorCodeOf(after), QStringLiteral("invalid_token"));
}

void TestHttpApi::logInWithWrongPassword()
{
    QVERIFY(!createAccount(QStringLiteral("linus")).isEmpty());

    const HttpResponse wrong = call("POST", "/api/v1/sessions",
                                    R"({"username":"linus","password":"wrong password"})");
    QCOMPARE(wrong.status, 401);
    QCOMPARE(errorCodeOf(wrong), QStringLiteral("invalid_credentials"));

    const HttpResponse unknown = call("POST", "/api/v1/sessions",
                                      R"({"username":"nobody","password":"wrong password"})");
    QCOMPARE(unknown.status, 401);
    QCOMPARE(errorMessageOf(unknown), errorMessageOf(wrong));

    const HttpResponse right = call("POST", "/api/v1/sessions",
                                    R"({"username":"linus","password":"correct horse"})");
    QCOMPARE(right.status, 201);
    QVERIFY(!jsonOf(right).value(QStringLiteral("token")).toString().isEmpty());

    const HttpResponse wrongType = call("POST", "/api/v1/sessions", R"({"username":"linus","password":12345678})");
    QCOMPARE(wrongType.status, 422);
}

void TestHttpApi::quotesParameters_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("namedValue");

    QTest::newRow("limit zero") << QByteArray("limit=0") << "limit=\"0\"";
    QTest::newRow("limit too large") << QByteArray("limit=1001") << "limit=\"1001\"";
    QTest::newRow("limit text") << QByteArray("limit=ten") << "limit=\"ten\"";
    QTest::newRow("limit fraction") << QByteArray("limit=1.5") << "limit=\"1.5\"";
    QTest::newRow("limit empty") << QByteArray("limit=") << "limit=\"\"";
    QTest::newRow("limit huge") << QByteArray("limit=99999999999999999999999") << "limit=\"9999";
    QTest::newRow("after_id beyond 2^63 after zeros")
        << QByteArray("after_id=009223372036854775808") << "after_id=\"009223372036854775808\"";
    QTest::newRow("after_id negative") << QByteArray("after_id=-1") << "after_id=\"-1\"";
    QTest::newRow("after_id spaces") << QByteArray("after_id=%201") << "after_id=\" 1\"";
    QTest::newRow("since not a time") << QByteArray("since=yesterday") << "since=\"yesterday\"";
    QTest::newRow("both after_id and since") << QByteArray("after_id=1&since=2026-01-01T00:00:00Z")
                                             << "either after_id or since";
    QTest::newRow("limit twice") << QByteArray("limit=1&limit=2") << "limit is given 2 times";
}

void TestHttpApi::quotesParameters()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, namedValue);

    const HttpResponse response = call("GET", "/api/v1/quotes?" + query);
    QCOMPARE(response.status, 422);
    QCOMPARE(errorCodeOf(response), QStringLiteral("invalid_parameter"));
    QVERIFY2(errorMessageOf(response).contains(namedValue), qPrintable(errorMessageOf(response)));
}

void TestHttpApi::quotesAcceptLeadingZeros()
{
    generateQuotes(5);

    // 20 and 22 characters, more than the 19 digits of a 64-bit number.
    const HttpResponse response = call("GET", "/api/v1/quotes?after_id=00000000000000000003&limit=0000000000000000000001");
    QVERIFY2(response.status == 200, response.body.constData());
    const QJsonArray quotes = jsonOf(response).value(QStringLiteral("quotes")).toArray();
    QCOMPARE(quotes.size(), 1);
    QCOMPARE(quotes.first().toObject().value(QStringLiteral("id")).toInteger(), 4);

    const HttpResponse zero = call("GET", "/api/v1/quotes?after_id=000&limit=1");
    QVERIFY2(zero.status == 200, zero.body.constData());
    QCOMPARE(jsonOf(zero).value(QStringLiteral("quotes")).toArray().first().toObject().value(QStringLiteral("id")).toInteger(), 1);
}

void TestHttpApi::quotesAfterIdAndLimit()
{
    generateQuotes(10);

    const HttpResponse all = call("GET", "/api/v1/quotes");
    QCOMPARE(all.status, 200);
    QCOMPARE(jsonOf(all).value(QStringLiteral("quotes")).toArray().size(), 10);

    const QJsonArray newest = jsonOf(call("GET", "/api/v1/quotes?limit=3")).value(QStringLiteral("quotes")).toArray();
    QCOMPARE(newest.size(), 3);
    QCOMPARE(newest.at(0).toObject().value(QStringLiteral("id")).toInteger(), 8);
    QCOMPARE(newest.at(2).toObject().value(QStringLiteral("id")).toInteger(), 10);

    const QJsonArray after = jsonOf(call("GET", "/api/v1/quotes?after_id=7&limit=2")).value(QStringLiteral("quotes")).toArray();
    QCOMPARE(after.size(), 2);
    QCOMPARE(after.at(0).toObject().value(QStringLiteral("id")).toInteger(), 8);
    QCOMPARE(after.at(1).toObject().value(QStringLiteral("id")).toInteger(), 9);

    // The fifth quote was made at baseMs + 4 s. The '+' is percent-encoded.
    const QByteArray since = "/api/v1/quotes?since=" + QUrl::toPercentEncoding(QStringLiteral("2026-09-21T16:13:04+02:00"));
    const QJsonArray sinceQuotes = jsonOf(call("GET", since)).value(QStringLiteral("quotes")).toArray();
    QCOMPARE(sinceQuotes.size(), 6);
    QCOMPARE(sinceQuotes.at(0).toObject().value(QStringLiteral("id")).toInteger(), 5);
}

void TestHttpApi::latestQuoteBeforeAndAfter()
{
    const HttpResponse before = call("GET", "/api/v1/quotes/latest");
    QCOMPARE(before.status, 404);
    QCOMPARE(errorCodeOf(before), QStringLiteral("no_quotes"));

    generateQuotes(1);
    const HttpResponse after = call("GET", "/api/v1/quotes/latest");
    QCOMPARE(after.status, 200);
    QCOMPARE(jsonOf(after).value(QStringLiteral("price")).toString(), QStringLiteral("50.00"));
    QCOMPARE(jsonOf(after).value(QStringLiteral("created")).toString(), QStringLiteral("2026-09-21T14:13:00.000Z"));
}

void TestHttpApi::candlesParameters_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("namedValue");

    QTest::newRow("no interval") << QByteArray("") << "invalid_parameter" << "interval is missing";
    QTest::newRow("unknown interval") << QByteArray("interval=2m") << "invalid_parameter" << "interval=\"2m\"";
    QTest::newRow("bad from") << QByteArray("interval=1m&from=noon") << "invalid_parameter" << "from=\"noon\"";
    QTest::newRow("bad to") << QByteArray("interval=1m&to=2026-13-01T00:00:00Z") << "invalid_parameter"
                            << "to=\"2026-13-01T00:00:00Z\"";
    QTest::newRow("empty range") << QByteArray("interval=1m&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")
                                 << "invalid_parameter" << "must be before";
    QTest::newRow("2001 seconds") << QByteArray("interval=1s&from=2026-01-01T00:00:00Z&to=2026-01-01T00:33:21Z")
                                  << "too_many_candles" << "2001";
    QTest::newRow("a year of minutes") << QByteArray("interval=1m&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")
                                       << "too_many_candles" << "525600";
}

void TestHttpApi::candlesParameters()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, code);
    QFETCH(QString, namedValue);

    const HttpResponse response = call("GET", "/api/v1/candles?" + query);
    QCOMPARE(response.status, 422);
    QCOMPARE(errorCodeOf(response), code);
    QVERIFY2(errorMessageOf(response).contains(namedValue), qPrintable(errorMessageOf(response)));
}

void TestHttpApi::candlesDefaultRange()
{
    // 2000 one-second candles is the maximum, not beyond it.
    const HttpResponse exactly = call("GET", "/api/v1/candles?interval=1s&from=2026-01-01T00:00:00Z&to=2026-01-01T00:33:20Z");
    QCOMPARE(exactly.status, 200);

    generateQuotes(90);  // 14:13:00 to 14:14:29
    const HttpResponse response = call("GET", "/api/v1/candles?interval=1m");
    QCOMPARE(response.status, 200);
    const QJsonArray candles = jsonOf(response).value(QStringLiteral("candles")).toArray();
    QCOMPARE(candles.size(), 2);
    QCOMPARE(candles.at(0).toObject().value(QStringLiteral("start")).toString(), QStringLiteral("2026-09-21T14:13:00.000Z"));
    QCOMPARE(candles.at(0).toObject().value(QStringLiteral("count")).toInteger(), 60);
    QCOMPARE(candles.at(1).toObject().value(QStringLiteral("count")).toInteger(), 30);
    QCOMPARE(candles.at(0).toObject().value(QStringLiteral("open")).toString(), QStringLiteral("50.00"));
}

void TestHttpApi::orderFillsAndReplays()
{
    const QByteArray token = createAccount(QStringLiteral("margaret"));
    generateQuotes(1);

    const QByteArray body = R"({"side":"buy","quantity":1})";
    const QList<QPair<QByteArray, QByteArray>> key{field("idempotency-key", "order-1")};
    const HttpResponse first = call("POST", "/api/v1/orders", body, token, key);
    QCOMPARE(first.status, 201);
    const QJsonObject order = jsonOf(first).value(QStringLiteral("order")).toObject();
    QCOMPARE(order.value(QStringLiteral("price")).toString(), QStringLiteral("50.00"));
    QCOMPARE(order.value(QStringLiteral("total")).toString(), QStringLiteral("50.00"));
    QCOMPARE(jsonOf(first).value(QStringLiteral("portfolio")).toObject().value(QStringLiteral("cash")).toString(),
             QStringLiteral("50.00"));

    const HttpResponse replay = call("POST", "/api/v1/orders", body, token, key);
    QCOMPARE(replay.status, 200);
    QCOMPARE(replay.body, first.body);

    const HttpResponse reused = call("POST", "/api/v1/orders", R"({"side":"buy","quantity":2})", token, key);
    QCOMPARE(reused.status, 422);
    QCOMPARE(errorCodeOf(reused), QStringLiteral("idempotency_key_reused"));

    const HttpResponse list = call("GET", "/api/v1/orders", {}, token);
    QCOMPARE(list.status, 200);
    QCOMPARE(jsonOf(list).value(QStringLiteral("orders")).toArray().size(), 1);
}

void TestHttpApi::orderErrors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("idempotencyKey");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    QTest::newRow("quantity string") << QByteArray(R"({"side":"buy","quantity":"3"})") << QByteArray() << 422 << "invalid_quantity";
    QTest::newRow("quantity fraction") << QByteArray(R"({"side":"buy","quantity":1.5})") << QByteArray() << 422 << "invalid_quantity";
    QTest::newRow("quantity huge") << QByteArray(R"({"side":"buy","quantity":1e30})") << QByteArray() << 422 << "invalid_quantity";
    QTest::newRow("quantity zero") << QByteArray(R"({"side":"buy","quantity":0})") << QByteArray() << 422 << "invalid_quantity";
    QTest::newRow("side unknown") << QByteArray(R"({"side":"hold","quantity":1})") << QByteArray() << 422 << "invalid_side";
    QTest::newRow("too expensive") << QByteArray(R"({"side":"buy","quantity":3})") << QByteArray() << 422 << "insufficient_funds";
    QTest::newRow("no shares") << QByteArray(R"({"side":"sell","quantity":1})") << QByteArray() << 422 << "insufficient_shares";
    QTest::newRow("malformed") << QByteArray(R"({"side":)") << QByteArray() << 400 << "invalid_json";
    QTest::newRow("key too long") << QByteArray(R"({"side":"buy","quantity":1})") << QByteArray(65, 'k') << 422
                                  << "invalid_idempotency_key";
    QTest::newRow("key empty") << QByteArray(R"({"side":"buy","quantity":1})") << QByteArray("") << 422
                               << "invalid_idempotency_key";
}

void TestHttpApi::orderErrors()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, idempotencyKey);
    QFETCH(int, status);
    QFETCH(QString, code);

    const QByteArray token = createAccount(QStringLiteral("barbara"));
    generateQuotes(1);

    QList<QPair<QByteArray, QByteArray>> headers;
    if (!idempotencyKey.isNull()) {
        headers.append(field("idempotency-key", idempotencyKey));
    }
    const HttpResponse response = call("POST", "/api/v1/orders", body, token, headers);
    QCOMPARE(response.status, status);
    QCOMPARE(errorCodeOf(response), code);
}

void TestHttpApi::ordersListParameters()
{
    const QByteArray token = createAccount(QStringLiteral("edsger"));
    for (const QByteArray query : {"limit=0", "limit=501", "before_id=0", "before_id=x"}) {
        const HttpResponse response = call("GET", "/api/v1/orders?" + query, {}, token);
        QCOMPARE(response.status, 422);
        QCOMPARE(errorCodeOf(response), QStringLiteral("invalid_parameter"));
    }
    QCOMPARE(call("GET", "/api/v1/orders?limit=500&before_id=10", {}, token).status, 200);
}

void TestHttpApi::praiseAddsBonus()
{
    const QByteArray token = createAccount(QStringLiteral("alan"));
    generateQuotes(1);

    const HttpResponse none = call("POST", "/api/v1/praise", {}, token);
    QCOMPARE(none.status, 200);
    QCOMPARE(jsonOf(none).value(QStringLiteral("bonus")).toString(), QStringLiteral("0.00"));

    QCOMPARE(call("POST", "/api/v1/orders", R"({"side":"buy","quantity":1})", token).status, 201);
    const HttpResponse one = call("POST", "/api/v1/praise", "{}", token);
    QCOMPARE(one.status, 200);
    QCOMPARE(jsonOf(one).value(QStringLiteral("bonus")).toString(), QStringLiteral("0.10"));
    QCOMPARE(jsonOf(one).value(QStringLiteral("portfolio")).toObject().value(QStringLiteral("cash")).toString(),
             QStringLiteral("50.10"));

    HttpRequest textBody;
    textBody.method = "POST";
    textBody.target = "/api/v1/praise";
    textBody.body = "please";
    textBody.headers = {field("authorization", "Bearer " + token), field("content-type", "text/plain")};
    QCOMPARE(m_api->handle(textBody).status, 415);
}

void TestHttpApi::fullDiskDegradesUp()
{
    const QByteArray token = createAccount(QStringLiteral("grace"));
    generateQuotes(1);
    const HttpResponse before = call("GET", "/api/v1/portfolio", {}, token);
    QCOMPARE(before.status, 200);

    fulldisk::full = true;
    // Any failed write marks the database full, a log-in (a new session) too.
    const HttpResponse logIn = call("POST", "/api/v1/sessions",
                                    R"({"username":"grace","password":"correct horse"})");
    QCOMPARE(logIn.status, 503);
    QCOMPARE(errorCodeOf(logIn), QStringLiteral("storage_full"));
    QCOMPARE(jsonOf(call("GET", "/up")).value(QStringLiteral("database")).toString(),
             QStringLiteral("full"));

    const QByteArray body = R"({"side":"buy","quantity":1})";
    const QList<QPair<QByteArray, QByteArray>> key{field("idempotency-key", "order-on-full-disk")};
    const HttpResponse order = call("POST", "/api/v1/orders", body, token, key);
    QCOMPARE(order.status, 503);
    QCOMPARE(errorCodeOf(order), QStringLiteral("storage_full"));
    QVERIFY2(errorMessageOf(order).contains(QStringLiteral("disk is full")),
             qPrintable(errorMessageOf(order)));
    QCOMPARE(headerOf(order, "Retry-After"), QByteArray("60"));

    const HttpResponse praise = call("POST", "/api/v1/praise", {}, token);
    QCOMPARE(praise.status, 503);
    QCOMPARE(errorCodeOf(praise), QStringLiteral("storage_full"));
    const auto quote = m_service->generateQuote(m_random);
    QVERIFY(!quote.ok());
    QCOMPARE(quote.error().code, QStringLiteral("storage_full"));

    // Reads still work, so /up stays 200 and names the cause.
    const HttpResponse degraded = call("GET", "/up");
    QCOMPARE(degraded.status, 200);
    QCOMPARE(jsonOf(degraded).value(QStringLiteral("status")).toString(), QStringLiteral("degraded"));
    QCOMPARE(jsonOf(degraded).value(QStringLiteral("database")).toString(), QStringLiteral("full"));
    // A rejection without a key writes nothing, so it proves no free space.
    const HttpResponse rejected = call("POST", "/api/v1/orders", R"({"side":"sell","quantity":5})", token);
    QCOMPARE(rejected.status, 422);
    QCOMPARE(jsonOf(call("GET", "/up")).value(QStringLiteral("database")).toString(),
             QStringLiteral("full"));
    const HttpResponse during = call("GET", "/api/v1/portfolio", {}, token);
    QCOMPARE(during.status, 200);
    QCOMPARE(during.body, before.body);
    const HttpResponse latest = call("GET", "/api/v1/quotes/latest");
    QCOMPARE(latest.status, 200);
    QCOMPARE(jsonOf(latest).value(QStringLiteral("id")).toInteger(), 1);

    // A log-in, a write, clears the state once space is free. The test's
    // clock lies in the past, so the new session prunes the old token as
    // expired and the order goes on with the new one.
    fulldisk::full = false;
    const HttpResponse again = call("POST", "/api/v1/sessions",
                                    R"({"username":"grace","password":"correct horse"})");
    QCOMPARE(again.status, 201);
    const QByteArray newToken = jsonOf(again).value(QStringLiteral("token")).toString().toLatin1();
    const HttpResponse recovered = call("GET", "/up");
    QCOMPARE(recovered.status, 200);
    QCOMPARE(jsonOf(recovered).value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(jsonOf(recovered).value(QStringLiteral("database")).toString(), QStringLiteral("ok"));

    // The client's retry with the same key fills the order once.
    generateQuotes(1);
    QCOMPARE(call("POST", "/api/v1/orders", body, newToken, key).status, 201);
    QCOMPARE(call("POST", "/api/v1/orders", body, newToken, key).status, 200);
    const HttpResponse list = call("GET", "/api/v1/orders", {}, newToken);
    QCOMPARE(jsonOf(list).value(QStringLiteral("orders")).toArray().size(), 1);
}

void TestHttpApi::bodyOverLimitRejected()
{
    const QByteArray body = "{\"username\":\"" + QByteArray(HttpApi::maxBodyBytes, 'a') + "\"}";
    const HttpResponse response = call("POST", "/api/v1/accounts", body);
    QCOMPARE(response.status, 413);
    QCOMPARE(errorCodeOf(response), QStringLiteral("body_too_large"));
}

void TestHttpApi::streamRequestValidation()
{
    // The fields every RFC 6455 upgrade request carries.
    const QList<QPair<QByteArray, QByteArray>> handshake{
        field("sec-websocket-version", "13"), field("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")};
    HttpRequest request;
    request.method = "GET";
    request.target = "/api/v1/stream?after_id=12";
    request.headers = handshake;
    const auto anonymous = m_api->acceptStream(request);
    QVERIFY(anonymous.ok());
    QCOMPARE(anonymous->accountId, 0);
    QCOMPARE(anonymous->afterId.value_or(-1), 12);

    request.target = "/api/v1/stream?after_id=twelve";
    const auto badAfterId = m_api->acceptStream(request);
    QVERIFY(!badAfterId.ok());
    QCOMPARE(badAfterId.error().code, QStringLiteral("invalid_parameter"));

    request.target = "/api/v1/stream?resume=12";
    const auto unknownParameter = m_api->acceptStream(request);
    QVERIFY(!unknownParameter.ok());
    QCOMPARE(unknownParameter.error().code, QStringLiteral("invalid_parameter"));

    request.target = "/api/v1/stream";
    request.headers = {field("sec-websocket-version", "8"), handshake.at(1)};
    const auto oldVersion = m_api->acceptStream(request);
    QVERIFY(!oldVersion.ok());
    QCOMPARE(oldVersion.error().status, 426);
    QCOMPARE(oldVersion.error().code, QStringLiteral("unsupported_websocket_version"));
    const HttpResponse oldVersionResponse = HttpApi::errorResponse(oldVersion.error());
    QVERIFY(oldVersionResponse.headers.contains(field("Sec-WebSocket-Version", "13")));

    request.headers = {handshake.at(0), field("sec-websocket-key", "short")};
    const auto shortKey = m_api->acceptStream(request);
    QVERIFY(!shortKey.ok());
    QCOMPARE(shortKey.error().status, 400);

    request.headers = handshake;
    request.headers.append(field("authorization", "Bearer not-a-real-token-but-long-enough-to-look-like-one"));
    const auto badToken = m_api->acceptStream(request);
    QVERIFY(badToken.ok());
    QCOMPARE(badToken->accountId, 0);
    QVERIFY(badToken->authError.has_value());
    QCOMPARE(badToken->authError->status, 401);
    QCOMPARE(badToken->authError->code, QStringLiteral("invalid_token"));

    const QByteArray token = createAccount(QStringLiteral("katherine"));
    request.headers = handshake;
    request.headers.append(field("authorization", "Bearer " + token));
    const auto authenticated = m_api->acceptStream(request);
    QVERIFY(authenticated.ok());
    QVERIFY(authenticated->accountId > 0);
    QVERIFY(!authenticated->authError.has_value());
    QVERIFY(!authenticated->afterId.has_value());

    const HttpResponse plainGet = call("GET", "/api/v1/stream");
    QCOMPARE(plainGet.status, 426);
    QCOMPARE(errorCodeOf(plainGet), QStringLiteral("upgrade_required"));
}

QTEST_GUILESS_MAIN(TestHttpApi)
void TestHttpApi::clientAddressBehindProxies_data()
{
    QTest::addColumn<int>("trusted");
    QTest::addColumn<QByteArrayList>("forwardedFor");
    QTest::addColumn<QString>("expected");

    const QByteArrayList none;
    QTest::newRow("no proxies: the peer") << 0 << QByteArrayList{"203.0.113.7"} << "10.0.0.2";
    QTest::newRow("one proxy, no header: the peer") << 1 << none << "10.0.0.2";
    QTest::newRow("one proxy: its entry") << 1 << QByteArrayList{"203.0.113.7"} << "203.0.113.7";
    QTest::newRow("one proxy ignores what the client claims")
        << 1 << QByteArrayList{"198.51.100.1, 203.0.113.7"} << "203.0.113.7";
    QTest::newRow("two proxies, entries in two headers")
        << 2 << QByteArrayList{"198.51.100.1, 203.0.113.7", "10.0.0.9"} << "203.0.113.7";
    QTest::newRow("more proxies than entries: the leftmost")
        << 3 << QByteArrayList{"203.0.113.7"} << "203.0.113.7";
    QTest::newRow("IPv6 entry") << 1 << QByteArrayList{" 2001:db8::1 "} << "2001:db8::1";
    QTest::newRow("garbage entry: the peer") << 1 << QByteArrayList{"not-an-address"} << "10.0.0.2";
}

void TestHttpApi::clientAddressBehindProxies()
{
    QFETCH(int, trusted);
    QFETCH(QByteArrayList, forwardedFor);
    QFETCH(QString, expected);

    HttpRequest request;
    request.method = "POST";
    request.target = "/api/v1/accounts";
    request.remoteAddress = QStringLiteral("10.0.0.2");
    for (const QByteArray& value : forwardedFor)
        request.headers.append(field("x-forwarded-for", value));
    QCOMPARE(HttpApi::clientAddress(request, trusted), expected);
}

void TestHttpApi::signUpLimitCountsForwardedAddress()
{
    // Behind one load balancer every request comes from its address, so
    // the sign-up limit must count the address it forwards instead.
    RateLimitSettings settings;
    settings.signupsPerAddress = {1, 3600, 1};
    RateLimiter limiter(settings);
    m_api = std::make_unique<HttpApi>(*m_service, QStringLiteral("9.8.7"),
                                      [] { return QStringLiteral("leader"); }, &limiter, 1);

    auto signUp = [this](const QString& username, const QByteArray& client) {
        const QJsonObject credentials{{QStringLiteral("username"), username},
                                      {QStringLiteral("password"), QStringLiteral("correct horse")}};
        return call("POST", "/api/v1/accounts", QJsonDocument(credentials).toJson(), {},
                    {field("x-forwarded-for", client)});
    };
    QCOMPARE(signUp(QStringLiteral("ada"), "203.0.113.7").status, 201);
    QCOMPARE(signUp(QStringLiteral("bob"), "203.0.113.8").status, 201);
    const HttpResponse limited = signUp(QStringLiteral("cy"), "203.0.113.7");
    QCOMPARE(limited.status, 429);
    QVERIFY(!headerOf(limited, "Retry-After").isEmpty());
    m_api.reset();
}

#include "tst_httpapi.moc"
