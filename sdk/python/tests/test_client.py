"""The Client against the real master: map, as_completed, cancel, watch across a restart, errors."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import unittest

from support import TIMEOUT, Master, MasterTest, WorkerThread, need_binaries

import taskmaster


def add_square(worker: taskmaster.Worker) -> None:
    @worker.task("square")
    def square(n):
        return n * n


class MapTest(MasterTest):
    def test_map_over_1000_squares_with_the_sdk_worker_is_ordered_and_exact(self):
        w = self.master.worker(slots=4)
        add_square(w)
        self.addCleanup(WorkerThread(w).stop)
        with self.master.client() as c:
            numbers = list(range(1000))
            self.assertEqual(c.map("square", numbers, timeout=TIMEOUT * 3), [n * n for n in numbers])

    def test_map_over_1000_squares_with_the_cpp_taskworker_is_ordered_and_exact(self):
        self.start_cpp_worker("--slots", "2")
        with self.master.client() as c:
            # Squares a double would round: every digit must arrive.
            numbers = [3037000499 - 999 + i for i in range(1000)]  # the last squares to fit in 64 bits
            self.assertEqual(c.map("square", numbers, timeout=TIMEOUT * 3), [n * n for n in numbers])

    def test_as_completed_returns_every_task_once(self):
        self.start_cpp_worker("--slots", "4")
        with self.master.client() as c:
            handles = c.submit_many("square", range(200))
            seen = [h.id for h in taskmaster.as_completed(handles, timeout=TIMEOUT * 3)]
            self.assertEqual(sorted(seen), sorted(h.id for h in handles))
            self.assertEqual(len(seen), len(set(seen)))
            self.assertEqual(sorted(c.imap_unordered("square", range(50), timeout=TIMEOUT)),
                             sorted(n * n for n in range(50)))
            done, not_done = taskmaster.wait(handles, timeout=TIMEOUT)
            self.assertEqual((len(done), len(not_done)), (200, 0))

    def test_failed_task_raises_task_failed_with_its_text(self):
        self.start_cpp_worker("--slots", "1")
        with self.master.client() as c:
            h = c.submit("square", {"n": "not a number"})
            with self.assertRaises(taskmaster.TaskFailed) as cm:
                h.result(TIMEOUT)
            self.assertIn("n", cm.exception.error)
            self.assertEqual(cm.exception.attempts, 1)
            self.assertTrue(cm.exception.worker)
            with self.assertRaises(taskmaster.TaskFailed):
                c.map("square", [1, {"n": "x"}, 3], timeout=TIMEOUT)


class SplitTest(MasterTest):
    master_args = ["--max-frame", "4096"]

    def test_submit_many_splits_under_the_max_frame_and_keeps_the_order(self):
        self.start_cpp_worker("--slots", "2")
        with self.master.client() as c:
            self.assertEqual(c.max_frame, 4096)
            # Each spec is about 650 bytes: 300 of them need dozens of Submit frames.
            args = [{"n": i, "pad": "x" * 300} for i in range(300)]
            handles = c.submit_many("echo", args)
            ids = [h.id for h in handles]
            self.assertEqual(ids, sorted(ids))
            self.assertEqual(len(set(ids)), 300)
            self.assertEqual([h.result(TIMEOUT) for h in handles], args)
            # Cancel and status replies split too; none of these are running any more.
            self.assertEqual(c.cancel(ids), 0)
            with self.assertRaises(taskmaster.SubmitRefused):
                c.submit("echo", "y" * 2000)  # over max_frame / 4: refused before anything is sent


class CancelTest(MasterTest):
    def test_cancel_of_a_queued_task(self):
        with self.master.client() as c:
            h = c.submit("nobody-runs-this", {"n": 1})
            self.assertEqual(c.status().count("queued"), 1)
            self.assertEqual(c.cancel([h.id]), 1)
            with self.assertRaises(taskmaster.TaskCancelled) as cm:
                h.result(TIMEOUT)
            self.assertIn("cancelled by client", cm.exception.error)
            self.assertTrue(h.cancelled())
            self.assertEqual(c.cancel([h.id]), 0)  # already final
            self.assertFalse(h.cancel())
            # Nothing to send is nothing sent, not an empty request.
            self.assertEqual((c.submit_many("square", []), c.map("square", []), c.cancel([])), ([], [], 0))
            self.assertEqual(list(c.watch([])), [])
            self.assertEqual(c.status().count("cancelled"), 1)

    def test_a_callback_that_raises_does_not_stop_the_client(self):
        with self.master.client() as c:
            h = c.submit("nobody-runs-this", 1)
            h.add_done_callback(lambda _: 1 / 0)
            with self.assertLogs("taskmaster.client", "ERROR"):
                self.assertEqual(c.cancel([h.id]), 1)
                with self.assertRaises(taskmaster.TaskCancelled):
                    h.result(TIMEOUT)
            self.assertEqual(c.status().count("cancelled"), 1)


class WatchRestartTest(unittest.TestCase):
    def setUp(self):
        need_binaries(self)
        self.data_dir = tempfile.mkdtemp(prefix="taskmaster-sdk-data-")
        self.addCleanup(shutil.rmtree, self.data_dir, True)
        self.master = Master(data_dir=self.data_dir)
        self.addCleanup(self.master.stop)

    def test_watch_completes_across_a_master_restart(self):
        with self.master.client() as c:
            ids = [h.id for h in c.submit_many("later", [1, 2, 3])]
            records = {}
            failure = []
            watching = threading.Event()

            def follow():
                try:
                    it = c.watch(ids, timeout=TIMEOUT * 3, reconnect_timeout=TIMEOUT * 2)
                    watching.set()
                    for rec in it:
                        records[rec.id] = rec
                except BaseException as e:
                    failure.append(e)

            t = threading.Thread(target=follow, daemon=True)
            t.start()
            self.assertTrue(watching.wait(TIMEOUT))
            # The watch is in place once the master has seen it: a status round trip orders after it.
            c.status()
            self.master.kill()
            self.master.start()  # same port, same data directory
            w = self.master.worker(slots=2)

            @w.task("later")
            def later(n):
                return n * 10

            wt = WorkerThread(w)
            self.addCleanup(wt.stop)
            t.join(TIMEOUT * 3)
            self.assertFalse(t.is_alive(), "the watch did not finish")
            self.assertEqual(failure, [])
            self.assertEqual({i: (r.state_name, r.value()) for i, r in records.items()},
                             {ids[0]: ("done", 10), ids[1]: ("done", 20), ids[2]: ("done", 30)})


class HeartbeatTest(MasterTest):
    # Short enough to show in a test, long enough that a loaded machine does not starve the peers.
    master_args = ["--heartbeat-interval", "100", "--heartbeat-timeout", "500"]

    def test_an_idle_client_and_worker_outlive_the_heartbeat_timeout(self):
        w = self.master.worker(slots=1, name="idle-worker")
        add_square(w)
        self.addCleanup(WorkerThread(w).stop)
        with self.master.client() as c:
            (before,) = c.status().workers
            h = c.submit("nobody-runs-this", 1)
            # Nothing to send for three heartbeat timeouts: only the heartbeats keep both alive.
            with self.assertRaises(TimeoutError):
                h.result(1.5)
            (after,) = c.status().workers
            self.assertEqual((after.name, after.connected_since_ms), ("idle-worker", before.connected_since_ms))
            self.assertEqual(c.map("square", [12], timeout=TIMEOUT), [144])
            self.assertFalse(h.done())


class ErrorTest(MasterTest):
    def test_wrong_key_raises_auth_error(self):
        with self.assertRaises(taskmaster.AuthError) as cm:
            taskmaster.Client("127.0.0.1", self.master.port, key="not-the-key")
        self.assertIn("authkey", str(cm.exception))
        with self.master.client() as c:  # the master goes on serving
            self.assertEqual(c.status().counts, [0, 0, 0, 0, 0])

    def test_master_down_raises_master_unreachable(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        with self.assertRaises(taskmaster.MasterUnreachable) as cm:
            taskmaster.Client("127.0.0.1", port, key="k")
        self.assertIn("cannot connect", str(cm.exception))

    def test_connection_lost_names_the_pending_tasks(self):
        c = self.master.client()
        self.addCleanup(c.close)
        h = c.submit("nobody-runs-this", 5)
        self.master.kill()
        with self.assertRaises(taskmaster.ConnectionLost) as cm:
            h.result(TIMEOUT)
        self.assertEqual(cm.exception.pending, [h.id])
        self.assertIn(str(h.id), str(cm.exception))

    def test_status_reports_backlog_and_workers(self):
        w = self.master.worker(slots=3, tags=["py"], name="status-worker")
        add_square(w)
        self.addCleanup(WorkerThread(w).stop)
        with self.master.client() as c:
            c.submit("cube", 2)
            st = c.status()
            self.assertEqual([(x.name, x.slots, x.kinds, x.tags) for x in st.workers],
                             [("status-worker", 3, ["square"], ["py"])])
            self.assertEqual([(b.kind, b.ready, b.workers) for b in st.backlog], [("cube", 1, 0)])


if __name__ == "__main__":
    unittest.main()
