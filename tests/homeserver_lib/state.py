"""tests/homeserver_lib/state.py -- the in-memory state model of the test
homeserver: users, tokens and devices, rooms with their events and state,
membership and power levels, txn ids, rate limiting, media, stats, the sync
positions and the /sync answer itself, and saving/loading it all as JSON."""

import base64
import re
import string
import threading
import time

from .common import (DEFAULT_TIMELINE_LIMIT, EVENT_SIZE_LIMIT, PREJOIN_TYPES,
                     MatrixError, canonical_len, forbidden, not_found, now_ms,
                     rand_str)


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
