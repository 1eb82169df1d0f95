#include "quotefeed.h"

#include "store.h"

#include <QLoggingCategory>

#include <algorithm>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcFeed, "valiant.bus")

constexpr int pageSize = 1000;
// A replica further behind than this skips ahead: stream sessions load
// their own backlog of at most this many quotes from the store.
constexpr std::int64_t maxFillQuotes = 3600;
// While the store keeps failing, only every this many failures is logged.
constexpr int failureLogInterval = 60;
// Ticks without a quote after which the store is polled although the bus
// reports itself healthy.
constexpr int stallTicks = 3;

}  // namespace

QuoteFeed::QuoteFeed(Forward forward) : m_forward(std::move(forward)) {}

QuoteFeed::~QuoteFeed()
{
    stop();
}

void QuoteFeed::start(Store& store, int pollMs, BusHealthy busHealthy)
{
    stop();

    {
        std::lock_guard lock(m_mutex);
        m_store = &store;
        const Result<std::optional<Quote>> latest = store.latestQuote();
        m_lastId = latest.ok() && latest->has_value() ? latest->value().id : 0;
        m_lastForwardTime = Clock::now();
    }

    std::lock_guard lock(m_stopMutex);
    m_stopping = false;
    m_pollMs = std::max(pollMs, 10);
    m_busHealthy = std::move(busHealthy);
    if (m_busHealthy) {
        m_poller = std::thread([this] { poll(); });
    }
}

void QuoteFeed::stop()
{
    {
        std::lock_guard lock(m_stopMutex);
        m_stopping = true;
    }
    m_stopCondition.notify_all();
    if (m_poller.joinable()) {
        m_poller.join();
    }

    std::lock_guard lock(m_mutex);
    m_store = nullptr;
}

std::int64_t QuoteFeed::lastForwardedId() const
{
    std::lock_guard lock(m_mutex);
    return m_lastId;
}

void QuoteFeed::deliver(const core::Quote& quote)
{
    std::lock_guard lock(m_mutex);
    if (!m_store || quote.id <= m_lastId) {
        return;
    }

    // The bus lost the quotes in between; they are in the store, because
    // the leader publishes a quote only after it committed it. Ids the store
    // lacks were never committed (a failed insert), so skipping them is no gap.
    if (quote.id > m_lastId + 1 && !fillFromStore(quote.id - 1)) {
        // Dropped rather than forwarded across a gap. The next quote or the
        // poller reads it from the store again.
        return;
    }

    m_forward(quote);
    m_lastId = quote.id;
    m_lastForwardTime = Clock::now();
}

void QuoteFeed::catchUp()
{
    std::lock_guard lock(m_mutex);
    if (m_store) {
        fillFromStore(0);
    }
}

bool QuoteFeed::fillFromStore(std::int64_t untilId)
{
    if (untilId > 0 && untilId - m_lastId > maxFillQuotes) {
        qCInfo(lcFeed) << "Quote feed is" << (untilId - m_lastId)
                       << "quotes behind; skipping ahead to quote" << (untilId - maxFillQuotes);
        m_lastId = untilId - maxFillQuotes;
    }

    for (;;) {
        const Result<QList<Quote>> page = m_store->quotesAfter(m_lastId, pageSize);
        if (!page.ok()) {
            const int failures = ++m_consecutiveFailures;
            if (failures == 1 || failures % failureLogInterval == 0) {
                qCWarning(lcFeed).noquote()
                    << QStringLiteral("Reading quotes after %1 from the store failed (%2 times in "
                                      "a row); retrying with the next quote or poll: %3")
                           .arg(m_lastId)
                           .arg(failures)
                           .arg(page.error().message);
            }
            return false;
        }
        m_consecutiveFailures = 0;

        for (const Quote& quote : *page) {
            if (untilId > 0 && quote.id > untilId) {
                return true;
            }
            m_forward(quote);
            m_lastId = quote.id;
            m_lastForwardTime = Clock::now();
        }
        if (page->size() < pageSize) {
            return true;
        }
    }
}

// A bus that looks healthy here can still lose quotes: the leader's
// publishing may fail while this replica's subscriber reads on. After
// stallTicks ticks without a quote the store is read every tick, which
// finds nothing and costs one indexed query while no quotes are made.
bool QuoteFeed::quotesStalled() const
{
    std::lock_guard lock(m_mutex);
    return Clock::now() - m_lastForwardTime > std::chrono::milliseconds(stallTicks * m_pollMs);
}

void QuoteFeed::poll()
{
    for (;;) {
        {
            std::unique_lock lock(m_stopMutex);
            m_stopCondition.wait_for(lock, std::chrono::milliseconds(m_pollMs),
                                     [this] { return m_stopping; });
            if (m_stopping) {
                return;
            }
        }
        if (!m_busHealthy() || quotesStalled()) {
            catchUp();
        }
    }
}

}  // namespace valiant::server
