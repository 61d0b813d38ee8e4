/* tests/test_commands.c -- the chat language against an in-memory store
 * of hand-built records (cmd_fixture.h): which command a message
 * chooses, rendered answers compared as text, hostile questions, HTML
 * escaping, people, and the JSON envelope. The actions are in
 * test_commands_actions.c; meetings named in passing and a meeting's
 * parts in test_commands_meetings.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>
#include <sqlite3.h>

#include "cmd_fixture.h"
#include "fixture_records.h"

static void test_dispatch(void **state)
{
    static const struct { const char *msg, *kind; } cases[] = {
        { "who raised the community garden?", "who_raised" },
        { "!who raised garden", "who_raised" },
        { "Who Brought Up the footbridge", "who_raised" },
        { "scribe: who mentioned the EGM in #5?", "who_raised" },
        { "who pointed out the water", "who_raised" },
        { "raised garden", "who_raised" },
        { "what did Lee Park say about the footbridge?", "said" },
        { "open actions for DC", "actions" },
        { "!actions", "actions" },
        { "my actions", "actions" },
        { "done actions", "actions" },
        { "what are the open actions for Tom", "actions" },
        { "done A1", "action" },
        { "A2 is done", "action" },
        { "reopen A1", "action" },
        { "assign A2 to Anna Berg", "action" },
        { "action Anna Berg: order the seeds", "action" },
        { "what was decided about the garden?", "decisions" },
        { "!decisions #5", "decisions" },
        { "recap", "recap" },
        { "recap #5", "recap" },
        { "meetings", "meetings" },
        { "meetings about the footbridge", "meetings" },
        { "who attended #5?", "attended" },
        { "who sent apologies for #5", "apologies" },
        { "attendance Anna Berg", "attendance" },
        { "iam Lee Park", "iam" },
        { "when is the next meeting?", "next_meeting" },
        { "search footbridge repair", "search" },
        { "help", "help" },
        { "", "help" },
        { "forget #6", "forget" },
        { "what is the meaning of life", "search" },
    };
    struct fixture *f = *state;
    size_t i;

    f->ctx.is_admin = 1;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ask(f, cases[i].msg);
        if (strcmp(f->r.kind, cases[i].kind))
            fail_msg("\"%s\": kind %s, want %s", cases[i].msg, f->r.kind, cases[i].kind);
        assert_true(f->r.text.len > 0);
        assert_true(f->r.html.len > 0);
    }
}

static void test_who_raised_text(void **state)
{
    struct fixture *f = *state;

    assert_string_equal(ask(f, "who raised the community garden?"),
        "community garden \xe2\x80\x94 first raised by:\n"
        " \xe2\x80\xa2 #5 (10 Jan 2023) Tom Quist: \xe2\x80\x9cI want to raise the community garden: "
        "the council offers a plot by the river for a community garden if we apply before "
        "March.\xe2\x80\x9d \xe2\x80\x94 also Anna Berg \xe2\x80\x94 also in the #5 summary report "
        "(no speaker named)\n");
    assert_string_equal(ask(f, "who raised the budget committee?"),
        "Nobody raised \"budget committee\" in the 2 meetings I hold (#6, #5). "
        "Try: search budget committee\n");
    assert_string_equal(ask(f, "who raised"),
        "Who raised what? Name a topic, for example: who raised the Global Digital Compact?\n");
}

/* A topic with a word no record has: the answer says so, and that it is
 * about the other words, before showing what they matched. */
static void test_unknown_word_said(void **state)
{
    static const char raised[] =
        "No record mentions \"zorblax\": this is about \"community garden\".\n"
        "zorblax community garden \xe2\x80\x94 first raised by:\n";
    static const char search[] = "No record mentions \"zorblax\": this is about \"garden\".\n";
    struct fixture *f = *state;
    const char *a;

    a = ask(f, "who raised the zorblax community garden?");
    if (strncmp(a, raised, strlen(raised)))
        fail_msg("who raised: %s", a);
    a = ask(f, "what was decided about the zorblax garden plot?");
    if (!strstr(a, "No record mentions \"zorblax\": this is about \"garden plot\".\n"
                   "Decided about \"the zorblax garden plot\":") ||
        !strstr(a, "Apply for the community garden plot"))
        fail_msg("decisions: %s", a);
    a = ask(f, "search zorblax garden");
    if (strncmp(a, search, strlen(search)))
        fail_msg("search: %s", a);
    /* Every word known, or none: no such line. */
    a = ask(f, "what was decided about the garden plot?");
    assert_null(strstr(a, "No record mentions"));
    a = ask(f, "search zorblax");
    assert_null(strstr(a, "this is about"));
    /* Nothing found, one word unknown: said after, as a possible typo. */
    assert_string_equal(ask(f, "who raised the zorblax committee?"),
        "Nobody raised \"zorblax committee\" in the 2 meetings I hold (#6, #5). "
        "Try: search zorblax committee\nNo record mentions \"zorblax\".\n");
}

static void test_hostile(void **state)
{
    static const char *const msgs[] = {
        "who raised \"", "who raised \"\"\"garden", "who raised (garden OR river) AND NOT x",
        "who raised garden*", "who raised NEAR(a b)", "who raised '); DROP TABLE meetings; --",
        "search AND OR NOT NEAR", "search *", "what did \" say about \"", "recap '; DELETE",
        "actions for <script>", "who attended #999999999999999999999", "done A999999999999999",
        "who raised \xff\xfe\xfd", "assign A1 to", "action : ", "iam", "attendance",
        "who raised the garden in #", "recap MAG XXXXXXXXXXXXXXXXXXXXXXX",
    };
    struct fixture *f = *state;
    char *big = xmalloc(3100);
    size_t i;

    for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        ask(f, msgs[i]);
        assert_true(f->r.text.len > 0);
    }
    memcpy(big, "who raised ", 11);
    for (i = 11; i < 3011; i++)
        big[i] = "garden ( \" * OR "[i % 16];
    big[3011] = '\0';
    ask(f, big);
    assert_true(f->r.text.len > 0);
    free(big);
    assert_int_equal(store_meeting_count(f->st), 2);
}

static void test_html_escaping(void **state)
{
    struct fixture *f = *state;

    ask(f, "who raised the footbridge budget");
    assert_null(strstr(f->r.html.data, "<script>"));
    assert_non_null(strstr(f->r.html.data, "&lt;script&gt;"));
    /* The plain text keeps the characters as written. */
    assert_non_null(strstr(f->r.text.data, "<script>"));
    ask(f, "recap #6");
    assert_null(strstr(f->r.html.data, "<script>"));
    ask(f, "search footbridge");
    assert_null(strstr(f->r.html.data, "<script>"));
    assert_null(strstr(f->r.html.data, "\"quote\""));
}

static void test_recap(void **state)
{
    struct fixture *f = *state;
    const char *t = ask(f, "recap #5");

    assert_non_null(strstr(t, "Recap \xe2\x80\x94 Riverside Committee Meeting #5 \xc2\xb7 Tue 10 Jan 2023 \xc2\xb7 18:00 UTC\n"));
    assert_non_null(strstr(t, "Chair: Anna Berg"));
    assert_non_null(strstr(t, "apologies: Kim Olsen"));
    assert_non_null(strstr(t, "Spoke (3): "));
    assert_non_null(strstr(t, " 1. Community garden\n"));
    assert_non_null(strstr(t, "Decided\n"));
    assert_non_null(strstr(t, " A1 Tom Quist \xe2\x80\x94 Write the application for the community garden\n"));
    assert_non_null(strstr(t, "Next meeting: in two weeks \xe2\x80\x94 Tue 24 Jan 2023"));
    t = ask(f, "recap #6");
    assert_non_null(strstr(t, "no date in the record \xe2\x80\x94 posted 14 Nov 2023"));
}

static void test_people_and_next(void **state)
{
    struct fixture *f = *state;
    const char *t;

    t = ask(f, "who attended #5");
    assert_non_null(strstr(t, "Tom Quist (Garden Club)"));
    assert_same(f, "how many people attended #5?", t);
    /* Everyone, by the meetings they attended: Anna was at both. */
    {
        char *all = xstrdup(ask(f, "who attends most?"));

        assert_string_equal(f->r.kind, "people");
        assert_non_null(strstr(all, "people in my records, by the meetings they attended (of 2):\n"
                                    " \u2022 Anna Berg \u2014 2\n"));
        assert_non_null(strstr(all, " \u2022 Tom Quist \u2014 1\n"));
        assert_same(f, "who are the members?", all);
        free(all);
        ask(f, "people who spoke about the footbridge");
        assert_string_not_equal(f->r.kind, "people");
    }
    t = ask(f, "who attended #5 but not #6?");
    assert_string_equal(t, "At #5 but not at #6:\n \u2022 Tom Quist (Garden Club)\n \u2022 Lee Park\n");
    assert_null(strstr(t, "Anna Berg"));          /* at both */
    assert_same(f, "who was at #5, not at #6", t);
    t = ask(f, "who attended #6 and not #5");
    assert_string_equal(t, "At #6 but not at #5:\n \u2022 Eve <script>alert(1)</script>\n");
    t = ask(f, "who attended #5 but not #5");
    assert_string_equal(t, "At #5 but not at #5:\n"
                           "Nobody: everyone recorded there is at the others too.\n");
    t = ask(f, "who sent apologies for #5");
    assert_string_equal(t, "Apologies for #5 (10 Jan 2023): Kim Olsen\n");
    assert_same(f, "who missed #5?", t);
    assert_same(f, "who was missing from #5", t);
    /* Where someone was, asked as people ask it; not for a topic. */
    {
        char *want = xstrdup(ask(f, "attendance Lee Park"));

        assert_non_null(strstr(want, "Lee Park attended"));
        assert_string_equal(ask(f, "when did Lee last attend?"), want);
        assert_string_equal(ask(f, "how often did Lee Park attend?"), want);
        assert_string_equal(ask(f, "how many meetings did Lee attend?"), want);
        free(want);
        ask(f, "when did the footbridge come");
        assert_string_not_equal(f->r.kind, "attendance");
    }
    /* What someone is doing: their open actions. */
    {
        char *want = xstrdup(ask(f, "open actions for Lee"));

        assert_non_null(strstr(want, "Open actions for Lee Park (1)"));
        assert_string_equal(ask(f, "what's Lee working on?"), want);
        assert_string_equal(ask(f, "what is Lee Park doing?"), want);
        assert_string_equal(ask(f, "what has Lee got to do?"), want);
        free(want);
    }
    t = ask(f, "when is the next meeting?");
    assert_non_null(strstr(t, "Tue 24 Jan 2023"));
    assert_same(f, "is there a meeting next week?", t);
    assert_same(f, "where is the next meeting?", t);
    t = ask(f, "what did Lee say about the footbridge?");
    assert_non_null(strstr(t, "Lee Park on \"the footbridge\":"));
    t = ask(f, "what did Nobody Atall say about the footbridge?");
    assert_non_null(strstr(t, "I know nobody called \"Nobody Atall\" in my records.\n"
                              "Found in my records (\"footbridge\"):\n"));
    t = ask(f, "what was decided about the garden");
    assert_non_null(strstr(t, "Apply for the community garden plot (Anna Berg)"));
    assert_same(f, "which decisions were about the garden?", t);
    assert_same(f, "list decisions", ask(f, "decisions"));
    assert_non_null(strstr(f->r.text.data, "Apply for the community garden plot"));
    assert_same(f, "show me the decisions from #5", ask(f, "decisions #5"));
    /* "anything about X?" is a search for X alone */
    assert_same(f, "anything about the footbridge?", ask(f, "search the footbridge"));
    assert_non_null(strstr(f->r.text.data, "Found in my records"));
    assert_same(f, "is there anything on the footbridge", ask(f, "search the footbridge"));
    t = ask(f, "recap #77");
    assert_string_equal(t, "I have no meeting \"#77\". Try: meetings\n");
}

/* Decisions on a topic of several words: those that carry every word
 * of it come first and alone ("the fence report" is not any report); with
 * none, those that carry enough of the words. */
static void test_decisions_every_word(void **state)
{
    static const char text[] =
        "Riverside Committee Meeting #7\n14 March 2023\n\n"
        ">> LEE PARK: We agreed to publish the annual report in May.\n\n"
        ">> ANNA BERG: It was agreed that the budget report goes to the council.\n\n"
        ">> LEE PARK: It was agreed that the fence report waits for the survey.\n";
    struct fixture *f = *state;
    const char *t;

    cmd_fixture_add_text(f, text);
    t = ask(f, "what was decided about the fence report?");
    assert_non_null(strstr(t, "the fence report waits for the survey"));
    assert_null(strstr(t, "annual report"));
    assert_null(strstr(t, "budget report"));
    /* No decision carries both words: those with one of them. */
    t = ask(f, "what was decided about the quarterly report?");
    assert_non_null(strstr(t, "annual report"));
    assert_non_null(strstr(t, "budget report"));
}

/* A meeting named before the topic, other lists asked for with the
 * decisions, and a meeting that decided nothing. */
static void test_decisions_meeting_first(void **state)
{
    static const char *const texts[] = {
        "Riverside Committee Meeting #7\n14 March 2023\n\n"
        ">> LEE PARK: It was agreed that the fence is painted green.\n\n"
        ">> ANNA BERG: We agreed to move the budget vote to April.\n",
        "Riverside Committee Meeting #8\n11 April 2023\n\n"
        ">> LEE PARK: It was agreed that the budget passes as drafted.\n\n"
        ">> ANNA BERG: I will write to the council about the fence.\n",
        "Riverside Committee Meeting #9\n9 May 2023\n\n"
        ">> LEE PARK: Welcome. We only had updates this time.\n\n"
        ">> ANNA BERG: Thank you, nothing more from me.\n",
    };
    struct fixture *f = *state;
    const char *t;
    size_t i;

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        cmd_fixture_add_text(f, texts[i]);
    t = ask(f, "what was decided at #7 about the fence?");
    assert_non_null(strstr(t, "Decided about \"the fence\""));
    assert_non_null(strstr(t, "painted green"));
    assert_null(strstr(t, "budget"));
    t = ask(f, "what decisions were made at meeting 8 about the budget?");
    assert_non_null(strstr(t, "passes as drafted"));
    assert_null(strstr(t, "April"));
    t = ask(f, "what was decided at #8 about the fence?");
    assert_non_null(strstr(t, "I found no decision about \"the fence\" at #8"));
    t = ask(f, "decisions and next steps about the fence");
    assert_non_null(strstr(t, "painted green"));
    assert_non_null(strstr(t, "Write to the council about the fence"));
    t = ask(f, "what decisions were made at #9?");
    assert_non_null(strstr(t, "No decision is recorded for #9"));
    /* "on" inside a topic is not a meeting. */
    t = ask(f, "what was decided about the vote on the budget?");
    assert_non_null(strstr(t, "the vote on the budget"));
}

/* Key points and actions on a topic of several words: those that carry
 * every word, when any does ("the harbour standard" is not "the river
 * standard"), as for the decisions. */
static void test_related_every_word(void **state)
{
    static const char text[] =
        "Riverside Committee\nMeeting #7 | 14 March 2023\n\nSummary report\n\n"
        "1. Standards\n\n"
        "Key points raised\n\n"
        "- Members stressed that the harbour standard must stay open to every club.\n"
        "- The river standard was seen as too costly for small clubs.\n"
        "- The harbour standard needs a second reading in the autumn.\n"
        "- Members asked that the harbour standard be translated into Welsh.\n"
        "- It was agreed that the harbour standard is adopted as a draft.\n\n"
        "Next steps\n\n"
        "- Ana Ruiz to send the river standard draft to the list.\n"
        "- Ben Otto to circulate the harbour standard questions to the clubs.\n";
    struct fixture *f = *state;
    const char *t, *harbour, *river;

    cmd_fixture_add_text(f, text);
    t = ask(f, "what was decided about the harbour standard?");
    assert_non_null(strstr(t, "adopted as a draft"));
    assert_non_null(strstr(t, "second reading"));
    assert_non_null(strstr(t, "translated into Welsh"));
    assert_null(strstr(t, "too costly"));
    harbour = strstr(t, "harbour standard questions");
    river = strstr(t, "river standard draft");
    assert_non_null(harbour);
    assert_null(river);
    /* With no action that carries every word, those with half of them. */
    t = ask(f, "what was decided about the river crossing?");
    assert_non_null(strstr(t, "river standard draft"));
}

/* Small talk and short questions people ask in a room. */
static void test_conversation(void **state)
{
    struct fixture *f = *state;
    char *want;
    const char *t;

    assert_string_equal(ask(f, "when was the last meeting?"),
                        "#6 has no date in its record; it was posted on 14 Nov 2023 "
                        "(Riverside Committee Meeting #6). Ask me: recap #6\n");
    assert_string_equal(ask(f, "when was #5?"),
                        "#5 was on Tue 10 Jan 2023, 18:00 UTC (Riverside Committee Meeting #5). "
                        "Ask me: recap #5\n");
    assert_non_null(strstr(ask(f, "when was the footbridge discussed"), "Meetings about"));
    assert_non_null(strstr(ask(f, "how many meetings do you have?"), "Meetings I hold (2)"));
    assert_non_null(strstr(ask(f, "what meetings do you have?"), "Meetings I hold (2)"));
    want = xstrdup(ask(f, "when was the last meeting?"));
    assert_string_equal(ask(f, "when did we last meet?"), want);
    free(want);
    /* "how many" is not part of what is looked for. */
    t = ask(f, "how many footbridge repairs were there?");
    assert_non_null(strstr(t, "my records say this about \"footbridge repairs\":"));
    /* A span of time is the meetings dated in it (#6 has no date), not a
     * topic. */
    t = ask(f, "meetings in 2023");
    assert_non_null(strstr(t, "Meetings in 2023 (1), newest first:\n \u2022 #5 \u00b7 10 Jan 2023"));
    assert_null(strstr(t, "#6"));
    assert_non_null(strstr(ask(f, "which meetings were held in January?"), "Meetings in January (1)"));
    assert_non_null(strstr(ask(f, "how many meetings in Jan 2023?"), "Meetings in January 2023 (1)"));
    assert_string_equal(ask(f, "meetings in 2021"),
                        "I hold no meeting dated in 2021. See them all with: meetings\n");
    /* ... also named from today (14 Nov 2023): #5 is this year's. */
    assert_non_null(strstr(ask(f, "meetings this year"), "Meetings in 2023 (1)"));
    assert_non_null(strstr(ask(f, "how many meetings this year?"), "Meetings in 2023 (1)"));
    assert_string_equal(ask(f, "which meetings were held last year?"),
                        "I hold no meeting dated in 2022. See them all with: meetings\n");
    assert_string_equal(ask(f, "meetings last month"),
                        "I hold no meeting dated in October 2023. See them all with: meetings\n");
    /* Catching up: the latest meeting's recap, or the one named. */
    want = xstrdup(ask(f, "recap"));
    assert_string_equal(ask(f, "what did I miss?"), want);
    assert_string_equal(ask(f, "tldr"), want);
    assert_string_equal(ask(f, "catch me up"), want);
    free(want);
    want = xstrdup(ask(f, "recap #5"));
    assert_string_equal(ask(f, "what did I miss at #5?"), want);
    free(want);
    /* Where a topic stands: what was decided and done on it; with none
     * of that, what was said of it last. */
    t = ask(f, "where are we on the footbridge?");
    assert_string_equal(f->r.kind, "decisions");
    assert_non_null(strstr(t, "A2 Lee Park"));
    t = ask(f, "what's the latest on water?");
    assert_non_null(strstr(t, "I found no decision about \"water\".\nFound in my records (\"water\"):\n"));
    assert_non_null(strstr(t, "The garden needs water."));
    t = ask(f, "what was decided about water?");
    assert_non_null(strstr(t, "Try: search water"));
    t = ask(f, "what happened last time?");
    assert_string_equal(f->r.kind, "recap");
    assert_non_null(strstr(t, "Meeting #6"));
    want = xstrdup(ask(f, "when is the next meeting?"));
    assert_string_equal(ask(f, "remind me of the next meeting"), want);
    free(want);
    t = ask(f, "is A1 done?");
    assert_string_equal(f->r.kind, "action");
    assert_non_null(strstr(t, "A1 \u2014 Write the application for the community garden"));
    t = ask(f, "who is Lee Park?");
    assert_string_equal(f->r.kind, "attendance");
    assert_non_null(strstr(t, "Lee Park attended 1 meeting:\n \u2022 #5 (10 Jan 2023) \u2014 spoke 2 "
                              "times"));
    assert_non_null(strstr(t, "Open actions: 1 \u2014 ask: actions for Lee Park\n"));
    t = ask(f, "who is the treasurer?");
    assert_string_not_equal(f->r.kind, "attendance");
    assert_string_equal(ask(f, "Thank you, scribe!"), "You're welcome.\n");
    assert_non_null(strstr(ask(f, "hello"), "Hello! I keep this group's meeting records."));
    t = ask(f, "help");
    assert_null(strstr(t, "(null)"));
    assert_null(strstr(t, "welcome"));
}

/* The chat answer is the same whether or not the structured results are
 * asked for (chat and console never ask: the commands then skip them),
 * and a JSON answer carries one result per row it shows. */
static void test_results_only_for_json(void **state)
{
    struct fixture *f = *state;
    static const char *const qs[] = {
        "who raised the community garden?", "what was decided about the garden",
        "search footbridge", "what did Lee say about the footbridge?", "open actions",
        "who has the most open actions?", "what does EGM stand for?",
    };
    size_t i;

    for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        char *text, *html;
        cJSON *o, *res;

        f->ctx.want_json = 0;
        text = xstrdup(ask(f, qs[i]));
        html = xstrdup(f->r.html.data);
        assert_int_equal(f->r.json.len, 0);
        f->ctx.want_json = 1;
        assert_string_equal(ask(f, qs[i]), text);
        assert_string_equal(f->r.html.data, html);
        o = cJSON_Parse(f->r.json.data);
        assert_non_null(o);
        res = cJSON_GetObjectItem(o, "results");
        assert_true(cJSON_GetArraySize(res) > 0);
        cJSON_Delete(o);
        free(text);
        free(html);
    }
    f->ctx.want_json = 0;
}

static void test_json(void **state)
{
    struct fixture *f = *state;
    cJSON *o, *res, *first;

    f->ctx.want_json = 1;
    ask(f, "who raised the community garden?");
    o = cJSON_Parse(f->r.json.data);
    assert_non_null(o);
    assert_string_equal(cJSON_GetObjectItem(o, "kind")->valuestring, "who_raised");
    assert_string_equal(cJSON_GetObjectItem(o, "question")->valuestring, "who raised the community garden?");
    assert_string_equal(cJSON_GetObjectItem(o, "answer")->valuestring, f->r.text.data);
    assert_string_equal(cJSON_GetObjectItem(o, "html")->valuestring, f->r.html.data);
    res = cJSON_GetObjectItem(o, "results");
    assert_true(cJSON_IsArray(res));
    first = cJSON_GetArrayItem(res, 0);
    assert_string_equal(cJSON_GetObjectItem(first, "speaker")->valuestring, "Tom Quist");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(first, "first")));
    assert_int_equal(cJSON_GetObjectItem(first, "mentions")->valueint, 2);
    assert_string_equal(cJSON_GetObjectItem(first, "meeting")->valuestring, "#5");
    cJSON_Delete(o);

    ask(f, "open actions");
    o = cJSON_Parse(f->r.json.data);
    res = cJSON_GetObjectItem(o, "results");
    assert_int_equal(cJSON_GetArraySize(res), 4);
    first = cJSON_GetArrayItem(res, 0);
    assert_non_null(cJSON_GetObjectItem(first, "owners"));
    assert_non_null(cJSON_GetObjectItem(first, "due_date"));
    assert_string_equal(cJSON_GetObjectItem(first, "status")->valuestring, "open");
    cJSON_Delete(o);
    f->ctx.want_json = 0;
}

static void test_export(void **state)
{
    struct fixture *f = *state;
    struct buf b;
    char err[128];
    cJSON *o, *m, *spk;

    buf_init(&b);
    assert_int_equal(commands_export_json(f->st, NULL, &b, err, sizeof(err)), 0);
    o = cJSON_Parse(b.data);
    assert_non_null(o);
    m = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "meetings"), 0);
    assert_string_equal(cJSON_GetObjectItem(m, "number")->valuestring, "5");
    assert_int_equal(cJSON_GetObjectItem(m, "number_value")->valueint, 5);
    assert_string_equal(cJSON_GetObjectItem(m, "date")->valuestring, "2023-01-10");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m, "records")), 2);
    spk = cJSON_GetObjectItem(m, "speakers");
    assert_int_equal(cJSON_GetArraySize(spk), 3);
    assert_non_null(cJSON_GetObjectItem(m, "next_meeting"));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "meetings"), 1), "date")));
    cJSON_Delete(o);
    buf_reset(&b);
    assert_int_equal(commands_export_json(f->st, "#404", &b, err, sizeof(err)), -2);
    buf_release(&b);
}

/* "what does EGM stand for?": the acronyms the records spell out, both
 * ways; "what is X" only for a term the glossary has. */
static void test_glossary(void **state)
{
    struct fixture *f = *state;
    const char *t;

    t = ask(f, "what is EGM?");
    assert_string_equal(f->r.kind, "glossary");
    assert_string_equal(t, "EGM stands for Expert Group Meeting.\nAsk me: who raised EGM\n");
    assert_same(f, "what does egm stand for?", t);
    assert_same(f, "what does the EGM mean", t);
    t = ask(f, "what is the Expert Group Meeting?");
    assert_string_equal(t, "Expert Group Meeting goes by EGM.\n"
                           "Ask me: who raised Expert Group Meeting\n");
    t = ask(f, "what does XYZ stand for?");
    assert_string_equal(t, "My records never spell out \"XYZ\". Try: search XYZ\n");
    ask(f, "what is the footbridge?");
    assert_string_not_equal(f->r.kind, "glossary");
}

/* Getting ready to answer (what the bot does at start) prepares the
 * statements of the common answers, changes nothing a user could see,
 * leaves no transaction open and keeps no answer: every answer after it
 * is what it was before. */
static int count_prepared(struct store *st)
{
    int n = 0;

    for (sqlite3_stmt *s = sqlite3_next_stmt(store_sqlite(st), NULL); s;
         s = sqlite3_next_stmt(store_sqlite(st), s))
        n++;
    return n;
}

static void test_warm_up(void **state)
{
    struct fixture *f = *state;
    static const char *const qs[] = { "open actions", "who raised the budget?",
                                      "recap", "what was decided about the budget?" };
    char *before[4];
    struct store *empty;
    char err[256];
    int prepared, changes;
    size_t i;

    assert_int_equal(store_open(&empty, ":memory:", err, sizeof(err)), 0);
    assert_int_equal(commands_warm_up(empty, 1700000500), 0);
    store_close(empty);

    for (i = 0; i < 4; i++)
        before[i] = xstrdup(ask(f, qs[i]));
    store_close(f->st);
    assert_int_equal(store_open(&f->st, ":memory:", err, sizeof(err)), 0);
    f->ctx.st = f->st;
    {
        struct record *recs[3] = { fx_transcript5(), fx_summary5(), fx_transcript6() };

        for (i = 0; i < 3; i++) {
            assert_int_equal(store_add_record(f->st, recs[i], NULL, NULL, 1700000000, NULL,
                                              err, sizeof(err)), 0);
            record_free(recs[i]);
        }
    }
    prepared = count_prepared(f->st);
    changes = sqlite3_total_changes(store_sqlite(f->st));
    assert_int_equal(commands_warm_up(f->st, 1700000500), 0);
    assert_true(count_prepared(f->st) > prepared + 10);
    assert_int_equal(sqlite3_total_changes(store_sqlite(f->st)), changes);
    assert_true(sqlite3_get_autocommit(store_sqlite(f->st)));
    for (i = 0; i < 4; i++) {
        assert_string_equal(ask(f, qs[i]), before[i]);
        free(before[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dispatch, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_who_raised_text, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_decisions_every_word, cmd_fixture_setup,
                                        cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_decisions_meeting_first, cmd_fixture_setup,
                                        cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_word_said, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_hostile, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_html_escaping, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_recap, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_people_and_next, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_conversation, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_related_every_word, cmd_fixture_setup,
                                        cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_json, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_results_only_for_json, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_export, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_glossary, cmd_fixture_setup, cmd_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_warm_up, cmd_fixture_setup, cmd_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
