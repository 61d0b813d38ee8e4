/* bot/bot_sync.c -- one sync response into stored jobs: invites, messages
 * addressed to scribe, records; the batch, its token and the handled ids in
 * one transaction. Then the next long-poll. */
#include "bot_int.h"
#include "bot.h"
#include "config.h"
#include "../storage/log.h"
#include "matrix.h"
#include "../storage/botstate.h"
#include "../storage/store.h"
#include "../storage/util.h"

#include <stdlib.h>
#include <string.h>

#include "../commands/commands.h"

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
    jb = bot_job_new(b, j);
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
    j.created_ms = bot_now_ms();
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
            struct room *r = bot_room_get(b, mr->room_id);
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

/* One m.room.message of a joined room (from a sync or read back): mark it
 * handled and, when it asks something of scribe and is recent enough,
 * queue its job on `list`. 0, or -1 when the store failed. */
static int handle_message(struct bot *b, struct room *r, const struct mx_event *ev,
                          struct job **list, uint64_t t, int64_t cutoff)
{
    const char *me = matrix_user_id(b->mx);
    struct botstate_job j = { 0 };
    char *text = NULL;
    int rc;

    if (!ev->event_id || !ev->sender || (me && !strcmp(ev->sender, me)) || ev->redacted ||
        (ev->msgtype && !strcmp(ev->msgtype, "m.notice")) ||
        (ev->rel_type && !strcmp(ev->rel_type, "m.replace")))
        return 0;
    rc = botstate_mark_handled(b->st, ev->event_id, bot_now_ms());
    if (rc < 0)
        return -1;
    if (rc == 0 || b->initial || (ev->ts && ev->ts < cutoff) || r->encrypted)
        return 0;
    if (!classify_message(b, r, ev, &j, &text))
        return 0;
    j.room_id = r->room_id;
    j.event_id = ev->event_id;
    j.sender = ev->sender;
    j.text = text ? text : j.text;
    if (j.kind != BOTSTATE_INGEST_FILE)
        j.size = -1;
    j.is_admin = bot_room_is_admin(b, r, ev->sender);
    j.created_ms = ev->ts;
    j.outcome = -1;
    if (ev->rel_type && !strcmp(ev->rel_type, "m.thread"))
        j.thread_root = ev->rel_event_id;
    else if (j.kind != BOTSTATE_ANSWER && !ev->rel_type)
        j.thread_root = ev->event_id;       /* recaps go in a thread on the record */
    log_info("event '%s' in '%s' from '%s': %s", ev->event_id, r->room_id, ev->sender,
             j.kind == BOTSTATE_ANSWER ? "question" : "record");
    rc = add_job(b, &j, list, t);
    free(text);
    return rc;
}

static int handle_joined(struct bot *b, const struct mx_room *mr, struct job **list,
                         uint64_t t, int64_t cutoff)
{
    const char *me = matrix_user_id(b->mx);
    struct room *r = bot_room_get(b, mr->room_id);
    size_t skip_until = 0;
    int declined = 0;

    if (mr->joined_count >= 0 && mr->joined_count != r->members) {
        r->members = mr->joined_count;
        r->dirty = 1;
    }
    for (size_t i = 0; i < mr->n_state; i++)
        declined |= bot_room_apply(b, r, &mr->state[i]);
    if (mr->limited && !b->initial)
        log_info("room '%s': gap in the timeline: reading it back", mr->room_id);
    /* A room joined in this batch: nothing before our own join is for us. */
    for (size_t i = 0; i < mr->n_timeline; i++) {
        const struct mx_event *ev = &mr->timeline[i];
        if (!strcmp(ev->type, "m.room.member") && me && ev->state_key &&
            !strcmp(ev->state_key, me) && ev->membership && !strcmp(ev->membership, "join"))
            skip_until = i + 1;
    }
    if (mr->limited && !b->initial && mr->prev_batch &&
        !has_job_for_room(b, mr->room_id, BOTSTATE_BACKFILL)) {
        /* Read the gap back from the homeserver before this batch's
         * messages: what was asked in it is answered too, in order. */
        struct botstate_job j = { 0 };

        j.kind = BOTSTATE_BACKFILL;
        j.room_id = mr->room_id;
        j.event_id = mr->room_id;
        j.text = mr->prev_batch;
        j.size = -1;
        j.outcome = -1;
        j.created_ms = bot_now_ms();
        if (add_job(b, &j, list, t) < 0)
            return -1;
    }
    for (size_t i = 0; i < mr->n_timeline; i++) {
        const struct mx_event *ev = &mr->timeline[i];

        declined |= bot_room_apply(b, r, ev);
        if (strcmp(ev->type, "m.room.message") || i < skip_until)
            continue;
        if (handle_message(b, r, ev, list, t, cutoff) < 0)
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
        j.created_ms = bot_now_ms();
        if (add_job(b, &j, list, t) < 0)
            return -1;
    }
    if (r->dirty && bot_room_save(b, r) < 0)
        return -1;
    return 0;
}

static void free_job_list(struct job *list)
{
    while (list) {
        struct job *n = list->next;
        bot_job_close(list);
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
            bot_room_forget(b, mr->room_id);
            rc = botstate_room_delete(b->st, mr->room_id);
        }
        if (rc < 0)
            goto fail;
    }
    for (size_t i = 0; i < s->n_direct; i++) {
        struct room *r = bot_room_find(b, s->direct[i]);
        if (r && !r->direct) {
            r->direct = 1;
            if (bot_room_save(b, r) < 0)
                goto fail;
        }
    }
    for (struct room *r = b->rooms; r; r = r->next)
        if (r->dirty && bot_room_save(b, r) < 0)
            goto fail;
    if (botstate_set(b->st, "next_batch", s->next_batch) < 0)
        goto fail;
    /* Handled ids only guard against replays: a week of them is plenty. */
    if (bot_now_ms() - b->pruned_ms > 3600 * 1000) {
        if (botstate_prune_handled(b->st, bot_now_ms() - HANDLED_KEEP_MS) < 0)
            goto fail;
        b->pruned_ms = bot_now_ms();
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
            bot_job_append(b, rev);
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

/* ==== reading a gap back ============================================== */

int bot_sync_backfill(struct bot *b, struct job *bf, const struct mx_page *p, int *more)
{
    int64_t cutoff = b->started_ms - (int64_t)b->cfg->catchup_minutes * 60000;
    struct room *r = bot_room_get(b, bf->j.room_id);
    struct job *list = NULL;
    uint64_t t = uv_hrtime();
    int older = 0;

    *more = 0;
    if (store_begin(b->st) < 0)
        return -1;
    /* Newest first: stop at the first message older than the window. */
    for (size_t i = 0; i < p->n && !older; i++) {
        const struct mx_event *ev = &p->events[i];

        if (!ev->type || strcmp(ev->type, "m.room.message"))
            continue;
        if (ev->ts && ev->ts < cutoff) {
            older = 1;
            continue;
        }
        if (handle_message(b, r, ev, &list, t, cutoff) < 0)
            goto fail;
    }
    *more = !older && p->n > 0 && p->end != NULL;
    if (botstate_job_set_text(b->st, bf->j.id, *more ? p->end : NULL) < 0)
        goto fail;
    if (store_commit(b->st) < 0)
        goto fail;
    free(bf->j.text);
    bf->j.text = *more ? xstrdup(p->end) : NULL;
    /* `list` is oldest first (the page was newest first): queue them right
     * after the backfill, before the batch that showed the gap. */
    {
        struct job *at = bf;

        while (list) {
            struct job *n = list->next;
            list->next = at->next;
            at->next = list;
            at = list;
            list = n;
        }
    }
    return 0;
fail:
    store_rollback(b->st);
    free_job_list(list);
    return log_err("cannot store the messages read back in '%s': will retry", bf->j.room_id);
}

/* ==== sync loop ======================================================== */

static void on_retry_timer(uv_timer_t *t)
{
    struct bot *b = container_of(t, struct bot, retry);

    if (b->stopping)
        return;
    if (b->phase == PH_RUN)
        bot_sync_start(b);
    else
        bot_phase_run(b);
}

void bot_retry_later(struct bot *b, uint64_t delay)
{
    if (b->stopping)
        return;
    uv_timer_start(&b->retry, on_retry_timer, delay, 0);
}

void bot_retry_backoff(struct bot *b, const char *what, const struct mx_err *e)
{
    uint64_t d;

    if (e->kind == MX_RATE)
        d = (uint64_t)e->retry_after_ms;
    else
        d = bot_backoff_ms(b->retry_attempt++, SYNC_BACKOFF_BASE_MS, SYNC_BACKOFF_CAP_MS);
    log_warn("%s failed: %s%s%s; retrying in %llu ms", what, e->errcode,
             e->errcode[0] ? " " : "", e->error, (unsigned long long)d);
    bot_retry_later(b, d);
}

static void on_sync(const struct mx_err *e, struct mx_sync *s, void *arg)
{
    struct bot *b = arg;

    if (e->kind == MX_CANCELLED || b->stopping)
        return;
    if (e->kind == MX_AUTH) {
        b->sync_wants_auth = 1;
        bot_auth_lost(b);
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
        bot_retry_backoff(b, "sync", e);
        return;
    }
    if (process_batch(b, s) < 0) {
        struct mx_err fe;

        if (b->ingesting) {
            /* The record's transaction holds the database: the batch is
             * fetched again, with the same token, once it is stored. */
            log_info("sync batch waits for the record being read");
            b->sync_after_ingest = 1;
            return;
        }
        memset(&fe, 0, sizeof(fe));
        fe.kind = MX_RETRY;
        fe.retry_after_ms = -1;
        snprintf(fe.error, sizeof(fe.error), "database write failed");
        bot_retry_backoff(b, "sync", &fe);
        return;
    }
    if (b->retry_attempt)
        log_info("sync is back");
    if (b->initial) {
        log_info("initial sync done: answering from now on");
        bot_rest_soon(b);
    }
    b->retry_attempt = 0;
    b->first_sync = 0;
    b->initial = 0;
    bot_pump(b);
    bot_sync_start(b);
}

void bot_sync_start(struct bot *b)
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
        bot_retry_backoff(b, "sync", &e);
    }
}

