#pragma once

// A peer's connection to a master, for either role: connects (over TLS when asked, checking
// the master's certificate against a CA or a pinned fingerprint), runs the handshake, then
// carries frames with heartbeats. Before ready() it ends in failed(); after, in lost().

#include "auth/clienthandshake.h"
#include "tls/tls.h"

#include <QObject>
#include <QPointer>

class FramedConnection;
class QSslError;
class QTcpSocket;
class QTimer;

class MasterLink final : public QObject
{
    Q_OBJECT

public:
    MasterLink(Protocol::Role role, const QByteArray &key, QObject *parent = nullptr);
    ~MasterLink() override;

    // Applies to the next open().
    void setTls(const Tls::ClientSettings &tls) { m_tls = tls; }
    void open(const QString &host, quint16 port, int timeoutMs = 10'000);
    // Says goodbye, lets queued frames drain, then emits closed().
    void close(const QString &reason);
    bool isReady() const { return m_ready; }
    void send(const QByteArray &frame);
    void send(const QList<QByteArray> &frames);
    // The largest frame the master accepts from us.
    quint32 maxFrame() const { return m_maxFrame; }

Q_SIGNALS:
    void ready();
    void failed(ClientHandshake::Failure failure, const QString &reason);
    void lost(const QString &reason);
    void closed();
    void frameReceived(Protocol::MessageType type, const QByteArray &body);

private:
    void onConnected();
    void checkCertificate(const QList<QSslError> &errors);
    QString socketFailure() const;
    void reset();

    Protocol::Role m_role;
    QByteArray m_key;
    QString m_target;
    int m_timeoutMs = 10'000;
    QTcpSocket *m_socket = nullptr;
    FramedConnection *m_connection = nullptr;
    QTimer *m_connectTimer;
    quint32 m_maxFrame = Protocol::DefaultMaxFrame;
    bool m_ready = false;
    Tls::ClientSettings m_tls;
    QString m_tlsRefusal; // why the master's certificate was refused, for the error that follows
};
