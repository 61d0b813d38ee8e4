/* bench/corpus.h -- a deterministic, seeded generator of meeting records
 * for the benchmarks: captioning transcripts (30-50 KB) and summary
 * reports with the quirks real ones have. Pure text; knows nothing of
 * the store. The same (seed, index) always yields the same bytes. */
#ifndef SCRIBE_BENCH_CORPUS_H
#define SCRIBE_BENCH_CORPUS_H

#include <stdint.h>

#include "../storage/util.h"

struct corpus;

/* What meeting `i` of a corpus is, for building questions about it. */
struct corpus_meeting {
    const char *group;          /* full group name */
    const char *group_short;    /* "OSCG"-like acronym the group goes by */
    int number;                 /* meeting number within its group */
    int roman;                  /* 1 when the records write it in Roman numerals */
    int year, month, day;
    const char *topics[4];      /* agenda topics, each a short phrase */
    int n_topics;
    const char *people[12];     /* full names of those present */
    int n_people;
};

/* A corpus of `n` meetings from `seed`. Free with corpus_free(). */
struct corpus *corpus_new(uint64_t seed, int n);
void corpus_free(struct corpus *c);
int corpus_count(const struct corpus *c);

/* Describe meeting i (0 <= i < n); the strings are borrowed from c. */
void corpus_meeting(const struct corpus *c, int i, struct corpus_meeting *m);

/* Append meeting i's transcript / summary report to out (not cleared). */
void corpus_transcript(const struct corpus *c, int i, struct buf *out);
void corpus_summary(const struct corpus *c, int i, struct buf *out);

/* A transcript of about `bytes` bytes for meeting i (the 1 MB record). */
void corpus_transcript_sized(const struct corpus *c, int i, size_t bytes, struct buf *out);

/* A topic phrase / a person from the corpus vocabulary, picked by k. */
const char *corpus_topic(const struct corpus *c, uint64_t k);
const char *corpus_person(const struct corpus *c, uint64_t k);

#endif
