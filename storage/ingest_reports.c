/* storage/ingest_reports.c -- a record's reports of work done ("I sent
 * the survey on the 20th of March", extract_reports.c) close the
 * speaker's open actions from earlier meetings that do the same kind of
 * thing to the same thing: one of the action's verbs is of the report's
 * kind (sending, writing, contacting ...) and a word of what was done is
 * in the action. The reports are kept (schema 10), so that a record of
 * an earlier meeting stored after a later one has its actions closed by
 * them too. Called by store_add_record() (ingest.c) inside its
 * transaction; the closing is in the action's history with the quote. */
#include "store_int.h"
#include "record.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Verbs that do the same kind of thing, by family. */
static const struct {
    const char *verb;
    int family;
} verb_families[] = {
    { "send", 1 }, { "share", 1 }, { "circulate", 1 }, { "distribute", 1 }, { "forward", 1 },
    { "post", 1 }, { "upload", 1 }, { "email", 1 }, { "e-mail", 1 },
    { "draft", 2 }, { "prepare", 2 }, { "write", 2 }, { "finish", 2 }, { "complete", 2 },
    { "finalise", 2 }, { "finalize", 2 }, { "revise", 2 }, { "update", 2 }, { "produce", 2 },
    { "compile", 2 }, { "put together", 2 },
    { "contact", 3 }, { "invite", 3 }, { "reach out", 3 }, { "ask", 3 },
    { "translate", 4 }, { "publish", 5 }, { "book", 6 }, { "schedule", 7 }, { "set up", 8 },
};

/* Words of what was done too common to tell one action from another. */
static const char *const vague[] = { "that", "this", "them", "those", "these", "everything",
                                     "everyone", "everybody", "some", "more", "first", "final",
                                     "whole", "full", "version", "thing", "things", "around",
                                     "about", "already", "there", NULL };

#define REPORT_CLOSES_MAX 3     /* actions one report may close */

/* Where `word` starts a word of `text` (case aside), else -1; whole:
 * it must end one too. */
static long word_at(const char *text, const char *word, int whole)
{
    size_t n = strlen(word);

    for (const char *p = text; *p; p++)
        if ((p == text || !isalnum((unsigned char)p[-1])) && !strncasecmp(p, word, n) &&
            (!whole || !isalnum((unsigned char)p[n])))
            return (long)(p - text);
    return -1;
}

static int family_of(const char *verb)
{
    for (size_t i = 0; i < sizeof(verb_families) / sizeof(verb_families[0]); i++)
        if (!strcmp(verb_families[i].verb, verb))
            return verb_families[i].family;
    return 0;
}

/* 1 when `text` has a verb of `family` as a word ("Circulate the draft"). */
static int has_family_verb(const char *text, int family)
{
    for (size_t i = 0; i < sizeof(verb_families) / sizeof(verb_families[0]); i++)
        if (verb_families[i].family == family &&
            word_at(text, verb_families[i].verb, 1) >= 0)
            return 1;
    return 0;
}

/* 1 when a telling word of `object` ("the draft description") starts a
 * word of `text`: "survey" finds "surveys". */
static int shares_object(const char *object, const char *text)
{
    const char *p = object;

    while (*p) {
        size_t n = 0;
        int k;
        char w[48];

        while (*p && !isalpha((unsigned char)*p))
            p++;
        while (isalpha((unsigned char)p[n]) || p[n] == '-')
            n++;
        if (n >= 4 && n < sizeof(w)) {
            memcpy(w, p, n);
            w[n] = '\0';
            for (k = 0; vague[k] && strcasecmp(vague[k], w); k++)
                ;
            if (!vague[k] && word_at(text, w, 0) >= 0)
                return 1;
        }
        p += n;
    }
    return 0;
}

/* 1 when a report of `verb` done to `object` is the action of `text`
 * (and `quote`, which may be NULL). */
static int report_matches(const char *verb, const char *object, const char *text,
                          const char *quote)
{
    int family = family_of(verb);

    return family && text && has_family_verb(text, family) &&
           (shares_object(object, text) || (quote && shares_object(object, quote)));
}

/* Action `id` (`code`) closed, as `speaker` said at `where`: "quote". */
static int close_action(struct ingest *in, int64_t id, const char *code, const char *speaker,
                        const char *quote, const char *where, int64_t posted,
                        struct store_ingest_result *res)
{
    sqlite3_stmt *s = store_stmt(in->st, "UPDATE actions SET status = 'done', status_by = ?,"
                                         " status_at = ? WHERE id = ? AND status = 'open'");
    char by[160], detail[700];

    if (!s)
        return -1;
    snprintf(by, sizeof(by), "%s (in a record)", speaker);
    store_bind_text(s, 1, by);
    sqlite3_bind_int64(s, 2, posted);
    sqlite3_bind_int64(s, 3, id);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_stmt_done(s);
        return store_fail(in->st, "cannot close a reported action");
    }
    store_stmt_done(s);
    snprintf(detail, sizeof(detail), "reported done at %.200s: \u201c%.400s\u201d", where, quote);
    if (actions_log(in->st, id, posted, speaker, "done", detail) < 0)
        return -1;
    if (res->closed < STORE_CLOSED_MAX)
        snprintf(res->closed_codes[res->closed], sizeof(res->closed_codes[0]), "%.23s", code);
    res->closed++;
    return 0;
}

/* One report of this record: kept (for actions of earlier meetings
 * stored later), and the speaker's matching open actions of earlier or
 * same-day meetings closed. 0 or -1. */
static int close_for(struct ingest *in, const struct record_report *rp, int64_t posted,
                     struct store_ingest_result *res)
{
    sqlite3_stmt *s = store_stmt(in->st,
        "INSERT INTO reports(meeting_id, record_id, person_id, speaker, verb, object, quote,"
        " offset) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    int64_t ids[REPORT_CLOSES_MAX], pid;
    char codes[REPORT_CLOSES_MAX][24];
    int n = 0, i;

    if (!s || (pid = ingest_person(in, rp->speaker, NULL)) <= 0) {
        store_stmt_done(s);
        return -1;
    }
    sqlite3_bind_int64(s, 1, in->meeting_id);
    sqlite3_bind_int64(s, 2, in->record_id);
    sqlite3_bind_int64(s, 3, pid);
    sqlite3_bind_text(s, 4, rp->speaker, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, rp->verb, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, rp->object, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 7, rp->quote, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, (int64_t)rp->offset);
    i = sqlite3_step(s);
    store_stmt_done(s);
    if (i != SQLITE_DONE)
        return store_fail(in->st, "cannot keep a report");
    s = store_stmt(in->st,
        "SELECT a.id, a.code, a.text, a.quote FROM actions a"
        " JOIN action_owners o ON o.action_id = a.id"
        " JOIN meetings m ON m.id = a.meeting_id, meetings cur"
        " WHERE cur.id = ?2 AND a.status = 'open' AND a.meeting_id <> ?2"
        "   AND o.person_id IN (SELECT p.id FROM persons p WHERE COALESCE(p.canon_id, p.id) ="
        "       (SELECT COALESCE(canon_id, id) FROM persons WHERE id = ?1))"
        "   AND COALESCE(m.date, date(m.posted, 'unixepoch')) <="
        "       COALESCE(cur.date, date(cur.posted, 'unixepoch'))"
        " ORDER BY a.id DESC LIMIT 50");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, pid);
    sqlite3_bind_int64(s, 2, in->meeting_id);
    while (n < REPORT_CLOSES_MAX && sqlite3_step(s) == SQLITE_ROW) {
        if (!report_matches(rp->verb, rp->object, (const char *)sqlite3_column_text(s, 2),
                            (const char *)sqlite3_column_text(s, 3)))
            continue;
        ids[n] = sqlite3_column_int64(s, 0);
        snprintf(codes[n], sizeof(codes[n]), "%.23s", (const char *)sqlite3_column_text(s, 1));
        n++;
    }
    store_stmt_done(s);
    for (i = 0; i < n; i++)
        if (close_action(in, ids[i], codes[i], rp->speaker, rp->quote, res->meeting, posted,
                         res) < 0)
            return -1;
    return 0;
}

/* The record's own new actions that a kept report of a later (or
 * same-day) meeting by one of their owners says are done: closed. A
 * record of an earlier meeting may be stored after the later one. */
static int close_from_later(struct ingest *in, int64_t posted, struct store_ingest_result *res)
{
    sqlite3_stmt *a, *r;
    int rc = -1;

    /* Most stores keep no report at all: nothing to look up then. */
    if ((rc = (int)ingest_step_id(store_stmt(in->st, "SELECT EXISTS(SELECT 1 FROM reports)"))) <= 0)
        return rc;
    rc = -1;
    /* By the meeting's index: actions have none by record. */
    a = store_stmt(in->st, "SELECT id, code, text, quote FROM actions"
                           " WHERE meeting_id = ?2 AND record_id = ?1 AND status = 'open'");
    r = store_stmt(in->st,
        "SELECT r.speaker, r.verb, r.object, r.quote, m.grp, m.number, m.date"
        " FROM reports r JOIN meetings m ON m.id = r.meeting_id, meetings cur"
        " WHERE cur.id = ?2 AND r.meeting_id <> ?2"
        "   AND r.person_id IN (SELECT p.id FROM persons p WHERE COALESCE(p.canon_id, p.id) IN"
        "       (SELECT COALESCE(p2.canon_id, p2.id) FROM action_owners o"
        "        JOIN persons p2 ON p2.id = o.person_id WHERE o.action_id = ?1))"
        "   AND COALESCE(cur.date, date(cur.posted, 'unixepoch')) <="
        "       COALESCE(m.date, date(m.posted, 'unixepoch'))"
        " ORDER BY r.rowid LIMIT 20");
    if (!a || !r)
        goto out;
    sqlite3_bind_int64(a, 1, in->record_id);
    sqlite3_bind_int64(a, 2, in->meeting_id);
    while (sqlite3_step(a) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(a, 0);

        store_stmt_done(r);     /* reset for this action */
        sqlite3_bind_int64(r, 1, id);
        sqlite3_bind_int64(r, 2, in->meeting_id);
        while (sqlite3_step(r) == SQLITE_ROW) {
            const char *num = (const char *)sqlite3_column_text(r, 5);
            const char *date = (const char *)sqlite3_column_text(r, 6);
            char where[200];

            if (!report_matches((const char *)sqlite3_column_text(r, 1),
                                (const char *)sqlite3_column_text(r, 2),
                                (const char *)sqlite3_column_text(a, 2),
                                (const char *)sqlite3_column_text(a, 3)))
                continue;
            snprintf(where, sizeof(where), "%.120s%s%.16s%s%.10s%s",
                     (const char *)sqlite3_column_text(r, 4), num ? " #" : "", num ? num : "",
                     date ? " (" : "", date ? date : "", date ? ")" : "");
            if (close_action(in, id, (const char *)sqlite3_column_text(a, 1),
                             (const char *)sqlite3_column_text(r, 0),
                             (const char *)sqlite3_column_text(r, 3), where, posted, res) < 0)
                goto out;
            break;
        }
    }
    rc = 0;
out:
    store_stmt_done(a);
    store_stmt_done(r);
    return rc;
}

int ingest_facts_reports(struct ingest *in, int64_t posted, struct store_ingest_result *res)
{
    for (int i = 0; i < in->r->n_reports; i++)
        if (close_for(in, &in->r->reports[i], posted, res) < 0)
            return -1;
    return close_from_later(in, posted, res);
}
