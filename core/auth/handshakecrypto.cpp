#include "handshakecrypto.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QtEndian>

namespace HandshakeCrypto {

namespace {

QByteArray proof(const char *label, const QByteArray &key, Protocol::Role role, quint16 version,
                 const QByteArray &first, const QByteArray &second)
{
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, key);
    mac.addData(label);
    const char roleByte = char(role);
    mac.addData(&roleByte, 1);
    char versionBytes[2];
    qToBigEndian<quint16>(version, versionBytes);
    mac.addData(versionBytes, 2);
    mac.addData(first);
    mac.addData(second);
    return mac.result();
}

} // namespace

QByteArray newNonce()
{
    QByteArray nonce(Protocol::NonceSize, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(nonce.data()),
                                          Protocol::NonceSize / int(sizeof(quint32)));
    return nonce;
}

QByteArray peerProof(const QByteArray &key, Protocol::Role role, quint16 version,
                     const QByteArray &masterNonce, const QByteArray &peerNonce)
{
    return proof("taskmaster HMAC-SHA256 peer", key, role, version, masterNonce, peerNonce);
}

QByteArray masterProof(const QByteArray &key, Protocol::Role role, quint16 version,
                       const QByteArray &masterNonce, const QByteArray &peerNonce)
{
    return proof("taskmaster HMAC-SHA256 master", key, role, version, peerNonce, masterNonce);
}

SessionKeys sessionKeys(const QByteArray &key, Protocol::Role role, quint16 version,
                        const QByteArray &masterNonce, const QByteArray &peerNonce)
{
    return {proof("taskmaster-v2 session master->peer", key, role, version, masterNonce, peerNonce),
            proof("taskmaster-v2 session peer->master", key, role, version, masterNonce, peerNonce)};
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace HandshakeCrypto
