#pragma once

// StreamHub: the registry of open WebSocket stream sessions. It receives
// quotes and wallet changes from the bus and hands each session its
// message; a session whose send queue is full is dropped, so one slow
// client never stalls the others. Thread-safe.

#include "core/market.h"

#include <QByteArray>

#include <cstdint>
#include <memory>

namespace valiant::server {

/// Interface of one stream client to the hub, implemented by the WebSocket
/// session in the network layer.
class StreamSink
{
public:
    virtual ~StreamSink() = default;

    /// Queues a live quote. The session itself keeps ids ascending and
    /// unique (it may still be sending its backlog).
    virtual void deliverQuote(const core::Quote& quote,
                              std::shared_ptr<const QByteArray> message) = 0;
    /// Queues a text message as is.
    virtual void deliver(std::shared_ptr<const QByteArray> message) = 0;
    /// Sends close code 1001 (going away).
    virtual void closeGoingAway() = 0;
};

class StreamHub
{
public:
    StreamHub();
    ~StreamHub();

    /// accountId 0 means not authenticated (quotes only).
    void attach(const std::shared_ptr<StreamSink>& sink, std::int64_t accountId);
    void setAccount(const StreamSink* sink, std::int64_t accountId);
    void detach(const StreamSink* sink);

    void broadcastQuote(const core::Quote& quote);
    void sendPortfolio(std::int64_t accountId, const core::Portfolio& portfolio);
    void closeAll();
    int sessionCount() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

}  // namespace valiant::server
