#include "sessioncache.h"

#include <algorithm>

namespace valiant::server {

SessionCache::SessionCache(std::int64_t ttlMs) : m_ttlMs(ttlMs) {}

std::optional<core::Account> SessionCache::find(const QByteArray& tokenHash, std::int64_t nowMs)
{
    std::lock_guard lock(m_mutex);
    const auto entry = m_entries.constFind(tokenHash);
    if (entry == m_entries.constEnd())
        return std::nullopt;
    // A clock that went back is treated like an old entry.
    // A log-out mark stays until its TTL ends, so that it keeps blocking
    // inserts; no lookup ever returns it.
    if (entry->revoked) {
        if (nowMs >= entry->untilMs || nowMs < entry->confirmedMs)
            m_entries.erase(entry);
        return std::nullopt;
    }
    if (nowMs < entry->confirmedMs || nowMs >= entry->untilMs) {
        m_entries.erase(entry);
        return std::nullopt;
    }
    return entry->account;
}

void SessionCache::insert(const QByteArray& tokenHash, const core::Account& account,
                          std::int64_t nowMs, std::int64_t expiresMs)
{
    if (m_ttlMs <= 0)
        return;
    std::lock_guard lock(m_mutex);
    const auto existing = m_entries.constFind(tokenHash);
    // A log-out in this process may have come between the store's reply
    // and this insert; its mark keeps the token out for one TTL.
    if (existing != m_entries.constEnd() && existing->revoked && nowMs < existing->untilMs &&
        nowMs >= existing->confirmedMs)
        return;
    if (m_entries.size() >= maxEntries)
        m_entries.clear();
    m_entries.insert(tokenHash, Entry{account, nowMs, std::min(nowMs + m_ttlMs, expiresMs)});
}

void SessionCache::revoke(const QByteArray& tokenHash, std::int64_t nowMs)
{
    if (m_ttlMs <= 0)
        return;
    std::lock_guard lock(m_mutex);
    if (m_entries.size() >= maxEntries)
        m_entries.clear();
    m_entries.insert(tokenHash, Entry{{}, nowMs, nowMs + m_ttlMs, true});
}

}  // namespace valiant::server
