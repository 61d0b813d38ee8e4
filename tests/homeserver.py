#!/usr/bin/env python3
"""tests/homeserver.py -- scribe's test homeserver.

A small Matrix homeserver for the tests: the parts of the Client-Server API
that scribe uses, served over plain HTTP on 127.0.0.1 and behaving like
Synapse where it matters (status codes, error codes, long-poll sync, txn-id
idempotency per device, the 64 KiB event limit, stripped invite state,
power levels, authenticated and legacy media).  Standard library only.

    python3 tests/homeserver.py [--port N] [--port-file F]
                                [--control-port N] [--control-port-file F]
                                [--server-name localhost] [--state FILE]
                                [--no-authenticated-media] [--versions v1.1,..]

Two listeners on 127.0.0.1:
  * the main port: the client API, plus the control API under /_test/;
    faults, "down" mode and restarts apply to it;
  * the control port: the same API, never faulted, never down; tests act
    as users through it while the main port misbehaves.

Control API (no authentication; loopback only), all JSON:
  POST /_test/register          {"username","password"?,"displayname"?}
                                -> {"user_id","access_token","device_id"}
  GET  /_test/rooms             every room with its members
  GET  /_test/rooms/{id}/events?since=POS&type=T   every event (with
                                "room_id" and "pos"); "pos" orders them
  GET  /_test/rooms/{id}/state  the current state events
  POST /_test/rooms/{id}/event  {"sender","type","content","origin_server_ts"?}
                                an event from a member, optionally backdated
  POST /_test/rooms/{id}/inject {"sender","type","content_b64"} store an
                                event whose content is raw bytes (poison)
  POST /_test/rooms/{id}/inject_event {"event_b64"} store a whole event as
                                raw bytes, served as is in /sync (no
                                event_id, sender or type needed: poison)
  POST /_test/fault             add a fault (see FAULTS below) -> {"id"}
  GET  /_test/faults            the faults with remaining counts, hits and
                                the paths of the requests they hit
  DELETE /_test/faults          remove every fault
  POST /_test/down              {"mode":"refuse"|"close","seconds"?}
  POST /_test/up
  POST /_test/restart           {"down_ms"?} close the listener and every
                                connection, listen again later; state kept
  POST /_test/users/{id}/expire {"soft_logout"?} invalidate the user's tokens
  GET  /_test/users/{id}/tokens current and every issued token (for log greps)
  POST /_test/config            {"versions","unstable_features",
                                "authenticated_media","legacy_media",
                                "max_upload_bytes", "rate_limit":
                                {"per_second","burst","users"?} or null}
  GET  /_test/stats             requests per endpoint and per user, sends
                                per txn, waiting syncs, faults applied
  POST /_test/stats/reset
  GET  /_test/media/{id}        a stored upload (raw bytes)

FAULTS: {"kind": K, "count": N (default 1; null = until cleared),
         "path": regex searched in the request path, "method": M,
         "user": user id the request authenticates as, ...}
  status          answer "status" (500, 502, 503, 504...); 500 has a Matrix
                  JSON body, 502-504 an HTML body as a proxy would send
  429             M_LIMIT_EXCEEDED with "retry_after_ms" (default 1000;
                  null to omit) and a Retry-After header when
                  "retry_after" is true (seconds), "date" or a string
  drop            read the request, close the connection without answer
  drop_mid        handle the request, send the headers and half the body,
                  close
  slow            wait "delay_ms" then handle ("when": "before"|"after")
  truncate        answer a JSON body cut at "fraction" (default 0.5), with a
                  Content-Length that matches the cut body
  bad_utf8        a sync answer with an event carrying invalid UTF-8 bytes
  lone_surrogate  a sync answer with an event carrying "\\ud800"
  oversize        a sync answer padded to "size" bytes (default 64 MiB + 1)
  401             M_UNKNOWN_TOKEN without touching the token

Every request is logged to stderr, without tokens.  SIGTERM (or SIGINT)
stops the server; with --state the state is saved then and loaded at start.
"""

import argparse
import base64
import email.utils
import hashlib
import json
import os
import random
import re
import select
import signal
import socket
import string
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVENT_SIZE_LIMIT = 65536
MAX_SYNC_TIMEOUT_MS = 60000
MAX_REQUEST_BODY = 64 * 1024 * 1024
DEFAULT_TIMELINE_LIMIT = 10

VERSIONS_WITH_AUTH_MEDIA = ["r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5",
                            "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11"]
VERSIONS_WITHOUT_AUTH_MEDIA = VERSIONS_WITH_AUTH_MEDIA[:-1]

# State events a stripped invite carries (Synapse's room_prejoin_state).
PREJOIN_TYPES = ("m.room.create", "m.room.join_rules", "m.room.canonical_alias",
                 "m.room.avatar", "m.room.encryption", "m.room.name",
                 "m.room.topic")

# Keys kept when an event is redacted (room versions 10 and below).
REDACT_KEEP = {
    "m.room.member": ("membership",),
    "m.room.create": ("creator",),
    "m.room.join_rules": ("join_rule",),
    "m.room.power_levels": ("ban", "events", "events_default", "kick",
                            "redact", "state_default", "users",
                            "users_default"),
    "m.room.history_visibility": ("history_visibility",),
}


def log(msg):
    try:
        sys.stderr.write("hs: %s\n" % msg)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def rand_str(n, alphabet=string.ascii_letters):
    return "".join(random.choice(alphabet) for _ in range(n))


def now_ms():
    return int(time.time() * 1000)


def canonical_len(obj):
    return len(json.dumps(obj, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode("utf-8"))


class MatrixError(Exception):
    def __init__(self, status, errcode, error, extra=None, headers=None):
        Exception.__init__(self, "%d %s %s" % (status, errcode, error))
        self.status = status
        self.errcode = errcode
        self.error = error
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self):
        d = {"errcode": self.errcode, "error": self.error}
        d.update(self.extra)
        return d


def forbidden(msg):
    return MatrixError(403, "M_FORBIDDEN", msg)


def not_found(msg="Not found"):
    return MatrixError(404, "M_NOT_FOUND", msg)


def bad_json():
    return MatrixError(400, "M_NOT_JSON", "Content not JSON.")


def missing(param):
    return MatrixError(400, "M_MISSING_PARAM", "Missing parameter: %s" % param)


class Response:
    """What a handler answers: a status, headers and body bytes."""

    def __init__(self, status=200, obj=None, body=None, ctype="application/json",
                 headers=None):
        self.status = status
        self.headers = dict(headers or {})
        if body is None:
            body = dump_json({} if obj is None else obj)
        self.body = body
        self.ctype = ctype
        self.stream = None          # (prefix, pad_len, suffix) for oversize


RAW_MARK = "@@raw-content-%s@@"


def dump_json(obj):
    """JSON bytes; events stored with raw content bytes are spliced in."""
    raws = {}

    def fix(o):
        if isinstance(o, dict):
            if "_raw_event" in o:
                mark = RAW_MARK % rand_str(16)
                raws[mark] = o["_raw_event"]
                return mark
            if "_raw_content" in o:
                mark = RAW_MARK % rand_str(16)
                raws[mark] = o["_raw_content"]
                o = dict(o)
                del o["_raw_content"]
                o["content"] = mark
                return {k: fix(v) for k, v in o.items()}
            return {k: fix(v) for k, v in o.items()}
        if isinstance(o, list):
            return [fix(v) for v in o]
        return o

    data = json.dumps(fix(obj), ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
    for mark, raw in raws.items():
        data = data.replace(('"%s"' % mark).encode(), raw)
    return data


# ---------------------------------------------------------------- the state


class Room:
    def __init__(self, room_id, creator, version="10"):
        self.room_id = room_id
        self.creator = creator
        self.version = version
        self.events = []            # every event, in stream order
        self.state = {}             # (type, state_key) -> event
        self.typing = {}            # user -> expiry (ms)
        self.receipts = {}          # user -> event id

    def membership(self, user_id):
        ev = self.state.get(("m.room.member", user_id))
        if not ev:
            return None, 0
        return ev["content"].get("membership"), ev["_pos"]

    def members(self, membership="join"):
        return [k[1] for k, ev in self.state.items()
                if k[0] == "m.room.member" and ev["content"].get("membership") == membership]

    def power_levels(self):
        ev = self.state.get(("m.room.power_levels", ""))
        return ev["content"] if ev else None

    def level_of(self, user_id):
        pl = self.power_levels()
        if pl is None:
            return 100 if user_id == self.creator else 0
        users = pl.get("users") or {}
        try:
            return int(users.get(user_id, pl.get("users_default", 0)))
        except (TypeError, ValueError):
            return 0

    def required(self, key, default_with_pl, default_without_pl=None):
        pl = self.power_levels()
        if pl is None:
            return default_with_pl if default_without_pl is None else default_without_pl
        try:
            return int(pl.get(key, default_with_pl))
        except (TypeError, ValueError):
            return default_with_pl

    def required_for_event(self, etype, is_state):
        pl = self.power_levels()
        if pl is None:
            return 0
        events = pl.get("events") or {}
        if etype in events:
            try:
                return int(events[etype])
            except (TypeError, ValueError):
                return 0
        key = "state_default" if is_state else "events_default"
        try:
            return int(pl.get(key, 50 if is_state else 0))
        except (TypeError, ValueError):
            return 0

    def state_before(self, pos):
        """The room state just before stream position `pos`."""
        st = {}
        for ev in self.events:
            if ev["_pos"] >= pos:
                break
            if "state_key" in ev:
                st[(ev["type"], ev["state_key"])] = ev
        return st


class HomeserverState:
    def __init__(self, server_name, authenticated_media=True, versions=None):
        self.cond = threading.Condition(threading.RLock())
        self.server_name = server_name
        self.pos = 1
        self.users = {}             # uid -> dict
        self.tokens = {}            # token -> (uid, device)
        self.rooms = {}
        self.aliases = {}
        self.media = {}             # media id -> dict
        self.txns = {}              # (uid, device, method, path) -> (status, body)
        self.txn_stats = {}         # "uid|room|type|txn" -> counts
        self.filters = {}           # uid -> [filter json]
        self.authenticated_media = authenticated_media
        self.legacy_media = True
        self.versions = versions
        self.unstable_features = None
        self.max_upload = 50 * 1024 * 1024
        self.soft_logout = {}       # dead token -> soft_logout flag
        self.issued = {}            # uid -> every token ever issued
        self.rate_limit = None      # {"per_second","burst","users"?}: Synapse's rc_message
        self.buckets = {}           # uid -> [tokens, last time]
        self.generation = 0         # bumped on restart/down: waiting syncs end
        self.reset_stats()

    def reset_stats(self):
        waiting = getattr(self, "stats", {}).get("sync_waiting", {})
        self.stats = {"requests": {}, "by_user": {}, "faults_applied": {},
                      "logins": 0, "media_downloads": {"v1": 0, "legacy": 0},
                      "sync_waiting": waiting, "typing": 0, "receipts": 0}
        self.txn_stats = {}

    # -- persistence (--state)
    def to_json(self):
        rooms = {}
        for rid, r in self.rooms.items():
            evs = []
            for ev in r.events:
                e = dict(ev)
                for k in ("_raw_content", "_raw_event"):
                    if k in e:
                        e[k] = base64.b64encode(e[k]).decode()
                evs.append(e)
            rooms[rid] = {"creator": r.creator, "version": r.version, "events": evs}
        media = {k: dict(v, data=base64.b64encode(v["data"]).decode())
                 for k, v in self.media.items()}
        return {"pos": self.pos, "users": self.users, "issued": self.issued,
                "tokens": {t: list(v) for t, v in self.tokens.items()},
                "rooms": rooms, "aliases": self.aliases, "media": media,
                "txns": [[list(k), v[0], v[1].decode("utf-8", "replace")]
                         for k, v in self.txns.items()],
                "filters": self.filters}

    def load_json(self, d):
        self.pos = d["pos"]
        self.users = d["users"]
        self.issued = d.get("issued", {})
        self.tokens = {t: tuple(v) for t, v in d["tokens"].items()}
        self.aliases = d.get("aliases", {})
        self.filters = d.get("filters", {})
        self.media = {k: dict(v, data=base64.b64decode(v["data"]))
                      for k, v in d.get("media", {}).items()}
        self.txns = {tuple(k): (s, b.encode()) for k, s, b in d.get("txns", [])}
        for rid, rd in d["rooms"].items():
            r = Room(rid, rd["creator"], rd.get("version", "10"))
            by_id = {}
            for ev in rd["events"]:
                for k in ("_raw_content", "_raw_event"):
                    if k in ev:
                        ev[k] = base64.b64decode(ev[k])
                r.events.append(ev)
                by_id[ev["event_id"]] = ev
                if "state_key" in ev:
                    r.state[(ev["type"], ev["state_key"])] = ev
            self.rooms[rid] = r

    # -- helpers
    def bump(self):
        self.pos += 1
        return self.pos

    def user_id_for(self, name):
        if name.startswith("@"):
            return name
        return "@%s:%s" % (name, self.server_name)

    def new_token(self, uid, device):
        local = uid[1:].split(":")[0]
        tok = "syt_%s_%s_%s" % (base64.b64encode(local.encode()).decode().rstrip("="),
                                rand_str(20), rand_str(6))
        # The spec: logging in to a device invalidates its previous tokens.
        for t, (u, d) in list(self.tokens.items()):
            if u == uid and d == device:
                del self.tokens[t]
                self.soft_logout[t] = False
        self.tokens[tok] = (uid, device)
        self.issued.setdefault(uid, []).append(tok)
        self.users[uid]["devices"].setdefault(device, {"display_name": None})
        return tok

    def register(self, name, password, displayname=None, device_id=None):
        uid = self.user_id_for(name)
        if not re.match(r"^@[a-z0-9._=/+-]+:[A-Za-z0-9.:-]+$", uid):
            raise MatrixError(400, "M_INVALID_USERNAME", "Invalid username")
        if uid in self.users:
            if self.users[uid]["password"] != password:
                raise MatrixError(400, "M_USER_IN_USE", "User ID already taken.")
        else:
            self.users[uid] = {"password": password, "devices": {},
                               "displayname": displayname or uid[1:].split(":")[0],
                               "account_data": {}}
        device = device_id or rand_str(10, string.ascii_uppercase)
        return {"user_id": uid, "access_token": self.new_token(uid, device),
                "device_id": device, "home_server": self.server_name}

    def add_event(self, room, sender, etype, content, state_key=None, txn=None,
                  redacts=None, raw_content=None):
        ev = {"event_id": "$" + rand_str(43, string.ascii_letters + string.digits + "-_"),
              "type": etype, "sender": sender, "content": content,
              "origin_server_ts": now_ms(), "room_id": room.room_id,
              "unsigned": {}}
        if state_key is not None:
            ev["state_key"] = state_key
            prev = room.state.get((etype, state_key))
            if prev is not None:
                ev["unsigned"]["prev_content"] = prev["content"]
                ev["unsigned"]["replaces_state"] = prev["event_id"]
                ev["unsigned"]["prev_sender"] = prev["sender"]
        if redacts:
            ev["redacts"] = redacts
        if raw_content is not None:
            ev["_raw_content"] = raw_content
            del ev["content"]
        if txn:
            ev["_txn"] = list(txn)
        ev["_pos"] = self.bump()
        room.events.append(ev)
        if state_key is not None:
            room.state[(etype, state_key)] = ev
        self.cond.notify_all()
        return ev

    def pdu_size(self, room, sender, etype, content, state_key=None):
        """Approximately the size Synapse checks: the federation PDU."""
        pdu = {"room_id": room.room_id, "sender": sender, "type": etype,
               "content": content, "origin": self.server_name,
               "origin_server_ts": now_ms(), "depth": len(room.events) + 1,
               "auth_events": ["$" + "a" * 43] * 3, "prev_events": ["$" + "p" * 43],
               "hashes": {"sha256": "h" * 43},
               "signatures": {self.server_name: {"ed25519:a_abcd": "s" * 86}},
               "unsigned": {"age_ts": now_ms()}}
        if state_key is not None:
            pdu["state_key"] = state_key
        return canonical_len(pdu)

    def rate_check(self, uid):
        """A token bucket per user, as Synapse's rc_message: 429 with both
        retry_after_ms and Retry-After when the bucket is empty."""
        rl = self.rate_limit
        if not rl or (rl.get("users") and uid not in rl["users"]):
            return
        rate = float(rl.get("per_second", 0.2))
        burst = float(rl.get("burst", 10))
        now = time.monotonic()
        tokens, last = self.buckets.get(uid, [burst, now])
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens < 1.0:
            self.buckets[uid] = [tokens, now]
            rl_st = self.stats.setdefault("rate_limited", {})
            rl_st[uid] = rl_st.get(uid, 0) + 1
            ms = int((1.0 - tokens) / rate * 1000) + 1
            raise MatrixError(429, "M_LIMIT_EXCEEDED", "Too Many Requests",
                              {"retry_after_ms": ms},
                              {"Retry-After": str(-(-ms // 1000))})
        self.buckets[uid] = [tokens - 1.0, now]

    def check_size(self, room, sender, etype, content, state_key=None):
        if self.pdu_size(room, sender, etype, content, state_key) > EVENT_SIZE_LIMIT:
            raise MatrixError(413, "M_TOO_LARGE", "event too large")

    def client_event(self, ev, device=None, with_room_id=False):
        if "_raw_event" in ev:
            return {"_raw_event": ev["_raw_event"]}
        e = {k: v for k, v in ev.items() if not k.startswith("_") or k == "_raw_content"}
        if not with_room_id:
            e.pop("room_id", None)
        uns = dict(e.get("unsigned") or {})
        uns["age"] = max(0, now_ms() - ev["origin_server_ts"])
        txn = ev.get("_txn")
        if device and txn and txn[0] == device[0] and txn[1] == device[1]:
            uns["transaction_id"] = txn[2]
        e["unsigned"] = uns
        return e

    def stripped(self, ev):
        d = {"type": ev["type"], "state_key": ev["state_key"],
             "content": ev["content"], "sender": ev["sender"]}
        return d

    def find_room(self, room_id):
        r = self.rooms.get(room_id)
        if r is None:
            raise not_found("Unknown room %s" % room_id)
        return r

    def must_be_joined(self, room, uid):
        if room.membership(uid)[0] != "join":
            raise forbidden("User %s not in room %s" % (uid, room.room_id))

    # -- membership changes
    def set_membership(self, room, sender, target, membership, extra=None):
        content = {"membership": membership}
        if membership == "join":
            prof = self.users.get(target)
            if prof:
                content["displayname"] = prof.get("displayname")
        if extra:
            content.update(extra)
        return self.add_event(room, sender, "m.room.member", content, state_key=target)

    def join(self, room, uid):
        m, _ = room.membership(uid)
        if m == "join":
            return room.room_id
        if m == "ban":
            raise forbidden("You are banned from this room")
        jr = room.state.get(("m.room.join_rules", ""))
        rule = jr["content"].get("join_rule") if jr else "invite"
        if m != "invite" and rule != "public":
            raise forbidden("You are not invited to this room.")
        self.set_membership(room, uid, uid, "join")
        return room.room_id

    # -- sync
    def filter_events(self, events, flt):
        if not flt:
            return events
        types = flt.get("types")
        not_types = flt.get("not_types") or []
        senders = flt.get("senders")
        not_senders = flt.get("not_senders") or []

        def match(pattern, value):
            if pattern.endswith("*"):
                return value.startswith(pattern[:-1])
            return value == pattern

        out = []
        for ev in events:
            t = ev["type"]
            if types is not None and not any(match(p, t) for p in types):
                continue
            if any(match(p, t) for p in not_types):
                continue
            if senders is not None and ev["sender"] not in senders:
                continue
            if ev["sender"] in not_senders:
                continue
            out.append(ev)
        return out

    def room_filter(self, flt, part):
        if not flt:
            return {}
        return ((flt.get("room") or {}).get(part)) or {}

    def sync_result(self, uid, device, since, flt, full_state):
        now = self.pos
        tl_filter = self.room_filter(flt, "timeline")
        st_filter = self.room_filter(flt, "state")
        limit = tl_filter.get("limit", DEFAULT_TIMELINE_LIMIT)
        try:
            limit = max(1, min(int(limit), 1000))
        except (TypeError, ValueError):
            limit = DEFAULT_TIMELINE_LIMIT
        join, invite, leave = {}, {}, {}
        for room in self.rooms.values():
            m, mpos = room.membership(uid)
            if m is None:
                continue
            if m == "join":
                if since is None or mpos > since:
                    # new to this user: the latest events, the state before them
                    cand = self.filter_events(room.events, tl_filter)
                    tl = cand[-limit:]
                    limited = len(cand) > limit
                    st = list(room.state_before(tl[0]["_pos"] if tl else now + 1).values())
                elif full_state:
                    new = [e for e in room.events if since < e["_pos"] <= now]
                    cand = self.filter_events(new, tl_filter)
                    tl = cand[-limit:]
                    limited = len(cand) > limit
                    st = list(room.state_before(tl[0]["_pos"] if tl else now + 1).values())
                else:
                    new = [e for e in room.events if since < e["_pos"] <= now]
                    if not new:
                        continue
                    cand = self.filter_events(new, tl_filter)
                    tl = cand[-limit:]
                    limited = len(cand) > limit
                    st = []
                    if limited:
                        start = tl[0]["_pos"] if tl else now + 1
                        delta = {}
                        for e in room.events:
                            if since < e["_pos"] < start and "state_key" in e:
                                delta[(e["type"], e["state_key"])] = e
                        st = list(delta.values())
                    if not tl and not st:
                        continue
                st = self.filter_events(st, st_filter)
                tl_ids = {e["event_id"] for e in tl}
                st = [e for e in st if e["event_id"] not in tl_ids]
                prev = tl[0]["_pos"] - 1 if tl else now
                join[room.room_id] = {
                    "timeline": {"events": [self.client_event(e, (uid, device)) for e in tl],
                                 "limited": limited, "prev_batch": "t%d" % prev},
                    "state": {"events": [self.client_event(e, (uid, device)) for e in st]},
                    "ephemeral": {"events": []},
                    "account_data": {"events": []},
                    "unread_notifications": {"highlight_count": 0, "notification_count": 0},
                    "summary": {"m.joined_member_count": len(room.members("join")),
                                "m.invited_member_count": len(room.members("invite"))},
                }
            elif m == "invite":
                if since is not None and mpos <= since:
                    continue
                evs = [self.stripped(room.state[(t, "")]) for t in PREJOIN_TYPES
                       if (t, "") in room.state]
                inv = room.state[("m.room.member", uid)]
                sender_member = room.state.get(("m.room.member", inv["sender"]))
                if sender_member is not None:
                    evs.append(self.stripped(sender_member))
                own = self.stripped(inv)
                own["event_id"] = inv["event_id"]
                own["origin_server_ts"] = inv["origin_server_ts"]
                evs.append(own)
                invite[room.room_id] = {"invite_state": {"events": evs}}
            elif m in ("leave", "ban"):
                if since is None or mpos <= since:
                    continue
                old = [e for e in room.events if since < e["_pos"] <= mpos]
                cand = self.filter_events(old, tl_filter)
                tl = cand[-limit:]
                leave[room.room_id] = {
                    "timeline": {"events": [self.client_event(e, (uid, device)) for e in tl],
                                 "limited": len(cand) > limit,
                                 "prev_batch": "t%d" % ((tl[0]["_pos"] - 1) if tl else mpos)},
                    "state": {"events": []},
                    "account_data": {"events": []},
                }
        resp = {"next_batch": "s%d" % now}
        rooms = {}
        if join:
            rooms["join"] = join
        if invite:
            rooms["invite"] = invite
        if leave:
            rooms["leave"] = leave
        if rooms:
            resp["rooms"] = rooms
        acc = []
        for typ, (content, apos) in (self.users[uid].get("account_data") or {}).items():
            if since is None or apos > since:
                acc.append({"type": typ, "content": content})
        if acc:
            resp["account_data"] = {"events": acc}
        resp["device_one_time_keys_count"] = {"signed_curve25519": 0}
        resp["device_unused_fallback_key_types"] = []
        has_data = bool(rooms or acc)
        return resp, has_data


# ---------------------------------------------------------------- routing

ROUTES = []


def route(method, template, auth=True):
    segs = template.strip("/").split("/")

    def deco(fn):
        ROUTES.append((method, segs, fn, auth, template))
        return fn
    return deco


def match_route(segs, tmpl):
    params = {}
    i = 0
    for j, t in enumerate(tmpl):
        if t.startswith("{") and t.endswith("*}"):
            params[t[1:-2]] = segs[i:]
            return params
        if i >= len(segs):
            return None
        if t.startswith("{"):
            params[t[1:-1]] = segs[i]
        elif t != segs[i]:
            return None
        i += 1
    if i != len(segs):
        return None
    return params


class Request:
    def __init__(self, hs, method, raw_path, headers, body, client_ip, control):
        self.hs = hs
        self.method = method
        parts = urllib.parse.urlsplit(raw_path)
        self.path = parts.path
        self.query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        self.segs = [urllib.parse.unquote(s) for s in self.path.strip("/").split("/")] \
            if self.path.strip("/") else []
        # The legacy r0 prefix serves the same endpoints as v3.
        if len(self.segs) > 2 and self.segs[0] == "_matrix" and self.segs[2] == "r0":
            self.segs[2] = "v3"
        self.headers = headers
        self.body = body
        self.client_ip = client_ip
        self.control = control
        self.user = None
        self.device = None
        self.token = None
        self.fault = None
        self.template = None
        self.conn = None

    def q(self, name, default=None):
        v = self.query.get(name)
        return v[0] if v else default

    def json(self):
        if not self.body:
            raise bad_json()
        try:
            d = json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise bad_json()
        if not isinstance(d, dict):
            raise bad_json()
        return d

    def find_token(self):
        auth = self.headers.get("Authorization")
        if auth:
            if auth.startswith("Bearer "):
                return auth[7:].strip()
            return ""
        return self.q("access_token")

    def authenticate(self):
        tok = self.find_token()
        if not tok:
            raise MatrixError(401, "M_MISSING_TOKEN", "Missing access token")
        ent = self.hs.tokens.get(tok)
        if ent is None:
            soft = self.hs.soft_logout.get(tok, False)
            raise MatrixError(401, "M_UNKNOWN_TOKEN", "Invalid access token passed.",
                              {"soft_logout": soft})
        self.token = tok
        self.user, self.device = ent

    def peek_user(self):
        tok = self.find_token()
        ent = self.hs.tokens.get(tok) if tok else None
        return ent[0] if ent else None


C = "/_matrix/client/v3"


@route("GET", "/_matrix/client/versions", auth=False)
def r_versions(req):
    hs = req.hs
    if hs.versions is not None:
        versions = hs.versions
    elif hs.authenticated_media:
        versions = VERSIONS_WITH_AUTH_MEDIA
    else:
        versions = VERSIONS_WITHOUT_AUTH_MEDIA
    if hs.unstable_features is not None:
        unstable = hs.unstable_features
    else:
        unstable = {"org.matrix.msc3916.stable": bool(hs.authenticated_media),
                    "org.matrix.msc2716": False}
    return {"versions": versions, "unstable_features": unstable}


@route("GET", C + "/login", auth=False)
def r_login_flows(req):
    return {"flows": [{"type": "m.login.password"},
                      {"type": "m.login.application_service"}]}


@route("POST", C + "/login", auth=False)
def r_login(req):
    hs = req.hs
    d = req.json()
    if d.get("type") != "m.login.password":
        raise MatrixError(400, "M_UNKNOWN", "Unknown login type %s" % d.get("type"))
    ident = d.get("identifier")
    user = None
    if isinstance(ident, dict):
        if ident.get("type") != "m.id.user":
            raise MatrixError(400, "M_UNKNOWN", "Unknown login identifier type")
        user = ident.get("user")
    elif "user" in d:
        user = d.get("user")
    if not isinstance(user, str) or not user:
        raise missing("identifier")
    uid = hs.user_id_for(user.lower() if not user.startswith("@") else user)
    pw = d.get("password")
    u = hs.users.get(uid)
    if u is None or not isinstance(pw, str) or u["password"] != pw:
        raise forbidden("Invalid username or password")
    device = d.get("device_id")
    if not isinstance(device, str) or not device:
        device = rand_str(10, string.ascii_uppercase)
    tok = hs.new_token(uid, device)
    name = d.get("initial_device_display_name")
    if name and u["devices"][device].get("display_name") is None:
        u["devices"][device]["display_name"] = name
    hs.stats["logins"] += 1
    return {"user_id": uid, "access_token": tok, "device_id": device,
            "home_server": hs.server_name}


@route("POST", C + "/logout")
def r_logout(req):
    hs = req.hs
    hs.tokens.pop(req.token, None)
    hs.users[req.user]["devices"].pop(req.device, None)
    return {}


@route("POST", C + "/logout/all")
def r_logout_all(req):
    hs = req.hs
    for t, (u, _) in list(hs.tokens.items()):
        if u == req.user:
            del hs.tokens[t]
    hs.users[req.user]["devices"] = {}
    return {}


@route("POST", C + "/register", auth=False)
def r_register(req):
    raise forbidden("Registration has been disabled")


@route("GET", C + "/account/whoami")
def r_whoami(req):
    return {"user_id": req.user, "device_id": req.device, "is_guest": False}


@route("GET", C + "/capabilities")
def r_capabilities(req):
    return {"capabilities": {"m.change_password": {"enabled": False},
                             "m.room_versions": {"default": "10",
                                                 "available": {"10": "stable"}}}}


@route("GET", C + "/pushrules/")
def r_pushrules(req):
    return {"global": {"content": [], "override": [], "room": [], "sender": [],
                       "underride": []}}


@route("POST", C + "/user/{userId}/filter")
def r_filter_create(req, userId):
    if userId != req.user:
        raise forbidden("Cannot create filters for other users")
    d = req.json()
    lst = req.hs.filters.setdefault(req.user, [])
    lst.append(d)
    return {"filter_id": str(len(lst) - 1)}


@route("GET", C + "/user/{userId}/filter/{filterId}")
def r_filter_get(req, userId, filterId):
    if userId != req.user:
        raise forbidden("Cannot get filters for other users")
    lst = req.hs.filters.get(req.user, [])
    try:
        return lst[int(filterId)]
    except (ValueError, IndexError):
        raise not_found("No such filter")


@route("PUT", C + "/user/{userId}/account_data/{type}")
def r_account_data_put(req, userId, type):
    if userId != req.user:
        raise forbidden("Cannot add account data for other users.")
    hs = req.hs
    hs.users[req.user].setdefault("account_data", {})[type] = [req.json(), hs.bump()]
    hs.cond.notify_all()
    return {}


@route("GET", C + "/user/{userId}/account_data/{type}")
def r_account_data_get(req, userId, type):
    if userId != req.user:
        raise forbidden("Cannot get account data for other users.")
    ad = req.hs.users[req.user].get("account_data", {}).get(type)
    if ad is None:
        raise not_found("Account data not found")
    return ad[0]


def parse_since(tok):
    m = re.match(r"^s(\d+)$", tok or "")
    if not m:
        raise MatrixError(400, "M_INVALID_PARAM", "Invalid stream token")
    return int(m.group(1))


@route("GET", C + "/sync")
def r_sync(req):
    hs = req.hs
    since = req.q("since")
    since = parse_since(since) if since else None
    if since is not None and since > hs.pos:
        since = hs.pos
    try:
        timeout = int(req.q("timeout", "0"))
    except ValueError:
        raise MatrixError(400, "M_INVALID_PARAM", "timeout must be an integer")
    timeout = max(0, min(timeout, MAX_SYNC_TIMEOUT_MS))
    full_state = req.q("full_state", "false") == "true"
    flt = req.q("filter")
    flt_obj = None
    if flt:
        if flt.startswith("{"):
            try:
                flt_obj = json.loads(flt)
            except ValueError:
                raise MatrixError(400, "M_INVALID_PARAM", "Invalid filter JSON")
        else:
            lst = hs.filters.get(req.user, [])
            try:
                flt_obj = lst[int(flt)]
            except (ValueError, IndexError):
                raise MatrixError(400, "M_INVALID_PARAM", "No such filter")
    fault = req.fault
    deadline = time.monotonic() + timeout / 1000.0
    gen = hs.generation
    waiting = hs.stats["sync_waiting"]
    waiting[req.user] = waiting.get(req.user, 0) + 1
    try:
        while True:
            resp, has_data = hs.sync_result(req.user, req.device, since, flt_obj, full_state)
            if has_data or since is None or full_state or fault is not None:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                break
            hs.cond.wait(min(left, 0.25))
            if hs.generation != gen or client_gone(req.conn):
                return "abort"
    finally:
        waiting[req.user] -= 1
    if fault is not None and fault["kind"] in ("bad_utf8", "lone_surrogate"):
        return poison_sync(hs, req, resp, fault["kind"])
    if fault is not None and fault["kind"] == "oversize":
        return oversize_sync(resp, fault.get("size") or (64 * 1024 * 1024 + 1))
    return resp


def client_gone(sock):
    """True when the client closed its end (as Synapse notices a dropped
    long-poll), so waiting-sync counts stay exact after a kill -9."""
    if sock is None:
        return False
    try:
        r, _, _ = select.select([sock], [], [], 0)
        if not r:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def poison_sync(hs, req, resp, kind):
    """A sync answer with one extra event whose body is not valid text."""
    joined = [r.room_id for r in hs.rooms.values()
              if r.membership(req.user)[0] == "join"]
    mark = "@@poison-%s@@" % rand_str(12)
    ev = {"type": "m.room.message", "sender": "@mallory:%s" % hs.server_name,
          "event_id": "$poison" + rand_str(30), "origin_server_ts": now_ms(),
          "content": {"msgtype": "m.text", "body": mark}, "unsigned": {"age": 1}}
    if joined:
        rooms = resp.setdefault("rooms", {}).setdefault("join", {})
        rid = joined[0]
        entry = rooms.setdefault(rid, {"timeline": {"events": [], "limited": False,
                                                    "prev_batch": "t%d" % hs.pos},
                                       "state": {"events": []}})
        entry["timeline"]["events"].append(ev)
    else:
        resp["account_data"] = {"events": [{"type": "org.example.poison",
                                            "content": {"body": mark}}]}
    body = dump_json(resp)
    if kind == "bad_utf8":
        bad = b"bad \xff\xfe bytes \xc0\xaf and \xed\xa0\x80 end"
    else:
        bad = b"lone \\ud800 surrogate and \\udfff too"
    body = body.replace(mark.encode(), bad)
    return Response(200, body=body)


def oversize_sync(resp, size):
    body = dump_json(resp)
    prefix = body[:-1] + b',"org.example.padding":"'
    suffix = b'"}'
    pad = max(0, size - len(prefix) - len(suffix))
    r = Response(200, body=b"")
    r.stream = (prefix, pad, suffix)
    return r


def room_for(req, roomId):
    return req.hs.find_room(roomId)


@route("PUT", C + "/rooms/{roomId}/send/{eventType}/{txnId}")
def r_send(req, roomId, eventType, txnId):
    hs = req.hs
    key = (req.user, req.device, "PUT", req.path)
    skey = "%s|%s|%s|%s" % (req.user, roomId, eventType, txnId)
    st = hs.txn_stats.setdefault(skey, {"requests": 0, "events": 0, "event_id": None})
    st["requests"] += 1
    if key in hs.txns:
        status, body = hs.txns[key]
        return Response(status, body=body)
    room = hs.rooms.get(roomId)
    if room is None:
        raise forbidden("Unknown room")
    hs.must_be_joined(room, req.user)
    content = req.json()
    if not req.control:
        hs.rate_check(req.user)
    need = room.required_for_event(eventType, False)
    if room.level_of(req.user) < need:
        raise forbidden("You don't have permission to post that to the room. "
                        "user_level (%d) < send_level (%d)"
                        % (room.level_of(req.user), need))
    hs.check_size(room, req.user, eventType, content)
    rel = content.get("m.relates_to") if isinstance(content, dict) else None
    if isinstance(rel, dict) and rel.get("rel_type") == "m.thread":
        # As Synapse: a thread's root must not itself be part of a relation.
        for ev in room.events:
            if ev["event_id"] == rel.get("event_id"):
                prel = (ev.get("content") or {}).get("m.relates_to") or {}
                if isinstance(prel, dict) and prel.get("rel_type"):
                    raise MatrixError(400, "M_UNKNOWN",
                                      "Cannot start threads from an event with a relation")
    if eventType == "m.reaction":
        rel = content.get("m.relates_to") or {}
        if rel.get("rel_type") == "m.annotation":
            for ev in room.events:
                r2 = (ev.get("content") or {}).get("m.relates_to") or {}
                if ev["type"] == "m.reaction" and ev["sender"] == req.user \
                        and r2.get("event_id") == rel.get("event_id") \
                        and r2.get("key") == rel.get("key") \
                        and "redacted_because" not in ev.get("unsigned", {}):
                    raise MatrixError(400, "M_DUPLICATE_ANNOTATION",
                                      "Can't send same reaction twice")
    ev = hs.add_event(room, req.user, eventType, content,
                      txn=(req.user, req.device, txnId))
    st["events"] += 1
    st["event_id"] = ev["event_id"]
    body = dump_json({"event_id": ev["event_id"]})
    hs.txns[key] = (200, body)
    return Response(200, body=body)


def put_state(req, roomId, eventType, stateKey):
    hs = req.hs
    room = hs.rooms.get(roomId)
    if room is None:
        raise forbidden("Unknown room")
    hs.must_be_joined(room, req.user)
    content = req.json()
    if eventType == "m.room.member":
        raise forbidden("Use the membership endpoints to change membership")
    need = room.required_for_event(eventType, True)
    if room.level_of(req.user) < need:
        raise forbidden("You don't have permission to post that to the room. "
                        "user_level (%d) < send_level (%d)"
                        % (room.level_of(req.user), need))
    hs.check_size(room, req.user, eventType, content, stateKey)
    cur = room.state.get((eventType, stateKey))
    if cur is not None and cur.get("content") == content and cur["sender"] == req.user:
        return {"event_id": cur["event_id"]}
    ev = hs.add_event(room, req.user, eventType, content, state_key=stateKey)
    return {"event_id": ev["event_id"]}


@route("PUT", C + "/rooms/{roomId}/state/{eventType}")
def r_state_put0(req, roomId, eventType):
    return put_state(req, roomId, eventType, "")


@route("PUT", C + "/rooms/{roomId}/state/{eventType}/{stateKey}")
def r_state_put1(req, roomId, eventType, stateKey):
    return put_state(req, roomId, eventType, stateKey)


def get_state(req, roomId, eventType, stateKey):
    hs = req.hs
    room = hs.find_room(roomId)
    hs.must_be_joined(room, req.user)
    ev = room.state.get((eventType, stateKey))
    if ev is None:
        raise not_found("Event not found.")
    return ev["content"]


@route("GET", C + "/rooms/{roomId}/state/{eventType}")
def r_state_get0(req, roomId, eventType):
    return get_state(req, roomId, eventType, "")


@route("GET", C + "/rooms/{roomId}/state/{eventType}/{stateKey}")
def r_state_get1(req, roomId, eventType, stateKey):
    return get_state(req, roomId, eventType, stateKey)


@route("GET", C + "/rooms/{roomId}/state")
def r_state_all(req, roomId):
    hs = req.hs
    room = hs.find_room(roomId)
    hs.must_be_joined(room, req.user)
    return [hs.client_event(e, with_room_id=True) for e in room.state.values()]


@route("GET", C + "/rooms/{roomId}/event/{eventId}")
def r_event_get(req, roomId, eventId):
    hs = req.hs
    room = hs.find_room(roomId)
    hs.must_be_joined(room, req.user)
    for ev in room.events:
        if ev["event_id"] == eventId:
            return hs.client_event(ev, (req.user, req.device), with_room_id=True)
    raise not_found("Could not find event %s" % eventId)


@route("GET", C + "/rooms/{roomId}/messages")
def r_messages(req, roomId):
    hs = req.hs
    room = hs.find_room(roomId)
    if room.membership(req.user)[0] is None:
        raise forbidden("User %s not in room %s" % (req.user, roomId))
    direction = req.q("dir", "b")
    try:
        limit = max(1, min(int(req.q("limit", "10")), 1000))
    except ValueError:
        raise MatrixError(400, "M_INVALID_PARAM", "limit must be an integer")

    def tokpos(t, default):
        if not t:
            return default
        m = re.match(r"^[st](\d+)$", t)
        if not m:
            raise MatrixError(400, "M_INVALID_PARAM", "Invalid token")
        return int(m.group(1))
    if direction == "f":
        frm = tokpos(req.q("from"), 0)
        to = tokpos(req.q("to"), hs.pos)
        evs = [e for e in room.events if frm < e["_pos"] <= to][:limit]
        end = evs[-1]["_pos"] if evs else frm
    else:
        frm = tokpos(req.q("from"), hs.pos)
        to = tokpos(req.q("to"), 0)
        evs = [e for e in room.events if to < e["_pos"] <= frm][-limit:][::-1]
        end = (evs[-1]["_pos"] - 1) if evs else frm
    out = {"chunk": [hs.client_event(e, (req.user, req.device), with_room_id=True)
                     for e in evs], "start": "t%d" % frm}
    if evs:
        out["end"] = "t%d" % end
    return out


@route("PUT", C + "/rooms/{roomId}/redact/{eventId}/{txnId}")
def r_redact(req, roomId, eventId, txnId):
    hs = req.hs
    key = (req.user, req.device, "PUT", req.path)
    if key in hs.txns:
        status, body = hs.txns[key]
        return Response(status, body=body)
    room = hs.rooms.get(roomId)
    if room is None:
        raise forbidden("Unknown room")
    hs.must_be_joined(room, req.user)
    target = None
    for ev in room.events:
        if ev["event_id"] == eventId:
            target = ev
    d = req.json() if req.body else {}
    if target is not None and target["sender"] != req.user \
            and room.level_of(req.user) < room.required("redact", 50):
        raise forbidden("You don't have permission to redact events")
    content = {}
    if isinstance(d.get("reason"), str):
        content["reason"] = d["reason"]
    red = hs.add_event(room, req.user, "m.room.redaction", content, redacts=eventId,
                       txn=(req.user, req.device, txnId))
    if target is not None:
        keep = REDACT_KEEP.get(target["type"], ())
        target["content"] = {k: v for k, v in (target.get("content") or {}).items()
                             if k in keep}
        target.pop("_raw_content", None)
        if "content" not in target:
            target["content"] = {}
        target.setdefault("unsigned", {})["redacted_because"] = \
            hs.client_event(red, with_room_id=True)
    body = dump_json({"event_id": red["event_id"]})
    hs.txns[key] = (200, body)
    return Response(200, body=body)


DEFAULT_PL_EVENTS = {"m.room.name": 50, "m.room.power_levels": 100,
                     "m.room.history_visibility": 100, "m.room.canonical_alias": 50,
                     "m.room.avatar": 50, "m.room.tombstone": 100,
                     "m.room.server_acl": 100, "m.room.encryption": 100}


@route("POST", C + "/createRoom")
def r_create_room(req):
    hs = req.hs
    d = req.json()
    preset = d.get("preset")
    visibility = d.get("visibility", "private")
    if preset is None:
        preset = "public_chat" if visibility == "public" else "private_chat"
    if preset not in ("private_chat", "public_chat", "trusted_private_chat"):
        raise MatrixError(400, "M_INVALID_PARAM", "Invalid preset")
    alias = None
    if d.get("room_alias_name"):
        alias = "#%s:%s" % (d["room_alias_name"], hs.server_name)
        if alias in hs.aliases:
            raise MatrixError(400, "M_ROOM_IN_USE", "Room alias already taken")
    invitees = d.get("invite") or []
    if not isinstance(invitees, list):
        raise MatrixError(400, "M_INVALID_PARAM", "invite must be a list")
    version = str(d.get("room_version") or "10")
    rid = "!%s:%s" % (rand_str(18), hs.server_name)
    room = Room(rid, req.user, version)
    hs.rooms[rid] = room
    me = req.user
    create = dict(d.get("creation_content") or {})
    create.update({"creator": me, "room_version": version})
    hs.add_event(room, me, "m.room.create", create, state_key="")
    hs.set_membership(room, me, me, "join")
    pl = {"users": {me: 100}, "users_default": 0, "events": dict(DEFAULT_PL_EVENTS),
          "events_default": 0, "state_default": 50, "ban": 50, "kick": 50,
          "redact": 50, "invite": 50, "historical": 100,
          "notifications": {"room": 50}}
    if preset in ("private_chat", "trusted_private_chat"):
        pl["invite"] = 0
    if preset == "trusted_private_chat":
        for u in invitees:
            pl["users"][u] = 100
    override = d.get("power_level_content_override")
    if isinstance(override, dict):
        pl.update(override)
    hs.add_event(room, me, "m.room.power_levels", pl, state_key="")
    if alias:
        hs.aliases[alias] = rid
        hs.add_event(room, me, "m.room.canonical_alias", {"alias": alias}, state_key="")
    hs.add_event(room, me, "m.room.join_rules",
                 {"join_rule": "public" if preset == "public_chat" else "invite"},
                 state_key="")
    hs.add_event(room, me, "m.room.history_visibility",
                 {"history_visibility": "shared"}, state_key="")
    if preset != "public_chat":
        hs.add_event(room, me, "m.room.guest_access", {"guest_access": "can_join"},
                     state_key="")
    for st in d.get("initial_state") or []:
        if not isinstance(st, dict) or "type" not in st:
            raise MatrixError(400, "M_INVALID_PARAM", "Invalid initial_state")
        hs.add_event(room, me, st["type"], st.get("content") or {},
                     state_key=st.get("state_key", ""))
    if d.get("name"):
        hs.add_event(room, me, "m.room.name", {"name": d["name"]}, state_key="")
    if d.get("topic"):
        hs.add_event(room, me, "m.room.topic", {"topic": d["topic"]}, state_key="")
    for u in invitees:
        extra = {"is_direct": True} if d.get("is_direct") else None
        hs.set_membership(room, me, u, "invite", extra)
    out = {"room_id": rid}
    if alias:
        out["room_alias"] = alias
    return out


@route("POST", C + "/rooms/{roomId}/invite")
def r_invite(req, roomId):
    hs = req.hs
    room = hs.find_room(roomId)
    d = req.json()
    target = d.get("user_id")
    if not isinstance(target, str) or not target.startswith("@"):
        raise missing("user_id")
    if room.membership(req.user)[0] != "join":
        raise forbidden("You are not in room %s." % roomId)
    if room.level_of(req.user) < room.required("invite", 0):
        raise forbidden("You don't have permission to invite users")
    m, _ = room.membership(target)
    if m == "join":
        raise forbidden("%s is already in the room." % target)
    if m == "ban":
        raise forbidden("%s is banned from the room" % target)
    if target.endswith(":" + hs.server_name) and target not in hs.users:
        raise not_found("Unknown user %s" % target)
    if m == "invite":
        return {}
    extra = {}
    if isinstance(d.get("reason"), str):
        extra["reason"] = d["reason"]
    hs.set_membership(room, req.user, target, "invite", extra)
    return {}


@route("POST", C + "/rooms/{roomId}/join")
def r_join_room(req, roomId):
    hs = req.hs
    room = hs.rooms.get(roomId)
    if room is None:
        raise not_found("No known servers")
    return {"room_id": hs.join(room, req.user)}


@route("POST", C + "/join/{roomIdOrAlias}")
def r_join_any(req, roomIdOrAlias):
    hs = req.hs
    rid = roomIdOrAlias
    if rid.startswith("#"):
        rid = hs.aliases.get(rid)
        if rid is None:
            raise not_found("Room alias %s not found" % roomIdOrAlias)
    elif not rid.startswith("!"):
        raise MatrixError(400, "M_INVALID_PARAM",
                          "%s was not legal room ID or room alias" % roomIdOrAlias)
    room = hs.rooms.get(rid)
    if room is None:
        raise not_found("No known servers")
    return {"room_id": hs.join(room, req.user)}


@route("POST", C + "/rooms/{roomId}/leave")
def r_leave(req, roomId):
    hs = req.hs
    room = hs.rooms.get(roomId)
    if room is None:
        raise not_found("Unknown room")
    m, _ = room.membership(req.user)
    if m in ("join", "invite", "knock"):
        extra = {}
        if req.body:
            d = req.json()
            if isinstance(d.get("reason"), str):
                extra["reason"] = d["reason"]
        hs.set_membership(room, req.user, req.user, "leave", extra)
        return {}
    if m in ("leave", "ban"):
        return {}
    raise forbidden("User %s is not in room %s" % (req.user, roomId))


@route("POST", C + "/rooms/{roomId}/forget")
def r_forget(req, roomId):
    return {}


def kick_or_ban(req, roomId, membership):
    hs = req.hs
    room = hs.find_room(roomId)
    d = req.json()
    target = d.get("user_id")
    if not isinstance(target, str):
        raise missing("user_id")
    hs.must_be_joined(room, req.user)
    need = room.required("kick" if membership == "leave" else "ban", 50)
    mine = room.level_of(req.user)
    if mine < need or (mine <= room.level_of(target) and target != req.user):
        raise forbidden("You don't have permission to %s this user"
                        % ("kick" if membership == "leave" else "ban"))
    m, _ = room.membership(target)
    if membership == "leave" and m not in ("join", "invite"):
        raise forbidden("The target user is not in the room")
    extra = {}
    if isinstance(d.get("reason"), str):
        extra["reason"] = d["reason"]
    hs.set_membership(room, req.user, target, membership, extra)
    return {}


@route("POST", C + "/rooms/{roomId}/kick")
def r_kick(req, roomId):
    return kick_or_ban(req, roomId, "leave")


@route("POST", C + "/rooms/{roomId}/ban")
def r_ban(req, roomId):
    return kick_or_ban(req, roomId, "ban")


@route("GET", C + "/rooms/{roomId}/joined_members")
def r_joined_members(req, roomId):
    hs = req.hs
    room = hs.find_room(roomId)
    hs.must_be_joined(room, req.user)
    out = {}
    for u in room.members("join"):
        c = room.state[("m.room.member", u)]["content"]
        out[u] = {"display_name": c.get("displayname"), "avatar_url": c.get("avatar_url")}
    return {"joined": out}


@route("GET", C + "/rooms/{roomId}/members")
def r_members(req, roomId):
    hs = req.hs
    room = hs.find_room(roomId)
    hs.must_be_joined(room, req.user)
    return {"chunk": [hs.client_event(e, with_room_id=True)
                      for k, e in room.state.items() if k[0] == "m.room.member"]}


@route("GET", C + "/joined_rooms")
def r_joined_rooms(req):
    return {"joined_rooms": [r.room_id for r in req.hs.rooms.values()
                             if r.membership(req.user)[0] == "join"]}


@route("PUT", C + "/rooms/{roomId}/typing/{userId}")
def r_typing(req, roomId, userId):
    hs = req.hs
    if userId != req.user:
        raise forbidden("Cannot set another user's typing state")
    room = hs.find_room(roomId)
    hs.must_be_joined(room, req.user)
    d = req.json()
    if not isinstance(d.get("typing"), bool):
        raise missing("typing")
    if d["typing"]:
        room.typing[req.user] = now_ms() + int(d.get("timeout", 30000))
    else:
        room.typing.pop(req.user, None)
    hs.stats["typing"] += 1
    return {}


@route("POST", C + "/rooms/{roomId}/receipt/{receiptType}/{eventId}")
def r_receipt(req, roomId, receiptType, eventId):
    hs = req.hs
    room = hs.find_room(roomId)
    hs.must_be_joined(room, req.user)
    req.json()
    if receiptType not in ("m.read", "m.read.private", "m.fully_read"):
        raise MatrixError(400, "M_INVALID_PARAM", "Receipt type not recognized")
    room.receipts[req.user] = eventId
    hs.stats["receipts"] += 1
    return {}


@route("POST", C + "/rooms/{roomId}/read_markers")
def r_read_markers(req, roomId):
    hs = req.hs
    room = hs.find_room(roomId)
    hs.must_be_joined(room, req.user)
    req.json()
    return {}


@route("GET", C + "/directory/room/{alias}")
def r_alias(req, alias):
    rid = req.hs.aliases.get(alias)
    if rid is None:
        raise not_found("Room alias %s not found" % alias)
    return {"room_id": rid, "servers": [req.hs.server_name]}


@route("GET", C + "/profile/{userId}", auth=False)
def r_profile(req, userId):
    u = req.hs.users.get(userId)
    if u is None:
        raise not_found("Profile was not found")
    return {"displayname": u.get("displayname")}


@route("GET", C + "/profile/{userId}/displayname", auth=False)
def r_profile_dn(req, userId):
    u = req.hs.users.get(userId)
    if u is None:
        raise not_found("Profile was not found")
    return {"displayname": u.get("displayname")}


@route("PUT", C + "/profile/{userId}/displayname")
def r_profile_dn_put(req, userId):
    if userId != req.user:
        raise forbidden("Cannot set another user's displayname")
    d = req.json()
    req.hs.users[req.user]["displayname"] = d.get("displayname")
    return {}


@route("PUT", C + "/presence/{userId}/status")
def r_presence(req, userId):
    if userId != req.user:
        raise forbidden("Cannot set another user's presence")
    req.json()
    return {}


# -- media

def media_config(req):
    return {"m.upload.size": req.hs.max_upload}


@route("GET", "/_matrix/media/v3/config")
def r_media_config(req):
    return media_config(req)


@route("GET", "/_matrix/client/v1/media/config")
def r_media_config_v1(req):
    if not req.hs.authenticated_media:
        raise MatrixError(404, "M_UNRECOGNIZED", "Unrecognized request")
    return media_config(req)


@route("POST", "/_matrix/media/v3/upload")
def r_upload(req):
    hs = req.hs
    if len(req.body) > hs.max_upload:
        raise MatrixError(413, "M_TOO_LARGE", "Upload request body is too large")
    mid = rand_str(24)
    hs.media[mid] = {"data": req.body,
                     "content_type": req.headers.get("Content-Type") or "application/octet-stream",
                     "filename": req.q("filename"), "uploader": req.user,
                     "ts": now_ms()}
    return {"content_uri": "mxc://%s/%s" % (hs.server_name, mid)}


def media_response(req, server, mid, filename=None, kind="v1"):
    hs = req.hs
    if server != hs.server_name:
        raise not_found("Remote media is not available here")
    m = hs.media.get(mid)
    if m is None:
        raise not_found("Not found")
    req.hs.stats["media_downloads"][kind] += 1
    name = filename or m.get("filename")
    headers = {"Cache-Control": "public,max-age=86400,s-maxage=86400",
               "Content-Security-Policy": "sandbox; default-src 'none';"}
    if name:
        headers["Content-Disposition"] = "attachment; filename*=utf-8''%s" % \
            urllib.parse.quote(name)
    return Response(200, body=m["data"], ctype=m["content_type"], headers=headers)


@route("GET", "/_matrix/client/v1/media/download/{serverName}/{mediaId}")
def r_download_v1(req, serverName, mediaId):
    if not req.hs.authenticated_media:
        raise MatrixError(404, "M_UNRECOGNIZED", "Unrecognized request")
    return media_response(req, serverName, mediaId)


@route("GET", "/_matrix/client/v1/media/download/{serverName}/{mediaId}/{fileName}")
def r_download_v1_name(req, serverName, mediaId, fileName):
    if not req.hs.authenticated_media:
        raise MatrixError(404, "M_UNRECOGNIZED", "Unrecognized request")
    return media_response(req, serverName, mediaId, fileName)


@route("GET", "/_matrix/media/v3/download/{serverName}/{mediaId}", auth=False)
def r_download_legacy(req, serverName, mediaId):
    if not req.hs.legacy_media:
        raise not_found("Not found")
    return media_response(req, serverName, mediaId, kind="legacy")


@route("GET", "/_matrix/media/v3/download/{serverName}/{mediaId}/{fileName}", auth=False)
def r_download_legacy_name(req, serverName, mediaId, fileName):
    if not req.hs.legacy_media:
        raise not_found("Not found")
    return media_response(req, serverName, mediaId, fileName, kind="legacy")


# ---------------------------------------------------------------- control API

CONTROL = []


def control(method, template):
    segs = template.strip("/").split("/")

    def deco(fn):
        CONTROL.append((method, segs, fn, template))
        return fn
    return deco


@control("POST", "/_test/register")
def c_register(req):
    d = req.json()
    name = d.get("username")
    if not isinstance(name, str) or not name:
        raise missing("username")
    pw = d.get("password") or rand_str(16)
    out = req.hs.register(name, pw, d.get("displayname"), d.get("device_id"))
    out["password"] = pw
    return out


@control("GET", "/_test/rooms")
def c_rooms(req):
    out = {}
    for r in req.hs.rooms.values():
        out[r.room_id] = {"creator": r.creator,
                          "members": {u: r.membership(u)[0] for (t, u) in r.state
                                      if t == "m.room.member"},
                          "encrypted": ("m.room.encryption", "") in r.state,
                          "typing": [u for u, exp in r.typing.items() if exp > now_ms()],
                          "events": len(r.events)}
    return {"rooms": out}


@control("GET", "/_test/rooms/{roomId}/events")
def c_room_events(req, roomId):
    hs = req.hs
    room = hs.find_room(roomId)
    since = int(req.q("since", "0") or 0)
    typ = req.q("type")
    out = []
    for ev in room.events:
        if ev["_pos"] <= since or (typ and ev["type"] != typ):
            continue
        if "_raw_event" in ev:
            out.append({"event_id": ev["event_id"], "type": ev["type"],
                        "sender": ev["sender"], "pos": ev["_pos"], "content": {},
                        "raw_event_b64": base64.b64encode(ev["_raw_event"]).decode()})
            continue
        e = hs.client_event(ev, with_room_id=True)
        e["pos"] = ev["_pos"]
        if "_raw_content" in e:
            e["content"] = {"raw_b64": base64.b64encode(e.pop("_raw_content")).decode()}
        if "_txn" in ev:
            e["txn_id"] = ev["_txn"][2]
            e["device_id"] = ev["_txn"][1]
        out.append(e)
    return {"events": out, "pos": hs.pos}


@control("GET", "/_test/rooms/{roomId}/state")
def c_room_state(req, roomId):
    hs = req.hs
    room = hs.find_room(roomId)
    return {"state": [hs.client_event(e, with_room_id=True) for e in room.state.values()]}


@control("POST", "/_test/rooms/{roomId}/inject")
def c_inject(req, roomId):
    hs = req.hs
    room = hs.find_room(roomId)
    d = req.json()
    raw = base64.b64decode(d.get("content_b64") or "")
    ev = hs.add_event(room, d.get("sender") or "@mallory:%s" % hs.server_name,
                      d.get("type") or "m.room.message", None, raw_content=raw)
    return {"event_id": ev["event_id"]}


@control("POST", "/_test/rooms/{roomId}/inject_event")
def c_inject_event(req, roomId):
    """A whole event as raw bytes, spliced into sync answers as is.  The
    server keeps a placeholder id, type and sender for its own bookkeeping
    (filters, the control listing); clients see only the bytes."""
    hs = req.hs
    room = hs.find_room(roomId)
    d = req.json()
    raw = base64.b64decode(d.get("event_b64") or "")
    ev = hs.add_event(room, d.get("sender") or "@mallory:%s" % hs.server_name,
                      d.get("type") or "m.room.message", {})
    ev["_raw_event"] = raw
    return {"event_id": ev["event_id"]}


@control("POST", "/_test/rooms/{roomId}/event")
def c_event(req, roomId):
    """An event from a member, optionally backdated ("origin_server_ts"),
    as an appservice may do with ?ts=."""
    hs = req.hs
    room = hs.find_room(roomId)
    d = req.json()
    sender = d.get("sender")
    if room.membership(sender)[0] != "join":
        raise forbidden("User %s not in room %s" % (sender, roomId))
    ev = hs.add_event(room, sender, d.get("type") or "m.room.message", d.get("content") or {},
                      state_key=d.get("state_key"))
    if isinstance(d.get("origin_server_ts"), int):
        ev["origin_server_ts"] = d["origin_server_ts"]
    return {"event_id": ev["event_id"]}


@control("POST", "/_test/fault")
def c_fault(req):
    d = req.json()
    kinds = ("status", "429", "drop", "drop_mid", "slow", "truncate", "bad_utf8",
             "lone_surrogate", "oversize", "401")
    if d.get("kind") not in kinds:
        raise MatrixError(400, "M_INVALID_PARAM", "kind must be one of %s" % (kinds,))
    f = dict(d)
    f.setdefault("count", 1)
    if f["kind"] in ("bad_utf8", "lone_surrogate", "oversize"):
        f.setdefault("path", r"/sync$")
    if f.get("path"):
        re.compile(f["path"])
    f["hits"] = 0
    f["id"] = req.server.next_fault_id()
    req.server.faults.append(f)
    return {"id": f["id"]}


@control("GET", "/_test/faults")
def c_faults(req):
    return {"faults": req.server.faults}


@control("DELETE", "/_test/faults")
def c_faults_clear(req):
    req.server.faults[:] = []
    return {}


@control("POST", "/_test/faults/clear")
def c_faults_clear2(req):
    req.server.faults[:] = []
    return {}


@control("POST", "/_test/down")
def c_down(req):
    d = req.json() if req.body else {}
    mode = d.get("mode", "refuse")
    if mode not in ("refuse", "close"):
        raise MatrixError(400, "M_INVALID_PARAM", "mode must be refuse or close")
    req.server.set_down(mode, d.get("seconds"))
    return {}


@control("POST", "/_test/up")
def c_up(req):
    req.server.set_up()
    return {}


@control("POST", "/_test/restart")
def c_restart(req):
    d = req.json() if req.body else {}
    req.server.restart(int(d.get("down_ms", 500)))
    return {}


@control("POST", "/_test/users/{userId}/expire")
def c_expire(req, userId):
    hs = req.hs
    d = req.json() if req.body else {}
    n = 0
    for t, (u, _) in list(hs.tokens.items()):
        if u == userId:
            del hs.tokens[t]
            hs.soft_logout[t] = bool(d.get("soft_logout", False))
            n += 1
    return {"expired": n}


@control("GET", "/_test/users/{userId}/tokens")
def c_tokens(req, userId):
    hs = req.hs
    return {"current": [t for t, (u, _) in hs.tokens.items() if u == userId],
            "issued": hs.issued.get(userId, [])}


@control("POST", "/_test/config")
def c_config(req):
    hs = req.hs
    d = req.json()
    if "versions" in d:
        hs.versions = d["versions"]
    if "unstable_features" in d:
        hs.unstable_features = d["unstable_features"]
    if "authenticated_media" in d:
        hs.authenticated_media = bool(d["authenticated_media"])
    if "legacy_media" in d:
        hs.legacy_media = bool(d["legacy_media"])
    if "rate_limit" in d:
        hs.rate_limit = d["rate_limit"]
        hs.buckets = {}
    if "max_upload_bytes" in d:
        hs.max_upload = int(d["max_upload_bytes"])
    return {}


@control("GET", "/_test/stats")
def c_stats(req):
    hs = req.hs
    out = dict(hs.stats)
    out["txns"] = hs.txn_stats
    out["pos"] = hs.pos
    out["down"] = req.server.down_mode
    return out


@control("POST", "/_test/stats/reset")
def c_stats_reset(req):
    req.hs.reset_stats()
    return {}


@control("GET", "/_test/media/{mediaId}")
def c_media(req, mediaId):
    m = req.hs.media.get(mediaId)
    if m is None:
        raise not_found()
    return Response(200, body=m["data"], ctype=m["content_type"])


# ---------------------------------------------------------------- HTTP


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "scribe-test-homeserver/1"
    sys_version = ""
    timeout = 120

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        self.server.track(self.connection, True)

    def finish(self):
        try:
            BaseHTTPRequestHandler.finish(self)
        except (OSError, ValueError):
            pass
        finally:
            self.server.track(self.connection, False)

    def log_message(self, fmt, *args):
        pass

    def handle(self):
        if not self.server.control_port and self.server.app.down_mode == "close":
            self.kill()
            return
        try:
            BaseHTTPRequestHandler.handle(self)
        except (ConnectionError, OSError):
            pass

    def kill(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if te == "chunked":
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                if not line:
                    raise ConnectionError("eof in chunked body")
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += n
                if total > MAX_REQUEST_BODY:
                    raise MatrixError(413, "M_TOO_LARGE", "Request body too large")
                chunks.append(self.rfile.read(n))
                self.rfile.readline(16)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_REQUEST_BODY:
            raise MatrixError(413, "M_TOO_LARGE", "Request body too large")
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_OPTIONS(self):
        self.dispatch("OPTIONS")

    def dispatch(self, method):
        app = self.server.app
        t0 = time.monotonic()
        try:
            body = self.read_body()
        except MatrixError as e:
            self.send(Response(e.status, e.body()))
            self.close_connection = True
            return
        except (ValueError, ConnectionError, OSError):
            self.kill()
            return
        req = Request(app.hs, method, self.path, self.headers, body,
                      self.client_address[0], self.server.control_port)
        req.server = app
        req.conn = self.connection
        resp, note = app.handle(req)
        if resp == "kill" or resp == "abort":
            self.log_req(req, "--", 0, t0, note if isinstance(note, str) else resp)
            self.kill()
            return
        fault = note if isinstance(note, dict) else None
        if fault and fault["kind"] == "drop_mid":
            self.send(resp, cut=max(1, len(resp.body) // 2))
            self.log_req(req, resp.status, len(resp.body), t0, "fault drop_mid")
            self.kill()
            return
        if fault and fault["kind"] == "truncate":
            frac = float(fault.get("fraction", 0.5))
            resp.body = resp.body[:max(1, int(len(resp.body) * frac))]
        if fault and fault["kind"] == "slow" and fault.get("when") == "after":
            app.sleep(min(int(fault.get("delay_ms", 1000)), 600000))
        try:
            self.send(resp)
        except (ConnectionError, OSError):
            self.close_connection = True
            self.log_req(req, resp.status, 0, t0, "client gone")
            return
        size = len(resp.body) if resp.stream is None else \
            len(resp.stream[0]) + resp.stream[1] + len(resp.stream[2])
        self.log_req(req, resp.status, size, t0,
                     ("fault " + fault["kind"]) if fault else None)

    def send(self, resp, cut=None):
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.ctype)
        if resp.stream is not None:
            prefix, pad, suffix = resp.stream
            length = len(prefix) + pad + len(suffix)
        else:
            length = len(resp.body)
        self.send_header("Content-Length", str(length))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-cache, no-store, must-revalidate")
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if resp.stream is not None:
            prefix, pad, suffix = resp.stream
            self.wfile.write(prefix)
            chunk = b"x" * (1 << 20)
            while pad > 0:
                n = min(pad, len(chunk))
                self.wfile.write(chunk[:n])
                pad -= n
            self.wfile.write(suffix)
        elif cut is not None:
            self.wfile.write(resp.body[:cut])
        else:
            self.wfile.write(resp.body)
        self.wfile.flush()

    def log_req(self, req, status, size, t0, note):
        path = req.path
        if req.query:
            q = {k: v for k, v in req.query.items() if k != "access_token"}
            if q:
                path += "?" + urllib.parse.urlencode(q, doseq=True)
        who = req.user or req.peek_user() or "-"
        log("%s%s %s %s -> %s %dB %dms %s%s" % (
            "[control] " if self.server.control_port else "",
            req.method, path, who, status, size,
            int((time.monotonic() - t0) * 1000), req.template or "",
            (" (%s)" % note) if note else ""))


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, app, port, control_port):
        self.app = app
        self.control_port = control_port
        self.conns = set()
        self.conns_lock = threading.Lock()
        ThreadingHTTPServer.__init__(self, ("127.0.0.1", port), Handler)

    def track(self, sock, add):
        with self.conns_lock:
            if add:
                self.conns.add(sock)
            else:
                self.conns.discard(sock)

    def kill_all(self):
        with self.conns_lock:
            socks = list(self.conns)
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        log("connection error from %s: %s" % (client_address[0], sys.exc_info()[1]))

    def verify_request(self, request, client_address):
        return client_address[0].startswith("127.") or client_address[0] == "::1"


class App:
    def __init__(self, args):
        self.hs = HomeserverState(args.server_name, not args.no_authenticated_media,
                                  args.versions.split(",") if args.versions else None)
        self.state_file = args.state
        if self.state_file and os.path.exists(self.state_file):
            with open(self.state_file) as f:
                self.hs.load_json(json.load(f))
            log("state loaded from %s (pos %d)" % (self.state_file, self.hs.pos))
        self.faults = []
        self._fault_id = 0
        self.down_mode = None
        self.down_timer = None
        self.port = args.port
        self.main = None
        self.main_thread = None
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def next_fault_id(self):
        self._fault_id += 1
        return self._fault_id

    # -- listeners
    def start_main(self):
        self.main = Listener(self, self.port, False)
        self.port = self.main.server_address[1]
        self.main_thread = threading.Thread(target=self.main.serve_forever,
                                            kwargs={"poll_interval": 0.1}, daemon=True)
        self.main_thread.start()

    def stop_main(self):
        m = self.main
        if m is None:
            return
        self.main = None
        m.shutdown()
        m.server_close()
        m.kill_all()

    def end_waiting(self):
        with self.hs.cond:
            self.hs.generation += 1
            self.hs.cond.notify_all()

    def set_down(self, mode, seconds=None):
        with self.lock:
            if self.down_timer:
                self.down_timer.cancel()
                self.down_timer = None
            self.down_mode = mode
            if mode == "refuse":
                self.stop_main()
            elif self.main is not None:
                self.main.kill_all()
            self.end_waiting()
            log("down (%s)%s" % (mode, (" for %ss" % seconds) if seconds else ""))
            if seconds:
                self.down_timer = threading.Timer(float(seconds), self.set_up)
                self.down_timer.daemon = True
                self.down_timer.start()

    def set_up(self):
        with self.lock:
            if self.down_timer:
                self.down_timer.cancel()
                self.down_timer = None
            self.down_mode = None
            if self.main is None:
                for _ in range(50):
                    try:
                        self.start_main()
                        break
                    except OSError:
                        time.sleep(0.1)
            log("up on port %d" % self.port)

    def restart(self, down_ms):
        def go():
            self.set_down("refuse")
            time.sleep(down_ms / 1000.0)
            self.set_up()
        threading.Thread(target=go, daemon=True).start()

    def sleep(self, ms):
        self.stopping.wait(ms / 1000.0)

    # -- requests
    def pick_fault(self, req):
        if req.control:
            return None
        user = req.peek_user()
        for f in self.faults:
            if f["count"] is not None and f["count"] <= 0:
                continue
            if f.get("method") and f["method"] != req.method:
                continue
            if f.get("path") and not re.search(f["path"], req.path):
                continue
            if f.get("user") and f["user"] != user:
                continue
            if f["count"] is not None:
                f["count"] -= 1
            f["hits"] += 1
            f.setdefault("paths", []).append(req.path)
            del f["paths"][:-50]
            fa = self.hs.stats["faults_applied"]
            fa[f["kind"]] = fa.get(f["kind"], 0) + 1
            return f
        return None

    def handle(self, req):
        """Returns (Response | "kill" | "abort", note)."""
        hs = self.hs
        segs = req.segs
        if segs and segs[0] == "_test":
            if not (req.client_ip.startswith("127.") or req.client_ip == "::1"):
                return Response(403, {"errcode": "M_FORBIDDEN", "error": "loopback only"}), None
            for method, tmpl, fn, template in CONTROL:
                params = match_route(segs, tmpl)
                if params is None or method != req.method:
                    continue
                req.template = template
                with hs.cond:
                    try:
                        out = fn(req, **params)
                    except MatrixError as e:
                        return Response(e.status, e.body(), headers=e.headers), None
                return (out if isinstance(out, Response) else Response(200, out)), None
            return Response(404, {"errcode": "M_UNRECOGNIZED",
                                  "error": "Unrecognized request"}), None
        with hs.cond:
            fault = self.pick_fault(req)
        if fault is not None:
            k = fault["kind"]
            if k == "drop":
                return "kill", "fault drop"
            if k == "slow" and fault.get("when", "before") == "before":
                gen = hs.generation
                self.sleep(min(int(fault.get("delay_ms", 1000)), 600000))
                if hs.generation != gen:
                    return "kill", "fault slow, then restart"
            if k == "status":
                st = int(fault.get("status", 500))
                if st >= 502 and not fault.get("json"):
                    html = ("<html><head><title>%d</title></head><body><center><h1>%d</h1>"
                            "</center><hr><center>nginx</center></body></html>\n"
                            % (st, st)).encode()
                    return Response(st, body=html, ctype="text/html"), fault
                return Response(st, {"errcode": fault.get("errcode", "M_UNKNOWN"),
                                     "error": "Internal server error"}), fault
            if k == "429":
                body = {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests"}
                ms = fault.get("retry_after_ms", 1000)
                if ms is not None:
                    body["retry_after_ms"] = int(ms)
                headers = {}
                ra = fault.get("retry_after")
                if ra is True:
                    headers["Retry-After"] = str(max(1, -(-int(ms or 1000) // 1000)))
                elif ra == "date":
                    headers["Retry-After"] = email.utils.formatdate(
                        time.time() + (ms or 1000) / 1000.0, usegmt=True)
                elif isinstance(ra, (str, int)) and ra is not False:
                    headers["Retry-After"] = str(ra)
                return Response(429, body, headers=headers), fault
            if k == "401":
                return Response(401, {"errcode": "M_UNKNOWN_TOKEN",
                                      "error": "Invalid access token passed.",
                                      "soft_logout": bool(fault.get("soft_logout"))}), fault
            req.fault = fault if k in ("bad_utf8", "lone_surrogate", "oversize") else None
        resp = self.dispatch(req)
        if resp == "abort":
            return "abort", "restart during long-poll"
        if fault is not None and fault["kind"] in ("bad_utf8", "lone_surrogate", "oversize") \
                and req.fault is None:
            fault = None
        return resp, fault

    def dispatch(self, req):
        hs = self.hs
        segs = req.segs
        allowed = False
        for method, tmpl, fn, auth, template in ROUTES:
            params = match_route(segs, tmpl)
            if params is None:
                continue
            if method != req.method:
                allowed = True
                continue
            req.template = template
            with hs.cond:
                try:
                    if auth:
                        req.authenticate()
                    by = hs.stats["requests"]
                    key = "%s %s" % (req.method, template)
                    by[key] = by.get(key, 0) + 1
                    if req.user:
                        bu = hs.stats["by_user"].setdefault(req.user, {})
                        bu[key] = bu.get(key, 0) + 1
                    out = fn(req, **params)
                except MatrixError as e:
                    by = hs.stats["requests"]
                    key = "%s %s" % (req.method, template)
                    if not req.user:
                        by[key] = by.get(key, 0) + 1
                    return Response(e.status, e.body(), headers=e.headers)
            if isinstance(out, Response) or out == "abort":
                return out
            return Response(200, out)
        if allowed:
            return Response(405, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})
        return Response(404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})


def write_file(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="scribe's test Matrix homeserver")
    ap.add_argument("port", nargs="?", type=int, default=None)
    ap.add_argument("--port", dest="port_opt", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--control-port", type=int, default=0)
    ap.add_argument("--control-port-file")
    ap.add_argument("--server-name", default="localhost")
    ap.add_argument("--state", help="load state from FILE at start, save it at exit")
    ap.add_argument("--no-authenticated-media", action="store_true",
                    help="behave like a server older than v1.11")
    ap.add_argument("--versions", help="comma-separated /versions list")
    args = ap.parse_args()
    args.port = args.port if args.port is not None else args.port_opt
    app = App(args)
    app.start_main()
    ctl = Listener(app, args.control_port, True)
    threading.Thread(target=ctl.serve_forever, kwargs={"poll_interval": 0.2},
                     daemon=True).start()
    cport = ctl.server_address[1]
    if args.port_file:
        write_file(args.port_file, "%d\n" % app.port)
    if args.control_port_file:
        write_file(args.control_port_file, "%d\n" % cport)
    print("listening on 127.0.0.1:%d control 127.0.0.1:%d" % (app.port, cport), flush=True)
    log("listening on 127.0.0.1:%d, control on 127.0.0.1:%d" % (app.port, cport))

    def on_signal(signum, frame):
        app.stopping.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not app.stopping.wait(0.5):
        pass
    log("stopping")
    app.end_waiting()
    if app.main is not None:
        app.main.shutdown()
        app.main.server_close()
        app.main.kill_all()
    ctl.shutdown()
    ctl.server_close()
    if app.state_file:
        with app.hs.cond:
            data = json.dumps(app.hs.to_json())
        write_file(app.state_file, data)
        log("state saved to %s" % app.state_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
