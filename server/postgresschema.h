#pragma once

// The PostgreSQL schema of PostgresStore as numbered migrations, recorded
// in the table schema_migrations. Used only inside the PostgreSQL store.

#include "core/result.h"

#include <QString>

#include <cstdint>
#include <span>

#include <pqxx/connection>
#include <pqxx/transaction_base>

namespace valiant::server {

/// Keys of the transaction-level advisory locks the store takes. Other
/// advisory locks in the same database (the leader lock) must use other keys.
constexpr std::int64_t migrationLockKey = 0x56414C4900000001;    // "VALI" 1
constexpr std::int64_t quoteInsertLockKey = 0x56414C4900000002;  // "VALI" 2

/// The migration SQL, version N at index N - 1.
std::span<const char* const> postgresMigrations();

/// The highest version recorded in schema_migrations; 0 when the table
/// does not exist yet.
int readPostgresSchemaVersion(pqxx::transaction_base& transaction);

/// Applies the missing migrations in one transaction under an advisory
/// lock, so replicas that start together apply each version once. Returns
/// the schema version afterwards, or a 503 database_too_new error when the
/// database is newer than this build. Throws pqxx exceptions on failure.
core::Result<int> applyPostgresMigrations(pqxx::connection& connection, const QString& displayName);

}  // namespace valiant::server
