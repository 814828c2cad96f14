"""Task handles: future-like objects for submitted or watched tasks, and helpers over many."""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
import time
from typing import Any, Callable, Iterable, Iterator, List, Optional, Set, Tuple

from .errors import TaskCancelled, TaskFailed, WaitTimeout
from .wire import TaskRecord

log = logging.getLogger("taskmaster.client")

FIRST_COMPLETED = concurrent.futures.FIRST_COMPLETED
FIRST_EXCEPTION = concurrent.futures.FIRST_EXCEPTION
ALL_COMPLETED = concurrent.futures.ALL_COMPLETED


class TaskHandle:
    """One task on the master, like a :class:`concurrent.futures.Future`.

    ``result()`` returns the task's decoded JSON result, or raises :class:`TaskFailed` /
    :class:`TaskCancelled` with the master's record, or :class:`ConnectionLost`.
    """

    def __init__(self, kind: str, cancel: Optional[Callable[[List[int]], int]] = None,
                 survives_reconnect: bool = False) -> None:
        self.kind = kind
        self.id: Optional[int] = None
        self.record: Optional[TaskRecord] = None
        self._exc: Optional[BaseException] = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: List[Callable[["TaskHandle"], None]] = []
        self._cancel = cancel
        self.survives_reconnect = survives_reconnect

    def __repr__(self) -> str:
        state = self.record.state_name if self.record else ("error" if self._exc else "pending")
        return "<TaskHandle id=%s kind=%s %s>" % (self.id, self.kind, state)

    def done(self) -> bool:
        """True once the task is final (or its connection was lost)."""
        return self._done.is_set()

    def result(self, timeout: Optional[float] = None) -> Any:
        """The task's result; waits up to ``timeout`` seconds (WaitTimeout, a TimeoutError, after that)."""
        exc = self.exception(timeout)
        if exc is not None:
            raise exc
        assert self.record is not None
        return self.record.value()

    def exception(self, timeout: Optional[float] = None) -> Optional[BaseException]:
        """The task's failure, or None if it is done; waits like :meth:`result`."""
        if not self._done.wait(timeout):
            raise WaitTimeout("task %s (%s) not finished within %s s" % (self.id, self.kind, timeout))
        return self._exc

    def cancel(self) -> bool:
        """Asks the master to cancel the task; True if it was queued or running."""
        if self.id is None or self._cancel is None or self.done():
            return False
        return self._cancel([self.id]) > 0

    def cancelled(self) -> bool:
        return isinstance(self._exc, TaskCancelled)

    def add_done_callback(self, fn: Callable[["TaskHandle"], None]) -> None:
        """Calls ``fn(handle)`` when the task is final (at once if it already is)."""
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(fn)
                return
        self._call(fn)

    # -- called by the client's reader -------------------------------------------------------

    def _finish(self, record: Optional[TaskRecord], exc: Optional[BaseException] = None) -> None:
        with self._lock:
            if self._done.is_set():
                return
            self.record = record
            if exc is None and record is not None and record.state != 2:
                exc = TaskCancelled(record) if record.state == 4 else TaskFailed(record)
            self._exc = exc
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for fn in callbacks:
            self._call(fn)

    def _call(self, fn: Callable[["TaskHandle"], None]) -> None:
        # Callbacks run on the client's reader: one that raises must not stop the reading.
        try:
            fn(self)
        except Exception:
            log.exception("a done callback of %r raised", self)


def as_completed(handles: Iterable[TaskHandle], timeout: Optional[float] = None) -> Iterator[TaskHandle]:
    """Yields each handle once, as its task finishes, like :func:`concurrent.futures.as_completed`."""
    pending = list(dict.fromkeys(handles))
    finished: "queue.Queue[TaskHandle]" = queue.Queue()
    for h in pending:
        h.add_done_callback(finished.put)
    deadline = None if timeout is None else time.monotonic() + timeout
    for _ in range(len(pending)):
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            yield finished.get(timeout=wait)
        except queue.Empty:
            raise WaitTimeout("tasks not finished within %s s" % timeout) from None


def wait(handles: Iterable[TaskHandle], timeout: Optional[float] = None,
         return_when: str = ALL_COMPLETED) -> Tuple[Set[TaskHandle], Set[TaskHandle]]:
    """(done, not_done) like :func:`concurrent.futures.wait`."""
    pending = set(handles)
    done: Set[TaskHandle] = set()
    try:
        for h in as_completed(pending, timeout):
            done.add(h)
            if return_when == FIRST_COMPLETED:
                break
            if return_when == FIRST_EXCEPTION and h.exception(0) is not None:
                break
    except WaitTimeout:
        pass
    return done, pending - done
