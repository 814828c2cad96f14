// taskworker: connects to a Taskmaster master, runs the tasks it is given, sends results back.

#include "auth/authkey.h"
#include "task/task.h"
#include "tls/tlsclientoptions.h"
#include "util/exitcodes.h"
#include "util/shutdownsignals.h"
#include "worker/handlersfile.h"
#include "worker/workerengine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QThread>

#include <cstdio>

namespace {

struct Options {
    WorkerEngine::Settings settings;
    QString error;
};

// The kinds given with --handler and --handlers, checked against each other and the built-ins.
QString readHandlers(const QStringList &commands, const QStringList &files, QList<HandlerSpec> *specs)
{
    QString error;
    for (const QString &command : commands) {
        const auto spec = HandlersFile::parseOption(command, &error);
        if (!spec)
            return error;
        specs->append(*spec);
    }
    for (const QString &file : files) {
        const auto fromFile = HandlersFile::read(file, &error);
        if (!fromFile)
            return error;
        specs->append(*fromFile);
    }
    return HandlersFile::checkNames(*specs, WorkerEngine::builtinKinds());
}

Options parseCommandLine(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
            "Taskmaster worker: connects to a master, runs the tasks it is given and sends back the results.\n"
            "It waits for a master that is not up yet and reconnects when the master goes away.\n\n"
            "The authkey comes from --authkey-file, --authkey, or the TASKMASTER_AUTHKEY environment variable\n"
            "(a file or the environment keep it out of the process list).\n\n"
            "Handlers add task kinds of your own: --handler NAME=COMMAND runs COMMAND once per task (args on\n"
            "stdin, one JSON value on stdout); --handlers FILE also gives long-lived \"pipe\" handlers. See\n"
            "docs/HANDLERS.md.\n\n"
            "Exit codes: 0 stopped by SIGINT/SIGTERM or done, 2 bad command line, 3 the authkey does not match,\n"
            "4 the master cannot be reached (with --once), speaks another protocol, or its TLS certificate is refused."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption host(QStringLiteral("host"), QStringLiteral("Master host name or address (default 127.0.0.1)."),
                                  QStringLiteral("host"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Master port (default 7600)."),
                                  QStringLiteral("port"), QStringLiteral("7600"));
    const QCommandLineOption keyFile(QStringLiteral("authkey-file"), QStringLiteral("Read the authkey from this file."),
                                     QStringLiteral("file"));
    const QCommandLineOption key(QStringLiteral("authkey"),
                                 QStringLiteral("The authkey itself (visible to other local users; prefer a file)."),
                                 QStringLiteral("key"));
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("Worker name shown on the master (default host-pid)."),
                                  QStringLiteral("name"));
    const QCommandLineOption slots(QStringLiteral("slots"),
                                   QStringLiteral("Tasks run at once (default: the number of CPU threads, %1).")
                                           .arg(QThread::idealThreadCount()),
                                   QStringLiteral("n"));
    const QCommandLineOption allowExec(QStringLiteral("allow-exec"),
                                       QStringLiteral("Run 'exec' tasks (any program the master names). Off by default."));
    const QCommandLineOption tag(QStringLiteral("tag"),
                                 QStringLiteral("A tag for routing (repeatable): tasks that require it go only to workers that "
                                                "have it, e.g. --tag gpu --tag zone=eu."),
                                 QStringLiteral("tag"));
    const QCommandLineOption once(QStringLiteral("once"),
                                  QStringLiteral("Do not retry: exit when the master cannot be reached or goes away."));
    const QCommandLineOption grace(QStringLiteral("grace-ms"),
                                   QStringLiteral("On SIGINT/SIGTERM, how long running tasks may finish (default 10000)."),
                                   QStringLiteral("ms"), QStringLiteral("10000"));
    const QCommandLineOption handler(QStringLiteral("handler"),
                                     QStringLiteral("Run tasks of kind NAME with COMMAND, one process per task (split at spaces, "
                                                    "\"double quotes\" group words; no shell runs it). Repeatable."),
                                     QStringLiteral("NAME=COMMAND"));
    const QCommandLineOption handlers(QStringLiteral("handlers"),
                                      QStringLiteral("Read handlers (once or pipe mode) from a JSON file. Repeatable."),
                                      QStringLiteral("file"));
    const TlsClientOptions tls;
    parser.addOptions({host, port, keyFile, key});
    parser.addOptions(tls.all());
    parser.addOptions({name, slots, allowExec, tag, once, grace, handler, handlers});

    Options options;
    // parse(), not process(): a bad option is a usage error (exit 2), as everywhere else.
    if (!parser.parse(app.arguments())) {
        options.error = parser.errorText() + QStringLiteral(" (see --help)");
        return options;
    }
    if (parser.isSet(help) || parser.optionNames().contains(QStringLiteral("help-all")))
        parser.showHelp(ExitCode::Ok);
    if (parser.isSet(version))
        parser.showVersion();
    auto &s = options.settings;
    if (!parser.positionalArguments().isEmpty()) {
        options.error = QStringLiteral("unexpected argument %1 (see --help)").arg(parser.positionalArguments().first());
        return options;
    }
    bool ok = false;
    const uint portNumber = parser.value(port).toUInt(&ok);
    if (!ok || portNumber == 0 || portNumber > 65535) {
        options.error = QStringLiteral("--port must be a number from 1 to 65535, not \"%1\"").arg(parser.value(port));
        return options;
    }
    s.port = quint16(portNumber);
    s.host = parser.value(host);
    s.name = parser.value(name);
    s.allowExec = parser.isSet(allowExec);
    for (const QString &t : parser.values(tag)) {
        if (const QString error = validateTag(t); !error.isEmpty()) {
            options.error = QStringLiteral("--tag: ") + error;
            return options;
        }
        if (!s.tags.contains(t))
            s.tags.append(t);
    }
    s.once = parser.isSet(once);
    s.slots = QThread::idealThreadCount();
    if (parser.isSet(slots)) {
        s.slots = parser.value(slots).toInt(&ok);
        if (!ok || s.slots < 1 || s.slots > 4096) {
            options.error = QStringLiteral("--slots must be a number from 1 to 4096, not \"%1\"").arg(parser.value(slots));
            return options;
        }
    }
    s.graceMs = parser.value(grace).toInt(&ok);
    if (!ok || s.graceMs < 0) {
        options.error = QStringLiteral("--grace-ms must be a number of milliseconds, not \"%1\"").arg(parser.value(grace));
        return options;
    }
    const AuthKey::Resolved resolved = AuthKey::resolve(parser.value(keyFile), parser.value(key), parser.isSet(key));
    if (!resolved.ok) {
        options.error = resolved.error;
        return options;
    }
    s.key = resolved.key;
    if (!tls.read(parser, &s.tls, &options.error))
        return options;
    options.error = readHandlers(parser.values(handler), parser.values(handlers), &s.handlers);
    return options;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("taskworker"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TASKMASTER_VERSION));
    qSetMessagePattern(QStringLiteral("taskworker: %{if-warning}warning: %{endif}%{if-critical}error: %{endif}%{message}"));

    const Options options = parseCommandLine(app);
    if (!options.error.isEmpty()) {
        std::fprintf(stderr, "taskworker: %s\n", qPrintable(options.error));
        return ExitCode::Usage;
    }

    // Before the engine, so it is destroyed after it: a second SIGTERM while the engine is torn
    // down (its runs cancelled, its link closed) is caught, not the default action that kills.
    ShutdownSignals shutdownSignals;
    WorkerEngine engine(options.settings);
    QObject::connect(&shutdownSignals, &ShutdownSignals::requested, &engine, &WorkerEngine::shutdown);
    QObject::connect(&engine, &WorkerEngine::finished, &app, [](int code) { QCoreApplication::exit(code); },
                     Qt::QueuedConnection);
    engine.start();
    return app.exec();
}
