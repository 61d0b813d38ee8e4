/* commands/cmd_raised.c -- "who raised X [in #62]" and its family (brought
 * up, mentioned, asked about, proposed, suggested, said, warned, noted,
 * pointed out, questioned, urged): per meeting, newest first, the speaker
 * whose turn first carries the topic, who else spoke on it, and a quote.
 * The ranking itself is storage's (store_raised). */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAISED_QUOTE_MAX 160
#define RAISED_MAX_MEETINGS 8

static const char *const verbs[] = {
    "first raised", "first mentioned", "first brought up", "brought up", "raised",
    "mentioned", "asked about", "asked for", "asked whether", "asked if", "asked", "proposed",
    "suggested", "said", "warned", "noted", "pointed out", "questioned", "urged",
    "talked about", "spoke about", "introduced", "flagged", "objected to", "complained about",
    "came up with", "recommended", "argued", "stressed", "highlighted", "wanted",
    "started", "discussed", "presented", "expressed", "called for", "put forward",
};

static int raised_match(struct cmd_q *q)
{
    const char *l = q->lower;
    size_t i;

    if (!strncmp(l, "who ", 4)) {
        const char *p = l + 4;

        if (!strncmp(p, "has ", 4) || !strncmp(p, "had ", 4) || !strncmp(p, "first ", 6)) {
            if (!strncmp(p, "first ", 6))
                ; /* "who first raised": the verb list has it */
            else
                p += 4;
        }
        for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
            size_t n = strlen(verbs[i]);

            if (!strncmp(p, verbs[i], n) && (p[n] == ' ' || p[n] == '\0')) {
                q->args = q->text + (p - l) + n;
                while (*q->args == ' ')
                    q->args++;
                return 1;
            }
        }
        return 0;
    }
    return cmd_starts(q, "raised") || cmd_starts(q, "who-raised") || cmd_starts(q, "whoraised") ||
           cmd_starts(q, "raiser");
}

/* "the Global Digital Compact" -> "Global Digital Compact" for the heading. */
static const char *topic_heading(const char *t)
{
    static const char *const articles[] = { "the ", "a ", "an ", "about ", "that ", "whether ",
                                            "how ", "on " };
    size_t i;
    int again = 1;

    while (again) {
        again = 0;
        for (i = 0; i < sizeof(articles) / sizeof(articles[0]); i++)
            if (!strncasecmp(t, articles[i], strlen(articles[i]))) {
                t += strlen(articles[i]);
                again = 1;
            }
    }
    return t;
}

/* The meeting's fields of a result object; each result of the meeting
 * starts as a copy (the meeting is read once). */
static cJSON *raised_json(struct store *st, const struct store_raised *r)
{
    cJSON *o = cJSON_CreateObject();
    struct store_meeting m;
    char *label = NULL;

    if (store_meeting_get(st, r->meeting_id, &m) == 0) {
        label = store_meeting_label_dup(&m);
        cJSON_AddStringToObject(o, "meeting", label);
        cJSON_AddNumberToObject(o, "meeting_id", (double)r->meeting_id);
        if (m.date)
            cJSON_AddStringToObject(o, "date", m.date);
        else
            cJSON_AddNullToObject(o, "date");
        store_meeting_release(&m);
        free(label);
    }
    return o;
}

/* The result objects of one meeting of the answer (ask --json): the
 * first to raise the topic, each other speaker, and the summary report. */
static void raised_results_add(struct cmd_q *q, struct store *st, const struct store_topic *tp,
                               const struct store_raised *x, const struct store_hit *h,
                               const char *quote)
{
    cJSON *base, *o;
    int k;

    base = raised_json(st, x);
    o = cJSON_Duplicate(base, 1);
    cJSON_AddStringToObject(o, "speaker", x->has_first && x->first.speaker ? x->first.speaker : "");
    if (x->has_first && x->note)
        cJSON_AddStringToObject(o, "note", x->note);
    if (!x->has_first)
        cJSON_ReplaceItemInObject(o, "speaker", cJSON_CreateNull());
    cJSON_AddBoolToObject(o, "first", x->has_first);
    cJSON_AddNumberToObject(o, "mentions", x->has_first ? x->first_mentions : 1);
    cJSON_AddStringToObject(o, "quote", quote);
    cJSON_AddStringToObject(o, "record", h->record_kind == 2 ? "summary" : "transcript");
    cJSON_AddItemToArray(q->results, o);
    for (k = 0; k < x->n_others; k++) {
        o = cJSON_Duplicate(base, 1);
        cJSON_AddStringToObject(o, "speaker", x->others[k].name);
        cJSON_AddBoolToObject(o, "first", 0);
        cJSON_AddNumberToObject(o, "mentions", x->others[k].mentions);
        cJSON_AddNullToObject(o, "quote");
        cJSON_AddStringToObject(o, "record", "transcript");
        cJSON_AddItemToArray(q->results, o);
    }
    if (x->has_first && x->has_summary) {
        char *sq = store_excerpt_dup(x->summary.text, tp, RAISED_QUOTE_MAX, NULL, NULL);

        o = cJSON_Duplicate(base, 1);
        cJSON_AddNullToObject(o, "speaker");
        cJSON_AddBoolToObject(o, "first", 0);
        cJSON_AddNumberToObject(o, "mentions", 1);
        cJSON_AddStringToObject(o, "quote", sq);
        cJSON_AddStringToObject(o, "record", "summary");
        cJSON_AddItemToArray(q->results, o);
        free(sq);
    }
    cJSON_Delete(base);
}

static void list_meetings(struct cmd_q *q, struct buf *b)
{
    struct store_meeting *v = NULL;
    int n, nv = 0, i;

    /* Counted, and listed only when few: a store of 10,000 meetings is
     * not read to say how many it holds. */
    n = store_meeting_count(q->ctx->st);
    if (n < 0)
        n = 0;
    buf_printf(b, "%d meeting%s I hold", n, n == 1 ? "" : "s");
    if (n > 0 && n <= 6 && store_meetings_list(q->ctx->st, &v, &nv) == 0 && nv > 0) {
        buf_puts(b, " (");
        for (i = 0; i < nv; i++) {
            char *l = store_meeting_label_dup(&v[i]);

            buf_printf(b, "%s%s", i ? ", " : "", l);
            free(l);
        }
        buf_puts(b, ")");
    }
    store_meetings_free(v, nv);
}

static int raised_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    char *topic = xstrdup(q->args), *spec, *t, *heading;
    struct store_topic *tp = NULL;
    struct store_raised *r = NULL;
    int64_t mid = 0;
    int n = 0, i, k, rc = 0, more = 0;

    snprintf(q->reply->kind, sizeof(q->reply->kind), "who_raised");
    spec = cmd_split_meeting(topic, 1);
    t = cmd_trim(topic);
    if (spec) {
        int mrc = cmd_meeting(q, spec, &mid);

        if (mrc != 0) {
            rc = mrc == -1 ? -1 : 0;
            goto out;
        }
    }
    tp = store_topic_new(st, t);
    if (!*t || store_topic_empty(tp)) {
        rt_text(q, "Who raised what? Name a topic, for example: who raised the Global Digital Compact?");
        rt_nl(q);
        goto out;
    }
    /* Only the meetings shown are ranked: the answer costs the same at
     * 100 meetings as at 10,000. */
    if (store_raised_newest(st, tp, mid, RAISED_MAX_MEETINGS, &r, &n, &more) < 0) {
        rc = cmd_store_error(q);
        goto out;
    }
    heading = cmd_short_dup(topic_heading(t), 80);
    cmd_results_new(q);
    if (n == 0) {
        struct buf b;

        buf_init(&b);
        if (mid) {
            char *ref = cmd_meeting_ref_dup(st, mid, 0);

            buf_printf(&b, "meeting %s", ref);
            free(ref);
        } else {
            list_meetings(q, &b);
        }
        rt_printf(q, "Nobody raised \"%s\" in the %s. Try: search %s", heading, b.data,
                  store_topic_words(tp));
        rt_nl(q);
        cmd_topic_note(q, tp, 0);
        buf_release(&b);
        free(heading);
        goto out;
    }
    cmd_topic_note(q, tp, 1);
    rt_bold(q, heading);
    rt_text(q, " \u2014 first raised by:");
    rt_nl(q);
    rt_list_begin(q);
    for (i = 0; i < n && i < RAISED_MAX_MEETINGS; i++) {
        struct store_raised *x = &r[i];
        char *ref = cmd_meeting_ref_dup(st, x->meeting_id, 1);
        char *label = x->has_first && x->has_summary ? cmd_meeting_ref_dup(st, x->meeting_id, 0)
                                                     : NULL;
        const struct store_hit *h = x->has_first ? &x->first : &x->summary;
        int cs = 0, ce = 0;
        char *quote = store_excerpt_dup(h->text ? h->text : "", tp, RAISED_QUOTE_MAX, &cs, &ce);

        rt_item(q, " \u2022 ");
        rt_text(q, ref);
        rt_text(q, " ");
        if (x->has_first) {
            rt_bold(q, x->first.speaker ? x->first.speaker : "someone");
            if (x->note) {
                rt_text(q, " (");
                rt_text(q, x->note);
                rt_text(q, ")");
            }
            rt_text(q, ": ");
        } else if (!x->has_summary) {
            rt_text(q, "no one named first; spoke on it");
        } else {
            rt_text(q, "summary report (no speaker named)");
            if (x->summary.section) {
                rt_text(q, ", under ");
                rt_text(q, x->summary.section);
            }
            rt_text(q, ": ");
        }
        if (*quote)
            rt_quote(q, quote, cs, ce);
        if (x->n_others) {
            rt_text(q, x->has_first || x->has_summary ? " \u2014 also " : " ");
            for (k = 0; k < x->n_others && k < 6; k++) {
                if (k)
                    rt_text(q, ", ");
                rt_bold(q, x->others[k].name);
                if (x->others[k].mentions > 1)
                    rt_printf(q, " (%d\u00d7)", x->others[k].mentions);
            }
            if (x->n_others > 6)
                rt_printf(q, " and %d more", x->n_others - 6);
        }
        if (x->has_first && x->has_summary)
            rt_printf(q, " \u2014 also in the %s summary report (no speaker named)", label);
        rt_item_end(q);
        if (q->results)
            raised_results_add(q, st, tp, x, h, quote);
        free(quote);
        free(ref);
        free(label);
    }
    rt_list_end(q);
    if (more) {
        rt_printf(q, "\u2026and more meetings: search %s", store_topic_words(tp));
        rt_nl(q);
    }
    free(heading);
out:
    store_raised_free(r, n);
    store_topic_free(tp);
    free(spec);
    free(topic);
    return rc;
}

const struct command cmd_raised = {
    .name = "who_raised",
    .usage = "who raised TOPIC [in #62]",
    .help = "who brought a topic up first, per meeting, who else spoke on it, with a quote",
    .match = raised_match,
    .run = raised_run,
};
