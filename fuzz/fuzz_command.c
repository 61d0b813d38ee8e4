/* fuzz/fuzz_command.c -- libFuzzer target for the chat language: bytes ->
 * commands_answer() (or commands_ingest() for pasted records) -> answer,
 * on an in-memory store pre-loaded once with the hand-built fixtures of
 * tests/fixture_records.h and the records in examples/ (when readable).
 * Every input starts from the same store: when a run changed it (done,
 * reopen, assign, forget, ingest), the pristine copy is restored with the
 * SQLite backup API, so mutating commands cannot make the store grow and a
 * crash reproduces from its one input. */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "../bot/console.h"
#include "../commands/commands.h"
#include "../storage/store.h"
#include "../tests/fixture_records.h"

/* The first input byte chooses how the message is asked; the rest is it. */
#define FLAG_ADMIN  0x01
#define FLAG_JSON   0x02
#define FLAG_OTHER  0x04        /* asked by another user than the fixtures' Lee */
#define FLAG_INGEST 0x08        /* pasted as a record, not asked */

#define FUZZ_MAX_MESSAGE (64 * 1024)

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "fuzz_command: contract broken: %s (%s:%d)\n", \
                    #cond, __FILE__, __LINE__);                             \
            abort();                                                        \
        }                                                                   \
    } while (0)

static struct store *pristine;  /* loaded once, never asked */
static struct store *work;      /* what the commands run on */
static sqlite3_int64 work_changes;

/* A whole fixture file, or NULL. */
static char *fixture_read(const char *path, size_t *len)
{
    char *data, err[256];

    if (console_read_file(path, (size_t)64 << 20, &data, len, err, sizeof(err)) < 0)
        return NULL;
    return data;
}

/* Ingest the .txt files of examples/ when run from the repository (make fuzz is). */
static void load_examples(struct store *st)
{
    const char *dir = getenv("SCRIBE_FUZZ_EXAMPLES");
    DIR *d;
    struct dirent *e;
    char path[4096], err[256];

    if (!dir)
        dir = "examples";
    d = opendir(dir);
    if (!d)
        return;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name), len;
        char *data;

        if (n < 5 || strcmp(e->d_name + n - 4, ".txt") || !strcmp(e->d_name, "README.txt"))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        data = fixture_read(path, &len);
        if (data && store_ingest(st, data, len, RECORD_MAX_BYTES_DEFAULT, e->d_name, NULL,
                                 1700000000, NULL, err, sizeof(err)) < 0)
            fprintf(stderr, "fuzz_command: %s not ingested: %s\n", path, err);
        free(data);
    }
    closedir(d);
}

static void restore(void)
{
    sqlite3_backup *b = sqlite3_backup_init(store_sqlite(work), "main",
                                            store_sqlite(pristine), "main");

    CHECK(b != NULL);
    CHECK(sqlite3_backup_step(b, -1) == SQLITE_DONE);
    CHECK(sqlite3_backup_finish(b) == SQLITE_OK);
    work_changes = sqlite3_total_changes64(store_sqlite(work));
}

static int setup(void)
{
    struct record *recs[3];
    char err[256];
    int i;

    if (store_open(&pristine, ":memory:", err, sizeof(err)) < 0 ||
        store_open(&work, ":memory:", err, sizeof(err)) < 0) {
        fprintf(stderr, "fuzz_command: %s\n", err);
        return -1;
    }
    recs[0] = fx_transcript5();
    recs[1] = fx_summary5();
    recs[2] = fx_transcript6();
    for (i = 0; i < 3; i++) {
        if (store_add_record(pristine, recs[i], NULL, NULL, 1700000000, NULL, err, sizeof(err)) < 0) {
            fprintf(stderr, "fuzz_command: fixture: %s\n", err);
            return -1;
        }
        record_free(recs[i]);
    }
    load_examples(pristine);
    restore();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    struct cmd_ctx ctx;
    struct cmd_reply r;
    unsigned flags;
    char *msg;
    int rc;

    if (!ready) {
        if (setup() < 0)
            abort();
        ready = 1;
    }
    if (size < 1 || size > FUZZ_MAX_MESSAGE)
        return 0;
    flags = data[0];
    data++;
    size--;

    memset(&ctx, 0, sizeof(ctx));
    ctx.st = work;
    ctx.user = (flags & FLAG_OTHER) ? "@tom:example.org" : "@lee:example.org";
    ctx.room = "!room:example.org";
    ctx.is_admin = !!(flags & FLAG_ADMIN);
    ctx.now = 1700000500;
    ctx.max_record_bytes = RECORD_MAX_BYTES_DEFAULT;
    ctx.want_json = !!(flags & FLAG_JSON);

    cmd_reply_init(&r);
    if (flags & FLAG_INGEST) {
        rc = commands_ingest(&ctx, (const char *)data, size, "fuzz.txt", 1, &r);
        CHECK(rc == COMMANDS_STORED || rc == COMMANDS_DUPLICATE || rc == -1);
    } else {
        /* A chat message is text: it ends at its first NUL. */
        msg = xstrndup((const char *)data, size);
        rc = commands_answer(&ctx, msg, &r);
        CHECK(rc == 0 || rc == -1);
        free(msg);
    }
    CHECK(r.text.data != NULL && strlen(r.text.data) == r.text.len);
    CHECK(utf8_valid(r.text.data, r.text.len));
    CHECK(utf8_valid(r.html.data, r.html.len));
    CHECK(utf8_valid(r.json.data, r.json.len));
    if (ctx.want_json && rc == 0 && !(flags & FLAG_INGEST))
        CHECK(r.json.len > 0);
    cmd_reply_release(&r);

    /* No command may leave a transaction open. */
    CHECK(sqlite3_get_autocommit(store_sqlite(work)));
    if (sqlite3_total_changes64(store_sqlite(work)) != work_changes)
        restore();
    return 0;
}
