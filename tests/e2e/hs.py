"""tests/e2e/hs.py -- helpers for scribe's end-to-end tests.

Starts the test homeserver (tests/homeserver.py) and scribe, acts as users
through the homeserver's control port (never faulted), and waits for scribe's
replies with bounded timeouts.  Every test file is a standalone program:

    import hs
    def test(t):
        server = t.homeserver()
        alice = server.register("alice")
        bot = t.scribe(server)
        ...
    hs.main(test)

main() exits 0 on success, 1 on failure (printing the tails of the logs), and
0 with "SKIP: reason" when the test cannot run here.  All traffic goes to
127.0.0.1; every wait is bounded.
"""

import ctypes
import http.client
import json
import os
import random
import re
import shlex
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HS_SCRIPT = os.path.join(ROOT, "tests", "homeserver.py")
DATA = os.path.join(HERE, "data")
SERVER_NAME = "localhost"
DEFAULT_WAIT = 20.0
# SCRIBE_WRAPPER runs scribe under a tool ("valgrind --leak-check=full
# --error-exitcode=99"); SCRIBE_E2E_TIME_SCALE stretches every wait for slow tools.
WRAPPER = os.environ.get("SCRIBE_WRAPPER", "")
TIME_SCALE = max(1.0, float(os.environ.get("SCRIBE_E2E_TIME_SCALE", "1") or 1))
VALGRIND_EXIT = 99          # --error-exitcode in tests/run-tests.sh


class Failure(Exception):
    pass


class Skip(Exception):
    pass


def step(msg):
    print("-- %s" % msg, flush=True)


def check(cond, msg):
    if not cond:
        raise Failure(msg)
    print("   ok: %s" % msg, flush=True)


def wait_for(fn, timeout=DEFAULT_WAIT, interval=0.2, what="a condition"):
    """Call fn until it returns something truthy; fail after `timeout` s
    (times SCRIBE_E2E_TIME_SCALE)."""
    timeout *= TIME_SCALE
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() >= deadline:
            raise Failure("timed out after %.0fs waiting for %s" % (timeout, what))
        time.sleep(interval)


def data(name, mode="r"):
    with open(os.path.join(DATA, name), mode) as f:
        return f.read()


def rand(n=8):
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


def die_with_parent():
    """preexec_fn: the child gets SIGTERM when the test process dies, so a
    test killed by its timeout leaves no homeserver or scribe behind."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001
        pass


class HTTPResult:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def request(port, method, path, body=None, headers=None, timeout=30.0):
    """One request to 127.0.0.1:port; raises OSError/HTTPException on
    network trouble; returns HTTPResult for every HTTP status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        return HTTPResult(r.status, dict(r.getheaders()), r.read())
    finally:
        conn.close()


def q(segment):
    return urllib.parse.quote(segment, safe="")


class APIError(Failure):
    def __init__(self, status, body, what):
        Failure.__init__(self, "%s -> HTTP %d %s" % (what, status, body[:300]))
        self.status = status
        self.body = body


# ---------------------------------------------------------------- homeserver


class Homeserver:
    def __init__(self, t, args=()):
        self.t = t
        self.args = list(args)
        self.dir = tempfile.mkdtemp(prefix="hs-", dir=t.workdir)
        self.log_path = os.path.join(t.workdir, "homeserver.log")
        self.proc = None
        self.port = None
        self.cport = None

    def start(self, keep_ports=False):
        pf = os.path.join(self.dir, "port")
        cf = os.path.join(self.dir, "cport")
        for f in (pf, cf):
            if os.path.exists(f):
                os.unlink(f)
        cmd = [sys.executable, HS_SCRIPT, "--port-file", pf, "--control-port-file", cf,
               "--state", os.path.join(self.dir, "state.json")] + self.args
        if keep_ports and self.port:
            cmd += ["--port", str(self.port), "--control-port", str(self.cport)]
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=logf,
                                     stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        logf.close()

        def ready():
            if self.proc.poll() is not None:
                raise Failure("homeserver exited with %s" % self.proc.returncode)
            return os.path.exists(pf) and os.path.exists(cf)
        wait_for(ready, 15, 0.05, "the homeserver to listen")
        self.port = int(open(pf).read())
        self.cport = int(open(cf).read())
        return self

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self, timeout=10):
        """SIGTERM (state saved), then SIGKILL if it hangs."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart_process(self):
        """Stop the process and start a new one on the same ports, state kept."""
        self.stop()
        self.start(keep_ports=True)

    # -- control API (the control port is never faulted)
    def ctl(self, method, path, body=None):
        r = request(self.cport, method, path, body if body is not None else
                 (b"" if method in ("POST", "PUT") else None))
        if r.status >= 400:
            raise APIError(r.status, r.body.decode("utf-8", "replace"), "%s %s" % (method, path))
        ct = r.headers.get("Content-Type", "")
        return r.json() if ct.startswith("application/json") else r.body

    def register(self, name, password=None):
        d = self.ctl("POST", "/_test/register",
                     {"username": name, "password": password or ("pw-" + rand(16))})
        return User(self, d["user_id"], d["access_token"], d["device_id"], d["password"])

    def fault(self, kind, **kw):
        kw["kind"] = kind
        return self.ctl("POST", "/_test/fault", kw)["id"]

    def faults(self):
        return self.ctl("GET", "/_test/faults")["faults"]

    def clear_faults(self):
        self.ctl("DELETE", "/_test/faults")

    def stats(self):
        return self.ctl("GET", "/_test/stats")

    def down(self, mode="refuse", seconds=None):
        body = {"mode": mode}
        if seconds:
            body["seconds"] = seconds
        self.ctl("POST", "/_test/down", body)

    def up(self):
        self.ctl("POST", "/_test/up", {})

    def restart(self, down_ms=500):
        self.ctl("POST", "/_test/restart", {"down_ms": down_ms})

    def config(self, **kw):
        self.ctl("POST", "/_test/config", kw)

    def expire(self, user_id, soft_logout=False):
        return self.ctl("POST", "/_test/users/%s/expire" % q(user_id),
                        {"soft_logout": soft_logout})["expired"]

    def tokens(self, user_id):
        return self.ctl("GET", "/_test/users/%s/tokens" % q(user_id))

    def events(self, room_id, since=0, etype=None):
        path = "/_test/rooms/%s/events?since=%d" % (q(room_id), since)
        if etype:
            path += "&type=" + q(etype)
        return self.ctl("GET", path)["events"]

    def pos(self):
        return self.stats()["pos"]

    def rooms(self):
        return self.ctl("GET", "/_test/rooms")["rooms"]

    def membership(self, room_id, user_id):
        return self.rooms().get(room_id, {}).get("members", {}).get(user_id)


class User:
    def __init__(self, hs, user_id, token, device_id, password):
        self.hs = hs
        self.user_id = user_id
        self.token = token
        self.device_id = device_id
        self.password = password

    def call(self, method, path, body=None, expect=(200,), raw=None, ctype=None,
             main_port=False):
        """A client API call as this user, through the control port (or the
        main port when main_port is true)."""
        headers = {"Authorization": "Bearer " + self.token}
        if raw is not None:
            headers["Content-Type"] = ctype or "application/octet-stream"
            body = raw
        elif body is None and method in ("POST", "PUT"):
            body = {}
        r = request(self.hs.port if main_port else self.hs.cport, method, path, body, headers)
        if expect and r.status not in expect:
            raise APIError(r.status, r.body.decode("utf-8", "replace"),
                           "%s %s as %s" % (method, path, self.user_id))
        try:
            return r.json() if r.body else {}
        except ValueError:
            return r.body

    C = "/_matrix/client/v3"

    def create_room(self, name=None, invite=(), encrypted=False, preset="private_chat",
                    power=None, is_direct=False, alias=None):
        body = {"preset": preset, "invite": list(invite)}
        if alias:
            body["room_alias_name"] = alias
        if name:
            body["name"] = name
        if is_direct:
            body["is_direct"] = True
        if encrypted:
            body["initial_state"] = [{"type": "m.room.encryption", "state_key": "",
                                      "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
        if power:
            users = {self.user_id: 100}
            users.update(power)
            body["power_level_content_override"] = {"users": users}
        return self.call("POST", self.C + "/createRoom", body)["room_id"]

    def invite(self, room_id, user_id):
        return self.call("POST", self.C + "/rooms/%s/invite" % q(room_id), {"user_id": user_id})

    def join(self, room_id):
        return self.call("POST", self.C + "/join/%s" % q(room_id), {})

    def leave(self, room_id):
        return self.call("POST", self.C + "/rooms/%s/leave" % q(room_id), {})

    def kick(self, room_id, user_id):
        return self.call("POST", self.C + "/rooms/%s/kick" % q(room_id), {"user_id": user_id})

    def send(self, room_id, content, etype="m.room.message", txn=None):
        txn = txn or ("t" + rand(12))
        return self.call("PUT", self.C + "/rooms/%s/send/%s/%s" % (q(room_id), q(etype), q(txn)),
                         content)["event_id"]

    def say(self, room_id, text, **extra):
        content = {"msgtype": "m.text", "body": text}
        content.update(extra)
        return self.send(room_id, content)

    def upload(self, data_bytes, filename, ctype="text/plain"):
        return self.call("POST", "/_matrix/media/v3/upload?filename=%s" % q(filename),
                         raw=data_bytes, ctype=ctype)["content_uri"]

    def send_file(self, room_id, data_bytes, filename, ctype="text/plain", size=None):
        mxc = self.upload(data_bytes, filename, ctype)
        return self.send(room_id, {"msgtype": "m.file", "body": filename, "filename": filename,
                                   "url": mxc,
                                   "info": {"mimetype": ctype,
                                            "size": len(data_bytes) if size is None else size}})

    def power_levels(self, room_id):
        return self.call("GET", self.C + "/rooms/%s/state/m.room.power_levels/" % q(room_id))

    def set_power(self, room_id, user_id, level):
        pl = self.power_levels(room_id)
        pl.setdefault("users", {})[user_id] = level
        return self.call("PUT", self.C + "/rooms/%s/state/m.room.power_levels/" % q(room_id), pl)

    def sync(self, since=None, timeout=0, main_port=False):
        path = self.C + "/sync?timeout=%d" % timeout
        if since:
            path += "&since=" + q(since)
        return self.call("GET", path, main_port=main_port)


# ---------------------------------------------------------------- scribe


def scribe_binary():
    b = os.environ.get("SCRIBE_BIN")
    if b:
        b = b if os.path.isabs(b) else os.path.join(ROOT, b)
        if not os.access(b, os.X_OK):
            raise Failure("SCRIBE_BIN=%s is not an executable" % b)
        return b
    for cand in ("build/asan/scribe", "build/scribe"):
        p = os.path.join(ROOT, cand)
        if os.path.exists(p):
            return p
    return None


class Scribe:
    """scribe run, with its config, database and log in the test's workdir."""

    def __init__(self, t, server, user, password, allow=None, bot=None, matrix=None,
                 log_level="debug"):
        self.t = t
        self.hs = server
        self.user_id = user.user_id if isinstance(user, User) else user
        self.password = password
        self.dir = t.workdir
        self.db = os.path.join(self.dir, "scribe.db")
        self.config_path = os.path.join(self.dir, "scribe.ini")
        self.log_path = os.path.join(self.dir, "scribe.log")
        self.proc = None
        self.starts = 0
        self.exits = []             # statuses seen by term()
        b = {"database": self.db, "prefix": "!", "name": "scribe",
             "allow_invites_from": allow or "@alice:%s" % SERVER_NAME,
             "admin_power_level": "50", "auto_recap": "true",
             "max_record_bytes": "262144"}
        b.update(bot or {})
        m = {"homeserver": server.url, "user_id": self.user_id,
             "password": password, "device_id": "SCRIBE"}
        m.update(matrix or {})
        self.matrix = {k: v for k, v in m.items() if v is not None}
        self.bot = {k: v for k, v in b.items() if v is not None}
        self.log_level = log_level
        self.extra_env = {}
        self.binary = scribe_binary()
        if not self.binary:
            raise Skip("no scribe binary (run `make` first, or set SCRIBE_BIN)")
        self.write_config()

    def write_config(self):
        lines = ["[matrix]"] + ["%s = %s" % kv for kv in self.matrix.items()]
        lines += ["", "[bot]"] + ["%s = %s" % kv for kv in self.bot.items()]
        lines += ["", "[log]", "level = %s" % self.log_level, ""]
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines))
        os.chmod(self.config_path, 0o600)

    def env(self):
        env = {k: v for k, v in os.environ.items()
               if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
        env.update(self.extra_env)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
        env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        return env

    def start(self, wait=True):
        self._syncs_before = self.syncs()[0]
        logf = open(self.log_path, "ab")
        self.starts += 1
        logf.write(("\n===== scribe start #%d =====\n" % self.starts).encode())
        logf.flush()
        cmd = shlex.split(WRAPPER) + [self.binary, "--config", self.config_path, "run"]
        self.proc = subprocess.Popen(cmd,
                                     cwd=self.dir, stdout=logf, stderr=logf,
                                     stdin=subprocess.DEVNULL, env=self.env(),
                                     preexec_fn=die_with_parent)
        logf.close()
        if wait:
            self.wait_ready()
        return self

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def assert_alive(self):
        if not self.alive():
            rc = self.proc.returncode if self.proc else None
            raise Failure("scribe is not running (exit status %s)" % rc)

    def syncs(self):
        st = self.hs.stats()
        by = st["by_user"].get(self.user_id, {})
        return sum(v for k, v in by.items() if k.endswith("/sync")), \
            st["sync_waiting"].get(self.user_id, 0)

    def wait_ready(self, timeout=30):
        """Until scribe has synced and sits in a long-poll."""
        def ready():
            if not self.alive():
                text = self.log_text()
                if "unknown command" in text.lower() and "run" in text:
                    raise Skip("this scribe has no `run` command yet")
                raise Failure("scribe exited during start-up (status %s)"
                              % self.proc.returncode)
            n, waiting = self.syncs()
            return n > self._syncs_before and waiting >= 1
        wait_for(ready, timeout, 0.1, "scribe to sync and long-poll")

    def wait_idle(self, timeout=20):
        """Until scribe is back in a long-poll (all in-flight work sent)."""
        wait_for(lambda: self.syncs()[1] >= 1, timeout, 0.1, "scribe to long-poll again")

    def kill9(self):
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def term(self, timeout=20):
        """SIGTERM; returns the exit status (fails if it does not stop)."""
        if not self.alive():
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout * TIME_SCALE)
            self.exits.append(rc)
            return rc
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise Failure("scribe did not stop within %ds of SIGTERM" % timeout)

    # -- what scribe sent
    def sent(self, room_id, since=0, etype=None):
        return [e for e in self.hs.events(room_id, since, etype) if e["sender"] == self.user_id]

    def notices(self, room_id, since=0):
        return [e for e in self.sent(room_id, since, "m.room.message")
                if e["content"].get("msgtype") in ("m.notice", "m.text")]

    def replies_to(self, room_id, event_id, since=0):
        return [e for e in self.notices(room_id, since) if relates_to(e) == event_id]

    def wait_reply(self, room_id, event_id, pred=None, timeout=DEFAULT_WAIT, what=None):
        """scribe's replies to event_id, once one satisfies pred (all of them)."""
        def got():
            self.assert_alive()
            rs = self.replies_to(room_id, event_id)
            if rs and (pred is None or any(pred(r) for r in rs)):
                return rs
            return None
        return wait_for(got, timeout, 0.2, what or "scribe's reply to %s" % event_id)

    def reactions(self, room_id, event_id):
        out = []
        for e in self.sent(room_id, 0, "m.reaction"):
            rel = e["content"].get("m.relates_to") or {}
            if rel.get("event_id") == event_id and "redacted_because" not in e.get("unsigned", {}):
                out.append(rel.get("key"))
        return out

    def room_with(self, user, name="Meetings", **kw):
        """user creates a room, invites scribe, waits until it has joined."""
        room = user.create_room(name=name, invite=[self.user_id], **kw)
        wait_for(lambda: self.hs.membership(room, self.user_id) == "join", DEFAULT_WAIT, 0.1,
                 "scribe to join %s" % room)
        return room

    def ingest(self, user, room_id, filename, as_text=False, timeout=60):
        """Post a record from tests/e2e/data (as a file, or pasted);
        returns (event id, scribe's replies) once scribe replied."""
        text = data(filename)
        if as_text:
            eid = user.say(room_id, text)
        else:
            eid = user.send_file(room_id, text.encode("utf-8"), filename)
        rs = self.wait_reply(room_id, eid, timeout=timeout, what="scribe's reply to " + filename)
        return eid, rs

    def ask(self, user, room_id, text, pred=None, timeout=DEFAULT_WAIT, what=None):
        """user says text; returns (event_id, replies) once scribe answered."""
        eid = user.say(room_id, text)
        rs = self.wait_reply(room_id, eid, pred, timeout, what or "an answer to %r" % text)
        return eid, rs


def relates_to(ev):
    """The event a reply answers: m.in_reply_to, else a thread root."""
    rel = (ev.get("content") or {}).get("m.relates_to") or {}
    irt = rel.get("m.in_reply_to") or {}
    if irt.get("event_id"):
        return irt["event_id"]
    if rel.get("rel_type") == "m.thread":
        return rel.get("event_id")
    return None


def body(ev):
    return (ev.get("content") or {}).get("body") or ""


def all_text(events):
    return "\n".join(body(e) for e in events)


# ---------------------------------------------------------------- the test


class Test:
    def __init__(self, name):
        self.name = name
        self.workdir = tempfile.mkdtemp(prefix="scribe-e2e-%s-" % name)
        self.servers = []
        self.scribes = []

    def homeserver(self, args=()):
        s = Homeserver(self, args).start()
        self.servers.append(s)
        return s

    def scribe(self, server, name="scribe", password=None, start=True, **kw):
        """Register the bot user on `server` and start scribe as it."""
        password = password or ("scribe-pw-" + rand(20))
        user = server.register(name, password)
        sc = Scribe(self, server, user, password, **kw)
        self.scribes.append(sc)
        if start:
            sc.start()
        return sc

    def cleanup(self):
        for sc in self.scribes:
            try:
                if sc.alive():
                    sc.term(10)
            except Exception:
                if sc.proc and sc.proc.poll() is None:
                    sc.proc.kill()
        for s in self.servers:
            try:
                s.stop()
            except Exception:
                pass

    def keep_logs(self):
        dest = os.path.join(ROOT, "build", "test-logs")
        tag = self.name + ("-valgrind" if "valgrind" in WRAPPER else "")
        try:
            os.makedirs(dest, exist_ok=True)
            for sc in self.scribes:
                shutil.copy(sc.log_path, os.path.join(dest, "e2e-%s-scribe.log" % tag))
            for s in self.servers:
                shutil.copy(s.log_path, os.path.join(dest, "e2e-%s-homeserver.log" % tag))
        except OSError:
            pass

    def tail(self, path, n=60):
        try:
            with open(path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return
        print("---- last %d lines of %s" % (min(n, len(lines)), path))
        for ln in lines[-n:]:
            print("   | " + ln)


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "WARNING: ThreadSanitizer")
# valgrind -q prints only its findings, each line prefixed "==PID== ".
VALGRIND_MARKS = re.compile(
    r"==\d+== (Invalid (read|write|free)|Mismatched free|Conditional jump or move depends"
    r"|Use of uninitialised value|Syscall param .* (uninitialised|unaddressable)"
    r"|Source and destination overlap|Argument '.*' of function .* has a fishy"
    r"|.* are (definitely|indirectly) lost in loss record|Process terminating with default action"
    r"|ERROR SUMMARY: [1-9])")


def sanitizer_report(log):
    """The first lines of an ASan/LSan/UBSan report in a log, or None."""
    lines = log.splitlines()
    for i, ln in enumerate(lines):
        if any(m in ln for m in SANITIZER_MARKS):
            return "\n".join(lines[i:i + 25])
        # valgrind (SCRIBE_WRAPPER): errors, or memory definitely lost
        if VALGRIND_MARKS.search(ln) or \
                re.search(r"==\d+==\s+(definitely|indirectly) lost: [1-9]", ln):
            return "\n".join(lines[max(0, i - 5):i + 30])
    return None


def main(fn, name=None):
    name = name or os.path.splitext(os.path.basename(sys.argv[0]))[0]
    t = Test(name)

    def on_term(signum, frame):
        raise Failure("stopped by signal %d (the runner's timeout?)" % signum)
    signal.signal(signal.SIGTERM, on_term)
    rc = 1
    skipped = False
    started = time.monotonic()
    try:
        fn(t)
        rc = 0
    except Skip as e:
        rc = 0
        skipped = True
        print("SKIP: %s" % e)
    except Failure as e:
        print("FAIL: %s" % e)
    except Exception:
        traceback.print_exc()
        print("FAIL: unexpected error")
    finally:
        try:
            t.cleanup()
        except Exception:
            traceback.print_exc()
        for sc in t.scribes:
            report = sanitizer_report(sc.log_text())
            if report:
                print("FAIL: sanitizer report in scribe's log:\n" + report)
                rc = 1
            if "valgrind" in WRAPPER and VALGRIND_EXIT in sc.exits:
                print("FAIL: valgrind found errors or leaks (exit status %d)" % VALGRIND_EXIT)
                rc = 1
        t.keep_logs()
        if rc == 0 and not skipped:
            print("PASS %s (%.1fs)" % (name, time.monotonic() - started))
        if rc != 0:
            for sc in t.scribes:
                t.tail(sc.log_path, 80)
            for s in t.servers:
                t.tail(s.log_path, 40)
            print("logs kept in %s" % t.workdir)
        else:
            shutil.rmtree(t.workdir, ignore_errors=True)
    sys.exit(rc)
