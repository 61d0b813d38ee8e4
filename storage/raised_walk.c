/* storage/raised_walk.c -- the newest meetings on a topic for "who
 * raised X": the FTS5 index read newest turn first, one stream per term,
 * until the meetings shown are known; each meeting is ranked by raised.c.
 * Turn offsets for pairs and phrases come from an auxiliary function
 * registered here. */
#include "search_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The index is read newest turn first, one statement (stream) per term,
 * each opened once per question (opening one costs about as much as
 * reading a thousand of its entries). The terms the meetings must carry
 * (discovery: the rarest of them) find the candidate meetings; the other
 * streams are read down to the same depth, their entries kept only when
 * they fall in a candidate meeting. Pairs and the phrase are told from
 * the token offsets of their words, or else looked up by rowid range. A
 * meeting is ranked once every stream is past its first turn, and the
 * walk stops when the meetings
 * ranked are the newest by date: none newer is left with turns below the
 * depth reached. Records and turns are numbered in the order stored, so a
 * record's turns are one range of ids, and a record stored later has
 * higher turn ids than one stored before it. */

#define STREAM_PROBE 32         /* entries read ahead to tell rare words from common */

struct walk;

struct stream {
    struct walk *w;
    sqlite3_stmt *s;
    const char *expr;
    int what, idx;
    int64_t *buf;               /* rowids read, newest first */
    int (*off)[2];              /* per row: start in arena and count, or -1 */
    int *arena;                 /* token offsets of the word in those rows */
    int narena, carena;
    int nbuf, pos;
    int done;                   /* no more rows after buf */
    int discover;
    int offsets;                /* rows carry the word's token offsets */
};

/* Token offsets of a term's word in one candidate turn, kept so that a
 * pair ("zuven survey") or the phrase is told from adjacent offsets of
 * its words instead of a phrase query of its own. */
struct woff {
    int term, next;             /* next: 1-based index of the turn's next */
    int start, n;               /* in walk.oa */
};

struct wrange {                 /* one record's turn ids */
    int64_t lo, hi, record_id;
    int meeting;                /* index into walk.mv */
};

struct wmeet {
    int64_t id;
    char key[16];               /* date key of the meetings_newest order */
    int turns;
    int64_t lo;                 /* lowest turn id */
    int64_t lo_record;          /* record of that turn */
    int ranked;
    int discussed;
    struct store_raised r;
};

struct walk {
    struct store *st;
    const struct store_topic *t;
    struct stream sv[2 * TOPIC_MAX_TERMS + 1];
    int ns;
    struct wrange *rv;          /* sorted by lo */
    int nr, cr;
    struct wmeet *mv;
    int nm, cm;
    struct candset cs;
    int64_t common_at;          /* non-discovery entries read down to here */
    /* Pairs and the phrase are looked up by range as the walk goes down:
     * read whole, a pair of common words costs as much as both words. */
    struct {
        const char *expr;
        int what, idx;
    } px[TOPIC_MAX_TERMS];
    int np;
    int pair_pos[TOPIC_MAX_TERMS];  /* pair i told from offsets */
    int phrase_pos;                 /* the phrase (terms 0..n-1) likewise */
    int64_t known_to;           /* the meetings of turns from here up are known */
    int64_t px_at;              /* pairs and phrase by range read down to here */
    int64_t top;                /* the newest turn the streams met */
    struct woff *ov;
    int nov, cov;
    int *oa;
    int noa, coa;
};

static int64_t stream_peek(struct stream *x)
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

static struct wrange *walk_range(struct walk *w, int64_t id);

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

    if (x && !x->discover && id >= x->w->known_to && !walk_range(x->w, id)) {
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

#define STREAM_SQL "SELECT rowid FROM turns_fts WHERE turns_fts MATCH ?1 ORDER BY rowid DESC"
#define STREAM_OFFSETS_SQL \
    "SELECT rowid, scribe_offsets(turns_fts, ?2) FROM turns_fts WHERE turns_fts MATCH ?1" \
    " ORDER BY rowid DESC"

/* The statement of a stream with offsets; the function is registered
 * with the connection the first time. */
static sqlite3_stmt *stream_prepare_offsets(struct store *st)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = NULL;
    fts5_api *api = NULL;

    if (sqlite3_prepare_v2(db, STREAM_OFFSETS_SQL, -1, &s, NULL) == SQLITE_OK)
        return s;
    sqlite3_finalize(s);
    s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK) {
        sqlite3_finalize(s);
        return NULL;
    }
    sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(s);
    sqlite3_finalize(s);
    if (!api || api->iVersion < 2 ||
        api->xCreateFunction(api, "scribe_offsets", NULL, offsets_fn, NULL) != SQLITE_OK)
        return NULL;
    return store_prep(st, STREAM_OFFSETS_SQL);
}

static int stream_open(struct walk *w, const char *expr, int what, int idx, int offsets)
{
    struct stream *x = &w->sv[w->ns];

    memset(x, 0, sizeof(*x));
    x->w = w;
    x->s = offsets ? stream_prepare_offsets(w->st) : NULL;
    if (!x->s) {
        offsets = 0;            /* no offsets: its pairs are looked up by range */
        x->s = store_prep(w->st, STREAM_SQL);
    }
    if (!x->s)
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
    stream_peek(x);
    return offsets;
}

/* Keep the offsets of the stream's current row for candidate c. */
static void stream_keep(struct walk *w, struct stream *x, struct cand *c)
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
static void walk_positions(struct walk *w, struct candset *cs)
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

static void stream_mark(struct cand *c, const struct stream *x)
{
    if (x->what == SEARCH_MARK_TERM)
        c->terms |= 1u << x->idx;
    else if (x->what == SEARCH_MARK_BIGRAM)
        c->bigrams |= 1u << x->idx;
    else
        c->phrase = 1;
}

/* The range holding turn id, or NULL. */
static struct wrange *walk_range(struct walk *w, int64_t id)
{
    int lo = 0, hi = w->nr;

    /* Newest first: the walk goes down, so new ranges go at the end. */
    while (lo < hi) {
        int mid = (lo + hi) / 2;

        if (w->rv[mid].lo > id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < w->nr && w->rv[lo].hi >= id ? &w->rv[lo] : NULL;
}

/* Learn the meeting of turn id: its date key, records, turn ranges and
 * turn count; the entries of non-discovery streams already read past its
 * ranges are looked up again. The range holding id, or NULL. */
static struct wrange *walk_meeting(struct walk *w, int64_t id)
{
    sqlite3_stmt *s = store_stmt(w->st, "SELECT t.meeting_id,"
                                        " COALESCE(m.date, date(m.posted, 'unixepoch'))"
                                        " FROM turns t JOIN meetings m ON m.id = t.meeting_id"
                                        " WHERE t.id = ?");
    struct wmeet *m;
    int64_t mid;
    int j, k, first;

    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_ROW) {
        store_stmt_done(s);
        return NULL;
    }
    mid = sqlite3_column_int64(s, 0);
    if (w->nm == w->cm) {
        w->cm = w->cm ? w->cm * 2 : 16;
        w->mv = xrealloc(w->mv, sizeof(*w->mv) * (size_t)w->cm);
    }
    m = &w->mv[w->nm];
    memset(m, 0, sizeof(*m));
    m->id = mid;
    snprintf(m->key, sizeof(m->key), "%s",
             sqlite3_column_text(s, 1) ? (const char *)sqlite3_column_text(s, 1) : "");
    store_stmt_done(s);
    /* A record's turns are stored in one go and never deleted one by
     * one: their ids run without a gap from the first to the last. */
    s = store_stmt(w->st, "SELECT r.id,"
                          " (SELECT t.id FROM turns t WHERE t.record_id = r.id ORDER BY t.seq LIMIT 1),"
                          " (SELECT t.id FROM turns t WHERE t.record_id = r.id"
                          "  ORDER BY t.seq DESC LIMIT 1)"
                          " FROM records r WHERE r.meeting_id = ?");
    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, mid);
    first = w->nr;
    while (sqlite3_step(s) == SQLITE_ROW) {
        struct wrange g = { sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
                            sqlite3_column_int64(s, 0), w->nm };

        if (sqlite3_column_type(s, 1) == SQLITE_NULL || g.hi < g.lo)
            continue;           /* a record without turns */
        m->turns += (int)(g.hi - g.lo + 1);
        if (!m->lo || g.lo < m->lo) {
            m->lo = g.lo;
            m->lo_record = g.record_id;
        }
        if (w->nr == w->cr) {
            w->cr = w->cr ? w->cr * 2 : 32;
            w->rv = xrealloc(w->rv, sizeof(*w->rv) * (size_t)w->cr);
        }
        w->rv[w->nr++] = g;
    }
    store_stmt_done(s);
    w->nm++;
    /* Backfill, for a record stored long after the meeting's first (the
     * pairs and the phrase looked up by range are read for every
     * meeting; those told from offsets are looked up here). */
    for (k = first; k < w->nr; k++) {
        struct wrange g = w->rv[k];

        if (g.hi < w->common_at)
            continue;
        int64_t lo = g.lo > w->common_at ? g.lo : w->common_at;

        for (j = 0; j < w->ns; j++)
            if (!w->sv[j].discover &&
                search_mark(w->st, &w->cs, w->sv[j].expr, mid, lo, g.hi, w->sv[j].what,
                            w->sv[j].idx) < 0)
                return NULL;
        for (j = 0; j + 1 < w->t->n_terms; j++)
            if (w->pair_pos[j] && search_mark(w->st, &w->cs, w->t->bigrams[j].data, mid, lo,
                                              g.hi, SEARCH_MARK_BIGRAM, j) < 0)
                return NULL;
        if (w->phrase_pos && search_mark(w->st, &w->cs, w->t->phrase.data, mid, lo, g.hi,
                                         SEARCH_MARK_PHRASE, 0) < 0)
            return NULL;

    }
    /* Keep the ranges sorted, highest first (a new meeting's usually
     * sort last: the walk goes down). */
    for (k = first; k < w->nr; k++)
        for (j = k; j > 0 && w->rv[j - 1].lo < w->rv[j].lo; j--) {
            struct wrange tmp = w->rv[j];

            w->rv[j] = w->rv[j - 1];
            w->rv[j - 1] = tmp;
        }
    return walk_range(w, id);
}

/* Read the discovery streams down to turn id `to`, learning the meetings
 * they meet; when want > 0, stop before the (want+1)th new meeting. 1
 * when the streams are at their end. */
static int walk_discover(struct walk *w, int64_t to, int want)
{
    int found = 0;

    for (;;) {
        struct stream *best = NULL;
        struct wrange *g;
        struct cand *c;
        int64_t id = 0;
        int j, end = 1;

        for (j = 0; j < w->ns; j++) {
            int64_t v;

            if (!w->sv[j].discover || !(v = stream_peek(&w->sv[j])))
                continue;
            end = 0;
            if (v >= to && v > id) {
                id = v;
                best = &w->sv[j];
            }
        }
        if (!best)
            return end;
        g = walk_range(w, id);
        if (!g) {
            if (want > 0 && found == want)
                return 0;
            g = walk_meeting(w, id);
            found++;
        }
        if (!g) {
            best->pos++;        /* a turn without a meeting: skip it */
            continue;
        }
        c = search_cand_get(&w->cs, id, w->mv[g->meeting].id);
        if (!c->terms && !c->bigrams && !c->phrase)
            c->unknown = 1;
        stream_mark(c, best);
        stream_keep(w, best, c);
        best->pos++;
    }
}

/* Read the other streams down to `to`, and the pairs and the phrase
 * from there up to where the last call stopped. */
static int walk_common(struct walk *w, int64_t to)
{
    int j;

    if (w->np && to < w->px_at) {
        /* Twice as deep as needed: a phrase query costs about 1 ms however
         * few turns it covers, so the walk's next steps find it done. */
        int64_t lo = w->top > to && to - (w->top - to) > 1 ? to - (w->top - to) : 1;

        for (j = 0; j < w->np; j++)
            if (search_mark(w->st, &w->cs, w->px[j].expr, 0, lo, w->px_at == INT64_MAX ?
                            INT64_MAX : w->px_at - 1, w->px[j].what, w->px[j].idx) < 0)
                return -1;
        w->px_at = lo;
    }

    for (j = 0; j < w->ns; j++) {
        struct stream *x = &w->sv[j];
        int64_t id;

        if (x->discover)
            continue;
        while ((id = stream_peek(x)) && id >= to) {
            struct wrange *g = walk_range(w, id);

            if (g) {
                struct cand *c = search_cand_get(&w->cs, id, w->mv[g->meeting].id);

                if (!c->terms && !c->bigrams && !c->phrase)
                    c->unknown = 1;
                stream_mark(c, x);
                stream_keep(w, x, c);
            }
            x->pos++;
        }
    }
    w->common_at = to;
    return 0;
}

static int cmp_wmeet_newest(const void *a, const void *b)
{
    const struct wmeet *x = *(const struct wmeet *const *)a, *y = *(const struct wmeet *const *)b;
    int c = strcmp(y->key, x->key);

    if (c)
        return c;
    return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* 1 when a meeting dated `key` or later has a record stored before
 * record_id, so turns the walk has not reached yet. */
static int walk_older_records(struct walk *w, const char *key, int64_t record_id)
{
    sqlite3_stmt *s = store_stmt(w->st, "SELECT 1 FROM meetings m"
                                        " WHERE COALESCE(m.date, date(m.posted, 'unixepoch')) >= ?1"
                                        " AND EXISTS (SELECT 1 FROM records r"
                                        "  WHERE r.meeting_id = m.id AND r.id < ?2) LIMIT 1");
    int v = 1;

    if (!s)
        return 1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, record_id);
    v = sqlite3_step(s) == SQLITE_ROW;
    store_stmt_done(s);
    return v;
}

static void walk_release(struct walk *w)
{
    int j;

    for (j = 0; j < w->ns; j++) {
        sqlite3_finalize(w->sv[j].s);
        free(w->sv[j].buf);
        free(w->sv[j].off);
        free(w->sv[j].arena);
    }
    free(w->ov);
    free(w->oa);
    for (j = 0; j < w->nm; j++)
        if (w->mv[j].discussed)
            raised_release(&w->mv[j].r);
    free(w->mv);
    free(w->rv);
    free(w->cs.v);
}

/* The terms the walk discovers meetings by: with two or more terms a
 * meeting must carry over half of them, so it carries at least one of
 * any n - (n/2 + 1) + 1 of them; the rarest are taken, so the commonest
 * words of the topic only fill in the meetings found. */
static void walk_pick(struct walk *w)
{
    const struct store_topic *t = w->t;
    int need = t->n_terms >= 2 ? t->n_terms - (t->n_terms / 2 + 1) + 1 : 1;
    double sparse[TOPIC_MAX_TERMS];
    int k, i, used[TOPIC_MAX_TERMS] = { 0 };

    for (i = 0; i < t->n_terms; i++) {
        struct stream *x = &w->sv[i];

        /* The rowids the first entries span: wider is rarer. */
        sparse[i] = x->done ? 1e18 - x->nbuf
                            : (double)(x->buf[0] - x->buf[x->nbuf - 1] + 1);
    }
    for (k = 0; k < need; k++) {
        int best = -1;

        for (i = 0; i < t->n_terms; i++)
            if (!used[i] && (best < 0 || sparse[i] > sparse[best]))
                best = i;
        used[best] = 1;
        w->sv[best].discover = 1;
    }
}

/* Rank the meetings complete at depth `to`, each from a set of its own
 * candidates; those leave the walk's set (a walk over every meeting
 * would otherwise scan all candidates once per meeting). */
static int walk_rank(struct walk *w, int64_t to, int *discussed)
{
    int *bucket = xcalloc((size_t)w->nm + 1, sizeof(int));
    struct candset *mini = NULL, keep = { NULL, 0, 0 };
    int nb = 0, k, rc = 0;
    size_t j;

    for (k = 0; k < w->nm; k++)
        if (!w->mv[k].ranked && w->mv[k].lo >= to)
            bucket[k] = ++nb;
    if (!nb)
        goto out;
    mini = xcalloc((size_t)nb, sizeof(*mini));
    for (j = 0; j < w->cs.cap; j++) {
        struct cand *c = &w->cs.v[j];
        struct wrange *g;

        if (!c->turn_id)
            continue;
        g = walk_range(w, c->turn_id);
        if (g && bucket[g->meeting]) {
            struct cand *d = search_cand_get(&mini[bucket[g->meeting] - 1], c->turn_id,
                                             c->meeting_id);

            *d = *c;
        } else if (!g || !w->mv[g->meeting].ranked) {
            /* Kept: a meeting still to rank, or not met yet (pairs read
             * by range mark every meeting's turns). */
            struct cand *d = search_cand_get(&keep, c->turn_id, c->meeting_id);

            *d = *c;
        }
    }
    free(w->cs.v);
    w->cs = keep;
    for (k = 0; k < w->nm && rc == 0; k++) {
        struct wmeet *m = &w->mv[k];
        struct candset *cs;
        int r;

        if (!bucket[k])
            continue;
        cs = &mini[bucket[k] - 1];
        m->ranked = 1;
        walk_positions(w, cs);
        r = cs->n ? raised_one(w->st, w->t, m->id, m->turns, cs, &m->r) : 0;
        if (r < 0)
            rc = -1;
        else {
            m->discussed = r;
            *discussed += r;
        }
    }
    for (k = 0; k < nb; k++)
        free(mini[k].v);
out:
    free(mini);
    free(bucket);
    return rc;
}

/* 1 when w is one token to the index: ASCII letters and digits. */
static int plain_word(const char *w)
{
    if (!*w)
        return 0;
    for (; *w; w++)
        if (!isalnum((unsigned char)*w) || (unsigned char)*w >= 0x80)
            return 0;
    return 1;
}

/* 1 when the phrase is the topic's terms in order, nothing between. */
static int phrase_is_terms(const struct store_topic *t)
{
    struct buf b, q;
    int i, same;

    buf_init(&b);
    buf_init(&q);
    for (i = 0; i < t->n_terms; i++) {
        if (i)
            buf_putc(&b, ' ');
        buf_puts(&b, t->terms[i].word);
    }
    search_quote(&q, b.data);
    same = !strcmp(q.data, t->phrase.data);
    buf_release(&b);
    buf_release(&q);
    return same;
}

int raised_walk(struct store *st, const struct store_topic *t, int limit,
                struct store_raised **out, int *n, int *more)
{
    struct walk w;
    struct wmeet **order = NULL;
    int i, k, rc = -1, discussed = 0;

    memset(&w, 0, sizeof(w));
    w.st = st;
    w.t = t;
    w.common_at = INT64_MAX;
    w.known_to = INT64_MAX;
    w.px_at = INT64_MAX;
    {
        /* A pair or the phrase of plain words (one token each) is told
         * from the offsets of its words; any other by range. */
        int need[TOPIC_MAX_TERMS] = { 0 }, got[TOPIC_MAX_TERMS] = { 0 };
        int phrase_terms = t->phrase.len && phrase_is_terms(t);

        for (i = 0; i + 1 < t->n_terms; i++)
            if (t->has_bigram[i] && plain_word(t->terms[i].word) &&
                plain_word(t->terms[i + 1].word))
                need[i] = need[i + 1] = 1;
        for (i = 0; phrase_terms && i < t->n_terms; i++)
            if (!plain_word(t->terms[i].word))
                phrase_terms = 0;
        for (i = 0; phrase_terms && i < t->n_terms; i++)
            need[i] = 1;
        for (i = 0; i < t->n_terms; i++) {
            int r = stream_open(&w, t->terms[i].match.data, SEARCH_MARK_TERM, i, need[i]);

            if (r < 0)
                goto out;
            got[i] = r;
        }
        for (i = 0; i + 1 < t->n_terms; i++) {
            if (!t->has_bigram[i])
                continue;
            if (got[i] && got[i + 1]) {
                w.pair_pos[i] = 1;
                continue;
            }
            w.px[w.np].expr = t->bigrams[i].data;
            w.px[w.np].what = SEARCH_MARK_BIGRAM;
            w.px[w.np++].idx = i;
        }
        if (phrase_terms)
            for (w.phrase_pos = 1, i = 0; i < t->n_terms; i++)
                w.phrase_pos &= got[i];
        if (t->phrase.len && !w.phrase_pos) {
            w.px[w.np].expr = t->phrase.data;
            w.px[w.np].what = SEARCH_MARK_PHRASE;
            w.px[w.np++].idx = 0;
        }
    }
    for (i = 0; i < w.ns; i++)
        if (w.sv[i].nbuf && w.sv[i].buf[0] > w.top)
            w.top = w.sv[i].buf[0];
    walk_pick(&w);
    for (;;) {
        int64_t to = INT64_MAX, to_record = 0;
        int end = walk_discover(&w, 1, limit <= 0 ? 64 : limit + 1 - discussed > 2 ?
                                                         limit + 1 - discussed : 2);

        /* Down to the first turn of every meeting met. */
        for (k = 0; k < w.nm; k++)
            if (!w.mv[k].ranked && w.mv[k].lo < to) {
                to = w.mv[k].lo;
                to_record = w.mv[k].lo_record;
            }
        if (to == INT64_MAX)
            break;
        walk_discover(&w, to, 0);
        w.known_to = to;
        if (walk_common(&w, to) < 0)
            goto out;
        if (walk_rank(&w, to, &discussed) < 0)
            goto out;
        if (end)
            break;
        if (limit > 0 && discussed > limit) {
            /* Done when no meeting at least as new as the (limit+1)th
             * discussed one has turns below the depth reached. */
            order = xrealloc(order, sizeof(*order) * (size_t)discussed);
            for (i = 0, k = 0; k < w.nm; k++)
                if (w.mv[k].discussed)
                    order[i++] = &w.mv[k];
            qsort(order, (size_t)i, sizeof(*order), cmp_wmeet_newest);
            if (!walk_older_records(&w, order[limit]->key, to_record))
                break;
        }
    }
    order = xrealloc(order, sizeof(*order) * (size_t)(discussed ? discussed : 1));
    for (i = 0, k = 0; k < w.nm; k++)
        if (w.mv[k].discussed)
            order[i++] = &w.mv[k];
    if (i > 1)
        qsort(order, (size_t)i, sizeof(*order), cmp_wmeet_newest);
    *n = limit > 0 && i > limit ? limit : i;
    if (more)
        *more = limit > 0 && i > limit;
    *out = xcalloc((size_t)(*n ? *n : 1), sizeof(**out));
    for (k = 0; k < *n; k++) {
        (*out)[k] = order[k]->r;
        order[k]->discussed = 0;
    }
    rc = 0;
out:
    free(order);
    walk_release(&w);
    return rc;
}

