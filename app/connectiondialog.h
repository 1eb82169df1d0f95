#pragma once

// ConnectionDialog: adds, edits and removes remote connection profiles,
// signs up or logs in to one, and switches to any profile. Passwords are
// passed to the server once and then cleared from the form; they are never
// stored.

#include "connectionprofiles.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

namespace valiant::app {

class ConnectionController;

class ConnectionDialog : public QDialog
{
    Q_OBJECT

public:
    /// Neither argument is owned; both must outlive the dialog.
    ConnectionDialog(ConnectionProfiles& profiles, ConnectionController& controller,
                     QWidget* parent = nullptr);

    /// Shows `id` in the form; an unknown id starts a new profile.
    void selectProfile(const QString& id);
    QString selectedId() const { return m_selectedId; }

    /// Adds or updates the profile in the form. Returns false and shows
    /// why when a field is invalid.
    bool saveProfile();
    void removeSelected();
    void signUp();
    void logIn();
    /// Switches the app to the selected profile with its saved login.
    void connectSelected();

    QString statusText() const;

Q_SIGNALS:
    /// A sign-up or log-in finished; `ok` tells whether it succeeded.
    void authenticationFinished(bool ok);

private:
    void buildUi();
    void reloadList();
    void authenticate(bool createAccount);
    void showStatus(const QString& text, bool error);
    void updateButtons();

    ConnectionProfiles& m_profiles;
    ConnectionController& m_controller;
    QString m_selectedId;
    bool m_busy = false;

    QListWidget* m_list = nullptr;
    QLineEdit* m_name = nullptr;
    QLineEdit* m_url = nullptr;
    QLineEdit* m_username = nullptr;
    QLineEdit* m_password = nullptr;
    QLabel* m_localNote = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_newButton = nullptr;
    QPushButton* m_saveButton = nullptr;
    QPushButton* m_removeButton = nullptr;
    QPushButton* m_signUpButton = nullptr;
    QPushButton* m_logInButton = nullptr;
    QPushButton* m_connectButton = nullptr;
};

}  // namespace valiant::app
