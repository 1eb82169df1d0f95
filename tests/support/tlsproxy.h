#pragma once

// TlsProxy: a TLS front for a plain HTTP server on 127.0.0.1, like a
// reverse proxy with a self-signed certificate. It decrypts what clients
// send and forwards it to the backend, and counts those bytes, so a test can
// prove that a client sent nothing before it trusted the certificate. The
// certificate comes from the openssl command-line tool.

#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QTcpServer>
#include <QTemporaryDir>

namespace valiant::test {

class TlsProxy : public QTcpServer
{
    Q_OBJECT

public:
    explicit TlsProxy(quint16 backendPort, QObject* parent = nullptr);

    /// Makes a self-signed certificate for `commonName` and listens on an
    /// ephemeral port. Returns false with errorText() on failure.
    bool start(const QString& commonName);

    QSslCertificate certificate() const { return m_certificate; }
    /// Application bytes received from clients after the TLS handshake.
    qint64 bytesFromClients() const { return m_bytesFromClients; }
    int completedHandshakes() const { return m_completedHandshakes; }
    QString errorText() const { return m_errorText; }

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    quint16 m_backendPort;
    QTemporaryDir m_directory;
    QSslCertificate m_certificate;
    QSslKey m_key;
    qint64 m_bytesFromClients = 0;
    int m_completedHandshakes = 0;
    QString m_errorText;
};

}  // namespace valiant::test
