#include "streamhub.h"

#include "core/apicodec.h"
#include "textframe.h"

#include <algorithm>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace valiant::server {

namespace {

constexpr int maxLanes = 64;
// A fan-out job delivers to this many sessions, then queues itself behind
// the handlers that arrived meanwhile: the write completions of those
// sessions, new connections and client messages. Without the pause a
// lane that keeps getting quotes would hold its network thread for good.
constexpr std::size_t sinksPerStep = 256;
// How many sinks ahead of a delivery each prefetch step runs. A delivery
// costs microseconds (a system call), far more than a memory load, so a
// short distance suffices and keeps the loaded lines from being evicted.
constexpr std::size_t prefetchDistance = 2;

}  // namespace

QuoteMessage::QuoteMessage(const QByteArray& text)
{
    const TextFrameHeader header(static_cast<std::uint64_t>(text.size()));
    m_headerSize = static_cast<qsizetype>(header.size());
    m_frame.reserve(m_headerSize + text.size());
    m_frame.append(header.data(), m_headerSize);
    m_frame.append(text);
}

QByteArrayView QuoteMessage::text() const
{
    return QByteArrayView(m_frame).sliced(m_headerSize);
}

struct StreamHub::Private
{
    struct Entry
    {
        std::int64_t accountId = 0;
        std::size_t lane = 0;
        std::size_t indexInLane = 0;
        std::uint64_t portfoliosSent = 0;  // lets refreshPortfolios() skip newer wallets
    };

    struct Member
    {
        const StreamSink* key = nullptr;
        std::weak_ptr<StreamSink> sink;
    };

    struct PendingQuote
    {
        core::Quote quote;
        std::shared_ptr<const QuoteMessage> message;
    };

    using SinkList = std::vector<std::shared_ptr<StreamSink>>;

    struct Lane
    {
        std::vector<Member> members;
        std::size_t reserved = 0;  // sinks being created for this lane
        std::deque<PendingQuote> pending;
        bool draining = false;  // a fan-out job of this lane is queued or running
        // The live sinks of `members`, which fan-out jobs deliver to. The
        // first quote after a change of members builds it, not every quote.
        // Locking thousands of weak references with the hub's lock held
        // delayed each lane's first delivery by about a millisecond at
        // 10,000 sessions (estimated from perf samples). Every change of
        // `members` resets it, so no sink stays in it after its detach().
        std::shared_ptr<const SinkList> sinks;
    };

    /// The one fan-out job of a lane: the quote it is delivering and the
    /// sinks still to receive it. Only the job itself touches it.
    struct FanOutJob
    {
        std::shared_ptr<Private> hub;
        std::size_t laneIndex = 0;
        std::shared_ptr<StreamSink> runner;  // puts the job on a network thread
        PendingQuote quote;
        std::shared_ptr<const SinkList> sinks;
        std::size_t nextSink = 0;
    };

    explicit Private(int laneCount) : lanes(static_cast<std::size_t>(laneCount)) {}

    std::size_t shortestLane() const;
    void removeFromLane(const Entry& entry);
    /// Returns the sinks of the lane, building the list if a change of
    /// members reset it. Call with the lock held.
    const std::shared_ptr<const SinkList>& laneSinks(Lane& lane);
    /// Moves a session to another account (0: none) in `entries` and `byAccount`.
    void assignAccount(const StreamSink* key, Entry& entry, std::int64_t accountId);
    static void runFanOutStep(const std::shared_ptr<FanOutJob>& job);
    bool takeNextQuote(FanOutJob& job);

    /// Calls `deliver` for each live sink that `accepts` while holding the
    /// lock, so that once detach() returns no delivery to that sink is still
    /// running. deliver() and closeGoingAway() only queue work and never
    /// call back into the hub, so holding the lock cannot deadlock. The
    /// strong references are released after unlocking because a sink's
    /// destructor detaches.
    template <typename Accepts, typename Deliver>
    void forEach(Accepts accepts, Deliver deliver)
    {
        std::vector<std::shared_ptr<StreamSink>> delivered;
        {
            std::lock_guard lock(mutex);
            for (auto& [key, entry] : entries) {
                if (!accepts(entry)) {
                    continue;
                }
                const Member& member = lanes[entry.lane].members[entry.indexInLane];
                if (auto sink = member.sink.lock()) {
                    deliver(*sink);
                    delivered.push_back(std::move(sink));
                }
            }
        }
    }

    mutable std::mutex mutex;
    std::unordered_map<const StreamSink*, Entry> entries;
    // The signed-in sessions of each account, so that a wallet change
    // visits only its account's sessions.
    std::unordered_map<std::int64_t, std::vector<const StreamSink*>> byAccount;
    std::vector<Lane> lanes;
};

void StreamHub::Private::assignAccount(const StreamSink* key, Entry& entry,
                                       std::int64_t accountId)
{
    if (entry.accountId == accountId)
        return;
    if (entry.accountId > 0) {
        const auto sessions = byAccount.find(entry.accountId);
        if (sessions != byAccount.end()) {
            std::erase(sessions->second, key);
            if (sessions->second.empty())
                byAccount.erase(sessions);
        }
    }
    entry.accountId = accountId;
    if (accountId > 0)
        byAccount[accountId].push_back(key);
}

/// Returns the lane with the fewest members and reservations. Call with the lock held.
std::size_t StreamHub::Private::shortestLane() const
{
    const auto shortest =
        std::min_element(lanes.begin(), lanes.end(), [](const Lane& a, const Lane& b) {
            return a.members.size() + a.reserved < b.members.size() + b.reserved;
        });
    return static_cast<std::size_t>(shortest - lanes.begin());
}

/// Removes a member by moving the lane's last member into its place.
void StreamHub::Private::removeFromLane(const Entry& entry)
{
    Lane& lane = lanes[entry.lane];
    if (entry.indexInLane + 1 != lane.members.size()) {
        Member& moved = lane.members[entry.indexInLane];
        moved = std::move(lane.members.back());
        entries.at(moved.key).indexInLane = entry.indexInLane;
    }
    lane.members.pop_back();
    if (lane.members.empty()) {
        lane.pending.clear();
    }
}

/// Moves the lane's oldest queued quote into the job, with the sinks that
/// are in the lane now. Returns false, and ends the job, when none is queued.
bool StreamHub::Private::takeNextQuote(FanOutJob& job)
{
    // Released before locking, because the last reference to a sink list
    // may be the last one to a sink, whose destructor detaches.
    job.sinks.reset();
    job.nextSink = 0;
    std::lock_guard lock(mutex);
    Lane& lane = lanes[job.laneIndex];
    if (lane.pending.empty()) {
        lane.draining = false;
        return false;
    }
    job.quote = std::move(lane.pending.front());
    lane.pending.pop_front();
    job.sinks = laneSinks(lane);
    return true;
}

const std::shared_ptr<const StreamHub::Private::SinkList>&
StreamHub::Private::laneSinks(Lane& lane)
{
    if (!lane.sinks) {
        auto sinks = std::make_shared<SinkList>();
        sinks->reserve(lane.members.size());
        for (const Member& member : lane.members) {
            if (auto sink = member.sink.lock()) {
                sinks->push_back(std::move(sink));
            }
        }
        lane.sinks = std::move(sinks);
    }
    return lane.sinks;
}

/// Delivers the current quote to the next sinksPerStep sinks and queues
/// the next step. Quotes go out in order because a lane has one job. The
/// lock is not held while delivering because a sink may detach meanwhile.
void StreamHub::Private::runFanOutStep(const std::shared_ptr<FanOutJob>& job)
{
    if ((!job->sinks || job->nextSink == job->sinks->size()) &&
        !job->hub->takeNextQuote(*job)) {
        return;
    }
    const SinkList& sinks = *job->sinks;
    const std::size_t end = std::min(sinks.size(), job->nextSink + sinksPerStep);
    const std::size_t count = sinks.size();
    for (; job->nextSink < end; ++job->nextSink) {
        const std::size_t index = job->nextSink;
        // Three dependent loads ahead of the delivery: the sink object,
        // then the state its pointers lead to, then what that state points to.
        if (index + 3 * prefetchDistance < count) {
            __builtin_prefetch(sinks[index + 3 * prefetchDistance].get());
        }
        if (index + 2 * prefetchDistance < count) {
            sinks[index + 2 * prefetchDistance]->prefetch(1);
        }
        if (index + prefetchDistance < count) {
            sinks[index + prefetchDistance]->prefetch(2);
        }
        sinks[index]->deliverQuote(job->quote.quote, job->quote.message);
    }
    job->runner->runFanOut([job] { runFanOutStep(job); });
}

StreamHub::StreamHub(int lanes)
{
    if (lanes <= 0) {
        lanes = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    }
    d = std::make_shared<Private>(std::min(lanes, maxLanes));
}

StreamHub::~StreamHub()
{
    // Sink lists still held are released here, while the hub still exists
    // for the detach() of a sink destroyed with them.
    std::vector<std::shared_ptr<const Private::SinkList>> released;
    {
        std::lock_guard lock(d->mutex);
        for (Private::Lane& lane : d->lanes) {
            released.push_back(std::move(lane.sinks));
        }
    }
}

int StreamHub::laneCount() const
{
    return static_cast<int>(d->lanes.size());
}

std::size_t StreamHub::reserveLane()
{
    std::lock_guard lock(d->mutex);
    const std::size_t lane = d->shortestLane();
    ++d->lanes[lane].reserved;
    return lane;
}

void StreamHub::cancelLaneReservation(std::size_t lane)
{
    std::lock_guard lock(d->mutex);
    if (lane < d->lanes.size() && d->lanes[lane].reserved > 0) {
        --d->lanes[lane].reserved;
    }
}

void StreamHub::attach(const std::shared_ptr<StreamSink>& sink, std::int64_t accountId,
                       std::optional<std::size_t> reservedLane)
{
    std::shared_ptr<const Private::SinkList> outdated;  // released after unlocking
    std::lock_guard lock(d->mutex);
    const auto found = d->entries.find(sink.get());
    if (found != d->entries.end()) {
        d->assignAccount(sink.get(), found->second, accountId);
        return;
    }
    if (reservedLane && *reservedLane < d->lanes.size() && d->lanes[*reservedLane].reserved > 0) {
        --d->lanes[*reservedLane].reserved;
    }
    const std::size_t laneIndex =
        reservedLane && *reservedLane < d->lanes.size() ? *reservedLane : d->shortestLane();
    Private::Lane& lane = d->lanes[laneIndex];
    const auto added =
        d->entries.emplace(sink.get(), Private::Entry{0, laneIndex, lane.members.size()}).first;
    d->assignAccount(sink.get(), added->second, accountId);
    lane.members.push_back(Private::Member{sink.get(), sink});
    outdated = std::move(lane.sinks);
}

void StreamHub::setAccount(const StreamSink* sink, std::int64_t accountId)
{
    std::lock_guard lock(d->mutex);
    const auto found = d->entries.find(sink);
    if (found != d->entries.end()) {
        d->assignAccount(sink, found->second, accountId);
    }
}

void StreamHub::detach(const StreamSink* sink)
{
    // Released after unlocking, because it may hold the last reference to
    // another sink, whose destructor detaches too.
    std::shared_ptr<const Private::SinkList> outdated;
    std::lock_guard lock(d->mutex);
    const auto found = d->entries.find(sink);
    if (found == d->entries.end()) {
        return;
    }
    d->assignAccount(sink, found->second, 0);
    outdated = std::move(d->lanes[found->second.lane].sinks);
    d->removeFromLane(found->second);
    d->entries.erase(found);
}

/// Queues the quote on every lane that has sessions and starts a fan-out
/// job for each lane without one. Returns before the sessions receive it.
void StreamHub::broadcastQuote(const core::Quote& quote)
{
    const auto message = std::make_shared<const QuoteMessage>(core::api::quoteMessage(quote));
    std::vector<std::pair<std::shared_ptr<StreamSink>, std::size_t>> starters;
    {
        std::lock_guard lock(d->mutex);
        for (std::size_t index = 0; index < d->lanes.size(); ++index) {
            Private::Lane& lane = d->lanes[index];
            if (lane.members.empty()) {
                continue;
            }
            lane.pending.push_back(Private::PendingQuote{quote, message});
            if (lane.draining) {
                continue;
            }
            // Any live member can put the job on a network thread.
            for (const Private::Member& member : lane.members) {
                if (auto sink = member.sink.lock()) {
                    lane.draining = true;
                    starters.emplace_back(std::move(sink), index);
                    break;
                }
            }
            if (!lane.draining) {
                lane.pending.clear();  // every member is gone but not yet detached
            }
        }
    }
    for (auto& [sink, laneIndex] : starters) {
        auto job = std::make_shared<Private::FanOutJob>();
        job->hub = d;
        job->laneIndex = laneIndex;
        job->runner = sink;
        sink->runFanOut([job] { Private::runFanOutStep(job); });
    }
}

void StreamHub::sendPortfolio(std::int64_t accountId, const core::Portfolio& portfolio)
{
    if (accountId <= 0) {
        return;
    }
    // Strong references are released after unlocking because a sink's
    // destructor detaches.
    std::vector<std::shared_ptr<StreamSink>> delivered;
    std::lock_guard lock(d->mutex);
    const auto sessions = d->byAccount.find(accountId);
    if (sessions == d->byAccount.end())
        return;
    const auto message = std::make_shared<const QByteArray>(core::api::portfolioMessage(portfolio));
    for (const StreamSink* key : sessions->second) {
        Private::Entry& entry = d->entries.at(key);
        if (auto sink = d->lanes[entry.lane].members[entry.indexInLane].sink.lock()) {
            ++entry.portfoliosSent;
            sink->deliver(message, portfolio.holdings.version);
            delivered.push_back(std::move(sink));
        }
    }
}

bool StreamHub::hasSessionsOf(std::int64_t accountId) const
{
    std::lock_guard lock(d->mutex);
    return d->byAccount.contains(accountId);
}

void StreamHub::refreshPortfolios(
    const std::function<std::optional<core::Portfolio>(std::int64_t accountId)>& read)
{
    struct Seen
    {
        const StreamSink* key;
        std::uint64_t portfoliosSent;
    };
    std::unordered_map<std::int64_t, std::vector<Seen>> sessionsByAccount;
    {
        std::lock_guard lock(d->mutex);
        for (const auto& [key, entry] : d->entries) {
            if (entry.accountId > 0)
                sessionsByAccount[entry.accountId].push_back(Seen{key, entry.portfoliosSent});
        }
    }

    for (const auto& [accountId, sessions] : sessionsByAccount) {
        const std::optional<core::Portfolio> portfolio = read(accountId);
        if (!portfolio)
            continue;
        const auto message =
            std::make_shared<const QByteArray>(core::api::portfolioMessage(*portfolio));
        std::vector<std::shared_ptr<StreamSink>> delivered;
        std::lock_guard lock(d->mutex);
        for (const Seen& seen : sessions) {
            const auto found = d->entries.find(seen.key);
            // A session that left, changed account or got a newer wallet meanwhile is skipped.
            if (found == d->entries.end() || found->second.accountId != accountId ||
                found->second.portfoliosSent != seen.portfoliosSent) {
                continue;
            }
            const Private::Entry& entry = found->second;
            if (auto sink = d->lanes[entry.lane].members[entry.indexInLane].sink.lock()) {
                sink->deliver(message, portfolio->holdings.version);
                delivered.push_back(std::move(sink));
            }
        }
    }
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
    for (const Private::Lane& lane : d->lanes) {
        for (const Private::Member& member : lane.members) {
            if (!member.sink.expired()) {
                ++count;
            }
        }
    }
    return count;
}

}  // namespace valiant::server
