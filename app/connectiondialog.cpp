#include "connectiondialog.h"

#include "connectioncontroller.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

namespace valiant::app {

namespace {

constexpr int idRole = Qt::UserRole;

QPushButton* makeButton(const QString& text, const QString& objectName, QWidget* parent)
{
    auto* button = new QPushButton(text, parent);
    button->setObjectName(objectName);
    button->setAutoDefault(false);
    return button;
}

}  // namespace

ConnectionDialog::ConnectionDialog(ConnectionProfiles& profiles, ConnectionController& controller,
                                   QWidget* parent)
    : QDialog(parent), m_profiles(profiles), m_controller(controller)
{
    setObjectName(QStringLiteral("connectionDialog"));
    setWindowTitle(tr("Connections"));
    // Room for the explanation text and a URL without eliding them.
    resize(760, 420);
    buildUi();
    reloadList();
    connect(&m_profiles, &ConnectionProfiles::profilesChanged, this, &ConnectionDialog::reloadList);
    selectProfile(m_controller.activeProfile().id);
}

void ConnectionDialog::buildUi()
{
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("profileList"));
    m_list->setAccessibleName(tr("Connections"));
    m_list->setMinimumWidth(200);
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (item != nullptr && item->data(idRole).toString() != m_selectedId)
            selectProfile(item->data(idRole).toString());
    });

    const auto makeEdit = [this](const QString& objectName, const QString& accessibleName) {
        auto* edit = new QLineEdit(this);
        edit->setObjectName(objectName);
        edit->setAccessibleName(accessibleName);
        return edit;
    };
    m_name = makeEdit(QStringLiteral("nameEdit"), tr("Connection name"));
    m_url = makeEdit(QStringLiteral("urlEdit"), tr("Server URL"));
    m_url->setPlaceholderText(QStringLiteral("https://valiant.example.com"));
    m_username = makeEdit(QStringLiteral("usernameEdit"), tr("Username"));
    m_password = makeEdit(QStringLiteral("passwordEdit"), tr("Password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("Only sent to the server, never saved"));

    m_localNote = new QLabel(
        tr("This computer runs its own market on this machine (local, no login). It works "
           "without a network connection."),
        this);
    m_localNote->setWordWrap(true);

    auto* form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("Server &URL:"), m_url);
    form->addRow(tr("&Username:"), m_username);
    form->addRow(tr("&Password:"), m_password);

    m_newButton = makeButton(tr("&New"), QStringLiteral("newButton"), this);
    m_saveButton = makeButton(tr("&Save"), QStringLiteral("saveButton"), this);
    m_removeButton = makeButton(tr("&Remove"), QStringLiteral("removeButton"), this);
    m_signUpButton = makeButton(tr("Sign u&p"), QStringLiteral("signUpButton"), this);
    m_logInButton = makeButton(tr("&Log in"), QStringLiteral("logInButton"), this);
    m_connectButton = makeButton(tr("&Connect"), QStringLiteral("connectButton"), this);
    connect(m_newButton, &QPushButton::clicked, this, [this] { selectProfile(QString()); });
    connect(m_saveButton, &QPushButton::clicked, this, &ConnectionDialog::saveProfile);
    connect(m_removeButton, &QPushButton::clicked, this, &ConnectionDialog::removeSelected);
    connect(m_signUpButton, &QPushButton::clicked, this, &ConnectionDialog::signUp);
    connect(m_logInButton, &QPushButton::clicked, this, &ConnectionDialog::logIn);
    connect(m_connectButton, &QPushButton::clicked, this, &ConnectionDialog::connectSelected);

    auto* editButtons = new QHBoxLayout;
    editButtons->addWidget(m_newButton);
    editButtons->addWidget(m_saveButton);
    editButtons->addWidget(m_removeButton);
    editButtons->addStretch();
    auto* sessionButtons = new QHBoxLayout;
    sessionButtons->addWidget(m_signUpButton);
    sessionButtons->addWidget(m_logInButton);
    sessionButtons->addStretch();
    sessionButtons->addWidget(m_connectButton);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* right = new QVBoxLayout;
    right->addWidget(m_localNote);
    right->addLayout(form);
    right->addLayout(editButtons);
    right->addLayout(sessionButtons);
    right->addWidget(m_status);
    right->addStretch();

    auto* columns = new QHBoxLayout;
    columns->addWidget(m_list);
    columns->addLayout(right, 1);

    auto* close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addWidget(close);
}

void ConnectionDialog::reloadList()
{
    const QSignalBlocker blocker(m_list);
    m_list->clear();
    for (const ConnectionProfile& profile : m_profiles.profiles()) {
        const QString text =
            profile.isLocal() ? tr("%1 (local)").arg(profile.name) : profile.name;
        auto* item = new QListWidgetItem(text, m_list);
        item->setData(idRole, profile.id);
        item->setToolTip(profile.isLocal() ? m_localNote->text() : profile.url.toDisplayString());
        if (profile.id == m_selectedId)
            m_list->setCurrentItem(item);
    }
}

void ConnectionDialog::selectProfile(const QString& id)
{
    const std::optional<ConnectionProfile> profile = m_profiles.findById(id);
    m_selectedId = profile ? profile->id : QString();
    m_name->setText(profile ? profile->name : QString());
    m_url->setText(profile ? profile->url.toDisplayString() : QString());
    m_username->setText(profile ? profile->username : QString());
    m_password->clear();
    m_status->clear();

    const QSignalBlocker blocker(m_list);
    m_list->setCurrentItem(nullptr);
    for (int row = 0; row < m_list->count(); ++row) {
        if (m_list->item(row)->data(idRole).toString() == m_selectedId)
            m_list->setCurrentRow(row);
    }
    updateButtons();
}

bool ConnectionDialog::saveProfile()
{
    const bool isNew = m_selectedId.isEmpty();
    const core::Result<ConnectionProfile> saved =
        isNew ? m_profiles.add(m_name->text(), m_url->text(), m_username->text())
              : m_profiles.update(m_selectedId, m_name->text(), m_url->text(), m_username->text());
    if (!saved) {
        showStatus(saved.error().message, true);
        return false;
    }
    m_selectedId = saved->id;
    reloadList();
    selectProfile(saved->id);
    showStatus(isNew ? tr("Added %1.").arg(saved->name) : tr("Saved %1.").arg(saved->name), false);
    return true;
}

void ConnectionDialog::removeSelected()
{
    const std::optional<ConnectionProfile> profile = m_profiles.findById(m_selectedId);
    if (!profile)
        return;
    const core::Result<core::Ok> removed = m_profiles.remove(profile->id);
    if (!removed) {
        showStatus(removed.error().message, true);
        return;
    }
    if (m_controller.activeProfile().id == profile->id)
        m_controller.activate(ConnectionProfiles::localProfile());
    selectProfile(ConnectionProfiles::localId);
    showStatus(tr("Removed %1.").arg(profile->name), false);
}

void ConnectionDialog::signUp()
{
    authenticate(true);
}

void ConnectionDialog::logIn()
{
    authenticate(false);
}

void ConnectionDialog::authenticate(bool createAccount)
{
    if (m_busy || m_selectedId == ConnectionProfiles::localId)
        return;
    if (m_username->text().trimmed().isEmpty() || m_password->text().isEmpty()) {
        showStatus(tr("Type a username and a password first."), true);
        return;
    }

    // The form is checked but not saved: the controller saves the profile
    // only when the server accepts, so a failure leaves it here to correct.
    const core::Result<ConnectionProfile> profile =
        m_profiles.validated(m_selectedId, m_name->text(), m_url->text(), m_username->text());
    if (!profile) {
        showStatus(profile.error().message, true);
        return;
    }
    const QString username = profile->username;
    const QString password = m_password->text();
    m_password->clear();

    m_busy = true;
    updateButtons();
    showStatus(createAccount ? tr("Creating the account %1 on %2…").arg(username, profile->name)
                             : tr("Logging in to %1 as %2…").arg(profile->name, username),
               false);

    QPointer<ConnectionDialog> self(this);
    auto done = [self, createAccount, username,
                 name = profile->name](core::Result<core::Ok> result) {
        if (self.isNull())
            return;
        self->m_busy = false;
        self->updateButtons();
        if (!result) {
            self->showStatus(result.error().message, true);
            Q_EMIT self->authenticationFinished(false);
            return;
        }
        self->selectProfile(self->m_controller.activeProfile().id);
        self->showStatus(createAccount
                             ? tr("Account %1 created; connected to %2.").arg(username, name)
                             : tr("Logged in to %1 as %2.").arg(name, username),
                         false);
        Q_EMIT self->authenticationFinished(true);
    };
    if (createAccount)
        m_controller.signUp(*profile, username, password, done);
    else
        m_controller.logIn(*profile, username, password, done);
}

void ConnectionDialog::connectSelected()
{
    const std::optional<ConnectionProfile> profile = m_profiles.findById(m_selectedId);
    if (!profile)
        return;
    m_controller.activate(*profile);
    showStatus(tr("Connecting to %1…").arg(profile->name), false);
}

QString ConnectionDialog::statusText() const
{
    return m_status->text();
}

void ConnectionDialog::showStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setProperty("error", error);
    m_status->setAccessibleDescription(text);
}

void ConnectionDialog::updateButtons()
{
    const bool isLocal = m_selectedId == ConnectionProfiles::localId;
    const bool exists = !m_selectedId.isEmpty();
    m_localNote->setVisible(isLocal);
    for (QLineEdit* edit : {m_name, m_url, m_username, m_password})
        edit->setEnabled(!isLocal && !m_busy);
    m_saveButton->setEnabled(!isLocal && !m_busy);
    m_removeButton->setEnabled(exists && !isLocal && !m_busy);
    m_signUpButton->setEnabled(!isLocal && !m_busy);
    m_logInButton->setEnabled(!isLocal && !m_busy);
    m_connectButton->setEnabled(exists && !m_busy);
}

}  // namespace valiant::app
