/* tests/test_raised.c -- how "who raised" ranks the turns of a meeting:
 * a word the stemmer folds into the asked one but that says something
 * else ("activities" for "active") does not make its speaker the raiser,
 * while an inflection ("gauges" for "gauge") does; and a time preposition
 * of the question ("before the summit") is not a topic word, so an early
 * turn that happens to carry it and the meeting's common word does not
 * beat the turn that carries the rare one. Meetings come newest first by
 * their date, whatever order their records were stored in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
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
    return chat_fixture_setup_one(state, transcript, "@elsa:example.org");
}

static void test_derived_form_is_not_the_word(void **state)
{
    struct chat_fixture *f = *state;
    const char *t = chat_fixture_ask(f, "who asked which gauges are active?");

    /* Ruben spoke first of the gauges and their "activities". */
    chat_fixture_assert_first(t, "Jonas Vega");
    /* He still spoke on the gauges; Nadia answered with "active". */
    assert_non_null(strstr(t, "Nadia Kovac"));
}

static void test_inflection_is_the_word(void **state)
{
    struct chat_fixture *f = *state;
    const char *t = chat_fixture_ask(f, "who raised the maintenance activity?");

    /* "activities" is the plural of the asked "activity". */
    chat_fixture_assert_first(t, "Ruben Ott");
}

static void test_time_preposition_is_not_a_topic_word(void **state)
{
    struct chat_fixture *f = *state;
    const char *t = chat_fixture_ask(f, "who proposed meeting more often before the summit?");

    /* Pia spoke earlier with "summit", "before" and "meeting", but not
     * the rare "often". */
    chat_fixture_assert_first(t, "Elsa Morin");
    assert_non_null(strstr(t, "every two weeks"));
}

/* Ten meetings on the tide gauges, stored out of date order (an archive
 * posted late): the answer lists the eight newest by date, newest
 * first, and says there are more. */
static void test_newest_by_date_not_by_storing(void **state)
{
    static const char *const names[] = {
        "ANNA KOVAC", "BRUNO LIND", "CARLA MENDES", "DAVID OKAFOR", "EVA NORD",
        "FELIX ROSS", "GRETA HOLM", "HUGO VALE", "IRIS BLOM", "JONAS WEBER",
    };
    static const int order[] = { 5, 9, 1, 10, 3, 7, 2, 8, 4, 6 };
    char *recs[11];
    const char *const *records = (const char *const *)recs;
    struct chat_fixture *f;
    const char *t, *at;
    int i;

    (void)state;
    for (i = 0; i < 10; i++) {
        int n = order[i];

        recs[i] = malloc(1024);
        assert_non_null(recs[i]);
        snprintf(recs[i], 1024,
                 "RAW FILE\nCOAST WATCH GROUP\nMEETING #%d\n%d MARCH 2025\n\n"
                 "   >> %s:  Welcome.  Today the budget and the rota.\n"
                 "   >> %s:  The tide gauges at the harbour need new batteries.\n"
                 "   >> %s:  Thanks.  The rota is fine as it is.\n",
                 n, n, names[(n + 1) % 10], names[n - 1], names[(n + 1) % 10]);
    }
    recs[10] = NULL;
    f = chat_fixture_new(records, "@anna:example.org");
    assert_non_null(f);
    t = chat_fixture_ask(f, "who raised the tide gauges?");
    /* #10 down to #3, each with its own raiser, then "more". */
    at = t;
    for (i = 10; i >= 3; i--) {
        char ref[16];
        const char *p;

        snprintf(ref, sizeof(ref), "#%d ", i);
        p = strstr(at, ref);
        assert_non_null(p);
        at = p + 1;
    }
    assert_null(strstr(t, "#2 "));
    assert_null(strstr(t, "#1 "));
    assert_non_null(strstr(t, "more meetings"));
    assert_non_null(strstr(strstr(t, "#10 "), "Jonas Weber"));
    chat_fixture_free(f);
    for (i = 0; i < 10; i++)
        free(recs[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_derived_form_is_not_the_word),
        cmocka_unit_test(test_inflection_is_the_word),
        cmocka_unit_test(test_time_preposition_is_not_a_topic_word),
        cmocka_unit_test(test_newest_by_date_not_by_storing),
    };

    return cmocka_run_group_tests(tests, setup, chat_fixture_teardown);
}
