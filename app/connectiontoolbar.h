#pragma once

// ConnectionToolBar: the main window's profile switcher ("This computer
// (local)" or a remote server), the Connections dialog, Log out, and a note
// when the login is kept for this session only. It also turns what
// ConnectionController reports into prompts: an unreachable server (with the
// offer to use the local instance), an untrusted certificate, a needed log-in.

#include "connectionprofiles.h"

#include "core/marketclient.h"

#include <QPointer>
#include <QToolBar>

class QAction;
class QComboBox;
class QLabel;
class QMessageBox;

namespace valiant::app {

class CertificateDialog;
class ConnectionController;
class ConnectionDialog;

class ConnectionToolBar : public QToolBar
{
    Q_OBJECT

public:
    /// None of the references is owned; each must outlive the toolbar.
    ConnectionToolBar(core::MarketClient& client, ConnectionProfiles& profiles,
                      ConnectionController& controller, QWidget* parent = nullptr);

    /// Opens (or raises) the Connections dialog on `profileId`.
    ConnectionDialog* openConnectionDialog(const QString& profileId, const QString& reason = {});

    QString sessionNote() const;

private:
    void reloadProfiles();
    void showActiveProfile(const ConnectionProfile& profile);
    void offerLocal(const ConnectionProfile& profile, const QString& reason);
    void askAboutCertificate(const QUrl& url, const QSslCertificate& certificate,
                             const QList<QSslError>& errors);
    void showTokenStorage(const ConnectionProfile& profile, bool inKeychain, const QString& reason);
    void logOut();

    core::MarketClient& m_client;
    ConnectionProfiles& m_profiles;
    ConnectionController& m_controller;

    QComboBox* m_switcher = nullptr;
    QAction* m_logOutAction = nullptr;
    QLabel* m_sessionNote = nullptr;
    QPointer<ConnectionDialog> m_dialog;
    QPointer<CertificateDialog> m_certificateDialog;
    QPointer<QMessageBox> m_unreachablePrompt;
};

}  // namespace valiant::app
