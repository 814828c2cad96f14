"""The worker role: run registered Python functions as tasks (docs/PROTOCOL.md §7.3, §8.6, §8.7, §8.9)."""

from __future__ import annotations

import collections
import concurrent.futures
import logging
import multiprocessing
import os
import random
import signal
import socket
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence, Tuple

from . import wire
from .client import default_address
from .connection import ENV_KEY, Connection, KeyLike, TlsOptions, resolve_key
from .context import TaskContext, _init_process, _run_in_process, _run_with_context
from .errors import AuthError, IncompatibleMaster, MasterUnreachable, ProtocolError, Retry
from .framing import FrameClosed

log = logging.getLogger("taskmaster.worker")

INITIAL_BACKOFF, MAX_BACKOFF = 0.25, 10.0  # seconds, as the C++ worker
POLL = 0.05  # how often the session loop looks at drain requests and finished runs
_BAD_NAME_CHARS = set(" ,")


def check_name(what: str, text: str) -> str:
    """A kind or tag as WorkerHello allows it: 1 to 128 characters, no space, comma or control."""
    if not isinstance(text, str) or not 1 <= len(text) <= 128 or any(
            c in _BAD_NAME_CHARS or ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError("a %s must be 1 to 128 characters with no space, comma or control character: %r"
                         % (what, text))
    return text


@dataclass
class _Run:
    assignment: wire.Assignment
    ctx: TaskContext
    received: float
    started: float
    session: int
    executor: Any = None  # the pool it was submitted to
    returned: bool = False  # cancelled or given back: its outcome is not sent


class Worker:
    """Runs the functions registered with :meth:`task` for a master.

    ``slots`` tasks run at once (default: CPU count), on threads, or in processes with
    ``processes=True`` (functions must then be importable module-level functions). ``grace`` is
    how long running tasks may finish on SIGINT/SIGTERM or a DrainWorker before they are given
    back. ``once``: give up when the master cannot be reached, instead of waiting for it.
    """

    def __init__(self, host: Optional[str] = None, port: Optional[int] = None, key: KeyLike = None,
                 key_file: Optional[str] = None, name: Optional[str] = None, slots: Optional[int] = None,
                 tags: Sequence[str] = (), processes: bool = False, grace: float = 10.0, tls: bool = False,
                 ca: Optional[str] = None, fingerprint: Optional[str] = None, once: bool = False) -> None:
        self.host, self.port = default_address(host, port)
        self._key = resolve_key(key, key_file)
        self._tls = TlsOptions.make(tls, ca, fingerprint)
        self.name = name or "%s-%d" % (socket.gethostname(), os.getpid())
        self.slots = max(1, min(4096, int(slots or os.cpu_count() or 1)))
        self.tags = [check_name("tag", t) for t in tags]
        self.processes = processes
        self.grace = grace
        self.once = once
        self.functions: Dict[str, Callable[..., Any]] = {}
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._stop_requests = 0
        self._session = 0
        self._conn: Optional[Connection] = None
        self._waiting: Deque[Tuple[wire.Assignment, float]] = collections.deque()
        self._running: Dict[int, _Run] = {}
        self._busy = 0  # functions still executing, cancelled ones included: they hold a thread
        self._draining = False
        self._executor: Optional[concurrent.futures.Executor] = None
        self._pids: Dict[Tuple[int, int], int] = {}
        self._pid_queue: Any = None
        self._killed_pools: List[Any] = []  # pools we broke on purpose by terminating a process
        self.connected = threading.Event()  # set while a session is up (tests and embedders wait on it)

    # -- registering --------------------------------------------------------------------------

    def task(self, kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: ``@worker.task("square")`` registers the function for that kind."""
        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.register(kind, fn)
            return fn
        return register

    def register(self, kind: str, fn: Callable[..., Any]) -> None:
        """Registers ``fn`` to run tasks of ``kind``."""
        self.functions[check_name("kind", kind)] = fn

    # -- running ------------------------------------------------------------------------------

    def stop(self) -> None:
        """Drain as on SIGTERM: no new tasks, running ones finish within the grace period, then leave.

        A second call gives back the running tasks at once. Safe from any thread or a signal handler.
        """
        self._stop_requests += 1
        self._wake.set()

    def run(self) -> int:
        """Connects (waiting for the master with backoff), serves until drained; returns 0.

        Raises AuthError on a wrong key, IncompatibleMaster, and MasterUnreachable only with
        ``once``. Installs SIGINT/SIGTERM handlers when called from the main thread.
        """
        if not self.functions:
            raise ValueError("no task functions registered; use @worker.task(\"kind\")")
        # The key is read: neither task processes nor programs the functions start inherit it.
        os.environ.pop(ENV_KEY, None)
        restore = self._install_signals()
        self._start_executor()
        try:
            backoff = INITIAL_BACKOFF
            while not self._stop_requests:
                try:
                    conn = Connection.open(self.host, self.port, self._key, wire.ROLE_WORKER, self._tls)
                except (AuthError, IncompatibleMaster) as e:
                    log.error("%s", e)
                    raise
                except MasterUnreachable as e:
                    if self.once:
                        raise
                    delay = backoff * random.uniform(0.8, 1.2)
                    log.info("waiting for the master: %s - retrying in %.1f s", e, delay)
                    backoff = min(backoff * 2, MAX_BACKOFF)
                    self._wake.wait(delay)
                    self._wake.clear()
                    continue
                backoff = INITIAL_BACKOFF
                drained = self._serve(conn)
                if drained:
                    break
                if self.once:
                    raise MasterUnreachable("lost the master: %s" % conn.close_reason)
            return 0
        finally:
            self._stop_executor()
            for sig, old in restore:
                signal.signal(sig, old)

    def _install_signals(self) -> List[Tuple[int, Any]]:
        if threading.current_thread() is not threading.main_thread():
            return []
        restore = []
        for name in ("SIGINT", "SIGTERM"):
            sig = getattr(signal, name, None)
            if sig is not None:
                restore.append((sig, signal.signal(sig, lambda *_: self.stop())))
        return restore

    def _start_executor(self) -> None:
        if self.processes:
            # Fresh interpreters, not forks: a child holds no copy of the key, on every platform alike.
            ctx = multiprocessing.get_context("spawn")
            self._pid_queue = ctx.SimpleQueue()
            self._executor = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.slots, mp_context=ctx, initializer=_init_process, initargs=(self._pid_queue,))
        else:
            self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=self.slots,
                                                                   thread_name_prefix="taskmaster-task")

    def _stop_executor(self) -> None:
        if self._executor is not None:
            if self.processes:
                self._terminate_all()
            self._executor.shutdown(wait=not self.processes)
            self._executor = None

    # -- one session --------------------------------------------------------------------------

    def _serve(self, conn: Connection) -> bool:
        """Serves one connection. True when it ended by a finished drain, False when lost."""
        with self._lock:
            self._session += 1
            self._conn = conn
            self._draining = False
            self._waiting.clear()
            self._running.clear()
        session = self._session
        kinds = sorted(self.functions)
        try:
            conn.send(wire.Writer(wire.WORKER_HELLO).string(self.name).string(socket.gethostname())
                      .i64(os.getpid()).u32(self.slots).list_(kinds, wire.enc_string)
                      .list_(self.tags, wire.enc_string).body())
        except FrameClosed as e:
            log.warning("lost the master: %s", e)
            return False
        log.info("connected to master %s as %s with %d slots, kinds: %s%s", conn.target, self.name, self.slots,
                 ", ".join(kinds), (" tags: " + ", ".join(self.tags)) if self.tags else "")
        self.connected.set()
        grace_deadline: Optional[float] = None
        handled_stops = 0
        try:
            while True:
                if self._stop_requests > handled_stops:
                    handled_stops = self._stop_requests
                    if not self._draining:
                        grace_deadline = self._begin_drain(conn, "signal")
                    else:
                        log.warning("second stop: giving back %d running task(s) now", len(self._running))
                        grace_deadline = time.monotonic()
                if self._draining:
                    with self._lock:
                        idle = not self._running
                    if idle or (grace_deadline is not None and time.monotonic() >= grace_deadline):
                        self._finish_drain(conn)
                        return True
                try:
                    msg = conn.recv(POLL)
                except FrameClosed as e:
                    if self._draining:
                        return True
                    log.warning("lost the master: %s", e)
                    return False
                if msg is not None:
                    drain = self._handle(conn, *msg)
                    if drain and not self._draining:
                        grace_deadline = self._begin_drain(conn, "the master's DrainWorker")
        except ProtocolError as e:
            log.warning("%s", e)
            conn.goodbye(str(e))
            return False
        finally:
            self.connected.clear()
            self._drop_session()

    def _drop_session(self) -> None:
        """The master has requeued everything we held: stop it all, send nothing more about it."""
        with self._lock:
            self._session += 1
            runs = list(self._running.values())
            self._running.clear()
            self._waiting.clear()
        for run in runs:
            run.returned = True
            run.ctx._set_cancelled()
        if self.processes and runs:
            self._terminate([(r.assignment.id, r.assignment.attempt) for r in runs])

    def _handle(self, conn: Connection, msg_type: int, r: wire.Reader) -> bool:
        """Handles one message; True if the master asks us to drain."""
        if msg_type == wire.ASSIGN_TASKS:
            tasks = r.list_(lambda: wire.Assignment.read(r))
            r.end()
            for t in tasks:
                if t.kind not in self.functions:
                    raise ProtocolError("protocol violation: a task of kind %r, which this worker does not run"
                                        % t.kind)
            now = time.monotonic()
            with self._lock:
                if self._draining:
                    self._send_refs(wire.RETURN_TASKS, [(t.id, t.attempt) for t in tasks], "worker is shutting down")
                    return False
                self._waiting.extend((t, now) for t in tasks)
            self._start_waiting()
        elif msg_type == wire.CANCEL_TASKS:
            refs = r.list_(lambda: wire.read_ref(r))
            reason = r.string() or ""
            r.end()
            log.info("cancelling %d task(s): %s", len(refs), reason)
            self._cancel(refs)
        elif msg_type == wire.RECLAIM_TASKS:
            wanted = dict(r.list_(lambda: wire.read_ref(r)))
            r.end()
            with self._lock:
                back = [(a.id, a.attempt) for a, _ in self._waiting if wanted.get(a.id) == a.attempt]
                self._waiting = collections.deque((a, t) for a, t in self._waiting if wanted.get(a.id) != a.attempt)
                # Always answer, so the master stops waiting.
                self._send_refs(wire.RETURN_TASKS, back, "reclaimed for an idle worker")
        elif msg_type == wire.DRAIN_WORKER:
            reason = r.string() or ""
            r.end()
            log.info("the master asks this worker to drain: %s", reason)
            return True
        elif msg_type == wire.GOODBYE:
            log.warning("the master says goodbye: %s", r.string() or "")
        else:
            raise ProtocolError("unexpected message type %d from the master" % msg_type)
        return False

    def _send_refs(self, msg_type: int, refs: List[Tuple[int, int]], reason: Optional[str]) -> None:
        conn = self._conn
        if conn is None:
            return
        tail = wire.enc_string(reason) if reason is not None else b""
        try:
            conn.send_all(wire.list_frames(msg_type, b"", [wire.enc_ref(ref) for ref in refs], tail, conn.max_frame))
        except FrameClosed:
            pass  # the session loop notices

    # -- running tasks ------------------------------------------------------------------------

    def _start_waiting(self) -> None:
        failures: List[wire.TaskResult] = []
        with self._lock:
            while self._waiting and self._busy < self.slots and not self._draining:
                assignment, received = self._waiting.popleft()
                now = time.monotonic()
                if assignment.id in self._running:
                    failures.append(self._error(assignment, "task is already running on this worker", received, now))
                    continue
                try:
                    args = wire.loads_json(assignment.args)
                except ValueError as e:
                    failures.append(self._error(assignment, "args are not valid JSON: %s" % e, received, now))
                    continue
                ctx = TaskContext(assignment.id, assignment.attempt, assignment.kind or "", args)
                run = _Run(assignment, ctx, received, now, self._session)
                self._running[assignment.id] = run
                self._busy += 1
                fn = self.functions[assignment.kind or ""]
                # TaskStarted goes before the run can finish, so it never follows the result.
                self._send_refs(wire.TASK_STARTED, [(assignment.id, assignment.attempt)], None)
                future = self._submit(run, fn, args)
                future.add_done_callback(lambda f, run=run: self._finished(run, f))
        if failures:
            self._send_results(failures)

    def _submit(self, run: _Run, fn: Callable[..., Any], args: Any) -> "concurrent.futures.Future[Any]":
        """Hands the run to the pool (under the lock); a pool broken by a crashed child is replaced once."""
        a = run.assignment
        for _ in range(2):
            run.executor = self._executor
            try:
                if self.processes:
                    return self._executor.submit(_run_in_process, a.id, a.attempt, a.kind, fn, args)
                return self._executor.submit(_run_with_context, run.ctx, fn, args)
            except BrokenProcessPool:
                self._start_executor()
            except Exception as e:  # the run fails like any other, with the reason
                future: "concurrent.futures.Future[Any]" = concurrent.futures.Future()
                future.set_exception(e)
                return future
        future = concurrent.futures.Future()
        future.set_exception(RuntimeError("the worker's process pool cannot start processes"))
        return future

    def _finished(self, run: _Run, future: "concurrent.futures.Future[Any]") -> None:
        done = time.monotonic()
        a = run.assignment
        with self._lock:
            self._busy -= 1
            current = (self._running.get(a.id) is run and run.session == self._session and not run.returned)
            if current:
                del self._running[a.id]
            self._pids.pop((a.id, a.attempt), None)
        if current:
            result = self._outcome(run, future, done)
            if result is not None:
                self._send_results([result])
            elif self.processes:
                # Lost with a pool broken by another task's cancel: not this task's fault.
                self._send_refs(wire.RETURN_TASKS, [(a.id, a.attempt)], "the worker's process pool was restarted")
        self._start_waiting()
        self._wake.set()

    def _outcome(self, run: _Run, future: "concurrent.futures.Future[Any]", done: float) -> Optional[wire.TaskResult]:
        a = run.assignment
        conn = self._conn
        max_result = wire.max_result_size(conn.max_frame if conn else wire.MIN_MAX_FRAME)
        exc = future.exception()
        if isinstance(exc, BrokenProcessPool):
            if any(run.executor is p for p in self._killed_pools):
                return None  # lost with a pool we broke to stop another task: given back
            # Every run of a broken pool ends so, and which one crashed it is unknown: a retryable
            # error lets the innocent ones run again and the culprit use up its attempts.
            return self._error(a, "the process running the task died (%s)" % exc, run.received, run.started, done,
                               retryable=True)
        if isinstance(exc, Retry):
            return self._error(a, exc.reason, run.received, run.started, done, retryable=True)
        if exc is not None:
            return self._error(a, "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__,
                               run.received, run.started, done)
        try:
            data = wire.dumps_json(future.result())
        except (TypeError, ValueError) as e:
            return self._error(a, "the %s function returned a result that is not JSON-serialisable: %s" % (a.kind, e),
                               run.received, run.started, done)
        if len(data) > max_result:
            return self._error(a, "the result of %d bytes is larger than the master accepts (%d bytes)"
                               % (len(data), max_result), run.received, run.started, done)
        return wire.TaskResult(a.id, a.attempt, wire.OUTCOME_OK, data, None, int((done - run.started) * 1e6),
                               int((done - run.received) * 1e6))

    @staticmethod
    def _error(a: wire.Assignment, text: str, received: float, started: float, done: Optional[float] = None,
               retryable: bool = False) -> wire.TaskResult:
        done = time.monotonic() if done is None else done
        if len(text) > wire.MAX_ERROR_CHARS:
            text = text[:wire.MAX_ERROR_CHARS] + " [truncated]"
        return wire.TaskResult(a.id, a.attempt, wire.OUTCOME_ERROR, None, text, int((done - started) * 1e6),
                               int((done - received) * 1e6), retryable)

    def _send_results(self, results: List[wire.TaskResult]) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            conn.send_all(wire.list_frames(wire.TASK_RESULTS, b"", [r.encode() for r in results], b"", conn.max_frame))
        except FrameClosed:
            pass

    def _cancel(self, refs: List[Tuple[int, int]]) -> None:
        wanted = dict(refs)
        stopped = []
        with self._lock:
            # Only the dispatch named: a cancel of an earlier one must not stop a later one.
            self._waiting = collections.deque((a, t) for a, t in self._waiting if wanted.get(a.id) != a.attempt)
            for task_id, attempt in refs:
                run = self._running.get(task_id)
                if run is not None and run.assignment.attempt == attempt:
                    run.returned = True
                    run.ctx._set_cancelled()
                    del self._running[task_id]
                    stopped.append((task_id, attempt))
        if self.processes and stopped:
            self._terminate(stopped)

    # -- draining -----------------------------------------------------------------------------

    def _begin_drain(self, conn: Connection, why: str) -> float:
        with self._lock:
            self._draining = True
            back = [(a.id, a.attempt) for a, _ in self._waiting]
            self._waiting.clear()
            running = len(self._running)
        log.info("shutting down (%s): no new tasks; %d running task(s) get %.1f s to finish", why, running, self.grace)
        try:
            conn.send(wire.Writer(wire.WORKER_DRAINING).body())
        except FrameClosed:
            pass
        if back:
            self._send_refs(wire.RETURN_TASKS, back, "worker is shutting down")
        return time.monotonic() + self.grace

    def _finish_drain(self, conn: Connection) -> None:
        with self._lock:
            runs = list(self._running.values())
            self._running.clear()
            back = [(a.id, a.attempt) for a, _ in self._waiting]
            self._waiting.clear()
        for run in runs:
            run.returned = True
            run.ctx._set_cancelled()
        if runs:
            log.warning("grace period over; %d unfinished task(s) go back to the master", len(runs))
            refs = [(r.assignment.id, r.assignment.attempt) for r in runs]
            self._send_refs(wire.RETURN_TASKS, back + refs, "worker shut down before it finished")
            if self.processes:
                self._terminate(refs)
        elif back:
            self._send_refs(wire.RETURN_TASKS, back, "worker shut down before it started them")
        conn.goodbye("worker shutting down")
        log.info("worker %s drained and left the master", self.name)

    # -- processes ----------------------------------------------------------------------------

    def _collect_pids(self) -> None:
        q = self._pid_queue
        while q is not None and not q.empty():
            task_id, attempt, pid = q.get()
            with self._lock:
                self._pids[(task_id, attempt)] = pid

    def _terminate(self, refs: List[Tuple[int, int]]) -> None:
        """Ends the child processes running ``refs``. The pool breaks; a fresh one takes its place."""
        self._collect_pids()
        with self._lock:
            pids = [pid for pid in (self._pids.pop(ref, None) for ref in refs) if pid is not None]
            if not pids or self._executor is None:
                return
            old = self._executor
            # Marked before the kill: the pool's other runs fail the moment it breaks.
            self._killed_pools = self._killed_pools[-7:] + [old]
            self._start_executor()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        old.shutdown(wait=False)

    def _terminate_all(self) -> None:
        executor = self._executor
        for proc in list(getattr(executor, "_processes", {}).values() or []):
            try:
                proc.terminate()
            except Exception:
                pass

