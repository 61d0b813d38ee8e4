/* tests/test_ingest_batch.c -- store_ingest_batch(), what `scribe ingest
 * FILE...` does: records reported in order, refused and unreadable ones
 * and duplicates told apart, a group of records per transaction that
 * loses only the record the store fails on, every stored turn in the
 * full-text index, foreign keys intact, batches larger than what is
 * read ahead or stored in one group, and a batch that goes on while the
 * reading thread is held up in one record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_fixture.h"
#include "../storage/store.h"
#include "../storage/util.h"

/* store_ingest_batch(): what `scribe ingest FILE...` does. */
struct batch_case {
    const char *text;           /* NULL: read() fails */
    int want;                   /* the outcome done() must see */
};
struct batch_seen {
    const struct batch_case *cases;
    int n_done, order_ok, outcomes_ok;
    char err[256];
};

static int batch_read(void *arg, int i, struct store_batch_rec *rec, char *err, size_t errlen)
{
    const struct batch_seen *seen = arg;
    const char *t = seen->cases[i].text;

    if (!t) {
        snprintf(err, errlen, "cannot open: no such file");
        return -1;
    }
    rec->data = xstrdup(t);
    rec->len = strlen(t);
    rec->name = "batch.txt";
    rec->posted = 1700000000;
    return 0;
}

static void batch_done(void *arg, int i, struct store_batch_rec *rec, int rc,
                       const struct store_ingest_result *res, const char *err)
{
    struct batch_seen *seen = arg;

    free(rec->data);
    if (i != seen->n_done++)
        seen->order_ok = 0;
    if (rc != seen->cases[i].want || (rc < 0 && (!err || !*err)) || (rc >= 0 && !res))
        seen->outcomes_ok = 0;
    if (rc < 0 && err && !seen->err[0])
        snprintf(seen->err, sizeof(seen->err), "%s", err);
}

static void test_ingest_batch(void **state)
{
#define BATCH_T(n, day) "Garden Committee\nMeeting #" #n ", " #day " May 2023\n\n" \
    ">> ANA LIMA: Welcome all. We discuss the compost bins today.\n" \
    ">> BEN OKAFOR: I will order the bins by Friday.\n"
    static const struct batch_case cases[] = {
        { BATCH_T(1, 2), 0 },
        { "Milk\nEggs\nBread\nButter and some more things to buy today.\n", -1 },
        { BATCH_T(2, 9), 0 },
        { BATCH_T(1, 2), STORE_DUPLICATE },
        { NULL, -1 },
        { BATCH_T(3, 16), 0 },
        { BATCH_T(4, 23), 0 },
    };
#undef BATCH_T
    struct batch_seen seen = { cases, 0, 1, 1, "" };
    struct store_batch b = { batch_read, batch_done, &seen, 0, NULL };
    struct store *st = store_fixture_open_mem();
    int n = (int)(sizeof(cases) / sizeof(cases[0]));

    (void)state;
    assert_int_equal(store_ingest_batch(st, n, &b), 0);
    assert_int_equal(seen.n_done, n);
    assert_true(seen.order_ok);
    assert_true(seen.outcomes_ok);
    assert_non_null(strstr(seen.err, "no meeting record"));
    /* Four meetings, each once; the refused records left nothing. */
    assert_int_equal(store_meeting_count(st), 4);
    /* One record only (no second thread): the same outcome. */
    seen.n_done = 0;
    seen.cases = cases + 3;
    assert_int_equal(store_ingest_batch(st, 1, &b), 0);
    assert_int_equal(seen.n_done, 1);
    assert_true(seen.outcomes_ok);
    assert_int_equal(store_meeting_count(st), 4);
    store_close(st);
}

/* A record the store fails on inside a group of the batch: the group is
 * rolled back and stored again record by record, so only that record is
 * lost, and every turn stored is in the full-text index. */
static void test_ingest_batch_store_fails(void **state)
{
#define BATCH_T(n, words) "Garden Committee\nMeeting #" #n ", " #n " June 2023\n\n" \
    ">> ANA LIMA: Welcome all. We discuss the compost bins " words ".\n" \
    ">> BEN OKAFOR: I will order the bins by Friday.\n"
    static const struct batch_case cases[] = {
        { BATCH_T(1, "today"), 0 }, { BATCH_T(2, "again"), 0 },
        { BATCH_T(3, "and refuse me"), -1 }, { BATCH_T(4, "once more"), 0 },
        { BATCH_T(5, "at last"), 0 },
    };
#undef BATCH_T
    struct batch_seen seen = { cases, 0, 1, 1, "" };
    struct store_batch b = { batch_read, batch_done, &seen, 0, NULL };
    struct store *st = store_fixture_open_mem();
    sqlite3_stmt *q;

    (void)state;
    assert_int_equal(sqlite3_exec(store_sqlite(st),
                                  "CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.turns"
                                  " WHEN NEW.text LIKE '%refuse me%'"
                                  " BEGIN SELECT RAISE(ABORT, 'turn refused'); END;",
                                  NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(store_ingest_batch(st, 5, &b), 0);
    assert_int_equal(seen.n_done, 5);
    assert_true(seen.order_ok);
    assert_true(seen.outcomes_ok);
    assert_non_null(strstr(seen.err, "turn refused"));
    assert_int_equal(store_meeting_count(st), 4);
    assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), "SELECT (SELECT count(*) FROM turns_fts"
                                        " WHERE turns_fts MATCH 'compost'), (SELECT count(*)"
                                        " FROM turns WHERE text LIKE '%compost%')", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 4);
    assert_int_equal(sqlite3_column_int(q, 1), 4);
    sqlite3_finalize(q);
    /* Items and actions are in their full-text indexes, whether stored in
     * the group or again one by one: the check compares each index with
     * its table. */
    assert_int_equal(sqlite3_exec(store_sqlite(st),
                                  "INSERT INTO items_fts(items_fts, rank) VALUES('integrity-check', 1);"
                                  "INSERT INTO actions_fts(actions_fts, rank)"
                                  " VALUES('integrity-check', 1);", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), "SELECT (SELECT count(*) FROM actions_fts"
                                        " WHERE actions_fts MATCH 'bins'), (SELECT count(*)"
                                        " FROM actions)", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 4);
    assert_int_equal(sqlite3_column_int(q, 1), 4);
    sqlite3_finalize(q);
    /* Stored with foreign keys unchecked: none is broken, and they are
     * checked again afterwards. */
    assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), "PRAGMA foreign_key_check", -1, &q,
                                        NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), "PRAGMA foreign_keys", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    store_close(st);
}

/* More records than are read ahead and than fit in a group, a few of
 * them large enough that the records read ahead reach their cap in
 * bytes: every one is stored and reported, in order, once. */
static void test_ingest_batch_many(void **state)
{
    enum { SMALL = 70, LARGE = 4, N = SMALL + LARGE, LARGE_TURNS = 12000 };
    struct batch_case *cases = xcalloc(N, sizeof(*cases));
    struct batch_seen seen = { NULL, 0, 1, 1, "" };
    struct store_batch b = { batch_read, batch_done, &seen, 0, NULL };
    struct store *st = store_fixture_open_mem();
    sqlite3_stmt *q;
    int i, k;

    (void)state;
    for (i = 0; i < N; i++) {
        struct buf t;

        buf_init(&t);
        buf_printf(&t, "Garden Committee\nMeeting #%d, %d March 2024\n\n", i + 1, i % 28 + 1);
        for (k = 0; k < (i < SMALL ? 3 : LARGE_TURNS); k++)
            buf_printf(&t, ">> %s: Turn %d of meeting %d on the seed library shelves.\n",
                       k % 2 ? "ANA LIMA" : "BEN OKAFOR", k + 1, i + 1);
        cases[i].text = buf_detach(&t);
    }
    seen.cases = cases;
    assert_int_equal(store_ingest_batch(st, N, &b), 0);
    assert_int_equal(seen.n_done, N);
    assert_true(seen.order_ok);
    assert_true(seen.outcomes_ok);
    assert_int_equal(store_meeting_count(st), N);
    assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), "SELECT (SELECT count(*) FROM turns),"
                                        " (SELECT count(*) FROM turns_fts WHERE turns_fts"
                                        " MATCH 'seed library')", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), SMALL * 3 + LARGE * LARGE_TURNS);
    assert_int_equal(sqlite3_column_int(q, 1), SMALL * 3 + LARGE * LARGE_TURNS);
    sqlite3_finalize(q);
    for (i = 0; i < N; i++)
        free((char *)cases[i].text);
    free(cases);
    store_close(st);
}

/* A batch whose first record cannot be read until the second has been:
 * one thread reading in turn would wait on itself (for at most a few
 * seconds here, then fail); the calling thread reads the second record
 * while the reading thread is held up in the first. */
enum { HELD_N = 6 };
struct held_seen {
    struct batch_seen seen;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int reads[HELD_N];
    pthread_t reader[HELD_N];
    int second_came;
};

static int held_read(void *arg, int i, struct store_batch_rec *rec, char *err, size_t errlen)
{
    struct held_seen *h = arg;

    pthread_mutex_lock(&h->mu);
    h->reads[i]++;
    h->reader[i] = pthread_self();
    pthread_cond_broadcast(&h->cv);
    if (i == 0) {
        struct timespec until;

        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        while (!h->reads[1] && pthread_cond_timedwait(&h->cv, &h->mu, &until) == 0)
            ;
        h->second_came = h->reads[1] > 0;
    }
    pthread_mutex_unlock(&h->mu);
    return batch_read(&h->seen, i, rec, err, errlen);
}

static void held_done(void *arg, int i, struct store_batch_rec *rec, int rc,
                      const struct store_ingest_result *res, const char *err)
{
    struct held_seen *h = arg;

    batch_done(&h->seen, i, rec, rc, res, err);
}

static void test_ingest_batch_reader_held(void **state)
{
#define HELD_T(n) "Garden Committee\nMeeting #" #n ", 4 June 2024\n\n" \
    ">> ANA LIMA: The rain barrels are full.\n" \
    ">> BEN OKAFOR: I will fix the gate by Monday.\n"
    static const struct batch_case cases[HELD_N] = {
        { HELD_T(1), 0 }, { HELD_T(2), 0 }, { HELD_T(3), 0 },
        { HELD_T(4), 0 }, { HELD_T(5), 0 }, { HELD_T(6), 0 },
    };
#undef HELD_T
    struct held_seen h;
    struct store_batch b = { held_read, held_done, &h, 0, NULL };
    struct store *st = store_fixture_open_mem();
    int i;

    (void)state;
    memset(&h, 0, sizeof(h));
    h.seen.cases = cases;
    h.seen.order_ok = h.seen.outcomes_ok = 1;
    pthread_mutex_init(&h.mu, NULL);
    pthread_cond_init(&h.cv, NULL);
    assert_int_equal(store_ingest_batch(st, HELD_N, &b), 0);
    assert_true(h.second_came);
    assert_false(pthread_equal(h.reader[0], h.reader[1]));
    for (i = 0; i < HELD_N; i++)
        assert_int_equal(h.reads[i], 1);
    assert_int_equal(h.seen.n_done, HELD_N);
    assert_true(h.seen.order_ok);
    assert_true(h.seen.outcomes_ok);
    assert_int_equal(store_meeting_count(st), HELD_N);
    pthread_cond_destroy(&h.cv);
    pthread_mutex_destroy(&h.mu);
    store_close(st);
}

/* Distinct segments of the turns' full-text index. */
static int turn_segments(struct store *st)
{
    sqlite3_stmt *q;
    int n;

    assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), "SELECT count(DISTINCT segid)"
                                        " FROM turns_fts_idx", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return n;
}

/* A group of records, then records stored one at a time: each adds one
 * segment to the turns' index, however many statements its items,
 * actions and their owners take -- none of them makes FTS5 write out
 * what it holds pending before the commit. */
static void test_ingest_one_segment_each(void **state)
{
#define SEG_T(n, day) "Garden Committee\nMeeting #" #n ", " #day " May 2023\n\n" \
    ">> ANA LIMA: Welcome all. We discuss the compost bins and the seed library today.\n" \
    ">> BEN OKAFOR: I will order the bins by Friday. Carla will paint the shelves.\n" \
    ">> CARLA DIAS: Agreed. We decided to open the shed on Saturdays.\n"
    static const struct batch_case cases[] = {
        { SEG_T(1, 2), 0 }, { SEG_T(2, 9), 0 }, { SEG_T(3, 16), 0 },
    };
    static const char *const alone[] = { SEG_T(4, 23), SEG_T(5, 30) };
#undef SEG_T
    struct batch_seen seen = { cases, 0, 1, 1, "" };
    struct store_batch b = { batch_read, batch_done, &seen, 0, NULL };
    struct store *st = store_fixture_open_mem();
    struct store_ingest_result res;
    char err[256];
    int i;

    (void)state;
    assert_int_equal(store_ingest_batch(st, 3, &b), 0);
    assert_true(seen.outcomes_ok);
    assert_int_equal(turn_segments(st), 1);
    for (i = 0; i < 2; i++)
        assert_int_equal(store_ingest(st, alone[i], strlen(alone[i]), 0, "alone.txt", NULL,
                                      1700000000, &res, err, sizeof(err)), 0);
    assert_int_equal(store_meeting_count(st), 5);
    assert_int_equal(turn_segments(st), 3);
    assert_int_equal(sqlite3_exec(store_sqlite(st),
                                  "INSERT INTO turns_fts(turns_fts, rank) VALUES('integrity-check', 0);",
                                  NULL, NULL, NULL), SQLITE_OK);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ingest_batch),
        cmocka_unit_test(test_ingest_batch_store_fails),
        cmocka_unit_test(test_ingest_batch_many),
        cmocka_unit_test(test_ingest_batch_reader_held),
        cmocka_unit_test(test_ingest_one_segment_each),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
