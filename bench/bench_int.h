/* bench/bench_int.h -- what bench.c (answers, main) and bench_ingest.c
 * (ingest against the floor, the records in memory, small helpers)
 * share. Private to the benchmark. */
#ifndef SCRIBE_BENCH_INT_H
#define SCRIBE_BENCH_INT_H

#include "corpus.h"
#include "../storage/store.h"

#include <stddef.h>

#define SEED 20240601ULL

struct rec {
    struct buf text;
    char name[256];
};

/* What ingest_all() made of the records it was given. */
struct tally {
    int stored, rejected;       /* rejected: not a record, or a duplicate */
    size_t stored_bytes;
    int report;                 /* 1: say on stderr why each was rejected */
};

double now_s(void);
/* The p-th percentile (0-100) of v[0..n), which it sorts. */
double pct(double *v, int n, double p);
/* A database file and its -wal and -shm removed. */
void unlink_db(const char *path);
long long file_size(const char *path);
long rss_kb(void);
int count_meetings(const char *db);
long long empty_store_size(const char *db);
/* Records of meetings [from, to): each transcript, then its summary. */
struct rec *make_records(const struct corpus *c, int from, int to, size_t *bytes);
void free_records(struct rec *v, int n);
int ingest_all(struct store *st, struct rec *v, int n, struct tally *t, int one_thread);
/* `bench ingest` and `bench ingest-files`: one JSON object on stdout. */
int cmd_ingest(const char *dir, int meetings, int rounds);
int cmd_ingest_files(const char *dir, int rounds, char **paths, int n_paths);

#endif
