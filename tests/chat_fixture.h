/* tests/chat_fixture.h -- an in-memory store with records ingested from
 * text, and a chat context to ask it things as a user would. Shared by
 * the unit tests of the chat language (test_roles.c, test_attrib.c,
 * test_raised.c, test_context.c). */
#ifndef SCRIBE_TEST_CHAT_FIXTURE_H
#define SCRIBE_TEST_CHAT_FIXTURE_H

#include "../commands/commands.h"
#include "../storage/store.h"

struct chat_fixture {
    struct store *st;
    struct cmd_ctx ctx;
    struct cmd_reply r;
};

/* A store holding the NULL-terminated `records` (each ingested as if
 * posted), asked by `user`. NULL when a record does not ingest (the reason
 * is printed). Free with chat_fixture_free(). */
struct chat_fixture *chat_fixture_new(const char *const *records, const char *user);
void chat_fixture_free(struct chat_fixture *f);

/* The plain-text answer to `msg` (borrowed until the next question);
 * fails the test when the command layer reports an error. */
const char *chat_fixture_ask(struct chat_fixture *f, const char *msg);

/* The id of the meeting named by `spec` ("#12"); fails the test when none. */
int64_t chat_fixture_meeting(struct chat_fixture *f, const char *spec);

/* cmocka group setup and teardown for one record asked by `user`:
 * *state becomes the fixture. */
int chat_fixture_setup_one(void **state, const char *record, const char *user);
int chat_fixture_teardown(void **state);

/* Fails the test unless `name` is the raiser on the first meeting line of
 * a who-raised answer ("• #8 (...) NAME: ..."). */
void chat_fixture_assert_first(const char *text, const char *name);

#endif
