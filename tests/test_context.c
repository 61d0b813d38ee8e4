/* tests/test_context.c -- a spoken decision or action that names its
 * subject only in the sentences before it ("... the gauge archive ...
 * we have to put it on the agenda of the next call again") is found for
 * that subject, and only for it: a back-reference in a turn about
 * something else is not. Records are ingested from text like a user's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "chat_fixture.h"
#include "../storage/store.h"

static const char transcript[] =
    "RAW FILE\n"
    "RIVER BASIN FORUM\n"
    "MEETING #14\n"
    "6 MAY 2024\n"
    "\n"
    "   >> PRIYA NAIR:  Good afternoon, everyone.  First item is the gauge archive.\n"
    "   >> OMAR HADDAD:  Some members want the gauge readings archive open to the public, "
    "others worry about the privacy of the farmers who host the gauges.  "
    "Not enough members are here today to settle it.  "
    "And we have to put it on the agenda of the next call again.\n"
    "   >> LENA FISCHER:  On the flood map, the council liked the colours.  "
    "I will send it to the mayor by Friday.\n"
    "   >> PRIYA NAIR:  Thank you all, goodbye.\n";

static int setup(void **state)
{
    return chat_fixture_setup_one(state, transcript, "@omar:example.org");
}

static void test_decision_by_reference(void **state)
{
    struct chat_fixture *f = *state;
    const char *r = chat_fixture_ask(f, "what was decided about the gauge archive?");

    assert_non_null(strstr(r, "put it on the agenda of the next call"));
    assert_null(strstr(r, "mayor"));
    /* Another subject does not take the deferral for its own. */
    r = chat_fixture_ask(f, "what was decided about the flood map?");
    assert_null(strstr(r, "put it on the agenda"));
}

static void test_actions_by_reference(void **state)
{
    struct chat_fixture *f = *state;
    struct store_topic *t = store_topic_new(f->st, "gauge archive");
    struct store_action *a = NULL;
    int64_t mid = chat_fixture_meeting(f, "#14");
    int n = 0, i, agenda = 0, mayor = 0;

    assert_true(mid > 0);
    assert_int_equal(store_actions_in_context(f->st, mid, t, &a, &n), 0);
    for (i = 0; i < n; i++) {
        agenda += strstr(a[i].text, "agenda") != NULL;
        mayor += strstr(a[i].text, "mayor") != NULL;
    }
    assert_int_equal(agenda, 1);
    assert_int_equal(mayor, 0);
    store_actions_free(a, n);
    store_topic_free(t);
    /* The flood map's own action carries its words: not a reference. */
    t = store_topic_new(f->st, "council colours");
    assert_int_equal(store_actions_in_context(f->st, mid, t, &a, &n), 0);
    for (i = 0; i < n; i++)
        assert_null(strstr(a[i].text, "agenda"));
    store_actions_free(a, n);
    store_topic_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decision_by_reference),
        cmocka_unit_test(test_actions_by_reference),
    };

    return cmocka_run_group_tests(tests, setup, chat_fixture_teardown);
}
