/* storage/search_newest.c -- search that stays fast on words in every
 * meeting: store_search() ranks every turn that carries the words (FTS5's
 * bm25 reads each one's length), 150,000 turns for a common pair at
 * 10,000 meetings; here, past SEARCH_NEWEST_MAX matching turns, only the
 * newest that many are ranked. Fewer matches: store_search() itself. */
#include "search_int.h"

#include <stdlib.h>
#include <string.h>

/* Matching turns ranked at most, newest (last stored) first. */
#define SEARCH_NEWEST_MAX 1000

/* How many turns match expr, up to SEARCH_NEWEST_MAX, and in *lo the
 * lowest rowid of the newest SEARCH_NEWEST_MAX. -1 on error. */
static int newest_count(struct store *st, const char *expr, int64_t *lo)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*), min(rowid) FROM (SELECT rowid FROM turns_fts"
                                     " WHERE turns_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2)");
    int c = -1;

    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, SEARCH_NEWEST_MAX);
    if (sqlite3_step(s) == SQLITE_ROW) {
        c = sqlite3_column_int(s, 0);
        *lo = sqlite3_column_int64(s, 1);
    }
    store_stmt_done(s);
    return c;
}

/* The best `limit` of the turns matching expr from rowid lo up. */
static int ranked(struct store *st, const char *expr, int64_t lo, int limit,
                  struct store_hit **out, int *n)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT rowid, rank FROM turns_fts WHERE turns_fts MATCH ?1"
                                     " AND rowid >= ?2 ORDER BY rank LIMIT ?3");
    sqlite3_stmt *h;
    int rc = 0;

    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, lo);
    sqlite3_bind_int(s, 3, limit);
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        if (!(h = store_stmt(st, "SELECT " HIT_COLUMNS HIT_FROM " WHERE t.id = ?1"))) {
            rc = -1;
            break;
        }
        sqlite3_bind_int64(h, 1, sqlite3_column_int64(s, 0));
        if (sqlite3_step(h) == SQLITE_ROW) {
            *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
            store_hit_read(h, &(*out)[*n]);
            (*out)[*n].score = -sqlite3_column_double(s, 1);
            (*n)++;
        }
        store_stmt_done(h);
    }
    store_stmt_done(s);
    return rc;
}

int store_search_newest(struct store *st, const char *query, int64_t meeting_id, int limit,
                        struct store_hit **out, int *n)
{
    struct store_topic *t;
    struct buf expr;
    int64_t lo = 0;
    int pass, i, c, rc = 0;

    *out = NULL;
    *n = 0;
    if (meeting_id)
        return store_search(st, query, meeting_id, 0, limit, out, n);
    if (limit <= 0)
        limit = 10;
    t = store_topic_new(st, query);
    buf_init(&expr);
    /* As store_search(): every word first; when nothing carries them
     * all, any of them. A pass with few matches is store_search()'s. */
    for (pass = 0; pass < 2 && t->n_terms; pass++) {
        buf_reset(&expr);
        for (i = 0; i < t->n_terms; i++) {
            if (i)
                buf_puts(&expr, pass ? " OR " : " AND ");
            buf_printf(&expr, "(%s)", t->terms[i].match.data);
        }
        if ((c = newest_count(st, expr.data, &lo)) < 0) {
            rc = -1;
            break;
        }
        if (c >= SEARCH_NEWEST_MAX) {
            rc = ranked(st, expr.data, lo, limit, out, n);
            break;
        }
        if (c > 0 || pass == 1) {
            /* Few: store_search() answers (its OR pass only when the
             * AND pass found nothing, as here). */
            rc = store_search(st, query, 0, 0, limit, out, n);
            break;
        }
    }
    buf_release(&expr);
    store_topic_free(t);
    return rc;
}
