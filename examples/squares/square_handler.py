"""A pipe handler: one JSON task per line on stdin, one JSON answer per line on stdout."""

import json
import sys


def square(args):
    n = args["n"] if isinstance(args, dict) else args
    if not isinstance(n, int):
        raise TypeError(f"expected an integer n, got {n!r}")
    return n * n


for line in sys.stdin:
    task = json.loads(line)
    try:
        answer = {"id": task["id"], "result": square(task["args"])}
    except Exception as e:  # one bad task fails alone; the process carries on
        answer = {"id": task["id"], "error": f"{type(e).__name__}: {e}", "retry": False}
    print(json.dumps(answer), flush=True)
