/* tests/test_roles.c -- "who chaired": roles from a summary's participant
 * headings, from what was said in a transcript ("thank you, Priya, for
 * chairing", "our co-facilitator, Omar"), and who opened a meeting when
 * nothing names the chair; never a word that is not a person of that
 * meeting. Records are ingested from text like a user's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "chat_fixture.h"

static const char transcript_said[] =
    "RAW FILE\n"
    "RIVER BASIN FORUM\n"
    "MEETING #12\n"
    "4 MARCH 2024\n"
    "\n"
    "   >> PRIYA NAIR:  Good afternoon, everyone, welcome to the twelfth call.  "
    "I see our co-facilitator, Omar, has joined us.  First item is the flood map.\n"
    "   >> OMAR HADDAD:  Thank you, Priya.  The flood map is nearly ready.\n"
    "   >> LENA FISCHER:  Could we share the flood map with the council?\n"
    "   >> PRIYA NAIR:  Yes, Lena, I will send it to the council by Friday.\n"
    "   >> LENA FISCHER:  Thank you very much, Priya, for chairing today.  "
    "And thanks You for the map.\n"
    "   >> PRIYA NAIR:  Thank you all, goodbye.\n";

static const char transcript_silent[] =
    "RAW FILE\n"
    "RIVER BASIN FORUM\n"
    "MEETING #13\n"
    "8 APRIL 2024\n"
    "\n"
    "   >> OMAR HADDAD:  Hello all, let us start with the gauges.\n"
    "   >> LENA FISCHER:  The gauges were installed last week.\n"
    "   >> OMAR HADDAD:  Good.  Next, the budget.\n"
    "   >> LENA FISCHER:  The budget is unchanged.\n"
    "   >> OMAR HADDAD:  Then we are done.  Thank you.\n";

static const char summary_listed[] =
    "River Basin Forum\n"
    "Meeting #14 \xe2\x80\x93 Summary report\n"
    "6 May 2024\n"
    "\n"
    "Key points raised\n"
    "\n"
    "- The flood map was shared with the council.\n"
    "\n"
    "Next steps\n"
    "\n"
    "- The secretariat will circulate the minutes.\n"
    "\n"
    "Coordination facilitators\n"
    "\n"
    "Omar\tHaddad\n"
    "Priya\tNair\n"
    "\n"
    "Participants\n"
    "\n"
    "Lena\tFischer\n";

static int setup(void **state)
{
    static const char *const records[] = {
        transcript_said, transcript_silent, summary_listed, NULL,
    };

    *state = chat_fixture_new(records, "@lena:example.org");
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    chat_fixture_free(*state);
    return 0;
}

static const struct store_role *find_role(const struct store_role *v, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].name, name))
            return &v[i];
    return NULL;
}

static void test_said_in_the_transcript(void **state)
{
    struct chat_fixture *f = *state;
    struct store_role *v = NULL;
    const struct store_role *x;
    int n = 0;

    assert_int_equal(store_meeting_roles(f->st, chat_fixture_meeting(f, "#12"), &v, &n), 0);
    x = find_role(v, n, "Priya Nair");
    assert_non_null(x);
    assert_string_equal(x->role, "chair");
    assert_int_equal(x->source, STORE_ROLE_SAID);
    assert_non_null(strstr(x->quote, "for chairing"));
    assert_string_equal(x->speaker, "Lena Fischer");
    x = find_role(v, n, "Omar Haddad");
    assert_non_null(x);
    assert_string_equal(x->role, "co-facilitator");
    /* the chair comes first; "You" is not a person */
    assert_string_equal(v[0].name, "Priya Nair");
    assert_int_equal(n, 2);
    store_roles_free(v, n);
}

static void test_opened_when_nobody_says(void **state)
{
    struct chat_fixture *f = *state;
    struct store_role *v = NULL;
    int n = 0;

    assert_int_equal(store_meeting_roles(f->st, chat_fixture_meeting(f, "#13"), &v, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].name, "Omar Haddad");
    assert_int_equal(v[0].source, STORE_ROLE_OPENED);
    store_roles_free(v, n);
}

static void test_listed_in_the_summary(void **state)
{
    struct chat_fixture *f = *state;
    struct store_role *v = NULL;
    int n = 0;

    assert_int_equal(store_meeting_roles(f->st, chat_fixture_meeting(f, "#14"), &v, &n), 0);
    assert_non_null(find_role(v, n, "Omar Haddad"));
    assert_non_null(find_role(v, n, "Priya Nair"));
    assert_null(find_role(v, n, "Lena Fischer"));
    assert_int_equal(find_role(v, n, "Priya Nair")->source, STORE_ROLE_LISTED);
    store_roles_free(v, n);
}

static void test_chat_answers(void **state)
{
    struct chat_fixture *f = *state;
    const char *t;

    t = chat_fixture_ask(f, "who chaired the meetings?");
    assert_string_equal(f->r.kind, "roles");
    /* newest first: #14, #13, #12 */
    assert_true(strstr(t, "#14") < strstr(t, "#13"));
    assert_true(strstr(t, "#13") < strstr(t, "#12"));
    assert_non_null(strstr(t, "opened the meeting"));
    {
        char *all = xstrdup(t);

        assert_string_equal(chat_fixture_ask(f, "who chairs the group?"), all);
        free(all);
    }
    t = chat_fixture_ask(f, "who chaired #12");
    assert_non_null(strstr(t, "Priya Nair (chair)"));
    assert_null(strstr(t, "#13"));
    t = chat_fixture_ask(f, "who facilitated #99");
    assert_non_null(strstr(t, "#99"));
    assert_null(strstr(t, "Priya"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_said_in_the_transcript),
        cmocka_unit_test(test_opened_when_nobody_says),
        cmocka_unit_test(test_listed_in_the_summary),
        cmocka_unit_test(test_chat_answers),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
