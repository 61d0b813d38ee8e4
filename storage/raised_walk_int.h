/* storage/raised_walk_int.h -- what raised_walk.c and raised_stream.c
 * share: the walk of the FTS5 index newest turn first, its streams (one
 * statement per term) and the token offsets they keep. Private to those
 * two files. */
#ifndef SCRIBE_RAISED_WALK_INT_H
#define SCRIBE_RAISED_WALK_INT_H

#include "search_int.h"

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

/* raised_stream.c: open a stream of expr's rows (its word's offsets
 * too when `offsets`) as w->sv[w->ns++]: 1 with offsets, 0 without, -1
 * on error. */
int raised_stream_open(struct walk *w, const char *expr, int what, int idx, int offsets);
/* raised_stream.c: give back what an opened stream holds. */
void raised_stream_close(struct stream *x);
/* raised_stream.c: the stream's current rowid (0 at its end). */
int64_t raised_stream_peek(struct stream *x);
void raised_stream_keep(struct walk *w, struct stream *x, struct cand *c);
void raised_stream_mark(struct cand *c, const struct stream *x);
void raised_stream_positions(struct walk *w, struct candset *cs);
/* raised_walk.c: the range holding turn id, or NULL. */
struct wrange *raised_walk_range(struct walk *w, int64_t id);

#endif
