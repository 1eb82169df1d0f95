// Black-box tests of what a real valiant-server reports about itself: the
// Prometheus text of GET /metrics, parsed line by line, the JSON log lines
// of LOG_FORMAT=json, and the absence of passwords and tokens from its
// output.

#include "support/httpclient.h"
#include "support/serverprocess.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QWebSocket>

#include <memory>

using namespace valiant::test;

namespace {

const QString password = QStringLiteral("Sup3r-secret passphrase 4711");

/// One sample line: metric name, labels (le included) and value.
struct Sample
{
    QString name;
    QMap<QString, QString> labels;
    double value = 0;
};

/// A parsed exposition, or the first invalid line in `error`.
struct Exposition
{
    QMap<QString, QString> types;  // family name → counter, gauge, histogram, ...
    QList<Sample> samples;
    QString error;
};

/// Parses `{a="x",b="y\"z"}` starting at `text[position]` == '{'.
bool parseLabels(const QString& text, qsizetype& position, QMap<QString, QString>& labels)
{
    static const QRegularExpression labelName(QStringLiteral("^[a-zA-Z_][a-zA-Z0-9_]*"));
    ++position;  // '{'
    while (position < text.size() && text.at(position) != QLatin1Char('}')) {
        const auto name = labelName.match(text.mid(position));
        if (!name.hasMatch()) {
            return false;
        }
        position += name.capturedLength();
        if (text.mid(position, 2) != QLatin1String("=\"")) {
            return false;
        }
        position += 2;

        QString value;
        bool closed = false;
        while (position < text.size()) {
            const QChar c = text.at(position++);
            if (c == QLatin1Char('"')) {
                closed = true;
                break;
            }
            if (c != QLatin1Char('\\')) {
                value += c;
                continue;
            }
            if (position >= text.size()) {
                return false;
            }
            const QChar escaped = text.at(position++);
            if (escaped == QLatin1Char('n')) {
                value += QLatin1Char('\n');
            } else if (escaped == QLatin1Char('\\') || escaped == QLatin1Char('"')) {
                value += escaped;
            } else {
                return false;
            }
        }
        if (!closed || labels.contains(name.captured())) {
            return false;
        }
        labels.insert(name.captured(), value);
        if (position < text.size() && text.at(position) == QLatin1Char(',')) {
            ++position;
        }
    }
    if (position >= text.size()) {
        return false;
    }
    ++position;  // '}'
    return true;
}

bool parseValue(const QString& text, double& value)
{
    if (text == u"+Inf") {
        value = qInf();
        return true;
    }
    if (text == u"-Inf") {
        value = -qInf();
        return true;
    }
    if (text == u"NaN") {
        value = qQNaN();
        return true;
    }
    bool ok = false;
    value = text.toDouble(&ok);
    return ok;
}

/// The family a sample belongs to: histogram samples drop their suffix.
QString familyOf(const QString& name, const QMap<QString, QString>& types)
{
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (name.endsWith(QLatin1String(suffix))) {
            const QString base = name.chopped(qsizetype(qstrlen(suffix)));
            if (types.value(base) == u"histogram") {
                return base;
            }
        }
    }
    return name;
}

Exposition parseExposition(const QByteArray& body)
{
    static const QRegularExpression metricName(QStringLiteral("^[a-zA-Z_:][a-zA-Z0-9_:]*"));
    static const QRegularExpression typeLine(
        QStringLiteral("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$"));
    static const QRegularExpression helpLine(QStringLiteral("^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$"));

    Exposition exposition;
    const QStringList lines = QString::fromUtf8(body).split(QLatin1Char('\n'));
    // The body ends with a newline, so the text after the last one is empty.
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        const QString& line = lines.at(i);
        const QString where = QStringLiteral("line %1 \"%2\"").arg(i + 1).arg(line);
        if (line.startsWith(QLatin1String("# TYPE"))) {
            const auto match = typeLine.match(line);
            if (!match.hasMatch() || exposition.types.contains(match.captured(1))) {
                exposition.error = where + QStringLiteral(": invalid or repeated TYPE");
                return exposition;
            }
            exposition.types.insert(match.captured(1), match.captured(2));
            continue;
        }
        if (line.startsWith(QLatin1String("# HELP"))) {
            if (!helpLine.match(line).hasMatch()) {
                exposition.error = where + QStringLiteral(": invalid HELP");
                return exposition;
            }
            continue;
        }
        if (line.startsWith(QLatin1Char('#'))) {
            continue;
        }

        Sample sample;
        const auto name = metricName.match(line);
        if (!name.hasMatch()) {
            exposition.error = where + QStringLiteral(": invalid metric name");
            return exposition;
        }
        sample.name = name.captured();
        qsizetype position = name.capturedLength();
        if (position < line.size() && line.at(position) == QLatin1Char('{') &&
            !parseLabels(line, position, sample.labels)) {
            exposition.error = where + QStringLiteral(": invalid labels");
            return exposition;
        }
        const QStringList rest = line.mid(position).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (!line.mid(position).startsWith(QLatin1Char(' ')) || rest.isEmpty() || rest.size() > 2 ||
            !parseValue(rest.first(), sample.value)) {
            exposition.error = where + QStringLiteral(": invalid value");
            return exposition;
        }
        if (!exposition.types.contains(familyOf(sample.name, exposition.types))) {
            exposition.error = where + QStringLiteral(": sample before its TYPE line");
            return exposition;
        }
        exposition.samples.append(sample);
    }
    return exposition;
}

/// Checks every histogram series: buckets ascend by le with cumulative
/// counts, and the +Inf bucket equals _count. Returns an error or empty.
QString checkHistograms(const Exposition& exposition)
{
    for (auto type = exposition.types.cbegin(); type != exposition.types.cend(); ++type) {
        if (type.value() != u"histogram") {
            continue;
        }
        // Series key: the labels without le.
        QMap<QString, QList<QPair<double, double>>> buckets;
        QMap<QString, double> counts;
        for (const Sample& sample : exposition.samples) {
            QMap<QString, QString> labels = sample.labels;
            const QString le = labels.take(QStringLiteral("le"));
            QStringList parts;
            for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
                parts.append(it.key() + QLatin1Char('=') + it.value());
            }
            const QString series = parts.join(QLatin1Char(','));
            if (sample.name == type.key() + QLatin1String("_bucket")) {
                double bound = 0;
                if (!parseValue(le, bound)) {
                    return QStringLiteral("%1{%2} has an invalid le \"%3\"").arg(sample.name, series, le);
                }
                buckets[series].append({bound, sample.value});
            } else if (sample.name == type.key() + QLatin1String("_count")) {
                counts.insert(series, sample.value);
            }
        }
        for (auto it = buckets.cbegin(); it != buckets.cend(); ++it) {
            const auto& series = it.value();
            for (qsizetype i = 1; i < series.size(); ++i) {
                if (series.at(i).first <= series.at(i - 1).first || series.at(i).second < series.at(i - 1).second) {
                    return QStringLiteral("%1{%2}: bucket %3 is out of order or not cumulative")
                        .arg(type.key(), it.key())
                        .arg(i);
                }
            }
            if (series.isEmpty() || !qIsInf(series.last().first)) {
                return QStringLiteral("%1{%2} has no +Inf bucket").arg(type.key(), it.key());
            }
            if (!counts.contains(it.key()) || counts.value(it.key()) != series.last().second) {
                return QStringLiteral("%1{%2}: +Inf bucket %3 differs from _count %4")
                    .arg(type.key(), it.key())
                    .arg(series.last().second)
                    .arg(counts.value(it.key(), -1));
            }
        }
    }
    return {};
}

double sampleValue(const Exposition& exposition, const QString& name,
                   const QMap<QString, QString>& labels = {})
{
    for (const Sample& sample : exposition.samples) {
        if (sample.name != name) {
            continue;
        }
        bool matches = true;
        for (auto it = labels.cbegin(); it != labels.cend(); ++it) {
            matches = matches && sample.labels.value(it.key()) == it.value();
        }
        if (matches) {
            return sample.value;
        }
    }
    return -1;
}

QJsonObject credentials(const QString& username)
{
    return QJsonObject{{QStringLiteral("username"), username},
                       {QStringLiteral("password"), password}};
}

bool waitForQuote(const HttpClient& client)
{
    const QDeadlineTimer deadline(10'000);
    while (!deadline.hasExpired()) {
        if (client.get(QStringLiteral("/api/v1/quotes/latest")).status == 200) {
            return true;
        }
        QThread::msleep(50);
    }
    return false;
}

}  // namespace

class ObservabilityTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void metricsExpositionValid();
    void metricsCountStreamClients();
    void jsonLogLinesParse();
    void postgresErrorLoggedOnOneLine();
    void secretsNeverLogged();
};

void ObservabilityTest::initTestCase()
{
    QVERIFY2(!ServerProcess::serverBinary().isEmpty(), "VALIANT_SERVER_BIN is not set");
}

void ObservabilityTest::metricsExpositionValid()
{
    ServerProcess::Options options;
    options.tickMs = 100;
    ServerProcess server(options);
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const HttpClient client(server.baseUrl());
    QVERIFY(waitForQuote(client));

    // Traffic for every family: a filled and a rejected order, a praise, a 404.
    const HttpResponse created = client.post(QStringLiteral("/api/v1/accounts"), credentials(QStringLiteral("metrics")));
    QCOMPARE(created.status, 201);
    const QString token = created.json().value(QStringLiteral("token")).toString();
    const HttpResponse filled = client.post(QStringLiteral("/api/v1/orders"),
                                            {{QStringLiteral("side"), QStringLiteral("buy")}, {QStringLiteral("quantity"), 1}},
                                            token, {{"Idempotency-Key", "m-1"}});
    QVERIFY2(filled.status == 201, qPrintable(filled.describe()));
    const HttpResponse rejected = client.post(QStringLiteral("/api/v1/orders"),
                                              {{QStringLiteral("side"), QStringLiteral("sell")}, {QStringLiteral("quantity"), 5}},
                                              token, {{"Idempotency-Key", "m-2"}});
    QCOMPARE(rejected.status, 422);
    QCOMPARE(client.post(QStringLiteral("/api/v1/praise"), QJsonObject(), token).status, 200);
    QCOMPARE(client.get(QStringLiteral("/no/such/path")).status, 404);

    const HttpResponse metrics = client.get(QStringLiteral("/metrics"));
    QCOMPARE(metrics.status, 200);
    QVERIFY2(metrics.header("Content-Type").startsWith("text/plain; version=0.0.4"),
             metrics.header("Content-Type").constData());
    QVERIFY(metrics.body.endsWith('\n'));

    const Exposition exposition = parseExposition(metrics.body);
    QVERIFY2(exposition.error.isEmpty(), qPrintable(exposition.error));
    const QString histogramError = checkHistograms(exposition);
    QVERIFY2(histogramError.isEmpty(), qPrintable(histogramError));

    const QMap<QString, QString> expectedTypes{
        {QStringLiteral("valiant_http_requests_total"), QStringLiteral("counter")},
        {QStringLiteral("valiant_http_request_duration_seconds"), QStringLiteral("histogram")},
        {QStringLiteral("valiant_db_query_duration_seconds"), QStringLiteral("histogram")},
        {QStringLiteral("valiant_orders_total"), QStringLiteral("counter")},
        {QStringLiteral("valiant_quotes_generated_total"), QStringLiteral("counter")},
        {QStringLiteral("valiant_stream_clients"), QStringLiteral("gauge")},
        {QStringLiteral("valiant_leader"), QStringLiteral("gauge")},
    };
    for (auto it = expectedTypes.cbegin(); it != expectedTypes.cend(); ++it) {
        QCOMPARE(exposition.types.value(it.key()), it.value());
    }

    QCOMPARE(sampleValue(exposition, QStringLiteral("valiant_http_requests_total"),
                         {{QStringLiteral("route"), QStringLiteral("/api/v1/orders")}, {QStringLiteral("status"), QStringLiteral("201")}}),
             1.0);
    QCOMPARE(sampleValue(exposition, QStringLiteral("valiant_http_requests_total"),
                         {{QStringLiteral("route"), QStringLiteral("unmatched")}, {QStringLiteral("status"), QStringLiteral("404")}}),
             1.0);
    QCOMPARE(sampleValue(exposition, QStringLiteral("valiant_http_request_duration_seconds_count"),
                         {{QStringLiteral("route"), QStringLiteral("/api/v1/orders")}, {QStringLiteral("status"), QStringLiteral("422")}}),
             1.0);
    QCOMPARE(sampleValue(exposition, QStringLiteral("valiant_orders_total"), {{QStringLiteral("outcome"), QStringLiteral("filled")}}), 1.0);
    QCOMPARE(sampleValue(exposition, QStringLiteral("valiant_orders_total"),
                         {{QStringLiteral("outcome"), QStringLiteral("insufficient_shares")}}),
             1.0);
    QVERIFY(sampleValue(exposition, QStringLiteral("valiant_quotes_generated_total")) >= 1);
    QVERIFY(sampleValue(exposition, QStringLiteral("valiant_db_query_duration_seconds_count"),
                        {{QStringLiteral("operation"), QStringLiteral("place_order")}}) >= 2);
    QCOMPARE(sampleValue(exposition, QStringLiteral("valiant_leader")), 1.0);
}

void ObservabilityTest::metricsCountStreamClients()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.errorString()));
    const HttpClient client(server.baseUrl());
    const auto streamClients = [&client] {
        return sampleValue(parseExposition(client.get(QStringLiteral("/metrics")).body),
                           QStringLiteral("valiant_stream_clients"));
    };
    QCOMPARE(streamClients(), 0.0);

    QWebSocket socket;
    QSignalSpy connected(&socket, &QWebSocket::connected);
    socket.open(server.webSocketUrl(QStringLiteral("/api/v1/stream")));
    QVERIFY(connected.wait(5000));
    QTRY_COMPARE_WITH_TIMEOUT(streamClients(), 1.0, 5000);

    QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
    socket.close();
    QVERIFY(disconnected.count() > 0 || disconnected.wait(5000));
    QTRY_COMPARE_WITH_TIMEOUT(streamClients(), 0.0, 5000);
}

void ObservabilityTest::jsonLogLinesParse()
{
    // The server inherits this process's environment.
    qputenv("LOG_FORMAT", "json");
    ServerProcess server;
    const bool started = server.start();
    qunsetenv("LOG_FORMAT");
    QVERIFY2(started, qPrintable(server.errorString()));

    // A rejected request and the shutdown log a few more lines.
    QCOMPARE(RawHttp::exchange(server.port(), "NOT HTTP AT ALL\r\n\r\n").status, 400);
    QVERIFY2(server.stop(), qPrintable(server.errorString()));

    const QList<QByteArray> lines = server.standardError().split('\n');
    QVERIFY(lines.last().isEmpty());
    QVERIFY2(lines.size() >= 4, server.standardError().constData());
    static const QRegularExpression rfc3339(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$"));
    static const QSet<QString> levels{QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warning"),
                                      QStringLiteral("error"), QStringLiteral("fatal")};
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(lines.at(i), &error);
        QVERIFY2(error.error == QJsonParseError::NoError && document.isObject(), lines.at(i).constData());
        const QJsonObject object = document.object();
        QVERIFY2(rfc3339.match(object.value(QStringLiteral("time")).toString()).hasMatch(), lines.at(i).constData());
        QVERIFY2(levels.contains(object.value(QStringLiteral("level")).toString()), lines.at(i).constData());
        QVERIFY2(object.value(QStringLiteral("category")).toString().startsWith(QLatin1String("valiant.")),
                 lines.at(i).constData());
        QVERIFY2(!object.value(QStringLiteral("message")).toString().isEmpty(), lines.at(i).constData());
    }
}

void ObservabilityTest::postgresErrorLoggedOnOneLine()
{
    // A loopback port that nothing listens on, so that libpq's error has
    // its usual second line, which starts with a tab.
    const int port = ServerProcess::unusedPort();
    QVERIFY2(port > 0, "no free port on 127.0.0.1");

    QProcess server;
    server.setProgram(ServerProcess::serverBinary());
    server.setArguments({QStringLiteral("serve"), QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
                         QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--database"),
                         QStringLiteral("postgres://valiant@127.0.0.1:%1/valiant").arg(port)});
    server.start();
    QVERIFY2(server.waitForFinished(20'000), "the server kept running without its database");
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QVERIFY(server.exitCode() != 0);

    const QByteArray output = server.readAllStandardError();
    QVERIFY2(output.contains("Connection refused"), output.constData());
    // Each entry is a text log line or the closing error, on one line.
    static const QRegularExpression entry(QStringLiteral("^(\\d{4}-\\d{2}-\\d{2}T\\S+Z [A-Z]+ valiant\\.|valiant-server: )"));
    for (const QByteArray& line : output.trimmed().split('\n')) {
        QVERIFY2(entry.match(QString::fromUtf8(line)).hasMatch(), output.constData());
    }
}

void ObservabilityTest::secretsNeverLogged()
{
    // Every category at debug level, so that no log line is hidden.
    qputenv("QT_LOGGING_RULES", "valiant.*=true");
    ServerProcess server;
    const bool started = server.start();
    qunsetenv("QT_LOGGING_RULES");
    QVERIFY2(started, qPrintable(server.errorString()));
    const HttpClient client(server.baseUrl());

    const HttpResponse created = client.post(QStringLiteral("/api/v1/accounts"), credentials(QStringLiteral("secretive")));
    QCOMPARE(created.status, 201);
    const QString firstToken = created.json().value(QStringLiteral("token")).toString();
    const HttpResponse loggedIn = client.post(QStringLiteral("/api/v1/sessions"), credentials(QStringLiteral("secretive")));
    QCOMPARE(loggedIn.status, 201);
    const QString token = loggedIn.json().value(QStringLiteral("token")).toString();
    QVERIFY(!token.isEmpty() && !firstToken.isEmpty());

    QCOMPARE(client.post(QStringLiteral("/api/v1/sessions"),
                         QJsonObject{{QStringLiteral("username"), QStringLiteral("secretive")},
                                     {QStringLiteral("password"), password + QStringLiteral("x")}})
                 .status,
             401);
    QCOMPARE(client.post(QStringLiteral("/api/v1/accounts"), credentials(QStringLiteral("secretive"))).status, 409);
    QCOMPARE(client.get(QStringLiteral("/api/v1/portfolio"), token).status, 200);
    QCOMPARE(client.get(QStringLiteral("/api/v1/portfolio"), token + QStringLiteral("tampered")).status, 401);
    QWebSocket socket;
    QSignalSpy connected(&socket, &QWebSocket::connected);
    socket.open(server.webSocketUrl(QStringLiteral("/api/v1/stream")));
    QVERIFY(connected.wait(5000));
    socket.sendTextMessage(QStringLiteral("{\"type\": \"auth\", \"token\": \"%1\"}").arg(token));
    QTest::qWait(300);
    socket.close();
    QCOMPARE(client.deleteResource(QStringLiteral("/api/v1/sessions/current"), token).status, 204);
    QVERIFY2(server.stop(), qPrintable(server.errorString()));

    const QByteArray output = server.standardError() + server.standardOutput();
    QVERIFY2(!output.isEmpty(), "the server logged nothing, so the check below would prove nothing");
    QVERIFY2(!output.contains(password.toUtf8()), "the password appears in the server's output");
    QVERIFY2(!output.contains(token.toUtf8()), "a token appears in the server's output");
    QVERIFY2(!output.contains(firstToken.toUtf8()), "a token appears in the server's output");
}

QTEST_GUILESS_MAIN(ObservabilityTest)
#include "tst_observability.moc"
