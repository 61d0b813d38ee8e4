/* storage/search_newest.c -- search that stays fast on words in every
 * meeting: store_search() ranks every turn that carries the words (FTS5's
 * bm25 reads each one's length), 150,000 turns for a common pair at
 * 10,000 meetings; here, past SEARCH_NEWEST_MAX matching turns, only the
 * newest that many are ranked. Fewer matches rank as store_search() does,
 * from the same one pass over the index. The best are kept per store
 * until the index changes (query_memo.c). */
#include "search_int.h"

#include <stdlib.h>
#include <string.h>

/* Matching turns ranked at most, newest (last stored) first. */
#define SEARCH_NEWEST_MAX 1000

struct scored {
    int64_t rowid;
    double rank;                /* bm25(): lower is better */
};

/* The newest SEARCH_NEWEST_MAX turns matching expr (all of them when
 * fewer), each with its rank, in one pass over the index: the best
 * `limit` of them are the answer both when there are more (only the
 * newest are ranked) and when there are fewer (all are). Only those get
 * their exact rank; the others one that sorts after them, without a read
 * of their length (search_rank_arg()). -1 on error. */
static int newest_scored(struct store *st, const char *expr, int limit, struct scored *v)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT rowid, rank FROM turns_fts WHERE turns_fts MATCH ?1"
                                     " AND rank MATCH ?2 ORDER BY rowid DESC LIMIT ?3");
    struct buf rank;
    int c = 0;

    if (!s)
        return -1;
    buf_init(&rank);
    search_rank_arg(st, expr, limit, &rank);
    sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, rank.data, (int)rank.len, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, SEARCH_NEWEST_MAX);
    while (c < SEARCH_NEWEST_MAX && sqlite3_step(s) == SQLITE_ROW) {
        v[c].rowid = sqlite3_column_int64(s, 0);
        v[c].rank = sqlite3_column_double(s, 1);
        c++;
    }
    store_stmt_done(s);
    buf_release(&rank);
    return c;
}

/* 1 when a ranks before b: the better rank, among equals the older turn
 * (the order both ORDER BY rank of FTS5 and a LIMIT sort keep). */
static int scored_before(const struct scored *a, const struct scored *b)
{
    return a->rank < b->rank || (a->rank == b->rank && a->rowid < b->rowid);
}

/* Move the best `limit` of v[0..n) to its front, best first. */
static void pick_best(struct scored *v, int n, int limit)
{
    int i, j;

    for (i = 0; i < n && i < limit; i++) {
        struct scored tmp;
        int best = i;

        for (j = i + 1; j < n; j++)
            if (scored_before(&v[j], &v[best]))
                best = j;
        tmp = v[i];
        v[i] = v[best];
        v[best] = tmp;
    }
}

/* The best `limit` turns of expr into v[0..), best first: how many turns
 * match (up to SEARCH_NEWEST_MAX), and in *nbest how many are in v. Kept
 * per store (query_memo.c) until the index changes. -1 on error. */
static int newest_best(struct store *st, const char *expr, int limit, struct scored *v,
                       int *nbest)
{
    struct buf key;
    const struct buf *kept;
    int c;

    buf_init(&key);
    buf_printf(&key, "newest %d %s", limit, expr);
    kept = query_memo_get(st, MEMO_TURNS, key.data, key.len);
    if (kept && kept->len >= sizeof(int)) {
        memcpy(&c, kept->data, sizeof(int));
        *nbest = (int)((kept->len - sizeof(int)) / sizeof(*v));
        memcpy(v, kept->data + sizeof(int), sizeof(*v) * (size_t)*nbest);
        buf_release(&key);
        return c;
    }
    if ((c = newest_scored(st, expr, limit, v)) >= 0) {
        struct buf val;

        pick_best(v, c, limit);
        *nbest = c < limit ? c : limit;
        buf_init(&val);
        buf_add(&val, &c, sizeof(c));
        buf_add(&val, v, sizeof(*v) * (size_t)*nbest);
        query_memo_put(st, MEMO_TURNS, key.data, key.len, val.data, val.len);
        buf_release(&val);
    }
    buf_release(&key);
    return c;
}

/* The turns v[0..n), read whole into *out. */
static int read_hits(struct store *st, const struct scored *v, int n,
                     struct store_hit **out, int *nout)
{
    sqlite3_stmt *h;
    int i;

    for (i = 0; i < n; i++) {
        if (!(h = store_stmt(st, "SELECT " HIT_COLUMNS HIT_FROM " WHERE t.id = ?1")))
            return -1;
        sqlite3_bind_int64(h, 1, v[i].rowid);
        if (sqlite3_step(h) == SQLITE_ROW) {
            *out = xrealloc(*out, sizeof(**out) * (size_t)(*nout + 1));
            store_hit_read(h, &(*out)[*nout]);
            (*out)[*nout].score = -v[i].rank;
            (*nout)++;
        }
        store_stmt_done(h);
    }
    return 0;
}

int store_search_newest(struct store *st, const char *query, int64_t meeting_id, int limit,
                        struct store_hit **out, int *n)
{
    struct store_topic *t;
    struct scored *v;
    struct buf expr;
    int pass, i, c, nbest = 0, rc = 0;

    *out = NULL;
    *n = 0;
    if (meeting_id)
        return store_search(st, query, meeting_id, 0, limit, out, n);
    if (limit <= 0)
        limit = 10;
    t = store_topic_new(st, query);
    v = xmalloc(sizeof(*v) * (SEARCH_NEWEST_MAX > limit ? SEARCH_NEWEST_MAX : limit));
    buf_init(&expr);
    /* As store_search(): every word first; when nothing carries them
     * all, any of them. */
    for (pass = 0; pass < 2 && t->n_terms; pass++) {
        buf_reset(&expr);
        for (i = 0; i < t->n_terms; i++) {
            if (i)
                buf_puts(&expr, pass ? " OR " : " AND ");
            buf_printf(&expr, "(%s)", t->terms[i].match.data);
        }
        if ((c = newest_best(st, expr.data, limit, v, &nbest)) < 0) {
            rc = -1;
            break;
        }
        if (c > 0) {
            rc = read_hits(st, v, nbest, out, n);
            break;
        }
    }
    buf_release(&expr);
    free(v);
    store_topic_free(t);
    return rc;
}
