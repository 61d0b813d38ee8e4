/* bot/bot.c -- scribe's Matrix loop: start-up (versions, login, filter),
 * the long-poll sync, turning each sync batch into persisted jobs (one
 * transaction per batch), running the jobs (commands, reactions, replies,
 * downloads, joins) with retries, and a bounded clean shutdown.
 * Policies live here; the protocol lives in matrix.c, the chat language
 * in commands/, the persistence in storage/botstate.c. */
#include "bot.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "matrix.h"
#include "../commands/commands.h"
#include "../storage/botstate.h"
#include "../storage/store.h"
#include "../storage/util.h"

#include <ctype.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

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

/* ==== pure helpers ===================================================== */

int bot_invite_allowed(char *const *allow, int n, const char *inviter)
{
    const char *server;

    if (!inviter || inviter[0] != '@' || !(server = strchr(inviter, ':')))
        return 0;
    server++;
    for (int i = 0; i < n; i++) {
        const char *a = allow[i];

        if (a[0] == '@') {
            if (!strcmp(a, inviter))
                return 1;
            continue;
        }
        if (a[0] == '*' && a[1] == ':')
            a += 2;
        else if (a[0] == ':')
            a++;
        if (*a && !strcasecmp(a, server))
            return 1;
    }
    return 0;
}

char *bot_strip_fallback_dup(const char *body)
{
    const char *p = body;

    if (!body)
        return NULL;
    /* A fallback opens with "> <@sender> ..."; a transcript's ">>" never does. */
    if (strncmp(p, "> <", 3))
        return xstrdup(body);
    while (!strncmp(p, "> ", 2) || !strncmp(p, ">\n", 2)) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            return xstrdup("");
        p = nl + 1;
    }
    if (*p == '\n')
        p++;
    return xstrdup(p);
}

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* When `s` starts with `who` (case-insensitive) followed by ':' or ','
 * (or, with `loose`, by white space or the end), returns what follows;
 * else NULL. */
static const char *after_address(const char *s, const char *who, int loose)
{
    size_t n;
    const char *p;

    if (!who || !*who)
        return NULL;
    n = strlen(who);
    if (strncasecmp(s, who, n))
        return NULL;
    p = s + n;
    if (*p == ':' || *p == ',')
        return skip_space(p + 1);
    if (loose && (!*p || isspace((unsigned char)*p)))
        return skip_space(p);
    return NULL;
}

/* Case-insensitive whole-word search. */
static int contains_word(const char *s, const char *w)
{
    size_t n = w ? strlen(w) : 0;

    if (!n)
        return 0;
    for (const char *p = s; *p; p++) {
        if (strncasecmp(p, w, n))
            continue;
        if ((p == s || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
            return 1;
    }
    return 0;
}

static char *trimmed_dup(const char *s)
{
    const char *e;

    s = skip_space(s);
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    return xstrndup(s, (size_t)(e - s));
}

char *bot_addressed_dup(const struct bot_self *self, const struct mx_event *ev, int direct)
{
    char *body = ev->reply_to ? bot_strip_fallback_dup(ev->body) : xstrdup(ev->body);
    char *out = NULL, *at_name = NULL;
    const char *p, *rest = NULL;
    const char *names[4];
    int mentioned = 0;

    if (!body)
        return NULL;
    p = skip_space(body);
    if (self->prefix && *self->prefix && !strncmp(p, self->prefix, strlen(self->prefix))) {
        out = trimmed_dup(p + strlen(self->prefix));
        goto done;
    }
    for (size_t i = 0; i < ev->n_mentions; i++)
        if (self->user_id && !strcmp(ev->mentions[i], self->user_id))
            mentioned = 1;
    if (self->user_id && strstr(ev->body, self->user_id))
        mentioned = 1;
    if (self->user_id && ev->formatted_body) {
        char *pill = xasprintf("matrix.to/#/%s", self->user_id);
        char *pill_enc = xasprintf("matrix.to/#/%%40%s", self->user_id + 1);
        if (strstr(ev->formatted_body, pill) || strstr(ev->formatted_body, pill_enc))
            mentioned = 1;
        free(pill);
        free(pill_enc);
    }
    /* Without m.mentions a client relies on body matching (the legacy
     * push rules): the display name or the configured name as a word. */
    if (!ev->has_mentions &&
        (contains_word(p, self->display_name) || contains_word(p, self->name)))
        mentioned = 1;
    /* A leading address is stripped: "scribe: ...", "scribe, ...",
     * "@scribe ...", the user id or the display name; without ':' or ','
     * only when the message mentions scribe anyway. */
    at_name = self->name ? xasprintf("@%s", self->name) : NULL;
    names[0] = self->user_id;
    names[1] = self->display_name;
    names[2] = self->name;
    names[3] = at_name;
    for (int i = 0; i < 4 && !rest; i++)
        rest = after_address(p, names[i], mentioned || i == 0 || i == 3);
    if (rest)
        out = trimmed_dup(rest);
    else if (mentioned || direct)
        out = trimmed_dup(p);
done:
    free(at_name);
    free(body);
    return out;
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, m = strlen(suffix);

    return n >= m && !strcasecmp(s + n - m, suffix);
}

int bot_is_text_file(const struct mx_event *ev)
{
    const char *name;

    if (!ev->msgtype || strcmp(ev->msgtype, "m.file") || !ev->url)
        return 0;
    if (ev->mimetype && (!strncasecmp(ev->mimetype, "text/plain", 10) ||
                         !strncasecmp(ev->mimetype, "text/markdown", 13)))
        return 1;
    name = ev->filename ? ev->filename : ev->body;
    return ends_with_ci(name, ".txt") || ends_with_ci(name, ".md");
}

/* ==== state ============================================================ */

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
    ST_SEND, ST_JOIN, ST_NOTICE, ST_LEAVE, ST_DONE
};

static const enum step prog_answer[] = { ST_COMPUTE, ST_SEND, ST_DONE };
static const enum step prog_text[] = { ST_EYES, ST_TYPING_ON, ST_COMPUTE, ST_CHECK,
                                       ST_TYPING_OFF, ST_SEND, ST_DONE };
static const enum step prog_file[] = { ST_EYES, ST_TYPING_ON, ST_DOWNLOAD, ST_COMPUTE,
                                       ST_CHECK, ST_TYPING_OFF, ST_SEND, ST_DONE };
static const enum step prog_join[] = { ST_JOIN, ST_DONE };
static const enum step prog_reject[] = { ST_LEAVE, ST_DONE };
static const enum step prog_decline[] = { ST_JOIN, ST_NOTICE, ST_LEAVE, ST_DONE };

#define OUTCOME_STORED      0
#define OUTCOME_DUPLICATE   1
#define OUTCOME_OTHER       2

struct chunk {
    char *text;
    char *html;                 /* NULL: plain body only */
    char tag[64];               /* txn tag: r0, r1, r1.0 ... */
};

struct bot;

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
};

static int64_t now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Full jitter: uniform in [0, min(cap, base * 2^attempt)], at least 100 ms. */
static uint64_t backoff_ms(int attempt, uint64_t base, uint64_t cap)
{
    uint64_t ceil = base;

    for (int i = 0; i < attempt && ceil < cap; i++)
        ceil *= 2;
    if (ceil > cap)
        ceil = cap;
    return 100 + (uint64_t)random() % (ceil + 1);
}

static void bot_stop(struct bot *b, int code);
static void sync_start(struct bot *b);
static void pump(struct bot *b);
static void job_run(struct job *jb);
static void phase_run(struct bot *b);
static void auth_lost(struct bot *b);

/* ==== rooms ============================================================ */

static struct room *room_find(struct bot *b, const char *room_id)
{
    for (struct room *r = b->rooms; r; r = r->next)
        if (!strcmp(r->room_id, room_id))
            return r;
    return NULL;
}

static struct room *room_get(struct bot *b, const char *room_id)
{
    struct room *r = room_find(b, room_id);

    if (r)
        return r;
    r = xcalloc(1, sizeof(*r));
    r->room_id = xstrdup(room_id);
    r->members = -1;
    r->next = b->rooms;
    b->rooms = r;
    return r;
}

static void room_free(struct room *r)
{
    free(r->room_id);
    mx_power_free(r->power);
    for (size_t i = 0; i < r->n_creators; i++)
        free(r->creators[i]);
    free(r->creators);
    free(r);
}

static void room_forget(struct bot *b, const char *room_id)
{
    for (struct room **pp = &b->rooms; *pp; pp = &(*pp)->next) {
        if (!strcmp((*pp)->room_id, room_id)) {
            struct room *r = *pp;
            *pp = r->next;
            room_free(r);
            return;
        }
    }
}

static void room_add_creator(struct room *r, const char *user)
{
    for (size_t i = 0; i < r->n_creators; i++)
        if (!strcmp(r->creators[i], user))
            return;
    r->creators = xrealloc(r->creators, sizeof(*r->creators) * (r->n_creators + 1));
    r->creators[r->n_creators++] = xstrdup(user);
}

static int room_is_admin(const struct bot *b, const struct room *r, const char *user)
{
    int creator = 0;

    if (!r)
        return 0;
    for (size_t i = 0; i < r->n_creators; i++)
        if (!strcmp(r->creators[i], user))
            creator = 1;
    if (creator && (r->creators_infinite || !r->power))
        return 1;               /* v12 creators, or creator (100) with no power levels */
    if (!r->power)
        return 0 >= b->cfg->admin_power_level;
    return mx_power_level(r->power, user) >= b->cfg->admin_power_level;
}

/* Apply one state event (from state or timeline) to the room cache.
 * Returns 1 when the room turns out to be encrypted for the first time. */
static int room_apply(struct bot *b, struct room *r, const struct mx_event *ev)
{
    if (!ev->state_key)
        return 0;
    if (!strcmp(ev->type, "m.room.power_levels") && ev->power && !*ev->state_key) {
        mx_power_free(r->power);
        r->power = mx_power_dup(ev->power);
        r->dirty = 1;
    } else if (!strcmp(ev->type, "m.room.create") && !*ev->state_key) {
        room_add_creator(r, ev->sender);
        for (size_t i = 0; i < ev->n_creators; i++)
            room_add_creator(r, ev->creators[i]);
        r->creators_infinite = ev->room_version && atoi(ev->room_version) >= 12;
        r->dirty = 1;
    } else if (!strcmp(ev->type, "m.room.name") && !*ev->state_key) {
        int named = ev->body && *ev->body;
        if (named != r->named) {
            r->named = named;
            r->dirty = 1;
        }
    } else if (!strcmp(ev->type, "m.room.encryption") && !r->encrypted) {
        r->encrypted = 1;
        r->dirty = 1;
        return 1;
    }
    return 0;
}

static int room_save(struct bot *b, struct room *r)
{
    struct botstate_room sr = { 0 };
    struct buf pw, cr;
    int rc;

    buf_init(&pw);
    buf_init(&cr);
    if (r->power)
        for (size_t i = 0; i < r->power->n; i++)
            buf_printf(&pw, "%s\t%lld\n", r->power->users[i], (long long)r->power->levels[i]);
    for (size_t i = 0; i < r->n_creators; i++)
        buf_printf(&cr, "%s\n", r->creators[i]);
    if (r->creators_infinite)
        buf_puts(&cr, "*\n");
    sr.room_id = r->room_id;
    sr.has_power = r->power != NULL;
    sr.users_default = r->power ? r->power->users_default : 0;
    sr.power = pw.data;
    sr.creators = cr.data;
    sr.members = r->members;
    sr.direct = r->direct;
    sr.encrypted = r->encrypted;
    sr.named = r->named;
    rc = botstate_room_put(b->st, &sr);
    buf_release(&pw);
    buf_release(&cr);
    r->dirty = 0;
    return rc;
}

static void rooms_load(struct bot *b)
{
    struct botstate_room *rs;
    size_t n;

    if (botstate_rooms_load(b->st, &rs, &n) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        struct room *r = room_get(b, rs[i].room_id);
        char *line, *save = NULL, *copy;

        r->members = rs[i].members;
        r->direct = rs[i].direct;
        r->encrypted = rs[i].encrypted;
        r->named = rs[i].named;
        if (rs[i].has_power) {
            r->power = xcalloc(1, sizeof(*r->power));
            r->power->users_default = rs[i].users_default;
            copy = xstrdup(rs[i].power ? rs[i].power : "");
            for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *tab = strchr(line, '\t');
                if (!tab)
                    continue;
                *tab = '\0';
                r->power->users = xrealloc(r->power->users, sizeof(char *) * (r->power->n + 1));
                r->power->levels = xrealloc(r->power->levels,
                                            sizeof(int64_t) * (r->power->n + 1));
                r->power->users[r->power->n] = xstrdup(line);
                r->power->levels[r->power->n] = strtoll(tab + 1, NULL, 10);
                r->power->n++;
            }
            free(copy);
        }
        copy = xstrdup(rs[i].creators ? rs[i].creators : "");
        save = NULL;
        for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            if (!strcmp(line, "*"))
                r->creators_infinite = 1;
            else
                room_add_creator(r, line);
        }
        free(copy);
    }
    botstate_rooms_free(rs, n);
}

/* ==== jobs ============================================================= */

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

static void job_close(struct job *jb)
{
    uv_timer_stop(&jb->timer);
    uv_close((uv_handle_t *)&jb->timer, on_job_closed);
}

static struct job *job_new(struct bot *b, const struct botstate_job *src)
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

static void job_append(struct bot *b, struct job *jb)
{
    struct job **pp = &b->jobs;

    while (*pp)
        pp = &(*pp)->next;
    *pp = jb;
}

static int jobs_inflight(const struct bot *b)
{
    for (const struct job *jb = b->jobs; jb; jb = jb->next)
        if (jb->inflight)
            return 1;
    return 0;
}

static void finish(struct bot *b);

/* While stopping: once no reply is on the wire, close down. */
static void check_drained(struct bot *b)
{
    if (b->stopping && !b->finished && !jobs_inflight(b))
        finish(b);
}

static void job_done(struct job *jb)
{
    struct bot *b = jb->b;

    if (botstate_job_delete(b->st, jb->j.id) < 0)
        log_warn("cannot delete finished job for event '%s'", jb->j.event_id);
    job_unlink(b, jb);
    job_close(jb);
    if (b->stopping)
        check_drained(b);
    else
        pump(b);
}

/* Start every job whose room has no earlier job pending: replies in a room
 * leave in order, rooms proceed in parallel. */
static void pump(struct bot *b)
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
        pump(b);
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
        check_drained(jb->b);
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
    int64_t now = now_ms();

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
        auth_lost(b);
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
        job_retry(jb, backoff_ms(jb->attempt++, SEND_BACKOFF_BASE_MS, SEND_BACKOFF_CAP_MS));
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
            check_drained(jb->b);
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
        check_drained(jb->b);
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

static void compute(struct job *jb)
{
    struct bot *b = jb->b;
    struct cmd_ctx ctx = { 0 };
    struct cmd_reply r;
    uint64_t t0 = uv_hrtime();
    int rc, outcome = OUTCOME_OTHER;

    ctx.st = b->st;
    ctx.user = jb->j.sender ? jb->j.sender : "";
    ctx.room = jb->j.room_id;
    ctx.is_admin = jb->j.is_admin;
    ctx.now = time(NULL);
    ctx.max_record_bytes = b->cfg->max_record_bytes;
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

        rc = commands_ingest(&ctx, data ? data : "", len, jb->j.filename,
                             b->cfg->auto_recap, &r);
        outcome = rc == COMMANDS_STORED ? OUTCOME_STORED :
                  rc == COMMANDS_DUPLICATE ? OUTCOME_DUPLICATE : OUTCOME_OTHER;
        log_info("record from '%s' in '%s' (%s): %s", ctx.user, jb->j.room_id,
                 jb->j.event_id, outcome == OUTCOME_STORED ? "stored" :
                 outcome == OUTCOME_DUPLICATE ? "duplicate" : "refused");
    }
    log_debug("event '%s': command took %llu us", jb->j.event_id,
              (unsigned long long)((uv_hrtime() - t0) / 1000));
    jb->j.reply_text = buf_detach(&r.text);
    jb->j.reply_html = r.html.len ? buf_detach(&r.html) : NULL;
    jb->j.outcome = outcome;
    if (botstate_job_set_reply(b->st, jb->j.id, jb->j.reply_text, jb->j.reply_html,
                               outcome) < 0)
        log_warn("cannot save the reply to '%s'", jb->j.event_id);
    cmd_reply_release(&r);
    free(jb->data);
    jb->data = NULL;
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
        check_drained(jb->b);
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
        check_drained(jb->b);
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
            if (!jb->j.url) {
                jb->download_failed = 1;
                jb->pc++;
                continue;
            }
            job_started(jb, matrix_download(b->mx, jb->j.url, b->cfg->max_record_bytes,
                                            on_job_data, jb));
            return;
        case ST_COMPUTE:
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
        case ST_DONE:
            log_debug("job for '%s' in '%s' done", jb->j.event_id, jb->j.room_id);
            job_done(jb);
            return;
        }
    }
}

/* ==== the sync batch =================================================== */

static int has_job_for_room(struct bot *b, const char *room_id, int kind)
{
    for (struct job *jb = b->jobs; jb; jb = jb->next)
        if (!strcmp(jb->j.room_id, room_id) && jb->j.kind == kind)
            return 1;
    return 0;
}

static int add_job(struct bot *b, struct botstate_job *j, struct job **list, uint64_t t)
{
    struct job *jb;

    if (botstate_job_add(b->st, j) < 0)
        return -1;
    jb = job_new(b, j);
    jb->t_parsed = t;
    jb->next = *list;
    *list = jb;
    return 0;
}

static int handle_invite(struct bot *b, const struct mx_room *mr, struct job **list, uint64_t t)
{
    const char *me = matrix_user_id(b->mx), *inviter = NULL;
    struct botstate_job j = { 0 };
    int encrypted = 0, direct = 0;
    char *via = NULL;
    int rc;

    for (size_t i = 0; i < mr->n_state; i++) {
        const struct mx_event *ev = &mr->state[i];
        if (!strcmp(ev->type, "m.room.encryption"))
            encrypted = 1;
        if (!strcmp(ev->type, "m.room.member") && me && !strcmp(ev->state_key, me) &&
            ev->membership && !strcmp(ev->membership, "invite")) {
            inviter = ev->sender;
            direct = ev->is_direct;
        }
    }
    if (!inviter)
        return 0;
    if (has_job_for_room(b, mr->room_id, BOTSTATE_JOIN) ||
        has_job_for_room(b, mr->room_id, BOTSTATE_REJECT) ||
        has_job_for_room(b, mr->room_id, BOTSTATE_DECLINE))
        return 0;
    j.room_id = mr->room_id;
    j.event_id = mr->room_id;
    j.sender = (char *)inviter;
    j.size = -1;
    j.outcome = -1;
    j.created_ms = now_ms();
    if (!bot_invite_allowed(b->cfg->allow_invites_from, b->cfg->n_allow, inviter)) {
        log_info("invite to '%s' from '%s' rejected: not in allow_invites_from",
                 mr->room_id, inviter);
        j.kind = BOTSTATE_REJECT;
    } else {
        /* Room v12 ids name no server: join via the inviter's. */
        const char *colon = strchr(inviter, ':');
        via = colon ? xstrdup(colon + 1) : NULL;
        j.text = via;
        j.kind = encrypted ? BOTSTATE_DECLINE : BOTSTATE_JOIN;
        log_info("invite to '%s' from '%s': %s", mr->room_id, inviter,
                 encrypted ? "encrypted, declining" : "joining");
        if (direct) {
            struct room *r = room_get(b, mr->room_id);
            r->direct = 1;
            r->dirty = 1;
        }
    }
    rc = add_job(b, &j, list, t);
    free(via);
    return rc;
}

/* Decide what one timeline message asks for; fills `j` (borrowing from
 * `ev`) and returns 1 when there is work, 0 when it is to be ignored. */
static int classify_message(struct bot *b, const struct room *r, const struct mx_event *ev,
                            struct botstate_job *j, char **text_out)
{
    struct bot_self self;
    /* A direct chat: marked so (is_direct invite, m.direct), or two
     * members in a room without a name. */
    int direct = r && (r->direct || (r->members == 2 && !r->named));
    char *text;

    *text_out = NULL;
    if (!ev->msgtype || !ev->body)
        return 0;
    if (bot_is_text_file(ev)) {
        if (ev->encrypted_file)
            return 0;
        j->kind = BOTSTATE_INGEST_FILE;
        j->url = ev->url;
        j->filename = ev->filename ? ev->filename : ev->body;
        j->size = ev->size;
        return 1;
    }
    if (strcmp(ev->msgtype, "m.text") && strcmp(ev->msgtype, "m.emote"))
        return 0;
    self.prefix = b->cfg->prefix;
    self.name = b->cfg->name;
    self.user_id = matrix_user_id(b->mx);
    self.display_name = b->display_name;
    text = ev->reply_to ? bot_strip_fallback_dup(ev->body) : xstrdup(ev->body);
    if (!(self.prefix && *self.prefix && !strncmp(text, self.prefix, strlen(self.prefix))) &&
        commands_looks_like_record(text, strlen(text))) {
        j->kind = BOTSTATE_INGEST_TEXT;
        *text_out = text;
        return 1;
    }
    free(text);
    text = bot_addressed_dup(&self, ev, direct);
    if (!text)
        return 0;
    j->kind = BOTSTATE_ANSWER;
    *text_out = text;
    return 1;
}

static int handle_joined(struct bot *b, const struct mx_room *mr, struct job **list,
                         uint64_t t, int64_t cutoff)
{
    const char *me = matrix_user_id(b->mx);
    struct room *r = room_get(b, mr->room_id);
    size_t skip_until = 0;
    int declined = 0;

    if (mr->joined_count >= 0 && mr->joined_count != r->members) {
        r->members = mr->joined_count;
        r->dirty = 1;
    }
    for (size_t i = 0; i < mr->n_state; i++)
        declined |= room_apply(b, r, &mr->state[i]);
    if (mr->limited && !b->initial)
        log_info("room '%s': gap in the timeline, older messages were not seen", mr->room_id);
    /* A room joined in this batch: nothing before our own join is for us. */
    for (size_t i = 0; i < mr->n_timeline; i++) {
        const struct mx_event *ev = &mr->timeline[i];
        if (!strcmp(ev->type, "m.room.member") && me && ev->state_key &&
            !strcmp(ev->state_key, me) && ev->membership && !strcmp(ev->membership, "join"))
            skip_until = i + 1;
    }
    for (size_t i = 0; i < mr->n_timeline; i++) {
        const struct mx_event *ev = &mr->timeline[i];
        struct botstate_job j = { 0 };
        char *text = NULL;
        int rc;

        declined |= room_apply(b, r, ev);
        if (strcmp(ev->type, "m.room.message"))
            continue;
        if (i < skip_until || (me && !strcmp(ev->sender, me)) || ev->redacted ||
            (ev->msgtype && !strcmp(ev->msgtype, "m.notice")) ||
            (ev->rel_type && !strcmp(ev->rel_type, "m.replace")))
            continue;
        rc = botstate_mark_handled(b->st, ev->event_id, now_ms());
        if (rc < 0)
            return -1;
        if (rc == 0 || b->initial || (ev->ts && ev->ts < cutoff) || r->encrypted)
            continue;
        if (!classify_message(b, r, ev, &j, &text))
            continue;
        j.room_id = mr->room_id;
        j.event_id = ev->event_id;
        j.sender = ev->sender;
        j.text = text ? text : j.text;
        if (j.kind != BOTSTATE_INGEST_FILE)
            j.size = -1;
        j.is_admin = room_is_admin(b, r, ev->sender);
        j.created_ms = ev->ts;
        j.outcome = -1;
        if (ev->rel_type && !strcmp(ev->rel_type, "m.thread"))
            j.thread_root = ev->rel_event_id;
        else if (j.kind != BOTSTATE_ANSWER && !ev->rel_type)
            j.thread_root = ev->event_id;       /* recaps go in a thread on the record */
        log_info("event '%s' in '%s' from '%s': %s", ev->event_id, mr->room_id, ev->sender,
                 j.kind == BOTSTATE_ANSWER ? "question" : "record");
        rc = add_job(b, &j, list, t);
        free(text);
        if (rc < 0)
            return -1;
    }
    if (declined && !has_job_for_room(b, mr->room_id, BOTSTATE_DECLINE)) {
        struct botstate_job j = { 0 };
        log_info("room '%s' is encrypted: declining", mr->room_id);
        j.kind = BOTSTATE_DECLINE;
        j.room_id = mr->room_id;
        j.event_id = mr->room_id;
        j.size = -1;
        j.outcome = -1;
        j.created_ms = now_ms();
        if (add_job(b, &j, list, t) < 0)
            return -1;
    }
    if (r->dirty && room_save(b, r) < 0)
        return -1;
    return 0;
}

static void free_job_list(struct job *list)
{
    while (list) {
        struct job *n = list->next;
        job_close(list);
        list = n;
    }
}

/* Turn one sync response into stored jobs, in one transaction with the
 * new token and the handled event ids. 0, or -1 (nothing changed). */
static int process_batch(struct bot *b, const struct mx_sync *s)
{
    uint64_t t = uv_hrtime();
    int64_t cutoff = b->started_ms - (int64_t)b->cfg->catchup_minutes * 60000;
    struct job *list = NULL;

    if (store_begin(b->st) < 0)
        return -1;
    for (size_t i = 0; i < s->n_rooms; i++) {
        const struct mx_room *mr = &s->rooms[i];
        int rc = 0;

        if (mr->membership == MX_INVITED)
            rc = handle_invite(b, mr, &list, t);
        else if (mr->membership == MX_JOINED)
            rc = handle_joined(b, mr, &list, t, cutoff);
        else {
            room_forget(b, mr->room_id);
            rc = botstate_room_delete(b->st, mr->room_id);
        }
        if (rc < 0)
            goto fail;
    }
    for (size_t i = 0; i < s->n_direct; i++) {
        struct room *r = room_find(b, s->direct[i]);
        if (r && !r->direct) {
            r->direct = 1;
            if (room_save(b, r) < 0)
                goto fail;
        }
    }
    for (struct room *r = b->rooms; r; r = r->next)
        if (r->dirty && room_save(b, r) < 0)
            goto fail;
    if (botstate_set(b->st, "next_batch", s->next_batch) < 0)
        goto fail;
    /* Handled ids only guard against replays: a week of them is plenty. */
    if (now_ms() - b->pruned_ms > 3600 * 1000) {
        if (botstate_prune_handled(b->st, now_ms() - HANDLED_KEEP_MS) < 0)
            goto fail;
        b->pruned_ms = now_ms();
    }
    if (store_commit(b->st) < 0)
        goto fail;
    /* The list was built newest first; queue in event order. */
    {
        struct job *rev = NULL;
        while (list) {
            struct job *n = list->next;
            list->next = rev;
            rev = list;
            list = n;
        }
        while (rev) {
            struct job *n = rev->next;
            rev->next = NULL;
            job_append(b, rev);
            rev = n;
        }
    }
    free(b->since);
    b->since = xstrdup(s->next_batch);
    return 0;
fail:
    store_rollback(b->st);
    free_job_list(list);
    return log_err("cannot store sync batch: will retry it");
}

/* ==== sync loop ======================================================== */

static void on_retry_timer(uv_timer_t *t)
{
    struct bot *b = container_of(t, struct bot, retry);

    if (b->stopping)
        return;
    if (b->phase == PH_RUN)
        sync_start(b);
    else
        phase_run(b);
}

static void retry_later(struct bot *b, uint64_t delay)
{
    if (b->stopping)
        return;
    uv_timer_start(&b->retry, on_retry_timer, delay, 0);
}

static void retry_backoff(struct bot *b, const char *what, const struct mx_err *e)
{
    uint64_t d;

    if (e->kind == MX_RATE)
        d = (uint64_t)e->retry_after_ms;
    else
        d = backoff_ms(b->retry_attempt++, SYNC_BACKOFF_BASE_MS, SYNC_BACKOFF_CAP_MS);
    log_warn("%s failed: %s%s%s; retrying in %llu ms", what, e->errcode,
             e->errcode[0] ? " " : "", e->error, (unsigned long long)d);
    retry_later(b, d);
}

static void on_sync(const struct mx_err *e, struct mx_sync *s, void *arg)
{
    struct bot *b = arg;

    if (e->kind == MX_CANCELLED || b->stopping)
        return;
    if (e->kind == MX_AUTH) {
        b->sync_wants_auth = 1;
        auth_lost(b);
        return;
    }
    if (e->kind != MX_OK) {
        if (e->kind == MX_FAIL && b->filter && b->filter[0] != '{') {
            /* The server may have lost the filter: sync with it inline. */
            log_warn("sync refused (%s): using an inline filter", e->errcode);
            free(b->filter);
            b->filter = xstrdup(MATRIX_FILTER_JSON);
            botstate_set(b->st, "filter_id", NULL);
        }
        b->first_sync = 1;      /* after a failure, come back with timeout=0 */
        retry_backoff(b, "sync", e);
        return;
    }
    if (process_batch(b, s) < 0) {
        struct mx_err fe = { .kind = MX_RETRY, .retry_after_ms = -1 };
        snprintf(fe.error, sizeof(fe.error), "database write failed");
        retry_backoff(b, "sync", &fe);
        return;
    }
    if (b->retry_attempt)
        log_info("sync is back");
    if (b->initial)
        log_info("initial sync done: answering from now on");
    b->retry_attempt = 0;
    b->first_sync = 0;
    b->initial = 0;
    pump(b);
    sync_start(b);
}

static void sync_start(struct bot *b)
{
    if (b->stopping || matrix_syncing(b->mx))
        return;
    if (b->relogin) {
        b->sync_wants_auth = 1;     /* resumed by the new login */
        return;
    }
    if (matrix_sync(b->mx, b->filter, b->since, b->first_sync ? 0 : SYNC_TIMEOUT_MS,
                    on_sync, b) < 0) {
        struct mx_err e = { .kind = MX_RETRY, .retry_after_ms = -1 };
        snprintf(e.error, sizeof(e.error), "cannot start request");
        retry_backoff(b, "sync", &e);
    }
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
            sync_start(b);
        }
        return;
    }
    if (e->kind == MX_RETRY || e->kind == MX_RATE) {
        uint64_t d = e->kind == MX_RATE ? (uint64_t)e->retry_after_ms :
                     backoff_ms(b->retry_attempt++, SYNC_BACKOFF_BASE_MS, SYNC_BACKOFF_CAP_MS);
        log_warn("login failed: %s; retrying in %llu ms", e->error, (unsigned long long)d);
        b->relogin = 0;
        b->sync_wants_auth = 1;
        /* The retry timer restarts sync, which finds the token gone again. */
        b->phase = PH_AUTH;
        retry_later(b, d);
        return;
    }
    log_err("login as '%s' refused: %s %s", b->cfg->user_id, e->errcode, e->error);
    bot_stop(b, 1);
}

static void auth_lost(struct bot *b)
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
        retry_backoff(b, "homeserver versions", e);
        return;
    }
    log_info("homeserver '%s' reached; authenticated media: %s", b->cfg->homeserver,
             matrix_authed_media(b->mx) ? "yes" : "no");
    b->retry_attempt = 0;
    b->phase = PH_AUTH;
    phase_run(b);
}

static void on_login(const struct mx_err *e, void *arg)
{
    struct bot *b = arg;

    if (e->kind == MX_CANCELLED || b->stopping)
        return;
    if (e->kind == MX_RETRY || e->kind == MX_RATE) {
        retry_backoff(b, "login", e);
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
    phase_run(b);
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
        retry_backoff(b, "whoami", e);
        return;
    }
    if (b->cfg->user_id && strcmp(b->cfg->user_id, user_id))
        log_warn("the access token belongs to '%s', not to user_id '%s'", user_id,
                 b->cfg->user_id);
    log_info("signed in as '%s' (device '%s')", user_id,
             matrix_device_id(b->mx) ? matrix_device_id(b->mx) : "?");
    b->retry_attempt = 0;
    b->phase = PH_FILTER;
    phase_run(b);
}

static void on_filter(const struct mx_err *e, const char *filter_id, void *arg)
{
    struct bot *b = arg;
    char key[64];

    if (e->kind == MX_CANCELLED || b->stopping)
        return;
    if (e->kind == MX_RETRY || e->kind == MX_RATE) {
        retry_backoff(b, "filter creation", e);
        return;
    }
    if (e->kind == MX_AUTH) {
        auth_lost(b);
        b->phase = PH_FILTER;
        retry_later(b, 2000);
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
    phase_run(b);
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
            job_append(b, job_new(b, &jobs[i]));
        botstate_jobs_free(jobs, n);
    }
    b->first_sync = 1;
    pump(b);
    sync_start(b);
}

static void phase_run(struct bot *b)
{
    const struct config *cfg = b->cfg;

    switch (b->phase) {
    case PH_VERSIONS:
        if (matrix_versions(b->mx, on_versions, b) < 0)
            retry_later(b, 1000);
        return;
    case PH_AUTH: {
        char *tok = NULL, *uid = NULL, *dev = NULL;

        if (b->relogin)
            return;
        if (b->sync_wants_auth) {
            /* A re-login that failed on the network: try it again. */
            auth_lost(b);
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
            retry_later(b, 1000);
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
            phase_run(b);
            return;
        }
        free(id);
        free(key);
        if (matrix_filter(b->mx, MATRIX_FILTER_JSON, on_filter, b) < 0)
            retry_later(b, 1000);
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

static void finish(struct bot *b)
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
        job_close(jb);
    }
    uv_close((uv_handle_t *)&b->retry, on_closed_noop);
    uv_close((uv_handle_t *)&b->grace, on_closed_noop);
    uv_close((uv_handle_t *)&b->sigint, on_closed_noop);
    uv_close((uv_handle_t *)&b->sigterm, on_closed_noop);
}

static void on_grace(uv_timer_t *t)
{
    struct bot *b = container_of(t, struct bot, grace);

    if (jobs_inflight(b))
        log_warn("shutting down with replies still in flight: they will be resent");
    finish(b);
}

static void bot_stop(struct bot *b, int code)
{
    if (b->stopping) {
        if (code && !b->exit_code)
            b->exit_code = code;
        return;
    }
    b->stopping = 1;
    b->exit_code = code;
    uv_timer_stop(&b->retry);
    matrix_sync_cancel(b->mx);
    for (struct job *jb = b->jobs; jb; jb = jb->next)
        if (jb->waiting) {
            uv_timer_stop(&jb->timer);
            jb->waiting = 0;
        }
    if (!jobs_inflight(b)) {
        finish(b);
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
        finish(b);
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
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    srandom((unsigned)(time(NULL) ^ getpid()));

    b = xcalloc(1, sizeof(*b));
    b->cfg = cfg;
    b->st = st;
    b->started_ms = now_ms();
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
    uv_signal_init(&b->loop, &b->sigint);
    uv_signal_init(&b->loop, &b->sigterm);
    b->sigint.data = b->sigterm.data = b;
    uv_signal_start(&b->sigint, on_signal, SIGINT);
    uv_signal_start(&b->sigterm, on_signal, SIGTERM);

    b->since = botstate_get_dup(st, "next_batch");
    b->initial = b->since == NULL;
    if (b->initial)
        log_info("first start: joining pending invites, answering nothing from history");
    rooms_load(b);

    b->phase = PH_VERSIONS;
    phase_run(b);
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
        room_free(r);
    }
    free(b->since);
    free(b->filter);
    free(b->display_name);
    free(b);
    log_info("stopped");
    return code;
}
