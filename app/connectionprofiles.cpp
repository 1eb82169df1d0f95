#include "connectionprofiles.h"

#include <QSettings>
#include <QUuid>

namespace valiant::app {

namespace {

const QString profilesGroup = QStringLiteral("profiles");
const QString lastUsedKey = QStringLiteral("connection/lastProfile");

core::Error invalid(const QString& code, const QString& message)
{
    return core::makeError(422, code, message);
}

}  // namespace

const QString ConnectionProfiles::localId = QStringLiteral("local");

bool ConnectionProfile::isLocal() const
{
    return id == ConnectionProfiles::localId;
}

ConnectionProfiles::ConnectionProfiles(QSettings& settings, QObject* parent)
    : QObject(parent), m_settings(settings)
{
    load();
}

ConnectionProfile ConnectionProfiles::localProfile()
{
    return {localId, tr("This computer"), QUrl(), QString()};
}

core::Result<QUrl> ConnectionProfiles::parseServerUrl(const QString& text)
{
    const QString trimmed = text.trimmed();
    const QUrl url = QUrl::fromUserInput(trimmed);
    const bool hasScheme = trimmed.startsWith(QLatin1String("http://"), Qt::CaseInsensitive) ||
                           trimmed.startsWith(QLatin1String("https://"), Qt::CaseInsensitive);
    if (trimmed.isEmpty() || !url.isValid() || !hasScheme || url.host().isEmpty()) {
        return invalid(QStringLiteral("invalid_server_url"),
                       tr("\"%1\" is not a server URL. Type one such as "
                          "https://valiant.example.com or http://192.0.2.10:3000.")
                           .arg(trimmed));
    }
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment()) {
        return invalid(QStringLiteral("invalid_server_url"),
                       tr("The server URL \"%1\" contains a user name, password, query or "
                          "fragment. Type only the scheme, host, port and path.")
                           .arg(url.toDisplayString(QUrl::RemoveUserInfo)));
    }

    QUrl normalized = url.adjusted(QUrl::StripTrailingSlash | QUrl::NormalizePathSegments);
    if (normalized.path() == QLatin1String("/"))
        normalized.setPath(QString());
    return normalized;
}

QList<ConnectionProfile> ConnectionProfiles::profiles() const
{
    QList<ConnectionProfile> all{localProfile()};
    all.append(m_remote);
    return all;
}

std::optional<ConnectionProfile> ConnectionProfiles::findById(const QString& id) const
{
    for (const ConnectionProfile& profile : profiles()) {
        if (profile.id == id)
            return profile;
    }
    return std::nullopt;
}

std::optional<ConnectionProfile> ConnectionProfiles::findByName(const QString& name) const
{
    if (name.compare(localId, Qt::CaseInsensitive) == 0)
        return localProfile();
    for (const ConnectionProfile& profile : profiles()) {
        if (profile.name.compare(name.trimmed(), Qt::CaseInsensitive) == 0)
            return profile;
    }
    return std::nullopt;
}

std::optional<ConnectionProfile> ConnectionProfiles::findByUrl(const QUrl& url) const
{
    for (const ConnectionProfile& profile : m_remote) {
        if (profile.url == url)
            return profile;
    }
    return std::nullopt;
}

core::Result<ConnectionProfile> ConnectionProfiles::add(const QString& name, const QString& url,
                                                        const QString& username)
{
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    core::Result<ConnectionProfile> profile = validated(id, name, url, username);
    if (!profile)
        return profile;

    m_remote.append(*profile);
    save();
    return profile;
}

core::Result<ConnectionProfile> ConnectionProfiles::update(const QString& id, const QString& name,
                                                           const QString& url,
                                                           const QString& username)
{
    const auto stored = std::find_if(m_remote.begin(), m_remote.end(),
                                     [&](const ConnectionProfile& p) { return p.id == id; });
    if (stored == m_remote.end()) {
        return core::makeError(404, QStringLiteral("profile_not_found"),
                               tr("The connection \"%1\" no longer exists.").arg(name));
    }
    core::Result<ConnectionProfile> profile = validated(id, name, url, username);
    if (!profile)
        return profile;

    *stored = *profile;
    save();
    return profile;
}

core::Result<core::Ok> ConnectionProfiles::remove(const QString& id)
{
    if (id == localId) {
        return invalid(QStringLiteral("local_profile"),
                       tr("\"This computer\" is always available and cannot be removed."));
    }
    const qsizetype removed =
        m_remote.removeIf([&](const ConnectionProfile& p) { return p.id == id; });
    if (removed == 0) {
        return core::makeError(404, QStringLiteral("profile_not_found"),
                               tr("The connection to remove no longer exists."));
    }
    if (lastUsedId() == id)
        setLastUsedId(localId);
    save();
    return core::Ok{};
}

core::Result<ConnectionProfile> ConnectionProfiles::startupProfile(
    const QString& serverOption, const QString& profileOption) const
{
    if (!serverOption.isEmpty() && !profileOption.isEmpty()) {
        return invalid(QStringLiteral("conflicting_options"),
                       tr("Use either --server or --profile, not both."));
    }

    if (!serverOption.isEmpty()) {
        const core::Result<QUrl> url = parseServerUrl(serverOption);
        if (!url)
            return url.error();
        if (const std::optional<ConnectionProfile> stored = findByUrl(*url))
            return *stored;
        return ConnectionProfile{QStringLiteral("server:") + url->toString(), url->authority(),
                                 *url, QString()};
    }

    if (!profileOption.isEmpty()) {
        if (const std::optional<ConnectionProfile> named = findByName(profileOption))
            return *named;
        QStringList names;
        for (const ConnectionProfile& profile : profiles())
            names.append(QStringLiteral("\"%1\"").arg(profile.name));
        return core::makeError(404, QStringLiteral("profile_not_found"),
                               tr("No connection is named \"%1\". Use one of: %2.")
                                   .arg(profileOption, names.join(QStringLiteral(", "))));
    }

    return *findById(lastUsedId());
}

QString ConnectionProfiles::lastUsedId() const
{
    const QString id = m_settings.value(lastUsedKey).toString();
    return findById(id) ? id : localId;
}

void ConnectionProfiles::setLastUsedId(const QString& id)
{
    m_settings.setValue(lastUsedKey, id);
}

void ConnectionProfiles::load()
{
    m_remote.clear();
    const int count = m_settings.beginReadArray(profilesGroup);
    for (int i = 0; i < count; ++i) {
        m_settings.setArrayIndex(i);
        ConnectionProfile profile{m_settings.value(QStringLiteral("id")).toString(),
                                  m_settings.value(QStringLiteral("name")).toString(),
                                  m_settings.value(QStringLiteral("url")).toUrl(),
                                  m_settings.value(QStringLiteral("username")).toString()};
        // A hand-edited entry without id or URL cannot be connected to.
        if (!profile.id.isEmpty() && profile.id != localId && profile.url.isValid())
            m_remote.append(profile);
    }
    m_settings.endArray();
}

void ConnectionProfiles::save()
{
    m_settings.remove(profilesGroup);
    m_settings.beginWriteArray(profilesGroup, int(m_remote.size()));
    for (int i = 0; i < m_remote.size(); ++i) {
        m_settings.setArrayIndex(i);
        m_settings.setValue(QStringLiteral("id"), m_remote[i].id);
        m_settings.setValue(QStringLiteral("name"), m_remote[i].name);
        m_settings.setValue(QStringLiteral("url"), m_remote[i].url);
        m_settings.setValue(QStringLiteral("username"), m_remote[i].username);
    }
    m_settings.endArray();
    m_settings.sync();
    Q_EMIT profilesChanged();
}

core::Result<ConnectionProfile> ConnectionProfiles::validated(const QString& id,
                                                              const QString& name,
                                                              const QString& url,
                                                              const QString& username) const
{
    const QString trimmedName = name.trimmed();
    if (trimmedName.isEmpty()) {
        return invalid(QStringLiteral("invalid_profile_name"),
                       tr("The connection needs a name, such as \"Office server\"."));
    }
    const std::optional<ConnectionProfile> sameName = findByName(trimmedName);
    if (sameName && sameName->id != id) {
        return invalid(QStringLiteral("profile_name_taken"),
                       tr("A connection named \"%1\" already exists; choose another name.")
                           .arg(trimmedName));
    }

    const core::Result<QUrl> parsedUrl = parseServerUrl(url);
    if (!parsedUrl)
        return parsedUrl.error();

    return ConnectionProfile{id, trimmedName, *parsedUrl, username.trimmed()};
}

}  // namespace valiant::app
