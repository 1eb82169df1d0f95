#pragma once

// PostgresServer: a real, throwaway PostgreSQL 15 server for tests.
//
// start() runs initdb in a fresh QTemporaryDir (trust authentication, user
// "postgres"), starts `postgres` on a free 127.0.0.1 port with its Unix
// socket inside that directory, and creates the database "valiant". As root
// (CI), initdb runs through `runuser -u postgres --` and the server drops to
// the `postgres` user before exec, because PostgreSQL refuses to run as
// root. stop(), kill() and a later start() keep the same port and data, so
// tests can restart the server under a running valiant-server. The server
// dies with the test process (PR_SET_PDEATHSIG) and its directory goes with
// the object.
//
// Typical use:
//     PostgresServer postgres;
//     QVERIFY2(postgres.start(), qPrintable(postgres.errorString()));
//     QString url = postgres.url();                      // .../valiant
//     QVERIFY(postgres.createDatabase("other"));         // a fresh database
//     QVERIFY(postgres.execute("SELECT pg_terminate_backend(pid) FROM ..."));
//
// The binaries come from $VALIANT_PG_BINDIR, else /usr/lib/postgresql/15/bin.

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

class QProcess;

namespace valiant::test {

class PostgresServer
{
public:
    PostgresServer();
    ~PostgresServer();

    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    /// Starts the server and waits up to 30 s until it accepts connections.
    /// The first call also runs initdb, picks the port and creates the
    /// database "valiant"; later calls (after stop() or kill()) reuse the
    /// port and data. Returns false with errorString() on failure.
    bool start();

    /// Fast shutdown (SIGINT: open sessions are disconnected, data is
    /// checkpointed) and waits up to 30 s for the server to exit.
    bool stop();

    /// Crashes the server: SIGKILL to the postmaster and all its backends at
    /// once. The next start() runs crash recovery on the same data.
    void kill();

    /// Freezes the server: SIGSTOP to the postmaster and all its backends.
    /// Connections stay open and the kernel still accepts and acknowledges,
    /// but nothing responds, as with a hung host. thaw() sends SIGCONT.
    void freeze();
    void thaw();

    /// stop() then start() on the same port and data.
    bool restart();

    bool isRunning() const;
    int port() const { return m_port; }

    /// postgres://postgres@127.0.0.1:PORT/DATABASE
    QString url(const QString& database = QStringLiteral("valiant")) const;

    /// Creates an empty database; false with errorString() if it fails
    /// (for example when it already exists).
    bool createDatabase(const QString& name);

    /// Runs SQL through psql over TCP (-v ON_ERROR_STOP=1, unaligned,
    /// tuples only). On success returns true and puts psql's stdout, trimmed,
    /// into *output; on failure returns false with errorString().
    bool execute(const QString& sql, QString* output = nullptr,
                 const QString& database = QStringLiteral("valiant"));

    /// Everything the server logged so far, across restarts.
    QByteArray serverLog() const;

    QString errorString() const { return m_errorString; }

    /// The directory holding initdb, postgres and psql.
    static QString binaryDirectory();

private:
    bool initialize();
    bool launch();
    bool waitUntilReady(qint64 logOffset);
    bool runTool(const QString& program, const QStringList& arguments, bool asServerUser,
                 QString* output);
    bool fail(const QString& reason);
    QString dataDirectory() const;
    QString logPath() const;

    QTemporaryDir m_directory;
    std::unique_ptr<QProcess> m_process;
    int m_port = 0;
    bool m_initialized = false;
    // The uid and gid of the `postgres` user when running as root, else -1.
    int m_serverUid = -1;
    int m_serverGid = -1;
    QString m_errorString;
};

}  // namespace valiant::test
