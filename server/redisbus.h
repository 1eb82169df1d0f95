#pragma once

// RedisBus: the QuoteBus between replicas, over Redis streams with hiredis.
// Quotes go to the stream valiant:quotes and wallet changes to
// valiant:portfolios (XADD … MAXLEN ~ 10000). A subscriber thread with its
// own connection reads both with XREAD BLOCK from the last entry id it saw,
// so after an outage it resumes exactly where it stopped, as long as the
// stream still holds that entry. Both connections reconnect by themselves
// with backoff; meanwhile state() is "degraded" and the server catches up
// from the database instead (see QuoteFeed).

#include "config.h"
#include "quotebus.h"

#include <memory>

namespace valiant::server {

class RedisBus final : public QuoteBus
{
public:
    static constexpr const char* quoteStream = "valiant:quotes";
    static constexpr const char* portfolioStream = "valiant:portfolios";
    /// Approximate length cap of each stream: about 2.8 hours of 1-second quotes.
    static constexpr int streamMaxLength = 10'000;

    explicit RedisBus(RedisEndpoint endpoint);
    ~RedisBus() override;

    RedisBus(const RedisBus&) = delete;
    RedisBus& operator=(const RedisBus&) = delete;

    /// "redis" while both the subscriber and the publisher reach Redis,
    /// else "degraded".
    QString state() const override;

    /// Delivers to this process's handlers at once, then appends to the
    /// stream for the other replicas. A failed append is logged and
    /// dropped: the quote is already in the database, where the other
    /// replicas catch up from.
    void publishQuote(const core::Quote& quote) override;
    void publishPortfolio(std::int64_t accountId, const core::Portfolio& portfolio) override;
    void deliverPortfolioLocally(std::int64_t accountId, const core::Portfolio& portfolio) override;
    void subscribe(QuoteHandler onQuote, PortfolioHandler onPortfolio) override;
    void subscribeWalletsStale(std::function<void()> handler) override;
    void setPortfolioFilter(std::function<bool(std::int64_t accountId)> wanted) override;

    /// Starts the subscriber thread; it connects in the background.
    void start();
    /// Stops and joins the subscriber thread. Idempotent.
    void stop();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

}  // namespace valiant::server
