#include "commandline.h"

#include "client/masterclient.h"
#include "util/exitcodes.h"
#include "util/printable.h"

#include <QCoreApplication>
#include <QJsonDocument>

#include <cstdio>

namespace CommandLine {

QString exitCodeHelp()
{
    return QStringLiteral(
            "Exit codes: 0 success; 1 a task failed or was cancelled (submit --wait); 2 bad command line or input;\n"
            "3 the authkey does not match; 4 the master cannot be reached or was lost; 5 serve cannot listen or\n"
            "use its data directory (in use, unwritable, damaged), or salvage cannot write the new store; 6 the\n"
            "master cannot write its task store (a full disk): serve stopped with changes not written, or\n"
            "submit was refused for it.");
}

void setUp(QCommandLineParser &parser, const QString &description)
{
    parser.setApplicationDescription(description + QStringLiteral("\n\n") + exitCodeHelp());
    parser.addHelpOption();
}

void process(QCommandLineParser &parser, const QStringList &args)
{
    if (!parser.parse(args)) {
        printError(parser.errorText() + QStringLiteral(" (see --help)"));
        std::exit(ExitCode::Usage);
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        std::exit(ExitCode::Ok);
    }
}

bool readPort(const QCommandLineParser &parser, const QCommandLineOption &option, bool allowZero, quint16 *port,
              QString *error)
{
    bool ok = false;
    const uint value = parser.value(option).toUInt(&ok);
    if (!ok || value > 65535 || (!allowZero && value == 0)) {
        *error = QStringLiteral("--port must be a number from %1 to 65535, not \"%2\"")
                         .arg(allowZero ? 0 : 1)
                         .arg(parser.value(option));
        return false;
    }
    *port = quint16(value);
    return true;
}

bool readInt(const QCommandLineParser &parser, const QCommandLineOption &option, qint64 min, qint64 max, qint64 *out,
             QString *error)
{
    bool ok = false;
    const qint64 value = parser.value(option).toLongLong(&ok);
    if (!ok || value < min || value > max) {
        *error = QStringLiteral("--%1 must be a number from %2 to %3, not \"%4\"")
                         .arg(option.names().first())
                         .arg(min)
                         .arg(max)
                         .arg(parser.value(option));
        return false;
    }
    *out = value;
    return true;
}

bool readKey(const QCommandLineParser &parser, const KeyOptions &options, QByteArray *key, QString *error)
{
    const AuthKey::Resolved resolved =
            AuthKey::resolve(parser.value(options.file), parser.value(options.key), parser.isSet(options.key));
    if (!resolved.ok) {
        *error = resolved.error;
        return false;
    }
    *key = resolved.key;
    return true;
}

bool readConnection(const QCommandLineParser &parser, const ConnectionOptions &connection, const KeyOptions &keys,
                    Connection *out, QString *error)
{
    out->host = parser.value(connection.host);
    return readPort(parser, connection.port, false, &out->port, error) && readKey(parser, keys, &out->key, error)
            && connection.tls.read(parser, &out->tls, error);
}

void open(MasterClient &client, const Connection &target)
{
    client.setTls(target.tls);
    client.open(target.host, target.port);
}

void printError(const QString &message)
{
    // Messages carry reasons from the master and names of files; one line, no terminal controls.
    std::fprintf(stderr, "taskmaster: %s\n", qPrintable(printable(message)));
    std::fflush(stderr);
}

void printLine(const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void printJson(const QJsonObject &object)
{
    printLine(printableJson(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

bool readIds(const QCommandLineParser &parser, QList<quint64> *ids, QString *error)
{
    for (const QString &text : parser.positionalArguments()) {
        bool ok = false;
        const quint64 id = text.toULongLong(&ok);
        if (!ok || id == 0) {
            *error = QStringLiteral("\"%1\" is not a task id").arg(text);
            return false;
        }
        ids->append(id);
    }
    if (ids->isEmpty()) {
        *error = QStringLiteral("give the ids of the tasks (see --help)");
        return false;
    }
    return true;
}

QString clientKeyRefused(const QString &reason)
{
    return reason + QStringLiteral(" (submit, cancel, watch and status need the master's authkey; a worker key "
                                   "connects workers only)");
}

void exitOnConnectFailure(MasterClient &client)
{
    QObject::connect(&client, &MasterClient::failed, [](ClientHandshake::Failure failure, const QString &reason) {
        const bool keyMismatch = failure == ClientHandshake::Failure::AuthkeyMismatch;
        printError(keyMismatch ? clientKeyRefused(reason) : reason);
        QCoreApplication::exit(keyMismatch ? ExitCode::AuthFailed : ExitCode::Unreachable);
    });
}

void exitOnConnectionProblems(MasterClient &client)
{
    exitOnConnectFailure(client);
    QObject::connect(&client, &MasterClient::lost, [](const QString &reason) {
        printError(QStringLiteral("lost the master: ") + reason);
        QCoreApplication::exit(ExitCode::Unreachable);
    });
}

} // namespace CommandLine
