#include "messages.h"

#include <QtEndian>

namespace Messages {

namespace {

// Qt's own QList streaming reserves the announced count up front, so a forged count could
// make us allocate gigabytes. Each element takes at least one byte, so a count larger than
// what is left of the body is corrupt by construction.
template<typename T, typename ReadOne>
void readList(QDataStream &in, QList<T> &list, ReadOne readOne)
{
    list.clear();
    quint32 count = 0;
    in >> count;
    if (in.status() != QDataStream::Ok)
        return;
    const QIODevice *device = in.device();
    if (device && qint64(count) > device->bytesAvailable()) {
        in.setStatus(QDataStream::ReadCorruptData);
        return;
    }
    for (quint32 i = 0; i < count && in.status() == QDataStream::Ok; ++i) {
        T item{};
        readOne(in, item);
        list.append(std::move(item));
    }
    if (in.status() != QDataStream::Ok)
        list.clear();
}

template<typename T, typename WriteOne>
void writeList(QDataStream &out, const QList<T> &list, WriteOne writeOne)
{
    out << quint32(list.size());
    for (const T &item : list)
        writeOne(out, item);
}

void readIds(QDataStream &in, QList<quint64> &ids)
{
    readList(in, ids, [](QDataStream &s, quint64 &id) { s >> id; });
}

void writeIds(QDataStream &out, const QList<quint64> &ids)
{
    writeList(out, ids, [](QDataStream &s, quint64 id) { s << id; });
}

void readRefs(QDataStream &in, QList<TaskRef> &refs)
{
    readList(in, refs, [](QDataStream &s, TaskRef &r) { s >> r.id >> r.attempt; });
}

void writeRefs(QDataStream &out, const QList<TaskRef> &refs)
{
    writeList(out, refs, [](QDataStream &s, const TaskRef &r) { s << r.id << r.attempt; });
}

void readStrings(QDataStream &in, QStringList &list)
{
    readList(in, list, [](QDataStream &s, QString &k) { s >> k; });
}

void writeStrings(QDataStream &out, const QStringList &list)
{
    writeList(out, list, [](QDataStream &s, const QString &k) { s << k; });
}

} // namespace

namespace {

// QDataStream writes a QString as a 32-bit byte count and UTF-16, a QByteArray as a 32-bit
// count and its bytes.
qsizetype sizeOf(const QString &s)
{
    return 4 + 2 * s.size();
}
qsizetype sizeOf(const QByteArray &b)
{
    return 4 + b.size();
}
qsizetype sizeOf(const QStringList &list)
{
    qsizetype size = 4;
    for (const QString &s : list)
        size += sizeOf(s);
    return size;
}

} // namespace

qsizetype encodedSize(const TaskAssignment &t)
{
    return 8 + 4 + sizeOf(t.kind) + sizeOf(t.args) + 8;
}

qsizetype encodedSize(const TaskResult &r)
{
    return 8 + 4 + 1 + sizeOf(r.result) + sizeOf(r.error) + 4 + 4 + 1;
}

qsizetype encodedSize(const TaskSpecWire &t)
{
    return sizeOf(t.kind) + sizeOf(t.args) + 4 + 8 + 4 + sizeOf(t.requiredTags) + 8 + 8 + 8 + sizeOf(t.key);
}

qsizetype encodedSize(const TaskRecord &t)
{
    return 8 + sizeOf(t.kind) + sizeOf(t.args) + 1 + 4 + 4 + 4 + sizeOf(t.worker) + sizeOf(t.result)
            + sizeOf(t.error) + 8 + 8 + 8 + sizeOf(t.requiredTags) + 8 + 8 + 8;
}

qsizetype encodedSize(const WorkerStatus &w)
{
    return sizeOf(w.name) + sizeOf(w.host) + 8 + 4 + 4 + 8 + 8 + 8 + 1 + 4 + sizeOf(w.kinds) + sizeOf(w.tags);
}

qsizetype encodedSize(const TaskRef &)
{
    return 8 + 4;
}

qsizetype encodedSize(quint64)
{
    return 8;
}

void patchFrameLength(QByteArray &frame)
{
    Q_ASSERT(frame.size() >= 4);
    qToBigEndian<quint32>(quint32(frame.size() - 4), frame.data());
}

std::optional<MessageType> messageType(const QByteArray &body)
{
    if (body.isEmpty() || !Protocol::isKnownMessageType(quint8(body.at(0))))
        return std::nullopt;
    return MessageType(quint8(body.at(0)));
}

QDataStream &operator<<(QDataStream &out, const Challenge &m)
{
    return out << m.magic << m.minVersion << m.maxVersion << m.nonce;
}
QDataStream &operator>>(QDataStream &in, Challenge &m)
{
    return in >> m.magic >> m.minVersion >> m.maxVersion >> m.nonce;
}

QDataStream &operator<<(QDataStream &out, const Response &m)
{
    return out << m.version << m.role << m.nonce << m.mac;
}
QDataStream &operator>>(QDataStream &in, Response &m)
{
    return in >> m.version >> m.role >> m.nonce >> m.mac;
}

QDataStream &operator<<(QDataStream &out, const Welcome &m)
{
    return out << m.version << m.mac << m.heartbeatIntervalMs << m.heartbeatTimeoutMs << m.maxFrame;
}
QDataStream &operator>>(QDataStream &in, Welcome &m)
{
    return in >> m.version >> m.mac >> m.heartbeatIntervalMs >> m.heartbeatTimeoutMs >> m.maxFrame;
}

QDataStream &operator<<(QDataStream &out, const AuthRejected &m) { return out << m.reason; }
QDataStream &operator>>(QDataStream &in, AuthRejected &m) { return in >> m.reason; }

QDataStream &operator<<(QDataStream &out, const Heartbeat &) { return out; }
QDataStream &operator>>(QDataStream &in, Heartbeat &) { return in; }

QDataStream &operator<<(QDataStream &out, const Goodbye &m) { return out << m.reason; }
QDataStream &operator>>(QDataStream &in, Goodbye &m) { return in >> m.reason; }

QDataStream &operator<<(QDataStream &out, const WorkerHello &m)
{
    out << m.name << m.host << m.pid << m.slots;
    writeStrings(out, m.kinds);
    writeStrings(out, m.tags);
    return out;
}
QDataStream &operator>>(QDataStream &in, WorkerHello &m)
{
    in >> m.name >> m.host >> m.pid >> m.slots;
    readStrings(in, m.kinds);
    readStrings(in, m.tags);
    return in;
}

QDataStream &operator<<(QDataStream &out, const AssignTasks &m)
{
    writeList(out, m.tasks, [](QDataStream &s, const TaskAssignment &t) {
        s << t.id << t.attempt << t.kind << t.args << t.timeoutMs;
    });
    return out;
}
QDataStream &operator>>(QDataStream &in, AssignTasks &m)
{
    readList(in, m.tasks, [](QDataStream &s, TaskAssignment &t) {
        s >> t.id >> t.attempt >> t.kind >> t.args >> t.timeoutMs;
    });
    return in;
}

QDataStream &operator<<(QDataStream &out, const TaskResults &m)
{
    writeList(out, m.results, [](QDataStream &s, const TaskResult &r) {
        s << r.id << r.attempt << r.outcome << r.result << r.error << r.runMicros << r.heldMicros << r.retryable;
    });
    return out;
}
QDataStream &operator>>(QDataStream &in, TaskResults &m)
{
    readList(in, m.results, [](QDataStream &s, TaskResult &r) {
        s >> r.id >> r.attempt >> r.outcome >> r.result >> r.error >> r.runMicros >> r.heldMicros >> r.retryable;
        if (r.outcome > quint8(Outcome::Cancelled) || (r.retryable && r.outcome != quint8(Outcome::Error)))
            s.setStatus(QDataStream::ReadCorruptData);
    });
    return in;
}

QDataStream &operator<<(QDataStream &out, const CancelTasks &m)
{
    writeRefs(out, m.tasks);
    return out << m.reason;
}
QDataStream &operator>>(QDataStream &in, CancelTasks &m)
{
    readRefs(in, m.tasks);
    return in >> m.reason;
}

QDataStream &operator<<(QDataStream &out, const ReturnTasks &m)
{
    writeRefs(out, m.tasks);
    return out << m.reason;
}
QDataStream &operator>>(QDataStream &in, ReturnTasks &m)
{
    readRefs(in, m.tasks);
    return in >> m.reason;
}

QDataStream &operator<<(QDataStream &out, const ReclaimTasks &m)
{
    writeRefs(out, m.tasks);
    return out;
}
QDataStream &operator>>(QDataStream &in, ReclaimTasks &m)
{
    readRefs(in, m.tasks);
    return in;
}

QDataStream &operator<<(QDataStream &out, const TaskStarted &m)
{
    writeRefs(out, m.tasks);
    return out;
}
QDataStream &operator>>(QDataStream &in, TaskStarted &m)
{
    readRefs(in, m.tasks);
    return in;
}

QDataStream &operator<<(QDataStream &out, const WorkerDraining &) { return out; }
QDataStream &operator>>(QDataStream &in, WorkerDraining &) { return in; }

QDataStream &operator<<(QDataStream &out, const DrainWorker &m) { return out << m.reason; }
QDataStream &operator>>(QDataStream &in, DrainWorker &m) { return in >> m.reason; }

QDataStream &operator<<(QDataStream &out, const Submit &m)
{
    out << m.requestId << m.watch;
    writeList(out, m.tasks, [](QDataStream &s, const TaskSpecWire &t) {
        s << t.kind << t.args << t.priority << t.timeoutMs << t.maxAttempts;
        writeStrings(s, t.requiredTags);
        s << t.delayMs << t.runAtMs << t.retryDelayMs << t.key;
    });
    return out;
}
QDataStream &operator>>(QDataStream &in, Submit &m)
{
    in >> m.requestId >> m.watch;
    readList(in, m.tasks, [](QDataStream &s, TaskSpecWire &t) {
        s >> t.kind >> t.args >> t.priority >> t.timeoutMs >> t.maxAttempts;
        readStrings(s, t.requiredTags);
        s >> t.delayMs >> t.runAtMs >> t.retryDelayMs >> t.key;
    });
    return in;
}

QDataStream &operator<<(QDataStream &out, const Submitted &m)
{
    out << m.requestId;
    writeIds(out, m.ids);
    return out << m.existing;
}
QDataStream &operator>>(QDataStream &in, Submitted &m)
{
    in >> m.requestId;
    readIds(in, m.ids);
    return in >> m.existing;
}

QDataStream &operator<<(QDataStream &out, const Watch &m)
{
    out << m.all;
    writeIds(out, m.ids);
    return out;
}
QDataStream &operator>>(QDataStream &in, Watch &m)
{
    in >> m.all;
    readIds(in, m.ids);
    return in;
}

QDataStream &operator<<(QDataStream &out, const TaskUpdates &m)
{
    writeList(out, m.tasks, [](QDataStream &s, const TaskRecord &t) {
        s << t.id << t.kind << t.args << t.state << t.priority << t.attempts << t.maxAttempts
          << t.worker << t.result << t.error << t.createdMs << t.startedMs << t.finishedMs;
        writeStrings(s, t.requiredTags);
        s << t.runAtMs << t.retryDelayMs << t.timeoutMs;
    });
    return out;
}
QDataStream &operator>>(QDataStream &in, TaskUpdates &m)
{
    readList(in, m.tasks, [](QDataStream &s, TaskRecord &t) {
        s >> t.id >> t.kind >> t.args >> t.state >> t.priority >> t.attempts >> t.maxAttempts
          >> t.worker >> t.result >> t.error >> t.createdMs >> t.startedMs >> t.finishedMs;
        readStrings(s, t.requiredTags);
        s >> t.runAtMs >> t.retryDelayMs >> t.timeoutMs;
    });
    return in;
}

QDataStream &operator<<(QDataStream &out, const StatusRequest &m) { return out << m.requestId; }
QDataStream &operator>>(QDataStream &in, StatusRequest &m) { return in >> m.requestId; }

QDataStream &operator<<(QDataStream &out, const StatusReply &m)
{
    out << m.requestId;
    for (quint64 c : m.counts)
        out << c;
    writeList(out, m.backlog, [](QDataStream &s, const Backlog &b) {
        s << b.kind;
        writeStrings(s, b.requiredTags);
        s << b.ready << b.delayed << b.workers;
    });
    writeList(out, m.workers, [](QDataStream &s, const WorkerStatus &w) {
        s << w.name << w.host << w.pid << w.slots << w.running << w.done << w.failed
          << w.connectedSinceMs << w.draining << w.sent;
        writeStrings(s, w.kinds);
        writeStrings(s, w.tags);
    });
    return out << m.last << m.storeError;
}
QDataStream &operator>>(QDataStream &in, StatusReply &m)
{
    in >> m.requestId;
    for (quint64 &c : m.counts)
        in >> c;
    readList(in, m.backlog, [](QDataStream &s, Backlog &b) {
        s >> b.kind;
        readStrings(s, b.requiredTags);
        s >> b.ready >> b.delayed >> b.workers;
    });
    readList(in, m.workers, [](QDataStream &s, WorkerStatus &w) {
        s >> w.name >> w.host >> w.pid >> w.slots >> w.running >> w.done >> w.failed
          >> w.connectedSinceMs >> w.draining >> w.sent;
        readStrings(s, w.kinds);
        readStrings(s, w.tags);
    });
    return in >> m.last >> m.storeError;
}

QDataStream &operator<<(QDataStream &out, const CancelRequest &m)
{
    out << m.requestId;
    writeIds(out, m.ids);
    return out;
}
QDataStream &operator>>(QDataStream &in, CancelRequest &m)
{
    in >> m.requestId;
    readIds(in, m.ids);
    return in;
}

QDataStream &operator<<(QDataStream &out, const CancelReply &m)
{
    return out << m.requestId << m.cancelled;
}
QDataStream &operator>>(QDataStream &in, CancelReply &m)
{
    return in >> m.requestId >> m.cancelled;
}

QDataStream &operator<<(QDataStream &out, const RequestFailed &m)
{
    return out << m.requestId << m.reason;
}
QDataStream &operator>>(QDataStream &in, RequestFailed &m)
{
    return in >> m.requestId >> m.reason;
}

} // namespace Messages
