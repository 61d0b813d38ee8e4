/* tests/test_schema.c -- the store's schema: a new store's version and
 * settings, and the upgrade of a store that version 7 left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture_records.h"
#include "store_fixture.h"
#include "../storage/store.h"

static void test_schema(void **state)
{
    struct store *st = store_fixture_open_mem();
    sqlite3_stmt *s;

    (void)state;
    assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_true(sqlite3_column_int(s, 0) >= 1);
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), "PRAGMA foreign_keys", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 1);
    sqlite3_finalize(s);
    assert_int_equal(store_meeting_count(st), 0);
    store_close(st);
    store_close(NULL);
}

/* One text from a query's rows, joined ("" when none). */
static char *sql_text(struct store *st, const char *q)
{
    sqlite3_stmt *s;
    char *out;

    assert_int_equal(sqlite3_prepare_v2(store_sqlite(st), q, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    out = strdup(sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
    sqlite3_finalize(s);
    return out;
}

/* A store that version 7 left: indexes over items and actions that keep
 * a length per row, turns indexed by person. The upgrade makes the first
 * again, with the same words for the same rows, and they go on following
 * new records; the second goes. */
static void test_upgrade_from_v7(void **state)
{
    static const char vocab[] =
        "SELECT group_concat(t, ' ') FROM (SELECT term || ':' || doc AS t FROM %s ORDER BY term)";
    struct store *st;
    char err[256] = "", db[64], q[256];
    static const char summary[] =
        "River Basin Forum\nMeeting #31 | 1 March 2025\n\nKey points raised\n\n"
        "- A way forward on the gauge archive would need to be agreed on in another meeting,"
        " where more members are present.\n";
    char *items, *actions, *now, *gauge;

    (void)state;
    assert_int_equal(store_fixture_temp_db(db, sizeof(db), "v7"), 0);
    assert_int_equal(store_open(&st, db, err, sizeof(err)), 0);
    store_fixture_add(st, fx_transcript5(), 0, NULL);
    store_fixture_add(st, fx_summary5(), 0, NULL);
    assert_int_equal(sqlite3_exec(store_sqlite(st),
        "DROP TABLE items_vocab; DROP TABLE actions_vocab;"
        "DROP TABLE items_fts; DROP TABLE actions_fts;"
        "CREATE VIRTUAL TABLE items_fts USING fts5(text, quote, content='items', content_rowid='id',"
        "  detail='none', tokenize='unicode61 remove_diacritics 0');"
        "INSERT INTO items_fts(items_fts) VALUES('rebuild');"
        "CREATE VIRTUAL TABLE actions_fts USING fts5(text, quote, content='actions',"
        "  content_rowid='id', detail='none', tokenize='unicode61 remove_diacritics 0');"
        "INSERT INTO actions_fts(actions_fts) VALUES('rebuild');"
        "CREATE VIRTUAL TABLE items_vocab USING fts5vocab(items_fts, row);"
        "CREATE VIRTUAL TABLE actions_vocab USING fts5vocab(actions_fts, row);"
        "CREATE INDEX turns_person ON turns(person_id);"
        "DROP TABLE reports;"
        "PRAGMA user_version = 7;", NULL, NULL, NULL), SQLITE_OK);
    now = sql_text(st, "SELECT count(*) FROM sqlite_master WHERE name = 'items_fts_docsize'");
    assert_string_equal(now, "1");
    free(now);
    snprintf(q, sizeof(q), vocab, "items_vocab");
    items = sql_text(st, q);
    snprintf(q, sizeof(q), vocab, "actions_vocab");
    actions = sql_text(st, q);
    assert_true(strlen(items) > 0);
    assert_true(strlen(actions) > 0);
    store_close(st);

    assert_int_equal(store_open(&st, db, err, sizeof(err)), 0);
    now = sql_text(st, "PRAGMA user_version");
    assert_string_equal(now, "11");
    free(now);
    /* Version 10 made the table of reports an older store lacks. */
    now = sql_text(st, "SELECT count(*) FROM sqlite_master WHERE name IN"
                       " ('reports', 'reports_person', 'reports_record')");
    assert_string_equal(now, "3");
    free(now);
    now = sql_text(st, "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_fts_docsize'"
                       " AND name <> 'turns_fts_docsize' OR name = 'turns_person'");
    assert_string_equal(now, "0");
    free(now);
    snprintf(q, sizeof(q), vocab, "items_vocab");
    now = sql_text(st, q);
    assert_string_equal(now, items);
    free(now);
    snprintf(q, sizeof(q), vocab, "actions_vocab");
    now = sql_text(st, q);
    assert_string_equal(now, actions);
    free(now);
    /* New rows reach both indexes, which still agree with their tables. */
    assert_int_equal(store_ingest(st, summary, strlen(summary), RECORD_MAX_BYTES_DEFAULT, NULL,
                                  NULL, 1700000000, NULL, err, sizeof(err)), 0);
    gauge = sql_text(st, "SELECT group_concat(id) FROM items WHERE text LIKE '%gauge%'");
    now = sql_text(st, "SELECT group_concat(rowid) FROM items_fts WHERE items_fts MATCH 'gauge'");
    assert_true(strlen(gauge) > 0);
    assert_string_equal(now, gauge);
    free(now);
    free(gauge);
    assert_int_equal(sqlite3_exec(store_sqlite(st),
        "INSERT INTO items_fts(items_fts, rank) VALUES('integrity-check', 1);"
        "INSERT INTO actions_fts(actions_fts, rank) VALUES('integrity-check', 1);",
        NULL, NULL, NULL), SQLITE_OK);
    free(items);
    free(actions);
    store_close(st);
    store_fixture_remove_db(db);
}

/* Records stored one at a time leave segments in the full-text indexes
 * (a question looks each word up in every one); store_tidy() merges
 * them, and the same words find the same rows afterwards. */
static void test_tidy_merges_segments(void **state)
{
    static const char *const index_state =
        "SELECT (SELECT group_concat(rowid) FROM turns_fts WHERE turns_fts MATCH 'charter')"
        " || '|' || (SELECT group_concat(rowid) FROM turns_fts WHERE turns_fts MATCH 'budget*')"
        " || '|' || (SELECT group_concat(rowid) FROM items_fts WHERE items_fts MATCH 'adopt')"
        " || '|' || (SELECT group_concat(term || ':' || doc) FROM items_vocab)";
    char db[256], err[256], *before, *after, *n;
    struct store *st;
    int i, segments;

    (void)state;
    assert_int_equal(store_fixture_temp_db(db, sizeof(db), "tidy"), 0);
    assert_int_equal(store_open(&st, db, err, sizeof(err)), 0);
    n = sql_text(st, "SELECT group_concat(v) FROM (SELECT v FROM turns_fts_config WHERE k = 'usermerge'"
                     " UNION ALL SELECT v FROM items_fts_config WHERE k = 'usermerge'"
                     " UNION ALL SELECT v FROM actions_fts_config WHERE k = 'usermerge')");
    assert_string_equal(n, "2,2,2");
    free(n);
    for (i = 0; i < 12; i++) {
        char seed[32], num[16], date[16], text[160];
        struct record *r;
        int sp;

        snprintf(seed, sizeof(seed), "tidy-%d", i);
        snprintf(num, sizeof(num), "%d", 40 + i);
        snprintf(date, sizeof(date), "2024-%02d-10", i + 1);
        r = fx_new(RECORD_TRANSCRIPT, seed, "DC", num, 40 + i, date, "Meeting");
        sp = fx_speaker(r, "Ana Lima", "ANA LIMA");
        snprintf(text, sizeof(text), "Item %d: the charter draft, and the budget for %s.", i, date);
        fx_turn(r, sp, NULL, text);
        snprintf(text, sizeof(text), "Adopt charter draft %d", i);
        fx_item(&r->decisions, &r->n_decisions, text, "Ana Lima");
        store_fixture_add(st, r, 0, NULL);
    }
    n = sql_text(st, "SELECT count(DISTINCT segid) FROM turns_fts_idx");
    segments = atoi(n);
    free(n);
    assert_true(segments >= 3);
    before = sql_text(st, index_state);

    assert_int_equal(store_tidy(st, 8, 100000), 0);
    n = sql_text(st, "SELECT count(DISTINCT segid) FROM turns_fts_idx");
    assert_true(atoi(n) < segments);
    assert_true(atoi(n) <= 2);
    free(n);
    after = sql_text(st, index_state);
    assert_string_equal(after, before);
    assert_int_equal(store_tidy_step(st, 8), 0);      /* nothing left */
    assert_int_equal(sqlite3_exec(store_sqlite(st),
        "INSERT INTO items_fts(items_fts, rank) VALUES('integrity-check', 1);",
        NULL, NULL, NULL), SQLITE_OK);
    free(before);
    free(after);
    store_close(st);
    store_fixture_remove_db(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema),
        cmocka_unit_test(test_upgrade_from_v7),
        cmocka_unit_test(test_tidy_merges_segments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
