#!/usr/bin/env python3
"""Sessions without a password: scribe runs on a configured access token
(config key, token file, SCRIBE_ACCESS_TOKEN), never logs in by itself, and
stops with a clear message and a non-zero status when the token is revoked.
Also: a direct chat needs no prefix; a mention addresses scribe; SIGINT ends
scribe with status 0; no token ever reaches the log."""

import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step  # noqa: E402

C = "/_matrix/client/v3"


def login(server, password, device="SCRIBE"):
    r = hs.request(server.cport, "POST", C + "/login", {
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "scribe"},
        "password": password, "device_id": device})
    return r.json()["access_token"]


def test(t):
    server = t.homeserver()
    alice = server.register("alice")
    pw = "scribe-pw-" + hs.rand(20)
    server.register("scribe", pw)
    token = login(server, pw)
    bot = hs.Scribe(t, server, "@scribe:localhost", "",
                    matrix={"password": None, "access_token": token})
    t.scribes.append(bot)

    step("access_token in the config, no password")
    logins = server.stats()["logins"]
    bot.start()
    room = bot.room_with(alice)
    bot.ask(alice, room, "!help")
    check(server.stats()["logins"] == logins, "scribe never called /login")

    step("a direct chat needs no prefix")
    dm = alice.create_room(invite=[bot.user_id], is_direct=True)
    hs.wait_for(lambda: server.membership(dm, bot.user_id) == "join", 20, 0.1, "scribe to join the DM")
    q, rs = bot.ask(alice, dm, "help")
    check(rs[0]["content"].get("msgtype") == "m.notice", "'help' without prefix answered in the DM")

    step("a mention addresses scribe in a group room")
    eid = alice.send(room, {"msgtype": "m.text", "body": "scribe help",
                            "format": "org.matrix.custom.html",
                            "formatted_body": '<a href="https://matrix.to/#/@scribe:localhost">scribe</a> help',
                            "m.mentions": {"user_ids": [bot.user_id]}})
    bot.wait_reply(room, eid, what="the answer to a mention")
    check(True, "answered a mention")

    step("the token is revoked and there is no password -> a clear stop")
    server.expire(bot.user_id)
    alice.say(room, "wake the long-poll")
    try:
        rc = bot.proc.wait(30)
    except Exception:
        raise hs.Failure("scribe still runs 30 s after its token was revoked")
    check(rc != 0, "scribe stopped with a non-zero status (%d)" % rc)
    log = bot.log_text()
    tail = "\n".join(log.splitlines()[-10:])
    check(re.search(r"token|M_UNKNOWN_TOKEN|401|log in", tail, re.I) is not None,
          "the log says why: %r" % tail[-300:])

    step("access_token_file")
    token2 = login(server, pw)
    tf = os.path.join(t.workdir, "token")
    with open(tf, "w") as f:
        f.write(token2 + "\n")
    os.chmod(tf, 0o600)
    bot.matrix.pop("access_token", None)
    bot.matrix["access_token_file"] = tf
    bot.write_config()
    bot.start()
    bot.ask(alice, room, "!help")
    check(True, "runs on the token file")
    bot.term()

    step("SCRIBE_ACCESS_TOKEN")
    token3 = login(server, pw)
    bot.matrix.pop("access_token_file", None)
    bot.write_config()
    bot.extra_env["SCRIBE_ACCESS_TOKEN"] = token3
    bot.start()
    bot.ask(alice, room, "!help")
    check(True, "runs on the environment variable")

    step("SIGINT")
    bot.proc.send_signal(signal.SIGINT)
    rc = bot.proc.wait(20)
    check(rc == 0, "SIGINT -> exit status 0")

    step("no token in the log")
    log = bot.log_text()
    for tk in (token, token2, token3):
        check(tk not in log, "token %s… not in the log" % tk[:8])
    check(pw not in log, "password not in the log")
    db_mode = os.stat(bot.db).st_mode & 0o777
    check(db_mode & 0o077 == 0, "database file mode %o (no access for others)" % db_mode)
    time.sleep(0)


hs.main(test)
