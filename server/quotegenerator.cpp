#include "quotegenerator.h"

#include "marketservice.h"

#include <QLoggingCategory>

#include <array>
#include <chrono>
#include <random>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcGenerator, "valiant.generator")

// While the store keeps failing, or fails on and off, at most one failure
// is logged in this time.
constexpr auto failureLogInterval = std::chrono::seconds(10);

core::PriceModel::Random seededRandom()
{
    std::random_device device;
    std::array<std::random_device::result_type, 8> seed{};
    for (auto& word : seed) {
        word = device();
    }
    std::seed_seq sequence(seed.begin(), seed.end());
    return core::PriceModel::Random(sequence);
}

}  // namespace

QuoteGenerator::QuoteGenerator(MarketService& service, int tickMs, QObject* parent)
    : QObject(parent),
      m_service(service),
      m_tickMs(tickMs > 0 ? tickMs : 1000),
      m_random(seededRandom())
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &QuoteGenerator::tick);
}

QuoteGenerator::~QuoteGenerator() = default;

void QuoteGenerator::start()
{
    if (m_running) {
        return;
    }
    m_running = true;
    qCInfo(lcGenerator) << "Quote generator started, one quote every" << m_tickMs << "ms";

    // A new database gets its first price at once instead of a tick later,
    // so clients never see an empty market for long.
    const Result<std::optional<Quote>> latest = m_service.store().latestQuote();
    if (latest.ok() && !latest->has_value() && (!m_gate || m_gate(m_service.now() / m_tickMs))) {
        generate();
    }
    scheduleNextTick();
}

void QuoteGenerator::stop()
{
    if (!m_running) {
        return;
    }
    m_running = false;
    m_timer.stop();
    qCInfo(lcGenerator) << "Quote generator stopped";
}

void QuoteGenerator::scheduleNextTick()
{
    const std::int64_t nowMs = m_service.now();
    m_nextTickMs = (nowMs / m_tickMs + 1) * m_tickMs;
    m_timer.start(int(m_nextTickMs - nowMs));
}

void QuoteGenerator::tick()
{
    if (!m_running) {
        return;
    }

    // A timer may fire a millisecond early; wait for the boundary so each
    // quote's time falls in its own tick.
    const std::int64_t nowMs = m_service.now();
    if (nowMs < m_nextTickMs) {
        m_timer.start(int(m_nextTickMs - nowMs));
        return;
    }

    if (!m_gate || m_gate(m_nextTickMs / m_tickMs)) {
        generate();
    }
    scheduleNextTick();
}

void QuoteGenerator::generate()
{
    const Result<Quote> quote = m_service.generateQuote(m_random);
    if (!quote.ok()) {
        ++m_consecutiveFailures;
        const auto now = std::chrono::steady_clock::now();
        if (!m_lastFailureLog || now - *m_lastFailureLog >= failureLogInterval) {
            m_lastFailureLog = now;
            m_failureLogged = true;
            qCWarning(lcGenerator).noquote()
                << QStringLiteral(
                       "Failed to generate a quote (%1 failures in a row), retrying at "
                       "the next tick: %2")
                       .arg(m_consecutiveFailures)
                       .arg(quote.error().message);
        }
        return;
    }

    // Only a run of failures that was logged gets its end logged.
    if (m_consecutiveFailures > 0 && m_failureLogged) {
        qCInfo(lcGenerator) << "Quote generation recovered after" << m_consecutiveFailures
                            << "failed ticks";
    }
    m_consecutiveFailures = 0;
    m_failureLogged = false;
    Q_EMIT quoteGenerated(quote->id);
}

}  // namespace valiant::server
