#include "masterclient.h"

#include "util/logging.h"

MasterClient::MasterClient(const QByteArray &key, QObject *parent)
    : QObject(parent), m_link(new MasterLink(Protocol::Role::Client, key, this))
{
    connect(m_link, &MasterLink::ready, this, &MasterClient::ready);
    connect(m_link, &MasterLink::failed, this, &MasterClient::failed);
    connect(m_link, &MasterLink::lost, this, &MasterClient::lost);
    connect(m_link, &MasterLink::frameReceived, this, &MasterClient::onFrame);
}

void MasterClient::open(const QString &host, quint16 port, int timeoutMs)
{
    m_link->open(host, port, timeoutMs);
}

void MasterClient::close()
{
    m_link->close(QStringLiteral("client done"));
}

void MasterClient::submit(const QList<TaskSpec> &specs, bool watch)
{
    m_submittedIds.clear();
    m_watchSubmitted = watch;
    // Frames are answered in order, so the ids come back in the order of the specs.
    const qint64 limit = m_link->maxFrame() / 2;
    Messages::Submit request;
    qint64 bytes = 0;
    auto sendRequest = [&] {
        request.requestId = nextRequestId();
        request.watch = watch;
        m_submitRequests.insert(request.requestId);
        m_link->send(Messages::encodeFrame(request));
        request.tasks.clear();
        bytes = 0;
    };
    for (const TaskSpec &spec : specs) {
        const qint64 size = spec.kind.size() * 2 + spec.args.size() + 40;
        if (!request.tasks.isEmpty() && bytes + size > limit)
            sendRequest();
        request.tasks.append({spec.kind, spec.args, spec.priority, spec.timeoutMs, quint32(spec.maxAttempts)});
        bytes += size;
    }
    if (!request.tasks.isEmpty() || specs.isEmpty())
        sendRequest();
}

void MasterClient::watch(const QList<quint64> &ids)
{
    for (quint64 id : ids)
        m_watching.insert(id);
    m_link->send(Messages::encodeFrame(Messages::Watch{false, ids}));
}

void MasterClient::requestStatus()
{
    m_link->send(Messages::encodeFrame(Messages::StatusRequest{nextRequestId()}));
}

void MasterClient::cancel(const QList<quint64> &ids)
{
    m_link->send(Messages::encodeFrame(Messages::CancelRequest{nextRequestId(), ids}));
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
        if (m_watchSubmitted) {
            for (quint64 id : std::as_const(reply.ids))
                m_watching.insert(id);
        }
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
        Q_EMIT statusReceived(reply);
        return;
    }
    case MessageType::CancelReply: {
        Messages::CancelReply reply;
        if (!Messages::decodeBody(body, reply))
            break;
        Q_EMIT cancelled(int(reply.cancelled));
        return;
    }
    case MessageType::Goodbye: {
        Messages::Goodbye goodbye;
        Messages::decodeBody(body, goodbye);
        qCWarning(lcClient).noquote() << "the master says goodbye:" << goodbye.reason;
        return;
    }
    default:
        break;
    }
    m_link->close(QStringLiteral("malformed or unexpected %1 message").arg(QLatin1String(Protocol::messageTypeName(type))));
    Q_EMIT lost(QStringLiteral("the master sent a malformed or unexpected %1 message")
                        .arg(QLatin1String(Protocol::messageTypeName(type))));
}
