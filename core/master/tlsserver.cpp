#include "tlsserver.h"

#include <QSslSocket>

TlsServer::TlsServer(const QSslConfiguration &configuration, QObject *parent) : QSslServer(parent)
{
    setSslConfiguration(configuration);
}

void TlsServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QSslSocket(this);
    socket->setSslConfiguration(sslConfiguration());
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    addPendingConnection(socket);
}
