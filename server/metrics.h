#pragma once

// Metrics: counters, gauges and latency histograms rendered in the
// Prometheus text exposition format for GET /metrics. Thread-safe.

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <memory>

namespace valiant::server {

class Metrics
{
public:
    Metrics();
    ~Metrics();

    /// One finished HTTP request: route is the path pattern
    /// ("/api/v1/orders"), never the raw path, so label sets stay bounded.
    void recordRequest(const QString& method, const QString& route, int status, double seconds);
    void recordQuery(const QString& operation, double seconds);
    void recordOrder(const QString& outcome);  // filled, or the rejection code
    void recordQuoteGenerated();
    void addStreamClients(int delta);
    void setLeader(bool leader);

    /// The exposition text, ending with a newline.
    QByteArray render() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

}  // namespace valiant::server
