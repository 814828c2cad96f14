#!/usr/bin/env python3
"""A crawler's download queue: a local HTTP server with generated pages, a worker whose pipe
handler fetches them, every size and sha256 checked against the files.

    python3 examples/crawler/run.py [--bin BUILD/bin] [--pages N]
"""

import argparse
import functools
import hashlib
import http.server
import json
import random
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from localcluster import LocalCluster  # noqa: E402

HERE = Path(__file__).resolve().parent


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the example's output to the results
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", help="directory holding taskmaster and taskworker (default: PATH)")
    parser.add_argument("--pages", type=int, default=30)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as site, tempfile.TemporaryDirectory() as tmp:
        rng = random.Random(42)
        expected = {}
        for i in range(options.pages):
            body = rng.randbytes(rng.randrange(0, 300_000))
            (Path(site) / f"page{i}.bin").write_bytes(body)
            expected[f"page{i}.bin"] = (len(body), hashlib.sha256(body).hexdigest())

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=site))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            handlers = Path(tmp) / "handlers.json"
            handlers.write_text(json.dumps({"kinds": {"fetch": {
                "argv": [sys.executable, "-u", str(HERE / "fetch_handler.py")], "mode": "pipe", "timeout_ms": 30000}}}))
            with LocalCluster(options.bin) as cluster:
                cluster.start_worker(["--slots", "4", "--handlers", str(handlers)])
                tasks = [{"kind": "fetch", "args": {"url": base + name}} for name in expected]
                tasks.append({"kind": "fetch", "args": {"url": base + "missing.html"}})
                records = cluster.submit(tasks)
        finally:
            server.shutdown()

    ok = len(records) == options.pages + 1
    for r in records:
        url = r["args"]["url"]
        name = url.rsplit("/", 1)[1]
        if r["state"] == "done":
            size, sha = expected[name]
            good = r["result"]["size"] == size and r["result"]["sha256"] == sha
            ok &= good
            print(f"{name:12} {r['result']['size']:7} bytes  sha256 {r['result']['sha256'][:16]}…  {'ok' if good else 'WRONG'}")
        else:
            ok &= name == "missing.html" and "HTTP 404" in r.get("error", "")
            print(f"{name:12} {r['state']}: {r.get('error')}")
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
