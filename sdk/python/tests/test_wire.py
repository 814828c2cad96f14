"""The codec and the handshake arithmetic against the figures in docs/PROTOCOL.md (no master needed)."""

from __future__ import annotations

import os
import tempfile
import unittest
from unittest import mock

import support  # noqa: F401 - puts the SDK on sys.path

from taskmaster import wire
from taskmaster.connection import master_proof, parse_fingerprint, peer_proof, resolve_key
from taskmaster.errors import ProtocolError


class WireTest(unittest.TestCase):
    def test_proofs_match_the_test_vector_of_section_4_2(self):
        nm, np = bytes(range(32)), bytes(range(32, 64))
        self.assertEqual(peer_proof(b"secret", 1, 1, nm, np).hex(),
                         "78b2785b0632f03900f5ca50585faf48c5ea64de6a17277c0f7060576c8c13b7")
        self.assertEqual(master_proof(b"secret", 1, 1, nm, np).hex(),
                         "70a2aa1f771b56a116cddc9d87f9496f06317328fa7220c4d9ac8beabfe284b7")

    def test_frame_macs_match_the_test_vector_of_section_4_4(self):
        from taskmaster.connection import SESSION_LABEL_MASTER_TO_PEER, SESSION_LABEL_PEER_TO_MASTER, session_key
        from taskmaster.framing import frame_mac
        nm, np = bytes(range(32)), bytes(range(32, 64))
        k_mp = session_key(b"secret", SESSION_LABEL_MASTER_TO_PEER, 1, 2, nm, np)
        k_pm = session_key(b"secret", SESSION_LABEL_PEER_TO_MASTER, 1, 2, nm, np)
        self.assertEqual(k_mp.hex(), "0a64785986da642f7540c583c553e717c40cc9cab913a82cd1f69f08777246a1")
        self.assertEqual(k_pm.hex(), "6f18b9c70f9539e401aa2cf333739b7dab80784950b080f27fad1b1cee2b0fa5")
        self.assertEqual(frame_mac(k_mp, 0, b"\x0a").hex(), "ddca447bb5907ad31da4ee7336f6effe")
        self.assertEqual(frame_mac(k_pm, 0, b"\x0a").hex(), "7f9752cd05ae6e26255c27dcdcbae808")
        self.assertEqual(frame_mac(k_pm, 1, b"\x0a").hex(), "339411783ce63a2c0be697b89a6f4f0f")

    def test_strings_are_utf16_with_null_and_empty_apart(self):
        self.assertEqual(wire.enc_string("w1"), bytes.fromhex("00000004 00770031"))
        self.assertEqual(wire.enc_string(None), b"\xff\xff\xff\xff")
        self.assertEqual(wire.enc_string(""), b"\x00\x00\x00\x00")
        self.assertEqual(wire.enc_string("\U0001F600"), bytes.fromhex("00000004 d83dde00"))
        r = wire.Reader(wire.enc_string("\U0001F600") + wire.enc_string(None) + wire.enc_bytes(b""))
        self.assertEqual((r.string(), r.string(), r.bytes_()), ("\U0001F600", None, b""))
        r.end()

    def test_the_assign_tasks_example_of_section_11_decodes(self):
        body = bytes.fromhex("15 00000001 0000000000000007 00000001 0000000c007300710075006100720065"
                             "000000077b226e223a397d 0000000000000000")
        r = wire.Reader(body, 1)
        tasks = r.list_(lambda: wire.Assignment.read(r))
        r.end()
        self.assertEqual(tasks, [wire.Assignment(7, 1, "square", b'{"n":9}', 0)])

    def test_a_task_result_carries_the_retryable_flag_last(self):
        res = wire.TaskResult(7, 1, wire.OUTCOME_ERROR, None, "x", 3, 5, True).encode()
        self.assertEqual(res.hex(), "0000000000000007" "00000001" "01" "ffffffff" "000000020078"
                         "00000003" "00000005" "01")

    def test_malformed_bodies_are_refused(self):
        with self.assertRaises(ProtocolError):
            wire.Reader(b"\x00\x00\x00\x03abc").string()  # odd length
        with self.assertRaises(ProtocolError):
            wire.Reader(b"\x00\x00\x00\x09").list_(lambda: 0)  # count larger than the bytes left
        r = wire.Reader(b"\x00\x01\x02")
        r.u16()
        with self.assertRaises(ProtocolError):
            r.end()  # a trailing byte

    def test_split_runs_keep_every_item_in_order_under_the_cap(self):
        items = [bytes([i]) * (10 + i) for i in range(40)]
        runs = wire.split_runs(items, 10, 100)
        self.assertEqual([x for run in runs for x in run], items)
        self.assertTrue(all(10 + sum(map(len, run)) <= 100 for run in runs))
        self.assertEqual(wire.split_runs([], 10, 100), [[]])
        bodies = wire.list_frames(wire.WATCH, b"\x00", [wire.enc_u64(i) for i in range(1000)], b"", 4096)
        self.assertGreater(len(bodies), 1)
        self.assertTrue(all(len(b) <= 4096 for b in bodies))

    def test_fingerprints_and_keys_are_read_as_the_cpp_side_reads_them(self):
        fp = "AB:" * 31 + "AB"
        self.assertEqual(parse_fingerprint(fp), "ab" * 32)
        with self.assertRaises(ValueError):
            parse_fingerprint("ab" * 31)
        self.assertEqual(resolve_key("clé"), "clé".encode("utf-8"))
        with self.assertRaises(ValueError):
            resolve_key("a", "/nonexistent")
        with tempfile.TemporaryDirectory() as home, mock.patch.dict(os.environ, {"HOME": home, "USERPROFILE": home}):
            with open(os.path.join(home, "key"), "wb") as f:
                f.write(b"k\xffey\r\n\n")
            self.assertEqual(resolve_key(key_file="~/key"), b"k\xffey")


if __name__ == "__main__":
    unittest.main()
