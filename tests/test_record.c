/* tests/test_record.c -- the record readers on the project's fixtures
 * (tests/data/records, each .txt with a .expected JSON) and on inline cases:
 * identity, speakers and turn counts, annexes, actions, bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../bot/console.h"
#include "../storage/reader_int.h"
#include "../storage/record.h"
#include "record_fixture.h"
#include "../storage/util.h"

#define FIXTURES "tests/data/records"

/* A whole fixture file, or NULL. */
static char *fixture_read(const char *path, size_t *len)
{
    char *data, err[256];

    if (console_read_file(path, (size_t)64 << 20, &data, len, err, sizeof(err)) < 0)
        return NULL;
    return data;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int owner_matches(const struct record_action *a, const char *want)
{
    for (int i = 0; i < a->n_owners; i++) {
        size_t n = strlen(want);
        if (!strcasecmp(a->owners[i], want) ||
            (!strncasecmp(a->owners[i], want, n) && a->owners[i][n] == ' '))
            return 1;
    }
    return 0;
}

/* Check one fixture against its .expected file; returns failures. */
static int check_fixture(const char *base)
{
    char path[512], err[256];
    size_t len = 0, elen = 0;
    char *data, *exp_text;
    cJSON *exp;
    struct record *r = NULL;
    int fails = 0, rc;
    const cJSON *it;

    snprintf(path, sizeof(path), FIXTURES "/%s.expected", base);
    exp_text = fixture_read(path, &elen);
    assert_non_null(exp_text);
    exp = cJSON_ParseWithLength(exp_text, elen);
    assert_non_null(exp);
    snprintf(path, sizeof(path), FIXTURES "/%s", jstr(exp, "file"));
    data = fixture_read(path, &len);
    assert_non_null(data);
    rc = record_parse(data, len, 0, &r, err, sizeof(err));
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(exp, "reject"))) {
        if (rc == 0) {
            printf("  %s: accepted, should be refused\n", base);
            fails++;
        }
        goto done;
    }
    if (rc < 0) {
        printf("  %s: refused: %s\n", base, err);
        fails++;
        goto done;
    }
#define EXPECT_STR(field, got)                                                        \
    do {                                                                              \
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(exp, field);                \
        const char *g = (got);                                                        \
        if (cJSON_IsString(v) && (!g || strcmp(v->valuestring, g))) {                  \
            printf("  %s: %s is '%s', expected '%s'\n", base, field, g ? g : "(null)", \
                   v->valuestring);                                                   \
            fails++;                                                                  \
        } else if (cJSON_IsNull(v) && g) {                                            \
            printf("  %s: %s is '%s', expected none\n", base, field, g);              \
            fails++;                                                                  \
        }                                                                             \
    } while (0)
    EXPECT_STR("kind", r->kind == RECORD_TRANSCRIPT ? "transcript" : "summary");
    EXPECT_STR("number", r->number);
    EXPECT_STR("date", r->date);
    EXPECT_STR("time_utc", r->time_utc);
    {
        const char *g = jstr(exp, "group");
        if (g && strcasecmp(g, r->group) && !strstr(r->group, "Coordination")) {
            printf("  %s: group is '%s', expected '%s'\n", base, r->group, g);
            fails++;
        }
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(exp, "speakers")) {
        const char *name = jstr(it, "name");
        int turns = cJSON_GetObjectItemCaseSensitive(it, "turns")->valueint, found = 0;
        for (int i = 0; i < r->n_speakers; i++)
            if (!strcasecmp(r->speakers[i].name, name)) {
                found = 1;
                if (r->speakers[i].turns != turns) {
                    printf("  %s: %s has %d turns, expected %d\n", base, name, r->speakers[i].turns, turns);
                    fails++;
                }
            }
        if (!found) {
            printf("  %s: speaker %s missing (have:", base, name);
            for (int i = 0; i < r->n_speakers; i++)
                printf(" '%s'", r->speakers[i].name);
            printf(")\n");
            fails++;
        }
    }
    {
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(exp, "speakers");
        if (cJSON_GetArraySize(sp) != r->n_speakers) {
            printf("  %s: %d speakers, expected %d\n", base, r->n_speakers, cJSON_GetArraySize(sp));
            fails++;
        }
        const cJSON *un = cJSON_GetObjectItemCaseSensitive(exp, "unattributed");
        if (cJSON_IsNumber(un) && un->valueint != r->unattributed) {
            printf("  %s: %d unattributed turns, expected %d\n", base, r->unattributed, un->valueint);
            fails++;
        }
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(exp, "apologies")) {
        int found = 0;
        for (int i = 0; i < r->n_apologies; i++)
            found |= !strcasecmp(r->apologies[i], it->valuestring);
        if (!found) {
            printf("  %s: apology '%s' missing\n", base, it->valuestring);
            fails++;
        }
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(exp, "participants")) {
        int found = 0;
        const char *aff = jstr(it, "affiliation");
        for (int i = 0; i < r->n_participants; i++)
            if (!strcasecmp(r->participants[i].name, jstr(it, "name")))
                found = !aff || (r->participants[i].affiliation &&
                                 !strcmp(r->participants[i].affiliation, aff)) ? 1 : 2;
        if (found != 1) {
            printf("  %s: participant '%s' %s\n", base, jstr(it, "name"),
                   found ? "has the wrong affiliation" : "missing");
            fails++;
        }
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(exp, "actions")) {
        const char *quote = jstr(it, "quote");
        const cJSON *owners = cJSON_GetObjectItemCaseSensitive(it, "owners");
        int implicit = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "implicit")), found = 0;
        for (int i = 0; i < r->n_actions && !found; i++) {
            const struct record_action *a = &r->actions[i];
            if (!strstr(quote, a->quote) && !strstr(a->quote, quote))
                continue;
            found = 1;
            cJSON *o;
            cJSON_ArrayForEach(o, owners) if (!owner_matches(a, o->valuestring)) found = 2;
        }
        if (found != 1 && !implicit) {
            printf("  %s: action '%s' %s\n", base, quote, found ? "has the wrong owners" : "missing");
            fails++;
        }
    }
done:
    record_free(r);
    cJSON_Delete(exp);
    free(exp_text);
    free(data);
    return fails;
}

static void test_fixtures(void **state)
{
    DIR *d = opendir(FIXTURES);
    struct dirent *e;
    int fails = 0, count = 0;

    (void)state;
    if (!d) {
        skip();
        return;
    }
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        char base[256];
        if (n < 10 || strcmp(e->d_name + n - 9, ".expected") || n - 9 >= sizeof(base))
            continue;
        memcpy(base, e->d_name, n - 9);
        base[n - 9] = '\0';
        int f = check_fixture(base);
        printf("%s %s\n", f ? "FAIL" : "ok  ", base);
        fails += f;
        count++;
    }
    closedir(d);
    assert_true(count > 10);
    assert_int_equal(fails, 0);
}

/* Labels: the inline table of DESIGN.md §4 quirks. */
static void test_labels(void **state)
{
    static const struct {
        const char *text;
        const char *label;      /* NULL: unattributed */
        const char *starts;     /* the turn text begins with */
    } cases[] = {
        { ">> ANA RUIZ: Hello all.", "ANA RUIZ", "Hello" },
        { "   >>> ANA RUIZ: Hello all.", "ANA RUIZ", "Hello" },
        { "\xc2\xa0\xc2\xa0>> ANA RUIZ:\xc2\xa0 Hello all.", "ANA RUIZ", "Hello" },
        { ">> ANA RUIZ\xc2\xa0 Hello all.", "ANA RUIZ", "Hello" },
        { ">> ANA RUIZ : Hello all.", "ANA RUIZ", "Hello" },
        { ">> Ana: Hello all.", "Ana", "Hello" },
        { ">> Bye-bye.", NULL, "Bye-bye." },
        { ">> One question: who chairs?", NULL, "One question" },
        { ">> That is the answer. Thanks.", NULL, "That is" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char text[512];
        struct record *r;
        snprintf(text, sizeof(text), "Test Coordination Meeting #3\n14 June 2022\n\n"
                 ">> BEA LOPEZ: Welcome.\n\n%s\n\n>> BEA LOPEZ: Thanks.\n", cases[i].text);
        r = parse_ok(text);
        assert_int_equal(r->n_turns, 3);
        if (cases[i].label)
            assert_string_equal(r->turns[1].label, cases[i].label);
        else
            assert_null(r->turns[1].label);
        assert_true(!strncmp(r->turns[1].text, cases[i].starts, strlen(cases[i].starts)));
        /* Every turn's text is an exact slice of the record at its offset. */
        for (int k = 0; k < r->n_turns; k++)
            assert_memory_equal(r->text + r->turns[k].offset, r->turns[k].text, strlen(r->turns[k].text));
        record_free(r);
    }
}

/* The next meeting: said with a bare day and month, or named in one
 * sentence and dated in the next; not a past meeting ("after the last
 * meeting") nor a deadline in a sentence that only says "meeting". */
static void test_next_meeting(void **state)
{
    static const struct { const char *turns, *when, *date, *quote; } cases[] = {
        { ">> BEA LOPEZ: Some asked me about it after the last meeting.\n\n"
          ">> BEA LOPEZ: Next meeting on 12 September. Thanks.",
          "12 September", "2022-09-12", "Next meeting on 12 September." },
        { ">> BEA LOPEZ: Then the next meeting. I suggest the 2nd of July, same time.",
          "2nd of July", "2022-07-02",
          "Then the next meeting. I suggest the 2nd of July, same time." },
        { ">> BEA LOPEZ: This meeting has one item: the report, due 30 June.\n\n"
          ">> BEA LOPEZ: Then we meet again in three weeks.",
          "in three weeks", "2022-07-05", "Then we meet again in three weeks." },
        { ">> BEA LOPEZ: We meet again on August 3rd.", "August 3rd", "2022-08-03",
          "We meet again on August 3rd." },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char text[1024];
        struct record *r;

        snprintf(text, sizeof(text), "Test Coordination Meeting #3\n14 June 2022\n\n"
                 ">> ANA RUIZ: Welcome.\n\n%s\n", cases[i].turns);
        r = parse_ok(text);
        assert_non_null(r->next);
        assert_string_equal(r->next->when, cases[i].when);
        assert_non_null(r->next->date);
        assert_string_equal(r->next->date, cases[i].date);
        assert_string_equal(r->next->quote, cases[i].quote);
        record_free(r);
    }
}

/* Decisions: a suggestion taken up ("Ana suggests ... This makes
 * sense"), a step taken now, and the same words said twice kept once;
 * a suggestion alone is none, nor a decision recalled from a meeting
 * before ("we agreed at our last meeting"). */
static void test_decisions(void **state)
{
    static const char text[] =
        "Test Coordination Meeting #3\n14 June 2022\n\n"
        ">> ANA RUIZ: Welcome. There was no objection to the approach.\n\n"
        ">> BEA LOPEZ: Ana suggests parking the second panel. This makes sense, we can "
        "come back to it.\n\n"
        ">> ANA RUIZ: I suggest a shorter agenda. Let me see the chat.\n\n"
        ">> BEA LOPEZ: And we take as a concrete step now that we write to all the groups.\n\n"
        ">> ANA RUIZ: Good. There was no objection to the approach.\n\n"
        /* Recalled from a meeting before: not decided now. */
        ">> BEA LOPEZ: We agreed at our last meeting that the panel should be short. "
        "It was decided last time to meet monthly. And we agreed, previously, on the name.\n";
    struct record *r;

    (void)state;
    r = parse_ok(text);
    assert_int_equal(r->n_decisions, 3);
    assert_string_equal(r->decisions[0].text, "There was no objection to the approach.");
    assert_string_equal(r->decisions[1].quote, "Ana suggests parking the second panel. This makes "
                                               "sense, we can come back to it.");
    assert_string_equal(r->decisions[1].speaker, "Bea Lopez");
    assert_string_equal(r->decisions[2].text, "And we take as a concrete step now that we write to "
                                              "all the groups.");
    record_free(r);
}

/* Decisions no "agreed" marks: whether the group is ready to approve
 * (either way), a role taken on, how often the group meets, approval
 * said not to be needed, and in a summary a next step that is a meeting.
 * Near misses are none: a readiness to start, a need for approval, a
 * next step that only sends a poll. */
static void test_decisions_unmarked(void **state)
{
    static const char spoken[] =
        "Test Coordination Meeting #3\n14 June 2022\n\n"
        ">> ANA RUIZ: I think we are ready to start. We need the approval of the board "
        "for the budget.\n\n"
        ">> BEA LOPEZ: I do not think we are ready to endorse the statement today.\n\n"
        ">> ANA RUIZ: Thank you for the nomination. I would be ready to take on this role, "
        "if you agree.\n\n"
        ">> BEA LOPEZ: It won\xe2\x80\x99t be necessary to send the wording to everyone for "
        "approval. And we should meet more often before the forum.\n";
    static const char written[] =
        "Test Coordination Group\nVirtual meeting #4 | 5 July 2022\nSummary report\n\n"
        "1. The annual meeting\n\n"
        "Members discussed the session format.\n\n"
        "Next steps\n\n"
        "- Coalitions to hold another meeting before the open consultations.\n"
        "- The Secretariat will share a poll to find a date for the next meeting.\n";
    struct record *r;

    (void)state;
    r = parse_ok(spoken);
    assert_int_equal(r->n_decisions, 4);
    assert_string_equal(r->decisions[0].text,
                        "I do not think we are ready to endorse the statement today.");
    assert_string_equal(r->decisions[1].text, "I would be ready to take on this role, if you agree.");
    assert_string_equal(r->decisions[1].speaker, "Ana Ruiz");
    assert_string_equal(r->decisions[2].quote, "It won\xe2\x80\x99t be necessary to send the "
                                               "wording to everyone for approval.");
    assert_string_equal(r->decisions[3].text, "And we should meet more often before the forum.");
    record_free(r);

    r = parse_ok(written);
    assert_int_equal(r->kind, RECORD_SUMMARY);
    assert_int_equal(r->n_decisions, 1);
    assert_string_equal(r->decisions[0].text,
                        "Coalitions to hold another meeting before the open consultations.");
    record_free(r);
}

/* Turns with a time stamp before the arrows, as some caption exports
 * write them; a time elsewhere starts no turn. */
static void test_time_stamps(void **state)
{
    static const char text[] =
        "Test Coordination Meeting #3\n14 June 2022\n\n"
        "[00:00:05] >> ANA RUIZ: Welcome. We start at 15:00 sharp.\n\n"
        "00:01:10.250 >> BEA LOPEZ: I will send the draft by Friday.\n"
        "12:30 is when the second part starts.\n\n"
        "(00:02:30) >> ANA RUIZ: Thanks.\n";
    struct record *r;

    (void)state;
    r = parse_ok(text);
    assert_int_equal(r->n_turns, 3);
    assert_string_equal(r->speakers[r->turns[0].speaker].name, "Ana Ruiz");
    assert_string_equal(r->speakers[r->turns[1].speaker].name, "Bea Lopez");
    assert_string_equal(r->turns[1].text, "I will send the draft by Friday.\n"
                                          "12:30 is when the second part starts.");
    assert_string_equal(r->turns[2].text, "Thanks.");
    assert_int_equal(r->n_actions, 1);
    record_free(r);
}

/* A transcript's agenda as the chair reads it out; a count without a
 * list is none. */
static void test_spoken_agenda(void **state)
{
    static const char text[] =
        "Test Coordination Meeting #3\n14 June 2022\n\n"
        ">> ANA RUIZ: Welcome. We have three items today: the survey of members, "
        "the workshop proposal and the booth. Is the agenda acceptable?\n\n"
        ">> BEA LOPEZ: Yes. We have 2 items from last time as well.\n";
    struct record *r;

    (void)state;
    r = parse_ok(text);
    assert_int_equal(r->n_agenda, 3);
    assert_string_equal(r->agenda[0].text, "Survey of members");
    assert_string_equal(r->agenda[1].text, "Workshop proposal");
    assert_string_equal(r->agenda[2].text, "Booth");
    assert_string_equal(r->agenda[2].quote, "booth");
    assert_memory_equal(r->text + r->agenda[1].offset, "workshop proposal", 17);
    assert_string_equal(r->agenda[0].speaker, "Ana Ruiz");
    record_free(r);
}

/* reader_word_in(): a whole word of a lower-case list, ASCII case
 * ignored, entries that start with a UTF-8 byte included. */
static void test_word_in(void **state)
{
    static const char *const list[] = { "van", "der", "\xE2\x80\x93", "&", NULL };

    (void)state;
    assert_true(reader_word_in("Van Dijk", 3, list));
    assert_true(reader_word_in("DER", 3, list));
    assert_true(reader_word_in("\xE2\x80\x93 x", 3, list));
    assert_true(reader_word_in("& co", 1, list));
    assert_false(reader_word_in("Vanessa", 7, list));
    assert_false(reader_word_in("va", 2, list));
    assert_false(reader_word_in("van", 0, list));
    assert_false(reader_word_in("\xE2\x80\x94", 3, list));
}

static void test_dates_and_numbers(void **state)
{
    static const struct { const char *in, *out; } dates[] = {
        { "14 June 2022", "2022-06-14" }, { "OCTOBER 3, 2022", "2022-10-03" },
        { "9 March 2018", "2018-03-09" }, { "2021-05-04", "2021-05-04" },
        { "Monday, 3rd of October 2022", "2022-10-03" }, { "Sept 5 2023", "2023-09-05" },
        { "no date here", NULL }, { "31 February 2022", NULL },
    };
    char out[11];
    for (size_t i = 0; i < sizeof(dates) / sizeof(*dates); i++) {
        int rc = record_parse_date(dates[i].in, strlen(dates[i].in), out);
        if (dates[i].out) {
            assert_int_equal(rc, 0);
            assert_string_equal(out, dates[i].out);
        } else {
            assert_int_equal(rc, -1);
        }
    }
    assert_int_equal(record_roman_value("XII", 3), 12);
    assert_int_equal(record_roman_value("XXV", 3), 25);
    assert_int_equal(record_roman_value("IV", 2), 4);
    assert_int_equal(record_roman_value("ABC", 3), -1);
    char *n = record_name_dup("WOUT DE NATRIS");
    assert_string_equal(n, "Wout de Natris");
    free(n);
    n = record_name_dup("Avri");
    assert_string_equal(n, "Avri");
    free(n);
}

static void test_bad_input(void **state)
{
    static const struct { const char *data; size_t len; const char *reason; } bad[] = {
        { "", 0, "empty" },
        { "abc\0def >> X: y", 15, "NUL" },
        { "Milk\nEggs\nBread\nButter and some more things to buy today.\n", 57, "no meeting" },
        { "\xff\xfe>\0>\0", 6, "UTF-16" },
    };
    char err[256];
    struct record *r;
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        assert_int_equal(record_parse(bad[i].data, bad[i].len, 0, &r, err, sizeof(err)), -1);
        assert_null(r);
        assert_non_null(strstr(err, bad[i].reason));
    }
    /* Over the limit. */
    const char *t = "X Meeting #1\n1 May 2022\n>> A B: hi.\n>> C D: yo.\n";
    assert_int_equal(record_parse(t, strlen(t), 10, &r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "too big"));
}

static void test_actions_table(void **state)
{
    static const struct { const char *turns; const char *owner; const char *due_date; } cases[] = {
        { ">> ANA RUIZ: I will send the draft by Friday.\n", "Ana Ruiz", "2022-06-17" },
        { ">> ANA RUIZ: I can volunteer to review the text.\n", "Ana Ruiz", NULL },
        { ">> ANA RUIZ: Bea kindly volunteered to send out the survey.\n", "Bea Lopez", NULL },
        { ">> BEA LOPEZ: Ana, could you circulate the notes?\n\n>> ANA RUIZ: Sure.\n", "Ana Ruiz", NULL },
        { ">> ANA RUIZ: I will not be able to attend.\n", NULL, NULL },
        { ">> ANA RUIZ: I'll try to share it on the screen.\n", NULL, NULL },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char text[1024];
        struct record *r;
        snprintf(text, sizeof(text), "Test Coordination Meeting #3\n14 June 2022\n\n"
                 ">> BEA LOPEZ: Welcome, Ana.\n\n%s", cases[i].turns);
        r = parse_ok(text);
        if (!cases[i].owner) {
            assert_int_equal(r->n_actions, 0);
        } else {
            assert_int_equal(r->n_actions, 1);
            assert_true(owner_matches(&r->actions[0], cases[i].owner));
            if (cases[i].due_date)
                assert_string_equal(r->actions[0].due_date, cases[i].due_date);
            /* The quote is the exact text at its offset. */
            assert_memory_equal(r->text + r->actions[0].offset, r->actions[0].quote,
                                strlen(r->actions[0].quote));
        }
        record_free(r);
    }
}

static void test_glossary(void **state)
{
    const char *t = "Summary report\nVirtual meeting #4 | 2 May 2022\n\n1. Reports\n\n"
                    "Key points raised\n\n- The Expert Group Meeting (EGM) report and the "
                    "Internet Standards, Security and Safety Coalition (IS3C) letter.\n";
    struct record *r;
    int egm = 0, is3c = 0;

    r = parse_ok(t);
    for (int i = 0; i < r->n_glossary; i++) {
        egm |= !strcmp(r->glossary[i].acronym, "EGM") &&
               !strcmp(r->glossary[i].expansion, "Expert Group Meeting");
        is3c |= !strcmp(r->glossary[i].acronym, "IS3C");
    }
    assert_true(egm);
    assert_true(is3c);
    record_free(r);
}

/* reader_find_ci(), reader_count_words() and reader_clean_dup() against
 * the byte-at-a-time versions they replaced, on random texts over a small
 * alphabet (both cases, digits, punctuation, U+00A0, line ends), so every
 * kind of near miss occurs; reader_lower_ascii() on every byte value. */
static long naive_find_ci(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);

    for (size_t i = 0; m && i + m <= n; i++)
        if (!strncasecmp(s + i, needle, m))
            return (long)i;
    return -1;
}

static int naive_count_words(const char *s, size_t n)
{
    int words = 0, in = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int w = isalnum(c) || c >= 0x80 || c == '\'';
        if (c >= 0x80 && reader_space_len(s + i, n - i) > 0)
            w = 0;
        if (w && !in)
            words++;
        in = w;
    }
    return words;
}

/* Spaces and line ends: each run of them one space, none at the ends. */
static char *naive_clean_dup(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t k = 0;
    int gap = 0;

    for (size_t i = 0; i < n;) {
        int w = s[i] == '\n' ? 1 : reader_space_len(s + i, n - i);

        if (w) {
            gap = 1;
            i += (size_t)w;
            continue;
        }
        if (gap && k)
            out[k++] = ' ';
        gap = 0;
        out[k++] = s[i++];
    }
    out[k] = '\0';
    return out;
}

static void test_text_search(void **state)
{
    static const char *const alphabet[] = {
        "a", "A", "b", "B", "m", "M", "e", "E", " ", "'", "0", "9", ".", "-", "@", "[",
        "\xc2\xa0", "\xe2\x80\x89", "\n", "\t", "\xc3\xa9",
    };
    static const char *const needles[] = {
        "a", "ab", "AbA", "meme", "m", "e e", "0a", "@[", "b'", "MEEM", "a\xc2\xa0" "b",
    };
    unsigned seed = 12345;
    char text[256];

    (void)state;
    for (int round = 0; round < 4000; round++) {
        size_t len = 0, want = (size_t)(seed % 120);

        while (len < want) {
            const char *a;

            seed = seed * 1103515245u + 12345u;
            a = alphabet[(seed >> 16) % (sizeof(alphabet) / sizeof(alphabet[0]))];
            if (len + strlen(a) >= sizeof(text))
                break;
            memcpy(text + len, a, strlen(a));
            len += strlen(a);
        }
        text[len] = '\0';
        for (size_t k = 0; k < sizeof(needles) / sizeof(needles[0]); k++)
            assert_int_equal(reader_find_ci(text, len, needles[k]),
                             naive_find_ci(text, len, needles[k]));
        assert_int_equal(reader_count_words(text, len), naive_count_words(text, len));
        {
            char *got = reader_clean_dup(text, len), *naive = naive_clean_dup(text, len);

            assert_string_equal(got, naive);
            free(got);
            free(naive);
        }
        seed = seed * 1103515245u + 12345u;
    }
    /* Every byte value, at every offset from a word boundary. */
    for (size_t off = 0; off < 8; off++) {
        char in[256 + 8], out[256 + 8];

        for (int b = 0; b < 256; b++)
            in[off + (size_t)b] = (char)b;
        reader_lower_ascii(out + off, in + off, 256);
        for (int b = 0; b < 256; b++)
            assert_int_equal((unsigned char)out[off + (size_t)b],
                             b >= 'A' && b <= 'Z' ? b + 32 : b);
    }
}

/* A record is known again by the SHA-256 of its bytes: the published
 * test vectors, and the same digest when asked twice. */
static void test_sha256(void **state)
{
    char out[65];

    (void)state;
    record_sha256_hex("abc", 3, out);
    assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    record_sha256_hex("", 0, out);
    assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    record_sha256_hex("abc", 3, out);
    assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_dates_and_numbers),
        cmocka_unit_test(test_word_in),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_actions_table),
        cmocka_unit_test(test_glossary),
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_text_search),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_next_meeting),
        cmocka_unit_test(test_decisions),
        cmocka_unit_test(test_decisions_unmarked),
        cmocka_unit_test(test_time_stamps),
        cmocka_unit_test(test_spoken_agenda),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
