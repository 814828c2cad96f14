#include "servecommand.h"

#include "auth/authkey.h"
#include "commandline.h"
#include "master/master.h"
#include "master/retention.h"
#include "master/scheduler.h"
#include "task/sqlitetaskstore.h"
#include "tls/tls.h"
#include "util/datadirectory.h"
#include "util/exitcodes.h"
#include "util/shutdownsignals.h"

#include <QCoreApplication>

#include <limits>

int runServe(const QStringList &args)
{
    QCommandLineParser parser;
    CommandLine::setUp(parser, QStringLiteral(
            "taskmaster serve: run the master without a window. Workers (taskworker) and clients\n"
            "(taskmaster submit/status) connect to it with the same authkey. With --worker-key-file, workers\n"
            "get a key of their own that connects workers only: it cannot submit, cancel, watch or ask status,\n"
            "which need the authkey (a worker may still use the authkey). When it is ready it prints\n"
            "\"listening on ADDR:PORT\" as its first line on stdout; SIGINT/SIGTERM stop it (exit 0, or\n"
            "6 when changes could not be written to the data directory, as on a full disk)."));
    const CommandLine::KeyOptions keys;
    const QCommandLineOption workerKeyFile(QStringLiteral("worker-key-file"),
                                           QStringLiteral("Read a key for workers only from this file; clients then "
                                                          "need the authkey. Default: one key for all."),
                                           QStringLiteral("file"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Port to listen on; 0 picks a free one (default 7600)."),
                                  QStringLiteral("port"), QStringLiteral("7600"));
    const QCommandLineOption bind(QStringLiteral("bind"),
                                  QStringLiteral("Address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every interface)."),
                                  QStringLiteral("addr"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption maxFrame(QStringLiteral("max-frame"),
                                      QStringLiteral("Largest frame accepted after the handshake, in bytes (default %1).")
                                              .arg(Protocol::DefaultMaxFrame),
                                      QStringLiteral("bytes"), QString::number(Protocol::DefaultMaxFrame));
    const QCommandLineOption handshake(QStringLiteral("handshake-timeout"),
                                       QStringLiteral("Milliseconds a new peer has to authenticate (default %1).")
                                               .arg(Protocol::DefaultHandshakeTimeoutMs),
                                       QStringLiteral("ms"), QString::number(Protocol::DefaultHandshakeTimeoutMs));
    const QCommandLineOption heartbeat(QStringLiteral("heartbeat-interval"),
                                       QStringLiteral("Milliseconds between heartbeats (default %1).")
                                               .arg(Protocol::DefaultHeartbeatIntervalMs),
                                       QStringLiteral("ms"), QString::number(Protocol::DefaultHeartbeatIntervalMs));
    const QCommandLineOption heartbeatTimeout(QStringLiteral("heartbeat-timeout"),
                                              QStringLiteral("Milliseconds of silence after which a peer is dropped "
                                                             "and its tasks requeued (default %1).")
                                                      .arg(Protocol::DefaultHeartbeatTimeoutMs),
                                              QStringLiteral("ms"), QString::number(Protocol::DefaultHeartbeatTimeoutMs));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QStringLiteral("Keep tasks and results in this directory (default %1).")
                                             .arg(DataDirectory::defaultPath()),
                                     QStringLiteral("dir"));
    const QCommandLineOption ephemeral(QStringLiteral("ephemeral"),
                                       QStringLiteral("Keep tasks in memory only: they are gone when the master stops."));
    const QCommandLineOption keepFinished(QStringLiteral("keep-finished"),
                                          QStringLiteral("Keep only the N most recently finished tasks (default: all)."),
                                          QStringLiteral("n"));
    const QCommandLineOption keepDays(QStringLiteral("keep-days"),
                                      QStringLiteral("Forget finished tasks after D days (default: never)."),
                                      QStringLiteral("days"));
    const QCommandLineOption rememberKeys(QStringLiteral("remember-keys"),
                                          QStringLiteral("Remember a task's idempotency key for H hours after it was "
                                                         "submitted, while the task is kept (default %1).")
                                                  .arg(DefaultKeyLifetimeMs / 3'600'000),
                                          QStringLiteral("hours"), QString::number(DefaultKeyLifetimeMs / 3'600'000));
    const QCommandLineOption tlsCert(QStringLiteral("tls-cert"),
                                     QStringLiteral("Serve TLS with this PEM certificate (chain); needs --tls-key."),
                                     QStringLiteral("file"));
    const QCommandLineOption tlsKey(QStringLiteral("tls-key"), QStringLiteral("The PEM private key of --tls-cert."),
                                    QStringLiteral("file"));
    const QCommandLineOption maxHandshakes(QStringLiteral("max-handshakes"),
                                           QStringLiteral("Connections allowed in the handshake at once; more are "
                                                          "refused (default %1).")
                                                   .arg(Master::Settings().maxUnauthenticated),
                                           QStringLiteral("n"), QString::number(Master::Settings().maxUnauthenticated));
    const QCommandLineOption perAddress(QStringLiteral("max-handshakes-per-address"),
                                        QStringLiteral("Of those, at most this many from one address (IPv6: one /64), so "
                                                       "one host cannot lock others out (default %1).")
                                                .arg(Master::Settings().maxUnauthenticatedPerAddress),
                                        QStringLiteral("n"), QString::number(Master::Settings().maxUnauthenticatedPerAddress));
    parser.addOptions({port, bind, keys.file, keys.key, workerKeyFile, tlsCert, tlsKey, maxFrame, handshake, maxHandshakes,
                       perAddress, heartbeat, heartbeatTimeout, dataDir, ephemeral, keepFinished, keepDays, rememberKeys});
    CommandLine::process(parser, args);

    QString error;
    quint16 portNumber = 0;
    Master::Settings settings;
    qint64 frame = 0, handshakeMs = 0, intervalMs = 0, timeoutMs = 0, handshakes = 0, handshakesPerAddress = 0,
           keyHours = 0;
    if (!parser.positionalArguments().isEmpty())
        error = QStringLiteral("unexpected argument %1 (see --help)").arg(parser.positionalArguments().first());
    if (error.isEmpty()
        && !(CommandLine::readPort(parser, port, true, &portNumber, &error)
             && CommandLine::readKey(parser, keys, &settings.key, &error)
             && CommandLine::readInt(parser, maxFrame, Protocol::MinMaxFrame, 1024LL * 1024 * 1024, &frame, &error)
             && CommandLine::readInt(parser, handshake, 100, 600'000, &handshakeMs, &error)
             && CommandLine::readInt(parser, maxHandshakes, 1, 100'000, &handshakes, &error)
             && CommandLine::readInt(parser, perAddress, 1, 100'000, &handshakesPerAddress, &error)
             && CommandLine::readInt(parser, heartbeat, 50, 600'000, &intervalMs, &error)
             && CommandLine::readInt(parser, heartbeatTimeout, 100, 3'600'000, &timeoutMs, &error)
             && CommandLine::readInt(parser, rememberKeys, 0, 24 * 366, &keyHours, &error))) {
        // error is set
    }
    if (error.isEmpty() && parser.isSet(workerKeyFile)) {
        const AuthKey::Resolved workerKey = AuthKey::readFile(parser.value(workerKeyFile), QStringLiteral("worker key"));
        error = workerKey.ok ? AuthKey::workerKeyProblem(settings.key, workerKey.key) : workerKey.error;
        settings.workerKey = workerKey.key;
    }
    Retention::Settings retention;
    if (error.isEmpty() && parser.isSet(keepFinished))
        CommandLine::readInt(parser, keepFinished, 0, std::numeric_limits<qint64>::max(), &retention.keepFinished, &error);
    if (error.isEmpty() && parser.isSet(keepDays))
        CommandLine::readInt(parser, keepDays, 0, 100'000, &retention.keepDays, &error);
    if (error.isEmpty() && parser.isSet(ephemeral) && parser.isSet(dataDir))
        error = QStringLiteral("give either --ephemeral or --data-dir, not both");
    if (error.isEmpty() && timeoutMs <= intervalMs)
        error = QStringLiteral("--heartbeat-timeout must be longer than --heartbeat-interval");
    if (error.isEmpty() && parser.isSet(tlsCert) != parser.isSet(tlsKey))
        error = QStringLiteral("--tls-cert and --tls-key go together: give both to serve TLS, or neither");
    if (error.isEmpty() && parser.isSet(tlsCert))
        Tls::loadServerConfiguration(parser.value(tlsCert), parser.value(tlsKey), &settings.tls, &error);
    QString bindText = parser.value(bind);
    if (bindText == QLatin1String("localhost"))
        bindText = QStringLiteral("127.0.0.1");
    const QHostAddress address(bindText);
    if (error.isEmpty() && address.isNull())
        error = QStringLiteral("--bind needs an IP address such as 127.0.0.1, 0.0.0.0 or ::, not \"%1\"").arg(bindText);
    if (!error.isEmpty()) {
        CommandLine::printError(error);
        return ExitCode::Usage;
    }
    if (parser.isSet(tlsCert) && !Tls::checkKeyMatchesCertificate(settings.tls, &error)) {
        // Each file was read on its own already; what fails now is the pair (OpenSSL drains
        // its reason before Qt reports it, so the likely cause is named).
        CommandLine::printError(QStringLiteral("refusing to serve TLS: OpenSSL cannot use the key %1 with the "
                                               "certificate %2 (%3); does the key belong to the certificate?")
                                        .arg(parser.value(tlsKey), parser.value(tlsCert), error));
        return ExitCode::CannotListen;
    }
    if (settings.key.isEmpty() && !address.isLoopback()) {
        CommandLine::printError(QStringLiteral(
                "refusing to listen on %1 with an empty authkey: anyone who can reach it could run tasks. "
                "Give a key with --authkey-file, TASKMASTER_AUTHKEY or --authkey.")
                                        .arg(address.toString()));
        return ExitCode::CannotListen;
    }
    if (settings.key.isEmpty())
        CommandLine::printError(QStringLiteral("warning: no authkey; only local peers with an empty key can connect"));
    if (!settings.workerKey.isEmpty())
        CommandLine::printError(QStringLiteral("workers may connect with the worker key from %1; clients need the authkey")
                                        .arg(parser.value(workerKeyFile)));

    settings.maxFrame = quint32(frame);
    settings.handshakeTimeoutMs = int(handshakeMs);
    settings.heartbeatIntervalMs = int(intervalMs);
    settings.heartbeatTimeoutMs = int(timeoutMs);
    settings.maxUnauthenticated = int(handshakes);
    settings.maxUnauthenticatedPerAddress = int(handshakesPerAddress);
    std::unique_ptr<TaskStore> store;
    SqliteTaskStore *sqlite = nullptr; // owned by the master, for the last commit on a stop
    if (!parser.isSet(ephemeral)) {
        if (!parser.isSet(dataDir)) {
            for (const QString &line : DataDirectory::moveLegacyFiles())
                CommandLine::printError(line);
        }
        const QString directory = parser.isSet(dataDir) ? parser.value(dataDir) : DataDirectory::defaultPath();
        auto durable = std::make_unique<SqliteTaskStore>(directory);
        if (!durable->open(&error)) {
            CommandLine::printError(error);
            return ExitCode::CannotListen;
        }
        sqlite = durable.get();
        store = std::move(durable);
    }
    const bool durable = bool(store);
    // Before the master, so it is destroyed after it: a second signal during the last commit
    // is caught instead of killing the process half-way through its report.
    ShutdownSignals shutdownSignals;
    Master master(settings, std::move(store));
    master.scheduler()->setKeyLifetimeMs(keyHours * 3'600'000);
    if (durable) {
        const auto counts = master.scheduler()->counts();
        const auto finished = counts[size_t(TaskState::Done)] + counts[size_t(TaskState::Failed)]
                + counts[size_t(TaskState::Cancelled)];
        // The scheduler has already put tasks that were running back in the queue.
        CommandLine::printError(QStringLiteral("recovered %1 tasks: %2 queued (%3 of them were running), %4 finished")
                                        .arg(master.scheduler()->store().size())
                                        .arg(counts[size_t(TaskState::Queued)])
                                        .arg(master.scheduler()->requeuedOnStart())
                                        .arg(finished));
    }
    Retention retentionPolicy(master.scheduler(), retention);
    retentionPolicy.start();
    if (!master.listen(address, portNumber)) {
        CommandLine::printError(QStringLiteral("cannot listen on %1:%2: %3")
                                        .arg(address.toString())
                                        .arg(portNumber)
                                        .arg(master.errorString()));
        return ExitCode::CannotListen;
    }
    const QString shown = address.protocol() == QAbstractSocket::IPv6Protocol
            ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
            : address.toString();
    CommandLine::printLine(QStringLiteral("listening on %1:%2").arg(shown).arg(master.serverPort()).toUtf8());
    if (master.usesTls()) {
        // What peers pin with --tls-fingerprint when they have no CA for this certificate.
        CommandLine::printLine("tls certificate sha256 fingerprint " + Tls::fingerprint(settings.tls.localCertificate()));
    }

    QObject::connect(&shutdownSignals, &ShutdownSignals::requested, &master, [&master, durable, sqlite] {
        master.close();
        // What is not on disk now is lost with this process: say how much, and fail the stop.
        if (sqlite && !sqlite->commit()) {
            CommandLine::printError(QStringLiteral("stopping; %1 changes were not written (%2): the data directory holds "
                                                   "the tasks as of the last write, so results since then are lost and "
                                                   "those tasks run again at the next start")
                                            .arg(sqlite->pendingChanges())
                                            .arg(sqlite->failure()));
            QCoreApplication::exit(ExitCode::StoreFailed);
            return;
        }
        const auto counts = master.scheduler()->counts();
        CommandLine::printError((durable ? QStringLiteral("stopping; %1 queued and %2 running tasks wait in the data "
                                                          "directory for the next start")
                                         : QStringLiteral("stopping; %1 queued and %2 running tasks are dropped with "
                                                          "this in-memory master"))
                                        .arg(counts[size_t(TaskState::Queued)])
                                        .arg(counts[size_t(TaskState::Running)]));
        QCoreApplication::exit(ExitCode::Ok);
    });
    return QCoreApplication::exec();
}
