"""What a running task function can ask about itself: :func:`current_task`."""

from __future__ import annotations

import threading
from typing import Any, Optional

_local = threading.local()


class TaskContext:
    """The task a function is running for. ``cancelled`` turns true when the master cancels it
    (a client's cancel, or its timeout); a long function should check it and return early."""

    def __init__(self, task_id: int, attempt: int, kind: str, args: Any) -> None:
        self.id = task_id
        self.attempt = attempt
        self.kind = kind
        self.args = args
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait_cancelled(self, timeout: Optional[float] = None) -> bool:
        """Sleeps up to ``timeout`` seconds, waking at once on a cancel; True if cancelled."""
        return self._cancel.wait(timeout)

    def _set_cancelled(self) -> None:
        self._cancel.set()


def current_task() -> TaskContext:
    """The context of the task this thread runs. Raises RuntimeError outside a task function.

    In a worker with ``processes=True`` the context lives in the child process and ``cancelled``
    stays false there: a cancelled process is terminated instead.
    """
    ctx = getattr(_local, "ctx", None)
    if ctx is None:
        raise RuntimeError("taskmaster.current_task() is only available inside a task function")
    return ctx


def _run_with_context(ctx: TaskContext, fn: Any, args: Any) -> Any:
    _local.ctx = ctx
    try:
        return call_with_args(fn, args)
    finally:
        _local.ctx = None


def call_with_args(fn: Any, args: Any) -> Any:
    """Calls ``fn`` with a task's args: an object as keywords, null as no argument, else one argument."""
    if isinstance(args, dict):
        return fn(**args)
    if args is None:
        return fn()
    return fn(args)


def _run_in_process(task_id: int, attempt: int, kind: str, fn: Any, args: Any) -> Any:
    """The child side of a process task: announce the pid, then run with a context of its own."""
    if _pid_queue is not None:
        import os
        _pid_queue.put((task_id, attempt, os.getpid()))
    return _run_with_context(TaskContext(task_id, attempt, kind, args), fn, args)


_pid_queue: Any = None


def _init_process(pid_queue: Any) -> None:
    global _pid_queue
    _pid_queue = pid_queue
    # Ctrl+C reaches the whole process group; draining is the parent's job, so a child goes on.
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
