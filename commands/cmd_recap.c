/* commands/cmd_recap.c -- "recap [MEETING]" and the recap posted after a
 * record is read: title, date and time, chair, apologies, speakers with
 * their share of the words, topics, decisions, actions with ids, owners
 * and due dates, the next meeting, and a hint of what to ask. Also two
 * parts of it on their own: "what was on the agenda at #62?" and "who
 * spoke most at the last meeting?". */
#include "commands_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECAP_TOPICS 6
#define RECAP_DECISIONS 5
#define RECAP_ACTIONS 5
#define RECAP_SHARES 3

static int recap_match(struct cmd_q *q)
{
    /* Catching up: the latest meeting's recap (or the one named). */
    static const char *const catch_up[] = {
        "tldr", "tl;dr", "tl dr", "what's new", "what is new", "what did i miss",
        "anything i missed", "did i miss anything", "catch me up", "catch me up on", "fill me in",
        "fill me in on", "bring me up to speed", "bring me up to speed on",
    };
    size_t i;

    for (i = 0; i < sizeof(catch_up) / sizeof(catch_up[0]); i++)
        if (cmd_starts(q, catch_up[i]) && (!*q->args || !strncasecmp(q->args, "at ", 3) ||
                                           !strncasecmp(q->args, "in ", 3) || *q->args == '#'))
            return 1;
    return cmd_starts(q, "recap of") || cmd_starts(q, "recap") || cmd_starts(q, "summary of") ||
           cmd_starts(q, "summarise") || cmd_starts(q, "summarize") || cmd_starts(q, "summary") ||
           cmd_starts(q, "minutes of") || cmd_starts(q, "minutes") ||
           cmd_starts(q, "what happened at") || cmd_starts(q, "what happened in") ||
           cmd_starts(q, "what happened during") || cmd_starts(q, "what happened on") ||
           (cmd_starts(q, "what happened") && (!*q->args || !strcasecmp(q->args, "last time")));
}

static int by_words(const void *a, const void *b)
{
    const struct store_speaker *x = a, *y = b;

    return y->words - x->words;
}

static void recap_heading(struct cmd_q *q, const struct store_meeting *m)
{
    char *label = store_meeting_label_dup(m);
    char date[40];
    struct buf t;

    buf_init(&t);
    if (m->title && (!m->number || strstr(m->title, m->number)))
        buf_puts(&t, m->title);
    else if (m->title)
        buf_printf(&t, "%s %s", m->title, label);
    else
        buf_printf(&t, "%s %s", m->group, label);
    buf_puts(&q->reply->html, "<h3>");
    buf_puts(&q->reply->text, "Recap \u2014 ");
    buf_puts_html(&q->reply->html, "Recap \u2014 ");
    rt_text(q, t.data);
    if (m->date) {
        cmd_date(date, sizeof(date), m->date, 1);
        rt_printf(q, " \u00b7 %s", date);
    } else {
        cmd_day(date, sizeof(date), m->posted);
        rt_printf(q, " \u00b7 no date in the record \u2014 posted %s", date);
    }
    if (m->time_utc && m->end_time_utc)
        rt_printf(q, " \u00b7 %s\u2013%s UTC", m->time_utc, m->end_time_utc);
    else if (m->time_utc)
        rt_printf(q, " \u00b7 %s UTC", m->time_utc);
    buf_puts(&q->reply->html, "</h3>\n");
    buf_putc(&q->reply->text, '\n');
    buf_release(&t);
    free(label);
}

static void recap_people(struct cmd_q *q, int64_t mid)
{
    struct store *st = q->ctx->st;
    struct store_participant *par = NULL;
    struct store_speaker *spk = NULL;
    char **apo = NULL;
    int npar = 0, nspk = 0, napo = 0, i, line = 0;
    long total = 0;

    store_meeting_participants(st, mid, &par, &npar);
    /* Chairs first, then facilitators, each role named once. */
    {
        static const char *const roles[][2] = {
            { "Chair", "chair" }, { "co-facilitator", "co-" }, { "Facilitators", "facilitat" },
        };
        size_t r;

        for (r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
            int named = 0;

            for (i = 0; i < npar; i++) {
                const char *role = par[i].role;
                int is_co = role && strcasestr(role, "co-") != NULL;

                if (!role || !strcasestr(role, roles[r][1]))
                    continue;
                if ((r == 0 && is_co) || (r == 2 && (is_co || strcasestr(role, "chair"))))
                    continue;
                if (!named)
                    rt_printf(q, "%s%s: ", line++ ? " \u00b7 " : "", roles[r][0]);
                else
                    rt_text(q, ", ");
                rt_bold(q, par[i].name);
                named++;
            }
        }
    }
    store_meeting_apologies(st, mid, &apo, &napo);
    if (napo) {
        rt_text(q, line++ ? " \u00b7 apologies: " : "Apologies: ");
        for (i = 0; i < napo; i++)
            rt_printf(q, "%s%s", i ? ", " : "", apo[i]);
    }
    if (line)
        rt_nl(q);

    store_meeting_speakers(st, mid, &spk, &nspk);
    if (nspk) {
        qsort(spk, (size_t)nspk, sizeof(*spk), by_words);
        for (i = 0; i < nspk; i++)
            total += spk[i].words;
        rt_printf(q, "Spoke (%d): ", nspk);
        for (i = 0; i < nspk; i++) {
            if (i)
                rt_text(q, ", ");
            rt_bold(q, spk[i].name);
            if (i < RECAP_SHARES && total > 0)
                rt_printf(q, " ~%ld\u202f%%", (spk[i].words * 100L + total / 2) / total);
        }
        rt_nl(q);
    } else if (npar) {
        rt_printf(q, "Present (%d): ", npar);
        for (i = 0; i < npar && i < 20; i++)
            rt_printf(q, "%s%s", i ? ", " : "", par[i].name);
        if (npar > 20)
            rt_printf(q, " and %d more", npar - 20);
        rt_nl(q);
    }
    store_participants_free(par, npar);
    store_speakers_free(spk, nspk);
    store_strings_free(apo, napo);
}

static void recap_items(struct cmd_q *q, int64_t mid, int kind, const char *heading,
                        int numbered, int max)
{
    struct store_item *v = NULL;
    int n = 0, i;

    if ((kind == STORE_AGENDA ? store_meeting_agenda(q->ctx->st, mid, &v, &n) :
                                store_items(q->ctx->st, kind, mid, NULL, &v, &n)) < 0 || n == 0) {
        store_items_free(v, n);
        return;
    }
    rt_nl(q);
    rt_bold(q, heading);
    rt_nl(q);
    rt_list_begin(q);
    for (i = 0; i < n && i < max; i++) {
        char *s = cmd_short_dup(v[i].text, 110);
        char num[16];

        snprintf(num, sizeof(num), " %d. ", i + 1);
        rt_item(q, numbered ? num : " \u2022 ");
        rt_text(q, s);
        rt_item_end(q);
        free(s);
    }
    rt_list_end(q);
    if (n > max) {
        rt_printf(q, " \u2026and %d more", n - max);
        rt_nl(q);
    }
    store_items_free(v, n);
}

static void recap_actions(struct cmd_q *q, int64_t mid, const char *label)
{
    struct store *st = q->ctx->st;
    struct store_action_filter f = { STORE_ACT_ALL, mid, 0, NULL, 0, NULL, 0 };
    struct store_action *v = NULL;
    int n = 0, i, open = 0, earlier;

    if (store_actions(st, &f, &v, &n) < 0)
        return;
    for (i = 0; i < n; i++)
        open += !v[i].done;
    if (n) {
        rt_nl(q);
        rt_bold(q, "Actions");
        rt_printf(q, " (%d new, %d open)", n, open);
        rt_nl(q);
        rt_list_begin(q);
        for (i = 0; i < n && i < RECAP_ACTIONS; i++) {
            char *s = cmd_short_dup(v[i].text, 100);

            rt_item(q, " ");
            rt_bold(q, v[i].code);
            rt_text(q, " ");
            cmd_owners(q, &v[i], NULL);
            rt_printf(q, " \u2014 %s", s);
            if (v[i].due_date) {
                char d[32];

                cmd_date(d, sizeof(d), v[i].due_date, 0);
                rt_printf(q, " (due %s)", d);
            }
            if (v[i].done)
                rt_text(q, " \u2714 done");
            rt_item_end(q);
            free(s);
        }
        rt_list_end(q);
        if (n > RECAP_ACTIONS) {
            rt_printf(q, " \u2026and %d more: !actions %s", n - RECAP_ACTIONS, label);
            rt_nl(q);
        }
    }
    /* Open actions of meetings other than this one: a count, not a list. */
    earlier = store_actions_open_elsewhere(st, mid);
    if (earlier > 0) {
        rt_printf(q, "Still open from other meetings: %d (!actions open)", earlier);
        rt_nl(q);
    }
    store_actions_free(v, n);
}

int recap_write(struct cmd_q *q, int64_t mid)
{
    struct store *st = q->ctx->st;
    struct store_meeting m;
    struct store_item *agenda = NULL;
    struct store_next *nx = NULL;
    int na = 0, nnx = 0;
    char *label;

    if (store_meeting_get(st, mid, &m) != 0)
        return cmd_store_error(q);
    label = store_meeting_label_dup(&m);
    recap_heading(q, &m);
    recap_people(q, mid);
    if (store_meeting_agenda(st, mid, &agenda, &na) == 0 && na > 0)
        recap_items(q, mid, STORE_AGENDA, "Topics", 1, RECAP_TOPICS);
    else
        recap_items(q, mid, STORE_POINT, "Topics", 1, RECAP_TOPICS);
    store_items_free(agenda, na);
    recap_items(q, mid, STORE_DECISION, "Decided", 0, RECAP_DECISIONS);
    recap_actions(q, mid, label);
    if (store_next_meeting(st, mid, &nx, &nnx) == 0 && nnx > 0) {
        rt_nl(q);
        rt_bold(q, "Next meeting: ");
        if (nx[0].when) {
            char *s = cmd_short_dup(nx[0].when, 120);

            rt_text(q, s);
            free(s);
        }
        if (nx[0].date) {
            char d[32];

            cmd_date(d, sizeof(d), nx[0].date, 1);
            rt_printf(q, "%s%s", nx[0].when ? " \u2014 " : "", d);
        }
        rt_nl(q);
    }
    store_nexts_free(nx, nnx);
    rt_nl(q);
    rt_printf(q, "Ask me: !who raised <topic> \u00b7 !actions for <name> \u00b7 !decisions %s", label);
    rt_nl(q);
    if (q->ctx->want_json) {
        cJSON_Delete(q->results);
        q->results = export_meeting_json(st, mid);
    }
    free(label);
    store_meeting_release(&m);
    return 0;
}

static int recap_run(struct cmd_q *q)
{
    char *args = xstrdup(q->args), *spec = cmd_trim(args);
    int64_t mid = 0;
    int rc;

    snprintf(q->reply->kind, sizeof(q->reply->kind), "recap");
    if (!strncasecmp(spec, "meeting ", 8))
        spec += 8;
    rc = cmd_meeting(q, spec, &mid);
    if (rc == 0)
        rc = recap_write(q, mid);
    else
        rc = rc == -1 ? -1 : 0;
    free(args);
    return rc;
}

const struct command cmd_recap = {
    .name = "recap",
    .usage = "recap [#62 | MAG XII | 2022-06-14 | latest]",
    .help = "a meeting in brief: who spoke, topics, decisions, actions, next meeting",
    .match = recap_match,
    .run = recap_run,
};

/* ---- parts of a recap on their own ------------------------------------ */

/* After one of `leads`: nothing (the latest meeting) or a meeting ("#62",
 * "at the last meeting", "in June", "MAG XII"), kept in q->arg1 for
 * part_meeting(); anything else is a topic, for another command. */
static int lone_join(const char *w)
{
    static const char *const joins[] = { "at", "in", "of", "for", "on", "during", "from" };
    size_t i;

    for (i = 0; i < sizeof(joins) / sizeof(joins[0]); i++)
        if (!strcasecmp(w, joins[i]))
            return 1;
    return 0;
}

static int part_match(struct cmd_q *q, const char *const *leads, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char *rest, *spec;
        int64_t mid;

        if (!cmd_starts(q, leads[i]))
            continue;
        rest = xstrdup(q->args);
        spec = cmd_split_meeting(rest, 0);
        if (spec && lone_join(cmd_trim(rest)))
            *rest = '\0';      /* "agenda of #62": the "of" was left */
        if (*cmd_trim(rest)) {
            /* Words left: a meeting by name ("MAG XII"), else a topic. */
            free(spec);
            spec = NULL;
            if (store_meeting_find(q->ctx->st, cmd_trim(rest), &mid) == 0)
                spec = xstrdup(cmd_trim(rest));
            else {
                free(rest);
                return 0;
            }
        }
        free(rest);
        q->arg1 = spec;         /* NULL: the latest */
        return 1;
    }
    return 0;
}

static int agenda_match(struct cmd_q *q)
{
    static const char *const leads[] = {
        "what was on the agenda", "what is on the agenda", "what's on the agenda",
        "what was the agenda", "what were the topics", "what topics were discussed",
        "what was discussed", "what did we discuss", "what did we talk about", "agenda",
        "topics",
    };

    return part_match(q, leads, sizeof(leads) / sizeof(leads[0]));
}

/* The meeting of a part's question, or a "no such meeting" answer. */
static int part_meeting(struct cmd_q *q, int64_t *mid)
{
    return cmd_meeting(q, q->arg1 ? q->arg1 : "", mid);
}

static int agenda_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    struct store_item *v = NULL;
    int64_t mid = 0;
    int n = 0, i, rc, kind = STORE_AGENDA;
    char *ref;

    snprintf(q->reply->kind, sizeof(q->reply->kind), "agenda");
    if ((rc = part_meeting(q, &mid)) != 0)
        return rc == -1 ? -1 : 0;
    if (store_meeting_agenda(st, mid, &v, &n) < 0)
        return cmd_store_error(q);
    if (n == 0) {               /* no agenda: the summary's key points */
        kind = STORE_POINT;
        if (store_items(st, STORE_POINT, mid, NULL, &v, &n) < 0)
            return cmd_store_error(q);
    }
    ref = cmd_meeting_ref_dup(st, mid, 1);
    if (n == 0) {
        /* A transcript with no agenda read out: what the recap says of
         * it (who spoke, decisions, actions) answers "what was discussed". */
        rt_printf(q, "No agenda or key points are recorded for %s; its recap:", ref);
        rt_nl(q);
        free(ref);
        snprintf(q->reply->kind, sizeof(q->reply->kind), "recap");
        return recap_write(q, mid);
    }
    rt_printf(q, "%s at %s:", kind == STORE_AGENDA ? "Topics" : "Key points", ref);
    rt_nl(q);
    free(ref);
    cmd_results_new(q);
    rt_list_begin(q);
    for (i = 0; i < n; i++) {
        char *s = cmd_short_dup(v[i].text, 200);
        char num[16];

        snprintf(num, sizeof(num), " %d. ", i + 1);
        rt_item(q, num);
        rt_text(q, s);
        rt_item_end(q);
        if (q->results)
            cJSON_AddItemToArray(q->results, cJSON_CreateString(v[i].text));
        free(s);
    }
    rt_list_end(q);
    rt_text(q, "Ask me: !who raised <topic> \u00b7 !decisions about <topic>");
    rt_nl(q);
    store_items_free(v, n);
    return 0;
}

const struct command cmd_agenda = {
    .name = "agenda",
    .usage = "agenda [#62] | what was discussed at the last meeting?",
    .help = "a meeting's topics (its agenda, or its summary's key points)",
    .match = agenda_match,
    .run = agenda_run,
};

static int speakers_match(struct cmd_q *q)
{
    static const char *const leads[] = {
        "who spoke most", "who spoke the most", "who talked most", "who talked the most",
        "who spoke longest", "who spoke the longest", "who has spoken the most",
        "who has spoken most", "who talks the most", "who talks most", "who said the most",
        "who said most", "speaking time", "speaking shares", "speakers", "who spoke",
    };

    return part_match(q, leads, sizeof(leads) / sizeof(leads[0]));
}

static int speakers_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    struct store_speaker *v = NULL;
    int64_t mid = 0;
    long total = 0;
    int n = 0, i, rc;
    char *ref;

    snprintf(q->reply->kind, sizeof(q->reply->kind), "speakers");
    if ((rc = part_meeting(q, &mid)) != 0)
        return rc == -1 ? -1 : 0;
    if (store_meeting_speakers(st, mid, &v, &n) < 0)
        return cmd_store_error(q);
    ref = cmd_meeting_ref_dup(st, mid, 1);
    if (n == 0) {
        char *label = cmd_meeting_ref_dup(st, mid, 0);

        rt_printf(q, "I have no transcript of %s, so I cannot tell who spoke. Try: who attended %s",
                  ref, label);
        rt_nl(q);
        free(label);
        free(ref);
        return 0;
    }
    qsort(v, (size_t)n, sizeof(*v), by_words);
    for (i = 0; i < n; i++)
        total += v[i].words;
    rt_printf(q, "Who spoke at %s, by share of the words:", ref);
    rt_nl(q);
    free(ref);
    cmd_results_new(q);
    rt_list_begin(q);
    for (i = 0; i < n; i++) {
        char num[16];
        long pct = total > 0 ? (v[i].words * 100L + total / 2) / total : 0;

        snprintf(num, sizeof(num), " %d. ", i + 1);
        rt_item(q, num);
        rt_bold(q, v[i].name);
        rt_printf(q, " ~%ld\u202f%% (%d turn%s)", pct, v[i].turns, v[i].turns == 1 ? "" : "s");
        rt_item_end(q);
        if (q->results) {
            cJSON *o = cJSON_CreateObject();

            cJSON_AddStringToObject(o, "name", v[i].name);
            cJSON_AddNumberToObject(o, "turns", v[i].turns);
            cJSON_AddNumberToObject(o, "words", v[i].words);
            cJSON_AddItemToArray(q->results, o);
        }
    }
    rt_list_end(q);
    store_speakers_free(v, n);
    return 0;
}

const struct command cmd_speakers = {
    .name = "speakers",
    .usage = "who spoke most [at #66]",
    .help = "a meeting's speakers by their share of the words",
    .match = speakers_match,
    .run = speakers_run,
};
