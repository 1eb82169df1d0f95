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

QString sideName(Side side)
{
    return side == Side::Buy ? QStringLiteral("buy") : QStringLiteral("sell");
}

}  // namespace valiant::core
