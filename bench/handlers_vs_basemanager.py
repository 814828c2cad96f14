#!/usr/bin/env python3
"""A Python function as a Taskmaster pipe handler against the classic BaseManager program.

The same function (n -> n * n, in Python) runs on 2 workers both ways, in one invocation:

  basemanager  bench/basemanager_baseline.py --mode throughput --workers 2: a BaseManager
               master and two worker interpreters looping get -> n*n -> put.
  pipe         taskmaster serve --ephemeral, two taskworkers, each with a pipe handler (one
               long-lived Python process per worker, "slots": 1, the worker's --slots tasks in
               flight), and `taskmaster submit --file - --wait` for all the tasks.
  once         the same with a once handler (one interpreter start per task), fewer tasks.

The clock starts once every worker is connected and warm (BaseManager: after each worker said
READY; Taskmaster: after a warm-up batch), and ends with the last result in hand (Taskmaster:
when `submit --wait` has printed every result and exited). Every result is checked.

    python3 bench/handlers_vs_basemanager.py [--build-dir build] [--tasks 20000] [--once-tasks 400]

Prints one JSON line per system, then a summary with tasks/s and the ratios.
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

HANDLER = r'''import json, sys
def square(n):
    return n * n
for line in sys.stdin:
    task = json.loads(line)
    print(json.dumps({"id": task["id"], "result": square(task["args"]["n"])}), flush=True)
'''

ONCE_HANDLER = r'''import json, sys
print(json.dumps(json.load(sys.stdin)["n"] ** 2))
'''


class Taskmaster:
    def __init__(self, bin_dir, workers, slots, handler_args):
        self.bin = Path(bin_dir)
        self.env = dict(os.environ, TASKMASTER_AUTHKEY=secrets.token_hex(16))
        self.master = subprocess.Popen([str(self.bin / "taskmaster"), "serve", "--ephemeral", "--port", "0"],
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env, text=True)
        ready = self.master.stdout.readline().strip()
        if not ready.startswith("listening on "):
            raise RuntimeError("taskmaster serve did not start: %r" % ready)
        self.port = ready.rsplit(":", 1)[1]
        self.workers = [subprocess.Popen([str(self.bin / "taskworker"), "--port", self.port, "--slots", str(slots),
                                          "--name", "bench-%d" % i, *handler_args],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)
                        for i in range(workers)]
        deadline = time.monotonic() + 30
        while len(self.status().get("workers", [])) < workers:
            if time.monotonic() > deadline:
                raise RuntimeError("the workers did not connect")
            time.sleep(0.05)

    def status(self):
        run = subprocess.run([str(self.bin / "taskmaster"), "status", "--port", self.port, "--json"],
                             capture_output=True, text=True, env=self.env)
        return json.loads(run.stdout) if run.returncode == 0 and run.stdout.strip() else {}

    def submit(self, kind, numbers):
        lines = "".join('{"kind": "%s", "args": {"n": %d}}\n' % (kind, n) for n in numbers)
        start = time.perf_counter()
        run = subprocess.run([str(self.bin / "taskmaster"), "submit", "--port", self.port, "--file", "-", "--wait"],
                             input=lines, capture_output=True, text=True, env=self.env)
        seconds = time.perf_counter() - start
        records = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
        ok = run.returncode == 0 and len(records) == len(numbers) and all(
            r["state"] == "done" and r["result"] == r["args"]["n"] ** 2 for r in records)
        return seconds, ok

    def close(self):
        for p in [*self.workers, self.master]:
            p.terminate()
        for p in [*self.workers, self.master]:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        self.master.stdout.close()


def run_taskmaster(name, bin_dir, handler_args, kind, tasks, warmup, workers, slots):
    cluster = Taskmaster(bin_dir, workers, slots, handler_args)
    try:
        cluster.submit(kind, range(warmup))  # starts the handler processes
        seconds, ok = cluster.submit(kind, range(tasks))
    finally:
        cluster.close()
    return {"system": name, "tasks": tasks, "workers": workers, "slots": slots, "seconds": round(seconds, 3),
            "tasks_per_s": round(tasks / seconds, 1), "results_ok": ok}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--once-tasks", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slots", type=int, default=2, help="tasks in flight per Taskmaster worker")
    options = parser.parse_args()
    bin_dir = Path(options.build_dir) / "bin"

    results = []
    baseline = subprocess.run([sys.executable, str(HERE / "basemanager_baseline.py"), "--mode", "throughput",
                               "--tasks", str(options.tasks), "--workers", str(options.workers)],
                              capture_output=True, text=True, check=True)
    base = json.loads(baseline.stdout.strip().splitlines()[-1])
    results.append({"system": "basemanager", "tasks": base["tasks"], "workers": base["workers"],
                    "seconds": base["seconds"], "tasks_per_s": base["tasks_per_s"], "results_ok": base["results_ok"]})
    print(json.dumps(results[-1]), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        pipe_script = Path(tmp) / "square_pipe.py"
        pipe_script.write_text(HANDLER)
        once_script = Path(tmp) / "square_once.py"
        once_script.write_text(ONCE_HANDLER)
        handlers = Path(tmp) / "handlers.json"
        handlers.write_text(json.dumps({"kinds": {"pysquare": {
            "argv": [sys.executable, "-u", str(pipe_script)], "mode": "pipe", "slots": 1}}}))
        results.append(run_taskmaster("taskmaster-pipe", bin_dir, ["--handlers", str(handlers)], "pysquare",
                                      options.tasks, 500, options.workers, options.slots))
        print(json.dumps(results[-1]), flush=True)
        results.append(run_taskmaster("taskmaster-once", bin_dir,
                                      ["--handler", "oncesquare=%s %s" % (sys.executable, once_script)], "oncesquare",
                                      options.once_tasks, 20, options.workers, options.slots))
        print(json.dumps(results[-1]), flush=True)

    by = {r["system"]: r for r in results}
    print()
    print("%-18s %8s %10s" % ("system", "tasks", "tasks/s"))
    for r in results:
        print("%-18s %8d %10.0f%s" % (r["system"], r["tasks"], r["tasks_per_s"], "" if r["results_ok"] else "  WRONG RESULTS"))
    print("pipe / basemanager: %.2fx" % (by["taskmaster-pipe"]["tasks_per_s"] / by["basemanager"]["tasks_per_s"]))
    print("pipe / once:        %.1fx" % (by["taskmaster-pipe"]["tasks_per_s"] / by["taskmaster-once"]["tasks_per_s"]))
    return 0 if all(r["results_ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
