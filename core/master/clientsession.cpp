#include "clientsession.h"

#include "master/scheduler.h"
#include "protocol/framedconnection.h"
#include "util/logging.h"

#include <climits>

ClientSession::ClientSession(FramedConnection *connection, Scheduler *scheduler, QObject *parent)
    : QObject(parent), m_connection(connection), m_scheduler(scheduler)
{
    m_connection->setParent(this);
    connect(m_connection, &FramedConnection::frameReceived, this, &ClientSession::onFrame);
    connect(m_connection, &FramedConnection::closed, this, &QObject::deleteLater, Qt::QueuedConnection);
    connect(m_scheduler, &Scheduler::tasksFinished, this, &ClientSession::onTasksFinished);
    connect(m_scheduler, &Scheduler::storeFailed, this, &ClientSession::onStoreFailed);
    // Queued: the connection may say so from inside a send of ours.
    connect(m_connection, &FramedConnection::drained, this, &ClientSession::sendPending, Qt::QueuedConnection);
}

namespace {

// What a watcher is told of an id whose task the master does not hold (any more).
Messages::TaskRecord missingRecord(quint64 id)
{
    Messages::TaskRecord missing;
    missing.id = id;
    missing.state = quint8(TaskState::Failed);
    missing.error = QStringLiteral("no such task on this master");
    return missing;
}

QString refusal(const QString &failure)
{
    return QStringLiteral("the master cannot store tasks (%1); nothing was added").arg(failure);
}

} // namespace

void ClientSession::onStoreFailed(const QString &failure)
{
    // The scheduler has withdrawn the tasks of these requests: they were never durable, no id
    // was promised, and they will not run.
    if (failure.isEmpty())
        return;
    for (quint32 requestId : std::exchange(m_unacknowledged, {}))
        m_connection->send(Messages::encodeFrame(Messages::RequestFailed{requestId, refusal(failure)}));
}

Messages::TaskRecord ClientSession::record(const Task &task)
{
    Messages::TaskRecord r;
    r.id = task.id;
    r.kind = task.spec.kind;
    r.args = task.spec.args;
    r.state = quint8(task.state);
    r.priority = task.spec.priority;
    r.attempts = quint32(task.attempts);
    r.maxAttempts = quint32(task.spec.maxAttempts);
    r.worker = task.worker;
    r.result = task.result;
    r.error = task.error;
    r.createdMs = task.createdMs;
    r.startedMs = task.startedMs;
    r.finishedMs = task.finishedMs;
    r.requiredTags = task.spec.requiredTags;
    r.runAtMs = task.state == TaskState::Queued ? task.spec.runAtMs : 0;
    r.retryDelayMs = task.spec.retryDelayMs;
    r.timeoutMs = task.spec.timeoutMs;
    return r;
}

void ClientSession::protocolError(const QString &reason)
{
    qCWarning(lcMaster).noquote() << "dropping client" << m_connection->peerDescription() << "-" << reason;
    m_connection->closeWithGoodbye(reason);
}

void ClientSession::onFrame(Protocol::MessageType type, const QByteArray &body)
{
    using Protocol::MessageType;
    switch (type) {
    case MessageType::Submit: {
        Messages::Submit submit;
        if (!Messages::decodeBody(body, submit))
            return protocolError(QStringLiteral("malformed Submit message"));
        return handleSubmit(submit);
    }
    case MessageType::Watch: {
        Messages::Watch watch;
        if (!Messages::decodeBody(body, watch))
            return protocolError(QStringLiteral("malformed Watch message"));
        return handleWatch(watch);
    }
    case MessageType::StatusRequest: {
        Messages::StatusRequest request;
        if (!Messages::decodeBody(body, request))
            return protocolError(QStringLiteral("malformed StatusRequest message"));
        return sendStatus(request.requestId);
    }
    case MessageType::CancelRequest: {
        Messages::CancelRequest request;
        if (!Messages::decodeBody(body, request))
            return protocolError(QStringLiteral("malformed CancelRequest message"));
        const int cancelled = m_scheduler->cancel(
                request.ids, QStringLiteral("cancelled by client %1").arg(m_connection->peerDescription()));
        // Confirmed only once it would survive a crash: a cancel the client was told of holds.
        m_scheduler->whenDurable(this, [this, reply = Messages::CancelReply{request.requestId, quint32(cancelled)}] {
            m_connection->send(Messages::encodeFrame(reply));
        });
        return;
    }
    case MessageType::Goodbye:
        m_connection->close(QStringLiteral("client said goodbye"));
        return;
    default:
        protocolError(QStringLiteral("unexpected %1 message from a client")
                              .arg(QLatin1String(Protocol::messageTypeName(type))));
    }
}

void ClientSession::handleSubmit(const Messages::Submit &submit)
{
    // Tasks the store cannot make durable are not taken: the submitter learns why within one
    // round trip instead of waiting for a disk with room.
    if (const QString failure = m_scheduler->storeFailure(); !failure.isEmpty()) {
        m_connection->send(Messages::encodeFrame(Messages::RequestFailed{submit.requestId, refusal(failure)}));
        return;
    }
    // All or nothing: one bad task rejects the whole request.
    QList<TaskSpec> specs;
    QStringList keys;
    specs.reserve(submit.tasks.size());
    for (qsizetype i = 0; i < submit.tasks.size(); ++i) {
        const Messages::TaskSpecWire &wire = submit.tasks.at(i);
        TaskSpec spec;
        spec.kind = wire.kind;
        spec.args = wire.args;
        spec.priority = wire.priority;
        spec.timeoutMs = wire.timeoutMs;
        spec.maxAttempts = wire.maxAttempts == 0 ? DefaultMaxAttempts : int(qMin<quint32>(wire.maxAttempts, INT_MAX));
        spec.requiredTags = wire.requiredTags;
        spec.delayMs = wire.delayMs;
        spec.runAtMs = wire.runAtMs;
        spec.retryDelayMs = wire.retryDelayMs < 0 ? DefaultRetryDelayMs : wire.retryDelayMs;
        QString error = validateTaskSpec(spec);
        const quint32 maxArgs = Protocol::maxArgsSize(m_connection->maxFrame());
        if (error.isEmpty() && quint32(spec.args.size()) > maxArgs)
            error = QStringLiteral("args of %1 bytes are larger than the limit of %2 bytes (a quarter of the "
                                   "master's --max-frame)")
                            .arg(spec.args.size())
                            .arg(maxArgs);
        if (error.isEmpty() && wire.key.size() > MaxTaskKeyLength)
            error = QStringLiteral("a key of %1 characters is longer than the limit of %2").arg(wire.key.size()).arg(MaxTaskKeyLength);
        if (!error.isEmpty()) {
            m_connection->send(Messages::encodeFrame(Messages::RequestFailed{
                    submit.requestId, QStringLiteral("task %1 of %2: %3").arg(i + 1).arg(submit.tasks.size()).arg(error)}));
            return;
        }
        specs.append(std::move(spec));
        if (!wire.key.isEmpty() || !keys.isEmpty()) {
            keys.resize(i); // the ones before had no key
            keys.append(wire.key);
        }
    }
    quint32 existing = 0;
    const QList<quint64> ids = m_scheduler->submit(specs, keys, &existing);
    // A task already known by its key may have finished: a watcher gets its record at once.
    QList<quint64> known;
    if (submit.watch) {
        for (quint64 id : ids) {
            const Task *task = m_scheduler->task(id);
            if (task && isFinished(task->state))
                known.append(id);
            else
                m_watched.insert(id);
        }
    }
    // Acknowledged only once the tasks would survive a crash of the master. Every message to
    // the client goes through whenDurable, in order, so no result overtakes its task's id.
    m_unacknowledged.insert(submit.requestId);
    m_scheduler->whenDurable(this, [this, reply = Messages::Submitted{submit.requestId, ids, existing}] {
        if (m_unacknowledged.remove(reply.requestId)) // not refused meanwhile
            m_connection->send(Messages::encodeFrame(reply));
    });
    reportWhenDurable(known);
}

void ClientSession::handleWatch(const Messages::Watch &watch)
{
    if (watch.all)
        m_watchAll = true;
    Messages::TaskUpdates missing;
    QList<quint64> finished;
    for (quint64 id : watch.ids) {
        const Task *task = m_scheduler->task(id);
        if (!task)
            missing.tasks.append(missingRecord(id));
        else if (isFinished(task->state))
            finished.append(id);
        else
            m_watched.insert(id);
    }
    if (!missing.tasks.isEmpty())
        sendUpdates(std::move(missing));
    reportWhenDurable(finished);
}

void ClientSession::onTasksFinished(const QList<quint64> &ids)
{
    if (!m_watchAll && m_watched.isEmpty())
        return;
    QList<quint64> finished;
    for (quint64 id : ids) {
        const Task *task = m_scheduler->task(id);
        if (!task || !isFinished(task->state))
            continue;
        if (m_watchAll || m_watched.remove(id))
            finished.append(id);
    }
    reportWhenDurable(finished);
}

void ClientSession::reportWhenDurable(const QList<quint64> &ids)
{
    if (ids.isEmpty())
        return;
    for (quint64 id : ids)
        ++m_finishing[id];
    // A final state is shown only once it is on disk: a result a client printed survives a
    // crash of the master, with the same value. Only the ids wait; the records are read from
    // the store when they are sent, so what waits for a slow watcher is 8 bytes a task.
    m_scheduler->whenDurable(this, [this, ids] {
        for (quint64 id : ids) {
            if (auto it = m_finishing.find(id); it != m_finishing.end() && --*it == 0)
                m_finishing.erase(it);
            if (!m_pending.contains(id)) {
                m_pending.insert(id);
                m_pendingOrder.push_back(id);
            }
        }
        sendPending();
    });
}

void ClientSession::sendPending()
{
    const qint64 maxFrame = m_connection->maxFrame();
    while (!m_pendingOrder.empty() && m_connection->isOpen()) {
        const qint64 room = FramedConnection::SendHighWaterMark - m_connection->unsentBytes();
        if (room <= 0)
            break;
        // Up to the mark (and one record past it), in the order the states became durable.
        Messages::TaskUpdates updates;
        qint64 size = 0;
        while (!m_pendingOrder.empty() && size < room) {
            const quint64 id = m_pendingOrder.front();
            m_pendingOrder.pop_front();
            m_pending.remove(id);
            // Retried and final again, but not durable yet: that whenDurable queues it anew.
            if (m_finishing.contains(id))
                continue;
            const Task *task = m_scheduler->task(id);
            if (!task) {
                // Removed (retention, remove) since it finished: told as a watch of an id the
                // master does not hold is. A watch-all client is not told, as for any removal.
                if (!m_watchAll)
                    updates.tasks.append(missingRecord(id));
                continue;
            }
            if (!isFinished(task->state)) {
                // Retried since: its next final state is the one to report.
                if (!m_watchAll)
                    m_watched.insert(id);
                continue;
            }
            updates.tasks.append(record(*task));
            size += Messages::encodedSize(updates.tasks.constLast());
        }
        if (updates.tasks.isEmpty())
            continue;
        m_sentHeldBack += updates.tasks.size();
        m_connection->send(Messages::encodeFrames(std::move(updates), &Messages::TaskUpdates::tasks, quint32(maxFrame)));
        m_peakUnsent = qMax(m_peakUnsent, m_connection->unsentBytes());
    }
    const bool holding = !m_pendingOrder.empty() && m_connection->isOpen();
    if (holding && !m_holdingBack) {
        qCDebug(lcMaster).noquote() << "holding back TaskUpdates for" << m_connection->peerDescription() << "-"
                                    << m_connection->unsentBytes() << "bytes unsent," << m_pending.size()
                                    << "tasks kept as ids";
        m_sentHeldBack = 0;
        m_peakUnsent = m_connection->unsentBytes();
    } else if (!holding && m_holdingBack) {
        qCDebug(lcMaster).noquote() << "sent what was held back for" << m_connection->peerDescription() << "-"
                                    << m_sentHeldBack << "records from ids, at most" << m_peakUnsent
                                    << "bytes unsent after a send";
    }
    m_holdingBack = holding;
    m_connection->setHoldingBack(holding);
}

void ClientSession::sendStatus(quint32 requestId)
{
    Messages::StatusReply reply;
    reply.requestId = requestId;
    const auto counts = m_scheduler->counts();
    std::copy(counts.begin(), counts.end(), reply.counts.begin());
    reply.backlog = m_scheduler->backlog();
    reply.storeError = m_scheduler->storeFailure();
    for (const WorkerInfo *w : m_scheduler->workers()) {
        Messages::WorkerStatus s;
        s.name = w->name;
        s.host = w->host;
        s.pid = w->pid;
        s.slots = quint32(w->slots);
        s.running = quint32(w->started);
        s.sent = quint32(w->running.size() - w->started);
        s.kinds = w->kinds;
        s.tags = w->tags;
        s.done = w->done;
        s.failed = w->failed;
        s.connectedSinceMs = w->connectedSinceMs;
        s.draining = w->draining;
        reply.workers.append(s);
    }
    m_connection->send(Messages::encodeFrames(std::move(reply), &Messages::StatusReply::workers, m_connection->maxFrame()));
}

void ClientSession::sendUpdates(Messages::TaskUpdates updates)
{
    // Records of ids the master does not hold, a few per Watch: sent in order with the rest.
    m_scheduler->whenDurable(this, [this, updates = std::move(updates)]() mutable {
        m_connection->send(Messages::encodeFrames(std::move(updates), &Messages::TaskUpdates::tasks, m_connection->maxFrame()));
    });
}
