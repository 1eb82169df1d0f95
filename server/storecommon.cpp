#include "storecommon.h"

#include "core/apicodec.h"

#include <limits>

namespace valiant::server {

core::Error storageFullError()
{
    return core::makeError(503, QStringLiteral("storage_full"),
                           QStringLiteral("The server's database disk is full, so nothing was "
                                          "written. Retry later: the server's operator must "
                                          "free disk space first."));
}

StoredResponse filledOrderResponse(const Order& order, const core::Portfolio& portfolio)
{
    core::JsonWriter out(384);
    out.beginObject().key("order");
    core::api::write(out, order);
    out.key("portfolio");
    core::api::write(out, portfolio);
    return StoredResponse{201, out.endObject().take()};
}

FilledBodyAroundId filledOrderResponseAroundId(Order order, const core::Portfolio& portfolio)
{
    // The order is the first object with an "id" member, and a negative id
    // is one no other member shows.
    order.id = std::numeric_limits<std::int64_t>::min();
    const QByteArray body = filledOrderResponse(order, portfolio).body;
    const QByteArray id = QByteArray::number(qint64(order.id));
    const qsizetype at = body.indexOf("\"id\":" + id) + 5;
    Q_ASSERT(at >= 5);
    return FilledBodyAroundId{body.left(at), body.mid(at + id.size())};
}

StoredResponse rejectedOrderResponse(const core::Error& error)
{
    return StoredResponse{error.status, core::api::toJson(error)};
}

Result<OrderOutcome> replayKeptResponse(const QByteArray& keptFingerprint,
                                        const StoredResponse& kept,
                                        const QByteArray& fingerprint)
{
    if (keptFingerprint != fingerprint) {
        return core::makeError(422, QStringLiteral("idempotency_key_reused"),
                               QStringLiteral("This Idempotency-Key was already used for a "
                                              "different order. Send a new key for a new order."));
    }
    // A replay returns 200 with the body of the first 201.
    const StoredResponse replay{kept.status == 201 ? 200 : kept.status, kept.body};
    return OrderOutcome{replay, true, std::nullopt};
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
