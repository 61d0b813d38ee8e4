/* tests/cmd_fixture.c -- see cmd_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmd_fixture.h"
#include "fixture_records.h"

int cmd_fixture_setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    struct record *recs[3];
    char err[256];
    int i;

    if (store_open(&f->st, ":memory:", err, sizeof(err)) < 0)
        return -1;
    recs[0] = fx_transcript5();
    recs[1] = fx_summary5();
    recs[2] = fx_transcript6();
    for (i = 0; i < 3; i++) {
        if (store_add_record(f->st, recs[i], NULL, NULL, 1700000000, NULL, err, sizeof(err)) < 0)
            return -1;
        record_free(recs[i]);
    }
    f->ctx.st = f->st;
    f->ctx.user = "@lee:example.org";
    f->ctx.now = 1700000500;
    f->ctx.max_record_bytes = RECORD_MAX_BYTES_DEFAULT;
    cmd_reply_init(&f->r);
    *state = f;
    return 0;
}

int cmd_fixture_teardown(void **state)
{
    struct fixture *f = *state;

    cmd_reply_release(&f->r);
    store_close(f->st);
    free(f);
    return 0;
}

const char *cmd_fixture_ask(struct fixture *f, const char *msg)
{
    assert_int_equal(commands_answer(&f->ctx, msg, &f->r), 0);
    return f->r.text.data;
}

void cmd_fixture_same(struct fixture *f, const char *msg, const char *want)
{
    char *copy = xstrdup(want);

    assert_string_equal(cmd_fixture_ask(f, msg), copy);
    free(copy);
}

void cmd_fixture_add_text(struct fixture *f, const char *text)
{
    struct record *r = NULL;
    char err[256] = "";

    if (record_parse(text, strlen(text), 0, &r, err, sizeof(err)) < 0)
        fail_msg("record_parse: %s", err);
    if (store_add_record(f->st, r, NULL, NULL, 1700000100, NULL, err, sizeof(err)) != 0) {
        record_free(r);
        fail_msg("store_add_record: %s", err);
    }
    record_free(r);
}
