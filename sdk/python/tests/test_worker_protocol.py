"""The Worker against a scripted master, for what the real master cannot be made to send on cue:
ReclaimTasks of prefetched tasks, CancelTasks of a waiting one, and DrainWorker."""

from __future__ import annotations

import os
import socket
import threading
import unittest

from support import TIMEOUT

import taskmaster
from taskmaster import wire
from taskmaster.connection import (SESSION_LABEL_MASTER_TO_PEER, SESSION_LABEL_PEER_TO_MASTER, master_proof,
                                   peer_proof, session_key)
from taskmaster.framing import Framer

KEY = b"scripted-key"


class ScriptedMaster:
    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.server.settimeout(TIMEOUT)
        self.port = self.server.getsockname()[1]
        self.framer = None

    def accept(self):
        sock, _ = self.server.accept()
        self.framer = Framer(sock)
        nm = os.urandom(32)
        self.send(wire.Writer(wire.CHALLENGE).u32(wire.MAGIC).u16(wire.VERSION).u16(wire.VERSION).bytes_(nm))
        t, r = self.recv()
        assert t == wire.RESPONSE, t
        version, role, np, mac = r.u16(), r.u8(), r.bytes_(), r.bytes_()
        r.end()
        assert (version, role) == (wire.VERSION, wire.ROLE_WORKER) and mac == peer_proof(KEY, role, version, nm, np)
        self.send(wire.Writer(wire.WELCOME).u16(wire.VERSION).bytes_(master_proof(KEY, role, version, nm, np))
                  .u32(2000).u32(10000).u32(1 << 20))
        # Every frame after Welcome carries a MAC, as from the real master (PROTOCOL.md §4.4).
        self.framer.start_frame_authentication(
                session_key(KEY, SESSION_LABEL_MASTER_TO_PEER, role, version, nm, np),
                session_key(KEY, SESSION_LABEL_PEER_TO_MASTER, role, version, nm, np))
        self.framer.authenticated(1 << 20)

    def send(self, writer):
        self.framer.send(writer.body())

    def recv(self):
        """The next frame that is not a Heartbeat."""
        while True:
            body = self.framer.read(TIMEOUT)
            if body[0] != wire.HEARTBEAT:
                return body[0], wire.Reader(body, 1)

    def expect_refs(self, msg_type, with_reason=True):
        t, r = self.recv()
        assert t == msg_type, "expected type %d, got %d" % (msg_type, t)
        refs = r.list_(lambda: wire.read_ref(r))
        if with_reason:
            r.string()
        r.end()
        return refs

    def close(self):
        if self.framer:
            self.framer.close()
        self.server.close()


class WorkerProtocolTest(unittest.TestCase):
    def test_reclaim_cancel_of_a_waiting_task_and_drain_worker(self):
        m = ScriptedMaster()
        self.addCleanup(m.close)
        w = taskmaster.Worker("127.0.0.1", m.port, key=KEY, name="scripted", slots=1, tags=["t1"], grace=0.2)
        w.register("hold", lambda n: taskmaster.current_task().wait_cancelled(TIMEOUT) and None)
        exit_code = []
        t = threading.Thread(target=lambda: exit_code.append(w.run()), daemon=True)
        t.start()
        self.addCleanup(t.join, TIMEOUT)
        self.addCleanup(w.stop)
        m.accept()
        typ, r = m.recv()
        self.assertEqual(typ, wire.WORKER_HELLO)
        hello = (r.string(), r.string(), r.i64(), r.u32(), r.list_(r.string), r.list_(r.string))
        r.end()
        self.assertEqual((hello[0], hello[3], hello[4], hello[5]), ("scripted", 1, ["hold"], ["t1"]))
        # Three tasks for one slot: the first starts, two wait in the local queue.
        tasks = [wire.enc_u64(i) + wire.Writer(0).u32(1).string("hold").bytes_(b"%d" % i).i64(0).body()[1:]
                 for i in (1, 2, 3)]
        m.send(wire.Writer(wire.ASSIGN_TASKS).raw(wire.enc_list(tasks, lambda b: b)))
        self.assertEqual(m.expect_refs(wire.TASK_STARTED, with_reason=False), [(1, 1)])
        # Reclaim gives back only what has not started, and always answers.
        m.send(wire.Writer(wire.RECLAIM_TASKS).list_([(3, 1), (1, 1)], wire.enc_ref))
        self.assertEqual(m.expect_refs(wire.RETURN_TASKS), [(3, 1)])
        m.send(wire.Writer(wire.RECLAIM_TASKS).list_([(2, 7)], wire.enc_ref))  # another dispatch: kept
        self.assertEqual(m.expect_refs(wire.RETURN_TASKS), [])
        # A waiting task cancelled is dropped without a word; then the master asks for a drain.
        m.send(wire.Writer(wire.CANCEL_TASKS).list_([(2, 1)], wire.enc_ref).string("cancelled by client"))
        m.send(wire.Writer(wire.DRAIN_WORKER).string("drained from the desktop app"))
        typ, r = m.recv()
        self.assertEqual(typ, wire.WORKER_DRAINING)
        r.end()
        # Task 1 outlives the 0.2 s grace: it goes back, then Goodbye.
        self.assertEqual(m.expect_refs(wire.RETURN_TASKS), [(1, 1)])
        typ, r = m.recv()
        self.assertEqual((typ, r.string()), (wire.GOODBYE, "worker shutting down"))
        t.join(TIMEOUT)
        self.assertEqual(exit_code, [0])

    def test_results_carry_outcome_timings_and_the_retryable_flag(self):
        m = ScriptedMaster()
        self.addCleanup(m.close)
        w = taskmaster.Worker("127.0.0.1", m.port, key=KEY, slots=1, grace=0.2)

        @w.task("busy")
        def busy(n):
            if n == 2:
                raise taskmaster.Retry("come back later")
            if n == 3:
                raise KeyError("missing")
            return {"n": n, "text": "é"}

        t = threading.Thread(target=w.run, daemon=True)
        t.start()
        self.addCleanup(t.join, TIMEOUT)
        self.addCleanup(w.stop)
        m.accept()
        self.assertEqual(m.recv()[0], wire.WORKER_HELLO)
        results = {}
        for n in (1, 2, 3):
            task = wire.enc_u64(n) + wire.Writer(0).u32(5).string("busy").bytes_(b"%d" % n).i64(0).body()[1:]
            m.send(wire.Writer(wire.ASSIGN_TASKS).raw(wire.enc_list([task], lambda b: b)))
            self.assertEqual(m.expect_refs(wire.TASK_STARTED, with_reason=False), [(n, 5)])
            typ, r = m.recv()
            self.assertEqual(typ, wire.TASK_RESULTS)
            (res,) = r.list_(lambda: (r.u64(), r.u32(), r.u8(), r.bytes_(), r.string(), r.u32(), r.u32(), r.boolean()))
            r.end()
            results[n] = res
        ok, retry, fatal = results[1], results[2], results[3]
        self.assertEqual(ok[:5], (1, 5, wire.OUTCOME_OK, '{"n":1,"text":"é"}'.encode(), None))
        self.assertLessEqual(ok[5], ok[6], "runMicros is part of heldMicros")
        self.assertFalse(ok[7])
        self.assertEqual((retry[2], retry[3], retry[4], retry[7]), (wire.OUTCOME_ERROR, None, "come back later", True))
        self.assertEqual((fatal[2], fatal[4], fatal[7]), (wire.OUTCOME_ERROR, "KeyError: 'missing'", False))


if __name__ == "__main__":
    unittest.main()
