/* commands/cmd_search.c -- "search mailing list archives": the turns and
 * report paragraphs that carry the words, best first, with meeting,
 * speaker and an exact quote. Also the fallback for messages that are
 * no command at all. */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_SHOWN 6
#define SEARCH_QUOTE_MAX 180

static int search_match(struct cmd_q *q)
{
    /* "anything about the GDC?": what the records say of it */
    static const char *const leads[] = {
        "search for", "search", "find", "grep", "look for", "is there anything about",
        "is there anything on", "anything about", "anything on", "anything regarding",
        "what do we have about", "what do we have on", "what do you have about",
        "what do you have on", "what do the records say about", "what do your records say about",
    };
    size_t i;

    for (i = 0; i < sizeof(leads) / sizeof(leads[0]); i++)
        if (cmd_starts(q, leads[i]))
            return 1;
    return 0;
}

/* One turn's result object (ask --json). */
static void search_result_add(struct cmd_q *q, struct store *st, const struct store_hit *h,
                              const char *quote)
{
    cJSON *o = cJSON_CreateObject();
    char *label = cmd_meeting_ref_dup(st, h->meeting_id, 0);

    cJSON_AddStringToObject(o, "meeting", label);
    cJSON_AddNumberToObject(o, "meeting_id", (double)h->meeting_id);
    if (h->speaker)
        cJSON_AddStringToObject(o, "speaker", h->speaker);
    else
        cJSON_AddNullToObject(o, "speaker");
    cJSON_AddStringToObject(o, "record", h->record_kind == 2 ? "summary" : "transcript");
    cJSON_AddStringToObject(o, "quote", quote);
    cJSON_AddItemToArray(q->results, o);
    free(label);
}

static int search_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    char *args = xstrdup(q->args), *spec = cmd_split_meeting(args, 1), *words = cmd_trim(args);
    struct store_topic *tp = store_topic_new(st, words);
    struct store_hit *h = NULL;
    int64_t mid = 0;
    int n = 0, i, rc = 0;

    snprintf(q->reply->kind, sizeof(q->reply->kind), "search");
    if (spec) {
        int mrc = cmd_meeting(q, spec, &mid);

        if (mrc != 0) {
            rc = mrc == -1 ? -1 : 0;
            goto out;
        }
    }
    cmd_results_new(q);
    if (store_topic_empty(tp)) {
        if (q->flag)
            rt_printf(q, "I did not understand \"%s\". ", q->text);
        rt_text(q, "Ask me e.g.: who raised <topic> \u00b7 open actions \u00b7 recap \u00b7 help");
        rt_nl(q);
        goto out;
    }
    if (store_search_newest(st, words, mid, SEARCH_SHOWN, &h, &n) < 0) {
        rc = cmd_store_error(q);
        goto out;
    }
    if (q->flag && n == 0)
        rt_text(q, "That is not a command I know (try: help). ");
    if (n == 0) {
        rt_printf(q, "Nothing in my records mentions \"%s\".", store_topic_words(tp));
        rt_nl(q);
        goto out;
    }
    if (q->flag)        /* a free question: say that this is a search, not a command */
        rt_printf(q, "I have no command for that (see: help); my records say this about \"%s\":",
                  store_topic_words(tp));
    else {
        cmd_topic_note(q, tp, 1);
        rt_printf(q, "Found in my records (\"%s\"):", store_topic_words(tp));
    }
    rt_nl(q);
    rt_list_begin(q);
    for (i = 0; i < n; i++) {
        char *ref = cmd_meeting_ref_dup(st, h[i].meeting_id, 1);
        int cs = 0, ce = 0;
        char *quote = store_excerpt_dup(h[i].text, tp, SEARCH_QUOTE_MAX, &cs, &ce);

        rt_item(q, " \u2022 ");
        rt_text(q, ref);
        rt_text(q, " ");
        if (h[i].speaker) {
            rt_bold(q, h[i].speaker);
        } else {
            rt_text(q, h[i].record_kind == 2 ? "summary report" : "unattributed");
        }
        rt_text(q, ": ");
        rt_quote(q, quote, cs, ce);
        rt_item_end(q);
        if (q->results)
            search_result_add(q, st, &h[i], quote);
        free(ref);
        free(quote);
    }
    rt_list_end(q);
out:
    store_hits_free(h, n);
    store_topic_free(tp);
    free(spec);
    free(args);
    return rc;
}

const struct command cmd_search = {
    .name = "search",
    .usage = "search WORDS [in #62]",
    .help = "full-text search of everything said and written",
    .match = search_match,
    .run = search_run,
};
