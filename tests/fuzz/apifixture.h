#pragma once

// ApiFixture: a real HttpApi for the fuzz targets of the request path. It
// serves from a MarketService over a SQLite file in a temporary directory,
// with 30 quotes over 5 minutes, one logged-in account and the server's
// default rate limits. Its clocks stand still, so every input runs at the
// same time.
//
// NOTE: the store and the rate limiter keep what earlier inputs did (new
// accounts, orders, spent rate-limit tokens). After 20 orders or 20 praises
// every further one gets 429, which keeps the database small but means a
// crash input that places an order may need the inputs before it to repeat.

#include "server/httpapi.h"

#include <QByteArray>
#include <QTemporaryDir>

#include <cstdint>
#include <memory>

namespace valiant::server {
class LocalBus;
class MarketService;
class Metrics;
class RateLimiter;
class SqliteStore;
}  // namespace valiant::server

namespace valiant::fuzz {

class ApiFixture
{
public:
    /// The first quote's time, 2026-09-21T14:13:00Z.
    static constexpr std::int64_t firstQuoteMs = 1'789'999'980'000;
    // Few quotes keep each input fast: under ASan every JSON value of a
    // response costs several microseconds of allocation.
    static constexpr int quoteCount = 30;
    static constexpr std::int64_t quoteSpacingMs = 10'000;
    /// The service's clock: one spacing after the last quote, 14:18:00Z.
    static constexpr std::int64_t nowMs = firstQuoteMs + quoteCount * quoteSpacingMs;
    /// Inputs write this where the fixture's bearer token belongs.
    static constexpr const char* tokenPlaceholder = "$TOKEN";

    /// Opens the store and fills it; stops the process with qFatal when that
    /// fails, because no input could be fuzzed without it.
    ApiFixture();
    ~ApiFixture();

    server::HttpApi& api() { return *m_api; }
    const QByteArray& token() const { return m_token; }

    /// Handles `request`, checks the response (see checkResponse) and starts
    /// a new session when the request logged the fixture's token out.
    server::HttpResponse handle(const server::HttpRequest& request);

    /// Validates a WebSocket upgrade request and checks that it is accepted,
    /// with a 401 at most for its token, or rejected with an error response
    /// that passes checkResponse.
    void acceptStream(const server::HttpRequest& request);

private:
    void renewToken();

    QTemporaryDir m_directory;
    std::unique_ptr<server::SqliteStore> m_store;
    std::unique_ptr<server::LocalBus> m_bus;
    std::unique_ptr<server::Metrics> m_metrics;
    std::unique_ptr<server::MarketService> m_service;
    std::unique_ptr<server::RateLimiter> m_limiter;
    std::unique_ptr<server::HttpApi> m_api;
    std::int64_t m_clockMs = firstQuoteMs;
    QByteArray m_token;
};

/// Aborts with a message naming the request when `response` breaks a rule
/// of every API response. The rules: a status from 200 to 599 but never
/// 500, which means a handler threw or the store failed. No CR or LF in a
/// header, no body for HEAD or 204, and a JSON object body whose error has
/// a code and a message when the status is 400 or more.
void checkResponse(const server::HttpRequest& request, const server::HttpResponse& response);

/// Aborts when a response that HttpServer sends before HttpApi handles the
/// request has a status other than 400, 413, 431 or 501, or a body without
/// an error code and message. Such rejections of a parse failure or a body
/// of unknown length may have a body even for HEAD, because the connection
/// closes after them.
void checkRejection(const server::HttpRequest& request, const server::HttpResponse& response);

/// Prints `problem` with the request and aborts, so that libFuzzer saves
/// the input as a crash.
[[noreturn]] void failCheck(const server::HttpRequest& request, const QString& problem);

}  // namespace valiant::fuzz
