#include "connectioncontroller.h"

#include "embeddedserver.h"
#include "logging.h"
#include "mainwindow.h"
#include "tokenkeychain.h"

#include <utility>

namespace valiant::app {

ConnectionController::ConnectionController(core::MarketClient& client, EmbeddedServer& localServer,
                                           ConnectionProfiles& profiles, TokenKeychain& keychain,
                                           QObject* parent)
    : QObject(parent),
      m_client(client),
      m_localServer(localServer),
      m_profiles(profiles),
      m_keychain(keychain)
{
    connect(&m_client, &core::MarketClient::streamError, this,
            &ConnectionController::handleStreamError);
    connect(&m_client, &core::MarketClient::sslErrorsOccurred, this,
            [this](const QUrl& url, const QSslCertificate& certificate,
                   const QList<QSslError>& errors) {
                m_certificateRejected = true;
                Q_EMIT certificateRejected(url, certificate, errors);
            });
}

QString ConnectionController::keychainKey(const ConnectionProfile& profile)
{
    return QStringLiteral("session-token/%1").arg(profile.id);
}

void ConnectionController::activate(const ConnectionProfile& profile)
{
    switchTo(profile);
    if (profile.isLocal()) {
        activateLocal();
        return;
    }
    probeRemote(m_generation);
}

void ConnectionController::retry()
{
    activate(m_active);
}

// Calls the `done` of a sign-up or log-in still waiting for its server with
// a "canceled" error. MarketClient::stop() drops the request's reply, so
// without this the dialog would wait forever.
void ConnectionController::cancelAuthentication()
{
    const std::shared_ptr<Done> pending = std::exchange(m_pendingAuthentication, nullptr);
    if (!pending || !*pending)
        return;
    const Done done = std::exchange(*pending, Done());
    done(core::makeError(0, QStringLiteral("canceled"),
                         tr("Another connection was chosen before the server answered.")));
}

// Points the client at `profile` without starting the stream.
void ConnectionController::switchTo(const ConnectionProfile& profile)
{
    ++m_generation;
    cancelAuthentication();
    m_certificateRejected = false;
    m_client.stop();
    m_client.setToken(QString());

    if (!profile.isLocal() && m_localServer.isRunning()) {
        qCInfo(lcApp) << "Stopping the local server: switching to profile" << profile.id;
        m_localServer.stop();
    }

    m_active = profile;
    m_client.setServerUrl(profile.url);
    if (m_profiles.findById(profile.id))
        m_profiles.setLastUsedId(profile.id);
    Q_EMIT profileActivated(profile);
}

void ConnectionController::activateLocal()
{
    if (!m_localServer.isRunning()) {
        const core::Result<core::Ok> started = m_localServer.start();
        if (!started) {
            qCWarning(lcApp).noquote() << "The local server failed to start:"
                                       << started.error().message;
            Q_EMIT localServerFailed(started.error().message);
            return;
        }
    }
    m_active.url = m_localServer.url();
    m_client.setServerUrl(m_localServer.url());
    startSession(m_localServer.token());
}

// Any HTTP response proves the server is reachable; only a transport
// failure (refused, timed out, DNS, TLS) counts as unreachable.
void ConnectionController::probeRemote(int generation)
{
    m_client.fetchQuotes(-1, 1, [this, generation](core::Result<QList<core::Quote>> quotes) {
        if (generation != m_generation)
            return;
        if (!quotes && quotes.error().status == 0) {
            if (m_certificateRejected)
                return;  // certificateRejected already told the user why
            Q_EMIT serverUnreachable(m_active, unreachableReason(quotes.error()));
            return;
        }
        restoreToken(generation);
    });
}

void ConnectionController::restoreToken(int generation)
{
    const ConnectionProfile profile = m_active;
    if (m_sessionOnlyTokens.contains(profile.id)) {
        startSession(m_sessionOnlyTokens.value(profile.id));
        return;
    }

    m_keychain.load(keychainKey(profile), [this, generation,
                                           profile](core::Result<QString> token) {
        if (generation != m_generation)
            return;
        if (!token) {
            // Also without any keychain, where no login was ever saved.
            Q_EMIT loginRequired(profile, tr("The keychain could not be read (%1), so no saved "
                                             "login can be used. Log in to trade on %2.")
                                              .arg(token.error().message, profile.name));
            return;
        }
        if (token->isEmpty()) {
            Q_EMIT loginRequired(profile, tr("Log in or sign up to trade on %1.").arg(profile.name));
            return;
        }
        startSession(*token);
    });
}

void ConnectionController::signUp(const ConnectionProfile& profile, const QString& username,
                                  const QString& password, Done done)
{
    authenticate(profile, username, password, true, std::move(done));
}

void ConnectionController::logIn(const ConnectionProfile& profile, const QString& username,
                                 const QString& password, Done done)
{
    authenticate(profile, username, password, false, std::move(done));
}

void ConnectionController::authenticate(const ConnectionProfile& profile,
                                        const QString& username, const QString& password,
                                        bool createAccount, Done done)
{
    if (profile.isLocal()) {
        done(core::makeError(422, QStringLiteral("local_profile"),
                             tr("\"This computer\" needs no login.")));
        return;
    }

    // The request goes to the profile's server while the client stays on the
    // active one, so nothing switches until the server accepts. A switch to
    // another profile meanwhile cancels it (see switchTo).
    cancelAuthentication();
    auto pending = std::make_shared<Done>(std::move(done));
    m_pendingAuthentication = pending;
    auto finished = [this, pending, profile, username, createAccount](core::Result<QString> token) {
        if (!*pending)
            return;  // canceled, and `done` already called
        const Done done = std::exchange(*pending, Done());
        m_pendingAuthentication.reset();
        if (!token) {
            qCInfo(lcApp).noquote()
                << (createAccount ? "Sign-up on" : "Log-in to") << profile.url.toDisplayString()
                << "as" << username << "failed:" << token.error().message;
            done(token.error());
            return;
        }

        const core::Result<ConnectionProfile> saved = saveProfile(profile, username);
        if (!saved) {
            qCWarning(lcApp).noquote()
                << "Logged in to" << profile.url.toDisplayString() << "as" << username
                << "but the connection could not be saved:" << saved.error().message;
            done(saved.error());
            return;
        }

        qCInfo(lcApp) << "Logged in to profile" << saved->id << "as" << username;
        switchTo(*saved);
        startSession(*token);
        storeToken(*saved, *token);
        Q_EMIT loggedIn(*saved);
        done(core::Ok{});
    };

    if (createAccount)
        m_client.createAccount(profile.url, username, password, finished);
    else
        m_client.logIn(profile.url, username, password, finished);
}

// Adds a new profile (empty id) or updates the stored one with its fields
// and `username`. A profile that is not stored, such as one from --server,
// stays unsaved.
core::Result<ConnectionProfile> ConnectionController::saveProfile(const ConnectionProfile& profile,
                                                                  const QString& username)
{
    if (profile.id.isEmpty())
        return m_profiles.add(profile.name, profile.url.toString(), username);

    const std::optional<ConnectionProfile> stored = m_profiles.findById(profile.id);
    if (!stored)
        return profile;

    ConnectionProfile updated = profile;
    updated.username = username;
    if (*stored == updated)
        return updated;
    return m_profiles.update(profile.id, profile.name, profile.url.toString(), username);
}

void ConnectionController::logOut(Done done)
{
    const ConnectionProfile profile = m_active;
    if (profile.isLocal()) {
        done(core::makeError(422, QStringLiteral("local_profile"),
                             tr("\"This computer\" has no login to end.")));
        return;
    }

    // The token stays on the client for the DELETE, then goes everywhere.
    m_client.logOut([this, profile, done](core::Result<core::Ok> result) {
        if (profile.id == m_active.id) {
            m_client.stop();
            m_client.setToken(QString());
        }
        forgetToken(profile);
        Q_EMIT loggedOut(profile);
        if (!result) {
            qCWarning(lcApp).noquote() << "The server did not end the session of profile"
                                       << profile.id << ":" << result.error().message;
        }
        done(result);
    });
}

void ConnectionController::startSession(const QString& token)
{
    m_client.setToken(token);
    m_client.start();
}

void ConnectionController::storeToken(const ConnectionProfile& profile, const QString& token)
{
    m_keychain.save(keychainKey(profile), token, [this, profile,
                                                  token](core::Result<core::Ok> saved) {
        if (saved) {
            m_sessionOnlyTokens.remove(profile.id);
            Q_EMIT tokenStored(profile, true, QString());
            return;
        }
        m_sessionOnlyTokens.insert(profile.id, token);
        Q_EMIT tokenStored(profile, false, saved.error().message);
    });
}

void ConnectionController::forgetToken(const ConnectionProfile& profile)
{
    m_sessionOnlyTokens.remove(profile.id);
    m_keychain.remove(keychainKey(profile), [profile](core::Result<core::Ok> removed) {
        if (!removed) {
            qCWarning(lcApp).noquote() << "The token of profile" << profile.id
                                       << "stays in the keychain:" << removed.error().message;
        }
    });
}

void ConnectionController::handleStreamError(const core::Error& error)
{
    if (m_active.isLocal() || error.code != QLatin1String("invalid_token"))
        return;

    qCInfo(lcApp) << "The server rejected the token of profile" << m_active.id
                  << "; asking for a new log-in";
    m_client.stop();
    m_client.setToken(QString());
    forgetToken(m_active);
    Q_EMIT loginRequired(m_active, tr("Your login on %1 has expired or was ended elsewhere. "
                                      "Log in again.")
                                       .arg(m_active.name));
}

QString ConnectionController::unreachableReason(const core::Error& error) const
{
    return tr("%1 at %2 cannot be reached: %3")
        .arg(m_active.name, m_active.url.toDisplayString(), error.message);
}

void showConnectionsIn(ConnectionController& connections, MainWindow& window)
{
    QObject::connect(&connections, &ConnectionController::profileActivated, &window,
                     [&window](const ConnectionProfile& profile) {
                         window.switchServer(profile.name);
                     });
    QObject::connect(&connections, &ConnectionController::loggedOut, &window,
                     [&window, &connections](const ConnectionProfile& profile) {
                         if (profile.id == connections.activeProfile().id)
                             window.switchServer(profile.name);
                     });
    // Also when the server rejected the token, as after its database was replaced.
    QObject::connect(&connections, &ConnectionController::loginRequired, &window,
                     [&window, &connections](const ConnectionProfile& profile) {
                         if (profile.id == connections.activeProfile().id)
                             window.switchServer(profile.name);
                     });
}

}  // namespace valiant::app
