#include "config.h"

#include <QDir>
#include <QHostAddress>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

#include <optional>

namespace valiant::server {

using core::Error;
using core::makeError;
using core::Money;
using core::Result;

namespace {

constexpr int minTickMs = 10;
constexpr int maxTickMs = 3'600'000;
constexpr int maxIoThreads = 64;
constexpr int maxWorkerThreads = 256;
constexpr int maxTimeoutSeconds = 3600;
constexpr int maxConnectionsCap = 1'000'000;
constexpr int maxTrustedProxies = 8;

Error configError(const QString& message)
{
    return makeError(400, QStringLiteral("invalid_configuration"), message);
}

/// A raw setting and its source for error messages ("--port" or "PORT").
struct Setting
{
    QString value;
    QString source;
};

/// The options that take a value, each with its environment variable fallback.
struct Option
{
    const char* flag;
    const char* environment;
};

constexpr Option valueOptions[] = {
    {"--host", "HOST"},
    {"--port", "PORT"},
    {"--database", "DATABASE_URL"},
    {"--redis", "REDIS_URL"},
    {"--generator", "VALIANT_GENERATOR"},
    {"--tick-ms", "VALIANT_TICK_MS"},
    {"--starting-cash", "VALIANT_STARTING_CASH"},
    {"--log-format", "LOG_FORMAT"},
    {"--io-threads", "VALIANT_IO_THREADS"},
    {"--workers", "VALIANT_WORKERS"},
    {"--rate-limits", "VALIANT_RATE_LIMITS"},
    {"--request-timeout", "VALIANT_REQUEST_TIMEOUT"},
    {"--idle-timeout", "VALIANT_IDLE_TIMEOUT"},
    {"--max-connections-per-address", "VALIANT_MAX_CONNECTIONS_PER_ADDRESS"},
    {"--trusted-proxies", "VALIANT_TRUSTED_PROXIES"},
};

const Option* findOption(const QString& flag)
{
    for (const Option& option : valueOptions) {
        if (flag == QLatin1String(option.flag)) {
            return &option;
        }
    }
    return nullptr;
}

Result<int> parseIntSetting(const Setting& setting, int minimum, int maximum)
{
    bool ok = false;
    const int value = setting.value.trimmed().toInt(&ok);
    if (!ok || value < minimum || value > maximum) {
        return configError(
            QStringLiteral("Invalid %1 value \"%2\": use a whole number from %3 to %4.")
                .arg(setting.source, setting.value)
                .arg(minimum)
                .arg(maximum));
    }
    return value;
}

Result<QString> parseHost(const Setting& setting)
{
    const QString host = setting.value.trimmed();
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0) {
        return QStringLiteral("127.0.0.1");
    }
    if (QHostAddress(host).isNull()) {
        return configError(
            QStringLiteral("Invalid %1 value \"%2\": use an IP address such as 127.0.0.1, "
                           "0.0.0.0 or ::.")
                .arg(setting.source, setting.value));
    }
    return host;
}

Result<GeneratorMode> parseGenerator(const Setting& setting)
{
    const QString mode = setting.value.trimmed().toLower();
    if (mode == QLatin1String("auto")) {
        return GeneratorMode::Auto;
    }
    if (mode == QLatin1String("on")) {
        return GeneratorMode::On;
    }
    if (mode == QLatin1String("off")) {
        return GeneratorMode::Off;
    }
    return configError(QStringLiteral("Invalid %1 value \"%2\": use auto, on or off.")
                           .arg(setting.source, setting.value));
}

Result<LogFormat> parseLogFormat(const Setting& setting)
{
    const QString format = setting.value.trimmed().toLower();
    if (format == QLatin1String("text")) {
        return LogFormat::Text;
    }
    if (format == QLatin1String("json")) {
        return LogFormat::Json;
    }
    return configError(QStringLiteral("Invalid %1 value \"%2\": use text or json.")
                           .arg(setting.source, setting.value));
}

Result<Money> parseStartingCash(const Setting& setting)
{
    const Result<Money> cash = Money::parse(setting.value.trimmed());
    if (!cash.ok() || cash->cents() < 0) {
        return configError(
            QStringLiteral("Invalid %1 value \"%2\": use a non-negative dollar amount with two "
                           "decimals, such as 100.00.")
                .arg(setting.source, setting.value));
    }
    return cash.value();
}

bool isPostgresUrl(const QString& url)
{
    return url.startsWith(QLatin1String("postgres://")) ||
           url.startsWith(QLatin1String("postgresql://"));
}

QString defaultDatabaseUrl()
{
    const QString directory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QStringLiteral("sqlite://") +
           QDir(directory).absoluteFilePath(QStringLiteral("valiant.sqlite3"));
}

/// Checks the shape of a postgres:// URL: a host and a database name.
/// libpq checks the rest when it connects. Messages leave the URL out,
/// because it may carry a password.
Result<QString> checkPostgresUrl(const QString& url)
{
    const QString usage = QStringLiteral("use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE");
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid()) {
        return configError(QStringLiteral("the PostgreSQL URL is malformed; %1.").arg(usage));
    }
    if (parsed.host().isEmpty()) {
        return configError(QStringLiteral("the PostgreSQL URL has no host; %1.").arg(usage));
    }
    if (parsed.path().size() < 2 || parsed.path().indexOf(QLatin1Char('/'), 1) >= 0) {
        return configError(
            QStringLiteral("the PostgreSQL URL names no database (the path after the host); %1.")
                .arg(usage));
    }
    return url;
}

Result<QString> parseDatabaseUrl(const Setting& setting)
{
    const QString url = setting.value.trimmed();
    if (isPostgresUrl(url)) {
        const Result<QString> checked = checkPostgresUrl(url);
        if (!checked.ok()) {
            return configError(
                QStringLiteral("Invalid %1 value: %2").arg(setting.source, checked.error().message));
        }
        return url;
    }
    if (!url.startsWith(QLatin1String("sqlite://"))) {
        return configError(QStringLiteral("Invalid %1 value: \"%2\" is not a database URL; use "
                                          "sqlite:///ABSOLUTE/PATH or "
                                          "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE.")
                               .arg(setting.source, url));
    }
    const Result<QString> path = sqlitePathFromUrl(url);
    if (!path.ok()) {
        return configError(
            QStringLiteral("Invalid %1 value: %2").arg(setting.source, path.error().message));
    }
    return url;
}

Result<QString> parseRedisUrl(const Setting& setting)
{
    const QString url = setting.value.trimmed();
    const Result<RedisEndpoint> endpoint = redisEndpointFromUrl(url);
    if (!endpoint.ok()) {
        // Shown without its password, so the message can go to logs. QUrl
        // writes no text for a URL it cannot parse, so there the password is
        // cut out by hand.
        const QUrl parsed(url);
        static const QRegularExpression password(QStringLiteral("^([a-z]+://[^:@/]*):[^@/]*@"));
        QString redacted = url;
        if (!parsed.isValid()) {
            redacted.replace(password, QStringLiteral("\\1@"));
        } else if (!parsed.password().isEmpty()) {
            redacted = parsed.toString(QUrl::RemovePassword);
        }
        return configError(QStringLiteral("Invalid %1 value \"%2\": %3")
                               .arg(setting.source, redacted, endpoint.error().message));
    }
    return url;
}

/// Applies one value option to `config`.
Result<core::Ok> applySetting(Config& config, const QString& flag, const Setting& setting)
{
    auto assign = [](auto& target, auto result) -> Result<core::Ok> {
        if (!result.ok()) {
            return result.error();
        }
        target = std::move(result).value();
        return core::Ok{};
    };

    if (flag == QLatin1String("--host")) {
        return assign(config.host, parseHost(setting));
    }
    if (flag == QLatin1String("--port")) {
        return assign(config.port, parseIntSetting(setting, 0, 65535));
    }
    if (flag == QLatin1String("--database")) {
        return assign(config.databaseUrl, parseDatabaseUrl(setting));
    }
    if (flag == QLatin1String("--redis")) {
        return assign(config.redisUrl, parseRedisUrl(setting));
    }
    if (flag == QLatin1String("--generator")) {
        return assign(config.generator, parseGenerator(setting));
    }
    if (flag == QLatin1String("--tick-ms")) {
        return assign(config.tickMs, parseIntSetting(setting, minTickMs, maxTickMs));
    }
    if (flag == QLatin1String("--starting-cash")) {
        return assign(config.startingCash, parseStartingCash(setting));
    }
    if (flag == QLatin1String("--log-format")) {
        return assign(config.logFormat, parseLogFormat(setting));
    }
    if (flag == QLatin1String("--io-threads")) {
        return assign(config.ioThreads, parseIntSetting(setting, 1, maxIoThreads));
    }
    if (flag == QLatin1String("--workers")) {
        return assign(config.workerThreads, parseIntSetting(setting, 1, maxWorkerThreads));
    }
    if (flag == QLatin1String("--rate-limits")) {
        Result<RateLimitSettings> limits = parseRateLimitSettings(setting.value);
        if (!limits) {
            // The parser names the flag, so name the variable when the value came from it.
            core::Error error = limits.error();
            error.message.replace(QStringLiteral("--rate-limits"), setting.source);
            return assign(config.rateLimits, Result<RateLimitSettings>(error));
        }
        return assign(config.rateLimits, std::move(limits));
    }
    if (flag == QLatin1String("--request-timeout")) {
        return assign(config.requestTimeoutSeconds, parseIntSetting(setting, 1, maxTimeoutSeconds));
    }
    if (flag == QLatin1String("--idle-timeout")) {
        return assign(config.idleTimeoutSeconds, parseIntSetting(setting, 1, maxTimeoutSeconds));
    }
    if (flag == QLatin1String("--max-connections-per-address")) {
        return assign(config.maxConnectionsPerAddress,
                      parseIntSetting(setting, 0, maxConnectionsCap));
    }
    if (flag == QLatin1String("--trusted-proxies")) {
        return assign(config.trustedProxies, parseIntSetting(setting, 0, maxTrustedProxies));
    }
    return configError(QStringLiteral("Unknown option %1.").arg(flag));
}

/// Checks the positional arguments: the sub-command and its arguments.
Result<core::Ok> checkCommand(const Config& config)
{
    static const QStringList plainCommands = {QStringLiteral("serve"), QStringLiteral("migrate"),
                                              QStringLiteral("healthcheck")};
    if (plainCommands.contains(config.command)) {
        if (!config.commandArguments.isEmpty()) {
            return configError(QStringLiteral("Unexpected argument \"%1\" after %2; run "
                                              "valiant-server --help for the usage.")
                                   .arg(config.commandArguments.first(), config.command));
        }
        return core::Ok{};
    }

    if (config.command == QLatin1String("account")) {
        if (config.commandArguments.size() != 2 ||
            config.commandArguments.first() != QLatin1String("create")) {
            return configError(QStringLiteral(
                "Invalid account command: use \"valiant-server account create NAME\" and type "
                "the password on standard input."));
        }
        return core::Ok{};
    }

    return configError(QStringLiteral("Unknown command \"%1\": use serve, migrate, healthcheck or "
                                      "account create NAME.")
                           .arg(config.command));
}

}  // namespace

Result<Config> parseConfig(const QStringList& arguments,
                           const std::function<QString(const char*)>& environment)
{
    Config config;
    QStringList positional;
    QStringList flagsGiven;

    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString& argument = arguments.at(i);

        if (argument == QLatin1String("--help") || argument == QLatin1String("-h")) {
            config.showHelp = true;
            continue;
        }
        if (argument == QLatin1String("--version")) {
            config.showVersion = true;
            continue;
        }
        if (!argument.startsWith(QLatin1String("--"))) {
            positional.append(argument);
            continue;
        }

        // Both "--port 3000" and "--port=3000".
        QString flag = argument;
        std::optional<QString> inlineValue;
        const qsizetype equals = argument.indexOf(QLatin1Char('='));
        if (equals > 0) {
            flag = argument.left(equals);
            inlineValue = argument.mid(equals + 1);
        }

        if (findOption(flag) == nullptr) {
            return configError(
                QStringLiteral(
                    "Unknown option %1; run valiant-server --help for the list of options.")
                    .arg(flag));
        }

        QString value;
        if (inlineValue) {
            value = *inlineValue;
        } else if (i + 1 < arguments.size()) {
            value = arguments.at(++i);
        } else {
            return configError(
                QStringLiteral("Missing value after %1; run valiant-server --help for "
                               "its format.")
                    .arg(flag));
        }

        const Result<core::Ok> applied = applySetting(config, flag, Setting{value, flag});
        if (!applied.ok()) {
            return applied.error();
        }
        flagsGiven.append(flag);
    }

    // Environment variables fill in what no flag set. An empty variable
    // counts as absent, as shells and container runtimes often export them.
    for (const Option& option : valueOptions) {
        const QString flag = QLatin1String(option.flag);
        if (flagsGiven.contains(flag)) {
            continue;
        }
        const QString value = environment ? environment(option.environment) : QString();
        if (value.isEmpty()) {
            continue;
        }
        const Result<core::Ok> applied =
            applySetting(config, flag, Setting{value, QLatin1String(option.environment)});
        if (!applied.ok()) {
            return applied.error();
        }
    }

    if (!positional.isEmpty()) {
        config.command = positional.takeFirst();
        config.commandArguments = positional;
    }
    if (!config.showHelp && !config.showVersion) {
        const Result<core::Ok> command = checkCommand(config);
        if (!command.ok()) {
            return command.error();
        }
    }

    if (config.databaseUrl.isEmpty()) {
        config.databaseUrl = defaultDatabaseUrl();
    }
    // "on" skips the election, so beside the elected replica it would make
    // a second quote every tick.
    const bool onPostgres = config.databaseUrl.startsWith(QLatin1String("postgres://")) ||
                            config.databaseUrl.startsWith(QLatin1String("postgresql://"));
    if (onPostgres && config.generator == GeneratorMode::On) {
        return configError(QStringLiteral(
            "--generator on (VALIANT_GENERATOR=on) is for a server on SQLite. On PostgreSQL the "
            "replicas elect one generator: use auto (the default), or off for a replica that "
            "never generates."));
    }
    return config;
}

QString helpText()
{
    const QString defaultDatabase = defaultDatabaseUrl();
    return QStringLiteral(
               "Usage: valiant-server [COMMAND] [OPTIONS]\n"
               "\n"
               "Valiant's headless server: the HTTP and WebSocket API of the live trading "
               "simulator.\n"
               "\n"
               "Commands:\n"
               "  serve                 Migrate the database and serve the API (default).\n"
               "  migrate               Create or upgrade the database schema, then exit.\n"
               "  healthcheck           Exit 0 when GET http://127.0.0.1:PORT/up returns 200, "
               "else 1.\n"
               "  account create NAME   Create an account; reads its password from standard "
               "input.\n"
               "\n"
               "Options (each falls back to the environment variable in brackets):\n"
               "  --host ADDRESS        IP address to listen on [HOST] (default 127.0.0.1).\n"
               "  --port N              TCP port, 0 picks a free one [PORT] (default 3000).\n"
               "  --database URL        sqlite:///ABSOLUTE/PATH or\n"
               "                        postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE\n"
               "                        [DATABASE_URL] (default %1).\n"
               "  --redis URL           redis://HOST:PORT for fan-out between replicas "
               "[REDIS_URL]\n"
               "                        (default: none, quotes stay in this process).\n"
               "  --generator MODE      auto, on or off: whether this process makes quotes\n"
               "                        [VALIANT_GENERATOR] (default auto; on is for SQLite\n"
               "                        only, replicas on PostgreSQL elect one with auto).\n"
               "  --tick-ms N           Milliseconds between quotes, %2 to %3 [VALIANT_TICK_MS]\n"
               "                        (default 1000).\n"
               "  --starting-cash USD   Cash of a new account, such as 100.00\n"
               "                        [VALIANT_STARTING_CASH] (default 100.00).\n"
               "  --log-format FORMAT   text or json (one JSON object per line) [LOG_FORMAT]\n"
               "                        (default text).\n"
               "  --io-threads N        Network threads, 1 to %4 [VALIANT_IO_THREADS] (default "
               "2).\n"
               "  --workers N           Threads for HTTP requests and database work, 1 to %5\n"
               "                        [VALIANT_WORKERS] (default 4).\n"
               "  --rate-limits SPEC    on, off, or NAME=COUNT/SECONDS[:BURST],... to change the\n"
               "                        per-process limits login-username (failed log-ins,\n"
               "                        5/60), login-address (30/60), signup-address\n"
               "                        (10/3600), orders (10/1:20) and praise (10/1:20)\n"
               "                        [VALIANT_RATE_LIMITS] (default on).\n"
               "  --request-timeout S   Seconds a client has to send a request's headers and\n"
               "                        body, 1 to %6 [VALIANT_REQUEST_TIMEOUT] (default 30).\n"
               "  --idle-timeout S      Seconds an idle keep-alive connection stays open, 1 to\n"
               "                        %6 [VALIANT_IDLE_TIMEOUT] (default 75).\n"
               "  --max-connections-per-address N\n"
               "                        Open connections one client address may hold, 0 for\n"
               "                        no cap [VALIANT_MAX_CONNECTIONS_PER_ADDRESS] (default 0;\n"
               "                        keep 0 behind a load balancer).\n"
               "  --trusted-proxies N   Proxies in front of the server that append to\n"
               "                        X-Forwarded-For, 0 to 8; per-address rate limits then\n"
               "                        count the address the outermost one saw\n"
               "                        [VALIANT_TRUSTED_PROXIES] (default 0: the TCP peer).\n"
               "                        Only for a server that clients can reach through\n"
               "                        those proxies alone: anyone who connects directly\n"
               "                        can write their own X-Forwarded-For.\n"
               "  -h, --help            Print this help and exit.\n"
               "  --version             Print the version and exit.\n"
               "\n"
               "On SIGTERM or SIGINT the server closes streams, finishes in-flight requests and "
               "exits within 10 seconds.\n")
        .arg(defaultDatabase)
        .arg(minTickMs)
        .arg(maxTickMs)
        .arg(maxIoThreads)
        .arg(maxWorkerThreads)
        .arg(maxTimeoutSeconds);
}

Result<RedisEndpoint> redisEndpointFromUrl(const QString& url)
{
    // The URL itself is left out of messages because it may carry a password.
    const QString usage = QStringLiteral("use redis://HOST:PORT or redis://HOST:PORT/DB");
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.scheme() != QLatin1String("redis")) {
        // QUrl rejects the whole URL for a port out of range, so name the port.
        static const QRegularExpression portPattern(
            QStringLiteral("^redis://(?:[^@/?#]*@)?(?:\\[[^\\]]*\\]|[^:/?#\\[]*):([^/?#]*)"));
        const QRegularExpressionMatch portMatch = portPattern.match(url);
        if (portMatch.hasMatch()) {
            const QString portText = portMatch.captured(1);
            bool isNumber = !portText.isEmpty();
            for (const QChar c : portText) {
                isNumber = isNumber && c.isDigit() && c.unicode() < 0x80;
            }
            const int portNumber = isNumber && portText.size() <= 9 ? portText.toInt() : -1;
            if (portNumber < 1 || portNumber > 65535) {
                return configError(QStringLiteral("the Redis port \"%1\" is %2; use a port from 1 "
                                                  "to 65535.")
                                       .arg(portText.left(20),
                                            isNumber ? QStringLiteral("out of range")
                                                     : QStringLiteral("not a number")));
            }
        }
        return configError(QStringLiteral("not a redis:// URL; %1.").arg(usage));
    }
    if (parsed.host().isEmpty()) {
        return configError(QStringLiteral("the Redis URL has no host; %1.").arg(usage));
    }
    if (parsed.hasQuery() || parsed.hasFragment()) {
        return configError(
            QStringLiteral("the Redis URL has a query or fragment, which is not supported; %1.")
                .arg(usage));
    }

    RedisEndpoint endpoint;
    endpoint.host = parsed.host();
    endpoint.port = parsed.port(6379);
    if (endpoint.port <= 0) {
        return configError(QStringLiteral("the Redis port \"%1\" is out of range; use a port from 1 "
                                          "to 65535.")
                               .arg(endpoint.port));
    }

    // The path is empty, "/" or "/DB" with DB a database number (Redis has 16 by default).
    const QString path = parsed.path();
    if (!path.isEmpty() && path != QLatin1String("/")) {
        bool ok = false;
        const int database = path.mid(1).toInt(&ok);
        if (!ok || database < 0 || database > 1'000'000) {
            return configError(
                QStringLiteral("the Redis database \"%1\" is not a number such as 0; %2.")
                    .arg(path.mid(1), usage));
        }
        endpoint.database = database;
    }

    endpoint.username = parsed.userName();
    endpoint.password = parsed.password();
    if (!endpoint.username.isEmpty() && endpoint.password.isEmpty()) {
        return configError(QStringLiteral(
            "the Redis URL names a user but no password; use redis://USER:PASSWORD@HOST:PORT."));
    }
    return endpoint;
}

Result<QString> sqlitePathFromUrl(const QString& url)
{
    if (isPostgresUrl(url)) {
        return makeError(400, QStringLiteral("unsupported_database"),
                         QStringLiteral("a postgres:// URL names a PostgreSQL database, not a "
                                        "SQLite file; use sqlite:///ABSOLUTE/PATH here."));
    }

    const QLatin1String prefix("sqlite://");
    if (!url.startsWith(prefix)) {
        return configError(
            QStringLiteral("\"%1\" is not a database URL; use sqlite:///ABSOLUTE/PATH.").arg(url));
    }

    // sqlite:///var/lib/valiant.db: the empty host leaves an absolute path.
    const QString path = url.mid(prefix.size());
    if (!path.startsWith(QLatin1Char('/')) || path.size() < 2 || path.endsWith(QLatin1Char('/'))) {
        return configError(QStringLiteral("\"%1\" does not name an absolute file path; use "
                                          "sqlite:///ABSOLUTE/PATH (three slashes).")
                               .arg(url));
    }
    return QDir::cleanPath(path);
}

}  // namespace valiant::server
