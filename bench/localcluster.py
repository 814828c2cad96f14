"""A master and its workers as real processes on loopback, for the benchmarks that measure the
binaries a user runs."""

import os
import re
import subprocess
import sys


def start_master(bindir, extra, env, stderr=subprocess.DEVNULL):
    """Starts `taskmaster serve --port 0` with extra options; returns (process, port) once it
    has said where it listens."""
    master = subprocess.Popen([os.path.join(bindir, "taskmaster"), "serve", "--port", "0"] + extra,
                              stdout=subprocess.PIPE, stderr=stderr, env=env, text=True)
    line = master.stdout.readline()
    match = re.match(r"listening on 127\.0\.0\.1:(\d+)", line)
    if not match:
        master.kill()
        master.wait()
        sys.exit("master did not start: " + line)
    return master, match.group(1)


def start_workers(bindir, port, count, slots, env):
    """Starts `count` taskworkers named bench-0, bench-1, ... with `slots` slots each."""
    return [subprocess.Popen([os.path.join(bindir, "taskworker"), "--port", port, "--slots", str(slots),
                              "--name", "bench-%d" % i],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            for i in range(count)]


def stop(processes):
    for p in processes:
        p.kill()
        p.wait()
