/* commands/commands.c -- the chat language's front door: the command
 * table, normalising a message (case, trailing '?', prefix words) and
 * dispatching it, the meeting a question names, the JSON envelope and
 * ingest replies. What answers write is in render.c. No I/O here. */
#include "commands_int.h"
#include "../storage/record.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COMMANDS_MAX_MESSAGE 4000

const struct command *const commands_table[] = {
    &cmd_help,
    &cmd_greet,
    &cmd_forget,
    &cmd_action_change,
    &cmd_roles,
    &cmd_people,          /* before raised: "who attended", "who sent apologies" */
    &cmd_speakers,        /* "who spoke most" */
    &cmd_agenda,
    &cmd_said,
    &cmd_raised,
    &cmd_actions_due,     /* before actions: "actions due this week" */
    &cmd_actions,
    &cmd_decisions,
    &cmd_recap,
    &cmd_next,
    &cmd_meetings,
    &cmd_glossary,       /* "what is EGM?": only for a term it knows */
    &cmd_search,
    NULL,
};

void cmd_reply_init(struct cmd_reply *r)
{
    buf_init(&r->text);
    buf_init(&r->html);
    buf_init(&r->json);
    r->kind[0] = '\0';
}

void cmd_reply_release(struct cmd_reply *r)
{
    buf_release(&r->text);
    buf_release(&r->html);
    buf_release(&r->json);
}

/* ---- matching helpers ------------------------------------------------- */

int cmd_starts(struct cmd_q *q, const char *prefix)
{
    size_t n = strlen(prefix);

    if (strncmp(q->lower, prefix, n) || (q->lower[n] && q->lower[n] != ' '))
        return 0;
    q->args = q->text + n;
    while (*q->args == ' ')
        q->args++;
    return 1;
}

char *cmd_trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '"' || *s == '\'' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '"' || e[-1] == '\'' || e[-1] == '\t' ||
                     e[-1] == '.' || e[-1] == ','))
        e--;
    *e = '\0';
    return s;
}

/* A word that can only name a meeting: "#62", "2022-06-14", "latest". */
static int meeting_word(const char *w)
{
    int y, m, d;

    if (w[0] == '#' && isdigit((unsigned char)w[1]))
        return 1;
    if (sscanf(w, "%4d-%2d-%2d", &y, &m, &d) == 3)
        return 1;
    return !strcasecmp(w, "latest");
}

/* Words that can make up a meeting named in passing at the end of a
 * question: "at the last meeting", "from our previous call", "in the
 * June meeting", "on 14 June 2022". */
enum { PW_NONE, PW_FILLER, PW_NOUN, PW_RECENT, PW_MONTH, PW_DAY, PW_YEAR, PW_SPAN, PW_THIS };

static int phrase_word(const char *w, size_t n)
{
    size_t digits = 0;

    while (digits < n && isdigit((unsigned char)w[digits]))
        digits++;
    if (digits == 4 && n == 4)
        return PW_YEAR;
    if (store_day_word(w, n))
        return PW_DAY;
    if (store_month_word(w, n))
        return PW_MONTH;
    if (store_recent_word(w, n))
        return PW_RECENT;
    if ((n == 4 && !strncasecmp(w, "week", 4)) || (n == 5 && !strncasecmp(w, "month", 5)))
        return PW_SPAN;         /* "last week", "this month" */
    if (n == 4 && !strncasecmp(w, "this", 4))
        return PW_THIS;
    if ((n == 7 && !strncasecmp(w, "meeting", 7)) || (n == 4 && !strncasecmp(w, "call", 4)) ||
        (n == 4 && !strncasecmp(w, "time", 4)))
        return PW_NOUN;         /* "time": "last time" */
    if ((n == 3 && (!strncasecmp(w, "the", 3) || !strncasecmp(w, "our", 3))) ||
        (n == 2 && (!strncasecmp(w, "on", 2) || !strncasecmp(w, "of", 2))))
        return PW_FILLER;
    return PW_NONE;
}

/* 1 when the word before `at` in s is "in" or "during" ("... in June"). */
static int after_in(const char *s, const char *at)
{
    const char *e = at;

    while (e > s && e[-1] == ' ')
        e--;
    return (e - s == 2 || (e - s > 2 && e[-3] == ' ')) ? !strncasecmp(e - 2, "in", 2) :
           (e - s == 6 || (e - s > 6 && e[-7] == ' ')) ? !strncasecmp(e - 6, "during", 6) : 0;
}

/* Where a meeting named in passing starts at the end of s ("... at the
 * last meeting"), or NULL: the trailing words must name one by when it
 * was ("the last meeting", "the June meeting") or by a date with a day or
 * year ("14 June"), not merely say "meeting" ("the next meeting"). The
 * join word before it ("at", "in", "from", ...) is cut from s. With
 * need_words, not when it is the whole of s ("search 14 June"). */
static char *passing_meeting(char *s, int need_words)
{
    static const char *const joins[] = { "at", "in", "from", "of", "during", "for", "on",
                                         "about" };
    char *start = NULL, *e = s + strlen(s), *spec, *cut;
    unsigned seen = 0;
    size_t i;

    for (;;) {
        char *w = e;
        int k;

        while (w > s && w[-1] != ' ')
            w--;
        if (w == e || (k = phrase_word(w, (size_t)(e - w))) == PW_NONE)
            break;
        seen |= 1u << k;
        start = w;
        if (w == s)
            break;
        e = w - 1;
        while (e > s && e[-1] == ' ')
            e--;
    }
    if (!start || !((seen & (1u << PW_NOUN) && seen & (1u << PW_RECENT | 1u << PW_MONTH)) ||
                    (seen & (1u << PW_SPAN) && seen & (1u << PW_RECENT | 1u << PW_THIS)) ||
                    (seen & (1u << PW_MONTH) && seen & (1u << PW_DAY | 1u << PW_YEAR)) ||
                    (seen & (1u << PW_MONTH) && after_in(s, start))))
        return NULL;
    /* Its own first words may be joins ("on 14 June"): they go with s. */
    while (!strncasecmp(start, "on ", 3) || !strncasecmp(start, "of ", 3))
        start += 3;
    cut = start;
    while (cut > s && cut[-1] == ' ')
        cut--;
    for (i = 0; i < sizeof(joins) / sizeof(joins[0]); i++) {
        size_t jl = strlen(joins[i]);
        char *j = cut - jl;

        if (j >= s && !strncasecmp(j, joins[i], jl) && (j == s || j[-1] == ' ')) {
            cut = j;
            break;
        }
    }
    /* "the plan for this month", "the report of last week": a span of
     * time that belongs to the topic, not a meeting. */
    if (seen & (1u << PW_SPAN) && !(seen & (1u << PW_NOUN)) && i < sizeof(joins) / sizeof(joins[0]) &&
        (!strcmp(joins[i], "for") || !strcmp(joins[i], "of") || !strcmp(joins[i], "about") ||
         !strcmp(joins[i], "on")))
        return NULL;
    if (need_words && strspn(s, " ") >= (size_t)(start - s))
        return NULL;            /* the whole of s: it is what is asked about */
    spec = xstrdup(start);
    *cut = '\0';
    return spec;
}

/* Cut the join word that ends s ("decisions at", "actions from"), after
 * a space or as the whole of s, once its meeting has been split off. */
static void cut_trailing_join(char *s)
{
    static const char *const joins[] = { "in meeting", "at meeting", "from meeting",
                                         "of meeting", "in", "at", "during", "of", "for",
                                         "from" };
    size_t len = strlen(s), i;

    while (len && s[len - 1] == ' ')
        s[--len] = '\0';
    for (i = 0; i < sizeof(joins) / sizeof(joins[0]); i++) {
        size_t jl = strlen(joins[i]);

        if (len >= jl && !strncasecmp(s + len - jl, joins[i], jl) &&
            (len == jl || s[len - jl - 1] == ' ')) {
            s[len - jl] = '\0';
            return;
        }
    }
}

/* 1 when w (one word) can only be a meeting's number after "meeting":
 * "62", "#62", "XII". */
static int number_word(const char *w)
{
    if (*w == '#')
        w++;
    if (isdigit((unsigned char)*w))
        return w[strspn(w, "0123456789")] == '\0';
    return *w && w[strspn(w, "IVXLCivxlc")] == '\0';
}

char *cmd_split_meeting(char *s, int need_words)
{
    static const char *const joins[] = { " in meeting ", " at meeting " };
    static const char *const numbered[] = { "in meeting ", "at meeting ", "from meeting ",
                                            "of meeting ", "during meeting ", "for meeting ",
                                            "meeting " };
    char *sp;
    size_t i;

    /* "... #62" at the very end, with or without "in". */
    sp = strrchr(s, ' ');
    if (sp && meeting_word(sp + 1)) {
        char *spec = xstrdup(sp + 1);

        *sp = '\0';
        cut_trailing_join(s);
        return spec;
    }
    if (!sp && meeting_word(s)) {
        char *spec = xstrdup(s);

        *s = '\0';
        return spec;
    }
    if ((sp = passing_meeting(s, need_words)))
        return sp;
    /* "... from meeting 62", "meeting XII" at the end: the word meeting
     * and a number. */
    for (i = 0; i < sizeof(numbered) / sizeof(numbered[0]); i++) {
        size_t nl = strlen(numbered[i]);
        char *hit = s;

        while ((hit = strcasestr(hit, numbered[i])) && hit != s && hit[-1] != ' ')
            hit += nl;
        if (hit && number_word(hit + nl) && (!need_words || hit != s)) {
            char *spec = xstrdup(hit + nl);

            *hit = '\0';
            return spec;
        }
    }
    /* "... in meeting 62", "... in MAG XII": only with the word meeting. */
    for (i = 0; i < 2; i++) {
        char *hit = strcasestr(s, joins[i]);

        if (hit) {
            char *spec = xstrdup(hit + strlen(joins[i]));

            *hit = '\0';
            return spec;
        }
    }
    return NULL;
}

char *cmd_split_meeting_lead(char *s)
{
    static const char *const topic_joins[] = { " about ", " on ", " regarding ", " concerning " };
    /* Words a question may put between its verb and the meeting ("were
     * taken at #7 about ..."). */
    static const char *const filler[] = { "were", "was", "made", "taken", "reached", "did", "we",
                                          NULL };
    char *hit = NULL, *pre, *spec, *topic, *w, *save = NULL;
    size_t i, jl = 0;
    int ok = 1;

    for (i = 0; i < sizeof(topic_joins) / sizeof(topic_joins[0]); i++) {
        char *h = strcasestr(s, topic_joins[i]);

        if (h && (!hit || h < hit)) {
            hit = h;
            jl = strlen(topic_joins[i]);
        }
    }
    if (!hit || !*(topic = cmd_trim(hit + jl)))
        return NULL;
    pre = xstrndup(s, (size_t)(hit - s));
    spec = cmd_split_meeting(pre, 0);
    for (w = strtok_r(pre, " ", &save); spec && w && ok; w = strtok_r(NULL, " ", &save)) {
        for (i = 0; filler[i] && strcasecmp(w, filler[i]); i++)
            ;
        ok = filler[i] != NULL;
    }
    free(pre);
    if (!spec || !ok) {
        free(spec);
        return NULL;
    }
    memmove(s, topic, strlen(topic) + 1);
    return spec;
}

void cmd_month_of(int64_t now, int back, int *year, int *month)
{
    time_t t = (time_t)now;
    struct tm tm;
    int k;

    gmtime_r(&t, &tm);
    *year = tm.tm_year + 1900;
    *month = tm.tm_mon + 1;
    for (k = 0; k < back; k++)
        if (--*month == 0) {
            *month = 12;
            --*year;
        }
}

/* A span named relative to today ("last week", "this month"): its first
 * and last days (ISO) from `now` (UTC) and a name for it ("last month
 * (October 2026)", "this week (the week of 9 Nov 2026)"). 1 when spec
 * names one, else 0. */
static int relative_span(const char *spec, int64_t now, char from[11], char to[11],
                         char *name, size_t namelen)
{
    int week = strcasestr(spec, "week") != NULL, month = strcasestr(spec, "month") != NULL;
    int last = strcasestr(spec, "last") || strcasestr(spec, "previous");
    int this = strcasestr(spec, "this") != NULL;
    time_t t = (time_t)now;
    struct tm tm;
    int y, m;

    if ((!week && !month) || (week && month) || (!last && !this) || (last && this))
        return 0;
    gmtime_r(&t, &tm);
    if (week) {
        /* Monday to Sunday; last week is the one before this one. */
        time_t monday = t - (time_t)(((tm.tm_wday + 6) % 7) * 86400) - (last ? 7 * 86400 : 0);
        time_t sunday = monday + 6 * 86400;
        struct tm a, b;

        gmtime_r(&monday, &a);
        gmtime_r(&sunday, &b);
        strftime(from, 11, "%Y-%m-%d", &a);
        strftime(to, 11, "%Y-%m-%d", &b);
        snprintf(name, namelen, "%s week (the week of %d ", last ? "last" : "this", a.tm_mday);
        strftime(name + strlen(name), namelen - strlen(name), "%b %Y)", &a);
        return 1;
    }
    cmd_month_of(now, last, &y, &m);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = 1;
    strftime(from, 11, "%Y-%m-01", &tm);
    strftime(to, 11, "%Y-%m-31", &tm);     /* ISO order: past the month's last day */
    snprintf(name, namelen, "%s month (", last ? "last" : "this");
    strftime(name + strlen(name), namelen - strlen(name), "%B %Y)", &tm);
    return 1;
}

int cmd_meeting(struct cmd_q *q, const char *spec, int64_t *id)
{
    char from[11], to[11], span[64];
    int rc;

    if (spec && relative_span(spec, q->ctx->now, from, to, span, sizeof(span))) {
        rc = store_meeting_in_span(q->ctx->st, from, to, id);
        if (rc == STORE_NOTFOUND && store_meeting_count(q->ctx->st) > 0) {
            int64_t newest;
            char *ref = NULL;

            if (store_meeting_find(q->ctx->st, "", &newest) == 0)
                ref = cmd_meeting_ref_dup(q->ctx->st, newest, 1);
            rt_printf(q, "I have no meeting %s.", span);
            if (ref)
                rt_printf(q, " The newest I have is %s.", ref);
            rt_text(q, " Try: meetings");
            rt_nl(q);
            snprintf(q->reply->kind, sizeof(q->reply->kind), "not_found");
            free(ref);
            return rc;
        }
    } else {
        rc = store_meeting_find(q->ctx->st, spec ? spec : "", id);
    }
    if (rc == -1)
        return cmd_store_error(q);
    if (rc == STORE_NOTFOUND) {
        if (store_meeting_count(q->ctx->st) == 0)
            rt_text(q, "I hold no meeting records yet. Post a transcript or a summary report "
                       "and I will read it.");
        else
            rt_printf(q, "I have no meeting \"%s\". Try: meetings", spec && *spec ? spec : "latest");
        rt_nl(q);
        snprintf(q->reply->kind, sizeof(q->reply->kind), "not_found");
    }
    return rc;
}

/* ---- normalising and dispatching -------------------------------------- */

static const char *const lead_words[] = {
    "scribe:", "scribe,", "scribe", "@scribe:", "@scribe", "hey", "hi", "ok", "okay", "so",
    "please", "pls", "can you tell me", "could you tell me", "tell me", "give me a", "give me",
    "give us a", "give us", "do you know",
    "can you", "could you", "would you", "i'd like to know", "i wonder",
};

/* Collapse white space (Unicode spaces too), drop control characters,
 * the prefix '!', lead words and a trailing '?' or '.'. */
static char *normalise_dup(const char *msg)
{
    size_t len = strlen(msg), cut = len > COMMANDS_MAX_MESSAGE ?
        utf8_trim_len(msg, len, COMMANDS_MAX_MESSAGE) : len;
    char *f = store_fold_dup(msg, cut), *p, *e;
    struct buf b;
    int space = 0, again = 1;
    size_t i;

    buf_init(&b);
    for (p = f; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c < 0x20 || c == 0x7f || c == ' ') {
            space = b.len > 0;
            continue;
        }
        if (space)
            buf_putc(&b, ' ');
        space = 0;
        buf_putc(&b, (char)c);
    }
    free(f);
    p = b.data;
    while (again) {
        again = 0;
        while (*p == '!' || *p == ' ' || *p == '/')
            p++;
        for (i = 0; i < sizeof(lead_words) / sizeof(lead_words[0]); i++) {
            size_t n = strlen(lead_words[i]);

            if (!strncasecmp(p, lead_words[i], n) && (p[n] == ' ' || p[n] == ',' || p[n] == '\0')) {
                p += n;
                while (*p == ' ' || *p == ',')
                    p++;
                again = 1;
            }
        }
    }
    e = p + strlen(p);
    while (e > p && (e[-1] == '?' || e[-1] == ' ' || e[-1] == '.' || e[-1] == '!'))
        e--;
    f = xstrndup(p, (size_t)(e - p));
    buf_release(&b);
    return f;
}

/* A copy of `s` with every invalid UTF-8 sequence replaced by U+FFFD:
 * cJSON copies bytes as they are, and JSON must be UTF-8. Free with free(). */
static char *utf8_clean_dup(const char *s)
{
    size_t len = strlen(s), i = 0;
    struct buf b;
    uint32_t cp;
    int n;

    buf_init(&b);
    while (i < len) {
        n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
        if (n > 0) {
            buf_add(&b, s + i, (size_t)n);
            i += (size_t)n;
        } else {
            buf_puts(&b, "\xef\xbf\xbd");
            i++;
        }
    }
    return buf_detach(&b);
}

static void json_envelope(struct cmd_q *q, const char *question)
{
    cJSON *o = cJSON_CreateObject();
    char *s, *clean = utf8_clean_dup(question);

    cJSON_AddStringToObject(o, "question", clean);
    free(clean);
    cJSON_AddStringToObject(o, "kind", q->reply->kind[0] ? q->reply->kind : "answer");
    cJSON_AddStringToObject(o, "answer", q->reply->text.data);
    cJSON_AddStringToObject(o, "html", q->reply->html.data);
    if (q->results) {
        cJSON_AddItemToObject(o, "results", q->results);
        q->results = NULL;
    } else {
        cJSON_AddItemToObject(o, "results", cJSON_CreateArray());
    }
    s = cJSON_PrintUnformatted(o);
    buf_reset(&q->reply->json);
    buf_puts(&q->reply->json, s ? s : "{}");
    cJSON_free(s);
    cJSON_Delete(o);
}

static void q_release(struct cmd_q *q)
{
    free(q->text);
    free(q->lower);
    free(q->arg1);
    free(q->arg2);
    cJSON_Delete(q->results);
}

int commands_answer(const struct cmd_ctx *ctx, const char *msg, struct cmd_reply *out)
{
    struct cmd_q q;
    const struct command *const *c;
    int rc = 0;
    char *p;

    memset(&q, 0, sizeof(q));
    q.ctx = ctx;
    q.reply = out;
    buf_reset(&out->text);
    buf_reset(&out->html);
    buf_reset(&out->json);
    out->kind[0] = '\0';
    q.text = normalise_dup(msg ? msg : "");
    q.lower = xstrdup(q.text);
    for (p = q.lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    q.args = q.text;

    store_question_begin(ctx->st);
    for (c = commands_table; *c; c++) {
        if ((*c)->match(&q)) {
            snprintf(out->kind, sizeof(out->kind), "%s", (*c)->name);
            rc = (*c)->run(&q);
            break;
        }
    }
    if (!*c) {
        /* Not a command: treat it as a search, and say how to ask. */
        snprintf(out->kind, sizeof(out->kind), "search");
        q.args = q.text;
        q.flag = 1;
        rc = cmd_search.run(&q);
    }
    store_question_end(ctx->st);
    if (ctx->want_json)
        json_envelope(&q, msg ? msg : "");
    q_release(&q);
    return rc;
}

/* ---- ingest ----------------------------------------------------------- */

int commands_looks_like_record(const char *data, size_t len)
{
    return record_looks_like(data, len);
}

int commands_ingest(const struct cmd_ctx *ctx, const char *data, size_t len,
                    const char *name, int want_recap, struct cmd_reply *out)
{
    struct store_ingest_result res;
    struct cmd_q q;
    char err[256] = "";
    int rc;

    memset(&q, 0, sizeof(q));
    q.ctx = ctx;
    q.reply = out;
    buf_reset(&out->text);
    buf_reset(&out->html);
    buf_reset(&out->json);
    rc = store_ingest(ctx->st, data, len, ctx->max_record_bytes, name, ctx->room, ctx->now,
                      &res, err, sizeof(err));
    if (rc < 0) {
        snprintf(out->kind, sizeof(out->kind), "error");
        rt_printf(&q, "I could not read this as a meeting record: %s", err[0] ? err : "unknown reason");
        rt_nl(&q);
        rc = -1;
    } else if (rc == STORE_DUPLICATE) {
        char *ref = cmd_meeting_ref_dup(ctx->st, res.meeting_id, 1);

        snprintf(out->kind, sizeof(out->kind), "duplicate");
        rt_printf(&q, "I already have this record: %s %s. Ask: recap %s", res.meeting,
                  res.kind == 2 ? "(summary report)" : "(transcript)", ref);
        rt_nl(&q);
        free(ref);
        rc = COMMANDS_DUPLICATE;
    } else {
        snprintf(out->kind, sizeof(out->kind), "recap");
        if (want_recap) {
            if (recap_write(&q, res.meeting_id) < 0)
                rc = -1;
        } else {
            rt_printf(&q, "Stored %s: %d turns, %d people, %d actions, %d decisions.",
                      res.meeting, res.turns, res.people, res.actions, res.decisions);
            rt_nl(&q);
        }
        if (rc >= 0 && res.closed > 0) {
            /* Reported done in the record ("I sent the survey"), or in
             * a later one stored before it. */
            rt_text(&q, res.closed == 1 ? "Reported done, so closed: "
                                        : "Reported done, so closed:");
            for (int i = 0; i < res.closed && i < STORE_CLOSED_MAX; i++)
                rt_printf(&q, "%s%s", i ? ", " : res.closed == 1 ? "" : " ", res.closed_codes[i]);
            if (res.closed > STORE_CLOSED_MAX)
                rt_printf(&q, " and %d more", res.closed - STORE_CLOSED_MAX);
            rt_printf(&q, ". Ask me: %s \u00b7 undo with: reopen %s", res.closed_codes[0],
                      res.closed_codes[0]);
            rt_nl(&q);
        }
        if (rc >= 0)
            rc = COMMANDS_STORED;
    }
    if (ctx->want_json)
        json_envelope(&q, name ? name : "ingest");
    cJSON_Delete(q.results);
    return rc;
}
