#include "workersession.h"

#include "master/scheduler.h"
#include "protocol/framedconnection.h"
#include "util/jsonvalue.h"
#include "util/logging.h"
#include "util/printable.h"

WorkerSession::WorkerSession(FramedConnection *connection, Scheduler *scheduler, QObject *parent)
    : QObject(parent), m_connection(connection), m_scheduler(scheduler)
{
    m_connection->setParent(this);
    connect(m_connection, &FramedConnection::frameReceived, this, &WorkerSession::onFrame);
    connect(m_connection, &FramedConnection::heartbeatReceived, this, [this] {
        if (m_workerId)
            m_scheduler->workerSeen(m_workerId);
    });
    // Queued: a close can be noticed in the middle of a scheduler operation (a failed write
    // during dispatch); the scheduler hears of it once that operation is over.
    connect(m_connection, &FramedConnection::closed, this, [this](const QString &reason) {
        if (m_workerId)
            m_scheduler->removeWorker(std::exchange(m_workerId, 0), reason);
        deleteLater();
    }, Qt::QueuedConnection);
}

WorkerSession::~WorkerSession()
{
    if (m_workerId)
        m_scheduler->removeWorker(m_workerId, QStringLiteral("master shutting down"));
}

void WorkerSession::assign(const QList<Messages::TaskAssignment> &tasks)
{
    m_connection->send(Messages::encodeFrames(Messages::AssignTasks{tasks}, &Messages::AssignTasks::tasks,
                                              m_connection->maxFrame()));
}

void WorkerSession::cancel(const QList<Messages::TaskRef> &tasks, const QString &reason)
{
    m_connection->send(Messages::encodeFrames(Messages::CancelTasks{tasks, reason}, &Messages::CancelTasks::tasks,
                                              m_connection->maxFrame()));
}

void WorkerSession::reclaim(const QList<Messages::TaskRef> &tasks)
{
    m_connection->send(Messages::encodeFrames(Messages::ReclaimTasks{tasks}, &Messages::ReclaimTasks::tasks,
                                              m_connection->maxFrame()));
}

void WorkerSession::disconnectWorker(const QString &reason)
{
    m_connection->closeWithGoodbye(reason);
}

void WorkerSession::drain(const QString &reason)
{
    qCInfo(lcMaster).noquote() << "asking" << m_connection->peerDescription() << "to drain:" << reason;
    m_scheduler->setWorkerDraining(m_workerId);
    m_connection->send(Messages::encodeFrame(Messages::DrainWorker{reason}));
}

void WorkerSession::protocolError(const QString &reason)
{
    // Before its hello a worker is known by its address only; after it the description names it.
    const QString who = m_workerId ? m_connection->peerDescription()
                                   : QStringLiteral("worker ") + m_connection->peerDescription();
    qCWarning(lcMaster).noquote() << "dropping" << who << "-" << reason;
    m_connection->closeWithGoodbye(reason);
}

void WorkerSession::onFrame(Protocol::MessageType type, const QByteArray &body)
{
    using Protocol::MessageType;
    if (!m_workerId) {
        Messages::WorkerHello hello;
        if (type != MessageType::WorkerHello || !Messages::decodeBody(body, hello)) {
            protocolError(QStringLiteral("expected WorkerHello first"));
            return;
        }
        if (hello.slots < 1 || hello.slots > 4096) {
            protocolError(QStringLiteral("a worker has 1 to 4096 slots, not %1").arg(hello.slots));
            return;
        }
        WorkerInfo info;
        // Names and hosts end up in logs, `status` and the window: a newline or an escape
        // sequence in them must not forge a line or drive the terminal.
        info.name = printable(hello.name.left(256));
        info.host = printable(hello.host.left(256));
        info.address = m_connection->peerDescription();
        info.pid = hello.pid;
        info.slots = int(hello.slots);
        for (const QStringList *names : {&hello.kinds, &hello.tags}) {
            if (names->size() > MaxWorkerNames)
                return protocolError(QStringLiteral("a worker may announce at most %1 kinds and %1 tags").arg(MaxWorkerNames));
            for (const QString &name : *names) {
                if (const QString error = validateTag(name); !error.isEmpty())
                    return protocolError(QStringLiteral("bad kind or tag in WorkerHello: ") + error);
            }
        }
        info.kinds = hello.kinds;
        info.tags = hello.tags;
        // From now on this connection's own lines (a heartbeat timeout, a slow reader) name the
        // worker as the window does, not by its address and port.
        m_connection->setPeerDescription(QStringLiteral("worker ") + info.description());
        m_workerId = m_scheduler->addWorker(this, std::move(info));
        return;
    }
    switch (type) {
    case MessageType::TaskResults: {
        Messages::TaskResults results;
        if (!Messages::decodeBody(body, results))
            return protocolError(QStringLiteral("malformed TaskResults message"));
        // Keep every record small enough to reach a client in one frame.
        const quint32 maxResult = Protocol::maxResultSize(m_connection->maxFrame());
        const int maxError = Protocol::maxErrorSize(m_connection->maxFrame());
        for (Messages::TaskResult &result : results.results) {
            QString jsonError;
            if (result.outcome == quint8(Messages::Outcome::Ok) && !JsonValue::parse(result.result, nullptr, &jsonError)) {
                result.outcome = quint8(Messages::Outcome::Error);
                result.error = QStringLiteral("the worker sent a result that is not valid JSON (%1)").arg(jsonError);
                result.result.clear();
            } else if (quint32(result.result.size()) > maxResult) {
                result.outcome = quint8(Messages::Outcome::Error);
                result.error = QStringLiteral("the result of %1 bytes is larger than the limit of %2 bytes "
                                              "(half of the master's --max-frame)")
                                       .arg(result.result.size())
                                       .arg(maxResult);
                result.result.clear();
            }
            if (result.error.size() > maxError)
                result.error = result.error.left(maxError) + QStringLiteral(" [truncated]");
        }
        m_scheduler->completeTasks(m_workerId, results.results);
        return;
    }
    case MessageType::ReturnTasks: {
        Messages::ReturnTasks returned;
        if (!Messages::decodeBody(body, returned))
            return protocolError(QStringLiteral("malformed ReturnTasks message"));
        m_scheduler->returnTasks(m_workerId, returned.tasks, printable(returned.reason));
        return;
    }
    case MessageType::TaskStarted: {
        Messages::TaskStarted started;
        if (!Messages::decodeBody(body, started))
            return protocolError(QStringLiteral("malformed TaskStarted message"));
        m_scheduler->startTasks(m_workerId, started.tasks);
        return;
    }
    case MessageType::WorkerDraining: {
        Messages::WorkerDraining draining;
        if (!Messages::decodeBody(body, draining))
            return protocolError(QStringLiteral("malformed WorkerDraining message"));
        m_scheduler->setWorkerDraining(m_workerId);
        return;
    }
    case MessageType::Goodbye: {
        Messages::Goodbye goodbye;
        Messages::decodeBody(body, goodbye);
        m_connection->close(QStringLiteral("worker said goodbye: ") + printable(goodbye.reason));
        return;
    }
    default:
        protocolError(QStringLiteral("unexpected %1 message from a worker")
                              .arg(QLatin1String(Protocol::messageTypeName(type))));
    }
}
