/* storage/actions_tally.c -- how many actions each owner has ("who has
 * the most open actions?", "open actions by owner"): one count per
 * canonical person or body, and the actions with no owner; and how many
 * are open outside one meeting (a recap's "still open elsewhere"). Reads
 * action_owners, persons and actions through their indexes (a store of
 * 10,000 meetings holds a quarter of a million open actions); writes
 * nothing. */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The tally entry of canonical person `canon`, added when new. */
static struct store_owner_count *tally_entry(struct store_owner_count **v, int *n, int64_t canon,
                                             const char *name)
{
    int i;

    for (i = 0; i < *n; i++)
        if ((*v)[i].person_id == canon)
            return &(*v)[i];
    *v = xrealloc(*v, sizeof(**v) * (size_t)(*n + 1));
    (*v)[*n].name = name ? xstrdup(name) : NULL;
    (*v)[*n].person_id = canon;
    (*v)[*n].count = 0;
    return &(*v)[(*n)++];
}

static int tally_cmp(const void *a, const void *b)
{
    const struct store_owner_count *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcasecmp(x->name ? x->name : "", y->name ? y->name : "");
}

/* Bind the three parameters every statement here takes. */
static void tally_bind(sqlite3_stmt *s, int done_lo, int done_hi, int64_t meeting_id)
{
    sqlite3_bind_int(s, 1, done_lo);
    sqlite3_bind_int(s, 2, done_hi);
    sqlite3_bind_int64(s, 3, meeting_id);
}

/* How many actions with the status there are in all (?3 = 0) or in
 * meeting ?3: open ones from the counter the triggers keep, all of them
 * from the smallest index, one meeting's from its range. -1 on error. */
static int tally_total(struct store *st, int done_lo, int done_hi, int64_t meeting_id)
{
    sqlite3_stmt *s = meeting_id ?
        store_stmt(st, "SELECT count(*) FROM actions WHERE meeting_id = ?3"
                       " AND (status = 'done') BETWEEN ?1 AND ?2") :
        store_stmt(st, "SELECT CASE WHEN ?1 = 0 AND ?2 = 0 THEN open.value"
                       " WHEN ?1 = 1 THEN every.n - open.value ELSE every.n END"
                       " FROM (SELECT value FROM counters WHERE name = 'open_actions') open,"
                       " (SELECT count(*) AS n FROM actions WHERE ?3 = 0) every");
    int total = -1;

    if (!s)
        return -1;
    tally_bind(s, done_lo, done_hi, meeting_id);
    if (sqlite3_step(s) == SQLITE_ROW)
        total = sqlite3_column_int(s, 0);
    store_stmt_done(s);
    return total;
}

int store_actions_by_owner(struct store *st, int status, int64_t meeting_id,
                           struct store_owner_count **out, int *n, int *total)
{
    int done_lo = status == STORE_ACT_DONE, done_hi = status != STORE_ACT_OPEN;
    sqlite3_stmt *s, *canon = NULL;
    int owned = 0, rc;

    *out = NULL;
    *n = 0;
    *total = 0;
    /* Owner rows per person id: one pass over an index in person order
     * (all meetings) or over the meeting's actions. */
    s = meeting_id ?
        store_stmt(st, "SELECT o.person_id, count(*) FROM actions a"
                       " JOIN action_owners o ON o.action_id = a.id"
                       " WHERE a.meeting_id = ?3 AND o.done BETWEEN ?1 AND ?2"
                       " GROUP BY o.person_id") :
        store_stmt(st, "SELECT person_id, count(*) FROM action_owners"
                       " WHERE done BETWEEN ?1 AND ?2 AND ?3 = 0 GROUP BY person_id");
    canon = store_stmt(st, "SELECT c.id, c.name FROM persons p JOIN persons c ON c.id = p.canon_id"
                           " WHERE p.id = ?");
    if (!s || !canon)
        goto fail;
    tally_bind(s, done_lo, done_hi, meeting_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        sqlite3_reset(canon);
        sqlite3_bind_int64(canon, 1, sqlite3_column_int64(s, 0));
        if (sqlite3_step(canon) != SQLITE_ROW)
            break;
        tally_entry(out, n, sqlite3_column_int64(canon, 0),
                    (const char *)sqlite3_column_text(canon, 1))->count += sqlite3_column_int(s, 1);
    }
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        goto fail;
    /* An action that names one person twice (two spellings) counts once:
     * only an action's later owners (seq > 0, a partial index) can. */
    s = store_stmt(st, "SELECT pc.canon_id, count(*) FROM action_owners o INDEXED BY action_owners_shared"
                       " JOIN persons pc ON pc.id = o.person_id"
                       " WHERE o.seq > 0 AND o.done BETWEEN ?1 AND ?2 AND (?3 = 0 OR o.mid = ?3)"
                       " AND EXISTS(SELECT 1 FROM action_owners o2 JOIN persons p2 ON p2.id = o2.person_id"
                       "            WHERE o2.action_id = o.action_id AND o2.seq < o.seq"
                       "            AND p2.canon_id = pc.canon_id)"
                       " GROUP BY pc.canon_id");
    if (!s)
        goto fail;
    tally_bind(s, done_lo, done_hi, meeting_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        tally_entry(out, n, sqlite3_column_int64(s, 0), NULL)->count -= sqlite3_column_int(s, 1);
    store_stmt_done(s);
    if (rc != SQLITE_DONE)
        goto fail;
    /* Actions with an owner: each one's first owner row. */
    s = store_stmt(st, "SELECT count(*) FROM action_owners o"
                       " WHERE o.done BETWEEN ?1 AND ?2 AND (?3 = 0 OR o.mid = ?3)"
                       " AND (o.seq = 0 OR NOT EXISTS(SELECT 1 FROM action_owners o2"
                       "      WHERE o2.action_id = o.action_id AND o2.seq < o.seq))");
    if (!s)
        goto fail;
    tally_bind(s, done_lo, done_hi, meeting_id);
    rc = sqlite3_step(s);
    owned = sqlite3_column_int(s, 0);
    store_stmt_done(s);
    if (rc != SQLITE_ROW || (*total = tally_total(st, done_lo, done_hi, meeting_id)) < 0)
        goto fail;
    if (*total > owned)
        tally_entry(out, n, 0, NULL)->count = *total - owned;
    if (*n > 1)
        qsort(*out, (size_t)*n, sizeof(**out), tally_cmp);
    /* No owner goes last, whatever its count. */
    for (int i = 0; i + 1 < *n; i++)
        if (!(*out)[i].person_id) {
            struct store_owner_count none = (*out)[i];

            memmove(&(*out)[i], &(*out)[i + 1], sizeof(**out) * (size_t)(*n - i - 1));
            (*out)[*n - 1] = none;
            break;
        }
    store_stmt_done(canon);
    return 0;
fail:
    store_stmt_done(canon);
    store_owner_counts_free(*out, *n);
    *out = NULL;
    *n = 0;
    return store_fail(st, "cannot count actions by owner");
}

void store_owner_counts_free(struct store_owner_count *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

int store_actions_open_elsewhere(struct store *st, int64_t meeting_id)
{
    /* All open actions (a counter the schema's triggers keep) less this
     * meeting's (an index range): the same as counting the others. */
    sqlite3_stmt *s = store_stmt(st, "SELECT (SELECT value FROM counters WHERE name = 'open_actions')"
                                     " - (SELECT count(*) FROM actions WHERE status = 'open'"
                                     "    AND meeting_id = ?)");
    int cnt = -1;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, meeting_id);
    if (sqlite3_step(s) == SQLITE_ROW)
        cnt = sqlite3_column_int(s, 0);
    store_stmt_done(s);
    return cnt;
}
