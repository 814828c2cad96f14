#include "statuscommand.h"

#include "client/backlogtext.h"
#include "client/masterclient.h"
#include "commandline.h"
#include "task/task.h"
#include "util/exitcodes.h"
#include "util/printable.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace {

QJsonObject asJson(const Messages::StatusReply &status)
{
    QJsonObject counts;
    for (int i = 0; i < TaskStateCount; ++i)
        counts.insert(taskStateName(TaskState(i)), qint64(status.counts[size_t(i)]));
    QJsonArray workers;
    for (const Messages::WorkerStatus &w : status.workers) {
        workers.append(QJsonObject{
                {QStringLiteral("name"), w.name},
                {QStringLiteral("host"), w.host},
                {QStringLiteral("pid"), w.pid},
                {QStringLiteral("slots"), qint64(w.slots)},
                {QStringLiteral("running"), qint64(w.running)},
                {QStringLiteral("sent"), qint64(w.sent)},
                {QStringLiteral("kinds"), QJsonArray::fromStringList(w.kinds)},
                {QStringLiteral("tags"), QJsonArray::fromStringList(w.tags)},
                {QStringLiteral("done"), qint64(w.done)},
                {QStringLiteral("failed"), qint64(w.failed)},
                {QStringLiteral("connected_since"),
                 QDateTime::fromMSecsSinceEpoch(w.connectedSinceMs).toUTC().toString(Qt::ISODateWithMs)},
                {QStringLiteral("draining"), w.draining},
        });
    }
    QJsonArray backlog;
    for (const Messages::Backlog &b : status.backlog) {
        backlog.append(QJsonObject{
                {QStringLiteral("kind"), b.kind},
                {QStringLiteral("requires"), QJsonArray::fromStringList(b.requiredTags)},
                {QStringLiteral("ready"), qint64(b.ready)},
                {QStringLiteral("delayed"), qint64(b.delayed)},
                {QStringLiteral("workers"), qint64(b.workers)},
        });
    }
    // Always present, so a script can test it: null while the store writes.
    return QJsonObject{{QStringLiteral("counts"), counts},
                       {QStringLiteral("workers"), workers},
                       {QStringLiteral("queued"), backlog},
                       {QStringLiteral("store_error"),
                        status.storeError.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(status.storeError)}};
}

QByteArray asText(const Messages::StatusReply &status)
{
    QStringList lines;
    // First, where nobody misses it: what the master is told from now on may be lost.
    if (!status.storeError.isEmpty())
        lines.append(QStringLiteral("store:   FAILING - %1; new tasks are refused, changes wait in memory")
                             .arg(printable(status.storeError)));
    QStringList counts;
    for (int i = 0; i < TaskStateCount; ++i)
        counts.append(QStringLiteral("%1 %2").arg(status.counts[size_t(i)]).arg(taskStateName(TaskState(i))));
    lines.append(QStringLiteral("tasks:   ") + counts.join(QStringLiteral(", ")));
    QSet<QString> served;
    for (const Messages::WorkerStatus &w : status.workers)
        served.unite(QSet<QString>(w.kinds.cbegin(), w.kinds.cend()));
    QStringList kinds = served.values();
    kinds.sort();
    lines.append(QStringLiteral("kinds:   ") + (kinds.isEmpty() ? QStringLiteral("(no worker)") : kinds.join(QStringLiteral(", "))));
    if (!status.backlog.isEmpty()) {
        lines.append(QStringLiteral("queued:"));
        for (const Messages::Backlog &b : status.backlog) {
            QString line = QStringLiteral("  %1 %2").arg(b.kind, -24).arg(b.ready + b.delayed, 9);
            if (!b.requiredTags.isEmpty())
                line += QStringLiteral("  requires ") + b.requiredTags.join(QLatin1Char(' '));
            if (b.delayed > 0)
                line += QStringLiteral("  (%1 not due yet)").arg(b.delayed);
            const QString waiting = BacklogText::describe(b);
            line += waiting.isEmpty() ? QStringLiteral("  %1 worker(s) can run them").arg(b.workers) : QStringLiteral("  - ") + waiting;
            lines.append(line);
        }
    }
    lines.append(QStringLiteral("workers: %1").arg(status.workers.size()));
    if (!status.workers.isEmpty()) {
        lines.append(QStringLiteral("  %1 %2 %3 %4 %5 %6 %7  %8")
                             .arg(QStringLiteral("NAME"), -24)
                             .arg(QStringLiteral("HOST"), -20)
                             .arg(QStringLiteral("SLOTS"), 5)
                             .arg(QStringLiteral("RUNNING"), 7)
                             .arg(QStringLiteral("SENT"), 5)
                             .arg(QStringLiteral("DONE"), 8)
                             .arg(QStringLiteral("FAILED"), 7)
                             .arg(QStringLiteral("KINDS / TAGS")));
        for (const Messages::WorkerStatus &w : status.workers) {
            QString runs = w.kinds.join(QLatin1Char(','));
            if (!w.tags.isEmpty())
                runs += QStringLiteral(" / ") + w.tags.join(QLatin1Char(','));
            lines.append(QStringLiteral("  %1 %2 %3 %4 %5 %6 %7  %8%9")
                                 .arg(printable(w.name), -24)
                                 .arg(printable(w.host), -20)
                                 .arg(w.slots, 5)
                                 .arg(w.running, 7)
                                 .arg(w.sent, 5)
                                 .arg(w.done, 8)
                                 .arg(w.failed, 7)
                                 .arg(runs)
                                 .arg(w.draining ? QStringLiteral("  (draining)") : QString()));
        }
    }
    return lines.join(QLatin1Char('\n')).toUtf8();
}

} // namespace

int runStatus(const QStringList &args)
{
    QCommandLineParser parser;
    CommandLine::setUp(parser, QStringLiteral("taskmaster status: task counts by state and the connected workers."));
    const CommandLine::ConnectionOptions connection;
    const CommandLine::KeyOptions keys;
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print one JSON object instead of a table."));
    parser.addOptions(connection.all());
    parser.addOptions({keys.file, keys.key, json});
    CommandLine::process(parser, args);

    CommandLine::Connection target;
    QString error;
    if (!parser.positionalArguments().isEmpty())
        error = QStringLiteral("unexpected argument %1 (see --help)").arg(parser.positionalArguments().first());
    if (!error.isEmpty() || !CommandLine::readConnection(parser, connection, keys, &target, &error)) {
        CommandLine::printError(error);
        return ExitCode::Usage;
    }

    MasterClient client(target.key);
    CommandLine::exitOnConnectionProblems(client);
    QObject::connect(&client, &MasterClient::ready, [&] { client.requestStatus(); });
    QObject::connect(&client, &MasterClient::statusReceived, [&](const Messages::StatusReply &status) {
        if (parser.isSet(json))
            CommandLine::printJson(asJson(status));
        else
            CommandLine::printLine(asText(status));
        client.close();
        QCoreApplication::exit(ExitCode::Ok);
    });
    CommandLine::open(client, target);
    return QCoreApplication::exec();
}
