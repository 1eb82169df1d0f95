#include "streamhub.h"

#include "core/apicodec.h"

#include <mutex>
#include <vector>

namespace valiant::server {

struct StreamHub::Private
{
    struct Entry
    {
        std::weak_ptr<StreamSink> sink;
        const StreamSink* key = nullptr;
        std::int64_t accountId = 0;
    };

    mutable std::mutex mutex;
    std::vector<Entry> entries;

    /// Calls `deliver` for each live sink that `accepts` while holding the
    /// lock, so that once detach() returns no delivery to that sink is still
    /// running. Sinks only queue work in deliver*() and never call back into
    /// the hub, so holding the lock cannot deadlock. The strong references
    /// are released after unlocking because a sink's destructor detaches.
    template <typename Accepts, typename Deliver>
    void forEach(Accepts accepts, Deliver deliver)
    {
        std::vector<std::shared_ptr<StreamSink>> delivered;
        {
            std::lock_guard lock(mutex);
            delivered.reserve(entries.size());
            for (const Entry& entry : entries) {
                if (!accepts(entry)) {
                    continue;
                }
                if (auto sink = entry.sink.lock()) {
                    deliver(*sink);
                    delivered.push_back(std::move(sink));
                }
            }
        }
    }
};

StreamHub::StreamHub() : d(std::make_unique<Private>()) {}

StreamHub::~StreamHub() = default;

void StreamHub::attach(const std::shared_ptr<StreamSink>& sink, std::int64_t accountId)
{
    std::lock_guard lock(d->mutex);
    for (Private::Entry& entry : d->entries) {
        if (entry.key == sink.get()) {
            entry.accountId = accountId;
            return;
        }
    }
    d->entries.push_back(Private::Entry{sink, sink.get(), accountId});
}

void StreamHub::setAccount(const StreamSink* sink, std::int64_t accountId)
{
    std::lock_guard lock(d->mutex);
    for (Private::Entry& entry : d->entries) {
        if (entry.key == sink) {
            entry.accountId = accountId;
            return;
        }
    }
}

void StreamHub::detach(const StreamSink* sink)
{
    std::lock_guard lock(d->mutex);
    std::erase_if(d->entries, [sink](const Private::Entry& entry) {
        return entry.key == sink || entry.sink.expired();
    });
}

void StreamHub::broadcastQuote(const core::Quote& quote)
{
    // Serialized once and shared by every session's send queue.
    const auto message = std::make_shared<const QByteArray>(core::api::quoteMessage(quote));
    d->forEach([](const Private::Entry&) { return true; },
               [&](StreamSink& sink) { sink.deliverQuote(quote, message); });
}

void StreamHub::sendPortfolio(std::int64_t accountId, const core::Portfolio& portfolio)
{
    if (accountId <= 0) {
        return;
    }
    const auto message = std::make_shared<const QByteArray>(core::api::portfolioMessage(portfolio));
    d->forEach([accountId](const Private::Entry& entry) { return entry.accountId == accountId; },
               [&](StreamSink& sink) { sink.deliver(message); });
}

void StreamHub::closeAll()
{
    d->forEach([](const Private::Entry&) { return true; },
               [](StreamSink& sink) { sink.closeGoingAway(); });
}

int StreamHub::sessionCount() const
{
    std::lock_guard lock(d->mutex);
    int count = 0;
    for (const Private::Entry& entry : d->entries) {
        if (!entry.sink.expired()) {
            ++count;
        }
    }
    return count;
}

}  // namespace valiant::server
