"""tests/homeserver_lib/server.py -- the HTTP side of the test homeserver:
the request handler (bodies, chunked input, the faults applied on the way out:
drop_mid, truncate, slow-after), the two loopback listeners, the App that owns
the state, the faults and down/up/restart, dispatch to the routes, and run()."""

import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .common import MAX_REQUEST_BODY, MatrixError, Response, log
from .state import HomeserverState
from .routing import ROUTES, Request, match_route
from . import client_api, rooms_api, media_api  # noqa: F401  (register their routes, in this order)
from .control import fault_answer, handle_control, pick_fault


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "scribe-test-homeserver/1"
    sys_version = ""
    timeout = 120
    # TCP_NODELAY on every connection, as Synapse (Twisted) sets it: the
    # head and the body of an answer go out in two writes, and without it
    # the body waits for the client's delayed ACK (40 ms on Linux).
    disable_nagle_algorithm = True

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        self.server.track(self.connection, True)

    def finish(self):
        try:
            BaseHTTPRequestHandler.finish(self)
        except (OSError, ValueError):
            pass
        finally:
            self.server.track(self.connection, False)

    def log_message(self, fmt, *args):
        pass

    def handle(self):
        if not self.server.control_port and self.server.app.down_mode == "close":
            self.kill()
            return
        try:
            BaseHTTPRequestHandler.handle(self)
        except (ConnectionError, OSError):
            pass

    def kill(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if te == "chunked":
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise ConnectionError("eof in chunked body")
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += n
                if total > MAX_REQUEST_BODY:
                    raise MatrixError(413, "M_TOO_LARGE", "Request body too large")
                chunks.append(self.rfile.read(n))
                self.rfile.readline(16)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_REQUEST_BODY:
            raise MatrixError(413, "M_TOO_LARGE", "Request body too large")
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_OPTIONS(self):
        self.dispatch("OPTIONS")

    def dispatch(self, method):
        app = self.server.app
        t0 = time.monotonic()
        try:
            body = self.read_body()
        except MatrixError as e:
            self.send(Response(e.status, e.body()))
            self.close_connection = True
            return
        except (ValueError, ConnectionError, OSError):
            self.kill()
            return
        req = Request(app.hs, method, self.path, self.headers, body,
                      self.client_address[0], self.server.control_port)
        req.server = app
        req.conn = self.connection
        resp, note = app.handle(req)
        if resp == "kill" or resp == "abort":
            self.log_req(req, "--", 0, t0, note if isinstance(note, str) else resp)
            self.kill()
            return
        fault = note if isinstance(note, dict) else None
        if fault and fault["kind"] == "drop_mid":
            self.send(resp, cut=max(1, len(resp.body) // 2))
            self.log_req(req, resp.status, len(resp.body), t0, "fault drop_mid")
            self.kill()
            return
        if fault and fault["kind"] == "truncate":
            frac = float(fault.get("fraction", 0.5))
            resp.body = resp.body[:max(1, int(len(resp.body) * frac))]
        if fault and fault["kind"] == "slow" and fault.get("when") == "after":
            app.sleep(min(int(fault.get("delay_ms", 1000)), 600000))
        try:
            self.send(resp)
        except (ConnectionError, OSError):
            self.close_connection = True
            self.log_req(req, resp.status, 0, t0, "client gone")
            return
        size = len(resp.body) if resp.stream is None else \
            len(resp.stream[0]) + resp.stream[1] + len(resp.stream[2])
        self.log_req(req, resp.status, size, t0,
                     ("fault " + fault["kind"]) if fault else None)

    def send(self, resp, cut=None):
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.ctype)
        if resp.stream is not None:
            prefix, pad, suffix = resp.stream
            length = len(prefix) + pad + len(suffix)
        else:
            length = len(resp.body)
        self.send_header("Content-Length", str(length))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-cache, no-store, must-revalidate")
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if resp.stream is not None:
            prefix, pad, suffix = resp.stream
            self.wfile.write(prefix)
            chunk = b"x" * (1 << 20)
            while pad > 0:
                n = min(pad, len(chunk))
                self.wfile.write(chunk[:n])
                pad -= n
            self.wfile.write(suffix)
        elif cut is not None:
            self.wfile.write(resp.body[:cut])
        else:
            self.wfile.write(resp.body)
        self.wfile.flush()

    def log_req(self, req, status, size, t0, note):
        path = req.path
        if req.query:
            q = {k: v for k, v in req.query.items() if k != "access_token"}
            if q:
                path += "?" + urllib.parse.urlencode(q, doseq=True)
        who = req.user or req.peek_user() or "-"
        log("%s%s %s %s -> %s %dB %dms %s%s" % (
            "[control] " if self.server.control_port else "",
            req.method, path, who, status, size,
            int((time.monotonic() - t0) * 1000), req.template or "",
            (" (%s)" % note) if note else ""))


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, app, port, control_port):
        self.app = app
        self.control_port = control_port
        self.conns = set()
        self.conns_lock = threading.Lock()
        ThreadingHTTPServer.__init__(self, ("127.0.0.1", port), Handler)

    def track(self, sock, add):
        with self.conns_lock:
            if add:
                self.conns.add(sock)
            else:
                self.conns.discard(sock)

    def kill_all(self):
        with self.conns_lock:
            socks = list(self.conns)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        log("connection error from %s: %s" % (client_address[0], sys.exc_info()[1]))

    def verify_request(self, request, client_address):
        return client_address[0].startswith("127.") or client_address[0] == "::1"


class App:
    def __init__(self, args):
        self.hs = HomeserverState(args.server_name, not args.no_authenticated_media,
                                  args.versions.split(",") if args.versions else None)
        self.state_file = args.state
        if self.state_file and os.path.exists(self.state_file):
            with open(self.state_file) as f:
                self.hs.load_json(json.load(f))
            log("state loaded from %s (pos %d)" % (self.state_file, self.hs.pos))
        self.faults = []
        self._fault_id = 0
        self.down_mode = None
        self.down_timer = None
        self.port = args.port
        self.main = None
        self.main_thread = None
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def next_fault_id(self):
        self._fault_id += 1
        return self._fault_id

    # -- listeners
    def start_main(self):
        self.main = Listener(self, self.port, False)
        self.port = self.main.server_address[1]
        self.main_thread = threading.Thread(target=self.main.serve_forever,
                                            kwargs={"poll_interval": 0.1}, daemon=True)
        self.main_thread.start()

    def stop_main(self):
        m = self.main
        if m is None:
            return
        self.main = None
        m.shutdown()
        m.server_close()
        m.kill_all()

    def end_waiting(self):
        with self.hs.cond:
            self.hs.generation += 1
            self.hs.cond.notify_all()

    def set_down(self, mode, seconds=None):
        with self.lock:
            if self.down_timer:
                self.down_timer.cancel()
                self.down_timer = None
            self.down_mode = mode
            if mode == "refuse":
                self.stop_main()
            elif self.main is not None:
                self.main.kill_all()
            self.end_waiting()
            log("down (%s)%s" % (mode, (" for %ss" % seconds) if seconds else ""))
            if seconds:
                self.down_timer = threading.Timer(float(seconds), self.set_up)
                self.down_timer.daemon = True
                self.down_timer.start()

    def set_up(self):
        with self.lock:
            if self.down_timer:
                self.down_timer.cancel()
                self.down_timer = None
            self.down_mode = None
            if self.main is None:
                for _ in range(50):
                    try:
                        self.start_main()
                        break
                    except OSError:
                        time.sleep(0.1)
            log("up on port %d" % self.port)

    def restart(self, down_ms):
        def go():
            self.set_down("refuse")
            time.sleep(down_ms / 1000.0)
            self.set_up()
        threading.Thread(target=go, daemon=True).start()

    def sleep(self, ms):
        self.stopping.wait(ms / 1000.0)

    # -- requests
    def handle(self, req):
        """Returns (Response | "kill" | "abort", note)."""
        hs = self.hs
        if req.segs and req.segs[0] == "_test":
            return handle_control(req), None
        with hs.cond:
            fault = pick_fault(self, req)
        if fault is not None:
            early = fault_answer(self, req, fault)
            if early is not None:
                return early
        resp = self.dispatch(req)
        if resp == "abort":
            return "abort", "restart during long-poll"
        if fault is not None and fault["kind"] in ("bad_utf8", "lone_surrogate", "oversize") \
                and req.fault is None:
            fault = None
        return resp, fault

    def dispatch(self, req):
        hs = self.hs
        segs = req.segs
        allowed = False
        for method, tmpl, fn, auth, template in ROUTES:
            params = match_route(segs, tmpl)
            if params is None:
                continue
            if method != req.method:
                allowed = True
                continue
            req.template = template
            with hs.cond:
                try:
                    if auth:
                        req.authenticate()
                    by = hs.stats["requests"]
                    key = "%s %s" % (req.method, template)
                    by[key] = by.get(key, 0) + 1
                    if req.user:
                        bu = hs.stats["by_user"].setdefault(req.user, {})
                        bu[key] = bu.get(key, 0) + 1
                    out = fn(req, **params)
                except MatrixError as e:
                    by = hs.stats["requests"]
                    key = "%s %s" % (req.method, template)
                    if not req.user:
                        by[key] = by.get(key, 0) + 1
                    return Response(e.status, e.body(), headers=e.headers)
            if isinstance(out, Response) or out == "abort":
                return out
            return Response(200, out)
        if allowed:
            return Response(405, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})
        return Response(404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})


def write_file(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def run(args):
    """Serve until SIGTERM or SIGINT; `args` as parsed by tests/homeserver.py.
    Returns the exit status."""
    app = App(args)
    app.start_main()
    ctl = Listener(app, args.control_port, True)
    threading.Thread(target=ctl.serve_forever, kwargs={"poll_interval": 0.2},
                     daemon=True).start()
    cport = ctl.server_address[1]
    if args.port_file:
        write_file(args.port_file, "%d\n" % app.port)
    if args.control_port_file:
        write_file(args.control_port_file, "%d\n" % cport)
    print("listening on 127.0.0.1:%d control 127.0.0.1:%d" % (app.port, cport), flush=True)
    log("listening on 127.0.0.1:%d, control on 127.0.0.1:%d" % (app.port, cport))

    def on_signal(signum, frame):
        app.stopping.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not app.stopping.wait(0.5):
        pass
    log("stopping")
    app.end_waiting()
    if app.main is not None:
        app.main.shutdown()
        app.main.server_close()
        app.main.kill_all()
    ctl.shutdown()
    ctl.server_close()
    if app.state_file:
        with app.hs.cond:
            data = json.dumps(app.hs.to_json())
        write_file(app.state_file, data)
        log("state saved to %s" % app.state_file)
    return 0
