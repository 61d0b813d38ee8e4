/* tests/test_actions.c -- a person's page of actions (store_actions_page),
 * read off the done-ness and sort key each owner row carries (schema
 * version 7): it must follow every close, reopen, reassignment, new
 * action, meeting date and removed meeting, and an upgrade from version 6
 * must fill it. Each page is checked against store_actions(), which reads
 * the actions and meetings themselves; so are the counts by owner
 * (store_actions_by_owner()). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "fixture_records.h"
#include "store_fixture.h"
#include "../storage/store.h"

static struct store *loaded(const char *path)
{
    struct store *st = NULL;
    char err[256] = "";
    struct record *v[3] = { fx_transcript5(), fx_summary5(), fx_transcript6() };
    int i;

    assert_int_equal(store_open(&st, path, err, sizeof(err)), 0);
    for (i = 0; i < 3; i++) {
        assert_int_equal(store_add_record(st, v[i], "fixture.txt", NULL, 1700000000, NULL,
                                          err, sizeof(err)), 0);
        record_free(v[i]);
    }
    return st;
}

static int64_t person(struct store *st, const char *name)
{
    int64_t pid = 0;

    assert_int_equal(store_person_find(st, name, &pid, NULL), 0);
    return pid;
}

static int64_t meeting(struct store *st, const char *spec)
{
    int64_t id = 0;

    assert_int_equal(store_meeting_find(st, spec, &id), 0);
    return id;
}

static void sql(struct store *st, const char *text)
{
    char *msg = NULL;

    if (sqlite3_exec(store_sqlite(st), text, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", text, msg);
}

/* The page of `name`'s actions of `status`, as "total: A1 A2 ...", after
 * checking it against store_actions() at two page sizes. */
static void page(struct store *st, const char *name, int status, char *out, size_t outlen)
{
    static const int limits[] = { 2, 25 };
    struct store_action_filter f = { status, 0, person(st, name), NULL, 0, NULL, 0 };
    struct store_action *all = NULL, *v = NULL;
    int n_all = 0, n = 0, total = -1, i, k;
    size_t len;

    assert_int_equal(store_actions(st, &f, &all, &n_all), 0);
    for (k = 0; k < 2; k++) {
        f.limit = limits[k];
        assert_int_equal(store_actions_page(st, &f, &v, &n, &total), 0);
        assert_int_equal(total, n_all);
        assert_int_equal(n, n_all < f.limit ? n_all : f.limit);
        for (i = 0; i < n; i++) {
            assert_string_equal(v[i].code, all[i].code);
            assert_int_equal(v[i].done, all[i].done);
            assert_int_equal(v[i].n_owners, all[i].n_owners);
        }
        store_actions_free(v, n);
    }
    len = (size_t)snprintf(out, outlen, "%d:", n_all);
    for (i = 0; i < n_all && len < outlen; i++)
        len += (size_t)snprintf(out + len, outlen - len, " %s", all[i].code);
    store_actions_free(all, n_all);
}

static void expect(struct store *st, const char *name, int status, const char *want)
{
    char got[256];

    page(st, name, status, got, sizeof(got));
    assert_string_equal(got, want);
}

/* Close, reopen, reassign, add: the page follows each. Meeting #6
 * (undated, posted later) is newer than #5. */
static void test_page_follows_changes(void **state)
{
    struct store *st = loaded(":memory:");
    const char *lee[] = { "Lee Park" }, *tom[] = { "Tom Quist" };
    const char *both[] = { "Lee Park", "Tom" }, *twice[] = { "Tom Quist", "Tom" };
    char code[16];

    (void)state;
    /* As ingested: Anna's one action came done from the record. */
    expect(st, "Anna Berg", STORE_ACT_OPEN, "0:");
    expect(st, "Anna Berg", STORE_ACT_DONE, "1: A3");
    assert_int_equal(store_action_add(st, meeting(st, "#5"), lee, 1, "Measure the river", "@lee:x",
                                      1700000100, code), 0);
    assert_string_equal(code, "A6");
    assert_int_equal(store_action_add(st, meeting(st, "#6"), lee, 1, "Count the swans", "@lee:x",
                                      1700000200, code), 0);
    assert_int_equal(store_action_add(st, 0, lee, 1, "Paint the bench", "@lee:x",
                                      1700000300, code), 0);
    assert_string_equal(code, "A8");
    expect(st, "Lee Park", STORE_ACT_OPEN, "4: A7 A8 A2 A6");
    expect(st, "Lee Park", STORE_ACT_DONE, "0:");
    /* A new action is in the actions' full-text index, as ingested ones. */
    assert_int_equal(sqlite3_exec(store_sqlite(st), "INSERT INTO actions_fts(actions_fts, rank)"
                                  " VALUES('integrity-check', 1);", NULL, NULL, NULL), SQLITE_OK);

    /* Closed: gone from the open ones, among the done ones. */
    assert_int_equal(store_action_set_done(st, "A7", 1, "@lee:x", 1700000400), 0);
    expect(st, "Lee Park", STORE_ACT_OPEN, "3: A8 A2 A6");
    expect(st, "Lee Park", STORE_ACT_DONE, "1: A7");
    expect(st, "Lee Park", STORE_ACT_ALL, "4: A7 A8 A2 A6");
    /* Reopened: back in its place. */
    assert_int_equal(store_action_set_done(st, "A7", 0, "@lee:x", 1700000500), 0);
    expect(st, "Lee Park", STORE_ACT_OPEN, "4: A7 A8 A2 A6");
    expect(st, "Lee Park", STORE_ACT_DONE, "0:");

    /* Reassigned: it moves from one person's page to the other's. */
    expect(st, "Tom Quist", STORE_ACT_OPEN, "1: A1");
    assert_int_equal(store_action_assign(st, "A2", tom, 1, "@anna:x", 1700000600), 0);
    expect(st, "Lee Park", STORE_ACT_OPEN, "3: A7 A8 A6");
    expect(st, "Tom Quist", STORE_ACT_OPEN, "2: A1 A2");
    /* Two owners: on both pages; a done one on neither open page. */
    assert_int_equal(store_action_assign(st, "A8", both, 2, "@anna:x", 1700000700), 0);
    assert_int_equal(store_action_set_done(st, "A1", 1, "@tom:x", 1700000800), 0);
    expect(st, "Lee Park", STORE_ACT_OPEN, "3: A7 A8 A6");
    expect(st, "Tom Quist", STORE_ACT_OPEN, "2: A8 A2");
    expect(st, "Tom Quist", STORE_ACT_DONE, "1: A1");
    /* The same person named twice for one action counts once. */
    assert_int_equal(store_action_assign(st, "A6", twice, 2, "@anna:x", 1700000900), 0);
    assert_int_equal(store_action_set_done(st, "A2", 1, "@tom:x", 1700001000), 0);
    expect(st, "Tom Quist", STORE_ACT_OPEN, "2: A8 A6");
    expect(st, "Tom Quist", STORE_ACT_ALL, "4: A8 A1 A2 A6");
    expect(st, "Lee Park", STORE_ACT_OPEN, "2: A7 A8");
    store_close(st);
}

/* A meeting's date filled in, an action moved, a meeting deleted under
 * its actions or forgotten with them: the order follows. */
static void test_page_follows_meetings(void **state)
{
    struct store *st = loaded(":memory:");
    const char *lee[] = { "Lee Park" };
    char code[16], buf[160];
    int64_t m5 = meeting(st, "#5"), m6 = meeting(st, "#6");

    (void)state;
    assert_int_equal(store_action_add(st, m6, lee, 1, "Count the swans", "@lee:x", 1700000100,
                                      code), 0);
    assert_string_equal(code, "A6");
    expect(st, "Lee Park", STORE_ACT_OPEN, "2: A6 A2");
    /* #6 learns its date: before #5's. */
    snprintf(buf, sizeof(buf), "UPDATE meetings SET date = '2022-12-01' WHERE id = %lld",
             (long long)m6);
    sql(st, buf);
    expect(st, "Lee Park", STORE_ACT_OPEN, "2: A2 A6");
    /* A2 moves to #6 (before A6 there, by code), then A6 to #5: they swap. */
    snprintf(buf, sizeof(buf), "UPDATE actions SET meeting_id = %lld WHERE code = 'A2'",
             (long long)m6);
    sql(st, buf);
    expect(st, "Lee Park", STORE_ACT_OPEN, "2: A2 A6");
    snprintf(buf, sizeof(buf), "UPDATE actions SET meeting_id = %lld WHERE code = 'A6'",
             (long long)m5);
    sql(st, buf);
    expect(st, "Lee Park", STORE_ACT_OPEN, "2: A6 A2");
    /* Its meeting deleted under it: of no meeting, last. */
    snprintf(buf, sizeof(buf), "DELETE FROM meetings WHERE id = %lld", (long long)m5);
    sql(st, buf);
    expect(st, "Lee Park", STORE_ACT_OPEN, "2: A2 A6");
    assert_int_equal(store_action_add(st, m6, lee, 1, "Feed the swans", "@lee:x", 1700000200,
                                      code), 0);
    expect(st, "Lee Park", STORE_ACT_OPEN, "3: A2 A7 A6");
    /* Forgotten with its actions: gone. */
    assert_int_equal(store_meeting_forget(st, m6), 0);
    expect(st, "Lee Park", STORE_ACT_OPEN, "1: A6");
    /* No meeting left: a new action has none either. */
    assert_int_equal(store_action_add(st, 0, lee, 1, "Mend the gate", "@lee:x", 1700000300,
                                      code), 0);
    expect(st, "Lee Park", STORE_ACT_OPEN, "2: A6 A8");
    store_close(st);
}

/* The summary of undated meeting #6 arrives with its date, older than
 * #5's: the meeting's actions, added and ingested, move after #5's. */
static void test_page_follows_ingest(void **state)
{
    struct store *st = loaded(":memory:");
    const char *lee[] = { "Lee Park" };
    struct record *r = fx_new(RECORD_SUMMARY, "summary-6", "Riverside Committee", "6", 6,
                              "2022-12-01", "Meeting #6 | 1 December 2022");
    char err[256] = "", code[16];

    (void)state;
    fx_action(r, "Lee Park", NULL, "Check the lamps", NULL, 0, 0);
    assert_int_equal(store_action_add(st, meeting(st, "#6"), lee, 1, "Count the swans", "@lee:x",
                                      1700000100, code), 0);
    assert_string_equal(code, "A6");
    expect(st, "Lee Park", STORE_ACT_OPEN, "2: A6 A2");
    assert_int_equal(store_add_record(st, r, "summary6.txt", NULL, 1700000200, NULL, err,
                                      sizeof(err)), 0);
    record_free(r);
    expect(st, "Lee Park", STORE_ACT_OPEN, "3: A2 A6 A7");
    store_close(st);
}

/* A store that version 6 of the schema left, with actions closed and
 * reassigned since: the upgrade fills every owner row. */
static void test_upgrade_from_v6(void **state)
{
    struct store *st;
    const char *tom[] = { "Tom Quist" }, *lee[] = { "Lee Park" };
    char err[256] = "", db[64], code[16];
    sqlite3_stmt *s;

    (void)state;
    assert_int_equal(store_fixture_temp_db(db, sizeof(db), "actions"), 0);
    st = loaded(db);
    assert_int_equal(store_action_add(st, 0, lee, 1, "Count the swans", "@lee:x", 1700000100,
                                      code), 0);
    assert_int_equal(store_action_assign(st, "A1", tom, 1, "@anna:x", 1700000200), 0);
    /* Back to version 6: no owner columns, its indexes and version 1's. */
    sql(st, "DROP TRIGGER action_owners_status; DROP TRIGGER action_owners_meeting;"
            "DROP TRIGGER action_owners_day; DROP INDEX action_owners_page;"
            "DROP INDEX action_owners_shared; DROP INDEX action_owners_action_seq;"
            "ALTER TABLE action_owners DROP COLUMN done;"
            "ALTER TABLE action_owners DROP COLUMN day;"
            "ALTER TABLE action_owners DROP COLUMN mid;"
            "CREATE INDEX action_owners_action ON action_owners(action_id);"
            "CREATE INDEX action_owners_person ON action_owners(person_id);"
            "CREATE INDEX action_owners_person_action ON action_owners(person_id, action_id);"
            "CREATE INDEX actions_done ON actions(id) WHERE status = 'done';"
            "CREATE INDEX actions_state ON actions(id, status, meeting_id);"
            "PRAGMA user_version = 6;");
    /* What version 6 did next: an action closed, one moved to Lee. */
    sql(st, "UPDATE actions SET status = 'done', status_by = 'x', status_at = 1 WHERE code = 'A2';"
            "INSERT INTO action_owners(action_id, seq, name, person_id)"
            " SELECT a.id, 0, 'Lee Park', p.id FROM actions a, persons p"
            " WHERE a.code = 'A5' AND p.name = 'Lee Park';");
    store_close(st);

    assert_int_equal(store_open(&st, db, err, sizeof(err)), 0);
    assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), "PRAGMA user_version", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 11);
    sqlite3_finalize(s);
    expect(st, "Lee Park", STORE_ACT_OPEN, "2: A5 A6");
    expect(st, "Lee Park", STORE_ACT_DONE, "1: A2");
    expect(st, "Tom Quist", STORE_ACT_OPEN, "1: A1");
    expect(st, "Anna Berg", STORE_ACT_ALL, "1: A3");
    /* And the triggers work on the upgraded store. */
    assert_int_equal(store_action_set_done(st, "A6", 1, "@lee:x", 1700000300), 0);
    expect(st, "Lee Park", STORE_ACT_OPEN, "1: A5");
    store_close(st);
    store_fixture_remove_db(db);
}

/* store_actions_by_owner() against store_actions(), which reads every
 * action and its owners: the total, each canonical owner's count (an
 * action naming one person twice counts once) and the actions with no
 * owner, in all meetings and in one. */
static void check_tally(struct store *st, int status, int64_t meeting_id)
{
    struct store_action_filter f = { status, meeting_id, 0, NULL, 0, NULL, 0 };
    struct store_action *all = NULL;
    struct store_owner_count *v = NULL;
    int n_all = 0, n = 0, total = -1, i, k, ownerless = 0, sum = 0;

    assert_int_equal(store_actions(st, &f, &all, &n_all), 0);
    assert_int_equal(store_actions_by_owner(st, status, meeting_id, &v, &n, &total), 0);
    assert_int_equal(total, n_all);
    for (i = 0; i < n_all; i++)
        ownerless += all[i].n_owners == 0;
    for (i = 0; i < n; i++) {
        assert_true(v[i].count > 0);
        assert_true(i == 0 || v[i].count <= v[i - 1].count || !v[i].name);
        if (!v[i].name) {
            assert_int_equal(i, n - 1);
            assert_int_equal(v[i].count, ownerless);
            continue;
        }
        f.person_id = v[i].person_id;
        {
            struct store_action *mine = NULL;
            int n_mine = 0;

            assert_int_equal(store_actions(st, &f, &mine, &n_mine), 0);
            assert_int_equal(v[i].count, n_mine);
            sum += n_mine;
            store_actions_free(mine, n_mine);
        }
        f.person_id = 0;
        for (k = 0; k < i; k++)
            assert_int_not_equal(v[k].person_id, v[i].person_id);
    }
    if (!ownerless)
        assert_true(n == 0 || v[n - 1].name);
    assert_true(sum >= n_all - ownerless);
    store_owner_counts_free(v, n);
    store_actions_free(all, n_all);
}

static void check_tallies(struct store *st)
{
    static const char *const specs[] = { "#5", "#6" };
    int status, i;

    for (status = STORE_ACT_OPEN; status <= STORE_ACT_ALL; status++) {
        check_tally(st, status, 0);
        for (i = 0; i < 2; i++)
            check_tally(st, status, meeting(st, specs[i]));
    }
}

static void test_tally_by_owner(void **state)
{
    struct store *st = loaded(":memory:");
    const char *lee[] = { "Lee Park" }, *twice[] = { "Tom Quist", "Tom" };
    const char *both[] = { "Lee Park", "Anna Berg" };
    struct store_owner_count *v = NULL;
    int n = 0, total = 0;
    char code[16];

    (void)state;
    check_tallies(st);
    assert_int_equal(store_action_add(st, meeting(st, "#5"), lee, 1, "Measure the river", "@lee:x",
                                      1700000100, code), 0);
    assert_int_equal(store_action_add(st, meeting(st, "#6"), NULL, 0, "Count the swans", "@lee:x",
                                      1700000200, code), 0);
    assert_int_equal(store_action_assign(st, "A1", twice, 2, "@anna:x", 1700000300), 0);
    assert_int_equal(store_action_assign(st, "A2", both, 2, "@anna:x", 1700000400), 0);
    check_tallies(st);
    assert_int_equal(store_action_set_done(st, "A6", 1, "@lee:x", 1700000500), 0);
    assert_int_equal(store_action_set_done(st, "A1", 1, "@tom:x", 1700000600), 0);
    check_tallies(st);
    /* Tom named twice on A1 (done): one done action, not two. */
    assert_int_equal(store_actions_by_owner(st, STORE_ACT_DONE, 0, &v, &n, &total), 0);
    for (int i = 0; i < n; i++)
        if (v[i].name && !strcmp(v[i].name, "Tom Quist"))
            assert_int_equal(v[i].count, 1);
    store_owner_counts_free(v, n);
    /* The swans have no owner: last, under no name. */
    assert_int_equal(store_actions_by_owner(st, STORE_ACT_OPEN, 0, &v, &n, &total), 0);
    assert_null(v[n - 1].name);
    assert_int_equal(v[n - 1].count, 1);
    store_owner_counts_free(v, n);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_follows_changes),
        cmocka_unit_test(test_page_follows_meetings),
        cmocka_unit_test(test_page_follows_ingest),
        cmocka_unit_test(test_upgrade_from_v6),
        cmocka_unit_test(test_tally_by_owner),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
