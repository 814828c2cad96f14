"""The examples in examples/python run and print what the classic programs print."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

from support import REPO, TIMEOUT, MasterTest, read_line

EXAMPLES = os.path.join(REPO, "examples", "python")


class ExamplesTest(MasterTest):
    def run_example(self, name):
        proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)], env=self.master.env(),
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT * 3)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return proc.stdout.decode().splitlines()

    def test_classic_pair_prints_the_expected_lines(self):
        worker = self.start_process([sys.executable, os.path.join(EXAMPLES, "task_worker.py")])
        lines = self.run_example("task_master.py")
        put = [int(m.group(1)) for m in (re.fullmatch(r"Put task (\d+)\.\.\.", l) for l in lines) if m]
        results = [m.groups() for m in (re.fullmatch(r"Result: (\d+) \* (\d+) = (\d+)", l) for l in lines) if m]
        self.assertEqual(len(put), 10, lines)
        self.assertEqual([(str(n), str(n), str(n * n)) for n in put], results)
        self.assertEqual(lines[10], "Try get results...")
        self.assertEqual(lines[-1], "master exit.")
        ran = sorted(read_line(worker) for _ in range(10))
        self.assertEqual(ran, sorted("run task %d * %d..." % (n, n) for n in put))
        worker.send_signal(signal.SIGTERM)
        self.assertEqual(worker.wait(TIMEOUT), 0)

    def test_map_example_prints_the_squares_in_order(self):
        self.start_cpp_worker("--slots", "2")
        self.assertEqual(self.run_example("map_squares.py"), [str([n * n for n in range(10)])])
