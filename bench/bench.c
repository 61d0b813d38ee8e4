/* bench/bench.c -- scribe's in-process benchmarks, driven by bench/run.sh:
 *   bench ingest DIR MEETINGS ROUNDS      ingest vs the FTS5 floor, db size
 *   bench ingest-files DIR ROUNDS FILE... the same on record files
 *   bench answers DIR SIZES QUESTIONS N   answer latency per kind, drift
 *   bench record PATH BYTES               write one transcript of BYTES
 *   bench questions MEETINGS N            the questions it asks, one per line
 * Each prints one JSON object on stdout. Links the store and commands
 * layers directly: no process start-up is ever timed here. */
#include "corpus.h"
#include "../commands/commands.h"
#include "../storage/record.h"
#include "../storage/store.h"

#include <errno.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SEED 20240601ULL
#define TOKENIZER "porter unicode61 remove_diacritics 2"
#define BUDGET_S 15.0

static double now_s(void)
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
static double pct(double *v, int n, double p)
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

static void unlink_db(const char *path)
{
    char p[4200];

    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

static long long file_size(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

static long rss_kb(void)
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
static int count_meetings(const char *db)
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
static long long empty_store_size(const char *db)
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

struct rec {
    struct buf text;
    char name[256];
};

/* Records of meetings [from, to): each transcript, then its summary. */
static struct rec *make_records(const struct corpus *c, int from, int to, size_t *bytes)
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

static void free_records(struct rec *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        buf_release(&v[i].text);
    free(v);
}

/* What ingest_all() made of the records it was given. */
struct tally {
    int stored, rejected;       /* rejected: not a record, or a duplicate */
    size_t stored_bytes;
    int report;                 /* 1: say on stderr why each was rejected */
};

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
 * (store_ingest_batch(): each record read while the one before is
 * stored), or with one_thread one store_ingest() after another, as the
 * bot stores the record posted in a room. Without a tally a record the
 * store fails on fails the run (the generated corpus has none); with
 * one, refused records and duplicates are counted and the run goes on.
 * 0 or -1. */
static int ingest_all(struct store *st, struct rec *v, int n, struct tally *t, int one_thread)
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
    double *ratio1 = xcalloc((size_t)rounds, sizeof(double));
    struct tally t = { 0, 0, 0, files > 0 };
    char sdb[4096], fdb[4096];
    long long sbytes, fbytes, empty = 0;
    int r, result = 1;

    snprintf(sdb, sizeof(sdb), "%s/ingest-scribe.db", dir);
    snprintf(fdb, sizeof(fdb), "%s/ingest-floor.db", dir);
    /* One warm-up of each, untimed, so neither pays for cold caches; it
     * also counts what scribe stores (the same in every round). */
    if (files && (empty = empty_store_size(sdb)) < 0)
        goto out;
    if (run_scribe(sdb, v, n, files ? &t : NULL, 0) < 0 || run_floor(fdb, v, n) < 0 ||
        run_scribe(sdb, v, n, NULL, 1) < 0)
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

        /* One thread last, so that the store left behind is the batch's. */
        if (r % 2 == 0) {
            t1[r] = run_scribe(sdb, v, n, tp, 1);
            ts[r] = run_scribe(sdb, v, n, tp, 0);
            tf[r] = run_floor(fdb, v, n);
        } else {
            tf[r] = run_floor(fdb, v, n);
            t1[r] = run_scribe(sdb, v, n, tp, 1);
            ts[r] = run_scribe(sdb, v, n, tp, 0);
        }
        if (ts[r] < 0 || tf[r] < 0 || t1[r] < 0)
            goto out;
        ratio[r] = ts[r] / tf[r];
        ratio1[r] = t1[r] / tf[r];
        fprintf(stderr, "bench: ingest round %d: scribe %.3f s (one thread %.3f s), floor %.3f s, "
                "ratio %.3f (one thread %.3f)\n", r + 1, ts[r], t1[r], tf[r], ratio[r], ratio1[r]);
    }
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
    free(ratio1);
    return result;
}

static int cmd_ingest(const char *dir, int meetings, int rounds)
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
static int cmd_ingest_files(const char *dir, int rounds, char **paths, int n_paths)
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

/* ---- answers ----------------------------------------------------------- */

enum { Q_RAISED, Q_ACTIONS, Q_RECAP, Q_DECIDED, Q_SEARCH, Q_KINDS };
static const char *const kind_names[Q_KINDS] = {
    "who_raised", "open_actions", "recap", "decisions", "search",
};

static void question(const struct corpus *c, int kind, int meetings, uint64_t k, struct buf *q)
{
    struct corpus_meeting m;
    int i = (int)(k % (uint64_t)meetings);

    corpus_meeting(c, i, &m);
    buf_reset(q);
    switch (kind) {
    case Q_RAISED:
        buf_printf(q, "who raised the %s?", m.topics[k % (uint64_t)m.n_topics]);
        break;
    case Q_ACTIONS:
        buf_printf(q, "open actions for %s", m.people[k % (uint64_t)m.n_people]);
        break;
    case Q_RECAP:
        buf_printf(q, "recap %04d-%02d-%02d", m.year, m.month, m.day);
        break;
    case Q_DECIDED:
        buf_printf(q, "what was decided about the %s?", m.topics[k % (uint64_t)m.n_topics]);
        break;
    default:
        buf_printf(q, "search %s", m.topics[(k / 7) % (uint64_t)m.n_topics]);
        break;
    }
}

static double ask(struct store *st, const char *msg, size_t *reply_len)
{
    struct cmd_ctx ctx;
    struct cmd_reply r;
    double t0, t;

    memset(&ctx, 0, sizeof(ctx));
    ctx.st = st;
    ctx.user = "@bench:localhost";
    ctx.room = "!bench:localhost";
    ctx.now = 1800000000;
    ctx.max_record_bytes = 5 << 20;
    cmd_reply_init(&r);
    t0 = now_s();
    if (commands_answer(&ctx, msg, &r) < 0)
        fprintf(stderr, "bench: answer failed: %s\n", msg);
    t = now_s() - t0;
    if (reply_len)
        *reply_len = r.text.len;
    cmd_reply_release(&r);
    return t;
}

static uint64_t splitmix(uint64_t *s);
static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Drift: memory after n more answers (all kinds in turn) on a store of
 * `meetings` meetings, once 1,000 answers have warmed it up. */
static void drift(struct store *st, const struct corpus *c, int meetings, int n,
                  uint64_t *rs, struct buf *q, struct buf *json)
{
    long before, after;
    struct mallinfo2 m0, m1;
    int k;

    if (n <= 0)
        return;
    for (k = 0; k < 1000; k++) {
        question(c, k % Q_KINDS, meetings, splitmix(rs), q);
        ask(st, q->data, NULL);
    }
    before = rss_kb();
    m0 = mallinfo2();
    for (k = 0; k < n; k++) {
        question(c, k % Q_KINDS, meetings, splitmix(rs), q);
        ask(st, q->data, NULL);
    }
    after = rss_kb();
    m1 = mallinfo2();
    buf_printf(json, ",\"drift\":{\"answers\":%d,\"meetings\":%d,\"rss_before_kb\":%ld,"
               "\"rss_after_kb\":%ld,\"rss_drift_kb\":%ld,\"heap_drift_kb\":%lld}",
               n, meetings, before, after, after - before,
               ((long long)m1.uordblks - (long long)m0.uordblks) / 1024);
}

static int cmd_answers(const char *dir, const char *sizes_arg, int questions, int drift_n)
{
    int sizes[8], n_sizes = 0, max = 0, done = 0, si, k, j;
    char db[4096], *copy = xstrdup(sizes_arg), *tok, *save = NULL;
    struct corpus *c;
    struct store *st;
    char err[256];
    struct buf q, drift_json;
    double *lat = xcalloc((size_t)questions, sizeof(double));
    double *again = xcalloc((size_t)questions, sizeof(double));
    uint64_t rs = 7;

    for (tok = strtok_r(copy, ",", &save); tok && n_sizes < 8; tok = strtok_r(NULL, ",", &save)) {
        sizes[n_sizes] = atoi(tok);
        if (sizes[n_sizes] > max)
            max = sizes[n_sizes];
        n_sizes++;
    }
    free(copy);
    c = corpus_new(SEED, max);
    snprintf(db, sizeof(db), "%s/answers.db", dir);
    /* BENCH_REUSE=1 keeps a database an earlier run left (the corpus is
     * seeded, so its first N meetings are the same): for profiling. */
    if (!getenv("BENCH_REUSE"))
        unlink_db(db);
    if (store_open(&st, db, err, sizeof(err)) < 0) {
        fprintf(stderr, "bench: %s\n", err);
        return 1;
    }
    if (getenv("BENCH_REUSE"))
        done = store_meeting_count(st);
    buf_init(&q);
    buf_init(&drift_json);
    printf("{\"sizes\":[");
    for (si = 0; si < n_sizes; si++) {
        int size = sizes[si];
        double t0 = now_s(), tidy_s;

        /* Grow the database to `size` meetings, a batch at a time. */
        while (done < size) {
            int to = done + 200 < size ? done + 200 : size;
            size_t bytes;
            struct rec *v = make_records(c, done, to, &bytes);

            if (ingest_all(st, v, (to - done) * 2, NULL, 0) < 0)
                return 1;
            free_records(v, (to - done) * 2);
            done = to;
        }
        fprintf(stderr, "bench: %d meetings stored in %.1f s\n", size, now_s() - t0);
        /* Questions are answered from the store as the bot keeps it at
         * rest: the full-text indexes merged (bot_tidy.c), then the log
         * checkpointed. How long the merging took is reported. */
        t0 = now_s();
        if (store_tidy(st, STORE_TIDY_BATCH_PAGES, STORE_TIDY_BATCH_STEPS) < 0)
            fprintf(stderr, "bench: merging the full-text indexes failed\n");
        tidy_s = now_s() - t0;
        sqlite3_exec(store_sqlite(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        printf("%s{\"meetings\":%d,\"db_bytes\":%lld,\"tidy_s\":%.3f", si ? "," : "", size,
               file_size(db), tidy_s);
        for (j = 0; j < 20; j++) {          /* warm the page cache */
            if (getenv("BENCH_ONLY") && strcmp(getenv("BENCH_ONLY"), kind_names[j % Q_KINDS]))
                continue;
            question(c, j % Q_KINDS, size, splitmix(&rs), &q);
            ask(st, q.data, NULL);
        }
        for (j = 0; j < Q_KINDS; j++) {
            size_t total = 0, len;
            double spent = 0;

            /* BENCH_ONLY=recap (say) times one kind: for profiling. */
            if (getenv("BENCH_ONLY") && strcmp(getenv("BENCH_ONLY"), kind_names[j]))
                continue;

            /* At most BUDGET_S seconds per kind and size (at least 20
             * questions), so a slow kind cannot stall the whole run. */
            /* Each question is timed as if asked for the first time (what
             * the store keeps between questions is dropped before it,
             * untimed), then once more right after: asked again. */
            for (k = 0; k < questions && (k < 20 || spent < BUDGET_S); k++) {
                question(c, j, size, splitmix(&rs), &q);
                store_forget_kept(st);
                lat[k] = ask(st, q.data, &len) * 1e3;
                again[k] = ask(st, q.data, NULL) * 1e3;
                if (getenv("BENCH_VERBOSE"))
                    fprintf(stderr, "%8.3f ms  (again %.3f)  %s\n", lat[k], again[k], q.data);
                spent += (lat[k] + again[k]) / 1e3;
                total += len;
            }
            printf(",\"%s\":{\"n\":%d,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
                   "\"again_p50_ms\":%.3f,\"again_p99_ms\":%.3f,"
                   "\"reply_bytes\":%zu}", kind_names[j], k, pct(lat, k, 50),
                   pct(lat, k, 99), pct(lat, k, 100), pct(again, k, 50), pct(again, k, 99),
                   total / (size_t)k);
        }
        printf("}");
        fflush(stdout);
        if (si == 0)
            drift(st, c, size, drift_n, &rs, &q, &drift_json);
    }
    printf("]%s}\n", drift_json.data);
    buf_release(&drift_json);
    buf_release(&q);
    free(lat);
    free(again);
    store_close(st);
    corpus_free(c);
    return 0;
}

/* ---- one big record ---------------------------------------------------- */

static int cmd_record(const char *path, size_t bytes)
{
    struct corpus *c = corpus_new(SEED, 1);
    struct buf b;
    FILE *f = fopen(path, "wb");
    int rc = 0;

    buf_init(&b);
    corpus_transcript_sized(c, 0, bytes, &b);
    if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0) {
        fprintf(stderr, "bench: cannot write '%s'\n", path);
        rc = 1;
    }
    printf("{\"path\":\"%s\",\"bytes\":%zu}\n", path, b.len);
    buf_release(&b);
    corpus_free(c);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "ingest"))
        return cmd_ingest(argv[2], atoi(argv[3]), atoi(argv[4]));
    if (argc >= 5 && !strcmp(argv[1], "ingest-files") && atoi(argv[3]) > 0)
        return cmd_ingest_files(argv[2], atoi(argv[3]), argv + 4, argc - 4);
    if (argc == 4 && !strcmp(argv[1], "questions")) {
        /* The questions the answer benchmark asks, one per line. */
        int size = atoi(argv[2]), nq = atoi(argv[3]), k;
        struct corpus *c = corpus_new(SEED, size > 0 ? size : 1);
        struct buf q;
        uint64_t rs = 11;

        buf_init(&q);
        for (k = 0; k < nq; k++) {
            question(c, k % Q_KINDS, size > 0 ? size : 1, splitmix(&rs), &q);
            printf("%s\n", q.data);
        }
        buf_release(&q);
        corpus_free(c);
        return 0;
    }
    if (argc == 6 && !strcmp(argv[1], "answers"))
        return cmd_answers(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
    if (argc == 4 && !strcmp(argv[1], "record"))
        return cmd_record(argv[2], (size_t)atol(argv[3]));
    fprintf(stderr, "usage: bench ingest DIR MEETINGS ROUNDS\n"
                    "       bench ingest-files DIR ROUNDS FILE...\n"
                    "       bench answers DIR SIZES QUESTIONS DRIFT_ANSWERS\n"
                    "       bench record PATH BYTES\n");
    return 2;
}
