#!/usr/bin/env python3
"""The test homeserver on its own, driven as a Matrix client would drive it:
login, long-poll sync, invites, txn-id idempotency, the 64 KiB limit, media
on both download paths, and every injectable fault."""

import http.client
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hs  # noqa: E402
from hs import check, step, q  # noqa: E402

C = "/_matrix/client/v3"


def raw(server, method, path, token=None, body=None, headers=None, port=None, timeout=30):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    return hs.request(port or server.port, method, path, body, h, timeout)


def test(t):
    server = t.homeserver()
    P = server.port

    step("versions, login flows, unknown endpoints")
    v = raw(server, "GET", "/_matrix/client/versions").json()
    check("v1.11" in v["versions"] and v["unstable_features"]["org.matrix.msc3916.stable"],
          "/versions offers v1.11 and authenticated media")
    r = raw(server, "GET", C + "/login")
    check(r.status == 200 and {"type": "m.login.password"} in r.json()["flows"],
          "GET /login lists m.login.password")
    r = raw(server, "GET", C + "/no/such/thing")
    check(r.status == 404 and r.json()["errcode"] == "M_UNRECOGNIZED",
          "unknown endpoint -> 404 M_UNRECOGNIZED")

    step("users, login with device id, tokens")
    alice = server.register("alice", "alice-secret")
    bob = server.register("bob")
    mallory = server.register("mallory")
    bot_pw = "bot-secret-" + hs.rand(10)
    server.register("scribe", bot_pw)
    r = raw(server, "POST", C + "/login", body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "scribe"},
        "password": bot_pw, "device_id": "SCRIBE", "initial_device_display_name": "scribe"})
    d = r.json()
    check(r.status == 200 and d["user_id"] == "@scribe:localhost" and d["device_id"] == "SCRIBE"
          and d["access_token"], "password login returns user_id, access_token, device_id")
    tok1 = d["access_token"]
    r = raw(server, "GET", C + "/account/whoami", tok1)
    check(r.json() == {"user_id": "@scribe:localhost", "device_id": "SCRIBE", "is_guest": False},
          "whoami names the user and the device")
    r = raw(server, "POST", C + "/login", body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "@scribe:localhost"},
        "password": "wrong"})
    check(r.status == 403 and r.json()["errcode"] == "M_FORBIDDEN", "wrong password -> 403")
    r = raw(server, "POST", C + "/login", body={"type": "m.login.token", "token": "x"})
    check(r.status == 400 and r.json()["errcode"] == "M_UNKNOWN", "unknown login type -> 400")
    r = raw(server, "POST", C + "/login", body=b"{not json")
    check(r.status == 400 and r.json()["errcode"] == "M_NOT_JSON", "bad JSON -> M_NOT_JSON")
    r = raw(server, "POST", C + "/login", body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "scribe"},
        "password": bot_pw, "device_id": "SCRIBE"})
    tok = r.json()["access_token"]
    check(r.json()["device_id"] == "SCRIBE" and tok != tok1, "second login keeps the device")
    r = raw(server, "GET", C + "/account/whoami", tok1)
    check(r.status == 401 and r.json() == {"errcode": "M_UNKNOWN_TOKEN",
                                           "error": "Invalid access token passed.",
                                           "soft_logout": False},
          "the device's old token is gone: 401 M_UNKNOWN_TOKEN, soft_logout false")
    r = raw(server, "GET", C + "/account/whoami")
    check(r.status == 401 and r.json()["errcode"] == "M_MISSING_TOKEN", "no token -> M_MISSING_TOKEN")
    r = raw(server, "GET", C + "/account/whoami", headers={"Authorization": "Bearer nope"})
    check(r.status == 401 and r.json()["errcode"] == "M_UNKNOWN_TOKEN", "bad token -> M_UNKNOWN_TOKEN")
    r = raw(server, "POST", C + "/user/%s/filter" % q("@scribe:localhost"), tok,
            body={"room": {"timeline": {"limit": 5}}})
    check(r.status == 200 and "filter_id" in r.json(), "filter created")
    fid = r.json()["filter_id"]
    r = raw(server, "POST", C + "/user/%s/filter" % q("@alice:localhost"), tok, body={})
    check(r.status == 403, "no filters for other users")

    step("rooms: create, invite with stripped state, join, forbidden acts")
    room = alice.create_room(name="Coordination", invite=["@scribe:localhost"])
    check(room.startswith("!") and room.endswith(":localhost"), "room created: " + room)
    r = raw(server, "GET", C + "/sync?timeout=0&filter=" + fid, tok)
    s0 = r.json()
    inv = s0["rooms"]["invite"][room]["invite_state"]["events"]
    me = [e for e in inv if e["type"] == "m.room.member" and e["state_key"] == "@scribe:localhost"]
    check(me and me[0]["content"]["membership"] == "invite" and me[0]["sender"] == "@alice:localhost",
          "initial sync shows the invite with its sender in stripped state")
    check(any(e["type"] == "m.room.create" for e in inv) and
          all(set(e) <= {"type", "state_key", "content", "sender", "event_id", "origin_server_ts"}
              for e in inv), "stripped state is stripped")
    r = raw(server, "POST", C + "/rooms/%s/join" % q(room), mallory.token, body={})
    check(r.status == 403 and r.json()["errcode"] == "M_FORBIDDEN", "joining without invite -> 403")
    r = raw(server, "PUT", C + "/rooms/%s/send/m.room.message/x1" % q(room), mallory.token,
            body={"msgtype": "m.text", "body": "hi"})
    check(r.status == 403 and r.json()["errcode"] == "M_FORBIDDEN",
          "sending to a room you are not in -> 403")
    r = raw(server, "POST", C + "/join/%s" % q(room), tok, body={})
    check(r.status == 200 and r.json()["room_id"] == room, "invited user joins (/join/{id})")
    r = raw(server, "GET", C + "/rooms/%s/joined_members" % q(room), tok)
    check(set(r.json()["joined"]) == {"@alice:localhost", "@scribe:localhost"}, "joined_members")
    r = raw(server, "GET", C + "/rooms/%s/state/m.room.power_levels/" % q(room), tok)
    check(r.json()["users"] == {"@alice:localhost": 100} and r.json()["invite"] == 0,
          "power levels: creator 100, private_chat invite 0")
    alice.invite(room, bob.user_id)
    bob.join(room)
    alice.set_power(room, bob.user_id, 50)
    check(alice.power_levels(room)["users"][bob.user_id] == 50, "power level set for bob")
    r = raw(server, "PUT", C + "/rooms/%s/state/m.room.power_levels/" % q(room), tok,
            body={"users": {"@scribe:localhost": 100}})
    check(r.status == 403, "a level-0 user cannot change power levels")

    step("long-poll sync")
    r = raw(server, "GET", C + "/sync?timeout=0&filter=" + fid, tok)
    nb = r.json()["next_batch"]
    t0 = time.monotonic()
    r = raw(server, "GET", C + "/sync?timeout=1200&since=%s&filter=%s" % (nb, fid), tok)
    el = time.monotonic() - t0
    check(r.status == 200 and "rooms" not in r.json() and 1.1 <= el < 3,
          "empty long-poll waits the timeout (%.2fs) and returns no rooms" % el)
    nb = r.json()["next_batch"]
    result = {}

    def poll():
        result["r"] = raw(server, "GET", C + "/sync?timeout=10000&since=%s&filter=%s" % (nb, fid), tok)
        result["t"] = time.monotonic()
    th = threading.Thread(target=poll)
    th.start()
    time.sleep(0.5)
    st = server.stats()
    check(st["sync_waiting"].get("@scribe:localhost") == 1, "stats show the waiting sync")
    t0 = time.monotonic()
    eid = alice.say(room, "hello scribe")
    th.join(15)
    d = result["r"].json()
    tl = d["rooms"]["join"][room]["timeline"]
    check([e["event_id"] for e in tl["events"]] == [eid] and tl["limited"] is False,
          "long-poll wakes on the new message (%.2fs)" % (result["t"] - t0))
    check("room_id" not in tl["events"][0] and tl["events"][0]["content"]["body"] == "hello scribe",
          "timeline events carry no room_id")
    nb = d["next_batch"]
    for i in range(8):
        alice.say(room, "msg %d" % i)
    r = raw(server, "GET", C + "/sync?timeout=0&since=%s&filter=%s" % (nb, fid), tok)
    tl = r.json()["rooms"]["join"][room]["timeline"]
    check(tl["limited"] is True and len(tl["events"]) == 5 and tl["prev_batch"],
          "filter timeline limit 5 -> limited with prev_batch")
    nb = r.json()["next_batch"]
    r = raw(server, "GET", C + "/sync?timeout=0&since=bogus", tok)
    check(r.status == 400, "a bad since token -> 400")

    sk = socket.create_connection(("127.0.0.1", P))
    sk.sendall(("GET %s/sync?timeout=20000&since=%s HTTP/1.1\r\nHost: x\r\n"
                "Authorization: Bearer %s\r\n\r\n" % (C, nb, tok)).encode())
    hs.wait_for(lambda: server.stats()["sync_waiting"].get("@scribe:localhost") == 1, 5, 0.05,
                "the raw long-poll to wait")
    sk.close()
    hs.wait_for(lambda: server.stats()["sync_waiting"].get("@scribe:localhost") == 0, 3, 0.05,
                "the server to notice the client hung up")
    check(True, "a long-poll whose client hangs up stops waiting")

    step("send: txn-id idempotency per device, 413 over 64 KiB")
    path = C + "/rooms/%s/send/m.room.message/%s" % (q(room), "txn-A")
    c = {"msgtype": "m.notice", "body": "answer"}
    e1 = raw(server, "PUT", path, tok, body=c).json()["event_id"]
    e2 = raw(server, "PUT", path, tok, body=c).json()["event_id"]
    check(e1 == e2, "same txn -> same event id")
    evs = [e for e in server.events(room) if e.get("txn_id") == "txn-A"]
    check(len(evs) == 1, "same txn -> one event in the room")
    st = server.stats()["txns"]["@scribe:localhost|%s|m.room.message|txn-A" % room]
    check(st["requests"] == 2 and st["events"] == 1, "stats count 2 requests, 1 event for the txn")
    r = raw(server, "POST", C + "/login", body={
        "type": "m.login.password", "identifier": {"type": "m.id.user", "user": "scribe"},
        "password": bot_pw, "device_id": "OTHER"})
    tok_other = r.json()["access_token"]
    e3 = raw(server, "PUT", path, tok_other, body=c).json()["event_id"]
    check(e3 != e1, "same txn from another device -> a new event")
    big = {"msgtype": "m.notice", "body": "x" * 70000}
    r = raw(server, "PUT", C + "/rooms/%s/send/m.room.message/big1" % q(room), tok, body=big)
    check(r.status == 413 and r.json()["errcode"] == "M_TOO_LARGE", "70000-byte event -> 413 M_TOO_LARGE")
    ok = {"msgtype": "m.notice", "body": "y" * 60000}
    r = raw(server, "PUT", C + "/rooms/%s/send/m.room.message/big2" % q(room), tok, body=ok)
    check(r.status == 200, "60000-byte event accepted")
    nl = {"msgtype": "m.notice", "body": "\n" * 33000}
    r = raw(server, "PUT", C + "/rooms/%s/send/m.room.message/big3" % q(room), tok, body=nl)
    check(r.status == 413, "33000 newlines (66000 bytes escaped) -> 413")
    rx = {"m.relates_to": {"rel_type": "m.annotation", "event_id": eid, "key": "👀"}}
    r = raw(server, "PUT", C + "/rooms/%s/send/m.reaction/r1" % q(room), tok, body=rx)
    check(r.status == 200, "reaction sent")
    r = raw(server, "PUT", C + "/rooms/%s/send/m.reaction/r2" % q(room), tok, body=rx)
    check(r.status == 400 and r.json()["errcode"] == "M_DUPLICATE_ANNOTATION", "duplicate reaction -> 400")
    th1 = {"msgtype": "m.notice", "body": "in thread",
           "m.relates_to": {"rel_type": "m.thread", "event_id": eid, "is_falling_back": True,
                            "m.in_reply_to": {"event_id": eid}}}
    r = raw(server, "PUT", C + "/rooms/%s/send/m.room.message/th1" % q(room), tok, body=th1)
    check(r.status == 200, "a thread started on a plain event")
    th_child = r.json()["event_id"]
    th2 = {"msgtype": "m.notice", "body": "bad thread",
           "m.relates_to": {"rel_type": "m.thread", "event_id": th_child}}
    r = raw(server, "PUT", C + "/rooms/%s/send/m.room.message/th2" % q(room), tok, body=th2)
    check(r.status == 400, "a thread rooted at an event in a thread -> 400 (as Synapse)")
    r = raw(server, "PUT", C + "/rooms/%s/redact/%s/red1" % (q(room), q(e1)), tok, body={})
    check(r.status == 200, "own event redacted")
    red = [e for e in server.events(room) if e["event_id"] == e1][0]
    check(red["content"] == {} and "redacted_because" in red["unsigned"], "redacted content stripped")
    r = raw(server, "PUT", C + "/rooms/%s/typing/%s" % (q(room), q("@scribe:localhost")), tok,
            body={"typing": True, "timeout": 30000})
    check(r.status == 200, "typing")
    r = raw(server, "POST", C + "/rooms/%s/receipt/m.read/%s" % (q(room), q(eid)), tok, body={})
    check(r.status == 200, "receipt")

    step("sync after joining/leaving, encrypted invite")
    enc = alice.create_room(invite=["@scribe:localhost"], encrypted=True)
    r = raw(server, "GET", C + "/sync?timeout=0&since=%s&filter=%s" % (nb, fid), tok)
    inv = r.json()["rooms"]["invite"][enc]["invite_state"]["events"]
    check(any(e["type"] == "m.room.encryption" for e in inv), "encrypted room's invite carries m.room.encryption")
    nb = r.json()["next_batch"]
    r = raw(server, "POST", C + "/rooms/%s/leave" % q(enc), tok, body={})
    check(r.status == 200, "invite rejected with /leave")
    r = raw(server, "GET", C + "/sync?timeout=0&since=%s&filter=%s" % (nb, fid), tok)
    check(enc in r.json()["rooms"]["leave"], "rejected invite shows in rooms.leave")
    check(server.membership(enc, "@scribe:localhost") == "leave", "membership is leave")
    nb = r.json()["next_batch"]

    step("media: upload, authenticated and legacy download")
    blob = "Meeting notes ✓\n".encode() * 100
    mxc = alice.upload(blob, "notes.txt")
    check(mxc.startswith("mxc://localhost/"), "upload -> " + mxc)
    sn, mid = mxc[6:].split("/")
    r = raw(server, "GET", "/_matrix/client/v1/media/download/%s/%s" % (sn, mid), tok)
    check(r.status == 200 and r.body == blob and r.headers["Content-Type"] == "text/plain",
          "authenticated download returns the bytes")
    r = raw(server, "GET", "/_matrix/client/v1/media/download/%s/%s" % (sn, mid))
    check(r.status == 401, "authenticated download without token -> 401")
    r = raw(server, "GET", "/_matrix/media/v3/download/%s/%s" % (sn, mid))
    check(r.status == 200 and r.body == blob, "legacy download returns the bytes")
    r = raw(server, "GET", "/_matrix/media/v3/download/%s/nosuchmedia" % sn)
    check(r.status == 404 and r.json()["errcode"] == "M_NOT_FOUND", "unknown media -> 404")
    md = server.stats()["media_downloads"]
    check(md["v1"] == 1 and md["legacy"] == 1, "stats count downloads per path")
    server.config(authenticated_media=False)
    v = raw(server, "GET", "/_matrix/client/versions").json()
    check("v1.11" not in v["versions"] and not v["unstable_features"]["org.matrix.msc3916.stable"],
          "old-server mode: /versions without v1.11")
    r = raw(server, "GET", "/_matrix/client/v1/media/download/%s/%s" % (sn, mid), tok)
    check(r.status == 404 and r.json()["errcode"] == "M_UNRECOGNIZED", "old-server mode: no v1 media")
    server.config(authenticated_media=True, legacy_media=False)
    r = raw(server, "GET", "/_matrix/media/v3/download/%s/%s" % (sn, mid))
    check(r.status == 404, "frozen legacy media -> 404")
    server.config(legacy_media=True)

    step("faults: status codes, 429, drops, slow, truncated")
    sendp = C + "/rooms/%s/send/m.room.message/" % q(room)
    server.fault("status", status=500, path="/send/", count=1)
    r = raw(server, "PUT", sendp + "f1", tok, body=c)
    check(r.status == 500 and r.json()["errcode"] == "M_UNKNOWN", "500 with a Matrix body")
    r = raw(server, "PUT", sendp + "f1", tok, body=c)
    check(r.status == 200, "fault used up: the retry succeeds")
    server.fault("status", status=502, path="/sync", count=1)
    r = raw(server, "GET", C + "/sync?timeout=0", tok)
    check(r.status == 502 and r.headers["Content-Type"] == "text/html", "502 with an HTML body")
    server.fault("status", status=503, count=1, user="@bob:localhost")
    r = raw(server, "GET", C + "/account/whoami", tok)
    check(r.status == 200, "a fault for bob spares scribe")
    r = raw(server, "GET", C + "/account/whoami", bob.token)
    check(r.status == 503, "... and hits bob")
    server.fault("429", path="/send/", retry_after_ms=1500, retry_after=True)
    r = raw(server, "PUT", sendp + "f2", tok, body=c)
    check(r.status == 429 and r.json() == {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests",
                                           "retry_after_ms": 1500} and r.headers.get("Retry-After") == "2",
          "429 with retry_after_ms and Retry-After")
    server.fault("429", path="/send/", retry_after_ms=None, retry_after="date")
    r = raw(server, "PUT", sendp + "f2", tok, body=c)
    check(r.status == 429 and "retry_after_ms" not in r.json() and "GMT" in r.headers["Retry-After"],
          "429 with an HTTP-date Retry-After only")
    server.fault("drop", path="/send/")
    try:
        raw(server, "PUT", sendp + "f3", tok, body=c)
        check(False, "dropped connection")
    except (http.client.RemoteDisconnected, ConnectionError):
        check(True, "dropped connection: no response")
    check(not [e for e in server.events(room) if e.get("txn_id") == "f3"], "... and no event")
    server.fault("drop_mid", path="/send/")
    try:
        raw(server, "PUT", sendp + "f4", tok, body=c)
        check(False, "dropped mid-response")
    except (http.client.IncompleteRead, ConnectionError):
        check(True, "dropped mid-response: headers and half the body")
    e4 = raw(server, "PUT", sendp + "f4", tok, body=c).json()["event_id"]
    check(len([e for e in server.events(room) if e.get("txn_id") == "f4"]) == 1 and e4,
          "the retry of a half-answered send returns the same single event")
    server.fault("slow", path="/whoami", delay_ms=1500)
    t0 = time.monotonic()
    r = raw(server, "GET", C + "/account/whoami", tok)
    check(r.status == 200 and time.monotonic() - t0 >= 1.4, "slow answer (%.2fs)" % (time.monotonic() - t0))
    server.fault("slow", path="/whoami", delay_ms=3000)
    try:
        raw(server, "GET", C + "/account/whoami", tok, timeout=1)
        check(False, "client timeout")
    except socket.timeout:
        check(True, "an answer slower than the client's timeout")
    server.fault("truncate", path="/whoami")
    r = raw(server, "GET", C + "/account/whoami", tok)
    try:
        json.loads(r.body)
        bad = False
    except ValueError:
        bad = True
    check(r.status == 200 and bad and int(r.headers["Content-Length"]) == len(r.body),
          "truncated JSON with a matching Content-Length")
    server.fault("401", path="/sync")
    r = raw(server, "GET", C + "/sync?timeout=0", tok)
    check(r.status == 401 and r.json()["errcode"] == "M_UNKNOWN_TOKEN", "injected 401")

    step("a Synapse-like rate limit on sends")
    server.config(rate_limit={"per_second": 1, "burst": 2, "users": ["@scribe:localhost"]})
    codes = [raw(server, "PUT", sendp + "rl%d" % i, tok, body=c).status for i in range(3)]
    check(codes == [200, 200, 429], "burst 2, then 429 (%s)" % codes)
    r = raw(server, "PUT", sendp + "rl2", tok, body=c)
    check(r.status == 429 and r.json()["retry_after_ms"] > 0 and r.headers.get("Retry-After"),
          "429 carries retry_after_ms and Retry-After")
    time.sleep(r.json()["retry_after_ms"] / 1000.0 + 0.05)
    check(raw(server, "PUT", sendp + "rl2", tok, body=c).status == 200, "after the wait it passes")
    server.config(rate_limit=None)

    step("faults: poisoned and oversized sync answers")
    server.fault("bad_utf8")
    r = raw(server, "GET", C + "/sync?timeout=5000&since=" + nb, tok)
    check(r.status == 200 and b"\xff\xfe" in r.body, "sync answer with invalid UTF-8 (immediately)")
    try:
        r.body.decode("utf-8")
        check(False, "invalid UTF-8")
    except UnicodeDecodeError:
        pass
    server.fault("lone_surrogate")
    r = raw(server, "GET", C + "/sync?timeout=5000&since=" + nb, tok)
    check(b"\\ud800" in r.body, "sync answer with a lone surrogate escape")
    server.fault("oversize", size=3 * 1024 * 1024)
    r = raw(server, "GET", C + "/sync?timeout=0&since=" + nb, tok)
    check(len(r.body) == 3 * 1024 * 1024 and json.loads(r.body)["next_batch"],
          "oversized sync answer (3 MiB, valid JSON)")
    r = raw(server, "GET", C + "/sync?timeout=0&since=" + nb, tok)
    check(b"\\ud800" not in r.body and len(r.body) < 10000, "faults are one-shot")
    fs = server.faults()
    check(all(f["count"] == 0 for f in fs), "every fault used up")

    step("expired token, down mode, restart")
    check(server.expire("@bob:localhost") >= 1, "bob's tokens expired")
    r = raw(server, "GET", C + "/account/whoami", bob.token)
    check(r.status == 401 and r.json()["soft_logout"] is False, "expired -> 401 M_UNKNOWN_TOKEN")
    server.down("refuse")
    try:
        raw(server, "GET", "/_matrix/client/versions", timeout=3)
        check(False, "refused")
    except ConnectionRefusedError:
        check(True, "down (refuse): connection refused")
    r = alice.call("GET", C + "/account/whoami")
    check(r["user_id"] == "@alice:localhost", "the control port still serves")
    server.up()
    r = raw(server, "GET", "/_matrix/client/versions")
    check(r.status == 200 and server.port == P, "up again on the same port")
    server.down("close", seconds=1)
    try:
        raw(server, "GET", "/_matrix/client/versions", timeout=3)
        check(False, "closed")
    except (http.client.RemoteDisconnected, ConnectionError):
        check(True, "down (close): connection closed at once")
    time.sleep(1.5)
    check(raw(server, "GET", "/_matrix/client/versions").status == 200, "up by itself after 1s")
    result.clear()
    nb = raw(server, "GET", C + "/sync?timeout=0&since=" + nb, tok).json()["next_batch"]
    th = threading.Thread(target=lambda: result.setdefault("e", _catch(
        lambda: raw(server, "GET", C + "/sync?timeout=20000&since=" + nb, tok))))
    th.start()
    time.sleep(0.5)
    server.restart(down_ms=800)
    th.join(10)
    check(isinstance(result.get("e"), Exception), "restart ends a waiting long-poll (%r)" % (result.get("e"),))
    time.sleep(1.2)
    r = raw(server, "GET", C + "/sync?timeout=0&since=" + nb, tok)
    check(r.status == 200, "after the restart the same token still syncs")

    step("process restart with state kept")
    before = len(server.events(room))
    server.restart_process()
    check(server.port == P, "same port after a process restart")
    r = raw(server, "GET", C + "/account/whoami", tok)
    check(r.status == 200, "token still valid after a process restart")
    check(len(server.events(room)) == before, "room events kept")
    e5 = raw(server, "PUT", path, tok, body=c).json()["event_id"]
    check(e5 == e1, "txn idempotency survives the restart")
    st = server.stats()
    check(st["requests"].get("GET /_matrix/client/v3/account/whoami", 0) >= 1, "stats count requests")

    step("no token in the homeserver's log")
    with open(server.log_path) as f:
        hslog = f.read()
    check(tok not in hslog and tok1 not in hslog and alice.token not in hslog,
          "request log carries user ids, never tokens")

    step("percent-encoded path segments")
    r = raw(server, "GET", C + "/rooms/%s/joined_members" % room.replace("!", "%21").replace(":", "%3A"), tok)
    check(r.status == 200, "room id with %21 and %3A decoded")


def _catch(fn):
    try:
        return fn()
    except Exception as e:  # noqa: BLE001
        return e


hs.main(test)
