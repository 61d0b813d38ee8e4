/* bot/matrix.c -- the Matrix Client-Server API over bot/http: requests,
 * error classification and the client's calls (versions, login, filter,
 * sync, send, join, media, history). JSON <-> structs is matrix_json.c,
 * text helpers matrix_text.c. Every document is parsed, copied into structs
 * and deleted before the callback returns. Knows nothing of scribe's policies. */
#include "matrix_int.h"
#include "http.h"
#include "../storage/log.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define MX_CLIENT       "/_matrix/client/v3"
#define MX_SYNC_MAX     (64u << 20)     /* a /sync response */
#define MX_SMALL_MAX    (1u << 20)      /* any other answer */
#define MX_PAGE_MAX     (8u << 20)      /* a page of /messages */

struct matrix {
    struct http *http;
    char *base;
    char *token;                /* secret: never logged */
    char *user_id;
    char *device_id;
    int authed_media;
    int sync_active;
    uint64_t sync_id;
};

const char MATRIX_FILTER_JSON[] =
    "{\"presence\":{\"not_types\":[\"*\"]},"
    "\"account_data\":{\"types\":[\"m.direct\"]},"
    "\"room\":{\"ephemeral\":{\"not_types\":[\"*\"]},"
    "\"account_data\":{\"not_types\":[\"*\"]},"
    "\"state\":{\"lazy_load_members\":true,\"types\":[\"m.room.create\",\"m.room.member\","
    "\"m.room.power_levels\",\"m.room.encryption\",\"m.room.tombstone\",\"m.room.name\"]},"
    "\"timeline\":{\"limit\":50,\"types\":[\"m.room.message\",\"m.room.member\","
    "\"m.room.power_levels\",\"m.room.create\",\"m.room.encryption\",\"m.room.tombstone\","
    "\"m.room.name\",\"m.room.redaction\",\"m.reaction\",\"m.room.encrypted\"]}}}";

/* ==== requests ======================================================== */

enum mx_what { W_DONE, W_STR, W_DATA, W_SYNC, W_PAGE };

struct mx_call;
typedef void mx_handler(struct mx_call *c, struct mx_err *e, const cJSON *json,
                        const struct http_resp *r);

struct mx_call {
    struct matrix *m;
    mx_handler *handler;
    enum mx_what what;
    union {
        mx_done_fn *done;
        mx_str_fn *str;
        mx_data_fn *data;
        mx_sync_fn *sync;
        mx_page_fn *page;
    } cb;
    void *arg;
    int raw;                    /* a successful body is not parsed here */
    int follow;                 /* media: follow redirects to a CDN */
    int is_sync;
};

/* Fill `e` from a response: transport errors, status and errcode. */
static void classify(const struct http_resp *r, const cJSON *json, struct mx_err *e)
{
    const char *code = json ? mx_json_str(json, "errcode") : NULL;
    const char *msg = json ? mx_json_str(json, "error") : NULL;
    int64_t ms;

    memset(e, 0, sizeof(*e));
    e->status = r->status;
    e->retry_after_ms = -1;
    snprintf(e->errcode, sizeof(e->errcode), "%s", code ? code : "");
    if (r->cancelled) {
        e->kind = MX_CANCELLED;
        snprintf(e->error, sizeof(e->error), "cancelled");
        return;
    }
    if (r->too_big) {
        e->kind = MX_TOO_LARGE;
        snprintf(e->error, sizeof(e->error), "response over the size limit");
        return;
    }
    if (r->curl_code) {
        snprintf(e->error, sizeof(e->error), "%s", r->error);
        /* A certificate that does not verify is never retried. */
        e->kind = (r->curl_code == 60 /* PEER_FAILED_VERIFICATION */ ||
                   r->curl_code == 58 /* SSL_CERTPROBLEM */ ||
                   r->curl_code == 77 /* SSL_CACERT_BADFILE */ ||
                   r->curl_code == 1 /* UNSUPPORTED_PROTOCOL */ ||
                   r->curl_code == 3 /* URL_MALFORMAT */) ? MX_FAIL : MX_RETRY;
        return;
    }
    snprintf(e->error, sizeof(e->error), "%s", msg ? msg : "");
    if (r->status >= 200 && r->status < 300) {
        e->kind = MX_OK;
    } else if (r->status == 429 || (code && !strcmp(code, "M_LIMIT_EXCEEDED"))) {
        e->kind = MX_RATE;
        e->retry_after_ms = r->retry_after_ms;
        if (e->retry_after_ms < 0 && json && mx_json_int64(json, "retry_after_ms", 0, &ms) == 0 &&
            ms >= 0)
            e->retry_after_ms = ms;
        if (e->retry_after_ms < 0)
            e->retry_after_ms = 5000;
    } else if (r->status == 401 || (code && (!strcmp(code, "M_UNKNOWN_TOKEN") ||
                                             !strcmp(code, "M_MISSING_TOKEN")))) {
        e->kind = MX_AUTH;
    } else if (r->status == 413 || (code && !strcmp(code, "M_TOO_LARGE"))) {
        e->kind = MX_TOO_LARGE;
    } else if (r->status >= 500 || r->status == 408 || r->status == 0) {
        e->kind = MX_RETRY;
    } else {
        e->kind = MX_FAIL;
    }
    if (!e->error[0])
        snprintf(e->error, sizeof(e->error), "HTTP %ld", r->status);
}

static void call_done(struct mx_call *c, const struct mx_err *e)
{
    switch (c->what) {
    case W_DONE: c->cb.done(e, c->arg); break;
    case W_STR:  c->cb.str(e, NULL, c->arg); break;
    case W_DATA: c->cb.data(e, NULL, 0, c->arg); break;
    case W_SYNC: c->cb.sync(e, NULL, c->arg); break;
    case W_PAGE: c->cb.page(e, NULL, c->arg); break;
    }
}

static void on_http_done(const struct http_resp *r, void *arg)
{
    struct mx_call *c = arg;
    cJSON *json = NULL;
    struct mx_err e;

    if (c->is_sync)
        c->m->sync_active = 0;
    /* Errors are JSON even on media endpoints; successful media is not. */
    if (!r->cancelled && !r->curl_code && r->len &&
        (!c->raw || r->status < 200 || r->status >= 300))
        json = cJSON_ParseWithLength(r->body, r->len);
    classify(r, json, &e);
    if (e.kind == MX_OK && !c->raw && !c->is_sync && !cJSON_IsObject(json)) {
        e.kind = r->status >= 500 ? MX_RETRY : MX_FAIL;
        snprintf(e.error, sizeof(e.error), "answer is not a JSON object");
    }
    if (c->handler)
        c->handler(c, &e, json, r);
    else
        call_done(c, &e);
    cJSON_Delete(json);
    free(c);
}

static int mx_start(struct matrix *m, const char *method, const char *url, const char *body,
                    size_t cap, long timeout_ms, struct mx_call *c, uint64_t *id)
{
    struct http_req req = { 0 };

    req.method = method;
    req.url = url;
    req.bearer = m->token;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    req.max_bytes = cap ? cap : MX_SMALL_MAX;
    req.timeout_ms = timeout_ms;
    req.follow_redirects = c->follow;
    c->m = m;
    if (http_start(m->http, &req, on_http_done, c, id) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

static struct mx_call *call_new(enum mx_what what, mx_handler *handler, void *cb, void *arg)
{
    struct mx_call *c = xcalloc(1, sizeof(*c));

    c->what = what;
    c->handler = handler;
    c->arg = arg;
    switch (what) {
    case W_DONE: c->cb.done = (mx_done_fn *)cb; break;
    case W_STR:  c->cb.str = (mx_str_fn *)cb; break;
    case W_DATA: c->cb.data = (mx_data_fn *)cb; break;
    case W_SYNC: c->cb.sync = (mx_sync_fn *)cb; break;
    case W_PAGE: c->cb.page = (mx_page_fn *)cb; break;
    }
    return c;
}

/* base + MX_CLIENT + path, where path holds printf-style segments already escaped. */
static void url_client(struct matrix *m, struct buf *u)
{
    buf_init(u);
    buf_puts(u, m->base);
    buf_puts(u, MX_CLIENT);
}

/* ==== the client ====================================================== */

struct matrix *matrix_new(struct http *http, const char *base)
{
    struct matrix *m = xcalloc(1, sizeof(*m));

    m->http = http;
    m->base = xstrdup(base);
    return m;
}

static void free_secret(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

void matrix_free(struct matrix *m)
{
    if (!m)
        return;
    free(m->base);
    free_secret(m->token);
    free(m->user_id);
    free(m->device_id);
    free(m);
}

void matrix_set_auth(struct matrix *m, const char *token, const char *user_id,
                     const char *device_id)
{
    if (token != m->token) {
        free_secret(m->token);
        m->token = xstrdup(token);
    }
    if (user_id != m->user_id) {
        free(m->user_id);
        m->user_id = xstrdup(user_id);
    }
    if (device_id != m->device_id) {
        free(m->device_id);
        m->device_id = xstrdup(device_id);
    }
}

const char *matrix_token(const struct matrix *m) { return m->token; }
const char *matrix_user_id(const struct matrix *m) { return m->user_id; }
const char *matrix_device_id(const struct matrix *m) { return m->device_id; }
int matrix_authed_media(const struct matrix *m) { return m->authed_media; }

/* ---- /versions ---- */

static void on_versions(struct mx_call *c, struct mx_err *e, const cJSON *json,
                        const struct http_resp *r)
{
    const cJSON *it, *unstable;

    if (e->kind == MX_OK) {
        c->m->authed_media = 0;
        cJSON_ArrayForEach(it, mx_json_arr(json, "versions")) {
            int major, minor;
            if (cJSON_IsString(it) && sscanf(it->valuestring, "v%d.%d", &major, &minor) == 2 &&
                (major > 1 || (major == 1 && minor >= 11)))
                c->m->authed_media = 1;
        }
        unstable = mx_json_obj(json, "unstable_features");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(unstable, "org.matrix.msc3916.stable")))
            c->m->authed_media = 1;
    }
    c->cb.done(e, c->arg);
}

int matrix_versions(struct matrix *m, mx_done_fn *done, void *arg)
{
    struct buf u;
    int rc;

    buf_init(&u);
    buf_printf(&u, "%s/_matrix/client/versions", m->base);
    rc = mx_start(m, "GET", u.data, NULL, 0, 30000,
                  call_new(W_DONE, on_versions, (void *)done, arg), NULL);
    buf_release(&u);
    return rc;
}

/* ---- login / whoami ---- */

static void on_login(struct mx_call *c, struct mx_err *e, const cJSON *json,
                     const struct http_resp *r)
{
    if (e->kind == MX_OK) {
        const char *tok = mx_json_str(json, "access_token");
        const char *uid = mx_json_str(json, "user_id");
        const char *dev = mx_json_str(json, "device_id");
        if (!tok || !uid) {
            e->kind = MX_FAIL;
            snprintf(e->error, sizeof(e->error), "login answer lacks access_token or user_id");
        } else {
            matrix_set_auth(c->m, tok, uid, dev ? dev : c->m->device_id);
        }
    }
    c->cb.done(e, c->arg);
}

int matrix_login(struct matrix *m, const char *user, const char *password,
                 const char *device_id, mx_done_fn *done, void *arg)
{
    cJSON *root = cJSON_CreateObject(), *id;
    char *body;
    struct buf u;
    int rc;

    cJSON_AddStringToObject(root, "type", "m.login.password");
    id = cJSON_AddObjectToObject(root, "identifier");
    cJSON_AddStringToObject(id, "type", "m.id.user");
    cJSON_AddStringToObject(id, "user", user);
    cJSON_AddStringToObject(root, "password", password);
    if (device_id)
        cJSON_AddStringToObject(root, "device_id", device_id);
    cJSON_AddStringToObject(root, "initial_device_display_name", "scribe");
    body = mx_json_print_free(root);
    /* The login request carries no old token. */
    free_secret(m->token);
    m->token = NULL;
    url_client(m, &u);
    buf_puts(&u, "/login");
    rc = mx_start(m, "POST", u.data, body, 0, 30000,
                  call_new(W_DONE, on_login, (void *)done, arg), NULL);
    free_secret(body);
    buf_release(&u);
    return rc;
}

static void on_whoami(struct mx_call *c, struct mx_err *e, const cJSON *json,
                      const struct http_resp *r)
{
    const char *uid = NULL;

    if (e->kind == MX_OK) {
        uid = mx_json_str(json, "user_id");
        if (!uid) {
            e->kind = MX_FAIL;
            snprintf(e->error, sizeof(e->error), "whoami answer lacks user_id");
        } else {
            const char *dev = mx_json_str(json, "device_id");
            matrix_set_auth(c->m, c->m->token, uid, dev ? dev : c->m->device_id);
            uid = c->m->user_id;
        }
    }
    c->cb.str(e, uid, c->arg);
}

int matrix_whoami(struct matrix *m, mx_str_fn *done, void *arg)
{
    struct buf u;
    int rc;

    url_client(m, &u);
    buf_puts(&u, "/account/whoami");
    rc = mx_start(m, "GET", u.data, NULL, 0, 30000,
                  call_new(W_STR, on_whoami, (void *)done, arg), NULL);
    buf_release(&u);
    return rc;
}

/* ---- string answers: filter, send, join, displayname ---- */

static void on_str_answer(struct mx_call *c, struct mx_err *e, const cJSON *json,
                          const char *key)
{
    const char *s = NULL;

    if (e->kind == MX_OK && key) {
        s = mx_json_str(json, key);
        if (!s && strcmp(key, "displayname")) {
            e->kind = MX_FAIL;
            snprintf(e->error, sizeof(e->error), "answer lacks %s", key);
        }
    }
    c->cb.str(e, s, c->arg);
}

static void on_filter(struct mx_call *c, struct mx_err *e, const cJSON *json,
                      const struct http_resp *r)
{
    on_str_answer(c, e, json, "filter_id");
}

static void on_event_id(struct mx_call *c, struct mx_err *e, const cJSON *json,
                        const struct http_resp *r)
{
    on_str_answer(c, e, json, "event_id");
}

static void on_room_id(struct mx_call *c, struct mx_err *e, const cJSON *json,
                       const struct http_resp *r)
{
    on_str_answer(c, e, json, "room_id");
}

static void on_displayname(struct mx_call *c, struct mx_err *e, const cJSON *json,
                           const struct http_resp *r)
{
    on_str_answer(c, e, json, "displayname");
}

int matrix_filter(struct matrix *m, const char *filter_json, mx_str_fn *done, void *arg)
{
    struct buf u;
    int rc;

    if (!m->user_id)
        return -1;
    url_client(m, &u);
    buf_puts(&u, "/user/");
    mx_url_escape(&u, m->user_id);
    buf_puts(&u, "/filter");
    rc = mx_start(m, "POST", u.data, filter_json, 0, 30000,
                  call_new(W_STR, on_filter, (void *)done, arg), NULL);
    buf_release(&u);
    return rc;
}

int matrix_send(struct matrix *m, const char *room, const char *type, const char *txn,
                const char *content_json, mx_str_fn *done, void *arg)
{
    struct buf u;
    int rc;

    url_client(m, &u);
    buf_puts(&u, "/rooms/");
    mx_url_escape(&u, room);
    buf_puts(&u, "/send/");
    mx_url_escape(&u, type);
    buf_putc(&u, '/');
    mx_url_escape(&u, txn);
    rc = mx_start(m, "PUT", u.data, content_json, 0, 30000,
                  call_new(W_STR, on_event_id, (void *)done, arg), NULL);
    buf_release(&u);
    return rc;
}

int matrix_join(struct matrix *m, const char *room, const char *via, mx_str_fn *done, void *arg)
{
    struct buf u;
    int rc;

    url_client(m, &u);
    buf_puts(&u, "/join/");
    mx_url_escape(&u, room);
    if (via && *via) {
        buf_puts(&u, "?via=");
        mx_url_escape(&u, via);
    }
    rc = mx_start(m, "POST", u.data, "{}", 0, 60000,
                  call_new(W_STR, on_room_id, (void *)done, arg), NULL);
    buf_release(&u);
    return rc;
}

int matrix_displayname(struct matrix *m, mx_str_fn *done, void *arg)
{
    struct buf u;
    int rc;

    if (!m->user_id)
        return -1;
    url_client(m, &u);
    buf_puts(&u, "/profile/");
    mx_url_escape(&u, m->user_id);
    buf_puts(&u, "/displayname");
    rc = mx_start(m, "GET", u.data, NULL, 0, 30000,
                  call_new(W_STR, on_displayname, (void *)done, arg), NULL);
    buf_release(&u);
    return rc;
}

/* ---- leave / typing ---- */

int matrix_leave(struct matrix *m, const char *room, mx_done_fn *done, void *arg)
{
    struct buf u;
    int rc;

    url_client(m, &u);
    buf_puts(&u, "/rooms/");
    mx_url_escape(&u, room);
    buf_puts(&u, "/leave");
    rc = mx_start(m, "POST", u.data, "{}", 0, 30000,
                  call_new(W_DONE, NULL, (void *)done, arg), NULL);
    buf_release(&u);
    return rc;
}

int matrix_typing(struct matrix *m, const char *room, int typing, mx_done_fn *done, void *arg)
{
    struct buf u;
    int rc;

    if (!m->user_id)
        return -1;
    url_client(m, &u);
    buf_puts(&u, "/rooms/");
    mx_url_escape(&u, room);
    buf_puts(&u, "/typing/");
    mx_url_escape(&u, m->user_id);
    rc = mx_start(m, "PUT", u.data,
                  typing ? "{\"typing\":true,\"timeout\":30000}" : "{\"typing\":false}",
                  0, 30000, call_new(W_DONE, NULL, (void *)done, arg), NULL);
    buf_release(&u);
    return rc;
}

/* ---- media ---- */

static void on_download(struct mx_call *c, struct mx_err *e, const cJSON *json,
                        const struct http_resp *r)
{
    if (e->kind == MX_OK)
        c->cb.data(e, r->body, r->len, c->arg);
    else
        c->cb.data(e, NULL, 0, c->arg);
}

int matrix_mxc_ok(const char *mxc)
{
    const char *slash;

    if (!mxc || strncmp(mxc, "mxc://", 6))
        return 0;
    slash = strchr(mxc + 6, '/');
    return slash && slash != mxc + 6 && slash[1] && !strchr(slash + 1, '/');
}

int matrix_download(struct matrix *m, const char *mxc, size_t cap, mx_data_fn *done, void *arg)
{
    const char *p, *slash;
    char *server, *media;
    struct buf u;
    struct mx_call *c;
    int rc;

    if (!matrix_mxc_ok(mxc))
        return -1;
    p = mxc + 6;
    slash = strchr(p, '/');
    server = xstrndup(p, (size_t)(slash - p));
    media = xstrdup(slash + 1);
    buf_init(&u);
    buf_puts(&u, m->base);
    buf_puts(&u, m->authed_media ? "/_matrix/client/v1/media/download/"
                                 : "/_matrix/media/v3/download/");
    mx_url_escape(&u, server);
    buf_putc(&u, '/');
    mx_url_escape(&u, media);
    buf_puts(&u, "?timeout_ms=20000");
    if (!m->authed_media)
        buf_puts(&u, "&allow_redirect=true");
    c = call_new(W_DATA, on_download, (void *)done, arg);
    c->raw = 1;
    c->follow = 1;
    rc = mx_start(m, "GET", u.data, NULL, cap ? cap : 1, 120000, c, NULL);
    buf_release(&u);
    free(server);
    free(media);
    return rc;
}

/* ---- history ---- */

static void on_messages(struct mx_call *c, struct mx_err *e, const cJSON *json,
                        const struct http_resp *r)
{
    struct mx_page p = { 0 };

    if (e->kind != MX_OK) {
        c->cb.page(e, NULL, c->arg);
        return;
    }
    mx_parse_events(mx_json_arr(json, "chunk"), 0, 0, &p.events, &p.n);
    if (mx_json_str(json, "end"))
        p.end = xstrdup(mx_json_str(json, "end"));
    c->cb.page(e, &p, c->arg);
    for (size_t i = 0; i < p.n; i++)
        mx_event_release(&p.events[i]);
    free(p.events);
    free(p.end);
}

int matrix_messages(struct matrix *m, const char *room_id, const char *from, int limit,
                    mx_page_fn *done, void *arg)
{
    struct buf u;
    int rc;

    url_client(m, &u);
    buf_puts(&u, "/rooms/");
    mx_url_escape(&u, room_id);
    buf_printf(&u, "/messages?dir=b&limit=%d&filter=", limit);
    mx_url_escape(&u, "{\"types\":[\"m.room.message\"],\"lazy_load_members\":true}");
    if (from) {
        buf_puts(&u, "&from=");
        mx_url_escape(&u, from);
    }
    rc = mx_start(m, "GET", u.data, NULL, MX_PAGE_MAX, 60000,
                  call_new(W_PAGE, on_messages, (void *)done, arg), NULL);
    buf_release(&u);
    return rc;
}

/* ---- sync ---- */

static void on_sync(struct mx_call *c, struct mx_err *e, const cJSON *json,
                    const struct http_resp *r)
{
    struct mx_sync s;

    if (e->kind != MX_OK) {
        c->cb.sync(e, NULL, c->arg);
        return;
    }
    if (mx_sync_parse(r->body, r->len, &s) < 0) {
        mx_sync_release(&s);
        e->kind = MX_RETRY;
        snprintf(e->error, sizeof(e->error), "sync answer does not parse");
        c->cb.sync(e, NULL, c->arg);
        return;
    }
    c->cb.sync(e, &s, c->arg);
    mx_sync_release(&s);
}

int matrix_sync(struct matrix *m, const char *filter, const char *since,
                long timeout_ms, mx_sync_fn *done, void *arg)
{
    struct buf u;
    struct mx_call *c;
    int rc;

    if (m->sync_active)
        return -1;
    url_client(m, &u);
    buf_printf(&u, "/sync?timeout=%ld&set_presence=offline", timeout_ms);
    if (filter) {
        buf_puts(&u, "&filter=");
        mx_url_escape(&u, filter);
    }
    if (since) {
        buf_puts(&u, "&since=");
        mx_url_escape(&u, since);
    }
    c = call_new(W_SYNC, on_sync, (void *)done, arg);
    c->is_sync = 1;
    /* The sync body is parsed by on_sync itself (into structs), so skip
     * the generic parse by marking it raw for successful answers. */
    c->raw = 1;
    /* Never a low-speed limit: no bytes flow while the server waits. A
     * first sync (timeout 0) may take long to build: 10 minutes. */
    rc = mx_start(m, "GET", u.data, NULL, MX_SYNC_MAX,
                  timeout_ms > 0 ? timeout_ms + 30000 : 600000, c, &m->sync_id);
    if (rc == 0)
        m->sync_active = 1;
    buf_release(&u);
    return rc;
}

int matrix_syncing(const struct matrix *m)
{
    return m->sync_active;
}

void matrix_sync_cancel(struct matrix *m)
{
    if (m->sync_active)
        http_cancel(m->http, m->sync_id);
}

