"""tests/homeserver_lib/control.py -- the control API (/_test/...) and fault
injection: the control routes, their dispatch, choosing the fault a
main-port request hits and the answers the early faults give.

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
"""

import base64
import email.utils
import re
import time

from .common import (MatrixError, Response, forbidden, missing, not_found,
                     now_ms, rand_str)
from .routing import match_route


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


def handle_control(req):
    """A /_test/ request, answered on either port and never faulted."""
    hs = req.hs
    segs = req.segs
    if not (req.client_ip.startswith("127.") or req.client_ip == "::1"):
        return Response(403, {"errcode": "M_FORBIDDEN", "error": "loopback only"})
    for method, tmpl, fn, template in CONTROL:
        params = match_route(segs, tmpl)
        if params is None or method != req.method:
            continue
        req.template = template
        with hs.cond:
            try:
                out = fn(req, **params)
            except MatrixError as e:
                return Response(e.status, e.body(), headers=e.headers)
        return out if isinstance(out, Response) else Response(200, out)
    return Response(404, {"errcode": "M_UNRECOGNIZED",
                          "error": "Unrecognized request"})


# ---------------------------------------------------------------- faults


def pick_fault(app, req):
    """The first live fault matching a main-port request (counted as hit),
    or None.  Called with hs.cond held."""
    if req.control:
        return None
    user = req.peek_user()
    for f in app.faults:
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
        fa = app.hs.stats["faults_applied"]
        fa[f["kind"]] = fa.get(f["kind"], 0) + 1
        return f
    return None


def fault_answer(app, req, fault):
    """What `fault` answers before the request is handled: (Response or
    "kill", note), or None to handle the request (setting req.fault for the
    sync poisons; drop_mid, truncate and slow-after are applied by the HTTP
    handler on the way out)."""
    hs = app.hs
    k = fault["kind"]
    if k == "drop":
        return "kill", "fault drop"
    if k == "slow" and fault.get("when", "before") == "before":
        gen = hs.generation
        app.sleep(min(int(fault.get("delay_ms", 1000)), 600000))
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
    return None
