/* bot/bot_jobs.c -- a job is the persisted work one event causes (answer,
 * read a record, join, decline); each runs as a small program of steps
 * (reaction, typing, download, compute, send, read back) with retries.
 * Replies in a room leave in order; rooms proceed in parallel. The compute
 * step itself is in bot_compute.c. */
#include "bot_int.h"
#include "bot.h"
#include "config.h"
#include "../storage/log.h"
#include "matrix.h"
#include "../storage/botstate.h"
#include "../storage/store.h"
#include "../storage/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>


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
        bot_compute_detach(jb);     /* the record being read finishes on its own */
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
    if (!b->jobs)
        bot_rest_soon(b);
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
        bot_job_run(jb);
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
        bot_job_run(jb);
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
            bot_job_run(jb);
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
    bot_job_run(jb);
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
        bot_job_run(jb);
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
    bot_job_run(jb);
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
    bot_job_run(jb);
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
    int rc;

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
    rc = matrix_send(b->mx, jb->j.room_id, "m.room.message", txn, content, on_job_str, jb);
    /* Measured once the request is with libcurl (which writes it on the
     * loop's next turn, from its timer). */
    log_latency(jb);
    job_started(jb, rc);
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

void bot_job_run(struct job *jb)
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
            if (bot_compute(jb))
                return;         /* read in the thread pool: it calls bot_job_run */
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

