#pragma once

// The trading rules as pure functions: given what an account holds and the
// latest price, they return the new holdings or a rejection carrying the
// API's error code. The server applies them inside one transaction.

#include "market.h"
#include "result.h"

#include <optional>

namespace valiant::core {

inline constexpr std::int64_t minOrderQuantity = 1;
inline constexpr std::int64_t maxOrderQuantity = 1'000'000;
inline constexpr Money praiseBonusPerShare = Money::fromCents(10);

struct OrderRequest
{
    Side side = Side::Buy;
    std::int64_t quantity = 0;
    std::optional<Money> limitPrice;  // most a buy pays, least a sell takes
};

struct Fill
{
    Holdings holdings;  // after the order
    Money price;
    Money total;
};

struct PraiseOutcome
{
    Holdings holdings;
    Money bonus;
};

/// Checks the quantity range 1..1,000,000 (invalid_quantity).
Result<Ok> checkQuantity(std::int64_t quantity);

/// Executes `request` at `price` against `holdings`. Rejections:
/// invalid_quantity, limit_not_met, insufficient_funds,
/// insufficient_shares, and amount_too_large when a total overflows.
Result<Fill> executeOrder(const Holdings& holdings, const OrderRequest& request, Money price);

/// Adds $0.10 per share held.
Result<PraiseOutcome> praise(const Holdings& holdings);

}  // namespace valiant::core
