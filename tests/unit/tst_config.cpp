#include "server/config.h"

#include <QHash>
#include <QTest>

using valiant::core::Money;
using valiant::server::Config;
using valiant::server::GeneratorMode;
using valiant::server::LogFormat;
using valiant::server::parseConfig;
using valiant::server::sqlitePathFromUrl;

using Environment = QHash<QString, QString>;

namespace {

valiant::core::Result<Config> parse(const QStringList& flags, const Environment& environment = {})
{
    return parseConfig(
        QStringList{QStringLiteral("valiant-server")} + flags,
        [&environment](const char* name) { return environment.value(QString::fromLatin1(name)); });
}

}  // namespace

class TestConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void flagsSetEverything();
    void flagsWithEqualsSign();
    void environmentFallbacks();
    void flagOverridesEnvironment();
    void emptyEnvironmentIsAbsent();
    void localhostMeansLoopback();
    void badValues_data();
    void badValues();
    void commands_data();
    void commands();
    void badCommands_data();
    void badCommands();
    void helpAndVersion();
    void helpTextNamesEveryOption();
    void sqlitePath_data();
    void sqlitePath();
    void sqlitePathRejects_data();
    void sqlitePathRejects();
    void postgresUrlAccepted_data();
    void postgresUrlAccepted();
    void generatorOnRejectedOnPostgres();
    void redisPortNamed_data();
    void redisPortNamed();
};

void TestConfig::defaults()
{
    const auto config = parse({});
    QVERIFY(config.ok());
    QCOMPARE(config->command, QStringLiteral("serve"));
    QVERIFY(config->commandArguments.isEmpty());
    QCOMPARE(config->host, QStringLiteral("127.0.0.1"));
    QCOMPARE(config->port, 3000);
    QVERIFY(config->redisUrl.isEmpty());
    QCOMPARE(config->generator, GeneratorMode::Auto);
    QCOMPARE(config->tickMs, 1000);
    QCOMPARE(config->startingCash, Money::fromCents(10000));
    QCOMPARE(config->logFormat, LogFormat::Text);
    QCOMPARE(config->ioThreads, 2);
    QCOMPARE(config->workerThreads, 4);
    QVERIFY(!config->showHelp);
    QVERIFY(!config->showVersion);

    // The default database is a SQLite file in the per-user data folder.
    QVERIFY2(config->databaseUrl.startsWith(QLatin1String("sqlite:///")),
             qPrintable(config->databaseUrl));
    QVERIFY(sqlitePathFromUrl(config->databaseUrl).ok());
}

void TestConfig::flagsSetEverything()
{
    const auto config = parse({"--host",          "0.0.0.0",
                               "--port",          "0",
                               "--database",      "sqlite:///var/lib/v.db",
                               "--redis",         "redis://cache:6379",
                               "--generator",     "off",
                               "--tick-ms",       "250",
                               "--starting-cash", "12.34",
                               "--log-format",    "json",
                               "--io-threads",    "3",
                               "--workers",       "8",
                               "--trusted-proxies", "1"});
    QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error().message));
    QCOMPARE(config->host, QStringLiteral("0.0.0.0"));
    QCOMPARE(config->port, 0);
    QCOMPARE(config->databaseUrl, QStringLiteral("sqlite:///var/lib/v.db"));
    QCOMPARE(config->redisUrl, QStringLiteral("redis://cache:6379"));
    QCOMPARE(config->generator, GeneratorMode::Off);
    QCOMPARE(config->tickMs, 250);
    QCOMPARE(config->startingCash, Money::fromCents(1234));
    QCOMPARE(config->logFormat, LogFormat::Json);
    QCOMPARE(config->ioThreads, 3);
    QCOMPARE(config->workerThreads, 8);
    QCOMPARE(config->trustedProxies, 1);
}

void TestConfig::flagsWithEqualsSign()
{
    const auto config = parse({"--port=4000", "--generator=ON", "--starting-cash=0.00"});
    QVERIFY(config.ok());
    QCOMPARE(config->port, 4000);
    QCOMPARE(config->generator, GeneratorMode::On);
    QCOMPARE(config->startingCash, Money());
}

void TestConfig::environmentFallbacks()
{
    const Environment environment{{"HOST", "::1"},
                                  {"PORT", "8080"},
                                  {"DATABASE_URL", "sqlite:///tmp/env.db"},
                                  {"REDIS_URL", "redis://127.0.0.1:6380"},
                                  {"VALIANT_GENERATOR", "on"},
                                  {"VALIANT_TICK_MS", "500"},
                                  {"VALIANT_STARTING_CASH", "1000.00"},
                                  {"LOG_FORMAT", "json"},
                                  {"VALIANT_IO_THREADS", "1"},
                                  {"VALIANT_WORKERS", "2"}};
    const auto config = parse({}, environment);
    QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error().message));
    QCOMPARE(config->host, QStringLiteral("::1"));
    QCOMPARE(config->port, 8080);
    QCOMPARE(config->databaseUrl, QStringLiteral("sqlite:///tmp/env.db"));
    QCOMPARE(config->redisUrl, QStringLiteral("redis://127.0.0.1:6380"));
    QCOMPARE(config->generator, GeneratorMode::On);
    QCOMPARE(config->tickMs, 500);
    QCOMPARE(config->startingCash, Money::fromCents(100000));
    QCOMPARE(config->logFormat, LogFormat::Json);
    QCOMPARE(config->ioThreads, 1);
    QCOMPARE(config->workerThreads, 2);
}

void TestConfig::flagOverridesEnvironment()
{
    // A bad variable does not matter when the flag replaces it.
    const auto config = parse({"--port", "5000"}, {{"PORT", "not-a-port"}});
    QVERIFY(config.ok());
    QCOMPARE(config->port, 5000);
}

void TestConfig::emptyEnvironmentIsAbsent()
{
    const auto config = parse({}, {{"PORT", ""}, {"LOG_FORMAT", ""}});
    QVERIFY(config.ok());
    QCOMPARE(config->port, 3000);
    QCOMPARE(config->logFormat, LogFormat::Text);
}

void TestConfig::localhostMeansLoopback()
{
    const auto config = parse({"--host", "localhost"});
    QVERIFY(config.ok());
    QCOMPARE(config->host, QStringLiteral("127.0.0.1"));
}

void TestConfig::badValues_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expectedSource");

    auto row = [](const char* name, const QString& flag, const QString& variable,
                  const QString& value) {
        QTest::newRow((QByteArray(name) + " flag").constData())
            << QStringList{flag, value} << QString() << value << flag;
        QTest::newRow((QByteArray(name) + " variable").constData())
            << QStringList() << variable << value << variable;
    };
    row("port text", "--port", "PORT", "abc");
    row("port negative", "--port", "PORT", "-1");
    row("port too large", "--port", "PORT", "65536");
    row("host name", "--host", "HOST", "example.invalid");
    row("generator", "--generator", "VALIANT_GENERATOR", "sometimes");
    row("tick zero", "--tick-ms", "VALIANT_TICK_MS", "0");
    row("tick fraction", "--tick-ms", "VALIANT_TICK_MS", "1.5");
    row("cash float", "--starting-cash", "VALIANT_STARTING_CASH", "100");
    row("cash negative", "--starting-cash", "VALIANT_STARTING_CASH", "-1.00");
    row("cash three decimals", "--starting-cash", "VALIANT_STARTING_CASH", "1.005");
    row("log format", "--log-format", "LOG_FORMAT", "xml");
    row("io threads zero", "--io-threads", "VALIANT_IO_THREADS", "0");
    row("workers huge", "--workers", "VALIANT_WORKERS", "100000");
    row("trusted proxies negative", "--trusted-proxies", "VALIANT_TRUSTED_PROXIES", "-1");
    row("trusted proxies too many", "--trusted-proxies", "VALIANT_TRUSTED_PROXIES", "9");
    row("database relative", "--database", "DATABASE_URL", "sqlite://relative.db");
    row("database postgres no host", "--database", "DATABASE_URL", "postgres:///valiant");
    row("database postgres no name", "--database", "DATABASE_URL", "postgres://db:5432");
    row("database postgres nested", "--database", "DATABASE_URL", "postgresql://db/a/b");
    row("database plain path", "--database", "DATABASE_URL", "/var/lib/v.db");
    row("database garbage", "--database", "DATABASE_URL", "garbage");
    row("rate limits", "--rate-limits", "VALIANT_RATE_LIMITS", "bogus");
    row("redis scheme", "--redis", "REDIS_URL", "http://cache:6379");
    row("redis no host", "--redis", "REDIS_URL", "redis://:6379");
    row("redis port", "--redis", "REDIS_URL", "redis://cache:99999");
    row("redis database", "--redis", "REDIS_URL", "redis://cache:6379/main");
    row("redis query", "--redis", "REDIS_URL", "redis://cache:6379?db=1");
    row("redis user only", "--redis", "REDIS_URL", "redis://ada@cache:6379");
}

void TestConfig::badValues()
{
    QFETCH(QStringList, flags);
    QFETCH(QString, variable);
    QFETCH(QString, value);
    QFETCH(QString, expectedSource);

    Environment environment;
    if (!variable.isEmpty()) {
        environment.insert(variable, value);
    }
    const auto config = parse(flags, environment);
    QVERIFY(!config.ok());
    const QString message = config.error().message;
    QVERIFY2(message.contains(expectedSource), qPrintable(message));
    if (!value.startsWith(QLatin1String("postgres"))) {
        QVERIFY2(message.contains(value), qPrintable(message));
    }
    if (value == QLatin1String("garbage")) {
        QVERIFY2(message.contains(QStringLiteral("sqlite:///")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("postgres://")), qPrintable(message));
    }
}

void TestConfig::commands_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("command");
    QTest::addColumn<QStringList>("commandArguments");

    QTest::newRow("serve") << QStringList{"serve"} << "serve" << QStringList();
    QTest::newRow("migrate") << QStringList{"migrate"} << "migrate" << QStringList();
    QTest::newRow("healthcheck with port")
        << QStringList{"healthcheck", "--port", "4000"} << "healthcheck" << QStringList();
    QTest::newRow("account create")
        << QStringList{"account", "create", "ada"} << "account" << QStringList{"create", "ada"};
    QTest::newRow("flags before command")
        << QStringList{"--port", "1", "migrate"} << "migrate" << QStringList();
}

void TestConfig::commands()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, command);
    QFETCH(QStringList, commandArguments);

    const auto config = parse(arguments);
    QVERIFY2(config.ok(), qPrintable(config.ok() ? QString() : config.error().message));
    QCOMPARE(config->command, command);
    QCOMPARE(config->commandArguments, commandArguments);
}

void TestConfig::badCommands_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");

    QTest::newRow("unknown command") << QStringList{"launch"} << "launch";
    QTest::newRow("account without name")
        << QStringList{"account", "create"} << "account create NAME";
    QTest::newRow("account other action")
        << QStringList{"account", "delete", "ada"} << "account create NAME";
    QTest::newRow("extra argument") << QStringList{"migrate", "now"} << "now";
    QTest::newRow("unknown option") << QStringList{"--colour", "red"} << "--colour";
    QTest::newRow("missing value") << QStringList{"--port"} << "--port";
}

void TestConfig::badCommands()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);

    const auto config = parse(arguments);
    QVERIFY(!config.ok());
    QVERIFY2(config.error().message.contains(expected), qPrintable(config.error().message));
}

void TestConfig::helpAndVersion()
{
    const auto help = parse({"--help"});
    QVERIFY(help.ok());
    QVERIFY(help->showHelp);

    const auto shortHelp = parse({"-h"});
    QVERIFY(shortHelp.ok());
    QVERIFY(shortHelp->showHelp);

    const auto version = parse({"--version"});
    QVERIFY(version.ok());
    QVERIFY(version->showVersion);
}

void TestConfig::helpTextNamesEveryOption()
{
    const QString help = valiant::server::helpText();
    const QStringList expected = {"--host",
                                  "HOST",
                                  "--port",
                                  "PORT",
                                  "--database",
                                  "DATABASE_URL",
                                  "--redis",
                                  "REDIS_URL",
                                  "--generator",
                                  "VALIANT_GENERATOR",
                                  "--tick-ms",
                                  "VALIANT_TICK_MS",
                                  "--starting-cash",
                                  "VALIANT_STARTING_CASH",
                                  "--log-format",
                                  "LOG_FORMAT",
                                  "--io-threads",
                                  "--workers",
                                  "migrate",
                                  "healthcheck",
                                  "account create NAME"};
    for (const QString& word : expected) {
        QVERIFY2(help.contains(word), qPrintable(word));
    }
}

void TestConfig::sqlitePath_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("path");

    QTest::newRow("absolute") << "sqlite:///var/lib/valiant.db"
                              << "/var/lib/valiant.db";
    QTest::newRow("dot segments") << "sqlite:///var/lib/../valiant.db"
                                  << "/var/valiant.db";
}

void TestConfig::sqlitePath()
{
    QFETCH(QString, url);
    QFETCH(QString, path);

    const auto result = sqlitePathFromUrl(url);
    QVERIFY(result.ok());
    QCOMPARE(*result, path);
}

void TestConfig::sqlitePathRejects_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expected");

    QTest::newRow("relative") << "sqlite://valiant.db"
                              << "sqlite://valiant.db";
    QTest::newRow("folder") << "sqlite:///var/lib/"
                            << "sqlite:///var/lib/";
    QTest::newRow("root only") << "sqlite:///"
                               << "sqlite:///";
    QTest::newRow("no scheme") << "/var/lib/valiant.db"
                               << "/var/lib/valiant.db";
    QTest::newRow("postgres") << "postgres://user@db/valiant"
                              << "names a PostgreSQL database";
    QTest::newRow("postgresql") << "postgresql://db/valiant"
                                << "names a PostgreSQL database";
}

void TestConfig::sqlitePathRejects()
{
    QFETCH(QString, url);
    QFETCH(QString, expected);

    const auto result = sqlitePathFromUrl(url);
    QVERIFY(!result.ok());
    QVERIFY2(result.error().message.contains(expected), qPrintable(result.error().message));
}

void TestConfig::postgresUrlAccepted_data()
{
    QTest::addColumn<QString>("url");

    QTest::newRow("postgres") << "postgres://valiant@db.internal/valiant";
    QTest::newRow("postgresql with port") << "postgresql://db:6543/market";
    QTest::newRow("password and options")
        << "postgres://valiant:secret@10.0.0.5:5432/valiant?sslmode=require";
}

void TestConfig::postgresUrlAccepted()
{
    QFETCH(QString, url);

    const auto fromFlag = parse({"--database", url});
    QVERIFY2(fromFlag.ok(), qPrintable(fromFlag.ok() ? QString() : fromFlag.error().message));
    QCOMPARE(fromFlag->databaseUrl, url);

    Environment environment;
    environment.insert(QStringLiteral("DATABASE_URL"), url);
    const auto fromEnvironment = parse({}, environment);
    QVERIFY(fromEnvironment.ok());
    QCOMPARE(fromEnvironment->databaseUrl, url);
}

void TestConfig::generatorOnRejectedOnPostgres()
{
    const auto flag = parse({"--generator", "on", "--database", "postgres://db.internal/valiant"});
    QVERIFY(!flag.ok());
    QCOMPARE(flag.error().code, QStringLiteral("invalid_configuration"));
    QVERIFY2(flag.error().message.contains(QStringLiteral("use auto")),
             qPrintable(flag.error().message));

    const auto environment = parse({}, {{"VALIANT_GENERATOR", "on"},
                                        {"DATABASE_URL", "postgresql://db.internal/valiant"}});
    QVERIFY(!environment.ok());

    QVERIFY(parse({"--generator", "auto", "--database", "postgres://db.internal/valiant"}).ok());
    QVERIFY(parse({"--generator", "on", "--database", "sqlite:///tmp/valiant.db"}).ok());
}

void TestConfig::redisPortNamed_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("mention");

    QTest::newRow("beyond 65535") << QStringLiteral("redis://127.0.0.1:99999")
                                  << QStringLiteral("port \"99999\" is out of range; use a port from 1 to 65535");
    QTest::newRow("zero") << QStringLiteral("redis://cache:0") << QStringLiteral("port \"0\" is out of range");
    QTest::newRow("letters") << QStringLiteral("redis://cache:63x9/0")
                             << QStringLiteral("port \"63x9\" is not a number");
    QTest::newRow("with password") << QStringLiteral("redis://ada:secret@cache:70000")
                                   << QStringLiteral("port \"70000\" is out of range");
    QTest::newRow("IPv6 host") << QStringLiteral("redis://[::1]:123456")
                               << QStringLiteral("port \"123456\" is out of range");
}

void TestConfig::redisPortNamed()
{
    QFETCH(QString, url);
    QFETCH(QString, mention);

    const auto config = parse({QStringLiteral("--redis"), url});
    QVERIFY(!config.ok());
    QVERIFY2(config.error().message.contains(mention), qPrintable(config.error().message));
    QVERIFY2(!config.error().message.contains(QStringLiteral("not a redis:// URL")),
             qPrintable(config.error().message));
    QVERIFY2(!config.error().message.contains(QStringLiteral("secret")), qPrintable(config.error().message));
    QVERIFY2(config.error().message.contains(url.remove(QStringLiteral(":secret"))),
             qPrintable(config.error().message));
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
