"""Shared test fixtures: the real `taskmaster serve` and `taskworker`, SDK workers on threads.

The binaries come from TASKMASTER_BIN and TASKWORKER_BIN (ctest sets both). Every wait is bounded
by TIMEOUT; every process a test starts is stopped in its cleanup.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from typing import List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
SDK_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(SDK_DIR))
if SDK_DIR not in sys.path:
    sys.path.insert(0, SDK_DIR)

import taskmaster  # noqa: E402

TIMEOUT = 20.0
TASKMASTER = os.environ.get("TASKMASTER_BIN", "")
TASKWORKER = os.environ.get("TASKWORKER_BIN", "")


def need_binaries(test: unittest.TestCase) -> None:
    for what, path in (("TASKMASTER_BIN", TASKMASTER), ("TASKWORKER_BIN", TASKWORKER)):
        if not path or not os.access(path, os.X_OK):
            test.fail("%s must name the built binary (got %r)" % (what, path))


def read_line(proc: subprocess.Popen, timeout: float = TIMEOUT, stream=None) -> str:
    """One line of a child's stdout, read without sleeping; fails the test on EOF or timeout."""
    stream = stream or proc.stdout
    fd = stream.fileno()
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("no line within %.0f s (so far %r)" % (timeout, line))
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 1)
        if not chunk:
            raise AssertionError("the process ended (exit %s) before a full line (so far %r)" % (proc.poll(), line))
        line += chunk
    return line.decode("utf-8").rstrip("\n")


def stop_process(proc: Optional[subprocess.Popen]) -> None:
    if proc is None:
        return
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(TIMEOUT)
    for f in (proc.stdout, proc.stderr, proc.stdin):
        if f:
            f.close()


class Master:
    """`taskmaster serve --port 0` with a fresh key; durable in ``data_dir`` if given, else --ephemeral."""

    def __init__(self, extra: List[str] = (), data_dir: Optional[str] = None, port: int = 0,
                 key: Optional[str] = None) -> None:
        self.workdir = tempfile.mkdtemp(prefix="taskmaster-sdk-")
        self.key = key or os.urandom(16).hex()
        self.key_file = os.path.join(self.workdir, "authkey")
        with open(self.key_file, "w") as f:
            f.write(self.key + "\n")
        os.chmod(self.key_file, 0o600)
        self.extra = list(extra)
        self.data_dir = data_dir
        self.port = port
        self.proc: Optional[subprocess.Popen] = None
        self.start()

    def start(self) -> None:
        store = ["--data-dir", self.data_dir] if self.data_dir else ["--ephemeral"]
        self.stderr = open(os.path.join(self.workdir, "master.stderr"), "ab")
        self.proc = subprocess.Popen([TASKMASTER, "serve", "--port", str(self.port), "--authkey-file", self.key_file]
                                     + store + self.extra, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.stderr)
        line = read_line(self.proc)
        prefix = "listening on 127.0.0.1:"
        if not line.startswith(prefix):
            raise AssertionError("unexpected first line from serve: %r" % line)
        self.port = int(line[len(prefix):])
        self.fingerprint = None
        if "--tls-cert" in self.extra:
            line = read_line(self.proc)
            prefix = "tls certificate sha256 fingerprint "
            if not line.startswith(prefix):
                raise AssertionError("unexpected second line from a TLS serve: %r" % line)
            self.fingerprint = line[len(prefix):]

    def kill(self) -> None:
        """SIGKILL, as a crash."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(TIMEOUT)
        self.proc.stdout.close()
        self.stderr.close()

    def stop(self) -> None:
        stop_process(self.proc)
        self.stderr.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def client(self, **kw) -> taskmaster.Client:
        return taskmaster.Client("127.0.0.1", self.port, key=self.key, **kw)

    def worker(self, **kw) -> taskmaster.Worker:
        kw.setdefault("grace", 2.0)
        return taskmaster.Worker("127.0.0.1", self.port, key=self.key, **kw)

    def env(self) -> dict:
        env = dict(os.environ)
        env["TASKMASTER_AUTHKEY"] = self.key
        env["TASKMASTER_HOST"] = "127.0.0.1"
        env["TASKMASTER_PORT"] = str(self.port)
        env["PYTHONPATH"] = SDK_DIR + os.pathsep + env.get("PYTHONPATH", "")
        env["PYTHONUNBUFFERED"] = "1"
        return env


class WorkerThread:
    """An SDK Worker running on a thread until stopped (drained) at cleanup."""

    def __init__(self, worker: taskmaster.Worker) -> None:
        self.worker = worker
        self.error: Optional[BaseException] = None
        self.exit_code: Optional[int] = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        if not worker.connected.wait(TIMEOUT):
            raise AssertionError("the SDK worker did not connect within %.0f s (%r)" % (TIMEOUT, self.error))

    def _run(self) -> None:
        try:
            self.exit_code = self.worker.run()
        except BaseException as e:  # reported by the test
            self.error = e

    def stop(self) -> None:
        self.worker.stop()
        self.thread.join(TIMEOUT)
        if self.thread.is_alive():
            self.worker.stop()  # a second stop gives everything back at once
            self.thread.join(TIMEOUT)
        assert not self.thread.is_alive(), "the SDK worker did not stop"


class MasterTest(unittest.TestCase):
    """A test with a master of its own, stopped at cleanup, and helpers to start workers."""

    master_args: List[str] = []

    def setUp(self) -> None:
        need_binaries(self)
        self.master = Master(self.master_args)
        self.addCleanup(self.master.stop)

    def start_worker(self, **kw) -> WorkerThread:
        wt = WorkerThread(self.master.worker(**kw))
        self.addCleanup(wt.stop)
        return wt

    def start_process(self, argv: List[str], **kw) -> subprocess.Popen:
        kw.setdefault("env", self.master.env())
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                **kw)
        self.addCleanup(stop_process, proc)
        return proc

    def start_cpp_worker(self, *args: str) -> subprocess.Popen:
        return self.start_process([TASKWORKER, "--port", str(self.master.port), *args])

    def wait_for(self, condition, what: str, timeout: float = TIMEOUT) -> None:
        """Polls the master (not a sleep for a guessed time): ``condition()`` true within ``timeout``."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                self.fail("%s: not within %.0f s" % (what, timeout))
            time.sleep(0.02)
