#pragma once

// WebSocketSession: one client of the live stream, GET /api/v1/stream.
// It sends hello, then the quotes the client missed (with after_id), then
// live quotes in id order without gaps or repeats, and the wallet of its
// account after each change. Beast types stay in websocketsession.cpp.

#include "streamhub.h"

#include <cstddef>
#include <memory>

namespace valiant::server {

class WebSocketSession final : public StreamSink,
                               public std::enable_shared_from_this<WebSocketSession>
{
public:
    /// Messages that may wait in the send queue; past this the client is
    /// too slow and is dropped. The backlog sent after connecting does not
    /// count against it.
    static constexpr std::size_t maxQueuedMessages = 1024;
    /// The most quotes resent to a client that resumes with after_id.
    static constexpr int maxBacklogQuotes = 3600;
    /// How long a client without an Authorization header may take to send
    /// its auth message.
    static constexpr int authTimeoutSeconds = 5;

    struct Private;

    explicit WebSocketSession(std::unique_ptr<Private> state);
    ~WebSocketSession() override;

    /// Completes the upgrade handshake and starts reading and sending.
    void start();

    void deliverQuote(const core::Quote& quote,
                      const std::shared_ptr<const QuoteMessage>& message) override;
    void deliver(std::shared_ptr<const QByteArray> message, std::int64_t walletVersion) override;
    void closeGoingAway() override;
    void runFanOut(std::function<void()> job) override;
    void prefetch(int stage) const noexcept override;

private:
    std::unique_ptr<Private> d;
};

}  // namespace valiant::server
