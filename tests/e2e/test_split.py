#!/usr/bin/env python3
"""An answer larger than the 64 KiB event limit is split into several events,
each under the limit, in order, nothing repeated: a summary report with
1,200 next steps is ingested, then all open actions are asked for."""

import json
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402

FIRST = ["Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Femi", "Greta", "Hugo", "Ines",
         "Jonas", "Kaito", "Leila", "Mateo", "Nadia", "Oskar", "Priya", "Quentin",
         "Rosa", "Stefan", "Talia"]
LAST = ["Abara", "Brandt", "Castell", "Dahl", "Ekwueme", "Ferraz", "Gashi", "Horvat",
        "Ilves", "Jansen"]
TOPICS = ["spectrum sharing", "open archives", "captioning budgets", "venue access",
          "translation memory", "mailing list moderation", "youth fellowships",
          "data retention", "community networks", "open licences"]
N_STEPS = 1200


def big_summary():
    rnd = random.Random(7)
    people = ["%s %s" % (f, l) for f in FIRST for l in LAST][:60]
    lines = ["XYZ Coordination Group", "Virtual meeting #9 | 6 September 2022", "",
             "Summary report", "", "1. Work plan for the coming year", "",
             "Key points raised", "",
             "- The group went through every open item of the work plan, one by one.", "",
             "Next steps", ""]
    for i in range(N_STEPS):
        who = rnd.choice(people)
        lines.append("- %s will send the note number %d on %s to the list by 30 September."
                     % (who, i + 1, rnd.choice(TOPICS)))
    lines += ["", "Participants", ""] + ["%s (Coalition %d)" % (p, i) for i, p in enumerate(people)]
    return "\n".join(lines) + "\n"


def content_size(ev):
    return len(json.dumps(ev["content"], ensure_ascii=False, separators=(",", ":")).encode())


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    bot = t.scribe(server, bot={"max_record_bytes": str(5 * 1024 * 1024)})
    room = bot.room_with(alice)

    step("ingest a summary with %d next steps" % N_STEPS)
    text = big_summary()
    eid = alice.send_file(room, text.encode(), "xyz-9-summary.txt")
    rs = bot.wait_reply(room, eid, timeout=90, what="the recap of the big summary")
    for r in rs:
        check(content_size(r) < 65536, "recap event under 64 KiB (%d bytes)" % content_size(r))

    for question in ("!actions", "!open actions", "scribe: all open actions"):
        step("ask %r and collect every event of the answer" % question)
        pos = server.pos()
        q = alice.say(room, question)
        bot.wait_reply(room, q, timeout=60, what="the answer to %r" % question)
        last = [None]

        def quiet():
            evs = bot.notices(room, pos)
            n = len(evs)
            if last[0] == n:
                return evs
            last[0] = n
            return None
        evs = hs.wait_for(quiet, 30, 2.0, "the answer to finish")
        total = sum(content_size(e) for e in evs)
        print("   %d event(s), %d bytes of content in all" % (len(evs), total))
        if total > 65536:
            break
    check(total > 65536, "the answer is larger than one event may be (%d bytes)" % total)
    check(len(evs) >= 2, "split into %d events" % len(evs))
    for e in evs:
        check(content_size(e) <= 65536 - 2048,
              "event %s: %d bytes, under the limit" % (e["event_id"][:10], content_size(e)))
        check(e["content"].get("msgtype") == "m.notice", "each part is an m.notice")
    ids = []
    for e in evs:
        ids += re.findall(r"\bA(\d+)\b", hs.body(e))
    check(len(ids) == len(set(ids)), "no action listed twice across the parts (%d ids)" % len(ids))
    check(len(ids) >= 500, "the parts together list many actions (%d)" % len(ids))
    time.sleep(1)
    bot.assert_alive()


hs.main(test)
