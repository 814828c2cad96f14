#include "cancelcommand.h"

#include "client/masterclient.h"
#include "commandline.h"
#include "util/exitcodes.h"

#include <QCoreApplication>

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
    QObject::connect(&client, &MasterClient::ready, [&] { client.cancel(ids); });
    QObject::connect(&client, &MasterClient::cancelled, [&](int count) {
        CommandLine::printLine(QStringLiteral("cancelled %1 of %2 task(s)").arg(count).arg(ids.size()).toUtf8());
        client.close();
        QCoreApplication::exit(ExitCode::Ok);
    });
    CommandLine::open(client, target);
    return QCoreApplication::exec();
}
