#include "pricemodel.h"

#include <cstdint>

namespace valiant::core {

namespace {
// 128-bit intermediate for products of cents and factors; a GCC/Clang extension.
__extension__ using Wide = __int128;
}  // namespace

PriceModel::Step PriceModel::next(Money previous, Random& random)
{
    std::uniform_int_distribution<int> perMille(0, 999);
    if (perMille(random) < spikePerMille) {
        std::uniform_int_distribution<std::int64_t> magnitude(spikeMinPpm, spikeMaxPpm);
        std::bernoulli_distribution up(0.5);
        const std::int64_t ppm = up(random) ? magnitude(random) : -magnitude(random);
        return Step{apply(previous, ppm), ppm, true};
    }

    std::uniform_int_distribution<std::int64_t> change(-normalMaxPpm, normalMaxPpm);
    const std::int64_t ppm = change(random);
    return Step{apply(previous, ppm), ppm, false};
}

Money PriceModel::apply(Money previous, std::int64_t ppm)
{
    // previous × (1 + ppm / 10^6) in 128 bits, rounded half away from zero.
    constexpr Wide million = 1'000'000;
    const Wide scaled = static_cast<Wide>(previous.cents()) * (million + ppm);
    const Wide half = million / 2;
    const Wide rounded = scaled >= 0 ? (scaled + half) / million : (scaled - half) / million;

    if (rounded < floorPrice.cents()) {
        return floorPrice;
    }
    if (rounded > static_cast<Wide>(INT64_MAX)) {
        return Money::fromCents(INT64_MAX);
    }
    return Money::fromCents(static_cast<std::int64_t>(rounded));
}

}  // namespace valiant::core
