#pragma once

// QuoteBus: carries new quotes and wallet changes from the replica that made
// them to every replica's stream clients. LocalBus delivers in-process;
// RedisBus (later) fans out between replicas. Subscribers are called on an
// arbitrary thread and must return quickly.

#include "core/market.h"

#include <functional>
#include <memory>

namespace valiant::server {

class QuoteBus
{
public:
    using QuoteHandler = std::function<void(const core::Quote&)>;
    using PortfolioHandler = std::function<void(std::int64_t accountId, const core::Portfolio&)>;

    virtual ~QuoteBus() = default;

    /// "local", "redis" or "degraded", as /up reports it.
    virtual QString state() const = 0;

    virtual void publishQuote(const core::Quote& quote) = 0;
    virtual void publishPortfolio(std::int64_t accountId, const core::Portfolio& portfolio) = 0;
    /// Hands a wallet change to this process's portfolio handlers only,
    /// for a change that no stream session on another replica watches.
    virtual void deliverPortfolioLocally(std::int64_t accountId,
                                         const core::Portfolio& portfolio) = 0;

    /// Handlers stay registered for the bus's lifetime.
    virtual void subscribe(QuoteHandler onQuote, PortfolioHandler onPortfolio) = 0;

    /// Registers `handler` for when wallet changes from other replicas may
    /// have been lost, so that stream clients should get their wallets
    /// again. LocalBus loses none and never calls it.
    virtual void subscribeWalletsStale(std::function<void()> handler) { (void)handler; }

    /// Sets which accounts' wallet changes from other replicas this
    /// replica decodes and hands to the portfolio handlers. The others are
    /// skipped unread. LocalBus delivers every change and ignores it.
    virtual void setPortfolioFilter(std::function<bool(std::int64_t accountId)> wanted)
    {
        (void)wanted;
    }
};

/// In-process bus: publish calls every handler directly.
class LocalBus final : public QuoteBus
{
public:
    LocalBus();
    ~LocalBus() override;

    QString state() const override;
    void publishQuote(const core::Quote& quote) override;
    void publishPortfolio(std::int64_t accountId, const core::Portfolio& portfolio) override;
    void deliverPortfolioLocally(std::int64_t accountId, const core::Portfolio& portfolio) override;
    void subscribe(QuoteHandler onQuote, PortfolioHandler onPortfolio) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

}  // namespace valiant::server
