/* storage/raised_walk.c -- the newest meetings on a topic for "who
 * raised X": the FTS5 index read newest turn first, one stream per term,
 * until the meetings shown are known; each meeting is ranked by raised.c.
 * The streams and the turn offsets for pairs and phrases are in
 * raised_stream.c. */
#include "raised_walk_int.h"

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

/* The range holding turn id, or NULL. */
struct wrange *raised_walk_range(struct walk *w, int64_t id)
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
    return raised_walk_range(w, id);
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

            if (!w->sv[j].discover || !(v = raised_stream_peek(&w->sv[j])))
                continue;
            end = 0;
            if (v >= to && v > id) {
                id = v;
                best = &w->sv[j];
            }
        }
        if (!best)
            return end;
        g = raised_walk_range(w, id);
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
        raised_stream_mark(c, best);
        raised_stream_keep(w, best, c);
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
        while ((id = raised_stream_peek(x)) && id >= to) {
            struct wrange *g = raised_walk_range(w, id);

            if (g) {
                struct cand *c = search_cand_get(&w->cs, id, w->mv[g->meeting].id);

                if (!c->terms && !c->bigrams && !c->phrase)
                    c->unknown = 1;
                raised_stream_mark(c, x);
                raised_stream_keep(w, x, c);
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

    for (j = 0; j < w->ns; j++)
        raised_stream_close(&w->sv[j]);
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
        g = raised_walk_range(w, c->turn_id);
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
        raised_stream_positions(w, cs);
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
            int r = raised_stream_open(&w, t->terms[i].match.data, SEARCH_MARK_TERM, i, need[i]);

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
