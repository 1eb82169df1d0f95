// Session tokens in a real Secret Service keychain. CTest runs this suite
// under tests/support/with-keyring.sh: a private D-Bus session with an
// unlocked gnome-keyring in a temporary home folder.

#include "app/connectioncontroller.h"
#include "app/connectionprofiles.h"
#include "app/embeddedserver.h"
#include "app/tokenkeychain.h"

#include "core/marketclient.h"
#include "support/serverprocess.h"

#include <QNetworkAccessManager>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using valiant::app::ConnectionController;
using valiant::app::ConnectionProfile;
using valiant::app::ConnectionProfiles;
using valiant::app::EmbeddedServer;
using valiant::app::TokenKeychain;
using valiant::core::MarketClient;
using valiant::core::Result;
using valiant::test::ServerProcess;
using State = MarketClient::ConnectionState;

namespace {

constexpr int connectTimeoutMs = 15'000;
const QString service = QStringLiteral("Valiant keychain test");

// One app run: settings, client, keychain and controller, as main() builds them.
struct AppSession
{
    AppSession(QSettings& settings, EmbeddedServer& local)
        : profiles(settings),
          client(&network),
          keychain(service),
          controller(client, local, profiles, keychain)
    {
        client.setReconnectDelays(100, 1000);
    }

    ConnectionProfiles profiles;
    QNetworkAccessManager network;
    MarketClient client;
    TokenKeychain keychain;
    ConnectionController controller;
};

// Reads `key` from the keychain, failing the test on a keychain error.
QString readToken(TokenKeychain& keychain, const QString& key)
{
    std::optional<Result<QString>> read;
    keychain.load(key, [&](Result<QString> token) { read = std::move(token); });
    if (!QTest::qWaitFor([&] { return read.has_value(); }, 10'000))
        return QStringLiteral("<no answer>");
    if (!read->ok())
        return QStringLiteral("<error: %1>").arg(read->error().message);
    return read->value();
}

}  // namespace

class TestKeychain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void tokenRestoredAfterRestart();
    void logOutRemovesKeychainEntry();

private:
    QTemporaryDir m_dataDir;
    std::unique_ptr<ServerProcess> m_remote;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<EmbeddedServer> m_local;
    QString m_token;
};

void TestKeychain::initTestCase()
{
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        QFAIL("No D-Bus session: run this test through tests/support/with-keyring.sh.");
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(m_dataDir.isValid(), qPrintable(m_dataDir.errorString()));

    ServerProcess::Options options;
    options.tickMs = 100;
    m_remote = std::make_unique<ServerProcess>(options);
    QVERIFY2(m_remote->start(), qPrintable(m_remote->errorString()));

    m_settings = std::make_unique<QSettings>(m_dataDir.filePath(QStringLiteral("settings.ini")),
                                             QSettings::IniFormat);
    EmbeddedServer::Options localOptions;
    localOptions.databasePath = m_dataDir.filePath(QStringLiteral("local/valiant.db"));
    m_local = std::make_unique<EmbeddedServer>(localOptions);
}

void TestKeychain::tokenRestoredAfterRestart()
{
    {
        AppSession first(*m_settings, *m_local);
        const auto added = first.profiles.add(QStringLiteral("Remote"),
                                              m_remote->baseUrl().toString(), {});
        QVERIFY(added.ok());
        QSignalSpy stored(&first.controller, &ConnectionController::tokenStored);
        bool signedUp = false;
        first.controller.signUp(*added, QStringLiteral("keychainuser"),
                                QStringLiteral("correct horse battery"),
                                [&](Result<valiant::core::Ok> result) {
                                    signedUp = true;
                                    QVERIFY(result.ok());
                                });
        QTRY_VERIFY_WITH_TIMEOUT(signedUp, connectTimeoutMs);
        QVERIFY(stored.wait(10'000) || stored.count() == 1);
        QVERIFY2(stored.first().at(1).toBool(), qPrintable(stored.first().at(2).toString()));
        m_token = first.client.token();
        QVERIFY(!m_token.isEmpty());
        QCOMPARE(readToken(first.keychain, ConnectionController::keychainKey(*added)), m_token);
        first.client.stop();
    }

    // A new run restores the profile and its token without asking for a log-in.
    AppSession second(*m_settings, *m_local);
    QCOMPARE(second.profiles.lastUsedId(), second.profiles.findByName("Remote")->id);
    QSignalSpy loginRequired(&second.controller, &ConnectionController::loginRequired);
    second.controller.activate(*second.profiles.findById(second.profiles.lastUsedId()));
    QTRY_COMPARE_WITH_TIMEOUT(second.client.connectionState(), State::Connected, connectTimeoutMs);
    QCOMPARE(second.client.token(), m_token);
    QCOMPARE(loginRequired.count(), 0);
    second.client.stop();
}

void TestKeychain::logOutRemovesKeychainEntry()
{
    AppSession session(*m_settings, *m_local);
    const ConnectionProfile profile = *session.profiles.findByName(QStringLiteral("Remote"));
    const QString key = ConnectionController::keychainKey(profile);
    QCOMPARE(readToken(session.keychain, key), m_token);

    session.controller.activate(profile);
    QTRY_COMPARE_WITH_TIMEOUT(session.client.connectionState(), State::Connected, connectTimeoutMs);

    bool loggedOut = false;
    session.controller.logOut([&](Result<valiant::core::Ok> result) {
        loggedOut = true;
        QVERIFY(result.ok());
    });
    QTRY_VERIFY_WITH_TIMEOUT(loggedOut, connectTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(readToken(session.keychain, key), QString(), 10'000);
    QVERIFY(session.client.token().isEmpty());
}

QTEST_MAIN(TestKeychain)
#include "tst_keychain.moc"
