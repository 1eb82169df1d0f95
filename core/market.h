#pragma once

// Plain value types of the market that the API carries: quotes, candles,
// accounts, orders and the wallet. Times are milliseconds since the Unix
// epoch in UTC; the codecs turn them into RFC 3339 strings.

#include "money.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace valiant::core {

struct Quote
{
    std::int64_t id = 0;
    Money price;
    std::int64_t createdMs = 0;
};

/// OHLC summary of the quotes whose time falls in [startMs, startMs + interval).
struct Candle
{
    std::int64_t startMs = 0;
    Money open;
    Money high;
    Money low;
    Money close;
    std::int64_t count = 0;
};

struct Account
{
    std::int64_t id = 0;
    QString username;
};

enum class Side { Buy, Sell };

struct Order
{
    std::int64_t id = 0;
    Side side = Side::Buy;
    std::int64_t quantity = 0;
    Money price;  // per share, the latest quote's price at execution
    Money total;  // price × quantity
    std::int64_t quoteId = 0;
    std::int64_t createdMs = 0;
};

/// What an account owns. `costBasis` is what the shares still held cost
/// (average cost: a sale removes its proportional share of the basis).
struct Holdings
{
    Money cash;
    std::int64_t shares = 0;
    Money costBasis;
    // Grows by one with every stored change to the wallet, so that of two
    // copies the newer is known. The API calls it "version", and 0 means
    // unknown.
    std::int64_t version = 0;
};

/// The wallet as the API shows it: holdings valued at the latest quote.
/// `lastQuote` is empty before the first quote exists.
struct Portfolio
{
    Holdings holdings;
    std::optional<Quote> lastQuote;

    Money marketValue() const;
    Money profitAndLoss() const;
};

QString sideName(Side side);

}  // namespace valiant::core
