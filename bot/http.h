/* bot/http.h -- asynchronous HTTP on the event loop: one libcurl multi
 * handle driven by libuv (socket callback -> uv_poll_t, timer callback ->
 * uv_timer_t). Every request has a timeout and a capped response buffer.
 * Knows HTTP, not Matrix: no JSON here. */
#ifndef SCRIBE_HTTP_H
#define SCRIBE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct http;

/* A request; http_start() copies everything it keeps. */
struct http_req {
    const char *method;         /* "GET" (NULL), "POST", "PUT" */
    const char *url;
    const char *bearer;         /* sent as "Authorization: Bearer ..."; never logged */
    const char *body;           /* request body or NULL */
    size_t body_len;
    const char *content_type;   /* default "application/json" when body is set */
    size_t max_bytes;           /* response cap; 0 = HTTP_DEFAULT_MAX */
    long timeout_ms;            /* whole request; 0 = HTTP_DEFAULT_TIMEOUT_MS */
    int follow_redirects;       /* media only: the server may answer 307/308 to a CDN */
};

#define HTTP_DEFAULT_MAX        (1u << 20)
#define HTTP_DEFAULT_TIMEOUT_MS 60000L

/* The outcome of a request, borrowed for the duration of the callback. */
struct http_resp {
    long status;                /* HTTP status, 0 when no response arrived */
    int curl_code;              /* CURLcode, 0 on success */
    const char *error;          /* curl's message when curl_code != 0, else "" */
    int too_big;                /* the body went over max_bytes (transfer aborted) */
    int cancelled;              /* http_cancel() or http_close() ended it */
    const char *body;           /* NUL-terminated; len bytes (may contain NULs) */
    size_t len;
    int64_t retry_after_ms;     /* from a Retry-After header, -1 when absent */
};

typedef void http_done_fn(const struct http_resp *resp, void *arg);

/* Create the client on `loop`. Returns 0, or -1 (logged). */
int http_new(struct http **out, uv_loop_t *loop);

/* Start a request. Returns 0 and later calls `done` exactly once from the
 * loop (never from inside http_start), or returns -1 and never calls it.
 * `*id` (when not NULL) receives an id for http_cancel(). */
int http_start(struct http *h, const struct http_req *req,
               http_done_fn *done, void *arg, uint64_t *id);

/* Abort one request: its `done` runs before this returns, with
 * resp->cancelled set. Unknown or finished ids are ignored. Must not be
 * called from inside a `done` callback of the same request. */
void http_cancel(struct http *h, uint64_t id);

/* Number of requests in flight. */
size_t http_pending(const struct http *h);

/* Abort every request (each `done` runs with resp->cancelled set), then
 * release curl and close the uv handles. `h` is freed by the loop once
 * its handles are closed: keep running the loop until it has no handles.
 * http_close(NULL) is a no-op. */
void http_close(struct http *h);

/* Parse a Retry-After value (delta seconds or an HTTP date) into
 * milliseconds from `now` (unix seconds). -1 when unparseable. */
int64_t http_retry_after_parse(const char *value, int64_t now);

#endif
