#!/usr/bin/env python3
"""Wire throughput of two builds side by side, in one invocation.

run.py's wire configuration (taskmaster serve + W taskworkers + a taskbench client, client ->
master -> worker, in memory) against two build trees, runs interleaved and alternating in
order, so that both see the same machine. For the cost of a change: build the base revision in
a second tree, then

  python3 bench/ab_wire.py --base OTHER/build --change build --workers 2 --repeat 12 [--pin]
"""

import argparse
import statistics
import sys
import types

import run as bench_run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", required=True, help="build tree of the base revision")
    parser.add_argument("--change", required=True, help="build tree of the change")
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slots", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--pin", action="store_true", help="run every process on CPU 0")
    args = parser.parse_args()
    trees = [("base", args.base), ("change", args.change)]
    benches = {name: bench_run.Bench(types.SimpleNamespace(build_dir=tree, pin=args.pin, python=sys.executable))
               for name, tree in trees}
    rates = {name: [] for name, _ in trees}
    cpu = {name: {"master": [], "workers": []} for name, _ in trees}
    for i in range(args.repeat):
        for name, _ in (trees if i % 2 == 0 else trees[::-1]):
            result = benches[name].wire("throughput", args.tasks, args.workers, args.slots)
            rates[name].append(result["tasks_per_s"])
            for side in ("master", "workers"):
                cpu[name][side].append(result["cpu_us_per_task"][side])
    for name, _ in trees:
        r = rates[name]
        print("%-6s W=%d: median %.0f tasks/s (min %.0f, max %.0f); CPU us/task: master %.1f, workers %.1f"
              % (name, args.workers, statistics.median(r), min(r), max(r),
                 statistics.median(cpu[name]["master"]), statistics.median(cpu[name]["workers"])))
    base, change = statistics.median(rates["base"]), statistics.median(rates["change"])
    print("throughput cost of the change: %.1f %%" % ((base - change) / base * 100))


if __name__ == "__main__":
    main()
