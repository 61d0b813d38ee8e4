#!/usr/bin/env python3
"""Faults on scribe's sync and session: 5xx, dropped connections, truncated
JSON, invalid UTF-8 and lone surrogates, an oversized answer, the homeserver
down for a while (connection refused) and restarting, and a revoked token
(401 M_UNKNOWN_TOKEN -> log in again with the password).  After each, scribe
is still running and answers a question asked afterwards exactly once; its
log never contains an access token or the password."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402

SYNC = r"/sync$"


def answered_once(bot, alice, room, text, timeout=45, what=None):
    q, rs = bot.ask(alice, room, text, timeout=timeout, what=what)
    time.sleep(1.0)
    n = len(bot.replies_to(room, q))
    check(n == 1, "%s: answered exactly once (got %d)" % (what or text, n))
    return q


def wait_served(server, fid, timeout=60):
    def served():
        f = [f for f in server.faults() if f["id"] == fid]
        return f and f[0]["count"] == 0
    hs.wait_for(served, timeout, 0.2, "scribe to run into fault %d" % fid)


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    bot = t.scribe(server)
    room = bot.room_with(alice)
    answered_once(bot, alice, room, "!help", what="before any fault")

    cases = [
        ("500 x3 on sync", dict(kind="status", status=500, count=3)),
        ("502 (HTML body) x2 on sync", dict(kind="status", status=502, count=2)),
        ("503 x2 on sync", dict(kind="status", status=503, count=2)),
        ("connection dropped on sync", dict(kind="drop", count=2)),
        ("connection dropped mid-response on sync", dict(kind="drop_mid", count=1)),
        ("truncated JSON on sync", dict(kind="truncate", count=1)),
        ("invalid UTF-8 in a sync event", dict(kind="bad_utf8", count=1)),
        ("a lone surrogate in a sync event", dict(kind="lone_surrogate", count=1)),
        ("a sync answer of 64 MiB", dict(kind="oversize", count=1)),
        ("429 on sync", dict(kind="429", count=1, retry_after_ms=1500, retry_after=True)),
    ]
    for what, f in cases:
        step(what)
        kind = f.pop("kind")
        fid = server.fault(kind, path=SYNC, user=bot.user_id, **f)
        # A message from alice wakes the long-poll, so the fault is met now.
        alice.say(room, "just chatting, not for scribe")
        wait_served(server, fid)
        bot.assert_alive()
        answered_once(bot, alice, room, "!help", what="after " + what)

    step("homeserver down for 8 s (connection refused)")
    server.down("refuse")
    time.sleep(8)
    bot.assert_alive()
    server.up()
    answered_once(bot, alice, room, "!help", timeout=90, what="a question after the outage")

    step("a question asked while the homeserver is down")
    server.down("close")
    q_during = alice.say(room, "!help")
    time.sleep(5)
    server.up()
    bot.wait_reply(room, q_during, timeout=90, what="the question asked during the outage")
    time.sleep(1)
    check(len(bot.replies_to(room, q_during)) == 1, "answered exactly once after the outage")

    step("homeserver restarts (listener and connections closed for 1.5 s)")
    server.restart(down_ms=1500)
    time.sleep(2)
    answered_once(bot, alice, room, "!help", timeout=90, what="a question after the restart")

    step("homeserver process restarts (state kept)")
    server.restart_process()
    answered_once(bot, alice, room, "!help", timeout=90, what="a question after a process restart")

    step("401 M_UNKNOWN_TOKEN: scribe logs in again with its password")
    logins = server.stats()["logins"]
    n = server.expire(bot.user_id)
    check(n >= 1, "scribe's token revoked")
    alice.say(room, "wake up the long-poll")
    hs.wait_for(lambda: server.stats()["logins"] > logins, 60, 0.2, "scribe to log in again")
    check(True, "scribe logged in again")
    toks = server.tokens(bot.user_id)
    check(len(toks["current"]) == 1, "one live token for scribe")
    answered_once(bot, alice, room, "!help", timeout=60, what="a question after logging in again")

    step("secrets never in scribe's log")
    log = bot.log_text()
    check(len(log) > 0, "scribe wrote a log (%d bytes)" % len(log))
    leaked = [tk for tk in toks["issued"] if tk in log]
    check(not leaked, "none of the %d access tokens issued to scribe is in its log" % len(toks["issued"]))
    check(bot.password not in log, "the password is not in its log")
    check(bot.term() == 0, "SIGTERM -> exit status 0")


hs.main(test)
