#!/usr/bin/env python3
"""Client.map throughput of the Python SDK: 10,000 squares through `taskmaster serve --ephemeral`,
run by the SDK's own Worker (4 slots, a thread of this process, so it shares the client's GIL)
and by one C++ `taskworker --slots 4`.

Usage: TASKMASTER_BIN=build/bin/taskmaster TASKWORKER_BIN=build/bin/taskworker python3 bench/python_sdk_map.py [N]
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sdk", "python", "tests"))
from support import TASKWORKER, Master, WorkerThread, stop_process  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000

for label in ("sdk-worker", "cpp-taskworker"):
    m = Master()
    stop = None
    try:
        if label == "sdk-worker":
            w = m.worker(slots=4)
            w.register("square", lambda n: n * n)
            stop = WorkerThread(w).stop
        else:
            p = subprocess.Popen([TASKWORKER, "--port", str(m.port), "--slots", "4"], env=m.env(),
                                 stderr=subprocess.DEVNULL)
            stop = lambda: stop_process(p)  # noqa: E731
        with m.client() as c:
            c.map("square", range(100), timeout=60)  # the worker is connected and warm
            t0 = time.perf_counter()
            results = c.map("square", range(N), timeout=300)
            seconds = time.perf_counter() - t0
        if results != [n * n for n in range(N)]:
            sys.exit("%s: wrong results" % label)
        print("%s: %d squares via Client.map in %.2f s = %.0f tasks/s" % (label, N, seconds, N / seconds))
    finally:
        if stop:
            stop()
        m.stop()
