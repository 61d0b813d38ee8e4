/* tests/test_fuzz_regress.c -- every finding of the fuzz targets (fuzz/)
 * kept as a regression case, run under ASan/UBSan by make test: inline
 * cases named after what broke, and a replay of the saved inputs in
 * tests/data/fuzz/<target>/ through the same contract checks as the
 * targets (record readers, chat language on a small store, /sync events). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "fixture_records.h"
#include "../bot/console.h"
#include "../bot/bot.h"
#include "../bot/matrix.h"
#include "../commands/commands.h"
#include "../commands/commands_int.h"
#include "../storage/record.h"
#include "../storage/store.h"

#define FUZZ_DATA "tests/data/fuzz"

/* ---- helpers ---------------------------------------------------------- */

/* A whole fixture file, or NULL. */
static char *fixture_read(const char *path, size_t *len)
{
    char *data, err[256];

    if (console_read_file(path, (size_t)64 << 20, &data, len, err, sizeof(err)) < 0)
        return NULL;
    return data;
}

static struct store *fixture_store(void)
{
    struct store *st;
    struct record *recs[3];
    char err[256];
    int i;

    assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
    recs[0] = fx_transcript5();
    recs[1] = fx_summary5();
    recs[2] = fx_transcript6();
    for (i = 0; i < 3; i++) {
        assert_int_equal(store_add_record(st, recs[i], NULL, NULL, 1700000000, NULL,
                                          err, sizeof(err)), 0);
        record_free(recs[i]);
    }
    return st;
}

static void ctx_init(struct cmd_ctx *ctx, struct store *st, unsigned flags)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->st = st;
    ctx->user = (flags & 0x04) ? "@tom:example.org" : "@lee:example.org";
    ctx->room = "!room:example.org";
    ctx->is_admin = !!(flags & 0x01);
    ctx->now = 1700000500;
    ctx->max_record_bytes = RECORD_MAX_BYTES_DEFAULT;
    ctx->want_json = !!(flags & 0x02);
}

static void assert_reply_sane(const struct cmd_reply *r)
{
    assert_non_null(r->text.data);
    assert_int_equal(strlen(r->text.data), r->text.len);
    assert_true(utf8_valid(r->text.data, r->text.len));
    assert_true(utf8_valid(r->html.data, r->html.len));
    assert_true(utf8_valid(r->json.data, r->json.len));
}

/* Ask (or paste, flag 0x08) one message on `st`, the way fuzz_command does. */
static void run_command(struct store *st, unsigned flags, const char *data, size_t len)
{
    struct cmd_ctx ctx;
    struct cmd_reply r;
    char *msg;
    int rc;

    ctx_init(&ctx, st, flags);
    cmd_reply_init(&r);
    if (flags & 0x08) {
        rc = commands_ingest(&ctx, data, len, "fuzz.txt", 1, &r);
        assert_true(rc == COMMANDS_STORED || rc == COMMANDS_DUPLICATE || rc == -1);
    } else {
        msg = xstrndup(data, len);
        rc = commands_answer(&ctx, msg, &r);
        assert_true(rc == 0 || rc == -1);
        free(msg);
    }
    assert_reply_sane(&r);
    cmd_reply_release(&r);
    assert_true(sqlite3_get_autocommit(store_sqlite(st)));
}

/* ---- command language -------------------------------------------------- */

/* fuzz_command: an action whose text had no space in the second half of
 * its shortened form was cut at n/2, inside a two-byte character, and the
 * recap sent invalid UTF-8. */
static void test_short_text_cut_inside_character(void **state)
{
    static const struct { const char *s; size_t n; } cases[] = {
        { "Send th\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8", 9 },
        { "Send th\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8", 10 },
        { "\xe2\x80\x94\xe2\x80\x94\xe2\x80\x94\xe2\x80\x94\xe2\x80\x94\xe2\x80\x94", 8 },
        { "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 7 },
        { "ab cd\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8\xc3\xb8", 8 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = cmd_short_dup(cases[i].s, cases[i].n);

        assert_true(utf8_valid(out, strlen(out)));
        assert_true(strlen(out) <= cases[i].n + 3);
        free(out);
    }
}

static void test_recap_of_unspaced_action_is_utf8(void **state)
{
    struct store *st = fixture_store();
    struct buf rec;
    int i;

    (void)state;
    buf_init(&rec);
    buf_puts(&rec, "Harbour Trust Meeting #8\n3 March 2024\n\n>> MIRA SOLBERG: Welcome.\n\n"
                   ">> JONAS PEREIRA: I will send th");
    for (i = 0; i < 60; i++)
        buf_puts(&rec, "\xc3\xb8");
    buf_puts(&rec, " to the list by Friday.\n");
    run_command(st, 0x08, rec.data, rec.len);
    run_command(st, 0x00, "recap #8", 8);
    run_command(st, 0x02, "open actions", 12);
    buf_release(&rec);
    store_close(st);
}

/* fuzz_command (JSON check): the envelope's "question" echoed the message
 * bytes as they came, so a question with invalid UTF-8 gave invalid JSON
 * (scribe ask --json). */
static void test_json_question_invalid_utf8(void **state)
{
    static const char *const msgs[] = {
        "who raised \xff\xfe?",
        "recap #5 \xc3",
        "\xed\xa0\x80 search garden",
        "actions \xf4\x90\x80\x80 for Tom",
        "\xc0\xaf",
    };
    struct store *st = fixture_store();
    struct cmd_ctx ctx;
    struct cmd_reply r;
    size_t i;

    (void)state;
    ctx_init(&ctx, st, 0x02);
    for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        cmd_reply_init(&r);
        assert_int_equal(commands_answer(&ctx, msgs[i], &r), 0);
        assert_true(r.json.len > 0);
        assert_reply_sane(&r);
        assert_non_null(strstr(r.json.data, "\xef\xbf\xbd"));
        cmd_reply_release(&r);
    }
    store_close(st);
}

/* ---- replay of saved inputs -------------------------------------------- */

static void replay_record(const char *data, size_t len)
{
    struct record *r = NULL;
    char err[256];
    int i;

    (void)record_looks_like(data, len);
    if (record_parse(data, len, RECORD_MAX_BYTES_DEFAULT, &r, err, sizeof(err)) < 0) {
        assert_true(err[0] != '\0');
        return;
    }
    assert_true(utf8_valid(r->text, r->len));
    for (i = 0; i < r->n_turns; i++)
        assert_true(r->turns[i].speaker >= -1 && r->turns[i].speaker < r->n_speakers);
    for (i = 0; i < r->n_actions; i++)
        if (r->actions[i].quote) {
            assert_true(r->actions[i].offset + strlen(r->actions[i].quote) <= r->len);
            assert_memory_equal(r->text + r->actions[i].offset, r->actions[i].quote,
                                strlen(r->actions[i].quote));
        }
    record_free(r);
}

static void replay_sync(const char *data, size_t len)
{
    static const struct bot_self self = {
        .prefix = "!", .name = "scribe", .user_id = "@scribe:example.org",
        .display_name = "Scribe Bot",
    };
    struct mx_sync s;
    size_t i, j;

    if (mx_sync_parse(data, len, &s) == 0) {
        for (i = 0; i < s.n_rooms; i++)
            for (j = 0; j < s.rooms[i].n_timeline; j++) {
                const struct mx_event *ev = &s.rooms[i].timeline[j];
                char *cmd;

                if (!ev->body || !ev->sender || strcmp(ev->type, "m.room.message"))
                    continue;
                (void)bot_is_text_file(ev);
                cmd = bot_addressed_dup(&self, ev, 0);
                free(cmd);
                cmd = bot_addressed_dup(&self, ev, 1);
                free(cmd);
                cmd = bot_strip_fallback_dup(ev->body);
                free(cmd);
            }
    }
    mx_sync_release(&s);
}

/* Every file in tests/data/fuzz/<target>/ through its target's checks;
 * command inputs start with the fuzz_command flag byte. */
static void replay_dir(const char *target)
{
    char dir[256], path[512];
    DIR *d;
    struct dirent *e;
    int n = 0;

    snprintf(dir, sizeof(dir), "%s/%s", FUZZ_DATA, target);
    d = opendir(dir);
    if (!d)
        return;
    while ((e = readdir(d))) {
        char *data;
        size_t len;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        data = fixture_read(path, &len);
        assert_non_null(data);
        print_message("replay %s\n", path);
        if (!strcmp(target, "record")) {
            replay_record(data, len);
        } else if (!strcmp(target, "sync")) {
            replay_sync(data, len);
        } else if (len > 0) {
            struct store *st = fixture_store();

            run_command(st, (unsigned char)data[0], data + 1, len - 1);
            store_close(st);
        }
        free(data);
        n++;
    }
    closedir(d);
    (void)n;
}

static void test_replay_record_inputs(void **state)
{
    (void)state;
    replay_dir("record");
}

static void test_replay_command_inputs(void **state)
{
    (void)state;
    replay_dir("command");
}

static void test_replay_sync_inputs(void **state)
{
    (void)state;
    replay_dir("sync");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_text_cut_inside_character),
        cmocka_unit_test(test_recap_of_unspaced_action_is_utf8),
        cmocka_unit_test(test_json_question_invalid_utf8),
        cmocka_unit_test(test_replay_record_inputs),
        cmocka_unit_test(test_replay_command_inputs),
        cmocka_unit_test(test_replay_sync_inputs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
