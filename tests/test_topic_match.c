/* tests/test_topic_match.c -- query_on_topic(), the test every topic
 * question applies to the items it reads, and store_topic_covers() (every
 * word, not half): a table of cases, then the one-pass scan against a
 * word-by-word reference on random texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"
#include "../storage/store_int.h"

static void test_cases(void **state)
{
    static const struct {
        const char *topic, *text;
        int want;
    } cases[] = {
        /* want: 1 on topic (half the words), 2 also covering every word */
        { "budget", "The Budget was agreed.", 2 },
        { "budget", "the budgets were agreed", 2 },
        { "budgets", "a budget line", 2 },           /* stem: all but the last two */
        { "budget", "the overbudget item", 0 },      /* not at a word start */
        { "budget", "", 0 },
        { "travel fund", "the fund is open", 1 },    /* one of two is half */
        { "travel fund", "the travel funds are open", 2 },
        { "travel fund", "nothing here", 0 },
        { "open mailing archives", "the archives stay open", 1 },
        { "open mailing archives", "the archives", 0 },   /* one of three */
        { "leadership panel review plan", "the panel and the plan", 1 },
        { "leadership panel review plan", "the panel only", 0 },
        { "igf 2022", "at IGF-2022 we met", 2 },
        { "2022", "in 2022.", 2 },
        { "work plan", "WORKSHOP PLANNING", 2 },
        { "work plan", "homework, airplane", 0 },
        { "caf\xc3\xa9 menu", "the CAF\xc3\x89 is closed", 0 },   /* folded, not lowered */
        { "caf\xc3\xa9 menu", "the caf\xc3\xa9 is closed", 1 },
    };
    struct store *st = store_fixture_open_mem();
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct store_topic *t = store_topic_new(st, cases[i].topic);
        int got = query_on_topic(cases[i].text, t);

        if (got + store_topic_covers(t, cases[i].text) != cases[i].want)
            fail_msg("topic '%s', text '%s': %d, want %d", cases[i].topic, cases[i].text, got,
                     cases[i].want);
        /* Asked again: the topic's memo gives the same answer. */
        assert_int_equal(query_on_topic(cases[i].text, t), got);
        store_topic_free(t);
    }
    store_close(st);
}

/* The test as it was written first: each word's stem searched for in
 * the whole text in turn, case aside, at word starts. */
static int reference(const char *text, const char *words, int all)
{
    int hits = 0, n = 0;

    while (*words) {
        size_t tl = strcspn(words, " "), pl, k;
        const char *p;

        if (!tl) {
            words++;
            continue;
        }
        pl = tl <= 5 ? tl : (tl - 2 < 5 ? 5 : tl - 2);
        n++;
        for (p = text; *p; p++) {
            if (p != text && isalnum((unsigned char)p[-1]))
                continue;
            for (k = 0; k < pl && p[k] && tolower((unsigned char)p[k]) == words[k]; k++)
                ;
            if (k == pl) {
                hits++;
                break;
            }
        }
        words += tl;
    }
    return n > 0 && (all ? hits == n : hits * 2 >= n);
}

static void test_against_reference(void **state)
{
    static const char *const vocab[] = {
        "plan", "Planning", "work", "WORKSHOP", "homework", "budget", "budgets", "panel",
        "review", "reviewed", "fund", "travel", "2022", "igf", "open", "reopen", "x",
    };
    static const char *const seps[] = { " ", ", ", "-", ".", "'", "  ", "(", "9" };
    static const char *const topics[] = {
        "plan", "work plan", "budget review", "travel fund open", "panel review plan",
        "igf 2022", "open budget panel work plan", "planning planning",
    };
    struct store *st = store_fixture_open_mem();
    unsigned seed = 12345;
    size_t ti;

    (void)state;
    for (ti = 0; ti < sizeof(topics) / sizeof(topics[0]); ti++) {
        struct store_topic *t = store_topic_new(st, topics[ti]);
        const char *words = store_topic_words(t);
        int round;

        for (round = 0; round < 2000; round++) {
            char text[512] = "";
            int k, nw = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 9;

            for (k = 0; k < nw; k++) {
                seed = seed * 1103515245u + 12345u;
                strcat(text, seps[(seed >> 16) % (sizeof(seps) / sizeof(seps[0]))]);
                seed = seed * 1103515245u + 12345u;
                strcat(text, vocab[(seed >> 16) % (sizeof(vocab) / sizeof(vocab[0]))]);
            }
            if (query_on_topic(text, t) != reference(text, words, 0))
                fail_msg("topic '%s' (words '%s'), text '%s': %d", topics[ti], words, text,
                         query_on_topic(text, t));
            if (store_topic_covers(t, text) != reference(text, words, 1))
                fail_msg("covers: topic '%s' (words '%s'), text '%s': %d", topics[ti], words,
                         text, store_topic_covers(t, text));
        }
        store_topic_free(t);
    }
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_against_reference),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
