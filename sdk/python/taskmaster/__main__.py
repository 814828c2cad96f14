"""Command line: ``python -m taskmaster worker MODULE`` runs the tasks a module registers.

Exit codes as taskmaster and taskworker: 0 success, 2 bad command line, 3 the authkey does not
match, 4 the master cannot be reached or does not speak the protocol.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import os
import sys
from typing import List, Optional

from .client import Client
from .errors import AuthError, IncompatibleMaster, MasterUnreachable, TaskmasterError
from .worker import Worker

EXIT_OK, EXIT_USAGE, EXIT_AUTH, EXIT_UNREACHABLE = 0, 2, 3, 4


def _load_module(name: str):
    """A module by dotted name (from the current directory too) or by the path of a .py file."""
    if name.endswith(".py") or os.sep in name:
        spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(name))[0], name)
        if spec is None or spec.loader is None:
            raise ImportError("cannot load %s" % name)
        sys.path.insert(0, os.path.dirname(os.path.abspath(name)))
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    return importlib.import_module(name)


def _connection_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="master host (default TASKMASTER_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="master port (default TASKMASTER_PORT or 7600)")
    p.add_argument("--authkey-file", help="read the authkey from this file (default: TASKMASTER_AUTHKEY)")
    p.add_argument("--authkey", help="the authkey itself (visible to other local users; prefer a file)")
    p.add_argument("--tls", action="store_true", help="speak TLS, trusting the system's CA store")
    p.add_argument("--ca", help="speak TLS, trusting the certificates in this PEM file")
    p.add_argument("--tls-fingerprint", help="speak TLS, accepting only this SHA-256 certificate fingerprint")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m taskmaster", description="Taskmaster from Python.")
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("worker", help="run the tasks registered in a module")
    w.add_argument("module", help="module name (or .py file) that registers tasks with @worker.task(...)")
    _connection_options(w)
    w.add_argument("--name", help="worker name shown on the master (default host-pid)")
    w.add_argument("--slots", type=int, help="tasks run at once (default: the module's worker, or the CPU count)")
    w.add_argument("--tag", action="append", default=None, help="a routing tag (repeatable)")
    w.add_argument("--processes", action="store_true", help="run tasks in processes, not threads")
    w.add_argument("--grace", type=float, default=None, help="seconds running tasks may finish on SIGTERM (10)")
    w.add_argument("--once", action="store_true", help="exit when the master cannot be reached or goes away")
    w.add_argument("-v", "--verbose", action="store_true", help="log every connection step")
    s = sub.add_parser("status", help="print the master's task counts and workers")
    _connection_options(s)
    return parser


def _run_worker(args: argparse.Namespace) -> int:
    try:
        module = _load_module(args.module)
    except Exception as e:  # the user's module failed to import: say which and why
        print("cannot import %s: %s: %s" % (args.module, type(e).__name__, e), file=sys.stderr)
        return EXIT_USAGE
    found = [v for v in vars(module).values() if isinstance(v, Worker)]
    if not found or not any(w.functions for w in found):
        print("%s registers no tasks: create a taskmaster.Worker there and decorate functions with "
              "@worker.task(\"kind\")" % args.module, file=sys.stderr)
        return EXIT_USAGE
    base = found[0]
    try:
        worker = Worker(host=args.host or base.host, port=args.port if args.port is not None else base.port,
                        key=args.authkey, key_file=args.authkey_file, name=args.name,
                        slots=args.slots or base.slots, tags=args.tag if args.tag is not None else base.tags,
                        processes=args.processes or base.processes,
                        grace=args.grace if args.grace is not None else base.grace,
                        tls=args.tls, ca=args.ca, fingerprint=args.tls_fingerprint, once=args.once)
        if args.authkey is None and args.authkey_file is None:
            worker._key = base._key  # the module's own key (or TASKMASTER_AUTHKEY, which it read too)
        for w in found:
            for kind, fn in w.functions.items():
                worker.register(kind, fn)
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    try:
        return worker.run()
    except AuthError as e:
        print("taskmaster worker: %s" % e, file=sys.stderr)
        return EXIT_AUTH
    except (MasterUnreachable, IncompatibleMaster) as e:
        print("taskmaster worker: %s" % e, file=sys.stderr)
        return EXIT_UNREACHABLE


def _run_status(args: argparse.Namespace) -> int:
    try:
        with Client(args.host, args.port, key=args.authkey, key_file=args.authkey_file, tls=args.tls, ca=args.ca,
                    fingerprint=args.tls_fingerprint) as client:
            st = client.status()
    except ValueError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    except AuthError as e:
        print(str(e), file=sys.stderr)
        return EXIT_AUTH
    except TaskmasterError as e:
        print(str(e), file=sys.stderr)
        return EXIT_UNREACHABLE
    names = ("queued", "running", "done", "failed", "cancelled")
    print("tasks: " + ", ".join("%d %s" % (n, name) for n, name in zip(st.counts, names)))
    for w in st.workers:
        print("worker %s: %d/%d running, %d done, %d failed%s" % (w.name, w.running, w.slots, w.done, w.failed,
                                                                 " (draining)" if w.draining else ""))
    return EXIT_OK


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
                        format="%(name)s: %(message)s", stream=sys.stderr)
    if args.command == "worker":
        if not args.verbose:
            logging.getLogger("taskmaster.worker").setLevel(logging.INFO)
        return _run_worker(args)
    return _run_status(args)


if __name__ == "__main__":
    sys.exit(main())
