#!/usr/bin/env python3
"""A gap in the timeline: while scribe is stopped, a room gets a question,
then more chatter than one sync shows (the filter's timeline limit is 50),
then another question. After the restart the sync is 'limited'; scribe
reads the gap back with /messages and answers both questions exactly once,
the older one first, and answers nothing of the chatter."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    bot = t.scribe(server)
    room = bot.room_with(alice)
    fe, _ = bot.ingest(alice, room, "xyz-7-transcript.txt")

    step("scribe stopped; a question, 80 lines of chatter, a question")
    check(bot.term() == 0, "scribe stopped cleanly")
    early = alice.say(room, "!meetings")
    for i in range(80):
        alice.say(room, "chatter line %d about lunch" % i)
    late = alice.say(room, "!who raised community radio licensing")

    step("restart: the gap is read back")
    bot.start()
    rs_late = bot.wait_reply(room, late, timeout=60, what="the answer to the late question")
    rs_early = bot.wait_reply(room, early, timeout=60, what="the answer to the question in the gap")
    check("7" in hs.body(rs_early[0]), "the early question is answered (#7 listed)")
    check("gap in the timeline" in bot.log_text(), "scribe saw the gap")
    bot.wait_idle()

    step("each answered once, the older first, nothing else")
    check(len(bot.replies_to(room, early)) == 1, "one answer to the question in the gap")
    check(len(bot.replies_to(room, late)) == 1, "one answer to the late question")
    notices = bot.notices(room)
    order = [hs.relates_to(e) for e in notices]
    check(order.index(early) < order.index(late), "the older question is answered first")
    answered = {hs.relates_to(e) for e in notices}
    check(answered <= {fe, early, late}, "no chatter answered: %s" % (answered - {fe, early, late}))

    step("a second restart answers nothing again")
    n = len(bot.notices(room))
    check(bot.term() == 0, "stopped")
    bot.start()
    bot.wait_idle()
    check(len(bot.notices(room)) == n, "nothing re-answered after another restart")


hs.main(test)
