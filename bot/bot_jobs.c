/* bot/bot_jobs.c -- a job is the persisted work one event causes (answer,
 * read a record, join, decline); each runs as a small program of steps
 * (reaction, typing, download, compute, send) with retries. Replies in a
 * room leave in order; rooms proceed in parallel. */
#include "bot_int.h"
#include "bot.h"
#include "config.h"
#include "log.h"
#include "matrix.h"
#include "../storage/botstate.h"
#include "../storage/store.h"
#include "../storage/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../commands/commands.h"
#include "../storage/record.h"

static const enum step prog_answer[] = { ST_COMPUTE, ST_SEND, ST_DONE };
static const enum step prog_text[] = { ST_EYES, ST_TYPING_ON, ST_COMPUTE, ST_CHECK,
                                       ST_TYPING_OFF, ST_SEND, ST_DONE };
static const enum step prog_file[] = { ST_EYES, ST_TYPING_ON, ST_DOWNLOAD, ST_COMPUTE,
                                       ST_CHECK, ST_TYPING_OFF, ST_SEND, ST_DONE };
static const enum step prog_join[] = { ST_JOIN, ST_DONE };
static const enum step prog_reject[] = { ST_LEAVE, ST_DONE };
static const enum step prog_decline[] = { ST_JOIN, ST_NOTICE, ST_LEAVE, ST_DONE };
static const enum step prog_backfill[] = { ST_BACKFILL, ST_DONE };

#define BACKFILL_PAGE       50      /* messages per page read back */
#define BACKFILL_MAX_PAGES  20      /* then the rest of a gap is let go */

#define OUTCOME_STORED      0
#define OUTCOME_DUPLICATE   1
#define OUTCOME_OTHER       2

/* A record being read in the thread pool (see ingest_start). */
struct ingest_work {
    uv_work_t req;
    struct bot *b;
    struct job *jb;             /* NULL once the job was closed (shutdown) */
    char *path;
    char *data;
    size_t len;
    char *name, *user, *room;
    int is_admin;
    int64_t now;
    size_t max_record_bytes;
    int auto_recap;
    /* results */
    int opened;
    int rc;
    char *text, *html;
    char sha[65];               /* of the record's bytes */
};

static void job_run(struct job *jb);

static void chunks_free(struct job *jb)
{
    for (size_t i = 0; i < jb->n_chunks; i++) {
        free(jb->chunks[i].text);
        free(jb->chunks[i].html);
    }
    free(jb->chunks);
    jb->chunks = NULL;
    jb->n_chunks = jb->cur = 0;
}

static void on_job_closed(uv_handle_t *h)
{
    struct job *jb = container_of((uv_timer_t *)h, struct job, timer);

    botstate_job_release(&jb->j);
    chunks_free(jb);
    free(jb->data);
    free(jb);
}

static void job_unlink(struct bot *b, struct job *jb)
{
    for (struct job **pp = &b->jobs; *pp; pp = &(*pp)->next) {
        if (*pp == jb) {
            *pp = jb->next;
            return;
        }
    }
}

void bot_job_close(struct job *jb)
{
    if (jb->work)
        jb->work->jb = NULL;    /* the record being read finishes on its own */
    uv_timer_stop(&jb->timer);
    uv_close((uv_handle_t *)&jb->timer, on_job_closed);
}

struct job *bot_job_new(struct bot *b, const struct botstate_job *src)
{
    struct job *jb = xcalloc(1, sizeof(*jb));

    jb->b = b;
    jb->j = *src;
    jb->j.room_id = xstrdup(src->room_id);
    jb->j.event_id = xstrdup(src->event_id);
    jb->j.sender = xstrdup(src->sender);
    jb->j.text = xstrdup(src->text);
    jb->j.thread_root = xstrdup(src->thread_root);
    jb->j.url = xstrdup(src->url);
    jb->j.filename = xstrdup(src->filename);
    jb->j.reply_text = xstrdup(src->reply_text);
    jb->j.reply_html = xstrdup(src->reply_html);
    switch (src->kind) {
    case BOTSTATE_ANSWER:       jb->prog = prog_answer; break;
    case BOTSTATE_INGEST_TEXT:  jb->prog = prog_text; break;
    case BOTSTATE_INGEST_FILE:  jb->prog = prog_file; break;
    case BOTSTATE_JOIN:         jb->prog = prog_join; break;
    case BOTSTATE_REJECT:       jb->prog = prog_reject; break;
    case BOTSTATE_BACKFILL:     jb->prog = prog_backfill; break;
    default:                    jb->prog = prog_decline; break;
    }
    /* A reply computed before a restart is resent as it was. */
    if (jb->j.reply_text)
        while (jb->prog[jb->pc] != ST_DONE && jb->prog[jb->pc] != ST_CHECK &&
               jb->prog[jb->pc] != ST_SEND)
            jb->pc++;
    uv_timer_init(&b->loop, &jb->timer);
    return jb;
}

void bot_job_append(struct bot *b, struct job *jb)
{
    struct job **pp = &b->jobs;

    while (*pp)
        pp = &(*pp)->next;
    *pp = jb;
}

int bot_jobs_inflight(const struct bot *b)
{
    for (const struct job *jb = b->jobs; jb; jb = jb->next)
        if (jb->inflight || jb->work)
            return 1;
    return 0;
}


/* While stopping: once no reply is on the wire, close down. */
void bot_check_drained(struct bot *b)
{
    if (b->stopping && !b->finished && !bot_jobs_inflight(b))
        bot_finish(b);
}

static void job_done(struct job *jb)
{
    struct bot *b = jb->b;

    if (botstate_job_delete(b->st, jb->j.id) < 0)
        log_warn("cannot delete finished job for event '%s'", jb->j.event_id);
    job_unlink(b, jb);
    bot_job_close(jb);
    if (b->stopping)
        bot_check_drained(b);
    else
        bot_pump(b);
}

/* Start every job whose room has no earlier job pending: replies in a room
 * leave in order, rooms proceed in parallel. */
void bot_pump(struct bot *b)
{
    if (b->stopping || b->phase != PH_RUN)
        return;
    for (struct job *jb = b->jobs; jb; jb = jb->next) {
        int blocked = 0;

        if (jb->started)
            continue;
        for (struct job *o = b->jobs; o != jb; o = o->next)
            if (!strcmp(o->j.room_id, jb->j.room_id))
                blocked = 1;
        if (blocked)
            continue;
        jb->started = 1;
        job_run(jb);
        /* job_run may have finished and freed jobs: restart the scan. */
        bot_pump(b);
        return;
    }
}

static void on_job_timer(uv_timer_t *t)
{
    struct job *jb = container_of(t, struct job, timer);

    jb->waiting = 0;
    if (!jb->b->stopping)
        job_run(jb);
}

static void job_retry(struct job *jb, uint64_t delay)
{
    if (jb->b->stopping) {
        bot_check_drained(jb->b);
        return;
    }
    jb->waiting = 1;
    uv_timer_start(&jb->timer, on_job_timer, delay, 0);
}

/* Move past the current operation. */
static void job_advance(struct job *jb)
{
    jb->attempt = 0;
    jb->fail_since_ms = 0;
    if (jb->prog[jb->pc] == ST_SEND)
        jb->cur++;
    else
        jb->pc++;
}

/* Common handling of an operation's outcome. Returns 1 when the caller
 * should treat it as success (advance), 0 when a retry was scheduled or
 * the job was left for the next start. Failures are logged and skipped. */
static int job_outcome(struct job *jb, const struct mx_err *e, const char *what)
{
    struct bot *b = jb->b;
    int64_t now = bot_now_ms();

    jb->inflight = 0;
    switch (e->kind) {
    case MX_OK:
        return 1;
    case MX_CANCELLED:
        return 0;
    case MX_RATE:
        log_info("%s in '%s': rate limited, retrying in %lld ms", what, jb->j.room_id,
                 (long long)e->retry_after_ms);
        job_retry(jb, (uint64_t)e->retry_after_ms);
        return 0;
    case MX_AUTH:
        /* Retried like a network error once the new token is there. */
        bot_auth_lost(b);
        __attribute__((fallthrough));
    case MX_RETRY:
        if (!jb->fail_since_ms)
            jb->fail_since_ms = now;
        if (now - jb->fail_since_ms > SEND_GIVE_UP_MS) {
            log_warn("%s in '%s' for '%s': giving up after %d attempts: %s", what,
                     jb->j.room_id, jb->j.event_id, jb->attempt + 1, e->error);
            return -1;
        }
        log_info("%s in '%s': %s, retrying", what, jb->j.room_id, e->error);
        job_retry(jb, bot_backoff_ms(jb->attempt++, SEND_BACKOFF_BASE_MS, SEND_BACKOFF_CAP_MS));
        return 0;
    default:
        if (!strcmp(e->errcode, "M_DUPLICATE_ANNOTATION"))
            return 1;           /* the reaction is already there */
        log_warn("%s in '%s' for '%s' failed: %s%s%s", what, jb->j.room_id, jb->j.event_id,
                 e->errcode, e->errcode[0] ? " " : "", e->error);
        return -1;
    }
}

static void on_job_done(const struct mx_err *e, void *arg);
static void on_job_str(const struct mx_err *e, const char *s, void *arg)
{
    on_job_done(e, arg);
}

static void on_job_done(const struct mx_err *e, void *arg)
{
    struct job *jb = arg;
    enum step st = jb->prog[jb->pc];
    int rc = job_outcome(jb, e, st == ST_SEND ? "reply" : st == ST_JOIN ? "join" :
                                st == ST_LEAVE ? "leave" : st == ST_NOTICE ? "notice" : "reaction");

    if (rc == 0) {
        if (jb->b->stopping)
            bot_check_drained(jb->b);
        return;
    }
    if (rc < 0 && st == ST_JOIN) {
        jb->pc = 0;
        while (jb->prog[jb->pc] != ST_DONE)
            jb->pc++;           /* a room we cannot join: nothing more to do */
    } else if (rc < 0 && st == ST_SEND && e->kind == MX_TOO_LARGE) {
        /* Split this chunk further and send the pieces in its place. */
        struct chunk c = jb->chunks[jb->cur];
        size_t target = strlen(c.text) / 2, ends[64], n, start = 0, k;

        n = mx_split(c.text, strlen(c.text), target > 500 ? target : 500, ends, 64);
        if (n > 1) {
            jb->chunks = xrealloc(jb->chunks, sizeof(*jb->chunks) * (jb->n_chunks + n - 1));
            memmove(&jb->chunks[jb->cur + n], &jb->chunks[jb->cur + 1],
                    sizeof(*jb->chunks) * (jb->n_chunks - jb->cur - 1));
            for (k = 0; k < n; k++) {
                struct chunk *nc = &jb->chunks[jb->cur + k];
                nc->text = xstrndup(c.text + start, ends[k] - start);
                nc->html = NULL;
                snprintf(nc->tag, sizeof(nc->tag), "%.40s.%zu", c.tag, k);
                start = ends[k];
            }
            jb->n_chunks += n - 1;
            free(c.text);
            free(c.html);
            log_info("reply in '%s' too large: split into %zu events", jb->j.room_id, n);
            job_run(jb);
            return;
        }
        job_advance(jb);
    } else {
        job_advance(jb);
    }
    if (jb->b->stopping && jb->prog[jb->pc] != ST_SEND && jb->prog[jb->pc] != ST_DONE) {
        bot_check_drained(jb->b);
        return;
    }
    job_run(jb);
}

static void on_fire_forget(const struct mx_err *e, void *arg)
{
}

static void split_reply(struct job *jb)
{
    const char *text = jb->j.reply_text, *html = jb->j.reply_html;
    size_t tl = strlen(text), hl = html ? strlen(html) : 0;
    size_t cap = tl / (CHUNK_TARGET / 2) + 2, *te = xcalloc(cap, sizeof(size_t));
    size_t *he = NULL, nt, nh = 0, ts = 0, hs = 0;

    nt = mx_split(text, tl, CHUNK_TARGET, te, cap);
    if (html && nt > 1) {
        /* Cut the HTML into as many well-formed pieces, if it can be. */
        size_t hcap = nt + 1, hmax = hl / nt + hl / (4 * nt) + 1;
        he = xcalloc(hcap, sizeof(size_t));
        for (int tries = 0; tries < 4 && nh != nt; tries++, hmax += hl / (4 * nt) + 1)
            nh = mx_split_html(html, hl, hmax, he, hcap);
    }
    jb->chunks = xcalloc(nt, sizeof(*jb->chunks));
    jb->n_chunks = nt;
    for (size_t i = 0; i < nt; i++) {
        struct chunk *c = &jb->chunks[i];
        c->text = xstrndup(text + ts, te[i] - ts);
        ts = te[i];
        if (html && nt == 1)
            c->html = xstrdup(html);
        else if (html && nh == nt) {
            c->html = xstrndup(html + hs, he[i] - hs);
            hs = he[i];
        }
        snprintf(c->tag, sizeof(c->tag), "r%zu", i);
    }
    free(te);
    free(he);
}

static int ingest_outcome(int rc)
{
    return rc == COMMANDS_STORED ? OUTCOME_STORED :
           rc == COMMANDS_DUPLICATE ? OUTCOME_DUPLICATE : OUTCOME_OTHER;
}

static void log_record(const struct job *jb, int outcome)
{
    log_info("record from '%s' in '%s' (%s): %s", jb->j.sender ? jb->j.sender : "",
             jb->j.room_id, jb->j.event_id, outcome == OUTCOME_STORED ? "stored" :
             outcome == OUTCOME_DUPLICATE ? "duplicate" : "refused");
}

/* Keep the computed reply (owned by the job from now on) in the job and
 * in the store, so that a restart resends it instead of computing again. */
static void job_set_reply(struct job *jb, char *text, char *html, int outcome)
{
    jb->j.reply_text = text;
    jb->j.reply_html = html;
    jb->j.outcome = outcome;
    if (botstate_job_set_reply(jb->b->st, jb->j.id, text, html, outcome) < 0)
        log_warn("cannot save the reply to '%s'", jb->j.event_id);
    free(jb->data);
    jb->data = NULL;
}

/* Percent-encode a Matrix id for a matrix.to link. */
static void url_id(struct buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (isalnum(ch) || strchr("-._~!$:@", ch))
            buf_putc(b, (char)ch);
        else
            buf_printf(b, "%%%02X", ch);
    }
}

/* Remember where a stored record was posted; to the "already have it"
 * answer to a second posting, add a link to the first one (its recap is
 * in that message's thread). Takes and returns ownership of text/html. */
static void record_posted(struct job *jb, const char *sha, int outcome, char **text, char **html)
{
    char *room = NULL, *event = NULL;
    struct buf t, h, url;

    if (outcome == OUTCOME_STORED) {
        if (botstate_post_put(jb->b->st, sha, jb->j.room_id, jb->j.event_id) < 0)
            log_warn("cannot remember where '%s' was posted", jb->j.event_id);
        return;
    }
    if (outcome != OUTCOME_DUPLICATE ||
        botstate_post_get(jb->b->st, sha, &room, &event) != 0 || !strcmp(event, jb->j.event_id))
        goto out;
    buf_init(&url);
    buf_puts(&url, "https://matrix.to/#/");
    url_id(&url, room);
    buf_putc(&url, '/');
    url_id(&url, event);
    buf_init(&t);
    buf_puts(&t, *text ? *text : "");
    if (t.len && t.data[t.len - 1] != '\n')
        buf_putc(&t, '\n');
    buf_printf(&t, "First posted here: %s\n", url.data);
    buf_init(&h);
    if (*html)
        buf_puts(&h, *html);
    else
        buf_puts_html(&h, *text ? *text : "");
    if (h.len < 5 || strcmp(h.data + h.len - 5, "<br>\n"))
        buf_puts(&h, "<br>\n");
    buf_puts(&h, "First posted <a href=\"");
    buf_puts_html(&h, url.data);
    buf_puts(&h, "\">here</a>.");
    free(*text);
    free(*html);
    *text = buf_detach(&t);
    *html = buf_detach(&h);
    buf_release(&url);
out:
    free(room);
    free(event);
}

static void ctx_init(struct cmd_ctx *ctx, const struct job *jb)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->st = jb->b->st;
    ctx->user = jb->j.sender ? jb->j.sender : "";
    ctx->room = jb->j.room_id;
    ctx->is_admin = jb->j.is_admin;
    ctx->now = time(NULL);
    ctx->max_record_bytes = jb->b->cfg->max_record_bytes;
}

/* Answer a question, or read a record, here on the loop. */
static void compute(struct job *jb)
{
    struct bot *b = jb->b;
    struct cmd_ctx ctx;
    struct cmd_reply r;
    uint64_t t0 = uv_hrtime();
    int outcome = OUTCOME_OTHER;
    char sha[65] = "", *text, *html;

    ctx_init(&ctx, jb);
    cmd_reply_init(&r);
    if (jb->j.kind == BOTSTATE_ANSWER) {
        commands_answer(&ctx, jb->j.text ? jb->j.text : "", &r);
    } else if (jb->too_big) {
        buf_printf(&r.text, "That file is too big for me: the limit is %zu bytes.",
                   b->cfg->max_record_bytes);
    } else if (jb->download_failed) {
        buf_puts(&r.text, "I could not download that file, so I have not read it.");
    } else {
        const char *data = jb->j.kind == BOTSTATE_INGEST_FILE ? jb->data : jb->j.text;
        size_t len = jb->j.kind == BOTSTATE_INGEST_FILE ? jb->len : strlen(data ? data : "");

        outcome = ingest_outcome(commands_ingest(&ctx, data ? data : "", len, jb->j.filename,
                                                 b->cfg->auto_recap, &r));
        record_sha256_hex(data ? data : "", len, sha);
        log_record(jb, outcome);
    }
    log_debug("event '%s': command took %llu us", jb->j.event_id,
              (unsigned long long)((uv_hrtime() - t0) / 1000));
    text = buf_detach(&r.text);
    html = r.html.len ? buf_detach(&r.html) : NULL;
    if (sha[0])
        record_posted(jb, sha, outcome, &text, &html);
    job_set_reply(jb, text, html, outcome);
    cmd_reply_release(&r);
}

/* ---- reading a record off the loop ----
 * A record (up to max_record_bytes) takes a while to parse and store, so
 * it is read in libuv's thread pool on a second connection to the same
 * database, one record at a time. The loop goes on syncing, sending and
 * answering meanwhile; its own writes wait at most INGEST_BUSY_MS for the
 * record's transaction, and a sync batch that could not be stored is
 * fetched again once the record is in. */

#define INGEST_BUSY_MS  200
#define STORE_BUSY_MS   5000    /* the store's own default */


static void ingest_work_free(struct ingest_work *w)
{
    free(w->path);
    free(w->data);
    free(w->name);
    free(w->user);
    free(w->room);
    free(w->text);
    free(w->html);
    free(w);
}

/* In the thread pool: nothing here touches the loop or the bot. */
static void ingest_work_run(uv_work_t *req)
{
    struct ingest_work *w = container_of(req, struct ingest_work, req);
    struct cmd_ctx ctx = { 0 };
    struct cmd_reply r;
    struct store *ws;
    char err[256];

    if (store_open(&ws, w->path, err, sizeof(err)) < 0) {
        log_warn("cannot open a second connection to the database: %s", err);
        return;
    }
    w->opened = 1;
    ctx.st = ws;
    ctx.user = w->user;
    ctx.room = w->room;
    ctx.is_admin = w->is_admin;
    ctx.now = w->now;
    ctx.max_record_bytes = w->max_record_bytes;
    cmd_reply_init(&r);
    w->rc = commands_ingest(&ctx, w->data, w->len, w->name, w->auto_recap, &r);
    record_sha256_hex(w->data, w->len, w->sha);
    w->text = buf_detach(&r.text);
    w->html = r.html.len ? buf_detach(&r.html) : NULL;
    cmd_reply_release(&r);
    store_close(ws);
}

static void ingest_work_done(uv_work_t *req, int status)
{
    struct ingest_work *w = container_of(req, struct ingest_work, req);
    struct bot *b = w->b;
    struct job *jb = w->jb;

    b->ingesting = NULL;
    botstate_busy_timeout(b->st, STORE_BUSY_MS);
    if (jb) {
        jb->work = NULL;
        if (!w->opened) {
            /* No second connection: read it here after all. */
            jb->data = w->data;
            jb->len = w->len;
            w->data = NULL;
            compute(jb);
        } else {
            int outcome = ingest_outcome(w->rc);

            log_record(jb, outcome);
            record_posted(jb, w->sha, outcome, &w->text, &w->html);
            job_set_reply(jb, w->text, w->html, outcome);
            w->text = w->html = NULL;
        }
        jb->pc++;
    }
    ingest_work_free(w);
    if (b->stopping) {
        bot_check_drained(b);
        return;
    }
    if (jb)
        job_run(jb);
    /* The next record waiting for the pool, then any deferred sync. */
    for (struct job *o = b->jobs; o && !b->ingesting; o = o->next)
        if (o->wants_worker) {
            o->wants_worker = 0;
            job_run(o);
        }
    if (b->sync_after_ingest && !b->ingesting) {
        b->sync_after_ingest = 0;
        bot_sync_start(b);
    }
}

/* Start reading the job's record in the pool. 1 when started (or queued
 * behind another record), 0 when it must be read on the loop. */
static int ingest_start(struct job *jb)
{
    struct bot *b = jb->b;
    const char *path = botstate_db_path(b->st);
    struct ingest_work *w;

    if (jb->j.kind == BOTSTATE_ANSWER || jb->too_big || jb->download_failed || !*path)
        return 0;
    if (b->ingesting) {
        jb->wants_worker = 1;
        return 1;
    }
    w = xcalloc(1, sizeof(*w));
    w->b = b;
    w->jb = jb;
    w->path = xstrdup(path);
    if (jb->j.kind == BOTSTATE_INGEST_FILE) {
        w->data = jb->data ? jb->data : xstrdup("");
        w->len = jb->data ? jb->len : 0;
        jb->data = NULL;
    } else {
        w->data = xstrdup(jb->j.text ? jb->j.text : "");
        w->len = strlen(w->data);
    }
    w->name = xstrdup(jb->j.filename);
    w->user = xstrdup(jb->j.sender ? jb->j.sender : "");
    w->room = xstrdup(jb->j.room_id);
    w->is_admin = jb->j.is_admin;
    w->now = time(NULL);
    w->max_record_bytes = b->cfg->max_record_bytes;
    w->auto_recap = b->cfg->auto_recap;
    if (uv_queue_work(&b->loop, &w->req, ingest_work_run, ingest_work_done) < 0) {
        jb->data = w->data;
        jb->len = w->len;
        w->data = NULL;
        ingest_work_free(w);
        return 0;
    }
    jb->work = w;
    b->ingesting = w;
    botstate_busy_timeout(b->st, INGEST_BUSY_MS);
    return 1;
}

static void on_job_data(const struct mx_err *e, const char *data, size_t len, void *arg)
{
    struct job *jb = arg;
    int rc;

    if (e->kind == MX_TOO_LARGE) {
        jb->inflight = 0;
        log_info("file in '%s' (%s) over %zu bytes: refused while downloading",
                 jb->j.room_id, jb->j.event_id, jb->b->cfg->max_record_bytes);
        jb->too_big = 1;
        jb->pc++;
        job_run(jb);
        return;
    }
    rc = job_outcome(jb, e, "download");
    if (rc == 0) {
        bot_check_drained(jb->b);
        return;
    }
    if (rc < 0)
        jb->download_failed = 1;
    else {
        jb->data = xmalloc(len + 1);
        memcpy(jb->data, data, len);
        jb->data[len] = '\0';
        jb->len = len;
    }
    jb->pc++;
    if (jb->b->stopping) {
        bot_check_drained(jb->b);
        return;
    }
    job_run(jb);
}

/* A page of a gap read back: its messages become jobs; then the next
 * page, or on to the next step. */
static void on_job_page(const struct mx_err *e, const struct mx_page *p, void *arg)
{
    struct job *jb = arg;
    int rc = job_outcome(jb, e, "reading back a gap"), more = 0;

    if (rc == 0) {
        bot_check_drained(jb->b);
        return;
    }
    if (rc > 0) {
        if (bot_sync_backfill(jb->b, jb, p, &more) < 0) {
            job_retry(jb, 1000);
            return;
        }
        jb->pages++;
    }
    if (!more)
        jb->pc++;
    if (jb->b->stopping) {
        bot_check_drained(jb->b);
        return;
    }
    job_run(jb);
}

/* Start an operation of the job; a start that fails is retried later. */
static void job_started(struct job *jb, int rc)
{
    if (rc == 0) {
        jb->inflight = 1;
        return;
    }
    if (jb->b->stopping)
        return;
    job_retry(jb, 1000);
}

static void log_latency(struct job *jb)
{
    if (jb->t_parsed) {
        log_debug("event '%s': reply issued %llu us after its sync was parsed",
                  jb->j.event_id, (unsigned long long)((uv_hrtime() - jb->t_parsed) / 1000));
        jb->t_parsed = 0;
    }
}

static void send_chunk(struct job *jb)
{
    struct bot *b = jb->b;
    struct chunk *c = &jb->chunks[jb->cur];
    struct mx_notice n = { 0 };
    const char *mention = jb->j.sender;
    char txn[1024], *content;

    n.body = c->text;
    n.body_len = strlen(c->text);
    n.html = c->html;
    n.html_len = c->html ? strlen(c->html) : 0;
    n.reply_to = jb->j.event_id;
    n.thread_root = jb->j.thread_root;
    n.mentions = &mention;
    n.n_mentions = mention ? 1 : 0;
    content = mx_notice_json_dup(&n);
    if (strlen(content) > CONTENT_MAX) {
        /* Treat it as the server's 413: split this chunk again. */
        struct mx_err e = { .kind = MX_TOO_LARGE, .status = 413, .retry_after_ms = -1 };
        free(content);
        snprintf(e.error, sizeof(e.error), "content over %d bytes", CONTENT_MAX);
        jb->inflight = 1;
        on_job_done(&e, jb);
        return;
    }
    mx_txn_id(txn, sizeof(txn), jb->j.event_id, c->tag);
    log_latency(jb);
    job_started(jb, matrix_send(b->mx, jb->j.room_id, "m.room.message", txn, content,
                                on_job_str, jb));
    free(content);
}

static void send_reaction(struct job *jb, const char *key, const char *tag)
{
    char txn[1024], *content = mx_reaction_json_dup(jb->j.event_id, key);

    mx_txn_id(txn, sizeof(txn), jb->j.event_id, tag);
    job_started(jb, matrix_send(jb->b->mx, jb->j.room_id, "m.reaction", txn, content,
                                on_job_str, jb));
    free(content);
}

static void job_run(struct job *jb)
{
    struct bot *b = jb->b;

    for (;;) {
        switch (jb->prog[jb->pc]) {
        case ST_EYES:
            if (jb->j.kind == BOTSTATE_INGEST_FILE && jb->j.size >= 0 &&
                (uint64_t)jb->j.size > b->cfg->max_record_bytes) {
                log_info("file in '%s' (%s) of %lld bytes: refused before downloading",
                         jb->j.room_id, jb->j.event_id, (long long)jb->j.size);
                jb->too_big = 1;
                while (jb->prog[jb->pc] != ST_COMPUTE)
                    jb->pc++;
                continue;
            }
            send_reaction(jb, "\xf0\x9f\x91\x80", "eyes");          /* 👀 */
            return;
        case ST_TYPING_ON:
            matrix_typing(b->mx, jb->j.room_id, 1, on_fire_forget, NULL);
            jb->pc++;
            continue;
        case ST_DOWNLOAD:
            if (!matrix_mxc_ok(jb->j.url)) {
                /* No retry can fetch an http:// or malformed URL: say so
                 * rather than hold up every later job in the room. */
                log_warn("file in '%s' (%s) has no usable mxc:// URL",
                         jb->j.room_id, jb->j.event_id);
                jb->download_failed = 1;
                jb->pc++;
                continue;
            }
            job_started(jb, matrix_download(b->mx, jb->j.url, b->cfg->max_record_bytes,
                                            on_job_data, jb));
            return;
        case ST_COMPUTE:
            if (ingest_start(jb))
                return;         /* ingest_work_done goes on */
            compute(jb);
            jb->pc++;
            continue;
        case ST_CHECK:
            if (jb->j.outcome != OUTCOME_STORED) {
                jb->pc++;
                continue;
            }
            send_reaction(jb, "\xe2\x9c\x85", "check");             /* ✅ */
            return;
        case ST_TYPING_OFF:
            matrix_typing(b->mx, jb->j.room_id, 0, on_fire_forget, NULL);
            jb->pc++;
            continue;
        case ST_SEND:
            if (!jb->chunks && jb->j.reply_text && *jb->j.reply_text)
                split_reply(jb);
            if (jb->cur >= jb->n_chunks) {
                jb->pc++;
                continue;
            }
            send_chunk(jb);
            return;
        case ST_JOIN: {
            const char *via = jb->j.text && *jb->j.text ? jb->j.text : NULL;
            job_started(jb, matrix_join(b->mx, jb->j.room_id, via, on_job_str, jb));
            return;
        }
        case ST_NOTICE: {
            struct mx_notice n = { 0 };
            char txn[1024], *content;

            n.body = "scribe does not work in encrypted rooms yet, so it is leaving. "
                     "Invite it to a room without encryption to keep your meeting records.";
            n.body_len = strlen(n.body);
            content = mx_notice_json_dup(&n);
            mx_txn_id(txn, sizeof(txn), jb->j.room_id, "decline");
            job_started(jb, matrix_send(b->mx, jb->j.room_id, "m.room.message", txn, content,
                                        on_job_str, jb));
            free(content);
            return;
        }
        case ST_LEAVE:
            job_started(jb, matrix_leave(b->mx, jb->j.room_id, on_job_done, jb));
            return;
        case ST_BACKFILL:
            if (!jb->j.text || jb->pages >= BACKFILL_MAX_PAGES) {
                if (jb->j.text)
                    log_warn("room '%s': gap longer than %d pages, the rest is not read",
                             jb->j.room_id, BACKFILL_MAX_PAGES);
                jb->pc++;
                continue;
            }
            job_started(jb, matrix_messages(b->mx, jb->j.room_id, jb->j.text, BACKFILL_PAGE,
                                            on_job_page, jb));
            return;
        case ST_DONE:
            log_debug("job for '%s' in '%s' done", jb->j.event_id, jb->j.room_id);
            job_done(jb);
            return;
        }
    }
}

