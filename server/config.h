#pragma once

// Server configuration from command-line flags with environment fallbacks
// (twelve-factor style). Parsing never exits the process: it returns an
// error that names the bad value and what to do.

#include "core/money.h"
#include "core/result.h"
#include "ratelimiter.h"

#include <QString>
#include <QStringList>

#include <functional>

namespace valiant::server {

enum class GeneratorMode { Auto, On, Off };
enum class LogFormat { Text, Json };

struct Config
{
    QString command = QStringLiteral("serve");  // serve, migrate, healthcheck, account
    QStringList commandArguments;               // e.g. account create NAME
    QString host = QStringLiteral("127.0.0.1"); // --host / HOST
    int port = 3000;                            // --port / PORT; 0 picks a free port
    QString databaseUrl;                        // --database / DATABASE_URL
    QString redisUrl;                           // --redis / REDIS_URL; empty: local bus
    GeneratorMode generator = GeneratorMode::Auto;
    int tickMs = 1000;                          // --tick-ms / VALIANT_TICK_MS
    core::Money startingCash = core::Money::fromCents(100'00);
    LogFormat logFormat = LogFormat::Text;
    int ioThreads = 2;                          // --io-threads / VALIANT_IO_THREADS
    int workerThreads = 4;                      // --workers / VALIANT_WORKERS
    RateLimitSettings rateLimits;               // --rate-limits / VALIANT_RATE_LIMITS
    int requestTimeoutSeconds = 30;             // --request-timeout / VALIANT_REQUEST_TIMEOUT
    int idleTimeoutSeconds = 75;                // --idle-timeout / VALIANT_IDLE_TIMEOUT
    int maxConnectionsPerAddress = 0;           // --max-connections-per-address; 0: no cap
    int trustedProxies = 0;  // --trusted-proxies: X-Forwarded-For entries added by our own proxies
    bool showHelp = false;
    bool showVersion = false;
};

/// Parses `arguments` (argv including the program name) with `environment`
/// lookups as fallbacks for flags that are absent.
core::Result<Config> parseConfig(const QStringList& arguments,
                                 const std::function<QString(const char*)>& environment);

QString helpText();

/// Where the Redis bus connects, from redis://[[USER]:PASSWORD@]HOST[:PORT][/DB].
struct RedisEndpoint
{
    QString host;
    int port = 6379;
    int database = 0;
    QString username;  // empty: the default user
    QString password;  // empty: no AUTH
};

/// The endpoint of a redis:// URL, or an error naming the bad part.
core::Result<RedisEndpoint> redisEndpointFromUrl(const QString& url);

/// The SQLite file path of a sqlite:///ABS/PATH URL, or an error.
core::Result<QString> sqlitePathFromUrl(const QString& url);

}  // namespace valiant::server
