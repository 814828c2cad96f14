"""Exceptions of the Taskmaster SDK, catchable by kind.

Everything the SDK raises on purpose derives from :class:`TaskmasterError`.
"""

from __future__ import annotations

import concurrent.futures as _futures
from typing import Iterable, List, Optional


class TaskmasterError(Exception):
    """Base class of every error the SDK raises."""


class AuthError(TaskmasterError):
    """The master refused our authkey, or could not prove it knows the same key. Do not retry."""


class IncompatibleMaster(TaskmasterError):
    """The peer is not a Taskmaster master we can talk to (version, TLS, magic). Do not retry."""


class MasterUnreachable(TaskmasterError):
    """No master answered at the address (refused, timed out, name not found)."""


class ProtocolError(TaskmasterError):
    """The master sent something the protocol does not allow; the connection is closed."""


class ConnectionLost(TaskmasterError):
    """The connection to the master broke. ``pending`` lists the task ids not known to be final."""

    def __init__(self, reason: str, pending: Iterable[int] = ()) -> None:
        self.reason = reason
        self.pending: List[int] = sorted(pending)
        shown = ", ".join(str(i) for i in self.pending[:20])
        if len(self.pending) > 20:
            shown += ", … (%d in all)" % len(self.pending)
        text = "lost the master: %s" % reason
        if self.pending:
            text += "; still pending: %s (watch them to follow them across a reconnect)" % shown
        super().__init__(text)


class SubmitRefused(TaskmasterError):
    """The master refused a Submit (RequestFailed), or a spec is invalid before sending."""


class TaskFailed(TaskmasterError):
    """A task ended failed or cancelled. Carries the master's record of it."""

    def __init__(self, record: "object") -> None:
        self.record = record
        self.task_id: int = getattr(record, "id", 0)
        self.error: str = getattr(record, "error", None) or ""
        self.attempts: int = getattr(record, "attempts", 0)
        self.worker: Optional[str] = getattr(record, "worker", None) or None
        self.state: str = getattr(record, "state_name", "failed")
        where = " on %s" % self.worker if self.worker else ""
        super().__init__("task %d %s after %d attempt(s)%s: %s"
                         % (self.task_id, self.state, self.attempts, where, self.error))


class TaskCancelled(TaskFailed):
    """A task was cancelled (by a client, an operator, or a cancel() of ours)."""


class Retry(Exception):
    """Raise inside a task function to fail this attempt with a retryable error.

    The master runs the task again after its retry delay while attempts remain.
    """

    def __init__(self, reason: str = "retry requested") -> None:
        super().__init__(reason)
        self.reason = reason


_TIMEOUT_BASES = ((TimeoutError,) if _futures.TimeoutError is TimeoutError
                  else (TimeoutError, _futures.TimeoutError))  # before Python 3.11 they differ


class WaitTimeout(*_TIMEOUT_BASES):  # type: ignore[misc]
    """A wait for tasks or for a reply ran out of time; the tasks go on. Catch it as TimeoutError
    (or concurrent.futures.TimeoutError)."""
