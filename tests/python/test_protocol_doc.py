#!/usr/bin/env python3
"""A Taskmaster worker and client written from docs/PROTOCOL.md alone, run against the real master.

Usage: python3 tests/python/test_protocol_doc.py /path/to/taskmaster

Standard library only. Starts `taskmaster serve --port 0` with a random authkey, then:
  - a Python worker (role 1) authenticates, checks the master's proof and offers 2 slots;
  - a Python client (role 2) submits 21 `square` tasks with watch=true and must get every
    final record exactly once, state done, with n*n as the result (one of them needs all 64 bits);
  - a client with the wrong key must get AuthRejected, and the master must go on serving;
  - a StatusRequest must report 21 done tasks and the Python worker by name;
  - semantics: an Error outcome fails without retry, ReturnTasks spends no attempt, CancelRequest
    cancels a running task (the worker gets CancelTasks) and a late result for it is ignored;
  - a second master with small figures: Welcome announces them, a silent peer is dropped after the
    heartbeat timeout, the handshake deadline, the pre-auth and post-auth frame caps, and which
    errors get Goodbye.
Every socket wait is bounded (10 s); the masters are terminated at the end and on failure.
Prints "N passed, 0 failed" and exits 0 on success; exits 1 with a message on the first failure.
"""

import hashlib
import hmac
import json
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 10.0  # seconds; every wait in this script is bounded by it

# Message types (docs/PROTOCOL.md, "Message types").
CHALLENGE, RESPONSE, WELCOME, AUTH_REJECTED = 1, 2, 3, 4
HEARTBEAT, GOODBYE = 10, 11
WORKER_HELLO, ASSIGN_TASKS, TASK_RESULTS, CANCEL_TASKS, RETURN_TASKS, WORKER_DRAINING = 20, 21, 22, 23, 24, 25
RECLAIM_TASKS, DRAIN_WORKER, TASK_STARTED = 26, 27, 28
SUBMIT, SUBMITTED, WATCH, TASK_UPDATES, STATUS_REQUEST, STATUS_REPLY = 40, 41, 42, 43, 44, 45
CANCEL_REQUEST, CANCEL_REPLY, REQUEST_FAILED = 46, 47, 48

ROLE_WORKER, ROLE_CLIENT = 1, 2
MAGIC = 0x544D5131  # "TMQ1"
VERSION = 3
PRE_AUTH_MAX_FRAME = 1024
STATE_NAMES = ["queued", "running", "done", "failed", "cancelled"]
OUTCOME_OK, OUTCOME_ERROR, OUTCOME_CANCELLED = 0, 1, 2
NULL = 0xFFFFFFFF


class TestFailure(Exception):
    pass


class ConnectionClosed(Exception):
    pass


class AuthRejectedError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Encoding (QDataStream, stream version Qt_6_0, big-endian)

def enc_u8(v): return struct.pack(">B", v)
def enc_u16(v): return struct.pack(">H", v)
def enc_u32(v): return struct.pack(">I", v)
def enc_u64(v): return struct.pack(">Q", v)
def enc_i32(v): return struct.pack(">i", v)
def enc_i64(v): return struct.pack(">q", v)
def enc_bool(v): return b"\x01" if v else b"\x00"


def enc_bytes(b):
    if b is None:
        return enc_u32(NULL)
    return enc_u32(len(b)) + bytes(b)


def enc_string(s):
    if s is None:
        return enc_u32(NULL)
    data = s.encode("utf-16-be")
    return enc_u32(len(data)) + data


def enc_list(items, enc_one):
    return enc_u32(len(items)) + b"".join(enc_one(item) for item in items)


def enc_json(value):
    return enc_bytes(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


class Reader:
    """Reads the fields of one frame body; end() insists nothing is left over."""

    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def _take(self, n):
        if self.pos + n > len(self.data):
            raise TestFailure("message body too short: wanted %d bytes at offset %d of %d"
                              % (n, self.pos, len(self.data)))
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def u8(self): return self._take(1)[0]
    def u16(self): return struct.unpack(">H", self._take(2))[0]
    def u32(self): return struct.unpack(">I", self._take(4))[0]
    def u64(self): return struct.unpack(">Q", self._take(8))[0]
    def i32(self): return struct.unpack(">i", self._take(4))[0]
    def i64(self): return struct.unpack(">q", self._take(8))[0]
    def boolean(self): return self._take(1)[0] != 0

    def bytes_(self):
        n = self.u32()
        return None if n == NULL else self._take(n)

    def string(self):
        n = self.u32()
        if n == NULL:
            return None
        if n % 2:
            raise TestFailure("QString with an odd byte length %d" % n)
        return self._take(n).decode("utf-16-be")

    def list_(self, read_one):
        return [read_one() for _ in range(self.u32())]

    def end(self):
        if self.pos != len(self.data):
            raise TestFailure("%d unexpected trailing bytes in a message body" % (len(self.data) - self.pos))


def frame(msg_type, payload=b""):
    body = enc_u8(msg_type) + payload
    return enc_u32(len(body)) + body


# ---------------------------------------------------------------------------------------------
# One framed connection

class Conn:
    def __init__(self, port, name):
        self.name = name
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.settimeout(TIMEOUT)
        self.buf = bytearray()
        self.send_lock = threading.Lock()
        self.max_frame = PRE_AUTH_MAX_FRAME
        self.closed = threading.Event()
        self.heartbeat_thread = None
        self.last_raw_frame = None
        self.send_key = self.recv_key = None  # session keys once Welcome is verified (4.4)
        self.send_seq = self.recv_seq = 0

    def send(self, msg_type, payload=b""):
        with self.send_lock:  # the sequence number follows the order on the wire
            if self.send_key is None:
                self.sock.sendall(frame(msg_type, payload))
                return
            body = enc_u8(msg_type) + payload
            self.sock.sendall(enc_u32(len(body) + 16) + body + frame_mac(self.send_key, self.send_seq, body))
            self.send_seq += 1

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise socket.timeout("%s: timed out waiting for the master" % self.name)
            self.sock.settimeout(remaining)
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionClosed("%s: the master closed the connection" % self.name)
            self.buf += data

    def recv_frame(self, timeout=TIMEOUT, skip_heartbeats=True):
        """Returns (type, Reader positioned after the type byte). Partial data stays buffered."""
        deadline = time.monotonic() + timeout
        while True:
            self._fill(4, deadline)
            length = struct.unpack(">I", self.buf[:4])[0]
            if length == 0:
                raise TestFailure("%s: the master sent an empty frame" % self.name)
            if self.max_frame == PRE_AUTH_MAX_FRAME and length > PRE_AUTH_MAX_FRAME:
                raise TestFailure("%s: a %d-byte frame before Welcome (cap 1024)" % (self.name, length))
            self._fill(4 + length, deadline)
            raw = bytes(self.buf[:4 + length])
            del self.buf[:4 + length]
            if self.recv_key is not None:
                expected = frame_mac(self.recv_key, self.recv_seq, raw[4:-16]) if length >= 17 else b""
                if not hmac.compare_digest(expected, raw[-16:]):
                    raise TestFailure("%s: frame authentication failed (frame %d)" % (self.name, self.recv_seq))
                self.recv_seq += 1
                raw = enc_u32(length - 16) + raw[4:-16]
                length -= 16
            self.last_raw_frame = raw
            msg_type = raw[4]
            if msg_type == HEARTBEAT:
                if length != 1:
                    raise TestFailure("%s: malformed Heartbeat (%d bytes)" % (self.name, length))
                if skip_heartbeats:
                    continue
            return msg_type, Reader(raw[5:])

    def expect_eof(self, timeout=TIMEOUT):
        """True if the master closes the connection (frames before the close are skipped)."""
        return self.read_until_eof(timeout)[0]

    def read_until_eof(self, timeout=TIMEOUT):
        """Reads until the master closes: (closed, [(type, Reader)] received before, incl. heartbeats)."""
        seen = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                seen.append(self.recv_frame(max(0.0, deadline - time.monotonic()), skip_heartbeats=False))
        except (ConnectionClosed, ConnectionResetError, BrokenPipeError):
            return True, seen
        except socket.timeout:
            return False, seen

    def start_heartbeats(self, interval_ms):
        def loop():
            while not self.closed.wait(interval_ms / 1000.0):
                try:
                    self.send(HEARTBEAT)
                except OSError:
                    return
        self.heartbeat_thread = threading.Thread(target=loop, daemon=True)
        self.heartbeat_thread.start()

    def close(self):
        self.closed.set()
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------------------------------------
# Handshake (docs/PROTOCOL.md, "Handshake")

PEER_LABEL = b"taskmaster HMAC-SHA256 peer"
MASTER_LABEL = b"taskmaster HMAC-SHA256 master"


def peer_proof(key, role, version, master_nonce, peer_nonce):
    msg = PEER_LABEL + bytes([role]) + enc_u16(version) + master_nonce + peer_nonce
    return hmac.new(key, msg, hashlib.sha256).digest()


def master_proof(key, role, version, master_nonce, peer_nonce):
    msg = MASTER_LABEL + bytes([role]) + enc_u16(version) + peer_nonce + master_nonce
    return hmac.new(key, msg, hashlib.sha256).digest()


SESSION_LABEL_MP = b"taskmaster-v2 session master->peer"
SESSION_LABEL_PM = b"taskmaster-v2 session peer->master"


def session_key(key, label, role, version, master_nonce, peer_nonce):
    msg = label + bytes([role]) + enc_u16(version) + master_nonce + peer_nonce
    return hmac.new(key, msg, hashlib.sha256).digest()


def frame_mac(session, seq, body):
    return hmac.new(session, enc_u64(seq) + body, hashlib.sha256).digest()[:16]


def handshake(conn, key, role, heartbeats=True, force_version=None):
    """Runs the peer's side; returns the Welcome fields and the Challenge frame as received."""
    msg_type, r = conn.recv_frame()
    challenge_frame = conn.last_raw_frame
    if msg_type != CHALLENGE:
        raise TestFailure("%s: expected Challenge, got type %d" % (conn.name, msg_type))
    magic, min_version, max_version, master_nonce = r.u32(), r.u16(), r.u16(), r.bytes_()
    r.end()
    if magic != MAGIC or master_nonce is None or len(master_nonce) != 32:
        raise TestFailure("%s: bad Challenge (magic %#x, nonce %r)" % (conn.name, magic, master_nonce))
    version = min(max_version, VERSION) if force_version is None else force_version
    if force_version is None and (version < min_version or version < VERSION):
        raise TestFailure("%s: no common version (master %d..%d)" % (conn.name, min_version, max_version))

    peer_nonce = os.urandom(32)
    conn.send(RESPONSE, enc_u16(version) + enc_u8(role) + enc_bytes(peer_nonce)
              + enc_bytes(peer_proof(key, role, version, master_nonce, peer_nonce)))

    msg_type, r = conn.recv_frame()
    if msg_type == AUTH_REJECTED:
        reason = r.string()
        r.end()
        raise AuthRejectedError(reason)
    if msg_type != WELCOME:
        raise TestFailure("%s: expected Welcome, got type %d" % (conn.name, msg_type))
    welcome = {
        "version": r.u16(),
        "mac": r.bytes_(),
        "heartbeat_interval_ms": r.u32(),
        "heartbeat_timeout_ms": r.u32(),
        "max_frame": r.u32(),
    }
    r.end()
    expected = master_proof(key, role, version, master_nonce, peer_nonce)
    if not hmac.compare_digest(expected, welcome["mac"] or b""):
        raise TestFailure("%s: the master's proof in Welcome does not verify" % conn.name)
    welcome["master_proof_ok"] = True
    # Every frame from here on, both ways, carries a MAC (4.4).
    conn.send_key = session_key(key, SESSION_LABEL_PM, role, version, master_nonce, peer_nonce)
    conn.recv_key = session_key(key, SESSION_LABEL_MP, role, version, master_nonce, peer_nonce)
    welcome["challenge_frame"] = challenge_frame
    conn.max_frame = welcome["max_frame"]
    if heartbeats:
        conn.start_heartbeats(max(100, welcome["heartbeat_interval_ms"]))
    return welcome


# ---------------------------------------------------------------------------------------------
# Message codecs used here

def decode_task_record(r):
    return {
        "id": r.u64(), "kind": r.string(), "args": r.bytes_(), "state": r.u8(), "priority": r.i32(),
        "attempts": r.u32(), "max_attempts": r.u32(), "worker": r.string(), "result": r.bytes_(),
        "error": r.string(), "created_ms": r.i64(), "started_ms": r.i64(), "finished_ms": r.i64(),
        "requires": r.list_(r.string), "run_at_ms": r.i64(), "retry_delay_ms": r.i64(), "timeout_ms": r.i64(),
    }


def decode_worker_status(r):
    return {
        "name": r.string(), "host": r.string(), "pid": r.i64(), "slots": r.u32(), "running": r.u32(),
        "done": r.u64(), "failed": r.u64(), "connected_since_ms": r.i64(), "draining": r.boolean(),
        "sent": r.u32(), "kinds": r.list_(r.string), "tags": r.list_(r.string),
    }


def decode_backlog(r):
    return {"kind": r.string(), "requires": r.list_(r.string), "ready": r.u64(), "delayed": r.u64(),
            "workers": r.u32()}


def enc_ref(ref):
    task_id, attempt = ref
    return enc_u64(task_id) + enc_u32(attempt)


def decode_ref(r):
    return (r.u64(), r.u32())


def decode_assignment(r):
    return {"id": r.u64(), "attempt": r.u32(), "kind": r.string(), "args": r.bytes_(), "timeout_ms": r.i64()}


def enc_task_spec(spec):
    kind, args, priority, timeout_ms, max_attempts = spec[:5]
    requires, delay_ms, run_at_ms, retry_delay_ms = spec[5:9] if len(spec) > 5 else ([], 0, 0, -1)
    key = spec[9] if len(spec) > 9 else None
    return (enc_string(kind) + enc_json(args) + enc_i32(priority) + enc_i64(timeout_ms) + enc_u32(max_attempts)
            + enc_list(requires, enc_string) + enc_i64(delay_ms) + enc_i64(run_at_ms) + enc_i64(retry_delay_ms)
            + enc_string(key))


def enc_task_result(res):
    task_id, attempt, outcome, result_json, error = res[:5]
    run_us, held_us = res[5:7] if len(res) > 5 else (0, 0)
    retryable = res[7] if len(res) > 7 else False
    return (enc_u64(task_id) + enc_u32(attempt) + enc_u8(outcome) + enc_bytes(result_json) + enc_string(error)
            + enc_u32(run_us) + enc_u32(held_us) + enc_bool(retryable))


# ---------------------------------------------------------------------------------------------
# The Python worker: runs `square` on a thread until stopped

class PythonWorker:
    def __init__(self, port, key, name, slots):
        self.conn = Conn(port, "worker")
        self.key = key
        self.name = name
        self.slots = slots
        self.welcome = None
        self.assignments = []  # every TaskAssignment received
        self.max_outstanding = 0
        self.first_batch = None
        self.reclaims = 0
        self.error = None
        self.stop = threading.Event()
        self.thread = None
        # Behaviour for the semantics phase, keyed by the task's n:
        self.return_once = set()  # n: give the task back with ReturnTasks the first time
        self.hold = set()  # n: keep the task without answering
        self.returned = set()
        self.held = {}  # task id -> attempt
        self.held_event = threading.Event()
        self.retry_once = set()  # n: fail the first attempt with a retryable Error
        self.garbage = set()  # n: answer Ok with a result that is not JSON
        self.retried = set()
        self.cancelled = []  # (id, attempt) from CancelTasks
        self.cancel_event = threading.Event()

    def connect(self):
        self.welcome = handshake(self.conn, self.key, ROLE_WORKER)
        hello = (enc_string(self.name) + enc_string(socket.gethostname()) + enc_i64(os.getpid())
                 + enc_u32(self.slots) + enc_list(["square"], enc_string) + enc_list(["py"], enc_string))
        self.conn.send(WORKER_HELLO, hello)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            while not self.stop.is_set():
                try:
                    msg_type, r = self.conn.recv_frame(timeout=0.2)
                except socket.timeout:
                    continue
                if msg_type == ASSIGN_TASKS:
                    tasks = r.list_(lambda: decode_assignment(r))
                    r.end()
                    self.assignments.extend(tasks)
                    self.max_outstanding = max(self.max_outstanding, len(tasks))
                    if self.first_batch is None:
                        self.first_batch = len(tasks)
                    received = time.perf_counter()
                    results, returns = [], []
                    for t in tasks:
                        try:
                            args = json.loads(t["args"].decode("utf-8"))
                            n = args["n"] if isinstance(args, dict) else args
                            if t["kind"] != "square" or not isinstance(n, int):
                                raise ValueError("cannot run %s %r" % (t["kind"], args))
                            if n in self.return_once and n not in self.returned:
                                self.returned.add(n)
                                returns.append((t["id"], t["attempt"]))
                            elif n in self.retry_once and n not in self.retried:
                                self.retried.add(n)
                                results.append((t["id"], t["attempt"], OUTCOME_ERROR, None, "busy, try later", 1, 1, True))
                            elif n in self.garbage:
                                results.append((t["id"], t["attempt"], OUTCOME_OK, b"{not json", None, 1, 1))
                            elif n in self.hold:
                                self.held[t["id"]] = t["attempt"]
                                # It starts, and says so: only now is an attempt spent.
                                self.conn.send(TASK_STARTED, enc_list([(t["id"], t["attempt"])], enc_ref))
                                self.held_event.set()
                            else:
                                started = time.perf_counter()
                                value = str(n * n).encode()
                                done = time.perf_counter()
                                results.append((t["id"], t["attempt"], OUTCOME_OK, value, None,
                                                int((done - started) * 1e6), int((done - received) * 1e6)))
                        except Exception as e:  # reported to the master as an Error outcome
                            results.append((t["id"], t["attempt"], OUTCOME_ERROR, None, str(e)))
                    if results:
                        self.conn.send(TASK_RESULTS, enc_list(results, enc_task_result))
                    if returns:
                        self.conn.send(RETURN_TASKS, enc_list(returns, enc_ref) + enc_string("test gives it back"))
                elif msg_type == RECLAIM_TASKS:
                    r.list_(lambda: decode_ref(r))
                    r.end()
                    # This worker never keeps tasks waiting for a slot: nothing to give back.
                    self.reclaims += 1
                    self.conn.send(RETURN_TASKS, enc_list([], enc_ref) + enc_string("all started"))
                elif msg_type == CANCEL_TASKS:
                    refs = r.list_(lambda: decode_ref(r))
                    r.string()
                    r.end()
                    self.cancelled.extend(refs)
                    self.cancel_event.set()
                elif msg_type == GOODBYE:
                    raise TestFailure("the master said goodbye to the worker: %s" % r.string())
                else:
                    raise TestFailure("the worker got an unexpected message type %d" % msg_type)
        except Exception as e:
            if not self.stop.is_set():
                self.error = e

    def shutdown(self):
        self.stop.set()
        if self.thread:
            self.thread.join(TIMEOUT)
        self.conn.close()


# ---------------------------------------------------------------------------------------------
# The test

class Checks:
    def __init__(self):
        self.passed = 0

    def check(self, condition, what):
        if not condition:
            raise TestFailure(what)
        self.passed += 1
        print("ok %d - %s" % (self.passed, what))


def read_listening_line(proc):
    """The first stdout line, "listening on 127.0.0.1:PORT", read without sleeping."""
    deadline = time.monotonic() + TIMEOUT
    line = b""
    fd = proc.stdout.fileno()
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TestFailure("the master printed no listening line within %.0f s" % TIMEOUT)
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 1)
        if not chunk:
            raise TestFailure("the master exited before listening (exit code %s)" % proc.wait(TIMEOUT))
        line += chunk
    return line.decode("utf-8").strip()


def status(conn, request_id):
    conn.send(STATUS_REQUEST, enc_u32(request_id))
    while True:
        msg_type, r = conn.recv_frame()
        if msg_type == STATUS_REPLY:
            break
        if msg_type == TASK_UPDATES:
            raise TestFailure("an unexpected (duplicate?) TaskUpdates arrived before the StatusReply")
        raise TestFailure("expected StatusReply, got type %d" % msg_type)
    reply = {"request_id": r.u32(), "counts": [r.u64() for _ in range(5)]}
    reply["backlog"] = r.list_(lambda: decode_backlog(r))
    reply["workers"] = r.list_(lambda: decode_worker_status(r))
    reply["last"] = r.boolean()
    reply["store_error"] = r.string()
    r.end()
    if not reply["last"]:
        raise TestFailure("a StatusReply this small should come in one frame, marked last")
    return reply


def collect_cancel_reply(conn, watched_id, records):
    """Reads until the CancelReply and the watched task's record have both arrived; returns the
    reply as (requestId, cancelled) and adds the records to `records`."""
    reply = None
    while reply is None or watched_id not in records:
        msg_type, r = conn.recv_frame()
        if msg_type == CANCEL_REPLY:
            reply = (r.u32(), r.u32())
            r.end()
        elif msg_type == TASK_UPDATES:
            for rec in r.list_(lambda: decode_task_record(r)):
                records[rec["id"]] = rec
            r.end()
        else:
            raise TestFailure("expected CancelReply or TaskUpdates, got type %d" % msg_type)
    return reply


def collect_updates(conn, want, records):
    """Reads TaskUpdates into records until every id in want is there; each id only once."""
    got = set()
    while not want <= got:
        msg_type, r = conn.recv_frame()
        if msg_type != TASK_UPDATES:
            raise TestFailure("expected TaskUpdates, got type %d" % msg_type)
        batch = r.list_(lambda: decode_task_record(r))
        r.end()
        for rec in batch:
            if rec["id"] in got:
                raise TestFailure("task %d reported twice" % rec["id"])
            got.add(rec["id"])
            records[rec["id"]] = rec


class Master:
    """`taskmaster serve --port 0` with a fresh random authkey in a temp file."""

    def __init__(self, taskmaster, extra_args=()):
        self.key = os.urandom(24).hex().encode("ascii")
        self.workdir = tempfile.mkdtemp(prefix="taskmaster-protocol-")
        self.key_file = os.path.join(self.workdir, "authkey")
        with open(self.key_file, "wb") as f:
            f.write(self.key + b"\n")  # the trailing newline is not part of the key
        os.chmod(self.key_file, 0o600)
        self.stderr_path = os.path.join(self.workdir, "master.stderr")
        self.stderr_file = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen([taskmaster, "serve", "--port", "0", "--ephemeral", "--authkey-file", self.key_file]
                                     + list(extra_args),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.stderr_file)
        self.listening_line = None
        self.port = None

    def wait_listening(self):
        self.listening_line = read_listening_line(self.proc)
        prefix = "listening on 127.0.0.1:"
        if self.listening_line.startswith(prefix) and self.listening_line[len(prefix):].isdigit():
            self.port = int(self.listening_line[len(prefix):])
        return self.port is not None

    def stderr_tail(self):
        self.stderr_file.flush()
        with open(self.stderr_path, "rb") as f:
            return f.read()[-4000:].decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(TIMEOUT)
        self.proc.stdout.close()
        self.stderr_file.close()
        for path in (self.key_file, self.stderr_path):
            try:
                os.unlink(path)
            except OSError:
                pass
        try:
            os.rmdir(self.workdir)
        except OSError:
            pass


def run(taskmaster, checks):
    master = Master(taskmaster)
    key = master.key
    conns = []
    worker = None
    try:
        checks.check(master.wait_listening(),
                     "master prints %r as its first line" % master.listening_line)
        port = master.port

        # Frame examples from the document.
        vector_kmp = session_key(b"secret", SESSION_LABEL_MP, ROLE_WORKER, 2, bytes(range(32)), bytes(range(32, 64)))
        checks.check(enc_u32(17) + b"\x0a" + frame_mac(vector_kmp, 0, b"\x0a")
                     == bytes.fromhex("000000110addca447bb5907ad31da4ee7336f6effe"),
                     "the master's first Heartbeat of the test vector (4.4) matches the document")

        # --- worker
        worker = PythonWorker(port, key, "python-doc-worker", 2)
        worker.connect()
        w = worker.welcome
        cf = w["challenge_frame"]
        checks.check(len(cf) == 49 and cf[:17] == bytes.fromhex("0000002d01544d51310003000300000020"),
                     "Challenge frame layout matches the document (49 bytes, versions 3..3, header %s)" % cf[:17].hex())
        checks.check(w["master_proof_ok"] and w["version"] == 3,
                     "worker handshake: master proof verified, version 3")
        checks.check(w["heartbeat_interval_ms"] == 2000 and w["heartbeat_timeout_ms"] == 10000
                     and w["max_frame"] == 16 * 1024 * 1024,
                     "Welcome announces heartbeat 2000/10000 ms and max frame 16 MiB (%r)"
                     % ({k: w[k] for k in ("heartbeat_interval_ms", "heartbeat_timeout_ms", "max_frame")},))

        # --- client submits 21 square tasks and watches them
        client = Conn(port, "client")
        conns.append(client)
        cw = handshake(client, key, ROLE_CLIENT)
        checks.check(cw["master_proof_ok"], "client handshake: master proof verified")

        big = 3037000499
        numbers = list(range(20)) + [big]
        specs = [("square", {"n": n}, 0, 0, 0) for n in numbers]
        client.send(SUBMIT, enc_u32(7) + enc_bool(True) + enc_list(specs, enc_task_spec))
        msg_type, r = client.recv_frame()
        if msg_type == REQUEST_FAILED:
            raise TestFailure("Submit failed: request %d: %s" % (r.u32(), r.string()))
        checks.check(msg_type == SUBMITTED, "Submit is answered by Submitted (type %d)" % msg_type)
        request_id = r.u32()
        ids = r.list_(r.u64)
        existing = r.u32()
        r.end()
        checks.check(existing == 0, "Submitted counts no task as already known without keys")
        checks.check(request_id == 7 and len(ids) == 21 and len(set(ids)) == 21,
                     "Submitted echoes request 7 with 21 distinct ids")
        expected = {task_id: n * n for task_id, n in zip(ids, numbers)}

        records = {}
        while len(records) < len(ids):
            msg_type, r = client.recv_frame()
            if msg_type != TASK_UPDATES:
                raise TestFailure("expected TaskUpdates, got type %d" % msg_type)
            batch = r.list_(lambda: decode_task_record(r))
            r.end()
            for rec in batch:
                if rec["id"] in records:
                    raise TestFailure("task %d reported twice" % rec["id"])
                if rec["id"] not in expected:
                    raise TestFailure("TaskUpdates for a task that was not submitted: %d" % rec["id"])
                records[rec["id"]] = rec
        checks.check(set(records) == set(ids), "every submitted id arrives in TaskUpdates exactly once")
        bad = [(i, STATE_NAMES[rec["state"]] if rec["state"] < 5 else rec["state"], rec["error"])
               for i, rec in records.items() if rec["state"] != 2]
        checks.check(not bad, "every task is done (state 2); not done: %r" % (bad,))
        wrong = [(i, rec["result"]) for i, rec in records.items()
                 if json.loads(rec["result"].decode("utf-8")) != expected[i]]
        checks.check(not wrong, "every result is n*n; wrong: %r" % (wrong,))
        big_id = ids[-1]
        big_result = json.loads(records[big_id]["result"].decode("utf-8"))
        checks.check(isinstance(big_result, int) and big_result == 9223372030926249001,
                     "3037000499 squared round-trips exactly as 9223372030926249001 (got %r)"
                     % records[big_id]["result"])
        checks.check(all(rec["kind"] == "square" and rec["worker"] == "python-doc-worker"
                         and rec["attempts"] == 1 and rec["max_attempts"] == 3
                         and json.loads(rec["args"].decode("utf-8")) == {"n": numbers[ids.index(i)]}
                         for i, rec in records.items()),
                     "records carry kind, args, worker name, 1 attempt of a default 3")
        checks.check(all(0 < rec["created_ms"] <= rec["started_ms"] <= rec["finished_ms"]
                         for rec in records.values()),
                     "record timestamps are ordered: created <= started <= finished")
        checks.check(all(rec["requires"] == [] and rec["run_at_ms"] == 0 and rec["retry_delay_ms"] == 1000
                         and rec["timeout_ms"] == 0 for rec in records.values()),
                     "records carry no required tags, no start time, the default retry delay 1000 and no timeout")

        if worker.error:
            raise TestFailure("the Python worker failed: %s" % worker.error)
        got = sorted(a["id"] for a in worker.assignments)
        checks.check(got == sorted(ids) and all(a["attempt"] == 1 and a["timeout_ms"] == 0
                                                for a in worker.assignments),
                     "the worker received each task once, attempt 1, no timeout")
        checks.check(worker.first_batch is not None and 1 <= worker.first_batch <= 2,
                     "the first AssignTasks filled at most the worker's 2 free slots: no prefetch window "
                     "before any result (first batch %r)" % worker.first_batch)
        checks.check(worker.max_outstanding <= 2 + 2 * 64,
                     "no AssignTasks exceeded the slots plus the largest window (largest batch %d)"
                     % worker.max_outstanding)

        # --- wrong key: AuthRejected, then the master closes that connection
        intruder = Conn(port, "wrong-key client")
        conns.append(intruder)
        try:
            handshake(intruder, key + b"x", ROLE_CLIENT)
            raise TestFailure("a client with the wrong key was let in")
        except AuthRejectedError as e:
            checks.check("authkey" in (e.args[0] or ""), "wrong key gets AuthRejected (%r)" % e.args[0])
        checks.check(intruder.expect_eof(), "the master closes the rejected connection")
        intruder.close()

        # --- status, on the first client and on a fresh one (the master still serves)
        reply = status(client, 8)
        checks.check(reply["request_id"] == 8 and reply["counts"] == [0, 0, 21, 0, 0],
                     "StatusReply counts: 21 done, nothing else (%r)" % (reply["counts"],))
        mine = [ws for ws in reply["workers"] if ws["name"] == "python-doc-worker"]
        checks.check(len(mine) == 1 and mine[0]["slots"] == 2 and mine[0]["done"] == 21
                     and mine[0]["running"] == 0 and mine[0]["sent"] == 0 and mine[0]["pid"] == os.getpid()
                     and not mine[0]["draining"] and mine[0]["kinds"] == ["square"] and mine[0]["tags"] == ["py"],
                     "StatusReply lists the Python worker by name with 2 slots, 21 done, its kinds and tags")
        checks.check(reply["backlog"] == [], "StatusReply has no backlog while nothing is queued")

        fresh = Conn(port, "second client")
        conns.append(fresh)
        handshake(fresh, key, ROLE_CLIENT)
        reply = status(fresh, 1)
        checks.check(reply["counts"][2] == 21 and any(ws["name"] == "python-doc-worker" for ws in reply["workers"]),
                     "after the rejection the master still serves a new client")

        # --- semantics: an Error fails at once, ReturnTasks spends no attempt, cancel, late results
        n_bad, n_returned, n_held, n_after = "seven", 5, 6, 7
        worker.return_once.add(n_returned)
        worker.hold.add(n_held)
        specs = [("square", {"n": n_bad}, 0, 0, 0), ("square", {"n": n_returned}, 0, 0, 1),
                 ("square", {"n": n_held}, 0, 0, 0)]
        client.send(SUBMIT, enc_u32(9) + enc_bool(True) + enc_list(specs, enc_task_spec))
        msg_type, r = client.recv_frame()
        checks.check(msg_type == SUBMITTED, "second Submit is answered by Submitted")
        r.u32()
        bad_id, returned_id, held_id = r.list_(r.u64)
        r.u32()  # existing
        r.end()
        records = {}
        collect_updates(client, {bad_id, returned_id}, records)
        rec = records[bad_id]
        checks.check(rec["state"] == 3 and rec["attempts"] == 1 and "cannot run" in (rec["error"] or ""),
                     "an Error outcome fails the task at once, without retry (%r)"
                     % ((STATE_NAMES[rec["state"]], rec["attempts"], rec["error"]),))
        rec = records[returned_id]
        seen = [a["attempt"] for a in worker.assignments if a["id"] == returned_id]
        checks.check(rec["state"] == 2 and rec["attempts"] == 1 and rec["max_attempts"] == 1
                     and rec["result"] == b"25" and seen == [1, 2],
                     "ReturnTasks requeues without spending an attempt, and the next dispatch gets a new "
                     "attempt number (max 1; assigned as attempts %r)" % seen)

        checks.check(worker.held_event.wait(TIMEOUT), "the held task reached the worker")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = status(client, 20)
            mine = [ws for ws in reply["workers"] if ws["name"] == "python-doc-worker"][0]
            if mine["running"] == 1 or time.monotonic() > deadline:
                break
        checks.check(mine["running"] == 1 and mine["sent"] == 0,
                     "after its TaskStarted the held task counts as running, not sent (%r)"
                     % ((mine["running"], mine["sent"]),))
        client.send(CANCEL_REQUEST, enc_u32(10) + enc_list([held_id], enc_u64))
        cancel_reply = collect_cancel_reply(client, held_id, records)
        checks.check(cancel_reply == (10, 1) and records[held_id]["state"] == 4
                     and records[held_id]["attempts"] == 1,
                     "CancelRequest: CancelReply(10, 1) and the watched task ends cancelled, its started attempt spent")
        checks.check(worker.cancel_event.wait(TIMEOUT) and worker.cancelled == [(held_id, worker.held[held_id])],
                     "the worker holding the task gets CancelTasks for it, naming its attempt")
        # A late result for the cancelled task, then one more task on the same worker connection:
        # once that task's result is recorded, the late one has been seen and must have been ignored.
        worker.conn.send(TASK_RESULTS, enc_list([(held_id, worker.held[held_id], OUTCOME_OK, b"36", None)],
                                                enc_task_result))
        client.send(SUBMIT, enc_u32(11) + enc_bool(True)
                    + enc_list([("square", {"n": n_after}, 0, 0, 0)], enc_task_spec))
        msg_type, r = client.recv_frame()
        checks.check(msg_type == SUBMITTED, "third Submit is answered by Submitted")
        r.u32()
        (after_id,) = r.list_(r.u64)
        r.u32()  # existing
        r.end()
        collect_updates(client, {after_id}, records)
        checks.check(records[after_id]["state"] == 2 and records[after_id]["result"] == b"49",
                     "a task submitted after the cancel runs normally")
        client.send(WATCH, enc_bool(False) + enc_list([held_id, 999999], enc_u64))
        watched = {}
        collect_updates(client, {held_id, 999999}, watched)
        checks.check(watched[held_id]["state"] == 4 and watched[held_id]["result"] in (None, b""),
                     "the late result for the cancelled task was ignored (Watch reports it cancelled)")
        checks.check(watched[999999]["state"] == 3 and "no such task" in (watched[999999]["error"] or ""),
                     "Watch on an unknown id reports a failed record")
        reply = status(client, 12)
        mine = [ws for ws in reply["workers"] if ws["name"] == "python-doc-worker"]
        checks.check(reply["counts"] == [0, 0, 23, 1, 1] and mine and mine[0]["done"] == 23
                     and mine[0]["failed"] == 1 and mine[0]["running"] == 0,
                     "final counts: 23 done, 1 failed, 1 cancelled (%r)" % (reply["counts"],))

        # --- version 2 fields: routing, a retryable error, a delay
        n_retry, n_garbage = 8, 12
        worker.retry_once.add(n_retry)
        worker.garbage.add(n_garbage)
        specs = [("square", {"n": n_retry}, 0, 0, 3, [], 0, 0, 0),  # retryable error, retried at once
                 ("square", {"n": 9}, 0, 0, 0, ["py"], 0, 0, -1),  # requires a tag the worker has
                 ("cube", {"n": 2}, 5, 0, 0, [], 0, 0, -1),  # no worker runs cube
                 ("square", {"n": 10}, 0, 0, 0, ["gpu"], 0, 0, -1),  # no worker has gpu
                 ("square", {"n": 11}, 0, 0, 0, [], 60000, 0, 250),  # delayed by a minute
                 ("square", {"n": n_garbage}, 0, 0, 0, [], 0, 0, -1)]  # answered Ok with no JSON
        client.send(SUBMIT, enc_u32(13) + enc_bool(True) + enc_list(specs, enc_task_spec))
        msg_type, r = client.recv_frame()
        checks.check(msg_type == SUBMITTED, "a Submit with version 2 fields is answered by Submitted")
        r.u32()
        retry_id, tagged_id, cube_id, gpu_id, delayed_id, garbage_id = r.list_(r.u64)
        r.u32()  # existing
        r.end()
        records = {}
        collect_updates(client, {retry_id, tagged_id, garbage_id}, records)
        rec = records[garbage_id]
        checks.check(rec["state"] == 3 and "not valid JSON" in (rec["error"] or "") and rec["result"] in (None, b""),
                     "an Ok result that is not JSON fails the task with a clear error (%r)" % rec["error"])
        rec = records[retry_id]
        attempts_seen = [a["attempt"] for a in worker.assignments if a["id"] == retry_id]
        checks.check(rec["state"] == 2 and rec["attempts"] == 2 and rec["result"] == b"64" and attempts_seen == [1, 2],
                     "a retryable Error spends its attempt and the task is retried (attempts %d, dispatches %r)"
                     % (rec["attempts"], attempts_seen))
        rec = records[tagged_id]
        checks.check(rec["state"] == 2 and rec["requires"] == ["py"] and rec["worker"] == "python-doc-worker",
                     "a task that requires the tag py runs on the worker that announced it")
        checks.check(not any(a["id"] in (cube_id, gpu_id, delayed_id) for a in worker.assignments),
                     "no task of a kind it does not run, needing a tag it lacks, or not due, reached the worker")
        reply = status(client, 14)
        backlog = {(b["kind"], tuple(b["requires"])): b for b in reply["backlog"]}
        checks.check(backlog.get(("cube", ())) == {"kind": "cube", "requires": [], "ready": 1, "delayed": 0, "workers": 0}
                     and backlog.get(("square", ("gpu",)), {}).get("workers") == 0
                     and backlog.get(("square", ()), {}).get("delayed") == 1
                     and backlog.get(("square", ()), {}).get("workers") == 1,
                     "StatusReply backlog: cube and square+gpu wait for a worker, the delayed square is counted "
                     "(%r)" % (reply["backlog"],))
        checks.check(reply["counts"][0] == 3, "the three waiting tasks count as queued (%r)" % (reply["counts"],))
        client.send(WATCH, enc_bool(False) + enc_list([delayed_id], enc_u64))
        client.send(CANCEL_REQUEST, enc_u32(15) + enc_list([delayed_id, cube_id, gpu_id], enc_u64))
        records = {}
        cancelled = collect_cancel_reply(client, delayed_id, records)
        rec = records[delayed_id]
        checks.check(cancelled == (15, 3) and rec["state"] == 4 and rec["retry_delay_ms"] == 250
                     and rec["attempts"] == 0,
                     "waiting tasks can be cancelled; the record keeps the retry delay (%r)" % (cancelled,))

        # --- version 3: idempotency keys (§8.11) and the store's health
        keyed = [("square", {"n": 12}, 0, 0, 0, [], 60000, 0, -1, "doc-key-1"),
                 ("square", {"n": 13}, 0, 0, 0, [], 60000, 0, -1, "doc-key-1"),
                 ("square", {"n": 14}, 0, 0, 0, [], 60000, 0, -1, "doc-key-2")]
        client.send(SUBMIT, enc_u32(16) + enc_bool(False) + enc_list(keyed, enc_task_spec))
        msg_type, r = client.recv_frame()
        r.u32()
        first_ids, first_existing = r.list_(r.u64), r.u32()
        r.end()
        client.send(SUBMIT, enc_u32(17) + enc_bool(False) + enc_list(keyed[2:], enc_task_spec))
        msg_type2, r = client.recv_frame()
        r.u32()
        again_ids, again_existing = r.list_(r.u64), r.u32()
        r.end()
        checks.check(msg_type == SUBMITTED == msg_type2 and first_ids[0] == first_ids[1] != first_ids[2]
                     and first_existing == 1 and again_ids == first_ids[2:] and again_existing == 1,
                     "a key names one task: a repeat in the Submit and in a later one gets its id, counted in "
                     "existing (%r %d, %r %d)" % (first_ids, first_existing, again_ids, again_existing))
        reply = status(client, 18)
        checks.check(reply["store_error"] in (None, ""), "StatusReply storeError is empty while the store is healthy")
        client.send(CANCEL_REQUEST, enc_u32(19) + enc_list(first_ids[1:], enc_u64))
        msg_type, r = client.recv_frame()
        checks.check(msg_type == CANCEL_REPLY and r.u32() == 19 and r.u32() == 2,
                     "the keyed tasks cancel like any other (2 tasks)")

        # --- an older peer is refused, and both ranges are named
        old = Conn(port, "version 2 client")
        conns.append(old)
        try:
            handshake(old, key, ROLE_CLIENT, force_version=2)
            raise TestFailure("a version 2 peer was let in")
        except AuthRejectedError as e:
            checks.check("version 2" in (e.args[0] or "") and "3 to 3" in (e.args[0] or ""),
                         "a version 2 Response gets AuthRejected naming both versions (%r)" % e.args[0])

        # --- a goodbye from the client ends its connection
        client.send(GOODBYE, enc_string("done"))
        checks.check(client.expect_eof(), "Goodbye from the client makes the master close the connection")

        if worker.error:
            raise TestFailure("the Python worker failed: %s" % worker.error)
        checks.check(master.proc.poll() is None, "the master is still running")
    except Exception:
        tail = master.stderr_tail()
        if tail:
            sys.stderr.write("--- master stderr (tail) ---\n%s\n----------------------------\n" % tail)
        raise
    finally:
        if worker:
            worker.shutdown()
        for c in conns:
            c.close()
        master.stop()


def run_limits(taskmaster, checks):
    """Caps, deadlines and heartbeats, against a master with small figures."""
    master = Master(taskmaster, ["--heartbeat-interval", "100", "--heartbeat-timeout", "400",
                                 "--max-frame", "8192", "--handshake-timeout", "500"])
    key = master.key
    conns = []

    def connect(name):
        c = Conn(master.port, name)
        conns.append(c)
        return c

    def types_of(seen):
        return [t for t, _ in seen]

    try:
        checks.check(master.wait_listening(), "second master (small limits) is listening")

        # Welcome carries the configured figures.
        alive = connect("heartbeating client")
        w = handshake(alive, key, ROLE_CLIENT)
        checks.check((w["heartbeat_interval_ms"], w["heartbeat_timeout_ms"], w["max_frame"]) == (100, 400, 8192),
                     "Welcome announces --heartbeat-interval, --heartbeat-timeout and --max-frame")

        # A peer that sends nothing after the handshake is dropped after the heartbeat timeout,
        # while the master's own heartbeats keep arriving; a peer that heartbeats stays.
        silent = connect("silent client")
        handshake(silent, key, ROLE_CLIENT, heartbeats=False)
        t0 = time.monotonic()
        closed, seen = silent.read_until_eof()
        elapsed = time.monotonic() - t0
        checks.check(closed and 0.3 <= elapsed < TIMEOUT and types_of(seen).count(HEARTBEAT) >= 1
                     and set(types_of(seen)) == {HEARTBEAT},
                     "a silent peer gets heartbeats, then is dropped without Goodbye after ~400 ms "
                     "(%.2f s, %d heartbeats)" % (elapsed, len(seen)))
        reply = status(alive, 1)
        checks.check(reply["request_id"] == 1,
                     "a peer that sends Heartbeat every interval outlives the timeout")

        # The handshake deadline: connect, read Challenge, say nothing.
        mute = connect("mute peer")
        t0 = time.monotonic()
        closed, seen = mute.read_until_eof()
        elapsed = time.monotonic() - t0
        checks.check(closed and types_of(seen) == [CHALLENGE] and 0.4 <= elapsed < TIMEOUT,
                     "a peer that does not answer the Challenge is closed after the handshake deadline "
                     "(%.2f s, no AuthRejected)" % elapsed)

        # The pre-auth cap: a length prefix over 1024 before Welcome closes the connection.
        big = connect("oversized Response")
        msg_type, _ = big.recv_frame()
        big.sock.sendall(enc_u32(PRE_AUTH_MAX_FRAME + 1))
        closed, seen = big.read_until_eof()
        checks.check(msg_type == CHALLENGE and closed and not seen,
                     "a pre-auth frame longer than 1024 bytes closes the connection at once")

        # The post-auth cap is inclusive: exactly max_frame bytes is accepted, one more is not.
        padding = 8192 - 78 - 2  # Submit body: 78 bytes + args (a null key is 4); args = a JSON string of padding chars
        payload = (enc_u32(2) + enc_bool(False)
                   + enc_list([("square", "x" * padding, 0, 0, 0)], enc_task_spec))
        checks.check(len(payload) + 1 == 8192, "test Submit body is exactly 8192 bytes")
        alive.send(SUBMIT, payload)
        msg_type, r = alive.recv_frame()
        # The frame is read and answered (not closed on); its args, over a quarter of the cap,
        # are then refused by the rule of section 10.
        refused = msg_type == REQUEST_FAILED and r.u32() == 2 and "larger than the limit" in r.string()
        checks.check(refused,
                     "a frame body of exactly --max-frame bytes is accepted, and args over max_frame / 4 "
                     "are refused with RequestFailed")
        over = connect("oversized frame")
        handshake(over, key, ROLE_CLIENT)
        over.sock.sendall(enc_u32(8192 + 16 + 1))
        closed, seen = over.read_until_eof()
        checks.check(closed and GOODBYE not in types_of(seen),
                     "a length prefix over --max-frame closes the connection without Goodbye")

        # A frame without its MAC, or with a wrong one, closes the connection without a reply.
        for name, tail in (("no MAC", b""), ("wrong MAC", bytes(16))):
            forged = connect("frame with " + name)
            handshake(forged, key, ROLE_CLIENT, heartbeats=False)
            body = enc_u8(STATUS_REQUEST) + enc_u32(9)
            forged.sock.sendall(enc_u32(len(body) + len(tail)) + body + tail)
            closed, seen = forged.read_until_eof()
            checks.check(closed and STATUS_REPLY not in types_of(seen) and GOODBYE not in types_of(seen),
                         "a frame with %s after Welcome closes the connection unanswered" % name)

        # A malformed body of a known type: Goodbye with a reason, then the close.
        bad = connect("malformed message")
        handshake(bad, key, ROLE_CLIENT)
        bad.send(STATUS_REQUEST, enc_u32(1) + b"\x00")  # one trailing byte
        closed, seen = bad.read_until_eof()
        goodbyes = [r.string() for t, r in seen if t == GOODBYE]
        checks.check(closed and len(goodbyes) == 1 and "malformed" in (goodbyes[0] or ""),
                     "a malformed StatusRequest gets Goodbye(%r) and a close" % (goodbyes[0] if goodbyes else None))

        # A known type that the role may not send: Goodbye, then the close.
        wrong = connect("worker message from a client")
        handshake(wrong, key, ROLE_CLIENT)
        wrong.send(WORKER_DRAINING)
        closed, seen = wrong.read_until_eof()
        checks.check(closed and GOODBYE in types_of(seen),
                     "a worker-only message from a client gets Goodbye and a close")

        # An unknown message type: closed without Goodbye.
        unknown = connect("unknown type")
        handshake(unknown, key, ROLE_CLIENT)
        unknown.send(99)
        closed, seen = unknown.read_until_eof()
        checks.check(closed and GOODBYE not in types_of(seen),
                     "an unknown message type closes the connection without Goodbye")

        # A worker must open with WorkerHello.
        early = connect("worker without hello")
        handshake(early, key, ROLE_WORKER)
        early.send(TASK_RESULTS, enc_list([], enc_task_result))
        closed, seen = early.read_until_eof()
        goodbyes = [r.string() for t, r in seen if t == GOODBYE]
        checks.check(closed and len(goodbyes) == 1 and "WorkerHello" in (goodbyes[0] or ""),
                     "a worker whose first message is not WorkerHello gets Goodbye(%r)"
                     % (goodbyes[0] if goodbyes else None))

        reply = status(alive, 3)
        checks.check(reply["request_id"] == 3 and master.proc.poll() is None,
                     "the second master still serves after all that")
    except Exception:
        tail = master.stderr_tail()
        if tail:
            sys.stderr.write("--- second master stderr (tail) ---\n%s\n----------------------------\n" % tail)
        raise
    finally:
        for c in conns:
            c.close()
        master.stop()


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: %s /path/to/taskmaster\n" % sys.argv[0])
        return 2
    taskmaster = sys.argv[1]
    if not os.access(taskmaster, os.X_OK):
        sys.stderr.write("not an executable: %s\n" % taskmaster)
        return 2
    checks = Checks()
    try:
        run(taskmaster, checks)
        run_limits(taskmaster, checks)
    except Exception as e:  # any failure, including a decoding error, ends the run with a message
        print("FAIL: %s: %s" % (type(e).__name__, e))
        print("%d passed, 1 failed" % checks.passed)
        return 1
    print("%d passed, 0 failed" % checks.passed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
