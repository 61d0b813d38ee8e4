/* storage/query.c -- the agenda, decisions and key points of a meeting
 * or on a topic (the topic test and its FTS5 expressions are
 * topic_match.c's). Owns reads of table items; meetings are read by
 * query_meetings.c. */
#include "search_int.h"
#include "record.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- agenda, decisions, key points ------------------------------------ */

void store_items_free(struct store_item *v, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        free(v[i].text);
        free(v[i].quote);
        free(v[i].speaker);
    }
    free(v);
}

#define ITEM_COLUMNS \
    "SELECT i.meeting_id, r.kind, i.text, i.quote, COALESCE(c.name, i.speaker), i.offset"
#define ITEM_NEWEST \
    " ORDER BY COALESCE(m.date, date(m.posted, 'unixepoch')) DESC, m.id DESC," \
    "  r.kind, i.record_id, i.seq"

/* With a topic: only the items whose text or quote carries one of its
 * words' stems (index items_fts answers that), so the items of thousands
 * of other meetings are never read; query_on_topic() then keeps those
 * with at least half of the words. */
static const char items_on_topic[] =
    ITEM_COLUMNS
    " FROM items i JOIN meetings m ON m.id = i.meeting_id JOIN records r ON r.id = i.record_id"
    " LEFT JOIN persons p ON p.id = i.person_id LEFT JOIN persons c ON c.id = p.canon_id"
    " WHERE i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?3)"
    " AND i.kind = ?1 AND (?2 = 0 OR i.meeting_id = ?2)" ITEM_NEWEST;
/* The rows items_rows() found (a JSON array of ids), in the same order,
 * with only what the topic test needs (items_read_ids()). */
static const char items_of_rows[] =
    "SELECT i.id, i.text, i.quote"
    " FROM items i JOIN meetings m ON m.id = i.meeting_id JOIN records r ON r.id = i.record_id"
    " WHERE i.id IN (SELECT value FROM json_each(?3))"
    " AND i.kind = ?1 AND (?2 = 0 OR i.meeting_id = ?2)" ITEM_NEWEST;
/* One meeting's in the order of items_of_meeting, the same way. */
static const char items_of_meeting_ids[] =
    "SELECT i.id, i.text, i.quote FROM items i JOIN records r ON r.id = i.record_id"
    " WHERE i.meeting_id = ?2 AND i.kind = ?1 ORDER BY r.kind, i.record_id, i.seq";
/* One item whole, by id. */
static const char item_by_id[] =
    ITEM_COLUMNS
    " FROM items i JOIN records r ON r.id = i.record_id"
    " LEFT JOIN persons p ON p.id = i.person_id LEFT JOIN persons c ON c.id = p.canon_id"
    " WHERE i.id = ?1";
/* One meeting's (a recap): read through index items_meeting. */
static const char items_of_meeting[] =
    ITEM_COLUMNS
    " FROM items i JOIN records r ON r.id = i.record_id"
    " LEFT JOIN persons p ON p.id = i.person_id LEFT JOIN persons c ON c.id = p.canon_id"
    " WHERE i.meeting_id = ?2 AND i.kind = ?1 ORDER BY r.kind, i.record_id, i.seq";
/* Every meeting's; with a topic whose words the index cannot look up
 * (not plain letters and digits), each item is tested in C. */
static const char items_all[] =
    ITEM_COLUMNS
    " FROM items i JOIN meetings m ON m.id = i.meeting_id JOIN records r ON r.id = i.record_id"
    " LEFT JOIN persons p ON p.id = i.person_id LEFT JOIN persons c ON c.id = p.canon_id"
    " WHERE i.kind = ?1 AND (?2 = 0 OR i.meeting_id = ?2)" ITEM_NEWEST;

void query_item_read(sqlite3_stmt *s, struct store_item *it)
{
    it->meeting_id = sqlite3_column_int64(s, 0);
    it->record_kind = sqlite3_column_int(s, 1);
    it->text = store_col_dup(s, 2);
    it->quote = store_col_dup(s, 3);
    it->speaker = store_col_dup(s, 4);
    it->offset = (size_t)sqlite3_column_int64(s, 5);
    if (!it->text)
        it->text = xstrdup("");
}

/* Append the rows of s on topic t (every row when t is NULL) to *out,
 * until there are `limit` of them (0: no limit); the rows past the limit
 * are counted in *more, or not read at all when more is NULL. */
static void items_read(sqlite3_stmt *s, const struct store_topic *t, int limit,
                       struct store_item **out, int *n, int *more)
{
    while (sqlite3_step(s) == SQLITE_ROW) {
        struct store_item *it;
        const char *text = (const char *)sqlite3_column_text(s, 2);
        const char *quote = (const char *)sqlite3_column_text(s, 3);

        if (t && !store_topic_empty(t) && !query_on_topic(text ? text : "", t) &&
            !query_on_topic(quote ? quote : "", t))
            continue;
        if (limit && *n >= limit) {
            if (!more)
                return;
            (*more)++;
            continue;
        }
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        it = &(*out)[(*n)++];
        query_item_read(s, it);
    }
}

int query_item_get(struct store *st, int64_t id, struct store_item *it)
{
    sqlite3_stmt *s = store_stmt(st, item_by_id);
    int rc;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s) == SQLITE_ROW;
    if (rc)
        query_item_read(s, it);
    store_stmt_done(s);
    return rc;
}

/* Item `id` read whole onto the end of *out (nothing when it is gone);
 * -1 on error. */
static int item_append(struct store *st, int64_t id, struct store_item **out, int *n)
{
    struct store_item it;
    int got = query_item_get(st, id, &it);

    if (got > 0) {
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        (*out)[(*n)++] = it;
    }
    return got < 0 ? -1 : 0;
}

/* items_read() for a statement of (id, text, quote): most rows fail the
 * topic test, and only the ones kept are read whole (query_item_get()),
 * so the speakers' names are not looked up for the others. -1 on error. */
static int items_read_ids(struct store *st, sqlite3_stmt *s, const struct store_topic *t,
                          int limit, struct store_item **out, int *n, int *more)
{
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(s, 1);
        const char *quote = (const char *)sqlite3_column_text(s, 2);

        if (!store_topic_empty(t) && !query_on_topic(text ? text : "", t) &&
            !query_on_topic(quote ? quote : "", t))
            continue;
        if (limit && *n >= limit) {
            if (!more)
                return 0;
            (*more)++;
            continue;
        }
        if (item_append(st, sqlite3_column_int64(s, 0), out, n) < 0)
            return -1;
    }
    return 0;
}

/* items_read_ids() for a topic of several words when every candidate is
 * read (the rows are counted): the items that carry every word, when any
 * do, else those with enough of them ("the EGM report" is not any
 * report). The ones past the limit are counted in *more. -1 on error. */
static int items_read_covering(struct store *st, sqlite3_stmt *s, const struct store_topic *t,
                               int limit, struct store_item **out, int *n, int *more)
{
    int64_t *ids[2];
    int kept[2] = { 0, 0 }, seen[2] = { 0, 0 }, k, i, rc = 0;

    ids[0] = xcalloc((size_t)limit, sizeof(int64_t));
    ids[1] = xcalloc((size_t)limit, sizeof(int64_t));
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(s, 1);
        const char *quote = (const char *)sqlite3_column_text(s, 2);

        if (!query_on_topic(text ? text : "", t) && !query_on_topic(quote ? quote : "", t))
            continue;
        k = !(store_topic_covers(t, text) || store_topic_covers(t, quote));
        if (kept[k] < limit)
            ids[k][kept[k]++] = sqlite3_column_int64(s, 0);
        seen[k]++;
    }
    k = seen[0] ? 0 : 1;
    *more += seen[k] - kept[k];
    for (i = 0; i < kept[k] && rc == 0; i++)
        rc = item_append(st, ids[k][i], out, n);
    free(ids[0]);
    free(ids[1]);
    return rc;
}


static int items_query(struct store *st, int kind, int64_t meeting_id,
                       const struct store_topic *t, const char *prefixes, int limit,
                       struct store_item **out, int *n, int *more)
{
    sqlite3_stmt *s = store_stmt(st, prefixes ? items_on_topic :
                                     meeting_id ? items_of_meeting : items_all);

    if (!s)
        return -1;
    sqlite3_bind_int(s, 1, kind);
    sqlite3_bind_int64(s, 2, meeting_id);
    if (prefixes)
        sqlite3_bind_text(s, 3, prefixes, -1, SQLITE_STATIC);
    if (!prefixes || *prefixes)
        items_read(s, t, limit, out, n, more);
    store_stmt_done(s);
    return 0;
}

int store_items(struct store *st, int kind, int64_t meeting_id,
                const char *topic, struct store_item **out, int *n)
{
    struct store_topic *t = topic ? store_topic_new(st, topic) : NULL;
    char *expr = query_topic_expr_dup(st, QUERY_ITEMS, t);
    int more = 0, rc;

    *out = NULL;
    *n = 0;
    rc = items_query(st, kind, meeting_id, t, expr, 0, out, n, &more);
    free(expr);
    store_topic_free(t);
    return rc;
}

int store_meeting_agenda(struct store *st, int64_t meeting_id, struct store_item **out, int *n)
{
    int i, k, written = 0;

    if (store_items(st, STORE_AGENDA, meeting_id, NULL, out, n) < 0)
        return -1;
    for (i = 0; i < *n; i++)
        written |= (*out)[i].record_kind == RECORD_SUMMARY;
    for (i = k = 0; i < *n; i++) {
        struct store_item *it = &(*out)[i];
        int j;

        for (j = 0; j < k && strcasecmp((*out)[j].text, it->text); j++)
            ;
        if ((written && it->record_kind != RECORD_SUMMARY) || j < k) {
            free(it->text);
            free(it->quote);
            free(it->speaker);
            continue;
        }
        (*out)[k++] = *it;
    }
    *n = k;
    return 0;
}

/* Words common in the store: walk the meetings newest first, each one's
 * items through index items_meeting, until past the limit. */
static int items_walk(struct store *st, int kind, const struct store_topic *t, int limit,
                      struct store_item **out, int *n, int *more)
{
    sqlite3_stmt *m = store_stmt(st, "SELECT m.id FROM meetings m ORDER BY"
                                     " COALESCE(m.date, date(m.posted, 'unixepoch')) DESC, m.id DESC");
    sqlite3_stmt *s = NULL;
    int rc = 0;

    if (!m)
        return -1;
    while ((more ? !*more : *n < limit) && sqlite3_step(m) == SQLITE_ROW) {
        if (!(s = store_stmt(st, items_of_meeting_ids))) {
            rc = -1;
            break;
        }
        sqlite3_bind_int(s, 1, kind);
        sqlite3_bind_int64(s, 2, sqlite3_column_int64(m, 0));
        rc = items_read_ids(st, s, t, limit, out, n, more);
        store_stmt_done(s);
        if (rc < 0)
            break;
    }
    store_stmt_done(m);
    if (more && *more)
        *more = -1;             /* more, uncounted */
    return rc;
}

/* The items_fts expression of t (borrowed from t), read from the
 * vocabulary once per topic. */
static const char *items_prefixes(struct store *st, const struct store_topic *t)
{
    struct store_topic *memo = (struct store_topic *)t;    /* its memo only */

    if (!t)
        return NULL;
    if (!t->items_expr_done) {
        memo->items_expr = query_topic_expr_dup(st, QUERY_ITEMS, t);
        memo->items_expr_done = 1;
    }
    return t->items_expr;
}

/* How many items carry enough of t's words (the rows of its expression
 * in items_fts), up to cap, with their ids in t->items_ids: read once per
 * topic, and kept per store until items_fts changes (query_memo.c). A count, then the decisions' query and again the key points'
 * each had FTS5 evaluate the expression, which names each word's terms
 * in several of its sets (each a look-up in every index segment); the
 * items are now read by id. ROWS_NONE when there is no expression to
 * read (see query_topic_expr_dup()); -1 on error. */
#define ROWS_NONE (-2)

/* The rows of expr up to cap, with their ids in *ids, kept in a topic's
 * memo (*kept_cap, *kept_rows) for the rest of the answer. */
static int rows_kept(struct store *st, const char *expr, int cap, int *kept_cap,
                     int *kept_rows, struct buf *ids)
{
    int c;

    if (!expr || !*expr)
        return ROWS_NONE;
    if (*kept_cap == cap)
        return *kept_rows;
    buf_reset(ids);
    if ((c = query_memo_rows(st, MEMO_ITEMS, expr, cap, ids)) < 0)
        return -1;
    *kept_rows = c;
    *kept_cap = cap;
    return c;
}

static int items_rows(struct store *st, const struct store_topic *t, int cap)
{
    struct store_topic *memo = (struct store_topic *)t;    /* its memo only */

    return rows_kept(st, items_prefixes(st, t), cap, &memo->items_rows_cap, &memo->items_rows,
                     &memo->items_ids);
}

/* items_rows() for the items that carry every word of t (two words or
 * more): their ids in t->all_ids. ROWS_NONE when there is no such
 * expression; -1 on error. */
static int items_rows_all(struct store *st, const struct store_topic *t, int cap)
{
    struct store_topic *memo = (struct store_topic *)t;    /* its memo only */

    if (!t->all_expr_done) {
        memo->all_expr = query_topic_all_expr_dup(st, QUERY_ITEMS, t);
        memo->all_expr_done = 1;
    }
    return rows_kept(st, t->all_expr, cap, &memo->all_rows_cap, &memo->all_rows,
                     &memo->all_ids);
}

/* The items of `kind` among the rows of `ids` (a JSON array) that are on
 * topic t, newest first, as store_items_on_topic() gives them. */
static int items_of_ids(struct store *st, int kind, const struct store_topic *t,
                        const struct buf *ids, int limit, struct store_item **out, int *n,
                        int *more)
{
    sqlite3_stmt *s = store_stmt(st, items_of_rows);
    int rc;

    if (!s)
        return -1;
    sqlite3_bind_int(s, 1, kind);
    sqlite3_bind_int64(s, 2, 0);
    sqlite3_bind_text(s, 3, ids->data, (int)ids->len, SQLITE_STATIC);
    rc = more && query_topic_word_count(t) > 1 ? items_read_covering(st, s, t, limit, out, n, more)
                                    : items_read_ids(st, s, t, limit, out, n, more);
    store_stmt_done(s);
    return rc;
}

int store_items_on_topic(struct store *st, int kind, int64_t meeting_id,
                         const struct store_topic *t, int limit,
                         struct store_item **out, int *n, int *more)
{
    const char *prefixes;
    int cap, rc, rows = ROWS_NONE;

    *out = NULL;
    *n = 0;
    if (more)
        *more = 0;
    if (limit <= 0)
        limit = 1;
    /* Reading every item that carries a word costs a row each; walking
     * the meetings newest first costs a row per item of the kind until
     * `limit` are found. The walk wins when the words are common: over
     * about sqrt(limit x items) index rows (25 x sqrt(meetings) with ~50
     * items a meeting); then the rows past the limit are not counted. */
    cap = 25 * (int)sqrt((double)store_meeting_count(st));
    if (cap < 200)
        cap = 200;
    /* The first few on a topic of several words (the key points under a
     * decisions answer): those that carry every word, when any of the
     * kind do ("the harbour standard", not any standard), as the
     * decisions are (items_read_covering()). FTS5 finds them from the
     * rarest word's rows, so a common word in the topic costs next to
     * nothing; but each row found is read and sorted, so past a quarter
     * of the cap, where walking the meetings costs less, the ways below
     * read them as before. */
    if (!more && !meeting_id && (rows = items_rows_all(st, t, cap / 4)) == -1)
        return -1;
    if (rows > 0 && rows < cap / 4) {
        rc = items_of_ids(st, kind, t, &t->all_ids, limit, out, n, more);
        if (rc < 0 || *n > 0)
            return rc;
    }
    if (!meeting_id && (rows = items_rows(st, t, cap)) == -1)
        return -1;
    if (rows >= cap)
        return items_walk(st, kind, t, limit, out, n, more);
    if (rows >= 0)
        return rows == 0 ? 0 : items_of_ids(st, kind, t, &t->items_ids, limit, out, n, more);
    /* One meeting's, or no expression: items_query() reads them. */
    prefixes = items_prefixes(st, t);
    return items_query(st, kind, meeting_id, t, prefixes, limit, out, n, more);
}
