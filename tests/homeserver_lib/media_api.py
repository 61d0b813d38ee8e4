"""tests/homeserver_lib/media_api.py -- Client-Server API routes for media:
the upload size config, upload, and download over both the authenticated
(/_matrix/client/v1/media) and the legacy (/_matrix/media/v3) paths."""

import urllib.parse

from .common import MatrixError, Response, not_found, now_ms, rand_str
from .routing import route


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
