/* storage/raised.c -- "who raised X": per meeting, the turn that raised
 * the topic first, who else spoke on it, and the summary point; newest
 * meetings first (found by raised_walk.c). Candidate sets come from
 * search.c, attribution from attrib.c. Also the meetings a topic came up
 * in. */
#include "search_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- who raised ------------------------------------------------------- */

static void raised_hit_move(struct store_hit *dst, struct store_hit *src)
{
    *dst = *src;
    memset(src, 0, sizeof(*src));
}

void raised_release(struct store_raised *r)
{
    int k;

    search_hit_release(&r->first);
    search_hit_release(&r->summary);
    free(r->note);
    for (k = 0; k < r->n_others; k++)
        free(r->others[k].name);
    free(r->others);
    memset(r, 0, sizeof(*r));
}

void store_raised_free(struct store_raised *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        raised_release(&v[i]);
    free(v);
}

static int cmp_raiser(const void *a, const void *b)
{
    const struct store_raiser *x = a, *y = b;

    if (x->mentions != y->mentions)
        return y->mentions - x->mentions;
    return strcmp(x->name, y->name);
}


#define CREDIT_WINDOW 120       /* bytes after a credit where the topic must be */

/* 1 when the topic sits next to a credit at `at` in `text` ("Jutta's
 * question, she wants to reverse the order"): the words within a short
 * window after it carry at least a third of the topic's weight, so a long
 * turn that credits someone with something else does not count. */
static int credit_near(const struct store_topic *t, const struct mscore *m, const char *text,
                       size_t at)
{
    size_t len = strlen(text), from = at, to = at + CREDIT_WINDOW, i;
    double w = 0;
    char *win;

    if (to > len)
        to = len;
    win = xstrndup(text + from, to - from);
    for (i = 0; win[i]; i++)
        win[i] = (char)tolower((unsigned char)win[i]);
    for (int k = 0; k < t->n_terms; k++) {
        /* "reversing" ~ "reverse": the first five letters will do here. */
        char stem[6];

        snprintf(stem, sizeof(stem), "%s", t->terms[k].word);
        if (search_find_word(win, strlen(win), stem, 0) >= 0)
            w += m->w[k];
    }
    free(win);
    return m->present > 0 && w >= m->present / 3;
}

/* Rank the candidates of one meeting into r. */
#define RAISE_BY_ID_MAX 64      /* candidate turns read one at a time, at most */

/* 1 when candidate c is a turn of the meeting that can count. */
static int raise_cand(const struct cand *c, int64_t meeting_id, double other_need)
{
    return c->turn_id && c->meeting_id == meeting_id && c->score >= other_need && c->score > 0;
}

static int cmp_hit_order(const void *a, const void *b)
{
    const struct store_hit *x = a, *y = b;

    if (x->record_kind != y->record_kind)
        return x->record_kind - y->record_kind;
    if (x->record_id != y->record_id)
        return x->record_id < y->record_id ? -1 : 1;
    return x->seq - y->seq;
}

#define DERIVED_WEIGHT 0.25     /* a word that only shares the asked word's stem */

/* The score of a read turn, the words it carries only in a derived form
 * ("activities" for "which DCs are active") counting a quarter: the
 * stemmer folds them into the asked word, but they say something else. */
static double form_score(const struct store_topic *t, const struct mscore *m,
                         const struct cand *c, const char *text)
{
    unsigned d = topic_derived_only(t, c->terms, text);
    double sc = c->score;
    int i;

    for (i = 0; d && i < t->n_terms; i++) {
        if (d & (1u << i))
            sc -= (1 - DERIVED_WEIGHT) * m->w[i];
        if (i + 1 < t->n_terms && (c->bigrams & (1u << i)) && (d & (3u << i)))
            sc -= (1 - DERIVED_WEIGHT) * 0.5 * m->bw[i];
    }
    return sc;
}

static int raise_meeting(struct store *st, const struct store_topic *t, struct candset *cs,
                         struct mscore *m, struct store_raised *r)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " HIT_COLUMNS HIT_FROM " WHERE t.id = ?");
    double first_need, other_need, best = 0, best_attr = 0;
    struct store_hit credited, *hv = NULL;
    char *credited_by = NULL;
    struct buf nb;
    size_t k;
    int i, nh = 0, cap = 0, x, scan;

    memset(&credited, 0, sizeof(credited));
    memset(r, 0, sizeof(*r));
    r->meeting_id = m->meeting_id;
    if (!s)
        return -1;
    /* A turn raises the topic when it carries most of what the best turn
     * with a speaker carries: the rare words weigh most, so an early turn
     * with only the meeting's common words ("main session") does not
     * count; others "speak on it" with about half of that. */
    {
        double base = m->best_attr > 0 ? m->best_attr : m->best;
        first_need = base * 0.75;
        other_need = base * 0.45;
    }
    /* Only the turns that carry enough of the topic, in record order
     * (transcripts first, then turn order): read by id when they are a
     * few, else in one pass over the meeting's turns. */
    for (k = 0; k < cs->cap; k++)
        if (raise_cand(cs->v + k, m->meeting_id, other_need))
            nh++;
    scan = nh > RAISE_BY_ID_MAX;
    nh = 0;
    if (scan) {
        store_stmt_done(s);
        s = store_stmt(st, "SELECT " HIT_COLUMNS HIT_FROM " WHERE t.meeting_id = ?");
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, m->meeting_id);
    }
    for (k = 0; scan || k < cs->cap; k++) {
        struct cand *c = scan ? NULL : &cs->v[k];

        if (scan) {
            int64_t tid;
            size_t j;

            if (sqlite3_step(s) != SQLITE_ROW)
                break;
            tid = sqlite3_column_int64(s, 0);
            for (j = (size_t)((uint64_t)tid * 0x9E3779B97F4A7C15ull >> 7) & (cs->cap - 1);
                 cs->v[j].turn_id; j = (j + 1) & (cs->cap - 1))
                if (cs->v[j].turn_id == tid) {
                    c = &cs->v[j];
                    break;
                }
            if (!c || !raise_cand(c, m->meeting_id, other_need))
                continue;
        } else {
            if (!raise_cand(c, m->meeting_id, other_need))
                continue;
            sqlite3_reset(s);
            sqlite3_bind_int64(s, 1, c->turn_id);
            if (sqlite3_step(s) != SQLITE_ROW)
                continue;
        }
        if (nh == cap) {
            /* Doubling: a meeting of 100,000 turns on the topic is read
             * in linear time (one at a time was quadratic). */
            cap = cap ? cap * 2 : 16;
            hv = xrealloc(hv, sizeof(*hv) * (size_t)cap);
        }
        store_hit_read(s, &hv[nh]);
        hv[nh].score = form_score(t, m, c, hv[nh].text);
        if (hv[nh].score > best)
            best = hv[nh].score;
        if (((hv[nh].record_kind == 1 && hv[nh].person_id) || (!c->unknown && c->attributed)) &&
            hv[nh].score > best_attr)
            best_attr = hv[nh].score;
        nh++;
    }
    store_stmt_done(s);
    /* The bars again, on the scores with forms counted: every turn that
     * could be the best was read (only those under the old bar for others
     * were not). */
    first_need = (best_attr > 0 ? best_attr : best) * 0.75;
    other_need = (best_attr > 0 ? best_attr : best) * 0.45;
    if (nh > 1)
        qsort(hv, (size_t)nh, sizeof(*hv), cmp_hit_order);
    for (x = 0; x < nh; x++) {
        struct store_hit h = hv[x];
        double sc = h.score;

        if (sc < other_need) {
            search_hit_release(&h);
            continue;
        }

        if (h.record_kind == 1 && !h.person_id && !r->has_first && sc >= first_need) {
            /* An unattributed turn right after the chair gave someone the
             * floor is theirs. */
            char *name = NULL;
            int64_t pid = attrib_floor(st, h.turn_id, &name);

            if (pid > 0) {
                h.person_id = pid;
                free(h.speaker);
                h.speaker = name;
                r->note = xstrdup("in an unattributed turn, right after being given the floor");
            } else {
                free(name);
            }
        }
        if (h.record_kind == 1 && h.person_id && !credited.person_id) {
            /* "Jutta's question, she wants to reverse the order": the topic
             * is credited to someone else by name. */
            char *name = NULL;
            size_t at = 0;
            int64_t pid = attrib_credited(st, m->meeting_id, h.text, &name, &at);

            if (pid > 0 && pid != h.person_id && !credit_near(t, m, h.text, at))
                pid = 0;
            if (pid > 0 && pid != h.person_id) {
                credited = h;
                credited.speaker = name;
                credited.section = h.section ? xstrdup(h.section) : NULL;
                credited.text = xstrdup(h.text);
                credited.person_id = pid;
                credited_by = xstrdup(h.speaker ? h.speaker : "someone");
            } else {
                free(name);
            }
        }
        if (h.record_kind != 1 || !h.person_id) {
            /* Summary paragraphs and unattributed turns: keep the best one. */
            if (h.record_kind != 1 && (!r->has_summary || sc > r->summary.score)) {
                search_hit_release(&r->summary);
                raised_hit_move(&r->summary, &h);
                r->has_summary = 1;
                continue;
            }
            search_hit_release(&h);
            continue;
        }
        if (!r->has_first && sc >= first_need) {
            raised_hit_move(&r->first, &h);
            r->has_first = 1;
            r->first_mentions = 1;
            continue;
        }
        if (r->has_first && h.person_id == r->first.person_id) {
            r->first_mentions++;
        } else {
            for (i = 0; i < r->n_others && r->others[i].person_id != h.person_id; i++)
                ;
            if (i == r->n_others) {
                r->others = xrealloc(r->others, sizeof(*r->others) * (size_t)(i + 1));
                r->others[i].person_id = h.person_id;
                r->others[i].name = xstrdup(h.speaker ? h.speaker : "?");
                r->others[i].mentions = 0;
                r->n_others++;
            }
            r->others[i].mentions++;
        }
        search_hit_release(&h);
    }
    free(hv);
    if (credited.person_id && (!r->has_first || r->first.person_id != credited.person_id)) {
        /* Credited by name beats first in time: the one who spoke first
         * becomes one of those who spoke on it. */
        if (r->has_first) {
            r->others = xrealloc(r->others, sizeof(*r->others) * (size_t)(r->n_others + 1));
            r->others[r->n_others].person_id = r->first.person_id;
            r->others[r->n_others].name = xstrdup(r->first.speaker ? r->first.speaker : "?");
            r->others[r->n_others].mentions = r->first_mentions;
            r->n_others++;
            search_hit_release(&r->first);
        }
        raised_hit_move(&r->first, &credited);
        r->has_first = 1;
        r->first_mentions = 1;
        buf_init(&nb);
        buf_printf(&nb, "as %s put it", credited_by);
        free(r->note);
        r->note = buf_detach(&nb);
    }
    search_hit_release(&credited);
    free(credited_by);
    /* Speakers who spoke on it before the raiser (below the bar) stay
     * "others"; the raiser is never listed twice. */
    for (i = 0; i < r->n_others; i++)
        if (r->has_first && r->others[i].person_id == r->first.person_id) {
            r->first_mentions += r->others[i].mentions;
            free(r->others[i].name);
            r->others[i] = r->others[--r->n_others];
            i--;
        }
    if (r->n_others > 1)
        qsort(r->others, (size_t)r->n_others, sizeof(*r->others), cmp_raiser);
    r->score = m->best;
    return 0;
}

/* Rowids of one meeting's turns: one range per record (a record's turns
 * are stored together), adjacent ranges merged. A range may also hold
 * other meetings' turns; search_mark() checks the meeting of every hit. */
struct trange {
    int64_t lo, hi;
};

static int meeting_ranges(struct store *st, int64_t meeting_id, struct trange **out, int *n,
                          int *turns)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT min(id), max(id), count(*) FROM turns"
                                     " WHERE meeting_id = ? GROUP BY record_id ORDER BY 1");
    struct trange *v = NULL;
    int cnt = 0, rc;

    *turns = 0;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, meeting_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t lo = sqlite3_column_int64(s, 0), hi = sqlite3_column_int64(s, 1);

        *turns += sqlite3_column_int(s, 2);
        if (cnt && v[cnt - 1].hi + 1 >= lo) {
            if (hi > v[cnt - 1].hi)
                v[cnt - 1].hi = hi;
            continue;
        }
        v = xrealloc(v, sizeof(*v) * (size_t)(cnt + 1));
        v[cnt].lo = lo;
        v[cnt].hi = hi;
        cnt++;
    }
    store_stmt_done(s);
    *out = v;
    *n = cnt;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot read turns");
}

/* The candidate turns of one meeting: those carrying a term, a bigram or
 * the phrase, each looked up in the index within the meeting's rowids. */
static int collect_meeting(struct store *st, const struct store_topic *t, int64_t meeting_id,
                           struct candset *cs, int *turns)
{
    struct trange *r = NULL;
    int nr = 0, i, k, rc = -1;

    if (meeting_ranges(st, meeting_id, &r, &nr, turns) < 0)
        return -1;
    for (k = 0; k < nr; k++) {
        for (i = 0; i < t->n_terms; i++)
            if (search_mark(st, cs, t->terms[i].match.data, meeting_id, r[k].lo, r[k].hi,
                     SEARCH_MARK_TERM, i) < 0)
                goto out;
        for (i = 0; i + 1 < t->n_terms; i++)
            if (t->has_bigram[i] && search_mark(st, cs, t->bigrams[i].data, meeting_id, r[k].lo,
                                         r[k].hi, SEARCH_MARK_BIGRAM, i) < 0)
                goto out;
        if (t->phrase.len && search_mark(st, cs, t->phrase.data, meeting_id, r[k].lo, r[k].hi,
                                  SEARCH_MARK_PHRASE, 0) < 0)
            goto out;
    }
    rc = 0;
out:
    free(r);
    return rc;
}

static int cmp_cand_score(const void *a, const void *b)
{
    const struct cand *x = *(const struct cand *const *)a, *y = *(const struct cand *const *)b;

    return x->score < y->score ? 1 : x->score > y->score ? -1 : 0;
}

/* 1 when turn id is a transcript turn with a known speaker. */
static int turn_attributed(struct store *st, int64_t id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT t.person_id IS NOT NULL AND r.kind = 1"
                                     " FROM turns t JOIN records r ON r.id = t.record_id"
                                     " WHERE t.id = ?");
    int v = 0;

    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    store_stmt_done(s);
    return v;
}

/* Whether each candidate of the meeting has a speaker, in one pass over
 * its turns (for meetings with many candidates). */
static int attributed_scan(struct store *st, struct candset *cs, int64_t meeting_id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT t.id, t.person_id IS NOT NULL AND r.kind = 1"
                                     " FROM turns t JOIN records r ON r.id = t.record_id"
                                     " WHERE t.meeting_id = ?");
    int rc;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, meeting_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t tid = sqlite3_column_int64(s, 0);
        size_t j;

        for (j = (size_t)((uint64_t)tid * 0x9E3779B97F4A7C15ull >> 7) & (cs->cap - 1);
             cs->v[j].turn_id; j = (j + 1) & (cs->cap - 1))
            if (cs->v[j].turn_id == tid) {
                cs->v[j].attributed = sqlite3_column_int(s, 1);
                cs->v[j].unknown = 0;
                break;
            }
    }
    store_stmt_done(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot read turns");
}

/* Score one meeting's candidates and, when it discussed the topic, rank
 * them into r. 1 when r was filled, 0 when the meeting did not discuss
 * it, -1 on error. */
int raised_one(struct store *st, const struct store_topic *t, int64_t meeting_id,
               int turns, struct candset *csp, struct store_raised *r)
{
    struct candset cs = *csp;
    struct cand **ord = NULL;
    struct mscore ms;
    size_t k;
    int i, g, nord = 0, cap = 0, looked = 0, scanned = 0, rc = 0;

    memset(&ms, 0, sizeof(ms));
    ms.meeting_id = meeting_id;
    ms.turns = turns;
    if (!cs.n)
        goto out;
    /* Document frequencies in the meeting, then weights. The set may
     * hold other meetings' turns too. */
    for (k = 0; k < cs.cap; k++) {
        struct cand *c = &cs.v[k];

        if (!c->turn_id || c->meeting_id != meeting_id)
            continue;
        for (i = 0; i < t->n_terms; i++) {
            if (c->terms & (1u << i))
                ms.df[i]++;
            if (c->bigrams & (1u << i))
                ms.bdf[i]++;
        }
    }
    for (i = 0; i < t->n_terms; i++) {
        ms.w[i] = log(1.0 + (ms.turns + 1.0) / (ms.df[i] + 0.5));
        ms.bw[i] = log(1.0 + (ms.turns + 1.0) / (ms.bdf[i] + 0.5));
        ms.total += ms.w[i];
        if (ms.df[i]) {
            ms.present += ms.w[i];
            ms.n_present++;
        }
    }
    /* A meeting that has under half of the topic's words did not
     * discuss it (checked before any turn is scored). */
    if (t->n_terms >= 2 && ms.n_present * 2 <= t->n_terms)
        goto out;
    for (k = 0; k < cs.cap; k++) {
        struct cand *c = &cs.v[k];

        if (!c->turn_id || c->meeting_id != meeting_id)
            continue;
        c->score = search_turn_score(t, &ms, c);
        if (c->score > ms.best)
            ms.best = c->score;
        if (nord == cap) {
            cap = cap ? cap * 2 : 64;
            ord = xrealloc(ord, sizeof(*ord) * (size_t)cap);
        }
        ord[nord++] = c;
    }
    /* Nor did one where the best turn carries under half of their
     * weight (one common word of several). */
    if (t->n_terms >= 2 && search_coverage(&ms, ms.best) < 0.5)
        goto out;
    /* The best turn with a speaker: best first, a group of equal scores
     * at a time, until one has a speaker, or an unattributed one that
     * someone was given the floor for (raise_meeting names them). */
    if (nord > 1)
        qsort(ord, (size_t)nord, sizeof(*ord), cmp_cand_score);
    for (i = 0; i < nord && ord[i]->score > 0 && !ms.best_attr; i = g) {
        int x;

        for (g = i; g < nord && ord[g]->score == ord[i]->score; g++) {
            struct cand *c = ord[g];

            if (ms.best_attr)
                continue;       /* found in this group: the rest need not be read */
            if (c->unknown && ++looked > RAISE_BY_ID_MAX && !scanned) {
                /* Many read one at a time: the rest in one pass. */
                if (attributed_scan(st, &cs, meeting_id) < 0) {
                    rc = -1;
                    goto out;
                }
                scanned = 1;
            }
            if (c->unknown) {
                c->attributed = turn_attributed(st, c->turn_id);
                c->unknown = 0;
            }
            if (c->attributed)
                ms.best_attr = c->score;
        }
        for (x = i; x < g && !ms.best_attr; x++) {
            char *name = NULL;

            ord[x]->attributed = attrib_floor(st, ord[x]->turn_id, &name) > 0;
            free(name);
            if (ord[x]->attributed)
                ms.best_attr = ord[x]->score;
        }
    }
    if (raise_meeting(st, t, &cs, &ms, r) < 0) {
        raised_release(r);
        rc = -1;
        goto out;
    }
    if (!r->has_first && !r->has_summary && !r->n_others) {
        raised_release(r);
        goto out;
    }
    rc = 1;
out:
    free(ord);
    return rc;
}

/* Collect the candidates of meetings mv[0..n) into cs, with their turn
 * counts. When their turns sit together (records stored in turn, the
 * usual case), one look-up per expression covers them all. */
static int collect_batch(struct store *st, const struct store_topic *t, const int64_t *mv, int n,
                         struct candset *cs, int *turns)
{
    struct trange span = { 0, 0 };
    int64_t total = 0;
    int j, i;

    for (j = 0; j < n; j++) {
        struct trange *r = NULL;
        int nr = 0, k;

        if (meeting_ranges(st, mv[j], &r, &nr, &turns[j]) < 0)
            return -1;
        for (k = 0; k < nr; k++) {
            if (!span.hi || r[k].lo < span.lo)
                span.lo = r[k].lo;
            if (r[k].hi > span.hi)
                span.hi = r[k].hi;
        }
        total += turns[j];
        free(r);
    }
    if (!span.hi)
        return 0;
    if (span.hi - span.lo + 1 > 2 * total + 64) {
        for (j = 0; j < n; j++)
            if (collect_meeting(st, t, mv[j], cs, &turns[j]) < 0)
                return -1;
        return 0;
    }
    for (i = 0; i < t->n_terms; i++)
        if (search_mark(st, cs, t->terms[i].match.data, 0, span.lo, span.hi, SEARCH_MARK_TERM, i) < 0)
            return -1;
    for (i = 0; i + 1 < t->n_terms; i++)
        if (t->has_bigram[i] &&
            search_mark(st, cs, t->bigrams[i].data, 0, span.lo, span.hi, SEARCH_MARK_BIGRAM, i) < 0)
            return -1;
    if (t->phrase.len && search_mark(st, cs, t->phrase.data, 0, span.lo, span.hi, SEARCH_MARK_PHRASE, 0) < 0)
        return -1;
    return 0;
}

/* Rank meetings mv[0..nmv) in order into v (cnt so far) until `limit`
 * have discussed the topic; 1 when one more did (stop), 0, or -1. */
static int raise_batch(struct store *st, const struct store_topic *t, const int64_t *mv, int nmv,
                       int limit, struct store_raised **v, int *cnt)
{
    struct candset cs = { NULL, 0, 0 };
    int *turns = xcalloc((size_t)(nmv ? nmv : 1), sizeof(int));
    int j, rc = -1;

    if (collect_batch(st, t, mv, nmv, &cs, turns) < 0)
        goto out;
    rc = 0;
    for (j = 0; j < nmv; j++) {
        int r;

        *v = xrealloc(*v, sizeof(**v) * (size_t)(*cnt + 1));
        r = raised_one(st, t, mv[j], turns[j], &cs, &(*v)[*cnt]);
        if (r < 0) {
            rc = -1;
            break;
        }
        if (!r)
            continue;
        if (limit > 0 && *cnt == limit) {
            raised_release(&(*v)[*cnt]);
            rc = 1;
            break;
        }
        (*cnt)++;
    }
out:
    free(cs.v);
    free(turns);
    return rc;
}

int store_raised_newest(struct store *st, const struct store_topic *t, int64_t meeting_id,
                        int limit, struct store_raised **out, int *n, int *more)
{
    struct store_raised *v = NULL;
    int cnt = 0, r, m = 0;

    *out = NULL;
    *n = 0;
    if (more)
        *more = 0;
    if (store_topic_empty(t))
        return 0;
    if (raised_memo_get(st, t, meeting_id, limit, out, n, more))
        return 0;
    if (!meeting_id) {
        if (raised_walk(st, t, limit, &v, &cnt, &m) < 0)
            return -1;
    } else {
        r = raise_batch(st, t, &meeting_id, 1, limit, &v, &cnt);
        if (r < 0) {
            store_raised_free(v, cnt);
            return -1;
        }
        m = r > 0;
    }
    raised_memo_put(st, t, meeting_id, limit, v, cnt, m);
    if (more)
        *more = m;
    *out = v;
    *n = cnt;
    return 0;
}

int store_raised(struct store *st, const struct store_topic *t,
                 int64_t meeting_id, struct store_raised **out, int *n)
{
    return store_raised_newest(st, t, meeting_id, 0, out, n, NULL);
}
