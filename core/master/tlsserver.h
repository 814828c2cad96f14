#pragma once

// A QSslServer that hands out its sockets before the TLS handshake, so the master can look at
// the first byte: a ClientHello starts encryption, anything else (or silence) is a plain peer
// that gets told in plain text that this master requires TLS, instead of both ends waiting for
// the other until a deadline. QSslServer would start encryption at once and keep the socket.

#include <QSslConfiguration>
#include <QSslServer>

class TlsServer final : public QSslServer
{
    Q_OBJECT

public:
    explicit TlsServer(const QSslConfiguration &configuration, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr socketDescriptor) override;
};
