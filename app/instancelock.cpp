#include "instancelock.h"

#include <QCoreApplication>
#include <QDir>

namespace valiant::app {

InstanceLock::InstanceLock(const QString& folder)
    : m_folder(folder),
      m_lock(std::make_unique<QLockFile>(QDir(folder).filePath(QStringLiteral("valiant.lock"))))
{
    // A lock never goes stale by age: the app may run for weeks. QLockFile
    // still takes over a lock whose process is gone.
    m_lock->setStaleLockTime(0);
}

core::Result<core::Ok> InstanceLock::acquire()
{
    if (m_lock->tryLock(0))
        return core::Ok{};

    const QString folder = QDir::toNativeSeparators(m_folder);
    if (m_lock->error() != QLockFile::LockFailedError) {
        return core::makeError(
            0, QStringLiteral("lock_failed"),
            QCoreApplication::translate("valiant::app::InstanceLock",
                                        "Cannot create the lock file in %1. Check that the "
                                        "folder is writable.")
                .arg(folder));
    }

    qint64 pid = 0;
    QString host;
    QString application;
    m_lock->getLockInfo(&pid, &host, &application);
    return core::makeError(
        0, QStringLiteral("already_running"),
        QCoreApplication::translate("valiant::app::InstanceLock",
                                    "Valiant is already running on this computer (process %1) "
                                    "with the data in %2. Switch to that window, or close it "
                                    "and start Valiant again.")
            .arg(pid)
            .arg(folder));
}

}  // namespace valiant::app
