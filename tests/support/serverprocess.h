#pragma once

// ServerProcess: a real valiant-server child process on 127.0.0.1 for
// black-box tests. Runs $VALIANT_SERVER_BIN (set by CTest) with an
// ephemeral port, or a free one from VALIANT_TEST_PORTS=FIRST-LAST when
// that is set, and a SQLite database in its own temporary directory.
// With VALIANT_TEST_STORE=postgres it uses a fresh database on a throwaway
// PostgreSQL server instead, one server per test process (PostgresServer).
// The process is killed when the object dies, and also if the test
// process itself dies (PR_SET_PDEATHSIG), so no server outlives its test.

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace valiant::test {

class ServerProcess
{
public:
    struct Options
    {
        int tickMs = 1000;                                 // --tick-ms
        QString startingCash = QStringLiteral("100.00");   // --starting-cash
        QStringList extraArguments;                        // appended after the defaults
    };

    ServerProcess();
    explicit ServerProcess(Options options);
    ~ServerProcess();

    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    /// Starts the server and waits up to 20 s for its stdout line
    /// "valiant-server listening on http://127.0.0.1:PORT". A second start
    /// after stop() or kill() reuses the same port and database. Returns
    /// false with errorString() (including the server's stderr) on failure.
    bool start();

    /// Sends SIGTERM and waits up to 10 s. Returns false with errorString()
    /// unless the process exited normally with status 0.
    bool stop();

    /// Sends SIGKILL and waits for the process to end.
    void kill();

    bool isRunning() const;
    /// The running process's id, or 0.
    qint64 processId() const;
    int port() const { return m_port; }
    QUrl baseUrl() const;           // http://127.0.0.1:PORT
    QUrl webSocketUrl(const QString& pathAndQuery) const;  // ws://127.0.0.1:PORT/...
    QString databasePath() const;   // the SQLite file; unused with PostgreSQL
    /// The --database URL: sqlite:///PATH, or postgres://... in PostgreSQL mode
    /// (valid once start() has created the database).
    QString databaseUrl() const;
    /// True when VALIANT_TEST_STORE=postgres.
    static bool usesPostgres();
    QString errorString() const { return m_errorString; }

    /// Everything the process wrote to stderr or stdout so far, across restarts.
    QByteArray standardError() const;
    QByteArray standardOutput() const;

    /// The path of the server binary from $VALIANT_SERVER_BIN, or empty.
    static QString serverBinary();

    /// A port on 127.0.0.1 that nothing listened on a moment ago, from
    /// VALIANT_TEST_PORTS when that is set, for a test that needs a
    /// connection to be refused. Returns 0 when none is free.
    static int unusedPort();

private:
    QStringList arguments() const;
    bool fail(const QString& reason);

    Options m_options;
    QTemporaryDir m_directory;
    std::unique_ptr<QProcess> m_process;
    int m_port = 0;
    QString m_errorString;
    QString m_postgresUrl;  // set by the first start() in PostgreSQL mode
};

}  // namespace valiant::test
