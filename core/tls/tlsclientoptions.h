#pragma once

// The TLS options every peer binary offers (taskworker and the taskmaster client commands),
// declared once so their names and help read the same everywhere.

#include "tls/tls.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

struct TlsClientOptions {
    QCommandLineOption tls{QStringLiteral("tls"), QStringLiteral("Connect over TLS, trusting the system's CAs.")};
    QCommandLineOption ca{QStringLiteral("ca"),
                          QStringLiteral("Connect over TLS, trusting only the CA certificates (PEM) in this file."),
                          QStringLiteral("file")};
    QCommandLineOption fingerprint{QStringLiteral("tls-fingerprint"),
                                   QStringLiteral("Connect over TLS and trust exactly the master certificate with this "
                                                  "SHA-256 fingerprint (as taskmaster serve prints it)."),
                                   QStringLiteral("sha256hex")};

    QList<QCommandLineOption> all() const { return {tls, ca, fingerprint}; }
    bool read(const QCommandLineParser &parser, Tls::ClientSettings *out, QString *error) const
    {
        return Tls::clientSettingsFromOptions(parser.isSet(tls), parser.value(ca), parser.value(fingerprint), out,
                                              error);
    }
};
