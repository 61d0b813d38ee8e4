/* tests/test_attrib.c -- "who raised" when the label does not say: an
 * unattributed turn right after the chair gave someone the floor is
 * theirs, and a topic credited by name ("Lena's suggestion, she wants to
 * ...") goes to that person, with a note saying how. A long turn that
 * only picks up on someone else's point keeps its own speaker. */
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
    "RIVER BASIN FORUM\n"
    "MEETING #21\n"
    "9 SEPTEMBER 2024\n"
    "\n"
    "   >> PRIYA NAIR:  Welcome, everyone.  Today we look at the gauges and the budget.  "
    "I see Omar put their hand up, please.\n"
    "   >> It is more of a question.  What is the status of the flood barrier budget "
    "and who signs it off?\n"
    "   >> PRIYA NAIR:  The council signs it off.  Lena?\n"
    "   >> LENA FISCHER:  Thank you.  Wouldn't it be better the other way around, with "
    "the gauges further up the valley?  Just a thought.\n"
    "   >> OMAR HADDAD:  Thanks, Priya.  To follow up, the barrier money is in the "
    "spring plan.\n"
    "   >> TOMAS BERG:  Picking up on Lena's point, the gauges need new batteries and "
    "the batteries are old.  The batteries come first.\n"
    "   >> PRIYA NAIR:  Good.  But Lena's suggestion, she wants to move the gauges "
    "upstream.  I think moving the gauges upstream makes sense.  Let's do that.\n"
    "   >> LENA FISCHER:  Thank you.\n";

static int setup(void **state)
{
    return chat_fixture_setup_one(state, transcript, "@lena:example.org");
}

static void test_given_the_floor(void **state)
{
    struct chat_fixture *f = *state;
    const char *t = chat_fixture_ask(f, "who asked about the status of the flood barrier budget?");

    chat_fixture_assert_first(t, "Omar Haddad");
    assert_non_null(strstr(t, "given the floor"));
    assert_non_null(strstr(f->r.json.data, "\"note\""));
}

static void test_credited_by_name(void **state)
{
    struct chat_fixture *f = *state;
    const char *t = chat_fixture_ask(f, "who suggested moving the gauges upstream?");

    chat_fixture_assert_first(t, "Lena Fischer");
    assert_non_null(strstr(t, "as Priya Nair put it"));
}

static void test_picking_up_keeps_the_speaker(void **state)
{
    struct chat_fixture *f = *state;
    const char *t = chat_fixture_ask(f, "who raised the old batteries?");

    chat_fixture_assert_first(t, "Tomas Berg");
    assert_null(strstr(t, "put it"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_given_the_floor),
        cmocka_unit_test(test_credited_by_name),
        cmocka_unit_test(test_picking_up_keeps_the_speaker),
    };

    return cmocka_run_group_tests(tests, setup, chat_fixture_teardown);
}
