#pragma once

// StreamHub: the registry of open WebSocket stream sessions. It receives
// quotes and wallet changes from the bus and hands each session its
// message; a session whose send queue is full is dropped, so one slow
// client never stalls the others. Thread-safe.
//
// Quotes fan out in lanes, which run in parallel. Each session belongs to
// one lane for its whole life. One job at a time delivers a lane's quotes
// in order, through a member's runFanOut(). The network layer runs every
// handler of a lane's sessions, and that job, on one strand, so the job
// writes to the sessions directly instead of posting a task per session.

#include "core/market.h"

#include <QByteArray>
#include <QByteArrayView>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace valiant::server {

/// A quote message as every stream session sends it: serialized and framed
/// once per quote, so that sending it to a session is one write of one buffer.
class QuoteMessage
{
public:
    explicit QuoteMessage(const QByteArray& text);

    /// The JSON text of the message.
    QByteArrayView text() const;
    /// The text as an unmasked WebSocket text frame, header included.
    const QByteArray& frame() const { return m_frame; }

private:
    QByteArray m_frame;
    qsizetype m_headerSize = 0;
};

/// Interface of one stream client to the hub, implemented by the WebSocket
/// session in the network layer.
class StreamSink
{
public:
    virtual ~StreamSink() = default;

    /// Queues a live quote and may start sending it before returning, so
    /// the caller must not hold a lock that the sink's own calls into the
    /// hub (detach) take. The hub calls it only from a job that this sink's
    /// lane runs through runFanOut(). The session itself keeps ids
    /// ascending and unique (it may still be sending its backlog).
    virtual void deliverQuote(const core::Quote& quote,
                              const std::shared_ptr<const QuoteMessage>& message) = 0;
    /// Queues a wallet message as is, `walletVersion` being the version of
    /// the holdings in it (0 when unknown). Only queues work, so the hub
    /// calls it with its lock held.
    virtual void deliver(std::shared_ptr<const QByteArray> message, std::int64_t walletVersion) = 0;
    /// Sends close code 1001 (going away). Only queues work, like deliver().
    virtual void closeGoingAway() = 0;
    /// Queues `job` to run soon where deliverQuote() may be called on
    /// every sink of this sink's lane. The hub runs its fan-out jobs
    /// through it.
    virtual void runFanOut(std::function<void()> job) = 0;
    /// Starts loading what deliverQuote() reads into the CPU cache, without
    /// waiting for it. The hub calls stage 1, then stage 2, for sinks a few
    /// places ahead of the one it delivers to, because stage 2 may follow
    /// pointers that stage 1 loaded. The default does nothing.
    virtual void prefetch(int stage) const noexcept { (void)stage; }
};

class StreamHub
{
public:
    /// `lanes` quote fan-out jobs may run at once; 0 means one per CPU core.
    explicit StreamHub(int lanes = 0);
    ~StreamHub();

    int laneCount() const;
    /// Picks the lane of a sink about to be created: the one with the
    /// fewest sinks, counting reservations. The reservation ends with
    /// attach() or cancelLaneReservation().
    std::size_t reserveLane();
    void cancelLaneReservation(std::size_t lane);

    /// accountId 0 means not authenticated (quotes only). Without
    /// `reservedLane` the sink joins the lane with the fewest sinks. The hub
    /// keeps strong references to a lane's sinks until the lane's members
    /// next change (attach or detach). A sink therefore detaches itself
    /// when it ends, not only from its destructor.
    void attach(const std::shared_ptr<StreamSink>& sink, std::int64_t accountId,
                std::optional<std::size_t> reservedLane = std::nullopt);
    void setAccount(const StreamSink* sink, std::int64_t accountId);
    void detach(const StreamSink* sink);

    void broadcastQuote(const core::Quote& quote);
    void sendPortfolio(std::int64_t accountId, const core::Portfolio& portfolio);

    /// Returns whether a session signed in as the account is attached.
    bool hasSessionsOf(std::int64_t accountId) const;
    /// Sends every authenticated session its account's wallet as `read`
    /// returns it, once per account and without the hub's lock held. A
    /// session that got a wallet change while `read` ran keeps that newer one.
    void refreshPortfolios(
        const std::function<std::optional<core::Portfolio>(std::int64_t accountId)>& read);
    void closeAll();
    int sessionCount() const;

private:
    struct Private;
    // Shared with the fan-out jobs, which may still run after the hub is gone.
    std::shared_ptr<Private> d;
};

}  // namespace valiant::server
