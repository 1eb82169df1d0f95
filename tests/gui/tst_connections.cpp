// Connection profiles, log-in, the keychain-less path and TLS, against real
// valiant-server processes and the real embedded server. This suite runs
// without a D-Bus session, so every keychain job fails (tst_keychain covers
// a real keychain).

#include "app/certificatedialog.h"
#include "app/connectioncontroller.h"
#include "app/connectiondialog.h"
#include "app/connectionoverlay.h"
#include "app/connectionprofiles.h"
#include "app/connectiontoolbar.h"
#include "app/embeddedserver.h"
#include "app/mainwindow.h"
#include "app/pricechart.h"
#include "app/resources.h"
#include "app/tokenkeychain.h"

#include "core/marketclient.h"
#include "support/serverprocess.h"
#include "support/tlsproxy.h"

#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

#include <memory>

using valiant::app::CertificateDialog;
using valiant::app::ConnectionController;
using valiant::app::ConnectionDialog;
using valiant::app::ConnectionOverlay;
using valiant::app::ConnectionProfile;
using valiant::app::ConnectionProfiles;
using valiant::app::ConnectionToolBar;
using valiant::app::EmbeddedServer;
using valiant::app::MainWindow;
using valiant::app::TokenKeychain;
using valiant::core::MarketClient;
using valiant::test::ServerProcess;
using valiant::test::TlsProxy;
using State = MarketClient::ConnectionState;

namespace {

constexpr int connectTimeoutMs = 15'000;
const QString password = QStringLiteral("correct horse battery");

}  // namespace

class TestConnections : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void profilesRoundTripWithoutSecrets();
    void startupOptionsChooseProfile();
    void invalidProfileInputRejected();
    void dialogSignsUpAndLogsIn();
    void failedSignUpKeepsConnection();
    void switchCancelsPendingSignUp();
    void keychainMissingKeepsSessionOnly();
    void logOutForgetsTokenEverywhere();
    void rejectedTokenClearsWindow();
    void unreachableServerOffersLocal();
    void localServerStartsOnlyWhenUsed();
    void untrustedCertificateShownBeforeSending();
    void germanAndSpanishTranslated();

private:
    ConnectionDialog* openDialog();
    void signUp(ConnectionDialog* dialog, const QString& name, const QUrl& url,
                const QString& username);

    QTemporaryDir m_dataDir;
    std::unique_ptr<ServerProcess> m_remote;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<ConnectionProfiles> m_profiles;
    std::unique_ptr<EmbeddedServer> m_local;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<MarketClient> m_client;
    std::unique_ptr<TokenKeychain> m_keychain;
    std::unique_ptr<ConnectionController> m_controller;
    std::unique_ptr<MainWindow> m_window;
    ConnectionToolBar* m_toolBar = nullptr;
    int m_caseNumber = 0;
};

void TestConnections::initTestCase()
{
    // As over SSH: no session bus, and no X11 display to autolaunch one from.
    qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    qunsetenv("DISPLAY");
    QStandardPaths::setTestModeEnabled(true);
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    valiant::app::initResources();
    QVERIFY2(m_dataDir.isValid(), qPrintable(m_dataDir.errorString()));

    ServerProcess::Options options;
    options.tickMs = 100;
    m_remote = std::make_unique<ServerProcess>(options);
    QVERIFY2(m_remote->start(), qPrintable(m_remote->errorString()));
}

void TestConnections::init()
{
    ++m_caseNumber;
    m_settings = std::make_unique<QSettings>(
        m_dataDir.filePath(QStringLiteral("settings-%1.ini").arg(m_caseNumber)),
        QSettings::IniFormat);
    m_profiles = std::make_unique<ConnectionProfiles>(*m_settings);

    EmbeddedServer::Options options;
    options.databasePath = m_dataDir.filePath(QStringLiteral("local-%1/valiant.db").arg(m_caseNumber));
    options.tickMs = 100;
    m_local = std::make_unique<EmbeddedServer>(options);

    m_network = std::make_unique<QNetworkAccessManager>();
    m_client = std::make_unique<MarketClient>(m_network.get());
    m_client->setReconnectDelays(100, 1000);
    m_keychain = std::make_unique<TokenKeychain>(QStringLiteral("Valiant test"), 2'000);
    m_controller = std::make_unique<ConnectionController>(*m_client, *m_local, *m_profiles,
                                                          *m_keychain);
    m_window = std::make_unique<MainWindow>(*m_client, QStringLiteral("none"));
    m_toolBar = new ConnectionToolBar(*m_client, *m_profiles, *m_controller, m_window.get());
    m_window->addToolBar(m_toolBar);
    valiant::app::showConnectionsIn(*m_controller, *m_window);
    m_window->show();
}

void TestConnections::cleanup()
{
    m_window.reset();
    m_toolBar = nullptr;
    m_client->stop();
    m_controller.reset();
    m_client.reset();
    m_keychain.reset();
    m_network.reset();
    m_local.reset();
    m_profiles.reset();
    m_settings.reset();
}

ConnectionDialog* TestConnections::openDialog()
{
    return m_toolBar->openConnectionDialog(valiant::app::ConnectionProfiles::localId);
}

// Fills a new profile into the dialog and clicks Sign up.
void TestConnections::signUp(ConnectionDialog* dialog, const QString& name, const QUrl& url,
                             const QString& username)
{
    QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("newButton")), Qt::LeftButton);
    dialog->findChild<QLineEdit*>(QStringLiteral("nameEdit"))->setText(name);
    dialog->findChild<QLineEdit*>(QStringLiteral("urlEdit"))->setText(url.toString());
    dialog->findChild<QLineEdit*>(QStringLiteral("usernameEdit"))->setText(username);
    QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("passwordEdit")), password);

    QSignalSpy finished(dialog, &ConnectionDialog::authenticationFinished);
    QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("signUpButton")),
                      Qt::LeftButton);
    QVERIFY(finished.wait(connectTimeoutMs));
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(dialog->statusText()));
    QVERIFY(dialog->findChild<QLineEdit*>(QStringLiteral("passwordEdit"))->text().isEmpty());
}

void TestConnections::profilesRoundTripWithoutSecrets()
{
    ConnectionDialog* dialog = openDialog();
    signUp(dialog, QStringLiteral("Office"), m_remote->baseUrl(), QStringLiteral("roundtrip"));
    const QString token = m_client->token();
    QVERIFY(!token.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);

    // Read back through a second settings object, as the next start would.
    m_settings->sync();
    QSettings reread(m_settings->fileName(), QSettings::IniFormat);
    ConnectionProfiles restored(reread);
    const std::optional<ConnectionProfile> office = restored.findByName(QStringLiteral("office"));
    QVERIFY(office.has_value());
    QCOMPARE(office->url, m_remote->baseUrl());
    QCOMPARE(office->username, QStringLiteral("roundtrip"));
    QCOMPARE(restored.lastUsedId(), office->id);
    QCOMPARE(restored.profiles().size(), 2);
    QVERIFY(restored.profiles().first().isLocal());

    QFile file(m_settings->fileName());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray contents = file.readAll();
    QVERIFY(contents.contains("roundtrip"));
    QVERIFY2(!contents.contains(token.toUtf8()), "the session token is in the settings file");
    QVERIFY2(!contents.contains(password.toUtf8()), "the password is in the settings file");
}

void TestConnections::startupOptionsChooseProfile()
{
    const auto added = m_profiles->add(QStringLiteral("Lab"), QStringLiteral("http://127.0.0.1:9/"),
                                       QStringLiteral("ada"));
    QVERIFY(added.ok());

    QCOMPARE(m_profiles->startupProfile({}, {})->id, ConnectionProfiles::localId);
    QCOMPARE(m_profiles->startupProfile({}, QStringLiteral("lab"))->id, added->id);
    QCOMPARE(m_profiles->startupProfile({}, QStringLiteral("local"))->id,
             ConnectionProfiles::localId);
    QCOMPARE(m_profiles->startupProfile(QStringLiteral("http://127.0.0.1:9"), {})->id, added->id);

    const auto adHoc = m_profiles->startupProfile(QStringLiteral("https://example.test:8443"), {});
    QVERIFY(adHoc.ok());
    QCOMPARE(adHoc->url, QUrl(QStringLiteral("https://example.test:8443")));
    QVERIFY(!adHoc->isLocal());
    QVERIFY(!m_profiles->findById(adHoc->id));

    const auto unknown = m_profiles->startupProfile({}, QStringLiteral("Nowhere"));
    QVERIFY(!unknown.ok());
    QVERIFY(unknown.error().message.contains(QStringLiteral("Nowhere")));
    QVERIFY(unknown.error().message.contains(QStringLiteral("Lab")));
    QVERIFY(!m_profiles->startupProfile(QStringLiteral("http://a"), QStringLiteral("Lab")).ok());
    QVERIFY(!m_profiles->startupProfile(QStringLiteral("ftp://a"), {}).ok());
}

void TestConnections::invalidProfileInputRejected()
{
    QVERIFY(!m_profiles->add(QString(), QStringLiteral("http://a"), {}).ok());
    QVERIFY(!m_profiles->add(QStringLiteral("A"), QStringLiteral("not a url"), {}).ok());
    QVERIFY(!m_profiles->add(QStringLiteral("A"), QStringLiteral("ftp://a"), {}).ok());
    const auto withPassword =
        m_profiles->add(QStringLiteral("A"), QStringLiteral("https://ada:secret@a"), {});
    QVERIFY(!withPassword.ok());
    QVERIFY(!withPassword.error().message.contains(QStringLiteral("secret")));
    QVERIFY(!m_profiles->add(QStringLiteral("This computer"), QStringLiteral("http://a"), {}).ok());
    QVERIFY(m_profiles->add(QStringLiteral("A"), QStringLiteral("http://a/"), {}).ok());
    QVERIFY(!m_profiles->add(QStringLiteral("a"), QStringLiteral("http://b"), {}).ok());
    QVERIFY(!m_profiles->remove(ConnectionProfiles::localId).ok());
    QCOMPARE(m_profiles->profiles().size(), 2);
    QCOMPARE(m_profiles->profiles().last().url, QUrl(QStringLiteral("http://a")));
}

void TestConnections::dialogSignsUpAndLogsIn()
{
    ConnectionDialog* dialog = openDialog();
    signUp(dialog, QStringLiteral("Remote"), m_remote->baseUrl(), QStringLiteral("dialoguser"));
    const QString firstToken = m_client->token();
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);
    QCOMPARE(m_controller->activeProfile().name, QStringLiteral("Remote"));

    // A wrong password is rejected with the server's message and changes nothing stored.
    QSignalSpy finished(dialog, &ConnectionDialog::authenticationFinished);
    QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("passwordEdit")),
                     QStringLiteral("wrong password"));
    QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("logInButton")),
                      Qt::LeftButton);
    QVERIFY(finished.wait(connectTimeoutMs));
    QVERIFY(!finished.last().at(0).toBool());
    QVERIFY(!dialog->statusText().isEmpty());

    QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("passwordEdit")), password);
    QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("logInButton")),
                      Qt::LeftButton);
    QVERIFY(finished.wait(connectTimeoutMs));
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(dialog->statusText()));
    QVERIFY(!m_client->token().isEmpty());
    QVERIFY(m_client->token() != firstToken);
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->findChild<valiant::app::PriceChart*>()->pointCount() > 0,
                             connectTimeoutMs);
    QVERIFY(!m_local->isRunning());
}

void TestConnections::failedSignUpKeepsConnection()
{
    m_controller->activate(ConnectionProfiles::localProfile());
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);
    auto* chart = m_window->findChild<valiant::app::PriceChart*>();
    QTRY_VERIFY_WITH_TIMEOUT(chart->pointCount() > 0, connectTimeoutMs);
    const QUrl localUrl = m_client->serverUrl();
    const QString localToken = m_client->token();
    QSignalSpy activated(m_controller.get(), &ConnectionController::profileActivated);
    QSignalSpy states(m_client.get(), &MarketClient::connectionStateChanged);

    // The server rejects the five-character password.
    ConnectionDialog* dialog = openDialog();
    QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("newButton")), Qt::LeftButton);
    dialog->findChild<QLineEdit*>(QStringLiteral("nameEdit"))->setText(QStringLiteral("Grace"));
    dialog->findChild<QLineEdit*>(QStringLiteral("urlEdit"))
        ->setText(m_remote->baseUrl().toString());
    dialog->findChild<QLineEdit*>(QStringLiteral("usernameEdit"))->setText(QStringLiteral("grace"));
    auto* passwordEdit = dialog->findChild<QLineEdit*>(QStringLiteral("passwordEdit"));
    QTest::keyClicks(passwordEdit, QStringLiteral("short"));
    QSignalSpy finished(dialog, &ConnectionDialog::authenticationFinished);
    auto* signUpButton = dialog->findChild<QPushButton*>(QStringLiteral("signUpButton"));
    QTest::mouseClick(signUpButton, Qt::LeftButton);
    QVERIFY(finished.wait(connectTimeoutMs));
    QVERIFY(!finished.first().at(0).toBool());
    QVERIFY2(dialog->statusText().contains(QStringLiteral("password")),
             qPrintable(dialog->statusText()));

    // Nothing was saved, and the local connection was never touched.
    QCOMPARE(m_profiles->profiles().size(), 1);
    QCOMPARE(m_profiles->lastUsedId(), ConnectionProfiles::localId);
    QCOMPARE(activated.count(), 0);
    QCOMPARE(states.count(), 0);
    QVERIFY(m_controller->activeProfile().isLocal());
    QCOMPARE(m_client->connectionState(), State::Connected);
    QCOMPARE(m_client->serverUrl(), localUrl);
    QCOMPARE(m_client->token(), localToken);
    QVERIFY(m_local->isRunning());
    QVERIFY(chart->pointCount() > 0);
    QVERIFY(!m_window->findChild<ConnectionOverlay*>()->isVisible());
    QVERIFY(!m_toolBar->findChild<QAction*>(QStringLiteral("logOutAction"))->isVisible());

    // The form keeps what was typed, so only the password needs retyping.
    QVERIFY(dialog->selectedId().isEmpty());
    QCOMPARE(dialog->findChild<QLineEdit*>(QStringLiteral("nameEdit"))->text(),
             QStringLiteral("Grace"));
    QCOMPARE(dialog->findChild<QLineEdit*>(QStringLiteral("urlEdit"))->text(),
             m_remote->baseUrl().toString());
    QCOMPARE(dialog->findChild<QLineEdit*>(QStringLiteral("usernameEdit"))->text(),
             QStringLiteral("grace"));
    QVERIFY(passwordEdit->text().isEmpty());

    // A valid password signs up, saves the profile and switches to it.
    QTest::keyClicks(passwordEdit, password);
    QTest::mouseClick(signUpButton, Qt::LeftButton);
    QVERIFY(finished.wait(connectTimeoutMs));
    QVERIFY2(finished.last().at(0).toBool(), qPrintable(dialog->statusText()));
    QCOMPARE(m_profiles->profiles().size(), 2);
    QCOMPARE(m_controller->activeProfile().name, QStringLiteral("Grace"));
    QCOMPARE(m_controller->activeProfile().username, QStringLiteral("grace"));
    QCOMPARE(dialog->selectedId(), m_controller->activeProfile().id);
    QCOMPARE(m_profiles->lastUsedId(), m_controller->activeProfile().id);
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);
    QCOMPARE(m_client->serverUrl(), m_remote->baseUrl());
    QVERIFY(!m_local->isRunning());
    QVERIFY(m_toolBar->findChild<QAction*>(QStringLiteral("logOutAction"))->isVisible());
}

void TestConnections::switchCancelsPendingSignUp()
{
    // A server that accepts the connection and never sends a response.
    QTcpServer silent;
    QVERIFY2(silent.listen(QHostAddress::LocalHost), qPrintable(silent.errorString()));
    const auto added = m_profiles->add(QStringLiteral("Silent"),
                                       QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort()),
                                       QString());
    QVERIFY2(added.ok(), qPrintable(added.ok() ? QString() : added.error().message));

    std::optional<valiant::core::Result<valiant::core::Ok>> outcome;
    m_controller->signUp(*m_profiles->findById(added->id), QStringLiteral("waiting"), password,
                         [&outcome](valiant::core::Result<valiant::core::Ok> result) {
                             QVERIFY(!outcome.has_value());
                             outcome = result;
                         });
    QTRY_VERIFY_WITH_TIMEOUT(silent.hasPendingConnections(), connectTimeoutMs);
    QTest::qWait(200);
    QVERIFY(!outcome.has_value());

    // Choosing another connection ends the wait with an error at once.
    m_controller->activate(*m_profiles->findById(ConnectionProfiles::localId));
    QVERIFY(outcome.has_value());
    QVERIFY(!outcome->ok());
    QCOMPARE(outcome->error().code, QStringLiteral("canceled"));
    QVERIFY(m_controller->activeProfile().isLocal());
    QCOMPARE(m_profiles->lastUsedId(), ConnectionProfiles::localId);
}

void TestConnections::keychainMissingKeepsSessionOnly()
{
    QSignalSpy stored(m_controller.get(), &ConnectionController::tokenStored);
    QElapsedTimer timer;
    timer.start();
    ConnectionDialog* dialog = openDialog();
    signUp(dialog, QStringLiteral("NoKeychain"), m_remote->baseUrl(), QStringLiteral("nokeychain"));

    QVERIFY(stored.wait(10'000) || stored.count() == 1);
    QVERIFY2(timer.elapsed() < 8'000, "the keychain job took longer than a few seconds");
    QCOMPARE(stored.first().at(1).toBool(), false);
    QVERIFY(!stored.first().at(2).toString().isEmpty());
    QVERIFY(m_toolBar->sessionNote().contains(QStringLiteral("this session only")));

    // The in-memory token reconnects after a switch away and back.
    m_controller->activate(ConnectionProfiles::localProfile());
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);
    m_controller->activate(*m_profiles->findByName(QStringLiteral("NoKeychain")));
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);
    QVERIFY(!m_client->token().isEmpty());
}

void TestConnections::logOutForgetsTokenEverywhere()
{
    ConnectionDialog* dialog = openDialog();
    signUp(dialog, QStringLiteral("Logout"), m_remote->baseUrl(), QStringLiteral("logoutuser"));
    const QString token = m_client->token();
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);

    QSignalSpy loggedOut(m_controller.get(), &ConnectionController::loggedOut);
    m_toolBar->findChild<QAction*>(QStringLiteral("logOutAction"))->trigger();
    QVERIFY(m_toolBar->sessionNote().contains(QStringLiteral("this session only")));
    QVERIFY(loggedOut.wait(connectTimeoutMs));
    QVERIFY(m_client->token().isEmpty());
    QCOMPARE(m_client->connectionState(), State::Disconnected);

    // The window drops the account's wallet and requests a log-in rather
    // than promising a reconnect that never comes.
    auto* overlay = m_window->findChild<valiant::app::ConnectionOverlay*>();
    QVERIFY(overlay->isVisible());
    QCOMPARE(overlay->message(), QStringLiteral("Not connected"));
    QCOMPARE(m_window->findChild<QLabel*>(QStringLiteral("cashValue"))->text(), QStringLiteral("—"));
    QVERIFY2(m_toolBar->sessionNote().isEmpty(), qPrintable(m_toolBar->sessionNote()));

    // The server no longer accepts the old token.
    QNetworkAccessManager network;
    MarketClient probe(&network);
    probe.setServerUrl(m_remote->baseUrl());
    probe.setToken(token);
    bool answered = false;
    probe.fetchPortfolio([&](valiant::core::Result<valiant::core::Portfolio> portfolio) {
        answered = true;
        QVERIFY(!portfolio.ok());
        QCOMPARE(portfolio.error().status, 401);
    });
    QTRY_VERIFY_WITH_TIMEOUT(answered, connectTimeoutMs);

    // Nor does the app keep it in memory: the profile now asks for a log-in.
    QSignalSpy loginRequired(m_controller.get(), &ConnectionController::loginRequired);
    m_controller->activate(*m_profiles->findByName(QStringLiteral("Logout")));
    QVERIFY(loginRequired.wait(connectTimeoutMs));
    QVERIFY(m_client->token().isEmpty());
}

void TestConnections::rejectedTokenClearsWindow()
{
    ConnectionDialog* dialog = openDialog();
    signUp(dialog, QStringLiteral("Ended"), m_remote->baseUrl(), QStringLiteral("endeduser"));
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);
    auto* cash = m_window->findChild<QLabel*>(QStringLiteral("cashValue"));
    QTRY_VERIFY_WITH_TIMEOUT(cash->text() != QStringLiteral("—"), connectTimeoutMs);

    // The session ends elsewhere, as when another device logs out.
    QSignalSpy loginRequired(m_controller.get(), &ConnectionController::loginRequired);
    QNetworkAccessManager network;
    MarketClient other(&network);
    other.setServerUrl(m_remote->baseUrl());
    other.setToken(m_client->token());
    std::optional<valiant::core::Result<valiant::core::Ok>> ended;
    other.logOut([&ended](valiant::core::Result<valiant::core::Ok> result) { ended = result; });
    QTRY_VERIFY_WITH_TIMEOUT(ended.has_value(), connectTimeoutMs);
    QVERIFY(ended->ok());

    // A running stream learns of it within 30 s; a new one at once.
    m_client->stop();
    m_client->start();

    // The window keeps nothing of the account whose login ended.
    QTRY_VERIFY_WITH_TIMEOUT(loginRequired.count() > 0, connectTimeoutMs);
    QCOMPARE(cash->text(), QStringLiteral("—"));
    QLabel* estimate = nullptr;
    for (QLabel* label : m_window->findChildren<QLabel*>()) {
        if (label->accessibleName() == QLatin1String("Estimated order total"))
            estimate = label;
    }
    QVERIFY(estimate);
    QVERIFY2(estimate->text().contains(QStringLiteral("waiting for a price")),
             qPrintable(estimate->text()));
}

void TestConnections::unreachableServerOffersLocal()
{
    // A port that was free a moment ago: connections are refused.
    QTcpServer placeholder;
    QVERIFY(placeholder.listen(QHostAddress::LocalHost, 0));
    const quint16 port = placeholder.serverPort();
    placeholder.close();

    const auto added = m_profiles->add(QStringLiteral("Gone"),
                                       QStringLiteral("http://127.0.0.1:%1").arg(port), {});
    QVERIFY(added.ok());
    QSignalSpy unreachable(m_controller.get(), &ConnectionController::serverUnreachable);
    m_controller->activate(*added);
    QVERIFY(unreachable.wait(connectTimeoutMs));
    QVERIFY(unreachable.first().at(1).toString().contains(QStringLiteral("Gone")));

    QMessageBox* prompt = nullptr;
    QTRY_VERIFY((prompt = m_toolBar->findChild<QMessageBox*>(QStringLiteral("unreachablePrompt"))));
    QVERIFY(prompt->isVisible());
    QVERIFY(prompt->text().contains(QStringLiteral("cannot be reached")));
    auto* useLocal = prompt->findChild<QPushButton*>(QStringLiteral("useLocalButton"));
    QVERIFY(useLocal);
    QVERIFY(useLocal->text().contains(QStringLiteral("local")));

    QTest::mouseClick(useLocal, Qt::LeftButton);
    QTRY_VERIFY(m_controller->activeProfile().isLocal());
    QVERIFY(m_local->isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);
    QCOMPARE(m_client->serverUrl(), m_local->url());
}

void TestConnections::localServerStartsOnlyWhenUsed()
{
    ConnectionDialog* dialog = openDialog();
    signUp(dialog, QStringLiteral("First"), m_remote->baseUrl(), QStringLiteral("onlywhenused"));
    QVERIFY(!m_local->isRunning());

    m_controller->activate(ConnectionProfiles::localProfile());
    QVERIFY(m_local->isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);
    auto* chart = m_window->findChild<valiant::app::PriceChart*>();
    QTRY_VERIFY_WITH_TIMEOUT(chart->pointCount() > 0, connectTimeoutMs);

    // Switching clears the views and stops the local server.
    m_controller->activate(*m_profiles->findByName(QStringLiteral("First")));
    QCOMPARE(chart->pointCount(), 0);
    QVERIFY(!m_local->isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);
    QCOMPARE(m_client->serverUrl(), m_remote->baseUrl());
}

void TestConnections::untrustedCertificateShownBeforeSending()
{
    TlsProxy proxy(quint16(m_remote->port()));
    QVERIFY2(proxy.start(QStringLiteral("valiant-test.invalid")), qPrintable(proxy.errorText()));
    const QUrl url(QStringLiteral("https://127.0.0.1:%1").arg(proxy.serverPort()));
    const auto added = m_profiles->add(QStringLiteral("Secure"), url.toString(), {});
    QVERIFY(added.ok());

    QSignalSpy rejected(m_client.get(), &MarketClient::sslErrorsOccurred);
    QSignalSpy unreachable(m_controller.get(), &ConnectionController::serverUnreachable);
    m_controller->activate(*added);
    QVERIFY(rejected.wait(connectTimeoutMs));

    CertificateDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = m_toolBar->findChild<CertificateDialog*>()));
    QVERIFY(dialog->isVisible());
    const QString details =
        dialog->findChild<QPlainTextEdit*>(QStringLiteral("certificateDetails"))->toPlainText();
    const QString fingerprint = QString::fromLatin1(
        proxy.certificate().digest(QCryptographicHash::Sha256).toHex(':').toUpper());
    QVERIFY2(details.contains(fingerprint), qPrintable(details));
    QVERIFY(details.contains(QStringLiteral("Subject: valiant-test.invalid")));
    QVERIFY(details.contains(QStringLiteral("Issuer: valiant-test.invalid")));
    QVERIFY(details.contains(QStringLiteral("Valid until:")));
    QVERIFY(details.contains(QStringLiteral("self-signed"), Qt::CaseInsensitive));
    QCOMPARE(dialog->certificate(), proxy.certificate());

    // Nothing was sent, and the failure is not mistaken for an unreachable server.
    QTest::qWait(300);
    QCOMPARE(proxy.bytesFromClients(), 0);
    QCOMPARE(unreachable.count(), 0);
    QCOMPARE(m_client->connectionState(), State::Disconnected);

    QSignalSpy loginRequired(m_controller.get(), &ConnectionController::loginRequired);
    QTest::mouseClick(dialog->findChild<QPushButton*>(QStringLiteral("trustCertificateButton")),
                      Qt::LeftButton);
    QVERIFY(loginRequired.wait(connectTimeoutMs));
    QVERIFY(proxy.bytesFromClients() > 0);

    bool finished = false;
    m_controller->signUp(*m_profiles->findById(added->id), QStringLiteral("tlsuser"), password,
                         [&](valiant::core::Result<valiant::core::Ok> result) {
                             finished = true;
                             QVERIFY2(result.ok(), qPrintable(result.ok() ? QString()
                                                                        : result.error().message));
                         });
    QTRY_VERIFY_WITH_TIMEOUT(finished, connectTimeoutMs);
    // The stream runs over wss:// through the same proxy.
    QTRY_COMPARE_WITH_TIMEOUT(m_client->connectionState(), State::Connected, connectTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->findChild<valiant::app::PriceChart*>()->pointCount() > 0,
                             connectTimeoutMs);
}

void TestConnections::germanAndSpanishTranslated()
{
    struct Case
    {
        const char* context;
        const char* source;
        const char* german;
        const char* spanish;
    };
    const Case cases[] = {
        {"valiant::app::ConnectionToolBar", "Use this computer (local)",
         "Diesen Computer verwenden (lokal)", "Usar este ordenador (local)"},
        {"valiant::app::ConnectionToolBar", "Logged in to %1 for this session only",
         "Bei %1 nur für diese Sitzung angemeldet",
         "Sesión iniciada en %1 solo hasta cerrar la aplicación"},
        {"valiant::app::CertificateDialog", "SHA-256 fingerprint: %1", "SHA-256-Fingerabdruck: %1",
         "Huella SHA-256: %1"},
        {"valiant::app::ConnectionDialog", "Sign u&p", "&Registrieren", "&Registrarse"},
        {"valiant::app::ConnectionProfiles", "This computer", "Dieser Computer", "Este ordenador"},
        {"valiant::app::TokenKeychain", "Saving the login", "Speichern der Anmeldung",
         "Guardar el inicio de sesión"},
    };
    QTranslator german;
    QVERIFY(german.load(QStringLiteral(":/i18n/valiant_de.qm")));
    QTranslator spanish;
    QVERIFY(spanish.load(QStringLiteral(":/i18n/valiant_es.qm")));
    for (const Case& entry : cases) {
        QCOMPARE(german.translate(entry.context, entry.source), QString::fromUtf8(entry.german));
        QCOMPARE(spanish.translate(entry.context, entry.source), QString::fromUtf8(entry.spanish));
    }
}

QTEST_MAIN(TestConnections)
#include "tst_connections.moc"
