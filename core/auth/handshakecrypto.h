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

// The two keys that authenticate every frame after Welcome (protocol v2), one per direction.
// They come from the authkey and both nonces, so they are fresh for every connection and
// never cross the wire; their labels differ from the proofs', so no proof is ever a key.
struct SessionKeys {
    QByteArray masterToPeer;
    QByteArray peerToMaster;
};
SessionKeys sessionKeys(const QByteArray &key, Protocol::Role role, quint16 version,
                        const QByteArray &masterNonce, const QByteArray &peerNonce);

// Compares in time that depends on the length only, never on where the first difference is.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace HandshakeCrypto
