/* commands/commands.h -- the chat language: one entry point that turns a
 * message into an answer (plain text + HTML, optionally JSON), and one
 * that ingests a record and answers with its recap. Commands never do I/O:
 * they read and write the store and fill a struct cmd_reply; the caller
 * (Matrix client, console, `scribe ask`) sends or prints it. */
#ifndef SCRIBE_COMMANDS_H
#define SCRIBE_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "../storage/util.h"

struct store;

struct cmd_ctx {
    struct store *st;
    const char *user;           /* who asks: "@u:server" or a local name; never NULL */
    const char *room;           /* room id, or NULL outside Matrix */
    int is_admin;               /* may change others' data (power level met) */
    int64_t now;                /* unix seconds, for "when" and status changes */
    size_t max_record_bytes;    /* refuse records bigger than this */
    int want_json;              /* also fill reply.json */
};

struct cmd_reply {
    struct buf text;            /* plain body */
    struct buf html;            /* formatted_body; everything interpolated escaped */
    struct buf json;            /* {"question","kind","answer","html","results"} when want_json */
    char kind[32];              /* "who_raised", "actions", "recap", "error", ... */
};

void cmd_reply_init(struct cmd_reply *r);
void cmd_reply_release(struct cmd_reply *r);

/* Answer one message addressed to scribe (prefix, name or mention already
 * stripped by the caller). Returns 0 with an answer in `out` (also for
 * "I don't know" answers), or -1 when the store failed (out holds a short
 * apology). */
int commands_answer(const struct cmd_ctx *ctx, const char *msg, struct cmd_reply *out);

#define COMMANDS_STORED     0
#define COMMANDS_DUPLICATE  1
/* Ingest one record (`name` is the file name or NULL for pasted text).
 * Returns COMMANDS_STORED with the recap in `out` (when want_recap),
 * COMMANDS_DUPLICATE with an "already have it" answer naming the meeting,
 * or -1 with a one-line refusal in out.text (not a record, too big,
 * binary...). Nothing is stored on -1. */
int commands_ingest(const struct cmd_ctx *ctx, const char *data, size_t len,
                    const char *name, int want_recap, struct cmd_reply *out);

/* `export --json`: {"meetings":[...]} (DESIGN.md section 6) for the
 * meeting named by `meeting` (NULL: all) into out. Returns 0, -1 when the
 * store failed, or -2 when no such meeting (reason in err). */
int commands_export_json(struct store *st, const char *meeting, struct buf *out,
                         char *err, size_t errlen);

/* Ask the common kinds of question once about the newest meeting and
 * throw the answers away (commands/warm.c): a long-running process calls
 * it at start so that its first real question does not pay for preparing
 * SQLite's statements and paging in the code. Writes nothing, keeps no
 * answer. 0, or -1 when the store failed. */
int commands_warm_up(struct store *st, int64_t now);

/* 1 when a chat message has the shape of a meeting record. */
int commands_looks_like_record(const char *data, size_t len);

#endif
