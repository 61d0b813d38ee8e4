/* storage/topic.c -- a question's topic: its words without stop words,
 * adjacent pairs and the whole phrase as FTS5 expressions (quoted, never
 * raw syntax), widened by the glossary (acronym <-> expansion) and by
 * spelling and derivation variants; which of its words no record has. */
#include "search_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- words ------------------------------------------------------------ */

static const char *const stop_words[] = {
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any",
    "are", "as", "ask", "asked", "at", "be", "been", "before", "being", "brought", "but", "by",
    "can", "could", "did", "do", "does", "during", "e", "eg", "etc", "for", "from",
    "g", "had", "has", "have", "he", "her", "here", "his", "how", "i", "idea", "if",
    "in", "into", "is", "it", "its", "just", "many", "me", "mentioned", "might", "more",
    "most", "much", "must", "my", "near", "no", "not", "noted", "of", "on", "or", "our", "out", "own",
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

        while (*p && !search_word_byte((unsigned char)*p))
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && search_word_byte((unsigned char)*p))
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
    free(t->items_expr);
    buf_release(&t->items_ids);
    free(t->all_expr);
    buf_release(&t->all_ids);
    free(t);
}

/* sql: a string literal (the statement is kept prepared). */
static int glossary_list(struct store *st, const char *sql, const char *key, char ***out, int *n)
{
    sqlite3_stmt *s = store_stmt(st, sql);

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
    store_stmt_done(s);
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
    s = store_stmt(st, "SELECT acronym, expansion_key FROM glossary"
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
    store_stmt_done(s);
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
    buf_init(&t->items_ids);
    buf_init(&t->all_ids);
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


/* ---- forms ------------------------------------------------------------ */

/* A word without one inflection: "concerns", "concerned", "concerning" ->
 * "concern"; "activities" -> "activit", "active" -> "activ". Derivations
 * the stemmer also folds together ("activities" and "active" are both
 * "activ" to it) keep their difference. Writes into out (n bytes). */
static void word_base(const char *w, size_t len, char *out, size_t n)
{
    static const char *const ends[] = { "ies", "ied", "ing", "ly", "es", "ed", "s", "d" };
    size_t i;

    if (len >= n)
        len = n - 1;
    memcpy(out, w, len);
    out[len] = '\0';
    for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
        size_t el = strlen(ends[i]);

        if (len < el + 3 || strcmp(out + len - el, ends[i]))
            continue;
        if (!strcmp(ends[i], "s") && out[len - 2] == 's')
            continue;           /* "process" keeps its s */
        len -= el;
        if (ends[i][0] == 'i' && ends[i][1] == 'e')
            out[len++] = 'y';
        out[len] = '\0';
        break;
    }
    if (len > 3 && (out[len - 1] == 'e' || out[len - 1] == 'y'))
        out[--len] = '\0';
}

#define FORM_PREFIX 4           /* letters a derived form shares with the word */

/* The single-word forms a term may take, based: its word, spelling and
 * derived variants and one-word glossary alternatives. 0 when any
 * alternative is a phrase (a phrase match says nothing of forms). */
static int term_bases(const struct term *tm, char bases[][TOPIC_MAX_WORD + 8], int max)
{
    const char *p = tm->match.data;
    int n = 0;

    while (p && *p) {
        char w[TOPIC_MAX_WORD + 8];
        size_t len = 0;

        p = strchr(p, '"');
        if (!p)
            break;
        if (n == max)
            return 0;           /* more forms than we keep: cannot tell */
        for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
            if (*p == '"')
                p++;
            if (*p == ' ')
                return 0;
            if (len + 1 < sizeof(w))
                w[len++] = (char)tolower((unsigned char)*p);
        }
        if (*p)
            p++;
        word_base(w, len, bases[n], sizeof(bases[n]));
        n++;
    }
    return n;
}

/* The "C" locale's tolower() and isalnum() (scribe never sets another),
 * inline: topic_derived_only() asks them of every byte of every turn it
 * reads. */
static unsigned char c_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int c_word_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
}

unsigned topic_derived_only(const struct store_topic *t, unsigned terms, const char *text)
{
    struct topic_forms *fm = &((struct store_topic *)t)->forms;    /* its memo only */
    char (*bases)[4][TOPIC_MAX_WORD + 8] = fm->bases;
    const int *nb = fm->nb;
    unsigned asked = 0, derived = 0, check = 0;
    unsigned char first[256];       /* 1 for a byte some form starts with */
    const char *p = text;
    int i, k;

    if (!fm->state) {
        for (i = 0; i < t->n_terms; i++)
            fm->nb[i] = term_bases(&t->terms[i], fm->bases[i], 4);
        fm->state = 1;
    }
    for (i = 0; i < t->n_terms; i++) {
        if (!(terms & (1u << i)))
            continue;
        /* Short words and acronyms have no derivations to tell apart. */
        if (nb[i] > 0 && strlen(bases[i][0]) >= FORM_PREFIX + 1)
            check |= 1u << i;
    }
    if (!check)
        return 0;
    memset(first, 0, sizeof(first));
    for (i = 0; i < t->n_terms; i++)
        for (k = 0; (check & (1u << i)) && k < nb[i]; k++)
            first[(unsigned char)bases[i][k][0]] = 1;
    first[0] = 0;
    while (check && *p) {
        char w[TOPIC_MAX_WORD + 8], b[TOPIC_MAX_WORD + 8];
        size_t len = 0;

        while (*p && !c_word_byte((unsigned char)*p))
            p++;
        if (*p && !first[c_lower((unsigned char)*p)]) {
            /* Starts unlike every form: skip it without copying. */
            while (*p && c_word_byte((unsigned char)*p))
                p++;
            continue;
        }
        while (*p && c_word_byte((unsigned char)*p)) {
            if (len + 1 < sizeof(w))
                w[len++] = (char)c_lower((unsigned char)*p);
            p++;
        }
        if (!len)
            continue;
        w[len] = '\0';
        for (i = 0, k = 0; i < t->n_terms && !k; i++)
            for (int j = 0; (check & (1u << i)) && j < nb[i] && !k; j++) {
                size_t bl = strlen(bases[i][j]);

                k = !strncmp(w, bases[i][j], bl < FORM_PREFIX ? bl : FORM_PREFIX);
            }
        if (!k)
            continue;           /* nor like any form's first letters */
        word_base(w, len, b, sizeof(b));
        for (i = 0; i < t->n_terms; i++) {
            if (!(check & (1u << i)))
                continue;
            for (k = 0; k < nb[i]; k++) {
                if (!strcmp(b, bases[i][k]))
                    asked |= 1u << i;
                else if (len >= FORM_PREFIX && !strncmp(b, bases[i][k], FORM_PREFIX))
                    derived |= 1u << i;
            }
        }
        if ((asked & check) == check)
            break;              /* every term seen as asked: nothing to find */
    }
    return derived & ~asked & check;
}

/* ---- words nothing carries ---------------------------------------------- */

/* Append word to the space-separated list in out (cap bytes, *len used);
 * a word that does not fit is left out. */
static void word_list_add(char *out, size_t cap, size_t *len, const char *word)
{
    if (*len + strlen(word) + 2 <= cap)
        *len += (size_t)snprintf(out + *len, cap - *len, "%s%s", *len ? " " : "", word);
}

int store_topic_unknown(struct store *st, const struct store_topic *t, char *unknown,
                        size_t ucap, char *known, size_t kcap)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT 1 FROM turns_fts WHERE turns_fts MATCH ? LIMIT 1");
    size_t ulen = 0, klen = 0;
    int i, rc = 0;

    if (ucap)
        unknown[0] = '\0';
    if (kcap)
        known[0] = '\0';
    if (!s)
        return -1;
    for (i = 0; t && i < t->n_terms; i++) {
        const struct term *tm = &t->terms[i];
        const struct buf *kept;
        struct buf key;
        int step, found;

        if (!tm->match.len)
            continue;
        /* Kept until the index is written: "known?" and the expression. */
        buf_init(&key);
        buf_puts(&key, "known?");
        buf_add(&key, tm->match.data, tm->match.len);
        if ((kept = query_memo_get(st, MEMO_TURNS, key.data, key.len)) && kept->len == 1) {
            found = kept->data[0] == '1';
        } else {
            sqlite3_reset(s);
            sqlite3_bind_text(s, 1, tm->match.data, (int)tm->match.len, SQLITE_STATIC);
            step = sqlite3_step(s);
            if (step != SQLITE_ROW && step != SQLITE_DONE) {
                buf_release(&key);
                rc = store_fail(st, "cannot look a word up");
                break;
            }
            found = step == SQLITE_ROW;
            query_memo_put(st, MEMO_TURNS, key.data, key.len, found ? "1" : "0", 1);
        }
        buf_release(&key);
        if (found)
            word_list_add(known, kcap, &klen, tm->word);
        else
            word_list_add(unknown, ucap, &ulen, tm->word);
    }
    store_stmt_done(s);
    return rc;
}
