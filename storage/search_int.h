/* storage/search_int.h -- what search.c, topic.c and raised.c share:
 * the parsed topic, the candidate-turn set filled from the FTS5 index,
 * per-meeting term weights, and the hit columns. Private to storage/. */
#ifndef SCRIBE_SEARCH_INT_H
#define SCRIBE_SEARCH_INT_H

#include "store_int.h"

#include <ctype.h>

#define TOPIC_MAX_TERMS   12
#define TOPIC_MAX_INPUT   600
#define TOPIC_MAX_WORD    48

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
    /* query.c's memo for one question: the items that carry the topic
     * (found through the index's vocabulary), asked again for the key
     * points after the decisions. Filled on first use; a topic lives for
     * one answer, in which the store does not change. */
    int items_rows_cap;         /* cap of items_rows; 0: not read yet */
    int items_rows;             /* how many, up to the cap */
    struct buf items_ids;       /* their ids, a JSON array */
    int items_expr_done;
    char *items_expr;           /* query_topic_expr_dup(QUERY_ITEMS), or NULL */
    /* The same for the items that carry every word (two or more). */
    int all_rows_cap;
    int all_rows;
    struct buf all_ids;
    int all_expr_done;
    char *all_expr;             /* query_topic_all_expr_dup(QUERY_ITEMS) */
    /* query_on_topic()'s words, read once per topic: each word (a pointer
     * into `words`) with the length of its stem, and per byte the words
     * that start with it, in either case. */
    struct topic_scan {
        int state;              /* 0: not read yet, 1: read, -1: not plain
                                 * or too many words */
        int n;
        const char *w[32];
        size_t pl[32];
        uint32_t first[256];
    } scan;
    /* topic_derived_only()'s single-word forms of each term, based (see
     * term_bases() in topic.c), read once per topic. */
    struct topic_forms {
        int state;              /* 0: not read yet */
        int nb[TOPIC_MAX_TERMS];
        char bases[TOPIC_MAX_TERMS][4][TOPIC_MAX_WORD + 8];
    } forms;
};

static inline int search_word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

/* Open-addressing map from turn id to the terms it carries. */
struct cand {
    int64_t turn_id;
    int64_t meeting_id;
    unsigned terms;             /* bit i: carries term i */
    unsigned bigrams;           /* bit i: carries bigram (i, i+1) */
    int phrase;
    int attributed;             /* a transcript turn with a known speaker */
    int unknown;                /* attributed not read yet (raised.c reads it
                                 * only for the turns that may need it) */
    int offs;                   /* raised.c: its words' token offsets, or 0 */
    double score;
};

struct candset {
    struct cand *v;
    size_t cap, n;
};

enum { SEARCH_MARK_TERM, SEARCH_MARK_BIGRAM, SEARCH_MARK_PHRASE };

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

#define HIT_COLUMNS \
    "t.id, t.meeting_id, t.record_id, r.kind, t.seq, c.id, c.name, t.section, t.text, t.offset"
#define HIT_FROM \
    " FROM turns t JOIN records r ON r.id = t.record_id" \
    " LEFT JOIN persons p ON p.id = t.person_id LEFT JOIN persons c ON c.id = p.canon_id"

/* query.c: item `id` read whole into it: 1, 0 when there is none, -1 on
 * error. */
int query_item_get(struct store *st, int64_t id, struct store_item *it);
/* search.c: the candidate for turn id (added when new). */
struct cand *search_cand_get(struct candset *cs, int64_t id, int64_t meeting_id);
/* search.c: mark the turns matching expr (rowids lo..hi; 0, 0: all). */
int search_mark(struct store *st, struct candset *cs, const char *expr, int64_t meeting_id,
                int64_t lo, int64_t hi, int what, int idx);
/* search.c: mark every term, bigram and the phrase of t. */
int search_collect(struct store *st, const struct store_topic *t, int64_t meeting_id,
                   struct candset *cs);
void search_hit_release(struct store_hit *h);
/* search.c: fold text for search into b; map[i] is the source offset. */
void search_fold_into(struct buf *b, const char *s, size_t n, size_t *map);
/* search.c: offset of the first word starting with term's stem, or -1. */
long search_find_word(const char *f, size_t flen, const char *term, size_t from);
/* topic.c: of the terms in `terms` (bits), those `text` carries only in
 * a derived form that the stemmer folds into the word ("activities" for
 * "active"): never as the word itself or an inflection of it. A term is
 * counted derived only when such a form is seen, so text the check cannot
 * read (accents) keeps its match. */
unsigned topic_derived_only(const struct store_topic *t, unsigned terms, const char *text);
double search_turn_score(const struct store_topic *t, const struct mscore *m,
                         const struct cand *c);
double search_coverage(const struct mscore *m, double score);

/* raised.c: score one meeting's candidates (cs, its `turns` turns) and,
 * when it discussed the topic, rank them into r: 1 when r was filled, 0
 * when the meeting did not discuss it, -1 on error. */
int raised_one(struct store *st, const struct store_topic *t, int64_t meeting_id,
               int turns, struct candset *cs, struct store_raised *r);
void raised_release(struct store_raised *r);
/* raised_memo.c: store_raised_newest()'s answer kept for t, meeting_id
 * and limit: get fills *out, *n, *more (may be NULL) and returns 1, or 0
 * when none is kept; put keeps a copy. */
int raised_memo_get(struct store *st, const struct store_topic *t, int64_t meeting_id,
                    int limit, struct store_raised **out, int *n, int *more);
void raised_memo_put(struct store *st, const struct store_topic *t, int64_t meeting_id,
                     int limit, const struct store_raised *v, int n, int more);
/* raised_walk.c: the first `limit` meetings (0: all) on topic t, newest
 * first, each ranked; *more when there are more. 0 or -1. */
int raised_walk(struct store *st, const struct store_topic *t, int limit,
                struct store_raised **out, int *n, int *more);

#endif
