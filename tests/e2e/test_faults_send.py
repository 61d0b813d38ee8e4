#!/usr/bin/env python3
"""Faults on scribe's sends: a 429 (retry_after_ms, then a Retry-After header
only) is waited out and the reply arrives exactly once with the same txn id;
5xx answers and a connection dropped mid-response are retried without a
duplicate; a slow answer is still delivered once."""

import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402

SEND = r"/send/m\.room\.message/"


def faulted_txns(server, fid):
    """The txn ids of the sends fault `fid` answered."""
    f = [f for f in server.faults() if f["id"] == fid][0]
    return [urllib.parse.unquote(p.rsplit("/", 1)[1]) for p in f.get("paths", [])]


def same_txn(server, fid, bot, room, reply, what):
    st = reply_txn_stats(server, bot, room, reply)
    txns = faulted_txns(server, fid)
    check(txns and all(x == reply["txn_id"] for x in txns) and st and st["events"] == 1,
          "%s: the retry used the same txn id %r (refused: %s)" % (what, reply["txn_id"], txns))


def reply_txn_stats(server, bot, room, reply):
    st = server.stats()["txns"]
    key = "%s|%s|m.room.message|%s" % (bot.user_id, room, reply["txn_id"])
    return st.get(key)


def exactly_once(bot, room, trig, what, settle=2.0):
    time.sleep(settle)
    rs = bot.replies_to(room, trig)
    check(len(rs) == 1, "%s: exactly one reply (got %d)" % (what, len(rs)))
    return rs[0]


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    bot = t.scribe(server)
    room = bot.room_with(alice)
    eid, rs = bot.ask(alice, room, "!help")
    check(rs, "scribe answers !help before any fault")

    step("429 with retry_after_ms=2500 (and Retry-After) on the reply")
    fid = server.fault("429", path=SEND, user=bot.user_id, retry_after_ms=2500, retry_after=True)
    t0 = time.time()
    q = alice.say(room, "!help")
    rs = bot.wait_reply(room, q, timeout=40, what="the reply after a 429")
    waited = rs[0]["origin_server_ts"] / 1000.0 - t0
    r = exactly_once(bot, room, q, "after 429")
    check(waited >= 2.3, "the retry waited for retry_after_ms (%.1fs)" % waited)
    same_txn(server, fid, bot, room, r, "429")

    step("429 with only a Retry-After header (2 s)")
    fid = server.fault("429", path=SEND, user=bot.user_id, retry_after_ms=None, retry_after="2")
    t0 = time.time()
    q = alice.say(room, "!help")
    rs = bot.wait_reply(room, q, timeout=40, what="the reply after a Retry-After 429")
    waited = rs[0]["origin_server_ts"] / 1000.0 - t0
    r = exactly_once(bot, room, q, "after Retry-After")
    same_txn(server, fid, bot, room, r, "Retry-After")
    check(waited >= 1.8, "the retry waited for Retry-After (%.1fs)" % waited)

    step("500, 502, 503 on the reply")
    for status in (500, 502, 503):
        fid = server.fault("status", status=status, path=SEND, user=bot.user_id, count=2)
        q = alice.say(room, "!help")
        bot.wait_reply(room, q, timeout=60, what="the reply after two %d answers" % status)
        r = exactly_once(bot, room, q, "after %d" % status)
        same_txn(server, fid, bot, room, r, str(status))

    step("connection dropped mid-response on the reply (the server stored it)")
    fid = server.fault("drop_mid", path=SEND, user=bot.user_id)
    q = alice.say(room, "!help")
    bot.wait_reply(room, q, timeout=40, what="the reply whose answer was cut")
    r = exactly_once(bot, room, q, "after a cut answer", settle=5.0)
    same_txn(server, fid, bot, room, r, "cut answer")
    st = reply_txn_stats(server, bot, room, r)
    check(st["requests"] >= 2, "the cut send was retried (%d requests, 1 event)" % st["requests"])

    step("connection dropped before the answer (nothing stored)")
    fid = server.fault("drop", path=SEND, user=bot.user_id)
    q = alice.say(room, "!help")
    bot.wait_reply(room, q, timeout=40, what="the reply after a dropped connection")
    r = exactly_once(bot, room, q, "after a dropped connection")
    same_txn(server, fid, bot, room, r, "dropped connection")

    step("a slow answer (3 s) on the reply")
    server.fault("slow", path=SEND, user=bot.user_id, delay_ms=3000)
    q = alice.say(room, "!help")
    bot.wait_reply(room, q, timeout=40, what="the slow reply")
    exactly_once(bot, room, q, "after a slow answer", settle=3.0)

    step("the reactions path: a 429 on m.reaction while a file is read")
    server.fault("429", path=r"/send/m\.reaction/", user=bot.user_id, retry_after_ms=1500)
    fe, rs = bot.ingest(alice, room, "xyz-8-transcript.txt")
    hs.wait_for(lambda: "✅" in bot.reactions(room, fe), 20, 0.2, "the ✅ after a 429 on reactions")
    check(True, "reactions arrive after a 429")
    exactly_once(bot, room, fe, "the recap")

    bot.assert_alive()
    check(all(f["count"] == 0 for f in server.faults()), "every fault was served")


hs.main(test)
