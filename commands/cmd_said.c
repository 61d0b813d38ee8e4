/* commands/cmd_said.c -- "what did Mark Carvell say about the leadership
 * panel?", "what did Sorina report at #62?": the turns of one person on a
 * topic, best first, each with its meeting and an exact quote. */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAID_MAX 5
#define SAID_QUOTE_MAX 200

static const char *const joins[] = { " say about ", " said about ", " say on ", " said on ",
                                     " say regarding ", " said regarding ", " say of ",
                                     " think about ", " say", " said" };

/* Other ways of saying something ("what did Sorina report at #62?",
 * "what did Mark propose about the panel?"), each with these tails; tried
 * after "say", so that "say" wins in "what did the report say about X". */
static const char *const verbs[] = {
    "report", "reported", "propose", "proposed", "suggest", "suggested", "mention", "mentioned",
    "present", "presented", "explain", "explained", "talk", "talked", "share", "shared",
    "comment", "commented", "tell us", "told us", "contribute", "contributed", "ask", "asked",
};
static const char *const tails[] = { " about ", " on ", " regarding ", "" };

/* Where `join` (" say about ", " report") is in rest: a whole word, not
 * at the start (a name comes first). Sets q's name and the rest. */
static int said_split(struct cmd_q *q, size_t n, const char *join)
{
    const char *rest = q->lower + n, *hit = strstr(rest, join);
    size_t jl = strlen(join);

    if (!hit || hit == rest)
        return 0;
    if (hit[jl] != '\0' && hit[jl - 1] != ' ' && hit[jl] != ' ')
        return 0;
    q->arg1 = xstrndup(q->text + n, (size_t)(hit - rest));
    q->arg2 = xstrdup(q->text + (hit - q->lower) + jl);
    return 1;
}

static int said_match(struct cmd_q *q)
{
    static const char *const starts[] = { "what did ", "what has ", "what had ", "what does ",
                                          "what else did " };
    char join[48];
    size_t i, j, k;

    for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
        size_t n = strlen(starts[i]);

        if (strncmp(q->lower, starts[i], n))
            continue;
        for (j = 0; j < sizeof(joins) / sizeof(joins[0]); j++)
            if (said_split(q, n, joins[j]))
                return 1;
        for (j = 0; j < sizeof(verbs) / sizeof(verbs[0]); j++)
            for (k = 0; k < sizeof(tails) / sizeof(tails[0]); k++) {
                snprintf(join, sizeof(join), " %s%s", verbs[j], tails[k]);
                if (said_split(q, n, join))
                    return 1;
            }
    }
    return 0;
}

/* One quoted turn of `name` (and its JSON result). */
static void said_line(struct cmd_q *q, const struct store_hit *h, const char *name,
                      const struct store_topic *tp, int with_ref)
{
    struct store *st = q->ctx->st;
    int cs = 0, ce = 0;
    char *quote = store_excerpt_dup(h->text, tp, SAID_QUOTE_MAX, &cs, &ce);

    rt_item(q, " \u2022 ");
    if (with_ref) {
        char *ref = cmd_meeting_ref_dup(st, h->meeting_id, 1);

        rt_text(q, ref);
        rt_text(q, ": ");
        free(ref);
    }
    rt_quote(q, quote, cs, ce);
    rt_item_end(q);
    if (q->results) {
        char *label = cmd_meeting_ref_dup(st, h->meeting_id, 0);
        cJSON *o = cJSON_CreateObject();

        cJSON_AddStringToObject(o, "meeting", label);
        cJSON_AddNumberToObject(o, "meeting_id", (double)h->meeting_id);
        cJSON_AddStringToObject(o, "speaker", name);
        cJSON_AddStringToObject(o, "quote", quote);
        cJSON_AddItemToArray(q->results, o);
        free(label);
    }
    free(quote);
}

/* "what did Jutta say at the last meeting?": their longest turns there. */
static int said_longest(struct cmd_q *q, int64_t pid, const char *name, int64_t mid)
{
    struct store_hit *h = NULL;
    char *ref;
    int n = 0, i;

    if (store_person_turns(q->ctx->st, pid, mid, SAID_MAX, &h, &n) < 0)
        return cmd_store_error(q);
    if (n == 0) {
        if (mid) {
            char *label = cmd_meeting_ref_dup(q->ctx->st, mid, 0);

            ref = cmd_meeting_ref_dup(q->ctx->st, mid, 1);
            rt_printf(q, "%s did not speak at %s, as far as my records say. Try: who attended %s",
                      name, ref, label);
            free(label);
            free(ref);
        } else {
            rt_printf(q, "%s never speaks in my records. Try: attendance %s", name, name);
        }
        rt_nl(q);
        return 0;
    }
    ref = cmd_meeting_ref_dup(q->ctx->st, h[0].meeting_id, 1);
    rt_bold(q, name);
    if (n < SAID_MAX)
        rt_printf(q, " at %s (%d turn%s):", ref, n, n == 1 ? "" : "s");
    else
        rt_printf(q, " at %s, their %d longest turns:", ref, n);
    rt_nl(q);
    free(ref);
    rt_list_begin(q);
    for (i = 0; i < n; i++)
        said_line(q, &h[i], name, NULL, 0);
    rt_list_end(q);
    rt_printf(q, "On one topic: what did %s say about \u2026", name);
    rt_nl(q);
    store_hits_free(h, n);
    return 0;
}

static int said_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    char *who = cmd_trim(q->arg1), *topic = xstrdup(q->arg2), *spec, *t, *name = NULL;
    struct store_topic *tp = NULL;
    struct store_hit *h = NULL;
    int64_t pid = 0, mid = 0;
    int n = 0, i, rc = 0, frc;

    snprintf(q->reply->kind, sizeof(q->reply->kind), "said");
    spec = cmd_split_meeting(topic, 1);
    t = cmd_trim(topic);
    if (spec) {
        int mrc = cmd_meeting(q, spec, &mid);

        if (mrc != 0) {
            rc = mrc == -1 ? -1 : 0;
            goto out;
        }
    }
    frc = store_person_find(st, who, &pid, &name);
    if (frc == -1) {
        rc = cmd_store_error(q);
        goto out;
    }
    if (frc != 0 && *t) {
        /* "what did the report say about privacy?": not a person, so what
         * the records say about the topic */
        rt_printf(q, "I know nobody called \"%s\" in my records.", who);
        rt_nl(q);
        q->flag = 0;
        q->args = t;
        rc = cmd_search.run(q);
        goto out;
    }
    if (frc != 0) {
        rt_printf(q, "I know nobody called \"%s\" in my records. Try: who attended latest", who);
        rt_nl(q);
        goto out;
    }
    tp = store_topic_new(st, t);
    cmd_results_new(q);
    if (store_topic_empty(tp)) {
        /* No topic: their longest turns at the meeting (the newest where
         * they spoke when none is named). */
        rc = said_longest(q, pid, name, mid);
        goto out;
    }
    if (store_said(st, pid, tp, mid, SAID_MAX, &h, &n) < 0) {
        rc = cmd_store_error(q);
        goto out;
    }
    if (n == 0) {
        rt_printf(q, "I found nothing %s said about \"%s\". Try: search %s", name, t,
                  store_topic_words(tp));
        rt_nl(q);
        goto out;
    }
    rt_bold(q, name);
    rt_printf(q, " on \"%s\":", t);
    rt_nl(q);
    rt_list_begin(q);
    for (i = 0; i < n; i++)
        said_line(q, &h[i], name, tp, 1);
    rt_list_end(q);
out:
    store_hits_free(h, n);
    store_topic_free(tp);
    free(name);
    free(spec);
    free(topic);
    return rc;
}

const struct command cmd_said = {
    .name = "said",
    .usage = "what did NAME say [about TOPIC] [at #66]",
    .help = "what one person said on a topic, with quotes",
    .match = said_match,
    .run = said_run,
};
