/* bench/bench.c -- scribe's in-process benchmarks, driven by bench/run.sh:
 *   bench ingest DIR MEETINGS ROUNDS      ingest vs the FTS5 floor, db size
 *   bench ingest-files DIR ROUNDS FILE... the same on record files
 *   bench answers DIR SIZES QUESTIONS N   answer latency per kind, drift
 *   bench record PATH BYTES               write one transcript of BYTES
 *   bench questions MEETINGS N            the questions it asks, one per line
 * Each prints one JSON object on stdout. Links the store and commands
 * layers directly: no process start-up is ever timed here. */
#include "bench_int.h"
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

#define BUDGET_S 15.0

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
