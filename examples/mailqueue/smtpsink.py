"""A tiny SMTP receiver on asyncio that keeps every message it is given (smtpd left the
standard library in Python 3.12). It speaks just enough SMTP for smtplib: HELO/EHLO, MAIL,
RCPT, DATA, RSET, NOOP, QUIT. A test sink, not a mail server.
"""

import asyncio
import threading


class SmtpSink:
    def __init__(self):
        self.messages = []  # (sender, recipients, data bytes)
        self.port = None
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()
        self._ready.wait()
        return self

    def stop(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    def _run(self):
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()

    async def _session(self, reader, writer):
        async def reply(text):
            writer.write(text.encode() + b"\r\n")
            await writer.drain()

        sender, recipients = None, []
        await reply("220 smtpsink ready")
        while line := await reader.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb in ("HELO", "EHLO"):
                await reply("250 smtpsink")
            elif verb == "MAIL":
                sender, recipients = command[10:].strip(), []
                await reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command[8:].strip())
                await reply("250 OK")
            elif verb == "DATA":
                await reply("354 end with <CRLF>.<CRLF>")
                data = bytearray()
                while (chunk := await reader.readline()) not in (b".\r\n", b".\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk  # undo dot-stuffing
                self.messages.append((sender, recipients, bytes(data)))
                await reply("250 queued")
            elif verb == "RSET":
                sender, recipients = None, []
                await reply("250 OK")
            elif verb == "NOOP":
                await reply("250 OK")
            elif verb == "QUIT":
                await reply("221 bye")
                break
            else:
                await reply("502 not implemented")
        writer.close()
