/* tests/chat_fixture.c -- see chat_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat_fixture.h"
#include "../storage/record.h"

struct chat_fixture *chat_fixture_new(const char *const *records, const char *user)
{
    struct chat_fixture *f = xcalloc(1, sizeof(*f));
    char err[256] = "";

    if (store_open(&f->st, ":memory:", err, sizeof(err)) < 0)
        goto fail;
    for (int i = 0; records[i]; i++)
        if (store_ingest(f->st, records[i], strlen(records[i]), RECORD_MAX_BYTES_DEFAULT, NULL,
                         NULL, 1700000000, NULL, err, sizeof(err)) != 0)
            goto fail;
    f->ctx.st = f->st;
    f->ctx.user = user;
    f->ctx.now = 1700000500;
    f->ctx.max_record_bytes = RECORD_MAX_BYTES_DEFAULT;
    f->ctx.want_json = 1;
    cmd_reply_init(&f->r);
    return f;
fail:
    fprintf(stderr, "chat fixture: %s\n", err);
    store_close(f->st);
    free(f);
    return NULL;
}

void chat_fixture_free(struct chat_fixture *f)
{
    if (!f)
        return;
    cmd_reply_release(&f->r);
    store_close(f->st);
    free(f);
}

const char *chat_fixture_ask(struct chat_fixture *f, const char *msg)
{
    cmd_reply_release(&f->r);
    cmd_reply_init(&f->r);
    assert_int_equal(commands_answer(&f->ctx, msg, &f->r), 0);
    return f->r.text.data;
}

int64_t chat_fixture_meeting(struct chat_fixture *f, const char *spec)
{
    int64_t id = 0;

    assert_int_equal(store_meeting_find(f->st, spec, &id), 0);
    return id;
}

int chat_fixture_setup_one(void **state, const char *record, const char *user)
{
    const char *records[] = { record, NULL };

    *state = chat_fixture_new(records, user);
    return *state ? 0 : -1;
}

int chat_fixture_teardown(void **state)
{
    chat_fixture_free(*state);
    return 0;
}

void chat_fixture_assert_first(const char *text, const char *name)
{
    const char *bullet = strstr(text, "\u2022");

    assert_non_null(bullet);
    assert_non_null(strstr(bullet, name));
    assert_true(strstr(bullet, name) < strchr(bullet, ':'));
}
