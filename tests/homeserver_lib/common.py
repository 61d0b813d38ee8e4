"""tests/homeserver_lib/common.py -- what every part of the test homeserver
shares: the limits and constants (event size, sync timeout, /versions lists,
prejoin and redaction keys), logging to stderr, Matrix errors, the Response a
handler answers, and JSON encoding that splices in raw (poison) bytes."""

import json
import random
import string
import sys
import time


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
