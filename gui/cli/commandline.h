#pragma once

// What the taskmaster subcommands share: the connection and authkey options, and printing.

#include "auth/authkey.h"
#include "tls/tlsclientoptions.h"

class MasterClient;

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QJsonObject>
#include <QStringList>

namespace CommandLine {

struct Connection {
    QString host;
    quint16 port = 0;
    QByteArray key;
    Tls::ClientSettings tls;
};

struct ConnectionOptions {
    QCommandLineOption host{QStringLiteral("host"), QStringLiteral("Master host name or address (default 127.0.0.1)."),
                            QStringLiteral("host"), QStringLiteral("127.0.0.1")};
    QCommandLineOption port{QStringLiteral("port"), QStringLiteral("Master port (default 7600)."), QStringLiteral("port"),
                            QStringLiteral("7600")};
    TlsClientOptions tls;

    QList<QCommandLineOption> all() const { return QList<QCommandLineOption>{host, port} + tls.all(); }
};

struct KeyOptions {
    QCommandLineOption file{QStringLiteral("authkey-file"), QStringLiteral("Read the authkey from this file."),
                            QStringLiteral("file")};
    QCommandLineOption key{QStringLiteral("authkey"),
                           QStringLiteral("The authkey itself (visible to other local users; prefer a file or "
                                          "TASKMASTER_AUTHKEY)."),
                           QStringLiteral("key")};
};

// The subcommand's parser with --help, its description and the exit-code table.
void setUp(QCommandLineParser &parser, const QString &description);
// Parses args (argv[0] and the subcommand already removed); --help and --version exit here.
void process(QCommandLineParser &parser, const QStringList &args);

bool readPort(const QCommandLineParser &parser, const QCommandLineOption &option, bool allowZero, quint16 *port,
              QString *error);
// An integer option within [min, max]; otherwise error says which option and what it takes.
bool readInt(const QCommandLineParser &parser, const QCommandLineOption &option, qint64 min, qint64 max, qint64 *out,
             QString *error);
bool readKey(const QCommandLineParser &parser, const KeyOptions &options, QByteArray *key, QString *error);
bool readConnection(const QCommandLineParser &parser, const ConnectionOptions &connection, const KeyOptions &keys,
                    Connection *out, QString *error);

// The positional arguments as task ids; at least one.
bool readIds(const QCommandLineParser &parser, QList<quint64> *ids, QString *error);
// Opens the client with the target's address and TLS settings.
void open(MasterClient &client, const Connection &target);

// "taskmaster: message" on stderr.
void printError(const QString &message);
void printLine(const QByteArray &line);
// One compact JSON object as a line, with the characters JSON leaves raw but a terminal acts
// on (DEL, C1 controls, bidi) escaped.
void printJson(const QJsonObject &object);

QString exitCodeHelp();

// A key mismatch as a client reads it: the master refuses a worker key for a client exactly as
// a wrong key, so the hint is given here, by the client, on every mismatch.
QString clientKeyRefused(const QString &reason);
// Prints why the client could not connect and exits the event loop with the matching code
// (3 for a key mismatch, 4 otherwise).
void exitOnConnectFailure(MasterClient &client);
// The same, and also when the master is lost later.
void exitOnConnectionProblems(MasterClient &client);

} // namespace CommandLine
