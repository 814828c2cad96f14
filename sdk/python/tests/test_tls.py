"""TLS: a CA file, a pinned fingerprint (as core/tls accepts it), and the refusals."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unittest

from support import TIMEOUT, Master, WorkerThread, need_binaries

import taskmaster


def make_certificate(directory: str, name: str) -> None:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", os.path.join(directory, name + ".key"), "-out", os.path.join(directory, name + ".pem")],
                   check=True, capture_output=True, timeout=TIMEOUT)


@unittest.skipUnless(shutil.which("openssl"), "the openssl command makes the test certificates")
class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="taskmaster-sdk-tls-")
        make_certificate(cls.dir, "master")
        make_certificate(cls.dir, "other")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        need_binaries(self)
        self.master = Master(["--tls-cert", os.path.join(self.dir, "master.pem"),
                              "--tls-key", os.path.join(self.dir, "master.key")])
        self.addCleanup(self.master.stop)
        self.assertEqual(len(self.master.fingerprint), 64)

    def test_a_pinned_fingerprint_with_colons_and_capitals_is_accepted(self):
        fp = self.master.fingerprint.upper()
        pinned = ":".join(fp[i:i + 2] for i in range(0, 64, 2))
        w = self.master.worker(fingerprint=pinned, slots=1)
        w.register("square", lambda n: n * n)
        wt = WorkerThread(w)
        self.addCleanup(wt.stop)
        with self.master.client(fingerprint=self.master.fingerprint) as c:
            self.assertEqual(c.map("square", [3, 4], timeout=TIMEOUT), [9, 16])

    def test_a_ca_file_is_trusted(self):
        with self.master.client(ca=os.path.join(self.dir, "master.pem")) as c:
            self.assertEqual(c.status().counts, [0, 0, 0, 0, 0])

    def test_a_wrong_pin_or_an_untrusted_certificate_is_refused(self):
        with self.assertRaises(taskmaster.IncompatibleMaster) as cm:
            self.master.client(fingerprint="00" * 32)
        self.assertIn(self.master.fingerprint, str(cm.exception))
        with self.assertRaises(taskmaster.IncompatibleMaster) as cm:
            self.master.client(ca=os.path.join(self.dir, "other.pem"))
        self.assertIn("not trusted", str(cm.exception))
        with self.assertRaises(ValueError):
            self.master.client(fingerprint="abc")

    def test_a_plain_client_is_told_that_tls_is_required(self):
        with self.assertRaises(taskmaster.IncompatibleMaster) as cm:
            self.master.client()
        self.assertIn("requires TLS", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
