"""tests/homeserver_lib/client_api.py -- Client-Server API routes for the
session and the account: /versions, login, logout, register, whoami,
capabilities, push rules, filters, account data, and /sync (long poll, plus
the poison and oversize answers a sync fault asks for)."""

import json
import re
import select
import socket
import string
import time

from .common import (MAX_SYNC_TIMEOUT_MS, VERSIONS_WITH_AUTH_MEDIA,
                     VERSIONS_WITHOUT_AUTH_MEDIA, MatrixError, Response,
                     dump_json, forbidden, missing, not_found, now_ms, rand_str)
from .routing import C, route


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
