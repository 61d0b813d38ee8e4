/* bench/corpus_int.h -- what the corpus generator's files share
 * (corpus.c: the vocabulary and the plan of the meetings; corpus_text.c:
 * the records written from them): the corpus itself and the seeded
 * random numbers. Private to them; bench programs use corpus.h. */
#ifndef SCRIBE_BENCH_CORPUS_INT_H
#define SCRIBE_BENCH_CORPUS_INT_H

#include "corpus.h"

#define N_WORDS    3000
#define N_TOPICS   800
#define N_PEOPLE   600
#define N_AFFIL    90
#define N_GROUPS   8

struct meeting_plan {
    int group, number, roman;
    int year, month, day;
    int topics[4], n_topics;
    int people[12], n_people;
};

struct corpus {
    uint64_t seed;
    int n;
    char *words[N_WORDS];
    char *topics[N_TOPICS];
    char *first[N_PEOPLE], *last[N_PEOPLE], *full[N_PEOPLE];
    int affil_of[N_PEOPLE];
    char *affil[N_AFFIL];
    char *group[N_GROUPS], *group_short[N_GROUPS];
    struct meeting_plan *plan;
};

/* ---- randomness ------------------------------------------------------- */

struct rng {
    uint64_t s;
};

static inline uint64_t corpus_mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void corpus_rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    r->s = corpus_mix64(seed ^ corpus_mix64(stream + 0x5151));
}

static inline uint64_t corpus_rng_next(struct rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return corpus_mix64(r->s);
}

static inline int corpus_rng_int(struct rng *r, int n)
{
    return n > 0 ? (int)(corpus_rng_next(r) % (uint64_t)n) : 0;
}

static inline int corpus_rng_pct(struct rng *r, int pct)
{
    return corpus_rng_int(r, 100) < pct;
}

/* Skewed pick: low indices far more often, as words are in real text. */
static inline int corpus_rng_zipf(struct rng *r, int n)
{
    double u = (double)(corpus_rng_next(r) >> 11) / (double)(1ULL << 53);

    return (int)((double)n * u * u * u) % n;
}

/* corpus.c: a copy of s with its first letter in capitals, and a date
 * moved on by n days. */
char *corpus_capitalised(const char *s);
void corpus_add_days(int *y, int *m, int *d, int n);

#endif
