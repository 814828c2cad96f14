#include "frameauthenticator.h"

#include "auth/handshakecrypto.h"

#include <QtEndian>

#include <cstring>

FrameAuthenticator::FrameAuthenticator(const QByteArray &sessionKey)
    : m_mac(QCryptographicHash::Sha256, sessionKey)
{
}

QByteArray FrameAuthenticator::nextMac(const char *body, qsizetype size)
{
    // 2^64 frames cannot be sent in the life of a connection, so the counter never wraps.
    char sequence[8];
    qToBigEndian<quint64>(m_sequence++, sequence);
    m_mac.reset();
    m_mac.addData(sequence, 8);
    m_mac.addData(body, size);
    return m_mac.result();
}

void FrameAuthenticator::sign(const char *body, qsizetype size, char *tag)
{
    std::memcpy(tag, nextMac(body, size).constData(), Protocol::FrameMacSize);
}

bool FrameAuthenticator::verify(const QByteArray &bodyWithMac)
{
    const qsizetype size = bodyWithMac.size() - Protocol::FrameMacSize;
    if (size < 1) // a body holds at least its type byte
        return false;
    const QByteArray expected = nextMac(bodyWithMac.constData(), size);
    return HandshakeCrypto::constantTimeEquals(QByteArray::fromRawData(expected.constData(), Protocol::FrameMacSize),
                                               QByteArray::fromRawData(bodyWithMac.constData() + size,
                                                                       Protocol::FrameMacSize));
}
