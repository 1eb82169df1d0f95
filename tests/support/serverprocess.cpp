#include "serverprocess.h"

#include "postgresserver.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>

#include <algorithm>
#include <csignal>
#include <sys/prctl.h>

namespace valiant::test {

namespace {

constexpr int startTimeoutMs = 20'000;
constexpr int stopTimeoutMs = 10'000;

// The server's output goes to files, not pipes. A pipe that no one reads
// (while a test blocks without spinning the event loop) fills at 64 KiB and
// stalls the server in its next log write.
QByteArray readFrom(const QString& path, qint64 offset)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    file.seek(offset);
    return file.readAll();
}

qint64 fileSize(const QString& path)
{
    return QFile(path).size();
}

// The PostgreSQL server that every ServerProcess of this test process
// shares, started on first use; each ServerProcess gets its own database.
// Test support only: initdb per server would cost about 2 s each.
PostgresServer* sharedPostgres(QString* errorString)
{
    static std::unique_ptr<PostgresServer> server;
    if (server && server->isRunning())
        return server.get();
    if (!server)
        server = std::make_unique<PostgresServer>();
    if (!server->start()) {
        *errorString = server->errorString();
        return nullptr;
    }
    return server.get();
}

int nextDatabaseNumber()
{
    static int number = 0;
    return ++number;
}

/// A port that is free on 127.0.0.1 now, from the range FIRST-LAST in
/// VALIANT_TEST_PORTS, so that tests on a shared machine stay inside the
/// ports they were given. Returns 0, an ephemeral port, when the variable
/// is unset, and -1 when it is invalid or no port in it is free.
int portFromTestRange(QString* errorString)
{
    const QString range = qEnvironmentVariable("VALIANT_TEST_PORTS");
    if (range.isEmpty())
        return 0;
    const QStringList bounds = range.split(QLatin1Char('-'));
    bool firstOk = false;
    bool lastOk = false;
    const int first = bounds.value(0).toInt(&firstOk);
    const int last = bounds.value(1).toInt(&lastOk);
    if (bounds.size() != 2 || !firstOk || !lastOk || first < 1 || last > 65535 || first > last) {
        *errorString = QStringLiteral("VALIANT_TEST_PORTS=%1 is invalid; use FIRST-LAST, such as "
                                      "47500-47999.")
                           .arg(range);
        return -1;
    }

    // A random start, so that test processes running side by side rarely
    // try the same ports.
    const int count = last - first + 1;
    const int offset = int(QRandomGenerator::global()->bounded(count));
    for (int i = 0; i < count; ++i) {
        const int port = first + (offset + i) % count;
        QTcpServer probe;
        if (probe.listen(QHostAddress::LocalHost, quint16(port)))
            return port;
    }
    *errorString = QStringLiteral("No port in VALIANT_TEST_PORTS=%1 is free on 127.0.0.1.").arg(range);
    return -1;
}

}  // namespace

ServerProcess::ServerProcess() : ServerProcess(Options{}) {}

ServerProcess::ServerProcess(Options options) : m_options(std::move(options)) {}

ServerProcess::~ServerProcess()
{
    kill();
}

QString ServerProcess::serverBinary()
{
    return qEnvironmentVariable("VALIANT_SERVER_BIN");
}

int ServerProcess::unusedPort()
{
    QString reason;
    const int port = portFromTestRange(&reason);
    if (port != 0)
        return std::max(port, 0);
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
}

QString ServerProcess::databasePath() const
{
    return m_directory.filePath(QStringLiteral("valiant.db"));
}

bool ServerProcess::usesPostgres()
{
    return qEnvironmentVariable("VALIANT_TEST_STORE") == QLatin1String("postgres");
}

QString ServerProcess::databaseUrl() const
{
    return usesPostgres() ? m_postgresUrl : QStringLiteral("sqlite://") + databasePath();
}

QUrl ServerProcess::baseUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
}

QUrl ServerProcess::webSocketUrl(const QString& pathAndQuery) const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(m_port).arg(pathAndQuery));
}

QStringList ServerProcess::arguments() const
{
    QStringList arguments{
        QStringLiteral("serve"),
        QStringLiteral("--host"), QStringLiteral("127.0.0.1"),
        QStringLiteral("--port"), QString::number(m_port),
        QStringLiteral("--database"), databaseUrl(),
        QStringLiteral("--tick-ms"), QString::number(m_options.tickMs),
        QStringLiteral("--starting-cash"), m_options.startingCash,
    };
    arguments += m_options.extraArguments;
    return arguments;
}

bool ServerProcess::fail(const QString& reason)
{
    m_errorString = QStringLiteral("%1\n--- valiant-server stderr ---\n%2")
                        .arg(reason, QString::fromUtf8(standardError()));
    return false;
}

QByteArray ServerProcess::standardOutput() const
{
    return readFrom(m_directory.filePath(QStringLiteral("server.stdout.log")), 0);
}

QByteArray ServerProcess::standardError() const
{
    return readFrom(m_directory.filePath(QStringLiteral("server.stderr.log")), 0);
}

bool ServerProcess::start()
{
    m_errorString.clear();
    if (isRunning())
        return fail(QStringLiteral("ServerProcess::start: the server is already running."));

    const QString binary = serverBinary();
    if (binary.isEmpty())
        return fail(QStringLiteral("VALIANT_SERVER_BIN is not set; run the test through ctest "
                                   "or set it to the path of valiant-server."));
    if (!m_directory.isValid())
        return fail(QStringLiteral("Could not create a temporary directory: %1")
                        .arg(m_directory.errorString()));
    if (m_port == 0) {
        QString reason;
        m_port = portFromTestRange(&reason);
        if (m_port < 0) {
            m_port = 0;
            return fail(reason);
        }
    }

    if (usesPostgres() && m_postgresUrl.isEmpty()) {
        QString reason;
        PostgresServer* postgres = sharedPostgres(&reason);
        if (!postgres)
            return fail(QStringLiteral("Could not start PostgreSQL for VALIANT_TEST_STORE=postgres: %1")
                            .arg(reason));
        const QString database = QStringLiteral("server_%1").arg(nextDatabaseNumber());
        if (!postgres->createDatabase(database))
            return fail(QStringLiteral("Could not create the PostgreSQL database %1: %2")
                            .arg(database, postgres->errorString()));
        m_postgresUrl = postgres->url(database);
    }

    // Output of earlier runs stays in the files, so look only past it.
    const QString stdoutPath = m_directory.filePath(QStringLiteral("server.stdout.log"));
    const QString stderrPath = m_directory.filePath(QStringLiteral("server.stderr.log"));
    const qint64 stdoutOffset = fileSize(stdoutPath);

    m_process = std::make_unique<QProcess>();
    m_process->setProgram(binary);
    m_process->setArguments(arguments());
    m_process->setStandardOutputFile(stdoutPath, QIODevice::Append);
    m_process->setStandardErrorFile(stderrPath, QIODevice::Append);
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process->start();
    if (!m_process->waitForStarted(startTimeoutMs))
        return fail(QStringLiteral("Could not start %1: %2").arg(binary, m_process->errorString()));

    static const QRegularExpression listening(
        QStringLiteral("valiant-server listening on http://127\\.0\\.0\\.1:(\\d+)"));
    const QDeadlineTimer deadline(startTimeoutMs);
    while (!deadline.hasExpired()) {
        const QString output = QString::fromUtf8(readFrom(stdoutPath, stdoutOffset));
        const QRegularExpressionMatch match = listening.match(output);
        if (match.hasMatch()) {
            m_port = match.captured(1).toInt();
            return true;
        }
        if (m_process->waitForFinished(20))
            return fail(QStringLiteral("valiant-server exited with status %1 before listening "
                                       "(arguments: %2).")
                            .arg(m_process->exitCode())
                            .arg(m_process->arguments().join(QLatin1Char(' '))));
    }
    kill();
    return fail(QStringLiteral("valiant-server did not print \"valiant-server listening on "
                               "http://127.0.0.1:PORT\" on stdout within %1 ms (arguments: %2).")
                    .arg(startTimeoutMs)
                    .arg(arguments().join(QLatin1Char(' '))));
}

bool ServerProcess::stop()
{
    m_errorString.clear();
    if (!isRunning())
        return fail(QStringLiteral("ServerProcess::stop: the server is not running."));

    m_process->terminate();
    if (!m_process->waitForFinished(stopTimeoutMs)) {
        kill();
        return fail(QStringLiteral("valiant-server did not exit within %1 ms of SIGTERM; "
                                   "it was killed.")
                        .arg(stopTimeoutMs));
    }
    if (m_process->exitStatus() != QProcess::NormalExit)
        return fail(QStringLiteral("valiant-server crashed after SIGTERM (%1).")
                        .arg(m_process->errorString()));
    if (m_process->exitCode() != 0)
        return fail(QStringLiteral("valiant-server exited with status %1 after SIGTERM, "
                                   "expected 0.")
                        .arg(m_process->exitCode()));
    return true;
}

void ServerProcess::kill()
{
    if (!isRunning())
        return;
    m_process->kill();
    m_process->waitForFinished(stopTimeoutMs);
}

qint64 ServerProcess::processId() const
{
    return m_process ? m_process->processId() : 0;
}

bool ServerProcess::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

}  // namespace valiant::test
