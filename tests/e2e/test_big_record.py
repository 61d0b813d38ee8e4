#!/usr/bin/env python3
"""A large record is read off the event loop: while scribe reads a
multi-megabyte transcript uploaded in one room, questions asked in another
room (and then in the same room) are each answered exactly once, the record
is stored once with its recap, and scribe's sync goes on.  The order of the
replies is logged, not asserted: it depends on timing."""

import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402


def big_transcript(copies):
    """A long transcript: the header of xyz-8 and its turns many times over,
    each copy with its own words so that nothing is a duplicate turn."""
    text = hs.data("xyz-8-transcript.txt")
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith(">>"))
    head, body = "\n".join(lines[:first]), "\n".join(lines[first:])
    parts = [body.replace("the ", "the %s " % ("x" * (k % 7 + 1)), 3) + "\nround %d\n" % k
             for k in range(copies)]
    return head + "\n" + "\n".join(parts)


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    bot = t.scribe(server, bot={"max_record_bytes": str(16 * 1024 * 1024)})
    room_a = bot.room_with(alice, name="Records")
    room_b = bot.room_with(alice, name="Questions")
    bot.ingest(alice, room_b, "xyz-7-transcript.txt", as_text=True)

    record = big_transcript(800).encode("utf-8")
    step("a %.1f MB transcript uploaded in one room" % (len(record) / 1e6))
    syncs0 = bot.syncs()
    t0 = time.time()
    rec_eid = alice.send_file(room_a, record, "xyz-8-long.txt")

    step("questions in another room while it is read")
    asked = [alice.say(room_b, "!who raised the survey"),
             alice.say(room_b, "!meetings")]
    for eid in asked:
        rs = bot.wait_reply(room_b, eid, timeout=120)
        print("answer to %s after %.2f s" % (eid, time.time() - t0))
        check(len(rs) >= 1, "a question asked while a record is read is answered")

    rs = bot.wait_reply(room_a, rec_eid, timeout=300, what="the recap of the long record")
    print("recap after %.2f s" % (time.time() - t0))
    check("#8" in hs.body(rs[0]) or "8" in hs.body(rs[0]), "the recap names meeting 8")
    hs.wait_for(lambda: "✅" in bot.reactions(room_a, rec_eid), 30, 0.2, "the ✅ reaction")

    step("a question in the same room after the record")
    eid, rs = bot.ask(alice, room_a, "!meetings", timeout=60)
    check(any("8" in hs.body(r) for r in rs), "the long record's meeting is listed")

    step("nothing answered twice, the record stored once")
    bot.wait_idle()
    for room, eid in [(room_b, asked[0]), (room_b, asked[1]), (room_a, eid)]:
        n = len(bot.replies_to(room, eid))
        check(n == 1, "one answer to %s, got %d" % (eid, n))
    check(len(bot.replies_to(room_a, rec_eid)) == 1, "one recap for the long record")
    check(bot.syncs() > syncs0, "scribe kept syncing")
    bot.term()
    con = sqlite3.connect(bot.db)
    n = con.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    con.close()
    check(n == 2, "two records stored (got %d)" % n)


hs.main(test)
