/* bot/http.c -- libcurl multi on libuv, modelled on curl's multi-uv.c
 * with its known bugs fixed (poll errors are passed on as
 * CURL_CSELECT_ERR; finished transfers are drained after every timer run).
 * Owns the easy handles, their buffers and the uv poll/timer handles.
 * Never blocks: no curl_easy_perform, no sleep. */
#include "http.h"
#include "../storage/log.h"
#include "../storage/util.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/ssl.h>

/* libcurl's Debian build links librtmp and libldap, which link GnuTLS;
 * GnuTLS then initialises itself when loaded (its random generator, the
 * system trust store through p11-kit), about 0.8 MB resident that scribe
 * never uses: its TLS is libcurl's OpenSSL. GnuTLS asks the program first
 * through this weak symbol (GNUTLS_SKIP_GLOBAL_INIT in gnutls.h); the
 * Makefile exports it from build/scribe. librtmp and libldap call
 * gnutls_global_init themselves before they use it (rtmp:// and ldap://
 * URLs, which scribe never requests). */
int _gnutls_global_init_skip(void);
int _gnutls_global_init_skip(void)
{
    return 1;
}

/* OpenSSL's error-string tables (about 0.7 MB resident once loaded) are
 * only read to word a failed handshake: OpenSSL is initialised without
 * them before libcurl initialises it (the first initialisation decides;
 * the system configuration is still read). A certificate that does not
 * verify is still reported in words (X509_verify_cert_error_string does
 * not use the tables); a failed handshake is said to be one in words
 * (call_finish), with OpenSSL's error code. */
static void http_tls_init(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

    if (v && v->ssl_version && !strncmp(v->ssl_version, "OpenSSL/", 8))
        OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_SSL_STRINGS |
                         OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, NULL);
}

#define container_of(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct http_sock {
    uv_poll_t poll;
    curl_socket_t fd;
    struct http *h;
    struct http_sock *prev, *next;
};

struct http_call {
    struct http *h;
    CURL *easy;
    uint64_t id;
    struct curl_slist *headers;
    char *body;                 /* copied request body */
    struct buf resp;
    size_t cap;
    int too_big;
    http_done_fn *done;
    void *arg;
    char errbuf[CURL_ERROR_SIZE];
    struct http_call *prev, *next;
};

struct http {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    struct http_call *calls;
    struct http_sock *socks;
    size_t n_calls;
    uint64_t next_id;
    int closing;                /* http_close() ran: no new requests */
    int multi_dying;            /* inside curl_multi_cleanup: no curl calls */
    int open_handles;           /* uv handles not yet closed */
};

static int curl_inited;

/* ---- lifetime of the struct http ------------------------------------ */

static void handle_closed(struct http *h)
{
    if (--h->open_handles == 0 && h->closing)
        free(h);
}

static void on_timer_closed(uv_handle_t *handle)
{
    struct http *h = container_of(handle, struct http, timer);

    handle_closed(h);
}

static void on_sock_closed(uv_handle_t *handle)
{
    struct http_sock *s = container_of((uv_poll_t *)handle, struct http_sock, poll);
    struct http *h = s->h;

    free(s);
    handle_closed(h);
}

static void sock_close(struct http *h, struct http_sock *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        h->socks = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
    /* libuv wants polling stopped before the fd is closed; curl reports
     * REMOVE before closing it, so stop and close the handle now. */
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, on_sock_closed);
}

/* ---- completion ----------------------------------------------------- */

static void call_unlink(struct http *h, struct http_call *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        h->calls = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->n_calls--;
}

static void call_free(struct http_call *c)
{
    if (c->easy)
        curl_easy_cleanup(c->easy);
    curl_slist_free_all(c->headers);
    free(c->body);
    buf_release(&c->resp);
    free(c);
}

static int64_t header_retry_after(CURL *easy)
{
    struct curl_header *hh;

    if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &hh) != CURLHE_OK)
        return -1;
    return http_retry_after_parse(hh->value, (int64_t)time(NULL));
}

/* Finish one call: removed from the multi handle before `done` runs, so
 * the callback may start new requests or cancel others. */
static void call_finish(struct http *h, struct http_call *c, CURLcode result, int cancelled)
{
    struct http_resp r;
    char tls_msg[CURL_ERROR_SIZE + 96];
    long status = 0;

    memset(&r, 0, sizeof(r));
    if (!cancelled)
        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    r.status = status;
    r.curl_code = (int)result;
    r.cancelled = cancelled;
    r.too_big = c->too_big || result == CURLE_FILESIZE_EXCEEDED;
    r.error = result == CURLE_OK ? "" : (c->errbuf[0] ? c->errbuf : curl_easy_strerror(result));
    if (result == CURLE_SSL_CONNECT_ERROR) {
        /* OpenSSL's reason may be a bare code (see http_tls_init). */
        snprintf(tls_msg, sizeof(tls_msg), "TLS handshake failed (does the URL name a TLS"
                 " port?): %s", r.error);
        r.error = tls_msg;
    }
    r.body = c->resp.data;
    r.len = c->resp.len;
    r.retry_after_ms = cancelled ? -1 : header_retry_after(c->easy);
    if (!h->multi_dying)
        curl_multi_remove_handle(h->multi, c->easy);
    call_unlink(h, c);
    c->done(&r, c->arg);
    call_free(c);
}

static void drain(struct http *h)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(h->multi, &left))) {
        CURL *easy;
        CURLcode result;
        struct http_call *c;

        if (msg->msg != CURLMSG_DONE)
            continue;
        /* Copy out before the message is invalidated by removal. */
        easy = msg->easy_handle;
        result = msg->data.result;
        c = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
        if (c)
            call_finish(h, c, result, 0);
    }
}

/* ---- curl callbacks (never re-enter curl from these) ---------------- */

static void on_poll(uv_poll_t *handle, int status, int events)
{
    struct http_sock *s = container_of(handle, struct http_sock, poll);
    struct http *h = s->h;
    int flags = 0, running;

    if (status < 0)
        flags = CURL_CSELECT_ERR;
    else {
        if (events & UV_READABLE)
            flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE)
            flags |= CURL_CSELECT_OUT;
    }
    curl_multi_socket_action(h->multi, s->fd, flags, &running);
    drain(h);
}

static void on_timer(uv_timer_t *t)
{
    struct http *h = container_of(t, struct http, timer);
    int running;

    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    /* Always drain: a transfer can end on a timeout with nothing left running. */
    drain(h);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    struct http *h = userp;

    if (h->closing)
        return 0;
    if (timeout_ms < 0)
        uv_timer_stop(&h->timer);
    else
        uv_timer_start(&h->timer, on_timer, (uint64_t)timeout_ms, 0);
    return 0;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
    struct http *h = userp;
    struct http_sock *s = sockp;
    int events = 0;

    if (what == CURL_POLL_REMOVE) {
        if (s) {
            sock_close(h, s);
            /* curl_multi_cleanup may call us; assigning then is a use-after-free. */
            if (!h->multi_dying)
                curl_multi_assign(h->multi, fd, NULL);
        }
        return 0;
    }
    if (h->multi_dying)
        return 0;
    if (!s) {
        s = xcalloc(1, sizeof(*s));
        s->fd = fd;
        s->h = h;
        if (uv_poll_init_socket(h->loop, &s->poll, fd) < 0) {
            free(s);
            log_warn("http: cannot poll socket %d", (int)fd);
            return -1;
        }
        h->open_handles++;
        s->next = h->socks;
        if (h->socks)
            h->socks->prev = s;
        h->socks = s;
        curl_multi_assign(h->multi, fd, s);
    }
    if (what & CURL_POLL_IN)
        events |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    uv_poll_start(&s->poll, events, on_poll);
    return 0;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct http_call *c = userp;
    size_t n = size * nmemb;

    if (c->resp.len + n > c->cap) {
        c->too_big = 1;
        return 0;               /* a short count aborts the transfer */
    }
    buf_add(&c->resp, data, n);
    return n;
}

/* ---- public API ----------------------------------------------------- */

int http_new(struct http **out, uv_loop_t *loop)
{
    struct http *h;

    if (!curl_inited) {
        http_tls_init();
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return log_err("http: curl_global_init failed");
        curl_inited = 1;
    }
    h = xcalloc(1, sizeof(*h));
    h->loop = loop;
    h->next_id = 1;
    h->multi = curl_multi_init();
    if (!h->multi) {
        free(h);
        return log_err("http: curl_multi_init failed");
    }
    uv_timer_init(loop, &h->timer);
    h->open_handles = 1;
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    /* Never 1 on HTTP/1.1: sends would queue behind the long-poll. */
    curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 6L);
    curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, 8L);
    *out = h;
    return 0;
}

int http_start(struct http *h, const struct http_req *req,
               http_done_fn *done, void *arg, uint64_t *id)
{
    struct http_call *c;
    CURL *e;
    int is_http = !strncmp(req->url, "http://", 7);

    if (h->closing)
        return -1;
    e = curl_easy_init();
    if (!e)
        return log_err("http: curl_easy_init failed");
    c = xcalloc(1, sizeof(*c));
    c->h = h;
    c->easy = e;
    c->id = h->next_id++;
    c->cap = req->max_bytes ? req->max_bytes : HTTP_DEFAULT_MAX;
    c->done = done;
    c->arg = arg;
    buf_init(&c->resp);

    curl_easy_setopt(e, CURLOPT_URL, req->url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)c);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    /* HTTP/2 is left off: one stalled h2 connection stalls every request. */
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "scribe/0.1");
    if (req->max_bytes)
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->cap);
    if (req->follow_redirects) {
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
        /* Never downgrade a TLS request to plain http on a redirect. */
        curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, is_http ? "http,https" : "https");
    }

    if (req->bearer) {
        char *hdr = xasprintf("Authorization: Bearer %s", req->bearer);
        c->headers = curl_slist_append(c->headers, hdr);
        memset(hdr, 0, strlen(hdr));
        free(hdr);
    }
    if (req->body) {
        char *ct = xasprintf("Content-Type: %s",
                             req->content_type ? req->content_type : "application/json");
        c->headers = curl_slist_append(c->headers, ct);
        free(ct);
        /* libcurl adds Expect: 100-continue on big bodies; skip the round trip. */
        c->headers = curl_slist_append(c->headers, "Expect:");
        c->body = xmalloc(req->body_len + 1);
        memcpy(c->body, req->body, req->body_len);
        c->body[req->body_len] = '\0';
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    if (c->headers)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    if (req->method && strcmp(req->method, "GET") && strcmp(req->method, "POST"))
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
    else if (req->method && !strcmp(req->method, "POST") && !req->body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
    }

    c->next = h->calls;
    if (h->calls)
        h->calls->prev = c;
    h->calls = c;
    h->n_calls++;
    if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
        call_unlink(h, c);
        call_free(c);
        return log_err("http: cannot add request");
    }
    if (id)
        *id = c->id;
    return 0;
}

void http_cancel(struct http *h, uint64_t id)
{
    for (struct http_call *c = h->calls; c; c = c->next) {
        if (c->id == id) {
            call_finish(h, c, CURLE_ABORTED_BY_CALLBACK, 1);
            return;
        }
    }
}

size_t http_pending(const struct http *h)
{
    return h->n_calls;
}

void http_close(struct http *h)
{
    if (!h || h->closing)
        return;
    h->closing = 1;
    while (h->calls)
        call_finish(h, h->calls, CURLE_ABORTED_BY_CALLBACK, 1);
    h->multi_dying = 1;
    curl_multi_cleanup(h->multi);
    h->multi = NULL;
    while (h->socks)
        sock_close(h, h->socks);
    uv_timer_stop(&h->timer);
    uv_close((uv_handle_t *)&h->timer, on_timer_closed);
    if (curl_inited) {
        curl_global_cleanup();
        curl_inited = 0;
    }
}

int64_t http_retry_after_parse(const char *value, int64_t now)
{
    const char *p = value;
    int64_t secs = 0;
    time_t when;

    if (!value)
        return -1;
    while (*p == ' ' || *p == '\t')
        p++;
    if (isdigit((unsigned char)*p)) {
        while (isdigit((unsigned char)*p)) {
            if (secs > 86400 * 7)
                return 86400LL * 7 * 1000;
            secs = secs * 10 + (*p++ - '0');
        }
        while (*p == ' ' || *p == '\t')
            p++;
        return *p ? -1 : secs * 1000;
    }
    when = curl_getdate(p, NULL);
    if (when == (time_t)-1)
        return -1;
    return when > now ? ((int64_t)when - now) * 1000 : 0;
}
