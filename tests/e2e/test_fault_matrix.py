#!/usr/bin/env python3
"""The fault matrix: every fault the test homeserver can inject, one row
each, against one running scribe.  For each row questions are asked while
the fault is in force; when it ends scribe must still be running (or, for
a revoked token without a password, stop clearly and come back after a
restart with a new token), answer every question, and send nothing twice.

Printed at the end as a table: fault, where it hits, times injected,
questions asked, answered, duplicate replies, and the seconds from the end
of the fault to the last answer."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402

SYNC = r"/sync$"
SEND = r"/send/m\.room\.message/"
DOWNLOAD = r"/download/"
C = "/_matrix/client/v3"
ROWS = []
TXNS = {}


def fault_state(server, fid):
    return [f for f in server.faults() if f["id"] == fid][0]


def wait_served(server, fids, timeout=120):
    def served():
        return all(fault_state(server, f)["count"] == 0 for f in fids)
    hs.wait_for(served, timeout, 0.1, "scribe to run into the fault")


def login(server, password):
    r = hs.request(server.cport, "POST", C + "/login", {
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "scribe"},
        "password": password, "device_id": "SCRIBE"})
    return r.json()["access_token"]


class Matrix:
    def __init__(self, t, server, alice, bot, room):
        self.t, self.server, self.alice, self.bot, self.room = t, server, alice, bot, room
        self.n = 0

    def ask(self, k):
        out = []
        for i in range(k):
            self.n += 1
            text = ["!help", "!who raised community radio licensing", "!actions"][self.n % 3]
            out.append(self.alice.say(self.room, text))
        return out

    def row(self, name, where, inject, end=None, k=2, timeout=150, record=None,
            expect_stop=False, restart=None):
        """inject() -> (fault ids, injected count or None); end() ends a
        fault that does not end by itself; restart() brings a stopped
        scribe back.  Returns the row."""
        bot, server, room = self.bot, self.server, self.room
        step(name + " — " + where)
        if bot.alive():
            bot.wait_idle(30)
        fids, injected = inject()
        trig = self.ask(k)
        if record:
            trig.append(self.alice.send_file(room, hs.data(record).encode(), record))
        if fids:
            wait_served(server, fids)
            injected = sum(fault_state(server, f)["hits"] for f in fids)
        if end:
            end()
        t_end = time.time()
        if expect_stop:
            try:
                rc = bot.proc.wait(60 * hs.TIME_SCALE)
            except Exception:
                raise hs.Failure("%s: scribe still runs 60 s after its token was revoked" % name)
            tail = "\n".join(bot.log_text().splitlines()[-6:])
            check(rc != 0 and ("token" in tail.lower() or "log in" in tail.lower()),
                  "%s: scribe stopped with status %d and says why: %r" % (name, rc, tail[-160:]))
            restart()
            t_end = time.time()
        else:
            bot.assert_alive()

        def answered():
            bot.assert_alive()
            return all(bot.replies_to(room, e) for e in trig)
        hs.wait_for(answered, timeout, 0.2, "the answers after: " + name)
        time.sleep(1.5)
        replies = [bot.replies_to(room, e) for e in trig]
        last = max(r["origin_server_ts"] for rs in replies for r in rs) / 1000.0
        dups = sum(len(rs) - 1 for rs in replies)
        got = sum(1 for rs in replies if rs)
        rec = max(0.0, last - t_end)
        ROWS.append((name, where, injected, len(trig), got, dups, rec))
        # The homeserver's count of events stored per txn id (kept until
        # its process restarts): a retried send must reuse its txn id.
        for key, v in server.stats()["txns"].items():
            if key.startswith(bot.user_id + "|"):
                TXNS[key] = max(TXNS.get(key, 0), v["events"])
        check(got == len(trig) and dups == 0,
              "%s: %d asked, %d answered, %d duplicates, recovered %.1fs after the fault"
              % (name, len(trig), got, dups, rec))
        bot.assert_alive()


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    bot = t.scribe(server)
    room = bot.room_with(alice)
    bot.ingest(alice, room, "xyz-7-transcript.txt")
    m = Matrix(t, server, alice, bot, room)
    me = bot.user_id

    def fault(kind, path, **kw):
        return lambda: ([server.fault(kind, path=path, user=me, **kw)], None)

    for st, n in ((500, 3), (502, 2), (503, 2)):
        m.row("HTTP %d x%d" % (st, n), "sync", fault("status", SYNC, status=st, count=n))
    for st in (500, 502, 503):
        m.row("HTTP %d x2" % st, "send", fault("status", SEND, status=st, count=2))
    m.row("HTTP 503 x2", "media download", fault("status", DOWNLOAD, status=503, count=2),
          k=1, record="xyz-8-transcript.txt")
    m.row("429 retry_after_ms=2000", "send", fault("429", SEND, retry_after_ms=2000))
    m.row("429 Retry-After: 2 (header only)", "send",
          fault("429", SEND, retry_after_ms=None, retry_after="2"))
    m.row("429 retry_after_ms + Retry-After", "sync",
          fault("429", SYNC, retry_after_ms=1500, retry_after=True))

    def down():
        server.down("refuse")
        return [], 1

    def wait_up():
        time.sleep(5)
        bot.assert_alive()
        server.up()
    m.row("connection refused (down 5 s)", "all", down, end=wait_up)
    m.row("connection dropped x2", "sync", fault("drop", SYNC, count=2))
    m.row("connection dropped", "send", fault("drop", SEND))
    m.row("dropped mid-response", "sync", fault("drop_mid", SYNC))
    m.row("dropped mid-response (stored)", "send", fault("drop_mid", SEND))
    m.row("truncated JSON", "sync", fault("truncate", SYNC))
    m.row("truncated JSON (stored)", "send", fault("truncate", SEND))
    m.row("invalid UTF-8 in an event", "sync", fault("bad_utf8", SYNC))
    m.row("lone surrogates in an event", "sync", fault("lone_surrogate", SYNC))
    m.row("sync answer of 64 MiB + 1", "sync", fault("oversize", SYNC))
    m.row("slower than the timeout (65 s)", "sync", fault("slow", SYNC, delay_ms=65000),
          timeout=150)

    def fake401():
        return [server.fault("401", path=SYNC, user=me)], None
    m.row("401 M_UNKNOWN_TOKEN, password", "sync", fake401)

    def revoke():
        server.expire(me)
        return [], 1
    m.row("401 token revoked, password", "all", revoke)

    def restart_hs():
        server.restart(down_ms=1500)
        return [], 1
    m.row("homeserver restarts (1.5 s)", "all", restart_hs, end=lambda: time.sleep(2))

    def restart_proc():
        server.restart_process()
        return [], 1
    m.row("homeserver process restarts", "all", restart_proc)

    step("without a password: an access token only")
    bot.term()
    bot.matrix.pop("password", None)
    bot.matrix["access_token"] = login(server, bot.password)
    bot.write_config()
    bot.start()

    def new_token():
        bot.matrix["access_token"] = login(server, bot.password)
        bot.write_config()
        bot.start()
    m.row("401 token revoked, no password", "all", revoke, expect_stop=True, restart=new_token)

    step("nothing was sent twice")
    twice = [k for k, v in TXNS.items() if v > 1]
    check(len(TXNS) >= 40 and not twice,
          "%d txn ids used by scribe's replies, none stored twice" % len(TXNS))
    notices = bot.notices(room)
    per = {}
    for ev in notices:
        per.setdefault(hs.relates_to(ev), []).append(hs.body(ev))
    rep = [k for k, v in per.items() if len(v) != len(set(v))]
    check(not rep, "no reply repeated in the room")
    rc = bot.term()
    check(rc == 0, "SIGTERM -> exit status 0")
    log = bot.log_text()
    toks = server.tokens(me)["issued"]
    check(not [x for x in toks if x in log] and bot.password not in log,
          "none of the %d tokens nor the password in scribe's log" % len(toks))

    print()
    print("%-34s %-15s %8s %6s %9s %5s %10s" % ("fault", "where", "injected", "asked",
                                               "answered", "dups", "recovery s"))
    print("-" * 90)
    for name, where, inj, asked, got, dups, rec in ROWS:
        print("%-34s %-15s %8s %6d %9d %5d %10.1f" % (name, where, inj, asked, got, dups, rec))
    print("-" * 90)
    print("%d faults: %d questions asked, %d answered, %d duplicates" % (
        len(ROWS), sum(r[3] for r in ROWS), sum(r[4] for r in ROWS), sum(r[5] for r in ROWS)))


hs.main(test)
