/* tests/test_commands_actions.c -- the chat language's actions against
 * the store of cmd_fixture.h: listing them by owner, meeting and topic,
 * their lifecycle (done, reopen, assign, add) and who may change them,
 * due dates, and the counts by owner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "cmd_fixture.h"

static void test_actions_and_lifecycle(void **state)
{
    struct fixture *f = *state;
    const char *t;

    t = ask(f, "open actions for DC");
    assert_non_null(strstr(t, "Open actions for DC (1)"));
    assert_non_null(strstr(t, "A5 DCs"));
    t = ask(f, "actions for tom");
    assert_non_null(strstr(t, "Open actions for Tom Quist (1)"));
    t = ask(f, "my actions");
    assert_non_null(strstr(t, "iam"));
    /* On a topic: who does it ("who is responsible for"), and the list. */
    t = ask(f, "who is responsible for the footbridge repair?");
    assert_string_equal(f->r.kind, "actions");
    assert_non_null(strstr(t, "Actions about \"the footbridge repair\" (1)"));
    assert_non_null(strstr(t, "A2 Lee Park \u2014 Ask the council about the footbridge repair"));
    t = ask(f, "open actions about the footbridge");
    assert_non_null(strstr(t, "Open actions about \"the footbridge\" (2)"));
    assert_non_null(strstr(t, "A2 Lee Park"));
    assert_non_null(strstr(t, "A5 DCs"));
    t = ask(f, "who will ask the council?");
    assert_non_null(strstr(t, "A2 Lee Park"));
    t = ask(f, "who is in charge of the moon landing?");
    assert_string_equal(t, "No actions about \"the moon landing\". Try: search the moon landing\n");

    /* Not Tom, not admin: refused. */
    t = ask(f, "done A1");
    assert_string_equal(f->r.kind, "refused");
    assert_non_null(strstr(t, "Only an owner of A1 (Tom Quist) or a room admin"));
    /* Lee links and closes an own action. */
    ask(f, "iam Lee Park");
    t = ask(f, "done A2");
    assert_string_equal(t, "A2 done (was: Lee Park \xe2\x80\x94 Ask the council about the footbridge "
                           "repair, #5). Undo: !reopen A2\n");
    t = ask(f, "done A2");
    assert_string_equal(t, "A2 is already done.\n");
    t = ask(f, "my actions");
    assert_non_null(strstr(t, "No open actions for Lee Park"));
    t = ask(f, "done actions for Lee");
    assert_non_null(strstr(t, "A2"));
    t = ask(f, "reopen A2");
    assert_non_null(strstr(t, "A2 reopened"));
    /* Said as people say it: "I finished A2", several at once. */
    t = ask(f, "I finished A2");
    assert_ptr_equal(strstr(t, "A2 done (was: Lee Park"), t);
    t = ask(f, "I've done A2 and A1");
    assert_string_equal(t, "A2 is already done.\nOnly an owner of A1 (Tom Quist) or a room admin "
                           "can change it. If that is you, first say: iam <your name>\n");
    t = ask(f, "reopen A2");
    assert_non_null(strstr(t, "A2 reopened"));
    t = ask(f, "when is A2 due?");
    assert_string_equal(f->r.kind, "action");
    assert_ptr_equal(strstr(t, "A2 \u2014 Ask the council about the footbridge repair\n"), t);
    assert_same(f, "what is A2 about?", t);
    t = ask(f, "what do I need to do?");
    assert_non_null(strstr(t, "Open actions for Lee Park (1)"));
    assert_non_null(strstr(t, "A2 Lee Park"));
    assert_same(f, "what's on my plate?", t);
    /* An admin may act on anyone's action. */
    f->ctx.is_admin = 1;
    t = ask(f, "move A1 to Tom");
    assert_non_null(strstr(t, "A1 now with Tom Quist"));
    t = ask(f, "done A1, A5 and A2");
    assert_string_equal(f->r.kind, "action");
    assert_non_null(strstr(t, "A1 done (was: Tom Quist"));
    assert_non_null(strstr(t, "\nA5 done (was: DCs"));
    assert_non_null(strstr(t, "\nA2 done (was: Lee Park"));
    t = ask(f, "reopen A1 & A5, A2");
    assert_non_null(strstr(t, "A1 reopened"));
    assert_non_null(strstr(t, "A5 reopened"));
    assert_non_null(strstr(t, "A2 reopened"));
    t = ask(f, "assign A1 to Anna Berg and Lee");
    assert_non_null(strstr(t, "A1 now with Anna Berg, Lee Park"));
    t = ask(f, "action Anna Berg: order the seeds");
    assert_non_null(strstr(t, "Added A6: Anna Berg \xe2\x80\x94 order the seeds"));
    t = ask(f, "done A42");
    assert_string_equal(t, "I have no action A42. See them with: actions\n");
    f->ctx.is_admin = 0;

    /* One action in full: owners, state, where it came from and every
     * change with who made it. */
    t = ask(f, "A2");
    assert_string_equal(f->r.kind, "action");
    assert_non_null(strstr(t, "A2 \u2014 Ask the council about the footbridge repair\n"
                              "Owner: Lee Park \u00b7 open \u00b7 from #5 (10 Jan 2023)\n"));
    assert_non_null(strstr(t, "Changes:\n  \u2022 14 Nov 2023 created (from the record)\n"
                              "  \u2022 14 Nov 2023 done by @lee:example.org\n"
                              "  \u2022 14 Nov 2023 reopened by @lee:example.org\n"));
    assert_non_null(strstr(t, "Close it with: !done A2"));
    assert_same(f, "who owns a2?", t);
    t = ask(f, "what is the status of A1?");
    assert_string_equal(f->r.kind, "action");
    assert_non_null(strstr(t, "Owners: Anna Berg, Lee Park \u00b7 open"));
    t = ask(f, "status of A1");
    assert_non_null(strstr(t, "Owners: Anna Berg, Lee Park \u00b7 open"));
    t = ask(f, "A42");
    assert_string_equal(t, "I have no action A42. See them with: actions\n");
}

/* Open actions by due date, against the asker's today (14 Nov 2023). */
/* "what's pending for Tom?", "anything outstanding on the footbridge?",
 * "what's left to do?": the open actions, as the short forms give them. */
static void test_actions_pending(void **state)
{
    struct fixture *f = *state;
    const char *t;

    assert_same(f, "what's pending for Tom?", ask(f, "open actions for Tom"));
    assert_non_null(strstr(f->r.text.data, "Open actions for Tom Quist (1)"));
    assert_same(f, "what is outstanding for tom", ask(f, "open actions for Tom"));
    assert_same(f, "anything outstanding on the footbridge?",
                ask(f, "open actions on the footbridge"));
    assert_non_null(strstr(f->r.text.data, "Open actions about \"the footbridge\" (2)"));
    t = ask(f, "what's left to do?");
    assert_string_equal(f->r.kind, "actions");
    assert_same(f, "open actions", t);
    /* What people took on: the next steps, or the actions on a topic. */
    assert_same(f, "who volunteered?", ask(f, "what are the next steps?"));
    assert_same(f, "who volunteered at #5?", ask(f, "what are the next steps from #5?"));
    t = ask(f, "who is going to fix the footbridge?");
    assert_non_null(strstr(t, "footbridge"));
    assert_same(f, "who volunteered to fix the footbridge?", t);
}

static void test_actions_due(void **state)
{
    struct fixture *f = *state;
    const char *t;

    t = ask(f, "overdue actions");
    assert_string_equal(t, "No open action is past its due date. (Only actions with a due date "
                           "count. See them all with: actions)\n");
    assert_int_equal(sqlite3_exec(store_sqlite(f->st),
                                  "UPDATE actions SET due_date = '2023-11-10' WHERE code = 'A1';"
                                  "UPDATE actions SET due_date = '2023-11-17' WHERE code = 'A2';"
                                  "UPDATE actions SET due_date = '2023-11-24' WHERE code = 'A5';"
                                  "UPDATE actions SET due_date = '2023-11-01' WHERE code = 'A3';",
                                  NULL, NULL, NULL), SQLITE_OK);
    t = ask(f, "which actions are overdue?");
    assert_string_equal(f->r.kind, "actions");
    assert_non_null(strstr(t, "Overdue actions (1), the longest overdue first:\n"
                              "  A1 Tom Quist \u2014 Write the application for the community "
                              "garden (due 10 Nov 2023, #5)\n"));
    assert_null(strstr(t, "A3"));       /* done: not overdue */
    assert_same(f, "what's past due", t);
    t = ask(f, "actions due this week");
    assert_non_null(strstr(t, "Actions due in the next 7 days (1):"));
    assert_non_null(strstr(t, "A2 Lee Park"));
    t = ask(f, "what is due next week?");
    assert_non_null(strstr(t, "A5 DCs"));
    assert_null(strstr(t, "A2"));
    /* Not a due-date question: the owner's list as before. */
    assert_non_null(strstr(ask(f, "actions for Lee"), "Open actions for Lee Park"));
    assert_null(strstr(ask(f, "past actions"), "Overdue"));
}

static void test_forget_needs_admin(void **state)
{
    struct fixture *f = *state;

    ask(f, "forget #6");
    assert_string_equal(f->r.kind, "refused");
    assert_int_equal(store_meeting_count(f->st), 2);
    f->ctx.is_admin = 1;
    ask(f, "forget #6");
    assert_int_equal(store_meeting_count(f->st), 1);
    f->ctx.is_admin = 0;
}

/* "who has the most open actions?", "how many open actions are there?",
 * "who is doing what?": the count by owner, the most first, each once
 * under their canonical name, with their newest codes; an owner or a
 * topic after "how many" still lists that owner's or topic's actions. */
static void test_actions_by_owner(void **state)
{
    static const char *const same[] = { "how many open actions are there?", "who is doing what?",
                                        "open actions by owner", "actions per person" };
    struct fixture *f = *state;
    const char *t;
    char *want;

    t = ask(f, "who has the most open actions?");
    assert_string_equal(f->r.kind, "actions");
    assert_string_equal(t, "4 open actions \u2014 by owner, the most first:\n"
                           " \u2022 DCs: 1 (A5)\n"
                           " \u2022 Lee Park: 1 (A2)\n"
                           " \u2022 Secretariat: 1 (A4)\n"
                           " \u2022 Tom Quist: 1 (A1)\n"
                           "One owner's in full: open actions for DCs\n");
    /* Lee takes the Secretariat's action: two for Lee, first. */
    f->ctx.is_admin = 1;
    ask(f, "assign A4 to Lee");
    f->ctx.is_admin = 0;
    want = xstrdup(ask(f, "who has the most open actions?"));
    assert_non_null(strstr(want, "4 open actions \u2014 by owner, the most first:\n"
                                 " \u2022 Lee Park: 2 (A2, A4)\n"));
    assert_null(strstr(want, "Secretariat"));
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        assert_string_equal(ask(f, same[i]), want);
    free(want);
    /* "next steps": a meeting's actions, open or done, as "all actions"
     * lists them; the latest meeting's when none is named; on a topic. */
    {
        char *all = xstrdup(ask(f, "all actions #5"));

        t = ask(f, "what are the next steps from #5?");
        assert_true(!strncmp(t, "Next steps in #5 (", 18));
        assert_string_equal(strchr(t, '\n'), strchr(all, '\n'));
        free(all);
        assert_true(!strncmp(ask(f, "what are the next steps?"), "Next steps in #6 (", 18));
        t = ask(f, "next steps for the footbridge repair");
        assert_non_null(strstr(t, "Actions about \"the footbridge repair\" (1)"));
    }
    /* An owner after "how many": that owner's list, with its count. */
    t = ask(f, "how many open actions does Tom have?");
    assert_non_null(strstr(t, "Open actions for Tom Quist (1)"));
    t = ask(f, "how many done actions are there?");
    assert_string_equal(t, "1 done action \u2014 by owner, the most first:\n"
                           " \u2022 Anna Berg: 1 (A3)\n"
                           "One owner's in full: done actions for Anna Berg\n");
    ask(f, "iam Tom Quist");
    ask(f, "done A1");
    t = ask(f, "how many done actions are there?");
    assert_string_equal(t, "2 done actions \u2014 by owner, the most first:\n"
                           " \u2022 Anna Berg: 1 (A3)\n"
                           " \u2022 Tom Quist: 1 (A1)\n"
                           "One owner's in full: done actions for Anna Berg\n");
    assert_null(strstr(ask(f, "who has the most open actions?"), "Tom Quist"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_actions_and_lifecycle, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_actions_pending, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_actions_due, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_forget_needs_admin, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_actions_by_owner, cmd_fixture_setup, cmd_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
