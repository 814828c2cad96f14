#include "frameauthenticator.h"

#include "auth/handshakecrypto.h"

#include <QtEndian>

#include <cstring>

FrameAuthenticator::FrameAuthenticator(const QByteArray &sessionKey)
    : m_hmac(sessionKey.constData(), sessionKey.size())
{
}

void FrameAuthenticator::nextMac(const char *body, qsizetype size, unsigned char *mac)
{
    // 2^64 frames cannot be sent in the life of a connection, so the counter never wraps.
    char sequence[8];
    qToBigEndian<quint64>(m_sequence++, sequence);
    m_hmac.compute(sequence, 8, body, size, mac);
}

void FrameAuthenticator::sign(const char *body, qsizetype size, char *tag)
{
    unsigned char mac[HmacSha256::Size];
    nextMac(body, size, mac);
    std::memcpy(tag, mac, Protocol::FrameMacSize);
}

bool FrameAuthenticator::verify(const QByteArray &bodyWithMac)
{
    const qsizetype size = bodyWithMac.size() - Protocol::FrameMacSize;
    if (size < 1) // a body holds at least its type byte
        return false;
    unsigned char mac[HmacSha256::Size];
    nextMac(bodyWithMac.constData(), size, mac);
    return HandshakeCrypto::constantTimeEquals(
            QByteArray::fromRawData(reinterpret_cast<const char *>(mac), Protocol::FrameMacSize),
            QByteArray::fromRawData(bodyWithMac.constData() + size, Protocol::FrameMacSize));
}
