// orderbench: measures orders per second against a running valiant-server.
// Each of N clients has its own account and its own HTTP connection and
// keeps exactly one order in flight, alternating buy 1 and sell 1 so the
// wallet never runs dry. Prints one JSON object with the results.
//
//   orderbench --url http://127.0.0.1:PORT --clients 8 --seconds 10

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUuid>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

struct Client
{
    std::unique_ptr<QNetworkAccessManager> network;
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

QNetworkRequest jsonRequest(const QUrl& url, const QByteArray& token)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!token.isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + token);
    }
    return request;
}

}  // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Orders per second against valiant-server."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("url"), QStringLiteral("Server base URL."), QStringLiteral("url")});
    parser.addOption({QStringLiteral("clients"), QStringLiteral("Concurrent clients."),
                      QStringLiteral("n"), QStringLiteral("8")});
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("Measured duration."),
                      QStringLiteral("s"), QStringLiteral("10")});
    parser.process(app);

    const QUrl base(parser.value(QStringLiteral("url")));
    const int clientCount = parser.value(QStringLiteral("clients")).toInt();
    const int seconds = parser.value(QStringLiteral("seconds")).toInt();
    if (!base.isValid() || base.scheme() != QLatin1String("http") || clientCount < 1 || seconds < 1) {
        std::fprintf(stderr, "orderbench: --url http://HOST:PORT, --clients >= 1 and --seconds >= 1 are required\n");
        return 2;
    }

    std::vector<Client> clients(clientCount);
    Totals totals;
    QElapsedTimer clock;
    bool measuring = false;
    int ready = 0;
    const QString runId = QUuid::createUuid().toString(QUuid::Id128).left(8);

    std::function<void(int)> sendOrder = [&](int index) {
        Client& client = clients[index];
        const QByteArray side = client.buyNext ? "buy" : "sell";
        QNetworkRequest request = jsonRequest(base.resolved(QUrl(QStringLiteral("/api/v1/orders"))), client.token);
        request.setRawHeader("Idempotency-Key", QUuid::createUuid().toByteArray(QUuid::WithoutBraces));
        const qint64 startedUs = clock.nsecsElapsed() / 1000;
        QNetworkReply* reply = client.network->post(request, "{\"side\":\"" + side + "\",\"quantity\":1}");
        QObject::connect(reply, &QNetworkReply::finished, [&, reply, index, startedUs] {
            reply->deleteLater();
            if (!measuring) {
                return;
            }
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status == 201) {
                ++totals.filled;
                clients[index].buyNext = !clients[index].buyNext;
            } else if (status == 422) {
                ++totals.rejected;
            } else {
                ++totals.failed;
            }
            totals.latenciesUs.push_back(clock.nsecsElapsed() / 1000 - startedUs);
            sendOrder(index);
        });
    };

    auto startMeasuring = [&] {
        measuring = true;
        clock.start();
        for (int i = 0; i < clientCount; ++i) {
            sendOrder(i);
        }
        QTimer::singleShot(seconds * 1000, &app, [&] {
            measuring = false;
            const double elapsed = clock.nsecsElapsed() / 1e9;
            std::sort(totals.latenciesUs.begin(), totals.latenciesUs.end());
            auto percentile = [&](double p) -> qint64 {
                if (totals.latenciesUs.empty()) {
                    return 0;
                }
                const size_t at = std::min(totals.latenciesUs.size() - 1,
                                           size_t(p * totals.latenciesUs.size()));
                return totals.latenciesUs[at];
            };
            const QJsonObject result{{QStringLiteral("clients"), clientCount},
                                     {QStringLiteral("seconds"), elapsed},
                                     {QStringLiteral("filled"), totals.filled},
                                     {QStringLiteral("rejected"), totals.rejected},
                                     {QStringLiteral("failed"), totals.failed},
                                     {QStringLiteral("orders_per_second"), totals.filled / elapsed},
                                     {QStringLiteral("p50_ms"), percentile(0.50) / 1000.0},
                                     {QStringLiteral("p99_ms"), percentile(0.99) / 1000.0}};
            std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
            app.exit(totals.failed == 0 ? 0 : 1);
        });
    };

    // Set-up: one account per client, each on its own connection.
    for (int i = 0; i < clientCount; ++i) {
        clients[i].network = std::make_unique<QNetworkAccessManager>();
        const QJsonObject credentials{{QStringLiteral("username"), QStringLiteral("bench%1-%2").arg(runId).arg(i)},
                                      {QStringLiteral("password"), QStringLiteral("benchmark-password")}};
        QNetworkReply* reply = clients[i].network->post(
            jsonRequest(base.resolved(QUrl(QStringLiteral("/api/v1/accounts"))), {}),
            QJsonDocument(credentials).toJson(QJsonDocument::Compact));
        QObject::connect(reply, &QNetworkReply::finished, [&, reply, i] {
            reply->deleteLater();
            const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
            clients[i].token = body.value(QStringLiteral("token")).toString().toUtf8();
            if (clients[i].token.isEmpty()) {
                std::fprintf(stderr, "orderbench: creating account %d failed: %s\n", i,
                             qPrintable(reply->errorString()));
                app.exit(1);
                return;
            }
            if (++ready == clientCount) {
                startMeasuring();
            }
        });
    }
    return app.exec();
}
