#pragma once

// TokenKeychain: keeps session tokens in the OS keychain (Secret Service,
// KWallet, macOS Keychain or Windows Credential Manager) through QtKeychain.
// Its insecure plain-text fallback stays off. Every job ends within the
// timeout: where no keychain service responds (no D-Bus session, as over SSH)
// the callback gets an error instead of waiting.

#include "core/result.h"

#include <QObject>
#include <QString>

#include <functional>

namespace QKeychain {
class Job;
}

namespace valiant::app {

class TokenKeychain : public QObject
{
    Q_OBJECT

public:
    static constexpr int defaultTimeoutMs = 5'000;

    /// `service` names the entries in the keychain, e.g. "Valiant".
    explicit TokenKeychain(const QString& service, int timeoutMs = defaultTimeoutMs,
                           QObject* parent = nullptr);

    /// Each callback runs exactly once, on this object's thread.
    void save(const QString& key, const QString& token, std::function<void(core::Result<core::Ok>)> done);
    /// Returns an empty string when the keychain has no entry for `key`.
    void load(const QString& key, std::function<void(core::Result<QString>)> done);
    /// Succeeds too when there was no entry.
    void remove(const QString& key, std::function<void(core::Result<core::Ok>)> done);

    QString service() const { return m_service; }

private:
    void run(QKeychain::Job* job, const QString& what,
             std::function<void(QKeychain::Job*, const QString& error)> finished);

    QString m_service;
    int m_timeoutMs;
};

}  // namespace valiant::app
