"""Tasks for `python -m taskmaster worker drain_tasks` in the worker tests."""

import os

import taskmaster

worker = taskmaster.Worker(slots=1)


@worker.task("hold")
def hold(n):
    """Runs until it is cancelled or given back; says when it starts."""
    print("started %d" % n, flush=True)
    taskmaster.current_task().wait_cancelled(60)
    return n


@worker.task("gated")
def gated(path):
    """Runs until the file ``path`` exists, then returns its name."""
    print("started %s" % os.path.basename(path), flush=True)
    ctx = taskmaster.current_task()
    while not os.path.exists(path) and not ctx.wait_cancelled(0.02):
        pass
    return os.path.basename(path)
