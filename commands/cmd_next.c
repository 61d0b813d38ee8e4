/* commands/cmd_next.c -- "when is the next meeting?": what the latest
 * meeting (or a named one) said about the next, with its quote. */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int next_match(struct cmd_q *q)
{
    const char *l = q->lower;

    if (strstr(l, "next meeting") || strstr(l, "next call") || strstr(l, "next session") ||
        strstr(l, "next dc") || strstr(l, "next coordination")) {
        const char *p = strstr(l, " after ");

        q->args = p ? q->text + (p - l) + 7 : "";
        return !strncmp(l, "when", 4) || !strncmp(l, "next", 4) || !strncmp(l, "what", 4) ||
               !strncmp(l, "is there", 8) || !strncmp(l, "remind", 6) ||
               !strncmp(l, "do we have", 10) || !strncmp(l, "where", 5) ||
               !strncmp(l, "have we set", 11) || !strncmp(l, "is the", 6);
    }
    if (cmd_starts(q, "when do we meet") || cmd_starts(q, "when are we meeting") ||
        cmd_starts(q, "when will we meet") || cmd_starts(q, "is there a meeting") ||
        cmd_starts(q, "are we meeting") || cmd_starts(q, "do we meet")) {
        q->args = "";
        return 1;
    }
    return cmd_starts(q, "next");
}

static int next_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    struct store_next *v = NULL;
    int64_t mid = 0;
    int n = 0, i, rc = 0;
    char *ref;

    if (*q->args) {
        int mrc = cmd_meeting(q, q->args, &mid);

        if (mrc != 0)
            return mrc == -1 ? -1 : 0;
    }
    if (store_next_meeting(st, mid, &v, &n) < 0)
        return cmd_store_error(q);
    q->results = cJSON_CreateArray();
    if (n == 0) {
        rt_text(q, "None of my records says when the next meeting is. Try: recap");
        rt_nl(q);
        goto out;
    }
    ref = cmd_meeting_ref_dup(st, v[0].meeting_id, 1);
    rt_bold(q, "Next meeting");
    rt_printf(q, " (as agreed at %s): ", ref);
    free(ref);
    for (i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();

        if (i)
            rt_text(q, " \u00b7 the summary report: ");
        if (v[i].date) {
            char d[32];

            cmd_date(d, sizeof(d), v[i].date, 1);
            rt_text(q, d);
            if (v[i].when)
                rt_text(q, " \u2014 ");
        }
        if (v[i].when)
            rt_text(q, v[i].when);
        if (v[i].quote) {
            char *s = cmd_short_dup(v[i].quote, 200);

            rt_text(q, " ");
            rt_quote(q, s, 0, 0);
            free(s);
        }
        cJSON_AddNumberToObject(o, "meeting_id", (double)v[i].meeting_id);
        if (v[i].when) cJSON_AddStringToObject(o, "when", v[i].when); else cJSON_AddNullToObject(o, "when");
        if (v[i].date) cJSON_AddStringToObject(o, "date", v[i].date); else cJSON_AddNullToObject(o, "date");
        if (v[i].quote) cJSON_AddStringToObject(o, "quote", v[i].quote); else cJSON_AddNullToObject(o, "quote");
        cJSON_AddItemToArray(q->results, o);
    }
    rt_nl(q);
out:
    store_nexts_free(v, n);
    return rc;
}

const struct command cmd_next = {
    .name = "next_meeting",
    .usage = "when is the next meeting",
    .help = "the next meeting, as the latest record says",
    .match = next_match,
    .run = next_run,
};
