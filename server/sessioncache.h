#pragma once

// SessionCache: accounts of recently checked tokens, so that a client
// sending many requests does not cost a database round trip for each.
// An entry lives for ttlMs after the store confirmed it. A log-out removes
// its entry at once in this process; other replicas may accept the token
// until their entry runs out (one second by default).

#include "core/market.h"

#include <QByteArray>
#include <QHash>

#include <cstdint>
#include <mutex>
#include <optional>

namespace valiant::server {

class SessionCache
{
public:
    static constexpr std::int64_t defaultTtlMs = 1000;
    /// Past this many entries the cache starts over, which bounds memory.
    static constexpr qsizetype maxEntries = 65536;

    /// `ttlMs` 0 turns the cache off.
    explicit SessionCache(std::int64_t ttlMs = defaultTtlMs);

    std::optional<core::Account> find(const QByteArray& tokenHash, std::int64_t nowMs);
    /// Keeps the account until ttlMs after `nowMs` or until the session
    /// ends at `expiresMs`, whichever comes first.
    void insert(const QByteArray& tokenHash, const core::Account& account, std::int64_t nowMs,
                std::int64_t expiresMs);
    /// Forgets the token and, for one TTL, ignores inserts of it: a request
    /// that read the session before the log-out cannot bring it back.
    void revoke(const QByteArray& tokenHash, std::int64_t nowMs);

private:
    struct Entry
    {
        core::Account account;
        std::int64_t confirmedMs = 0;
        std::int64_t untilMs = 0;
        bool revoked = false;
    };

    const std::int64_t m_ttlMs;
    std::mutex m_mutex;
    QHash<QByteArray, Entry> m_entries;
};

}  // namespace valiant::server
