#pragma once

// QuoteFeed: the one door through which quotes reach this replica's stream
// clients. It forwards quote ids in order with no gap and no duplicate:
// a quote it has passed on already is dropped, and when a quote skips ids
// (a bus entry lost while Redis was away) the missing quotes are read from
// the store first. While the bus is unhealthy, or no quote has come for
// three ticks, it also polls the store, so clients keep receiving quotes
// without the bus. Thread-safe.

#include "core/market.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace valiant::server {

class Store;

class QuoteFeed
{
public:
    using Forward = std::function<void(const core::Quote&)>;
    using BusHealthy = std::function<bool()>;

    /// `forward` receives every quote in id order; it runs with the feed's
    /// lock held and must not call back into the feed.
    explicit QuoteFeed(Forward forward);
    ~QuoteFeed();

    QuoteFeed(const QuoteFeed&) = delete;
    QuoteFeed& operator=(const QuoteFeed&) = delete;

    /// Starts after the store's latest quote. While `busHealthy` returns
    /// false, or no quote came for three times `pollMs`, polls the store
    /// every `pollMs`. `store` must outlive stop().
    void start(Store& store, int pollMs, BusHealthy busHealthy);
    /// Stops the poller and releases the store. Quotes arriving later are
    /// dropped. Idempotent.
    void stop();

    /// Forwards `quote` after any quotes missing before it.
    void deliver(const core::Quote& quote);
    /// Forwards the quotes the store has after the last one forwarded.
    void catchUp();

    std::int64_t lastForwardedId() const;

private:
    /// Forwards the store's quotes after lastId up to `untilId` (0: all).
    /// Returns false when the store failed, leaving lastId at the last
    /// quote forwarded.
    bool fillFromStore(std::int64_t untilId);
    bool quotesStalled() const;
    void poll();

    using Clock = std::chrono::steady_clock;

    Forward m_forward;
    mutable std::mutex m_mutex;
    Store* m_store = nullptr;
    std::int64_t m_lastId = 0;
    Clock::time_point m_lastForwardTime;  // of the last quote forwarded, or start()
    int m_consecutiveFailures = 0;

    std::thread m_poller;
    std::mutex m_stopMutex;
    std::condition_variable m_stopCondition;
    bool m_stopping = false;
    int m_pollMs = 1000;
    BusHealthy m_busHealthy;
};

}  // namespace valiant::server
