#include "submitcommand.h"

#include "client/backlogtext.h"
#include "client/masterclient.h"
#include "client/taskrecordjson.h"
#include "commandline.h"
#include "task/tasklines.h"
#include "util/exitcodes.h"
#include "util/printable.h"
#include "util/jsonvalue.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QSet>
#include <QTimer>

namespace {

struct Request {
    CommandLine::Connection connection;
    QList<TaskSpec> specs;
    QStringList keys; // one idempotency key per spec, or empty for none
    bool wait = false;
};

// The key of copy `copy` (0 for the first) of a task: copies must not collapse into one.
QString copyKey(const QString &key, qint64 copy, qint64 copies)
{
    return copies == 1 ? key : QStringLiteral("%1#%2").arg(key).arg(copy + 1);
}

// Reads the command line and the task file; every error is reported before anything is sent.
int parse(const QStringList &args, Request *request)
{
    QCommandLineParser parser;
    CommandLine::setUp(parser, QStringLiteral(
            "taskmaster submit: put tasks on a running master.\n"
            "  taskmaster submit [options] KIND [ARGS_JSON]   one task (or --count copies) of KIND\n"
            "  taskmaster submit [options] --file tasks.jsonl one task per line: {\"kind\": ..., \"args\": ...,\n"
            "      \"priority\"?, \"timeout_ms\"?, \"max_attempts\"?, \"requires\"?: [tags], \"delay_ms\"?,\n"
            "      \"run_at\"?: ms or ISO 8601 time, \"retry_delay_ms\"?}; - reads standard input\n"
            "A task goes only to a worker that runs its kind and has every tag it requires; until one\n"
            "connects it waits, and --wait says so on stderr.\n"
            "Without --wait it prints the task ids, one per line, as the master confirms them (durably).\n"
            "With --wait it prints one JSON object per finished task (id, kind, args, state, result or\n"
            "error, worker, attempts) as they finish.\n"
            "Idempotency: a task submitted under a key the master remembers is not added again; its id\n"
            "is printed instead. A file's tasks get keys by default, made from the file's content and\n"
            "line number, so submitting the same file again after a crash or a lost connection adds only\n"
            "what is missing. A line's \"key\" overrides that; --key names the task (or prefixes a\n"
            "file's line numbers); --no-keys submits without keys."));
    parser.addPositionalArgument(QStringLiteral("kind"), QStringLiteral("Task kind: square, echo, sleep, sha256, exec, ..."));
    parser.addPositionalArgument(QStringLiteral("args"), QStringLiteral("Task arguments as JSON (default null)."),
                                 QStringLiteral("[args]"));
    const CommandLine::ConnectionOptions connection;
    const CommandLine::KeyOptions keys;
    const QCommandLineOption file(QStringLiteral("file"), QStringLiteral("Read tasks from a JSON Lines file (- for stdin)."),
                                  QStringLiteral("file"));
    const QCommandLineOption count(QStringLiteral("count"), QStringLiteral("Submit N copies of the task (default 1)."),
                                   QStringLiteral("n"), QStringLiteral("1"));
    const QCommandLineOption priority(QStringLiteral("priority"),
                                      QStringLiteral("Higher runs first; FIFO within a priority (default 0)."),
                                      QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Cancel and retry a run that takes longer (ms; default none)."),
                                     QStringLiteral("ms"), QStringLiteral("0"));
    const QCommandLineOption attempts(QStringLiteral("max-attempts"),
                                      QStringLiteral("Runs before the task fails (default %1).").arg(DefaultMaxAttempts),
                                      QStringLiteral("n"), QString::number(DefaultMaxAttempts));
    const QCommandLineOption require(QStringLiteral("require"),
                                     QStringLiteral("Run only on a worker with this tag (repeatable), e.g. --require gpu."),
                                     QStringLiteral("tag"));
    const QCommandLineOption delay(QStringLiteral("delay"), QStringLiteral("Do not start before this long from now (ms)."),
                                   QStringLiteral("ms"), QStringLiteral("0"));
    const QCommandLineOption runAt(QStringLiteral("run-at"),
                                   QStringLiteral("Do not start before this time: ISO 8601 with a zone, e.g. 2026-12-24T18:00:00Z."),
                                   QStringLiteral("time"));
    const QCommandLineOption retryDelay(QStringLiteral("retry-delay"),
                                        QStringLiteral("Wait before retrying a retryable failure or a timeout (ms; doubles "
                                                       "each retry, default %1).").arg(DefaultRetryDelayMs),
                                        QStringLiteral("ms"), QString::number(DefaultRetryDelayMs));
    const QCommandLineOption wait(QStringLiteral("wait"), QStringLiteral("Wait for every task and print its result."));
    const QCommandLineOption key(QStringLiteral("key"),
                                 QStringLiteral("Idempotency key of the task (with --file: of the file, followed by "
                                                "each line number)."),
                                 QStringLiteral("key"));
    const QCommandLineOption noKeys(QStringLiteral("no-keys"),
                                    QStringLiteral("Submit without idempotency keys: the same file twice runs twice."));
    parser.addOptions(connection.all());
    parser.addOptions({keys.file, keys.key, file, count, priority, timeout, attempts, require, delay, runAt, retryDelay, wait,
                       key, noKeys});
    CommandLine::process(parser, args);

    QString error;
    if (!CommandLine::readConnection(parser, connection, keys, &request->connection, &error)) {
        CommandLine::printError(error);
        return ExitCode::Usage;
    }
    request->wait = parser.isSet(wait);
    if (parser.isSet(key) && parser.isSet(noKeys)) {
        CommandLine::printError(QStringLiteral("give either --key or --no-keys, not both"));
        return ExitCode::Usage;
    }
    const QString givenKey = parser.value(key);
    if (parser.isSet(key) && (givenKey.isEmpty() || givenKey.size() > MaxTaskKeyLength - 32)) {
        CommandLine::printError(QStringLiteral("--key must have 1 to %1 characters").arg(MaxTaskKeyLength - 32));
        return ExitCode::Usage;
    }

    auto number = [&](const QCommandLineOption &option, qint64 min, qint64 max, qint64 *out) {
        if (CommandLine::readInt(parser, option, min, max, out, &error))
            return true;
        CommandLine::printError(error);
        return false;
    };
    qint64 copies = 1, prio = 0, timeoutMs = 0, maxAttempts = DefaultMaxAttempts, delayMs = 0,
           retryDelayMs = DefaultRetryDelayMs;
    if (!number(count, 1, 10'000'000, &copies) || !number(priority, -1'000'000, 1'000'000, &prio)
        || !number(timeout, 0, MaxTaskTimeoutMs, &timeoutMs) || !number(attempts, 1, 1000, &maxAttempts)
        || !number(delay, 0, MaxDelayMs, &delayMs) || !number(retryDelay, 0, MaxRetryDelayMs, &retryDelayMs))
        return ExitCode::Usage;
    TaskSpec defaults;
    defaults.priority = qint32(prio);
    defaults.timeoutMs = timeoutMs;
    defaults.maxAttempts = int(maxAttempts);
    defaults.delayMs = delayMs;
    defaults.retryDelayMs = retryDelayMs;
    defaults.requiredTags = parser.values(require);
    if (parser.isSet(runAt) && !TaskLines::parseRunAt(parser.value(runAt), &defaults.runAtMs, &error)) {
        CommandLine::printError(QStringLiteral("--run-at: ") + error);
        return ExitCode::Usage;
    }

    const QStringList positional = parser.positionalArguments();
    if (parser.isSet(file)) {
        if (!positional.isEmpty()) {
            CommandLine::printError(QStringLiteral("give either KIND [ARGS_JSON] or --file, not both"));
            return ExitCode::Usage;
        }
        QFile input;
        const QString path = parser.value(file);
        const bool opened = path == QLatin1String("-") ? input.open(stdin, QIODevice::ReadOnly)
                                                       : (input.setFileName(path), input.open(QIODevice::ReadOnly));
        if (!opened) {
            CommandLine::printError(QStringLiteral("cannot read %1: %2").arg(path, input.errorString()));
            return ExitCode::Usage;
        }
        const TaskLines::Parsed parsed = TaskLines::parse(&input, defaults);
        if (!parsed.ok()) {
            CommandLine::printError(QStringLiteral("%1: %2; nothing was submitted")
                                            .arg(path == QLatin1String("-") ? QStringLiteral("stdin") : path, parsed.error));
            return ExitCode::Usage;
        }
        // The file's content, not its name, makes the default key: the same tasks resubmitted
        // from a copy are still recognised, and an edited file is a new batch.
        const QString fileKey = parser.isSet(key) ? givenKey
                                                  : QStringLiteral("sha256:") + QString::fromLatin1(parsed.sha256.toHex());
        for (qint64 i = 0; i < copies; ++i) {
            request->specs.append(parsed.specs);
            for (qsizetype j = 0; j < parsed.specs.size(); ++j) {
                if (parser.isSet(noKeys))
                    continue;
                const QString &own = parsed.keys.at(j);
                request->keys.append(copyKey(own.isEmpty() ? QStringLiteral("%1:line %2").arg(fileKey).arg(parsed.lines.at(j))
                                                           : own,
                                             i, copies));
            }
        }
        return ExitCode::Ok;
    }
    if (positional.isEmpty() || positional.size() > 2) {
        CommandLine::printError(QStringLiteral("give a task KIND and optional ARGS_JSON, or --file (see --help)"));
        return ExitCode::Usage;
    }
    TaskSpec spec = defaults;
    spec.kind = positional.at(0);
    if (positional.size() == 2) {
        // Sent as given once it is known to be JSON: no digit of a big integer, nor the order
        // of keys, is changed on the way.
        const QByteArray given = positional.at(1).toUtf8().trimmed();
        if (!JsonValue::parse(given, nullptr, &error)) {
            CommandLine::printError(QStringLiteral("ARGS_JSON is not valid JSON: %1").arg(error));
            return ExitCode::Usage;
        }
        spec.args = given;
    }
    error = validateTaskSpec(spec);
    if (!error.isEmpty()) {
        CommandLine::printError(error);
        return ExitCode::Usage;
    }
    request->specs = QList<TaskSpec>(copies, spec);
    if (parser.isSet(key)) {
        for (qint64 i = 0; i < copies; ++i)
            request->keys.append(copyKey(givenKey, i, copies));
    }
    return ExitCode::Ok;
}

} // namespace

int runSubmit(const QStringList &args)
{
    Request request;
    if (const int code = parse(args, &request); code != ExitCode::Ok)
        return code;
    if (request.specs.isEmpty()) {
        CommandLine::printError(QStringLiteral("no tasks to submit"));
        return ExitCode::Usage;
    }

    MasterClient client(request.connection.key);
    QTimer whyWaiting;
    int exitCode = ExitCode::Ok;
    qsizetype remaining = 0;
    auto finish = [&](int code) {
        exitCode = qMax(exitCode, code);
        client.close();
        QCoreApplication::exit(exitCode);
    };
    QObject::connect(&client, &MasterClient::ready, [&] {
        const QString error = client.submit(request.specs, request.wait, request.keys);
        if (!error.isEmpty()) {
            CommandLine::printError(error + QStringLiteral("; nothing was submitted"));
            finish(ExitCode::Usage);
        }
    });
    CommandLine::exitOnConnectFailure(client);
    // What the master has confirmed so far, for a run that is cut off.
    auto accepted = [&] {
        const qsizetype total = request.specs.size(), acknowledged = client.acknowledgedCount();
        if (acknowledged == total)
            return QStringLiteral("all %1 task(s) were accepted").arg(total);
        return QStringLiteral("%1 of %2 task(s) were accepted%3; the master did not confirm the other %4%5")
                .arg(acknowledged)
                .arg(total)
                .arg(request.wait || acknowledged == 0 ? QString() : QStringLiteral(" (their ids are printed above)"))
                .arg(total - acknowledged)
                .arg(request.keys.isEmpty() ? QStringLiteral(" (without keys, submitting them again may run some twice)")
                                            : QStringLiteral(" (submitting the same again adds only what is missing)"));
    };
    QObject::connect(&client, &MasterClient::lost, [&](const QString &reason) {
        if (client.isSubmitting() || !request.wait)
            CommandLine::printError(QStringLiteral("lost the master (%1): %2").arg(reason, accepted()));
        else
            CommandLine::printError(QStringLiteral("lost the master (%1) with %2 task(s) unfinished; they stay on the "
                                                   "master if it is still running")
                                            .arg(reason)
                                            .arg(remaining));
        QCoreApplication::exit(ExitCode::Unreachable);
    });
    // A refusal is bad input, unless the master cannot store tasks at all: its status says which.
    bool refused = false;
    QObject::connect(&client, &MasterClient::requestFailed, [&](const QString &reason) {
        CommandLine::printError(QStringLiteral("the master refused the tasks: %1; %2").arg(reason, accepted()));
        if (!refused) {
            refused = true;
            client.requestStatus();
        }
    });
    QObject::connect(&client, &MasterClient::acknowledged, [&](const QList<quint64> &ids) {
        if (request.wait)
            return;
        QByteArray out;
        for (quint64 id : ids)
            out += QByteArray::number(id) + '\n';
        out.chop(1);
        CommandLine::printLine(out);
    });
    QObject::connect(&client, &MasterClient::submitted, [&](const QList<quint64> &) {
        if (client.existingCount() > 0)
            CommandLine::printError(QStringLiteral("%1 of %2 task(s) were already on the master under their keys; "
                                                   "%3 added")
                                            .arg(client.existingCount())
                                            .arg(request.specs.size())
                                            .arg(request.specs.size() - client.existingCount()));
        if (!request.wait) {
            finish(ExitCode::Ok);
            return;
        }
        remaining = client.pendingWatches();
        if (remaining == 0)
            finish(exitCode);
        else
            whyWaiting.start();
    });
    // Tasks that no connected worker can take wait; say which, once a second at first, and
    // again only when it changes.
    QSet<QString> kinds;
    for (const TaskSpec &spec : std::as_const(request.specs))
        kinds.insert(spec.kind);
    whyWaiting.setInterval(1000);
    QObject::connect(&whyWaiting, &QTimer::timeout, [&] { client.requestStatus(); });
    QString lastSaid, lastStoreError;
    QObject::connect(&client, &MasterClient::statusReceived, [&](const Messages::StatusReply &status) {
        if (refused) {
            finish(status.storeError.isEmpty() ? ExitCode::Usage : ExitCode::StoreFailed);
            return;
        }
        // Results wait for the master's disk: say why nothing arrives.
        if (!status.storeError.isEmpty() && status.storeError != lastStoreError)
            CommandLine::printError(QStringLiteral("the master cannot write its task store (%1); results arrive once "
                                                   "it can").arg(status.storeError));
        lastStoreError = status.storeError;
        QStringList waiting;
        for (const Messages::Backlog &b : status.backlog) {
            if (kinds.contains(b.kind) && !BacklogText::describe(b).isEmpty())
                waiting.append(BacklogText::describe(b));
        }
        const QString said = waiting.join(QStringLiteral("; "));
        if (!said.isEmpty() && said != lastSaid)
            CommandLine::printError(said + QStringLiteral(" (they run as soon as one connects)"));
        lastSaid = said;
        whyWaiting.setInterval(5000);
    });
    QObject::connect(&client, &MasterClient::taskFinished, [&](const Messages::TaskRecord &record) {
        CommandLine::printLine(printableJson(TaskRecordJson::toLine(record)));
        if (TaskState(record.state) != TaskState::Done)
            exitCode = ExitCode::TasksFailed;
        remaining = client.pendingWatches();
        if (remaining == 0 && !client.isSubmitting())
            finish(exitCode);
    });
    CommandLine::open(client, request.connection);
    return QCoreApplication::exec();
}
