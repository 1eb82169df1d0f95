// orderbench: measures orders per second against running valiant-server
// replicas. Each of N clients has its own account and its own keep-alive
// HTTP/1.1 connection and keeps exactly one order in flight, alternating
// buy 1 and sell 1 so the wallet never runs dry. With several --url, the
// clients are spread over them in turn. Prints one JSON object.
//
//   orderbench --url http://127.0.0.1:PORT [--url ...] --clients 8 --seconds 10
//
// The client writes and parses HTTP itself on one thread, like pgbench's
// lean C client, so that on a small machine it leaves the cores to the
// server and the database it measures.

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <QUuid>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace {

struct Response
{
    int status = 0;
    QByteArray body;
};

/// One keep-alive connection with at most one request in flight.
class Connection
{
public:
    using Handler = std::function<void(const Response&)>;

    explicit Connection(const QUrl& base) : m_base(base)
    {
        QObject::connect(&m_socket, &QTcpSocket::connected,
                         [this] { m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1); });
        QObject::connect(&m_socket, &QTcpSocket::readyRead, [this] { readResponses(); });
        QObject::connect(&m_socket, &QTcpSocket::errorOccurred, [this] {
            if (m_handler)
                finish(Response{0, m_socket.errorString().toUtf8()});
        });
        m_socket.connectToHost(base.host(), quint16(base.port()));
    }

    void post(const QByteArray& path, const QByteArray& token, const QByteArray& key,
              const QByteArray& body, Handler handler)
    {
        m_handler = std::move(handler);
        QByteArray request = "POST " + path + " HTTP/1.1\r\nHost: " + m_base.authority().toUtf8() +
                             "\r\nContent-Type: application/json\r\nContent-Length: " +
                             QByteArray::number(body.size()) + "\r\n";
        if (!token.isEmpty())
            request += "Authorization: Bearer " + token + "\r\n";
        if (!key.isEmpty())
            request += "Idempotency-Key: " + key + "\r\n";
        request += "\r\n" + body;
        m_socket.write(request);
    }

private:
    void readResponses()
    {
        m_buffer += m_socket.readAll();
        for (;;) {
            const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0)
                return;
            const QByteArray head = m_buffer.left(headerEnd).toLower();
            const qsizetype lengthAt = head.indexOf("\r\ncontent-length:");
            qsizetype length = 0;
            if (lengthAt >= 0) {
                const qsizetype valueAt = lengthAt + 17;
                const qsizetype lineEnd = head.indexOf("\r\n", valueAt);
                length =
                    head.mid(valueAt, lineEnd < 0 ? -1 : lineEnd - valueAt).trimmed().toLongLong();
            }
            if (m_buffer.size() < headerEnd + 4 + length)
                return;
            Response response{head.mid(9, 3).toInt(), m_buffer.mid(headerEnd + 4, length)};
            m_buffer.remove(0, headerEnd + 4 + length);
            finish(response);
        }
    }

    void finish(const Response& response)
    {
        Handler handler = std::move(m_handler);
        m_handler = nullptr;
        if (handler)
            handler(response);
    }

    QUrl m_base;
    QTcpSocket m_socket;
    QByteArray m_buffer;
    Handler m_handler;
};

struct Client
{
    std::unique_ptr<Connection> connection;
    QByteArray token;
    bool buyNext = true;
};

struct Totals
{
    qint64 filled = 0;
    qint64 rejected = 0;
    qint64 failed = 0;
    std::vector<qint64> latenciesUs;
};

qint64 percentile(const std::vector<qint64>& sorted, double p)
{
    if (sorted.empty())
        return 0;
    return sorted[std::min(sorted.size() - 1, size_t(p * double(sorted.size())))];
}

}  // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Orders per second against valiant-server."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("url"),
                      QStringLiteral("Server base URL; repeat it to spread clients over replicas."),
                      QStringLiteral("url")});
    parser.addOption({QStringLiteral("clients"), QStringLiteral("Concurrent clients."),
                      QStringLiteral("n"), QStringLiteral("8")});
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("Measured duration."),
                      QStringLiteral("s"), QStringLiteral("10")});
    parser.process(app);

    std::vector<QUrl> bases;
    for (const QString& value : parser.values(QStringLiteral("url")))
        bases.emplace_back(value);
    const int clientCount = parser.value(QStringLiteral("clients")).toInt();
    const int seconds = parser.value(QStringLiteral("seconds")).toInt();
    const bool urlsValid =
        !bases.empty() && std::all_of(bases.begin(), bases.end(), [](const QUrl& url) {
            return url.isValid() && url.scheme() == QLatin1String("http") && url.port() > 0;
        });
    if (!urlsValid || clientCount < 1 || seconds < 1) {
        std::fprintf(stderr,
                     "orderbench: --url http://HOST:PORT (one or more), --clients >= 1 and "
                     "--seconds >= 1 are required\n");
        return 2;
    }

    std::vector<Client> clients(static_cast<size_t>(clientCount));
    Totals totals;
    QElapsedTimer clock;
    bool measuring = false;
    int ready = 0;
    const QString runId = QUuid::createUuid().toString(QUuid::Id128).left(8);

    std::function<void(int)> sendOrder = [&](int index) {
        Client& client = clients[size_t(index)];
        const QByteArray side = client.buyNext ? "buy" : "sell";
        const qint64 startedUs = clock.nsecsElapsed() / 1000;
        client.connection->post(
            "/api/v1/orders", client.token, QUuid::createUuid().toByteArray(QUuid::WithoutBraces),
            "{\"side\":\"" + side + "\",\"quantity\":1}",
            [&, index, startedUs](const Response& response) {
                if (!measuring)
                    return;
                if (response.status == 201) {
                    ++totals.filled;
                    clients[size_t(index)].buyNext = !clients[size_t(index)].buyNext;
                } else if (response.status == 422) {
                    ++totals.rejected;
                } else {
                    ++totals.failed;
                    if (totals.failed <= 3)
                        std::fprintf(stderr, "orderbench: order failed with %d: %s\n",
                                     response.status, response.body.left(300).constData());
                }
                totals.latenciesUs.push_back(clock.nsecsElapsed() / 1000 - startedUs);
                // A failed connection is not retried: the run reports it.
                if (response.status != 0)
                    sendOrder(index);
            });
    };

    auto startMeasuring = [&] {
        measuring = true;
        clock.start();
        for (int i = 0; i < clientCount; ++i)
            sendOrder(i);
        QTimer::singleShot(seconds * 1000, &app, [&] {
            measuring = false;
            const double elapsed = double(clock.nsecsElapsed()) / 1e9;
            std::sort(totals.latenciesUs.begin(), totals.latenciesUs.end());
            const QJsonObject result{
                {QStringLiteral("clients"), clientCount},
                {QStringLiteral("replicas"), int(bases.size())},
                {QStringLiteral("seconds"), elapsed},
                {QStringLiteral("filled"), totals.filled},
                {QStringLiteral("rejected"), totals.rejected},
                {QStringLiteral("failed"), totals.failed},
                {QStringLiteral("orders_per_second"), double(totals.filled) / elapsed},
                {QStringLiteral("p50_ms"), double(percentile(totals.latenciesUs, 0.50)) / 1000.0},
                {QStringLiteral("p99_ms"), double(percentile(totals.latenciesUs, 0.99)) / 1000.0}};
            std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
            app.exit(totals.failed == 0 ? 0 : 1);
        });
    };

    // Set-up: one account per client, each on its own connection.
    for (int i = 0; i < clientCount; ++i) {
        clients[size_t(i)].connection =
            std::make_unique<Connection>(bases[size_t(i) % bases.size()]);
        const QJsonObject credentials{
            {QStringLiteral("username"), QStringLiteral("bench%1-%2").arg(runId).arg(i)},
            {QStringLiteral("password"), QStringLiteral("benchmark-password")}};
        clients[size_t(i)].connection->post(
            "/api/v1/accounts", {}, {}, QJsonDocument(credentials).toJson(QJsonDocument::Compact),
            [&, i](const Response& response) {
                clients[size_t(i)].token = QJsonDocument::fromJson(response.body)
                                               .object()
                                               .value(QStringLiteral("token"))
                                               .toString()
                                               .toUtf8();
                if (clients[size_t(i)].token.isEmpty()) {
                    std::fprintf(stderr, "orderbench: creating account %d failed with %d: %s\n", i,
                                 response.status, response.body.left(300).constData());
                    app.exit(1);
                    return;
                }
                if (++ready == clientCount)
                    startMeasuring();
            });
    }
    return app.exec();
}
