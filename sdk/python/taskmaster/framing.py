"""Framing: the 4-byte length prefix around every message body (docs/PROTOCOL.md §2 "Frame"),
and from Welcome on the MAC that authenticates each frame (§4.4).

This is the one place where bodies become bytes on the socket and bytes on the socket become
bodies; anything that changes what a frame looks like on the wire belongs in :class:`Framer`.

The socket is non-blocking and every read and write happens under one lock, so a reader thread
and the threads that send (heartbeats, results) never use an ``ssl.SSLSocket`` at the same time,
and no one waits inside the lock.
"""

from __future__ import annotations

import hashlib
import hmac
import select
import socket
import ssl
import struct
import threading
import time
from typing import Optional

from .wire import PRE_AUTH_MAX_FRAME

SEND_TIMEOUT = 30.0  # seconds a frame may take to leave before the connection counts as broken
MAC_SIZE = 16  # bytes of HMAC-SHA256 after every frame body once the handshake is done (§4.4)


def frame_mac(session_key: bytes, sequence: int, body: bytes) -> bytes:
    """The first 16 bytes of HMAC-SHA256(session key, sequence as u64 big-endian || body)."""
    return hmac.new(session_key, struct.pack(">Q", sequence) + body, hashlib.sha256).digest()[:MAC_SIZE]


class FrameClosed(Exception):
    """The byte stream ended or broke; ``str(exc)`` says how."""


class FrameTimeout(Exception):
    """No complete frame within the time asked for; partial bytes stay buffered."""


class Framer:
    """Sends bodies as frames (:meth:`send`) and reads whole frames (:meth:`read`) on one socket.

    The receive cap starts at the pre-handshake 1024 bytes; :meth:`authenticated` raises it once
    the master's Welcome has been verified. :meth:`send` may be called from any thread.
    """

    def __init__(self, sock: socket.socket) -> None:
        sock.setblocking(False)
        self._sock = sock
        self._buf = bytearray()
        self._lock = threading.Lock()
        # Held for a whole frame, so that frames from two threads never interleave on the wire
        # and their sequence numbers go out in order.
        self._send_lock = threading.Lock()
        self.recv_cap = PRE_AUTH_MAX_FRAME
        self._send_key: Optional[bytes] = None
        self._recv_key: Optional[bytes] = None
        self._send_seq = 0
        self._recv_seq = 0

    def start_frame_authentication(self, send_key: bytes, recv_key: bytes) -> None:
        """From the next frame on, each frame sent carries a MAC and each one read must (§4.4).

        Called right after Welcome is verified: frames the master pipelined behind it are still
        in the buffer and are checked when they are read.
        """
        self._send_key, self._recv_key = send_key, recv_key
        self._send_seq = self._recv_seq = 0

    def authenticated(self, recv_cap: int) -> None:
        """The handshake succeeded: messages up to ``recv_cap`` bytes are accepted from now on."""
        self.recv_cap = recv_cap + (MAC_SIZE if self._recv_key is not None else 0)

    def send(self, body: bytes) -> None:
        """Sends one frame carrying ``body`` (type byte first). Raises FrameClosed."""
        with self._send_lock:
            if self._send_key is not None:
                body = body + frame_mac(self._send_key, self._send_seq, body)
                self._send_seq += 1
            self._send_frame(memoryview(struct.pack(">I", len(body)) + body))

    def _send_frame(self, data: memoryview) -> None:
        deadline = time.monotonic() + SEND_TIMEOUT
        while data:
            with self._lock:
                try:
                    sent = self._sock.send(data)
                    data = data[sent:]
                    continue
                except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError, InterruptedError):
                    pass
                except OSError as e:
                    raise FrameClosed("the connection broke: %s" % (e.strerror or e)) from None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FrameClosed("could not send to the master for %.0f s" % SEND_TIMEOUT)
            try:
                select.select([], [self._sock], [], min(remaining, 0.05))
            except (OSError, ValueError) as e:
                raise FrameClosed("the connection broke: %s" % e) from None

    def read(self, timeout: Optional[float]) -> bytes:
        """The next frame's body. Raises FrameTimeout, or FrameClosed on EOF, error or a bad length."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self._fill(4, deadline)
        length = struct.unpack(">I", self._buf[:4])[0]
        if length == 0:
            raise FrameClosed("the master sent an empty frame")
        if length > self.recv_cap:
            # Checked before a byte of the body is buffered.
            raise FrameClosed("the master sent a %d-byte frame, over the cap of %d" % (length, self.recv_cap))
        self._fill(4 + length, deadline)
        body = bytes(self._buf[4:4 + length])
        del self._buf[:4 + length]
        if self._recv_key is not None:
            mac = body[-MAC_SIZE:]
            body = body[:-MAC_SIZE]
            if not body or not hmac.compare_digest(mac, frame_mac(self._recv_key, self._recv_seq, body)):
                raise FrameClosed("frame authentication failed (frame %d from the master)" % self._recv_seq)
            self._recv_seq += 1
        return body

    def _fill(self, n: int, deadline: Optional[float]) -> None:
        while len(self._buf) < n:
            with self._lock:
                try:
                    data = self._sock.recv(max(65536, n - len(self._buf)))
                    if not data:
                        raise FrameClosed("the master closed the connection")
                    self._buf += data
                    continue
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError, InterruptedError):
                    pass
                except FrameClosed:
                    raise
                except OSError as e:
                    raise FrameClosed("the connection broke: %s" % (e.strerror or e)) from None
            wait = 0.5
            if deadline is not None:
                wait = deadline - time.monotonic()
                if wait <= 0:
                    raise FrameTimeout()
            try:
                select.select([self._sock], [], [], min(wait, 0.5))
            except (OSError, ValueError) as e:
                raise FrameClosed("the connection broke: %s" % e) from None

    def close(self) -> None:
        with self._lock:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                self._sock.close()
            except OSError:
                pass
