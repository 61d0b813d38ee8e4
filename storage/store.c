/* storage/store.c -- opening the meeting store (file mode, WAL, FTS5
 * check, migrations), transactions, and the prepared-statement cache and
 * SQL helpers the store's files share. Ingesting records is ingest.c. */
#include "store_int.h"
#include "record.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers shared by the store's files ----------------------------- */

void store_seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

sqlite3_stmt *store_prep(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;

    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        log_err("cannot prepare statement: %s", sqlite3_errmsg(st->db));
        sqlite3_finalize(s);
        return NULL;
    }
    return s;
}

sqlite3_stmt *store_stmt(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    int i;

    for (i = 0; i < st->n_cache; i++)
        if (st->cache[i].sql == sql)
            return st->cache[i].stmt;
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        log_err("cannot prepare statement: %s", sqlite3_errmsg(st->db));
        sqlite3_finalize(s);
        return NULL;
    }
    if (st->n_cache < STORE_STMT_CACHE) {
        st->cache[st->n_cache].sql = sql;
        st->cache[st->n_cache].stmt = s;
        st->n_cache++;
    } else {
        /* Full: should not happen with the fixed set of callers; keep
         * the newest in the last slot so nothing leaks. */
        sqlite3_finalize(st->cache[STORE_STMT_CACHE - 1].stmt);
        st->cache[STORE_STMT_CACHE - 1].sql = sql;
        st->cache[STORE_STMT_CACHE - 1].stmt = s;
    }
    return s;
}

void store_stmt_done(sqlite3_stmt *s)
{
    if (!s)
        return;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

int store_exec(struct store *st, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_err("sql failed: %s", msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

char *store_col_dup(sqlite3_stmt *s, int col)
{
    const unsigned char *t;

    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return NULL;
    t = sqlite3_column_text(s, col);
    return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, col)) : NULL;
}

void store_bind_text(sqlite3_stmt *s, int idx, const char *v)
{
    if (v)
        sqlite3_bind_text(s, idx, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, idx);
}

int store_fail(struct store *st, const char *what)
{
    return log_err("%s: %s", what, sqlite3_errmsg(st->db));
}

void strv_push(char ***v, int *n, const char *s)
{
    *v = xrealloc(*v, sizeof(**v) * (size_t)(*n + 1));
    (*v)[(*n)++] = xstrdup(s);
}

void store_strings_free(char **v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---- open / close ----------------------------------------------------- */

/* Create a missing database file with mode 0600 before SQLite opens it,
 * so meeting records are never world-readable. */
static int create_private(const char *path, char *err, size_t errlen)
{
    int fd;

    if (!strcmp(path, ":memory:") || !strncmp(path, "file:", 5) || !*path)
        return 0;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return 0;
        store_seterr(err, errlen, "cannot create database '%s': %s", path, strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

/* Before SQLite starts, once per process: no count of the memory SQLite
 * holds (nothing in scribe reads sqlite3_memory_used()), which would take
 * a process-wide lock in every allocation and free SQLite makes. If
 * SQLite was started already (a test that opened a database itself), the
 * setting is refused and nothing changes. */
static pthread_once_t sqlite_configured = PTHREAD_ONCE_INIT;

static void sqlite_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(struct store **out, const char *path, char *err, size_t errlen)
{
    struct store *st = xcalloc(1, sizeof(*st));

    *out = NULL;
    pthread_once(&sqlite_configured, sqlite_configure);
    if (create_private(path, err, errlen) < 0)
        goto fail;
    /* A store is used by one thread at a time (the bot's ingest worker
     * opens a store of its own), so its connection goes without the
     * mutex SQLite would otherwise take in every call: a bind, a step, a
     * column read each, a fiftieth of an ingest. */
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
        store_seterr(err, errlen, "cannot open database '%s': %s", path,
                     st->db ? sqlite3_errmsg(st->db) : "out of memory");
        goto fail;
    }
    if (!schema_has_fts5(st->db)) {
        store_seterr(err, errlen, "this SQLite has no FTS5 full-text search; "
                     "install a build with FTS5 (Debian's libsqlite3 has it)");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 5000);
    if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "PRAGMA foreign_keys=ON;", NULL, NULL, NULL) != SQLITE_OK) {
        store_seterr(err, errlen, "cannot set up database '%s': %s", path,
                     sqlite3_errmsg(st->db));
        goto fail;
    }
    if (schema_migrate(st, err, errlen) < 0)
        goto fail;
    *out = st;
    return 0;
fail:
    store_close(st);
    return -1;
}

void store_close(struct store *st)
{
    int i;

    if (!st)
        return;
    for (i = 0; i < st->n_cache; i++)
        sqlite3_finalize(st->cache[i].stmt);
    query_memo_free(st);
    if (st->db)
        sqlite3_close_v2(st->db);
    free(st);
}

struct sqlite3 *store_sqlite(struct store *st)
{
    return st->db;
}

/* BEGIN and COMMIT run once per record and per batch of bot state:
 * cached like any hot statement. */
static int step_cached(struct store *st, const char *sql)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    int rc = 0;

    if (!s)
        return -1;
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = log_err("sql failed: %s", sqlite3_errmsg(st->db));
    store_stmt_done(s);
    return rc;
}

/* Transactions nest: the outermost is BEGIN IMMEDIATE ... COMMIT, inner
 * ones are savepoints, so a caller can make a command and what it records
 * about the command (the bot's reply) one atomic change. */
int store_begin(struct store *st)
{
    if (step_cached(st, st->in_tx ? "SAVEPOINT store_nested" : "BEGIN IMMEDIATE") < 0)
        return -1;
    if (!st->in_tx++)
        st->tx_changes = sqlite3_total_changes64(st->db);
    return 0;
}

int store_reads_committed(struct store *st)
{
    /* The count only grows: equal means no row written since the begin. */
    if (sqlite3_get_autocommit(st->db))
        return 1;
    return st->in_tx > 0 && sqlite3_total_changes64(st->db) == st->tx_changes;
}

int store_commit(struct store *st)
{
    if (step_cached(st, st->in_tx > 1 ? "RELEASE store_nested" : "COMMIT") < 0)
        return -1;
    st->in_tx--;
    return 0;
}

int store_rollback(struct store *st)
{
    int rc;

    if (st->in_tx > 1) {
        rc = store_exec(st, "ROLLBACK TO store_nested; RELEASE store_nested");
        st->in_tx--;
        return rc;
    }
    st->in_tx = 0;
    return store_exec(st, "ROLLBACK");
}
