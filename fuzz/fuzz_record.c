/* fuzz/fuzz_record.c -- libFuzzer target for the record readers: bytes ->
 * record_parse() -> struct record, checked against the contract in
 * storage/record.h (offsets and quotes point into the text, speaker
 * indexes in range), plus the small helpers (dates, Roman numerals, name
 * casing, due-date phrases) on the same bytes. No SQLite, no I/O. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../storage/reader_int.h"
#include "../storage/record.h"

#define FUZZ_MAX_HELPER 512     /* the helpers take short phrases */

/* A broken contract is a finding: report it and abort so libFuzzer keeps
 * the input. */
#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "fuzz_record: contract broken: %s (%s:%d)\n",  \
                    #cond, __FILE__, __LINE__);                             \
            abort();                                                        \
        }                                                                   \
    } while (0)

static void check_quote(const struct record *r, const char *quote, size_t offset)
{
    if (!quote)
        return;
    CHECK(offset <= r->len);
    CHECK(strlen(quote) <= r->len - offset);
    CHECK(memcmp(r->text + offset, quote, strlen(quote)) == 0);
}

static void check_record(const struct record *r)
{
    int i, j;

    CHECK(r->kind == RECORD_TRANSCRIPT || r->kind == RECORD_SUMMARY);
    CHECK(r->text != NULL && strlen(r->text) == r->len);
    CHECK(utf8_valid(r->text, r->len));
    CHECK(r->group != NULL);
    CHECK(strlen(r->sha256) == 64);
    if (r->date)
        CHECK(strlen(r->date) == 10);
    for (i = 0; i < r->n_turns; i++) {
        const struct record_turn *t = &r->turns[i];

        CHECK(t->text != NULL);
        CHECK(t->speaker >= -1 && t->speaker < r->n_speakers);
        CHECK(t->offset <= r->len);
        CHECK(t->words >= 0);
    }
    for (i = 0; i < r->n_speakers; i++) {
        CHECK(r->speakers[i].name != NULL);
        for (j = 0; j < r->speakers[i].n_labels; j++)
            CHECK(r->speakers[i].labels[j] != NULL);
    }
    for (i = 0; i < r->n_participants; i++)
        CHECK(r->participants[i].name != NULL);
    for (i = 0; i < r->n_apologies; i++)
        CHECK(r->apologies[i] != NULL);
    for (i = 0; i < r->n_agenda; i++)
        check_quote(r, r->agenda[i].quote, r->agenda[i].offset);
    for (i = 0; i < r->n_decisions; i++)
        check_quote(r, r->decisions[i].quote, r->decisions[i].offset);
    for (i = 0; i < r->n_points; i++)
        check_quote(r, r->points[i].quote, r->points[i].offset);
    for (i = 0; i < r->n_actions; i++) {
        const struct record_action *a = &r->actions[i];

        CHECK(a->text != NULL);
        for (j = 0; j < a->n_owners; j++)
            CHECK(a->owners[j] != NULL);
        if (a->due_date)
            CHECK(strlen(a->due_date) == 10);
        check_quote(r, a->quote, a->offset);
    }
    if (r->next)
        check_quote(r, r->next->quote, r->next->offset);
    for (i = 0; i < r->n_glossary; i++)
        CHECK(r->glossary[i].acronym && r->glossary[i].expansion);
}

static void fuzz_helpers(const uint8_t *data, size_t size)
{
    char *s = xstrndup((const char *)data, size < FUZZ_MAX_HELPER ? size : FUZZ_MAX_HELPER);
    size_t n = strlen(s);
    char date[11], *name;

    if (record_parse_date(s, n, date) == 0)
        CHECK(strlen(date) == 10);
    (void)record_roman_value(s, n);
    name = record_name_dup(s);
    free(name);
    if (reader_resolve_date(s, "2023-01-10", date) == 0)
        CHECK(strlen(date) == 10);
    (void)reader_resolve_date(s, NULL, date);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct record *r = NULL;
    char err[256];

    (void)record_looks_like((const char *)data, size);
    if (record_parse((const char *)data, size, RECORD_MAX_BYTES_DEFAULT, &r, err, sizeof(err)) == 0) {
        CHECK(r != NULL);
        check_record(r);
        record_free(r);
    } else {
        CHECK(err[0] != '\0');
    }
    fuzz_helpers(data, size);
    return 0;
}
