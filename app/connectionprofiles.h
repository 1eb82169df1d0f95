#pragma once

// ConnectionProfiles: the servers the app can connect to. The first is
// always "This computer", the embedded local instance, which needs no login.
// Any number of remote servers follow, each with a name, a URL and the
// username last used there. Profiles live in QSettings under "profiles";
// passwords and tokens never do (the token goes to the keychain).

#include "core/result.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <optional>

class QSettings;

namespace valiant::app {

struct ConnectionProfile
{
    QString id;  // stable across renames; the keychain entry is named after it
    QString name;
    QUrl url;  // empty for the local profile
    QString username;

    bool isLocal() const;
    bool operator==(const ConnectionProfile& other) const = default;
};

class ConnectionProfiles : public QObject
{
    Q_OBJECT

public:
    static const QString localId;

    /// `settings` is not owned and must outlive this object. Reads the
    /// stored profiles at once.
    explicit ConnectionProfiles(QSettings& settings, QObject* parent = nullptr);

    /// The embedded instance, with a translated name.
    static ConnectionProfile localProfile();

    /// Checks a server URL typed by a person: http or https, a host, and no
    /// user name, password, query or fragment (those would end up in
    /// settings). Returns the URL without a trailing slash.
    static core::Result<QUrl> parseServerUrl(const QString& text);

    /// The local profile first, then the remote ones in the order added.
    QList<ConnectionProfile> profiles() const;
    std::optional<ConnectionProfile> findById(const QString& id) const;
    /// Case-insensitive; "local" also names the local profile.
    std::optional<ConnectionProfile> findByName(const QString& name) const;
    std::optional<ConnectionProfile> findByUrl(const QUrl& url) const;

    /// Adds a remote profile with a new id and saves it.
    core::Result<ConnectionProfile> add(const QString& name, const QString& url,
                                        const QString& username);
    /// Replaces the stored remote profile with the same id and saves it.
    core::Result<ConnectionProfile> update(const QString& id, const QString& name,
                                           const QString& url, const QString& username);
    /// Checks the fields of the remote profile `id` (empty for a new one)
    /// as add() and update() do, without storing anything. Returns the
    /// profile with the name trimmed and the URL normalized.
    core::Result<ConnectionProfile> validated(const QString& id, const QString& name,
                                              const QString& url, const QString& username) const;
    /// Removes a remote profile. The local profile cannot be removed.
    core::Result<core::Ok> remove(const QString& id);

    /// The profile to start with: `--server URL` (a stored profile with that
    /// URL, or an unsaved one), `--profile NAME`, or else the one used last.
    core::Result<ConnectionProfile> startupProfile(const QString& serverOption,
                                                   const QString& profileOption) const;

    /// The profile used last, for the next start; the local one by default.
    QString lastUsedId() const;
    void setLastUsedId(const QString& id);

Q_SIGNALS:
    void profilesChanged();

private:
    void load();
    void save();

    QSettings& m_settings;
    QList<ConnectionProfile> m_remote;
};

}  // namespace valiant::app
