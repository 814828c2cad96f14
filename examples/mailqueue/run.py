#!/usr/bin/env python3
"""A mail queue: a local SMTP sink, a worker that runs send_mail.py once per message (a once
handler given with --handler), each message checked on arrival.

    python3 examples/mailqueue/run.py [--bin BUILD/bin] [--messages N]
"""

import argparse
import email
import email.policy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from localcluster import LocalCluster  # noqa: E402
from smtpsink import SmtpSink  # noqa: E402

HERE = Path(__file__).resolve().parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", help="directory holding taskmaster and taskworker (default: PATH)")
    parser.add_argument("--messages", type=int, default=10)
    options = parser.parse_args()

    sink = SmtpSink().start()
    try:
        with LocalCluster(options.bin) as cluster:
            # --handler splits its command like QProcess::splitCommand: double quotes group words.
            command = " ".join('"%s"' % word for word in [sys.executable, str(HERE / "send_mail.py")])
            # The handler finds the sink through the worker's environment, which it inherits.
            cluster.start_worker(["--slots", "2", "--handler", f"mail={command}"],
                                 env={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port)})
            tasks = [{"kind": "mail", "args": {"to": f"user{i}@example.invalid", "subject": f"Invoice {i}",
                                               "body": f"Dear user {i},\n.\nYour invoice is attached.\n"}}
                     for i in range(options.messages)]
            records = cluster.submit(tasks)
    finally:
        sink.stop()

    received = {}
    for sender, recipients, data in sink.messages:
        message = email.message_from_bytes(data, policy=email.policy.default)
        received[message["Message-ID"]] = message
    ok = len(records) == options.messages
    for r in records:
        if r["state"] != "done":
            ok = False
            print(f"task {r['id']} {r['state']}: {r.get('error')}")
            continue
        message = received.get(r["result"]["message_id"])
        # SMTP carries lines ending in CRLF; the body was written with LF.
        body = message.get_content().replace("\r\n", "\n") if message is not None else None
        good = message is not None and message["To"] == r["args"]["to"] and body == r["args"]["body"]
        ok &= good
        print(f"{r['args']['to']:24} {r['args']['subject']:12} {'delivered' if good else 'MISSING'}")
    print(f"{len(sink.messages)} messages in the sink")
    ok &= len(sink.messages) == options.messages
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
