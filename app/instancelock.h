#pragma once

// InstanceLock: one running app per local data folder. Two apps on the same
// SQLite file would each start a quote generator and fight over the file,
// so the second one is told which process holds the folder and stops.

#include "core/result.h"

#include <QLockFile>
#include <QString>

#include <memory>

namespace valiant::app {

class InstanceLock
{
public:
    /// Locks `folder`/valiant.lock; the folder must exist.
    explicit InstanceLock(const QString& folder);

    /// Takes the lock, or returns an error naming the process that holds
    /// it. A lock left by a crashed process is taken over.
    core::Result<core::Ok> acquire();

private:
    QString m_folder;
    std::unique_ptr<QLockFile> m_lock;
};

}  // namespace valiant::app
