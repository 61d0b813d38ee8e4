/* storage/raised.c -- "who raised X": per meeting, the turn that raised
 * the topic first, who else spoke on it, and the summary point; newest
 * meetings first, found by reading the index newest turn first and
 * stopping once the meetings shown are known. Candidate sets come from
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

static void raised_release(struct store_raised *r)
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
static int raise_one(struct store *st, const struct store_topic *t, int64_t meeting_id,
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
        r = raise_one(st, t, mv[j], turns[j], &cs, &(*v)[*cnt]);
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

/* ---- the newest meetings on a topic ----------------------------------- */

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
        r = cs->n ? raise_one(w->st, w->t, m->id, m->turns, cs, &m->r) : 0;
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

static int raise_walk(struct store *st, const struct store_topic *t, int limit,
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

int store_raised_newest(struct store *st, const struct store_topic *t, int64_t meeting_id,
                        int limit, struct store_raised **out, int *n, int *more)
{
    struct store_raised *v = NULL;
    int cnt = 0, r;

    *out = NULL;
    *n = 0;
    if (more)
        *more = 0;
    if (store_topic_empty(t))
        return 0;
    if (!meeting_id)
        return raise_walk(st, t, limit, out, n, more);
    r = raise_batch(st, t, &meeting_id, 1, limit, &v, &cnt);
    if (r < 0) {
        store_raised_free(v, cnt);
        return -1;
    }
    if (more && r > 0)
        *more = 1;
    *out = v;
    *n = cnt;
    return 0;
}

int store_raised(struct store *st, const struct store_topic *t,
                 int64_t meeting_id, struct store_raised **out, int *n)
{
    return store_raised_newest(st, t, meeting_id, 0, out, n, NULL);
}

/* ---- meetings about a topic ------------------------------------------- */

int store_meetings_about(struct store *st, const char *topic,
                         struct store_meeting **out, int *n)
{
    struct store_topic *t = store_topic_new(st, topic);
    struct store_raised *r = NULL;
    int nr = 0, i, rc;

    *out = NULL;
    *n = 0;
    rc = store_raised(st, t, 0, &r, &nr);
    for (i = 0; rc == 0 && i < nr; i++) {
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        if (store_meeting_get(st, r[i].meeting_id, &(*out)[*n]) == 0)
            (*n)++;
    }
    store_raised_free(r, nr);
    store_topic_free(t);
    return rc;
}

