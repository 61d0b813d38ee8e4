/* storage/search.c -- full-text search over turns and report paragraphs
 * (FTS5, porter stemming), topics for "who raised", and excerpts.
 * Owns table turns_fts. The index holds folded text (Unicode spaces and
 * hyphens made plain) while turns keeps the original for quotes. User
 * text reaches MATCH only as double-quoted phrases, never as FTS syntax. */
#include "store_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOPIC_MAX_TERMS   12
#define TOPIC_MAX_INPUT   600
#define TOPIC_MAX_WORD    48

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
 * folded byte i (map has room for n + 1 entries). */
static void fold_into(struct buf *b, const char *s, size_t n, size_t *map)
{
    size_t i = 0;

    while (i < n) {
        uint32_t cp;
        int len = utf8_decode((const unsigned char *)s + i, n - i, &cp);
        int f;

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
    fold_into(&b, s, n, NULL);
    return buf_detach(&b);
}

/* ---- index ------------------------------------------------------------ */

int search_index(struct store *st, int64_t turn_id, const char *text)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO turns_fts(rowid, text) VALUES(?, ?)");
    char *folded = store_fold_dup(text, strlen(text));
    int rc = 0;

    if (!s) {
        free(folded);
        return -1;
    }
    sqlite3_bind_int64(s, 1, turn_id);
    sqlite3_bind_text(s, 2, folded, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_fail(st, "cannot index turn");
    store_stmt_done(s);
    free(folded);
    return rc;
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

/* ---- words ------------------------------------------------------------ */

static const char *const stop_words[] = {
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any",
    "are", "as", "ask", "asked", "at", "be", "been", "being", "brought", "but", "by",
    "can", "could", "did", "do", "does", "during", "e", "eg", "etc", "for", "from",
    "g", "had", "has", "have", "he", "her", "here", "his", "how", "i", "idea", "if",
    "in", "into", "is", "it", "its", "just", "me", "mentioned", "might", "more", "most",
    "must", "my", "near", "no", "not", "noted", "of", "on", "or", "our", "out", "own",
    "pointed", "raised", "s", "said", "say", "she", "should", "so", "some", "such",
    "suggested", "t", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "through", "to", "too", "up", "us", "very", "was", "we",
    "were", "what", "when", "where", "whether", "which", "while", "who", "whom", "why",
    "will", "with", "would", "you", "your",
};

static int is_stop(const char *w)
{
    size_t lo = 0, hi = sizeof(stop_words) / sizeof(stop_words[0]);

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(w, stop_words[mid]);

        if (!c)
            return 1;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

static int word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

/* Split folded, lower-cased text into words. Each word is kept with
 * `stopped` set when it is a stop word, so phrases can tell adjacency. */
struct word {
    char *w;
    int stopped;
};

static int split_words(const char *text, struct word **out)
{
    size_t n = strlen(text);
    char *f = store_fold_dup(text, n > TOPIC_MAX_INPUT ? utf8_trim_len(text, n, TOPIC_MAX_INPUT) : n);
    struct word *v = NULL;
    int cnt = 0;
    char *p = f;

    while (*p && cnt < 64) {
        char *start;
        size_t len, i;

        while (*p && !word_byte((unsigned char)*p))
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && word_byte((unsigned char)*p))
            p++;
        len = (size_t)(p - start);
        if (len > TOPIC_MAX_WORD)
            len = utf8_trim_len(start, len, TOPIC_MAX_WORD);
        v = xrealloc(v, sizeof(*v) * (size_t)(cnt + 1));
        v[cnt].w = xstrndup(start, len);
        for (i = 0; i < len; i++)
            v[cnt].w[i] = (char)tolower((unsigned char)v[cnt].w[i]);
        v[cnt].stopped = is_stop(v[cnt].w);
        cnt++;
    }
    free(f);
    *out = v;
    return cnt;
}

static void words_free(struct word *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        free(v[i].w);
    free(v);
}

/* ---- topics ----------------------------------------------------------- */

/* A term is what a turn must carry: a word, or any of its alternatives
 * (the expansion of an acronym, or the acronym of an expanded phrase). */
struct term {
    char *word;
    struct buf match;           /* FTS5 expression: "w" OR "alt phrase" ... */
};

struct store_topic {
    struct term terms[TOPIC_MAX_TERMS];
    int n_terms;
    struct buf words;           /* kept words, for messages */
    struct buf phrase;          /* FTS5 expression for the whole phrase, or empty */
    struct buf bigrams[TOPIC_MAX_TERMS];  /* adjacent pairs (i, i+1) */
    int has_bigram[TOPIC_MAX_TERMS];
};

char *search_topic_any_dup(const struct store_topic *t)
{
    struct buf b;

    if (store_topic_empty(t))
        return NULL;
    buf_init(&b);
    for (int i = 0; i < t->n_terms; i++) {
        if (i)
            buf_puts(&b, " OR ");
        buf_putc(&b, '(');
        buf_puts(&b, t->terms[i].match.data);
        buf_putc(&b, ')');
    }
    return buf_detach(&b);
}

int store_topic_empty(const struct store_topic *t)
{
    return !t || t->n_terms == 0;
}

const char *store_topic_words(const struct store_topic *t)
{
    return t ? t->words.data : "";
}

void store_topic_free(struct store_topic *t)
{
    int i;

    if (!t)
        return;
    for (i = 0; i < t->n_terms; i++) {
        free(t->terms[i].word);
        buf_release(&t->terms[i].match);
        buf_release(&t->bigrams[i]);
    }
    buf_release(&t->words);
    buf_release(&t->phrase);
    free(t);
}

static int glossary_list(struct store *st, const char *sql, const char *key, char ***out, int *n)
{
    sqlite3_stmt *s = store_prep(st, sql);

    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW && *n < 8) {
        const char *v = (const char *)sqlite3_column_text(s, 0);

        if (v)
            strv_push(out, n, v);
    }
    sqlite3_finalize(s);
    return 0;
}

int store_glossary_expand(struct store *st, const char *acronym, char ***out, int *n)
{
    char *key = people_key_dup(acronym);
    int rc = glossary_list(st, "SELECT expansion FROM glossary WHERE acronym_key = ?"
                               " GROUP BY expansion_key ORDER BY MIN(rowid)", key, out, n);

    free(key);
    return rc;
}

int store_glossary_acronyms(struct store *st, const char *expansion, char ***out, int *n)
{
    char *key = people_key_dup(expansion);
    int rc = glossary_list(st, "SELECT acronym FROM glossary WHERE expansion_key = ?"
                               " GROUP BY acronym_key ORDER BY MIN(rowid)", key, out, n);

    free(key);
    return rc;
}

static void add_alt(struct term *t, const char *alt)
{
    if (t->match.len)
        buf_puts(&t->match, " OR ");
    search_quote(&t->match, alt);
}

/* Expansions known for the topic: an acronym typed ("EGM") also matches
 * its expansion; a typed expansion ("global digital compact") also
 * matches its acronym on each of its words. */
static void topic_glossary(struct store *st, struct store_topic *t, const char *lowered)
{
    sqlite3_stmt *s;
    int i;

    for (i = 0; i < t->n_terms; i++) {
        char **exp = NULL;
        int n = 0, k;

        if (store_glossary_expand(st, t->terms[i].word, &exp, &n) < 0)
            continue;
        for (k = 0; k < n; k++)
            add_alt(&t->terms[i], exp[k]);
        store_strings_free(exp, n);
    }
    s = store_prep(st, "SELECT acronym, expansion_key FROM glossary"
                       " WHERE instr(?, expansion_key) > 0 AND length(expansion_key) > 3");
    if (!s)
        return;
    sqlite3_bind_text(s, 1, lowered, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *acr = (const char *)sqlite3_column_text(s, 0);
        const char *exp = (const char *)sqlite3_column_text(s, 1);
        struct word *ew = NULL;
        int n, k;

        if (!acr || !exp)
            continue;
        n = split_words(exp, &ew);
        for (i = 0; i < t->n_terms; i++)
            for (k = 0; k < n; k++)
                if (!strcmp(t->terms[i].word, ew[k].w)) {
                    add_alt(&t->terms[i], acr);
                    break;
                }
        words_free(ew, n);
    }
    sqlite3_finalize(s);
}

/* An adverb and its noun, which the stemmer keeps apart, match each
 * other: "frequently" also finds "frequency", "urgency" finds "urgently". */
static int derived_variant(const char *w, char *out, size_t n)
{
    static const char *const pairs[][2] = {
        { "ently", "ency" }, { "antly", "ancy" }, { "ency", "ently" }, { "ancy", "antly" },
    };
    size_t len = strlen(w);

    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        size_t fl = strlen(pairs[i][0]), tl = strlen(pairs[i][1]);

        if (len < fl + 3 || len - fl + tl >= n || strcmp(w + len - fl, pairs[i][0]))
            continue;
        memcpy(out, w, len - fl);
        memcpy(out + len - fl, pairs[i][1], tl + 1);
        return 1;
    }
    return 0;
}

/* British and American spellings match each other: "anonymised" also
 * finds "anonymized" and back. Writes the other spelling into out. */
static int spelling_variant(const char *w, char *out, size_t n)
{
    static const char *const ends[] = { "e", "ed", "es", "ing", "ation", "ations", "er", "ers" };
    size_t len = strlen(w), i;

    for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
        size_t el = strlen(ends[i]);

        if (len < el + 5 || len >= n || strcmp(w + len - el, ends[i]))
            continue;
        if (w[len - el - 1] != 's' && w[len - el - 1] != 'z')
            continue;
        if (w[len - el - 2] != 'i' && w[len - el - 2] != 'y')
            continue;
        memcpy(out, w, len + 1);
        out[len - el - 1] = w[len - el - 1] == 's' ? 'z' : 's';
        return 1;
    }
    return 0;
}

struct store_topic *store_topic_new(struct store *st, const char *text)
{
    struct store_topic *t = xcalloc(1, sizeof(*t));
    struct word *w = NULL;
    struct buf lowered;
    int n, i, k, run_start = -1;

    buf_init(&t->words);
    buf_init(&t->phrase);
    buf_init(&lowered);
    n = split_words(text ? text : "", &w);
    for (i = 0; i < n; i++) {
        if (lowered.len)
            buf_putc(&lowered, ' ');
        buf_puts(&lowered, w[i].w);
    }
    for (i = 0; i < n && t->n_terms < TOPIC_MAX_TERMS; i++) {
        struct term *tm;

        if (w[i].stopped)
            continue;
        for (k = 0; k < t->n_terms && strcmp(t->terms[k].word, w[i].w); k++)
            ;
        if (k < t->n_terms)
            continue;
        tm = &t->terms[t->n_terms];
        tm->word = xstrdup(w[i].w);
        buf_init(&tm->match);
        buf_init(&t->bigrams[t->n_terms]);
        add_alt(tm, w[i].w);
        {
            char other[TOPIC_MAX_WORD + 8];

            if (spelling_variant(w[i].w, other, sizeof(other)))
                add_alt(tm, other);
            if (derived_variant(w[i].w, other, sizeof(other)))
                add_alt(tm, other);
        }
        /* An adjacent pair of kept words becomes a phrase: "leadership panel". */
        if (t->n_terms > 0 && i > 0 && !w[i - 1].stopped &&
            !strcmp(w[i - 1].w, t->terms[t->n_terms - 1].word)) {
            struct buf *bg = &t->bigrams[t->n_terms - 1];
            char *pair = xasprintf("%s %s", w[i - 1].w, w[i].w);

            search_quote(bg, pair);
            free(pair);
            t->has_bigram[t->n_terms - 1] = 1;
        }
        if (t->words.len)
            buf_putc(&t->words, ' ');
        buf_puts(&t->words, w[i].w);
        t->n_terms++;
    }
    /* The whole phrase as typed, from the first to the last kept word. */
    if (t->n_terms >= 2) {
        struct buf ph;
        int last = -1;

        buf_init(&ph);
        for (i = 0; i < n; i++)
            if (!w[i].stopped) {
                if (run_start < 0)
                    run_start = i;
                last = i;
            }
        for (i = run_start; i >= 0 && i <= last; i++) {
            if (ph.len)
                buf_putc(&ph, ' ');
            buf_puts(&ph, w[i].w);
        }
        if (last - run_start >= 2)
            search_quote(&t->phrase, ph.data);
        buf_release(&ph);
    }
    if (st && t->n_terms)
        topic_glossary(st, t, lowered.data);
    buf_release(&lowered);
    words_free(w, n);
    return t;
}

/* ---- hit sets --------------------------------------------------------- */

/* Open-addressing map from turn id to the terms it carries. */
struct cand {
    int64_t turn_id;
    int64_t meeting_id;
    unsigned terms;             /* bit i: carries term i */
    unsigned bigrams;           /* bit i: carries bigram (i, i+1) */
    int phrase;
    int attributed;             /* a transcript turn with a known speaker */
    double score;
};

struct candset {
    struct cand *v;
    size_t cap, n;
};

static struct cand *cand_get(struct candset *cs, int64_t id, int64_t meeting_id)
{
    size_t i;

    if ((cs->n + 1) * 2 > cs->cap) {
        struct candset big = { xcalloc(cs->cap ? cs->cap * 2 : 256, sizeof(struct cand)),
                               cs->cap ? cs->cap * 2 : 256, 0 };
        size_t k;

        for (k = 0; k < cs->cap; k++)
            if (cs->v[k].turn_id) {
                struct cand *c = cand_get(&big, cs->v[k].turn_id, cs->v[k].meeting_id);

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

enum { MARK_TERM, MARK_BIGRAM, MARK_PHRASE };

static int mark(struct store *st, struct candset *cs, const char *expr, int64_t meeting_id,
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
        struct cand *c = cand_get(cs, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));

        c->attributed = sqlite3_column_int(s, 2);
        if (what == MARK_TERM)
            c->terms |= 1u << idx;
        else if (what == MARK_BIGRAM)
            c->bigrams |= 1u << idx;
        else
            c->phrase = 1;
    }
    store_stmt_done(s);
    /* A malformed expression is our bug, but never the user's problem. */
    return rc == SQLITE_DONE ? 0 : 0;
}

static int collect(struct store *st, const struct store_topic *t, int64_t meeting_id,
                   struct candset *cs)
{
    int i;

    for (i = 0; i < t->n_terms; i++)
        if (mark(st, cs, t->terms[i].match.data, meeting_id, 0, 0, MARK_TERM, i) < 0)
            return -1;
    for (i = 0; i + 1 < t->n_terms; i++)
        if (t->has_bigram[i] &&
            mark(st, cs, t->bigrams[i].data, meeting_id, 0, 0, MARK_BIGRAM, i) < 0)
            return -1;
    if (t->phrase.len && mark(st, cs, t->phrase.data, meeting_id, 0, 0, MARK_PHRASE, 0) < 0)
        return -1;
    return 0;
}

/* ---- hits ------------------------------------------------------------- */

static void hit_release(struct store_hit *h)
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
        hit_release(&v[i]);
    free(v);
}

#define HIT_COLUMNS \
    "t.id, t.meeting_id, t.record_id, r.kind, t.seq, c.id, c.name, t.section, t.text, t.offset"
#define HIT_FROM \
    " FROM turns t JOIN records r ON r.id = t.record_id" \
    " LEFT JOIN persons p ON p.id = t.person_id LEFT JOIN persons c ON c.id = p.canon_id"

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

static void hit_move(struct store_hit *dst, struct store_hit *src)
{
    *dst = *src;
    memset(src, 0, sizeof(*src));
}

int store_search(struct store *st, const char *query, int64_t meeting_id,
                 int64_t person_id, int limit, struct store_hit **out, int *n)
{
    struct store_topic *t = store_topic_new(st, query);
    struct buf expr;
    sqlite3_stmt *s = NULL;
    int pass, i, rc = 0;

    *out = NULL;
    *n = 0;
    buf_init(&expr);
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
        s = store_prep(st, "SELECT " HIT_COLUMNS ", f.rank" HIT_FROM
                           " JOIN (SELECT rowid, rank FROM turns_fts WHERE turns_fts MATCH ?1) f"
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
        while (sqlite3_step(s) == SQLITE_ROW) {
            *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
            store_hit_read(s, &(*out)[*n]);
            (*out)[*n].score = -sqlite3_column_double(s, 10);
            (*n)++;
        }
        sqlite3_finalize(s);
    }
    buf_release(&expr);
    store_topic_free(t);
    return rc;
}

/* ---- who raised ------------------------------------------------------- */

static void raised_release(struct store_raised *r)
{
    int k;

    hit_release(&r->first);
    hit_release(&r->summary);
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

struct mscore {
    int64_t meeting_id;
    int turns;                  /* turns in the meeting */
    int df[TOPIC_MAX_TERMS];
    int bdf[TOPIC_MAX_TERMS];   /* turns carrying bigram (i, i+1) */
    double w[TOPIC_MAX_TERMS];
    double bw[TOPIC_MAX_TERMS];
    double total;               /* sum of the weights of all terms */
    double present;             /* sum of the weights of terms the meeting has */
    int n_present;
    double best;                /* best turn score */
    double best_attr;           /* best score of a turn with a speaker */
};

/* Score of a turn: the weights of the terms it carries (rare words in the
 * meeting weigh more), plus the adjacent pairs and the whole phrase, so a
 * turn that carries "leadership panel" beats one with only "panel". */
static double turn_score(const struct store_topic *t, const struct mscore *m, const struct cand *c)
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
static double coverage(const struct mscore *m, double score)
{
    return m->present > 0 ? score / m->present : 0;
}

static int cmp_raiser(const void *a, const void *b)
{
    const struct store_raiser *x = a, *y = b;

    if (x->mentions != y->mentions)
        return y->mentions - x->mentions;
    return strcmp(x->name, y->name);
}

static long find_word(const char *f, size_t flen, const char *term, size_t from);

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
        if (find_word(win, strlen(win), stem, 0) >= 0)
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

static int raise_meeting(struct store *st, const struct store_topic *t, struct candset *cs,
                         struct mscore *m, struct store_raised *r)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT " HIT_COLUMNS HIT_FROM " WHERE t.id = ?");
    double first_need, other_need;
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
        hv[nh].score = c->score;
        nh++;
    }
    store_stmt_done(s);
    if (nh > 1)
        qsort(hv, (size_t)nh, sizeof(*hv), cmp_hit_order);
    for (x = 0; x < nh; x++) {
        struct store_hit h = hv[x];
        double sc = h.score;

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
                hit_release(&r->summary);
                hit_move(&r->summary, &h);
                r->has_summary = 1;
                continue;
            }
            hit_release(&h);
            continue;
        }
        if (!r->has_first && sc >= first_need) {
            hit_move(&r->first, &h);
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
        hit_release(&h);
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
            hit_release(&r->first);
        }
        hit_move(&r->first, &credited);
        r->has_first = 1;
        r->first_mentions = 1;
        buf_init(&nb);
        buf_printf(&nb, "as %s put it", credited_by);
        free(r->note);
        r->note = buf_detach(&nb);
    }
    hit_release(&credited);
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
 * other meetings' turns; mark() checks the meeting of every hit. */
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
            if (mark(st, cs, t->terms[i].match.data, meeting_id, r[k].lo, r[k].hi,
                     MARK_TERM, i) < 0)
                goto out;
        for (i = 0; i + 1 < t->n_terms; i++)
            if (t->has_bigram[i] && mark(st, cs, t->bigrams[i].data, meeting_id, r[k].lo,
                                         r[k].hi, MARK_BIGRAM, i) < 0)
                goto out;
        if (t->phrase.len && mark(st, cs, t->phrase.data, meeting_id, r[k].lo, r[k].hi,
                                  MARK_PHRASE, 0) < 0)
            goto out;
    }
    rc = 0;
out:
    free(r);
    return rc;
}

/* How many turns carry an FTS5 expression, counted up to `cap`. */
static int expr_count(struct store *st, const char *expr, int cap)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM (SELECT rowid FROM turns_fts"
                                     " WHERE turns_fts MATCH ?1 LIMIT ?2)");
    int n = 0;

    if (!s)
        return 0;
    sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, cap);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    store_stmt_done(s);
    return n;
}

/* The meetings that may have discussed the topic, newest first. With
 * two or more terms a meeting must carry over half of them, so it carries
 * at least one of the rarest (n - (n/2 + 1) + 1): only those are looked
 * up, and the commonest words of the topic (thousands of turns) never
 * are. */
static int candidate_meetings(struct store *st, const struct store_topic *t, int rare,
                              int64_t **out, int *n)
{
    sqlite3_stmt *s;
    int cnt[TOPIC_MAX_TERMS], used[TOPIC_MAX_TERMS] = { 0 };
    int need = t->n_terms >= 2 ? t->n_terms - (t->n_terms / 2 + 1) + 1 : 1;
    struct buf expr;
    int i, k, rc, cap = 0;

    *out = NULL;
    *n = 0;
    for (i = 0; i < t->n_terms; i++)
        cnt[i] = t->n_terms > need ? expr_count(st, t->terms[i].match.data, rare) : 0;
    buf_init(&expr);
    for (k = 0; k < need; k++) {
        int best = -1;

        for (i = 0; i < t->n_terms; i++)
            if (!used[i] && (best < 0 || cnt[i] < cnt[best]))
                best = i;
        used[best] = 1;
        if (expr.len)
            buf_puts(&expr, " OR ");
        buf_printf(&expr, "(%s)", t->terms[best].match.data);
    }
    /* When even those words are common, *n = -1: the caller walks the
     * meetings newest first instead. */
    if (expr_count(st, expr.data, rare) >= rare) {
        buf_release(&expr);
        *n = -1;
        return 0;
    }
    s = store_stmt(st, "SELECT m.id FROM meetings m WHERE m.id IN"
                       " (SELECT t.meeting_id FROM turns_fts f JOIN turns t ON t.id = f.rowid"
                       "  WHERE turns_fts MATCH ?1)"
                       " ORDER BY COALESCE(m.date, date(m.posted, 'unixepoch')) DESC, m.id DESC");
    if (!s) {
        buf_release(&expr);
        return -1;
    }
    sqlite3_bind_text(s, 1, expr.data, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = xrealloc(*out, sizeof(**out) * (size_t)cap);
        }
        (*out)[(*n)++] = sqlite3_column_int64(s, 0);
    }
    store_stmt_done(s);
    buf_release(&expr);
    /* A malformed expression is our bug, but never the user's problem. */
    return 0;
}

/* Score one meeting's candidates and, when it discussed the topic, rank
 * them into r. 1 when r was filled, 0 when the meeting did not discuss
 * it, -1 on error. */
static int raise_one(struct store *st, const struct store_topic *t, int64_t meeting_id,
                     int turns, struct candset *csp, struct store_raised *r)
{
    struct candset cs = *csp;
    struct mscore ms;
    size_t k;
    int i, rc = 0;

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
        c->score = turn_score(t, &ms, c);
        if (c->score > ms.best)
            ms.best = c->score;
        if (!c->attributed && c->score > ms.best_attr) {
            /* An unattributed turn that someone was given the floor for
             * counts as theirs (raise_meeting names them). */
            char *name = NULL;

            c->attributed = attrib_floor(st, c->turn_id, &name) > 0;
            free(name);
        }
        if (c->attributed && c->score > ms.best_attr)
            ms.best_attr = c->score;
    }
    /* Nor did one where the best turn carries under half of their
     * weight (one common word of several). */
    if (t->n_terms >= 2 && coverage(&ms, ms.best) < 0.5)
        goto out;
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
    return rc;
}

/* The next `max` meetings, newest first, from `offset`. */
static int newest_meetings(struct store *st, int offset, int max, int64_t **out, int *n)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT m.id FROM meetings m"
                                     " ORDER BY COALESCE(m.date, date(m.posted, 'unixepoch')) DESC,"
                                     " m.id DESC LIMIT ?1 OFFSET ?2");
    int rc;

    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    sqlite3_bind_int(s, 1, max);
    sqlite3_bind_int(s, 2, offset);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        (*out)[(*n)++] = sqlite3_column_int64(s, 0);
    }
    store_stmt_done(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot list meetings");
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
        if (mark(st, cs, t->terms[i].match.data, 0, span.lo, span.hi, MARK_TERM, i) < 0)
            return -1;
    for (i = 0; i + 1 < t->n_terms; i++)
        if (t->has_bigram[i] &&
            mark(st, cs, t->bigrams[i].data, 0, span.lo, span.hi, MARK_BIGRAM, i) < 0)
            return -1;
    if (t->phrase.len && mark(st, cs, t->phrase.data, 0, span.lo, span.hi, MARK_PHRASE, 0) < 0)
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

#define RAISED_RARE 3000        /* turns: fewer, and a topic's meetings are found by its words */

int store_raised_newest(struct store *st, const struct store_topic *t, int64_t meeting_id,
                        int limit, struct store_raised **out, int *n, int *more)
{
    struct store_raised *v = NULL;
    int64_t *mv = NULL;
    int nmv = 0, cnt = 0, rc = -1, r = 0;

    *out = NULL;
    *n = 0;
    if (more)
        *more = 0;
    if (store_topic_empty(t))
        return 0;
    if (meeting_id) {
        r = raise_batch(st, t, &meeting_id, 1, limit, &v, &cnt);
    } else if (candidate_meetings(st, t, RAISED_RARE, &mv, &nmv) < 0) {
        goto out;
    } else if (nmv >= 0) {
        /* Meetings that carry the topic's rarest words, newest first, a
         * few at a time. */
        int b = limit > 0 ? limit + 1 : 8;

        for (int j = 0; r == 0 && j < nmv; j += b, b = 4)
            r = raise_batch(st, t, mv + j, nmv - j < b ? nmv - j : b, limit, &v, &cnt);
    } else {
        /* Words so common that most meetings carry them: newest first,
         * in growing batches, until enough discussed it. */
        int offset = 0, b = 12, got;

        do {
            free(mv);
            if (newest_meetings(st, offset, b, &mv, &got) < 0)
                goto out;
            r = got ? raise_batch(st, t, mv, got, limit, &v, &cnt) : 0;
            offset += got;
            b = b < 192 ? b * 2 : 384;
        } while (r == 0 && got > 0);
    }
    if (r < 0) {
        store_raised_free(v, cnt);
        v = NULL;
        cnt = 0;
        goto out;
    }
    if (more && r > 0)
        *more = 1;
    *out = v;
    *n = cnt;
    v = NULL;
    rc = 0;
out:
    free(v);
    free(mv);
    return rc;
}

int store_raised(struct store *st, const struct store_topic *t,
                 int64_t meeting_id, struct store_raised **out, int *n)
{
    return store_raised_newest(st, t, meeting_id, 0, out, n, NULL);
}

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
    if (collect(st, t, meeting_id, &cs) < 0)
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
        c->score = turn_score(t, &m, c);
        if (t->n_terms >= 2 && coverage(&m, c->score) < 0.4)
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
            hit_release(&(*out)[i]);
        *n = limit;
    }
    rc = 0;
out:
    sqlite3_finalize(s);
    free(cs.v);
    return rc;
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

/* ---- excerpts --------------------------------------------------------- */

/* Offset in f (folded, lower case) of the first word starting with the
 * term's stem at or after `from`, or -1. */
static long find_word(const char *f, size_t flen, const char *term, size_t from)
{
    size_t tl = strlen(term), pl = tl <= 5 ? tl : (tl - 2 < 5 ? 5 : tl - 2);
    size_t i;

    for (i = from; i + pl <= flen; i++) {
        if (i > 0 && word_byte((unsigned char)f[i - 1]))
            continue;
        if (!strncmp(f + i, term, pl))
            return (long)i;
    }
    return -1;
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
    fold_into(&f, text, len, map);
    flen = f.len;
    for (i = 0; i < flen; i++)
        f.data[i] = (char)tolower((unsigned char)f.data[i]);
    if (t && t->n_terms) {
        /* The place where most of the topic's words sit together. */
        for (k = 0; k < t->n_terms; k++) {
            long pos = find_word(f.data, flen, t->terms[k].word, 0);

            while (pos >= 0) {
                int j, near = 0;

                for (j = 0; j < t->n_terms; j++) {
                    size_t from = (size_t)pos > 120 ? (size_t)pos - 120 : 0;
                    long q = find_word(f.data, flen, t->terms[j].word, from);

                    if (q >= 0 && (size_t)q <= (size_t)pos + 120)
                        near++;
                }
                if (near > best || (near == best && (size_t)pos < center)) {
                    best = near;
                    center = (size_t)pos;
                }
                pos = find_word(f.data, flen, t->terms[k].word, (size_t)pos + 1);
            }
        }
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
