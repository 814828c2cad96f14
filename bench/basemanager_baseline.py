#!/usr/bin/env python3
"""The Python baseline: multiprocessing.managers.BaseManager as in the classic
task_master.py / task_worker.py.

The master registers get_task_queue / get_result_queue on a BaseManager bound to
127.0.0.1 behind an authkey and starts its server (a child process); it talks to
the queues through proxies, as the classic master does. Each worker is a separate
interpreter that connects with the authkey and loops get -> n*n -> put. The
classic time.sleep(1) is removed: this measures the queue, not the sleep. The
clock starts once every worker has connected (each puts 'READY' first).

  throughput: W workers; put n = 0..N-1, then collect N results.
  latency:    one worker, one task in flight: put(n); get() -> time, N times.

Prints one JSON line: {"system", "mode", "tasks", "workers", "seconds",
"tasks_per_s", "p50_us", "p99_us", "cpu_us_per_task": {...}, "results_ok"}.
"""

import argparse
import json
import os
import queue
import subprocess
import sys
import time
from multiprocessing.managers import BaseManager

TASKS = queue.Queue()
RESULTS = queue.Queue()


class MasterManager(BaseManager):
    pass


MasterManager.register("get_task_queue", callable=lambda: TASKS)
MasterManager.register("get_result_queue", callable=lambda: RESULTS)


class WorkerManager(BaseManager):
    pass


WorkerManager.register("get_task_queue")
WorkerManager.register("get_result_queue")


def run_worker(port, authkey):
    manager = WorkerManager(address=("127.0.0.1", port), authkey=authkey)
    manager.connect()
    tasks, results = manager.get_task_queue(), manager.get_result_queue()
    results.put("READY")
    try:
        while True:
            try:
                n = tasks.get(timeout=1)
            except queue.Empty:
                continue
            if n is None:
                return
            results.put("%d * %d = %d" % (n, n, n * n))
    except (EOFError, ConnectionError):
        return


def cpu_seconds(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run_master(mode, count, workers):
    authkey = os.urandom(16).hex().encode()
    manager = MasterManager(address=("127.0.0.1", 0), authkey=authkey)
    manager.start()
    port = manager.address[1]
    tasks, results = manager.get_task_queue(), manager.get_result_queue()
    procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", str(port)],
                              env=dict(os.environ, BASELINE_AUTHKEY=authkey.decode()),
                              stdin=subprocess.DEVNULL)
             for _ in range(workers)]
    out = {"system": "py-basemanager", "mode": mode, "tasks": count, "workers": workers}
    try:
        for _ in range(workers):
            if results.get(timeout=60) != "READY":
                raise RuntimeError("a worker did not start")
        roles = {"master": [os.getpid()], "server": [manager._process.pid], "workers": [p.pid for p in procs]}
        cpu0 = {k: sum(cpu_seconds(p) for p in v) for k, v in roles.items()}
        got = []
        start = time.perf_counter()
        if mode == "throughput":
            for n in range(count):
                tasks.put(n)
            for _ in range(count):
                got.append(results.get(timeout=120))
            ok = sorted(got) == sorted("%d * %d = %d" % (n, n, n * n) for n in range(count))
        else:
            for n in range(100):  # warm-up
                tasks.put(n)
                results.get(timeout=60)
            start = time.perf_counter()
            latencies = []
            for n in range(count):
                t = time.perf_counter_ns()
                tasks.put(n)
                got.append(results.get(timeout=60))
                latencies.append((time.perf_counter_ns() - t) / 1000.0)
            ok = got == ["%d * %d = %d" % (n, n, n * n) for n in range(count)]
            out["p50_us"] = round(percentile(latencies, 50), 1)
            out["p99_us"] = round(percentile(latencies, 99), 1)
        seconds = time.perf_counter() - start
        cpu1 = {k: sum(cpu_seconds(p) for p in v) for k, v in roles.items()}
        out["seconds"] = round(seconds, 4)
        out["tasks_per_s"] = round(count / seconds, 1)
        out["cpu_us_per_task"] = {k: round((cpu1[k] - cpu0[k]) * 1e6 / count, 1) for k in roles}
        out["results_ok"] = ok
    finally:
        for _ in procs:
            tasks.put(None)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        manager.shutdown()
    return out


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        run_worker(int(sys.argv[2]), os.environ["BASELINE_AUTHKEY"].encode())
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["throughput", "latency"], default="throughput")
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    out = run_master(args.mode, args.tasks, args.workers if args.mode == "throughput" else 1)
    print(json.dumps(out), flush=True)
    return 0 if out["results_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
