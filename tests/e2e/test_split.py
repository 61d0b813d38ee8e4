#!/usr/bin/env python3
"""An answer larger than the 64 KiB event limit is split into several events,
each under the limit, in order, nothing repeated: a summary report listing
1,400 participants is ingested, then who attended is asked."""

import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402

FIRST = ["Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Femi", "Greta", "Hugo", "Ines",
         "Jonas", "Kaito", "Leila", "Mateo", "Nadia", "Oskar", "Priya", "Quentin",
         "Rosa", "Stefan", "Talia", "Ulla", "Viktor", "Wanda", "Xavier", "Yusuf",
         "Zofia", "Amara", "Bjorn", "Celine", "Darius", "Esme", "Farid", "Gaia",
         "Henrik", "Ilona", "Jakub", "Kira", "Luca", "Maren", "Nils"]
LAST = ["Abara", "Brandt", "Castell", "Dahl", "Ekwueme", "Ferraz", "Gashi", "Horvat",
        "Ilves", "Jansen", "Kowal", "Lindqvist", "Moreau", "Novak", "Okonkwo", "Petrov",
        "Quist", "Rinaldi", "Santos", "Tamm", "Uribe", "Varga", "Weiss", "Xu", "Yilmaz",
        "Zeller", "Achebe", "Bauer", "Conti", "Dufour", "Eriksen", "Fonseca", "Gruber",
        "Haddad", "Ivanova", "Jovic", "Kern", "Lopes", "Mensah", "Nagy"]
N_PEOPLE = 1400


def people():
    return ["%s %s" % (f, l) for f in FIRST for l in LAST][:N_PEOPLE]


def big_summary():
    """A summary report of meeting #9 with 1,400 listed participants."""
    lines = ["XYZ Coordination Group", "Virtual meeting #9 | 6 September 2022", "",
             "Summary report", "", "1. Work plan for the coming year", "",
             "Key points raised", "",
             "- The group went through every open item of the work plan.", "",
             "Next steps", "",
             "- The Secretariat will circulate the notes of the meeting.", "",
             "Participants", ""]
    lines += ["%s (Coalition on Topic %d)" % (p, i) for i, p in enumerate(people())]
    return "\n".join(lines) + "\n"


def content_size(ev):
    return len(json.dumps(ev["content"], ensure_ascii=False, separators=(",", ":")).encode())


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    bot = t.scribe(server, bot={"max_record_bytes": str(5 * 1024 * 1024)})
    room = bot.room_with(alice)

    step("ingest a summary with %d participants" % N_PEOPLE)
    text = big_summary()
    eid = alice.send_file(room, text.encode(), "xyz-9-summary.txt")
    rs = bot.wait_reply(room, eid, timeout=90, what="the recap of the big summary")
    for r in rs:
        check(content_size(r) < 65536, "recap event under 64 KiB (%d bytes)" % content_size(r))

    for question in ("!who attended #9", "scribe: who attended #9?"):
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
    check_parts(bot, evs)

    step("again under a Synapse-like rate limit (2 sends/s, burst 3): every part, in order, once")
    server.config(rate_limit={"per_second": 2, "burst": 3, "users": [bot.user_id]})
    pos = server.pos()
    q = alice.say(room, "!who attended #9")
    bot.wait_reply(room, q, timeout=60, what="the rate-limited answer")
    last = [None]

    def quiet2():
        evs = bot.notices(room, pos)
        n = len(evs)
        if last[0] == n:
            return evs
        last[0] = n
        return None
    evs = hs.wait_for(quiet2, 60, 3.0, "the rate-limited answer to finish")
    limited = server.stats().get("rate_limited", {}).get(bot.user_id, 0)
    check(limited >= 1, "the homeserver answered 429 %d time(s)" % limited)
    check_parts(bot, evs)
    server.config(rate_limit=None)
    time.sleep(1)
    bot.assert_alive()


def check_parts(bot, evs):
    names = []
    for e in evs:
        names += [p for p in re.findall(r"^\W*([A-Z][a-z]+ [A-Z][a-z]+) \(Coalition on Topic \d+\)",
                                        hs.body(e), re.M)]
    check(len(names) == len(set(names)), "nobody listed twice across the parts (%d names)" % len(names))
    check(len(names) >= N_PEOPLE * 0.9, "the parts together list the participants (%d of %d)"
          % (len(names), N_PEOPLE))
    full = subprocess.run([bot.binary, "--db", bot.db, "ask", "who attended #9"],
                          capture_output=True, timeout=60, env=bot.env())
    want = re.findall(r"^\W*([A-Z][a-z]+ [A-Z][a-z]+) \(Coalition on Topic \d+\)",
                      full.stdout.decode("utf-8", "replace"), re.M)
    check(full.returncode == 0 and names == want,
          "the parts, in the order sent, list exactly what `scribe ask` lists (%d names)" % len(want))


if __name__ == "__main__":
    hs.main(test)
