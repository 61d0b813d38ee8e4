/* tests/record_fixture.h -- a record read from inline text, for the
 * readers' tests (test_record.c, test_record_layouts.c). Include after
 * <cmocka.h>. */
#ifndef SCRIBE_TEST_RECORD_FIXTURE_H
#define SCRIBE_TEST_RECORD_FIXTURE_H

#include <string.h>

#include "../storage/record.h"

/* The record in `text`, which must read (the reason is shown when not).
 * Free with record_free(). */
static inline struct record *parse_ok(const char *text)
{
    struct record *r = NULL;
    char err[256] = "";

    if (record_parse(text, strlen(text), 0, &r, err, sizeof(err)) < 0)
        fail_msg("record_parse: %s", err);
    return r;
}

#endif
