/* storage/search.c -- full-text search over turns and report paragraphs
 * (FTS5, porter stemming), the candidate sets the rankers share, what
 * someone said, and excerpts. Topics are parsed in topic.c; who raised
 * a topic is ranked in raised.c.
 * Owns table turns_fts. The index holds folded text (Unicode spaces and
 * hyphens made plain) while turns keeps the original for quotes. User
 * text reaches MATCH only as double-quoted phrases, never as FTS syntax. */
#include "search_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- folding ---------------------------------------------------------- */

/* What a code point folds to for search: a space, a hyphen, an
 * apostrophe, a double quote, or itself (0). */
static int fold_cp(uint32_t cp)
{
    if (cp == 0x00A0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
        cp == 0x205F || cp == 0x3000 || cp == 0x1680 || cp == 0xFEFF || cp == 0x200B)
        return ' ';
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0x00AD || cp == 0xFE63 ||
        cp == 0xFF0D)
        return '-';
    if (cp == 0x2018 || cp == 0x2019 || cp == 0x201B || cp == 0x2032)
        return '\'';
    if (cp == 0x201C || cp == 0x201D || cp == 0x201F || cp == 0x2033)
        return '"';
    return 0;
}

/* Fold s[0..n) into b; when map is not NULL, map[i] is the offset in s of
 * folded byte i (map has room for n + 1 entries). Runs of ASCII, which
 * fold to themselves, are copied whole. */
void search_fold_into(struct buf *b, const char *s, size_t n, size_t *map)
{
    size_t i = 0;

    while (i < n) {
        uint32_t cp;
        int len, f;

        if ((unsigned char)s[i] < 0x80) {
            size_t j = i + 1;

            while (j < n && (unsigned char)s[j] < 0x80)
                j++;
            if (map) {
                size_t k;

                for (k = i; k < j; k++)
                    map[b->len + (k - i)] = k;
            }
            buf_add(b, s + i, j - i);
            i = j;
            continue;
        }
        len = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        if (len <= 0) {
            if (map)
                map[b->len] = i;
            buf_putc(b, '?');
            i++;
            continue;
        }
        f = fold_cp(cp);
        if (f) {
            if (map)
                map[b->len] = i;
            buf_putc(b, (char)f);
        } else {
            int k;

            for (k = 0; k < len; k++) {
                if (map)
                    map[b->len] = i + (size_t)k;
                buf_putc(b, s[i + (size_t)k]);
            }
        }
        i += (size_t)len;
    }
    if (map)
        map[b->len] = n;
}

char *store_fold_dup(const char *s, size_t n)
{
    struct buf b;

    buf_init(&b);
    search_fold_into(&b, s, n, NULL);
    return buf_detach(&b);
}

/* ---- index ------------------------------------------------------------ */

/* 1 when s[0..n) is plain ASCII, which folds to itself. */
static int all_ascii(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

sqlite3_stmt *search_index_open(struct store *st)
{
    return store_stmt(st, "INSERT INTO turns_fts(rowid, text) VALUES(?, ?)");
}

int search_index_turn(struct store *st, sqlite3_stmt *s, int64_t id, const char *text)
{
    size_t n = text ? strlen(text) : 0;
    char *folded = !n || all_ascii(text, n) ? NULL : store_fold_dup(text, n);
    int step;

    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, folded ? folded : text ? text : "", -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    free(folded);
    return step == SQLITE_DONE ? 0 : store_fail(st, "cannot index turn");
}

int search_unindex_meeting(struct store *st, int64_t meeting_id)
{
    /* A contentless table forgets a row only when given the values it
     * indexed: fold the stored text again. */
    sqlite3_stmt *q = store_prep(st, "SELECT id, text FROM turns WHERE meeting_id = ?");
    sqlite3_stmt *d = store_prep(st, "INSERT INTO turns_fts(turns_fts, rowid, text)"
                                     " VALUES('delete', ?, ?)");
    int rc = -1;

    if (!q || !d)
        goto out;
    sqlite3_bind_int64(q, 1, meeting_id);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 1);
        char *folded = store_fold_dup(t ? t : "", (size_t)sqlite3_column_bytes(q, 1));

        sqlite3_reset(d);
        sqlite3_bind_int64(d, 1, sqlite3_column_int64(q, 0));
        sqlite3_bind_text(d, 2, folded, -1, SQLITE_TRANSIENT);
        free(folded);
        if (sqlite3_step(d) != SQLITE_DONE) {
            store_fail(st, "cannot unindex turn");
            goto out;
        }
    }
    rc = 0;
out:
    sqlite3_finalize(q);
    sqlite3_finalize(d);
    return rc;
}

void search_quote(struct buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

/* ---- hit sets --------------------------------------------------------- */

struct cand *search_cand_get(struct candset *cs, int64_t id, int64_t meeting_id)
{
    size_t i;

    if ((cs->n + 1) * 2 > cs->cap) {
        struct candset big = { xcalloc(cs->cap ? cs->cap * 2 : 16, sizeof(struct cand)),
                               cs->cap ? cs->cap * 2 : 16, 0 };
        size_t k;

        for (k = 0; k < cs->cap; k++)
            if (cs->v[k].turn_id) {
                struct cand *c = search_cand_get(&big, cs->v[k].turn_id, cs->v[k].meeting_id);

                *c = cs->v[k];
            }
        free(cs->v);
        *cs = big;
    }
    i = (size_t)((uint64_t)id * 0x9E3779B97F4A7C15ull >> 7) & (cs->cap - 1);
    while (cs->v[i].turn_id && cs->v[i].turn_id != id)
        i = (i + 1) & (cs->cap - 1);
    if (!cs->v[i].turn_id) {
        cs->v[i].turn_id = id;
        cs->v[i].meeting_id = meeting_id;
        cs->n++;
    }
    return &cs->v[i];
}


int search_mark(struct store *st, struct candset *cs, const char *expr, int64_t meeting_id,
                int64_t lo, int64_t hi, int what, int idx)
{
    /* Rowids lo..hi (0, 0: all) let the index skip to one meeting's turns. */
    sqlite3_stmt *s = store_stmt(st,
        "SELECT t.id, t.meeting_id, t.person_id IS NOT NULL AND r.kind = 1"
        " FROM turns_fts f JOIN turns t ON t.id = f.rowid JOIN records r ON r.id = t.record_id"
        " WHERE turns_fts MATCH ?1 AND f.rowid >= ?3 AND f.rowid <= ?4"
        " AND (?2 = 0 OR t.meeting_id = ?2)");
    int rc;

    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, meeting_id);
    sqlite3_bind_int64(s, 3, hi ? lo : 0);
    sqlite3_bind_int64(s, 4, hi ? hi : INT64_MAX);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct cand *c = search_cand_get(cs, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));

        c->attributed = sqlite3_column_int(s, 2);
        if (what == SEARCH_MARK_TERM)
            c->terms |= 1u << idx;
        else if (what == SEARCH_MARK_BIGRAM)
            c->bigrams |= 1u << idx;
        else
            c->phrase = 1;
    }
    store_stmt_done(s);
    /* A malformed expression is our bug, but never the user's problem. */
    return rc == SQLITE_DONE ? 0 : 0;
}

int search_collect(struct store *st, const struct store_topic *t, int64_t meeting_id,
                   struct candset *cs)
{
    int i;

    for (i = 0; i < t->n_terms; i++)
        if (search_mark(st, cs, t->terms[i].match.data, meeting_id, 0, 0, SEARCH_MARK_TERM, i) < 0)
            return -1;
    for (i = 0; i + 1 < t->n_terms; i++)
        if (t->has_bigram[i] &&
            search_mark(st, cs, t->bigrams[i].data, meeting_id, 0, 0, SEARCH_MARK_BIGRAM, i) < 0)
            return -1;
    if (t->phrase.len && search_mark(st, cs, t->phrase.data, meeting_id, 0, 0, SEARCH_MARK_PHRASE, 0) < 0)
        return -1;
    return 0;
}

/* ---- hits ------------------------------------------------------------- */

void search_hit_release(struct store_hit *h)
{
    free(h->speaker);
    free(h->section);
    free(h->text);
    memset(h, 0, sizeof(*h));
}

void store_hits_free(struct store_hit *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        search_hit_release(&v[i]);
    free(v);
}


void store_hit_read(sqlite3_stmt *s, struct store_hit *h)
{
    memset(h, 0, sizeof(*h));
    h->turn_id = sqlite3_column_int64(s, 0);
    h->meeting_id = sqlite3_column_int64(s, 1);
    h->record_id = sqlite3_column_int64(s, 2);
    h->record_kind = sqlite3_column_int(s, 3);
    h->seq = sqlite3_column_int(s, 4);
    h->person_id = sqlite3_column_int64(s, 5);
    h->speaker = store_col_dup(s, 6);
    h->section = store_col_dup(s, 7);
    h->text = store_col_dup(s, 8);
    h->offset = (size_t)sqlite3_column_int64(s, 9);
    if (!h->text)
        h->text = xstrdup("");
}

int store_search(struct store *st, const char *query, int64_t meeting_id,
                 int64_t person_id, int limit, struct store_hit **out, int *n)
{
    struct store_topic *t = store_topic_new(st, query);
    struct buf expr, rank;
    sqlite3_stmt *s = NULL;
    int pass, i, rc = 0;

    *out = NULL;
    *n = 0;
    buf_init(&expr);
    buf_init(&rank);
    if (limit <= 0)
        limit = 10;
    /* Every word first; when nothing carries them all, any of them. */
    for (pass = 0; pass < 2 && *n == 0 && t->n_terms; pass++) {
        buf_reset(&expr);
        for (i = 0; i < t->n_terms; i++) {
            if (i)
                buf_puts(&expr, pass ? " OR " : " AND ");
            buf_printf(&expr, "(%s)", t->terms[i].match.data);
        }
        /* Kept prepared: every search with few matches comes here. */
        s = store_stmt(st, "SELECT " HIT_COLUMNS ", f.rank" HIT_FROM
                           " JOIN (SELECT rowid, rank FROM turns_fts"
                           "       WHERE turns_fts MATCH ?1 AND rank MATCH ?5) f"
                           "   ON f.rowid = t.id"
                           " WHERE (?2 = 0 OR t.meeting_id = ?2) AND (?3 = 0 OR c.id = ?3)"
                           " ORDER BY f.rank LIMIT ?4");
        if (!s) {
            rc = -1;
            break;
        }
        sqlite3_bind_text(s, 1, expr.data, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, meeting_id);
        sqlite3_bind_int64(s, 3, person_id);
        sqlite3_bind_int(s, 4, limit);
        buf_reset(&rank);
        search_rank_arg(st, expr.data, 0, &rank);
        sqlite3_bind_text(s, 5, rank.data, (int)rank.len, SQLITE_STATIC);
        while (sqlite3_step(s) == SQLITE_ROW) {
            *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
            store_hit_read(s, &(*out)[*n]);
            (*out)[*n].score = -sqlite3_column_double(s, 10);
            (*n)++;
        }
        store_stmt_done(s);
    }
    buf_release(&expr);
    buf_release(&rank);
    store_topic_free(t);
    return rc;
}

/* ---- scoring ---------------------------------------------------------- */

/* Score of a turn: the weights of the terms it carries (rare words in the
 * meeting weigh more), plus the adjacent pairs and the whole phrase, so a
 * turn that carries "leadership panel" beats one with only "panel". */
double search_turn_score(const struct store_topic *t, const struct mscore *m, const struct cand *c)
{
    double s = 0;
    int i;

    for (i = 0; i < t->n_terms; i++)
        if (c->terms & (1u << i))
            s += m->w[i];
    for (i = 0; i + 1 < t->n_terms; i++)
        if (c->bigrams & (1u << i))
            s += 0.5 * m->bw[i];
    if (c->phrase)
        s += 0.5 * m->present;
    return s;
}

/* Coverage: how much of the topic's weight a turn carries, 0..1+. */
double search_coverage(const struct mscore *m, double score)
{
    return m->present > 0 ? score / m->present : 0;
}

/* ---- what someone said ------------------------------------------------ */

int store_said(struct store *st, int64_t person_id, const struct store_topic *t,
               int64_t meeting_id, int limit, struct store_hit **out, int *n)
{
    struct candset cs = { NULL, 0, 0 };
    sqlite3_stmt *s = NULL;
    struct mscore m;
    int i, rc = -1;
    size_t k;

    *out = NULL;
    *n = 0;
    if (limit <= 0)
        limit = 5;
    if (store_topic_empty(t))
        return 0;
    if (search_collect(st, t, meeting_id, &cs) < 0)
        goto out;
    /* Global weights are enough to rank one person's turns. */
    memset(&m, 0, sizeof(m));
    m.turns = 0;
    s = store_prep(st, "SELECT COUNT(*) FROM turns");
    if (s && sqlite3_step(s) == SQLITE_ROW)
        m.turns = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    for (k = 0; k < cs.cap; k++)
        for (i = 0; i < t->n_terms; i++)
            if (cs.v[k].turn_id && (cs.v[k].terms & (1u << i)))
                m.df[i]++;
    for (i = 0; i < t->n_terms; i++) {
        m.w[i] = log(1.0 + (m.turns + 1.0) / (m.df[i] + 0.5));
        m.bw[i] = m.w[i];
        m.total += m.w[i];
        if (m.df[i]) {
            m.present += m.w[i];
            m.n_present++;
        }
    }
    s = store_prep(st, "SELECT " HIT_COLUMNS HIT_FROM " WHERE t.id = ? AND c.id = ?");
    if (!s)
        goto out;
    for (k = 0; k < cs.cap; k++) {
        struct cand *c = &cs.v[k];

        if (!c->turn_id)
            continue;
        c->score = search_turn_score(t, &m, c);
        if (t->n_terms >= 2 && search_coverage(&m, c->score) < 0.4)
            continue;
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, c->turn_id);
        sqlite3_bind_int64(s, 2, person_id);
        if (sqlite3_step(s) != SQLITE_ROW)
            continue;
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        store_hit_read(s, &(*out)[*n]);
        (*out)[*n].score = c->score;
        (*n)++;
    }
    /* Best first; among equals the earlier meeting and turn. */
    for (i = 1; i < *n; i++) {
        int j;

        for (j = i; j > 0; j--) {
            struct store_hit *a = &(*out)[j - 1], *b = &(*out)[j];
            struct store_hit tmp;

            if (a->score > b->score || (a->score == b->score && a->turn_id < b->turn_id))
                break;
            tmp = *a;
            *a = *b;
            *b = tmp;
        }
    }
    if (*n > limit) {
        for (i = limit; i < *n; i++)
            search_hit_release(&(*out)[i]);
        *n = limit;
    }
    rc = 0;
out:
    sqlite3_finalize(s);
    free(cs.v);
    return rc;
}

/* Turns in the order spoken. */
static int cmp_spoken(const void *a, const void *b)
{
    const struct store_hit *x = a, *y = b;

    if (x->record_id != y->record_id)
        return x->record_id < y->record_id ? -1 : 1;
    return x->seq - y->seq;
}

int store_person_turns(struct store *st, int64_t person_id, int64_t meeting_id, int limit,
                       struct store_hit **out, int *n)
{
    sqlite3_stmt *s;

    *out = NULL;
    *n = 0;
    if (limit <= 0)
        limit = 5;
    if (!meeting_id) {
        /* The newest meeting where they spoke (any of their names). */
        s = store_stmt(st, "SELECT m.id FROM speakers sp JOIN persons p ON p.id = sp.person_id"
                           " JOIN meetings m ON m.id = sp.meeting_id WHERE p.canon_id = ?1"
                           " ORDER BY COALESCE(m.date, date(m.posted, 'unixepoch')) DESC, m.id DESC"
                           " LIMIT 1");
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, person_id);
        if (sqlite3_step(s) == SQLITE_ROW)
            meeting_id = sqlite3_column_int64(s, 0);
        store_stmt_done(s);
        if (!meeting_id)
            return 0;
    }
    s = store_stmt(st, "SELECT " HIT_COLUMNS HIT_FROM " WHERE t.meeting_id = ?1 AND c.id = ?2"
                       " ORDER BY t.words DESC, t.id LIMIT ?3");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, meeting_id);
    sqlite3_bind_int64(s, 2, person_id);
    sqlite3_bind_int(s, 3, limit);
    while (sqlite3_step(s) == SQLITE_ROW) {
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        store_hit_read(s, &(*out)[(*n)++]);
    }
    store_stmt_done(s);
    if (*n > 1)
        qsort(*out, (size_t)*n, sizeof(**out), cmp_spoken);
    return 0;
}

/* ---- excerpts --------------------------------------------------------- */

/* Offset in f (folded, lower case) of the first word starting with the
 * term's stem at or after `from`, or -1. */
long search_find_word(const char *f, size_t flen, const char *term, size_t from)
{
    size_t tl = strlen(term), pl = tl <= 5 ? tl : (tl - 2 < 5 ? 5 : tl - 2);
    size_t i;

    if (!pl) {
        for (i = from; i <= flen; i++)
            if (i == 0 || !search_word_byte((unsigned char)f[i - 1]))
                return (long)i;
        return -1;
    }
    /* Only where the term's first byte is (memchr jumps there). */
    for (i = from; i + pl <= flen; i++) {
        const char *p = memchr(f + i, term[0], flen - pl + 1 - i);

        if (!p)
            return -1;
        i = (size_t)(p - f);
        if (i > 0 && search_word_byte((unsigned char)f[i - 1]))
            continue;
        if (!strncmp(f + i, term, pl))
            return (long)i;
    }
    return -1;
}

/* Every offset search_find_word() finds for term in f[0..flen), in
 * order, with the length of the stem it compares. */
struct offs {
    size_t *v, n, pl;
};

static void word_offsets(const char *f, size_t flen, const char *term, struct offs *o)
{
    size_t tl = strlen(term), cap = 0;
    long pos = search_find_word(f, flen, term, 0);

    o->v = NULL;
    o->n = 0;
    o->pl = tl <= 5 ? tl : (tl - 2 < 5 ? 5 : tl - 2);
    while (pos >= 0) {
        if (o->n == cap) {
            cap = cap ? cap * 2 : 8;
            o->v = xrealloc(o->v, sizeof(*o->v) * cap);
        }
        o->v[o->n++] = (size_t)pos;
        pos = search_find_word(f, flen, term, (size_t)pos + 1);
    }
}

char *store_excerpt_dup(const char *text, const struct store_topic *t, size_t max,
                        int *cut_start, int *cut_end)
{
    size_t len = strlen(text), *map = xmalloc(sizeof(size_t) * (len + 1));
    size_t flen, start, end, i, center = 0;
    struct buf f;
    int best = -1, k;
    char *out;

    buf_init(&f);
    search_fold_into(&f, text, len, map);
    flen = f.len;
    for (i = 0; i < flen; i++)
        f.data[i] = (char)tolower((unsigned char)f.data[i]);
    if (t && t->n_terms) {
        /* The place where most of the topic's words sit together: each
         * word's offsets found once, then, for each, which words start
         * within 120 bytes either side (the first at or after pos - 120,
         * and not past the text cut at pos + 121 + the word's length). */
        struct offs pv[TOPIC_MAX_TERMS];

        for (k = 0; k < t->n_terms; k++)
            word_offsets(f.data, flen, t->terms[k].word, &pv[k]);
        for (k = 0; k < t->n_terms; k++) {
            size_t a;

            for (a = 0; a < pv[k].n; a++) {
                size_t pos = pv[k].v[a], from = pos > 120 ? pos - 120 : 0;
                int j, near = 0;

                for (j = 0; j < t->n_terms; j++) {
                    size_t upto = pos + 121 + strlen(t->terms[j].word);
                    size_t lim = upto < flen ? upto : flen;
                    size_t lo = 0, hi = pv[j].n;

                    while (lo < hi) {       /* the first offset >= from */
                        size_t mid = (lo + hi) / 2;

                        if (pv[j].v[mid] < from)
                            lo = mid + 1;
                        else
                            hi = mid;
                    }
                    if (lo < pv[j].n && pv[j].v[lo] + pv[j].pl <= lim && pv[j].v[lo] <= pos + 120)
                        near++;
                }
                if (near > best || (near == best && pos < center)) {
                    best = near;
                    center = pos;
                }
            }
        }
        for (k = 0; k < t->n_terms; k++)
            free(pv[k].v);
    }
    if (flen <= max) {
        start = 0;
        end = flen;
    } else {
        start = center > max / 3 ? center - max / 3 : 0;
        end = start + max;
        if (end > flen) {
            end = flen;
            start = end - max;
        }
        /* Whole words only, and prefer to start at a sentence. */
        if (start > 0) {
            size_t s0 = start;

            for (i = center; i > s0; i--)
                if (i >= 2 && (f.data[i - 2] == '.' || f.data[i - 2] == '?' || f.data[i - 2] == '!') &&
                    f.data[i - 1] == ' ') {
                    start = i;
                    break;
                }
            if (start == s0) {
                while (start < center && f.data[start] != ' ' && f.data[start] != '\n')
                    start++;
                while (start > 0 && (f.data[start] & 0xC0) == 0x80)
                    start--;
            }
            end = start + max < flen ? start + max : flen;
        }
        if (end < flen) {
            size_t e0 = end;

            while (end > start && f.data[end] != ' ' && f.data[end] != '\n')
                end--;
            if (end == start)
                for (end = e0; end > start && (f.data[end] & 0xC0) == 0x80; end--)
                    ;
        }
    }
    while (start < end && isspace((unsigned char)f.data[start]))
        start++;
    while (end > start && isspace((unsigned char)f.data[end - 1]))
        end--;
    if (cut_start)
        *cut_start = start > 0;
    if (cut_end)
        *cut_end = end < flen;
    out = xstrndup(text + map[start], map[end] - map[start]);
    buf_release(&f);
    free(map);
    return out;
}
