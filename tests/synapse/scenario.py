#!/usr/bin/env python3
"""tests/synapse/scenario.py -- the end-to-end scenario against a real
Synapse homeserver instead of tests/homeserver.py.

    SYNAPSE_URL=http://127.0.0.1:8008 SYNAPSE_SHARED_SECRET=... \\
        python3 tests/synapse/scenario.py

SYNAPSE_SHARED_SECRET is the homeserver's registration_shared_secret: the
scenario registers its users (alice, bob, mallory and the bot, with a fresh
suffix each run) through Synapse's shared-secret registration. The server
must listen on loopback (scribe accepts http:// only there). For the 429
step give the server a message rate limit (rc_message, e.g. 2 per second,
burst 4); without one the step checks only that every part arrives.
SYNAPSE_STOP and SYNAPSE_START, shell commands that stop and start the
server, add the outage step.

Steps, as users see them: an invite from outside allow_invites_from is
rejected; an allowed invite is joined; a record pasted as text and two
uploaded as files are recapped (reactions while reading), the same file
again is "already have it", a file that is not a record gets a reason;
who raised / open actions / done A# are answered; a non-admin's forget is
refused, and accepted once a power-level change makes them admin; a
question in a thread is answered there; a direct chat needs no prefix; an
answer over the 64 KiB event limit arrives split; an encrypted
room is declined with one notice; its tokens revoked, scribe logs in
again; scribe killed with SIGKILL answers the
question asked while it was down exactly once; SIGTERM stops it with exit 0.

Without SYNAPSE_URL it prints why it skipped and exits 0."""

import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
import hs  # noqa: E402
from hs import check, step  # noqa: E402
import test_split  # noqa: E402

SYNC_FILTER = json.dumps({"room": {"timeline": {"limit": 500}},
                          "presence": {"not_types": ["*"]}}, separators=(",", ":"))


class Synapse:
    """What the shared e2e helpers ask of a homeserver, answered by a real
    Synapse through the Client-Server API: users, and the events of a room
    as one member (the observer) syncs them."""

    def __init__(self, url, secret):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "http" or u.hostname not in ("127.0.0.1", "localhost"):
            raise hs.Failure("SYNAPSE_URL must be http://127.0.0.1:PORT (got %s)" % url)
        self.url = url.rstrip("/")
        self.port = self.cport = u.port or 80
        self.secret = secret.encode()
        self.users = []
        self.observer = None
        self.since = None
        self.seen = []              # (room_id, event), in sync order
        self.ids = set()
        self.tag = hs.rand(6).lower()

    def register(self, name, password=None):
        """A new user on the server (shared-secret registration)."""
        password = password or ("pw-" + hs.rand(16))
        username = "%s-%s" % (name, self.tag)
        path = "/_synapse/admin/v1/register"
        nonce = hs.request(self.port, "GET", path).json()["nonce"]
        mac = hmac.new(self.secret, b"\0".join(
            [nonce.encode(), username.encode(), password.encode(), b"notadmin"]),
            hashlib.sha1).hexdigest()
        r = hs.request(self.port, "POST", path, {"nonce": nonce, "username": username,
                                                 "password": password, "admin": False,
                                                 "mac": mac})
        if r.status != 200:
            raise hs.Failure("registering %s -> HTTP %d %s" % (username, r.status, r.body[:200]))
        d = r.json()
        user = hs.User(self, d["user_id"], d["access_token"], d.get("device_id"), password)
        self.users.append(user)
        return user

    def observe(self, user):
        self.observer = user
        self.since = None
        self.poll()

    def poll(self):
        path = "%s/sync?timeout=0&filter=%s" % (hs.User.C, urllib.parse.quote(SYNC_FILTER))
        if self.since:
            path += "&since=" + urllib.parse.quote(self.since)
        r = self.observer.call("GET", path)
        self.since = r.get("next_batch", self.since)
        rooms = r.get("rooms", {})
        for kind in ("join", "leave"):
            for room_id, j in rooms.get(kind, {}).items():
                for ev in j.get("timeline", {}).get("events", []):
                    if ev.get("event_id") not in self.ids:
                        self.ids.add(ev.get("event_id"))
                        self.seen.append((room_id, ev))

    def events(self, room_id, since=0, etype=None):
        self.poll()
        return [ev for i, (r, ev) in enumerate(self.seen)
                if i >= since and r == room_id and (etype is None or ev.get("type") == etype)]

    def pos(self):
        self.poll()
        return len(self.seen)

    def membership(self, room_id, user_id):
        for u in self.users:
            r = hs.request(self.port, "GET", "%s/rooms/%s/state/m.room.member/%s"
                           % (hs.User.C, hs.q(room_id), hs.q(user_id)),
                           headers={"Authorization": "Bearer " + u.token})
            if r.status == 200:
                return r.json().get("membership")
        return None


class SynapseScribe(hs.Scribe):
    """scribe run against Synapse: ready once its log says this start has
    signed in (Synapse has no control port to ask how it syncs)."""

    def wait_ready(self, timeout=30):
        marker = "===== scribe start #%d =====" % self.starts

        def ready():
            if not self.alive():
                raise hs.Failure("scribe exited during start-up (status %s)"
                                 % self.proc.returncode)
            log = self.log_text()
            this = log[log.find(marker):] if marker in log else ""
            return re.search(r"(signed|logged) in as", this) is not None
        hs.wait_for(ready, timeout, 0.2, "scribe's initial sync")

    def syncs(self):
        return 0, 0


def scenario(t):
    url = os.environ.get("SYNAPSE_URL")
    secret = os.environ.get("SYNAPSE_SHARED_SECRET")
    if not url or not secret:
        raise hs.Skip("SYNAPSE_URL and SYNAPSE_SHARED_SECRET not set (no Synapse to run against)")
    server = Synapse(url, secret)
    alice = server.register("alice")
    bob = server.register("bob")
    mallory = server.register("mallory")
    server.observe(alice)
    password = "scribe-pw-" + hs.rand(20)
    me = server.register("scribe", password)
    bot = SynapseScribe(t, server, me, password, allow=alice.user_id,
                        bot={"max_record_bytes": str(5 * 1024 * 1024)},
                        matrix={"device_id": None})
    t.scribes.append(bot)
    bot.start()
    print("   " + "".join(ln for ln in bot.log_text().splitlines() if "reached" in ln)[-160:])

    step("an invite from outside allow_invites_from is rejected")
    bad = mallory.create_room(name="Elsewhere", invite=[bot.user_id])
    hs.wait_for(lambda: server.membership(bad, bot.user_id) == "leave", 20, 0.3,
                "scribe to reject mallory's invite")

    step("an allowed invite is joined")
    room = bot.room_with(alice)
    alice.invite(room, bob.user_id)
    bob.join(room)

    step("a record pasted as text -> 👀, ✅ and a recap")
    eid, rs = bot.ingest(alice, room, "xyz-7-transcript.txt", as_text=True, timeout=60)
    b = hs.all_text(rs)
    check(re.search(r"Lena Voss|LENA VOSS", b) is not None, "the recap names the speakers: %r"
          % b[:200])
    keys = [((e.get("content") or {}).get("m.relates_to") or {}).get("key")
            for e in server.events(room, 0, "m.reaction")
            if ((e.get("content") or {}).get("m.relates_to") or {}).get("event_id") == eid]
    check("✅" in keys, "reactions on the record: %r" % keys)
    check(rs[0]["content"].get("msgtype") == "m.notice" and
          rs[0]["content"].get("format") == "org.matrix.custom.html", "an m.notice with HTML")

    step("records uploaded as files (authenticated media download) -> recaps")
    for name in ("xyz-7-summary.txt", "xyz-8-transcript.txt"):
        eid, rs = bot.ingest(alice, room, name, timeout=60)
        check(rs and re.search(r"already", hs.all_text(rs), re.I) is None,
              "%s recapped: %r" % (name, hs.all_text(rs)[:120]))
    eid = alice.send_file(room, hs.data("xyz-8-transcript.txt").encode(), "again.txt")
    rs = bot.wait_reply(room, eid, timeout=60, what="the reply to the same file again")
    check(re.search(r"already", hs.all_text(rs), re.I) is not None,
          "the same record again: %r" % hs.all_text(rs)[:160])
    eid = alice.send_file(room, hs.data("packing-list.txt").encode(), "packing-list.txt")
    rs = bot.wait_reply(room, eid, timeout=60, what="the reply to a file that is no record")
    check(len(hs.all_text(rs)) < 600, "a short reason: %r" % hs.all_text(rs)[:200])

    step("questions")
    q1, rs = bot.ask(alice, room, "!who raised community radio licensing")
    check(re.search(r"Lena Voss|LENA VOSS", hs.all_text(rs)) is not None,
          "who raised -> Lena Voss: %r" % hs.all_text(rs)[:200])
    q2, rs = bot.ask(bob, room, "scribe: who raised the accessibility of the booth?")
    check(re.search(r"Dorota|Ravi", hs.all_text(rs)) is not None,
          "addressed by name -> answered: %r" % hs.all_text(rs)[:200])
    check(isinstance(rs[0]["content"].get("m.mentions"), dict), "m.mentions present")
    q3, rs = bot.ask(alice, room, "!open actions for DC")
    ids = re.findall(r"\bA\d+\b", hs.all_text(rs))
    check(ids, "open actions list ids: %s" % ids[:8])
    q4, rs = bot.ask(alice, room, "!done %s" % ids[0])
    check(re.search(r"done|closed", hs.all_text(rs), re.I) is not None,
          "done %s confirmed: %r" % (ids[0], hs.all_text(rs)[:160]))
    q5, rs = bot.ask(bob, room, "!forget #7")
    check(re.search(r"power|permission|not allowed|admin|cannot|may not", hs.all_text(rs), re.I)
          is not None, "a non-admin's forget refused: %r" % hs.all_text(rs)[:160])

    step("a question inside a thread -> answered in that thread")
    root = alice.say(room, "Thread about the booth")
    q_th = alice.send(room, {"msgtype": "m.text", "body": "!who raised the booth",
                             "m.relates_to": {"rel_type": "m.thread", "event_id": root,
                                              "is_falling_back": True,
                                              "m.in_reply_to": {"event_id": root}}})
    rs = bot.wait_reply(room, q_th, what="the answer inside the thread")
    rel = rs[0]["content"].get("m.relates_to") or {}
    check(rel.get("rel_type") == "m.thread" and rel.get("event_id") == root,
          "the answer stays in the thread: %r" % rel)

    step("bob made admin by a power-level change -> his forget is accepted")
    alice.set_power(room, bob.user_id, 50)
    time.sleep(1)
    q_f, rs = bot.ask(bob, room, "!forget #7")
    check(re.search(r"forg|deleted|removed", hs.all_text(rs), re.I) is not None and
          re.search(r"power level|permission|not allowed", hs.all_text(rs), re.I) is None,
          "accepted: %r" % hs.all_text(rs)[:160])

    step("a direct chat needs no prefix")
    dm = alice.create_room(invite=[bot.user_id], is_direct=True)
    hs.wait_for(lambda: server.membership(dm, bot.user_id) == "join", 20, 0.3,
                "scribe to join the direct chat")
    q_dm, rs = bot.ask(alice, dm, "help")
    check(rs[0]["content"].get("msgtype") == "m.notice", "'help' without prefix answered")

    step("an answer over 64 KiB -> several events, each under the limit")
    eid = alice.send_file(room, test_split.big_summary().encode(), "xyz-9-summary.txt")
    bot.wait_reply(room, eid, timeout=120, what="the recap of the big summary")
    pos = server.pos()
    q6 = alice.say(room, "!who attended #9")
    bot.wait_reply(room, q6, timeout=60, what="the long answer")
    last = [None]

    def quiet():
        evs = [e for e in bot.notices(room, pos) if hs.relates_to(e) == q6]
        if last[0] == len(evs):
            return evs
        last[0] = len(evs)
        return None
    evs = hs.wait_for(quiet, 90, 3.0, "every part of the long answer")
    sizes = [test_split.content_size(e) for e in evs]
    check(len(evs) >= 2 and sum(sizes) > 65536 and max(sizes) < 65536,
          "split into %d events (%s bytes)" % (len(evs), sizes))
    names = re.findall(r"[A-Z][a-z]+ [A-Z][a-z]+", hs.all_text(evs))
    check(len(names) == len(set(names)), "no name repeated across the parts")
    r429 = len(re.findall(r"\b429\b|rate.limit", bot.log_text(), re.I))
    print("   rate-limit answers scribe waited out: %d" % r429)

    step("an encrypted room is declined with one notice")
    enc = alice.create_room(name="Secret", invite=[bot.user_id], encrypted=True)
    hs.wait_for(lambda: server.membership(enc, bot.user_id) == "leave", 30, 0.3,
                "scribe to leave the encrypted room")
    notes = bot.notices(enc)
    check(len(notes) == 1, "one notice in the encrypted room (%d)" % len(notes))

    stop, start = os.environ.get("SYNAPSE_STOP"), os.environ.get("SYNAPSE_START")
    if stop and start:
        step("the homeserver down for 20 s, then back -> scribe answers again")
        subprocess.run(stop, shell=True, check=True)
        time.sleep(20)
        subprocess.run(start, shell=True, check=True)

        def up():
            try:
                return hs.request(server.port, "GET", "/_matrix/client/versions").status == 200
            except OSError:
                return False
        hs.wait_for(up, 60, 0.5, "Synapse to answer again")
        q8, rs = bot.ask(alice, room, "!recap #8", timeout=240)
        check(re.search(r"Dorota|Ravi", hs.all_text(rs)) is not None,
              "answered after the outage: %r" % hs.all_text(rs)[:120])
    else:
        print("   (SYNAPSE_STOP and SYNAPSE_START not set: the outage step is left out)")

    step("every token of scribe's user revoked (/logout/all) -> it logs in again and answers")
    r = hs.request(server.port, "POST", hs.User.C + "/login",
                   {"type": "m.login.password", "password": password,
                    "identifier": {"type": "m.id.user", "user": bot.user_id}})
    check(r.status == 200, "a second login of scribe's user (HTTP %d)" % r.status)
    hs.request(server.port, "POST", hs.User.C + "/logout/all", {},
               headers={"Authorization": "Bearer " + r.json()["access_token"]})
    q9, rs = bot.ask(alice, room, "!recap #8", timeout=60)
    check(re.search(r"logged in again", bot.log_text()) is not None and rs,
          "logged in again and answered")

    step("kill -9; a question while down; restart -> answered once")
    bot.kill9()
    q7 = alice.say(room, "!recap #8")
    time.sleep(1)
    bot.start()
    rs = bot.wait_reply(room, q7, timeout=60, what="the answer to the question asked while down")
    time.sleep(3)
    for where, trig in [(room, q) for q in (q1, q2, q3, q4, q5, q_th, q_f, q9, q7)] + [(dm, q_dm)]:
        n = len(bot.replies_to(where, trig))
        check(n == 1, "%s answered exactly once (%d)" % (trig[:14], n))

    time.sleep(2.5)
    with open("/proc/%d/status" % bot.proc.pid) as f:
        rss = [ln.split()[1] for ln in f if ln.startswith("VmRSS:")]
    log = bot.log_text()
    asked = set(re.findall(r"event '([^']+)': command took", log))
    us = sorted(int(n) for e, n in re.findall(r"event '([^']+)': reply issued (\d+) us", log)
                if e in asked)
    if us:
        print("   question to reply inside scribe: p50 %.2f ms, max %.2f ms (%d replies); "
              "resident at rest: %s kB" % (us[len(us) // 2] / 1000, us[-1] / 1000, len(us),
                                          rss[0] if rss else "?"))

    step("SIGTERM -> exit 0")
    check(bot.term() == 0, "scribe stopped cleanly")


if __name__ == "__main__":
    hs.main(scenario, "synapse")
