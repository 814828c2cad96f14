#!/usr/bin/env python3
"""Taskmaster against the Python BaseManager baseline and the raw TCP floor, side by side.

Builds what it needs (cmake --build), then runs every configuration --repeat times,
interleaved, and prints a table of medians (min..max) with each Taskmaster figure as a
ratio against the baseline measured in this same invocation, plus one JSON line per
figure. --pin runs every process on CPU 0 (taskset), where wake-up costs vanish.

  python3 bench/run.py                 # the full comparison (a few minutes)
  python3 bench/run.py --smoke         # tiny N, one repeat: proves the harness works
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from basemanager_baseline import cpu_seconds  # noqa: E402  (one reading of /proc for both)


def run_json(cmd, env=None, timeout=600):
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL, timeout=timeout, check=True, text=True).stdout
    line = [l for l in out.splitlines() if l.startswith("{")][-1]
    result = json.loads(line)
    if not result.get("results_ok", False):
        raise RuntimeError("wrong results from %s" % " ".join(cmd))
    return result


class Bench:
    def __init__(self, args):
        self.args = args
        self.bin = os.path.join(args.build_dir, "bin")
        self.prefix = ["taskset", "-c", "0"] if args.pin else []
        self.key = os.urandom(16).hex()

    def tool(self, name):
        return os.path.join(self.bin, name)

    def baseline(self, mode, tasks, workers):
        return run_json(self.prefix + [self.args.python, os.path.join(HERE, "basemanager_baseline.py"),
                                       "--mode", mode, "--tasks", str(tasks), "--workers", str(workers)])

    def floor(self, tasks):
        return run_json(self.prefix + [self.tool("tcp_pingpong"), str(tasks)])

    def inproc(self, mode, tasks, workers, slots):
        return run_json(self.prefix + [self.tool("taskbench"), "inproc-" + mode, "--tasks", str(tasks),
                                       "--workers", str(workers), "--slots", str(slots),
                                       "--worker-bin", self.tool("taskworker")])

    def memory(self, tasks):
        return run_json(self.prefix + [self.tool("taskbench"), "memory", "--tasks", str(tasks)])

    def store(self, tasks):
        return run_json(self.prefix + [self.tool("taskbench"), "store", "--tasks", str(tasks)])

    @contextlib.contextmanager
    def cluster(self, workers, slots):
        """taskmaster serve --ephemeral and W taskworkers, each waited for until it says it is
        ready; yields (port, env with the key, pids by role)."""
        env = dict(os.environ, TASKMASTER_AUTHKEY=self.key)
        serve = subprocess.Popen(self.prefix + [self.tool("taskmaster"), "serve", "--port", "0", "--ephemeral"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        workers_p = []
        try:
            port = int(re.match(r"listening on 127\.0\.0\.1:(\d+)", serve.stdout.readline()).group(1))
            for i in range(workers):
                workers_p.append(subprocess.Popen(
                    self.prefix + [self.tool("taskworker"), "--port", str(port), "--slots", str(slots),
                                   "--name", "bench-%d" % i], env=env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
            for w in workers_p:  # readiness: each worker says it is connected
                for line in w.stderr:
                    if "connected to master" in line:
                        break
            yield port, env, {"master": [serve.pid], "workers": [w.pid for w in workers_p]}
        finally:
            for p in workers_p + [serve]:
                p.terminate()
            for p in workers_p + [serve]:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()

    def wire(self, mode, tasks, workers, slots):
        """taskmaster serve + W taskworkers + a taskbench client: client -> master -> worker.
        In memory (--ephemeral), like the BaseManager queue it is compared with."""
        with self.cluster(workers, slots) as (port, env, pids):
            cpu0 = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
            result = run_json(self.prefix + [self.tool("taskbench"), "client-" + mode, "--port", str(port),
                                             "--tasks", str(tasks)], env=env)
            cpu1 = {k: sum(cpu_seconds(p) for p in v) for k, v in pids.items()}
            count = tasks + (100 if mode == "latency" else 0)
            result["cpu_us_per_task"] = {k: round((cpu1[k] - cpu0[k]) * 1e6 / count, 1) for k in pids}
            result["workers"] = workers
            return result

    def cli(self, tasks, workers, slots, wait):
        """What a user runs: taskmaster submit --file tasks.jsonl [--wait], against serve with W
        workers (with --wait) or none (without: the tasks stay queued). Wall time from start to
        exit, and the client's own CPU time from its rusage."""
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            for i in range(tasks):
                f.write('{"kind":"square","args":{"n":%d}}\n' % (i % 1000))
            path = f.name
        try:
            with self.cluster(workers if wait else 0, slots) as (port, env, pids):
                cmd = self.prefix + [self.tool("taskmaster"), "submit", "--port", str(port), "--file", path]
                if wait:
                    cmd.append("--wait")
                with tempfile.TemporaryFile() as out:
                    start = time.perf_counter()
                    client = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
                    _, status, usage = os.wait4(client.pid, 0)
                    seconds = time.perf_counter() - start
                    client.returncode = os.waitstatus_to_exitcode(status)
                    out.seek(0)
                    lines = out.read().count(b"\n")
            return {"tasks": tasks, "workers": workers if wait else 0, "wait": wait,
                    "tasks_per_s": tasks / seconds,
                    "client_cpu_us_per_task": round((usage.ru_utime + usage.ru_stime) * 1e6 / tasks, 2),
                    "results_ok": client.returncode == 0 and lines == tasks}
        finally:
            os.unlink(path)


def summarize(values):
    return statistics.median(values), min(values), max(values)


def fmt(value, digits=0):
    return "{:,.{d}f}".format(value, d=digits).replace(",", " ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tasks", type=int, default=20000, help="throughput tasks per run")
    parser.add_argument("--latency-tasks", type=int, default=2000)
    parser.add_argument("--memory-tasks", type=int, default=1000000)
    parser.add_argument("--cli-tasks", type=int, default=1000000, help="tasks of the submit without --wait")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--slots", type=int, default=1, help="slots per Taskmaster worker (BaseManager workers take one task at a time)")
    parser.add_argument("--pin", action="store_true", help="run every process on CPU 0")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repeat (CI)")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--python", default=shutil.which("python3") or sys.executable)
    args = parser.parse_args()
    if args.smoke:
        args.repeat, args.tasks, args.latency_tasks, args.memory_tasks, args.workers = 1, 300, 100, 20000, "1,2"
        args.cli_tasks = 2000
    if args.pin and not shutil.which("taskset"):
        parser.error("--pin needs taskset (util-linux)")
    if not args.no_build:
        subprocess.run(["cmake", "--build", args.build_dir, "--target", "taskbench", "tcp_pingpong",
                        "taskmaster", "taskworker"], check=True, stdout=subprocess.DEVNULL)

    bench = Bench(args)
    workers = [int(w) for w in args.workers.split(",")]
    runs = {}

    def record(key, result):
        runs.setdefault(key, []).append(result)
        print(json.dumps(dict(result, figure=key, pinned=args.pin)), flush=True)

    for _ in range(args.repeat):  # interleaved, so drift hits every system alike
        for w in workers:
            record("throughput py-basemanager W=%d" % w, bench.baseline("throughput", args.tasks, w))
            record("throughput taskmaster-wire W=%d" % w, bench.wire("throughput", args.tasks, w, args.slots))
            record("throughput taskmaster-inproc W=%d" % w, bench.inproc("throughput", args.tasks, w, args.slots))
        record("latency tcp-floor", bench.floor(args.latency_tasks * 10))
        record("latency py-basemanager", bench.baseline("latency", args.latency_tasks, 1))
        record("latency taskmaster-wire", bench.wire("latency", args.latency_tasks, 1, 1))
        record("latency taskmaster-inproc", bench.inproc("latency", args.latency_tasks, 1, 1))
        # The path a user runs, beside taskbench's wire client at the same W in this round.
        record("cli submit --wait W=2", bench.cli(args.tasks, 2, args.slots, True))
    record("cli submit no-wait", bench.cli(args.cli_tasks, 0, args.slots, False))
    record("memory taskmaster-inproc", bench.memory(args.memory_tasks))
    record("store taskmaster-inproc", bench.store(args.memory_tasks))

    print("\nTaskmaster benchmark%s: median of %d (min..max); ratios against the same invocation's runs"
          % (" (every process pinned to CPU 0)" if args.pin else "", args.repeat))
    print("\n| throughput, %d square tasks | W | tasks/s | vs BaseManager same W | CPU µs/task master | workers |" % args.tasks)
    print("|---|---|---|---|---|---|")
    for w in workers:
        base = summarize([r["tasks_per_s"] for r in runs["throughput py-basemanager W=%d" % w]])
        for system in ("py-basemanager", "taskmaster-wire", "taskmaster-inproc"):
            rs = runs["throughput %s W=%d" % (system, w)]
            med, lo, hi = summarize([r["tasks_per_s"] for r in rs])
            cpu = rs[len(rs) // 2].get("cpu_us_per_task", {})
            print("| %s | %d | **%s** (%s..%s) | %s | %s | %s |" % (
                system, w, fmt(med), fmt(lo), fmt(hi),
                "1.0×" if system == "py-basemanager" else "**%.1f×**" % (med / base[0]),
                fmt(cpu.get("master", 0)), fmt(cpu.get("workers", 0))))
    floor = summarize([r["p50_us"] for r in runs["latency tcp-floor"]])[0]
    base_lat = summarize([r["p50_us"] for r in runs["latency py-basemanager"]])[0]
    print("\n| latency, one task at a time | p50 µs | p99 µs | p50 / floor | p50 / BaseManager |")
    print("|---|---|---|---|---|")
    for system in ("tcp-floor", "py-basemanager", "taskmaster-wire", "taskmaster-inproc"):
        rs = runs["latency %s" % system]
        p50, lo, hi = summarize([r["p50_us"] for r in rs])
        p99 = summarize([r["p99_us"] for r in rs])[0]
        print("| %s | **%s** (%s..%s) | %s | %.2f× | %.2f× |" % (
            system, fmt(p50, 1), fmt(lo, 1), fmt(hi, 1), fmt(p99, 1), p50 / floor, p50 / base_lat))
    wire2 = "throughput taskmaster-wire W=2"
    if wire2 in runs:
        cli = summarize([r["tasks_per_s"] for r in runs["cli submit --wait W=2"]])
        wire = summarize([r["tasks_per_s"] for r in runs[wire2]])[0]
        base2 = summarize([r["tasks_per_s"] for r in runs["throughput py-basemanager W=2"]])[0]
        cpu = summarize([r["client_cpu_us_per_task"] for r in runs["cli submit --wait W=2"]])[0]
        print("\n| the CLI path, %d squares | tasks/s | vs taskbench wire W=2 | vs BaseManager W=2 | client CPU µs/task |" % args.tasks)
        print("|---|---|---|---|---|")
        print("| `taskmaster submit --file … --wait`, W=2 | **%s** (%s..%s) | **%.2f×** | **%.1f×** | %s |" % (
            fmt(cli[0]), fmt(cli[1]), fmt(cli[2]), cli[0] / wire, cli[0] / base2, fmt(cpu, 1)))
        nw = runs["cli submit no-wait"][0]
        print("| `taskmaster submit --file …` of %s tasks, no workers | **%s** | | | %s |" % (
            fmt(nw["tasks"]), fmt(nw["tasks_per_s"]), fmt(nw["client_cpu_us_per_task"], 1)))
    mem = runs["memory taskmaster-inproc"][0]
    print("\n| memory, %d queued tasks in-process | peak RSS MB | enqueue tasks/s |" % mem["tasks"])
    print("|---|---|---|")
    print("| taskmaster-inproc | **%s** | **%s** |" % (fmt(mem["peak_rss_mb"]), fmt(mem["tasks_per_s"])))
    st = runs["store taskmaster-inproc"][0]
    print("\n| durable store, %d tasks | insert rows/s | update rows/s | durable / ephemeral submit |" % st["tasks"])
    print("|---|---|---|---|")
    print("| taskmaster-inproc | **%s** | **%s** | %.1f× |" % (
        fmt(st["insert_rows_per_s"]), fmt(st["update_rows_per_s"]), st["durable_ratio"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
