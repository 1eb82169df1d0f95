#include "sqliteschema.h"

#include "sqlitepool.h"

namespace valiant::server {

namespace {

// Version N is migrations[N - 1]. Append new versions and never edit a
// released one, because existing databases have already run it.
constexpr const char* migrations[] = {
    R"sql(
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash BLOB NOT NULL,
    cash_cents INTEGER NOT NULL,
    shares INTEGER NOT NULL DEFAULT 0 CHECK (shares >= 0),
    cost_basis_cents INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_expiry ON sessions (expires_ms);

CREATE TABLE quotes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    price_cents INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX quotes_by_created ON quotes (created_ms);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
    quantity INTEGER NOT NULL,
    price_cents INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    quote_id INTEGER NOT NULL REFERENCES quotes (id),
    created_ms INTEGER NOT NULL
);
CREATE INDEX orders_by_account ON orders (account_id, id);

CREATE TABLE idempotency_keys (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    idempotency_key BLOB NOT NULL,
    fingerprint BLOB NOT NULL,
    status INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (account_id, idempotency_key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_created ON idempotency_keys (created_ms);
)sql",
    R"sql(
-- Each praise of the sun and the bonus it paid, so that an account's cash
-- can be replayed from its orders and bonuses.
CREATE TABLE praises (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    shares INTEGER NOT NULL,
    bonus_cents INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX praises_by_account ON praises (account_id, id);
)sql",
    R"sql(
-- Grows by one with every change to the account's cash, shares or cost
-- basis, so that stream clients can drop a wallet older than one they have.
ALTER TABLE accounts ADD COLUMN wallet_version INTEGER NOT NULL DEFAULT 0;
)sql",
};

}  // namespace

std::span<const char* const> sqliteMigrations()
{
    return migrations;
}

int readSqliteSchemaVersion(sqlite3* connection)
{
    SqliteStatement exists(connection,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                           "name = 'schema_migrations'");
    if (!exists.step()) {
        return 0;
    }
    SqliteStatement version(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    version.step();
    return int(version.int64(0));
}

}  // namespace valiant::server
