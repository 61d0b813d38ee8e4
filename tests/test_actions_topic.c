/* tests/test_actions_topic.c -- store_actions() on a topic: the first
 * `limit` actions, read from the rows actions_fts finds (a rare word) or
 * by walking the meetings newest first (a word in more actions than the
 * cap), must be the first `limit` of the whole list, which the query
 * over actions_fts reads with no limit; with a meeting, that meeting's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "fixture_records.h"
#include "../storage/store.h"

#define MEETINGS 100

/* MEETINGS meetings, each with three actions on the budget (over the
 * cap of 250 in all), one in five (every 20th) on the footbridge, and
 * one on neither; every other one done. */
static struct store *loaded(void)
{
    struct store *st = NULL;
    char err[256] = "";
    int i, k;

    assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
    for (i = 0; i < MEETINGS; i++) {
        char seed[32], number[16], date[24], title[64], text[96];
        struct record *r;

        snprintf(seed, sizeof(seed), "topic-%d", i);
        snprintf(number, sizeof(number), "%d", i + 1);
        snprintf(date, sizeof(date), "%04d-%02d-%02d", 2010 + i / 336, i / 28 % 12 + 1,
                 i % 28 + 1);
        snprintf(title, sizeof(title), "Meeting #%d | %s", i + 1, date);
        r = fx_new(RECORD_SUMMARY, seed, "Riverside Committee", number, i + 1, date, title);
        for (k = 0; k < 3; k++) {
            snprintf(text, sizeof(text), "Review the budget lines %d.%d", i + 1, k);
            fx_action(r, k ? "Lee Park" : "Anna Berg", NULL, text, NULL, (i + k) % 2, 0);
        }
        if (i % 20 == 7) {
            snprintf(text, sizeof(text), "Ask the council about the footbridge (%d)", i + 1);
            fx_action(r, "Tom", NULL, text, NULL, 0, 0);
        }
        fx_action(r, "Tom", NULL, "Book the hall", NULL, 0, 0);
        assert_int_equal(store_add_record(st, r, "topic.txt", NULL, 1700000000 + i, NULL, err,
                                          sizeof(err)), 0);
        record_free(r);
    }
    return st;
}

/* The codes of store_actions() as "n: A1 A2 ...". */
static void codes(struct store *st, const struct store_action_filter *f, char *out, size_t len)
{
    struct store_action *v = NULL;
    size_t used;
    int n = 0, i;

    assert_int_equal(store_actions(st, f, &v, &n), 0);
    used = (size_t)snprintf(out, len, "%d:", n);
    for (i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, " %s", v[i].code);
    assert_true(used < len);
    store_actions_free(v, n);
}

/* "n: A1 A2 ..." of the first n codes of `whole` (the same form). */
static void first(const char *whole, int n, char *out, size_t len)
{
    const char *p = strchr(whole, ':') + 1;
    int k;

    for (k = 0; k < n && *p; k++)
        p = strchr(p + 1, ' ') ? strchr(p + 1, ' ') : p + strlen(p);
    snprintf(out, len, "%d:%.*s", k, (int)(p - (strchr(whole, ':') + 1)), strchr(whole, ':') + 1);
}

static void test_topic_limits(void **state)
{
    static const struct {
        const char *topic;
        int status, all;        /* all: how many with no limit */
    } cases[] = {
        { "budget", STORE_ACT_ALL, 3 * MEETINGS },  /* walked */
        { "budget", STORE_ACT_OPEN, 3 * MEETINGS / 2 },
        { "budget", STORE_ACT_DONE, 3 * MEETINGS / 2 },
        { "the budget lines", STORE_ACT_ALL, 3 * MEETINGS },
        { "footbridge", STORE_ACT_ALL, MEETINGS / 20 },  /* read by id */
        { "council footbridge", STORE_ACT_OPEN, MEETINGS / 20 },
        { "footbridge", STORE_ACT_DONE, 0 },
        { "zebra", STORE_ACT_ALL, 0 },
    };
    static const int limits[] = { 1, 2, 6, 40 };
    static char whole[8192], part[8192], want[8192];
    struct store *st = loaded();
    size_t c, l;

    (void)state;
    for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct store_action_filter f = { cases[c].status, 0, 0, NULL, 0, cases[c].topic, 0 };

        codes(st, &f, whole, sizeof(whole));
        first(whole, cases[c].all, want, sizeof(want));
        assert_string_equal(whole, want);
        for (l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
            f.limit = limits[l];
            codes(st, &f, part, sizeof(part));
            first(whole, limits[l], want, sizeof(want));
            assert_string_equal(part, want);
        }
    }
    store_close(st);
}

static void test_topic_in_meeting(void **state)
{
    struct store *st = loaded();
    struct store_action_filter f = { STORE_ACT_ALL, 0, 0, NULL, 0, "footbridge", 6 };
    char out[256];
    int64_t mid = 0;

    (void)state;
    assert_int_equal(store_meeting_find(st, "#8", &mid), 0);
    f.meeting_id = mid;
    codes(st, &f, out, sizeof(out));
    assert_string_equal(out, "1: A32");
    f.topic = "budget";
    f.limit = 2;
    codes(st, &f, out, sizeof(out));
    assert_string_equal(out, "2: A29 A30");
    f.limit = 0;
    codes(st, &f, out, sizeof(out));
    assert_string_equal(out, "3: A29 A30 A31");
    f.topic = "zebra";
    codes(st, &f, out, sizeof(out));
    assert_string_equal(out, "0:");
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topic_limits),
        cmocka_unit_test(test_topic_in_meeting),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
