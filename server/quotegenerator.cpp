#include "quotegenerator.h"

#include "marketservice.h"

#include <QLoggingCategory>

#include <array>
#include <random>

namespace valiant::server {

namespace {

Q_LOGGING_CATEGORY(lcGenerator, "valiant.generator")

// While the store keeps failing, only every this many failures is logged.
constexpr int failureLogInterval = 60;

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
        if (m_consecutiveFailures == 1 || m_consecutiveFailures % failureLogInterval == 0) {
            qCWarning(lcGenerator).noquote()
                << QStringLiteral(
                       "Failed to generate a quote (%1 failures in a row), retrying at "
                       "the next tick: %2")
                       .arg(m_consecutiveFailures)
                       .arg(quote.error().message);
        }
        return;
    }

    if (m_consecutiveFailures > 0) {
        qCInfo(lcGenerator) << "Quote generation recovered after" << m_consecutiveFailures
                            << "failed ticks";
        m_consecutiveFailures = 0;
    }
    Q_EMIT quoteGenerated(quote->id);
}

}  // namespace valiant::server
