#pragma once

// Pieces that SqliteStore and PostgresStore share, so both stores respond to an
// order and a candle request the same way.

#include "store.h"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace valiant::server {

/// The 503 error of a write that failed because the database's disk is
/// full. Retrying helps only once space has been freed.
core::Error storageFullError();

/// The note appended to a throttled log line: empty when nothing was held
/// back, else a space and the number held back in parentheses.
QString repeatNote(std::uint64_t suppressed);

/// Limits a repeated log message, such as a store failure on every request
/// during an outage, to one per interval and per key, and counts the
/// messages it held back. Thread-safe. A different message under the same
/// key within the interval is counted, not logged.
class LogThrottle
{
public:
    explicit LogThrottle(std::chrono::steady_clock::duration interval) : m_interval(interval) {}

    /// Returns true when a message under `key` may be logged now. Then
    /// `suppressed` is the number of messages under `key` held back since
    /// the last one logged.
    bool allow(const void* key, std::uint64_t& suppressed);

private:
    struct State
    {
        std::chrono::steady_clock::time_point lastLogged;
        std::uint64_t suppressed = 0;
    };

    const std::chrono::steady_clock::duration m_interval;
    std::mutex m_mutex;
    std::unordered_map<const void*, State> m_states;
};

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
