#include "certificatedialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace valiant::app {

namespace {

QString nameOf(const QSslCertificate& certificate, bool issuer)
{
    const QStringList parts =
        issuer ? certificate.issuerInfo(QSslCertificate::CommonName)
                       + certificate.issuerInfo(QSslCertificate::Organization)
               : certificate.subjectInfo(QSslCertificate::CommonName)
                     + certificate.subjectInfo(QSslCertificate::Organization);
    return parts.join(QStringLiteral(", "));
}

}  // namespace

CertificateDialog::CertificateDialog(const QUrl& url, const QSslCertificate& certificate,
                                     const QList<QSslError>& errors, QWidget* parent)
    : QDialog(parent), m_certificate(certificate), m_errors(errors)
{
    setObjectName(QStringLiteral("certificateDialog"));
    setWindowTitle(tr("Untrusted certificate"));

    auto* intro = new QLabel(
        tr("The certificate of %1 could not be verified, so nothing was sent to it. Someone "
           "may be impersonating the server. Trust it only if you know it is the server's "
           "own certificate, for example by comparing the SHA-256 fingerprint with the one "
           "its administrator gave you.")
            .arg(url.host()),
        this);
    intro->setWordWrap(true);

    auto* details = new QPlainTextEdit(describe(certificate, errors, locale()), this);
    details->setObjectName(QStringLiteral("certificateDetails"));
    details->setAccessibleName(tr("Certificate details"));
    details->setReadOnly(true);
    details->setMinimumSize(520, 220);

    auto* buttons = new QDialogButtonBox(this);
    QPushButton* trust =
        buttons->addButton(tr("&Trust for this session"), QDialogButtonBox::AcceptRole);
    trust->setObjectName(QStringLiteral("trustCertificateButton"));
    trust->setAutoDefault(false);
    QPushButton* cancel = buttons->addButton(tr("&Do not connect"), QDialogButtonBox::RejectRole);
    cancel->setObjectName(QStringLiteral("rejectCertificateButton"));
    cancel->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(details, 1);
    layout->addWidget(buttons);
}

QString CertificateDialog::describe(const QSslCertificate& certificate,
                                    const QList<QSslError>& errors, const QLocale& locale)
{
    QStringList lines;
    lines << tr("Subject: %1").arg(nameOf(certificate, false));
    lines << tr("Issuer: %1").arg(nameOf(certificate, true));
    lines << tr("Valid from: %1")
                 .arg(locale.toString(certificate.effectiveDate().toUTC(), QLocale::LongFormat));
    lines << tr("Valid until: %1")
                 .arg(locale.toString(certificate.expiryDate().toUTC(), QLocale::LongFormat));
    lines << tr("SHA-256 fingerprint: %1")
                 .arg(QString::fromLatin1(
                     certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper()));
    lines << tr("Problems:");
    for (const QSslError& error : errors)
        lines << QStringLiteral("  • %1").arg(error.errorString());
    return lines.join(QLatin1Char('\n'));
}

}  // namespace valiant::app
