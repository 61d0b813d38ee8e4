/* commands/cmd_meetings.c -- "meetings", "meetings about the compact":
 * the meetings I hold, newest first, with their records. */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEETINGS_SHOWN 15

static int meetings_match(struct cmd_q *q)
{
    if (cmd_starts(q, "how many meetings")) {
        q->args = "";           /* "... do you have?": all of them */
        return 1;
    }
    return cmd_starts(q, "meetings about") || cmd_starts(q, "meetings on") ||
           cmd_starts(q, "meetings") || cmd_starts(q, "list meetings") ||
           cmd_starts(q, "which meetings discussed") || cmd_starts(q, "which meetings") ||
           cmd_starts(q, "when was") || cmd_starts(q, "when did we discuss") ||
           cmd_starts(q, "when did we talk about");
}

/* "when was the last meeting?", "when was #62?": its date and time. */
static int meeting_when(struct cmd_q *q, const char *spec)
{
    struct store_meeting m;
    int64_t mid;
    char *label, date[40];
    int rc;

    if ((rc = cmd_meeting(q, spec, &mid)) != 0)
        return rc == -1 ? -1 : 0;
    if (store_meeting_get(q->ctx->st, mid, &m) != 0)
        return cmd_store_error(q);
    label = store_meeting_label_dup(&m);
    rt_bold(q, label);
    if (m.date) {
        cmd_date(date, sizeof(date), m.date, 1);
        rt_printf(q, " was on %s", date);
        if (m.time_utc && m.end_time_utc)
            rt_printf(q, ", %s\u2013%s UTC", m.time_utc, m.end_time_utc);
        else if (m.time_utc)
            rt_printf(q, ", %s UTC", m.time_utc);
    } else {
        cmd_day(date, sizeof(date), m.posted);
        rt_printf(q, " has no date in its record; it was posted on %s", date);
    }
    rt_printf(q, " (%s). Ask me: recap %s", m.title ? m.title : m.group, label);
    rt_nl(q);
    free(label);
    store_meeting_release(&m);
    return 0;
}

static int meetings_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    struct store_meeting *v = NULL;
    char *topic = xstrdup(q->args), *t = cmd_trim(topic), *e, *spec;
    int n = 0, i, rc;

    /* "when was the last meeting?": a meeting, not a topic. */
    if (!strncmp(q->lower, "when was ", 9) && (spec = cmd_split_meeting(t, 0))) {
        if (!*cmd_trim(t)) {
            rc = meeting_when(q, spec);
            free(spec);
            free(topic);
            return rc;
        }
        free(topic);            /* a topic after all: read it again whole */
        free(spec);
        topic = xstrdup(q->args);
        t = cmd_trim(topic);
    }

    /* "when was the EGM report discussed" -> "the EGM report" */
    e = t + strlen(t);
    if (e - t > 10 && !strcmp(e - 10, " discussed"))
        e[-10] = '\0';
    if (!strncasecmp(t, "about ", 6))
        t += 6;
    rc = *t ? store_meetings_about(st, t, &v, &n) : store_meetings_list(st, &v, &n);
    if (rc < 0) {
        free(topic);
        return cmd_store_error(q);
    }
    q->results = cJSON_CreateArray();
    if (n == 0) {
        if (*t)
            rt_printf(q, "No meeting I hold discussed \"%s\". Try: search %s", t, t);
        else
            rt_text(q, "I hold no meeting records yet. Post a transcript or a summary report.");
        rt_nl(q);
        goto out;
    }
    if (*t)
        rt_printf(q, "Meetings about \"%s\" (%d), newest first:", t, n);
    else
        rt_printf(q, "Meetings I hold (%d), newest first:", n);
    rt_nl(q);
    rt_list_begin(q);
    for (i = 0; i < n && i < MEETINGS_SHOWN; i++) {
        char *label = store_meeting_label_dup(&v[i]);
        char date[32];
        cJSON *o = cJSON_CreateObject();

        cmd_date(date, sizeof(date), v[i].date, 0);
        rt_item(q, " \u2022 ");
        rt_bold(q, label);
        rt_printf(q, " \u00b7 %s \u00b7 %s", v[i].date ? date : "undated", v[i].group);
        if (v[i].title)
            rt_printf(q, " \u00b7 %s", v[i].title);
        rt_printf(q, " (%s%s%s)", v[i].has_transcript ? "transcript" : "",
                  v[i].has_transcript && v[i].has_summary ? " + " : "",
                  v[i].has_summary ? "summary report" : "");
        rt_item_end(q);
        cJSON_AddNumberToObject(o, "id", (double)v[i].id);
        cJSON_AddStringToObject(o, "meeting", label);
        cJSON_AddStringToObject(o, "group", v[i].group);
        if (v[i].date) cJSON_AddStringToObject(o, "date", v[i].date); else cJSON_AddNullToObject(o, "date");
        if (v[i].title) cJSON_AddStringToObject(o, "title", v[i].title); else cJSON_AddNullToObject(o, "title");
        cJSON_AddItemToArray(q->results, o);
        free(label);
    }
    rt_list_end(q);
    if (n > MEETINGS_SHOWN) {
        rt_printf(q, "\u2026and %d older.", n - MEETINGS_SHOWN);
        rt_nl(q);
    }
    rt_text(q, "Ask me: recap #<number> \u00b7 who attended #<number>");
    rt_nl(q);
out:
    store_meetings_free(v, n);
    free(topic);
    return 0;
}

const struct command cmd_meetings = {
    .name = "meetings",
    .usage = "meetings [about TOPIC]",
    .help = "the meetings I hold, or those that discussed a topic",
    .match = meetings_match,
    .run = meetings_run,
};
