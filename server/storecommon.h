#pragma once

// Pieces that SqliteStore and PostgresStore share, so both stores respond to an
// order and a candle request the same way.

#include "logging.h"
#include "store.h"

#include <cstdint>

namespace valiant::server {

/// The 503 error of a write that failed because the database's disk is
/// full. Retrying helps only once space has been freed.
core::Error storageFullError();

/// Builds the 201 response of a filled order: {"order": ..., "portfolio": ...}.
StoredResponse filledOrderResponse(const Order& order, const core::Portfolio& portfolio);

/// The 201 body of a filled order whose id the database has yet to assign,
/// as the bytes before and after the id. Joined around the id, they equal
/// what filledOrderResponse() writes once the id is known.
struct FilledBodyAroundId
{
    QByteArray before;
    QByteArray after;
};
FilledBodyAroundId filledOrderResponseAroundId(Order order, const core::Portfolio& portfolio);

/// Builds the stored response of a rejected order: its status and error body.
StoredResponse rejectedOrderResponse(const core::Error& error);

/// Returns the outcome of a request under an idempotency key that the
/// account already used, from what the key kept: a replay of the first
/// response when `fingerprint` equals `keptFingerprint`, otherwise 422
/// idempotency_key_reused.
Result<OrderOutcome> replayKeptResponse(const QByteArray& keptFingerprint,
                                        const StoredResponse& kept,
                                        const QByteArray& fingerprint);

/// Rejects a candle interval that is not positive (422 invalid_interval).
Result<core::Ok> checkCandleInterval(std::int64_t intervalMs);

/// Rounds `ms` up to the next multiple of `intervalMs` since the epoch
/// (unchanged when already aligned); correct for negative times too.
std::int64_t alignUpToInterval(std::int64_t ms, std::int64_t intervalMs);

}  // namespace valiant::server
