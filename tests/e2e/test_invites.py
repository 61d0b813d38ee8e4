#!/usr/bin/env python3
"""Invites: scribe joins rooms it is invited to by an allowed user, rejects
other invites, declines an encrypted room with one plain notice, and on its
first start answers nothing from the history it finds."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    mallory = server.register("mallory")
    bot_id = "@scribe:localhost"

    step("before scribe's first start: a pending invite with an old question in the room")
    old_room = alice.create_room(name="Old", invite=[bot_id])
    old_q = alice.say(old_room, "!help")

    public = alice.create_room(name="Public", preset="public_chat", alias="meetings")

    bot = t.scribe(server, bot={"rooms": "#meetings:localhost"})
    check(bot.alive(), "scribe started and long-polls")

    step("the room named in the config (rooms = #meetings:localhost) is joined at start")
    hs.wait_for(lambda: server.membership(public, bot_id) == "join", 20, 0.1,
                "scribe to join #meetings:localhost")
    check(True, "scribe joined the configured room by its alias")

    step("the pending invite from an allowed user is accepted")
    hs.wait_for(lambda: server.membership(old_room, bot_id) == "join", 20, 0.1,
                "scribe to join the room it was invited to before it started")
    check(True, "scribe joined the room of the pending invite")

    step("invite from the allowed user -> scribe joins")
    room = alice.create_room(name="Meetings", invite=[bot_id])
    hs.wait_for(lambda: server.membership(room, bot_id) == "join", 20, 0.1, "scribe to join")
    check(True, "scribe joined " + room)

    step("invite from a user who is not allowed -> rejected")
    bad = mallory.create_room(name="Mallory's", invite=[bot_id])
    hs.wait_for(lambda: server.membership(bad, bot_id) == "leave", 20, 0.1,
                "scribe to reject mallory's invite")
    joins = [e for e in server.events(bad) if e["type"] == "m.room.member"
             and e["state_key"] == bot_id and e["content"].get("membership") == "join"]
    check(not joins, "scribe never joined mallory's room")
    check(not bot.sent(bad, 0, "m.room.message"), "and said nothing there")

    step("encrypted room -> one plain notice, then leave")
    enc = alice.create_room(name="Secret", invite=[bot_id], encrypted=True)
    hs.wait_for(lambda: server.membership(enc, bot_id) == "leave", 20, 0.1,
                "scribe to leave the encrypted room")
    msgs = bot.sent(enc, 0, "m.room.message")
    check(len(msgs) == 1, "exactly one message in the encrypted room (got %d)" % len(msgs))
    check(msgs[0]["content"].get("msgtype") == "m.notice" and hs.body(msgs[0]).strip(),
          "it is a plain m.notice: %r" % hs.body(msgs[0])[:120])
    enc_evs = [e for e in bot.sent(enc, 0, "m.room.encrypted")]
    check(not enc_evs, "nothing encrypted was sent")
    leave_pos = [e["pos"] for e in server.events(enc) if e["type"] == "m.room.member"
                 and e["state_key"] == bot_id and e["content"].get("membership") == "leave"][-1]
    check(msgs[0]["pos"] < leave_pos, "the notice came before leaving")

    step("a new question in the old room is answered; the old one never")
    eid, rs = bot.ask(alice, old_room, "!help")
    check(len(rs) >= 1 and rs[0]["content"].get("msgtype") == "m.notice", "new !help answered")
    time.sleep(2)
    check(not bot.replies_to(old_room, old_q), "the question from before the first start got no answer")
    check(len(bot.sent(enc, 0, "m.room.message")) == 1, "still one notice in the encrypted room")

    step("kicked from a room, then invited again -> joins again and answers")
    n_before = len(bot.notices(room))
    alice.kick(room, bot_id)
    time.sleep(1.5)
    bot.assert_alive()
    alice.invite(room, bot_id)
    hs.wait_for(lambda: server.membership(room, bot_id) == "join", 20, 0.1, "scribe to join again")
    eid, rs = bot.ask(alice, room, "!help")
    check(len(rs) == 1, "answers after rejoining")
    time.sleep(1)
    check(len(bot.notices(room)) == n_before + 1, "and answers nothing old again")
    bot.assert_alive()


hs.main(test)
