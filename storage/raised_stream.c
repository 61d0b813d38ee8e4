/* storage/raised_stream.c -- the streams of the walk of who raised
 * (raised_walk.c): one FTS5 statement per term, read newest turn first
 * in small batches, with the token offsets of its word in each row from
 * an auxiliary function registered here; pairs and the phrase told from
 * adjacent offsets. The statements stay prepared between walks. */
#include "raised_walk_int.h"

#include <stdlib.h>
#include <string.h>

#define STREAM_PROBE 32         /* entries read ahead to tell rare words from common */

int64_t raised_stream_peek(struct stream *x)
{
    if (x->pos < x->nbuf)
        return x->buf[x->pos];
    if (x->done)
        return 0;
    x->pos = x->nbuf = x->narena = 0;
    while (x->nbuf < STREAM_PROBE && sqlite3_step(x->s) == SQLITE_ROW) {
        x->buf[x->nbuf] = sqlite3_column_int64(x->s, 0);
        x->off[x->nbuf][0] = x->off[x->nbuf][1] = -1;
        if (x->offsets && sqlite3_column_type(x->s, 1) == SQLITE_BLOB) {
            int n = sqlite3_column_bytes(x->s, 1) / (int)sizeof(int);

            if (x->narena + n > x->carena) {
                x->carena = (x->narena + n) * 2;
                x->arena = xrealloc(x->arena, sizeof(int) * (size_t)x->carena);
            }
            if (n)
                memcpy(x->arena + x->narena, sqlite3_column_blob(x->s, 1), sizeof(int) * (size_t)n);
            x->off[x->nbuf][0] = x->narena;
            x->off[x->nbuf][1] = n;
            x->narena += n;
        }
        x->nbuf++;
    }
    if (x->nbuf < STREAM_PROBE)
        x->done = 1;
    return x->nbuf ? x->buf[0] : 0;
}

/* scribe_offsets(turns_fts, stream): the token offsets of the first
 * phrase (the word as asked) in the row, as a blob of ints; NULL for a
 * row of a meeting the walk already knows it will not rank. */
static void offsets_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                       int nval, sqlite3_value **val)
{
    struct stream *x = nval > 0 ? sqlite3_value_pointer(val[0], "scribe_stream") : NULL;
    int64_t id = api->xRowid(fts);
    int small[64], *v = small, n = 0, cap = 64, col, off;
    Fts5PhraseIter it;

    if (x && !x->discover && id >= x->w->known_to && !raised_walk_range(x->w, id)) {
        sqlite3_result_null(ctx);
        return;
    }
    for (api->xPhraseFirst(fts, 0, &it, &col, &off); col >= 0;
         api->xPhraseNext(fts, &it, &col, &off)) {
        if (n == cap) {
            int *big = xmalloc(sizeof(int) * (size_t)cap * 2);

            memcpy(big, v, sizeof(int) * (size_t)n);
            if (v != small)
                free(v);
            v = big;
            cap *= 2;
        }
        v[n++] = off;
    }
    sqlite3_result_blob(ctx, v, (int)(sizeof(int) * (size_t)n), SQLITE_TRANSIENT);
    if (v != small)
        free(v);
}

/* A statement per stream of a walk (one per term), kept prepared by the
 * store across questions: the statement cache keys on the SQL text's
 * address, so each slot has a text of its own. */
#define STREAM_SQL(k) \
    "SELECT rowid FROM turns_fts WHERE turns_fts MATCH ?1 ORDER BY rowid DESC /* " #k " */"
#define STREAM_OFFSETS_SQL(k) \
    "SELECT rowid, scribe_offsets(turns_fts, ?2) FROM turns_fts WHERE turns_fts MATCH ?1" \
    " ORDER BY rowid DESC /* " #k " */"
#define STREAM_SLOTS 12
#define STREAM_SQL12(m) m(0), m(1), m(2), m(3), m(4), m(5), m(6), m(7), m(8), m(9), m(10), m(11)

static const char *const stream_sql[STREAM_SLOTS] = { STREAM_SQL12(STREAM_SQL) };
static const char *const stream_offsets_sql[STREAM_SLOTS] = { STREAM_SQL12(STREAM_OFFSETS_SQL) };

/* Register scribe_offsets on the store's connection once; 0, or -1 when
 * FTS5 will not take it. */
static int offsets_fn_register(struct store *st)
{
    sqlite3_stmt *s = NULL;
    fts5_api *api = NULL;

    if (st->offsets_fn)
        return st->offsets_fn > 0 ? 0 : -1;
    st->offsets_fn = -1;
    if (sqlite3_prepare_v2(store_sqlite(st), "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK) {
        sqlite3_finalize(s);
        return -1;
    }
    sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(s);
    sqlite3_finalize(s);
    if (!api || api->iVersion < 2 ||
        api->xCreateFunction(api, "scribe_offsets", NULL, offsets_fn, NULL) != SQLITE_OK)
        return -1;
    st->offsets_fn = 1;
    return 0;
}

/* The statement of stream slot k (with offsets or not); NULL on error. */
static sqlite3_stmt *stream_stmt(struct store *st, int k, int offsets)
{
    if (k >= STREAM_SLOTS)
        return NULL;            /* more streams than terms: our bug */
    return store_stmt(st, offsets ? stream_offsets_sql[k] : stream_sql[k]);
}

void raised_stream_close(struct stream *x)
{
    store_stmt_done(x->s);
    free(x->buf);
    free(x->off);
    free(x->arena);
}

int raised_stream_open(struct walk *w, const char *expr, int what, int idx, int offsets)
{
    struct stream *x = &w->sv[w->ns];

    memset(x, 0, sizeof(*x));
    x->w = w;
    if (offsets && offsets_fn_register(w->st) < 0)
        offsets = 0;            /* no offsets: its pairs are looked up by range */
    if (!(x->s = stream_stmt(w->st, w->ns, offsets)))
        return -1;
    sqlite3_bind_text(x->s, 1, expr, -1, SQLITE_STATIC);
    if (offsets)
        sqlite3_bind_pointer(x->s, 2, x, "scribe_stream", NULL);
    x->offsets = offsets;
    x->expr = expr;
    x->what = what;
    x->idx = idx;
    x->buf = xmalloc(sizeof(*x->buf) * STREAM_PROBE);
    x->off = xmalloc(sizeof(*x->off) * STREAM_PROBE);
    w->ns++;
    /* A malformed expression (our bug) reads as no rows. */
    raised_stream_peek(x);
    return offsets;
}

/* Keep the offsets of the stream's current row for candidate c. */
void raised_stream_keep(struct walk *w, struct stream *x, struct cand *c)
{
    int *o = x->off[x->pos];
    struct woff *f;

    if (!x->offsets || o[1] < 0)
        return;
    if (w->nov == w->cov) {
        w->cov = w->cov ? w->cov * 2 : 64;
        w->ov = xrealloc(w->ov, sizeof(*w->ov) * (size_t)w->cov);
    }
    if (w->noa + o[1] > w->coa) {
        w->coa = (w->noa + o[1]) * 2;
        w->oa = xrealloc(w->oa, sizeof(int) * (size_t)w->coa);
    }
    f = &w->ov[w->nov++];
    f->term = x->idx;
    f->start = w->noa;
    f->n = o[1];
    f->next = c->offs;
    c->offs = w->nov;
    if (o[1] > 0)               /* none yet: oa may still be NULL */
        memcpy(w->oa + w->noa, x->arena + o[0], sizeof(int) * (size_t)o[1]);
    w->noa += o[1];
}

static const struct woff *cand_offs(const struct walk *w, const struct cand *c, int term)
{
    int k;

    for (k = c->offs; k; k = w->ov[k - 1].next)
        if (w->ov[k - 1].term == term)
            return &w->ov[k - 1];
    return NULL;
}

static int offs_has(const struct walk *w, const struct woff *f, int v)
{
    int k;

    for (k = 0; k < f->n; k++)
        if (w->oa[f->start + k] == v)
            return 1;
    return 0;
}

/* The pairs and the phrase of a meeting's candidates, from offsets. */
void raised_stream_positions(struct walk *w, struct candset *cs)
{
    const struct store_topic *t = w->t;
    unsigned all = t->n_terms >= 32 ? ~0u : (1u << t->n_terms) - 1;
    size_t k;
    int i, j, x;

    for (k = 0; k < cs->cap; k++) {
        struct cand *c = &cs->v[k];

        if (!c->turn_id || !c->offs)
            continue;
        for (i = 0; i + 1 < t->n_terms; i++) {
            const struct woff *a, *b;

            if (!w->pair_pos[i] || ((c->terms >> i) & 3u) != 3u || (c->bigrams & (1u << i)))
                continue;
            a = cand_offs(w, c, i);
            b = cand_offs(w, c, i + 1);
            for (x = 0; a && b && x < a->n; x++)
                if (offs_has(w, b, w->oa[a->start + x] + 1)) {
                    c->bigrams |= 1u << i;
                    break;
                }
        }
        if (w->phrase_pos && (c->terms & all) == all && !c->phrase) {
            const struct woff *a = cand_offs(w, c, 0);

            for (x = 0; a && x < a->n && !c->phrase; x++) {
                for (j = 1; j < t->n_terms; j++) {
                    const struct woff *b = cand_offs(w, c, j);

                    if (!b || !offs_has(w, b, w->oa[a->start + x] + j))
                        break;
                }
                if (j == t->n_terms)
                    c->phrase = 1;
            }
        }
    }
}

void raised_stream_mark(struct cand *c, const struct stream *x)
{
    if (x->what == SEARCH_MARK_TERM)
        c->terms |= 1u << x->idx;
    else if (x->what == SEARCH_MARK_BIGRAM)
        c->bigrams |= 1u << x->idx;
    else
        c->phrase = 1;
}

