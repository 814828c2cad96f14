#include "watchcommand.h"

#include "client/masterclient.h"
#include "client/taskrecordjson.h"
#include "commandline.h"
#include "util/exitcodes.h"
#include "util/printable.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QTimer>

#include <memory>

int runWatch(const QStringList &args)
{
    QCommandLineParser parser;
    CommandLine::setUp(parser, QStringLiteral(
            "taskmaster watch: wait for tasks by id and print one JSON object per task as it finishes (as\n"
            "submit --wait does). When the master cannot be reached or goes away, it keeps trying for\n"
            "--reconnect-timeout and watches the tasks still unfinished again once the master is back;\n"
            "not after the master said Goodbye (it dropped this client, say for not reading): exit 4."));
    parser.addPositionalArgument(QStringLiteral("ids"), QStringLiteral("Task ids, as printed by submit."),
                                 QStringLiteral("ID..."));
    const CommandLine::ConnectionOptions connection;
    const CommandLine::KeyOptions keys;
    const QCommandLineOption reconnect(QStringLiteral("reconnect-timeout"),
                                       QStringLiteral("Milliseconds to keep trying without a master (default 60000; 0 "
                                                      "gives up at once)."),
                                       QStringLiteral("ms"), QStringLiteral("60000"));
    // Every connection option, TLS included: readConnection reads them all.
    parser.addOptions(connection.all());
    parser.addOptions({keys.file, keys.key, reconnect});
    CommandLine::process(parser, args);

    CommandLine::Connection target;
    QString error;
    QList<quint64> ids;
    bool ok = CommandLine::readIds(parser, &ids, &error);
    bool numberOk = false;
    const qint64 reconnectMs = parser.value(reconnect).toLongLong(&numberOk);
    if (ok && (!numberOk || reconnectMs < 0)) {
        error = QStringLiteral("--reconnect-timeout must be a number of milliseconds, not \"%1\"").arg(parser.value(reconnect));
        ok = false;
    }
    if (!ok || !CommandLine::readConnection(parser, connection, keys, &target, &error)) {
        CommandLine::printError(error);
        return ExitCode::Usage;
    }

    QSet<quint64> pending(ids.cbegin(), ids.cend());
    int exitCode = ExitCode::Ok;
    std::unique_ptr<MasterClient> client;
    QDeadlineTimer giveUp = QDeadlineTimer::Forever;
    std::function<void()> connectOnce;
    auto retryOrExit = [&](MasterClient *from, const QString &reason) {
        if (from != client.get())
            return; // an earlier connection, already given up
        if (giveUp.isForever())
            giveUp = QDeadlineTimer(reconnectMs);
        // A master that said Goodbye dropped us on purpose (we sent something it refused, or
        // read too slowly): it would do the same again.
        if (giveUp.hasExpired() || from->masterSaidGoodbye()) {
            CommandLine::printError(QStringLiteral("%1; %2 task(s) unfinished").arg(reason).arg(pending.size()));
            QCoreApplication::exit(ExitCode::Unreachable);
            return;
        }
        CommandLine::printError(QStringLiteral("%1; trying again").arg(reason));
        client.release()->deleteLater();
        QTimer::singleShot(250, qApp, connectOnce);
    };
    connectOnce = [&] {
        client = std::make_unique<MasterClient>(target.key);
        MasterClient *c = client.get();
        QObject::connect(c, &MasterClient::ready, c, [&, c] {
            giveUp = QDeadlineTimer::Forever;
            c->watch(QList<quint64>(pending.cbegin(), pending.cend()));
        });
        QObject::connect(c, &MasterClient::failed, c, [&, c](ClientHandshake::Failure failure, const QString &reason) {
            if (failure == ClientHandshake::Failure::AuthkeyMismatch) {
                CommandLine::printError(CommandLine::clientKeyRefused(reason));
                QCoreApplication::exit(ExitCode::AuthFailed);
                return;
            }
            retryOrExit(c, reason);
        });
        QObject::connect(c, &MasterClient::lost, c,
                         [&, c](const QString &reason) { retryOrExit(c, QStringLiteral("lost the master: ") + reason); });
        QObject::connect(c, &MasterClient::taskFinished, c, [&, c](const Messages::TaskRecord &record) {
            if (!pending.remove(record.id))
                return;
            CommandLine::printLine(printableJson(TaskRecordJson::toLine(record)));
            if (TaskState(record.state) != TaskState::Done)
                exitCode = ExitCode::TasksFailed;
            if (pending.isEmpty()) {
                c->close();
                QCoreApplication::exit(exitCode);
            }
        });
        CommandLine::open(*c, target);
    };
    connectOnce();
    return QCoreApplication::exec();
}
