"""The classic task_master.py on Taskmaster: put ten numbers on the queue, print their squares.

Run a master (`taskmaster serve`) and a worker (`python task_worker.py`, or `taskworker`) first.
The address and key come from TASKMASTER_HOST, TASKMASTER_PORT (default 127.0.0.1:7600) and
TASKMASTER_AUTHKEY.
"""
import random

import taskmaster

with taskmaster.Client() as client:
    tasks = []
    for i in range(10):
        n = random.randint(0, 10000)
        print("Put task %d..." % n)
        tasks.append((n, client.submit("square", n)))
    print("Try get results...")
    for n, task in tasks:
        print("Result: %d * %d = %d" % (n, n, task.result(timeout=60)))
print("master exit.")
