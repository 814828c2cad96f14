"""The wire codec: QDataStream encoding of every message body (docs/PROTOCOL.md §2 and §7).

This module only turns message fields into body bytes and back. It knows nothing of sockets or
of the 4-byte frame length; that lives in :mod:`taskmaster.framing`.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Sequence, Tuple, TypeVar

from .errors import ProtocolError

# Message types (PROTOCOL.md §6).
CHALLENGE, RESPONSE, WELCOME, AUTH_REJECTED = 1, 2, 3, 4
HEARTBEAT, GOODBYE = 10, 11
WORKER_HELLO, ASSIGN_TASKS, TASK_RESULTS, CANCEL_TASKS = 20, 21, 22, 23
RETURN_TASKS, WORKER_DRAINING, RECLAIM_TASKS, DRAIN_WORKER, TASK_STARTED = 24, 25, 26, 27, 28
SUBMIT, SUBMITTED, WATCH, TASK_UPDATES, STATUS_REQUEST, STATUS_REPLY = 40, 41, 42, 43, 44, 45
CANCEL_REQUEST, CANCEL_REPLY, REQUEST_FAILED = 46, 47, 48
KNOWN_TYPES = frozenset([1, 2, 3, 4, 10, 11, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                         40, 41, 42, 43, 44, 45, 46, 47, 48])

ROLE_WORKER, ROLE_CLIENT = 1, 2
MAGIC = 0x544D5131  # "TMQ1"
VERSION = 3  # the only protocol version this package speaks
NONCE_SIZE = 32
MAC_SIZE = 32
PRE_AUTH_MAX_FRAME = 1024
MIN_MAX_FRAME = 4096
MAX_ERROR_CHARS = 16 * 1024

OUTCOME_OK, OUTCOME_ERROR, OUTCOME_CANCELLED = 0, 1, 2
STATE_NAMES = ("queued", "running", "done", "failed", "cancelled")
FINAL_STATES = frozenset([2, 3, 4])
_NULL = 0xFFFFFFFF

T = TypeVar("T")


def max_args_size(max_frame: int) -> int:
    """Largest args a Submit may carry under ``max_frame`` (PROTOCOL.md §10)."""
    return max_frame // 4


def max_result_size(max_frame: int) -> int:
    """Largest result a worker may send under ``max_frame`` (PROTOCOL.md §10)."""
    return max_frame // 2


class Writer:
    """Builds one message body, field by field."""

    def __init__(self, msg_type: int) -> None:
        self._parts: List[bytes] = [bytes([msg_type])]

    def u8(self, v: int) -> "Writer":
        self._parts.append(struct.pack(">B", v))
        return self

    def u16(self, v: int) -> "Writer":
        self._parts.append(struct.pack(">H", v))
        return self

    def u32(self, v: int) -> "Writer":
        self._parts.append(struct.pack(">I", v))
        return self

    def u64(self, v: int) -> "Writer":
        self._parts.append(struct.pack(">Q", v))
        return self

    def i32(self, v: int) -> "Writer":
        self._parts.append(struct.pack(">i", v))
        return self

    def i64(self, v: int) -> "Writer":
        self._parts.append(struct.pack(">q", v))
        return self

    def boolean(self, v: bool) -> "Writer":
        self._parts.append(b"\x01" if v else b"\x00")
        return self

    def bytes_(self, b: Optional[bytes]) -> "Writer":
        self._parts.append(enc_bytes(b))
        return self

    def string(self, s: Optional[str]) -> "Writer":
        self._parts.append(enc_string(s))
        return self

    def raw(self, b: bytes) -> "Writer":
        self._parts.append(b)
        return self

    def list_(self, items: Sequence[T], enc_one: Callable[[T], bytes]) -> "Writer":
        self._parts.append(enc_list(items, enc_one))
        return self

    def body(self) -> bytes:
        return b"".join(self._parts)


def enc_bytes(b: Optional[bytes]) -> bytes:
    if b is None:
        return struct.pack(">I", _NULL)
    return struct.pack(">I", len(b)) + bytes(b)


def enc_string(s: Optional[str]) -> bytes:
    if s is None:
        return struct.pack(">I", _NULL)
    data = s.encode("utf-16-be", "surrogatepass")
    return struct.pack(">I", len(data)) + data


def enc_list(items: Sequence[T], enc_one: Callable[[T], bytes]) -> bytes:
    return struct.pack(">I", len(items)) + b"".join(enc_one(item) for item in items)


def enc_u64(v: int) -> bytes:
    return struct.pack(">Q", v)


def dumps_json(value: Any) -> bytes:
    """Compact UTF-8 JSON, as the protocol carries it. Raises TypeError/ValueError if not JSON."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def loads_json(data: Optional[bytes]) -> Any:
    """The JSON value in ``data``; null or empty bytes are ``None``."""
    if not data:
        return None
    return json.loads(data.decode("utf-8"))


_U8, _U16, _U32, _U64 = struct.Struct(">B"), struct.Struct(">H"), struct.Struct(">I"), struct.Struct(">Q")
_I32, _I64 = struct.Struct(">i"), struct.Struct(">q")


class Reader:
    """Reads the fields of one body; :meth:`end` insists that nothing is left over."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self._data = bytes(data)
        self._pos = pos

    def _check(self, n: int) -> int:
        pos = self._pos
        if pos + n > len(self._data):
            raise ProtocolError("malformed message: body too short (wanted %d bytes at offset %d of %d)"
                                % (n, pos, len(self._data)))
        self._pos = pos + n
        return pos

    def _take(self, n: int) -> bytes:
        pos = self._check(n)
        return self._data[pos:pos + n]

    def fixed(self, layout: struct.Struct) -> Tuple[Any, ...]:
        """Several fixed-size fields at once, as one ``struct`` layout."""
        return layout.unpack_from(self._data, self._check(layout.size))

    def u8(self) -> int:
        return self._data[self._check(1)]

    def u16(self) -> int:
        return _U16.unpack_from(self._data, self._check(2))[0]

    def u32(self) -> int:
        return _U32.unpack_from(self._data, self._check(4))[0]

    def u64(self) -> int:
        return _U64.unpack_from(self._data, self._check(8))[0]

    def i32(self) -> int:
        return _I32.unpack_from(self._data, self._check(4))[0]

    def i64(self) -> int:
        return _I64.unpack_from(self._data, self._check(8))[0]

    def boolean(self) -> bool:
        return self._data[self._check(1)] != 0

    def bytes_(self) -> Optional[bytes]:
        n = self.u32()
        return None if n == _NULL else self._take(n)

    def string(self) -> Optional[str]:
        n = self.u32()
        if n == _NULL:
            return None
        if n % 2:
            raise ProtocolError("malformed message: a string with an odd byte length %d" % n)
        return self._take(n).decode("utf-16-be", "surrogatepass")

    def list_(self, read_one: Callable[[], T]) -> List[T]:
        count = self.u32()
        if count > len(self._data) - self._pos:
            raise ProtocolError("malformed message: a list count of %d cannot be honest" % count)
        return [read_one() for _ in range(count)]

    def end(self) -> None:
        if self._pos != len(self._data):
            raise ProtocolError("malformed message: %d trailing bytes" % (len(self._data) - self._pos))


# ---------------------------------------------------------------------------------------------
# Records

TaskRef = Tuple[int, int]  # (task id, attempt)


def enc_ref(ref: TaskRef) -> bytes:
    return struct.pack(">QI", ref[0], ref[1])


def read_ref(r: Reader) -> TaskRef:
    return (r.u64(), r.u32())


@dataclass
class TaskSpec:
    """One task to submit (PROTOCOL.md §7.4 TaskSpec). Durations are in milliseconds."""

    kind: str
    args: bytes  # compact JSON
    priority: int = 0
    timeout_ms: int = 0
    max_attempts: int = 0
    requires: List[str] = field(default_factory=list)
    delay_ms: int = 0
    run_at_ms: int = 0
    retry_delay_ms: int = -1
    key: Optional[str] = None  # idempotency key (PROTOCOL.md §8.11)

    def encode(self) -> bytes:
        return (enc_string(self.kind) + enc_bytes(self.args)
                + struct.pack(">iqI", self.priority, self.timeout_ms, self.max_attempts)
                + enc_list(self.requires, enc_string)
                + struct.pack(">qqq", self.delay_ms, self.run_at_ms, self.retry_delay_ms)
                + enc_string(self.key))


@dataclass
class TaskRecord:
    """A task as the master reports it (PROTOCOL.md §7.4 TaskRecord). Times in ms since the epoch."""

    id: int
    kind: Optional[str]
    args: Optional[bytes]
    state: int
    priority: int
    attempts: int
    max_attempts: int
    worker: Optional[str]
    result: Optional[bytes]
    error: Optional[str]
    created_ms: int
    started_ms: int
    finished_ms: int
    requires: List[str]
    run_at_ms: int
    retry_delay_ms: int
    timeout_ms: int

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state] if self.state < len(STATE_NAMES) else "state %d" % self.state

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    def value(self) -> Any:
        """The decoded JSON result of a done task."""
        return loads_json(self.result)

    @staticmethod
    def read(r: Reader) -> "TaskRecord":
        task_id, kind, args = r.u64(), r.string(), r.bytes_()
        state, priority, attempts, max_attempts = r.fixed(_RECORD_COUNTS)
        worker, result, error = r.string(), r.bytes_(), r.string()
        created, started, finished = r.fixed(_THREE_I64)
        requires = r.list_(r.string)
        run_at, retry_delay, timeout = r.fixed(_THREE_I64)
        return TaskRecord(task_id, kind, args, state, priority, attempts, max_attempts, worker, result, error,
                          created, started, finished, requires, run_at, retry_delay, timeout)


_RECORD_COUNTS = struct.Struct(">BiII")  # state, priority, attempts, maxAttempts
_THREE_I64 = struct.Struct(">qqq")


@dataclass
class Assignment:
    """One TaskAssignment from AssignTasks."""

    id: int
    attempt: int
    kind: Optional[str]
    args: Optional[bytes]
    timeout_ms: int

    @staticmethod
    def read(r: Reader) -> "Assignment":
        return Assignment(r.u64(), r.u32(), r.string(), r.bytes_(), r.i64())


@dataclass
class TaskResult:
    """One TaskResult a worker sends."""

    id: int
    attempt: int
    outcome: int
    result: Optional[bytes] = None
    error: Optional[str] = None
    run_micros: int = 0
    held_micros: int = 0
    retryable: bool = False

    def encode(self) -> bytes:
        return (struct.pack(">QIB", self.id, self.attempt, self.outcome) + enc_bytes(self.result)
                + enc_string(self.error) + struct.pack(">II", _clamp_u32(self.run_micros), _clamp_u32(self.held_micros))
                + (b"\x01" if self.retryable else b"\x00"))


def _clamp_u32(v: int) -> int:
    return max(0, min(int(v), 0xFFFFFFFF))


@dataclass
class Welcome:
    version: int
    mac: Optional[bytes]
    heartbeat_interval_ms: int
    heartbeat_timeout_ms: int
    max_frame: int


@dataclass
class Backlog:
    kind: Optional[str]
    requires: List[str]
    ready: int
    delayed: int
    workers: int


@dataclass
class WorkerStatus:
    name: Optional[str]
    host: Optional[str]
    pid: int
    slots: int
    running: int
    done: int
    failed: int
    connected_since_ms: int
    draining: bool
    sent: int
    kinds: List[str]
    tags: List[str]


@dataclass
class Status:
    """A whole StatusReply, gathered over its frames."""

    counts: List[int]  # queued, running, done, failed, cancelled
    backlog: List[Backlog]
    workers: List[WorkerStatus]
    store_error: str = ""  # why the master cannot write its store; empty while it can

    def count(self, state: str) -> int:
        return self.counts[STATE_NAMES.index(state)]


def read_status_frame(r: Reader) -> Tuple[int, List[int], List[Backlog], List[WorkerStatus], bool, str]:
    """One StatusReply frame: (requestId, counts, backlog, workers, last, storeError)."""
    request_id = r.u32()
    counts = [r.u64() for _ in range(5)]
    backlog = r.list_(lambda: Backlog(r.string(), r.list_(r.string), r.u64(), r.u64(), r.u32()))
    workers = r.list_(lambda: WorkerStatus(r.string(), r.string(), r.i64(), r.u32(), r.u32(), r.u64(), r.u64(),
                                           r.i64(), r.boolean(), r.u32(), r.list_(r.string), r.list_(r.string)))
    last = r.boolean()
    store_error = r.string() or ""
    r.end()
    return request_id, counts, backlog, workers, last, store_error


def split_runs(items: Sequence[bytes], base: int, max_frame: int) -> List[List[bytes]]:
    """Splits encoded list items into runs whose frame body (``base`` + items) fits ``max_frame``.

    An item that does not fit even alone gets a run of its own; the master then refuses it,
    which is the clearest error there is.
    """
    runs: List[List[bytes]] = []
    current: List[bytes] = []
    size = base
    for item in items:
        if current and size + len(item) > max_frame:
            runs.append(current)
            current, size = [], base
        current.append(item)
        size += len(item)
    if current or not runs:
        runs.append(current)
    return runs


def list_frames(msg_type: int, head: bytes, items: Sequence[bytes], tail: bytes, max_frame: int) -> List[bytes]:
    """Bodies of one list message split under ``max_frame``: head, then a run of items, then tail."""
    base = 1 + len(head) + 4 + len(tail)
    return [bytes([msg_type]) + head + struct.pack(">I", len(run)) + b"".join(run) + tail
            for run in split_runs(items, base, max_frame)]
