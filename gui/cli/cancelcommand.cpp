#include "cancelcommand.h"

#include "client/masterclient.h"
#include "commandline.h"
#include "util/exitcodes.h"

#include <QCoreApplication>
#include <QTimer>

int runCancel(const QStringList &args)
{
    QCommandLineParser parser;
    CommandLine::setUp(parser, QStringLiteral(
            "taskmaster cancel: cancel tasks by id. A queued task is cancelled at once; a running one is\n"
            "stopped on its worker. Prints how many were cancelled (finished tasks are left alone)."));
    parser.addPositionalArgument(QStringLiteral("ids"), QStringLiteral("Task ids, as printed by submit."),
                                 QStringLiteral("ID..."));
    const CommandLine::ConnectionOptions connection;
    const CommandLine::KeyOptions keys;
    parser.addOptions(connection.all());
    parser.addOptions({keys.file, keys.key});
    CommandLine::process(parser, args);

    CommandLine::Connection target;
    QString error;
    QList<quint64> ids;
    if (!CommandLine::readIds(parser, &ids, &error)
        || !CommandLine::readConnection(parser, connection, keys, &target, &error)) {
        CommandLine::printError(error);
        return ExitCode::Usage;
    }

    MasterClient client(target.key);
    CommandLine::exitOnConnectionProblems(client);
    // The reply waits until the cancels are on the master's disk. While its store cannot write
    // (a full disk) that may be long: its status says why, so the wait is not silent.
    QTimer askWhy;
    askWhy.setSingleShot(true);
    QObject::connect(&askWhy, &QTimer::timeout, [&] { client.requestStatus(); });
    QString said;
    QObject::connect(&client, &MasterClient::statusReceived, [&](const Messages::StatusReply &status) {
        if (!status.storeError.isEmpty() && status.storeError != said)
            CommandLine::printError(QStringLiteral("the master cannot write its task store (%1); the cancel is "
                                                   "confirmed once it can")
                                            .arg(status.storeError));
        said = status.storeError;
        askWhy.start(5000);
    });
    QObject::connect(&client, &MasterClient::ready, [&] {
        client.cancel(ids);
        askWhy.start(1000);
    });
    QObject::connect(&client, &MasterClient::cancelled, [&](int count) {
        CommandLine::printLine(QStringLiteral("cancelled %1 of %2 task(s)").arg(count).arg(ids.size()).toUtf8());
        client.close();
        QCoreApplication::exit(ExitCode::Ok);
    });
    CommandLine::open(client, target);
    return QCoreApplication::exec();
}
