#include "server.h"

#include "httpapi.h"
#include "httpserver.h"
#include "marketservice.h"
#include "metrics.h"
#include "quotebus.h"
#include "quotegenerator.h"
#include "ratelimiter.h"
#include "storefactory.h"
#include "streamhub.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>

#include <atomic>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcServer, "valiant.http")

core::Error startError(const QString& code, const QString& message)
{
    return core::makeError(500, code, message);
}

}  // namespace

struct Server::Private
{
    explicit Private(Config config) : config(std::move(config)) {}

    Config config;
    Metrics metrics;
    // The hub outlives the bus, whose handlers call into the hub.
    StreamHub hub;
    LocalBus bus;
    std::unique_ptr<Store> store;
    std::unique_ptr<MarketService> service;
    std::unique_ptr<RateLimiter> limiter;  // null when --rate-limits off
    std::unique_ptr<HttpApi> api;
    std::unique_ptr<HttpServer> http;
    std::unique_ptr<QuoteGenerator> generator;
    // Read by HttpApi on worker threads for /up.
    std::atomic<bool> generating = false;
    bool running = false;
    int port = 0;

    core::Result<core::Ok> openStore();
    void tearDown();
};

Server::Server(Config config, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>(std::move(config)))
{
    StreamHub* hub = &d->hub;
    d->bus.subscribe([hub](const core::Quote& quote) { hub->broadcastQuote(quote); },
                     [hub](std::int64_t accountId, const core::Portfolio& portfolio) {
                         hub->sendPortfolio(accountId, portfolio);
                     });
}

Server::~Server()
{
    stop();
}

core::Result<core::Ok> Server::Private::openStore()
{
    const core::Result<int> slowStatementMs = slowStatementMsFromEnvironment();
    if (!slowStatementMs) {
        return slowStatementMs.error();
    }

    // One connection per worker thread, plus two for callers on other
    // threads such as the generator.
    auto opened =
        server::openStore(config.databaseUrl, StoreOptions{config.workerThreads + 2, *slowStatementMs});
    if (!opened) {
        return opened.error();
    }
    store = std::move(opened).value();

    const core::Result<core::Ok> migrated = store->migrate();
    if (!migrated) {
        return migrated.error();
    }
    return core::Ok{};
}

core::Result<core::Ok> Server::start()
{
    if (d->running) {
        return startError(QStringLiteral("already_running"),
                          QStringLiteral("The server is already running on port %1.").arg(d->port));
    }

    if (const core::Result<core::Ok> opened = d->openStore(); !opened) {
        d->tearDown();
        return opened.error();
    }

    d->service =
        std::make_unique<MarketService>(*d->store, d->bus, d->metrics, d->config.startingCash,
                                        [] { return QDateTime::currentMSecsSinceEpoch(); });
    std::atomic<bool>* generating = &d->generating;
    if (d->config.rateLimits.enabled) {
        d->limiter = std::make_unique<RateLimiter>(d->config.rateLimits);
    }
    d->api = std::make_unique<HttpApi>(
        *d->service, QStringLiteral(VALIANT_VERSION),
        [generating] { return generating->load() ? QStringLiteral("leader") : QStringLiteral("off"); },
        d->limiter.get());
    d->http = std::make_unique<HttpServer>(*d->api, d->hub, *d->service, d->metrics,
                                           d->config.ioThreads, d->config.workerThreads);
    d->http->setLimits(HttpServer::Limits{d->config.requestTimeoutSeconds,
                                          d->config.idleTimeoutSeconds,
                                          d->config.maxConnectionsPerAddress});

    const core::Result<int> bound = d->http->listen(d->config.host, d->config.port);
    if (!bound) {
        d->tearDown();
        return bound.error();
    }
    d->port = *bound;

    // SQLite has one writer and no replicas, so this process is always the
    // leader unless generation is switched off.
    if (d->config.generator != GeneratorMode::Off) {
        d->generator = std::make_unique<QuoteGenerator>(*d->service, d->config.tickMs);
        connect(d->generator.get(), &QuoteGenerator::quoteGenerated, this, &Server::quoteGenerated);
        d->generator->start();
        d->generating = true;
        d->metrics.setLeader(true);
    }

    d->running = true;
    return core::Ok{};
}

void Server::stop()
{
    if (!d->running) {
        return;
    }
    d->running = false;
    qCInfo(lcServer) << "Stopping the server on port" << d->port;
    d->tearDown();
}

void Server::Private::tearDown()
{
    // Generator first, so no quote is made while streams close; then the
    // network, which lets in-flight requests finish before the store goes.
    if (generator) {
        generator->stop();
    }
    generating = false;
    metrics.setLeader(false);
    if (http) {
        http->stop();
    }
    generator.reset();
    http.reset();
    api.reset();
    limiter.reset();
    service.reset();
    store.reset();
}

bool Server::isRunning() const
{
    return d->running;
}

int Server::port() const
{
    return d->port;
}

MarketService& Server::service()
{
    // NOTE: valid only between a successful start() and stop(); the service
    // refers to the store, which stop() closes.
    Q_ASSERT(d->service);
    return *d->service;
}

}  // namespace valiant::server
