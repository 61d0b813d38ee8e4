/* storage/search_rank.c -- bm25 for turns_fts with each phrase's count of
 * turns kept per store. FTS5's bm25() reads, for every query, every row
 * of each of its phrases to weigh it ("list" or "session" are in
 * thousands of turns); scribe_bm25(turns_fts, n...) computes exactly what
 * bm25() does (same formula, same order of operations) from counts found
 * once and kept (query_memo.c) until the index changes. Given how many
 * of the best a query keeps, a row that cannot be among them is not
 * scored exactly (no read of its length). Knows FTS5's extension API. */
#include "search_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RANK_FN "scribe_bm25"
#define RANK_MAX_PHRASES 64
#define RANK_MAX_TOP 64         /* best scores kept for the bound, at most */

/* ---- the rank function ----------------------------------------------- */

struct rank_data {
    int n;
    double avgdl;
    double *idf;
    double *freq;
    int top, ntop;              /* best[0..ntop) of the top wanted, worst first */
    double best[RANK_MAX_TOP];
};

static int count_cb(const Fts5ExtensionApi *api, Fts5Context *fts, void *arg)
{
    (void)api;
    (void)fts;
    (*(int64_t *)arg)++;
    return SQLITE_OK;
}

/* The statement's phrase weights, as bm25() finds them, but with the
 * count of turns of phrase i taken from argument i when it is an integer
 * (and there is one per phrase, and maybe the top wanted after them). */
static int rank_data_get(const Fts5ExtensionApi *api, Fts5Context *fts, int nval,
                         sqlite3_value **val, struct rank_data **out)
{
    struct rank_data *d = api->xGetAuxdata(fts, 0);
    sqlite3_int64 nrow = 0, ntok = 0;
    int rc, i, n;

    if (d) {
        *out = d;
        return SQLITE_OK;
    }
    n = api->xPhraseCount(fts);
    d = xcalloc(1, sizeof(*d) + sizeof(double) * (size_t)n * 2);
    d->n = n;
    d->idf = (double *)(d + 1);
    d->freq = d->idf + n;
    rc = api->xRowCount(fts, &nrow);
    if (rc == SQLITE_OK)
        rc = api->xColumnTotalSize(fts, -1, &ntok);
    if (rc == SQLITE_OK)
        d->avgdl = (double)ntok / (double)nrow;
    for (i = 0; rc == SQLITE_OK && i < n; i++) {
        sqlite3_int64 nhit = 0;

        if ((nval == n || nval == n + 1) && sqlite3_value_type(val[i]) == SQLITE_INTEGER)
            nhit = sqlite3_value_int64(val[i]);
        else
            rc = api->xQueryPhrase(fts, i, &nhit, count_cb);
        if (rc == SQLITE_OK) {
            double idf = log((nrow - nhit + 0.5) / (nhit + 0.5));

            if (idf <= 0.0)
                idf = 1e-6;
            d->idf[i] = idf;
        }
    }
    if (rc != SQLITE_OK) {
        free(d);
        return rc;
    }
    if (nval == n + 1 && sqlite3_value_type(val[n]) == SQLITE_INTEGER &&
        sqlite3_value_int(val[n]) > 0 && sqlite3_value_int(val[n]) <= RANK_MAX_TOP)
        d->top = sqlite3_value_int(val[n]);
    /* On failure xSetAuxdata() has already called free(d). */
    if ((rc = api->xSetAuxdata(fts, d, free)) != SQLITE_OK)
        return rc;
    *out = d;
    return SQLITE_OK;
}

/* bm25 of a row whose phrases occur freq[] times in D tokens. */
static double rank_score(const struct rank_data *d, double D)
{
    const double k1 = 1.2;
    const double b = 0.75;
    double score = 0.0;
    int i;

    for (i = 0; i < d->n; i++)
        score += d->idf[i] * ((d->freq[i] * (k1 + 1.0)) /
                              (d->freq[i] + k1 * (1 - b + b * D / d->avgdl)));
    return score;
}

/* Keep score among the best d->top seen (d->best, worst first). */
static void rank_keep(struct rank_data *d, double score)
{
    int i;

    if (d->ntop == d->top) {
        if (score <= d->best[0])
            return;
        for (i = 1; i < d->ntop && d->best[i] < score; i++)
            d->best[i - 1] = d->best[i];
        d->best[i - 1] = score;
        return;
    }
    for (i = d->ntop++; i > 0 && d->best[i - 1] > score; i--)
        d->best[i] = d->best[i - 1];
    d->best[i] = score;
}

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                    int nval, sqlite3_value **val)
{
    struct rank_data *d = NULL;
    double score, D = 0.0, lo = 1.0;
    int rc, i, ninst = 0;

    rc = rank_data_get(api, fts, nval, val, &d);
    if (rc == SQLITE_OK) {
        memset(d->freq, 0, sizeof(double) * (size_t)d->n);
        rc = api->xInstCount(fts, &ninst);
    }
    for (i = 0; rc == SQLITE_OK && i < ninst; i++) {
        int ip, ic, io;

        rc = api->xInst(fts, i, &ip, &ic, &io);
        if (rc == SQLITE_OK) {
            d->freq[ip] += 1.0;
            /* The row has at least the tokens up to the end of each
             * instance. */
            if (io + api->xPhraseSize(fts, ip) > lo)
                lo = io + api->xPhraseSize(fts, ip);
        }
    }
    if (rc == SQLITE_OK && d->top && d->ntop == d->top) {
        /* The score only falls as the row grows: with as few tokens as
         * the row can have, below the worst of the best already seen,
         * the row is not among them, and that bound ranks it after them
         * all. */
        double bound;

        if ((bound = rank_score(d, lo)) < d->best[0]) {
            sqlite3_result_double(ctx, -1.0 * bound);
            return;
        }
    }
    if (rc == SQLITE_OK) {
        int ntok;

        rc = api->xColumnSize(fts, -1, &ntok);
        D = (double)ntok;
    }
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    score = rank_score(d, D);
    if (d->top)
        rank_keep(d, score);
    sqlite3_result_double(ctx, -1.0 * score);
}

/* Register scribe_bm25 on the store's connection once; 0, or -1 when
 * FTS5 will not take it. */
static int rank_fn_register(struct store *st)
{
    fts5_api *api = NULL;
    sqlite3_stmt *s;

    if (st->rank_fn)
        return st->rank_fn > 0 ? 0 : -1;
    st->rank_fn = -1;
    if (sqlite3_prepare_v2(st->db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(s);
    sqlite3_finalize(s);
    if (!api || api->iVersion < 2 ||
        api->xCreateFunction(api, RANK_FN, NULL, rank_fn, NULL) != SQLITE_OK)
        return -1;
    st->rank_fn = 1;
    return 0;
}

/* ---- the counts -------------------------------------------------------- */

/* How many turns carry phrase p[0..n) (quoted, as in the expression),
 * kept or counted (and kept); -1 on error. */
static int64_t phrase_turns(struct store *st, const char *p, size_t n)
{
    const struct buf *kept = query_memo_get(st, MEMO_TURNS, p, n);
    sqlite3_stmt *s;
    int64_t c = -1;

    if (kept && kept->len == sizeof(c)) {
        memcpy(&c, kept->data, sizeof(c));
        return c;
    }
    if (!(s = store_stmt(st, "SELECT count(*) FROM turns_fts WHERE turns_fts MATCH ?1")))
        return -1;
    sqlite3_bind_text(s, 1, p, (int)n, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        c = sqlite3_column_int64(s, 0);
    store_stmt_done(s);
    if (c >= 0)
        query_memo_put(st, MEMO_TURNS, p, n, &c, sizeof(c));
    return c;
}

/* 1 when the quoted phrase p[0..n) holds a letter or digit (a token);
 * a phrase of none is left to FTS5. */
static int phrase_has_token(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (search_word_byte((unsigned char)p[i]))
            return 1;
    return 0;
}

int search_rank_arg(struct store *st, const char *expr, int top, struct buf *b)
{
    const char *p = expr;
    size_t start = b->len;
    int n = 0;

    /* Once this connection has written, the index may hold what is not
     * committed. */
    if (!store_reads_committed(st) || rank_fn_register(st) < 0)
        goto plain;
    buf_puts(b, RANK_FN "(");
    while (*p) {
        const char *q;
        int64_t c;

        if (*p == ' ' || *p == '(' || *p == ')') {
            p++;
            continue;
        }
        if (!strncmp(p, "AND ", 4) || !strncmp(p, "OR ", 3)) {
            p += *p == 'A' ? 4 : 3;
            continue;
        }
        if (*p != '"')
            goto plain;         /* FTS5 syntax this does not read */
        for (q = p + 1; *q && !(q[0] == '"' && q[1] != '"'); q += q[0] == '"' ? 2 : 1)
            ;
        if (!*q || ++n > RANK_MAX_PHRASES)
            goto plain;
        q++;
        if (n > 1)
            buf_puts(b, ", ");
        if (!phrase_has_token(p, (size_t)(q - p))) {
            buf_puts(b, "NULL");
        } else {
            if ((c = phrase_turns(st, p, (size_t)(q - p))) < 0)
                goto plain;
            buf_printf(b, "%lld", (long long)c);
        }
        p = q;
    }
    if (top > 0)
        buf_printf(b, ", %d", top);
    buf_putc(b, ')');
    return 1;
plain:
    b->len = start;
    buf_puts(b, "bm25()");
    return 0;
}
