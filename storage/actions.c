/* storage/actions.c -- reading action items: one by code, the filters
 * ("open actions for DC", for a person, in a meeting, on a topic), a
 * person's first page, and the open count elsewhere. Owns the queries
 * over actions and action_owners; the writes (codes, owners, done /
 * reopen / assign / add, history) live in actions_edit.c. */
#include "store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTION_COLUMNS \
    "a.id, a.code, a.meeting_id, r.kind, a.text, a.due, a.due_date, a.status, a.status_by," \
    " a.status_at, a.quote, COALESCE(sc.name, a.speaker), a.offset, a.concerns_dcs, a.explicit," \
    " a.confidence"
#define ACTION_FROM \
    " FROM actions a LEFT JOIN meetings m ON m.id = a.meeting_id" \
    " LEFT JOIN records r ON r.id = a.record_id" \
    " LEFT JOIN persons sp ON sp.id = a.speaker_id LEFT JOIN persons sc ON sc.id = sp.canon_id"

/* Bodies that stand for the Dynamic Coalitions. */
#define DCS_OWNER \
    "(lower(o.name) IN ('dc', 'dcs', 'dccg', 'is3c', 'dynamic coalitions', 'the dcs'," \
    "  'dynamic coalition coordination group', 'coalitions', 'all dcs', 'each dc')" \
    " OR lower(o.name) LIKE '%coalition%' OR lower(o.name) LIKE 'dc %'" \
    " OR lower(o.name) LIKE '% dcs' OR lower(o.name) LIKE 'dcs %')"

static void action_read(sqlite3_stmt *s, struct store_action *a)
{
    const char *code = (const char *)sqlite3_column_text(s, 1);
    const char *status = (const char *)sqlite3_column_text(s, 7);

    memset(a, 0, sizeof(*a));
    a->id = sqlite3_column_int64(s, 0);
    snprintf(a->code, sizeof(a->code), "%s", code ? code : "");
    a->meeting_id = sqlite3_column_int64(s, 2);
    a->record_kind = sqlite3_column_int(s, 3);
    a->text = store_col_dup(s, 4);
    a->due = store_col_dup(s, 5);
    a->due_date = store_col_dup(s, 6);
    a->done = status && !strcmp(status, "done");
    a->status_by = store_col_dup(s, 8);
    a->status_at = sqlite3_column_int64(s, 9);
    a->quote = store_col_dup(s, 10);
    a->speaker = store_col_dup(s, 11);
    a->offset = (size_t)sqlite3_column_int64(s, 12);
    a->concerns_dcs = sqlite3_column_int(s, 13);
    a->is_explicit = sqlite3_column_int(s, 14);
    a->confidence = sqlite3_column_double(s, 15);
    if (!a->text)
        a->text = xstrdup("");
}

/* One owner row of action a: its person's name (canon) and the name as
 * the record wrote it; each name once. */
static void owner_add(struct store_action *a, const char *canon, const char *as_written)
{
    const char *name = canon ? canon : as_written;
    int i;

    /* Bodies keep their spelling ("DCs"); people their full name. */
    if (as_written && canon && !strcasecmp(canon, as_written))
        name = as_written;
    for (i = 0; i < a->n_owners && strcmp(a->owners[i], name ? name : ""); i++)
        ;
    if (i == a->n_owners && name)
        strv_push(&a->owners, &a->n_owners, name);
}

static int action_owners(struct store *st, struct store_action *a)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT c.name, o.name, c.single FROM action_owners o"
                                     " JOIN persons p ON p.id = o.person_id"
                                     " JOIN persons c ON c.id = p.canon_id"
                                     " WHERE o.action_id = ? ORDER BY o.seq");

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, a->id);
    while (sqlite3_step(s) == SQLITE_ROW)
        owner_add(a, (const char *)sqlite3_column_text(s, 0),
                  (const char *)sqlite3_column_text(s, 1));
    store_stmt_done(s);
    return 0;
}

/* The owners of v[0..n) in one statement (a query per action cost more
 * than reading the owners): the actions' ids as a JSON array, each owner
 * row given back with its action's place in it. 0 or -1. */
static int actions_owners_all(struct store *st, struct store_action *v, int n)
{
    sqlite3_stmt *s;
    struct buf ids;
    int i, step, rc = 0;

    if (n <= 0)
        return 0;
    if (n == 1)
        return action_owners(st, v);
    s = store_stmt(st, "SELECT j.key, c.name, o.name FROM json_each(?) j"
                       " JOIN action_owners o ON o.action_id = j.value"
                       " JOIN persons p ON p.id = o.person_id"
                       " JOIN persons c ON c.id = p.canon_id ORDER BY j.key, o.seq");
    if (!s)
        return -1;
    buf_init(&ids);
    buf_putc(&ids, '[');
    for (i = 0; i < n; i++)
        buf_printf(&ids, "%s%lld", i ? "," : "", (long long)v[i].id);
    buf_putc(&ids, ']');
    sqlite3_bind_text(s, 1, ids.data, (int)ids.len, SQLITE_STATIC);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        int k = sqlite3_column_int(s, 0);

        if (k >= 0 && k < n)
            owner_add(&v[k], (const char *)sqlite3_column_text(s, 1),
                      (const char *)sqlite3_column_text(s, 2));
    }
    if (step != SQLITE_DONE)
        rc = store_fail(st, "cannot read the actions' owners");
    store_stmt_done(s);
    buf_release(&ids);
    return rc;
}

void store_action_release(struct store_action *a)
{
    if (!a)
        return;
    store_strings_free(a->owners, a->n_owners);
    free(a->text);
    free(a->due);
    free(a->due_date);
    free(a->status_by);
    free(a->quote);
    free(a->speaker);
    memset(a, 0, sizeof(*a));
}

void store_actions_free(struct store_action *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        store_action_release(&v[i]);
    free(v);
}

/* The filter of store_actions(), every parameter optional. The queries
 * below repeat its most selective part as a plain conjunct up front, so
 * SQLite reads one meeting's or one owner's actions through an index
 * instead of scanning them all; the result is the same. */
#define ACTION_FILTER \
        " (?1 = 2 OR (?1 = 0 AND a.status = 'open') OR (?1 = 1 AND a.status = 'done'))" \
        " AND (?2 = 0 OR a.meeting_id = ?2)" \
        " AND (?3 = 0 OR EXISTS(SELECT 1 FROM action_owners o JOIN persons p ON p.id = o.person_id" \
        "                       WHERE o.action_id = a.id AND p.canon_id = ?3))" \
        " AND (?4 IS NULL OR EXISTS(SELECT 1 FROM action_owners o" \
        "                       WHERE o.action_id = a.id AND lower(o.name) = lower(?4)))" \
        " AND (?5 = 0 OR a.concerns_dcs = 1" \
        "      OR EXISTS(SELECT 1 FROM action_owners o WHERE o.action_id = a.id AND " DCS_OWNER ")" \
        "      OR instr(COALESCE(m.grp_key, ''), 'dynamic coalition') > 0" \
        "      OR substr(COALESCE(m.grp_key, ''), 1, 3) = 'dc ' OR instr(COALESCE(m.grp_key, ''), 'dccg') > 0)" \
        " ORDER BY COALESCE(m.date, date(m.posted, 'unixepoch')) DESC, m.id DESC, a.id"

static const char actions_by_meeting[] =
    "SELECT " ACTION_COLUMNS ACTION_FROM " WHERE a.meeting_id = ?2 AND" ACTION_FILTER;
static const char actions_by_person[] =
    "SELECT " ACTION_COLUMNS ACTION_FROM
    " WHERE a.id IN (SELECT o.action_id FROM persons p"
    "                JOIN action_owners o ON o.person_id = p.id WHERE p.canon_id = ?3) AND"
    ACTION_FILTER;
static const char actions_by_owner[] =
    "SELECT " ACTION_COLUMNS ACTION_FROM
    " WHERE a.id IN (SELECT o.action_id FROM action_owners o WHERE lower(o.name) = lower(?4)) AND"
    ACTION_FILTER;
/* On a topic: only the actions whose text or quote carries one of its
 * words' stems (index actions_fts); query_on_topic() decides. These read
 * only what the test needs (ACTION_TESTED); the ones kept are then read
 * whole by id (actions_read_tested()). */
#define ACTION_TESTED \
    "SELECT a.id, a.text, a.quote FROM actions a LEFT JOIN meetings m ON m.id = a.meeting_id"
static const char actions_on_topic[] =
    ACTION_TESTED
    " WHERE a.id IN (SELECT rowid FROM actions_fts WHERE actions_fts MATCH ?6) AND"
    ACTION_FILTER;
/* The same for the rows query_memo_rows() found (a JSON array of ids). */
static const char actions_of_rows[] =
    ACTION_TESTED " WHERE a.id IN (SELECT value FROM json_each(?6)) AND" ACTION_FILTER;
static const char actions_by_meeting_tested[] =
    ACTION_TESTED " WHERE a.meeting_id = ?2 AND" ACTION_FILTER;
static const char actions_no_meeting_tested[] =
    ACTION_TESTED " WHERE a.meeting_id IS NULL AND" ACTION_FILTER;
static const char actions_any[] = "SELECT " ACTION_COLUMNS ACTION_FROM " WHERE" ACTION_FILTER;
static const char actions_by_id[] =
    "SELECT " ACTION_COLUMNS ACTION_FROM " WHERE a.id = ?2 AND"
    " (?1 = 2 OR (?1 = 0 AND a.status = 'open') OR (?1 = 1 AND a.status = 'done'))";

/* Append the actions s yields on topic t (all when NULL) to *out, up to
 * `limit` (0: no limit); 1 when it stopped at the limit. With `more`,
 * the rows past the limit are counted there instead (no topic only). */
static int actions_read(sqlite3_stmt *s, const struct store_topic *t, int limit,
                        struct store_action **out, int *n, int *more)
{
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (limit && *n >= limit && more && !t) {
            (*more)++;
            continue;
        }
        if (limit && *n >= limit)
            return 1;
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        action_read(s, &(*out)[*n]);
        if (t && !store_topic_empty(t) && !query_on_topic((*out)[*n].text, t) &&
            !query_on_topic((*out)[*n].quote ? (*out)[*n].quote : "", t)) {
            store_action_release(&(*out)[*n]);
            continue;
        }
        (*n)++;
    }
    return 0;
}

/* actions_read() on non-empty topic t for a statement of (id, text,
 * quote): most rows fail the test, and only the ones kept are read whole
 * (actions_by_id), so the record and the speaker's names are not looked
 * up for the others. 1 when it stopped at the limit, -1 on error. */
static int actions_read_tested(struct store *st, sqlite3_stmt *s, const struct store_topic *t,
                               int limit, struct store_action **out, int *n)
{
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(s, 1);
        const char *quote = (const char *)sqlite3_column_text(s, 2);
        sqlite3_stmt *w;

        if (limit && *n >= limit)
            return 1;
        if (!query_on_topic(text ? text : "", t) && !query_on_topic(quote ? quote : "", t))
            continue;
        if (!(w = store_stmt(st, actions_by_id)))
            return -1;
        sqlite3_bind_int(w, 1, STORE_ACT_ALL);
        sqlite3_bind_int64(w, 2, sqlite3_column_int64(s, 0));
        actions_read(w, NULL, 0, out, n, NULL);
        store_stmt_done(w);
    }
    return 0;
}

/* The first f->limit actions on non-empty topic t, walking the meetings
 * newest first, each one's actions through index actions_meeting, then
 * those of no meeting: the order of the query. */
static int actions_walk(struct store *st, const struct store_action_filter *f,
                        const struct store_topic *t, struct store_action **out, int *n)
{
    sqlite3_stmt *m = store_stmt(st, "SELECT m.id FROM meetings m ORDER BY"
                                     " COALESCE(m.date, date(m.posted, 'unixepoch')) DESC, m.id DESC");
    int full = 0, rc = 0;

    if (!m)
        return -1;
    while (!full && sqlite3_step(m) == SQLITE_ROW) {
        sqlite3_stmt *s = store_stmt(st, actions_by_meeting_tested);

        if (!s) {
            rc = -1;
            break;
        }
        sqlite3_bind_int(s, 1, f->status);
        sqlite3_bind_int64(s, 2, sqlite3_column_int64(m, 0));
        sqlite3_bind_int64(s, 3, 0);
        sqlite3_bind_null(s, 4);
        sqlite3_bind_int(s, 5, f->dcs);
        full = actions_read_tested(st, s, t, f->limit, out, n);
        store_stmt_done(s);
        if (full < 0)
            rc = -1;
    }
    store_stmt_done(m);
    if (!full && rc == 0 && *n < f->limit) {
        /* Then those of no meeting (added in chat), last as in the query. */
        sqlite3_stmt *s = store_stmt(st, actions_no_meeting_tested);

        if (!s)
            return -1;
        sqlite3_bind_int(s, 1, f->status);
        sqlite3_bind_int64(s, 2, 0);
        sqlite3_bind_int64(s, 3, 0);
        sqlite3_bind_int(s, 5, f->dcs);
        if (actions_read_tested(st, s, t, f->limit, out, n) < 0)
            rc = -1;
        store_stmt_done(s);
    }
    return rc;
}

/* ---- a person's page --------------------------------------------------- */

/* One owner row of action_owners_page: its action and the sort key of
 * the answer (day and meeting NULL for an action of no meeting). */
struct page_row {
    int64_t action_id, mid;
    char *day;
};

/* The order of the answer: newest day first, then the newest meeting,
 * then the action; no day (no meeting) last. As SQLite orders them:
 * NULL below every value, text by its bytes. */
static int page_row_cmp(const void *pa, const void *pb)
{
    const struct page_row *a = pa, *b = pb;
    int c;

    if (!a->day != !b->day)
        return a->day ? -1 : 1;
    if (a->day && (c = strcmp(a->day, b->day)) != 0)
        return c > 0 ? -1 : 1;
    if (a->mid != b->mid)
        return a->mid > b->mid ? -1 : 1;
    return a->action_id < b->action_id ? -1 : a->action_id > b->action_id;
}

/* How many distinct actions the person `canon` owns with done-ness in
 * [done_lo, done_hi]: their owner rows, a count over index
 * action_owners_page, less the rows that name the person a second time
 * for the same action (only an action's later owners, seq > 0, can:
 * index action_owners_shared). -1 on error. */
static int person_count(struct store *st, int64_t canon, int done_lo, int done_hi)
{
    sqlite3_stmt *s = store_stmt(st,
        "SELECT (SELECT count(*) FROM persons p JOIN action_owners o ON o.person_id = p.id"
        "        WHERE p.canon_id = ?1 AND o.done IN (?2, ?3))"
        " - (SELECT count(*) FROM persons p"
        "    JOIN action_owners o INDEXED BY action_owners_shared ON o.person_id = p.id"
        "    WHERE p.canon_id = ?1 AND o.done IN (?2, ?3) AND o.seq > 0"
        "    AND EXISTS(SELECT 1 FROM action_owners o2 JOIN persons p2 ON p2.id = o2.person_id"
        "               WHERE o2.action_id = o.action_id AND o2.seq < o.seq AND p2.canon_id = ?1))");
    int cnt = -1;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, canon);
    sqlite3_bind_int(s, 2, done_lo);
    sqlite3_bind_int(s, 3, done_hi);
    if (sqlite3_step(s) == SQLITE_ROW)
        cnt = sqlite3_column_int(s, 0);
    store_stmt_done(s);
    return cnt;
}

/* The first f->limit of a person's actions, newest meeting first, and
 * how many there are in all. Each of their person ids (the spellings of
 * one canonical person) and done-ness is a range of index
 * action_owners_page already in page order: the first f->limit actions
 * of each range, merged and sorted, give the page; then each is read. */
static int person_page(struct store *st, const struct store_action_filter *f,
                       struct store_action **out, int *n, int *total)
{
    int done_lo = f->status == STORE_ACT_DONE, done_hi = f->status != STORE_ACT_OPEN;
    sqlite3_stmt *ids = store_stmt(st, "SELECT id FROM persons WHERE canon_id = ?1 ORDER BY id");
    sqlite3_stmt *rows = NULL, *s;
    struct page_row *v = NULL;
    int64_t *pids = NULL;
    size_t n_pids = 0, nv = 0, i;
    int rc = -1, done, k, kept;

    if (!ids)
        return -1;
    sqlite3_bind_int64(ids, 1, f->person_id);
    while (sqlite3_step(ids) == SQLITE_ROW) {
        pids = xrealloc(pids, sizeof(*pids) * (n_pids + 1));
        pids[n_pids++] = sqlite3_column_int64(ids, 0);
    }
    store_stmt_done(ids);
    if ((*total = person_count(st, f->person_id, done_lo, done_hi)) < 0)
        goto out;
    if (!(rows = store_stmt(st, "SELECT action_id, day, mid FROM action_owners"
                                " WHERE person_id = ?1 AND done = ?2"
                                " ORDER BY day DESC, mid DESC, action_id")))
        goto out;
    for (i = 0; i < n_pids; i++) {
        for (done = done_lo; done <= done_hi; done++) {
            int64_t last = 0;

            sqlite3_reset(rows);
            sqlite3_bind_int64(rows, 1, pids[i]);
            sqlite3_bind_int(rows, 2, done);
            /* The range's first f->limit actions (one action may hold
             * two of its rows, side by side). */
            for (k = 0; k < f->limit && sqlite3_step(rows) == SQLITE_ROW;) {
                int64_t id = sqlite3_column_int64(rows, 0);
                const char *day = (const char *)sqlite3_column_text(rows, 1);

                if (id == last)
                    continue;
                last = id;
                v = xrealloc(v, sizeof(*v) * (nv + 1));
                v[nv].action_id = id;
                v[nv].day = day ? xstrdup(day) : NULL;
                v[nv].mid = sqlite3_column_int64(rows, 2);
                nv++;
                k++;
            }
        }
    }
    store_stmt_done(rows);
    if (nv > 1)
        qsort(v, nv, sizeof(*v), page_row_cmp);
    rc = 0;
    for (i = 0, kept = 0; rc == 0 && i < nv && kept < f->limit; i++) {
        if (i > 0 && v[i].action_id == v[i - 1].action_id)
            continue;           /* theirs under two spellings */
        if (!(s = store_stmt(st, actions_by_id))) {
            rc = -1;
            break;
        }
        sqlite3_bind_int(s, 1, STORE_ACT_ALL);
        sqlite3_bind_int64(s, 2, v[i].action_id);
        actions_read(s, NULL, 0, out, n, NULL);
        store_stmt_done(s);
        kept++;
    }
out:
    for (i = 0; i < nv; i++)
        free(v[i].day);
    free(v);
    free(pids);
    return rc;
}

/* For a topic of several words, the actions that carry them all (FTS5
 * finds them from the rarest word's rows) read into *out, the way
 * actions_query() reads the rows of its expression: 1 when some were,
 * 0 when none carries every word (or so many do that reading each costs
 * more than walking the meetings), -1 on error. `ids` is left empty. */
static int actions_rows_all(struct store *st, const struct store_topic *t, int cap,
                            const struct store_action_filter *f, struct buf *ids,
                            struct store_action **out, int *n)
{
    char *all = query_topic_all_expr_dup(st, QUERY_ACTIONS, t);
    sqlite3_stmt *s;
    int rows, rc = 0;

    if (!all || !*all)
        goto out;
    /* As for items (query.c): past a quarter of the cap, the walk. */
    if ((rows = query_memo_rows(st, MEMO_ACTIONS, all, cap / 4, ids)) < 0) {
        rc = -1;
        goto out;
    }
    if (rows == 0 || rows >= cap / 4)
        goto out;
    if (!(s = store_stmt(st, actions_of_rows))) {
        rc = -1;
        goto out;
    }
    sqlite3_bind_int(s, 1, f->status);
    sqlite3_bind_int64(s, 2, 0);
    sqlite3_bind_int64(s, 3, 0);
    sqlite3_bind_null(s, 4);
    sqlite3_bind_int(s, 5, f->dcs);
    sqlite3_bind_text(s, 6, ids->data, (int)ids->len, SQLITE_STATIC);
    rc = actions_read_tested(st, s, t, f->limit, out, n) < 0 ? -1 : *n > 0;
    store_stmt_done(s);
out:
    buf_reset(ids);
    free(all);
    return rc;
}

static int actions_query(struct store *st, const struct store_action_filter *f,
                         struct store_action **out, int *n, int *more)
{
    struct store_topic *t = f && f->topic ? store_topic_new(st, f->topic) : NULL;
    /* The index's vocabulary is read only for a topic alone: with a
     * meeting, person or owner, the topic only tests that filter's rows. */
    char *prefixes = f && (f->meeting_id || f->person_id || f->owner) ? NULL :
                     query_topic_expr_dup(st, QUERY_ACTIONS, t);
    const char *sql = f && f->meeting_id ? actions_by_meeting :
                      f && f->person_id ? actions_by_person :
                      f && f->owner ? actions_by_owner :
                      prefixes ? actions_on_topic : actions_any;
    sqlite3_stmt *s = NULL;
    struct buf ids;
    int rc = 0;

    *out = NULL;
    *n = 0;
    buf_init(&ids);
    if (sql == actions_on_topic && !*prefixes)
        goto out;               /* no action carries the words */
    if (sql == actions_on_topic && f->limit > 0) {
        /* As for items on a topic (query.c): 25 x sqrt(meetings). */
        int cap = 25 * (int)sqrt((double)store_meeting_count(st)), rows;

        if (cap < 200)
            cap = 200;
        /* Those that carry every word of the topic, when any does; the
         * ones with half of its words only when none does. */
        if ((rows = actions_rows_all(st, t, cap, f, &ids, out, n)) != 0) {
            rc = rows < 0 ? -1 : 0;
            goto owners;
        }
        /* The actions that carry enough of the words, read by id: FTS5
         * evaluates the expression (each word's terms in several of its
         * sets) once, kept until actions_fts changes. At the cap the words
         * are so common that walking the meetings costs less. */
        if ((rows = query_memo_rows(st, MEMO_ACTIONS, prefixes, cap, &ids)) < 0) {
            rc = -1;
            goto out;
        }
        if (rows >= cap) {
            rc = actions_walk(st, f, t, out, n);
            goto owners;
        }
        if (rows == 0)
            goto out;
        sql = actions_of_rows;
    }
    /* With a topic to test, only what the test reads, first. */
    if (sql == actions_by_meeting && !store_topic_empty(t))
        sql = actions_by_meeting_tested;
    if (!(s = store_stmt(st, sql))) {
        rc = -1;
        goto out;
    }
    sqlite3_bind_int(s, 1, f ? f->status : STORE_ACT_ALL);
    sqlite3_bind_int64(s, 2, f ? f->meeting_id : 0);
    sqlite3_bind_int64(s, 3, f ? f->person_id : 0);
    store_bind_text(s, 4, f ? f->owner : NULL);
    sqlite3_bind_int(s, 5, f ? f->dcs : 0);
    if (sql == actions_on_topic)
        sqlite3_bind_text(s, 6, prefixes, -1, SQLITE_STATIC);
    else if (sql == actions_of_rows)
        sqlite3_bind_text(s, 6, ids.data, (int)ids.len, SQLITE_STATIC);
    if (sql == actions_on_topic || sql == actions_of_rows || sql == actions_by_meeting_tested)
        rc = actions_read_tested(st, s, t, f->limit, out, n) < 0 ? -1 : 0;
    else
        actions_read(s, t, f ? f->limit : 0, out, n, more);
    store_stmt_done(s);
owners:
    if (rc == 0)
        rc = actions_owners_all(st, *out, *n);
out:
    buf_release(&ids);
    free(prefixes);
    store_topic_free(t);
    return rc;
}

int store_actions(struct store *st, const struct store_action_filter *f,
                  struct store_action **out, int *n)
{
    return actions_query(st, f, out, n, NULL);
}

int store_actions_due(struct store *st, const char *from, const char *to, int limit,
                      struct store_action **out, int *n, int *total)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM actions a WHERE a.status = 'open'"
                                     " AND a.due_date >= ?1 AND a.due_date < ?2");
    int rc = 0;

    *out = NULL;
    *n = 0;
    *total = 0;
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, to, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        *total = sqlite3_column_int(s, 0);
    store_stmt_done(s);
    if (!*total)
        return 0;
    s = store_stmt(st, "SELECT " ACTION_COLUMNS ACTION_FROM " WHERE a.status = 'open'"
                       " AND a.due_date >= ?1 AND a.due_date < ?2"
                       " ORDER BY a.due_date, a.id LIMIT ?3");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, to, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, limit > 0 ? limit : -1);
    while (sqlite3_step(s) == SQLITE_ROW) {
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        action_read(s, &(*out)[(*n)++]);
    }
    store_stmt_done(s);
    if (rc == 0)
        rc = actions_owners_all(st, *out, *n);
    return rc;
}

int store_actions_page(struct store *st, const struct store_action_filter *f,
                       struct store_action **out, int *n, int *total)
{
    int more = 0, rc;

    *out = NULL;
    *n = 0;
    if (f->person_id && !f->meeting_id && !f->owner && !f->dcs && !f->topic && f->limit > 0) {
        rc = person_page(st, f, out, n, total);
        if (rc == 0)
            rc = actions_owners_all(st, *out, *n);
        return rc;
    }
    rc = actions_query(st, f, out, n, &more);
    *total = *n + more;
    return rc;
}

/* A meeting's transcript actions that take their topic from the turn
 * before them (context.c: "put it on the agenda of the next call"), in
 * id order, owners read. 0 or -1. */
int store_actions_in_context(struct store *st, int64_t meeting_id, const struct store_topic *t,
                             struct store_action **out, int *n)
{
    struct context_turns ct = { 0, NULL, NULL, 0 };
    sqlite3_stmt *s;
    int rc = 0;

    *out = NULL;
    *n = 0;
    if (store_topic_empty(t))
        return 0;
    s = store_stmt(st, "SELECT " ACTION_COLUMNS ", a.record_id" ACTION_FROM
                       " WHERE a.meeting_id = ?1 AND r.kind = 1 ORDER BY a.id");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, meeting_id);
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(s, 4);
        const char *quote = (const char *)sqlite3_column_text(s, 10);
        struct store_action a;
        int on;

        if (!text || query_on_topic(text, t))
            continue;           /* on topic by itself: not this list's */
        on = context_on_topic(st, &ct, sqlite3_column_int64(s, 16),
                              (size_t)sqlite3_column_int64(s, 12), quote ? quote : text, t);
        if (on <= 0) {
            rc = on;
            continue;
        }
        action_read(s, &a);
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        (*out)[(*n)++] = a;
    }
    store_stmt_done(s);
    context_turns_release(&ct);
    if (rc == 0)
        rc = actions_owners_all(st, *out, *n);
    return rc;
}

int store_action_get(struct store *st, const char *code, struct store_action *out)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " ACTION_COLUMNS ACTION_FROM
                                     " WHERE a.code = ? COLLATE NOCASE");
    int rc = STORE_NOTFOUND;

    memset(out, 0, sizeof(*out));
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        action_read(s, out);
        rc = 0;
    }
    store_stmt_done(s);
    if (rc == 0 && action_owners(st, out) < 0)
        rc = -1;
    return rc;
}

int store_action_owned_by(struct store *st, const char *code, int64_t person_id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM actions a JOIN action_owners o ON o.action_id = a.id"
                                     " JOIN persons p ON p.id = o.person_id"
                                     " WHERE a.code = ? COLLATE NOCASE AND p.canon_id = ?");
    int yes = 0;

    if (!s)
        return 0;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, person_id);
    yes = sqlite3_step(s) == SQLITE_ROW;
    store_stmt_done(s);
    return yes;
}
