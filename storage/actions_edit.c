/* storage/actions_edit.c -- changing action items: the next short code
 * (A1, A2, ... never reused), owners, and the lifecycle done / reopen /
 * assign / add, each change kept in action_history with who and when;
 * and reading that history back. Owns the writes to actions,
 * action_owners, action_history and the 'action' counter; reading and
 * filtering actions live in actions.c. */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int actions_next_code(struct store *st, char code[16])
{
    sqlite3_stmt *s = store_stmt(st, "UPDATE counters SET value = value + 1 WHERE name = 'action'"
                                     " RETURNING value");
    int rc = -1;

    if (!s)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW) {
        snprintf(code, 16, "A%lld", (long long)sqlite3_column_int64(s, 0));
        rc = 0;
    }
    store_stmt_done(s);
    return rc;
}

int actions_insert_owners(struct store *st, int64_t action_id,
                          const char *const *owners, int n_owners)
{
    /* With the action's done-ness and page sort key (schema_v7). */
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO action_owners(action_id, seq, name, person_id,"
                                     " done, day, mid)"
                                     " SELECT ?1, ?2, ?3, ?4, a.status = 'done',"
                                     " COALESCE(m.date, date(m.posted, 'unixepoch')), m.id"
                                     " FROM actions a LEFT JOIN meetings m ON m.id = a.meeting_id"
                                     " WHERE a.id = ?1");
    int i, rc = 0;

    if (!s)
        return -1;
    for (i = 0; i < n_owners; i++) {
        int64_t pid;

        if (!owners[i] || !*owners[i])
            continue;
        if ((pid = people_intern(st, owners[i], NULL)) <= 0) {
            rc = -1;
            break;
        }
        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, action_id);
        sqlite3_bind_int(s, 2, i);
        sqlite3_bind_text(s, 3, owners[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, pid);
        /* No row when there is no such action (as the foreign key would). */
        if (sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(st->db) != 1) {
            rc = store_fail(st, "cannot store action owner");
            break;
        }
    }
    store_stmt_done(s);
    return rc;
}

int actions_log(struct store *st, int64_t action_id, int64_t at, const char *by,
                const char *what, const char *detail)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO action_history(action_id, at, by, what, detail)"
                                     " VALUES(?, ?, ?, ?, ?)");
    int rc = 0;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, action_id);
    sqlite3_bind_int64(s, 2, at);
    store_bind_text(s, 3, by);
    sqlite3_bind_text(s, 4, what, -1, SQLITE_STATIC);
    store_bind_text(s, 5, detail);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_fail(st, "cannot log action change");
    store_stmt_done(s);
    return rc;
}

/* Opens a transaction on the action with this code and sets *id: 0, or
 * STORE_NOTFOUND / -1 with no transaction left open. */
static int begin_on_action(struct store *st, const char *code, int64_t *id)
{
    sqlite3_stmt *s;

    *id = 0;
    if (store_begin(st) < 0)
        return -1;
    s = store_prep(st, "SELECT id FROM actions WHERE code = ? COLLATE NOCASE");
    if (!s) {
        store_rollback(st);
        return -1;
    }
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (*id <= 0) {
        store_rollback(st);
        return STORE_NOTFOUND;
    }
    return 0;
}

int store_action_set_done(struct store *st, const char *code, int done,
                          const char *by, int64_t at)
{
    sqlite3_stmt *s;
    int64_t id;
    int rc;

    if ((rc = begin_on_action(st, code, &id)) != 0)
        return rc;
    s = store_prep(st, "UPDATE actions SET status = ?, status_by = ?, status_at = ? WHERE id = ?");
    if (!s)
        goto fail;
    sqlite3_bind_text(s, 1, done ? "done" : "open", -1, SQLITE_STATIC);
    store_bind_text(s, 2, by);
    sqlite3_bind_int64(s, 3, at);
    sqlite3_bind_int64(s, 4, id);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_finalize(s);
        goto fail;
    }
    sqlite3_finalize(s);
    if (actions_log(st, id, at, by, done ? "done" : "reopened", NULL) < 0)
        goto fail;
    return store_commit(st) < 0 ? -1 : 0;
fail:
    store_fail(st, "cannot change action");
    store_rollback(st);
    return -1;
}

static char *join_owners(const char *const *owners, int n)
{
    struct buf b;
    int i;

    buf_init(&b);
    for (i = 0; i < n; i++) {
        if (i)
            buf_puts(&b, ", ");
        buf_puts(&b, owners[i]);
    }
    return buf_detach(&b);
}

int store_action_assign(struct store *st, const char *code,
                        const char *const *owners, int n_owners,
                        const char *by, int64_t at)
{
    sqlite3_stmt *s;
    char *who;
    int64_t id;
    int rc;

    if ((rc = begin_on_action(st, code, &id)) != 0)
        return rc;
    s = store_prep(st, "DELETE FROM action_owners WHERE action_id = ?");
    if (!s)
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_finalize(s);
        goto fail;
    }
    sqlite3_finalize(s);
    if (actions_insert_owners(st, id, owners, n_owners) < 0 || people_resolve(st) < 0)
        goto fail;
    who = join_owners(owners, n_owners);
    if (actions_log(st, id, at, by, "assigned", who) < 0) {
        free(who);
        goto fail;
    }
    free(who);
    return store_commit(st) < 0 ? -1 : 0;
fail:
    store_fail(st, "cannot assign action");
    store_rollback(st);
    return -1;
}

int store_action_add(struct store *st, int64_t meeting_id,
                     const char *const *owners, int n_owners, const char *text,
                     const char *by, int64_t at, char code[16])
{
    sqlite3_stmt *s;
    int64_t id;

    if (store_begin(st) < 0)
        return -1;
    if (!meeting_id) {
        s = store_prep(st, "SELECT id FROM meetings m ORDER BY"
                           " COALESCE(m.date, date(m.posted, 'unixepoch')) DESC, m.id DESC LIMIT 1");
        if (!s)
            goto fail;
        if (sqlite3_step(s) == SQLITE_ROW)
            meeting_id = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    if (actions_next_code(st, code) < 0)
        goto fail;
    s = store_prep(st, "INSERT INTO actions(code, meeting_id, text, status, created, explicit,"
                       " confidence) VALUES(?, ?, ?, 'open', ?, 1, 1.0)");
    if (!s)
        goto fail;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_TRANSIENT);
    if (meeting_id)
        sqlite3_bind_int64(s, 2, meeting_id);
    else
        sqlite3_bind_null(s, 2);
    sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, at);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_finalize(s);
        goto fail;
    }
    sqlite3_finalize(s);
    id = sqlite3_last_insert_rowid(st->db);
    /* Into the actions' full-text index (no trigger does it: schema_v11). */
    s = store_stmt(st, "INSERT INTO actions_fts(rowid, text, quote) VALUES(?, ?, NULL)");
    if (!s)
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_stmt_done(s);
        goto fail;
    }
    store_stmt_done(s);
    if (actions_insert_owners(st, id, owners, n_owners) < 0 || people_resolve(st) < 0 ||
        actions_log(st, id, at, by, "created", NULL) < 0)
        goto fail;
    return store_commit(st) < 0 ? -1 : 0;
fail:
    store_fail(st, "cannot add action");
    store_rollback(st);
    return -1;
}

void store_history_free(struct store_history *v, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        free(v[i].by);
        free(v[i].what);
        free(v[i].detail);
    }
    free(v);
}

int store_action_history(struct store *st, const char *code,
                         struct store_history **out, int *n)
{
    sqlite3_stmt *s = store_prep(st, "SELECT h.at, h.by, h.what, h.detail FROM action_history h"
                                     " JOIN actions a ON a.id = h.action_id"
                                     " WHERE a.code = ? COLLATE NOCASE ORDER BY h.id");

    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW) {
        struct store_history *h;

        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        h = &(*out)[(*n)++];
        h->at = sqlite3_column_int64(s, 0);
        h->by = store_col_dup(s, 1);
        h->what = store_col_dup(s, 2);
        h->detail = store_col_dup(s, 3);
    }
    sqlite3_finalize(s);
    return 0;
}
