#include "apifixture.h"

#include "core/money.h"
#include "core/pricemodel.h"
#include "server/marketservice.h"
#include "server/metrics.h"
#include "server/quotebus.h"
#include "server/ratelimiter.h"
#include "server/sqlitestore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLoggingCategory>

#include <cstdio>
#include <cstdlib>

namespace valiant::fuzz {

using server::HttpRequest;
using server::HttpResponse;

namespace {

bool hasLineBreak(const QByteArray& text)
{
    return text.contains('\r') || text.contains('\n');
}

/// A JSON object body, with an error code and message for statuses of 400
/// or more.
void checkJsonBody(const HttpRequest& request, const HttpResponse& response)
{
    if (response.body.isEmpty() || !response.contentType.startsWith("application/json")) {
        return;
    }

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(response.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        failCheck(request, QStringLiteral("the response body is not a JSON object: %1")
                               .arg(QString::fromUtf8(response.body.left(300))));
    }
    if (response.status < 400) {
        return;
    }
    const QJsonObject error = document.object().value(QStringLiteral("error")).toObject();
    if (error.value(QStringLiteral("code")).toString().isEmpty()
        || error.value(QStringLiteral("message")).toString().isEmpty()) {
        failCheck(request, QStringLiteral("the %1 response has no error code and message: %2")
                               .arg(response.status)
                               .arg(QString::fromUtf8(response.body.left(300))));
    }
}

}  // namespace

ApiFixture::ApiFixture()
{
    // The service logs every account and order; millions of inputs would
    // bury a crash report under those lines.
    QLoggingCategory::setFilterRules(QStringLiteral("valiant.*.debug=false\n"
                                                    "valiant.*.info=false\n"
                                                    "valiant.*.warning=false"));
    if (!m_directory.isValid()) {
        qFatal("Cannot create a temporary directory for the fuzz database: %s",
               qPrintable(m_directory.errorString()));
    }

    auto store = server::SqliteStore::open(m_directory.filePath(QStringLiteral("fuzz.db")));
    if (!store) {
        qFatal("Cannot open the fuzz database: %s", qPrintable(store.error().message));
    }
    m_store = std::move(store).value();
    if (const auto migrated = m_store->migrate(); !migrated) {
        qFatal("Cannot migrate the fuzz database: %s", qPrintable(migrated.error().message));
    }

    m_bus = std::make_unique<server::LocalBus>();
    m_metrics = std::make_unique<server::Metrics>();
    m_service = std::make_unique<server::MarketService>(
        *m_store, *m_bus, *m_metrics, core::Money::fromCents(100'00), [this] { return m_clockMs; });
    m_limiter = std::make_unique<server::RateLimiter>(server::RateLimitSettings{},
                                                      [] { return std::int64_t(0); });
    m_api = std::make_unique<server::HttpApi>(*m_service, QStringLiteral("0.0.0-fuzz"),
                                              [] { return QStringLiteral("leader"); },
                                              m_limiter.get());

    core::PriceModel::Random random(42);
    for (int i = 0; i < quoteCount; ++i) {
        m_clockMs = firstQuoteMs + i * quoteSpacingMs;
        if (const auto quote = m_service->generateQuote(random); !quote) {
            qFatal("Cannot store fuzz quote %d: %s", i, qPrintable(quote.error().message));
        }
    }
    m_clockMs = nowMs;
    renewToken();
}

ApiFixture::~ApiFixture() = default;

void ApiFixture::renewToken()
{
    // The local account needs no password hash, which would cost about
    // 50 ms of argon2id per renewal.
    const auto session = m_service->localSession();
    if (!session) {
        qFatal("Cannot start a fuzz session: %s", qPrintable(session.error().message));
    }
    m_token = session->token.toLatin1();
}

HttpResponse ApiFixture::handle(const HttpRequest& request)
{
    const HttpResponse response = m_api->handle(request);
    checkResponse(request, response);
    if (request.method == "DELETE" && response.status == 204) {
        renewToken();
    }
    return response;
}

void ApiFixture::acceptStream(const HttpRequest& request)
{
    const auto accepted = m_api->acceptStream(request);
    if (!accepted) {
        if (accepted.error().status < 400) {
            failCheck(request, QStringLiteral("the stream upgrade was rejected with status %1")
                                   .arg(accepted.error().status));
        }
        checkResponse(request, server::HttpApi::errorResponse(accepted.error()));
        return;
    }
    if (accepted->authError && accepted->authError->status != 401) {
        failCheck(request, QStringLiteral("the stream token check failed with %1 %2")
                               .arg(accepted->authError->status)
                               .arg(accepted->authError->code));
    }
}

void checkResponse(const HttpRequest& request, const HttpResponse& response)
{
    if (response.status < 200 || response.status > 599 || response.status == 500) {
        failCheck(request, QStringLiteral("the response has status %1: %2")
                               .arg(response.status)
                               .arg(QString::fromUtf8(response.body.left(300))));
    }
    for (const auto& [name, value] : response.headers) {
        if (hasLineBreak(name) || hasLineBreak(value)) {
            failCheck(request, QStringLiteral("the response header %1 contains CR or LF")
                                   .arg(QString::fromLatin1(name.left(60))));
        }
    }
    if ((request.method == "HEAD" || response.status == 204) && !response.body.isEmpty()) {
        failCheck(request, QStringLiteral("the %1 response to %2 has a body")
                               .arg(response.status)
                               .arg(QString::fromLatin1(request.method)));
    }
    checkJsonBody(request, response);
}

void checkRejection(const HttpRequest& request, const HttpResponse& response)
{
    const int status = response.status;
    if (status != 400 && status != 413 && status != 431 && status != 501) {
        failCheck(request, QStringLiteral("a request that failed to parse gets status %1")
                               .arg(response.status));
    }
    checkJsonBody(request, response);
}

void failCheck(const HttpRequest& request, const QString& problem)
{
    std::fprintf(stderr, "Fuzz check failed for %s %s: %s\n", request.method.left(20).constData(),
                 request.target.left(200).toPercentEncoding("/?&=").constData(),
                 qPrintable(problem));
    std::abort();
}

}  // namespace valiant::fuzz
