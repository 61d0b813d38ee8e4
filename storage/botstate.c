/* storage/botstate.c -- the bot's own tables (bot_kv, bot_handled,
 * bot_rooms, bot_jobs) on the store's connection. Plain SQL; every
 * statement comes from the store's cache (prepared once per connection:
 * the bot runs a handful on every question) and is bound, stepped and
 * handed back in one function. Knows nothing of Matrix or JSON. */
#include "botstate.h"
#include "store_int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS bot_kv("
    "  key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS bot_posts("
    "  sha256 TEXT PRIMARY KEY, room_id TEXT NOT NULL, event_id TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS bot_handled("
    "  event_id TEXT PRIMARY KEY, ts INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS bot_handled_ts ON bot_handled(ts);"
    "CREATE TABLE IF NOT EXISTS bot_rooms("
    "  room_id TEXT PRIMARY KEY, has_power INTEGER NOT NULL DEFAULT 0,"
    "  users_default INTEGER NOT NULL DEFAULT 0, power TEXT, creators TEXT,"
    "  members INTEGER NOT NULL DEFAULT -1, direct INTEGER NOT NULL DEFAULT 0,"
    "  encrypted INTEGER NOT NULL DEFAULT 0, named INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS bot_jobs("
    "  id INTEGER PRIMARY KEY, kind INTEGER NOT NULL, room_id TEXT NOT NULL,"
    "  event_id TEXT NOT NULL, sender TEXT, text TEXT, thread_root TEXT,"
    "  url TEXT, filename TEXT, size INTEGER NOT NULL DEFAULT -1,"
    "  is_admin INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL DEFAULT 0,"
    "  reply_text TEXT, reply_html TEXT, outcome INTEGER NOT NULL DEFAULT -1);";

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "scribe: botstate: %s: %s\n", what, sqlite3_errmsg(db));
    return -1;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);

    return t ? xstrdup((const char *)t) : NULL;
}

/* Step a write statement to completion and hand it back to the cache. */
static int exec_done(sqlite3 *db, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);

    if (rc != SQLITE_DONE)
        fail(db, what);
    store_stmt_done(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

const char *botstate_db_path(struct store *st)
{
    const char *p = sqlite3_db_filename(store_sqlite(st), "main");

    return p ? p : "";
}

void botstate_busy_timeout(struct store *st, int ms)
{
    sqlite3_busy_timeout(store_sqlite(st), ms);
}

int botstate_checkpoint(struct store *st)
{
    sqlite3 *db = store_sqlite(st);
    int in_log = 0, copied = 0;
    char now[32];

    if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &in_log, &copied) !=
        SQLITE_OK)
        return fail(db, "checkpoint");
    if (in_log <= 0 || copied < in_log)
        return 0;               /* no log, or a reader kept part of it */
    /* All of the log is back in the database, so the next write starts
     * it over, and synchronous=NORMAL has SQLite sync the log's new header
     * then: an fsync (0.5 ms on this machine, several on a slow disk)
     * inside whatever writes next, which after a rest is the batch that
     * holds the next question. One small write now takes it here. */
    snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
    return botstate_set(st, "rested_at", now);
}

void botstate_release_memory(struct store *st)
{
    sqlite3_db_release_memory(store_sqlite(st));
}

void botstate_wal_cap(struct store *st, int pages)
{
    sqlite3_wal_autocheckpoint(store_sqlite(st), pages);
}

int botstate_init(struct store *st)
{
    sqlite3 *db = store_sqlite(st);
    char *err = NULL;

    if (sqlite3_exec(db, schema, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "scribe: botstate: cannot create tables: %s\n", err ? err : "?");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

int botstate_post_put(struct store *st, const char *sha256, const char *room_id,
                      const char *event_id)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT OR IGNORE INTO bot_posts(sha256, room_id, event_id) VALUES(?, ?, ?)");
    int rc;

    if (!s)
        return -1;
    bind_text(s, 1, sha256);
    bind_text(s, 2, room_id);
    bind_text(s, 3, event_id);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    store_stmt_done(s);
    return rc;
}

int botstate_post_get(struct store *st, const char *sha256, char **room_id, char **event_id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT room_id, event_id FROM bot_posts WHERE sha256 = ?");
    int rc;

    *room_id = *event_id = NULL;
    if (!s)
        return -1;
    bind_text(s, 1, sha256);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *room_id = col_dup(s, 0);
        *event_id = col_dup(s, 1);
    }
    store_stmt_done(s);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

char *botstate_get_dup(struct store *st, const char *key)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT value FROM bot_kv WHERE key = ?");
    char *v = NULL;

    if (!s)
        return NULL;
    bind_text(s, 1, key);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = col_dup(s, 0);
    store_stmt_done(s);
    return v;
}

int botstate_set(struct store *st, const char *key, const char *value)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = store_stmt(st, value ? "INSERT INTO bot_kv(key, value) VALUES(?, ?) "
                                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
                                     : "DELETE FROM bot_kv WHERE key = ?");

    if (!s)
        return -1;
    bind_text(s, 1, key);
    if (value)
        bind_text(s, 2, value);
    return exec_done(db, s, "set key");
}

int botstate_mark_handled(struct store *st, const char *event_id, int64_t now_ms)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = store_stmt(st, "INSERT OR IGNORE INTO bot_handled(event_id, ts) VALUES(?, ?)");

    if (!s)
        return -1;
    bind_text(s, 1, event_id);
    sqlite3_bind_int64(s, 2, now_ms);
    if (exec_done(db, s, "mark handled") < 0)
        return -1;
    return sqlite3_changes(db) > 0;
}

int botstate_prune_handled(struct store *st, int64_t before_ms)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM bot_handled WHERE ts < ?");

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, before_ms);
    return exec_done(db, s, "prune handled");
}

/* ---- rooms ---- */

int botstate_room_put(struct store *st, const struct botstate_room *r)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = store_stmt(st, "INSERT OR REPLACE INTO bot_rooms(room_id, has_power, users_default, power,"
        " creators, members, direct, encrypted, named) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");

    if (!s)
        return -1;
    bind_text(s, 1, r->room_id);
    sqlite3_bind_int(s, 2, r->has_power);
    sqlite3_bind_int64(s, 3, r->users_default);
    bind_text(s, 4, r->power);
    bind_text(s, 5, r->creators);
    sqlite3_bind_int64(s, 6, r->members);
    sqlite3_bind_int(s, 7, r->direct);
    sqlite3_bind_int(s, 8, r->encrypted);
    sqlite3_bind_int(s, 9, r->named);
    return exec_done(db, s, "save room");
}

int botstate_room_delete(struct store *st, const char *room_id)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM bot_rooms WHERE room_id = ?");

    if (!s)
        return -1;
    bind_text(s, 1, room_id);
    return exec_done(db, s, "delete room");
}

int botstate_rooms_load(struct store *st, struct botstate_room **out, size_t *n)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = store_stmt(st, "SELECT room_id, has_power, users_default, power, creators,"
                               " members, direct, encrypted, named FROM bot_rooms");
    int rc;

    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct botstate_room *r;

        *out = xrealloc(*out, sizeof(**out) * (*n + 1));
        r = &(*out)[(*n)++];
        r->room_id = col_dup(s, 0);
        r->has_power = sqlite3_column_int(s, 1);
        r->users_default = sqlite3_column_int64(s, 2);
        r->power = col_dup(s, 3);
        r->creators = col_dup(s, 4);
        r->members = sqlite3_column_int64(s, 5);
        r->direct = sqlite3_column_int(s, 6);
        r->encrypted = sqlite3_column_int(s, 7);
        r->named = sqlite3_column_int(s, 8);
    }
    store_stmt_done(s);
    return rc == SQLITE_DONE ? 0 : fail(db, "load rooms");
}

void botstate_room_release(struct botstate_room *r)
{
    free(r->room_id);
    free(r->power);
    free(r->creators);
    memset(r, 0, sizeof(*r));
}

void botstate_rooms_free(struct botstate_room *rooms, size_t n)
{
    for (size_t i = 0; i < n; i++)
        botstate_room_release(&rooms[i]);
    free(rooms);
}

/* ---- jobs ---- */

int botstate_job_add(struct store *st, struct botstate_job *j)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO bot_jobs(kind, room_id, event_id, sender, text, thread_root, url,"
        " filename, size, is_admin, created, reply_text, reply_html, outcome)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

    if (!s)
        return -1;
    sqlite3_bind_int(s, 1, j->kind);
    bind_text(s, 2, j->room_id);
    bind_text(s, 3, j->event_id);
    bind_text(s, 4, j->sender);
    bind_text(s, 5, j->text);
    bind_text(s, 6, j->thread_root);
    bind_text(s, 7, j->url);
    bind_text(s, 8, j->filename);
    sqlite3_bind_int64(s, 9, j->size);
    sqlite3_bind_int(s, 10, j->is_admin);
    sqlite3_bind_int64(s, 11, j->created_ms);
    bind_text(s, 12, j->reply_text);
    bind_text(s, 13, j->reply_html);
    sqlite3_bind_int(s, 14, j->outcome);
    if (exec_done(db, s, "add job") < 0)
        return -1;
    j->id = sqlite3_last_insert_rowid(db);
    return 0;
}

int botstate_job_set_text(struct store *st, int64_t id, const char *text)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = store_stmt(st, "UPDATE bot_jobs SET text = ? WHERE id = ?");

    if (!s)
        return -1;
    bind_text(s, 1, text);
    sqlite3_bind_int64(s, 2, id);
    return exec_done(db, s, "update job");
}

int botstate_job_set_reply(struct store *st, int64_t id, const char *text,
                           const char *html, int outcome)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = store_stmt(st, "UPDATE bot_jobs SET reply_text = ?, reply_html = ?,"
                               " outcome = ? WHERE id = ?");

    if (!s)
        return -1;
    bind_text(s, 1, text);
    bind_text(s, 2, html);
    sqlite3_bind_int(s, 3, outcome);
    sqlite3_bind_int64(s, 4, id);
    return exec_done(db, s, "save reply");
}

int botstate_job_delete(struct store *st, int64_t id)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = store_stmt(st, "DELETE FROM bot_jobs WHERE id = ?");

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    return exec_done(db, s, "delete job");
}

int botstate_jobs_load(struct store *st, struct botstate_job **out, size_t *n)
{
    sqlite3 *db = store_sqlite(st);
    sqlite3_stmt *s = store_stmt(st, "SELECT id, kind, room_id, event_id, sender, text, thread_root, url, filename,"
        " size, is_admin, created, reply_text, reply_html, outcome FROM bot_jobs ORDER BY id");
    int rc;

    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct botstate_job *j;

        *out = xrealloc(*out, sizeof(**out) * (*n + 1));
        j = &(*out)[(*n)++];
        j->id = sqlite3_column_int64(s, 0);
        j->kind = sqlite3_column_int(s, 1);
        j->room_id = col_dup(s, 2);
        j->event_id = col_dup(s, 3);
        j->sender = col_dup(s, 4);
        j->text = col_dup(s, 5);
        j->thread_root = col_dup(s, 6);
        j->url = col_dup(s, 7);
        j->filename = col_dup(s, 8);
        j->size = sqlite3_column_int64(s, 9);
        j->is_admin = sqlite3_column_int(s, 10);
        j->created_ms = sqlite3_column_int64(s, 11);
        j->reply_text = col_dup(s, 12);
        j->reply_html = col_dup(s, 13);
        j->outcome = sqlite3_column_int(s, 14);
    }
    store_stmt_done(s);
    return rc == SQLITE_DONE ? 0 : fail(db, "load jobs");
}

void botstate_job_release(struct botstate_job *j)
{
    free(j->room_id);
    free(j->event_id);
    free(j->sender);
    free(j->text);
    free(j->thread_root);
    free(j->url);
    free(j->filename);
    free(j->reply_text);
    free(j->reply_html);
    memset(j, 0, sizeof(*j));
}

void botstate_jobs_free(struct botstate_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        botstate_job_release(&jobs[i]);
    free(jobs);
}
