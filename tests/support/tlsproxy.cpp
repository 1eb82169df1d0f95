#include "tlsproxy.h"

#include <QFile>
#include <QProcess>
#include <QSslSocket>

namespace valiant::test {

TlsProxy::TlsProxy(quint16 backendPort, QObject* parent)
    : QTcpServer(parent), m_backendPort(backendPort)
{
}

bool TlsProxy::start(const QString& commonName)
{
    const QString keyPath = m_directory.filePath(QStringLiteral("key.pem"));
    const QString certificatePath = m_directory.filePath(QStringLiteral("certificate.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-days"),
                   QStringLiteral("2"), QStringLiteral("-subj"),
                   QStringLiteral("/CN=%1/O=Valiant test").arg(commonName),
                   QStringLiteral("-keyout"), keyPath, QStringLiteral("-out"), certificatePath});
    if (!openssl.waitForFinished(30'000) || openssl.exitCode() != 0) {
        m_errorText = QStringLiteral("openssl req failed (is the openssl package installed?): %1 %2")
                          .arg(openssl.errorString(), QString::fromLocal8Bit(openssl.readAllStandardError()));
        return false;
    }

    QFile keyFile(keyPath);
    QFile certificateFile(certificatePath);
    if (!keyFile.open(QIODevice::ReadOnly) || !certificateFile.open(QIODevice::ReadOnly)) {
        m_errorText = QStringLiteral("cannot read the files openssl wrote in %1").arg(m_directory.path());
        return false;
    }
    m_key = QSslKey(&keyFile, QSsl::Rsa);
    m_certificate = QSslCertificate(&certificateFile);
    if (m_key.isNull() || m_certificate.isNull()) {
        m_errorText = QStringLiteral("openssl wrote a key or certificate that Qt cannot load");
        return false;
    }

    if (!listen(QHostAddress::LocalHost, 0)) {
        m_errorText = errorString();
        return false;
    }
    return true;
}

void TlsProxy::incomingConnection(qintptr socketDescriptor)
{
    auto* client = new QSslSocket(this);
    if (!client->setSocketDescriptor(socketDescriptor)) {
        delete client;
        return;
    }
    client->setLocalCertificate(m_certificate);
    client->setPrivateKey(m_key);
    client->setPeerVerifyMode(QSslSocket::VerifyNone);

    auto* backend = new QTcpSocket(client);
    connect(client, &QSslSocket::encrypted, this, [this, client, backend] {
        ++m_completedHandshakes;
        backend->connectToHost(QHostAddress::LocalHost, m_backendPort);
        Q_UNUSED(client);
    });
    connect(client, &QSslSocket::readyRead, this, [this, client, backend] {
        const QByteArray data = client->readAll();
        m_bytesFromClients += data.size();
        backend->write(data);  // QTcpSocket buffers until it is connected
    });
    connect(backend, &QTcpSocket::readyRead, client, [client, backend] {
        client->write(backend->readAll());
    });
    connect(backend, &QTcpSocket::disconnected, client, [client] { client->disconnectFromHost(); });
    connect(client, &QSslSocket::disconnected, this, [client, backend] {
        backend->disconnectFromHost();
        client->deleteLater();
    });
    client->startServerEncryption();
}

}  // namespace valiant::test
