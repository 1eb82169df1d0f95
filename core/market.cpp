#include "market.h"

#include <cstdint>

namespace valiant::core {

Money Portfolio::marketValue() const
{
    if (!lastQuote) {
        return Money();
    }
    // A value beyond 64 bits of cents cannot be held in practice (the
    // quantity and price limits keep it far below); saturate rather than wrap.
    return lastQuote->price.times(holdings.shares).value_or(Money::fromCents(INT64_MAX));
}

Money Portfolio::profitAndLoss() const
{
    // A wallet decoded from a faulty server may hold any values, so this
    // saturates like marketValue() instead of overflowing.
    const Money value = marketValue();
    const Money saturated = Money::fromCents(value < holdings.costBasis ? INT64_MIN : INT64_MAX);
    return value.minus(holdings.costBasis).value_or(saturated);
}

QString sideName(Side side)
{
    return side == Side::Buy ? QStringLiteral("buy") : QStringLiteral("sell");
}

}  // namespace valiant::core
