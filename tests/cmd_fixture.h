/* tests/cmd_fixture.h -- the chat language's fixture: an in-memory store
 * holding the hand-built records of fixture_records.h (meeting #5, its
 * summary, and the undated #6), asked by @lee:example.org on 14 Nov 2023.
 * Shared by test_commands.c and test_commands_actions.c. */
#ifndef SCRIBE_TEST_CMD_FIXTURE_H
#define SCRIBE_TEST_CMD_FIXTURE_H

#include "../commands/commands.h"
#include "../storage/store.h"

struct fixture {
    struct store *st;
    struct cmd_ctx ctx;
    struct cmd_reply r;
};

/* cmocka set-up and tear-down: *state is a struct fixture. */
int cmd_fixture_setup(void **state);
int cmd_fixture_teardown(void **state);

/* The plain-text answer to `msg` (borrowed: the next question reuses the
 * buffer); fails the test when the command layer reports an error. */
const char *cmd_fixture_ask(struct fixture *f, const char *msg);
/* `msg` gets the same answer as `want`, which may be the last answer:
 * copied before asking. */
void cmd_fixture_same(struct fixture *f, const char *msg, const char *want);

/* Reads `text` as a meeting record and stores it (posted at 1700000100);
 * fails the test when it is not read or not stored. */
void cmd_fixture_add_text(struct fixture *f, const char *text);

/* The short names the chat-language tests use. */
static inline const char *ask(struct fixture *f, const char *msg)
{
    return cmd_fixture_ask(f, msg);
}

static inline void assert_same(struct fixture *f, const char *msg, const char *want)
{
    cmd_fixture_same(f, msg, want);
}

#endif
