/* tests/test_search_rank.c -- scribe_bm25 (storage/search_rank.c): the
 * same scores as FTS5's bm25(), bit for bit (with a top wanted, for the
 * best rows, the others ranked after them), and the counts of turns it
 * keeps per store forgotten when the index changes, by this connection
 * (ingest, forget) or by another one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"
#include "../storage/store_int.h"

static const char *const meeting_fmt =
    "Zebra Coordination Group Meeting #%d\n"
    "%d June 2022\n\n"
    ">> ANNA BERG: Good morning everyone, we start with the zebra crossing report.\n\n"
    ">> OTTO KLEIN: Thanks Anna. The crossing needs new paint before summer, zebra or not.\n\n"
    ">> ANNA BERG: Agreed, the budget is fine and the crossing report is done.\n\n"
    ">> OTTO KLEIN: %s\n";

static int64_t ingest(struct store *st, int number, const char *extra)
{
    char text[2048], name[32];

    snprintf(text, sizeof(text), meeting_fmt, number, number, extra);
    snprintf(name, sizeof(name), "m%d.txt", number);
    return store_fixture_ingest(st, text, name, 1700000000 + number, NULL);
}

/* The rank argument search_rank_arg() makes for expr, in a static buffer. */
static const char *rank_arg_top(struct store *st, const char *expr, int top)
{
    static char out[256];
    struct buf b;

    buf_init(&b);
    search_rank_arg(st, expr, top, &b);
    snprintf(out, sizeof(out), "%s", b.data);
    buf_release(&b);
    return out;
}

static const char *rank_arg(struct store *st, const char *expr)
{
    return rank_arg_top(st, expr, 0);
}

static void test_same_as_bm25(void **state)
{
    static const char *const exprs[] = {
        "(\"zebra\")",
        "(\"zebra\") AND (\"crossing\")",
        "(\"crossing\" OR \"cross\") OR (\"report\") OR (\"paint job\")",
        "(\"crossing report\") AND (\"report\")",
        "(\"budget\") OR (\"-\")",
    };
    struct store *st = NULL;
    char err[256];
    size_t i;
    int k, rows = 0;

    (void)state;
    assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
    for (k = 1; k <= 6; k++)
        ingest(st, k, k % 2 ? "The zebra report again, the crossing report." : "Nothing more.");
    for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        const char *arg = rank_arg(st, exprs[i]);
        char sql[512];
        sqlite3_stmt *s;

        assert_memory_equal(arg, "scribe_bm25(", 12);
        snprintf(sql, sizeof(sql), "SELECT bm25(turns_fts), scribe_bm25(turns_fts, %s"
                 " FROM turns_fts WHERE turns_fts MATCH ?1", arg + 12);
        assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
        sqlite3_bind_text(s, 1, exprs[i], -1, SQLITE_STATIC);
        while (sqlite3_step(s) == SQLITE_ROW) {
            double a = sqlite3_column_double(s, 0), b = sqlite3_column_double(s, 1);

            if (memcmp(&a, &b, sizeof(a)))
                fail_msg("%s: bm25 %.17g, scribe_bm25 %.17g", exprs[i], a, b);
            rows++;
        }
        sqlite3_finalize(s);
    }
    assert_true(rows > 20);
    store_close(st);
}

/* 1 when (ra, ia) ranks before (rb, ib): the better rank, then the lower id. */
static int ranks_before(double ra, int64_t ia, double rb, int64_t ib)
{
    return ra < rb || (ra == rb && ia < ib);
}

/* With the top wanted, the best `top` rows (newest first, as
 * store_search_newest() reads them) are those of bm25(), bit for bit,
 * and every other row ranks after them. */
static void test_top_keeps_the_best(void **state)
{
    static const char *const extras[] = {
        "Zebra.", "The zebra crossing report, the zebra report, zebra zebra.",
        "A long aside about paint and weather and the budget with no crossing at all today.",
        "Crossing report.", "zebra crossing zebra crossing zebra crossing",
        "Nothing more.", "The report on the report of the report.", "Zebra crossing.",
        "Paint the zebra crossing before the summer report, said the zebra.",
    };
    static const char *const exprs[] = {
        "(\"zebra\")",
        "(\"zebra\") AND (\"crossing\")",
        "(\"crossing\" OR \"cross\") OR (\"report\") OR (\"paint job\")",
        "(\"crossing report\") AND (\"report\")",
        "(\"zebra\") OR (\"zebra\")",
    };
    struct store *st = NULL;
    char err[256];
    size_t i, k;
    int top, pruned = 0;

    (void)state;
    assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
    for (k = 0; k < 3 * sizeof(extras) / sizeof(extras[0]); k++)
        ingest(st, (int)k + 1, extras[k % (sizeof(extras) / sizeof(extras[0]))]);
    for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
        for (top = 1; top <= 5; top++) {
            const char *arg = rank_arg_top(st, exprs[i], top);
            char sql[512];
            sqlite3_stmt *s;
            int64_t id[256];
            double exact[256], ranked[256];
            int n = 0, a, b;

            assert_memory_equal(arg, "scribe_bm25(", 12);
            snprintf(sql, sizeof(sql), "SELECT rowid, bm25(turns_fts), scribe_bm25(turns_fts, %s"
                     " FROM turns_fts WHERE turns_fts MATCH ?1 ORDER BY rowid DESC", arg + 12);
            assert_int_equal(sqlite3_prepare_v2(st->db, sql, -1, &s, NULL), SQLITE_OK);
            sqlite3_bind_text(s, 1, exprs[i], -1, SQLITE_STATIC);
            while (n < 256 && sqlite3_step(s) == SQLITE_ROW) {
                id[n] = sqlite3_column_int64(s, 0);
                exact[n] = sqlite3_column_double(s, 1);
                ranked[n] = sqlite3_column_double(s, 2);
                n++;
            }
            sqlite3_finalize(s);
            assert_true(n > 0);
            for (a = 0; a < n; a++) {
                int exact_place = 0, ranked_place = 0;

                for (b = 0; b < n; b++) {
                    exact_place += ranks_before(exact[b], id[b], exact[a], id[a]);
                    ranked_place += ranks_before(ranked[b], id[b], ranked[a], id[a]);
                }
                if (exact_place < top) {
                    if (ranked_place != exact_place || memcmp(&exact[a], &ranked[a], sizeof(double)))
                        fail_msg("%s top %d: row %lld place %d (%.17g), with top %d (%.17g)",
                                 exprs[i], top, (long long)id[a], exact_place, exact[a],
                                 ranked_place, ranked[a]);
                } else {
                    if (ranked_place < top)
                        fail_msg("%s top %d: row %lld among the best", exprs[i], top,
                                 (long long)id[a]);
                    pruned += memcmp(&exact[a], &ranked[a], sizeof(double)) != 0;
                }
            }
        }
    }
    assert_true(pruned > 0);    /* the bound was used */
    store_close(st);
}

static void test_counts_follow_this_store(void **state)
{
    struct store *st = NULL;
    char err[256];
    int64_t m2;

    (void)state;
    assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
    ingest(st, 1, "Nothing more.");
    assert_string_equal(rank_arg(st, "(\"zebra\") AND (\"paint\")"), "scribe_bm25(2, 1)");
    m2 = ingest(st, 2, "The zebra paint is dry.");
    assert_string_equal(rank_arg(st, "(\"zebra\") AND (\"paint\")"), "scribe_bm25(5, 3)");
    assert_int_equal(store_meeting_forget(st, m2), 0);
    assert_string_equal(rank_arg(st, "(\"zebra\") AND (\"paint\")"), "scribe_bm25(2, 1)");
    /* Syntax it does not read, and once the transaction has written:
     * FTS5's own. A transaction that has written nothing reads what is
     * committed, as the bot's answers do. */
    assert_string_equal(rank_arg(st, "zebra NOT paint"), "bm25()");
    assert_int_equal(store_begin(st), 0);
    assert_string_equal(rank_arg(st, "(\"zebra\")"), "scribe_bm25(2)");
    assert_int_equal(sqlite3_exec(store_sqlite(st), "INSERT INTO counters(name, value)"
                                  " VALUES('test', 1)", NULL, NULL, NULL), SQLITE_OK);
    assert_string_equal(rank_arg(st, "(\"zebra\")"), "bm25()");
    assert_int_equal(store_rollback(st), 0);
    assert_string_equal(rank_arg(st, "(\"zebra\")"), "scribe_bm25(2)");
    store_close(st);
}

static void test_counts_follow_other_connection(void **state)
{
    char db[64], err[256];
    struct store *a = NULL, *b = NULL;

    (void)state;
    assert_int_equal(store_fixture_temp_db(db, sizeof(db), "rank"), 0);
    assert_int_equal(store_open(&a, db, err, sizeof(err)), 0);
    assert_int_equal(store_open(&b, db, err, sizeof(err)), 0);
    ingest(a, 1, "Nothing more.");
    assert_string_equal(rank_arg(b, "(\"zebra\")"), "scribe_bm25(2)");
    ingest(a, 2, "Zebra, zebra.");
    assert_string_equal(rank_arg(b, "(\"zebra\")"), "scribe_bm25(5)");
    store_close(a);
    store_close(b);
    store_fixture_remove_db(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_bm25),
        cmocka_unit_test(test_top_keeps_the_best),
        cmocka_unit_test(test_counts_follow_this_store),
        cmocka_unit_test(test_counts_follow_other_connection),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
