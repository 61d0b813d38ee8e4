/* storage/search_rank.c -- bm25 for turns_fts with each phrase's count of
 * turns kept per store. FTS5's bm25() reads, for every query, every row
 * of each of its phrases to weigh it ("list" or "session" are in
 * thousands of turns); scribe_bm25(turns_fts, n...) computes exactly what
 * bm25() does (same formula, same order of operations) from counts found
 * once and kept until the index changes. Knows FTS5's extension API. */
#include "search_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RANK_FN "scribe_bm25"
#define RANK_MAX_PHRASES 64
#define MEMO_MAX 1024           /* counts kept; all forgotten when full */

struct rank_memo {
    struct buf stamp;           /* turns_fts's structure record they are valid for */
    struct memo_entry {
        char *phrase;           /* as quoted in an expression; NULL: empty slot */
        int64_t turns;
    } v[2 * MEMO_MAX];
    int n;
    int broken;                 /* the function could not be registered */
};

/* ---- the rank function ----------------------------------------------- */

struct rank_data {
    int n;
    double avgdl;
    double *idf;
    double *freq;
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
 * (and there is one per phrase). */
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

        if (nval == n && sqlite3_value_type(val[i]) == SQLITE_INTEGER)
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
    /* On failure xSetAuxdata() has already called free(d). */
    if ((rc = api->xSetAuxdata(fts, d, free)) != SQLITE_OK)
        return rc;
    *out = d;
    return SQLITE_OK;
}

static void rank_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                    int nval, sqlite3_value **val)
{
    const double k1 = 1.2;
    const double b = 0.75;
    struct rank_data *d = NULL;
    double score = 0.0, D = 0.0;
    int rc, i, ninst = 0;

    rc = rank_data_get(api, fts, nval, val, &d);
    if (rc == SQLITE_OK) {
        memset(d->freq, 0, sizeof(double) * (size_t)d->n);
        rc = api->xInstCount(fts, &ninst);
    }
    for (i = 0; rc == SQLITE_OK && i < ninst; i++) {
        int ip, ic, io;

        rc = api->xInst(fts, i, &ip, &ic, &io);
        if (rc == SQLITE_OK)
            d->freq[ip] += 1.0;
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
    for (i = 0; i < d->n; i++)
        score += d->idf[i] * ((d->freq[i] * (k1 + 1.0)) /
                              (d->freq[i] + k1 * (1 - b + b * D / d->avgdl)));
    sqlite3_result_double(ctx, -1.0 * score);
}

static void memo_clear(struct rank_memo *m)
{
    size_t i;

    for (i = 0; i < sizeof(m->v) / sizeof(m->v[0]); i++) {
        free(m->v[i].phrase);
        m->v[i].phrase = NULL;
    }
    m->n = 0;
}

static void memo_free(void *arg)
{
    struct rank_memo *m = arg;

    if (!m)
        return;
    memo_clear(m);
    buf_release(&m->stamp);
    free(m);
}

/* The store's memo, made (and the function registered) on first use;
 * NULL when FTS5 will not take the function. */
static struct rank_memo *memo_get(struct store *st)
{
    fts5_api *api = NULL;
    sqlite3_stmt *s;

    if (st->rank_memo)
        return st->rank_memo->broken ? NULL : st->rank_memo;
    st->rank_memo = xcalloc(1, sizeof(*st->rank_memo));
    buf_init(&st->rank_memo->stamp);
    st->rank_memo->broken = 1;
    if (sqlite3_prepare_v2(st->db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(s);
    sqlite3_finalize(s);
    /* The function owns nothing: the memo is the store's (store_close()). */
    if (!api || api->iVersion < 2 ||
        api->xCreateFunction(api, RANK_FN, NULL, rank_fn, NULL) != SQLITE_OK)
        return NULL;
    st->rank_memo->broken = 0;
    return st->rank_memo;
}

void search_rank_free(struct store *st)
{
    memo_free(st->rank_memo);
    st->rank_memo = NULL;
}

/* ---- the counts -------------------------------------------------------- */

/* Forget the counts when the index is not the one they were found in:
 * its structure record changes with every write (any connection). 0, or
 * -1 when it cannot be read. */
static int memo_check(struct store *st, struct rank_memo *m)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT block FROM turns_fts_data WHERE id = 10");
    const void *blk;
    int len, rc = -1;

    if (!s)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW) {
        blk = sqlite3_column_blob(s, 0);
        len = sqlite3_column_bytes(s, 0);
        if (m->stamp.len != (size_t)len || (len && memcmp(m->stamp.data, blk, (size_t)len))) {
            memo_clear(m);
            buf_reset(&m->stamp);
            buf_add(&m->stamp, blk, (size_t)len);
        }
        rc = 0;
    }
    store_stmt_done(s);
    return rc;
}

static uint32_t phrase_hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

/* How many turns carry phrase p[0..n) (quoted, as in the expression),
 * from the memo or counted into it; -1 on error. */
static int64_t phrase_turns(struct store *st, struct rank_memo *m, const char *p, size_t n)
{
    size_t cap = sizeof(m->v) / sizeof(m->v[0]);
    size_t i = phrase_hash(p, n) & (cap - 1);
    sqlite3_stmt *s;
    int64_t c = -1;

    while (m->v[i].phrase) {
        if (!strncmp(m->v[i].phrase, p, n) && !m->v[i].phrase[n])
            return m->v[i].turns;
        i = (i + 1) & (cap - 1);
    }
    if (!(s = store_stmt(st, "SELECT count(*) FROM turns_fts WHERE turns_fts MATCH ?1")))
        return -1;
    sqlite3_bind_text(s, 1, p, (int)n, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        c = sqlite3_column_int64(s, 0);
    store_stmt_done(s);
    if (c < 0)
        return -1;
    if (m->n >= MEMO_MAX) {
        memo_clear(m);
        i = phrase_hash(p, n) & (cap - 1);
    }
    m->v[i].phrase = xstrndup(p, n);
    m->v[i].turns = c;
    m->n++;
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

int search_rank_arg(struct store *st, const char *expr, struct buf *b)
{
    struct rank_memo *m;
    const char *p = expr;
    size_t start = b->len;
    int n = 0;

    /* Inside a transaction the index may hold what is not committed. */
    if (!sqlite3_get_autocommit(st->db) || !(m = memo_get(st)) || memo_check(st, m) < 0)
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
            if ((c = phrase_turns(st, m, p, (size_t)(q - p))) < 0)
                goto plain;
            buf_printf(b, "%lld", (long long)c);
        }
        p = q;
    }
    buf_putc(b, ')');
    return 1;
plain:
    b->len = start;
    buf_puts(b, "bm25()");
    return 0;
}
