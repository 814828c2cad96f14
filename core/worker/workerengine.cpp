#include "workerengine.h"

#include "util/exitcodes.h"
#include "util/jsonvalue.h"
#include "util/logging.h"
#include "worker/handlers/commandhandler.h"
#include "worker/handlers/echohandler.h"
#include "worker/handlers/exechandler.h"
#include "worker/handlers/pipehandler.h"
#include "worker/handlers/sha256handler.h"
#include "worker/handlers/sleephandler.h"
#include "worker/handlers/squarehandler.h"

#include <QCoreApplication>
#include <QSet>
#include <QRandomGenerator>
#include <QSysInfo>
#include <QTimer>

#include <limits>

namespace {

std::vector<std::unique_ptr<TaskHandler>> builtinHandlers(bool allowExec)
{
    std::vector<std::unique_ptr<TaskHandler>> handlers;
    handlers.push_back(std::make_unique<SquareHandler>());
    handlers.push_back(std::make_unique<EchoHandler>());
    handlers.push_back(std::make_unique<SleepHandler>());
    handlers.push_back(std::make_unique<Sha256Handler>());
    handlers.push_back(std::make_unique<ExecHandler>(allowExec));
    return handlers;
}

} // namespace

WorkerEngine::WorkerEngine(const Settings &settings, QObject *parent)
    : QObject(parent),
      m_settings(settings),
      m_link(new MasterLink(Protocol::Role::Worker, settings.key, this)),
      m_retryTimer(new QTimer(this)),
      m_graceTimer(new QTimer(this)),
      m_backoffMs(settings.initialBackoffMs)
{
    m_link->setTls(settings.tls);
    if (m_settings.name.isEmpty())
        m_settings.name = QSysInfo::machineHostName() + QLatin1Char('-') + QString::number(QCoreApplication::applicationPid());
    m_settings.slots = qBound(1, m_settings.slots, 4096);

    for (auto &handler : builtinHandlers(m_settings.allowExec))
        m_handlers.emplace(handler->kind(), std::move(handler));
    for (const HandlerSpec &spec : std::as_const(m_settings.handlers)) {
        std::unique_ptr<TaskHandler> handler;
        if (spec.mode == HandlerSpec::Mode::Pipe)
            handler = std::make_unique<PipeHandler>(spec, m_settings.slots);
        else
            handler = std::make_unique<CommandHandler>(spec);
        // The command line checked the names (HandlersFile::checkNames); a clash here keeps the built-in.
        m_handlers.emplace(spec.kind, std::move(handler));
    }

    m_clock.start();
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &WorkerEngine::connectToMaster);
    m_graceTimer->setSingleShot(true);
    connect(m_graceTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcWorker) << "grace period over;" << m_running.size() << "unfinished tasks go back to the master";
        finishDrain();
    });
    connect(m_link, &MasterLink::ready, this, &WorkerEngine::onReady);
    connect(m_link, &MasterLink::failed, this, &WorkerEngine::onFailed);
    connect(m_link, &MasterLink::lost, this, &WorkerEngine::onLost);
    connect(m_link, &MasterLink::frameReceived, this, &WorkerEngine::onFrame);
    connect(m_link, &MasterLink::closed, this, [this] { stop(ExitCode::Ok); });
}

WorkerEngine::~WorkerEngine()
{
    for (const Running &r : std::as_const(m_running))
        r.run->cancel();
}

QStringList WorkerEngine::kinds() const
{
    QStringList list;
    for (const auto &[kind, handler] : m_handlers) {
        if (kind != QLatin1String("exec") || m_settings.allowExec)
            list.append(kind);
    }
    return list;
}

QStringList WorkerEngine::builtinKinds()
{
    QStringList list;
    for (const auto &handler : builtinHandlers(false))
        list.append(handler->kind());
    return list;
}

void WorkerEngine::start()
{
    qCInfo(lcWorker).noquote() << "worker" << m_settings.name << "with" << m_settings.slots << "slots, kinds:"
                               << kinds().join(QStringLiteral(", "))
                               << (m_settings.allowExec ? QStringLiteral("(exec allowed)") : QString());
    connectToMaster();
}

void WorkerEngine::connectToMaster()
{
    if (m_stopping)
        return;
    m_link->open(m_settings.host, m_settings.port);
}

void WorkerEngine::onReady()
{
    m_backoffMs = m_settings.initialBackoffMs;
    m_everConnected = true;
    qCInfo(lcWorker).noquote() << "connected to master" << m_settings.host + QLatin1Char(':') + QString::number(m_settings.port)
                               << "as" << m_settings.name;
    Messages::WorkerHello hello;
    hello.name = m_settings.name;
    hello.host = QSysInfo::machineHostName();
    hello.pid = QCoreApplication::applicationPid();
    hello.slots = quint32(m_settings.slots);
    hello.kinds = kinds();
    hello.tags = m_settings.tags;
    m_link->send(Messages::encodeFrame(hello));
    if (m_draining) {
        // A signal came while we were connecting: say so and leave.
        finishDrain();
        return;
    }
    Q_EMIT connected();
}

void WorkerEngine::onFailed(ClientHandshake::Failure failure, const QString &reason)
{
    // A refusal comes before any frame is authenticated, so whoever holds the port while the
    // master restarts can send one. A worker this master already let in keeps trying instead.
    if (failure != ClientHandshake::Failure::Transient && m_everConnected) {
        qCCritical(lcWorker).noquote() << reason
                                       << "- this worker was authenticated by this master before, so it keeps "
                                          "retrying: if the authkey really changed, stop it";
        retryLater(reason);
        return;
    }
    if (failure == ClientHandshake::Failure::AuthkeyMismatch) {
        qCCritical(lcWorker).noquote() << reason;
        stop(ExitCode::AuthFailed);
        return;
    }
    if (failure == ClientHandshake::Failure::Incompatible) {
        qCCritical(lcWorker).noquote() << reason;
        stop(ExitCode::Unreachable);
        return;
    }
    retryLater(reason);
}

void WorkerEngine::onLost(const QString &reason)
{
    // The master has already put our tasks back in its queue; finishing them here would only
    // produce results nobody records.
    cancelAll();
    m_waiting.clear();
    m_pendingResults.clear();
    m_pendingStarts.clear();
    if (m_draining) {
        stop(ExitCode::Ok);
        return;
    }
    qCWarning(lcWorker).noquote() << "lost the master:" << reason;
    retryLater(reason);
}

void WorkerEngine::retryLater(const QString &reason)
{
    if (m_draining) {
        stop(ExitCode::Ok);
        return;
    }
    if (m_settings.once) {
        qCCritical(lcWorker).noquote() << reason << "- not retrying (--once)";
        stop(ExitCode::Unreachable);
        return;
    }
    // Exponential backoff with jitter, so a fleet of workers does not reconnect in lockstep.
    const int delay = int(m_backoffMs * (0.8 + 0.4 * QRandomGenerator::global()->generateDouble()));
    qCInfo(lcWorker).noquote() << reason << QStringLiteral("- retrying in %1 s").arg(delay / 1000.0, 0, 'f', 1);
    m_backoffMs = qMin(m_backoffMs * 2, m_settings.maxBackoffMs);
    m_retryTimer->start(delay);
}

void WorkerEngine::onFrame(Protocol::MessageType type, const QByteArray &body)
{
    using Protocol::MessageType;
    switch (type) {
    case MessageType::AssignTasks: {
        Messages::AssignTasks assign;
        if (!Messages::decodeBody(body, assign)) {
            m_link->close(QStringLiteral("malformed AssignTasks message"));
            return;
        }
        if (m_draining) {
            QList<Messages::TaskRef> refs;
            for (const auto &task : std::as_const(assign.tasks))
                refs.append({task.id, task.attempt});
            m_link->send(Messages::encodeFrames(Messages::ReturnTasks{refs, QStringLiteral("worker is shutting down")},
                                                &Messages::ReturnTasks::tasks, m_link->maxFrame()));
            return;
        }
        const QStringList announced = kinds();
        for (const auto &task : std::as_const(assign.tasks)) {
            if (!announced.contains(task.kind)) {
                // The master routes by what this worker announced: anything else is a broken master.
                qCWarning(lcWorker).noquote() << "protocol violation: the master sent a task of kind" << task.kind
                                              << "which this worker did not announce";
                m_link->close(QStringLiteral("protocol violation: a task of kind \"%1\", which this worker does not run")
                                      .arg(task.kind));
                return;
            }
        }
        const qint64 now = m_clock.nsecsElapsed();
        for (auto &task : assign.tasks)
            m_waiting.push_back({std::move(task), now});
        startWaitingTasks();
        flushResults();
        return;
    }
    case MessageType::ReclaimTasks: {
        Messages::ReclaimTasks reclaim;
        if (!Messages::decodeBody(body, reclaim)) {
            m_link->close(QStringLiteral("malformed ReclaimTasks message"));
            return;
        }
        // Give back what has not started; always answer, so the master stops waiting.
        QHash<quint64, quint32> wanted;
        for (const Messages::TaskRef &ref : std::as_const(reclaim.tasks))
            wanted.insert(ref.id, ref.attempt);
        QList<Messages::TaskRef> returned;
        std::erase_if(m_waiting, [&](const Waiting &w) {
            if (wanted.value(w.task.id) != w.task.attempt)
                return false;
            returned.append({w.task.id, w.task.attempt});
            return true;
        });
        m_link->send(Messages::encodeFrames(Messages::ReturnTasks{returned, QStringLiteral("reclaimed for an idle worker")},
                                            &Messages::ReturnTasks::tasks, m_link->maxFrame()));
        return;
    }
    case MessageType::DrainWorker: {
        Messages::DrainWorker drain;
        if (!Messages::decodeBody(body, drain)) {
            m_link->close(QStringLiteral("malformed DrainWorker message"));
            return;
        }
        qCInfo(lcWorker).noquote() << "the master asks this worker to drain:" << drain.reason;
        // The graceful half of SIGTERM only: a repeated request must not cut running tasks short.
        if (!m_draining)
            shutdown();
        return;
    }
    case MessageType::CancelTasks: {
        Messages::CancelTasks cancel;
        if (!Messages::decodeBody(body, cancel)) {
            m_link->close(QStringLiteral("malformed CancelTasks message"));
            return;
        }
        qCInfo(lcWorker).noquote() << "cancelling" << cancel.tasks.size() << "task(s):" << cancel.reason;
        cancelTasks(cancel.tasks);
        if (m_draining && m_running.isEmpty())
            finishDrain();
        return;
    }
    case MessageType::Goodbye: {
        Messages::Goodbye goodbye;
        Messages::decodeBody(body, goodbye);
        qCWarning(lcWorker).noquote() << "the master says goodbye:" << goodbye.reason;
        return; // the master closes; onLost follows
    }
    default:
        qCWarning(lcWorker) << "unexpected" << Protocol::messageTypeName(type) << "message from the master";
        m_link->close(QStringLiteral("unexpected message"));
    }
}

void WorkerEngine::startWaitingTasks()
{
    // Quick handlers finish inside runTask and never hold a slot; slow ones hold one each.
    while (!m_waiting.empty() && m_running.size() < m_settings.slots && !m_draining) {
        Waiting next = std::move(m_waiting.front());
        m_waiting.pop_front();
        runTask(next.task, next.receivedNs);
    }
}

void WorkerEngine::runTask(const Messages::TaskAssignment &task, qint64 receivedNs)
{
    const qint64 startedNs = m_clock.nsecsElapsed();
    auto fail = [&](const QString &error) {
        finishTask(task.id, task.attempt, TaskOutcome::failure(error), receivedNs, startedNs);
    };
    if (m_running.contains(task.id)) {
        // Never run one task twice at once; tell the master which attempt this worker keeps.
        return fail(QStringLiteral("task is already running on this worker"));
    }
    QJsonValue args;
    QString parseError;
    if (!JsonValue::parse(task.args, &args, &parseError))
        return fail(QStringLiteral("args are not valid JSON: ") + parseError);
    const auto it = m_handlers.find(task.kind);
    if (it == m_handlers.end()) {
        return fail(QStringLiteral("unknown task kind \"%1\"; this worker knows: %2")
                            .arg(task.kind, kinds().join(QStringLiteral(", "))));
    }
    TaskOutcome outcome;
    TaskRun *run = it->second->prepare({task.id, task.attempt, task.kind, task.args, args, task.timeoutMs}, &outcome, this);
    if (!run) {
        finishTask(task.id, task.attempt, outcome, receivedNs, startedNs);
        return;
    }
    m_running.insert(task.id, {task.attempt, run, receivedNs, startedNs});
    m_pendingStarts.append({task.id, task.attempt}); // quick ones need none: their result says it
    const quint64 id = task.id;
    const quint32 attempt = task.attempt;
    connect(run, &TaskRun::finished, this, [this, id, attempt](const TaskOutcome &result) {
        const auto found = m_running.find(id);
        if (found == m_running.end() || found->attempt != attempt)
            return;
        const Running done = *found;
        done.run->deleteLater();
        m_running.erase(found);
        finishTask(id, attempt, result, done.receivedNs, done.startedNs);
        startWaitingTasks();
        scheduleFlush();
        if (m_draining && m_running.isEmpty())
            finishDrain();
    });
    run->start();
}

void WorkerEngine::finishTask(quint64 id, quint32 attempt, const TaskOutcome &outcome, qint64 receivedNs,
                              qint64 startedNs)
{
    const qint64 now = m_clock.nsecsElapsed();
    auto micros = [](qint64 ns) { return quint32(qBound<qint64>(0, ns / 1000, std::numeric_limits<quint32>::max())); };
    Messages::TaskResult result;
    result.id = id;
    result.attempt = attempt;
    result.outcome = quint8(outcome.ok ? Messages::Outcome::Ok : Messages::Outcome::Error);
    result.result = outcome.result;
    result.error = outcome.error;
    result.retryable = !outcome.ok && outcome.retryable;
    result.runMicros = micros(now - startedNs);
    result.heldMicros = micros(now - receivedNs);
    m_pendingResults.append(std::move(result));
}

void WorkerEngine::cancelTasks(const QList<Messages::TaskRef> &tasks)
{
    // Only the dispatch named: a cancel of an earlier one must not stop a later one.
    QHash<quint64, quint32> cancelled;
    for (const Messages::TaskRef &ref : tasks)
        cancelled.insert(ref.id, ref.attempt);
    std::erase_if(m_waiting, [&](const Waiting &w) {
        const auto it = cancelled.constFind(w.task.id);
        return it != cancelled.cend() && *it == w.task.attempt;
    });
    for (const Messages::TaskRef &ref : tasks) {
        const auto it = m_running.find(ref.id);
        if (it == m_running.end() || it->attempt != ref.attempt)
            continue;
        it->run->cancel();
        it->run->deleteLater();
        m_running.erase(it);
    }
}

void WorkerEngine::cancelAll()
{
    cancelTasks(runningRefs());
}

QList<Messages::TaskRef> WorkerEngine::runningRefs() const
{
    QList<Messages::TaskRef> refs;
    for (auto it = m_running.cbegin(); it != m_running.cend(); ++it)
        refs.append({it.key(), it->attempt});
    return refs;
}

void WorkerEngine::scheduleFlush()
{
    // Results that finish in the same event loop turn travel in one frame.
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    QMetaObject::invokeMethod(this, &WorkerEngine::flushResults, Qt::QueuedConnection);
}

void WorkerEngine::flushResults()
{
    m_flushScheduled = false;
    if (!m_link->isReady())
        return;
    // Starts of tasks still running; one that already finished is told by its result.
    m_pendingStarts.removeIf( [this](const Messages::TaskRef &ref) {
        const auto it = m_running.constFind(ref.id);
        return it == m_running.cend() || it->attempt != ref.attempt;
    });
    if (!m_pendingStarts.isEmpty())
        m_link->send(Messages::encodeFrames(Messages::TaskStarted{std::exchange(m_pendingStarts, {})},
                                            &Messages::TaskStarted::tasks, m_link->maxFrame()));
    if (m_pendingResults.isEmpty())
        return;
    const quint32 maxResult = Protocol::maxResultSize(m_link->maxFrame());
    const int maxError = Protocol::maxErrorSize(m_link->maxFrame());
    for (Messages::TaskResult &result : m_pendingResults) {
        if (quint32(result.result.size()) > maxResult) {
            result.outcome = quint8(Messages::Outcome::Error);
            result.error = QStringLiteral("the result of %1 bytes is larger than the master accepts (%2 bytes)")
                                   .arg(result.result.size())
                                   .arg(maxResult);
            result.result.clear();
        }
        if (result.error.size() > maxError)
            result.error = result.error.left(maxError) + QStringLiteral(" [truncated]");
    }
    m_link->send(Messages::encodeFrames(Messages::TaskResults{std::exchange(m_pendingResults, {})},
                                        &Messages::TaskResults::results, m_link->maxFrame()));
}

void WorkerEngine::shutdown()
{
    if (m_stopping)
        return;
    if (m_draining) {
        qCWarning(lcWorker) << "second signal: returning" << m_running.size() << "running tasks now";
        finishDrain();
        return;
    }
    m_draining = true;
    m_retryTimer->stop();
    if (!m_link->isReady()) {
        stop(ExitCode::Ok);
        return;
    }
    qCInfo(lcWorker) << "shutting down: no new tasks;" << m_running.size() << "running task(s) get"
                     << m_settings.graceMs << "ms to finish";
    m_link->send(Messages::encodeFrame(Messages::WorkerDraining{}));
    returnWaitingTasks(QStringLiteral("worker is shutting down"));
    if (m_running.isEmpty())
        finishDrain();
    else
        m_graceTimer->start(m_settings.graceMs);
}

void WorkerEngine::returnWaitingTasks(const QString &reason)
{
    if (m_waiting.empty())
        return;
    QList<Messages::TaskRef> refs;
    for (const Waiting &w : m_waiting)
        refs.append({w.task.id, w.task.attempt});
    m_waiting.clear();
    m_link->send(Messages::encodeFrames(Messages::ReturnTasks{refs, reason}, &Messages::ReturnTasks::tasks, m_link->maxFrame()));
}

void WorkerEngine::finishDrain()
{
    m_graceTimer->stop();
    flushResults();
    returnWaitingTasks(QStringLiteral("worker shut down before it started them"));
    if (!m_running.isEmpty()) {
        const QList<Messages::TaskRef> refs = runningRefs();
        cancelTasks(refs);
        m_link->send(Messages::encodeFrames(Messages::ReturnTasks{refs, QStringLiteral("worker shut down before it finished")},
                                            &Messages::ReturnTasks::tasks, m_link->maxFrame()));
    }
    m_link->close(QStringLiteral("worker shutting down"));
}

void WorkerEngine::stop(int exitCode)
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_retryTimer->stop();
    m_graceTimer->stop();
    m_waiting.clear();
    cancelAll();
    Q_EMIT finished(exitCode);
}
