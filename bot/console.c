/* bot/console.c -- `scribe console`: a terminal REPL on the same command
 * language as the chat, for trying scribe without a homeserver. Knows
 * stdio and the commands layer; no network. */
#include "console.h"
#include "config.h"
#include "../commands/commands.h"
#include "../storage/store.h"
#include "../storage/util.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int console_read_file(const char *path, size_t max, char **data, size_t *len,
                      char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    struct buf b;
    char chunk[65536];
    size_t n;

    *data = NULL;
    *len = 0;
    if (!f) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return -1;
    }
    buf_init(&b);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        buf_add(&b, chunk, n);
        if (b.len > max)
            break;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "cannot read: %s", strerror(errno));
        if (f != stdin)
            fclose(f);
        buf_release(&b);
        return -1;
    }
    if (f != stdin)
        fclose(f);
    if (b.len > max) {
        /* Reading stopped at the limit: the size read is not the file's. */
        snprintf(err, errlen, "record too big: over %zu bytes (limit %zu)", max, max);
        buf_release(&b);
        return -1;
    }
    *len = b.len;
    *data = buf_detach(&b);
    return 0;
}

static const char *local_user(void)
{
    const char *u = getenv("USER");

    if (!u || !*u) {
        struct passwd *pw = getpwuid(getuid());

        u = pw ? pw->pw_name : "console";
    }
    return u;
}

static void print_reply(FILE *out, const struct cmd_reply *r)
{
    fputs(r->text.data, out);
    if (r->text.len && r->text.data[r->text.len - 1] != '\n')
        fputc('\n', out);
    fflush(out);
}

int console_run(struct store *st, const struct config *cfg, FILE *in, FILE *out)
{
    struct cmd_ctx ctx;
    struct cmd_reply reply;
    struct buf line;
    int tty = isatty(fileno(in)), c, failed = 0;

    memset(&ctx, 0, sizeof(ctx));
    ctx.st = st;
    ctx.user = local_user();
    ctx.is_admin = 1;           /* the terminal owns the database */
    ctx.max_record_bytes = cfg->max_record_bytes;
    cmd_reply_init(&reply);
    buf_init(&line);
    if (tty)
        fprintf(out, "scribe console \u2014 ask e.g. \"who raised <topic>\", \"open actions\", "
                     "\"recap\"; \"help\" for more, \"quit\" to leave.\n");
    for (;;) {
        const char *msg;

        if (tty) {
            fputs("scribe> ", out);
            fflush(out);
        }
        buf_reset(&line);
        while ((c = fgetc(in)) != EOF && c != '\n')
            if (line.len < 65536)
                buf_putc(&line, (char)c);
        if (c == EOF && line.len == 0)
            break;
        msg = line.data;
        while (*msg == ' ' || *msg == '\t')
            msg++;
        if (!*msg)
            continue;
        if (!strcmp(msg, "quit") || !strcmp(msg, "exit") || !strcmp(msg, ":q"))
            break;
        ctx.now = (int64_t)time(NULL);
        if (!strncmp(msg, ":ingest ", 8)) {
            char err[256], *data;
            size_t len;

            if (console_read_file(msg + 8, ctx.max_record_bytes, &data, &len, err, sizeof(err)) < 0) {
                fprintf(out, "%s: %s\n", msg + 8, err);
                continue;
            }
            if (commands_ingest(&ctx, data, len, msg + 8, 1, &reply) == COMMANDS_STORED &&
                store_tidy(st, STORE_TIDY_BATCH_PAGES, STORE_TIDY_BATCH_STEPS) < 0)
                fprintf(out, "(stored; merging its search index failed)\n");
            free(data);
        } else if (commands_answer(&ctx, msg, &reply) < 0) {
            failed = 1;
        }
        print_reply(out, &reply);
        if (c == EOF)
            break;
    }
    if (tty)
        fputc('\n', out);
    buf_release(&line);
    cmd_reply_release(&reply);
    return failed;
}
