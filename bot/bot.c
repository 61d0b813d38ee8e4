/* bot/bot.c -- scribe's Matrix session: start-up (versions, login or
 * token, filter), re-login when the token is rejected, back-off, signals
 * and a bounded clean shutdown, and bot_run, the entry. The sync batch is
 * in bot_sync.c, the jobs in bot_jobs.c, the rooms in bot_rooms.c. */
#include "bot_int.h"
#include "bot.h"
#include "config.h"
#include "../commands/commands.h"
#include "../storage/log.h"
#include "matrix.h"
#include "../storage/botstate.h"
#include "../storage/store.h"
#include "../storage/util.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include "http.h"

#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int64_t bot_now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Full jitter: uniform in [0, min(cap, base * 2^attempt)], at least 100 ms. */
uint64_t bot_backoff_ms(int attempt, uint64_t base, uint64_t cap)
{
    uint64_t ceil = base;

    for (int i = 0; i < attempt && ceil < cap; i++)
        ceil *= 2;
    if (ceil > cap)
        ceil = cap;
    return 100 + (uint64_t)random() % (ceil + 1);
}

/* ==== authentication =================================================== */

static void save_credentials(struct bot *b)
{
    if (store_begin(b->st) < 0)
        return;
    if (botstate_set(b->st, "access_token", matrix_token(b->mx)) < 0 ||
        botstate_set(b->st, "user_id", matrix_user_id(b->mx)) < 0 ||
        botstate_set(b->st, "device_id", matrix_device_id(b->mx)) < 0) {
        store_rollback(b->st);
        return;
    }
    store_commit(b->st);
}

static void on_relogin(const struct mx_err *e, void *arg)
{
    struct bot *b = arg;

    if (e->kind == MX_CANCELLED || b->stopping)
        return;
    if (e->kind == MX_OK) {
        log_info("logged in again as '%s' (device '%s')", matrix_user_id(b->mx),
                 matrix_device_id(b->mx));
        save_credentials(b);
        b->relogin = 0;
        b->retry_attempt = 0;
        if (b->sync_wants_auth) {
            b->sync_wants_auth = 0;
            bot_sync_start(b);
        }
        return;
    }
    if (e->kind == MX_RETRY || e->kind == MX_RATE) {
        uint64_t d = e->kind == MX_RATE ? (uint64_t)e->retry_after_ms :
                     bot_backoff_ms(b->retry_attempt++, SYNC_BACKOFF_BASE_MS, SYNC_BACKOFF_CAP_MS);
        log_warn("login failed: %s; retrying in %llu ms", e->error, (unsigned long long)d);
        b->relogin = 0;
        b->sync_wants_auth = 1;
        /* The retry timer restarts sync, which finds the token gone again. */
        b->phase = PH_AUTH;
        bot_retry_later(b, d);
        return;
    }
    log_err("login as '%s' refused: %s %s", b->cfg->user_id, e->errcode, e->error);
    bot_stop(b, 1);
}

void bot_auth_lost(struct bot *b)
{
    if (b->relogin || b->stopping)
        return;
    if (!b->cfg->password || !b->cfg->user_id) {
        log_err("the homeserver rejected the access token (M_UNKNOWN_TOKEN) and no password "
                "is configured: set a new access_token (or a password) and restart");
        bot_stop(b, 1);
        return;
    }
    log_warn("the homeserver rejected the access token: logging in again");
    b->relogin = 1;
    if (matrix_login(b->mx, b->cfg->user_id, b->cfg->password, matrix_device_id(b->mx),
                     on_relogin, b) < 0) {
        b->relogin = 0;
        bot_stop(b, 1);
    }
}

/* ==== start-up ========================================================= */

static uint64_t fnv64(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void on_versions(const struct mx_err *e, void *arg)
{
    struct bot *b = arg;

    if (e->kind == MX_CANCELLED || b->stopping)
        return;
    if (e->kind != MX_OK) {
        bot_retry_backoff(b, "homeserver versions", e);
        return;
    }
    log_info("homeserver '%s' reached; authenticated media: %s", b->cfg->homeserver,
             matrix_authed_media(b->mx) ? "yes" : "no");
    b->retry_attempt = 0;
    b->phase = PH_AUTH;
    bot_phase_run(b);
}

static void on_login(const struct mx_err *e, void *arg)
{
    struct bot *b = arg;

    if (e->kind == MX_CANCELLED || b->stopping)
        return;
    if (e->kind == MX_RETRY || e->kind == MX_RATE) {
        bot_retry_backoff(b, "login", e);
        return;
    }
    if (e->kind != MX_OK) {
        log_err("login as '%s' refused: %s %s", b->cfg->user_id, e->errcode, e->error);
        bot_stop(b, 1);
        return;
    }
    log_info("logged in as '%s' (device '%s')", matrix_user_id(b->mx), matrix_device_id(b->mx));
    save_credentials(b);
    b->retry_attempt = 0;
    b->phase = PH_FILTER;
    bot_phase_run(b);
}

static void start_login(struct bot *b)
{
    char *dev = botstate_get_dup(b->st, "device_id");

    if (matrix_login(b->mx, b->cfg->user_id, b->cfg->password,
                     dev ? dev : b->cfg->device_id, on_login, b) < 0)
        bot_stop(b, 1);
    free(dev);
}

static void on_whoami(const struct mx_err *e, const char *user_id, void *arg)
{
    struct bot *b = arg;

    if (e->kind == MX_CANCELLED || b->stopping)
        return;
    if (e->kind == MX_AUTH) {
        if (b->cfg->password && b->cfg->user_id) {
            log_info("stored access token rejected: logging in");
            start_login(b);
            return;
        }
        log_err("the homeserver rejected the access token (M_UNKNOWN_TOKEN) and no password "
                "is configured: set a new access_token (or a password) and restart");
        bot_stop(b, 1);
        return;
    }
    if (e->kind != MX_OK) {
        bot_retry_backoff(b, "whoami", e);
        return;
    }
    if (b->cfg->user_id && strcmp(b->cfg->user_id, user_id))
        log_warn("the access token belongs to '%s', not to user_id '%s'", user_id,
                 b->cfg->user_id);
    log_info("signed in as '%s' (device '%s')", user_id,
             matrix_device_id(b->mx) ? matrix_device_id(b->mx) : "?");
    b->retry_attempt = 0;
    b->phase = PH_FILTER;
    bot_phase_run(b);
}

static void on_filter(const struct mx_err *e, const char *filter_id, void *arg)
{
    struct bot *b = arg;
    char key[64];

    if (e->kind == MX_CANCELLED || b->stopping)
        return;
    if (e->kind == MX_RETRY || e->kind == MX_RATE) {
        bot_retry_backoff(b, "filter creation", e);
        return;
    }
    if (e->kind == MX_AUTH) {
        bot_auth_lost(b);
        b->phase = PH_FILTER;
        bot_retry_later(b, 2000);
        return;
    }
    free(b->filter);
    if (e->kind == MX_OK) {
        b->filter = xstrdup(filter_id);
        snprintf(key, sizeof(key), "%016llx",
                 (unsigned long long)(fnv64(MATRIX_FILTER_JSON) ^ fnv64(matrix_user_id(b->mx))));
        botstate_set(b->st, "filter_id", filter_id);
        botstate_set(b->st, "filter_key", key);
    } else {
        log_warn("filter creation refused (%s): using an inline filter", e->error);
        b->filter = xstrdup(MATRIX_FILTER_JSON);
    }
    b->phase = PH_RUN;
    bot_phase_run(b);
}

static void on_display_name(const struct mx_err *e, const char *name, void *arg)
{
    struct bot *b = arg;

    if (e->kind == MX_OK && name && *name) {
        free(b->display_name);
        b->display_name = xstrdup(name);
    }
}

struct join_op {
    struct bot *b;
    char *room;
    int attempt;
};

static void on_config_join(const struct mx_err *e, const char *room_id, void *arg)
{
    struct join_op *op = arg;

    if (e->kind == MX_OK)
        log_info("joined '%s' ('%s')", op->room, room_id);
    else if (e->kind != MX_CANCELLED)
        log_warn("cannot join '%s': %s%s%s", op->room, e->errcode, e->errcode[0] ? " " : "",
                 e->error);
    free(op->room);
    free(op);
}

static void start_running(struct bot *b)
{
    struct botstate_job *jobs;
    size_t n;

    matrix_displayname(b->mx, on_display_name, b);
    for (int i = 0; i < b->cfg->n_rooms; i++) {
        struct join_op *op = xcalloc(1, sizeof(*op));
        op->b = b;
        op->room = xstrdup(b->cfg->rooms[i]);
        if (matrix_join(b->mx, op->room, NULL, on_config_join, op) < 0) {
            free(op->room);
            free(op);
        }
    }
    if (botstate_jobs_load(b->st, &jobs, &n) == 0) {
        if (n)
            log_info("resuming %zu pending job%s", n, n == 1 ? "" : "s");
        for (size_t i = 0; i < n; i++)
            bot_job_append(b, bot_job_new(b, &jobs[i]));
        botstate_jobs_free(jobs, n);
    }
    b->first_sync = 1;
    bot_pump(b);
    bot_sync_start(b);
}

void bot_phase_run(struct bot *b)
{
    const struct config *cfg = b->cfg;

    switch (b->phase) {
    case PH_VERSIONS:
        if (matrix_versions(b->mx, on_versions, b) < 0)
            bot_retry_later(b, 1000);
        return;
    case PH_AUTH: {
        char *tok = NULL, *uid = NULL, *dev = NULL;

        if (b->relogin)
            return;
        if (b->sync_wants_auth) {
            /* A re-login that failed on the network: try it again. */
            bot_auth_lost(b);
            b->phase = PH_RUN;
            return;
        }
        if (cfg->access_token) {
            dev = botstate_get_dup(b->st, "device_id");
            matrix_set_auth(b->mx, cfg->access_token, cfg->user_id, dev ? dev : cfg->device_id);
        } else {
            tok = botstate_get_dup(b->st, "access_token");
            uid = botstate_get_dup(b->st, "user_id");
            dev = botstate_get_dup(b->st, "device_id");
            if (tok && (!cfg->user_id || (uid && !strcmp(uid, cfg->user_id)))) {
                matrix_set_auth(b->mx, tok, uid, dev);
            } else if (cfg->password && cfg->user_id) {
                free(tok);
                free(uid);
                free(dev);
                start_login(b);
                return;
            } else {
                free(tok);
                free(uid);
                free(dev);
                log_err("no credentials: set password (with user_id) or access_token in [matrix]");
                bot_stop(b, 1);
                return;
            }
        }
        if (tok)
            memset(tok, 0, strlen(tok));
        free(tok);
        free(uid);
        free(dev);
        if (matrix_whoami(b->mx, on_whoami, b) < 0)
            bot_retry_later(b, 1000);
        return;
    }
    case PH_FILTER: {
        char *id = botstate_get_dup(b->st, "filter_id");
        char *key = botstate_get_dup(b->st, "filter_key");
        char want[64];

        snprintf(want, sizeof(want), "%016llx",
                 (unsigned long long)(fnv64(MATRIX_FILTER_JSON) ^ fnv64(matrix_user_id(b->mx))));
        if (id && key && !strcmp(key, want)) {
            free(b->filter);
            b->filter = id;
            free(key);
            b->phase = PH_RUN;
            bot_phase_run(b);
            return;
        }
        free(id);
        free(key);
        if (matrix_filter(b->mx, MATRIX_FILTER_JSON, on_filter, b) < 0)
            bot_retry_later(b, 1000);
        return;
    }
    case PH_RUN:
        start_running(b);
        return;
    }
}

/* ==== shutdown ========================================================= */

static void on_closed_noop(uv_handle_t *h)
{
}

/* At rest: merging left unfinished goes on (bot_tidy.c); then the
 * write-ahead log is copied back into the database (SQLite
 * would otherwise do it inside the commit that crosses 1,000 pages, about
 * every 140 questions, and that reply waited 3-10 ms for it and its two
 * fsyncs) and the log started over (botstate_checkpoint(): the fsync of
 * its new header would otherwise come with the next question), SQLite's
 * page cache lets go of the pages it read, and glibc
 * returns what a large answer or a record freed. A PASSIVE checkpoint
 * never waits for the record being written. */
static void on_rest(uv_timer_t *t)
{
    struct bot *b = container_of(t, struct bot, rest);

    if (b->jobs || b->ingesting || b->tidying)
        return;                 /* busy again: the next rest does it */
    if (b->tidy_left) {
        bot_tidy_start(b);      /* its end brings the next rest */
        if (b->tidying)
            return;
    }
    botstate_checkpoint(b->st);
    botstate_release_memory(b->st);
    malloc_trim(0);
}

void bot_rest_soon(struct bot *b)
{
    if (!b->stopping)
        uv_timer_start(&b->rest, on_rest, REST_MS, 0);
}

void bot_finish(struct bot *b)
{
    if (b->finished)
        return;
    b->finished = 1;
    /* Replies not finished stay in the store for the next start. */
    http_close(b->http);
    b->http = NULL;
    while (b->jobs) {
        struct job *jb = b->jobs;
        b->jobs = jb->next;
        bot_job_close(jb);
    }
    uv_close((uv_handle_t *)&b->retry, on_closed_noop);
    uv_close((uv_handle_t *)&b->grace, on_closed_noop);
    uv_close((uv_handle_t *)&b->rest, on_closed_noop);
    uv_close((uv_handle_t *)&b->sigint, on_closed_noop);
    uv_close((uv_handle_t *)&b->sigterm, on_closed_noop);
}

static void on_grace(uv_timer_t *t)
{
    struct bot *b = container_of(t, struct bot, grace);

    if (bot_jobs_inflight(b))
        log_warn("shutting down with replies still in flight: they will be resent");
    bot_finish(b);
}

void bot_stop(struct bot *b, int code)
{
    if (b->stopping) {
        if (code && !b->exit_code)
            b->exit_code = code;
        return;
    }
    b->stopping = 1;
    b->exit_code = code;
    bot_tidy_yield(b);
    uv_timer_stop(&b->retry);
    matrix_sync_cancel(b->mx);
    for (struct job *jb = b->jobs; jb; jb = jb->next)
        if (jb->waiting) {
            uv_timer_stop(&jb->timer);
            jb->waiting = 0;
        }
    if (!bot_jobs_inflight(b)) {
        bot_finish(b);
        return;
    }
    log_info("finishing replies in flight (at most %d s)", SHUTDOWN_GRACE_MS / 1000);
    uv_timer_start(&b->grace, on_grace, SHUTDOWN_GRACE_MS, 0);
}

static void on_signal(uv_signal_t *h, int signum)
{
    struct bot *b = h->data;

    if (b->stopping) {
        log_info("second signal: stopping now");
        bot_finish(b);
        return;
    }
    log_info("%s received: shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
    bot_stop(b, 0);
}

static void on_walk_close(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* ==== entry ============================================================ */

/* Ready to answer before the first question comes: SQLite's statements
 * prepared and the code paged in (commands_warm_up()), which the first
 * question after a start otherwise paid for (2-5 ms instead of under 1).
 * A few milliseconds, once, before the first request. */
static void warm_up(struct bot *b)
{
    uint64_t t0 = uv_hrtime();

    if (commands_warm_up(b->st, time(NULL)) < 0)
        log_warn("could not get the answers ready: the first questions will be slower");
    log_debug("answers ready in %llu us", (unsigned long long)((uv_hrtime() - t0) / 1000));
}

int bot_run(const struct config *cfg, struct store *st)
{
    struct bot *b;
    struct sigaction sa;
    int code;

    if (!cfg->homeserver)
        return log_err("no homeserver configured") < 0;
    if (!config_homeserver_ok(cfg->homeserver)) {
        log_err("homeserver '%s' must be https:// (http:// only for loopback)", cfg->homeserver);
        return 1;
    }
    if (botstate_init(st) < 0)
        return 1;
    /* Checkpoints happen at rest (on_rest); SQLite's own stays as a cap
     * for a bot that is never idle for REST_MS. */
    botstate_wal_cap(st, WAL_CAP_PAGES);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    srandom((unsigned)(time(NULL) ^ getpid()));
    /* libuv's thread pool only ever reads one record at a time here
     * (bot_compute.c): one thread, not four, each with its own stack and
     * malloc arena. Read when the pool first starts; the user's value wins. */
    setenv("UV_THREADPOOL_SIZE", "1", 0);
    /* ... and that thread allocates from the loop's arena, so what a record
     * freed is trimmed with the rest (a second arena kept ~0.5 MB of
     * fragments resident after a 1 MB record). */
    mallopt(M_ARENA_MAX, 1);

    b = xcalloc(1, sizeof(*b));
    b->cfg = cfg;
    b->st = st;
    b->started_ms = bot_now_ms();
    if (uv_loop_init(&b->loop) < 0) {
        free(b);
        return log_err("cannot create the event loop") < 0;
    }
    if (http_new(&b->http, &b->loop) < 0) {
        uv_loop_close(&b->loop);
        free(b);
        return 1;
    }
    b->mx = matrix_new(b->http, cfg->homeserver);
    uv_timer_init(&b->loop, &b->retry);
    uv_timer_init(&b->loop, &b->grace);
    uv_timer_init(&b->loop, &b->rest);
    uv_unref((uv_handle_t *)&b->rest);
    uv_signal_init(&b->loop, &b->sigint);
    uv_signal_init(&b->loop, &b->sigterm);
    b->sigint.data = b->sigterm.data = b;
    uv_signal_start(&b->sigint, on_signal, SIGINT);
    uv_signal_start(&b->sigterm, on_signal, SIGTERM);

    b->since = botstate_get_dup(st, "next_batch");
    b->initial = b->since == NULL;
    if (b->initial)
        log_info("first start: joining pending invites, answering nothing from history");
    bot_rooms_load(b);
    warm_up(b);
    /* Records stored while the bot was not running (scribe ingest) left
     * segments to merge: done in the pool while the bot logs in. */
    bot_tidy_start(b);

    b->phase = PH_VERSIONS;
    bot_phase_run(b);
    uv_run(&b->loop, UV_RUN_DEFAULT);

    if (uv_loop_close(&b->loop) == UV_EBUSY) {
        uv_walk(&b->loop, on_walk_close, NULL);
        uv_run(&b->loop, UV_RUN_DEFAULT);
        uv_loop_close(&b->loop);
    }
    code = b->exit_code;
    matrix_free(b->mx);
    while (b->rooms) {
        struct room *r = b->rooms;
        b->rooms = r->next;
        bot_room_free(r);
    }
    free(b->since);
    free(b->filter);
    free(b->display_name);
    free(b);
    log_info("stopped");
    return code;
}

