#include "postgresserver.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QTcpServer>
#include <QThread>

#include <csignal>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace valiant::test {

namespace {

constexpr int startTimeoutMs = 30'000;
constexpr int stopTimeoutMs = 30'000;
constexpr int toolTimeoutMs = 60'000;
constexpr int launchAttempts = 25;

QByteArray readFrom(const QString& path, qint64 offset)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    file.seek(offset);
    return file.readAll();
}

int freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// The pids of the processes whose parent is `parent`, from /proc.
QList<pid_t> childrenOf(pid_t parent)
{
    QList<pid_t> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString& entry : entries) {
        bool isPid = false;
        const pid_t pid = entry.toInt(&isPid);
        if (!isPid)
            continue;

        // Fields after the parenthesised command name: state, ppid, ...
        const QByteArray stat = readFrom(QStringLiteral("/proc/%1/stat").arg(entry), 0);
        const qsizetype nameEnd = stat.lastIndexOf(')');
        if (nameEnd < 0)
            continue;
        const QList<QByteArray> fields = stat.mid(nameEnd + 2).split(' ');
        if (fields.size() > 1 && fields.at(1).toInt() == parent)
            children.append(pid);
    }
    return children;
}

}  // namespace

PostgresServer::PostgresServer()
{
    // Backends orphaned by kill() become children of this process instead
    // of init, which may never reap them (in some containers it does not).
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);

    if (::geteuid() != 0)
        return;

    // PostgreSQL refuses to run as root, so as root everything runs as the
    // `postgres` user, which must be able to enter the temporary directory.
    const passwd* user = ::getpwnam("postgres");
    if (!user)
        return;
    m_serverUid = static_cast<int>(user->pw_uid);
    m_serverGid = static_cast<int>(user->pw_gid);
    if (m_directory.isValid())
        (void)::chown(QFile::encodeName(m_directory.path()).constData(), user->pw_uid, user->pw_gid);
}

PostgresServer::~PostgresServer()
{
    kill();
}

QString PostgresServer::binaryDirectory()
{
    const QString configured = qEnvironmentVariable("VALIANT_PG_BINDIR");
    return configured.isEmpty() ? QStringLiteral("/usr/lib/postgresql/15/bin") : configured;
}

QString PostgresServer::dataDirectory() const
{
    return m_directory.filePath(QStringLiteral("data"));
}

QString PostgresServer::logPath() const
{
    return m_directory.filePath(QStringLiteral("postgres.log"));
}

QString PostgresServer::url(const QString& database) const
{
    return QStringLiteral("postgres://postgres@127.0.0.1:%1/%2").arg(m_port).arg(database);
}

QByteArray PostgresServer::serverLog() const
{
    return readFrom(logPath(), 0);
}

bool PostgresServer::fail(const QString& reason)
{
    m_errorString = reason;
    return false;
}

bool PostgresServer::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

bool PostgresServer::runTool(const QString& program, const QStringList& arguments,
                             bool asServerUser, QString* output)
{
    QString executable = QDir(binaryDirectory()).filePath(program);
    QStringList fullArguments = arguments;
    if (asServerUser && m_serverUid >= 0) {
        fullArguments = QStringList{QStringLiteral("-u"), QStringLiteral("postgres"),
                                    QStringLiteral("--"), executable} + arguments;
        executable = QStringLiteral("runuser");
    }

    QProcess process;
    process.setWorkingDirectory(m_directory.path());
    process.start(executable, fullArguments);
    if (!process.waitForStarted(toolTimeoutMs))
        return fail(QStringLiteral("Could not start %1: %2").arg(executable, process.errorString()));
    if (!process.waitForFinished(toolTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        return fail(QStringLiteral("%1 did not finish within %2 ms.").arg(executable).arg(toolTimeoutMs));
    }

    const QString standardOutput = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return fail(QStringLiteral("%1 %2 failed with status %3: %4")
                        .arg(executable, fullArguments.join(QLatin1Char(' ')))
                        .arg(process.exitCode())
                        .arg(QString::fromUtf8(process.readAllStandardError())));
    if (output)
        *output = standardOutput;
    return true;
}

bool PostgresServer::initialize()
{
    if (!m_directory.isValid())
        return fail(QStringLiteral("Could not create a temporary directory: %1")
                        .arg(m_directory.errorString()));
    if (::geteuid() == 0 && m_serverUid < 0)
        return fail(QStringLiteral("Running as root but there is no `postgres` user to run "
                                   "PostgreSQL as; install the postgresql package."));
    if (!QFile::exists(QDir(binaryDirectory()).filePath(QStringLiteral("initdb"))))
        return fail(QStringLiteral("initdb not found in %1; install PostgreSQL 15 or set "
                                   "VALIANT_PG_BINDIR to its bin directory.")
                        .arg(binaryDirectory()));

    // -N skips fsync: the data lives only as long as the test.
    return runTool(QStringLiteral("initdb"),
                   {QStringLiteral("-D"), dataDirectory(), QStringLiteral("-U"),
                    QStringLiteral("postgres"), QStringLiteral("--auth=trust"),
                    QStringLiteral("--encoding=UTF8"), QStringLiteral("--locale=C"),
                    QStringLiteral("-N")},
                   true, nullptr);
}

bool PostgresServer::launch()
{
    const qint64 logOffset = QFile(logPath()).size();
    const QStringList arguments{
        QStringLiteral("-D"), dataDirectory(),
        QStringLiteral("-p"), QString::number(m_port),
        QStringLiteral("-c"), QStringLiteral("listen_addresses=127.0.0.1"),
        QStringLiteral("-c"), QStringLiteral("unix_socket_directories=") + m_directory.path(),
        QStringLiteral("-c"), QStringLiteral("max_connections=200"),
        QStringLiteral("-c"), QStringLiteral("shared_buffers=32MB"),
        QStringLiteral("-c"), QStringLiteral("fsync=off"),
    };

    m_process = std::make_unique<QProcess>();
    m_process->setProgram(QDir(binaryDirectory()).filePath(QStringLiteral("postgres")));
    m_process->setArguments(arguments);
    m_process->setWorkingDirectory(m_directory.path());
    m_process->setStandardOutputFile(logPath(), QIODevice::Append);
    m_process->setStandardErrorFile(logPath(), QIODevice::Append);

    // Drops to `postgres` in the child itself (not through runuser) so that
    // the process we signal is the postmaster. The death signal is set
    // after setuid because changing credentials clears it.
    const uid_t uid = static_cast<uid_t>(m_serverUid);
    const gid_t gid = static_cast<gid_t>(m_serverGid);
    const bool dropPrivileges = m_serverUid >= 0;
    m_process->setChildProcessModifier([uid, gid, dropPrivileges] {
        if (dropPrivileges
            && (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0))
            ::_exit(126);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    });
    m_process->start();
    if (!m_process->waitForStarted(startTimeoutMs))
        return fail(QStringLiteral("Could not start postgres: %1").arg(m_process->errorString()));
    return waitUntilReady(logOffset);
}

bool PostgresServer::waitUntilReady(qint64 logOffset)
{
    const QDeadlineTimer deadline(startTimeoutMs);
    while (!deadline.hasExpired()) {
        const QByteArray log = readFrom(logPath(), logOffset);
        if (log.contains("database system is ready to accept connections"))
            return true;
        if (m_process->waitForFinished(50))
            return fail(QStringLiteral("postgres exited with status %1 before accepting "
                                       "connections on port %2:\n%3")
                            .arg(m_process->exitCode())
                            .arg(m_port)
                            .arg(QString::fromUtf8(log)));
    }
    kill();
    return fail(QStringLiteral("postgres did not accept connections within %1 ms:\n%2")
                    .arg(startTimeoutMs)
                    .arg(QString::fromUtf8(readFrom(logPath(), logOffset))));
}

bool PostgresServer::start()
{
    m_errorString.clear();
    if (isRunning())
        return fail(QStringLiteral("PostgresServer::start: the server is already running."));

    const bool firstStart = !m_initialized;
    if (firstStart) {
        if (!initialize())
            return false;
        m_initialized = true;
    }

    // A fresh port may be taken between probing and binding, and after
    // kill() the old backends may still hold shared memory for a moment:
    // both are retried.
    for (int attempt = 0; attempt < launchAttempts; ++attempt) {
        if (firstStart && (m_port == 0 || attempt > 0))
            m_port = freeLoopbackPort();
        if (launch())
            break;
        const bool retryable = m_errorString.contains(QLatin1String("Address already in use"))
                               || m_errorString.contains(QLatin1String("shared memory block"));
        if (!retryable || attempt + 1 == launchAttempts)
            return false;
        QThread::msleep(200);
    }

    if (firstStart)
        return createDatabase(QStringLiteral("valiant"));
    return true;
}

bool PostgresServer::stop()
{
    m_errorString.clear();
    if (!isRunning())
        return fail(QStringLiteral("PostgresServer::stop: the server is not running."));

    ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
    if (!m_process->waitForFinished(stopTimeoutMs)) {
        kill();
        return fail(QStringLiteral("postgres did not shut down within %1 ms of SIGINT; "
                                   "it was killed.")
                        .arg(stopTimeoutMs));
    }
    return true;
}

void PostgresServer::kill()
{
    if (!isRunning())
        return;

    // Each backend makes itself a process group leader, so the backends are
    // found by parent pid. The stopped postmaster cannot fork new ones.
    const pid_t postmaster = static_cast<pid_t>(m_process->processId());
    ::kill(postmaster, SIGSTOP);
    const QList<pid_t> backends = childrenOf(postmaster);
    for (const pid_t backend : backends)
        ::kill(backend, SIGKILL);
    ::kill(postmaster, SIGKILL);
    m_process->waitForFinished(stopTimeoutMs);

    // The backends were reparented to this process (a child subreaper, see
    // the constructor): reap them, so a restart finds the shared memory free
    // and no zombies stay behind.
    for (const pid_t backend : backends) {
        const QDeadlineTimer deadline(5'000);
        while (::waitpid(backend, nullptr, WNOHANG) == 0 && !deadline.hasExpired())
            QThread::msleep(5);
    }
}

void PostgresServer::freeze()
{
    if (!isRunning())
        return;
    // The postmaster first, so it forks no backend that the list misses.
    const pid_t postmaster = static_cast<pid_t>(m_process->processId());
    ::kill(postmaster, SIGSTOP);
    for (const pid_t backend : childrenOf(postmaster))
        ::kill(backend, SIGSTOP);
}

void PostgresServer::thaw()
{
    if (!isRunning())
        return;
    const pid_t postmaster = static_cast<pid_t>(m_process->processId());
    for (const pid_t backend : childrenOf(postmaster))
        ::kill(backend, SIGCONT);
    ::kill(postmaster, SIGCONT);
}

bool PostgresServer::restart()
{
    if (!stop())
        return false;
    return start();
}

bool PostgresServer::createDatabase(const QString& name)
{
    return execute(QStringLiteral("CREATE DATABASE \"%1\"").arg(name), nullptr,
                   QStringLiteral("postgres"));
}

bool PostgresServer::execute(const QString& sql, QString* output, const QString& database)
{
    m_errorString.clear();
    if (!isRunning())
        return fail(QStringLiteral("PostgresServer::execute: the server is not running."));
    return runTool(QStringLiteral("psql"),
                   {QStringLiteral("-X"), QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                    QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-U"),
                    QStringLiteral("postgres"), QStringLiteral("-d"), database,
                    QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                    QStringLiteral("-At"), QStringLiteral("-c"), sql},
                   false, output);
}

}  // namespace valiant::test
