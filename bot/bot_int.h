/* bot/bot_int.h -- the bot's private state, shared by its files: rooms
 * (bot_rooms.c), jobs (bot_jobs.c), the sync batch (bot_sync.c) and the
 * session (bot.c). Not for code outside bot/. */
#ifndef SCRIBE_BOT_INT_H
#define SCRIBE_BOT_INT_H

#include "../storage/botstate.h"

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

struct config;
struct http;
struct matrix;
struct mx_err;
struct mx_event;
struct mx_page;
struct mx_power;
struct store;

#define container_of(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define SYNC_TIMEOUT_MS         30000L
#define SYNC_BACKOFF_BASE_MS    1000
#define SYNC_BACKOFF_CAP_MS     120000
#define SEND_BACKOFF_BASE_MS    1000
#define SEND_BACKOFF_CAP_MS     60000
#define SEND_GIVE_UP_MS         (5 * 60 * 1000)
#define SHUTDOWN_GRACE_MS       5000
#define CHUNK_TARGET            16000   /* bytes of body per event */
#define CONTENT_MAX             60000   /* serialized content, below the 64 KiB PDU limit */
#define HANDLED_KEEP_MS         (7LL * 24 * 3600 * 1000)
#define REST_MS                 1000    /* idle this long: checkpoint, malloc_trim */
#define WAL_CAP_PAGES           4000    /* ~16 MB of log: checkpoint even when busy */

struct room {
    char *room_id;
    struct mx_power *power;     /* NULL: no power-levels event seen */
    char **creators;            /* m.room.create sender + additional_creators */
    size_t n_creators;
    int creators_infinite;      /* room v12+: creators outrank everyone */
    int64_t members;
    int direct;
    int encrypted;
    int named;                  /* has an m.room.name: a group room, not a chat */
    int dirty;                  /* to be saved with this batch */
    struct room *next;
};

enum step {
    ST_EYES, ST_TYPING_ON, ST_DOWNLOAD, ST_COMPUTE, ST_CHECK, ST_TYPING_OFF,
    ST_SEND, ST_JOIN, ST_NOTICE, ST_LEAVE, ST_BACKFILL, ST_DONE
};

struct chunk {
    char *text;
    char *html;                 /* NULL: plain body only */
    char tag[64];               /* txn tag: r0, r1, r1.0 ... */
};

struct job {
    struct botstate_job j;
    struct bot *b;
    struct job *next;
    uv_timer_t timer;
    const enum step *prog;
    int pc;
    int started;
    int inflight;               /* an HTTP request of this job is pending */
    int waiting;                /* its retry timer is armed */
    int attempt;
    int64_t fail_since_ms;
    uint64_t t_parsed;          /* uv_hrtime() when its sync batch was parsed; 0 if loaded */
    int too_big;                /* file refused (size) before or while downloading */
    int download_failed;
    char *data;                 /* downloaded file */
    size_t len;
    struct chunk *chunks;
    size_t n_chunks, cur;
    struct ingest_work *work;   /* its record is being read in the thread pool */
    int wants_worker;           /* waits for the record before it to be read */
    int pages;                  /* backfill: pages read back so far */
};

enum phase { PH_VERSIONS, PH_AUTH, PH_FILTER, PH_RUN };

struct bot {
    const struct config *cfg;
    struct store *st;
    uv_loop_t loop;
    struct http *http;
    struct matrix *mx;
    uv_signal_t sigint, sigterm;
    uv_timer_t retry;           /* start-up steps and sync back-off */
    uv_timer_t grace;           /* shutdown deadline */
    uv_timer_t rest;            /* no work for REST_MS: memory back to the system */
    enum phase phase;
    int retry_attempt;
    int stopping;
    int finished;
    int exit_code;
    int relogin;                /* a login to replace a rejected token is in flight */
    int sync_wants_auth;        /* resume the sync after that login */
    int first_sync;             /* the next sync uses timeout=0 */
    int initial;                /* no stored token: answer nothing from history */
    char *since;
    char *filter;               /* filter id, or inline JSON when creation failed */
    char *display_name;
    int64_t started_ms;
    int64_t pruned_ms;          /* last time old handled ids were dropped */
    struct room *rooms;
    struct job *jobs;           /* FIFO */
    struct ingest_work *ingesting;  /* the record being read off the loop */
    int sync_after_ingest;      /* a batch could not be stored meanwhile: fetch it again */
    struct tidy_work *tidying;  /* the full-text indexes being merged off the loop */
    int tidy_left;              /* segments to merge (a record stored, or merging
                                 * stopped short): done at the next rest */
};

/* ---- bot.c: the session ---- */
int64_t bot_now_ms(void);
uint64_t bot_backoff_ms(int attempt, uint64_t base, uint64_t cap);
void bot_stop(struct bot *b, int code);
void bot_finish(struct bot *b);
void bot_phase_run(struct bot *b);
void bot_auth_lost(struct bot *b);
/* Work just ended (the job queue emptied, a record was read, the first
 * sync was stored): once nothing else happens for REST_MS, free memory is
 * handed back to the system, off every reply's path. */
void bot_rest_soon(struct bot *b);

/* ---- bot_rooms.c: what scribe knows of each room ---- */
struct room *bot_room_find(struct bot *b, const char *room_id);
struct room *bot_room_get(struct bot *b, const char *room_id);
void bot_room_free(struct room *r);
void bot_room_forget(struct bot *b, const char *room_id);
int bot_room_is_admin(const struct bot *b, const struct room *r, const char *user);
int bot_room_apply(struct bot *b, struct room *r, const struct mx_event *ev);
int bot_room_save(struct bot *b, struct room *r);
void bot_rooms_load(struct bot *b);

/* ---- bot_jobs.c: persisted work, run step by step ---- */
struct job *bot_job_new(struct bot *b, const struct botstate_job *src);
void bot_job_append(struct bot *b, struct job *jb);
void bot_job_close(struct job *jb);
int bot_jobs_inflight(const struct bot *b);
void bot_check_drained(struct bot *b);
void bot_pump(struct bot *b);

void bot_job_run(struct job *jb);

/* ---- bot_compute.c: answer a question or read a record ---- */
#define OUTCOME_STORED      0
#define OUTCOME_DUPLICATE   1
#define OUTCOME_OTHER       2
/* The job's compute step: the reply is in jb->j.reply_text (and stored)
 * and 0 is returned, or 1 when a record is being read in the thread pool,
 * which advances the job and calls bot_job_run() when it is done. */
int bot_compute(struct job *jb);
/* The job is being closed while its record is read: let the read finish
 * on its own. */
void bot_compute_detach(struct job *jb);
/* The thread pool's slot is free again (a record was read, or the indexes
 * merged): start the record waiting for it, then any deferred sync. */
void bot_worker_free(struct bot *b);

/* ---- bot_tidy.c: the store's upkeep off the loop ---- */
/* Merge the full-text indexes in the thread pool when no record is being
 * read (and nothing is merging already): at start-up, and at rest after
 * records were stored; a record waits for it. */
void bot_tidy_start(struct bot *b);
/* Ask the merge under way to stop after its current step (a question or
 * a record came in, or the bot stops); tidy_left says it did not finish. */
void bot_tidy_yield(struct bot *b);

/* ---- bot_sync.c: sync responses into jobs ---- */
void bot_sync_start(struct bot *b);
/* A page of a room's history read back for the backfill job `bf`: its
 * messages become jobs queued right after `bf`, in one transaction with
 * the job's next token. *more: another page is wanted. 0 or -1. */
int bot_sync_backfill(struct bot *b, struct job *bf, const struct mx_page *p, int *more);
/* Run the start-up phase again, or the sync, after `delay` ms;
 * bot_retry_backoff picks the delay from the error (429) or the attempt. */
void bot_retry_later(struct bot *b, uint64_t delay);
void bot_retry_backoff(struct bot *b, const char *what, const struct mx_err *e);

#endif
