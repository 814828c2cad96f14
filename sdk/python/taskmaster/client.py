"""The client role: submit tasks, follow them, ask for status, cancel (docs/PROTOCOL.md §7.4, §8.8)."""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import queue
import random
import threading
import time
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from . import wire
from .connection import Connection, KeyLike, TlsOptions, resolve_key
from .errors import (AuthError, ConnectionLost, IncompatibleMaster, MasterUnreachable, ProtocolError,
                     SubmitRefused, TaskmasterError, WaitTimeout)
from .framing import FrameClosed
from .handle import ALL_COMPLETED, TaskHandle, as_completed, wait

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7600
ENV_HOST, ENV_PORT = "TASKMASTER_HOST", "TASKMASTER_PORT"
MAX_REQUIRES = 16
MAX_DELAY_MS = 31_622_400_000
MAX_KEY_LENGTH = 512  # UTF-16 code units, as the master counts
_LOST = object()  # put in a watch queue when the connection goes


def default_address(host: Optional[str], port: Optional[int]) -> Tuple[str, int]:
    """``host``/``port``, else TASKMASTER_HOST/TASKMASTER_PORT, else 127.0.0.1:7600."""
    return (host or os.environ.get(ENV_HOST) or DEFAULT_HOST,
            int(port if port is not None else os.environ.get(ENV_PORT) or DEFAULT_PORT))


def _ms(seconds: Optional[float], what: str, default: int = 0) -> int:
    if seconds is None:
        return default
    if seconds < 0:
        raise ValueError("%s must not be negative (%r)" % (what, seconds))
    return int(round(seconds * 1000))


class _Request:
    def __init__(self, kind: int, handles: Sequence[TaskHandle] = ()) -> None:
        self.kind = kind
        self.handles = list(handles)
        self.future: "concurrent.futures.Future[Any]" = concurrent.futures.Future()
        self.counts: List[int] = []
        self.backlog: List[wire.Backlog] = []
        self.workers: List[wire.WorkerStatus] = []


class Client:
    """A connection to a master in the client role. Use as a context manager.

    ``key``/``key_file`` as for :func:`taskmaster.connection.resolve_key` (TASKMASTER_AUTHKEY by
    default); ``tls``, ``ca`` or ``fingerprint`` (SHA-256 of the master's DER certificate) for
    TLS. Raises MasterUnreachable, AuthError or IncompatibleMaster at once if it cannot connect.
    """

    def __init__(self, host: Optional[str] = None, port: Optional[int] = None, key: KeyLike = None,
                 key_file: Optional[str] = None, tls: bool = False, ca: Optional[str] = None,
                 fingerprint: Optional[str] = None, connect_timeout: float = 10.0) -> None:
        self.host, self.port = default_address(host, port)
        self._key = resolve_key(key, key_file)
        self._tls = TlsOptions.make(tls, ca, fingerprint)
        self._connect_timeout = connect_timeout
        self._lock = threading.RLock()
        self._reconnect_lock = threading.Lock()
        self._request_ids = itertools.count(1)
        self._requests: Dict[int, _Request] = {}
        self._handles: Dict[int, List[TaskHandle]] = {}
        self._watch_queues: List["queue.Queue[Any]"] = []
        self._closing = False
        self._generation = 0
        self._conn: Optional[Connection] = None
        self._connect()

    # -- connection ---------------------------------------------------------------------------

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def max_frame(self) -> int:
        return self._conn.max_frame if self._conn else wire.MIN_MAX_FRAME

    def _connect(self) -> None:
        conn = Connection.open(self.host, self.port, self._key, wire.ROLE_CLIENT, self._tls, self._connect_timeout)
        with self._lock:
            self._conn = conn
            self._goodbye: Optional[str] = None
            self._generation += 1
            generation = self._generation
        threading.Thread(target=self._read_loop, args=(conn, generation), name="taskmaster-client-reader",
                         daemon=True).start()

    def close(self) -> None:
        """Says Goodbye and closes. Tasks still pending get ConnectionLost."""
        self._closing = True
        conn = self._conn
        if conn is not None and not conn.closed:
            conn.goodbye("client closing")
        self._lost("the client was closed")

    def _live(self) -> Connection:
        """The current connection; one reconnect attempt if it was lost."""
        conn = self._conn
        if self._closing:
            raise TaskmasterError("the client is closed")
        if conn is None or conn.closed:
            try:
                self._connect()
            except MasterUnreachable as e:
                raise ConnectionLost(str(e)) from None
            conn = self._conn
        assert conn is not None
        return conn

    def _read_loop(self, conn: Connection, generation: int) -> None:
        try:
            while True:
                msg = conn.recv(None)
                if msg is None:
                    continue
                self._dispatch(conn, *msg)
        except FrameClosed as e:
            reason = str(e)
        except ProtocolError as e:
            reason = str(e)
            conn.abort(reason)
        except Exception as e:  # a bug must not leave waiters hanging
            reason = "internal error: %r" % (e,)
            conn.abort(reason)
        with self._lock:
            if generation != self._generation:
                return
        self._lost(self._goodbye or conn.close_reason or reason)

    def _lost(self, reason: str) -> None:
        with self._lock:
            requests, self._requests = self._requests, {}
            pending = sorted(i for i, hs in self._handles.items() if hs)
            dropped: List[TaskHandle] = []
            for task_id in list(self._handles):
                keep = [h for h in self._handles[task_id] if h.survives_reconnect and not self._closing]
                dropped += [h for h in self._handles[task_id] if h not in keep]
                if keep:
                    self._handles[task_id] = keep
                else:
                    del self._handles[task_id]
            queues = list(self._watch_queues)
        for req in requests.values():
            if not req.future.done():
                req.future.set_exception(ConnectionLost(reason, [h.id for h in req.handles if h.id is not None]))
            for h in req.handles:
                if h.id is None:
                    h._finish(None, ConnectionLost(reason, pending))
        for h in dropped:
            h._finish(None, ConnectionLost(reason, pending))
        for q in queues:
            q.put(_LOST)

    def _dispatch(self, conn: Connection, msg_type: int, r: wire.Reader) -> None:
        if msg_type == wire.TASK_UPDATES:
            records = r.list_(lambda: wire.TaskRecord.read(r))
            r.end()
            for rec in records:
                with self._lock:
                    handles = self._handles.pop(rec.id, [])
                for h in handles:
                    h._finish(rec)
        elif msg_type in (wire.SUBMITTED, wire.REQUEST_FAILED, wire.STATUS_REPLY, wire.CANCEL_REPLY):
            self._reply(msg_type, r)
        elif msg_type == wire.GOODBYE:
            self._goodbye = "the master said goodbye: %s" % (r.string() or "")
        else:
            raise ProtocolError("the master sent a message of type %d to a client" % msg_type)

    def _reply(self, msg_type: int, r: wire.Reader) -> None:
        if msg_type == wire.STATUS_REPLY:
            request_id, counts, backlog, workers, last, store_error = wire.read_status_frame(r)
        else:
            request_id = r.u32()
        with self._lock:
            req = self._requests.get(request_id)
            expected = {wire.SUBMITTED: wire.SUBMIT, wire.REQUEST_FAILED: wire.SUBMIT,
                        wire.STATUS_REPLY: wire.STATUS_REQUEST, wire.CANCEL_REPLY: wire.CANCEL_REQUEST}[msg_type]
            if req is None or req.kind != expected:
                raise ProtocolError("the master answered request %d, which this client did not make" % request_id)
            if msg_type == wire.SUBMITTED:
                ids = r.list_(r.u64)
                r.u32()  # existing: how many the master already had under their keys
                r.end()
                if len(ids) != len(req.handles):
                    raise ProtocolError("Submitted lists %d ids for %d tasks" % (len(ids), len(req.handles)))
                # Bound here, on the reader, before any TaskUpdates about them is read.
                for h, task_id in zip(req.handles, ids):
                    h.id = task_id
                    self._handles.setdefault(task_id, []).append(h)
                result: Any = ids
            elif msg_type == wire.REQUEST_FAILED:
                reason = r.string() or ""
                r.end()
                del self._requests[request_id]
                exc = SubmitRefused("the master refused the submission: %s" % reason)
                for h in req.handles:
                    h._finish(None, exc)
                req.future.set_exception(exc)
                return
            elif msg_type == wire.CANCEL_REPLY:
                result = r.u32()
                r.end()
            else:
                req.counts = counts
                req.backlog = backlog
                req.workers += workers
                if not last:
                    return
                result = wire.Status(req.counts, req.backlog, req.workers, store_error)
            del self._requests[request_id]
        req.future.set_result(result)

    def _send_request(self, kind: int, build, handles: Sequence[TaskHandle] = ()) -> _Request:
        """Registers a request, then sends ``build(request_id)``; the reply resolves its future."""
        conn = self._live()
        req = _Request(kind, handles)
        with self._lock:
            request_id = next(self._request_ids) & 0xFFFFFFFF
            self._requests[request_id] = req
        try:
            conn.send(build(request_id))
        except FrameClosed as e:
            self._lost(str(e))
        return req

    @staticmethod
    def _await(req: _Request, timeout: Optional[float]) -> Any:
        try:
            return req.future.result(timeout)
        except concurrent.futures.TimeoutError:
            raise WaitTimeout("no answer from the master within %s s" % timeout) from None

    # -- submitting ---------------------------------------------------------------------------

    def submit(self, kind: str, args: Any = None, priority: int = 0, timeout: Optional[float] = None,
               max_attempts: int = 0, requires: Sequence[str] = (), delay: Optional[float] = None,
               retry_delay: Optional[float] = None, run_at: Optional[float] = None,
               key: Optional[str] = None) -> TaskHandle:
        """Submits one task; returns its handle once the master has accepted it (it is durable then).

        ``args`` is any JSON value (None is JSON null). ``timeout``, ``delay`` and ``retry_delay``
        are in seconds (``retry_delay`` None: the master's default); ``run_at`` is a Unix time;
        ``max_attempts`` 0 means the master's default (3); ``requires`` are worker tags. ``key`` is
        an idempotency key: if the master still has a task submitted under it, that task's handle
        comes back and nothing is added (PROTOCOL.md §8.11).
        """
        return self.submit_many(kind, [args], priority, timeout, max_attempts, requires, delay, retry_delay,
                                run_at, keys=None if key is None else [key])[0]

    def submit_many(self, kind: str, args_list: Iterable[Any], priority: int = 0, timeout: Optional[float] = None,
                    max_attempts: int = 0, requires: Sequence[str] = (), delay: Optional[float] = None,
                    retry_delay: Optional[float] = None, run_at: Optional[float] = None,
                    keys: Optional[Sequence[Optional[str]]] = None) -> List[TaskHandle]:
        """Submits one task per item of ``args_list``, split into Submit frames under the master's cap.

        ``keys``, if given, holds an idempotency key (or None) for each item."""
        common = dict(kind=kind, priority=priority, timeout_ms=_ms(timeout, "timeout"), max_attempts=max_attempts,
                      requires=list(requires), delay_ms=_ms(delay, "delay"),
                      run_at_ms=_ms(run_at, "run_at"), retry_delay_ms=_ms(retry_delay, "retry_delay", -1))
        specs = []
        args_list = list(args_list)
        if keys is not None and len(keys) != len(args_list):
            raise SubmitRefused("%d keys for %d tasks" % (len(keys), len(args_list)))
        for i, args in enumerate(args_list):
            try:
                encoded = wire.dumps_json(args)
            except (TypeError, ValueError) as e:
                raise SubmitRefused("args for a %s task are not JSON-serialisable: %s" % (kind, e)) from None
            key = None if keys is None else keys[i]
            specs.append(wire.TaskSpec(args=encoded, key=key, **common))  # type: ignore[arg-type]
        return self.submit_specs(specs)

    def submit_specs(self, specs: Sequence[wire.TaskSpec]) -> List[TaskHandle]:
        """Submits prepared specs (all checked first; sent in frames under ``max_frame``)."""
        if not specs:
            return []
        conn = self._live()
        max_args = wire.max_args_size(conn.max_frame)
        for i, spec in enumerate(specs):
            if not spec.kind or not spec.kind.strip() or len(spec.kind) > 256:
                raise SubmitRefused("task %d of %d: the kind must be 1 to 256 characters" % (i + 1, len(specs)))
            if len(spec.args) > max_args:
                raise SubmitRefused("task %d of %d: args of %d bytes are larger than the master accepts (%d bytes)"
                                    % (i + 1, len(specs), len(spec.args), max_args))
            if len(spec.requires) > MAX_REQUIRES:
                raise SubmitRefused("task %d of %d: at most %d required tags" % (i + 1, len(specs), MAX_REQUIRES))
            if not 0 <= spec.delay_ms <= MAX_DELAY_MS:
                raise SubmitRefused("task %d of %d: delay out of range (0 to 366 days)" % (i + 1, len(specs)))
            if spec.key is not None and len(spec.key.encode("utf-16-le", "surrogatepass")) // 2 > MAX_KEY_LENGTH:
                raise SubmitRefused("task %d of %d: a key has at most %d characters" % (i + 1, len(specs), MAX_KEY_LENGTH))
        encoded = [spec.encode() for spec in specs]
        base = 1 + 4 + 1 + 4
        requests: List[_Request] = []
        start = 0
        for run in wire.split_runs(encoded, base, conn.max_frame):
            handles = [TaskHandle(specs[start + k].kind, self.cancel) for k in range(len(run))]
            start += len(run)
            body_tail = wire.enc_list(run, lambda b: b)
            requests.append(self._send_request(
                # watch = true: every handle gets its task's final record.
                wire.SUBMIT, lambda rid, tail=body_tail: wire.Writer(wire.SUBMIT).u32(rid).boolean(True).raw(tail).body(),
                handles))
        handles_out: List[TaskHandle] = []
        accepted: List[int] = []
        for req in requests:
            try:
                accepted += req.future.result()
            except SubmitRefused as e:
                if accepted:
                    raise SubmitRefused("%s (the %d tasks before it were submitted: ids %d to %d)"
                                        % (e, len(accepted), accepted[0], accepted[-1])) from None
                raise
            handles_out += req.handles
        return handles_out

    # -- results ------------------------------------------------------------------------------

    def map(self, kind: str, iterable: Iterable[Any], timeout: Optional[float] = None, **options: Any) -> List[Any]:
        """Runs one task per item and returns the results in input order, like ``Pool.map``.

        Raises the first TaskFailed in input order. ``timeout`` bounds the whole wait (seconds);
        other options as for :meth:`submit` (task ``timeout`` as ``task_timeout``).
        """
        handles = self._submit_for_results(kind, iterable, options)
        deadline = None if timeout is None else time.monotonic() + timeout
        return [h.result(None if deadline is None else max(0.0, deadline - time.monotonic())) for h in handles]

    def imap_unordered(self, kind: str, iterable: Iterable[Any], timeout: Optional[float] = None,
                       **options: Any) -> Iterator[Any]:
        """Yields results as the tasks finish, like ``Pool.imap_unordered``; a failure raises TaskFailed."""
        for h in as_completed(self._submit_for_results(kind, iterable, options), timeout):
            yield h.result(0)

    def _submit_for_results(self, kind: str, iterable: Iterable[Any], options: Dict[str, Any]) -> List[TaskHandle]:
        if "task_timeout" in options:
            options["timeout"] = options.pop("task_timeout")
        return self.submit_many(kind, iterable, **options)

    as_completed = staticmethod(as_completed)
    wait = staticmethod(wait)
    ALL_COMPLETED = ALL_COMPLETED

    # -- status and cancel --------------------------------------------------------------------

    def status(self, timeout: Optional[float] = 30.0) -> wire.Status:
        """The master's counts by state, backlog and workers."""
        req = self._send_request(wire.STATUS_REQUEST, lambda rid: wire.Writer(wire.STATUS_REQUEST).u32(rid).body())
        return self._await(req, timeout)

    def cancel(self, ids: Iterable[int], timeout: Optional[float] = 30.0) -> int:
        """Cancels the tasks that are queued or running; returns how many were."""
        items = [wire.enc_u64(i) for i in ids]
        if not items:
            return 0
        conn = self._live()
        reqs = [self._send_request(wire.CANCEL_REQUEST,
                                   lambda rid, run=run: wire.Writer(wire.CANCEL_REQUEST).u32(rid)
                                   .raw(wire.enc_list(run, lambda b: b)).body())
                for run in wire.split_runs(items, 1 + 4 + 4, conn.max_frame)]
        return sum(self._await(req, timeout) for req in reqs)

    # -- watching -----------------------------------------------------------------------------

    def watch(self, ids: Iterable[int], timeout: Optional[float] = None,
              reconnect_timeout: float = 60.0) -> Iterator[wire.TaskRecord]:
        """Yields the final record of each task once, as it finishes, in any order.

        If the master goes away, reconnects with backoff for up to ``reconnect_timeout`` seconds
        and watches the tasks not yet final again, so a watch outlives a master restart. Raises
        ConnectionLost when the master stays away, WaitTimeout after ``timeout``.
        """
        wanted = list(dict.fromkeys(ids))
        results: "queue.Queue[Any]" = queue.Queue()
        handles = []
        with self._lock:
            self._watch_queues.append(results)
            for task_id in wanted:
                h = TaskHandle("", self.cancel, survives_reconnect=True)
                h.id = task_id
                h.add_done_callback(results.put)
                self._handles.setdefault(task_id, []).append(h)
                handles.append(h)
        deadline = None if timeout is None else time.monotonic() + timeout
        remaining = set(wanted)
        try:
            self._send_watch(wanted)
            while remaining:
                wait_for = None if deadline is None else deadline - time.monotonic()
                if wait_for is not None and wait_for <= 0:
                    raise WaitTimeout("%d watched task(s) not finished within %s s" % (len(remaining), timeout))
                try:
                    item = results.get(timeout=wait_for)
                except queue.Empty:
                    continue
                if item is _LOST:
                    if self._conn is not None and not self._conn.closed:
                        continue  # another watcher reconnected already
                    self._reconnect(reconnect_timeout, sorted(remaining))
                    continue
                if item.record is None:
                    raise item.exception(0)
                remaining.discard(item.id)
                yield item.record
        finally:
            with self._lock:
                self._watch_queues.remove(results)
                for h in handles:
                    hs = self._handles.get(h.id, [])
                    if h in hs:
                        hs.remove(h)
                        if not hs:
                            del self._handles[h.id]

    def _send_watch(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        conn = self._live()
        items = [wire.enc_u64(i) for i in ids]
        try:
            conn.send_all(wire.list_frames(wire.WATCH, b"\x00", items, b"", conn.max_frame))
        except FrameClosed as e:
            self._lost(str(e))

    def _reconnect(self, reconnect_timeout: float, pending: Sequence[int]) -> None:
        """Reconnects with backoff and jitter, then re-watches every id a surviving handle waits for."""
        deadline = time.monotonic() + reconnect_timeout
        backoff = 0.25
        last_error = "the master went away"
        with self._reconnect_lock:
            while self._conn is None or self._conn.closed:
                if self._closing:
                    raise ConnectionLost("the client was closed", pending)
                try:
                    self._connect()
                    break
                except (AuthError, IncompatibleMaster):
                    raise
                except MasterUnreachable as e:
                    last_error = str(e)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ConnectionLost("%s; gave up after %.0f s" % (last_error, reconnect_timeout), pending)
                time.sleep(min(left, backoff * random.uniform(0.8, 1.2)))
                backoff = min(backoff * 2, 5.0)
            with self._lock:
                ids = sorted(i for i, hs in self._handles.items() if any(h.survives_reconnect for h in hs))
        self._send_watch(ids)
