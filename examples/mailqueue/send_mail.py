"""A once handler for a mail queue: args {"to", "subject", "body"} on stdin, sends one message
through the SMTP server at SMTP_HOST:SMTP_PORT, prints {"to", "message_id"}.

A server that is down or says "try later" (4xx) exits 75: the task may be retried.
"""

import email.message
import email.utils
import json
import os
import smtplib
import sys

args = json.load(sys.stdin)
message = email.message.EmailMessage()
message["From"] = "queue@example.invalid"
message["To"] = args["to"]
message["Subject"] = args["subject"]
message["Message-ID"] = email.utils.make_msgid(domain="example.invalid")
message.set_content(args["body"])
try:
    with smtplib.SMTP(os.environ["SMTP_HOST"], int(os.environ["SMTP_PORT"]), timeout=10) as smtp:
        smtp.send_message(message)
except (OSError, smtplib.SMTPServerDisconnected) as e:
    print(f"SMTP server unreachable: {e}", file=sys.stderr)
    sys.exit(75)
except smtplib.SMTPResponseException as e:
    print(f"SMTP {e.smtp_code}: {e.smtp_error!r}", file=sys.stderr)
    sys.exit(75 if 400 <= e.smtp_code < 500 else 1)
print(json.dumps({"to": args["to"], "message_id": message["Message-ID"]}))
