#pragma once

// One direction of a connection's frame authentication (protocol v2): a session key, and the
// implicit sequence number of the next frame, starting at 0 and never sent. The MAC of a frame
// is HMAC-SHA256(key, seq as 8 bytes big-endian || body) cut to Protocol::FrameMacSize, so a
// frame that was forged, replayed, reordered or taken from another connection fails.

#include "auth/hmacsha256.h"
#include "protocol/protocol.h"

#include <QByteArray>

class FrameAuthenticator final
{
public:
    explicit FrameAuthenticator(const QByteArray &sessionKey);

    // Writes the MAC of body as the next frame in sequence into tag (FrameMacSize bytes).
    void sign(const char *body, qsizetype size, char *tag);
    // bodyWithMac is a received body whose last FrameMacSize bytes are its MAC. True when it is
    // the next frame in sequence, unaltered; the sequence then moves on. Constant time.
    bool verify(const QByteArray &bodyWithMac);

    quint64 sequence() const { return m_sequence; }

private:
    void nextMac(const char *body, qsizetype size, unsigned char *mac);

    // The key's pads are hashed once per direction, not once per frame.
    HmacSha256 m_hmac;
    quint64 m_sequence = 0;
};
