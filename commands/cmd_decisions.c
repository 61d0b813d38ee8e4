/* commands/cmd_decisions.c -- "what was decided about the main session?",
 * "decisions #66", "where are we on the survey?": decisions with their
 * meeting, speaker and quote, and the key points and actions on it. */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DECISIONS_SHOWN 12

static int decisions_match(struct cmd_q *q)
{
    static const char *const leads[] = {
        "what was decided about", "what was decided on", "what was decided", "what did we decide about",
        "what did we decide on", "what did we decide", "what have we decided about",
        "what has been decided about", "what was agreed about", "what was agreed on",
        "what was agreed", "what did we agree about", "what did we agree on", "what did we agree",
        "what were the decisions about", "what were the decisions", "were there any decisions",
        "any decisions", "what decisions were made", "what decisions did we make",
        "which decisions", "list all decisions", "list the decisions", "list decisions",
        "show me the decisions", "show the decisions", "show decisions", "all decisions",
        "latest decisions", "recent decisions", "decisions about",
        "decisions on", "decisions", "decision", "decided", "agreed",
    };
    /* What came of a topic or meeting: its decisions, key points and
     * actions; with none of them, what was said of it last. */
    static const char *const status[] = {
        "what was the outcome of", "what were the outcomes of", "what was the result of",
        "what came out of", "the outcome of", "outcome of", "outcomes of",
        "where are we on", "where are we with", "where do we stand on", "where do we stand with",
        "what's the status of", "what is the status of", "status of", "what's the latest on",
        "what is the latest on", "the latest on", "latest on", "any update on", "any updates on",
        "updates on", "update on", "any progress on", "progress on", "any news on", "news on",
    };
    size_t i;

    for (i = 0; i < sizeof(leads) / sizeof(leads[0]); i++)
        if (cmd_starts(q, leads[i]))
            return 1;
    for (i = 0; i < sizeof(status) / sizeof(status[0]); i++)
        if (cmd_starts(q, status[i])) {
            q->flag = 's';
            return 1;
        }
    return 0;
}

/* The names of the meetings one answer's lines give, each read once:
 * the lines of an answer name the same few meetings again and again. */
struct refs {
    struct ref {
        int64_t meeting_id;
        int with_date;
        char *text;
    } *v;
    int n;
};

/* cmd_meeting_ref_dup()'s name for the meeting, borrowed from r. */
static const char *ref_get(struct refs *r, struct store *st, int64_t meeting_id, int with_date)
{
    int i;

    for (i = 0; i < r->n; i++)
        if (r->v[i].meeting_id == meeting_id && r->v[i].with_date == with_date)
            return r->v[i].text;
    r->v = xrealloc(r->v, sizeof(*r->v) * (size_t)(r->n + 1));
    r->v[r->n].meeting_id = meeting_id;
    r->v[r->n].with_date = with_date;
    r->v[r->n].text = cmd_meeting_ref_dup(st, meeting_id, with_date);
    return r->v[r->n++].text;
}

static void refs_release(struct refs *r)
{
    int i;

    for (i = 0; i < r->n; i++)
        free(r->v[i].text);
    free(r->v);
}

/* The newest meetings of the first `n` items, once each, in order (at
 * most CONTEXT_MEETINGS), plus `mid` when one was asked for: those whose
 * decisions and actions are also read for references to the topic. */
#define CONTEXT_MEETINGS 3

static int shown_meetings(const struct store_item *v, int n, int64_t mid, int64_t *out)
{
    int i, k, m = 0;

    if (mid)
        out[m++] = mid;
    for (i = 0; i < n && i < DECISIONS_SHOWN && m < CONTEXT_MEETINGS; i++) {
        for (k = 0; k < m && out[k] != v[i].meeting_id; k++)
            ;
        if (k == m)
            out[m++] = v[i].meeting_id;
    }
    return m;
}

/* Decisions of the shown meetings that are on the topic by what was said
 * just before them ("put it on the agenda of the next call"), each placed
 * after its meeting's others. */
static int with_context(struct store *st, const struct store_topic *tp, const int64_t *mids,
                        int nm, struct store_item **v, int *n)
{
    struct store_item *all = NULL;
    int na = 0, i, k, j;

    for (k = 0; k < nm; k++) {
        struct store_item *c = NULL;
        int nc = 0;

        for (i = 0; i < *n; i++)
            if ((*v)[i].meeting_id == mids[k]) {
                all = xrealloc(all, sizeof(*all) * (size_t)(na + 1));
                all[na++] = (*v)[i];
            }
        if (store_items_in_context(st, STORE_DECISION, mids[k], tp, &c, &nc) < 0) {
            store_items_free(c, nc);
            free(all);          /* its items are still *v's */
            return -1;
        }
        for (j = 0; j < nc; j++) {
            all = xrealloc(all, sizeof(*all) * (size_t)(na + 1));
            all[na++] = c[j];
        }
        free(c);                /* the items moved into `all` */
    }
    for (i = 0; i < *n; i++) {
        for (k = 0; k < nm && mids[k] != (*v)[i].meeting_id; k++)
            ;
        if (k == nm) {          /* a meeting past the shown ones */
            all = xrealloc(all, sizeof(*all) * (size_t)(na + 1));
            all[na++] = (*v)[i];
        }
    }
    free(*v);
    *v = all;
    *n = na;
    return 0;
}

/* What else the records say on the topic: key points of summary reports
 * and the actions it led to (both also in the JSON results). */
static void related(struct cmd_q *q, const char *topic, const struct store_topic *tp,
                    int64_t mid, const int64_t *mids, int nm, struct refs *refs)
{
    struct store *st = q->ctx->st;
    struct store_action_filter f = { STORE_ACT_ALL, mid, 0, NULL, 0, topic, 6 };
    struct store_action *a = NULL;
    struct store_item *p = NULL;
    int na = 0, np = 0, i, k;

    if (store_items_on_topic(st, STORE_POINT, mid, tp, 3, &p, &np, NULL) == 0 && np > 0) {
        rt_text(q, "Key points on it:");
        rt_nl(q);
        rt_list_begin(q);
        for (i = 0; i < np && i < 3; i++) {
            const char *ref = ref_get(refs, st, p[i].meeting_id, 0);
            char *s = cmd_short_dup(p[i].text, 200);

            rt_item(q, "  \u2022 ");
            rt_printf(q, "%s: ", ref);
            rt_quote(q, s, 0, 0);
            rt_item_end(q);
            free(s);
        }
        rt_list_end(q);
    }
    store_items_free(p, np);
    if (store_actions(st, &f, &a, &na) < 0)
        na = 0;
    /* And the actions the shown meetings took on it by reference. */
    for (k = 0; k < nm && na < 6; k++) {
        struct store_action *c = NULL;
        int nc = 0, j, d;

        if (store_actions_in_context(st, mids[k], tp, &c, &nc) < 0) {
            store_actions_free(c, nc);
            continue;
        }
        for (j = 0; j < nc; j++) {
            for (d = 0; d < na && strcmp(a[d].code, c[j].code); d++)
                ;
            if (d < na || na >= 6) {
                store_action_release(&c[j]);
                continue;
            }
            a = xrealloc(a, sizeof(*a) * (size_t)(na + 1));
            a[na++] = c[j];
        }
        free(c);
    }
    if (na > 0) {
        rt_text(q, "Actions on it:");
        rt_nl(q);
        rt_list_begin(q);
        for (i = 0; i < na && i < 6; i++) {
            const char *ref = ref_get(refs, st, a[i].meeting_id, 0);
            char *s = cmd_short_dup(a[i].text, 140);

            rt_item(q, "  ");
            rt_bold(q, a[i].code);
            rt_text(q, " ");
            cmd_owners(q, &a[i], NULL);
            rt_printf(q, " \u2014 %s (%s%s)", s, ref, a[i].done ? ", done" : "");
            rt_item_end(q);
            if (q->results)
                cJSON_AddItemToArray(q->results, export_action_json(st, &a[i]));
            free(s);
        }
        rt_list_end(q);
    }
    store_actions_free(a, na);
    if (!np && !na && q->flag == 's') {
        /* a question about where a topic stands: the latest mentions */
        q->flag = 0;
        q->args = topic;
        cmd_search.run(q);
    } else if (!np && !na) {
        rt_printf(q, "Try: search %s", topic);
        rt_nl(q);
    }
}

/* One decision's result object (ask --json). */
static void decision_result_add(struct cmd_q *q, const struct store_item *d, const char *label)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "meeting", label);
    cJSON_AddNumberToObject(o, "meeting_id", (double)d->meeting_id);
    cJSON_AddStringToObject(o, "text", d->text);
    if (d->quote)
        cJSON_AddStringToObject(o, "quote", d->quote);
    else
        cJSON_AddNullToObject(o, "quote");
    if (d->speaker)
        cJSON_AddStringToObject(o, "speaker", d->speaker);
    else
        cJSON_AddNullToObject(o, "speaker");
    cJSON_AddItemToArray(q->results, o);
}

static int decisions_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    char *args = xstrdup(q->args), *spec, *topic;
    struct store_item *v = NULL;
    struct store_topic *tp = NULL;
    const char *label = NULL;
    struct refs refs = { NULL, 0 };
    int64_t mid = 0, last = -1, mids[CONTEXT_MEETINGS];
    int n = 0, more = 0, i, rc = 0, nm = 0;

    /* "at #7 about the booth": the meeting first, then the topic. */
    if (!(spec = cmd_split_meeting_lead(args)))
        spec = cmd_split_meeting(args, 0);
    topic = cmd_trim(args);
    {
        /* "decisions and next steps about X": the answer has the
         * actions and key points on X after its decisions. */
        static const char *const also[] = { "and the next steps", "and next steps",
                                            "and the actions", "and actions", "and action items",
                                            "and action points", "and the key points",
                                            "and key points", "and outcomes", "and the outcomes" };
        size_t k, l;

        for (k = 0; k < sizeof(also) / sizeof(also[0]); k++)
            if (!strncasecmp(topic, also[k], (l = strlen(also[k]))) &&
                (topic[l] == ' ' || !topic[l])) {
                topic = cmd_trim(topic + l);
                break;
            }
    }
    {
        /* "which decisions were about X", "what decisions were made on X" */
        static const char *const lead[] = { "were made about ", "were made on ", "were about ",
                                            "were on ", "are about ", "made about ", "about " };
        size_t k;

        for (k = 0; k < sizeof(lead) / sizeof(lead[0]); k++)
            if (!strncasecmp(topic, lead[k], strlen(lead[k]))) {
                topic = cmd_trim(topic + strlen(lead[k]));
                break;
            }
    }
    if (spec) {
        int mrc = cmd_meeting(q, spec, &mid);

        if (mrc != 0) {
            rc = mrc == -1 ? -1 : 0;
            goto out;
        }
    }
    /* On a topic, the first ones only: a common word is in thousands. */
    if (*topic)
        tp = store_topic_new(st, topic);
    if ((tp ? store_items_on_topic(st, STORE_DECISION, mid, tp, DECISIONS_SHOWN,
                                   &v, &n, &more) :
                  store_items(st, STORE_DECISION, mid, NULL, &v, &n)) < 0) {
        rc = cmd_store_error(q);
        goto out;
    }
    if (tp) {
        nm = shown_meetings(v, n, mid, mids);
        /* With no decision that names the topic: the newest meetings
         * where it was discussed, whose decisions may name it by
         * reference. */
        if (!nm && (nm = store_meetings_discussed(st, tp, CONTEXT_MEETINGS, mids)) < 0)
            nm = 0;
        if (with_context(st, tp, mids, nm, &v, &n) < 0) {
            rc = cmd_store_error(q);
            goto out;
        }
    }
    cmd_results_new(q);
    if (n == 0) {
        if (*topic && mid)
            rt_printf(q, "I found no decision about \"%s\" at %s.", topic,
                      ref_get(&refs, st, mid, 1));
        else if (*topic)
            rt_printf(q, "I found no decision about \"%s\".", topic);
        else if (mid)
            rt_printf(q, "No decision is recorded for %s. Try: recap %s",
                      ref_get(&refs, st, mid, 1), ref_get(&refs, st, mid, 0));
        else
            rt_text(q, "I found no decisions in my records. Try: recap");
        rt_nl(q);
        if (*topic)
            cmd_topic_note(q, tp, 0);
        if (*topic)
            related(q, topic, tp, mid, mids, nm, &refs);
        goto out;
    }
    if (*topic) {
        cmd_topic_note(q, tp, 1);
        rt_printf(q, "Decided about \"%s\":", topic);
    } else
        rt_text(q, "Decisions, newest meeting first:");
    rt_nl(q);
    for (i = 0; i < n && i < DECISIONS_SHOWN; i++) {
        char *s = cmd_short_dup(v[i].text, 200);

        if (v[i].meeting_id != last) {
            const char *ref = ref_get(&refs, st, v[i].meeting_id, 1);

            label = ref_get(&refs, st, v[i].meeting_id, 0);  /* its items come together */

            if (last != -1)
                rt_list_end(q);
            rt_plain(q, " ");
            rt_bold(q, ref);
            rt_nl(q);
            rt_list_begin(q);
            last = v[i].meeting_id;
        }
        rt_item(q, "  \u2022 ");
        rt_text(q, s);
        if (v[i].speaker)
            rt_printf(q, " (%s)", v[i].speaker);
        if (v[i].quote && strcmp(v[i].quote, v[i].text)) {
            char *qs = cmd_short_dup(v[i].quote, 160);

            rt_text(q, " \u2014 ");
            rt_quote(q, qs, 0, 0);
            free(qs);
        }
        rt_item_end(q);
        if (q->results)
            decision_result_add(q, &v[i], label);
        free(s);
    }
    rt_list_end(q);
    if (n > DECISIONS_SHOWN)
        more = n - DECISIONS_SHOWN;
    if (more > 0)
        rt_printf(q, "\u2026and %d more: decisions #<meeting>", more);
    else if (more < 0)
        rt_text(q, "\u2026and more: decisions #<meeting>");
    if (more)
        rt_nl(q);
    if (*topic)
        related(q, topic, tp, mid, mids, nm, &refs);
out:
    store_items_free(v, n);
    store_topic_free(tp);
    refs_release(&refs);
    free(spec);
    free(args);
    return rc;
}

const struct command cmd_decisions = {
    .name = "decisions",
    .usage = "decisions [about TOPIC] [#66]",
    .help = "what was decided, per meeting, with quotes",
    .match = decisions_match,
    .run = decisions_run,
};
