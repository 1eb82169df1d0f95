#pragma once

// The SQL of PostgresStore, prepared on every new connection. BYTEA values
// travel as hex text (decode/encode), which reads the same in libpqxx 6
// and 7.

namespace valiant::server::sql {

struct Statement
{
    const char* name;
    const char* text;
};

inline constexpr Statement ping{"ping", "SELECT 1"};

// --- Accounts and sessions ---------------------------------------------------

inline constexpr Statement insertAccount{
    "insert_account",
    "INSERT INTO accounts (username, password_hash, cash_cents, created_ms) "
    "VALUES ($1, decode($2, 'hex'), $3, $4) ON CONFLICT DO NOTHING RETURNING id"};

inline constexpr Statement findAccount{
    "find_account",
    "SELECT id, username, encode(password_hash, 'hex') FROM accounts "
    "WHERE lower(username) = lower($1)"};

inline constexpr Statement accountExists{"account_exists", "SELECT 1 FROM accounts WHERE id = $1"};

inline constexpr Statement pruneSessions{"prune_sessions",
                                         "DELETE FROM sessions WHERE expires_ms <= $1"};

inline constexpr Statement insertSession{
    "insert_session",
    "INSERT INTO sessions (token_hash, account_id, created_ms, expires_ms) "
    "VALUES (decode($1, 'hex'), $2, $3, $4)"};

inline constexpr Statement findSession{
    "find_session",
    "SELECT accounts.id, accounts.username, sessions.expires_ms FROM sessions "
    "JOIN accounts ON accounts.id = sessions.account_id "
    "WHERE sessions.token_hash = decode($1, 'hex') AND sessions.expires_ms > $2"};

inline constexpr Statement deleteSession{
    "delete_session", "DELETE FROM sessions WHERE token_hash = decode($1, 'hex')"};

// --- Quotes and candles ------------------------------------------------------

inline constexpr Statement lockQuoteInserts{"lock_quote_inserts",
                                            "SELECT pg_advisory_xact_lock($1)"};

// $1 price cents, $2 created ms. Runs under lockQuoteInserts, so the next id
// is the highest committed one plus one, read from the end of the primary
// key. Ids do not come from the identity sequence, because a crash loses
// the values PostgreSQL logged ahead and a rolled-back insert loses its
// value, and stream clients would see either as a gap. The sequence is
// still moved up to each new id, so replicas of the previous version that
// insert without an id keep working during a rolling deploy.
inline constexpr Statement insertQuote{
    "insert_quote",
    "WITH inserted AS (INSERT INTO quotes (id, price_cents, created_ms) "
    "SELECT COALESCE(MAX(id), 0) + 1, $1, $2 FROM quotes RETURNING id) "
    "SELECT id, setval(pg_get_serial_sequence('quotes', 'id'), id) FROM inserted"};

// $1 price cents, $2 created ms. The intervals are PostgresStore::rollupIntervalsMs.
// Quotes are inserted in id order (under the quote insert lock), so the
// newest insert is the close and the first one of a bucket stays its open.
inline constexpr Statement upsertCandles{
    "upsert_candles",
    "INSERT INTO candles (interval_ms, start_ms, open_cents, high_cents, low_cents, "
    "close_cents, count) "
    "SELECT interval_ms, $2::bigint - (($2::bigint % interval_ms) + interval_ms) % interval_ms, "
    "$1::bigint, $1::bigint, $1::bigint, $1::bigint, 1 "
    "FROM unnest(ARRAY[60000, 300000, 3600000, 86400000]::bigint[]) AS interval_ms "
    "ON CONFLICT (interval_ms, start_ms) DO UPDATE SET "
    "high_cents = GREATEST(candles.high_cents, EXCLUDED.high_cents), "
    "low_cents = LEAST(candles.low_cents, EXCLUDED.low_cents), "
    "close_cents = EXCLUDED.close_cents, count = candles.count + 1"};

inline constexpr Statement latestQuote{
    "latest_quote", "SELECT id, price_cents, created_ms FROM quotes ORDER BY id DESC LIMIT 1"};

inline constexpr Statement quotesAfter{
    "quotes_after",
    "SELECT id, price_cents, created_ms FROM quotes WHERE id > $1 ORDER BY id LIMIT $2"};

// Two index range scans: the first quote at or after $1 by time, then ids
// from there on. NOTE: this is every quote since $1 only while quote times
// rise with ids; a new leader whose clock is behind the old one's breaks that.
inline constexpr Statement quotesSince{
    "quotes_since",
    "SELECT id, price_cents, created_ms FROM quotes "
    "WHERE id >= (SELECT id FROM quotes WHERE created_ms >= $1 ORDER BY created_ms, id LIMIT 1) "
    "AND created_ms >= $1 ORDER BY id LIMIT $2"};

inline constexpr Statement latestQuotes{
    "latest_quotes",
    "SELECT id, price_cents, created_ms FROM ("
    "SELECT id, price_cents, created_ms FROM quotes ORDER BY id DESC LIMIT $1) AS newest "
    "ORDER BY id"};

inline constexpr Statement rollupCandles{
    "rollup_candles",
    "SELECT start_ms, open_cents, high_cents, low_cents, close_cents, count FROM candles "
    "WHERE interval_ms = $1 AND start_ms >= $2 AND start_ms < $3 ORDER BY start_ms"};

// $1 interval, [$2, $3) the created_ms range of whole buckets. Open and
// close are the prices of the lowest and highest id in each bucket.
inline constexpr Statement rawCandles{
    "raw_candles",
    "WITH buckets AS ("
    " SELECT created_ms - ((created_ms % $1) + $1) % $1 AS start, MIN(id) AS first_id,"
    "  MAX(id) AS last_id, MAX(price_cents) AS high, MIN(price_cents) AS low, COUNT(*) AS count"
    " FROM quotes WHERE created_ms >= $2 AND created_ms < $3 GROUP BY 1)"
    " SELECT buckets.start, first.price_cents, buckets.high, buckets.low, last.price_cents,"
    "  buckets.count"
    " FROM buckets JOIN quotes AS first ON first.id = buckets.first_id"
    " JOIN quotes AS last ON last.id = buckets.last_id ORDER BY buckets.start"};

// --- Trading -----------------------------------------------------------------
//
// The writes check "this is still the newest quote" as max(id) = $n, which
// is one probe at the end of the primary key index in every plan. The
// generic plan of NOT EXISTS (... id > $n) estimated a third of the table
// and scanned all of it sequentially.

// The holdings and the newest quote, read without a lock; recordPraise
// checks that the holdings did not change since. The locked form is the
// fallback for a contended account.
#define VALIANT_PRAISE_CONTEXT                                                                    \
    "SELECT accounts.cash_cents, accounts.shares, accounts.cost_basis_cents, newest.id, "         \
    "newest.price_cents, newest.created_ms, accounts.wallet_version FROM accounts "               \
    "LEFT JOIN LATERAL ("                                                                         \
    "SELECT id, price_cents, created_ms FROM quotes ORDER BY id DESC LIMIT 1) AS newest ON true " \
    "WHERE accounts.id = $1"
inline constexpr Statement praiseContext{"praise_context", VALIANT_PRAISE_CONTEXT};
inline constexpr Statement praiseContextLocked{"praise_context_locked",
                                               VALIANT_PRAISE_CONTEXT " FOR UPDATE OF accounts"};
#undef VALIANT_PRAISE_CONTEXT

// One snapshot of the account and the latest quote.
inline constexpr Statement portfolio{
    "portfolio",
    "SELECT accounts.cash_cents, accounts.shares, accounts.cost_basis_cents, newest.id, "
    "newest.price_cents, newest.created_ms, accounts.wallet_version FROM accounts "
    "LEFT JOIN LATERAL ("
    "SELECT id, price_cents, created_ms FROM quotes ORDER BY id DESC LIMIT 1) AS newest ON true "
    "WHERE accounts.id = $1"};

// A stream session starts watching the account's wallet. One statement
// raises the count and reads the wallet. The update takes the row lock,
// so a trading write either commits before it (and this read includes the
// change) or after it (and that write's RETURNING includes the watcher).
inline constexpr Statement watchPortfolio{
    "watch_portfolio",
    "WITH watched AS (UPDATE accounts SET wallet_watchers = wallet_watchers + 1 WHERE id = $1"
    " RETURNING cash_cents, shares, cost_basis_cents, wallet_version) "
    "SELECT watched.cash_cents, watched.shares, watched.cost_basis_cents, newest.id, "
    "newest.price_cents, newest.created_ms, watched.wallet_version FROM watched "
    "LEFT JOIN LATERAL ("
    "SELECT id, price_cents, created_ms FROM quotes ORDER BY id DESC LIMIT 1) AS newest ON true"};

inline constexpr Statement unwatchPortfolio{
    "unwatch_portfolio",
    "UPDATE accounts SET wallet_watchers = greatest(wallet_watchers - 1, 0) WHERE id = $1"};

// The holdings, the response kept for the idempotency key, the newest quote
// and an id for the order, in one round trip and without a lock: the write
// (recordFill, recordRejection) checks that the holdings are unchanged, and
// the key's primary key stops a second order with the same key. The locked
// form is the fallback for a contended account.
// $1 account, $2 key (hex); key columns are NULL when the key is unknown.
#define VALIANT_ORDER_CONTEXT                                                                     \
    "SELECT accounts.cash_cents, accounts.shares, accounts.cost_basis_cents, "                    \
    "encode(keys.fingerprint, 'hex'), keys.status, encode(keys.body, 'hex'), "                    \
    "newest.id, newest.price_cents, newest.created_ms, nextval('orders_id_seq'), "                \
    "accounts.wallet_version "                                                                    \
    "FROM accounts "                                                                              \
    "LEFT JOIN idempotency_keys AS keys "                                                         \
    " ON keys.account_id = $1 AND keys.idempotency_key = decode($2, 'hex') "                      \
    "LEFT JOIN LATERAL ("                                                                         \
    "SELECT id, price_cents, created_ms FROM quotes ORDER BY id DESC LIMIT 1) AS newest ON true " \
    "WHERE accounts.id = $1"
inline constexpr Statement orderContext{"order_context", VALIANT_ORDER_CONTEXT};
inline constexpr Statement orderContextLocked{"order_context_locked",
                                              VALIANT_ORDER_CONTEXT " FOR UPDATE OF accounts"};
#undef VALIANT_ORDER_CONTEXT

inline constexpr Statement pruneIdempotencyKeys{
    "prune_idempotency_keys", "DELETE FROM idempotency_keys WHERE created_ms < $1"};

// A filled order in one statement: the new holdings, if they are still
// $16 cash, $17 shares, $18 cost basis and version $19 (the new one is
// $19 + 1) and $7 is still the newest quote
// (an order never fills at an older price), and with them the order row and,
// when $12 (the key, hex) is not empty, the response kept for the key.
// Returns how many accounts it updated (0 means they changed meanwhile) and
// the account's wallet_watchers.
inline constexpr Statement recordFill{
    "record_fill",
    "WITH holdings AS ("
    " UPDATE accounts SET cash_cents = $9, shares = $10, cost_basis_cents = $11,"
    " wallet_version = $19 + 1"
    " WHERE id = $2 AND cash_cents = $16 AND shares = $17 AND cost_basis_cents = $18"
    " AND wallet_version = $19"
    " AND (SELECT max(id) FROM quotes) = $7"
    " RETURNING id, wallet_watchers),"
    " new_order AS ("
    " INSERT INTO orders (id, account_id, side, quantity, price_cents, total_cents, quote_id,"
    "  created_ms) SELECT $1, id, $3, $4, $5, $6, $7, $8 FROM holdings),"
    " kept AS ("
    " INSERT INTO idempotency_keys (account_id, idempotency_key, fingerprint, status, body,"
    "  created_ms) SELECT id, decode($12, 'hex'), decode($13, 'hex'), $14, decode($15, 'hex'), $8"
    " FROM holdings WHERE $12 <> '') "
    "SELECT count(*), coalesce(max(wallet_watchers), 0) FROM holdings"};

// A filled order judged on holdings and a newest quote this process saw
// earlier, in one statement and one round trip. It applies only if the
// holdings are still $15 cash, $16 shares, $17 cost basis and version $18
// (the new one is $18 + 1), $6 is still
// the newest quote and the key $11 (hex) is new for the account. The order
// gets its id here, and the response kept for the key is $13 + id + $14
// (hex). Returns the order id and the account's wallet_watchers, or no row
// when something changed, so that the order is judged again on what the
// database holds.
inline constexpr Statement recordCachedFill{
    "record_cached_fill",
    "WITH holdings AS ("
    " UPDATE accounts SET cash_cents = $8, shares = $9, cost_basis_cents = $10,"
    " wallet_version = $18 + 1"
    " WHERE id = $1 AND cash_cents = $15 AND shares = $16 AND cost_basis_cents = $17"
    " AND wallet_version = $18"
    " AND (SELECT max(id) FROM quotes) = $6"
    " AND NOT EXISTS (SELECT 1 FROM idempotency_keys AS keys"
    "  WHERE keys.account_id = $1 AND keys.idempotency_key = decode($11, 'hex'))"
    " RETURNING id, wallet_watchers),"
    " new_order AS ("
    " INSERT INTO orders (id, account_id, side, quantity, price_cents, total_cents, quote_id,"
    "  created_ms) SELECT nextval('orders_id_seq'), id, $2, $3, $4, $5, $6, $7 FROM holdings"
    " RETURNING id),"
    " kept AS ("
    " INSERT INTO idempotency_keys (account_id, idempotency_key, fingerprint, status, body,"
    "  created_ms) SELECT $1, decode($11, 'hex'), decode($12, 'hex'), 201,"
    "  decode($13, 'hex') || convert_to(new_order.id::text, 'UTF8') || decode($14, 'hex'), $7"
    " FROM new_order WHERE $11 <> '') "
    "SELECT new_order.id, holdings.wallet_watchers FROM new_order, holdings"};

// A rejected order's response kept under its key, if the holdings it was
// judged on ($7 cash, $8 shares, $9 cost basis) and the quote ($10, 0 for
// none) are current and the key is new. No row back means it must be judged again.
inline constexpr Statement recordRejection{
    "record_rejection",
    "INSERT INTO idempotency_keys (account_id, idempotency_key, fingerprint, status, body, "
    "created_ms) SELECT id, decode($2, 'hex'), decode($3, 'hex'), $4, decode($5, 'hex'), $6 "
    "FROM accounts WHERE id = $1 AND cash_cents = $7 AND shares = $8 AND cost_basis_cents = $9 "
    "AND coalesce((SELECT max(id) FROM quotes), 0) = $10 "
    "ON CONFLICT DO NOTHING RETURNING 1"};

// The rejection of an order whose body was invalid, kept under its key if
// the key is new for the account. No row back means the key is taken.
// $1 account, $2 key, $3 fingerprint and $5 body (hex), $4 status, $6 time.
inline constexpr Statement keepInvalidOrder{
    "keep_invalid_order",
    "INSERT INTO idempotency_keys (account_id, idempotency_key, fingerprint, status, body, "
    "created_ms) VALUES ($1, decode($2, 'hex'), decode($3, 'hex'), $4, decode($5, 'hex'), $6) "
    "ON CONFLICT DO NOTHING RETURNING 1"};

// The fingerprint, status and body (hex) kept for an account's key.
inline constexpr Statement keptResponse{
    "kept_response",
    "SELECT encode(fingerprint, 'hex'), status, encode(body, 'hex') FROM idempotency_keys "
    "WHERE account_id = $1 AND idempotency_key = decode($2, 'hex')"};

// A praise in one statement: the new cash, if cash, shares and version are
// still $6, $3 and $7 (the new version is $7 + 1), and the record of the
// bonus. $1 account, $2 new cash, $3 shares held, $4 bonus, $5 time.
// Returns a row only when it applied.
inline constexpr Statement recordPraise{
    "record_praise",
    "WITH holdings AS (UPDATE accounts SET cash_cents = $2, wallet_version = $7 + 1 "
    "WHERE id = $1 AND cash_cents = $6 AND shares = $3 AND wallet_version = $7 RETURNING id) "
    "INSERT INTO praises (account_id, shares, bonus_cents, created_ms) "
    "SELECT id, $3, $4, $5 FROM holdings RETURNING id"};

inline constexpr Statement latestOrders{
    "latest_orders",
    "SELECT id, side, quantity, price_cents, total_cents, quote_id, created_ms FROM orders "
    "WHERE account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"};

inline constexpr const Statement* all[] = {
    &ping,
    &insertAccount,
    &findAccount,
    &accountExists,
    &pruneSessions,
    &insertSession,
    &findSession,
    &deleteSession,
    &lockQuoteInserts,
    &insertQuote,
    &upsertCandles,
    &latestQuote,
    &quotesAfter,
    &quotesSince,
    &latestQuotes,
    &rollupCandles,
    &rawCandles,
    &praiseContext,
    &praiseContextLocked,
    &watchPortfolio,
    &unwatchPortfolio,
    &portfolio,
    &orderContext,
    &orderContextLocked,
    &pruneIdempotencyKeys,
    &recordFill,
    &recordCachedFill,
    &recordRejection,
    &keepInvalidOrder,
    &keptResponse,
    &recordPraise,
    &latestOrders,
};

}  // namespace valiant::server::sql
