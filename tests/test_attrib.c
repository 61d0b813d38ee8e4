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

#include "../commands/commands.h"
#include "../storage/record.h"
#include "../storage/store.h"

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

struct fixture {
    struct store *st;
    struct cmd_ctx ctx;
    struct cmd_reply r;
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    char err[256] = "";

    if (store_open(&f->st, ":memory:", err, sizeof(err)) < 0)
        return -1;
    if (store_ingest(f->st, transcript, strlen(transcript), RECORD_MAX_BYTES_DEFAULT, NULL, NULL,
                     1700000000, NULL, err, sizeof(err)) != 0)
        return -1;
    f->ctx.st = f->st;
    f->ctx.user = "@lena:example.org";
    f->ctx.now = 1700000500;
    f->ctx.max_record_bytes = RECORD_MAX_BYTES_DEFAULT;
    f->ctx.want_json = 1;
    cmd_reply_init(&f->r);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    cmd_reply_release(&f->r);
    store_close(f->st);
    free(f);
    return 0;
}

static const char *ask(struct fixture *f, const char *msg)
{
    cmd_reply_release(&f->r);
    cmd_reply_init(&f->r);
    assert_int_equal(commands_answer(&f->ctx, msg, &f->r), 0);
    return f->r.text.data;
}

/* The first line of the answer for the meeting: "• #21 (...) NAME ...". */
static void assert_first(const char *text, const char *name)
{
    const char *bullet = strstr(text, "\u2022");

    assert_non_null(bullet);
    assert_non_null(strstr(bullet, name));
    assert_true(strstr(bullet, name) < strchr(bullet, ':'));
}

static void test_given_the_floor(void **state)
{
    struct fixture *f = *state;
    const char *t = ask(f, "who asked about the status of the flood barrier budget?");

    assert_first(t, "Omar Haddad");
    assert_non_null(strstr(t, "given the floor"));
    assert_non_null(strstr(f->r.json.data, "\"note\""));
}

static void test_credited_by_name(void **state)
{
    struct fixture *f = *state;
    const char *t = ask(f, "who suggested moving the gauges upstream?");

    assert_first(t, "Lena Fischer");
    assert_non_null(strstr(t, "as Priya Nair put it"));
}

static void test_picking_up_keeps_the_speaker(void **state)
{
    struct fixture *f = *state;
    const char *t = ask(f, "who raised the old batteries?");

    assert_first(t, "Tomas Berg");
    assert_null(strstr(t, "put it"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_given_the_floor),
        cmocka_unit_test(test_credited_by_name),
        cmocka_unit_test(test_picking_up_keeps_the_speaker),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
