/* bot/matrix.h -- the Matrix Client-Server API as scribe uses it: login,
 * whoami, filters, long-poll /sync parsed into plain structs, sending
 * notices and reactions, typing, join/leave, media download. JSON stays
 * inside matrix.c: callers see plain C types only. Knows nothing of
 * commands, the store or scribe's policies (bot.c owns those). */
#ifndef SCRIBE_MATRIX_H
#define SCRIBE_MATRIX_H

#include <stddef.h>
#include <stdint.h>

#include "../storage/util.h"

struct http;
struct matrix;

/* ---- results -------------------------------------------------------- */

enum mx_kind {
    MX_OK = 0,
    MX_RETRY,           /* network error, 5xx: back off and retry */
    MX_RATE,            /* 429: retry after retry_after_ms, same txn id */
    MX_AUTH,            /* 401 M_UNKNOWN_TOKEN / M_MISSING_TOKEN: log in again */
    MX_TOO_LARGE,       /* 413 on send; over the cap on download */
    MX_FAIL,            /* other 4xx, bad JSON, TLS verification: do not retry */
    MX_CANCELLED        /* shut down while in flight */
};

struct mx_err {
    enum mx_kind kind;
    long status;            /* HTTP status, 0 when none */
    char errcode[48];       /* "M_FORBIDDEN", ... or "" */
    char error[200];        /* server's or curl's message, for logs */
    int64_t retry_after_ms; /* MX_RATE: how long to wait; else -1 */
};

typedef void mx_done_fn(const struct mx_err *e, void *arg);
/* `str` is the interesting string of the answer (filter id, room id,
 * event id, user id), borrowed for the callback; NULL unless MX_OK. */
typedef void mx_str_fn(const struct mx_err *e, const char *str, void *arg);
typedef void mx_data_fn(const struct mx_err *e, const char *data, size_t len, void *arg);

/* ---- parsed /sync --------------------------------------------------- */

struct mx_power {
    int64_t users_default;
    size_t n;
    char **users;
    int64_t *levels;
};

struct mx_event {
    char *event_id;         /* NULL in stripped invite state */
    char *sender;
    char *type;
    char *state_key;        /* NULL: not a state event */
    int64_t ts;             /* origin_server_ts in ms, 0 when absent */
    int redacted;           /* unsigned.redacted_because present */
    /* m.room.message */
    char *msgtype;
    char *body;             /* also the name of an m.room.name */
    char *formatted_body;   /* only with format org.matrix.custom.html */
    char *filename;
    char *url;              /* mxc:// */
    char *mimetype;
    int64_t size;           /* info.size, -1 unknown */
    int encrypted_file;     /* content.file (encrypted attachment) */
    char *rel_type;         /* m.relates_to.rel_type */
    char *rel_event_id;     /* m.relates_to.event_id */
    char *reply_to;         /* m.relates_to.m.in_reply_to.event_id */
    int has_mentions;       /* m.mentions present */
    char **mentions;        /* m.mentions.user_ids */
    size_t n_mentions;
    /* m.room.member */
    char *membership;
    int is_direct;
    /* m.room.power_levels */
    struct mx_power *power;
    /* m.room.create */
    char *room_version;
    char **creators;        /* additional_creators */
    size_t n_creators;
};

enum mx_membership { MX_JOINED = 1, MX_INVITED, MX_LEFT };

struct mx_room {
    char *room_id;
    enum mx_membership membership;
    int limited;
    int64_t joined_count;   /* summary m.joined_member_count, -1 when absent */
    struct mx_event *state; /* state, or invite_state for invites */
    size_t n_state;
    struct mx_event *timeline;
    size_t n_timeline;
    char *prev_batch;       /* timeline.prev_batch: where a gap ends, or NULL */
};

struct mx_sync {
    char *next_batch;
    struct mx_room *rooms;
    size_t n_rooms;
    int has_direct;         /* m.direct account data was present */
    char **direct;          /* its room ids */
    size_t n_direct;
};

/* Parse a /sync response. Events lacking required fields are dropped;
 * the whole response fails (-1) only when it is not JSON or has no
 * next_batch. Free with mx_sync_release() on success and failure. */
int mx_sync_parse(const char *json, size_t len, struct mx_sync *out);
void mx_sync_release(struct mx_sync *s);

/* Level of `user` under `pl`: users[user], else users_default. */
int64_t mx_power_level(const struct mx_power *pl, const char *user);
void mx_power_free(struct mx_power *pl);
struct mx_power *mx_power_dup(const struct mx_power *pl);

/* ---- outgoing content ------------------------------------------------ */

struct mx_notice {
    const char *msgtype;        /* default "m.notice" */
    const char *body;
    size_t body_len;
    const char *html;           /* formatted_body or NULL */
    size_t html_len;
    const char *reply_to;       /* m.in_reply_to event, or NULL */
    const char *thread_root;    /* m.thread root, or NULL */
    const char **mentions;      /* user ids for m.mentions (always present) */
    size_t n_mentions;
};

/* Serialized event content; free with free(). */
char *mx_notice_json_dup(const struct mx_notice *n);
char *mx_reaction_json_dup(const char *event_id, const char *key);

/* The filter scribe syncs with (JSON text, static). */
extern const char MATRIX_FILTER_JSON[];

/* The transaction id of a reply or reaction: derived from the triggering
 * event id and a tag ("r0", "r1", "eyes"...), so a retried send is never
 * doubled. Writes at most `len` bytes including the NUL. */
void mx_txn_id(char *out, size_t len, const char *event_id, const char *tag);

/* Append `s` percent-encoded as one URL path segment or query value. */
void mx_url_escape(struct buf *b, const char *s);

/* Split `text` (len bytes) into pieces of at most `max` bytes, preferring
 * paragraph breaks, then line breaks, then spaces, never inside a UTF-8
 * code point. Stores the end offset of each piece in `ends` (up to
 * `max_pieces`) and returns the number of pieces. Separators at a cut are
 * left at the end of the earlier piece. */
size_t mx_split(const char *text, size_t len, size_t max, size_t *ends, size_t max_pieces);

/* Split HTML the same way, but only where no element is open (so every
 * piece is well-formed). Same contract as mx_split(); returns 0 when no
 * such split exists. */
size_t mx_split_html(const char *html, size_t len, size_t max, size_t *ends, size_t max_pieces);

/* ---- the client ----------------------------------------------------- */

/* `base` is the homeserver URL without trailing slash. */
struct matrix *matrix_new(struct http *http, const char *base);
void matrix_free(struct matrix *m);             /* NULL is a no-op */

/* Credentials: set (copied) or read (borrowed; NULL when unknown). */
void matrix_set_auth(struct matrix *m, const char *token, const char *user_id,
                     const char *device_id);
const char *matrix_token(const struct matrix *m);
const char *matrix_user_id(const struct matrix *m);
const char *matrix_device_id(const struct matrix *m);
int matrix_authed_media(const struct matrix *m);

/* Every call below returns 0 and later calls its callback exactly once,
 * or returns -1 and never calls it. */

/* GET /_matrix/client/versions: learns whether authenticated media exists. */
int matrix_versions(struct matrix *m, mx_done_fn *done, void *arg);
/* POST /login with a password, keeping `device_id`; on success the new
 * token, user id and device id are set on `m`. */
int matrix_login(struct matrix *m, const char *user, const char *password,
                 const char *device_id, mx_done_fn *done, void *arg);
/* GET /account/whoami; on success sets user id (and device id) on `m`. */
int matrix_whoami(struct matrix *m, mx_str_fn *done, void *arg);
/* POST /user/{me}/filter; str is the filter id. */
int matrix_filter(struct matrix *m, const char *filter_json, mx_str_fn *done, void *arg);

/* One page of a room's history (GET /messages, newest first). */
struct mx_page {
    struct mx_event *events;
    size_t n;
    char *end;              /* token for the next (older) page, or NULL at the start */
};
typedef void mx_page_fn(const struct mx_err *e, const struct mx_page *p, void *arg);
/* GET /rooms/{id}/messages?dir=b from `from`: up to `limit` messages
 * (m.room.message only), newest first. `p` is borrowed for the callback
 * (NULL unless MX_OK). 0, or -1 when the request could not start. */
int matrix_messages(struct matrix *m, const char *room_id, const char *from, int limit,
                    mx_page_fn *done, void *arg);

typedef void mx_sync_fn(const struct mx_err *e, struct mx_sync *s, void *arg);
/* GET /sync. `filter` is an id or inline JSON; `since` may be NULL.
 * `s` is borrowed for the callback (NULL unless MX_OK). A response that
 * does not parse is MX_RETRY: the token is never advanced blindly. */
int matrix_sync(struct matrix *m, const char *filter, const char *since,
                long timeout_ms, mx_sync_fn *done, void *arg);
/* 1 while a sync request is in flight. */
int matrix_syncing(const struct matrix *m);
/* Abort the sync in flight (its callback runs with MX_CANCELLED). */
void matrix_sync_cancel(struct matrix *m);

/* PUT /rooms/{room}/send/{type}/{txn} with `content_json`; str is the event id. */
int matrix_send(struct matrix *m, const char *room, const char *type, const char *txn,
                const char *content_json, mx_str_fn *done, void *arg);
/* POST /join/{room_or_alias}[?via=server]; str is the room id. */
int matrix_join(struct matrix *m, const char *room, const char *via, mx_str_fn *done, void *arg);
/* POST /rooms/{room}/leave (also rejects an invite). */
int matrix_leave(struct matrix *m, const char *room, mx_done_fn *done, void *arg);
/* PUT /rooms/{room}/typing/{me}. */
int matrix_typing(struct matrix *m, const char *room, int typing, mx_done_fn *done, void *arg);
/* 1 when `mxc` has the form mxc://server/id, else 0 (NULL too). */
int matrix_mxc_ok(const char *mxc);
/* Download mxc://server/id, at most `cap` bytes (over: MX_TOO_LARGE).
 * Returns -1 at once for a URL that matrix_mxc_ok() refuses. */
int matrix_download(struct matrix *m, const char *mxc, size_t cap, mx_data_fn *done, void *arg);
/* GET /profile/{me}/displayname; str is the name (may be NULL on MX_OK). */
int matrix_displayname(struct matrix *m, mx_str_fn *done, void *arg);

#endif
