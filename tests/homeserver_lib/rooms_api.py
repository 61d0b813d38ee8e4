"""tests/homeserver_lib/rooms_api.py -- Client-Server API routes for rooms:
send (txn-id idempotency, size and rate limits), state, events, /messages,
redaction, createRoom, invite/join/leave/forget/kick/ban, members, typing,
receipts, read markers, aliases, profiles and presence."""

import re

from .common import (REDACT_KEEP, MatrixError, Response, dump_json, forbidden,
                     missing, not_found, now_ms, rand_str)
from .state import Room
from .routing import C, route


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
