/* storage/topic_match.c -- whether a text is on a question's topic
 * (query_on_topic: half of its words by stem; store_topic_covers: every
 * word) and the FTS5 expressions over items_fts and actions_fts that
 * find the rows the test would keep (query_topic_expr_dup, and
 * query_topic_all_expr_dup for every word), each word widened to the
 * index's words it starts. Shared by query.c, actions.c and context.c. */
#include "search_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The part of a topic word that query_on_topic() looks for at the start
 * of a word: the whole word up to 5 letters, else all but its last two
 * (at least 5), so "budgets" finds "budget" and "budgeting". */
static size_t stem_len(size_t tl)
{
    return tl <= 5 ? tl : (tl - 2 < 5 ? 5 : tl - 2);
}

/* 1 when every topic word is plain (lower-case) letters and digits. */
static int words_plain(const char *w)
{
    for (; *w; w++)
        if (*w != ' ' && (!isalnum((unsigned char)*w) || isupper((unsigned char)*w)))
            return 0;
    return 1;
}

/* isalnum() and tolower() of the "C" locale scribe runs in, inline:
 * query_on_topic() asks them of every byte of every item it reads. */
static int ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* 1 when a word of `text` starts with w[0..pl) (plain lower-case letters
 * and digits, pl >= 1), in any case. Only the bytes that can start the
 * match are looked at further. */
static int has_word_prefix(const char *text, const char *w, size_t pl)
{
    unsigned char lo = (unsigned char)w[0];
    unsigned char up = lo >= 'a' && lo <= 'z' ? (unsigned char)(lo - 32) : lo;
    const char *p;
    size_t k;

    for (p = text; *p; p++) {
        if ((unsigned char)*p != lo && (unsigned char)*p != up)
            continue;
        if (p != text && ascii_alnum((unsigned char)p[-1]))
            continue;
        for (k = 1; k < pl && p[k] && ascii_lower((unsigned char)p[k]) == (unsigned char)w[k]; k++)
            ;
        if (k == pl)
            return 1;
    }
    return 0;
}

/* t's words for the one-pass test (see struct topic_scan), or NULL when
 * they are not plain or too many. */
static const struct topic_scan *topic_scan_get(const struct store_topic *t)
{
    struct topic_scan *sc = &((struct store_topic *)t)->scan;    /* its memo only */
    const char *w = store_topic_words(t);

    if (sc->state)
        return sc->state > 0 ? sc : NULL;
    sc->state = -1;
    if (!words_plain(w))
        return NULL;
    while (*w) {
        size_t tl = strcspn(w, " ");
        unsigned char c = (unsigned char)w[0];

        if (!tl) {
            w++;
            continue;
        }
        if (sc->n == 32)
            return NULL;
        sc->w[sc->n] = w;
        sc->pl[sc->n] = stem_len(tl);
        sc->first[c] |= 1u << sc->n;
        if (c >= 'a' && c <= 'z')
            sc->first[c - 32] |= 1u << sc->n;
        sc->n++;
        w += tl;
    }
    sc->state = 1;
    return sc;
}

/* 1 when `text` carries at least half of the topic's words (by stem),
 * or with `all`, every one of them. */
static int topic_test(const char *text, const struct store_topic *t, int all)
{
    const char *words = store_topic_words(t), *w;
    const struct topic_scan *sc = t ? topic_scan_get(t) : NULL;
    int hits = 0, n = 0, left, need;

    if (sc) {
        /* One pass over the text for all the words: only a byte that
         * starts one of them is looked at further. Done as soon as
         * enough of them are found. */
        uint32_t found = 0;
        const char *p;

        need = all ? sc->n : (sc->n + 1) / 2;

        if (!sc->n)
            return 0;
        for (p = text; *p; p++) {
            uint32_t cand = sc->first[(unsigned char)*p] & ~found;

            if (!cand || (p != text && ascii_alnum((unsigned char)p[-1])))
                continue;
            while (cand) {
                int i = __builtin_ctz(cand);
                size_t k;

                cand &= cand - 1;
                for (k = 1; k < sc->pl[i] && p[k] &&
                            ascii_lower((unsigned char)p[k]) == (unsigned char)sc->w[i][k]; k++)
                    ;
                if (k == sc->pl[i]) {
                    found |= 1u << i;
                    if (++hits >= need)
                        return 1;
                }
            }
        }
        return 0;
    }

    if (!words_plain(words)) {
        /* Words with other bytes are compared with the folded text. */
        char *copy = xstrdup(words), *cw, *save = NULL;
        char *folded = store_fold_dup(text, strlen(text));
        char *p;

        for (p = folded; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        for (cw = strtok_r(copy, " ", &save); cw; cw = strtok_r(NULL, " ", &save)) {
            size_t pl = stem_len(strlen(cw));

            n++;
            for (p = folded; *p; p++)
                if ((p == folded || !isalnum((unsigned char)p[-1])) && !strncmp(p, cw, pl)) {
                    hits++;
                    break;
                }
        }
        free(copy);
        free(folded);
        return n > 0 && (all ? hits == n : hits * 2 >= n);
    }
    /* Plain words: folding only turns other characters into spaces and
     * punctuation, which neither match a letter nor start a word, so the
     * text is read as it is, without a copy. The answer is known as soon
     * as enough of the words are found, or too few are left to get there. */
    for (w = words; *w; w++)
        if (*w != ' ' && (w == words || w[-1] == ' '))
            n++;
    need = all ? n : (n + 1) / 2;
    for (w = words, left = n; *w;) {
        size_t tl = strcspn(w, " ");

        if (!tl) {
            w++;
            continue;
        }
        left--;
        if (has_word_prefix(text, w, stem_len(tl)) && ++hits >= need)
            return 1;
        if (hits + left < need)
            return 0;
        w += tl;
    }
    return 0;
}

int query_on_topic(const char *text, const struct store_topic *t)
{
    return topic_test(text, t, 0);
}

int store_topic_covers(const struct store_topic *t, const char *text)
{
    return t && !store_topic_empty(t) && topic_test(text ? text : "", t, 1);
}

/* How many words topic t has. */
int query_topic_word_count(const struct store_topic *t)
{
    const char *words = store_topic_words(t), *w;
    int n = 0;

    for (w = words; w && *w; w++)
        n += *w != ' ' && (w == words || w[-1] == ' ');
    return n;
}

/* The words of index `vocab` (QUERY_ITEMS, QUERY_ACTIONS) that start
 * with stem[0..len), as an FTS5 OR into b; the stem as a prefix query
 * when there are over 64 of them. 0 when there is none. */
static int stem_terms(struct store *st, int vocab, const char *stem, size_t len, struct buf *b)
{
    int index = vocab == QUERY_ACTIONS ? MEMO_ACTIONS : MEMO_ITEMS;
    const struct buf *kept = query_memo_get(st, index, stem, len);
    sqlite3_stmt *s;
    size_t start = b->len;
    int n = 0;

    /* The vocabulary's rows count each word's rows in the index (a read
     * of them all): a stem's words are kept until the index changes. */
    if (kept) {
        buf_add(b, kept->data, kept->len);
        return kept->len > 0;
    }
    s = store_stmt(st, vocab == QUERY_ACTIONS ?
        "SELECT term FROM actions_vocab WHERE term >= ?1 AND term < ?1 || x'ff' LIMIT 65" :
        "SELECT term FROM items_vocab WHERE term >= ?1 AND term < ?1 || x'ff' LIMIT 65");
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, stem, (int)len, SQLITE_TRANSIENT);
    buf_putc(b, '(');
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(s, 0);

        if (++n > 64) {
            b->len = start;
            buf_puts(b, "(\"");
            buf_add(b, stem, len);
            buf_puts(b, "\"*");
            break;
        }
        if (n > 1)
            buf_puts(b, " OR ");
        search_quote(b, term ? term : "");
    }
    store_stmt_done(s);
    buf_putc(b, ')');
    if (!n)
        b->len = start;
    query_memo_put(st, index, stem, len, b->data + start, b->len - start);
    return n > 0;
}

/* At least half of the words, as FTS5 needs it: any ceil(n/2) of them
 * together, (a AND b) OR (a AND c) OR ...; past 20 such sets, any one
 * word (then query_on_topic() alone narrows it down). */
#define PREFIX_SETS_MAX 20

static char *topic_expr_dup(struct store *st, int vocab, const struct store_topic *t, int all)
{
    const char *w = store_topic_words(t);
    struct buf word[16], b;
    unsigned mask, sets = 0, have = 0;
    int n = 0, need, i;

    if (store_topic_empty(t) || !*w || !words_plain(w))
        return NULL;
    while (*w) {
        size_t tl = strcspn(w, " ");

        if (tl) {
            int got;

            if (n == 16) {
                for (i = 0; i < n; i++)
                    buf_release(&word[i]);
                return NULL;
            }
            buf_init(&word[n]);
            if ((got = stem_terms(st, vocab, w, stem_len(tl), &word[n])) < 0) {
                /* No vocabulary to read: every row is tested in C. */
                for (i = 0; i <= n; i++)
                    buf_release(&word[i]);
                return NULL;
            }
            if (got > 0)
                have |= 1u << n;
            n++;
        }
        w += tl;
        while (*w == ' ')
            w++;
    }
    need = all ? n : (n + 1) / 2;
    for (mask = 1; mask < 1u << n; mask++)
        if (__builtin_popcount(mask) == need)
            sets++;
    if (sets > PREFIX_SETS_MAX)
        need = 1;
    buf_init(&b);
    for (mask = 1; mask < 1u << n; mask++) {
        int first = 1;

        /* A set with a word the index does not have matches nothing. */
        if (__builtin_popcount(mask) != need || (mask & ~have))
            continue;
        if (b.len)
            buf_puts(&b, " OR ");
        buf_putc(&b, '(');
        for (i = 0; i < n; i++) {
            if (!(mask & (1u << i)))
                continue;
            if (!first)
                buf_puts(&b, " AND ");
            first = 0;
            buf_add(&b, word[i].data, word[i].len);
        }
        buf_putc(&b, ')');
    }
    for (i = 0; i < n; i++)
        buf_release(&word[i]);
    if (!b.len)
        buf_puts(&b, "");       /* nothing can match: an empty string */
    return buf_detach(&b);
}

char *query_topic_expr_dup(struct store *st, int vocab, const struct store_topic *t)
{
    return topic_expr_dup(st, vocab, t, 0);
}

char *query_topic_all_expr_dup(struct store *st, int vocab, const struct store_topic *t)
{
    return query_topic_word_count(t) > 1 ? topic_expr_dup(st, vocab, t, 1) : NULL;
}

