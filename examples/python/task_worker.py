"""The classic task_worker.py on Taskmaster: square the numbers the master hands out.

It waits for its master if the master is not up yet, and Ctrl+C lets running tasks finish.
The address and key come from TASKMASTER_HOST, TASKMASTER_PORT and TASKMASTER_AUTHKEY.
"""
import sys

import taskmaster

worker = taskmaster.Worker()


@worker.task("square")
def square(n):
    # One write per line: tasks run on several threads at once (slots).
    sys.stdout.write("run task %d * %d...\n" % (n, n))
    sys.stdout.flush()
    return n * n


if __name__ == "__main__":
    worker.run()
