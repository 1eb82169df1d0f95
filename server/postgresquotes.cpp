// The quote and candle methods of PostgresStore.

#include "postgresschema.h"
#include "postgresstore_p.h"
#include "storecommon.h"

#include <algorithm>

namespace valiant::server {

namespace {

QList<Quote> readQuotes(const pqxx::result& rows)
{
    QList<Quote> quotes;
    quotes.reserve(int(rows.size()));
    for (const pqxx::row& row : rows)
        quotes.append(Quote{row[0].as<std::int64_t>(), moneyOf(row[1]), row[2].as<std::int64_t>()});
    return quotes;
}

// The generator runs on the thread that handles SIGTERM, and a quote this
// late has missed its tick anyway.
constexpr std::chrono::milliseconds quoteInsertTimeout{2000};

bool isRollupInterval(std::int64_t intervalMs)
{
    const auto& intervals = PostgresStore::rollupIntervalsMs;
    return std::find(std::begin(intervals), std::end(intervals), intervalMs) != std::end(intervals);
}

}  // namespace

Result<Quote> PostgresStore::insertQuote(Money price, std::int64_t createdMs)
{
    return d->run("insertQuote", [&](pqxx::connection& connection) -> Result<Quote> {
        pqxx::work transaction(connection);

        // Inserts take turns, so ids commit in ascending order: a reader
        // that has seen id N never misses a later commit of a lower id.
        d->exec(transaction, sql::lockQuoteInserts, quoteInsertLockKey);
        const pqxx::result inserted =
            d->exec(transaction, sql::insertQuote, price.cents(), createdMs);
        d->exec(transaction, sql::upsertCandles, price.cents(), createdMs);
        transaction.commit();
        const Quote quote{inserted[0][0].as<std::int64_t>(), price, createdMs};
        d->cache.noteQuote(quote);
        return quote;
    }, quoteInsertTimeout);
}

Result<std::optional<Quote>> PostgresStore::latestQuote()
{
    return d->run("latestQuote", [&](pqxx::connection& connection) -> Result<std::optional<Quote>> {
        pqxx::nontransaction transaction(connection);
        const QList<Quote> quotes = readQuotes(d->exec(transaction, sql::latestQuote));
        if (quotes.isEmpty())
            return std::optional<Quote>();
        return std::optional<Quote>(quotes.first());
    });
}

Result<QList<Quote>> PostgresStore::quotesAfter(std::int64_t afterId, int limit)
{
    return d->run("quotesAfter", [&](pqxx::connection& connection) -> Result<QList<Quote>> {
        pqxx::nontransaction transaction(connection);
        return readQuotes(d->exec(transaction, sql::quotesAfter, afterId, std::int64_t(limit)));
    });
}

Result<QList<Quote>> PostgresStore::quotesSince(std::int64_t sinceMs, int limit)
{
    return d->run("quotesSince", [&](pqxx::connection& connection) -> Result<QList<Quote>> {
        pqxx::nontransaction transaction(connection);
        return readQuotes(d->exec(transaction, sql::quotesSince, sinceMs, std::int64_t(limit)));
    });
}

Result<QList<Quote>> PostgresStore::latestQuotes(int limit)
{
    return d->run("latestQuotes", [&](pqxx::connection& connection) -> Result<QList<Quote>> {
        pqxx::nontransaction transaction(connection);
        return readQuotes(d->exec(transaction, sql::latestQuotes, std::int64_t(limit)));
    });
}

Result<QList<Candle>> PostgresStore::candles(std::int64_t intervalMs, std::int64_t fromMs,
                                             std::int64_t toMs)
{
    if (const Result<core::Ok> valid = checkCandleInterval(intervalMs); !valid) {
        return valid.error();
    }

    // Buckets starting in [fromMs, toMs) cover the quotes created in
    // [first bucket start, first bucket start at or after toMs).
    const std::int64_t firstStart = alignUpToInterval(fromMs, intervalMs);
    const std::int64_t endStart = alignUpToInterval(toMs, intervalMs);

    // Rollup intervals read one row per candle. Others (1 s) aggregate raw
    // quotes through the created_ms index, which the API bounds to 2000
    // candles per request.
    const sql::Statement& statement =
        isRollupInterval(intervalMs) ? sql::rollupCandles : sql::rawCandles;
    return d->run("candles", [&](pqxx::connection& connection) -> Result<QList<Candle>> {
        pqxx::nontransaction transaction(connection);
        const pqxx::result rows = d->exec(transaction, statement, intervalMs, firstStart, endStart);

        QList<Candle> candles;
        candles.reserve(int(rows.size()));
        for (const pqxx::row& row : rows) {
            candles.append(Candle{row[0].as<std::int64_t>(), moneyOf(row[1]), moneyOf(row[2]),
                                  moneyOf(row[3]), moneyOf(row[4]), row[5].as<std::int64_t>()});
        }
        return candles;
    });
}

}  // namespace valiant::server
