#!/usr/bin/env python3
"""Against a server older than v1.11 (no authenticated media in /versions),
scribe downloads an uploaded record with the legacy /_matrix/media/v3/download
and still replies with the recap."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402


def test(t):
    server = t.homeserver(["--no-authenticated-media"])
    alice = server.register("alice")
    bot = t.scribe(server)
    room = bot.room_with(alice)

    step("upload a transcript to a pre-v1.11 server")
    eid, rs = bot.ingest(alice, room, "xyz-8-transcript.txt")
    check(rs[0]["content"].get("msgtype") == "m.notice", "a recap arrived")
    dl = server.stats()["media_downloads"]
    check(dl["legacy"] >= 1 and dl["v1"] == 0,
          "fetched with /_matrix/media/v3/download (legacy %d, v1 %d)" % (dl["legacy"], dl["v1"]))
    v1_tries = sum(n for k, n in server.stats()["requests"].items() if "/v1/media/download" in k)
    check(v1_tries == 0, "never tried the v1 endpoint the server does not offer")


hs.main(test)
