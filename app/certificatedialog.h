#pragma once

// CertificateDialog: shows a server certificate that failed verification
// (subject, issuer, validity, SHA-256 fingerprint and every error) and lets
// the person trust that exact certificate for this session only. Closing it
// any other way keeps the connection refused.

#include <QDialog>
#include <QList>
#include <QSslCertificate>
#include <QSslError>
#include <QUrl>

namespace valiant::app {

class CertificateDialog : public QDialog
{
    Q_OBJECT

public:
    CertificateDialog(const QUrl& url, const QSslCertificate& certificate,
                      const QList<QSslError>& errors, QWidget* parent = nullptr);

    /// The details as shown, one "label: value" per line.
    static QString describe(const QSslCertificate& certificate, const QList<QSslError>& errors,
                            const QLocale& locale);

    QSslCertificate certificate() const { return m_certificate; }
    QList<QSslError> errors() const { return m_errors; }

private:
    QSslCertificate m_certificate;
    QList<QSslError> m_errors;
};

}  // namespace valiant::app
