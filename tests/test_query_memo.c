/* tests/test_query_memo.c -- what storage/query_memo.c keeps per index:
 * given back until the index is written (ingest, forget, a new person,
 * by this or another connection), never once a transaction has written; and
 * answers that read through it (decisions and actions on a topic,
 * search, who raised) follow a new record at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"
#include "../commands/commands.h"
#include "../storage/store_int.h"

static const char first[] =
    "Zebra Coordination Group Meeting #1\n14 June 2022\n\n"
    ">> ANNA BERG: Good morning everyone, we start with the crossing report.\n\n"
    ">> OTTO KLEIN: Thanks Anna. The crossing needs new paint before summer.\n\n"
    ">> ANNA BERG: We agreed that the zebra crossing report is done.\n\n"
    ">> OTTO KLEIN: Anna will send the zebra crossing measurements by Monday.\n";
static const char second[] =
    "Zebra Coordination Group Meeting #2\n15 June 2022\n\n"
    ">> ANNA BERG: Good morning everyone.\n\n"
    ">> OTTO KLEIN: We agreed that the zebra crossing gets new paint in July.\n\n"
    ">> ANNA BERG: Otto will send the zebra paint order for the zebra crossing by Friday.\n";

static int64_t ingest(struct store *st, const char *text, const char *name)
{
    return store_fixture_ingest(st, text, name, 1700000000, NULL);
}

static int kept(struct store *st, int index, const char *key)
{
    return query_memo_get(st, index, key, strlen(key)) != NULL;
}

static void test_kept_until_written(void **state)
{
    struct store *st = NULL;
    char err[256];
    int64_t m2;
    int i;

    (void)state;
    assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
    ingest(st, first, "a.txt");
    for (i = 0; i < MEMO_INDEXES; i++) {
        query_memo_put(st, i, "k", 1, "v", 1);
        assert_true(kept(st, i, "k"));
        assert_memory_equal(query_memo_get(st, i, "k", 1)->data, "v", 1);
        assert_false(kept(st, i, "other"));
    }
    /* A record with turns, a decision and an action writes all three. */
    m2 = ingest(st, second, "b.txt");
    for (i = 0; i < MEMO_INDEXES; i++) {
        assert_false(kept(st, i, "k"));
        query_memo_put(st, i, "k", 1, "v", 1);
    }
    assert_int_equal(store_meeting_forget(st, m2), 0);
    for (i = 0; i < MEMO_INDEXES; i++)
        assert_false(kept(st, i, "k"));
    /* In a transaction that has written nothing (the bot answers in one)
     * what is kept is given and kept; once it has written, nothing is. */
    query_memo_put(st, MEMO_TURNS, "k", 1, "v", 1);
    assert_int_equal(store_begin(st), 0);
    assert_true(kept(st, MEMO_TURNS, "k"));
    query_memo_put(st, MEMO_ITEMS, "c", 1, "v", 1);
    assert_true(kept(st, MEMO_ITEMS, "c"));
    assert_int_equal(sqlite3_exec(store_sqlite(st), "INSERT INTO counters(name, value)"
                                  " VALUES('test', 1)", NULL, NULL, NULL), SQLITE_OK);
    assert_false(kept(st, MEMO_TURNS, "k"));
    query_memo_put(st, MEMO_ITEMS, "t", 1, "v", 1);
    assert_int_equal(store_rollback(st), 0);
    assert_true(kept(st, MEMO_TURNS, "k"));
    assert_true(kept(st, MEMO_ITEMS, "c"));
    assert_false(kept(st, MEMO_ITEMS, "t"));
    store_close(st);
}

/* Meetings and who raised what are kept with the persons too: an action
 * assigned to someone new may change whose name a label takes. */
static void test_meetings_follow_persons(void **state)
{
    static const char *const owners[] = { "Zoe Quist" };
    struct store *st = NULL;
    char err[256];

    (void)state;
    assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
    ingest(st, second, "b.txt");
    query_memo_put(st, MEMO_MEETINGS, "k", 1, "v", 1);
    query_memo_put(st, MEMO_TURNS, "k", 1, "v", 1);
    assert_int_equal(store_action_assign(st, "A1", owners, 1, "@test:localhost", 1800000000), 0);
    assert_false(kept(st, MEMO_MEETINGS, "k"));
    assert_true(kept(st, MEMO_TURNS, "k"));     /* no turn changed */
    store_close(st);
}

static void test_other_connection(void **state)
{
    char db[64], err[256];
    struct store *a = NULL, *b = NULL;
    int i;

    (void)state;
    assert_int_equal(store_fixture_temp_db(db, sizeof(db), "memo"), 0);
    assert_int_equal(store_open(&a, db, err, sizeof(err)), 0);
    assert_int_equal(store_open(&b, db, err, sizeof(err)), 0);
    ingest(a, first, "a.txt");
    for (i = 0; i < MEMO_INDEXES; i++)
        query_memo_put(b, i, "k", 1, "v", 1);
    ingest(a, second, "b.txt");
    for (i = 0; i < MEMO_INDEXES; i++)
        assert_false(kept(b, i, "k"));
    store_close(a);
    store_close(b);
    store_fixture_remove_db(db);
}

/* Past its budget an index keeps what was given back lately (a topic
 * asked again and again) and forgets the rest. */
static void test_room_kept_for_hot(void **state)
{
    struct store *st = NULL;
    char err[256], key[32], value[1024];
    int i, cold = 0;

    (void)state;
    assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
    ingest(st, first, "a.txt");
    memset(value, 'x', sizeof(value));
    query_memo_put(st, MEMO_ITEMS, "hot", 3, "HOT", 3);
    for (i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "cold %d", i);
        query_memo_put(st, MEMO_ITEMS, key, strlen(key), value, sizeof(value));
        assert_true(kept(st, MEMO_ITEMS, "hot"));
    }
    assert_memory_equal(query_memo_get(st, MEMO_ITEMS, "hot", 3)->data, "HOT", 3);
    for (i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "cold %d", i);
        cold += kept(st, MEMO_ITEMS, key);
    }
    assert_true(cold > 0 && cold < 200);        /* within 128 KB */
    assert_true(kept(st, MEMO_ITEMS, "cold 1999"));
    store_close(st);
}

/* Within one question another connection's commit shows from the next
 * question on; this connection's own writes at once. */
static void test_question_window(void **state)
{
    char db[64], err[256];
    struct store *a = NULL, *b = NULL;
    int64_t m2;

    (void)state;
    assert_int_equal(store_fixture_temp_db(db, sizeof(db), "memo"), 0);
    assert_int_equal(store_open(&a, db, err, sizeof(err)), 0);
    assert_int_equal(store_open(&b, db, err, sizeof(err)), 0);
    ingest(a, first, "a.txt");
    store_question_begin(b);
    query_memo_put(b, MEMO_TURNS, "k", 1, "v", 1);
    m2 = ingest(a, second, "b.txt");
    assert_true(kept(b, MEMO_TURNS, "k"));
    store_question_end(b);
    store_question_begin(b);
    assert_false(kept(b, MEMO_TURNS, "k"));
    query_memo_put(b, MEMO_TURNS, "k", 1, "v", 1);
    assert_true(kept(b, MEMO_TURNS, "k"));
    assert_int_equal(store_meeting_forget(b, m2), 0);
    assert_false(kept(b, MEMO_TURNS, "k"));
    store_question_end(b);
    store_close(a);
    store_close(b);
    store_fixture_remove_db(db);
}

static char *answer(struct store *st, const char *q)
{
    struct cmd_ctx ctx;
    struct cmd_reply r;
    char *text;

    memset(&ctx, 0, sizeof(ctx));
    ctx.st = st;
    ctx.user = "@test:localhost";
    ctx.room = "!test:localhost";
    ctx.now = 1800000000;
    cmd_reply_init(&r);
    assert_int_equal(commands_answer(&ctx, q, &r), 0);
    text = xstrdup(r.text.data);
    cmd_reply_release(&r);
    return text;
}

/* The same questions before and after a record that adds to their
 * answers: what the first answers kept (the words of the vocabularies,
 * the rows of the indexes, the best turns) must not hide the new record. */
static void test_answers_follow_ingest(void **state)
{
    static const char *const qs[] = {
        "what was decided about the zebra crossing?",
        "search zebra paint",
        "who raised the zebra paint?",
    };
    struct store *st = NULL;
    char err[256];
    size_t i;

    (void)state;
    assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
    ingest(st, first, "a.txt");
    for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        char *a = answer(st, qs[i]);

        assert_null(strstr(a, "July"));
        free(a);
    }
    ingest(st, second, "b.txt");
    for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        char *a = answer(st, qs[i]);

        if (!strstr(a, i == 0 ? "new paint in July" : i == 1 ? "zebra paint" : "#2"))
            fail_msg("'%s' after the second record: %s", qs[i], a);
        free(a);
    }
    {
        char *a = answer(st, "what was decided about the zebra crossing?");

        /* Both records' decisions and actions on the topic. */
        if (!strstr(a, "report is done") || !strstr(a, "A1") || !strstr(a, "A2"))
            fail_msg("decisions after the second record: %s", a);
        free(a);
    }
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept_until_written),
        cmocka_unit_test(test_meetings_follow_persons),
        cmocka_unit_test(test_other_connection),
        cmocka_unit_test(test_question_window),
        cmocka_unit_test(test_room_kept_for_hot),
        cmocka_unit_test(test_answers_follow_ingest),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
