#include "tokenkeychain.h"

#include "logging.h"

#include <QPointer>
#include <QTimer>

#include <qt6keychain/keychain.h>

#include <memory>

namespace valiant::app {

TokenKeychain::TokenKeychain(const QString& service, int timeoutMs, QObject* parent)
    : QObject(parent), m_service(service), m_timeoutMs(timeoutMs)
{
}

void TokenKeychain::save(const QString& key, const QString& token,
                         std::function<void(core::Result<core::Ok>)> done)
{
    auto* job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(key);
    job->setTextData(token);
    run(job, tr("Saving the login"), [done](QKeychain::Job*, const QString& error) {
        if (!error.isEmpty()) {
            done(core::makeError(0, QStringLiteral("keychain_error"), error));
            return;
        }
        done(core::Ok{});
    });
}

void TokenKeychain::load(const QString& key, std::function<void(core::Result<QString>)> done)
{
    auto* job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(key);
    run(job, tr("Reading the saved login"), [done](QKeychain::Job* finished, const QString& error) {
        if (finished != nullptr && finished->error() == QKeychain::EntryNotFound) {
            done(QString());
            return;
        }
        if (!error.isEmpty()) {
            done(core::makeError(0, QStringLiteral("keychain_error"), error));
            return;
        }
        done(static_cast<QKeychain::ReadPasswordJob*>(finished)->textData());
    });
}

void TokenKeychain::remove(const QString& key, std::function<void(core::Result<core::Ok>)> done)
{
    auto* job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(key);
    run(job, tr("Removing the saved login"),
        [done](QKeychain::Job* finished, const QString& error) {
            if (finished != nullptr && finished->error() == QKeychain::EntryNotFound) {
                done(core::Ok{});
                return;
            }
            if (!error.isEmpty()) {
                done(core::makeError(0, QStringLiteral("keychain_error"), error));
                return;
            }
            done(core::Ok{});
        });
}

// Runs `job` and calls `finished` once: with the job and no error, with the
// job and its error, or without a job when the timeout fires first. A timed
// out job is left to finish (and delete itself) on its own, because QtKeychain
// backends may still call into it.
void TokenKeychain::run(QKeychain::Job* job, const QString& what,
                        std::function<void(QKeychain::Job*, const QString&)> finished)
{
    job->setInsecureFallback(false);
    job->setAutoDelete(true);

    auto called = std::make_shared<bool>(false);
    auto* timer = new QTimer(this);
    timer->setSingleShot(true);

    connect(timer, &QTimer::timeout, this, [this, timer, called, what, finished, job] {
        timer->deleteLater();
        if (*called)
            return;
        *called = true;
        QObject::disconnect(job, nullptr, this, nullptr);
        const QString error =
            tr("%1 failed: the keychain service did not answer within %2 seconds.")
                .arg(what)
                .arg(m_timeoutMs / 1000.0);
        qCWarning(lcApp).noquote() << error;
        finished(nullptr, error);
    });
    connect(job, &QKeychain::Job::finished, this, [this, timer, called, what, finished](
                                                      QKeychain::Job* done) {
        timer->stop();
        timer->deleteLater();
        if (*called)
            return;
        *called = true;
        QString error;
        if (done->error() != QKeychain::NoError && done->error() != QKeychain::EntryNotFound) {
            error = tr("%1 failed: %2").arg(what, done->errorString());
            qCWarning(lcApp).noquote() << error;
        }
        finished(done, error);
    });

    timer->start(m_timeoutMs);
    job->start();
}

}  // namespace valiant::app
