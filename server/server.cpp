#include "server.h"

#include "httpapi.h"
#include "httpserver.h"
#include "leaderelection.h"
#include "marketservice.h"
#include "metrics.h"
#include "quotebus.h"
#include "quotefeed.h"
#include "quotegenerator.h"
#include "ratelimiter.h"
#include "redisbus.h"
#include "storefactory.h"
#include "streamhub.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLockFile>
#include <QLoggingCategory>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcServer, "valiant.http")

bool isPostgresUrl(const QString& databaseUrl)
{
    return databaseUrl.startsWith(QLatin1String("postgres://")) ||
           databaseUrl.startsWith(QLatin1String("postgresql://"));
}

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
    // The hub outlives the feed and the bus, whose handlers call into it.
    // Quotes reach the hub only through the feed, which keeps ids gap-free.
    StreamHub hub;
    QuoteFeed feed{[this](const core::Quote& quote) { hub.broadcastQuote(quote); }};
    std::unique_ptr<QuoteBus> bus;
    std::unique_ptr<LeaderElection> election;  // null unless auto mode on PostgreSQL
    // Held while this process generates quotes into a SQLite file.
    std::unique_ptr<QLockFile> sqliteGeneratorLock;
    std::unique_ptr<Store> store;
    std::unique_ptr<MarketService> service;
    std::unique_ptr<RateLimiter> limiter;  // null when --rate-limits off
    std::unique_ptr<HttpApi> api;
    std::unique_ptr<HttpServer> http;
    std::unique_ptr<QuoteGenerator> generator;
    // Read by HttpApi on worker threads for /up.
    std::atomic<bool> generating = false;
    std::atomic<bool> generatorEnabled = false;
    bool running = false;
    int port = 0;

    // Sends stream clients their wallets again when the bus may have lost
    // changes. It reads every such account from the store, so it has its
    // own thread instead of the bus's.
    std::mutex refreshMutex;
    std::condition_variable refreshRequested;
    bool refreshDue = false;
    bool refreshStopping = false;
    std::thread walletRefresher;

    core::Result<core::Ok> openStore();
    core::Result<core::Ok> openBus();
    core::Result<core::Ok> startElection();
    core::Result<core::Ok> claimSqliteGenerator();
    QuoteGenerator::TickGate tickGate();
    QString generatorState() const;
    void requestWalletRefresh();
    void runWalletRefresher();
    void stopWalletRefresher();
    void tearDown(std::chrono::steady_clock::time_point requestedAt = std::chrono::steady_clock::now());
};

Server::Server(Config config, QObject* parent)
    : QObject(parent), d(std::make_unique<Private>(std::move(config)))
{
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

core::Result<core::Ok> Server::Private::openBus()
{
    if (config.redisUrl.isEmpty()) {
        bus = std::make_unique<LocalBus>();
    } else {
        const core::Result<RedisEndpoint> endpoint = redisEndpointFromUrl(config.redisUrl);
        if (!endpoint) {
            return endpoint.error();
        }
        bus = std::make_unique<RedisBus>(*endpoint);
    }

    QuoteFeed* quoteFeed = &feed;
    StreamHub* streamHub = &hub;
    bus->subscribe([quoteFeed](const core::Quote& quote) { quoteFeed->deliver(quote); },
                   [streamHub](std::int64_t accountId, const core::Portfolio& portfolio) {
                       streamHub->sendPortfolio(accountId, portfolio);
                   });

    {
        std::lock_guard lock(refreshMutex);
        refreshStopping = false;  // a server can start again after stop()
    }
    bus->subscribeWalletsStale([this] { requestWalletRefresh(); });
    bus->setPortfolioFilter(
        [streamHub](std::int64_t accountId) { return streamHub->hasSessionsOf(accountId); });

    // Without Redis every quote is made in this process, so nothing needs polling.
    auto* redis = dynamic_cast<RedisBus*>(bus.get());
    QuoteFeed::BusHealthy busHealthy;
    if (redis) {
        busHealthy = [redis] { return redis->state() == QLatin1String("redis"); };
    }
    feed.start(*store, config.tickMs, std::move(busHealthy));
    if (redis) {
        redis->start();
    }
    return core::Ok{};
}

core::Result<core::Ok> Server::Private::startElection()
{
    if (config.generator != GeneratorMode::Auto || !isPostgresUrl(config.databaseUrl)) {
        return core::Ok{};
    }
    election = std::make_unique<LeaderElection>(config.databaseUrl, config.tickMs);
    return election->start();
}

// SQLite has no election, so two processes generating into one file would
// each add a quote per tick. A lock file next to the database lets only one
// of them start. QLockFile takes over a lock whose process has died.
core::Result<core::Ok> Server::Private::claimSqliteGenerator()
{
    if (config.generator == GeneratorMode::Off || isPostgresUrl(config.databaseUrl)) {
        return core::Ok{};
    }
    const core::Result<QString> path = sqlitePathFromUrl(config.databaseUrl);
    if (!path) {
        return path.error();
    }

    const QString lockPath = *path + QStringLiteral(".lock");
    auto lock = std::make_unique<QLockFile>(lockPath);
    lock->setStaleLockTime(0);  // never stale by age: a server runs for months
    if (lock->tryLock(0)) {
        sqliteGeneratorLock = std::move(lock);
        return core::Ok{};
    }
    if (lock->error() != QLockFile::LockFailedError) {
        return startError(QStringLiteral("lock_failed"),
                          QStringLiteral("Failed to create the lock file %1. Check that its "
                                         "folder is writable.")
                              .arg(lockPath));
    }
    qint64 pid = 0;
    QString host;
    QString application;
    lock->getLockInfo(&pid, &host, &application);
    return startError(QStringLiteral("generator_running"),
                      QStringLiteral("Another process (%1, process %2 on %3) already generates "
                                     "quotes into %4. Stop it first, start this one with "
                                     "--generator off, or run several replicas on PostgreSQL.")
                          .arg(application.isEmpty() ? QStringLiteral("unknown") : application)
                          .arg(pid)
                          .arg(host.isEmpty() ? QStringLiteral("an unknown host") : host, *path));
}

QuoteGenerator::TickGate Server::Private::tickGate()
{
    generatorEnabled = true;

    // SQLite has one writer and no replicas, and "on" is an explicit order,
    // so without an election this process always leads.
    if (!election) {
        generating = true;
        metrics.setLeader(true);
        return {};
    }
    return [this](std::int64_t slot) {
        const bool claimed = election->claimTick(slot);
        generating = election->isLeader();
        metrics.setLeader(election->isLeader());
        return claimed;
    };
}

QString Server::Private::generatorState() const
{
    if (!generatorEnabled) {
        return QStringLiteral("off");
    }
    return generating ? QStringLiteral("leader") : QStringLiteral("follower");
}

core::Result<core::Ok> Server::start()
{
    if (d->running) {
        return startError(QStringLiteral("already_running"),
                          QStringLiteral("The server is already running on port %1.").arg(d->port));
    }

    // A taken port fails here, before a database file is created or migrated.
    if (d->config.port != 0) {
        if (const auto free = HttpServer::checkCanListen(d->config.host, d->config.port); !free) {
            return free.error();
        }
    }
    if (const core::Result<core::Ok> opened = d->openStore(); !opened) {
        d->tearDown();
        return opened.error();
    }
    if (const core::Result<core::Ok> claimed = d->claimSqliteGenerator(); !claimed) {
        d->tearDown();
        return claimed.error();
    }
    if (const core::Result<core::Ok> opened = d->openBus(); !opened) {
        d->tearDown();
        return opened.error();
    }

    d->service =
        std::make_unique<MarketService>(*d->store, *d->bus, d->metrics, d->config.startingCash,
                                        [] { return QDateTime::currentMSecsSinceEpoch(); });
    if (d->config.rateLimits.enabled) {
        d->limiter = std::make_unique<RateLimiter>(d->config.rateLimits);
    }
    d->api = std::make_unique<HttpApi>(
        *d->service, QStringLiteral(VALIANT_VERSION),
        [this] { return d->generatorState(); },
        d->limiter.get(), d->config.trustedProxies);
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

    if (d->config.generator != GeneratorMode::Off) {
        if (const core::Result<core::Ok> elected = d->startElection(); !elected) {
            d->tearDown();
            return elected.error();
        }
        d->generator = std::make_unique<QuoteGenerator>(*d->service, d->config.tickMs);
        d->generator->setTickGate(d->tickGate());
        connect(d->generator.get(), &QuoteGenerator::quoteGenerated, this, &Server::quoteGenerated);
        d->generator->start();
    }

    d->running = true;
    return core::Ok{};
}

void Server::stop(std::chrono::steady_clock::time_point requestedAt)
{
    if (!d->running) {
        return;
    }
    d->running = false;
    qCInfo(lcServer) << "Stopping the server on port" << d->port;
    d->tearDown(requestedAt);
}

void Server::Private::requestWalletRefresh()
{
    std::lock_guard lock(refreshMutex);
    if (refreshStopping)
        return;
    // Requests that arrive while a refresh runs make one more refresh.
    refreshDue = true;
    if (!walletRefresher.joinable())
        walletRefresher = std::thread([this] { runWalletRefresher(); });
    refreshRequested.notify_one();
}

void Server::Private::runWalletRefresher()
{
    std::unique_lock lock(refreshMutex);
    for (;;) {
        refreshRequested.wait(lock, [this] { return refreshDue || refreshStopping; });
        if (refreshStopping)
            return;
        refreshDue = false;
        lock.unlock();

        int failures = 0;
        hub.refreshPortfolios([&](std::int64_t accountId) -> std::optional<core::Portfolio> {
            core::Result<core::Portfolio> portfolio = store->portfolio(accountId);
            if (!portfolio) {
                ++failures;
                return std::nullopt;
            }
            return *portfolio;
        });
        if (failures > 0) {
            qCWarning(lcServer).noquote()
                << QStringLiteral("Sending stream clients their wallets again failed for %1 "
                                  "account(s) because the database is unavailable; they get "
                                  "their wallet with their next change.")
                       .arg(failures);
        }
        lock.lock();
    }
}

void Server::Private::stopWalletRefresher()
{
    {
        std::lock_guard lock(refreshMutex);
        refreshStopping = true;
    }
    refreshRequested.notify_all();
    if (walletRefresher.joinable())
        walletRefresher.join();
}

void Server::Private::tearDown(std::chrono::steady_clock::time_point requestedAt)
{
    // Generator first, so no quote is made while streams close; then the
    // network, which lets in-flight requests finish before the store goes.
    if (generator) {
        generator->stop();
    }
    if (election) {
        election->release();
    }
    generating = false;
    generatorEnabled = false;
    metrics.setLeader(false);
    if (http) {
        http->stop(requestedAt);
    }
    // Quotes still arriving from the bus are dropped from here on.
    feed.stop();
    if (auto* redis = dynamic_cast<RedisBus*>(bus.get())) {
        redis->stop();
    }
    // The bus calls no handler any more, and the refresher reads the store.
    stopWalletRefresher();
    generator.reset();
    election.reset();
    sqliteGeneratorLock.reset();  // unlocks and removes the file
    http.reset();
    api.reset();
    limiter.reset();
    service.reset();
    bus.reset();
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
