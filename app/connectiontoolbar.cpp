#include "connectiontoolbar.h"

#include "certificatedialog.h"
#include "connectioncontroller.h"
#include "connectiondialog.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>

namespace valiant::app {

ConnectionToolBar::ConnectionToolBar(core::MarketClient& client, ConnectionProfiles& profiles,
                                     ConnectionController& controller, QWidget* parent)
    : QToolBar(tr("Connection"), parent),
      m_client(client),
      m_profiles(profiles),
      m_controller(controller)
{
    setObjectName(QStringLiteral("connectionToolBar"));
    setMovable(false);

    auto* label = new QLabel(tr("&Server:"), this);
    m_switcher = new QComboBox(this);
    m_switcher->setObjectName(QStringLiteral("profileSwitcher"));
    m_switcher->setAccessibleName(tr("Server to trade on"));
    m_switcher->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    label->setBuddy(m_switcher);
    addWidget(label);
    addWidget(m_switcher);

    QAction* manage = addAction(tr("Co&nnections…"));
    manage->setObjectName(QStringLiteral("manageConnectionsAction"));
    manage->setShortcut(QKeySequence(tr("Ctrl+Shift+N")));
    manage->setToolTip(tr("Add, edit or log in to servers (%1)")
                           .arg(manage->shortcut().toString(QKeySequence::NativeText)));
    connect(manage, &QAction::triggered, this,
            [this] { openConnectionDialog(m_controller.activeProfile().id); });

    m_logOutAction = addAction(tr("Log &out"));
    m_logOutAction->setObjectName(QStringLiteral("logOutAction"));
    connect(m_logOutAction, &QAction::triggered, this, &ConnectionToolBar::logOut);

    m_sessionNote = new QLabel(this);
    m_sessionNote->setObjectName(QStringLiteral("sessionNote"));
    m_sessionNote->setWordWrap(false);
    addWidget(m_sessionNote);

    reloadProfiles();
    connect(&m_profiles, &ConnectionProfiles::profilesChanged, this,
            &ConnectionToolBar::reloadProfiles);
    connect(m_switcher, &QComboBox::activated, this, [this](int index) {
        const std::optional<ConnectionProfile> profile =
            m_profiles.findById(m_switcher->itemData(index).toString());
        if (profile && profile->id != m_controller.activeProfile().id)
            m_controller.activate(*profile);
    });

    connect(&m_controller, &ConnectionController::profileActivated, this,
            &ConnectionToolBar::showActiveProfile);
    connect(&m_controller, &ConnectionController::serverUnreachable, this,
            &ConnectionToolBar::offerLocal);
    connect(&m_controller, &ConnectionController::certificateRejected, this,
            &ConnectionToolBar::askAboutCertificate);
    connect(&m_controller, &ConnectionController::tokenStored, this,
            &ConnectionToolBar::showTokenStorage);
    connect(&m_controller, &ConnectionController::loginRequired, this,
            [this](const ConnectionProfile& profile, const QString& reason) {
                m_logOutAction->setEnabled(false);
                m_sessionNote->clear();
                openConnectionDialog(profile.id, reason);
            });
    connect(&m_controller, &ConnectionController::loggedIn, this,
            [this] { m_logOutAction->setEnabled(true); });
    connect(&m_controller, &ConnectionController::loggedOut, this,
            [this] {
                m_logOutAction->setEnabled(false);
                m_sessionNote->clear();
            });
    connect(&m_controller, &ConnectionController::localServerFailed, this,
            [this](const QString& reason) {
                QMessageBox::critical(this, tr("Local market not started"),
                                      tr("The local market server could not start.\n\n%1")
                                          .arg(reason));
            });
    showActiveProfile(m_controller.activeProfile());
}

ConnectionDialog* ConnectionToolBar::openConnectionDialog(const QString& profileId,
                                                          const QString& reason)
{
    if (m_dialog.isNull()) {
        m_dialog = new ConnectionDialog(m_profiles, m_controller, this);
        m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_dialog->selectProfile(profileId);
    if (!reason.isEmpty())
        m_dialog->findChild<QLabel*>(QStringLiteral("statusLabel"))->setText(reason);
    m_dialog->show();
    m_dialog->raise();
    m_dialog->activateWindow();
    return m_dialog;
}

QString ConnectionToolBar::sessionNote() const
{
    return m_sessionNote->text();
}

void ConnectionToolBar::reloadProfiles()
{
    const QSignalBlocker blocker(m_switcher);
    m_switcher->clear();
    for (const ConnectionProfile& profile : m_profiles.profiles()) {
        const QString text =
            profile.isLocal() ? tr("%1 (local)").arg(profile.name) : profile.name;
        m_switcher->addItem(text, profile.id);
    }
    // A profile from --server is not stored, but is still the one in use.
    const ConnectionProfile active = m_controller.activeProfile();
    if (!active.id.isEmpty() && m_switcher->findData(active.id) < 0)
        m_switcher->addItem(active.name, active.id);
    m_switcher->setCurrentIndex(std::max(0, m_switcher->findData(active.id)));
}

void ConnectionToolBar::showActiveProfile(const ConnectionProfile& profile)
{
    reloadProfiles();
    m_logOutAction->setEnabled(!profile.isLocal());
    m_logOutAction->setVisible(!profile.isLocal());
    m_sessionNote->clear();
    if (!m_unreachablePrompt.isNull())
        m_unreachablePrompt->deleteLater();
}

void ConnectionToolBar::offerLocal(const ConnectionProfile& profile, const QString& reason)
{
    if (!m_unreachablePrompt.isNull())
        m_unreachablePrompt->deleteLater();

    auto* prompt = new QMessageBox(QMessageBox::Warning, tr("Server not reachable"),
                                   reason + QStringLiteral("\n\n") +
                                       tr("You can trade on this computer instead: a local "
                                          "market with its own play money, separate from %1.")
                                           .arg(profile.name),
                                   QMessageBox::NoButton, this);
    prompt->setObjectName(QStringLiteral("unreachablePrompt"));
    prompt->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton* useLocal =
        prompt->addButton(tr("Use this computer (local)"), QMessageBox::AcceptRole);
    useLocal->setObjectName(QStringLiteral("useLocalButton"));
    QPushButton* retry = prompt->addButton(tr("Try again"), QMessageBox::ResetRole);
    retry->setObjectName(QStringLiteral("retryButton"));
    prompt->addButton(tr("Close"), QMessageBox::RejectRole);

    connect(useLocal, &QPushButton::clicked, this,
            [this] { m_controller.activate(ConnectionProfiles::localProfile()); });
    connect(retry, &QPushButton::clicked, this, [this] { m_controller.retry(); });
    m_unreachablePrompt = prompt;
    prompt->open();
}

void ConnectionToolBar::askAboutCertificate(const QUrl& url, const QSslCertificate& certificate,
                                            const QList<QSslError>& errors)
{
    // The REST probe and the stream may both fail on the same certificate.
    if (!m_certificateDialog.isNull())
        return;

    auto* dialog = new CertificateDialog(url, certificate, errors, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_client.acceptCertificate(dialog->certificate(), dialog->errors());
        m_controller.retry();
    });
    m_certificateDialog = dialog;
    dialog->open();
}

void ConnectionToolBar::showTokenStorage(const ConnectionProfile& profile, bool inKeychain,
                                         const QString& reason)
{
    if (inKeychain) {
        m_sessionNote->clear();
        return;
    }
    m_sessionNote->setText(tr("Logged in to %1 for this session only").arg(profile.name));
    m_sessionNote->setToolTip(
        tr("The system keychain is not available (%1), so you will need to log in again "
           "after Valiant quits. Nothing was written to disk.")
            .arg(reason));
}

void ConnectionToolBar::logOut()
{
    m_controller.logOut([this](core::Result<core::Ok> result) {
        m_sessionNote->clear();
        if (!result) {
            QMessageBox::warning(this, tr("Logged out on this computer only"),
                                 tr("The login was forgotten here, but the server could not be "
                                    "told to end the session: %1")
                                     .arg(result.error().message));
        }
    });
}

}  // namespace valiant::app
