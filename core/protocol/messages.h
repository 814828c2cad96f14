#pragma once

// The messages of the Taskmaster protocol and their QDataStream encoding. Decoding works on a
// frame body held in memory, never on a socket, so it can be tested and fuzzed on its own.
// Field order here is the wire order documented in docs/PROTOCOL.md.

#include "protocol.h"

#include <QByteArray>
#include <QIODevice>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace Messages {

using Protocol::MessageType;

struct Challenge {
    static constexpr MessageType Type = MessageType::Challenge;
    quint32 magic = Protocol::Magic;
    quint16 minVersion = Protocol::MinVersion;
    quint16 maxVersion = Protocol::MaxVersion;
    QByteArray nonce;
};

struct Response {
    static constexpr MessageType Type = MessageType::Response;
    quint16 version = 0;
    quint8 role = 0;
    QByteArray nonce;
    QByteArray mac;
};

struct Welcome {
    static constexpr MessageType Type = MessageType::Welcome;
    quint16 version = 0;
    QByteArray mac;
    quint32 heartbeatIntervalMs = 0;
    quint32 heartbeatTimeoutMs = 0;
    quint32 maxFrame = 0;
};

struct AuthRejected {
    static constexpr MessageType Type = MessageType::AuthRejected;
    QString reason;
};

struct Heartbeat {
    static constexpr MessageType Type = MessageType::Heartbeat;
};

struct Goodbye {
    static constexpr MessageType Type = MessageType::Goodbye;
    QString reason;
};

struct WorkerHello {
    static constexpr MessageType Type = MessageType::WorkerHello;
    QString name;
    QString host;
    qint64 pid = 0;
    quint32 slots = 0;
    QStringList kinds; // every kind it runs: built-in ones, its handlers, exec only if allowed
    QStringList tags; // what a task's requires are matched against: "gpu", "zone=eu"
};

// A task as the worker role names it: the attempt is the dispatch number of AssignTasks, so a
// message about an earlier dispatch of the same task can never act on a later one.
struct TaskRef {
    quint64 id = 0;
    quint32 attempt = 0;
    friend bool operator==(const TaskRef &, const TaskRef &) = default;
};

struct TaskAssignment {
    quint64 id = 0;
    quint32 attempt = 0;
    QString kind;
    QByteArray args; // compact UTF-8 JSON text
    qint64 timeoutMs = 0; // 0: none
};

struct AssignTasks {
    static constexpr MessageType Type = MessageType::AssignTasks;
    QList<TaskAssignment> tasks;
};

enum class Outcome : quint8 {
    Ok = 0,
    Error = 1,
    Cancelled = 2,
};

struct TaskResult {
    quint64 id = 0;
    quint32 attempt = 0;
    quint8 outcome = 0; // Outcome
    QByteArray result; // JSON text when Ok, empty otherwise
    QString error;
    quint32 runMicros = 0; // how long the handler ran
    quint32 heldMicros = 0; // from receiving the task to sending this result (waiting + running)
    bool retryable = false; // an Error that may succeed if tried again (after the retry delay)
};

struct TaskResults {
    static constexpr MessageType Type = MessageType::TaskResults;
    QList<TaskResult> results;
};

struct CancelTasks {
    static constexpr MessageType Type = MessageType::CancelTasks;
    QList<TaskRef> tasks;
    QString reason;
};

// Tasks given back unfinished; no attempt is spent on them.
struct ReturnTasks {
    static constexpr MessageType Type = MessageType::ReturnTasks;
    QList<TaskRef> tasks;
    QString reason;
};

struct WorkerDraining {
    static constexpr MessageType Type = MessageType::WorkerDraining;
};

// The master wants these prefetched tasks back for an idle worker; the worker answers with
// ReturnTasks holding the ones it has not started (possibly none).
struct ReclaimTasks {
    static constexpr MessageType Type = MessageType::ReclaimTasks;
    QList<TaskRef> tasks;
};

// Worker to master: these tasks have begun to run here. An attempt is spent on a task only
// once it starts; a TaskResult implies the start of its task.
struct TaskStarted {
    static constexpr MessageType Type = MessageType::TaskStarted;
    QList<TaskRef> tasks;
};

// Master to worker: finish what you run, take nothing new, then leave (as on SIGTERM).
struct DrainWorker {
    static constexpr MessageType Type = MessageType::DrainWorker;
    QString reason;
};

struct TaskSpecWire {
    QString kind;
    QByteArray args;
    qint32 priority = 0;
    qint64 timeoutMs = 0;
    quint32 maxAttempts = 0; // 0: the master's default
    QStringList requiredTags; // tags a worker must have to get the task
    qint64 delayMs = 0; // do not start before this long after the master accepts it
    qint64 runAtMs = 0; // nor before this time (ms since the epoch, UTC); 0: no such bound
    qint64 retryDelayMs = -1; // base of the exponential backoff before a retry; -1: the default
    QString key; // idempotency key: a task the master already has under it is not added again
};

struct Submit {
    static constexpr MessageType Type = MessageType::Submit;
    quint32 requestId = 0;
    bool watch = false;
    QList<TaskSpecWire> tasks;
};

struct Submitted {
    static constexpr MessageType Type = MessageType::Submitted;
    quint32 requestId = 0;
    QList<quint64> ids; // one per task of the Submit, in its order
    quint32 existing = 0; // how many of them the master already had under their key
};

struct Watch {
    static constexpr MessageType Type = MessageType::Watch;
    bool all = false;
    QList<quint64> ids;
};

struct TaskRecord {
    quint64 id = 0;
    QString kind;
    QByteArray args;
    quint8 state = 0; // TaskState
    qint32 priority = 0;
    quint32 attempts = 0;
    quint32 maxAttempts = 0;
    QString worker;
    QByteArray result;
    QString error;
    qint64 createdMs = 0;
    qint64 startedMs = 0; // when the worker started the current attempt; 0 while only sent
    qint64 finishedMs = 0;
    QStringList requiredTags;
    qint64 runAtMs = 0; // a queued task does not start before this (its delay or retry backoff)
    qint64 retryDelayMs = 0;
    qint64 timeoutMs = 0;
};

struct TaskUpdates {
    static constexpr MessageType Type = MessageType::TaskUpdates;
    QList<TaskRecord> tasks;
};

struct StatusRequest {
    static constexpr MessageType Type = MessageType::StatusRequest;
    quint32 requestId = 0;
};

struct WorkerStatus {
    QString name;
    QString host;
    qint64 pid = 0;
    quint32 slots = 0;
    quint32 running = 0; // started on the worker
    quint64 done = 0;
    quint64 failed = 0;
    qint64 connectedSinceMs = 0;
    bool draining = false;
    quint32 sent = 0; // sent ahead (prefetched), not started yet
    QStringList kinds;
    QStringList tags;
};

// The queued tasks of one kind and set of required tags, and how many connected workers can
// take them: with none, they wait for such a worker.
struct Backlog {
    QString kind;
    QStringList requiredTags;
    quint64 ready = 0; // queued and due
    quint64 delayed = 0; // queued, waiting for their start time or retry delay
    quint32 workers = 0;
};

struct StatusReply {
    static constexpr MessageType Type = MessageType::StatusReply;
    quint32 requestId = 0;
    std::array<quint64, 5> counts = {}; // indexed by TaskState
    QList<Backlog> backlog; // repeated in every frame of a split reply
    QList<WorkerStatus> workers; // split over frames when it does not fit
    bool last = true; // the last frame of this reply
    QString storeError; // why the master cannot write its store; empty while it can
};

struct CancelRequest {
    static constexpr MessageType Type = MessageType::CancelRequest;
    quint32 requestId = 0;
    QList<quint64> ids;
};

struct CancelReply {
    static constexpr MessageType Type = MessageType::CancelReply;
    quint32 requestId = 0;
    quint32 cancelled = 0;
};

struct RequestFailed {
    static constexpr MessageType Type = MessageType::RequestFailed;
    quint32 requestId = 0;
    QString reason;
};

#define TASKMASTER_DECLARE_STREAM(T)                                                              \
    QDataStream &operator<<(QDataStream &out, const T &m);                                        \
    QDataStream &operator>>(QDataStream &in, T &m);

TASKMASTER_DECLARE_STREAM(Challenge)
TASKMASTER_DECLARE_STREAM(Response)
TASKMASTER_DECLARE_STREAM(Welcome)
TASKMASTER_DECLARE_STREAM(AuthRejected)
TASKMASTER_DECLARE_STREAM(Heartbeat)
TASKMASTER_DECLARE_STREAM(Goodbye)
TASKMASTER_DECLARE_STREAM(WorkerHello)
TASKMASTER_DECLARE_STREAM(AssignTasks)
TASKMASTER_DECLARE_STREAM(TaskResults)
TASKMASTER_DECLARE_STREAM(CancelTasks)
TASKMASTER_DECLARE_STREAM(ReturnTasks)
TASKMASTER_DECLARE_STREAM(WorkerDraining)
TASKMASTER_DECLARE_STREAM(ReclaimTasks)
TASKMASTER_DECLARE_STREAM(DrainWorker)
TASKMASTER_DECLARE_STREAM(TaskStarted)
TASKMASTER_DECLARE_STREAM(Submit)
TASKMASTER_DECLARE_STREAM(Submitted)
TASKMASTER_DECLARE_STREAM(Watch)
TASKMASTER_DECLARE_STREAM(TaskUpdates)
TASKMASTER_DECLARE_STREAM(StatusRequest)
TASKMASTER_DECLARE_STREAM(StatusReply)
TASKMASTER_DECLARE_STREAM(CancelRequest)
TASKMASTER_DECLARE_STREAM(CancelReply)
TASKMASTER_DECLARE_STREAM(RequestFailed)

#undef TASKMASTER_DECLARE_STREAM

// Writes the body length into the four placeholder bytes at the start of frame.
void patchFrameLength(QByteArray &frame);

template<typename T>
QByteArray encodeFrame(const T &message)
{
    QByteArray frame;
    {
        QDataStream out(&frame, QIODevice::WriteOnly);
        out.setVersion(Protocol::StreamVersion);
        out << quint32(0) << quint8(T::Type) << message;
    }
    patchFrameLength(frame);
    return frame;
}

// Exact encoded sizes of list items, so a long list can be split into frames under a cap.
qsizetype encodedSize(const TaskAssignment &item);
qsizetype encodedSize(const TaskResult &item);
qsizetype encodedSize(const TaskSpecWire &item);
qsizetype encodedSize(const TaskRecord &item);
qsizetype encodedSize(const WorkerStatus &item);
qsizetype encodedSize(const TaskRef &item);
qsizetype encodedSize(quint64 id);

// Splits items into runs that fit, with baseBodySize bytes of the rest of the message, in
// bodies of at most maxFrame bytes. An item too large on its own still gets a run of its own.
template<typename Item>
QList<QList<Item>> splitForFrames(QList<Item> items, qsizetype baseBodySize, quint32 maxFrame)
{
    QList<QList<Item>> runs;
    QList<Item> run;
    qsizetype size = baseBodySize;
    for (Item &item : items) {
        const qsizetype itemSize = encodedSize(item);
        if (!run.isEmpty() && size + itemSize > qsizetype(maxFrame)) {
            runs.append(std::move(run));
            run = {};
            size = baseBodySize;
        }
        size += itemSize;
        run.append(std::move(item));
    }
    if (!run.isEmpty() || runs.isEmpty())
        runs.append(std::move(run));
    return runs;
}

// Frames for a message whose list member may not fit in one: each frame carries the message's
// other fields and one run of the list.
template<typename Message, typename Item>
QList<QByteArray> encodeFrames(Message message, QList<Item> Message::*list, quint32 maxFrame)
{
    // Almost always it fits: encode once.
    QByteArray whole = encodeFrame(message);
    if (whole.size() - 4 <= qsizetype(maxFrame))
        return {whole};
    QList<Item> items = std::exchange(message.*list, {});
    const qsizetype base = encodeFrame(message).size() - 4;
    QList<QByteArray> frames;
    QList<QList<Item>> runs = splitForFrames(std::move(items), base, maxFrame);
    for (qsizetype i = 0; i < runs.size(); ++i) {
        message.*list = std::move(runs[i]);
        if constexpr (requires { message.last; })
            message.last = i + 1 == runs.size();
        frames.append(encodeFrame(message));
    }
    return frames;
}

// The message type in the first byte of a body, if it is one this build knows.
std::optional<MessageType> messageType(const QByteArray &body);

// Decodes a body that messageType() said is a T. Fails on a short, corrupt or over-long body.
bool decodeBody(const QByteArray &body, auto &message)
{
    QDataStream in(body);
    in.setVersion(Protocol::StreamVersion);
    quint8 type = 0;
    in >> type;
    if (type != quint8(std::remove_reference_t<decltype(message)>::Type))
        return false;
    in >> message;
    return in.status() == QDataStream::Ok && in.atEnd();
}

} // namespace Messages
