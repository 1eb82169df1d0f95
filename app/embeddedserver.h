#pragma once

// EmbeddedServer: the local instance of the desktop app, a complete
// valiant::server::Server on 127.0.0.1 with a SQLite file. The server object
// is created, started, stopped and destroyed on a QThread of its own, so
// nothing it does can stall the GUI thread.

#include "core/money.h"
#include "core/result.h"

#include <QObject>
#include <QString>
#include <QThread>
#include <QUrl>

#include <memory>

namespace valiant::server {
class Server;
}

namespace valiant::app {

class EmbeddedServer : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        int port = 0;          // 0 picks a free port on the first start
        QString databasePath;  // empty: valiant.db under the app data folder
        int tickMs = 1000;
        core::Money startingCash = core::Money::fromCents(100'00);
        bool generatorEnabled = true;  // off: no new quotes, as from a stalled feed
    };

    explicit EmbeddedServer(Options options, QObject* parent = nullptr);
    ~EmbeddedServer() override;

    /// valiant.db in QStandardPaths::AppDataLocation.
    static QString defaultDatabasePath();

    /// Creates the data folder, starts the server on its thread and opens a
    /// session for the local account. A restart after stop() binds the
    /// port of the first start again, so clients can reconnect to the same
    /// URL. Blocks only for the server's own start-up.
    core::Result<core::Ok> start();

    /// Stops the server and destroys it on its thread. Idempotent.
    void stop();

    /// Takes effect at the next start().
    void setGeneratorEnabled(bool enabled) { m_options.generatorEnabled = enabled; }

    bool isRunning() const;
    int port() const { return m_port; }
    QString databasePath() const { return m_options.databasePath; }
    /// http://127.0.0.1:PORT; empty before the first successful start.
    QUrl url() const;
    /// A session token of the local account. Never log it.
    QString token() const { return m_token; }

private:
    core::Result<core::Ok> prepareDataFolder() const;
    core::Result<QString> startOnServerThread(int port);

    Options m_options;
    QThread m_thread;
    QObject* m_threadContext = nullptr;        // lives on m_thread; target of invokeMethod
    std::unique_ptr<server::Server> m_server;  // touched only on m_thread
    int m_port = 0;
    QString m_token;
    bool m_running = false;
};

}  // namespace valiant::app
