#!/usr/bin/env python3
"""tests/homeserver.py -- scribe's test homeserver.

A small Matrix homeserver for the tests: the parts of the Client-Server API
that scribe uses, served over plain HTTP on 127.0.0.1 and behaving like
Synapse where it matters (status codes, error codes, long-poll sync, txn-id
idempotency per device, the 64 KiB event limit, stripped invite state,
power levels, authenticated and legacy media).  Standard library only.

    python3 tests/homeserver.py [--port N] [--port-file F]
                                [--control-port N] [--control-port-file F]
                                [--server-name localhost] [--state FILE]
                                [--no-authenticated-media] [--versions v1.1,..]

Two listeners on 127.0.0.1:
  * the main port: the client API, plus the control API under /_test/;
    faults, "down" mode and restarts apply to it;
  * the control port: the same API, never faulted, never down; tests act
    as users through it while the main port misbehaves.

The control API (/_test/...) and the FAULTS it can inject are listed in
tests/homeserver_lib/control.py.

This file is the entry point: argument parsing, then
tests/homeserver_lib/server.py runs.  The rest lives in tests/homeserver_lib/:
  common.py      constants, errors, Response, JSON with raw (poison) bytes
  state.py       the in-memory state: users, rooms, events, sync positions
  routing.py     the route table, template matching, Request and auth
  client_api.py  /versions, login, account, filters, /sync
  rooms_api.py   send, state, messages, redact, createRoom, membership...
  media_api.py   media config, upload, download (authenticated and legacy)
  control.py     the control API and fault injection
  server.py      HTTP handler, listeners, the App (faults, down/up/restart)

Every request is logged to stderr, without tokens.  SIGTERM (or SIGINT)
stops the server; with --state the state is saved then and loaded at start.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from homeserver_lib import server  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description="scribe's test Matrix homeserver")
    ap.add_argument("port", nargs="?", type=int, default=None)
    ap.add_argument("--port", dest="port_opt", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--control-port", type=int, default=0)
    ap.add_argument("--control-port-file")
    ap.add_argument("--server-name", default="localhost")
    ap.add_argument("--state", help="load state from FILE at start, save it at exit")
    ap.add_argument("--no-authenticated-media", action="store_true",
                    help="behave like a server older than v1.11")
    ap.add_argument("--versions", help="comma-separated /versions list")
    args = ap.parse_args()
    args.port = args.port if args.port is not None else args.port_opt
    return server.run(args)


if __name__ == "__main__":
    sys.exit(main())
