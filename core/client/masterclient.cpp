#include "masterclient.h"

#include "util/logging.h"
#include "util/printable.h"

MasterClient::MasterClient(const QByteArray &key, QObject *parent)
    : QObject(parent), m_link(new MasterLink(Protocol::Role::Client, key, this))
{
    connect(m_link, &MasterLink::ready, this, &MasterClient::ready);
    connect(m_link, &MasterLink::failed, this, &MasterClient::failed);
    connect(m_link, &MasterLink::lost, this, [this](const QString &reason) {
        // The master's own word on why beats what the socket saw ("closed by peer").
        Q_EMIT lost(m_goodbye.isEmpty() ? reason : QStringLiteral("the master closed the connection: ") + m_goodbye);
    });
    connect(m_link, &MasterLink::frameReceived, this, &MasterClient::onFrame);
}

void MasterClient::open(const QString &host, quint16 port, int timeoutMs)
{
    m_goodbye.clear();
    m_link->open(host, port, timeoutMs);
}

void MasterClient::close()
{
    m_link->close(QStringLiteral("client done"));
}

QString MasterClient::submit(const QList<TaskSpec> &specs, bool watch, const QStringList &keys)
{
    Q_ASSERT(keys.isEmpty() || keys.size() == specs.size());
    // All or nothing: check what the master would refuse before sending a single request.
    const quint32 maxArgs = Protocol::maxArgsSize(m_link->maxFrame());
    for (qsizetype i = 0; i < specs.size(); ++i) {
        if (quint32(specs[i].args.size()) > maxArgs) {
            return QStringLiteral("task %1: args of %2 bytes are larger than the master accepts (%3 bytes)")
                    .arg(i + 1)
                    .arg(specs[i].args.size())
                    .arg(maxArgs);
        }
    }
    m_submittedIds.clear();
    m_acknowledged = m_existing = 0;
    m_watchSubmitted = watch;
    QList<Messages::TaskSpecWire> wire;
    wire.reserve(specs.size());
    for (qsizetype i = 0; i < specs.size(); ++i) {
        const TaskSpec &spec = specs.at(i);
        wire.append({spec.kind, spec.args, spec.priority, spec.timeoutMs, quint32(spec.maxAttempts), spec.requiredTags,
                     spec.delayMs, spec.runAtMs, spec.retryDelayMs, keys.isEmpty() ? QString() : keys.at(i)});
    }
    // The master answers requests in order, so the ids come back in the order of the specs.
    // Requests of at most SubmitRequestTasks each are acknowledged as each becomes durable, so
    // a run cut off half way knows which of its tasks the master has.
    const qsizetype base = Messages::encodeFrame(Messages::Submit{}).size() - 4;
    for (qsizetype from = 0; from < wire.size(); from += SubmitRequestTasks) {
        QList<Messages::TaskSpecWire> part = wire.mid(from, SubmitRequestTasks);
        for (QList<Messages::TaskSpecWire> &run : Messages::splitForFrames(std::move(part), base, m_link->maxFrame())) {
            const Messages::Submit request{nextRequestId(), watch, std::move(run)};
            m_submitRequests.insert(request.requestId);
            m_link->send(Messages::encodeFrame(request));
        }
    }
    return {};
}

void MasterClient::watch(const QList<quint64> &ids)
{
    for (quint64 id : ids)
        m_watching.insert(id);
    m_link->send(Messages::encodeFrames(Messages::Watch{false, ids}, &Messages::Watch::ids, m_link->maxFrame()));
}

void MasterClient::requestStatus()
{
    m_link->send(Messages::encodeFrame(Messages::StatusRequest{nextRequestId()}));
}

void MasterClient::cancel(const QList<quint64> &ids)
{
    // Many ids may need several requests under the master's frame cap: one answer for all.
    const qsizetype base = Messages::encodeFrame(Messages::CancelRequest{}).size() - 4;
    for (QList<quint64> &run : Messages::splitForFrames(ids, base, m_link->maxFrame())) {
        const Messages::CancelRequest request{nextRequestId(), std::move(run)};
        m_cancelRequests.insert(request.requestId);
        m_link->send(Messages::encodeFrame(request));
    }
}

void MasterClient::onFrame(Protocol::MessageType type, const QByteArray &body)
{
    using Protocol::MessageType;
    switch (type) {
    case MessageType::Submitted: {
        Messages::Submitted reply;
        if (!Messages::decodeBody(body, reply) || !m_submitRequests.remove(reply.requestId))
            break;
        m_submittedIds.append(reply.ids);
        m_acknowledged += reply.ids.size();
        m_existing += reply.existing;
        if (m_watchSubmitted) {
            for (quint64 id : std::as_const(reply.ids))
                m_watching.insert(id);
        }
        Q_EMIT acknowledged(reply.ids);
        if (m_submitRequests.isEmpty())
            Q_EMIT submitted(std::exchange(m_submittedIds, {}));
        return;
    }
    case MessageType::RequestFailed: {
        Messages::RequestFailed reply;
        if (!Messages::decodeBody(body, reply))
            break;
        m_submitRequests.remove(reply.requestId);
        Q_EMIT requestFailed(reply.reason);
        return;
    }
    case MessageType::TaskUpdates: {
        Messages::TaskUpdates updates;
        if (!Messages::decodeBody(body, updates))
            break;
        for (const Messages::TaskRecord &record : std::as_const(updates.tasks)) {
            m_watching.remove(record.id);
            Q_EMIT taskFinished(record);
        }
        return;
    }
    case MessageType::StatusReply: {
        Messages::StatusReply reply;
        if (!Messages::decodeBody(body, reply))
            break;
        // A reply split over frames: counts and backlog in each, the workers spread out.
        m_status.workers.append(reply.workers);
        if (!reply.last)
            return;
        reply.workers = std::exchange(m_status.workers, {});
        Q_EMIT statusReceived(reply);
        return;
    }
    case MessageType::CancelReply: {
        Messages::CancelReply reply;
        if (!Messages::decodeBody(body, reply) || !m_cancelRequests.remove(reply.requestId))
            break;
        m_cancelledSoFar += int(reply.cancelled);
        if (m_cancelRequests.isEmpty())
            Q_EMIT cancelled(std::exchange(m_cancelledSoFar, 0));
        return;
    }
    case MessageType::Goodbye: {
        Messages::Goodbye goodbye;
        Messages::decodeBody(body, goodbye);
        m_goodbye = goodbye.reason.isEmpty() ? QStringLiteral("no reason given") : printable(goodbye.reason);
        qCWarning(lcClient).noquote() << "the master says goodbye:" << m_goodbye;
        return;
    }
    default:
        break;
    }
    m_link->close(QStringLiteral("malformed or unexpected %1 message").arg(QLatin1String(Protocol::messageTypeName(type))));
    Q_EMIT lost(QStringLiteral("the master sent a malformed or unexpected %1 message")
                        .arg(QLatin1String(Protocol::messageTypeName(type))));
}
