#include "storecommon.h"

#include "core/apicodec.h"

namespace valiant::server {

StoredResponse filledOrderResponse(const Order& order, const core::Portfolio& portfolio)
{
    return StoredResponse{
        201, core::api::toBytes({{QStringLiteral("order"), core::api::encode(order)},
                                 {QStringLiteral("portfolio"), core::api::encode(portfolio)}})};
}

StoredResponse rejectedOrderResponse(const core::Error& error)
{
    return StoredResponse{error.status, core::api::toBytes(core::api::encodeError(error))};
}

Result<core::Ok> checkCandleInterval(std::int64_t intervalMs)
{
    if (intervalMs > 0) {
        return core::Ok{};
    }
    return core::makeError(
        422, QStringLiteral("invalid_interval"),
        QStringLiteral("The candle interval must be positive, not %1 ms.").arg(intervalMs));
}

std::int64_t alignUpToInterval(std::int64_t ms, std::int64_t intervalMs)
{
    const std::int64_t remainder = ((ms % intervalMs) + intervalMs) % intervalMs;
    return remainder == 0 ? ms : ms - remainder + intervalMs;
}

}  // namespace valiant::server
