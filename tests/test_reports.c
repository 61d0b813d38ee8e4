/* tests/test_reports.c -- work reported done in a later record ("Yes, I
 * sent the survey") closes the speaker's matching action from an earlier
 * meeting, in either order of storing, and nothing else: not another
 * person's, not another thing, not a question, not an action of a later
 * meeting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "store_fixture.h"
#include "../storage/record.h"

/* Meeting #1 of the garden committee: Ana's and Ben's actions. */
static const char meeting1[] =
    "Garden Committee Meeting #1\n2 May 2023\n\n"
    ">> ANA LIMA: Welcome. I will send the survey to all members by Friday.\n\n"
    ">> BEN OKAFOR: I will draft the newsletter for June.\n\n"
    ">> ANA LIMA: And I will circulate the minutes next week.\n";

/* The record in `text`, stored (the tests post every record at once). */
static void ingest(struct store *st, const char *text, struct store_ingest_result *res)
{
    store_fixture_ingest(st, text, "record.txt", 1700000000, res);
}

/* The action of `code`'s status: 1 done, 0 open. */
static int done(struct store *st, const char *code)
{
    struct store_action a;
    int d;

    assert_int_equal(store_action_get(st, code, &a), 0);
    d = a.done;
    store_action_release(&a);
    return d;
}

static void test_report_closes_own_action(void **state)
{
    struct store *st = store_fixture_open_mem();
    struct store_ingest_result res;

    (void)state;
    ingest(st, meeting1, &res);
    assert_int_equal(res.actions, 3);
    assert_int_equal(res.closed, 0);
    /* A1 Ana: survey; A2 Ben: newsletter; A3 Ana: minutes. */
    ingest(st,
           "Garden Committee Meeting #2\n16 May 2023\n\n"
           ">> ANA LIMA: Yes, I sent the survey last week and we have ten answers.\n\n"
           /* Someone else's report of the same thing, another thing, a question. */
           ">> BEN OKAFOR: I sent the survey to my street too. Did I send the newsletter?\n\n"
           ">> ANA LIMA: I have shared the photos of the beds.\n",
           &res);
    assert_int_equal(res.closed, 1);
    assert_string_equal(res.closed_codes[0], "A1");
    assert_int_equal(done(st, "A1"), 1);
    assert_int_equal(done(st, "A2"), 0);
    assert_int_equal(done(st, "A3"), 0);
    store_close(st);
}

/* A report closes what was promised before it in whichever order the
 * records come: the earlier meeting stored after the later one has its
 * action closed then. An action of a meeting after the report stays
 * open, and a record that reports nothing closes nothing. */
static void test_report_any_order(void **state)
{
    struct store *st = store_fixture_open_mem();
    struct store_ingest_result res;
    struct store_action a;

    (void)state;
    ingest(st,
           "Garden Committee Meeting #2\n16 May 2023\n\n"
           ">> ANA LIMA: Yes, I sent the survey last week and we have ten answers.\n\n"
           ">> BEN OKAFOR: Good.\n",
           &res);
    assert_int_equal(res.closed, 0);
    ingest(st, meeting1, &res);
    assert_int_equal(res.closed, 1);
    assert_string_equal(res.closed_codes[0], "A1");
    assert_int_equal(done(st, "A1"), 1);
    assert_int_equal(done(st, "A3"), 0);
    assert_int_equal(store_action_get(st, "A1", &a), 0);
    assert_non_null(a.status_by);
    assert_non_null(strstr(a.status_by, "Ana Lima"));
    store_action_release(&a);
    ingest(st,
           "Garden Committee Meeting #3\n30 May 2023\n\n"
           ">> ANA LIMA: I will send the survey again to those who did not answer.\n\n"
           ">> BEN OKAFOR: Thanks Ana.\n",
           &res);
    assert_int_equal(res.actions, 1);
    assert_int_equal(res.closed, 0);
    assert_int_equal(done(st, "A4"), 0);
    store_close(st);
}

/* A report of someone the record names, in a summary or a spoken turn:
 * "Ben has drafted the newsletter", "The Secretariat shared the poll". */
static void test_report_third_person(void **state)
{
    struct store *st = store_fixture_open_mem();
    struct store_ingest_result res;

    (void)state;
    ingest(st, meeting1, &res);
    ingest(st,
           "Garden Committee Meeting #1\n2 May 2023\nSummary report\n\n"
           "Participants: Ana Lima, Ben Okafor\n\nKey points raised\n"
           "- Members discussed the survey of all members at length.\n\n"
           "Next steps\n- The Secretariat will share a poll for the next meeting.\n",
           &res);
    assert_int_equal(res.actions, 1);
    /* A1-A3 from the transcript, A4 the Secretariat's poll. */
    ingest(st,
           "Garden Committee Meeting #2\n16 May 2023\nSummary report\n\n"
           "Participants: Ana Lima, Ben Okafor\n\nKey points raised\n"
           "- Ben has drafted the newsletter for June and asked for photos.\n"
           "- The Secretariat shared the poll; the date is 30 May.\n"
           "- Ana circulated nothing yet.\n",
           &res);
    assert_int_equal(res.closed, 2);
    assert_int_equal(done(st, "A2"), 1);
    assert_int_equal(done(st, "A4"), 1);
    assert_int_equal(done(st, "A1"), 0);
    assert_int_equal(done(st, "A3"), 0);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_closes_own_action),
        cmocka_unit_test(test_report_any_order),
        cmocka_unit_test(test_report_third_person),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
