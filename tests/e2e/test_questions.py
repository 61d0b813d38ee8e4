#!/usr/bin/env python3
"""Questions in the room, after three records were posted: who raised a topic
(with the prefix and by addressing scribe by name), a question and a chat
message that name a summary's headings (not taken for records), open actions for DC,
a later record that reports an action done closing it,
closing an action, a non-admin's forget refused while the meeting stays and
accepted once a power-level change in the timeline makes them admin;
messages not addressed to scribe are ignored."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    bob = server.register("bob")
    bot = t.scribe(server)
    room = bot.room_with(alice)
    alice.invite(room, bob.user_id)
    bob.join(room)
    check(alice.power_levels(room)["users"].get(bob.user_id, 0) == 0, "bob has power level 0")

    step("three records")
    for name in ("xyz-7-transcript.txt", "xyz-7-summary.txt", "xyz-8-transcript.txt"):
        eid, rs = bot.ingest(alice, room, name)
        check(rs, "%s ingested and recapped" % name)

    step("!who raised <topic> -> names the speaker")
    q1, rs = bot.ask(alice, room, "!who raised community radio licensing")
    b = hs.all_text(rs)
    check("Lena Voss" in b or "LENA VOSS" in b, "names Lena Voss: %r" % b[:300])
    check(re.search(r"#\s*7|14 Jun|2022-06-14", b) is not None, "cites meeting #7")
    check(rs[0]["content"].get("msgtype") == "m.notice" and rs[0]["content"].get("formatted_body"),
          "an m.notice with HTML")

    step("addressed by name -> answered")
    q2, rs = bot.ask(bob, room, "scribe: who raised the accessibility of the booth?")
    b = hs.all_text(rs)
    check("Dorota" in b or "Ravi" in b, "names who raised it: %r" % b[:300])
    mentions = rs[0]["content"].get("m.mentions")
    check(isinstance(mentions, dict), "m.mentions present: %r" % (mentions,))

    step("a question asked inside a thread -> answered in that thread")
    root = alice.say(room, "Thread about the booth")
    q_th = alice.send(room, {"msgtype": "m.text", "body": "!who raised the booth",
                             "m.relates_to": {"rel_type": "m.thread", "event_id": root,
                                              "is_falling_back": True,
                                              "m.in_reply_to": {"event_id": root}}})
    rs = bot.wait_reply(room, q_th, what="the answer inside the thread")
    rel = rs[0]["content"].get("m.relates_to") or {}
    check(rel.get("rel_type") == "m.thread" and rel.get("event_id") == root,
          "the answer stays in the thread (root %s): %r" % (root[:10], rel))

    step("an edit of a question is not answered again")
    edit = alice.send(room, {"msgtype": "m.text", "body": "* !who raised the booth?",
                             "m.new_content": {"msgtype": "m.text", "body": "!who raised the booth?"},
                             "m.relates_to": {"rel_type": "m.replace", "event_id": q_th}})
    time.sleep(2.5)
    check(not bot.replies_to(room, edit), "no reply to the edit")
    check(len(bot.replies_to(room, q_th)) == 1, "still one reply to the edited question")

    step("a message not addressed to scribe is ignored")
    q3 = bob.say(room, "who raised the booth, does anyone remember?")
    time.sleep(2.5)
    check(not bot.replies_to(room, q3), "no reply to a message not addressed to scribe")

    step("chat about the minutes and the agenda is neither a record nor a question")
    q_chat = bob.say(room, "Minutes of the last meeting are in the drive; participants, please "
                           "check the agenda and the decisions before Friday. Apologies from Sam.")
    time.sleep(2.5)
    check(not bot.replies_to(room, q_chat), "no reply (not read as a summary report)")

    step("a question to scribe by name that speaks of decisions and next steps -> answered")
    q_dec, rs = bot.ask(bob, room, "scribe, decisions and next steps about the booth?")
    b = hs.all_text(rs)
    check(re.search(r"shared booth", b) is not None and
          re.search(r"could not read|no meeting record|not a record", b, re.I) is None,
          "answers with the booth decision: %r" % b[:300])

    step("open actions for DC -> lists actions")
    q4, rs = bot.ask(alice, room, "!open actions for DC")
    b = hs.all_text(rs)
    ids = re.findall(r"\bA\d+\b", b)
    check(ids, "lists action ids: %s" % ids[:10])
    check(re.search(r"paragraph|banner", b, re.I) is not None, "includes the DCs' banner paragraph: %r" % b[:400])
    m = re.search(r"(A\d+)[^\n]*(paragraph|banner)", b, re.I)
    aid = m.group(1) if m else ids[0]

    step("done %s by alice (room admin) -> confirmation" % aid)
    q5, rs = bot.ask(alice, room, "!done %s" % aid)
    b = hs.all_text(rs)
    check(aid in b and re.search(r"done|closed", b, re.I) is not None, "confirmed: %r" % b[:200])
    q6, rs = bot.ask(alice, room, "scribe: open actions for DC")
    b = hs.all_text(rs)
    check(not re.search(r"\b%s\b" % aid, b), "%s no longer listed as open" % aid)

    step("non-admin (power level 0) !forget #7 -> refused")
    q7, rs = bot.ask(bob, room, "!forget #7")
    b = hs.all_text(rs)
    check(re.search(r"power|permission|not allowed|only|admin|can't|cannot|may not", b, re.I) is not None,
          "refused: %r" % b[:200])
    q8, rs = bot.ask(alice, room, "!recap #7")
    b = hs.all_text(rs)
    check(re.search(r"Lena|Tomas|Ravi", b) is not None, "meeting #7 is still there: %r" % b[:120])

    step("bob raised to power level 50 (a timeline change) -> his forget is accepted")
    alice.set_power(room, bob.user_id, 50)
    time.sleep(1)
    q9, rs = bot.ask(bob, room, "!forget #8")
    b = hs.all_text(rs)
    check(re.search(r"forg|deleted|removed", b, re.I) is not None and
          re.search(r"power level|permission|not allowed", b, re.I) is None,
          "accepted: %r" % b[:200])
    q10, rs = bot.ask(alice, room, "!recap #8")
    b = hs.all_text(rs)
    check(re.search(r"Dorota", b) is None, "meeting #8 is gone: %r" % b[:160])

    step("a record that reports an action done closes it")
    q11, rs = bot.ask(alice, room, "!open actions for Ravi")
    b = hs.all_text(rs)
    m = re.search(r"\b(A\d+)\b[^\n]*booth request form", b)
    check(m is not None, "Ravi's booth request form is open: %r" % b[:300])
    form = m.group(1) if m else "A0"
    nine = ("XYZ Coordination Meeting #9\n\n13 September 2022\n\n"
            ">> ANNA BERG:  Welcome to the ninth meeting.  Ravi, the booth?\n\n"
            ">> RAVI MENON:  Yes, I sent the booth request form to the host committee in July.  "
            "They confirmed it.\n\n"
            ">> ANNA BERG:  Thank you.  Bye.\n")
    e9 = alice.say(room, nine)
    rs = bot.wait_reply(room, e9, what="scribe's reply to the #9 record")
    b = hs.all_text(rs)
    check(re.search(r"Reported done, so closed:[^\n]*\b%s\b" % form, b) is not None,
          "the reply says %s is closed: %r" % (form, b[-300:]))
    q12, rs = bot.ask(alice, room, "!open actions for Ravi")
    b = hs.all_text(rs)
    check(not re.search(r"\b%s\b" % form, b), "%s is no longer open: %r" % (form, b[:300]))
    q13, rs = bot.ask(alice, room, "!%s" % form)
    b = hs.all_text(rs)
    check("I sent the booth request form" in b, "its history quotes the report: %r" % b[:400])

    step("every question answered exactly once")
    time.sleep(1)
    for trig in (q1, q2, q_dec, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13):
        rs = bot.replies_to(room, trig)
        bodies = [hs.body(r) for r in rs]
        check(len(bodies) == len(set(bodies)) and len(rs) >= 1,
              "%s: %d reply event(s), none repeated" % (trig[:12], len(rs)))
    bot.assert_alive()


hs.main(test)
