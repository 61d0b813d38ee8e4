/* tests/test_botstate.c -- the bot's persisted state on an in-memory
 * store: keys, handled ids, rooms and jobs round-trip, and a rolled-back
 * batch leaves nothing behind; on a database file, the write after a rest
 * does not start the write-ahead log over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../storage/botstate.h"
#include "../storage/store.h"
#include "store_fixture.h"

static int setup(void **state)
{
    struct store *st;
    char err[256];

    if (store_open(&st, ":memory:", err, sizeof(err)) < 0)
        return -1;
    if (botstate_init(st) < 0 || botstate_init(st) < 0)     /* idempotent */
        return -1;
    *state = st;
    return 0;
}

static int teardown(void **state)
{
    store_close(*state);
    return 0;
}

static void test_kv(void **state)
{
    struct store *st = *state;
    char *v;

    assert_null(botstate_get_dup(st, "next_batch"));
    assert_int_equal(botstate_set(st, "next_batch", "s1"), 0);
    assert_int_equal(botstate_set(st, "next_batch", "s2"), 0);
    v = botstate_get_dup(st, "next_batch");
    assert_string_equal(v, "s2");
    free(v);
    assert_int_equal(botstate_set(st, "next_batch", NULL), 0);
    assert_null(botstate_get_dup(st, "next_batch"));
}

static void test_handled(void **state)
{
    struct store *st = *state;

    assert_int_equal(botstate_mark_handled(st, "$a", 1000), 1);
    assert_int_equal(botstate_mark_handled(st, "$a", 2000), 0);
    assert_int_equal(botstate_mark_handled(st, "$b", 5000), 1);
    assert_int_equal(botstate_prune_handled(st, 3000), 0);
    assert_int_equal(botstate_mark_handled(st, "$a", 6000), 1);    /* pruned, so new */
    assert_int_equal(botstate_mark_handled(st, "$b", 6000), 0);
}

static void test_rooms(void **state)
{
    struct store *st = *state;
    struct botstate_room r = { 0 }, *rs;
    size_t n;

    r.room_id = "!r:x";
    r.has_power = 1;
    r.users_default = 5;
    r.power = "@a:x\t100\n@b:x\t50\n";
    r.creators = "@a:x\n";
    r.members = 2;
    r.direct = 1;
    r.named = 1;
    assert_int_equal(botstate_room_put(st, &r), 0);
    r.members = 3;
    assert_int_equal(botstate_room_put(st, &r), 0);             /* replaced */
    assert_int_equal(botstate_rooms_load(st, &rs, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rs[0].room_id, "!r:x");
    assert_int_equal(rs[0].members, 3);
    assert_int_equal(rs[0].users_default, 5);
    assert_string_equal(rs[0].power, "@a:x\t100\n@b:x\t50\n");
    assert_int_equal(rs[0].direct, 1);
    assert_int_equal(rs[0].named, 1);
    assert_int_equal(rs[0].encrypted, 0);
    botstate_rooms_free(rs, n);
    assert_int_equal(botstate_room_delete(st, "!r:x"), 0);
    assert_int_equal(botstate_rooms_load(st, &rs, &n), 0);
    assert_int_equal(n, 0);
    botstate_rooms_free(rs, n);
}

static void test_jobs(void **state)
{
    struct store *st = *state;
    struct botstate_job j = { 0 }, k = { 0 }, *js;
    size_t n;

    j.kind = BOTSTATE_ANSWER;
    j.room_id = "!r:x";
    j.event_id = "$q";
    j.sender = "@a:x";
    j.text = "who raised the compact?";
    j.size = -1;
    j.is_admin = 1;
    j.created_ms = 1700000000123LL;
    j.outcome = -1;
    assert_int_equal(botstate_job_add(st, &j), 0);
    k = j;
    k.kind = BOTSTATE_INGEST_FILE;
    k.event_id = "$f";
    k.text = NULL;
    k.url = "mxc://x/y";
    k.filename = "a.txt";
    k.size = 1234;
    k.thread_root = "$f";
    assert_int_equal(botstate_job_add(st, &k), 0);
    assert_true(k.id > j.id);
    assert_int_equal(botstate_job_set_reply(st, j.id, "answer", "<p>answer</p>", 2), 0);

    assert_int_equal(botstate_jobs_load(st, &js, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(js[0].kind, BOTSTATE_ANSWER);
    assert_string_equal(js[0].text, "who raised the compact?");
    assert_string_equal(js[0].reply_text, "answer");
    assert_string_equal(js[0].reply_html, "<p>answer</p>");
    assert_int_equal(js[0].outcome, 2);
    assert_int_equal(js[0].is_admin, 1);
    assert_true(js[0].created_ms == 1700000000123LL);
    assert_int_equal(js[1].kind, BOTSTATE_INGEST_FILE);
    assert_null(js[1].text);
    assert_null(js[1].reply_text);
    assert_int_equal(js[1].outcome, -1);
    assert_int_equal(js[1].size, 1234);
    assert_string_equal(js[1].thread_root, "$f");
    botstate_jobs_free(js, n);

    assert_int_equal(botstate_job_delete(st, j.id), 0);
    assert_int_equal(botstate_job_delete(st, k.id), 0);
    assert_int_equal(botstate_jobs_load(st, &js, &n), 0);
    assert_int_equal(n, 0);
    botstate_jobs_free(js, n);
}

/* A batch that fails is rolled back whole: token, ids and jobs together. */
static void test_batch_rollback(void **state)
{
    struct store *st = *state;
    struct botstate_job j = { 0 }, *js;
    size_t n;
    char *v;

    assert_int_equal(botstate_set(st, "next_batch", "s1"), 0);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(botstate_mark_handled(st, "$x", 1), 1);
    j.kind = BOTSTATE_ANSWER;
    j.room_id = "!r:x";
    j.event_id = "$x";
    j.size = -1;
    j.outcome = -1;
    assert_int_equal(botstate_job_add(st, &j), 0);
    assert_int_equal(botstate_set(st, "next_batch", "s2"), 0);
    assert_int_equal(store_rollback(st), 0);

    v = botstate_get_dup(st, "next_batch");
    assert_string_equal(v, "s1");
    free(v);
    assert_int_equal(botstate_mark_handled(st, "$x", 1), 1);
    assert_int_equal(botstate_jobs_load(st, &js, &n), 0);
    assert_int_equal(n, 0);
    botstate_jobs_free(js, n);
}

/* Bytes 12-23 of the write-ahead log's header of database `db`: the
 * checkpoint sequence and the salts, which change when SQLite starts the
 * log over (and then syncs it). -1 when the log cannot be read. */
static int wal_header(const char *db, unsigned char out[12])
{
    char path[4200];
    size_t got = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s-wal", db);
    if (!(f = fopen(path, "rb")))
        return -1;
    if (fseek(f, 12, SEEK_SET) == 0)
        got = fread(out, 1, 12, f);
    fclose(f);
    return got == 12 ? 0 : -1;
}

/* At rest the log is copied back and started over then: the next write
 * (the batch holding the next question) goes on in the same log instead
 * of starting it over and syncing its header inside the reply's path. */
static void test_rest_starts_log_over(void **state)
{
    unsigned char before[12], after[12];
    char path[4096], err[256], *v;
    struct store *st;

    (void)state;
    assert_int_equal(store_fixture_temp_db(path, sizeof(path), "rest"), 0);
    assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
    assert_int_equal(botstate_init(st), 0);
    assert_int_equal(botstate_set(st, "next_batch", "s1"), 0);
    assert_int_equal(botstate_checkpoint(st), 0);
    assert_int_equal(wal_header(path, before), 0);
    assert_int_equal(botstate_set(st, "next_batch", "s2"), 0);
    assert_int_equal(wal_header(path, after), 0);
    assert_memory_equal(before, after, sizeof(before));
    /* A second rest with nothing written since does it again; the data
     * is all there after both. */
    assert_int_equal(botstate_checkpoint(st), 0);
    assert_int_equal(botstate_checkpoint(st), 0);
    v = botstate_get_dup(st, "next_batch");
    assert_string_equal(v, "s2");
    free(v);
    store_close(st);
    store_fixture_remove_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rooms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_rollback, setup, teardown),
        cmocka_unit_test(test_rest_starts_log_over),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
