/* bot/bot_compute.c -- the compute step of a job: answering a question
 * (on the loop: milliseconds), or reading a record, which takes longer and
 * so runs in libuv's thread pool on a second connection to the database,
 * one record at a time. Also what the reply says about where a record was
 * first posted. Knows the chat language's entry points, not the protocol. */
#include "bot_int.h"
#include "bot.h"
#include "config.h"
#include "../storage/log.h"
#include "../commands/commands.h"
#include "../storage/botstate.h"
#include "../storage/record.h"
#include "../storage/store.h"
#include "../storage/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
        /* The command and its saved reply are one transaction: a command
         * that changes data ("action Ana: ...") is never applied twice by
         * a restart between the two. Without the lock (a record being
         * written), answer anyway. */
        int tx = store_begin(b->st) == 0;
        uint64_t took;

        t0 = uv_hrtime();
        commands_answer(&ctx, jb->j.text ? jb->j.text : "", &r);
        took = uv_hrtime() - t0;    /* the command alone: the rest is the bot's */
        text = buf_detach(&r.text);
        html = r.html.len ? buf_detach(&r.html) : NULL;
        job_set_reply(jb, text, html, outcome);
        if (tx && store_commit(b->st) < 0) {
            store_rollback(b->st);
            log_warn("cannot commit the answer to '%s'", jb->j.event_id);
        }
        log_debug("event '%s': command took %llu us", jb->j.event_id,
                  (unsigned long long)(took / 1000));
        cmd_reply_release(&r);
        return;
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
    bot_rest_soon(b);
    if (b->stopping) {
        bot_check_drained(b);
        return;
    }
    if (jb)
        bot_job_run(jb);
    bot_worker_free(b);
    /* The indexes the record added to are merged at the next rest, once
     * its reply is out and nothing else is asked (bot.c on_rest). */
    b->tidy_left = 1;
}

void bot_worker_free(struct bot *b)
{
    for (struct job *o = b->jobs; o && !b->ingesting && !b->tidying; o = o->next)
        if (o->wants_worker) {
            o->wants_worker = 0;
            bot_job_run(o);
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
    if (b->ingesting || b->tidying) {
        /* Behind the record being read, or the merge (told to stop). */
        bot_tidy_yield(b);
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

int bot_compute(struct job *jb)
{
    if (ingest_start(jb))
        return 1;
    /* A question: a merge under way stops at its step's end. */
    bot_tidy_yield(jb->b);
    compute(jb);
    return 0;
}

void bot_compute_detach(struct job *jb)
{
    jb->work->jb = NULL;
    jb->work = NULL;
}
