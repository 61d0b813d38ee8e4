#!/usr/bin/env python3
"""kill -9 and restart: a question whose reply could not be sent yet, a reply
in flight when scribe dies, and a question asked while scribe is down are
each answered exactly once after the restart; nothing answered before the
kill is answered again; SIGTERM ends scribe cleanly with status 0."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402

SEND = r"/send/m\.room\.message/"


def fault_hits(server, fid):
    return [f for f in server.faults() if f["id"] == fid][0]["hits"]


def no_duplicates(bot, room, triggers):
    for trig, what in triggers:
        rs = bot.replies_to(room, trig)
        bodies = [hs.body(r) for r in rs]
        check(len(rs) >= 1 and len(bodies) == len(set(bodies)),
              "%s: %d reply event(s), none repeated" % (what, len(rs)))


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    bot = t.scribe(server)
    room = bot.room_with(alice)
    triggers = []

    step("answered before any kill")
    fe, rs = bot.ingest(alice, room, "xyz-7-transcript.txt")
    triggers.append((fe, "the recap of #7"))
    q0, rs = bot.ask(alice, room, "!who raised community radio licensing")
    triggers.append((q0, "who raised (before the kills)"))
    q0b, rs = bot.ask(alice, room, "!help")
    triggers.append((q0b, "help (before the kills)"))

    step("kill -9 while the reply cannot be sent (every send dropped)")
    fid = server.fault("drop", path=SEND, user=bot.user_id, count=None)
    q1 = alice.say(room, "!who raised the booth")
    hs.wait_for(lambda: fault_hits(server, fid) >= 1, 20, 0.1, "scribe to try to send its reply")
    bot.kill9()
    check(not bot.alive(), "scribe killed with SIGKILL while its reply was pending")
    server.clear_faults()
    check(not bot.replies_to(room, q1), "no reply reached the room yet")
    bot.start()
    rs = bot.wait_reply(room, q1, timeout=40, what="the pending reply after the restart")
    triggers.append((q1, "who raised the booth (pending at kill -9)"))
    check("Ravi" in hs.all_text(rs), "the answer names Ravi Menon")

    step("kill -9 while the reply is in flight (the server stores it after the kill)")
    fid = server.fault("slow", path=SEND, user=bot.user_id, delay_ms=3000)
    q2 = alice.say(room, "!help")
    hs.wait_for(lambda: fault_hits(server, fid) >= 1, 20, 0.1, "scribe's reply to be in flight")
    time.sleep(0.5)
    bot.kill9()
    hs.wait_for(lambda: bot.replies_to(room, q2), 10, 0.2, "the server to store the in-flight reply")
    check(True, "the in-flight reply was stored after scribe died")
    bot.start()
    time.sleep(4)
    rs = bot.replies_to(room, q2)
    check(len(rs) == 1, "still exactly one reply after the restart (got %d)" % len(rs))
    st = server.stats()["txns"].get("%s|%s|m.room.message|%s" % (bot.user_id, room, rs[0]["txn_id"]))
    check(st is None or st["events"] <= 1, "a resend, if any, reused the txn id (%s)" % (st,))
    triggers.append((q2, "help (in flight at kill -9)"))

    step("a question asked while scribe is down")
    bot.kill9()
    q3 = alice.say(room, "!who raised community radio licensing")
    time.sleep(1)
    bot.start()
    rs = bot.wait_reply(room, q3, timeout=30, what="the question asked while scribe was down")
    triggers.append((q3, "who raised (asked while down)"))

    step("while scribe is down: a question from 20 minutes ago and a fresh one")
    bot.kill9()
    q_old = server.ctl("POST", "/_test/rooms/%s/event" % hs.q(room), {
        "sender": alice.user_id, "content": {"msgtype": "m.text", "body": "!help"},
        "origin_server_ts": int(time.time() * 1000) - 20 * 60 * 1000})["event_id"]
    q_new = alice.say(room, "!who raised the booth")
    bot.start()
    bot.wait_reply(room, q_new, timeout=30, what="the fresh question asked while scribe was down")
    time.sleep(2)
    check(not bot.replies_to(room, q_old),
          "the question older than the catch-up window (15 min) is not answered")
    triggers.append((q_new, "who raised (fresh, asked while down)"))

    step("kill -9 and restart with nothing pending: nothing old answered again")
    counts = {trig: len(bot.replies_to(room, trig)) for trig, _ in triggers}
    n_notices = len(bot.notices(room))
    bot.kill9()
    bot.start()
    q4, rs = bot.ask(alice, room, "!help")
    triggers.append((q4, "help (after the last restart)"))
    time.sleep(2)
    check(len(bot.notices(room)) == n_notices + len(rs), "only the new question was answered")
    for trig, what in triggers[:-1]:
        check(len(bot.replies_to(room, trig)) == counts[trig], "%s: no new reply" % what)

    step("SIGTERM while a reply waits out a 429 -> exit 0; the reply arrives once")
    fid = server.fault("429", path=SEND, user=bot.user_id, retry_after_ms=1500)
    q5 = alice.say(room, "!who raised the booth")
    hs.wait_for(lambda: fault_hits(server, fid) >= 1, 20, 0.1, "the 429 on scribe's reply")
    rc = bot.term(timeout=15)
    check(rc == 0, "SIGTERM -> exit status 0 within 15 s")
    before_exit = bool(bot.replies_to(room, q5))
    if not before_exit:
        bot.start()
    rs = bot.wait_reply(room, q5, timeout=30, what="the reply held back by the 429")
    time.sleep(2)
    check(len(bot.replies_to(room, q5)) == 1, "exactly one reply (%s)"
          % ("sent before exiting" if before_exit else "kept and sent after the restart"))
    triggers.append((q5, "who raised the booth (429 at SIGTERM)"))
    if not bot.alive():
        bot.start()

    step("every trigger answered, none twice")
    no_duplicates(bot, room, triggers)

    step("SIGTERM")
    check(bot.term() == 0, "SIGTERM -> exit status 0")


hs.main(test)
