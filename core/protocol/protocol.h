#pragma once

// The constants both ends of a Taskmaster connection agree on. docs/PROTOCOL.md describes
// the same wire byte by byte; change one and you change the other.

#include <QDataStream>
#include <QtGlobal>

namespace Protocol {

// First field of the master's Challenge: "TMQ1".
inline constexpr quint32 Magic = 0x544D5131;

// Protocol versions this build speaks; the handshake settles on one. Version 2 added routing
// (kinds, tags, requires), retry and delay, task starts, attempt numbers on every task list
// the worker role sends or receives, and authenticated frames. Version 3 added idempotency
// keys (TaskSpecWire.key, Submitted.existing) and the store's health (StatusReply.storeError).
// Version 1 sent frames without a MAC after the handshake; a master that still accepted it
// would let anyone on the path rewrite the Challenge's maxVersion and strip the frame MACs, so
// it is not spoken at all. Older peers are refused with a message that names both ranges
// (docs/PROTOCOL.md, 3.2); master, worker and the Python package ship together.
inline constexpr quint16 MinVersion = 3;
inline constexpr quint16 MaxVersion = 3;

// Every frame body is written and read at this stream version, whatever Qt is linked.
inline constexpr QDataStream::Version StreamVersion = QDataStream::Qt_6_0;

// The 32-bit length prefix is checked against these before a byte of the body is buffered.
inline constexpr quint32 PreAuthMaxFrame = 1024;
inline constexpr quint32 DefaultMaxFrame = 16 * 1024 * 1024;
inline constexpr quint32 MinMaxFrame = 4096;

// What fits in a task record under a cap of maxFrame: args up to a quarter, a result up to
// half, an error text up to an eighth (QDataStream writes a QString as UTF-16, two bytes a
// character), which leaves an eighth for the record's other fields.
inline constexpr quint32 maxArgsSize(quint32 maxFrame) { return maxFrame / 4; }
inline constexpr quint32 maxResultSize(quint32 maxFrame) { return maxFrame / 2; }
// Characters. Room for a handler's 64 KiB of stderr (ChildProcess::StderrTailCap) and the
// message around it.
inline constexpr int MaxErrorSize = 80 * 1024;
inline constexpr int maxErrorSize(quint32 maxFrame) { return int(qMin<quint32>(MaxErrorSize, maxFrame / 16)); }
static_assert(maxErrorSize(DefaultMaxFrame) == MaxErrorSize, "the default frame carries a whole error text");

inline constexpr int NonceSize = 32;
inline constexpr int MacSize = 32;
// Every frame after Welcome ends with this much of HMAC-SHA256(K_dir, seq || body); the length
// prefix counts it, and the cap after the handshake is maxFrame plus this.
inline constexpr int FrameMacSize = 16;

// Defaults for timers; the master announces the heartbeat figures in Welcome.
inline constexpr int DefaultHandshakeTimeoutMs = 10'000;
inline constexpr int DefaultHeartbeatIntervalMs = 2'000;
inline constexpr int DefaultHeartbeatTimeoutMs = 10'000;

enum class Role : quint8 {
    Worker = 1,
    Client = 2,
};

enum class MessageType : quint8 {
    // Handshake
    Challenge = 1,
    Response = 2,
    Welcome = 3,
    AuthRejected = 4,

    // Either role, either direction
    Heartbeat = 10,
    Goodbye = 11,

    // Worker role
    WorkerHello = 20,
    AssignTasks = 21,
    TaskResults = 22,
    CancelTasks = 23,
    ReturnTasks = 24,
    WorkerDraining = 25,
    ReclaimTasks = 26,
    DrainWorker = 27,
    TaskStarted = 28,

    // Client role
    Submit = 40,
    Submitted = 41,
    Watch = 42,
    TaskUpdates = 43,
    StatusRequest = 44,
    StatusReply = 45,
    CancelRequest = 46,
    CancelReply = 47,
    RequestFailed = 48,
};

bool isKnownMessageType(quint8 type);
const char *messageTypeName(MessageType type);

} // namespace Protocol
