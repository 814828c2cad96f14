#!/usr/bin/env python3
"""Squares through a pipe handler: a master, a worker running square_handler.py as long-lived
processes, 1000 tasks submitted, every result checked.

    python3 examples/squares/run.py [--bin BUILD/bin] [--count N]
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from localcluster import LocalCluster  # noqa: E402

HERE = Path(__file__).resolve().parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", help="directory holding taskmaster and taskworker (default: PATH)")
    parser.add_argument("--count", type=int, default=1000)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, LocalCluster(options.bin) as cluster:
        handlers = Path(tmp) / "handlers.json"
        handlers.write_text(json.dumps({"kinds": {"psquare": {
            "argv": [sys.executable, "-u", str(HERE / "square_handler.py")], "mode": "pipe", "slots": 2}}}))
        cluster.start_worker(["--slots", "2", "--handlers", str(handlers)])
        tasks = [{"kind": "psquare", "args": {"n": n}} for n in range(options.count)]
        tasks.append({"kind": "psquare", "args": {"n": "seven"}})  # fails, and says why
        records = cluster.submit(tasks)

    done = [r for r in records if r["state"] == "done"]
    wrong = [r for r in done if r["result"] != r["args"]["n"] ** 2]
    failed = [r for r in records if r["state"] != "done"]
    print(f"{len(done)} squares done, e.g. " + ", ".join(f"{r['args']['n']}^2={r['result']}" for r in done[:5]))
    for r in failed:
        print(f"task {r['id']} {r['state']}: {r.get('error')}")
    ok = len(done) == options.count and not wrong and len(failed) == 1 and "TypeError" in failed[0].get("error", "")
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
