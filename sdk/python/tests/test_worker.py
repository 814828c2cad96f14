"""The SDK Worker against the real master: routing, Retry, errors, cancel, drain, reconnect, processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from support import HERE, TIMEOUT, Master, MasterTest, WorkerThread, read_line

import taskmaster


def cube_with_pid(n):
    """Module level, so a process pool can run it."""
    return [n ** 3, os.getpid()]


def key_in_environment():
    return os.environ.get("TASKMASTER_AUTHKEY")


def crash():
    os._exit(3)


def spin(path):
    with open(path, "w") as f:
        f.write(str(os.getpid()))
    while True:  # only a terminated process stops this
        time.sleep(0.01)


def running(pid):
    """True while the process runs (a zombie has ended). Linux: from /proc."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


class WorkerTest(MasterTest):
    def test_a_task_requiring_a_tag_goes_to_the_worker_that_has_it(self):
        for name, tags in (("plain-w", []), ("gpu-w", ["gpu"])):
            w = self.master.worker(name=name, tags=tags, slots=2)
            w.register("where", lambda n: n)
            self.start_worker_obj(w)
        with self.master.client() as c:
            handles = c.submit_many("where", range(30), requires=["gpu"])
            self.assertEqual([h.result(TIMEOUT) for h in handles], list(range(30)))
            self.assertEqual({h.record.worker for h in handles}, {"gpu-w"})
            self.assertEqual({tuple(h.record.requires) for h in handles}, {("gpu",)})

    def start_worker_obj(self, w):
        wt = WorkerThread(w)
        self.addCleanup(wt.stop)
        return wt

    def test_retry_is_retried_and_spends_an_attempt(self):
        w = self.master.worker(slots=1)
        attempts = []

        @w.task("flaky")
        def flaky(n):
            attempts.append(taskmaster.current_task().attempt)
            if len(attempts) == 1:
                raise taskmaster.Retry("busy, try later")
            return n

        self.start_worker_obj(w)
        with self.master.client() as c:
            h = c.submit("flaky", 7, retry_delay=0)
            self.assertEqual(h.result(TIMEOUT), 7)
            self.assertEqual(h.record.attempts, 2)
            self.assertEqual(attempts, [1, 2])

    def test_an_exception_fails_the_task_at_once_with_its_text(self):
        w = self.master.worker(slots=1)

        @w.task("broken")
        def broken(n):
            raise ValueError("bad input %d" % n)

        @w.task("opaque")
        def opaque():
            return object()

        self.start_worker_obj(w)
        with self.master.client() as c:
            h = c.submit("broken", 42, max_attempts=3)
            with self.assertRaises(taskmaster.TaskFailed) as cm:
                h.result(TIMEOUT)
            self.assertEqual(cm.exception.error, "ValueError: bad input 42")
            self.assertEqual((cm.exception.attempts, cm.exception.state), (1, "failed"))
            self.assertEqual(cm.exception.worker, w.name)
            with self.assertRaises(taskmaster.TaskFailed) as cm:
                c.submit("opaque").result(TIMEOUT)
            self.assertIn("not JSON-serialisable", cm.exception.error)

    def test_cancel_of_a_running_function_sets_its_flag(self):
        w = self.master.worker(slots=1)
        started, saw_cancel = threading.Event(), threading.Event()

        @w.task("wait")
        def wait_fn():
            started.set()
            if taskmaster.current_task().wait_cancelled(TIMEOUT):
                saw_cancel.set()
            return "finished anyway"

        w.register("quick", lambda n: n + 1)
        self.start_worker_obj(w)
        with self.master.client() as c:
            h = c.submit("wait")
            self.assertTrue(started.wait(TIMEOUT))
            self.assertEqual(c.cancel([h.id]), 1)
            self.assertTrue(saw_cancel.wait(TIMEOUT), "the function never saw its cancelled flag")
            with self.assertRaises(taskmaster.TaskCancelled):
                h.result(TIMEOUT)
            # The slot comes back once the function returns: the worker goes on working.
            self.assertEqual(c.submit("quick", 1).result(TIMEOUT), 2)

    def test_processes_run_tasks_and_a_cancel_terminates_the_process(self):
        saved = os.environ.get("TASKMASTER_AUTHKEY")
        self.addCleanup(lambda: os.environ.__setitem__("TASKMASTER_AUTHKEY", saved) if saved is not None
                        else os.environ.pop("TASKMASTER_AUTHKEY", None))
        os.environ["TASKMASTER_AUTHKEY"] = self.master.key
        w = taskmaster.Worker("127.0.0.1", self.master.port, slots=2, processes=True)  # the key from the environment
        w.register("cube", cube_with_pid)
        w.register("spin", spin)
        w.register("crash", crash)
        w.register("key", key_in_environment)
        self.start_worker_obj(w)
        with self.master.client() as c:
            results = c.map("cube", range(10), timeout=TIMEOUT)
            self.assertEqual([r[0] for r in results], [n ** 3 for n in range(10)])
            self.assertNotIn(os.getpid(), {r[1] for r in results})
            self.assertIsNone(c.submit("key").result(TIMEOUT), "the key reached a task process")
            pid_file = os.path.join(self.master.workdir, "spin.pid")
            h = c.submit("spin", pid_file)
            self.wait_for(lambda: os.path.exists(pid_file) and open(pid_file).read(), "spin has started")
            pid = int(open(pid_file).read())
            self.wait_for(lambda: any(x.running == 1 for x in c.status().workers), "the master has spin running")
            self.assertEqual(c.cancel([h.id]), 1)
            with self.assertRaises(taskmaster.TaskCancelled):
                h.result(TIMEOUT)
            if os.path.isdir("/proc"):
                self.wait_for(lambda: not running(pid), "the cancelled task's process ends")
            # A fresh pool takes the terminated one's place.
            self.assertEqual([r[0] for r in c.map("cube", [2, 3], timeout=TIMEOUT)], [8, 27])
            # A child that dies ends its task with a retryable error, until its attempts are spent.
            with self.assertRaises(taskmaster.TaskFailed) as cm:
                c.submit("crash", max_attempts=2, retry_delay=0).result(TIMEOUT)
            self.assertIn("process running the task died", cm.exception.error)
            self.assertEqual(cm.exception.attempts, 2)
            self.assertEqual(c.map("cube", [4], timeout=TIMEOUT)[0][0], 64)

    def test_the_worker_reconnects_when_its_master_comes_back(self):
        w = self.master.worker(slots=1)
        w.register("square", lambda n: n * n)
        self.start_worker_obj(w)
        self.master.kill()
        self.wait_for(lambda: not w.connected.is_set(), "the worker notices the master has gone")
        self.master.start()  # same port and key
        self.assertTrue(w.connected.wait(TIMEOUT), "the worker did not come back")
        with self.master.client() as c:
            self.assertEqual(c.map("square", [7], timeout=TIMEOUT), [49])
            self.assertEqual(len(c.status().workers), 1)

    def test_a_worker_started_before_its_master_waits_for_it(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        key = "waiting-key"
        w = taskmaster.Worker("127.0.0.1", port, key=key, slots=1)
        w.register("square", lambda n: n * n)
        result = {}
        t = threading.Thread(target=lambda: result.setdefault("code", w.run()), daemon=True)
        t.start()
        self.addCleanup(t.join, TIMEOUT)
        self.addCleanup(w.stop)
        m = Master(port=port, key=key)
        self.addCleanup(m.stop)
        self.assertTrue(w.connected.wait(TIMEOUT), "the worker did not connect once the master was up")
        with m.client() as c:
            self.assertEqual(c.map("square", [5, 6], timeout=TIMEOUT), [25, 36])


class WorkerProcessTest(MasterTest):
    def start_sdk_worker(self, *extra):
        return self.start_process([sys.executable, "-m", "taskmaster", "worker", "drain_tasks", *extra], cwd=HERE)

    def test_sigterm_drains_and_spends_no_attempt(self):
        proc = self.start_sdk_worker("--slots", "1", "--grace", "0.3", "--name", "drainer")
        with self.master.client() as c:
            handles = c.submit_many("hold", [1, 2])
            self.assertEqual(read_line(proc), "started 1")
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(TIMEOUT), 0)
            err = proc.stderr.read().decode()
            self.assertIn("drained", err)
            self.assertIn("go back to the master", err)
            st = c.status()
            self.assertEqual(st.count("queued"), 2)
            self.assertEqual(st.workers, [])
            # Another worker runs both; the drained start cost nothing.
            w = self.master.worker(slots=2)
            w.register("hold", lambda n: n)
            wt = WorkerThread(w)
            self.addCleanup(wt.stop)
            self.assertEqual([h.result(TIMEOUT) for h in handles], [1, 2])
            self.assertEqual([h.record.attempts for h in handles], [1, 1])

    def test_sigterm_lets_a_running_task_finish_within_the_grace(self):
        proc = self.start_sdk_worker("--slots", "1", "--grace", str(TIMEOUT))
        gate = os.path.join(tempfile.mkdtemp(prefix="taskmaster-gate-"), "gate")
        with self.master.client() as c:
            h = c.submit("gated", gate)
            self.assertEqual(read_line(proc), "started gate")
            proc.send_signal(signal.SIGTERM)
            self.wait_for(lambda: any(x.draining for x in c.status().workers), "the worker says it is draining")
            with open(gate, "w"):
                pass
            self.assertEqual(h.result(TIMEOUT), "gate")
            self.assertEqual(h.record.attempts, 1)
            self.assertEqual(proc.wait(TIMEOUT), 0)

    def test_command_line_options_reach_the_master(self):
        self.start_sdk_worker("--slots", "3", "--tag", "zone=eu", "--tag", "py", "--name", "cli-worker")
        with self.master.client() as c:
            self.wait_for(lambda: c.status().workers, "the command-line worker connects")
            (ws,) = c.status().workers
            self.assertEqual((ws.name, ws.slots, ws.kinds, ws.tags), ("cli-worker", 3, ["gated", "hold"], ["zone=eu", "py"]))
        out = subprocess.run([sys.executable, "-m", "taskmaster", "status"], env=self.master.env(), cwd=HERE,
                             capture_output=True, timeout=TIMEOUT)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.decode().splitlines(),
                         ["tasks: 0 queued, 0 running, 0 done, 0 failed, 0 cancelled",
                          "worker cli-worker: 0/3 running, 0 done, 0 failed"])

    def test_wrong_key_exits_with_a_clear_message(self):
        proc = self.start_sdk_worker("--authkey", "wrong")
        self.assertEqual(proc.wait(TIMEOUT), 3)
        self.assertIn("the authkey does not match", proc.stderr.read().decode())


if __name__ == "__main__":
    import unittest
    unittest.main()
