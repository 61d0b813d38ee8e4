/* tests/test_record_layouts.c -- the record readers on layouts people
 * write records in besides the captioner's and the report's own: what
 * makes a summary (its headings, not their words in a chat message), a
 * "Decisions" list, minutes with a "Present:" line and a time range,
 * Markdown notes, a transcript of "Name: text" lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../storage/record.h"
#include "record_fixture.h"

/* A summary is known by its headings, not by their words in a sentence:
 * chat messages that talk about decisions, the agenda or the minutes of a
 * meeting are not records, nor is a document about records; headings in
 * the forms summaries number them are. */
static void test_summary_headings(void **state)
{
    static const char *not_records[] = {
        "scribe, what decisions were made on the agenda at the meeting of 3 May?",
        "Hi all, the minutes of the March meeting are attached. Participants please check "
        "your names. Apologies from Sam.",
        "Hi all,\n\nthe minutes of Tuesday's meeting are in the drive. Please look at the\n"
        "next steps before the meeting on 10 October. Apologies from Diego.\n\nThanks, Ruth\n",
        "# Example records\n\nThree meeting records written for the project: a summary report\n"
        "with key points, next steps and a participants table; a transcript with decisions.\n"
        "Meeting #14 and meeting #15.\n",
    };
    static const char *records[] = {
        "Open Standards Coordination Group\nMeeting #3, 2 May 2023\n\nKey points raised\n"
        "- Ana presented the survey.\n\nNext steps\n- Ana will circulate it.\n",
        "Open Standards Coordination Group\nMeeting #3, 2 May 2023\n\n"
        "2. Key points raised\nAna presented the survey.\n\nIV. Next steps\nAna will circulate it.\n",
        "Open Standards Coordination Group\nMeeting #3, 2 May 2023\n\n"
        "1. Survey\nThe survey goes out in June and the group will use it.\n\n"
        "(b) Apologies: Sam.\n\n\xE2\x80\xA2 Decisions\n- The survey goes out in June.\n",
    };
    char err[256];
    struct record *r;

    (void)state;
    for (size_t i = 0; i < sizeof(not_records) / sizeof(*not_records); i++) {
        assert_int_equal(record_looks_like(not_records[i], strlen(not_records[i])), 0);
        assert_int_equal(record_parse(not_records[i], strlen(not_records[i]), 0, &r, err,
                                      sizeof(err)), -1);
        assert_non_null(strstr(err, "no meeting record"));
    }
    for (size_t i = 0; i < sizeof(records) / sizeof(*records); i++) {
        assert_int_equal(record_looks_like(records[i], strlen(records[i])), 1);
        assert_int_equal(record_parse(records[i], strlen(records[i]), 0, &r, err, sizeof(err)), 0);
        assert_int_equal(r->kind, RECORD_SUMMARY);
        record_free(r);
    }
}

/* A summary's "Decisions" list: each bullet is one decision, with its
 * own words; the paragraph after the list is not one, nor a bullet
 * under another heading. */
static void test_decisions_heading(void **state)
{
    static const char text[] =
        "Garden Committee\nMeeting #4, 2 May 2023\nSummary report\n\n"
        "1. Compost\nMembers compared three suppliers of compost bins at some length.\n\n"
        "Decisions taken:\n"
        "- The committee buys two bins from the local supplier. It was agreed to pay on delivery.\n"
        "- The open day is held on 10 June.\n\n"
        "The meeting ended with thanks to the hosts of the garden.\n\n"
        "Next steps\n- Ana to order the bins by Friday.\n";
    struct record *r;

    (void)state;
    r = parse_ok(text);
    assert_int_equal(r->n_decisions, 2);
    assert_string_equal(r->decisions[0].text, "The committee buys two bins from the local "
                                              "supplier. It was agreed to pay on delivery.");
    assert_string_equal(r->decisions[1].text, "The open day is held on 10 June.");
    assert_string_equal(r->decisions[1].quote, "The open day is held on 10 June.");
    record_free(r);
}

/* A minutes layout: who was there on one "Present:" line (a role in
 * brackets), a time range, and actions owned by first names. */
static void test_minutes_layout(void **state)
{
    static const char text[] =
        "Garden Committee\nMinutes of meeting no. 4\n"
        "Tuesday 2 May 2023, 17:00\xE2\x80\x93" "18:10 UTC\n\n"
        "Present: Ruth Okonkwo (chair), Jonas Lindqvist (Seed Library), Mei Tanaka and Priya Natarajan\n"
        "Apologies: Diego Fernandez\n\n"
        "1. Compost\nMembers compared three suppliers of compost bins at some length.\n\n"
        "Action items\n- Jonas to draft the booking form by 30 May.\n";
    struct record *r;

    (void)state;
    r = parse_ok(text);
    assert_string_equal(r->time_utc, "17:00");
    assert_string_equal(r->end_time_utc, "18:10");
    assert_int_equal(r->n_participants, 4);
    assert_string_equal(r->participants[0].name, "Ruth Okonkwo");
    assert_string_equal(r->participants[0].role, "chair");
    assert_null(r->participants[0].affiliation);
    assert_string_equal(r->participants[1].affiliation, "Seed Library");
    assert_string_equal(r->participants[3].name, "Priya Natarajan");
    assert_int_equal(r->n_apologies, 1);
    assert_int_equal(r->n_actions, 1);
    assert_int_equal(r->actions[0].n_owners, 1);
    assert_string_equal(r->actions[0].owners[0], "Jonas Lindqvist");
    record_free(r);
}

/* Markdown notes: heading marks are not words of the title or of a
 * section, a bold mark does not hide an owner, a task box and a bullet
 * are not part of a name. */
static void test_markdown_notes(void **state)
{
    static const char text[] =
        "# Garden Committee \xE2\x80\x93 Meeting #4\n\n**Date:** 2 May 2023\n\n"
        "## Attendees\n- Ruth Okonkwo (chair)\n- Jonas Lindqvist\n\n"
        "## Key points\n- **Compost:** members compared three suppliers of bins at length.\n\n"
        "## Action items\n- [ ] **Jonas** \xE2\x80\x93 draft the booking form (due 30 May)\n"
        "- [x] **Secretariat**: book the hall\n"
        "- Newsletter: draft the April issue\n";
    struct record *r;

    (void)state;
    r = parse_ok(text);
    assert_string_equal(r->group, "Garden Committee");
    assert_string_equal(r->number, "4");
    assert_int_equal(r->n_participants, 2);
    assert_string_equal(r->participants[0].name, "Ruth Okonkwo");
    assert_string_equal(r->participants[0].role, "chair");
    assert_int_equal(r->n_points, 1);
    assert_non_null(strstr(r->turns[0].section, "Key points"));
    assert_null(strstr(r->turns[0].section, "#"));
    assert_int_equal(r->n_actions, 3);
    assert_string_equal(r->actions[0].owners[0], "Jonas Lindqvist");
    assert_string_equal(r->actions[0].due_date, "2023-05-30");
    assert_string_equal(r->actions[1].owners[0], "Secretariat");
    /* A topic before the colon is no owner: the bullet is the group's. */
    assert_int_equal(r->actions[2].n_owners, 1);
    assert_string_equal(r->actions[2].owners[0], "GC");
    record_free(r);
}

/* A transcript of "Name: text" lines without ">>": read when a header
 * names the meeting and someone speaks more than once; a chat excerpt
 * with no header is no record, and a report's "Name: affiliation" list
 * (each name once) stays a report. */
static void test_plain_transcript(void **state)
{
    static const char plain[] =
        "Garden Committee meeting #5\n6 June 2023\n\n"
        "00:00:03 Ana Lima: Welcome. Two points today: compost and the fair.\n"
        "00:00:20 Ben Okafor: I will order the compost bins by Friday.\n"
        "Date: the fair is on 10 June\n"
        "00:00:41 Ana Lima: Thank you, Ben.\n"
        "00:00:50 Ben Okafor: And the fair needs two more volunteers.\n";
    static const char chat[] =
        "Ana: are you coming tonight?\nBen: yes, after the meeting\n"
        "Ana: great, see you\nBen: bring the slides\n";
    static const char report[] =
        "Garden Committee meeting #5\n6 June 2023\nSummary report\n\n"
        "Participants\nAna Lima: Riverside Garden\nBen Okafor: Hill Allotments\n"
        "Carla Ruiz: Town Council\nDev Patel: Seed Library\n\n"
        "Key points raised\n- Members discussed the compost bins at some length.\n";
    struct record *r;
    char err[256];

    (void)state;
    r = parse_ok(plain);
    assert_int_equal(r->kind, RECORD_TRANSCRIPT);
    assert_int_equal(r->n_speakers, 2);
    assert_int_equal(r->n_turns, 4);
    assert_string_equal(r->speakers[0].name, "Ana Lima");
    assert_int_equal(r->speakers[0].turns, 2);
    /* "Date: ..." goes on with Ben's turn; nobody is called Date. */
    assert_non_null(strstr(r->turns[1].text, "the fair is on 10 June"));
    assert_int_equal(r->n_actions, 1);
    assert_string_equal(r->actions[0].owners[0], "Ben Okafor");
    record_free(r);
    assert_int_equal(record_looks_like(chat, strlen(chat)), 0);
    assert_int_equal(record_parse(chat, strlen(chat), 0, &r, err, sizeof(err)), -1);
    r = parse_ok(report);
    assert_int_equal(r->kind, RECORD_SUMMARY);
    assert_int_equal(r->n_participants, 4);
    record_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_headings),
        cmocka_unit_test(test_decisions_heading),
        cmocka_unit_test(test_minutes_layout),
        cmocka_unit_test(test_markdown_notes),
        cmocka_unit_test(test_plain_transcript),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
