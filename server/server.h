#pragma once

// Server: one running Valiant server, assembled from its configuration:
// store, bus, market service, quote generator and the HTTP/WebSocket front.
// valiant-server's `serve` runs one on the main thread; the desktop app
// runs one on its own QThread as the embedded local instance.

#include "config.h"
#include "core/result.h"

#include <QObject>

#include <chrono>
#include <memory>

namespace valiant::server {

class MarketService;

class Server : public QObject
{
    Q_OBJECT

public:
    explicit Server(Config config, QObject* parent = nullptr);
    ~Server() override;

    /// Opens the store (migrating it), binds the port and starts the
    /// generator. Call on the thread whose event loop the server uses.
    core::Result<core::Ok> start();

    /// Closes streams with 1001 (going away), stops accepting, lets
    /// in-flight requests finish and releases the store. Idempotent. The
    /// stop's time limits count from `requestedAt`, such as when SIGTERM
    /// arrived.
    void stop(std::chrono::steady_clock::time_point requestedAt = std::chrono::steady_clock::now());

    bool isRunning() const;
    /// The bound port (useful with port 0).
    int port() const;
    MarketService& service();

Q_SIGNALS:
    void quoteGenerated(qint64 id);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

}  // namespace valiant::server
