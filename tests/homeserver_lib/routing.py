"""tests/homeserver_lib/routing.py -- the Client-Server API route table (the
@route decorator the *_api modules register with), path template matching,
and the parsed Request with its access-token authentication."""

import json
import urllib.parse

from .common import MatrixError, bad_json


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
