#pragma once

// The cryptography of the handshake: fresh nonces and the two HMAC-SHA256 proofs. The labels
// differ per direction so a proof cannot be reflected back at its sender.

#include "protocol/protocol.h"

#include <QByteArray>

namespace HandshakeCrypto {

QByteArray newNonce();

QByteArray peerProof(const QByteArray &key, Protocol::Role role, quint16 version,
                     const QByteArray &masterNonce, const QByteArray &peerNonce);
QByteArray masterProof(const QByteArray &key, Protocol::Role role, quint16 version,
                       const QByteArray &masterNonce, const QByteArray &peerNonce);

// Compares in time that depends on the length only, never on where the first difference is.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace HandshakeCrypto
