#!/usr/bin/env python3
"""Throughput of N no-op tasks on a durable master (--data-dir) against --ephemeral, in the
same invocation, over the real binaries on loopback.

    python3 bench/durable_vs_ephemeral.py build/bin [--tasks 10000] [--workers 4] [--slots 4]

Each run starts `taskmaster serve`, the workers, then times `taskmaster submit --count N echo
--wait` from the moment it starts until every result is back. Prints tasks/s for both stores
and the ratio durable/ephemeral (the issue asks for at least 0.5)."""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time


def run(bindir, tasks, workers, slots, extra):
    env = dict(os.environ, TASKMASTER_AUTHKEY="bench-key")
    master = subprocess.Popen([os.path.join(bindir, "taskmaster"), "serve", "--port", "0"] + extra,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    procs = [master]
    try:
        line = master.stdout.readline()
        match = re.match(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not match:
            sys.exit("master did not start: " + line)
        port = match.group(1)
        for i in range(workers):
            procs.append(subprocess.Popen([os.path.join(bindir, "taskworker"), "--port", port, "--slots", str(slots),
                                           "--name", "bench-%d" % i],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
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
        return tasks / elapsed
    finally:
        for p in procs:
            p.kill()
            p.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bindir")
    parser.add_argument("--tasks", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs of each")
    args = parser.parse_args()
    ephemeral, durable = 0.0, 0.0
    for _ in range(args.rounds):
        ephemeral = max(ephemeral, run(args.bindir, args.tasks, args.workers, args.slots, ["--ephemeral"]))
        with tempfile.TemporaryDirectory() as data:
            durable = max(durable, run(args.bindir, args.tasks, args.workers, args.slots, ["--data-dir", data]))
    print("tasks %d, workers %d x %d slots, best of %d" % (args.tasks, args.workers, args.slots, args.rounds))
    print("ephemeral: %8.0f tasks/s" % ephemeral)
    print("durable:   %8.0f tasks/s" % durable)
    print("durable / ephemeral = %.2f" % (durable / ephemeral))


if __name__ == "__main__":
    main()
