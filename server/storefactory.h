#pragma once

// Opens the Store a database URL names: sqlite:///ABSOLUTE/PATH (creating
// its folder) or postgres:// / postgresql://. Shared by the server and the
// migrate and account commands.

#include "store.h"

#include <memory>

namespace valiant::server {

struct StoreOptions
{
    int maxConnections = 16;
    /// PostgreSQL statements slower than this are logged with their EXPLAIN
    /// plan; 0 turns the log off. From VALIANT_SLOW_QUERY_MS in the server.
    int slowStatementMs = 0;
};

/// Opens (does not migrate) the store of `databaseUrl`. Errors name the URL
/// without its password.
core::Result<std::unique_ptr<Store>> openStore(const QString& databaseUrl, StoreOptions options);

/// The slow statement limit in VALIANT_SLOW_QUERY_MS: 0 when unset, or an
/// error naming the value when it is not a whole number of milliseconds.
core::Result<int> slowStatementMsFromEnvironment();

}  // namespace valiant::server
