/* bot/main.c -- scribe's command line (DESIGN.md section 6): global
 * options, then ingest / ask / recap / export / console / run. Opens the
 * config and the store, hands over to the commands layer, the console or
 * the bot, and turns their results into output and an exit status. */
#include "bot.h"
#include "config.h"
#include "console.h"
#include "../storage/log.h"
#include "../commands/commands.h"
#include "../storage/store.h"
#include "../storage/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SCRIBE_VERSION "0.1.0"

static const char usage_text[] =
    "usage: scribe [--db PATH] [--config FILE] [-v] COMMAND ...\n"
    "\n"
    "  ingest FILE...|-          read meeting records (transcripts, summary reports)\n"
    "  ask \"QUESTION\" [--json]   answer as the bot would in chat\n"
    "  recap [MEETING] [--json]  a meeting in brief (latest when none is named)\n"
    "  export [MEETING] --json   everything known about the meetings, as JSON\n"
    "  console                   chat in the terminal\n"
    "  run                       connect to the homeserver in the config and serve\n"
    "\n"
    "  --db PATH       database file (default: config 'database', else scribe.db)\n"
    "  --config FILE   INI configuration (default: $SCRIBE_CONFIG when set)\n"
    "  -v              debug logging\n"
    "  --help, --version\n"
    "\n"
    "A MEETING is named as in chat: #62, 62, XXV, \"MAG XII\", 2022-06-14, \"June 2022\", latest.\n";

static const char *local_user(void)
{
    const char *u = getenv("USER");

    return u && *u ? u : "console";
}

static void ctx_init(struct cmd_ctx *ctx, struct store *st, const struct config *cfg, int json)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->st = st;
    ctx->user = local_user();
    ctx->is_admin = 1;          /* whoever runs the CLI owns the database */
    ctx->now = (int64_t)time(NULL);
    ctx->max_record_bytes = cfg->max_record_bytes;
    ctx->want_json = json;
}

static void print_reply(const struct cmd_reply *r, int json)
{
    const struct buf *b = json ? &r->json : &r->text;

    fputs(b->data, stdout);
    if (!b->len || b->data[b->len - 1] != '\n')
        fputc('\n', stdout);
}

/* What `scribe ingest` is doing: the files named, and what came of them. */
struct cli_ingest {
    const struct config *cfg;
    char **paths;
    int n, failed, stored, progress;
    int64_t now;
};

/* store_batch read(): runs on the store's reading thread. */
static int cli_ingest_read(void *arg, int i, struct store_batch_rec *rec, char *err,
                           size_t errlen)
{
    struct cli_ingest *ci = arg;
    const char *path = ci->paths[i], *base = strrchr(path, '/');

    rec->name = strcmp(path, "-") ? (base ? base + 1 : path) : NULL;
    rec->posted = ci->now;
    return console_read_file(path, ci->cfg->max_record_bytes, &rec->data, &rec->len,
                             err, errlen);
}

/* store_batch done(): one line per file, in order. */
static void cli_ingest_done(void *arg, int i, struct store_batch_rec *rec, int rc,
                            const struct store_ingest_result *res, const char *err)
{
    struct cli_ingest *ci = arg;
    const char *path = ci->paths[i];

    free(rec->data);
    if (ci->progress)
        fputs("\r\033[K", stderr);
    if (rc < 0) {
        fprintf(stderr, "scribe: %s: %s\n", path, err && *err ? err : "cannot read record");
        ci->failed = 1;
    } else if (rc == STORE_DUPLICATE) {
        printf("%s: duplicate \u2014 already stored as the %s of %s\n", path,
               res->kind == 2 ? "summary report" : "transcript", res->meeting);
    } else {
        ci->stored++;
        printf("%s: %s \u2014 %s%s: %d turns, %d people, %d actions, %d decisions", path,
               res->meeting, res->kind == 2 ? "summary report" : "transcript",
               res->new_meeting ? ", new meeting" : ", joined to the meeting",
               res->turns, res->people, res->actions, res->decisions);
        /* Earlier actions the record reports done ("I sent the survey"). */
        for (int k = 0; k < res->closed && k < STORE_CLOSED_MAX; k++)
            printf("%s%s", k ? ", " : "; reported done, so closed: ", res->closed_codes[k]);
        if (res->closed > STORE_CLOSED_MAX)
            printf(" and %d more", res->closed - STORE_CLOSED_MAX);
        putchar('\n');
    }
    fflush(stdout);
    if (ci->progress && i + 1 < ci->n) {
        const char *next = ci->paths[i + 1], *base = strrchr(next, '/');

        fprintf(stderr, "[%d/%d] %.60s\033[K", i + 2, ci->n, base ? base + 1 : next);
        fflush(stderr);
    }
}

static int do_ingest(struct store *st, const struct config *cfg, int argc, char **argv)
{
    struct cli_ingest ci;
    struct store_batch b;

    if (argc == 0) {
        fprintf(stderr, "scribe: ingest: name at least one FILE (or - for stdin)\n");
        return 2;
    }
    memset(&ci, 0, sizeof(ci));
    ci.cfg = cfg;
    ci.paths = argv;
    ci.n = argc;
    ci.progress = argc > 3 && isatty(STDERR_FILENO);
    ci.now = (int64_t)time(NULL);
    memset(&b, 0, sizeof(b));
    b.read = cli_ingest_read;
    b.done = cli_ingest_done;
    b.arg = &ci;
    b.max_bytes = cfg->max_record_bytes;
    if (ci.progress) {
        const char *base = strrchr(argv[0], '/');

        fprintf(stderr, "[1/%d] %.60s\033[K", argc, base ? base + 1 : argv[0]);
        fflush(stderr);
    }
    store_ingest_batch(st, argc, &b);
    if (ci.progress)
        fputs("\r\033[K", stderr);
    /* The records' new full-text segments merged before the next question
     * reads them (what the bot does at rest). */
    if (ci.stored && store_tidy(st, STORE_TIDY_BATCH_PAGES, STORE_TIDY_BATCH_STEPS) < 0)
        fprintf(stderr, "scribe: the records are stored; merging their search index failed\n");
    return ci.failed ? 1 : 0;
}

static int do_ask(struct store *st, const struct config *cfg, const char *question, int json)
{
    struct cmd_ctx ctx;
    struct cmd_reply reply;
    int rc;

    ctx_init(&ctx, st, cfg, json);
    cmd_reply_init(&reply);
    rc = commands_answer(&ctx, question, &reply);
    print_reply(&reply, json);
    cmd_reply_release(&reply);
    return rc < 0 ? 1 : 0;
}

static int do_export(struct store *st, const char *meeting)
{
    struct buf out;
    char err[256] = "";
    int rc;

    buf_init(&out);
    rc = commands_export_json(st, meeting, &out, err, sizeof(err));
    if (rc == 0)
        fputs(out.data, stdout);
    else
        fprintf(stderr, "scribe: export: %s\n", err);
    buf_release(&out);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *db = NULL, *cfg_path = getenv("SCRIBE_CONFIG"), *cmd = NULL;
    char **rest = xcalloc((size_t)argc + 1, sizeof(char *));
    int nrest = 0, json = 0, verbose = 0, i, rc = 0;
    struct config cfg;
    struct store *st = NULL;
    char err[512];

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            free(rest);
            return 0;
        } else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
            printf("scribe %s (SQLite-backed meeting records)\n", SCRIBE_VERSION);
            free(rest);
            return 0;
        } else if (!strcmp(a, "--db") && i + 1 < argc) {
            db = argv[++i];
        } else if (!strncmp(a, "--db=", 5)) {
            db = a + 5;
        } else if (!strcmp(a, "--config") && i + 1 < argc) {
            cfg_path = argv[++i];
        } else if (!strncmp(a, "--config=", 9)) {
            cfg_path = a + 9;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            verbose = 1;
        } else if ((!strcmp(a, "--db") || !strcmp(a, "--config")) && i + 1 >= argc) {
            fprintf(stderr, "scribe: %s needs a value\n", a);
            rc = 2;
            goto out;
        } else if (a[0] == '-' && a[1] == '-' && !cmd) {
            fprintf(stderr, "scribe: unknown option '%s' (see scribe --help)\n", a);
            rc = 2;
            goto out;
        } else if (!cmd) {
            cmd = a;
        } else {
            rest[nrest++] = argv[i];
        }
    }
    if (!cmd) {
        fputs(usage_text, stderr);
        rc = 2;
        goto out;
    }
    if (strcmp(cmd, "ingest") && strcmp(cmd, "ask") && strcmp(cmd, "recap") &&
        strcmp(cmd, "export") && strcmp(cmd, "console") && strcmp(cmd, "run")) {
        fprintf(stderr, "scribe: unknown command '%s' (see scribe --help)\n", cmd);
        rc = 2;
        goto out;
    }
    if (cfg_path && access(cfg_path, F_OK) != 0 && cfg_path == getenv("SCRIBE_CONFIG"))
        cfg_path = NULL;        /* $SCRIBE_CONFIG naming a missing file: defaults */
    if (config_load(&cfg, cfg_path, err, sizeof(err)) < 0) {
        fprintf(stderr, "scribe: %s\n", err);
        rc = 2;
        goto out_cfg;
    }
    log_set_level(verbose ? LOG_DEBUG : (enum log_level)cfg.log_level);
    if (store_open(&st, db ? db : cfg.database, err, sizeof(err)) < 0) {
        fprintf(stderr, "scribe: %s\n", err);
        rc = 1;
        goto out_cfg;
    }

    if (!strcmp(cmd, "ingest")) {
        rc = do_ingest(st, &cfg, nrest, rest);
    } else if (!strcmp(cmd, "ask")) {
        if (nrest < 1) {
            fprintf(stderr, "scribe: ask: give a question, e.g. scribe ask \"who raised the budget?\"\n");
            rc = 2;
        } else {
            struct buf q;

            buf_init(&q);
            for (i = 0; i < nrest; i++) {
                if (i)
                    buf_putc(&q, ' ');
                buf_puts(&q, rest[i]);
            }
            rc = do_ask(st, &cfg, q.data, json);
            buf_release(&q);
        }
    } else if (!strcmp(cmd, "recap")) {
        struct buf q;

        buf_init(&q);
        buf_puts(&q, "recap");
        for (i = 0; i < nrest; i++) {
            buf_putc(&q, ' ');
            buf_puts(&q, rest[i]);
        }
        rc = do_ask(st, &cfg, q.data, json);
        buf_release(&q);
    } else if (!strcmp(cmd, "export")) {
        rc = do_export(st, nrest ? rest[0] : NULL);
    } else if (!strcmp(cmd, "console")) {
        rc = console_run(st, &cfg, stdin, stdout);
    } else {
        if (!cfg.homeserver) {
            fprintf(stderr, "scribe: run: no homeserver in the config; use 'scribe console' "
                            "or set [matrix] homeserver\n");
            rc = 2;
        } else {
            rc = bot_run(&cfg, st);
        }
    }
    store_close(st);
out_cfg:
    config_release(&cfg);
out:
    free(rest);
    return rc;
}
