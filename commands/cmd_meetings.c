/* commands/cmd_meetings.c -- "meetings", "meetings about the compact",
 * "meetings in June 2022": the meetings I hold, newest first, with their
 * records. */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MEETINGS_SHOWN 15

/* A time span asked for instead of a topic: "2022", "in June 2022",
 * "from 2023-05", "during Sept 2021", "in May", "this year", "last
 * month" (from `now`, UTC). Writes what the meetings' ISO dates must
 * start with ("2022", "2022-06"; "-05-" after the year for a month of any
 * year) and its words as said ("June 2022") to the buffers; 1 when t is
 * one, else 0. */
static int meetings_span(const char *t, int64_t now, char *prefix, size_t pn, char *said, size_t sn)
{
    static const char *const joins[] = { "in ", "from ", "during ", "of " };
    static const char *const names[] = { "January", "February", "March", "April", "May", "June",
                                         "July", "August", "September", "October", "November",
                                         "December" };
    size_t i, wl;
    int month = 0, year, y2, m2;

    for (i = 0; i < sizeof(joins) / sizeof(joins[0]); i++)
        if (!strncasecmp(t, joins[i], strlen(joins[i]))) {
            t += strlen(joins[i]);
            break;
        }
    if (!strcasecmp(t, "this year") || !strcasecmp(t, "last year") ||
        !strcasecmp(t, "this month") || !strcasecmp(t, "last month")) {
        int last = !strncasecmp(t, "last", 4);

        if (strcasestr(t, "month")) {
            cmd_month_of(now, last, &year, &month);
        } else {
            cmd_month_of(now, 0, &year, &y2);
            year -= last;
        }
    } else if (sscanf(t, "%4d-%2d", &y2, &m2) == 2 && strlen(t) == 7 && m2 >= 1 && m2 <= 12) {
        year = y2;
        month = m2;
    } else {
        wl = strcspn(t, " ");
        if (wl && (month = store_month_word(t, wl)) > 0) {
            t += wl;
            while (*t == ' ')
                t++;
        }
        if (month && !*t) {
            /* "in May": of any year */
            snprintf(prefix, pn, "-%02d-", month);
            snprintf(said, sn, "%s", names[month - 1]);
            return 1;
        }
        if (strlen(t) != 4 || strspn(t, "0123456789") != 4)
            return 0;
        year = atoi(t);
    }
    if (month) {
        snprintf(prefix, pn, "%04d-%02d", year, month);
        snprintf(said, sn, "%s %04d", names[month - 1], year);
    } else {
        snprintf(prefix, pn, "%04d", year);
        snprintf(said, sn, "%04d", year);
    }
    return 1;
}

/* Keep, in order, the meetings of v[0..n) dated within `prefix` (see
 * meetings_span()). The new count. */
static int meetings_within(struct store_meeting *v, int n, const char *prefix)
{
    size_t pl = strlen(prefix);
    int i, k = 0;

    for (i = 0; i < n; i++) {
        if (v[i].date && strlen(v[i].date) >= 7 &&
            !strncmp(prefix[0] == '-' ? v[i].date + 4 : v[i].date, prefix, pl))
            v[k++] = v[i];
        else
            store_meeting_release(&v[i]);
    }
    return k;
}

static int meetings_match(struct cmd_q *q)
{
    static const char *const all[] = { "what meetings do you have", "which meetings do you have",
                                       "what meetings do you hold", "what meetings are there",
                                       "what meetings have you got", "list of meetings",
                                       "list all meetings", "all meetings" };
    size_t i;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (cmd_starts(q, all[i]))
            return 1;
    if (cmd_starts(q, "when did we last meet") || cmd_starts(q, "when did we meet last") ||
        cmd_starts(q, "when did we last have a meeting")) {
        q->flag = 'w';          /* the newest meeting's date */
        return 1;
    }
    {
        static const char *const often[] = { "how often do we meet", "how often does the group meet",
                                             "how often are we meeting", "how often do we have meetings",
                                             "how frequently do we meet", "how often are meetings",
                                             "how often are the meetings", "how often" };

        for (i = 0; i < sizeof(often) / sizeof(often[0]); i++)
            if (cmd_starts(q, often[i]) &&
                (i + 1 < sizeof(often) / sizeof(often[0]) || strcasestr(q->args, "meet"))) {
                q->flag = 'o';  /* the spacing of the meetings */
                return 1;
            }
    }
    if (cmd_starts(q, "how many meetings")) {
        /* "... do you have?": all of them; "... in 2022": those */
        if (strncasecmp(q->args, "in ", 3) && strncasecmp(q->args, "during ", 7) &&
            strcasecmp(q->args, "this year") && strcasecmp(q->args, "last year") &&
            strcasecmp(q->args, "this month") && strcasecmp(q->args, "last month"))
            q->args = "";
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

/* Days since 1970 of an ISO date, or -1. */
static long iso_days(const char *d)
{
    struct tm tm;
    int y, m, day;

    if (!d || sscanf(d, "%4d-%2d-%2d", &y, &m, &day) != 3)
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = day;
    return (long)(timegm(&tm) / 86400);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;

    return (x > y) - (x < y);
}

/* "how often do we meet?": the usual gap between the dated meetings (the
 * median), the span they cover, and what was decided about how often to
 * meet. v: every meeting, newest first. */
static void meetings_spacing(struct cmd_q *q, const struct store_meeting *v, int n)
{
    struct store_topic *tp = store_topic_new(q->ctx->st, "frequency");
    struct store_item *d = NULL;
    long *gaps = xcalloc((size_t)n + 1, sizeof(long)), prev = -1, day;
    int ng = 0, dated = 0, nd = 0, i;
    const char *first = NULL, *last = NULL;
    char from[32], to[32];

    for (i = n - 1; i >= 0; i--) {
        if ((day = iso_days(v[i].date)) < 0)
            continue;
        if (!first)
            first = v[i].date;
        last = v[i].date;
        dated++;
        if (prev >= 0 && day > prev)
            gaps[ng++] = day - prev;
        prev = day;
    }
    if (ng > 0) {
        long med;

        qsort(gaps, (size_t)ng, sizeof(long), cmp_long);
        med = gaps[ng / 2];
        cmd_date(from, sizeof(from), first, 0);
        cmd_date(to, sizeof(to), last, 0);
        rt_printf(q, "%d dated meetings from %s to %s: ", dated, from, to);
        if (med < 11)
            rt_printf(q, "usually %ld days apart", med);
        else if (med < 60)
            rt_printf(q, "usually about %ld weeks apart", (med + 3) / 7);
        else
            rt_printf(q, "usually about %ld months apart", (med + 15) / 30);
        rt_text(q, ng > 1 ? " (the middle of their gaps)." : ".");
    } else {
        rt_text(q, dated ? "I hold one dated meeting, so I cannot tell how often you meet."
                         : "The meetings I hold have no dates, so I cannot tell how often you meet.");
    }
    rt_nl(q);
    free(gaps);
    if (tp && store_items_on_topic(q->ctx->st, STORE_DECISION, 0, tp, 2, &d, &nd, NULL) == 0 &&
        nd > 0) {
        rt_text(q, "Decided about how often to meet:");
        rt_nl(q);
        rt_list_begin(q);
        for (i = 0; i < nd; i++) {
            char *ref = cmd_meeting_ref_dup(q->ctx->st, d[i].meeting_id, 1);
            char *text = cmd_short_dup(d[i].text, 200);

            rt_item(q, " \u2022 ");
            rt_bold(q, ref);
            rt_text(q, ": ");
            rt_quote(q, text, 0, 0);
            if (d[i].speaker)
                rt_printf(q, " (%s)", d[i].speaker);
            rt_item_end(q);
            free(ref);
            free(text);
        }
        rt_list_end(q);
    }
    store_items_free(d, nd);
    store_topic_free(tp);
}

static int meetings_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    struct store_meeting *v = NULL;
    char *topic = xstrdup(q->args), *t = cmd_trim(topic), *e, *spec;
    char prefix[16] = "", said[32] = "";
    int n = 0, i, rc;

    if (q->flag == 'w') {
        free(topic);
        return meeting_when(q, "latest");
    }
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
    /* "meetings in 2022", "which meetings were held in 2022": by date,
     * not meetings that mention 2022. */
    if (*t) {
        static const char *const verbs[] = { "were held ", "were ", "took place ", "happened ",
                                             "did we have ", "did we hold ", "held " };
        const char *span = t;

        for (i = 0; i < (int)(sizeof(verbs) / sizeof(verbs[0])); i++)
            if (!strncasecmp(span, verbs[i], strlen(verbs[i]))) {
                span += strlen(verbs[i]);
                break;
            }
        if (meetings_span(span, q->ctx->now, prefix, sizeof(prefix), said, sizeof(said)))
            t = "";
    }
    if (q->flag == 'o')
        t = "";
    rc = *t ? store_meetings_about(st, t, &v, &n) : store_meetings_list(st, &v, &n);
    if (rc < 0) {
        free(topic);
        return cmd_store_error(q);
    }
    if (*prefix)
        n = meetings_within(v, n, prefix);
    q->results = cJSON_CreateArray();
    if (n == 0) {
        if (*prefix)
            rt_printf(q, "I hold no meeting dated in %s. See them all with: meetings", said);
        else if (*t)
            rt_printf(q, "No meeting I hold discussed \"%s\". Try: search %s", t, t);
        else
            rt_text(q, "I hold no meeting records yet. Post a transcript or a summary report.");
        rt_nl(q);
        goto out;
    }
    if (q->flag == 'o') {
        meetings_spacing(q, v, n);
        rt_text(q, "Ask me: when is the next meeting?");
        rt_nl(q);
        goto out;
    }
    if (*prefix)
        rt_printf(q, "Meetings in %s (%d), newest first:", said, n);
    else if (*t)
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
    .usage = "meetings [about TOPIC] [in June 2022] | how often do we meet?",
    .help = "the meetings I hold, those that discussed a topic, or those of a year or month; how far apart they are",
    .match = meetings_match,
    .run = meetings_run,
};
