/* tests/test_commands_meetings.c -- the chat language on meetings,
 * against the store of cmd_fixture.h: a meeting named in passing ("at the
 * last meeting", "in June", "last week"), and a meeting's parts asked on
 * their own (its topics, who spoke most). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmd_fixture.h"
#include "fixture_records.h"

/* A meeting named in passing, as people do: "at the last meeting", "the
 * January meeting", "on 10 January"; none named means the latest (#6,
 * posted last and without a date). */
static void test_meeting_in_passing(void **state)
{
    struct fixture *f = *state;
    char *want;
    const char *t;

    want = xstrdup(ask(f, "who attended latest"));
    assert_non_null(strstr(want, "At #6"));
    assert_string_equal(ask(f, "who attended?"), want);
    assert_string_equal(ask(f, "attendance"), want);
    assert_string_equal(ask(f, "who attended the last meeting?"), want);
    assert_string_equal(ask(f, "who attended our previous call"), want);
    free(want);

    want = xstrdup(ask(f, "decisions latest"));
    assert_string_equal(ask(f, "what was decided at the last meeting?"), want);
    assert_string_equal(ask(f, "decisions about the most recent meeting"), want);
    assert_string_equal(ask(f, "any decisions last time?"), want);
    assert_string_equal(ask(f, "what decisions were made at the last meeting?"), want);
    free(want);

    /* A span named from today (14 Nov 2023, a Tuesday): #6 was posted
     * this week and this month; there was no meeting last week or last
     * month, and the answer says so rather than searching for "last". */
    want = xstrdup(ask(f, "recap #6"));
    assert_string_equal(ask(f, "recap this week"), want);
    assert_string_equal(ask(f, "recap this month"), want);
    free(want);
    want = xstrdup(ask(f, "decisions #6"));
    assert_string_equal(ask(f, "what did we decide this month?"), want);
    free(want);
    t = ask(f, "decisions last month");
    assert_string_equal(f->r.kind, "not_found");
    assert_string_equal(t, "I have no meeting last month (October 2023). The newest I have is "
                           "#6 (posted 14 Nov 2023). Try: meetings\n");
    t = ask(f, "who attended last week?");
    assert_string_equal(t, "I have no meeting last week (the week of 6 Nov 2023). The newest I "
                           "have is #6 (posted 14 Nov 2023). Try: meetings\n");
    assert_same(f, "what was decided at the meeting last week?",
                "I have no meeting last week (the week of 6 Nov 2023). The newest I "
                "have is #6 (posted 14 Nov 2023). Try: meetings\n");
    /* ... but a span that belongs to the topic stays in it. */
    t = ask(f, "who raised the garden plan for this month?");
    assert_string_equal(f->r.kind, "who_raised");
    f->ctx.now += 7 * 86400;    /* a week later, #6 is last week's */
    assert_non_null(strstr(ask(f, "who attended last week?"), "At #6"));
    f->ctx.now -= 7 * 86400;

    t = ask(f, "open actions from the last meeting");
    assert_non_null(strstr(t, "Open actions in #6"));
    assert_null(strstr(t, "for from"));

    /* A meeting by number after a join word, which is not a topic or an
     * owner: "decided at #5", "actions from meeting 5". */
    want = xstrdup(ask(f, "decisions #5"));
    assert_non_null(strstr(want, "Decisions, newest meeting first:\n #5 (10 Jan 2023)"));
    assert_string_equal(ask(f, "what was decided at #5?"), want);
    assert_string_equal(ask(f, "what was agreed in meeting 5?"), want);
    assert_string_equal(ask(f, "decisions of #5"), want);
    assert_string_equal(ask(f, "decisions from meeting #5"), want);
    free(want);
    want = xstrdup(ask(f, "open actions #5"));
    assert_non_null(strstr(want, "Open actions in #5"));
    assert_string_equal(ask(f, "open actions from #5"), want);
    assert_string_equal(ask(f, "open actions at #5"), want);
    assert_string_equal(ask(f, "actions of meeting 5"), want);
    assert_string_equal(ask(f, "which actions are still open from #5?"), want);
    free(want);
    t = ask(f, "give me a summary of the last meeting");
    assert_string_equal(f->r.kind, "recap");
    assert_non_null(strstr(t, "Meeting #6"));
    /* A number inside a topic stays in it. */
    t = ask(f, "what was decided about the meeting 5 garden?");
    assert_null(strstr(t, "I have no meeting"));
    assert_null(strstr(t, "Decisions, newest meeting first"));

    t = ask(f, "who raised the footbridge");
    assert_non_null(strstr(t, "#5 (10 Jan 2023)"));
    t = ask(f, "who raised the footbridge at the last meeting");
    assert_non_null(strstr(t, "#6"));
    assert_null(strstr(t, "#5 (10 Jan 2023)"));
    t = ask(f, "who mentioned the garden in January");
    assert_non_null(strstr(t, "garden \u2014 first raised by:\n \u2022 #5 (10 Jan 2023) Anna Berg"));

    assert_non_null(strstr(ask(f, "recap the January meeting"), "Meeting #5 \u00b7 Tue 10 Jan 2023"));
    assert_non_null(strstr(ask(f, "recap the meeting on 10 January"), "Tue 10 Jan 2023"));
    assert_non_null(strstr(ask(f, "what happened at the meeting on the 10th of January?"),
                           "Tue 10 Jan 2023"));
    assert_string_equal(ask(f, "recap the decision meeting"),
                        "I have no meeting \"the decision meeting\". Try: meetings\n");

    /* Someone's turns at a meeting, without a topic. */
    t = ask(f, "what did Lee say at #5?");
    assert_non_null(strstr(t, "Lee Park at #5 (10 Jan 2023) (2 turns):"));
    assert_non_null(strstr(t, "The garden needs water."));
    t = ask(f, "what did Lee say at the last meeting?");
    assert_string_equal(t, "Lee Park did not speak at #6 (posted 14 Nov 2023), as far as my records say. "
                           "Try: who attended #6\n");
    t = ask(f, "what did Lee say?");
    assert_non_null(strstr(t, "Lee Park at #5"));
    /* Other verbs of saying: the same answers. */
    want = xstrdup(ask(f, "what did Lee say at #5?"));
    assert_string_equal(ask(f, "what did Lee report at #5?"), want);
    assert_string_equal(ask(f, "what did Lee mention at #5?"), want);
    free(want);
    want = xstrdup(ask(f, "what did Lee say about the footbridge?"));
    assert_string_equal(ask(f, "what did Lee propose about the footbridge?"), want);
    assert_string_equal(ask(f, "what did Lee report on the footbridge?"), want);
    free(want);

    /* Where the whole of it is what is asked about, it stays the topic. */
    t = ask(f, "who raised the previous meeting");
    assert_null(strstr(t, "Who raised what?"));
    t = ask(f, "search 10 January");
    assert_null(strstr(t, "Ask me e.g."));
    t = ask(f, "who raised the next meeting");
    assert_null(strstr(t, "I have no meeting"));
}

/* Parts of a recap asked on their own: the topics, who spoke most. */
static void test_agenda_and_speakers(void **state)
{
    struct fixture *f = *state;
    const char *t;

    t = ask(f, "what was on the agenda at #5?");
    assert_string_equal(f->r.kind, "agenda");
    assert_string_equal(t, "Topics at #5 (10 Jan 2023):\n 1. Community garden\n"
                           " 2. Footbridge repair\n"
                           "Ask me: !who raised <topic> \u00b7 !decisions about <topic>\n");
    assert_same(f, "agenda of the January meeting", t);
    assert_same(f, "agenda of #5", t);
    assert_same(f, "agenda 5", t);
    ask(f, "what was discussed at the council meeting");
    assert_string_not_equal(f->r.kind, "agenda");
    /* A summary report's written agenda is the meeting's, not the one
     * read out in its transcript. */
    {
        struct record *r = fx_new(RECORD_SUMMARY, "summary-5b", "Riverside Committee", "5", 5,
                                  "2023-01-10", "Meeting #5 | 10 January 2023");
        char err[256];

        fx_turn(r, -1, "Key points raised", "The garden and the bridge.");
        fx_item(&r->agenda, &r->n_agenda, "Community garden plot", NULL);
        fx_item(&r->agenda, &r->n_agenda, "Footbridge", NULL);
        assert_int_equal(store_add_record(f->st, r, NULL, NULL, 1700000100, NULL, err,
                                          sizeof(err)), 0);
        record_free(r);
    }
    assert_string_equal(ask(f, "agenda #5"), "Topics at #5 (10 Jan 2023):\n 1. Community garden "
                        "plot\n 2. Footbridge\n"
                        "Ask me: !who raised <topic> \u00b7 !decisions about <topic>\n");
    /* No agenda and no key points: its recap, said to be one. */
    {
        char *recap = xstrdup(ask(f, "recap #6"));

        t = ask(f, "what was discussed at the last meeting?");
        assert_string_equal(f->r.kind, "recap");
        assert_true(!strncmp(t, "No agenda or key points are recorded for #6 (posted 14 Nov 2023); "
                                "its recap:\n", 71));
        assert_string_equal(strchr(t, '\n') + 1, recap);
        free(recap);
    }
    /* A topic question is not one about the agenda. */
    t = ask(f, "what was discussed about the garden");
    assert_string_not_equal(f->r.kind, "agenda");
    assert_non_null(strstr(t, "garden"));

    t = ask(f, "who spoke most at #5?");
    assert_string_equal(f->r.kind, "speakers");
    assert_non_null(strstr(t, "Who spoke at #5 (10 Jan 2023), by share of the words:\n"
                              " 1. Tom Quist ~"));
    assert_non_null(strstr(t, "(2 turns)"));
    t = ask(f, "who spoke the most?");
    assert_non_null(strstr(t, "Who spoke at #6"));
    assert_non_null(strstr(t, "Anna Berg"));
    {
        char *want = xstrdup(t);

        assert_string_equal(ask(f, "who has spoken the most?"), want);
        assert_string_equal(ask(f, "who said the most?"), want);
        free(want);
    }
}

/* "how often do we meet?": the usual gap between dated meetings and
 * what was decided about it; "what's next?": the latest next steps. */
static void test_how_often(void **state)
{
    static const char *const texts[] = {
        "Riverside Committee Meeting #7\n14 March 2023\n\n"
        ">> LEE PARK: It was agreed to raise the frequency of our meetings to every four weeks.\n\n"
        ">> ANNA BERG: Fine with me.\n",
        "Riverside Committee Meeting #8\n11 April 2023\n\n"
        ">> LEE PARK: Welcome back, only updates today.\n\n>> ANNA BERG: Thank you.\n",
        "Riverside Committee Meeting #9\n9 May 2023\n\n"
        ">> LEE PARK: Welcome. Anna will send the minutes by Friday.\n\n>> ANNA BERG: I will.\n",
    };
    struct fixture *f = *state;
    char *want;
    const char *t;
    size_t i;

    t = ask(f, "how often do we meet?");
    assert_non_null(strstr(t, "cannot tell how often"));
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        cmd_fixture_add_text(f, texts[i]);
    t = ask(f, "how often do we meet?");
    /* #5 (10 Jan 2023) and these three: gaps of 9, 4 and 4 weeks. */
    assert_non_null(strstr(t, "4 dated meetings from 10 Jan 2023 to 9 May 2023: usually about 4 weeks apart"));
    assert_non_null(strstr(t, "every four weeks"));
    assert_string_equal(ask(f, "how often are the meetings"), t);
    want = xstrdup(ask(f, "what are the next steps?"));
    assert_non_null(strstr(want, "Next steps in #"));
    assert_string_equal(ask(f, "what's next?"), want);
    assert_string_equal(ask(f, "what comes next"), want);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_meeting_in_passing, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_agenda_and_speakers, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_how_often, cmd_fixture_setup, cmd_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
