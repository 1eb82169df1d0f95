#include "metrics.h"

#include <QMutex>
#include <QMutexLocker>

#include <array>
#include <map>
#include <tuple>
#include <utility>

namespace valiant::server {

namespace {

// Upper bounds in seconds, from half a millisecond (an indexed SQLite read)
// to 10 s (the longest a request may run before its timeout).
constexpr std::array<double, 14> bucketBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                 0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};

struct Histogram
{
    std::array<std::uint64_t, bucketBounds.size()> buckets{};  // not cumulative
    std::uint64_t count = 0;
    double sum = 0;

    void observe(double seconds)
    {
        for (std::size_t i = 0; i < bucketBounds.size(); ++i) {
            if (seconds <= bucketBounds[i]) {
                ++buckets[i];
                break;
            }
        }
        ++count;
        sum += seconds;
    }
};

/// Escapes a label value as the exposition format requires.
QByteArray escapeLabel(const QString& value)
{
    QByteArray escaped;
    for (const char c : value.toUtf8()) {
        if (c == '\\') {
            escaped += "\\\\";
        } else if (c == '"') {
            escaped += "\\\"";
        } else if (c == '\n') {
            escaped += "\\n";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

QByteArray formatNumber(double value)
{
    return QByteArray::number(value, 'g', 15);
}

void renderHistogram(QByteArray& out, const QByteArray& name, const QByteArray& labels,
                     const Histogram& histogram)
{
    const QByteArray prefix = labels.isEmpty() ? QByteArray() : labels + ',';
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bucketBounds.size(); ++i) {
        cumulative += histogram.buckets[i];
        out += name + "_bucket{" + prefix + "le=\"" + formatNumber(bucketBounds[i]) + "\"} " +
               QByteArray::number(cumulative) + '\n';
    }
    out +=
        name + "_bucket{" + prefix + "le=\"+Inf\"} " + QByteArray::number(histogram.count) + '\n';
    const QByteArray braces = labels.isEmpty() ? QByteArray() : '{' + labels + '}';
    out += name + "_sum" + braces + ' ' + formatNumber(histogram.sum) + '\n';
    out += name + "_count" + braces + ' ' + QByteArray::number(histogram.count) + '\n';
}

void renderHeader(QByteArray& out, const char* name, const char* type, const char* help)
{
    out += QByteArray("# HELP ") + name + ' ' + help + '\n';
    out += QByteArray("# TYPE ") + name + ' ' + type + '\n';
}

}  // namespace

struct Metrics::Private
{
    using RequestKey = std::tuple<QString, QString, int>;  // method, route, status

    mutable QMutex mutex;
    std::map<RequestKey, std::uint64_t> requests;
    std::map<RequestKey, Histogram> requestLatency;
    std::map<QString, Histogram> queryLatency;
    std::map<QString, std::uint64_t> orders;
    std::uint64_t quotesGenerated = 0;
    std::int64_t streamClients = 0;
    bool leader = false;
};

Metrics::Metrics() : d(std::make_unique<Private>()) {}

Metrics::~Metrics() = default;

void Metrics::recordRequest(const QString& method, const QString& route, int status, double seconds)
{
    QMutexLocker locker(&d->mutex);
    ++d->requests[{method, route, status}];
    d->requestLatency[{method, route, status}].observe(seconds);
}

void Metrics::recordQuery(const QString& operation, double seconds)
{
    QMutexLocker locker(&d->mutex);
    d->queryLatency[operation].observe(seconds);
}

void Metrics::recordOrder(const QString& outcome)
{
    QMutexLocker locker(&d->mutex);
    ++d->orders[outcome];
}

void Metrics::recordQuoteGenerated()
{
    QMutexLocker locker(&d->mutex);
    ++d->quotesGenerated;
}

void Metrics::addStreamClients(int delta)
{
    QMutexLocker locker(&d->mutex);
    d->streamClients += delta;
}

void Metrics::setLeader(bool leader)
{
    QMutexLocker locker(&d->mutex);
    d->leader = leader;
}

QByteArray Metrics::render() const
{
    QMutexLocker locker(&d->mutex);
    QByteArray out;

    renderHeader(out, "valiant_http_requests_total", "counter",
                 "HTTP requests by method, route pattern and status.");
    for (const auto& [key, count] : d->requests) {
        const auto& [method, route, status] = key;
        out += "valiant_http_requests_total{method=\"" + escapeLabel(method) + "\",route=\"" +
               escapeLabel(route) + "\",status=\"" + QByteArray::number(status) + "\"} " +
               QByteArray::number(count) + '\n';
    }

    renderHeader(out, "valiant_http_request_duration_seconds", "histogram",
                 "HTTP request latency in seconds by method, route pattern and status.");
    for (const auto& [key, histogram] : d->requestLatency) {
        const auto& [method, route, status] = key;
        const QByteArray labels = "method=\"" + escapeLabel(method) + "\",route=\"" +
                                  escapeLabel(route) + "\",status=\"" +
                                  QByteArray::number(status) + '"';
        renderHistogram(out, "valiant_http_request_duration_seconds", labels, histogram);
    }

    renderHeader(out, "valiant_db_query_duration_seconds", "histogram",
                 "Database operation latency in seconds by operation.");
    for (const auto& [operation, histogram] : d->queryLatency) {
        renderHistogram(out, "valiant_db_query_duration_seconds",
                        "operation=\"" + escapeLabel(operation) + '"', histogram);
    }

    renderHeader(out, "valiant_orders_total", "counter",
                 "Orders by outcome: filled or the rejection code.");
    for (const auto& [outcome, count] : d->orders) {
        out += "valiant_orders_total{outcome=\"" + escapeLabel(outcome) + "\"} " +
               QByteArray::number(count) + '\n';
    }

    renderHeader(out, "valiant_quotes_generated_total", "counter",
                 "Quotes this process generated.");
    out += "valiant_quotes_generated_total " + QByteArray::number(d->quotesGenerated) + '\n';

    renderHeader(out, "valiant_stream_clients", "gauge", "Open WebSocket stream connections.");
    out += "valiant_stream_clients " + QByteArray::number(d->streamClients) + '\n';

    renderHeader(out, "valiant_leader", "gauge",
                 "1 while this process is the quote generator leader, else 0.");
    out += "valiant_leader " + QByteArray(d->leader ? "1" : "0") + '\n';

    return out;
}

}  // namespace valiant::server
