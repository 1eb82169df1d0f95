// valiant-server: the headless server. Parses the configuration, sets up
// logging and runs one sub-command: serve (default), migrate, healthcheck
// or account create NAME.

#include "config.h"
#include "logging.h"
#include "marketservice.h"
#include "metrics.h"
#include "quotebus.h"
#include "server.h"
#include "storefactory.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTextStream>
#include <QUrl>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

#include <poll.h>

#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

using namespace valiant;
using server::Config;

namespace {

Q_LOGGING_CATEGORY(lcServe, "valiant.http")

constexpr int exitFailure = 1;
constexpr int exitUsage = 2;
constexpr int healthcheckTimeoutMs = 5000;

void printError(const QString& message)
{
    std::fprintf(stderr, "valiant-server: %s\n", qPrintable(server::flattenLineBreaks(message)));
    std::fflush(stderr);
}

void printLine(const QString& line)
{
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
}

// --- Logging -----------------------------------------------------------------

const char* levelName(QtMsgType type)
{
    switch (type) {
        case QtDebugMsg:
            return "debug";
        case QtInfoMsg:
            return "info";
        case QtWarningMsg:
            return "warning";
        case QtCriticalMsg:
            return "error";
        case QtFatalMsg:
            return "fatal";
    }
    return "info";
}

// The handlers write whole lines under a lock, so lines from worker threads
// never interleave.
std::mutex& logMutex()
{
    static std::mutex mutex;
    return mutex;
}

void writeLogLine(const QByteArray& line)
{
    std::lock_guard lock(logMutex());
    std::fwrite(line.constData(), 1, std::size_t(line.size()), stderr);
    std::fflush(stderr);
}

QString logTime()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

void textMessageHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    const QString line = QStringLiteral("%1 %2 %3: %4\n")
                             .arg(logTime(), QString::fromLatin1(levelName(type)).toUpper(),
                                  QString::fromUtf8(context.category),
                                  server::flattenLineBreaks(message));
    writeLogLine(line.toUtf8());
}

void jsonMessageHandler(QtMsgType type, const QMessageLogContext& context, const QString& message)
{
    const QJsonObject object{{QStringLiteral("time"), logTime()},
                             {QStringLiteral("level"), QString::fromLatin1(levelName(type))},
                             {QStringLiteral("category"), QString::fromUtf8(context.category)},
                             {QStringLiteral("message"), message}};
    writeLogLine(QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
}

void setUpLogging(server::LogFormat format)
{
    // Debug lines stay off unless QT_LOGGING_RULES turns them on, because
    // Qt applies that variable after these rules.
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));
    qInstallMessageHandler(format == server::LogFormat::Json ? jsonMessageHandler
                                                             : textMessageHandler);
}

// --- Store commands ----------------------------------------------------------

/// Opens the configured database (creating a SQLite file's folder) and migrates it.
core::Result<std::unique_ptr<server::Store>> openMigratedStore(const Config& config)
{
    const core::Result<int> slowStatementMs = server::slowStatementMsFromEnvironment();
    if (!slowStatementMs) {
        return slowStatementMs.error();
    }
    auto store = server::openStore(config.databaseUrl, server::StoreOptions{2, *slowStatementMs});
    if (!store) {
        return store.error();
    }
    if (const auto migrated = store.value()->migrate(); !migrated) {
        return migrated.error();
    }
    return store;
}

int runMigrate(const Config& config)
{
    auto store = openMigratedStore(config);
    if (!store) {
        printError(store.error().message);
        return exitFailure;
    }
    const core::Result<int> version = store.value()->schemaVersion();
    if (!version) {
        printError(version.error().message);
        return exitFailure;
    }
    // The URL may carry a PostgreSQL password, which is never printed.
    printLine(QStringLiteral("Database %1 is at schema version %2.")
                  .arg(QUrl(config.databaseUrl).toString(QUrl::RemovePassword))
                  .arg(*version));
    return 0;
}

/// Reads one line from standard input, without echo when it is a terminal.
QString readPassword()
{
    const bool terminal = isatty(STDIN_FILENO) == 1;
    termios saved{};
    if (terminal) {
        std::fprintf(stderr, "Password: ");
        std::fflush(stderr);
        tcgetattr(STDIN_FILENO, &saved);
        termios silent = saved;
        silent.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    }

    QTextStream input(stdin);
    const QString password = input.readLine();

    if (terminal) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::fprintf(stderr, "\n");
    }
    return password;
}

int runAccountCreate(const Config& config)
{
    const QString username = config.commandArguments.value(1);
    const QString password = readPassword();

    auto store = openMigratedStore(config);
    if (!store) {
        printError(store.error().message);
        return exitFailure;
    }
    server::LocalBus bus;
    server::Metrics metrics;
    server::MarketService service(**store, bus, metrics, config.startingCash,
                                  [] { return QDateTime::currentMSecsSinceEpoch(); });

    const auto grant = service.createAccount(username, password);
    if (!grant) {
        printError(grant.error().message);
        return exitFailure;
    }
    // The command prints no token, so the session it created is of no use.
    service.logOut(grant->token);
    printLine(QStringLiteral("Created account %1 (id %2).")
                  .arg(grant->account.username)
                  .arg(grant->account.id));
    return 0;
}

// --- healthcheck -------------------------------------------------------------

int runHealthcheck(const Config& config)
{
    // A wildcard listen address accepts loopback connections.
    QString host = config.host;
    if (host == QLatin1String("0.0.0.0")) {
        host = QStringLiteral("127.0.0.1");
    } else if (host == QLatin1String("::")) {
        host = QStringLiteral("::1");
    }

    QTcpSocket socket;
    socket.connectToHost(host, quint16(config.port));
    if (!socket.waitForConnected(healthcheckTimeoutMs)) {
        printError(QStringLiteral("healthcheck failed: could not connect to %1:%2: %3")
                       .arg(host)
                       .arg(config.port)
                       .arg(socket.errorString()));
        return exitFailure;
    }

    socket.write(QStringLiteral("GET /up HTTP/1.1\r\nHost: %1:%2\r\nConnection: close\r\n\r\n")
                     .arg(host)
                     .arg(config.port)
                     .toLatin1());
    while (!socket.canReadLine() && socket.waitForReadyRead(healthcheckTimeoutMs)) {
    }
    const QByteArray statusLine = socket.readLine().trimmed();
    const QList<QByteArray> parts = statusLine.split(' ');
    if (parts.size() < 2 || parts.at(1) != "200") {
        printError(QStringLiteral("healthcheck failed: GET /up returned \"%1\"")
                       .arg(QString::fromLatin1(statusLine)));
        return exitFailure;
    }
    return 0;
}

// --- serve -------------------------------------------------------------------

/// Blocks SIGTERM and SIGINT and returns a signalfd that reports them. Call
/// before any thread starts, so every thread inherits the blocked mask.
int blockTerminationSignals()
{
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
}

QString listenUrl(const QString& host, int port)
{
    const QString shownHost =
        host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host;
    return QStringLiteral("http://%1:%2").arg(shownHost).arg(port);
}

int runServe(QCoreApplication& app, const Config& config, int signalFd)
{
    if (signalFd < 0) {
        printError(QStringLiteral("Failed to watch SIGTERM and SIGINT (signalfd failed)."));
        return exitFailure;
    }

    server::Server server(config);
    const core::Result<core::Ok> started = server.start();
    if (!started) {
        printError(started.error().message);
        return exitFailure;
    }
    // Tests and scripts parse this line for the port, also with --port 0.
    printLine(QStringLiteral("valiant-server listening on %1")
                  .arg(listenUrl(config.host, server.port())));

    // A thread of its own reads the signal. The main thread can be blocked
    // in the database for a few seconds, because the generator and the
    // leader election run there, and the stop's deadline counts from the
    // signal, not from when the main thread gets to it.
    std::atomic<bool> quitting{false};
    std::thread signalReader([&] {
        while (!quitting) {
            pollfd readable{signalFd, POLLIN, 0};
            signalfd_siginfo info{};
            if (poll(&readable, 1, 200) <= 0
                || read(signalFd, &info, sizeof info) != ssize_t(sizeof info)) {
                continue;
            }
            const auto receivedAt = std::chrono::steady_clock::now();
            qCInfo(lcServe) << "Received signal" << info.ssi_signo << "- shutting down";
            QMetaObject::invokeMethod(
                &app,
                [&server, &app, receivedAt] {
                    const auto lateMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - receivedAt)
                                            .count();
                    if (lateMs >= 100) {
                        qCInfo(lcServe) << "The stop began" << lateMs
                                        << "ms after the signal, because the main thread was busy";
                    }
                    server.stop(receivedAt);
                    app.quit();
                },
                Qt::QueuedConnection);
            return;
        }
    });

    const int status = app.exec();
    quitting = true;
    signalReader.join();
    return status;
}

}  // namespace

int main(int argc, char** argv)
{
    const int signalFd = blockTerminationSignals();

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("valiant-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(VALIANT_VERSION));

    const core::Result<Config> config = server::parseConfig(
        QCoreApplication::arguments(), [](const char* name) { return qEnvironmentVariable(name); });
    if (!config) {
        printError(config.error().message);
        return exitUsage;
    }
    if (config->showHelp) {
        std::fputs(qPrintable(server::helpText()), stdout);
        return 0;
    }
    if (config->showVersion) {
        printLine(QStringLiteral("valiant-server %1").arg(QStringLiteral(VALIANT_VERSION)));
        return 0;
    }

    setUpLogging(config->logFormat);

    if (config->command == QLatin1String("migrate")) {
        return runMigrate(*config);
    }
    if (config->command == QLatin1String("healthcheck")) {
        return runHealthcheck(*config);
    }
    if (config->command == QLatin1String("account")) {
        return runAccountCreate(*config);
    }
    return runServe(app, *config, signalFd);
}
