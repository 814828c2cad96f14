"""Taskmaster for Python: submit tasks to a Taskmaster master, or run them as a worker.

    import taskmaster

    with taskmaster.Client("127.0.0.1", 7600, key_file="~/.taskmaster.key") as client:
        print(client.map("square", range(10)))

    worker = taskmaster.Worker("127.0.0.1", 7600)

    @worker.task("square")
    def square(n):
        return n * n

    worker.run()

The protocol is docs/PROTOCOL.md (version 2); standard library only.
"""

from .client import Client
from .connection import resolve_key
from .context import TaskContext, current_task
from .errors import (AuthError, ConnectionLost, IncompatibleMaster, MasterUnreachable, ProtocolError, Retry,
                     SubmitRefused, TaskCancelled, TaskFailed, TaskmasterError, WaitTimeout)
from .handle import ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, TaskHandle, as_completed, wait
from .wire import Status, TaskRecord, TaskSpec
from .worker import Worker

__version__ = "0.1.0"

__all__ = [
    "Client", "Worker", "TaskHandle", "TaskRecord", "TaskSpec", "Status", "TaskContext", "current_task",
    "as_completed", "wait", "ALL_COMPLETED", "FIRST_COMPLETED", "FIRST_EXCEPTION", "resolve_key",
    "TaskmasterError", "AuthError", "MasterUnreachable", "ConnectionLost", "TaskFailed", "TaskCancelled",
    "IncompatibleMaster", "ProtocolError", "SubmitRefused", "Retry", "WaitTimeout",
]
