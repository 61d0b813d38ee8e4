/* tests/test_store.c -- the meeting store on an in-memory database:
 * ingest and duplicates, one meeting for a transcript and its
 * summary, people resolution independent of order, search with folded
 * Unicode, hostile queries, actions and their codes, naming meetings. */
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

static struct store *loaded(void)
{
    struct store *st = store_fixture_open_mem();

    store_fixture_add(st, fx_transcript5(), 0, NULL);
    store_fixture_add(st, fx_summary5(), 0, NULL);
    store_fixture_add(st, fx_transcript6(), 0, NULL);
    return st;
}

static void test_file_mode(void **state)
{
    char db[64], err[256];
    struct store *st = NULL;
    struct stat sb;

    (void)state;
    assert_int_equal(store_fixture_temp_db(db, sizeof(db), "store"), 0);
    assert_int_equal(store_open(&st, db, err, sizeof(err)), 0);
    assert_int_equal(stat(db, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    store_close(st);
    /* Reopening keeps the data and the schema version. */
    assert_int_equal(store_open(&st, db, err, sizeof(err)), 0);
    store_close(st);
    store_fixture_remove_db(db);
}

static void test_ingest_and_duplicate(void **state)
{
    struct store *st = store_fixture_open_mem();
    struct store_ingest_result res;

    (void)state;
    store_fixture_add(st, fx_transcript5(), 0, &res);
    assert_int_equal(res.turns, 7);
    assert_int_equal(res.actions, 3);
    assert_int_equal(res.decisions, 1);
    assert_int_equal(res.new_meeting, 1);
    assert_non_null(strstr(res.meeting, "#5"));
    store_fixture_add(st, fx_transcript5(), STORE_DUPLICATE, &res);
    assert_int_equal(store_meeting_count(st), 1);
    /* The summary of the same meeting joins it. */
    store_fixture_add(st, fx_summary5(), 0, &res);
    assert_int_equal(res.new_meeting, 0);
    assert_int_equal(store_meeting_count(st), 1);
    store_close(st);
}

static void test_same_meeting_by_date(void **state)
{
    struct store *st = store_fixture_open_mem();
    struct store_ingest_result a, b;
    struct record *r = fx_summary5();

    (void)state;
    store_fixture_add(st, fx_transcript5(), 0, &a);
    /* A summary that names no number still joins by group and date. */
    free(r->number);
    r->number = NULL;
    r->number_value = -1;
    store_fixture_add(st, r, 0, &b);
    assert_int_equal(a.meeting_id, b.meeting_id);
    store_close(st);
}

static void check_tom(struct store *st)
{
    struct store_speaker *v = NULL;
    int n = 0, i, found = 0;
    int64_t id;
    char *name = NULL;

    assert_int_equal(store_meeting_find(st, "#5", &id), 0);
    assert_int_equal(store_meeting_speakers(st, id, &v, &n), 0);
    for (i = 0; i < n; i++)
        if (!strcmp(v[i].name, "Tom Quist")) {
            found = 1;
            assert_int_equal(v[i].turns, 2);
            assert_string_equal(v[i].labels[0], "Tom");
        }
    assert_true(found);
    store_speakers_free(v, n);
    assert_int_equal(store_person_find(st, "tom", &id, &name), 0);
    assert_string_equal(name, "Tom Quist");
    free(name);
}

static void test_people_resolution_any_order(void **state)
{
    struct store *st = store_fixture_open_mem();

    (void)state;
    store_fixture_add(st, fx_transcript5(), 0, NULL);
    store_fixture_add(st, fx_summary5(), 0, NULL);
    check_tom(st);
    store_close(st);

    st = store_fixture_open_mem();
    store_fixture_add(st, fx_summary5(), 0, NULL);
    store_fixture_add(st, fx_transcript5(), 0, NULL);
    check_tom(st);
    store_close(st);
}

static void test_participants_and_apologies(void **state)
{
    struct store *st = loaded();
    struct store_participant *p = NULL;
    char **apo = NULL;
    int np = 0, na = 0;
    int64_t id;

    (void)state;
    assert_int_equal(store_meeting_find(st, "5", &id), 0);
    assert_int_equal(store_meeting_participants(st, id, &p, &np), 0);
    assert_int_equal(np, 3);       /* Anna, Tom Quist, Lee: speakers merged into the list */
    assert_string_equal(p[0].name, "Anna Berg");
    assert_string_equal(p[0].role, "chair");
    store_participants_free(p, np);
    assert_int_equal(store_meeting_apologies(st, id, &apo, &na), 0);
    assert_int_equal(na, 1);       /* "Kim" is "Kim Olsen" */
    assert_string_equal(apo[0], "Kim Olsen");
    store_strings_free(apo, na);
    store_close(st);
}

static void test_search_folding(void **state)
{
    struct store *st = loaded();
    struct store_hit *h = NULL;
    int n = 0;

    (void)state;
    /* U+2011 in the record, '-' in the query; U+00A0 likewise. */
    assert_int_equal(store_search(st, "long-term plan for", 0, 0, 5, &h, &n), 0);
    assert_int_equal(n, 1);
    assert_non_null(strstr(h[0].text, "long\xe2\x80\x91term plan\xc2\xa0" "for"));
    assert_string_equal(h[0].speaker, "Lee Park");
    store_hits_free(h, n);
    /* Stemming: "gardens" finds "garden". */
    assert_int_equal(store_search(st, "gardens", 0, 0, 10, &h, &n), 0);
    assert_true(n >= 3);
    store_hits_free(h, n);
    store_close(st);
}

static void test_hostile_queries(void **state)
{
    static const char *const queries[] = {
        "\"", "\"\"\"", "*", "garden*", "AND", "OR NEAR", "NOT garden", "a AND b OR c",
        "NEAR(garden river, 2)", "'); DROP TABLE meetings; --", "text:garden", "^garden",
        "(garden", "garden)", "-garden", "{garden}", "", "   ", "\xff\xfe", "über Straße",
    };
    struct store *st = loaded();
    struct store_hit *h = NULL;
    struct store_raised *r = NULL;
    char big[3001];
    size_t i;
    int n = 0;

    (void)state;
    for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        struct store_topic *t = store_topic_new(st, queries[i]);

        assert_int_equal(store_search(st, queries[i], 0, 0, 5, &h, &n), 0);
        store_hits_free(h, n);
        assert_int_equal(store_raised(st, t, 0, &r, &n), 0);
        store_raised_free(r, n);
        store_topic_free(t);
    }
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    for (i = 0; i < sizeof(big) - 1; i += 7)
        big[i] = ' ';
    assert_int_equal(store_search(st, big, 0, 0, 5, &h, &n), 0);
    store_hits_free(h, n);
    assert_int_equal(store_meeting_count(st), 2);
    store_close(st);
}

static void test_raised_ranking(void **state)
{
    struct store *st = loaded();
    struct store_topic *t = store_topic_new(st, "the community garden");
    struct store_raised *r = NULL;
    int n = 0;

    (void)state;
    assert_string_equal(store_topic_words(t), "community garden");
    assert_int_equal(store_raised(st, t, 0, &r, &n), 0);
    assert_int_equal(n, 1);
    /* Anna's first turn says "garden" only; Tom's carries the phrase. */
    assert_true(r[0].has_first);
    assert_string_equal(r[0].first.speaker, "Tom Quist");
    assert_int_equal(r[0].first_mentions, 2);
    assert_true(r[0].has_summary);
    assert_true(r[0].n_others >= 1);
    store_raised_free(r, n);
    store_topic_free(t);

    /* The glossary: "EGM" finds the expansion and back. */
    t = store_topic_new(st, "EGM");
    assert_int_equal(store_raised(st, t, 0, &r, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(r[0].first.speaker, "Lee Park");
    store_raised_free(r, n);
    store_topic_free(t);

    /* Nothing on an unknown topic, or on a common word with an unknown one. */
    t = store_topic_new(st, "budget committee");
    assert_int_equal(store_raised(st, t, 0, &r, &n), 0);
    assert_int_equal(n, 0);
    store_raised_free(r, n);
    store_topic_free(t);
    store_close(st);
}

static void test_excerpt(void **state)
{
    struct store *st = store_fixture_open_mem();
    struct store_topic *t = store_topic_new(st, "footbridge");
    const char *text = "One two three four five six seven eight nine ten. The footbridge repair "
                       "is late again and the council has no date. Eleven twelve thirteen.";
    int cs = -1, ce = -1;
    char *x = store_excerpt_dup(text, t, 60, &cs, &ce);

    (void)state;
    assert_non_null(strstr(text, x));           /* an exact substring */
    assert_non_null(strstr(x, "footbridge"));
    assert_true(strlen(x) <= 60);
    assert_int_equal(cs, 1);
    free(x);
    x = store_excerpt_dup("short", t, 60, &cs, &ce);
    assert_string_equal(x, "short");
    assert_int_equal(cs, 0);
    assert_int_equal(ce, 0);
    free(x);
    store_topic_free(t);
    store_close(st);
}

static void test_actions_lifecycle(void **state)
{
    struct store *st = loaded();
    struct store_action_filter f = { STORE_ACT_OPEN, 0, 0, NULL, 0, NULL, 0 };
    struct store_action *v = NULL, a;
    struct store_history *h = NULL;
    const char *owners[] = { "Lee Park" };
    char code[16];
    int n = 0, nh = 0;
    int64_t id, pid;

    (void)state;
    assert_int_equal(store_actions(st, &f, &v, &n), 0);
    assert_int_equal(n, 4);            /* 5 actions, "Book the hall" done */
    store_actions_free(v, n);
    /* Owners resolve: "Tom" is Tom Quist. */
    assert_int_equal(store_person_find(st, "Tom Quist", &pid, NULL), 0);
    f.person_id = pid;
    assert_int_equal(store_actions(st, &f, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].owners[0], "Tom Quist");
    assert_string_equal(v[0].code, "A1");
    store_actions_free(v, n);
    /* DC filter: the concerns_dcs / "DCs"-owned one. */
    f.person_id = 0;
    f.dcs = 1;
    assert_int_equal(store_actions(st, &f, &v, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].owners[0], "DCs");
    store_actions_free(v, n);

    assert_int_equal(store_action_set_done(st, "a1", 1, "@tom:example.org", 1700000100), 0);
    assert_int_equal(store_action_get(st, "A1", &a), 0);
    assert_true(a.done);
    assert_string_equal(a.status_by, "@tom:example.org");
    store_action_release(&a);
    assert_int_equal(store_action_set_done(st, "A99", 1, "x", 1), STORE_NOTFOUND);
    assert_int_equal(store_action_assign(st, "A2", owners, 1, "@anna:example.org", 1700000200), 0);
    assert_int_equal(store_action_history(st, "A2", &h, &nh), 0);
    assert_int_equal(nh, 2);
    assert_string_equal(h[1].what, "assigned");
    store_history_free(h, nh);

    /* Forgetting a meeting never frees its codes for reuse. */
    assert_int_equal(store_meeting_find(st, "#6", &id), 0);
    assert_int_equal(store_meeting_forget(st, id), 0);
    assert_int_equal(store_action_get(st, "A5", &a), STORE_NOTFOUND);
    assert_int_equal(store_action_add(st, 0, owners, 1, "Measure the river", "@lee:example.org",
                                      1700000300, code), 0);
    assert_string_equal(code, "A6");
    /* Transactions nest: an action added inside an outer transaction that
     * is rolled back is gone; committed inside one that commits, it stays. */
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_action_add(st, 0, owners, 1, "Undone soon", "@lee:example.org",
                                      1700000400, code), 0);
    assert_int_equal(store_rollback(st), 0);
    assert_int_equal(store_action_get(st, code, &a), STORE_NOTFOUND);
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_action_add(st, 0, owners, 1, "Kept", "@lee:example.org",
                                      1700000400, code), 0);
    assert_int_equal(store_commit(st), 0);
    assert_int_equal(store_action_get(st, code, &a), 0);
    assert_string_equal(a.text, "Kept");
    store_action_release(&a);
    /* The forgotten meeting's turns left the index too. */
    {
        struct store_hit *hh = NULL;
        int nn = 0;

        assert_int_equal(store_search(st, "welcome back", 0, 0, 5, &hh, &nn), 0);
        assert_int_equal(nn, 0);
        store_hits_free(hh, nn);
    }
    store_close(st);
}

static void test_meeting_find(void **state)
{
    static const struct { const char *spec; int rc; const char *number; } cases[] = {
        { "#5", 0, "5" }, { "5", 0, "5" }, { "V", 0, "5" }, { "VI", 0, "6" },
        { "Riverside 5", 0, "5" }, { "2023-01-10", 0, "5" }, { "January 2023", 0, "5" },
        { "10 jan 2023", 0, "5" }, { "latest", 0, "6" }, { "", 0, "6" },
        { "#99", STORE_NOTFOUND, NULL }, { "2020-01-01", STORE_NOTFOUND, NULL },
        { "nonsense words", STORE_NOTFOUND, NULL }, { "'; DROP TABLE x", STORE_NOTFOUND, NULL },
    };
    struct store *st = loaded();
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct store_meeting m;
        int64_t id = 0;

        assert_int_equal(store_meeting_find(st, cases[i].spec, &id), cases[i].rc);
        if (cases[i].rc)
            continue;
        assert_int_equal(store_meeting_get(st, id, &m), 0);
        assert_string_equal(m.number, cases[i].number);
        store_meeting_release(&m);
    }
    store_close(st);
}

static void test_items_and_next(void **state)
{
    struct store *st = loaded();
    struct store_item *v = NULL;
    struct store_next *x = NULL;
    int n = 0;

    (void)state;
    assert_int_equal(store_items(st, STORE_DECISION, 0, "garden", &v, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].speaker, "Anna Berg");
    store_items_free(v, n);
    assert_int_equal(store_items(st, STORE_DECISION, 0, "zebra crossing", &v, &n), 0);
    assert_int_equal(n, 0);
    store_items_free(v, n);
    assert_int_equal(store_next_meeting(st, 0, &x, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(x[0].date, "2023-01-24");
    store_nexts_free(x, n);
    store_close(st);
}

/* Deciding to decide later is recorded as a decision, with its topic. */
static void test_deferred_decision(void **state)
{
    static const char summary[] =
        "River Basin Forum\n"
        "Meeting #30 | 3 March 2025\n"
        "\n"
        "Key points raised\n"
        "\n"
        "- A way forward on the shared gauge archive would need to be agreed on in another "
        "meeting, where more members are present.\n"
        "- The flood map was praised.\n";
    struct store *st = NULL;
    struct store_item *v = NULL;
    char err[256] = "";
    int n = 0;

    (void)state;
    assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
    assert_int_equal(store_ingest(st, summary, strlen(summary), RECORD_MAX_BYTES_DEFAULT, NULL,
                                  NULL, 1700000000, NULL, err, sizeof(err)), 0);
    assert_int_equal(store_items(st, STORE_DECISION, 0, "gauge archive", &v, &n), 0);
    assert_int_equal(n, 1);
    assert_non_null(strstr(v[0].text, "need to be agreed"));
    store_items_free(v, n);
    assert_int_equal(store_items(st, STORE_DECISION, 0, "flood map", &v, &n), 0);
    assert_int_equal(n, 0);
    store_items_free(v, n);
    store_close(st);
}

/* Decisions on a topic: the newest first, the first few only, and a
 * store made before the decisions' index was added finds them too. */
static void test_decisions_on_topic(void **state)
{
    struct store *st = NULL;
    struct store_item *v = NULL;
    struct store_topic *t;
    char err[256] = "", db[64];
    int n = 0, more = 0, i;

    (void)state;
    assert_int_equal(store_fixture_temp_db(db, sizeof(db), "topic"), 0);
    assert_int_equal(store_open(&st, db, err, sizeof(err)), 0);
    for (i = 1; i <= 5; i++) {
        char summary[512];

        snprintf(summary, sizeof(summary), "River Basin Forum\n"
                                  "Meeting #%d | %d March 2025\n"
                                  "\n"
                                  "Key points raised\n"
                                  "\n"
                                  "- A way forward on the gauge archive number %d would need to be "
                                  "agreed on in another meeting, where more members are present.\n",
                                  30 + i, i, i);
        assert_int_equal(store_ingest(st, summary, strlen(summary), RECORD_MAX_BYTES_DEFAULT,
                                      NULL, NULL, 1700000000, NULL, err, sizeof(err)), 0);
    }
    t = store_topic_new(st, "gauge archives");
    assert_int_equal(store_items_on_topic(st, STORE_DECISION, 0, t, 2, &v, &n, &more), 0);
    store_topic_free(t);
    assert_int_equal(n, 2);
    assert_int_equal(more, 3);
    assert_non_null(strstr(v[0].text, "number 5"));
    assert_non_null(strstr(v[1].text, "number 4"));
    store_items_free(v, n);
    t = store_topic_new(st, "zebra crossing");
    assert_int_equal(store_items_on_topic(st, STORE_DECISION, 0, t, 2, &v, &n, &more), 0);
    store_topic_free(t);
    assert_int_equal(n, 0);
    assert_int_equal(more, 0);
    store_items_free(v, n);
    /* The store as an older scribe left it: no index over the items. */
    assert_int_equal(sqlite3_exec(store_sqlite(st),
                                  "DROP TABLE items_vocab; DROP TABLE actions_vocab;"
                                  "DROP TRIGGER IF EXISTS items_fts_insert; DROP TRIGGER items_fts_delete;"
                                  "DROP TRIGGER items_fts_update; DROP TRIGGER IF EXISTS actions_fts_insert;"
                                  "DROP TRIGGER actions_fts_delete; DROP TRIGGER actions_fts_update;"
                                  /* Version 7's owner columns and indexes, and
                                   * version 1's indexes they replaced. */
                                  "DROP TRIGGER action_owners_status; DROP TRIGGER action_owners_meeting;"
                                  "DROP TRIGGER action_owners_day; DROP INDEX action_owners_page;"
                                  "DROP INDEX action_owners_shared; DROP INDEX action_owners_action_seq;"
                                  "ALTER TABLE action_owners DROP COLUMN done;"
                                  "ALTER TABLE action_owners DROP COLUMN day;"
                                  "ALTER TABLE action_owners DROP COLUMN mid;"
                                  "CREATE INDEX action_owners_action ON action_owners(action_id);"
                                  "CREATE INDEX action_owners_person ON action_owners(person_id);"
                                  "DROP TABLE items_fts; DROP TABLE actions_fts;"
                                  "PRAGMA user_version = 3;", NULL, NULL, NULL), SQLITE_OK);
    store_close(st);
    if (store_open(&st, db, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    assert_int_equal(store_items(st, STORE_DECISION, 0, "gauge archive", &v, &n), 0);
    assert_int_equal(n, 5);
    store_items_free(v, n);
    store_close(st);
    store_fixture_remove_db(db);
}

/* A person with hundreds of actions: the first page and the count are
 * those of the whole list, open or done, whichever way they are read. */
static void test_actions_page(void **state)
{
    struct store *st = loaded();
    struct store_action_filter f = { STORE_ACT_OPEN, 0, 0, NULL, 0, NULL, 0 };
    struct store_action *all = NULL, *page = NULL;
    const char *owners[] = { "Lee Park" };
    int n_all = 0, n_page = 0, total = 0, i, k, status;
    char code[16];
    int64_t pid;

    (void)state;
    assert_int_equal(store_person_find(st, "Lee Park", &pid, NULL), 0);
    f.person_id = pid;
    for (k = 0; k < 2; k++) {
        /* Few actions (sorted in SQL), then over 200 (the walk). */
        for (i = 0; i < (k ? 240 : 30); i++) {
            char text[32];

            snprintf(text, sizeof(text), "task %d", i);
            assert_int_equal(store_action_add(st, 0, owners, 1, text, "@lee:example.org",
                                              1700000000 + i, code), 0);
            if (i % 7 == 3)
                assert_int_equal(store_action_set_done(st, code, 1, "@lee:example.org",
                                                       1700000000 + i), 0);
        }
        for (status = STORE_ACT_OPEN; status <= STORE_ACT_ALL; status++) {
            f.status = status;
            f.limit = 0;
            assert_int_equal(store_actions(st, &f, &all, &n_all), 0);
            f.limit = 25;
            assert_int_equal(store_actions_page(st, &f, &page, &n_page, &total), 0);
            assert_int_equal(total, n_all);
            assert_int_equal(n_page, n_all < 25 ? n_all : 25);
            for (i = 0; i < n_page; i++) {
                assert_string_equal(page[i].code, all[i].code);
                assert_int_equal(page[i].n_owners, all[i].n_owners);
            }
            store_actions_free(all, n_all);
            store_actions_free(page, n_page);
        }
    }
    store_close(st);
}

static void test_user_links(void **state)
{
    struct store *st = loaded();
    int64_t pid, got;
    char *name = NULL;

    (void)state;
    assert_int_equal(store_user_person(st, "@lee:example.org", &got, &name), STORE_NOTFOUND);
    assert_int_equal(store_person_find(st, "LEE PARK", &pid, NULL), 0);
    assert_int_equal(store_user_link(st, "@lee:example.org", pid, 1700000000), 0);
    assert_int_equal(store_user_person(st, "@lee:example.org", &got, &name), 0);
    assert_int_equal(got, pid);
    assert_string_equal(name, "Lee Park");
    free(name);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_mode),
        cmocka_unit_test(test_ingest_and_duplicate),
        cmocka_unit_test(test_same_meeting_by_date),
        cmocka_unit_test(test_people_resolution_any_order),
        cmocka_unit_test(test_participants_and_apologies),
        cmocka_unit_test(test_search_folding),
        cmocka_unit_test(test_hostile_queries),
        cmocka_unit_test(test_raised_ranking),
        cmocka_unit_test(test_excerpt),
        cmocka_unit_test(test_actions_lifecycle),
        cmocka_unit_test(test_meeting_find),
        cmocka_unit_test(test_items_and_next),
        cmocka_unit_test(test_deferred_decision),
        cmocka_unit_test(test_decisions_on_topic),
        cmocka_unit_test(test_actions_page),
        cmocka_unit_test(test_user_links),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
