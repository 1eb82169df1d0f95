#include "embeddedserver.h"

#include "logging.h"
#include "server/config.h"
#include "server/marketservice.h"
#include "server/server.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace valiant::app {

using core::Error;
using core::Ok;
using core::Result;

EmbeddedServer::EmbeddedServer(Options options, QObject* parent)
    : QObject(parent), m_options(std::move(options)), m_port(m_options.port)
{
    if (m_options.databasePath.isEmpty())
        m_options.databasePath = defaultDatabasePath();
    m_options.databasePath = QFileInfo(m_options.databasePath).absoluteFilePath();

    m_thread.setObjectName(QStringLiteral("valiant-embedded-server"));
    m_threadContext = new QObject;
    m_threadContext->moveToThread(&m_thread);
    m_thread.start();
}

EmbeddedServer::~EmbeddedServer()
{
    stop();
    m_thread.quit();
    m_thread.wait();
    delete m_threadContext;
}

QString EmbeddedServer::defaultDatabasePath()
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(folder).filePath(QStringLiteral("valiant.db"));
}

Result<Ok> EmbeddedServer::start()
{
    if (m_running)
        return Ok{};

    const Result<Ok> folder = prepareDataFolder();
    if (!folder) {
        qCWarning(lcApp).noquote() << "Embedded server not started:" << folder.error().message;
        return folder.error();
    }

    const Result<QString> token = startOnServerThread(m_port);
    if (!token) {
        qCWarning(lcApp) << "Embedded server failed to start on port" << m_port << "with database"
                         << m_options.databasePath << ":" << token.error().message;
        return token.error();
    }

    m_token = token.value();
    m_running = true;
    qCInfo(lcApp) << "Embedded server started on" << url().toString() << "with database"
                  << m_options.databasePath;
    return Ok{};
}

void EmbeddedServer::stop()
{
    if (!m_running)
        return;

    // Server::stop() closes streams and lets in-flight requests finish. The
    // server must also be destroyed on the thread that owns its objects.
    QMetaObject::invokeMethod(
        m_threadContext,
        [this] {
            m_server->stop();
            m_server.reset();
        },
        Qt::BlockingQueuedConnection);

    m_running = false;
    qCInfo(lcApp) << "Embedded server on port" << m_port << "stopped";
}

bool EmbeddedServer::isRunning() const
{
    return m_running;
}

QUrl EmbeddedServer::url() const
{
    if (m_port == 0)
        return {};

    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    return url;
}

Result<Ok> EmbeddedServer::prepareDataFolder() const
{
    const QString folder = QFileInfo(m_options.databasePath).absolutePath();
    if (QDir().mkpath(folder))
        return Ok{};

    return core::makeError(
        500, QStringLiteral("data_folder_unavailable"),
        tr("Cannot create the data folder %1. Check that it is writable, or set XDG_DATA_HOME "
           "to a writable folder.")
            .arg(QDir::toNativeSeparators(folder)));
}

Result<QString> EmbeddedServer::startOnServerThread(int port)
{
    server::Config config;
    config.host = QStringLiteral("127.0.0.1");
    config.port = port;
    config.databaseUrl = QStringLiteral("sqlite://") + m_options.databasePath;
    config.tickMs = m_options.tickMs;
    config.startingCash = m_options.startingCash;
    config.generator =
        m_options.generatorEnabled ? server::GeneratorMode::On : server::GeneratorMode::Off;
    // One person uses the local instance, so a small pool is enough.
    config.ioThreads = 1;
    config.workerThreads = 2;
    // The local account has no password to guess, and per-account order and
    // praise limits would only reject a fast player's own clicks.
    config.rateLimits.enabled = false;

    Result<QString> outcome = Error{500, QStringLiteral("not_started"), QString()};
    int boundPort = 0;
    QMetaObject::invokeMethod(
        m_threadContext,
        [&] {
            auto server = std::make_unique<server::Server>(config);
            const Result<Ok> started = server->start();
            if (!started) {
                outcome = started.error();
                return;
            }

            const Result<server::SessionGrant> session = server->service().localSession();
            if (!session) {
                server->stop();
                outcome = session.error();
                return;
            }

            boundPort = server->port();
            outcome = session->token;
            m_server = std::move(server);
        },
        Qt::BlockingQueuedConnection);

    if (outcome)
        m_port = boundPort;
    return outcome;
}

}  // namespace valiant::app
