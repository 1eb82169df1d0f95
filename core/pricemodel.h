#pragma once

// The price generator rules of the API as a pure function of the previous
// price and a random source, so tests can seed it:
//   1. change = uniform random percent in [-2, +2];
//   2. with probability 4 %, a spike instead: magnitude uniform in [5, 40]
//      percent, up or down with equal chance;
//   3. round half away from zero to whole cents, then floor at $1.00.
// Percentages are drawn as whole parts per million of the price, so the
// arithmetic is exact integer math on cents.

#include "money.h"

#include <random>

namespace valiant::core {

class PriceModel
{
public:
    using Random = std::mt19937_64;

    static constexpr Money firstPrice = Money::fromCents(50'00);
    static constexpr Money floorPrice = Money::fromCents(1'00);
    static constexpr int spikePerMille = 40;                   // 4 %
    static constexpr std::int64_t normalMaxPpm = 20'000;       // 2 %
    static constexpr std::int64_t spikeMinPpm = 50'000;        // 5 %
    static constexpr std::int64_t spikeMaxPpm = 400'000;       // 40 %

    struct Step
    {
        Money price;
        std::int64_t changePpm = 0;  // the drawn change, parts per million
        bool spike = false;
    };

    /// Draws the next price after `previous`.
    static Step next(Money previous, Random& random);

    /// Applies a change of `ppm` parts per million to `previous`, rounding
    /// half away from zero to cents and flooring at $1.00.
    static Money apply(Money previous, std::int64_t ppm);
};

}  // namespace valiant::core
