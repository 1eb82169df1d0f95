#include "storefactory.h"

#include "config.h"
#include "postgresstore.h"
#include "sqlitestore.h"

#include <QDir>
#include <QFileInfo>

namespace valiant::server {

namespace {

bool isPostgresUrl(const QString& url)
{
    return url.startsWith(QLatin1String("postgres://"))
           || url.startsWith(QLatin1String("postgresql://"));
}

core::Result<std::unique_ptr<Store>> openSqlite(const QString& databaseUrl, StoreOptions options)
{
    const core::Result<QString> path = sqlitePathFromUrl(databaseUrl);
    if (!path) {
        return path.error();
    }

    const QString folder = QFileInfo(*path).absolutePath();
    if (!QDir().mkpath(folder)) {
        return core::makeError(500, QStringLiteral("database_unavailable"),
                               QStringLiteral("Failed to create the folder %1 for the database. "
                                              "Check its permissions or pass another --database.")
                                   .arg(folder));
    }

    auto opened = SqliteStore::open(*path, options.maxConnections);
    if (!opened) {
        return opened.error();
    }
    return std::unique_ptr<Store>(std::move(opened).value());
}

core::Result<std::unique_ptr<Store>> openPostgres(const QString& databaseUrl, StoreOptions options)
{
    auto opened = PostgresStore::open(
        databaseUrl, PostgresStore::Options{options.maxConnections, options.slowStatementMs});
    if (!opened) {
        return opened.error();
    }
    return std::unique_ptr<Store>(std::move(opened).value());
}

}  // namespace

core::Result<std::unique_ptr<Store>> openStore(const QString& databaseUrl, StoreOptions options)
{
    if (isPostgresUrl(databaseUrl)) {
        return openPostgres(databaseUrl, options);
    }
    return openSqlite(databaseUrl, options);
}

core::Result<int> slowStatementMsFromEnvironment()
{
    const QString value = qEnvironmentVariable("VALIANT_SLOW_QUERY_MS").trimmed();
    if (value.isEmpty()) {
        return 0;
    }
    bool ok = false;
    const int milliseconds = value.toInt(&ok);
    if (!ok || milliseconds < 0) {
        return core::makeError(400, QStringLiteral("invalid_configuration"),
                               QStringLiteral("Invalid VALIANT_SLOW_QUERY_MS value \"%1\": use a "
                                              "whole number of milliseconds such as 200, or 0 "
                                              "to turn the slow statement log off.")
                                   .arg(value));
    }
    return milliseconds;
}

}  // namespace valiant::server
