/* storage/botstate.h -- what the chat bot must remember across restarts:
 * the sync token and credentials (key/value), the ids of handled events,
 * per-room facts (power levels, member count, direct chat, encryption) and
 * the pending replies (jobs). Plain SQL and C types; nothing here knows
 * Matrix, JSON or the network. The caller groups writes in store_begin()/
 * store_commit() so one sync batch is one transaction. */
#ifndef SCRIBE_BOTSTATE_H
#define SCRIBE_BOTSTATE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* Create the bot's tables when missing. 0 or -1. */
int botstate_init(struct store *st);

/* The database file's path, for a second connection that reads a record
 * off the event loop; "" for an in-memory or temporary database. Borrowed. */
const char *botstate_db_path(struct store *st);

/* How long this connection's writes wait for another connection's write
 * transaction before failing as busy (the store's default is 5000 ms). */
void botstate_busy_timeout(struct store *st, int ms);

/* Copy the write-ahead log back into the database without waiting for
 * readers (a passive checkpoint). When all of it went back, the log is
 * started over at once with a small write (key "rested_at"), so that the
 * sync SQLite makes when a log starts over is not paid by the next
 * question's write. 0 or -1. */
int botstate_checkpoint(struct store *st);
/* Frees the page cache pages no statement holds (at rest: the next question
 * reads them again from the file, which the OS most likely still caches). */
void botstate_release_memory(struct store *st);
/* SQLite's own checkpoint runs when the log passes `pages` pages. */
void botstate_wal_cap(struct store *st, int pages);

/* Key/value: returns a copy (free with free()) or NULL when unset. */
char *botstate_get_dup(struct store *st, const char *key);
int botstate_set(struct store *st, const char *key, const char *value);   /* NULL deletes */

/* Where a record was first posted, by the SHA-256 of its bytes, so that a
 * second posting can link to the first. put: 0 or -1 (an existing entry is
 * kept). get: 0 with both ids (free with free()), 1 when unknown, or -1. */
int botstate_post_put(struct store *st, const char *sha256, const char *room_id,
                      const char *event_id);
int botstate_post_get(struct store *st, const char *sha256, char **room_id, char **event_id);

/* Remember an event id. Returns 1 when it is new, 0 when it was already
 * handled, -1 on error. */
int botstate_mark_handled(struct store *st, const char *event_id, int64_t now_ms);
/* Forget handled ids older than `before_ms`. 0 or -1. */
int botstate_prune_handled(struct store *st, int64_t before_ms);

/* Per-room facts. `power` is "user\tlevel\n" lines, `creators` one user
 * id per line; both may be NULL. */
struct botstate_room {
    char *room_id;
    int has_power;              /* an m.room.power_levels event was seen */
    int64_t users_default;
    char *power;
    char *creators;
    int64_t members;            /* joined members, -1 unknown */
    int direct;                 /* a direct chat (is_direct invite or m.direct) */
    int named;                  /* has an m.room.name */
    int encrypted;
};

int botstate_room_put(struct store *st, const struct botstate_room *r);
int botstate_room_delete(struct store *st, const char *room_id);
/* Load every room; *out is an array freed with botstate_rooms_free(). */
int botstate_rooms_load(struct store *st, struct botstate_room **out, size_t *n);
void botstate_room_release(struct botstate_room *r);
void botstate_rooms_free(struct botstate_room *rooms, size_t n);

/* A pending piece of work caused by one event. */
enum botstate_job_kind {
    BOTSTATE_ANSWER = 1,        /* text: the question (addressing stripped) */
    BOTSTATE_INGEST_TEXT,       /* text: the pasted record */
    BOTSTATE_INGEST_FILE,       /* url, filename, size */
    BOTSTATE_JOIN,              /* accept an invite (text: via server) */
    BOTSTATE_REJECT,            /* reject an invite (leave) */
    BOTSTATE_DECLINE,           /* encrypted room: one notice, then leave */
    BOTSTATE_BACKFILL           /* a gap in a room's timeline: text: where to read back from */
};

struct botstate_job {
    int64_t id;                 /* set by botstate_job_add */
    int kind;
    char *room_id;
    char *event_id;             /* trigger; for room jobs a stable key */
    char *sender;
    char *text;
    char *thread_root;          /* reply in this thread, or NULL */
    char *url;
    char *filename;
    int64_t size;               /* -1 unknown */
    int is_admin;
    int64_t created_ms;         /* event time (origin_server_ts) */
    /* Filled once the answer is computed, so a restart resends the same
     * text under the same txn ids instead of recomputing. */
    char *reply_text;
    char *reply_html;
    int outcome;                /* -1 not computed; else the command's result */
};

/* Add a job (copied); sets job->id. 0 or -1. */
int botstate_job_add(struct store *st, struct botstate_job *job);
int botstate_job_set_reply(struct store *st, int64_t id, const char *text,
                           const char *html, int outcome);
int botstate_job_delete(struct store *st, int64_t id);
/* Replace a job's text (a backfill's next token). 0 or -1. */
int botstate_job_set_text(struct store *st, int64_t id, const char *text);
/* Load every pending job, oldest first. */
int botstate_jobs_load(struct store *st, struct botstate_job **out, size_t *n);
void botstate_job_release(struct botstate_job *job);
void botstate_jobs_free(struct botstate_job *jobs, size_t n);

#endif
