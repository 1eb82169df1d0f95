#pragma once

// Helpers for log lines: rate limiting of repeated ones, such as a store
// failure on every request during an outage, and one line per entry.

#include <QString>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace valiant::server {

/// Returns `text` on one line, so that a text log entry never spans lines:
/// each line break, with the spaces and tabs around it, becomes " / ", and
/// any other tab a space. libpq's errors, for example, put a hint on a
/// second line that starts with a tab.
QString flattenLineBreaks(const QString& text);

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

}  // namespace valiant::server
