/* commands/cmd_said.c -- "what did Mark Carvell say about the leadership
 * panel?": the turns of one person on a topic, best first, each with its
 * meeting and an exact quote. */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAID_MAX 5
#define SAID_QUOTE_MAX 200

static const char *const joins[] = { " say about ", " said about ", " say on ", " said on ",
                                     " say regarding ", " said regarding ", " say of ",
                                     " think about ", " say", " said" };

static int said_match(struct cmd_q *q)
{
    static const char *const starts[] = { "what did ", "what has ", "what had ", "what does ",
                                          "what else did " };
    size_t i, j;

    for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
        size_t n = strlen(starts[i]);
        const char *rest = q->lower + n;

        if (strncmp(q->lower, starts[i], n))
            continue;
        for (j = 0; j < sizeof(joins) / sizeof(joins[0]); j++) {
            const char *hit = strstr(rest, joins[j]);
            size_t jl = strlen(joins[j]);

            if (!hit || hit == rest)
                continue;
            if (hit[jl] != '\0' && hit[jl - 1] != ' ' && hit[jl] != ' ')
                continue;
            q->arg1 = xstrndup(q->text + n, (size_t)(hit - rest));
            q->arg2 = xstrdup(q->text + (hit - q->lower) + jl);
            return 1;
        }
    }
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
    spec = cmd_split_meeting(topic);
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
    if (frc != 0) {
        rt_printf(q, "I know nobody called \"%s\" in my records. Try: who attended latest", who);
        rt_nl(q);
        goto out;
    }
    tp = store_topic_new(st, t);
    cmd_results_new(q);
    if (store_topic_empty(tp)) {
        /* No topic: their most substantial turns. */
        if (store_search(st, "", mid, pid, SAID_MAX, &h, &n) < 0) {
            rc = cmd_store_error(q);
            goto out;
        }
        rt_printf(q, "About what? Ask e.g.: what did %s say about the main session", name);
        rt_nl(q);
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
    for (i = 0; i < n; i++) {
        char *ref = cmd_meeting_ref_dup(st, h[i].meeting_id, 1);
        int cs = 0, ce = 0;
        char *quote = store_excerpt_dup(h[i].text, tp, SAID_QUOTE_MAX, &cs, &ce);

        rt_item(q, " \u2022 ");
        rt_text(q, ref);
        rt_text(q, ": ");
        rt_quote(q, quote, cs, ce);
        rt_item_end(q);
        if (q->results) {
            char *label = cmd_meeting_ref_dup(st, h[i].meeting_id, 0);
            cJSON *o = cJSON_CreateObject();

            cJSON_AddStringToObject(o, "meeting", label);
            cJSON_AddNumberToObject(o, "meeting_id", (double)h[i].meeting_id);
            cJSON_AddStringToObject(o, "speaker", name);
            cJSON_AddStringToObject(o, "quote", quote);
            cJSON_AddItemToArray(q->results, o);
            free(label);
        }
        free(quote);
        free(ref);
    }
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
    .usage = "what did NAME say about TOPIC",
    .help = "what one person said on a topic, with quotes",
    .match = said_match,
    .run = said_run,
};
