"""A throwaway Taskmaster on this machine for the examples: a master on a free loopback port,
workers with the handlers an example gives, and `taskmaster submit --wait`.

    with LocalCluster(bin_dir) as cluster:
        cluster.start_worker(["--handlers", "handlers.json"])
        records = cluster.submit([{"kind": "square", "args": {"n": 3}}])

Standard library only. Everything started here is stopped when the block ends.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path


def find_binary(name, bin_dir=None):
    """The taskmaster or taskworker binary: in bin_dir if given, else on PATH."""
    if bin_dir:
        path = Path(bin_dir) / name
        if path.exists():
            return str(path)
        sys.exit(f"{name} not found in {bin_dir}")
    found = shutil.which(name)
    if not found:
        sys.exit(f"{name} not found on PATH; pass --bin DIR (the build's bin directory)")
    return found


class LocalCluster:
    """`taskmaster serve --ephemeral --port 0` and workers, sharing a fresh random authkey."""

    def __init__(self, bin_dir=None):
        self.master_bin = find_binary("taskmaster", bin_dir)
        self.worker_bin = find_binary("taskworker", bin_dir)
        # The key travels in the environment, never on a command line.
        self.env = dict(os.environ, TASKMASTER_AUTHKEY=secrets.token_hex(16))
        self.port = None
        self._master = None
        self._workers = []

    def __enter__(self):
        self._master = subprocess.Popen(
            [self.master_bin, "serve", "--ephemeral", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env, text=True)
        # Its first stdout line says where it listens: "listening on 127.0.0.1:PORT".
        ready = self._master.stdout.readline().strip()
        if not ready.startswith("listening on "):
            self.__exit__(None, None, None)
            sys.exit(f"taskmaster serve did not start: {ready!r}")
        self.port = int(ready.rsplit(":", 1)[1])
        return self

    def start_worker(self, args, cwd=None, env=None):
        """A taskworker with extra args (--handler/--handlers ...); its log goes to stderr."""
        worker = subprocess.Popen(
            [self.worker_bin, "--host", "127.0.0.1", "--port", str(self.port), *args],
            stdout=subprocess.DEVNULL, env=dict(self.env, **(env or {})), cwd=cwd)
        self._workers.append(worker)
        return worker

    def submit(self, tasks, timeout=120):
        """Submits task dicts ({"kind", "args", ...}) and waits: one record per task, by id."""
        lines = "".join(json.dumps(task) + "\n" for task in tasks)
        run = subprocess.run(
            [self.master_bin, "submit", "--host", "127.0.0.1", "--port", str(self.port), "--file", "-", "--wait"],
            input=lines, capture_output=True, text=True, env=self.env, timeout=timeout)
        records = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
        if run.returncode not in (0, 1):  # 1: some task failed, which an example may expect
            sys.exit(f"taskmaster submit failed ({run.returncode}): {run.stderr.strip()}")
        return sorted(records, key=lambda r: r["id"])

    def __exit__(self, *exc):
        for process in [*self._workers, self._master]:
            if process and process.poll() is None:
                process.terminate()  # SIGTERM: a graceful stop
        for process in [*self._workers, self._master]:
            if process:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self._master and self._master.stdout:
            self._master.stdout.close()
        return False
