#!/usr/bin/env python3
"""Records posted in the room: a transcript pasted as text and records
uploaded as files get a recap (m.notice, in reply or thread, with HTML and
m.mentions); a file is acknowledged with 👀 then ✅; the same file again is
"already" known; a file that is not a record gets a short reason; a file over
max_record_bytes is refused (declared size, and a lying declared size).
Media are fetched with the authenticated v1 download (the server offers
v1.11)."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402

MAX = 262144


def check_reply_shape(ev, trigger, what):
    c = ev["content"]
    check(c.get("msgtype") == "m.notice", "%s: msgtype m.notice" % what)
    check(hs.relates_to(ev) == trigger, "%s: a reply (or in the thread) of the posting event" % what)
    check(c.get("format") == "org.matrix.custom.html" and c.get("formatted_body"),
          "%s: has an HTML formatted_body" % what)
    check(isinstance(c.get("m.mentions"), dict), "%s: has m.mentions" % what)
    check("<script" not in c["formatted_body"].lower(), "%s: no raw markup leaks" % what)


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    bot = t.scribe(server, bot={"max_record_bytes": str(MAX)})
    room = bot.room_with(alice)

    step("a transcript pasted as text -> recap")
    eid, rs = bot.ingest(alice, room, "xyz-7-transcript.txt", as_text=True)
    recap = rs[0]
    check_reply_shape(recap, eid, "recap of the pasted transcript")
    b = hs.body(recap)
    check("7" in b and ("XYZ" in b or "Coordination" in b), "the recap names the meeting (#7): %r" % b[:80])
    check("Lena Voss" in b or "Tomas Okafor" in b or "Ravi Menon" in b,
          "the recap names who spoke")
    check(re.search(r"2022|14 Jun|Jun 14|June", b) is not None, "the recap gives the date")
    check(len(rs) == 1, "one recap for the pasted transcript")

    step("a summary uploaded as m.file -> 👀, ✅ and a recap")
    dl0 = server.stats()["media_downloads"]
    eid2, rs2 = bot.ingest(alice, room, "xyz-7-summary.txt")
    check_reply_shape(rs2[0], eid2, "recap of the uploaded summary")
    hs.wait_for(lambda: "✅" in bot.reactions(room, eid2), 10, 0.2, "the ✅ reaction")
    keys = [e["content"]["m.relates_to"]["key"] for e in bot.sent(room, 0, "m.reaction")
            if e["content"].get("m.relates_to", {}).get("event_id") == eid2]
    check("👀" in keys and "✅" in keys, "reactions sent on the file: %s" % keys)
    check(keys.index("👀") < keys.index("✅"), "👀 first, ✅ after")
    dl = server.stats()["media_downloads"]
    check(dl["v1"] > dl0["v1"] and dl["legacy"] == dl0["legacy"],
          "downloaded with /_matrix/client/v1/media/download (v1 %d, legacy %d)"
          % (dl["v1"], dl["legacy"]))

    st = server.stats()
    check(st["typing"] >= 2, "typing notices sent while reading (%d)" % st["typing"])
    check(bot.user_id not in server.rooms()[room]["typing"], "typing is off once the recap is sent")

    step("another transcript as a file -> recap of #8")
    eid3, rs3 = bot.ingest(alice, room, "xyz-8-transcript.txt")
    b3 = hs.body(rs3[0])
    check(re.search(r"\b8\b", b3) is not None and re.search(r"Jul|2022-07", b3) is not None,
          "recap of #8 with its July date: %r" % b3[:80])

    step("the same file again -> 'already have it', not a second recap")
    n_before = len(bot.notices(room))
    eid4 = alice.send_file(room, hs.data("xyz-8-transcript.txt").encode(), "again.txt")
    rs4 = bot.wait_reply(room, eid4, what="the reply to a duplicate file")
    time.sleep(1.5)
    rs4 = bot.replies_to(room, eid4)
    check(len(rs4) == 1, "one reply to the duplicate")
    check("already" in hs.body(rs4[0]).lower(), "it says 'already': %r" % hs.body(rs4[0])[:160])
    check(len(hs.body(rs4[0])) < len(b3), "shorter than a recap")
    from urllib.parse import quote
    link = "https://matrix.to/#/%s/%s" % (quote(room, safe="!$:@-._~"), quote(eid3, safe="!$:@-._~"))
    check(link in hs.body(rs4[0]), "it links to the first posting %s: %r" % (link, hs.body(rs4[0])))
    fb = rs4[0]["content"].get("formatted_body", "")
    check('href="%s"' % link in fb, "the HTML links to it too: %r" % fb[-200:])
    check(len(bot.notices(room)) == n_before + 1, "no other message")

    step("a file that is not a record -> a short reason")
    eid5 = alice.send_file(room, hs.data("packing-list.txt").encode(), "packing-list.txt")
    rs5 = bot.wait_reply(room, eid5, what="the reply to a non-record file")
    b5 = hs.body(rs5[0])
    check(len(b5) < 600 and "recap" not in b5.lower()[:20], "a short reason: %r" % b5[:200])
    check("✅" not in bot.reactions(room, eid5), "no ✅ on it")

    step("an oversized file (declared size over the limit) -> refused without download")
    big = (hs.data("xyz-7-transcript.txt") * 200).encode()[:MAX + 50000]
    dl0 = server.stats()["media_downloads"]
    eid6 = alice.send_file(room, big, "huge.txt")
    rs6 = bot.wait_reply(room, eid6, what="the refusal of an oversized file")
    b6 = hs.body(rs6[0])
    check(re.search(r"too (large|big)|limit|exceed|over|max|bytes|KiB|MiB|KB|MB", b6, re.I) is not None,
          "refused with a reason: %r" % b6[:200])
    dl = server.stats()["media_downloads"]
    check(dl == dl0, "not downloaded at all (declared size checked first)")
    check("✅" not in bot.reactions(room, eid6), "no ✅ on it")

    step("an oversized file whose declared size lies -> refused while downloading")
    eid7 = alice.send_file(room, big[:-7] + b"\nend.\n", "liar.txt", size=2000)
    rs7 = bot.wait_reply(room, eid7, what="the refusal of a file larger than it claims")
    b7 = hs.body(rs7[0])
    check(re.search(r"too (large|big)|limit|exceed|over|max|bytes|KiB|MiB|KB|MB", b7, re.I) is not None,
          "refused with a reason: %r" % b7[:200])
    check("✅" not in bot.reactions(room, eid7), "no ✅ on it")

    step("nothing answered twice")
    time.sleep(1)
    for trig in (eid, eid2, eid3, eid4, eid5, eid6, eid7):
        n = len(bot.replies_to(room, trig))
        check(n == 1, "one reply to %s (got %d)" % (trig[:12], n))
    bot.assert_alive()
    check(bot.term() == 0, "SIGTERM -> exit status 0")


hs.main(test)
