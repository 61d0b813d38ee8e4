/* tests/test_raised.c -- how "who raised" ranks the turns of a meeting:
 * a word the stemmer folds into the asked one but that says something
 * else ("activities" for "active") does not make its speaker the raiser,
 * while an inflection ("gauges" for "gauge") does; and a time preposition
 * of the question ("before the summit") is not a topic word, so an early
 * turn that happens to carry it and the meeting's common word does not
 * beat the turn that carries the rare one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "chat_fixture.h"

static const char transcript[] =
    "RAW FILE\n"
    "HILL WATER NETWORK\n"
    "MEETING #8\n"
    "4 MARCH 2025\n"
    "\n"
    "   >> NADIA KOVAC:  Welcome, everyone.  Before the summit we have the gauges, "
    "the summit agenda and the budget.\n"
    "   >> RUBEN OTT:  Thank you.  The gauges and the maintenance activities around "
    "them took most of the winter, and the summit paper lists those activities.\n"
    "   >> PIA LUND:  On the summit, the hall is booked.  Before then we should "
    "also hold the meeting on the budget.\n"
    "   >> JONAS VEGA:  Do we know which gauges are still active?  Some have sent "
    "nothing since autumn.\n"
    "   >> NADIA KOVAC:  Good question.  I think four of them are active, the "
    "rest are silent.\n"
    "   >> ELSA MORIN:  Then a thought for the summit.  We could be meeting more "
    "often, every two weeks, until the gauges are fixed.\n"
    "   >> RUBEN OTT:  Every two weeks suits me.  The summit can wait.\n"
    "   >> NADIA KOVAC:  Agreed.  Thank you all, see you at the summit.\n";

static int setup(void **state)
{
    static const char *const records[] = { transcript, NULL };

    *state = chat_fixture_new(records, "@elsa:example.org");
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    chat_fixture_free(*state);
    return 0;
}

/* The raiser named on the meeting's line: "• #8 (...) NAME: ...". */
static void assert_first(const char *text, const char *name)
{
    const char *bullet = strstr(text, "\u2022");

    assert_non_null(bullet);
    assert_non_null(strstr(bullet, name));
    assert_true(strstr(bullet, name) < strchr(bullet, ':'));
}

static void test_derived_form_is_not_the_word(void **state)
{
    struct chat_fixture *f = *state;
    const char *t = chat_fixture_ask(f, "who asked which gauges are active?");

    /* Ruben spoke first of the gauges and their "activities". */
    assert_first(t, "Jonas Vega");
    /* He still spoke on the gauges; Nadia answered with "active". */
    assert_non_null(strstr(t, "Nadia Kovac"));
}

static void test_inflection_is_the_word(void **state)
{
    struct chat_fixture *f = *state;
    const char *t = chat_fixture_ask(f, "who raised the maintenance activity?");

    /* "activities" is the plural of the asked "activity". */
    assert_first(t, "Ruben Ott");
}

static void test_time_preposition_is_not_a_topic_word(void **state)
{
    struct chat_fixture *f = *state;
    const char *t = chat_fixture_ask(f, "who proposed meeting more often before the summit?");

    /* Pia spoke earlier with "summit", "before" and "meeting", but not
     * the rare "often". */
    assert_first(t, "Elsa Morin");
    assert_non_null(strstr(t, "every two weeks"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_derived_form_is_not_the_word),
        cmocka_unit_test(test_inflection_is_the_word),
        cmocka_unit_test(test_time_preposition_is_not_a_topic_word),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
