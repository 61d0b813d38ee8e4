/* commands/warm.c -- getting a long-running process ready to answer:
 * the questions people ask most (who raised, open actions, recap,
 * decisions, search) asked once about the newest meeting and thrown
 * away, so that SQLite's statements are prepared and the code is paged in
 * before the first real question instead of inside it. Nothing is
 * written and nothing answered is kept (store_forget_kept()). */
#include "commands.h"
#include "../storage/store.h"

#include <stdio.h>
#include <string.h>

/* A short topic from an agenda item or title: its first three words,
 * without punctuation that would make it a command of its own. */
static void topic_from(const char *text, char *out, size_t outlen)
{
    size_t n = 0;
    int words = 0, in_word = 0;

    for (; *text && n + 1 < outlen; text++) {
        unsigned char ch = (unsigned char)*text;

        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == ',' || ch == ';' || ch == ':' ||
            ch == '"' || ch == '?' || ch == '(' || ch == ')') {
            if (in_word && ++words == 3)
                break;
            if (in_word)
                out[n++] = ' ';
            in_word = 0;
            continue;
        }
        out[n++] = (char)ch;
        in_word = 1;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static void ask(const struct cmd_ctx *ctx, const char *q)
{
    struct cmd_reply r;

    cmd_reply_init(&r);
    commands_answer(ctx, q, &r);
    cmd_reply_release(&r);
}

int commands_warm_up(struct store *st, int64_t now)
{
    struct cmd_ctx ctx;
    struct store_item *agenda = NULL;
    struct store_action *acts = NULL;
    struct store_action_filter f;
    struct store_meeting m;
    int64_t id = 0;
    int n_agenda = 0, n_acts = 0, total = 0, rc = -1;
    char topic[96] = "", q[160];

    memset(&ctx, 0, sizeof(ctx));
    ctx.st = st;
    ctx.user = "";
    ctx.now = now;
    if (store_begin(st) < 0)
        return -1;
    if (store_meeting_find(st, "", &id) != 0) {
        rc = 0;                 /* nothing stored yet: nothing to get ready for */
        goto cleanup;
    }
    if (store_meeting_agenda(st, id, &agenda, &n_agenda) == 0 && n_agenda > 0 && agenda[0].text)
        topic_from(agenda[0].text, topic, sizeof(topic));
    if (!topic[0] && store_meeting_get(st, id, &m) == 0) {
        if (m.title)
            topic_from(m.title, topic, sizeof(topic));
        store_meeting_release(&m);
    }
    ask(&ctx, "recap");
    if (topic[0]) {
        snprintf(q, sizeof(q), "who raised %s?", topic);
        ask(&ctx, q);
        snprintf(q, sizeof(q), "what was decided about %s?", topic);
        ask(&ctx, q);
        snprintf(q, sizeof(q), "search %s", topic);
        ask(&ctx, q);
    }
    memset(&f, 0, sizeof(f));
    f.status = STORE_ACT_ALL;   /* an owner, whether or not their action is done */
    f.meeting_id = id;          /* counting every open action would read them all */
    f.limit = 1;
    if (store_actions_page(st, &f, &acts, &n_acts, &total) == 0 && n_acts > 0 &&
        acts[0].n_owners > 0) {
        snprintf(q, sizeof(q), "open actions for %s", acts[0].owners[0]);
        ask(&ctx, q);
    }
    rc = 0;
cleanup:
    store_items_free(agenda, n_agenda);
    store_actions_free(acts, n_acts);
    store_rollback(st);
    store_forget_kept(st);
    return rc;
}
