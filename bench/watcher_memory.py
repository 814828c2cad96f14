#!/usr/bin/env python3
"""Resident memory of a master whose watchers never read, against one without watchers, in the
same invocation, over the real binaries on loopback (Linux: reads /proc/PID/status).

    python3 bench/watcher_memory.py build/bin [--tasks 20000] [--args-size 16000] [--watchers 5]

Each run starts `taskmaster serve` (durable, in a fresh --data-dir), connects --watchers raw
clients through the Python SDK's connection that send Watch{all}, keep their heartbeats going
and never read, starts the workers, and then runs `taskmaster submit --count N --wait echo ARGS`
with ARGS of --args-size bytes, so every finished record carries them twice (args and result).
Once every result is back it reads the master's VmRSS and VmHWM. Prints both runs and the ratio
watchers/control (the issue asks for at most 1.3), and one JSON line. --heartbeat-timeout is
passed to the master: it is also the grace time after which a peer that takes nothing is
dropped; a long one keeps the watchers connected for the whole run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "sdk", "python"))
import localcluster  # noqa: E402  (next to this file)

KEY = "watcher-memory-bench-key"


def proc_status_kib(pid, field):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def open_watcher(port):
    """A client that watches every task and never reads; its heartbeat thread keeps it alive."""
    from taskmaster import wire
    from taskmaster.connection import Connection
    conn = Connection.open("127.0.0.1", port, KEY.encode(), wire.ROLE_CLIENT)
    conn.send_all(wire.list_frames(wire.WATCH, b"\x01", [], b"", conn.max_frame))
    return conn


def run(args, watchers):
    env = dict(os.environ, TASKMASTER_AUTHKEY=KEY)
    tool = lambda name: os.path.join(args.bindir, name)  # noqa: E731
    with tempfile.TemporaryDirectory() as data, tempfile.TemporaryFile("w+") as log:
        serve = ["--data-dir", data]
        if args.heartbeat_timeout:
            serve += ["--heartbeat-timeout", str(args.heartbeat_timeout)]
        master, port = localcluster.start_master(args.bindir, serve, env, stderr=log)
        procs = [master]
        conns = []
        try:
            conns = [open_watcher(int(port)) for _ in range(watchers)]
            procs += localcluster.start_workers(args.bindir, port, args.workers, args.slots, env)
            task_args = json.dumps({"pad": "x" * args.args_size})
            start = time.monotonic()
            done = subprocess.run([tool("taskmaster"), "submit", "--port", port, "--count", str(args.tasks),
                                   "--wait", "echo", task_args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=env)
            elapsed = time.monotonic() - start
            if done.returncode != 0 or done.stdout.count(b"\n") != args.tasks:
                sys.exit("submit failed (%d): %s" % (done.returncode, done.stderr.decode(errors="replace")))
            rss = proc_status_kib(master.pid, "VmRSS")
            hwm = proc_status_kib(master.pid, "VmHWM")
            log.seek(0)
            dropped = log.read().count("not reading what it is sent")
            return {"watchers": watchers, "rss_kib": rss, "hwm_kib": hwm, "dropped": dropped,
                    "seconds": round(elapsed, 1)}
        finally:
            for conn in conns:
                conn.abort("benchmark over")
            localcluster.stop(procs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bindir")
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--args-size", type=int, default=16000)
    parser.add_argument("--watchers", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--heartbeat-timeout", type=int, default=0, help="ms; 0: the master's default")
    args = parser.parse_args()
    if not sys.platform.startswith("linux"):
        print("skipped: reads the resident set from /proc (Linux only)")
        return
    control = run(args, 0)
    watched = run(args, args.watchers)
    print("tasks %d with %d-byte args through echo, %d workers x %d slots, heartbeat timeout %s"
          % (args.tasks, args.args_size, args.workers, args.slots,
             "%d ms" % args.heartbeat_timeout if args.heartbeat_timeout else "default"))
    for r in (control, watched):
        print("%d watchers that never read: master VmRSS %7.1f MB, VmHWM %7.1f MB, %d dropped, %.1f s"
              % (r["watchers"], r["rss_kib"] / 1024, r["hwm_kib"] / 1024, r["dropped"], r["seconds"]))
    ratio = watched["rss_kib"] / control["rss_kib"]
    peak = watched["hwm_kib"] / control["hwm_kib"]
    print("VmRSS %d watchers / control = %.2f (VmHWM %.2f); target <= 1.3" % (args.watchers, ratio, peak))
    print(json.dumps({"control": control, "watched": watched, "rss_ratio": round(ratio, 3),
                      "hwm_ratio": round(peak, 3)}))


if __name__ == "__main__":
    main()
