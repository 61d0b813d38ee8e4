/* storage/ingest_facts.c -- the facts of a record being stored: its
 * agenda, decisions and key points, the next meeting, its actions (codes,
 * owners, history) and its glossary, each list in few statements, none
 * of which opens a savepoint (INGEST_WRITE in store_int.h). Called by
 * store_add_record() (ingest.c) inside its transaction; knows SQL and
 * struct record, not the readers. */
#include "store_int.h"
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One list's items staged in temp.ingest_items; the speakers interned
 * in order. */
static int item_rows(struct ingest *in, sqlite3_stmt *s, int kind,
                     const struct record_item *v, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        int64_t pid = 0;

        if (!v[i].text)
            continue;
        if (v[i].speaker && *v[i].speaker && (pid = ingest_person(in, v[i].speaker, NULL)) <= 0)
            return -1;
        sqlite3_reset(s);
        sqlite3_bind_int(s, 1, kind);
        sqlite3_bind_int(s, 2, i);
        sqlite3_bind_text(s, 3, v[i].text, -1, SQLITE_STATIC);
        store_bind_text(s, 4, v[i].quote);
        store_bind_text(s, 5, v[i].speaker);
        if (pid > 0)
            sqlite3_bind_int64(s, 6, pid);
        else
            sqlite3_bind_null(s, 6);
        sqlite3_bind_int64(s, 7, (int64_t)v[i].offset);
        if (sqlite3_step(s) != SQLITE_DONE)
            return store_fail(in->st, "cannot stage item");
    }
    return 0;
}

int ingest_facts_items(struct ingest *in)
{
    const struct record *r = in->r;
    sqlite3_stmt *s;
    int rc = -1;

    /* Every item of the record in one statement: staged in a temporary
     * table, then copied (OR FAIL: no savepoint, INGEST_WRITE). When
     * items still had a trigger into their full-text index, a statement
     * per item made an index segment per item. */
    s = store_stmt(in->st, "INSERT INTO temp.ingest_items VALUES(?, ?, ?, ?, ?, ?, ?)");
    if (!s)
        return -1;
    if (item_rows(in, s, STORE_AGENDA, r->agenda, r->n_agenda) < 0 ||
        item_rows(in, s, STORE_DECISION, r->decisions, r->n_decisions) < 0 ||
        item_rows(in, s, STORE_POINT, r->points, r->n_points) < 0)
        goto out;
    store_stmt_done(s);
    s = store_stmt(in->st, "INSERT OR FAIL INTO items(meeting_id, record_id, kind, seq, text,"
                           " quote, speaker, person_id, offset)"
                           " SELECT ?, ?, kind, seq, text, quote, speaker, person_id, offset"
                           " FROM temp.ingest_items ORDER BY rowid");
    if (!s)
        goto out;
    sqlite3_bind_int64(s, 1, in->meeting_id);
    sqlite3_bind_int64(s, 2, in->record_id);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(in->st, "cannot store items");
        goto out;
    }
    store_stmt_done(s);
    s = store_stmt(in->st, "DELETE FROM temp.ingest_items");
    if (!s || sqlite3_step(s) != SQLITE_DONE)
        goto out;
    if (r->next) {
        store_stmt_done(s);
        s = store_stmt(in->st, "INSERT INTO next_meeting(meeting_id, record_id, when_text, date,"
                               " quote, offset) VALUES(?, ?, ?, ?, ?, ?)");
        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, in->meeting_id);
        sqlite3_bind_int64(s, 2, in->record_id);
        store_bind_text(s, 3, r->next->when);
        store_bind_text(s, 4, r->next->date);
        store_bind_text(s, 5, r->next->quote);
        sqlite3_bind_int64(s, 6, (int64_t)r->next->offset);
        if (sqlite3_step(s) != SQLITE_DONE) {
            store_fail(in->st, "cannot store next meeting");
            goto out;
        }
    }
    rc = 0;
out:
    store_stmt_done(s);
    return rc;
}

/* The next action codes for the record's actions, in order, taken from
 * the counter in one step: what actions_next_code() gives one at a time. */
static int take_codes(struct store *st, const struct record *r, char (*codes)[24])
{
    sqlite3_stmt *s;
    int64_t last;
    int i, n = 0;

    for (i = 0; i < r->n_actions; i++)
        n += r->actions[i].text != NULL;
    if (n == 0)
        return 0;
    s = store_stmt(st, "UPDATE OR FAIL counters SET value = value + ? WHERE name = 'action'"
                       " RETURNING value");
    if (!s)
        return -1;
    sqlite3_bind_int(s, 1, n);
    last = ingest_step_id(s);
    if (last < n)
        return store_fail(st, "cannot take action codes");
    for (i = 0; i < r->n_actions; i++)
        if (r->actions[i].text)
            snprintf(codes[i], 24, "A%lld", (long long)(last - --n));
    return 0;
}

int ingest_stage_tables(struct store *st)
{
    int outside = sqlite3_get_autocommit(st->db);

    if (st->ingest_staged)
        return 0;
    if (store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS ingest_items(kind, seq, text, quote,"
                       " speaker, person_id, offset);"
                       "CREATE TEMP TABLE IF NOT EXISTS ingest_actions(code, text, due,"
                       " due_date, status, status_by, status_at, quote, speaker, speaker_id,"
                       " offset, concerns_dcs, explicit, confidence);"
                       "CREATE TEMP TABLE IF NOT EXISTS ingest_owners(code, seq, name,"
                       " person_id)") < 0)
        return -1;
    st->ingest_staged = outside;    /* else made again next time: a rollback may drop them */
    return 0;
}

/* The day of the record's meeting as its actions' owners keep it: its
 * date, else the day it was posted. NULL on error. */
static char *meeting_day_dup(struct ingest *in)
{
    sqlite3_stmt *s = store_stmt(in->st, "SELECT COALESCE(date, date(posted, 'unixepoch'))"
                                         " FROM meetings WHERE id = ?");
    char *day = NULL;

    if (!s)
        return NULL;
    sqlite3_bind_int64(s, 1, in->meeting_id);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
        day = xstrdup((const char *)sqlite3_column_text(s, 0));
    else
        store_fail(in->st, "cannot read the meeting's day");
    store_stmt_done(s);
    return day;
}

int ingest_facts_actions(struct ingest *in, int64_t posted)
{
    const struct record *r = in->r;
    /* All the record's actions in one statement, staged like its items
     * (see ingest_facts_items); their insert fires the open count's
     * trigger, OR FAIL there too. Codes and people are taken first, in
     * the order a row at a time took them, so every id comes out the
     * same. */
    sqlite3_stmt *s, *ow = NULL;
    char (*codes)[24] = xcalloc((size_t)r->n_actions + 1, sizeof(*codes)), *day = NULL;
    int i, k, n_owners = 0, rc = -1;

    s = store_stmt(in->st, "INSERT INTO temp.ingest_actions"
                           " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ow = store_stmt(in->st, "INSERT INTO temp.ingest_owners VALUES(?, ?, ?, ?)");
    if (!s || !ow || take_codes(in->st, r, codes) < 0)
        goto out;
    for (i = 0; i < r->n_actions; i++) {
        const struct record_action *a = &r->actions[i];
        int64_t spk = 0;

        if (!a->text)
            continue;
        if (a->speaker && *a->speaker && (spk = ingest_person(in, a->speaker, NULL)) <= 0)
            goto out;
        for (k = 0; k < a->n_owners; k++) {
            int64_t pid;

            if (!a->owners[k] || !*a->owners[k])
                continue;
            if ((pid = ingest_person(in, a->owners[k], NULL)) <= 0)
                goto out;
            sqlite3_reset(ow);
            sqlite3_bind_text(ow, 1, codes[i], -1, SQLITE_STATIC);
            sqlite3_bind_int(ow, 2, k);
            sqlite3_bind_text(ow, 3, a->owners[k], -1, SQLITE_STATIC);
            sqlite3_bind_int64(ow, 4, pid);
            if (sqlite3_step(ow) != SQLITE_DONE) {
                store_fail(in->st, "cannot stage action owner");
                goto out;
            }
            n_owners++;
        }
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, codes[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, a->text, -1, SQLITE_STATIC);
        store_bind_text(s, 3, a->due);
        store_bind_text(s, 4, a->due_date);
        sqlite3_bind_text(s, 5, a->done ? "done" : "open", -1, SQLITE_STATIC);
        if (a->done) {
            sqlite3_bind_text(s, 6, "the record", -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 7, posted);
        } else {
            sqlite3_bind_null(s, 6);
            sqlite3_bind_null(s, 7);
        }
        store_bind_text(s, 8, a->quote);
        store_bind_text(s, 9, a->speaker);
        if (spk > 0)
            sqlite3_bind_int64(s, 10, spk);
        else
            sqlite3_bind_null(s, 10);
        sqlite3_bind_int64(s, 11, (int64_t)a->offset);
        sqlite3_bind_int(s, 12, a->concerns_dcs ? 1 : 0);
        sqlite3_bind_int(s, 13, a->is_explicit ? 1 : 0);
        sqlite3_bind_double(s, 14, a->confidence);
        if (sqlite3_step(s) != SQLITE_DONE) {
            store_fail(in->st, "cannot stage action");
            goto out;
        }
    }
    store_stmt_done(s);
    s = store_stmt(in->st, "INSERT OR FAIL INTO actions(code, meeting_id, record_id, text, due,"
                           " due_date, status, status_by, status_at, quote, speaker,"
                           " speaker_id, offset, concerns_dcs, explicit, confidence, created)"
                           " SELECT code, ?1, ?2, text, due, due_date, status, status_by, status_at,"
                           " quote, speaker, speaker_id, offset, concerns_dcs, explicit, confidence, ?3"
                           " FROM temp.ingest_actions ORDER BY rowid");
    if (!s)
        goto out;
    sqlite3_bind_int64(s, 1, in->meeting_id);
    sqlite3_bind_int64(s, 2, in->record_id);
    sqlite3_bind_int64(s, 3, posted);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(in->st, "cannot store actions");
        goto out;
    }
    store_stmt_done(s);
    /* Their owners and the "created" line of their history, the same way:
     * one statement each, the action found by its code. The owners' day
     * is the meeting's, read first: date() inside the statement would
     * make it open a savepoint (see INGEST_WRITE). */
    if (!(day = meeting_day_dup(in)))
        goto out;
    s = store_stmt(in->st, "INSERT OR FAIL INTO action_owners(action_id, seq, name, person_id,"
                           " done, day, mid)"
                           " SELECT a.id, o.seq, o.name, o.person_id, a.status = 'done', ?1, ?2"
                           " FROM temp.ingest_owners o JOIN actions a ON a.code = o.code"
                           " ORDER BY o.rowid");
    if (s) {
        sqlite3_bind_text(s, 1, day, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, in->meeting_id);
    }
    if (!s || sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(in->st->db) != n_owners) {
        store_fail(in->st, "cannot store action owners");
        goto out;
    }
    store_stmt_done(s);
    s = store_stmt(in->st, "INSERT OR FAIL INTO action_history(action_id, at, by, what, detail)"
                           " SELECT a.id, ?, NULL, 'created', 'from the record'"
                           " FROM temp.ingest_actions t JOIN actions a ON a.code = t.code"
                           " ORDER BY t.rowid");
    if (!s)
        goto out;
    sqlite3_bind_int64(s, 1, posted);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_fail(in->st, "cannot store action history");
        goto out;
    }
    store_stmt_done(s);
    s = NULL;
    if (store_exec(in->st, "DELETE FROM temp.ingest_actions; DELETE FROM temp.ingest_owners") < 0)
        goto out;
    rc = 0;
out:
    store_stmt_done(s);
    store_stmt_done(ow);
    free(codes);
    free(day);
    return rc;
}

int ingest_facts_glossary(struct ingest *in)
{
    const struct record *r = in->r;
    sqlite3_stmt *s = store_stmt(in->st, "INSERT OR IGNORE INTO glossary(acronym, expansion,"
                                         " acronym_key, expansion_key) VALUES(?, ?, ?, ?)");
    int i, rc = -1;

    if (!s)
        return -1;
    for (i = 0; i < r->n_glossary; i++) {
        const struct record_gloss *g = &r->glossary[i];
        char *ak, *ek;

        if (!g->acronym || !g->expansion || !*g->acronym || !*g->expansion)
            continue;
        ak = people_key_dup(g->acronym);
        ek = people_key_dup(g->expansion);
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, g->acronym, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, g->expansion, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, ak, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, ek, -1, SQLITE_TRANSIENT);
        free(ak);
        free(ek);
        if (sqlite3_step(s) != SQLITE_DONE) {
            store_fail(in->st, "cannot store glossary");
            goto out;
        }
    }
    rc = 0;
out:
    store_stmt_done(s);
    return rc;
}

int ingest_marks_take(struct store *st, struct ingest_marks *m)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT (SELECT COALESCE(max(id), 0) FROM items),"
                                     " (SELECT COALESCE(max(id), 0) FROM actions)");
    int rc = -1;

    if (!s)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW) {
        m->items = sqlite3_column_int64(s, 0);
        m->actions = sqlite3_column_int64(s, 1);
        rc = 0;
    } else {
        store_fail(st, "cannot read the last rows stored");
    }
    store_stmt_done(s);
    return rc;
}

int ingest_index(struct store *st, const struct ingest_marks *m)
{
    /* One statement each, last: a statement that reads rows into a
     * full-text index opens a savepoint, which writes out what is
     * pending (the turns' rows and the items', when the next one starts;
     * the actions' at the commit). */
    static const char *const sql[2] = {
        "INSERT INTO items_fts(rowid, text, quote) SELECT id, text, quote FROM items WHERE id > ?",
        "INSERT INTO actions_fts(rowid, text, quote) SELECT id, text, quote FROM actions"
        " WHERE id > ?",
    };
    const int64_t after[2] = { m->items, m->actions };
    int k;

    for (k = 0; k < 2; k++) {
        sqlite3_stmt *s = store_stmt(st, sql[k]);
        int step;

        if (!s)
            return -1;
        sqlite3_bind_int64(s, 1, after[k]);
        step = sqlite3_step(s);
        store_stmt_done(s);
        if (step != SQLITE_DONE)
            return store_fail(st, k ? "cannot index actions" : "cannot index items");
    }
    return 0;
}
