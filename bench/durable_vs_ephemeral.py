#!/usr/bin/env python3
"""Throughput and latency of no-op tasks on a durable master (--data-dir) against --ephemeral,
in the same invocation, over the real binaries on loopback.

    python3 bench/durable_vs_ephemeral.py build/bin [--tasks 10000] [--workers 4] [--slots 4]
                                          [--latency-tasks 200]

Each run starts `taskmaster serve` and the workers, then
- times `taskmaster submit --count N echo --wait` from the moment it starts until every result
  is back: tasks/s;
- sends single tasks one after another through the Python package (sdk/python) and times each
  from submit to its result: the latency a client sees, which on a durable master includes the
  commits of the task and of its result, since neither is shown before it is on disk.
Prints both for both stores, and the ratios."""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sdk", "python"))
import taskmaster  # noqa: E402  (the package in this tree, not an installed one)
import localcluster  # noqa: E402  (next to this file)


def latencies(port, count):
    """Seconds from submit to result for `count` echo tasks sent one at a time, sorted."""
    times = []
    with taskmaster.Client("127.0.0.1", int(port), key="bench-key") as client:
        for i in range(count):
            start = time.monotonic()
            if client.submit("echo", i).result(timeout=60) != i:
                sys.exit("echo returned something else")
            times.append(time.monotonic() - start)
    return sorted(times)


def percentile(sorted_values, fraction):
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def run(bindir, tasks, workers, slots, latency_tasks, extra):
    env = dict(os.environ, TASKMASTER_AUTHKEY="bench-key")
    master, port = localcluster.start_master(bindir, extra, env)
    procs = [master]
    try:
        procs += localcluster.start_workers(bindir, port, workers, slots, env)
        # Wait until every worker is connected, so both runs start from the same point.
        while True:
            status = subprocess.run([os.path.join(bindir, "taskmaster"), "status", "--port", port],
                                    capture_output=True, text=True, env=env).stdout
            if status.count("bench-") >= workers:
                break
            time.sleep(0.05)
        start = time.monotonic()
        done = subprocess.run([os.path.join(bindir, "taskmaster"), "submit", "--port", port, "--count", str(tasks),
                               "--wait", "echo", "0"], capture_output=True, text=True, env=env)
        elapsed = time.monotonic() - start
        if done.returncode != 0 or done.stdout.count("\n") != tasks:
            sys.exit("submit failed (%d): %s" % (done.returncode, done.stderr))
        return tasks / elapsed, latencies(port, latency_tasks)
    finally:
        localcluster.stop(procs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bindir")
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs of each")
    parser.add_argument("--latency-tasks", type=int, default=200, help="single tasks timed one by one")
    args = parser.parse_args()
    ephemeral, durable = 0.0, 0.0
    ephemeral_latency, durable_latency = [], []  # every round's, pooled
    for _ in range(args.rounds):
        rate, times = run(args.bindir, args.tasks, args.workers, args.slots, args.latency_tasks, ["--ephemeral"])
        ephemeral = max(ephemeral, rate)
        ephemeral_latency += times
        with tempfile.TemporaryDirectory() as data:
            rate, times = run(args.bindir, args.tasks, args.workers, args.slots, args.latency_tasks,
                              ["--data-dir", data])
        durable = max(durable, rate)
        durable_latency += times
    ephemeral_latency.sort()
    durable_latency.sort()
    print("tasks %d, workers %d x %d slots, best of %d" % (args.tasks, args.workers, args.slots, args.rounds))
    print("ephemeral: %8.0f tasks/s" % ephemeral)
    print("durable:   %8.0f tasks/s" % durable)
    print("durable / ephemeral = %.2f" % (durable / ephemeral))
    print("latency, submit to result, %d single tasks a round:" % args.latency_tasks)
    for name, fraction in (("median", 0.5), ("p99", 0.99)):
        e, d = percentile(ephemeral_latency, fraction), percentile(durable_latency, fraction)
        print("  %-6s ephemeral %6.2f ms, durable %6.2f ms, durable / ephemeral = %.2f"
              % (name, e * 1000, d * 1000, d / e))


if __name__ == "__main__":
    main()
