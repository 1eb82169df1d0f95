#pragma once

// ConnectionController: switches the one MarketClient between connection
// profiles. The local profile starts the embedded server (only then) and
// uses its token. A remote profile is probed first, so an unreachable server
// is reported at once; it then uses the token from the keychain or requests
// a log-in. Tokens that the keychain cannot keep stay in memory for this
// session only. Widgets show what it reports; it never opens a dialog.

#include "connectionprofiles.h"

#include "core/marketclient.h"
#include "core/result.h"

#include <QHash>
#include <QObject>

#include <functional>
#include <memory>

namespace valiant::app {

class EmbeddedServer;
class TokenKeychain;

class ConnectionController : public QObject
{
    Q_OBJECT

public:
    using Done = std::function<void(core::Result<core::Ok>)>;

    /// None of the arguments is owned; each must outlive the controller.
    ConnectionController(core::MarketClient& client, EmbeddedServer& localServer,
                         ConnectionProfiles& profiles, TokenKeychain& keychain,
                         QObject* parent = nullptr);

    /// Stops the stream, clears the previous server's state and connects
    /// to `profile`. Remembers it as the profile for the next start.
    void activate(const ConnectionProfile& profile);
    /// Activates the current profile again, e.g. after a certificate was accepted.
    void retry();
    ConnectionProfile activeProfile() const { return m_active; }

    /// Creates an account on `profile`'s server and connects with its token.
    /// Only once the server accepts, `profile` is saved with `username`
    /// (added when its id is empty) and becomes the active profile. A
    /// failure leaves the active profile, its connection and the saved
    /// profiles as they were.
    void signUp(const ConnectionProfile& profile, const QString& username,
                const QString& password, Done done);
    /// Logs in to `profile`'s server, saving and activating the profile
    /// only on success, as signUp() does.
    void logIn(const ConnectionProfile& profile, const QString& username,
               const QString& password, Done done);
    /// Ends the session on the server and deletes the token from the keychain
    /// and in memory. The local profile has nothing to log out of.
    void logOut(Done done);

    /// Whether the active profile has a token (always for the local one).
    bool hasSession() const { return !m_client.token().isEmpty(); }

    /// The keychain entry of `profile`'s token.
    static QString keychainKey(const ConnectionProfile& profile);

Q_SIGNALS:
    /// The client now points at `profile`'s server; views must drop what
    /// they show of the previous one.
    void profileActivated(const valiant::app::ConnectionProfile& profile);
    void serverUnreachable(const valiant::app::ConnectionProfile& profile, const QString& reason);
    void localServerFailed(const QString& reason);
    /// Emitted when the remote profile has no usable token; `reason` explains why.
    void loginRequired(const valiant::app::ConnectionProfile& profile, const QString& reason);
    void loggedIn(const valiant::app::ConnectionProfile& profile);
    void loggedOut(const valiant::app::ConnectionProfile& profile);
    /// The token is in the keychain (`inKeychain`) or, because the keychain
    /// failed with `reason`, only in memory until the app quits.
    void tokenStored(const valiant::app::ConnectionProfile& profile, bool inKeychain,
                     const QString& reason);
    /// A certificate of the active server failed verification; the client
    /// sent nothing. Accept it through MarketClient::acceptCertificate.
    void certificateRejected(const QUrl& url, const QSslCertificate& certificate,
                             const QList<QSslError>& errors);

private:
    void switchTo(const ConnectionProfile& profile);
    void cancelAuthentication();
    void activateLocal();
    void probeRemote(int generation);
    void restoreToken(int generation);
    void authenticate(const ConnectionProfile& profile, const QString& username,
                      const QString& password, bool createAccount, Done done);
    core::Result<ConnectionProfile> saveProfile(const ConnectionProfile& profile,
                                                const QString& username);
    void startSession(const QString& token);
    void storeToken(const ConnectionProfile& profile, const QString& token);
    void forgetToken(const ConnectionProfile& profile);
    void handleStreamError(const core::Error& error);
    QString unreachableReason(const core::Error& error) const;

    core::MarketClient& m_client;
    EmbeddedServer& m_localServer;
    ConnectionProfiles& m_profiles;
    TokenKeychain& m_keychain;

    ConnectionProfile m_active;
    // Bumped by every switch, so callbacks of an earlier one are dropped.
    int m_generation = 0;
    bool m_certificateRejected = false;
    // The `done` of the sign-up or log-in in flight, emptied once called.
    std::shared_ptr<Done> m_pendingAuthentication;
    QHash<QString, QString> m_sessionOnlyTokens;  // by profile id; never written anywhere
};

class MainWindow;

/// Makes `window` follow `connections`: a switch to another profile, a
/// log-out of the active one and a rejected token clear the previous
/// account's quotes, wallet and orders from the window.
void showConnectionsIn(ConnectionController& connections, MainWindow& window);

}  // namespace valiant::app
