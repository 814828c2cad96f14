"""One authenticated connection to a master: connect, TLS, the handshake, heartbeats, liveness.

The handshake follows docs/PROTOCOL.md §4; heartbeats and the liveness rule §5. Frames go
through :class:`taskmaster.framing.Framer` only.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass
from typing import Optional, Tuple, Union

from . import wire
from .errors import AuthError, IncompatibleMaster, MasterUnreachable, ProtocolError
from .framing import FrameClosed, FrameTimeout, Framer

ENV_KEY = "TASKMASTER_AUTHKEY"
MAX_KEY_FILE_SIZE = 64 * 1024
CONNECT_TIMEOUT = 10.0  # seconds to a verified Welcome, as the C++ peers allow
PEER_LABEL = b"taskmaster HMAC-SHA256 peer"
MASTER_LABEL = b"taskmaster HMAC-SHA256 master"

KeyLike = Union[bytes, str, None]


def resolve_key(key: KeyLike = None, key_file: Optional[str] = None) -> bytes:
    """The authkey, the way taskmaster and taskworker find it.

    ``key_file`` (``~`` expanded; the whole file minus trailing CR/LF bytes), else ``key`` (str as UTF-8), else
    the ``TASKMASTER_AUTHKEY`` environment variable, else the empty key (which a master accepts
    only on a loopback address).
    """
    if key_file is not None and key is not None:
        raise ValueError("give the authkey either as key or as key_file, not both")
    if key_file is not None:
        key_file = os.path.expanduser(key_file)
        try:
            if os.path.getsize(key_file) > MAX_KEY_FILE_SIZE:
                raise ValueError("the authkey file %s is larger than %d bytes; is it the right file?"
                                 % (key_file, MAX_KEY_FILE_SIZE))
            with open(key_file, "rb") as f:
                data = f.read()
        except OSError as e:
            raise ValueError("cannot read the authkey file %s: %s" % (key_file, e.strerror or e)) from None
        return data.rstrip(b"\r\n")
    if key is not None:
        return key.encode("utf-8") if isinstance(key, str) else bytes(key)
    env = os.environb.get(ENV_KEY.encode()) if hasattr(os, "environb") else None
    if env is None and ENV_KEY in os.environ:
        env = os.environ[ENV_KEY].encode("utf-8")
    return env or b""


def peer_proof(key: bytes, role: int, version: int, master_nonce: bytes, peer_nonce: bytes) -> bytes:
    """PeerProof of PROTOCOL.md §4.2."""
    msg = PEER_LABEL + bytes([role]) + struct.pack(">H", version) + master_nonce + peer_nonce
    return hmac.new(key, msg, hashlib.sha256).digest()


SESSION_LABEL_MASTER_TO_PEER = b"taskmaster-v2 session master->peer"
SESSION_LABEL_PEER_TO_MASTER = b"taskmaster-v2 session peer->master"


def session_key(key: bytes, label: bytes, role: int, version: int, master_nonce: bytes, peer_nonce: bytes) -> bytes:
    """A direction's key for frame MACs (§4.4), laid out like the handshake proofs."""
    msg = label + bytes([role]) + struct.pack(">H", version) + master_nonce + peer_nonce
    return hmac.new(key, msg, hashlib.sha256).digest()


def master_proof(key: bytes, role: int, version: int, master_nonce: bytes, peer_nonce: bytes) -> bytes:
    """MasterProof of PROTOCOL.md §4.2 (note the nonce order)."""
    msg = MASTER_LABEL + bytes([role]) + struct.pack(">H", version) + peer_nonce + master_nonce
    return hmac.new(key, msg, hashlib.sha256).digest()


def parse_fingerprint(text: str) -> str:
    """``AB:CD:…`` or ``abcd…`` (64 hex digits) as lower-case hex without colons, as core/tls does."""
    hexdigits = text.strip().lower().replace(":", "")
    if len(hexdigits) != 64 or any(c not in "0123456789abcdef" for c in hexdigits):
        raise ValueError("fingerprint needs the 64 hex digits of a SHA-256 fingerprint "
                         "(as taskmaster serve prints it), not %r" % text)
    return hexdigits


@dataclass
class TlsOptions:
    """How to check the master's certificate: a CA file, the system store, or a pinned fingerprint."""

    enabled: bool = False
    ca: Optional[str] = None
    fingerprint: Optional[str] = None  # normalised lower-case hex

    @staticmethod
    def make(tls: bool = False, ca: Optional[str] = None, fingerprint: Optional[str] = None) -> "TlsOptions":
        """Either ``ca`` or ``fingerprint`` implies TLS, as ``--ca`` and ``--tls-fingerprint`` do."""
        pin = parse_fingerprint(fingerprint) if fingerprint else None
        return TlsOptions(bool(tls or ca or pin), ca, pin)

    def context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.fingerprint:
            # The pin is the trust, as in core/client/masterlink.cpp: a self-signed certificate is fine.
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        elif self.ca:
            ctx.load_verify_locations(cafile=self.ca)
        else:
            ctx.load_default_certs()
        return ctx


class Connection:
    """An authenticated connection with heartbeats. Create with :meth:`open`."""

    def __init__(self, framer: Framer, welcome: wire.Welcome, target: str) -> None:
        self._framer = framer
        self.welcome = welcome
        self.target = target
        self.max_frame = max(welcome.max_frame, wire.MIN_MAX_FRAME)
        interval = max(100, welcome.heartbeat_interval_ms) / 1000.0
        self._interval = interval
        # Drop the master after this long without a complete frame, as the C++ peers do.
        self.silence_limit = max(2 * welcome.heartbeat_interval_ms, welcome.heartbeat_timeout_ms) / 1000.0
        self._last_frame = time.monotonic()
        self._closed = threading.Event()
        self.close_reason: Optional[str] = None
        framer.authenticated(self.max_frame)
        self._heartbeats = threading.Thread(target=self._heartbeat_loop, name="taskmaster-heartbeat", daemon=True)
        self._heartbeats.start()

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, host: str, port: int, key: bytes, role: int, tls: Optional[TlsOptions] = None,
             timeout: float = CONNECT_TIMEOUT) -> "Connection":
        """Connects and runs the peer side of the handshake.

        Raises MasterUnreachable (nothing answers, or the master hung up mid-handshake),
        AuthError (wrong key either way), IncompatibleMaster (version, TLS or not a master).
        """
        target = "%s:%d" % (host, port)
        deadline = time.monotonic() + timeout
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:
            raise MasterUnreachable("cannot connect to %s: %s" % (target, e.strerror or e)) from None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if tls and tls.enabled:
                sock = cls._start_tls(sock, host, target, tls, deadline)
            framer = Framer(sock)
            welcome = cls._handshake(framer, key, role, target, deadline)
        except ProtocolError as e:
            sock.close()
            raise IncompatibleMaster("%s broke the handshake: %s" % (target, e)) from None
        except BaseException:
            sock.close()
            raise
        return cls(framer, welcome, target)

    @staticmethod
    def _start_tls(sock: socket.socket, host: str, target: str, tls: TlsOptions, deadline: float) -> ssl.SSLSocket:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            ssock = tls.context().wrap_socket(sock, server_hostname=host)
        except ssl.SSLCertVerificationError as e:
            raise IncompatibleMaster("refusing %s: the master's TLS certificate is not trusted (%s). Pass ca= with the "
                                     "certificate that signed it, or fingerprint= to pin it" % (target, e.verify_message))
        except (ssl.SSLError, OSError) as e:
            raise IncompatibleMaster("TLS handshake with %s failed (%s): is the master serving TLS?" % (target, e))
        if tls.fingerprint:
            der = ssock.getpeercert(binary_form=True) or b""
            actual = hashlib.sha256(der).hexdigest()
            if not hmac.compare_digest(actual, tls.fingerprint):
                ssock.close()
                raise IncompatibleMaster("refusing %s: the master's TLS certificate has SHA-256 fingerprint %s, "
                                         "not the pinned %s" % (target, actual, tls.fingerprint))
        return ssock

    @staticmethod
    def _handshake(framer: Framer, key: bytes, role: int, target: str, deadline: float) -> wire.Welcome:
        def next_frame() -> Tuple[int, wire.Reader]:
            while True:
                try:
                    body = framer.read(max(0.0, deadline - time.monotonic()))
                except FrameTimeout:
                    raise MasterUnreachable("no answer from %s within %.0f s" % (target, CONNECT_TIMEOUT)) from None
                except FrameClosed as e:
                    raise MasterUnreachable("%s during the handshake with %s" % (e, target)) from None
                if body[0] != wire.HEARTBEAT:
                    return body[0], wire.Reader(body, 1)

        msg_type, r = next_frame()
        if msg_type == wire.AUTH_REJECTED:
            reason = r.string() or ""
            raise IncompatibleMaster("%s refused the connection: %s" % (target, reason))
        if msg_type != wire.CHALLENGE:
            raise IncompatibleMaster("%s is not a Taskmaster master (first frame of type %d)" % (target, msg_type))
        try:
            magic, min_version, max_version, master_nonce = r.u32(), r.u16(), r.u16(), r.bytes_()
            r.end()
        except ProtocolError as e:
            raise IncompatibleMaster("%s sent a malformed Challenge: %s" % (target, e)) from None
        if magic != wire.MAGIC or master_nonce is None or len(master_nonce) != wire.NONCE_SIZE:
            raise IncompatibleMaster("%s is not a Taskmaster master (bad Challenge)" % target)
        version = min(max_version, wire.VERSION)
        if version < min_version or version < wire.VERSION:
            raise IncompatibleMaster("no common protocol version: the master speaks %d to %d, this SDK %d to %d"
                                     % (min_version, max_version, wire.VERSION, wire.VERSION))
        peer_nonce = os.urandom(wire.NONCE_SIZE)
        framer.send(wire.Writer(wire.RESPONSE).u16(version).u8(role).bytes_(peer_nonce)
                    .bytes_(peer_proof(key, role, version, master_nonce, peer_nonce)).body())
        msg_type, r = next_frame()
        if msg_type == wire.AUTH_REJECTED:
            reason = r.string() or ""
            if "authkey" in reason:
                raise AuthError("%s: %s" % (target, reason))
            raise IncompatibleMaster("%s refused the connection: %s" % (target, reason))
        if msg_type != wire.WELCOME:
            raise IncompatibleMaster("%s sent type %d in place of Welcome" % (target, msg_type))
        try:
            welcome = wire.Welcome(r.u16(), r.bytes_(), r.u32(), r.u32(), r.u32())
            r.end()
        except ProtocolError as e:
            raise IncompatibleMaster("%s sent a malformed Welcome: %s" % (target, e)) from None
        expected = master_proof(key, role, version, master_nonce, peer_nonce)
        if not hmac.compare_digest(expected, welcome.mac or b""):
            # The master does not know our key: say nothing more to it.
            raise AuthError("%s could not prove it knows the authkey: the authkey does not match" % target)
        framer.start_frame_authentication(
                session_key(key, SESSION_LABEL_PEER_TO_MASTER, role, version, master_nonce, peer_nonce),
                session_key(key, SESSION_LABEL_MASTER_TO_PEER, role, version, master_nonce, peer_nonce))
        return welcome

    # -- traffic ------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def send(self, body: bytes) -> None:
        """Sends one message body. Raises FrameClosed if the connection is gone."""
        if self._closed.is_set():
            raise FrameClosed(self.close_reason or "the connection is closed")
        try:
            self._framer.send(body)
        except FrameClosed as e:
            self._mark_closed(str(e))
            raise

    def send_all(self, bodies) -> None:
        for body in bodies:
            self.send(body)

    def recv(self, timeout: Optional[float]) -> Optional[Tuple[int, wire.Reader]]:
        """The next message that is not a Heartbeat, as (type, Reader after the type byte).

        Returns None when ``timeout`` passes. Raises FrameClosed when the connection ends,
        including after :attr:`silence_limit` without a frame and on an unknown type.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            silent_until = self._last_frame + self.silence_limit
            wait = silent_until - time.monotonic()
            if deadline is not None:
                wait = min(wait, deadline - time.monotonic())
            try:
                body = self._framer.read(max(0.0, wait))
            except FrameTimeout:
                if time.monotonic() >= silent_until:
                    self.abort("no frame from the master for %d ms" % int(self.silence_limit * 1000))
                    raise FrameClosed(self.close_reason) from None
                if deadline is not None and time.monotonic() >= deadline:
                    return None
                continue
            except FrameClosed as e:
                self.abort(str(e))
                raise
            self._last_frame = time.monotonic()
            msg_type = body[0]
            if msg_type not in wire.KNOWN_TYPES:
                self.abort("the master sent an unknown message type %d" % msg_type)
                raise FrameClosed(self.close_reason)
            if msg_type == wire.HEARTBEAT:
                if len(body) != 1:
                    self.abort("the master sent a malformed Heartbeat")
                    raise FrameClosed(self.close_reason)
                continue
            return msg_type, wire.Reader(body, 1)

    def goodbye(self, reason: str) -> None:
        """Sends Goodbye and closes."""
        try:
            self.send(wire.Writer(wire.GOODBYE).string(reason).body())
        except FrameClosed:
            pass
        self.abort(reason)

    def abort(self, reason: str) -> None:
        """Closes without a word."""
        self._mark_closed(reason)
        self._framer.close()

    def _mark_closed(self, reason: str) -> None:
        if not self._closed.is_set():
            self.close_reason = reason
            self._closed.set()

    def _heartbeat_loop(self) -> None:
        heartbeat = wire.Writer(wire.HEARTBEAT).body()
        while not self._closed.wait(self._interval):
            try:
                self._framer.send(heartbeat)
            except FrameClosed as e:
                self._mark_closed(str(e))
                return
