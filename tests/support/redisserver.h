#pragma once

// RedisServer: a real, throwaway redis-server for tests, on a free
// 127.0.0.1 port with persistence off (--save '' --appendonly no) and its
// working directory in a QTemporaryDir. stop(), kill() and a later start()
// keep the same port, so tests can take Redis away under a running server
// and bring it back; the data does not survive. The server dies with the
// test process (PR_SET_PDEATHSIG).
//
// The binary comes from $VALIANT_REDIS_SERVER, else redis-server on PATH.

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

class QProcess;

namespace valiant::test {

class RedisServer
{
public:
    RedisServer();
    ~RedisServer();

    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    /// Starts redis-server and waits up to 10 s until it replies to PING. The
    /// first call picks the port; later calls reuse it. Returns false with
    /// errorString() on failure.
    bool start();

    /// SIGTERM, then waits up to 10 s for the exit.
    bool stop();

    /// SIGKILL, then waits for the exit.
    void kill();

    /// stop() then start() on the same port.
    bool restart();

    bool isRunning() const;
    int port() const { return m_port; }

    /// redis://127.0.0.1:PORT
    QString url() const;

    /// Sends one command and returns the raw RESP reply (for example
    /// ":3\r\n" or "+OK\r\n"), or an empty array with errorString() when
    /// no reply arrived within 5 s.
    QByteArray command(const QStringList& arguments);

    /// Everything redis-server logged so far, across restarts.
    QByteArray serverLog() const;

    QString errorString() const { return m_errorString; }

private:
    bool waitUntilReady();
    bool fail(const QString& reason);
    QString logPath() const;

    QTemporaryDir m_directory;
    std::unique_ptr<QProcess> m_process;
    int m_port = 0;
    QString m_errorString;
};

}  // namespace valiant::test
