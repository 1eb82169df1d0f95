#include "redisserver.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QHostAddress>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <csignal>
#include <sys/prctl.h>

namespace valiant::test {

namespace {

constexpr int startTimeoutMs = 10'000;
constexpr int stopTimeoutMs = 10'000;
constexpr int commandTimeoutMs = 5'000;

int freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

QString redisBinary()
{
    const QString configured = qEnvironmentVariable("VALIANT_REDIS_SERVER");
    return configured.isEmpty() ? QStringLiteral("redis-server") : configured;
}

/// The length of one complete RESP reply at the start of `bytes`, or 0
/// while it is incomplete. Handles the simple types, bulk strings and arrays.
qsizetype replyLength(const QByteArray& bytes, qsizetype offset = 0)
{
    const qsizetype lineEnd = bytes.indexOf("\r\n", offset);
    if (lineEnd < 0 || offset >= bytes.size())
        return 0;
    const char type = bytes.at(offset);
    const qint64 number = bytes.mid(offset + 1, lineEnd - offset - 1).toLongLong();
    const qsizetype headerEnd = lineEnd + 2;

    if (type == '$') {
        if (number < 0)
            return headerEnd - offset;
        const qsizetype end = headerEnd + number + 2;
        return end <= bytes.size() ? end - offset : 0;
    }
    if (type == '*') {
        qsizetype position = headerEnd;
        for (qint64 i = 0; i < number; ++i) {
            const qsizetype element = replyLength(bytes, position);
            if (element == 0)
                return 0;
            position += element;
        }
        return position - offset;
    }
    return headerEnd - offset;
}

}  // namespace

RedisServer::RedisServer() = default;

RedisServer::~RedisServer()
{
    kill();
}

QString RedisServer::url() const
{
    return QStringLiteral("redis://127.0.0.1:%1").arg(m_port);
}

QString RedisServer::logPath() const
{
    return m_directory.filePath(QStringLiteral("redis.log"));
}

QByteArray RedisServer::serverLog() const
{
    QFile file(logPath());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool RedisServer::fail(const QString& reason)
{
    m_errorString = QStringLiteral("%1\n--- redis-server log ---\n%2")
                        .arg(reason, QString::fromUtf8(serverLog()));
    return false;
}

bool RedisServer::start()
{
    m_errorString.clear();
    if (isRunning())
        return fail(QStringLiteral("RedisServer::start: redis-server is already running."));
    if (!m_directory.isValid())
        return fail(QStringLiteral("Could not create a temporary directory: %1")
                        .arg(m_directory.errorString()));
    if (m_port == 0)
        m_port = freeLoopbackPort();
    if (m_port == 0)
        return fail(QStringLiteral("Could not find a free port on 127.0.0.1."));

    m_process = std::make_unique<QProcess>();
    m_process->setProgram(redisBinary());
    m_process->setArguments({QStringLiteral("--port"), QString::number(m_port),
                             QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                             QStringLiteral("--save"), QString(),
                             QStringLiteral("--appendonly"), QStringLiteral("no"),
                             QStringLiteral("--dir"), m_directory.path(),
                             // Tests stall the server with DEBUG SLEEP.
                             QStringLiteral("--enable-debug-command"), QStringLiteral("local"),
                             QStringLiteral("--logfile"), logPath()});
    m_process->setWorkingDirectory(m_directory.path());
    m_process->setStandardOutputFile(QProcess::nullDevice());
    m_process->setStandardErrorFile(m_directory.filePath(QStringLiteral("redis.stderr.log")),
                                    QIODevice::Append);
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process->start();
    if (!m_process->waitForStarted(startTimeoutMs))
        return fail(QStringLiteral("Could not start %1: %2 (install redis-server or set "
                                   "VALIANT_REDIS_SERVER).")
                        .arg(redisBinary(), m_process->errorString()));
    return waitUntilReady();
}

bool RedisServer::waitUntilReady()
{
    const QDeadlineTimer deadline(startTimeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process->waitForFinished(0) || !isRunning())
            return fail(QStringLiteral("redis-server on port %1 exited with status %2 while "
                                       "starting.")
                            .arg(m_port)
                            .arg(m_process->exitCode()));
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, quint16(m_port));
        if (socket.waitForConnected(200)) {
            socket.write("PING\r\n");
            if (socket.waitForReadyRead(500) && socket.readAll().startsWith("+PONG"))
                return true;
        }
        QThread::msleep(20);
    }
    kill();
    return fail(QStringLiteral("redis-server did not answer PING on port %1 within %2 ms.")
                    .arg(m_port)
                    .arg(startTimeoutMs));
}

bool RedisServer::stop()
{
    m_errorString.clear();
    if (!isRunning())
        return fail(QStringLiteral("RedisServer::stop: redis-server is not running."));
    m_process->terminate();
    if (!m_process->waitForFinished(stopTimeoutMs)) {
        kill();
        return fail(QStringLiteral("redis-server did not exit within %1 ms of SIGTERM; it was "
                                   "killed.")
                        .arg(stopTimeoutMs));
    }
    return true;
}

void RedisServer::kill()
{
    if (!isRunning())
        return;
    m_process->kill();
    m_process->waitForFinished(stopTimeoutMs);
}

bool RedisServer::restart()
{
    if (isRunning() && !stop())
        return false;
    return start();
}

bool RedisServer::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

QByteArray RedisServer::command(const QStringList& arguments)
{
    m_errorString.clear();
    QByteArray request = "*" + QByteArray::number(arguments.size()) + "\r\n";
    for (const QString& argument : arguments) {
        const QByteArray bytes = argument.toUtf8();
        request += "$" + QByteArray::number(bytes.size()) + "\r\n" + bytes + "\r\n";
    }

    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(m_port));
    if (!socket.waitForConnected(commandTimeoutMs)) {
        fail(QStringLiteral("Could not connect to redis-server on port %1: %2")
                 .arg(m_port)
                 .arg(socket.errorString()));
        return {};
    }
    socket.write(request);

    QByteArray reply;
    const QDeadlineTimer deadline(commandTimeoutMs);
    while (!deadline.hasExpired()) {
        if (const qsizetype length = replyLength(reply); length > 0)
            return reply.left(length);
        if (!socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            break;
        reply += socket.readAll();
    }
    if (const qsizetype length = replyLength(reply); length > 0)
        return reply.left(length);
    fail(QStringLiteral("redis-server on port %1 sent no complete reply to %2 within %3 ms.")
             .arg(m_port)
             .arg(arguments.value(0))
             .arg(commandTimeoutMs));
    return {};
}

}  // namespace valiant::test
