#pragma once

// QuoteGenerator: makes one quote per tick through MarketService, on the
// thread whose event loop owns it. Ticks fall on multiples of the tick
// length since the Unix epoch (every whole second by default), so quotes
// from restarts and replicas line up with the wall clock.

#include "core/pricemodel.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace valiant::server {

class MarketService;

class QuoteGenerator : public QObject
{
    Q_OBJECT

public:
    /// `service` is not owned and must outlive the generator.
    QuoteGenerator(MarketService& service, int tickMs, QObject* parent = nullptr);
    ~QuoteGenerator() override;

    /// Inserts the first quote at once when the store has none, then ticks
    /// until stop().
    void start();
    void stop();
    bool isRunning() const { return m_running; }

    /// Called before each quote with the tick's slot (ms since the epoch
    /// divided by the tick length); the quote is made only when it returns
    /// true. Leader election hooks in here. Without a gate every tick makes one.
    using TickGate = std::function<bool(std::int64_t slot)>;
    void setTickGate(TickGate gate) { m_gate = std::move(gate); }

Q_SIGNALS:
    void quoteGenerated(qint64 id);

private:
    void scheduleNextTick();
    void tick();
    void generate();

    MarketService& m_service;
    int m_tickMs;
    QTimer m_timer;
    core::PriceModel::Random m_random;
    bool m_running = false;
    std::int64_t m_nextTickMs = 0;
    int m_consecutiveFailures = 0;
    bool m_failureLogged = false;  // of the current run of failures
    std::optional<std::chrono::steady_clock::time_point> m_lastFailureLog;
    TickGate m_gate;
};

}  // namespace valiant::server
