/* bench/bench_ingest.c -- `bench ingest` and `bench ingest-files`:
 * scribe's ingest against the floor (the same paragraphs into one FTS5
 * table), alternating rounds, and the database size; the corpus's records
 * in memory and the small helpers bench.c shares (bench_int.h). */
#include "bench_int.h"
#include "../storage/record.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TOKENIZER "porter unicode61 remove_diacritics 2"

double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of v[0..n) (sorted in place). */
double pct(double *v, int n, double p)
{
    int k;

    if (n <= 0)
        return 0;
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    k = (int)(p / 100.0 * n + 0.999999) - 1;
    if (k < 0)
        k = 0;
    if (k >= n)
        k = n - 1;
    return v[k];
}

void unlink_db(const char *path)
{
    char p[4200];

    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

long long file_size(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

long rss_kb(void)
{
    long pages = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Meetings in the store at db, or -1. */
int count_meetings(const char *db)
{
    struct store *st;
    char err[256];
    int n;

    if (store_open(&st, db, err, sizeof(err)) < 0) {
        fprintf(stderr, "bench: %s\n", err);
        return -1;
    }
    n = store_meeting_count(st);
    store_close(st);
    return n;
}

/* Bytes of a new, empty store at db (what any store starts from), or -1. */
long long empty_store_size(const char *db)
{
    struct store *st;
    char err[256];

    unlink_db(db);
    if (store_open(&st, db, err, sizeof(err)) < 0) {
        fprintf(stderr, "bench: %s\n", err);
        return -1;
    }
    sqlite3_exec(store_sqlite(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    store_close(st);
    return file_size(db);
}

/* ---- the corpus in memory -------------------------------------------- */

/* Records of meetings [from, to): each transcript, then its summary. */
struct rec *make_records(const struct corpus *c, int from, int to, size_t *bytes)
{
    struct rec *v = xcalloc((size_t)(to - from) * 2 + 1, sizeof(*v));
    int i;

    *bytes = 0;
    for (i = from; i < to; i++) {
        struct rec *t = &v[(i - from) * 2], *s = t + 1;

        buf_init(&t->text);
        buf_init(&s->text);
        corpus_transcript(c, i, &t->text);
        corpus_summary(c, i, &s->text);
        snprintf(t->name, sizeof(t->name), "m%05d-transcript.txt", i);
        snprintf(s->name, sizeof(s->name), "m%05d-summary.txt", i);
        *bytes += t->text.len + s->text.len;
    }
    return v;
}

void free_records(struct rec *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        buf_release(&v[i].text);
    free(v);
}

/* One run of ingest_all(): the records, and what came of them. */
struct ingest_run {
    struct rec *v;
    struct tally *t;
    int failed;
};

/* store_batch read(): the record's bytes as they are in memory. */
static int ingest_read(void *arg, int i, struct store_batch_rec *rec, char *err, size_t errlen)
{
    struct ingest_run *run = arg;

    (void)err;
    (void)errlen;
    rec->data = run->v[i].text.data;
    rec->len = run->v[i].text.len;
    rec->name = run->v[i].name;
    rec->posted = 1700000000 + i;
    return 0;
}

/* store_batch done(): counted into the tally, or the run fails. */
static void ingest_done(void *arg, int i, struct store_batch_rec *rec, int rc,
                        const struct store_ingest_result *res, const char *err)
{
    struct ingest_run *run = arg;
    struct tally *t = run->t;

    (void)rec;
    (void)res;
    if (rc == 0 && t) {
        t->stored++;
        t->stored_bytes += run->v[i].text.len;
    } else if (t) {
        t->rejected++;
        if (t->report)
            fprintf(stderr, "bench: '%s' not stored: %s\n", run->v[i].name,
                    rc == STORE_DUPLICATE ? "duplicate of a record already stored" : err);
    } else if (rc < 0) {
        fprintf(stderr, "bench: ingest of %s failed: %s\n", run->v[i].name, err);
        run->failed = 1;
    }
}

/* Ingest v[0..n) into st the way `scribe ingest FILE...` does
 * (store_ingest_batch(): a group of records per transaction, each read
 * while the one before is stored), or with one_thread one store_ingest() after another, as the
 * bot stores the record posted in a room. Without a tally a record the
 * store fails on fails the run (the generated corpus has none); with
 * one, refused records and duplicates are counted and the run goes on.
 * 0 or -1. */
int ingest_all(struct store *st, struct rec *v, int n, struct tally *t, int one_thread)
{
    struct ingest_run run = { v, t, 0 };
    struct store_batch b;
    int i;

    if (one_thread) {
        for (i = 0; i < n && !run.failed; i++) {
            struct store_batch_rec rec;
            struct store_ingest_result res;
            char err[256] = "";
            int rc;

            ingest_read(&run, i, &rec, err, sizeof(err));
            rc = store_ingest(st, rec.data, rec.len, 0, rec.name, NULL, rec.posted, &res,
                              err, sizeof(err));
            ingest_done(&run, i, &rec, rc, &res, err);
        }
        return run.failed ? -1 : 0;
    }
    memset(&b, 0, sizeof(b));
    b.read = ingest_read;
    b.done = ingest_done;
    b.arg = &run;
    store_ingest_batch(st, n, &b);
    return run.failed ? -1 : 0;
}

/* Read one record file whole into r. Returns 0, or -1 (with the reason
 * on stderr) for what is not given to scribe or the floor: a file that
 * is not regular, cannot be read, or is over scribe's record size cap. */
static int read_record_file(const char *path, struct rec *r)
{
    struct stat sb;
    const char *base = strrchr(path, '/');
    char chunk[65536];
    size_t got;
    FILE *f;

    if (stat(path, &sb) < 0) {
        fprintf(stderr, "bench: skipping '%s': %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        fprintf(stderr, "bench: skipping '%s': not a regular file\n", path);
        return -1;
    }
    if ((unsigned long long)sb.st_size > RECORD_MAX_BYTES_DEFAULT) {
        fprintf(stderr, "bench: skipping '%s': %lld bytes, over scribe's record size cap "
                "(%u bytes)\n", path, (long long)sb.st_size, RECORD_MAX_BYTES_DEFAULT);
        return -1;
    }
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench: skipping '%s': %s\n", path, strerror(errno));
        return -1;
    }
    buf_init(&r->text);
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_add(&r->text, chunk, got);
    if (ferror(f) || r->text.len > RECORD_MAX_BYTES_DEFAULT) {
        fprintf(stderr, "bench: skipping '%s': %s\n", path,
                ferror(f) ? "read error" : "grew over scribe's record size cap");
        fclose(f);
        buf_release(&r->text);
        return -1;
    }
    fclose(f);
    snprintf(r->name, sizeof(r->name), "%s", base ? base + 1 : path);
    return 0;
}

/* ---- ingest: scribe against the floor --------------------------------- */

/* Seconds to ingest v[0..n) into a new store at db, or -1. With a
 * tally, what was stored and rejected is counted into it. one_thread:
 * as ingest_all(). */
static double run_scribe(const char *db, struct rec *v, int n, struct tally *t, int one_thread)
{
    struct store *st;
    char err[256];
    double t0, t1;

    unlink_db(db);
    if (store_open(&st, db, err, sizeof(err)) < 0) {
        fprintf(stderr, "bench: %s\n", err);
        return -1;
    }
    t0 = now_s();
    if (ingest_all(st, v, n, t, one_thread) < 0) {
        store_close(st);
        return -1;
    }
    t1 = now_s();
    sqlite3_exec(store_sqlite(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    store_close(st);
    return t1 - t0;
}

/* The floor: the record's paragraphs (split at blank lines, nothing
 * else) into one FTS5 table with scribe's tokenizer, one prepared
 * statement, one transaction per record, the same journal settings. */
static double run_floor(const char *db, struct rec *v, int n)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *ins = NULL;
    double t0, t1 = -1;
    int i;

    unlink_db(db);
    if (sqlite3_open(db, &h) != SQLITE_OK ||
        sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                        "CREATE VIRTUAL TABLE floor USING fts5(text, tokenize='" TOKENIZER "');",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(h, "INSERT INTO floor(text) VALUES(?)", -1, &ins, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench: floor: %s\n", sqlite3_errmsg(h));
        goto out;
    }
    t0 = now_s();
    for (i = 0; i < n; i++) {
        const char *p = v[i].text.data, *end = p + v[i].text.len;

        sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
        while (p < end) {
            const char *q = strstr(p, "\n\n");

            if (!q)
                q = end;
            if (q > p) {
                sqlite3_bind_text(ins, 1, p, (int)(q - p), SQLITE_STATIC);
                if (sqlite3_step(ins) != SQLITE_DONE) {
                    fprintf(stderr, "bench: floor insert: %s\n", sqlite3_errmsg(h));
                    goto out;
                }
                sqlite3_reset(ins);
            }
            for (p = q; p < end && *p == '\n'; p++)
                ;
        }
        sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
    }
    t1 = now_s() - t0;
    sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
out:
    sqlite3_finalize(ins);
    sqlite3_close(h);
    return t1;
}

/* Alternating timed rounds of scribe and the floor on v[0..n) (`bytes`
 * in all), then one JSON object. `files` is 0 for the generated corpus
 * (`meetings` meetings), else the number of record files named, with
 * `skipped` of them not read: then "meetings" is what scribe's store
 * holds after the last round, what it stored and rejected is counted,
 * and the database ratio is per byte of what it stored. Returns 0, 1 on
 * failure, or 2 when scribe stores none of the files. */
static int ingest_rounds(const char *dir, struct rec *v, int n, size_t bytes, int rounds,
                         int meetings, int files, int skipped)
{
    double *ts = xcalloc((size_t)rounds, sizeof(double));
    double *tf = xcalloc((size_t)rounds, sizeof(double));
    double *ratio = xcalloc((size_t)rounds, sizeof(double));
    double *t1 = xcalloc((size_t)rounds, sizeof(double));
    double *tf1 = xcalloc((size_t)rounds, sizeof(double));
    double *ratio1 = xcalloc((size_t)rounds, sizeof(double));
    struct tally t = { 0, 0, 0, files > 0 };
    struct tally warm1 = { 0, 0, 0, 0 };   /* the one-thread warm-up's: counted above */
    char sdb[4096], fdb[4096], odb[4096];
    long long sbytes, fbytes, empty = 0;
    int r, result = 1;

    snprintf(sdb, sizeof(sdb), "%s/ingest-scribe.db", dir);
    snprintf(fdb, sizeof(fdb), "%s/ingest-floor.db", dir);
    snprintf(odb, sizeof(odb), "%s/ingest-one-thread.db", dir);
    /* One warm-up of each, untimed, so neither pays for cold caches; it
     * also counts what scribe stores (the same in every round). */
    if (files && (empty = empty_store_size(sdb)) < 0)
        goto out;
    if (run_scribe(sdb, v, n, files ? &t : NULL, 0) < 0 || run_floor(fdb, v, n) < 0 ||
        run_scribe(odb, v, n, files ? &warm1 : NULL, 1) < 0)
        goto out;
    if (files && t.stored == 0) {
        fprintf(stderr, "bench: none of the %d files is a record scribe stores\n", files);
        result = 2;
        goto out;
    }
    if (!files) {
        t.stored = n;
        t.stored_bytes = bytes;
    }
    t.report = 0;
    for (r = 0; r < rounds; r++) {
        /* The records refused in the warm-up are refused again: counted
         * here only so that they do not stop the run. */
        struct tally again = { 0, 0, 0, 0 };
        struct tally *tp = files ? &again : NULL;

        /* scribe and the floor only, each first every other round: no
         * third run (and the disk writes it leaves) comes before one of
         * them and not the other. */
        if (r % 2 == 0) {
            ts[r] = run_scribe(sdb, v, n, tp, 0);
            tf[r] = run_floor(fdb, v, n);
        } else {
            tf[r] = run_floor(fdb, v, n);
            ts[r] = run_scribe(sdb, v, n, tp, 0);
        }
        if (ts[r] < 0 || tf[r] < 0)
            goto out;
        ratio[r] = ts[r] / tf[r];
        fprintf(stderr, "bench: ingest round %d: scribe %.3f s, floor %.3f s, ratio %.3f\n",
                r + 1, ts[r], tf[r], ratio[r]);
    }
    /* The same records one per transaction on one thread (as the bot
     * stores a posted record), against the floor in rounds of their own;
     * into a store of their own, so the one left behind is the batch's. */
    for (r = 0; r < rounds; r++) {
        struct tally again = { 0, 0, 0, 0 };

        if (r % 2 == 0) {
            t1[r] = run_scribe(odb, v, n, files ? &again : NULL, 1);
            tf1[r] = run_floor(fdb, v, n);
        } else {
            tf1[r] = run_floor(fdb, v, n);
            t1[r] = run_scribe(odb, v, n, files ? &again : NULL, 1);
        }
        if (t1[r] < 0 || tf1[r] < 0)
            goto out;
        ratio1[r] = t1[r] / tf1[r];
        fprintf(stderr, "bench: ingest one thread round %d: scribe %.3f s, floor %.3f s, "
                "ratio %.3f\n", r + 1, t1[r], tf1[r], ratio1[r]);
    }
    unlink_db(odb);
    sbytes = file_size(sdb);
    fbytes = file_size(fdb);
    if (files)
        meetings = count_meetings(sdb);
    {
        double ms = pct(ts, rounds, 50), mf = pct(tf, rounds, 50), mr = pct(ratio, rounds, 50);
        double m1 = pct(t1, rounds, 50), mr1 = pct(ratio1, rounds, 50);

        printf("{\"meetings\":%d,\"records\":%d,\"bytes\":%zu,\"rounds\":%d,"
               "\"scribe_s\":%.4f,\"floor_s\":%.4f,\"scribe_mb_s\":%.2f,\"floor_mb_s\":%.2f,"
               "\"ratio\":%.3f,\"one_thread_s\":%.4f,\"one_thread_ratio\":%.3f,"
               "\"db_bytes\":%lld,\"floor_db_bytes\":%lld,"
               "\"db_ratio\":%.3f,\"floor_db_ratio\":%.3f",
               meetings, n, bytes, rounds, ms, mf, bytes / 1e6 / ms, bytes / 1e6 / mf, mr, m1, mr1,
               sbytes, fbytes, (double)sbytes / (double)t.stored_bytes,
               (double)fbytes / (double)bytes);
        if (files)
            printf(",\"files\":%d,\"skipped\":%d,\"stored\":%d,\"rejected\":%d,"
                   "\"stored_bytes\":%zu,\"empty_db_bytes\":%lld",
                   files, skipped, t.stored, t.rejected, t.stored_bytes, empty);
        printf("}\n");
    }
    result = 0;
out:
    free(ts);
    free(tf);
    free(ratio);
    free(t1);
    free(tf1);
    free(ratio1);
    return result;
}

int cmd_ingest(const char *dir, int meetings, int rounds)
{
    struct corpus *c = corpus_new(SEED, meetings);
    size_t bytes;
    struct rec *v = make_records(c, 0, meetings, &bytes);
    int result = ingest_rounds(dir, v, meetings * 2, bytes, rounds, meetings, 0, 0);

    free_records(v, meetings * 2);
    corpus_free(c);
    return result;
}

/* The same figures on record files given by the user, read whole in the
 * order given, in at least `rounds` rounds. Every file read goes to both
 * scribe and the floor, so both get the same bytes; "meetings" is what
 * scribe made of them. */
int cmd_ingest_files(const char *dir, int rounds, char **paths, int n_paths)
{
    struct rec *v = xcalloc((size_t)n_paths + 1, sizeof(*v));
    size_t bytes = 0;
    int n = 0, i, result;

    for (i = 0; i < n_paths; i++)
        if (read_record_file(paths[i], &v[n]) == 0)
            bytes += v[n++].text.len;
    if (n == 0) {
        fprintf(stderr, "bench: none of the %d files could be read\n", n_paths);
        free(v);
        return 2;
    }
    /* A few files take milliseconds a round: more rounds (together at
     * least 4 MB, at most 101) keep the median from being noise. */
    while (rounds < 101 && (double)rounds * (double)bytes < 4e6)
        rounds += 2;
    result = ingest_rounds(dir, v, n, bytes, rounds, 0, n_paths, n_paths - n);
    free_records(v, n);
    return result;
}
