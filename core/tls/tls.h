#pragma once

// TLS around the Taskmaster byte stream: loading a master's certificate and key, a peer's CA
// file, and pinned SHA-256 fingerprints. The frames and the authkey handshake inside are the
// same as on plain TCP; TLS only adds privacy and the master's identity.

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QString>

namespace Tls {

// What a worker or a client asks of the master's certificate.
struct ClientSettings {
    bool enabled = false;
    // Trusted roots; empty means the system's CA store.
    QList<QSslCertificate> caCertificates;
    // Lower-case hex SHA-256 of the master's certificate; when set it is the only check.
    QByteArray pinnedFingerprint;
};

// From the peer options --tls, --ca FILE and --tls-fingerprint HEX; either of the last two
// implies --tls.
bool clientSettingsFromOptions(bool tls, const QString &caFile, const QString &fingerprint, ClientSettings *out,
                               QString *error);

// True when Qt has a TLS backend; without one --tls options fail with a clear message.
bool isAvailable();

// A master's configuration from PEM files: certificate (chain) and private key.
bool loadServerConfiguration(const QString &certFile, const QString &keyFile, QSslConfiguration *out, QString *error);
// Whether the configuration's private key belongs to its certificate. Qt has no call that
// pairs them, so the master shakes hands with itself over loopback, as a peer would; OpenSSL
// refuses a key that does not certify the certificate. False with the reason when it does
// not; true when it does, or when no loopback handshake can be tried (peers will then say).
bool checkKeyMatchesCertificate(const QSslConfiguration &configuration, QString *error);
// Every certificate in a PEM file, for --ca.
bool loadCaCertificates(const QString &file, QList<QSslCertificate> *out, QString *error);
// "AB:CD:…" or "abcd…" (64 hex digits) into lower-case hex without colons.
bool parseFingerprint(const QString &text, QByteArray *out, QString *error);
// Lower-case hex SHA-256 of the DER certificate, as printed by serve and pinned by peers.
QByteArray fingerprint(const QSslCertificate &certificate);

// The first byte of a TLS handshake record (a ClientHello). A Taskmaster frame starts with
// the high byte of its length, which is 0 for every frame a peer may send before the
// handshake, so one byte tells the two apart.
inline constexpr char HandshakeRecordType = 0x16;

} // namespace Tls
