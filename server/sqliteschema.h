#pragma once

// The SQLite schema of SqliteStore as numbered migrations, recorded in the
// schema_migrations table as they are applied. Money columns are INTEGER cents.

#include <span>

struct sqlite3;

namespace valiant::server {

/// The SQL of every migration in order: element N - 1 creates version N.
std::span<const char* const> sqliteMigrations();

/// The highest version in schema_migrations, or 0 when the table does not
/// exist yet. Throws SqliteFailure.
int readSqliteSchemaVersion(sqlite3* connection);

}  // namespace valiant::server
