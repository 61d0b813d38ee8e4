/* storage/ingest.c -- a record into the store: one transaction per record,
 * duplicate detection by content hash, the merging of a transcript and a
 * summary into one meeting, turns (indexed for search) and people; the
 * record's facts (items, actions, glossary) go in through ingest_facts.c.
 * Knows SQL and struct record; the readers live in record.c and friends. */
#include "store_int.h"
#include "record.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void describe_meeting(struct store *st, int64_t meeting_id, char *out, size_t outlen)
{
    struct store_meeting m;
    char *label;

    snprintf(out, outlen, "meeting %lld", (long long)meeting_id);
    if (store_meeting_get(st, meeting_id, &m) != 0)
        return;
    label = store_meeting_label_dup(&m);
    if (m.date)
        snprintf(out, outlen, "%s %s (%s)", m.group, label, m.date);
    else
        snprintf(out, outlen, "%s %s (undated)", m.group, label);
    free(label);
    store_meeting_release(&m);
}

static int64_t find_duplicate(struct store *st, const char *sha, int64_t *record_id, int *kind)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT meeting_id, id, kind FROM records WHERE sha256 = ?");
    int64_t id = 0;

    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        id = sqlite3_column_int64(s, 0);
        *record_id = sqlite3_column_int64(s, 1);
        *kind = sqlite3_column_int(s, 2);
    }
    store_stmt_done(s);
    return id;
}

int64_t ingest_step_id(sqlite3_stmt *s)
{
    int64_t id = 0;

    if (s && sqlite3_step(s) == SQLITE_ROW)
        id = sqlite3_column_int64(s, 0);
    store_stmt_done(s);
    return id;
}

/* The meeting a record belongs to: same group and number, else same
 * group and date (when the numbers do not disagree), else same number and
 * date under another spelling of the group. 0 when none. */
static int64_t match_meeting(struct store *st, const struct record *r, const char *gkey)
{
    sqlite3_stmt *s;
    int64_t id = 0;

    if (r->number_value >= 0) {
        s = store_stmt(st, "SELECT id FROM meetings WHERE grp_key = ? AND number_value = ?"
                           " ORDER BY id LIMIT 1");
        if (!s)
            return -1;
        sqlite3_bind_text(s, 1, gkey, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, r->number_value);
        if ((id = ingest_step_id(s)) != 0)
            return id;
    } else if (r->number && *r->number) {
        s = store_stmt(st, "SELECT id FROM meetings WHERE grp_key = ? AND number = ? COLLATE NOCASE"
                           " ORDER BY id LIMIT 1");
        if (!s)
            return -1;
        sqlite3_bind_text(s, 1, gkey, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, r->number, -1, SQLITE_STATIC);
        if ((id = ingest_step_id(s)) != 0)
            return id;
    }
    if (r->date) {
        s = store_stmt(st, "SELECT id FROM meetings WHERE grp_key = ? AND date = ?"
                           " AND (number_value IS NULL OR number_value < 0 OR ?3 < 0"
                           "      OR number_value = ?3) ORDER BY id LIMIT 1");
        if (!s)
            return -1;
        sqlite3_bind_text(s, 1, gkey, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, r->date, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, r->number_value);
        if ((id = ingest_step_id(s)) != 0)
            return id;
        if (r->number_value >= 0) {
            s = store_stmt(st, "SELECT id FROM meetings WHERE date = ? AND number_value = ?"
                               " ORDER BY id LIMIT 1");
            if (!s)
                return -1;
            sqlite3_bind_text(s, 1, r->date, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 2, r->number_value);
            if ((id = ingest_step_id(s)) != 0)
                return id;
        }
    }
    return 0;
}

/* Meeting `id` given `date` when it has none yet. 0 or -1. */
static int fill_date(struct store *st, int64_t id, const char *date)
{
    sqlite3_stmt *s;
    int64_t undated;

    if (!date)
        return 0;
    s = store_stmt(st, "SELECT date IS NULL FROM meetings WHERE id = ?");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    undated = ingest_step_id(s);
    if (!undated)
        return 0;
    s = store_stmt(st, "UPDATE meetings SET date = ?2 WHERE id = ?1");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, date, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) {
        store_stmt_done(s);
        return store_fail(st, "cannot date meeting");
    }
    store_stmt_done(s);
    return 0;
}

static int64_t upsert_meeting(struct store *st, const struct record *r, const char *room,
                              int64_t posted, int *is_new)
{
    char *gkey = people_key_dup(r->group ? r->group : "");
    sqlite3_stmt *s;
    int64_t id;

    *is_new = 0;
    id = match_meeting(st, r, gkey);
    if (id < 0)
        goto done;
    if (id > 0) {
        /* Fill what the earlier record lacked; never overwrite. The date
         * apart (fill_date()): its trigger would make every such update
         * open a savepoint (INGEST_WRITE in store_int.h). */
        if (fill_date(st, id, r->date) < 0) {
            id = -1;
            goto done;
        }
        s = store_stmt(st, "UPDATE OR FAIL meetings SET number = COALESCE(number, ?2),"
                           " number_value = CASE WHEN number_value IS NULL OR number_value < 0"
                           "   THEN ?3 ELSE number_value END,"
                           " title = COALESCE(title, ?4), time_utc = COALESCE(time_utc, ?6),"
                           " end_time_utc = COALESCE(end_time_utc, ?7),"
                           " room = COALESCE(room, ?8) WHERE id = ?1");
    } else {
        *is_new = 1;
        s = store_stmt(st, "INSERT INTO meetings(id, number, number_value, title, date, time_utc,"
                           " end_time_utc, room, grp, grp_key, posted)"
                           " VALUES(NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    }
    if (!s) {
        id = -1;
        goto done;
    }
    if (id > 0)
        sqlite3_bind_int64(s, 1, id);
    store_bind_text(s, 2, r->number);
    if (r->number_value >= 0)
        sqlite3_bind_int64(s, 3, r->number_value);
    else
        sqlite3_bind_null(s, 3);
    store_bind_text(s, 4, r->title);
    if (!id)
        store_bind_text(s, 5, r->date);
    store_bind_text(s, 6, r->time_utc);
    store_bind_text(s, 7, r->end_time_utc);
    store_bind_text(s, 8, room);
    if (!id) {
        store_bind_text(s, 9, r->group ? r->group : "meeting");
        store_bind_text(s, 10, gkey);
        sqlite3_bind_int64(s, 11, posted);
    }
    if (sqlite3_step(s) != SQLITE_DONE)
        id = store_fail(st, "cannot store meeting");
    else if (!id)
        id = sqlite3_last_insert_rowid(st->db);
    store_stmt_done(s);
done:
    free(gkey);
    return id;
}

static int64_t insert_record(struct store *st, const struct record *r, int64_t meeting_id,
                             const char *name, int64_t posted)
{
    sqlite3_stmt *s = store_stmt(st, "INSERT INTO records(meeting_id, kind, sha256, name, title,"
                                     " posted, text) VALUES(?, ?, ?, ?, ?, ?, ?)");
    int64_t id = -1;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, meeting_id);
    sqlite3_bind_int(s, 2, (int)r->kind);
    sqlite3_bind_text(s, 3, r->sha256, -1, SQLITE_STATIC);
    store_bind_text(s, 4, name);
    store_bind_text(s, 5, r->title);
    sqlite3_bind_int64(s, 6, posted);
    sqlite3_bind_text(s, 7, "", 0, SQLITE_STATIC);     /* not kept: see schema_v2 */
    if (sqlite3_step(s) == SQLITE_DONE)
        id = sqlite3_last_insert_rowid(st->db);
    else
        store_fail(st, "cannot store record");
    store_stmt_done(s);
    return id;
}

/* people_intern() for a name of the record, remembered for the rest of
 * the record. An affiliation goes to people_intern() every time (it may
 * fill one in). */
int64_t ingest_person(struct ingest *in, const char *name, const char *affiliation)
{
    int64_t id;
    int i;

    if (!affiliation)
        for (i = 0; i < in->n_known; i++)
            if (!strcmp(in->known[i].name, name))
                return in->known[i].id;
    id = people_intern(in->st, name, affiliation);
    if (id > 0) {
        if ((in->n_known & (in->n_known - 1)) == 0)    /* 0, 1, 2, 4...: double */
            in->known = xrealloc(in->known, sizeof(*in->known) *
                                            (in->n_known ? 2 * (size_t)in->n_known : 1));
        in->known[in->n_known].name = name;
        in->known[in->n_known].id = id;
        in->n_known++;
    }
    return id;
}

static int store_speakers(struct ingest *in)
{
    const struct record *r = in->r;
    sqlite3_stmt *sp = store_stmt(in->st, "INSERT INTO speakers(record_id, meeting_id, person_id,"
                                          " turns, words) VALUES(?, ?, ?, ?, ?)");
    sqlite3_stmt *lb = store_stmt(in->st, "INSERT OR IGNORE INTO labels(person_id, record_id, label,"
                                          " label_key, seq) VALUES(?, ?, ?, ?, ?)");
    int i, j, rc = -1;

    if (!sp || !lb)
        goto out;
    for (i = 0; i < r->n_speakers; i++) {
        const struct record_speaker *spk = &r->speakers[i];
        int64_t pid = ingest_person(in, spk->name ? spk->name : "", NULL);

        if (pid <= 0)
            goto out;
        in->speaker_person[i] = pid;
        sqlite3_reset(sp);
        sqlite3_bind_int64(sp, 1, in->record_id);
        sqlite3_bind_int64(sp, 2, in->meeting_id);
        sqlite3_bind_int64(sp, 3, pid);
        sqlite3_bind_int(sp, 4, spk->turns);
        sqlite3_bind_int(sp, 5, spk->words);
        if (sqlite3_step(sp) != SQLITE_DONE)
            goto fail;
        for (j = 0; j < spk->n_labels; j++) {
            char *key = people_key_dup(spk->labels[j]);

            sqlite3_reset(lb);
            sqlite3_bind_int64(lb, 1, pid);
            sqlite3_bind_int64(lb, 2, in->record_id);
            sqlite3_bind_text(lb, 3, spk->labels[j], -1, SQLITE_STATIC);
            sqlite3_bind_text(lb, 4, key, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(lb, 5, j);
            free(key);
            if (sqlite3_step(lb) != SQLITE_DONE)
                goto fail;
        }
    }
    rc = 0;
    goto out;
fail:
    store_fail(in->st, "cannot store speakers");
out:
    store_stmt_done(sp);
    store_stmt_done(lb);
    return rc;
}

static int store_turns(struct ingest *in)
{
    const struct record *r = in->r;
    sqlite3_stmt *s = store_stmt(in->st, "INSERT INTO turns(meeting_id, record_id, seq, person_id,"
                                         " label, section, text, offset, words)"
                                         " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
    sqlite3_stmt *fts = search_index_open(in->st);
    int i, rc = -1;

    if (!s || !fts)
        goto out;
    for (i = 0; i < r->n_turns; i++) {
        const struct record_turn *t = &r->turns[i];

        sqlite3_reset(s);
        sqlite3_bind_int64(s, 1, in->meeting_id);
        sqlite3_bind_int64(s, 2, in->record_id);
        sqlite3_bind_int(s, 3, i);
        if (t->speaker >= 0 && t->speaker < r->n_speakers)
            sqlite3_bind_int64(s, 4, in->speaker_person[t->speaker]);
        else
            sqlite3_bind_null(s, 4);
        store_bind_text(s, 5, t->label);
        store_bind_text(s, 6, t->section);
        sqlite3_bind_text(s, 7, t->text ? t->text : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 8, (int64_t)t->offset);
        sqlite3_bind_int(s, 9, t->words);
        if (sqlite3_step(s) != SQLITE_DONE) {
            store_fail(in->st, "cannot store turn");
            goto out;
        }
        /* Indexed at once: FTS5 keeps it pending, as nothing that follows
         * in the transaction opens a savepoint (INGEST_WRITE). */
        if (search_index_turn(in->st, fts, sqlite3_last_insert_rowid(in->st->db), t->text) < 0)
            goto out;
    }
    rc = 0;
out:
    store_stmt_done(s);
    store_stmt_done(fts);
    return rc;
}

static int store_people_lists(struct ingest *in)
{
    const struct record *r = in->r;
    sqlite3_stmt *pa = store_stmt(in->st, "INSERT INTO participants(record_id, meeting_id, person_id,"
                                          " seq, affiliation, role) VALUES(?, ?, ?, ?, ?, ?)");
    sqlite3_stmt *ap = store_stmt(in->st, "INSERT INTO apologies(record_id, meeting_id, person_id, seq)"
                                          " VALUES(?, ?, ?, ?)");
    int i, rc = -1;

    if (!pa || !ap)
        goto out;
    for (i = 0; i < r->n_participants; i++) {
        const struct record_person *p = &r->participants[i];
        int64_t pid;

        if (!p->name || !*p->name)
            continue;
        pid = ingest_person(in, p->name, p->affiliation);
        if (pid <= 0)
            goto out;
        sqlite3_reset(pa);
        sqlite3_bind_int64(pa, 1, in->record_id);
        sqlite3_bind_int64(pa, 2, in->meeting_id);
        sqlite3_bind_int64(pa, 3, pid);
        sqlite3_bind_int(pa, 4, i);
        store_bind_text(pa, 5, p->affiliation);
        store_bind_text(pa, 6, p->role);
        if (sqlite3_step(pa) != SQLITE_DONE)
            goto fail;
    }
    for (i = 0; i < r->n_apologies; i++) {
        int64_t pid;

        if (!r->apologies[i] || !*r->apologies[i])
            continue;
        pid = ingest_person(in, r->apologies[i], NULL);
        if (pid <= 0)
            goto out;
        sqlite3_reset(ap);
        sqlite3_bind_int64(ap, 1, in->record_id);
        sqlite3_bind_int64(ap, 2, in->meeting_id);
        sqlite3_bind_int64(ap, 3, pid);
        sqlite3_bind_int(ap, 4, i);
        if (sqlite3_step(ap) != SQLITE_DONE)
            goto fail;
    }
    rc = 0;
    goto out;
fail:
    store_fail(in->st, "cannot store participants");
out:
    store_stmt_done(pa);
    store_stmt_done(ap);
    return rc;
}

/* The people of one record: its speakers and participants, read
 * through the meeting's index (speakers and participants have none by
 * record; a scan of them all made every ingest slower as the store grew). */
static int count_people(struct store *st, int64_t meeting_id, int64_t record_id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT COUNT(DISTINCT p.canon_id) FROM persons p WHERE p.id IN"
                                     " (SELECT person_id FROM speakers"
                                     "  WHERE meeting_id = ?2 AND record_id = ?1"
                                     "  UNION SELECT person_id FROM participants"
                                     "  WHERE meeting_id = ?2 AND record_id = ?1)");
    int n = 0;

    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, record_id);
    sqlite3_bind_int64(s, 2, meeting_id);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    store_stmt_done(s);
    return n;
}

int ingest_begin(struct store *st)
{
    sqlite3_stmt *s;
    int on;

    /* Failing, the record's first insert into them says why. */
    ingest_stage_tables(st);
    /* Only outside a transaction does the pragma take. */
    if (!sqlite3_get_autocommit(st->db) || !(s = store_stmt(st, "PRAGMA foreign_keys")))
        return 0;
    on = (int)ingest_step_id(s);
    return on && store_exec(st, "PRAGMA foreign_keys=OFF") == 0;
}

void ingest_end(struct store *st, int were_off)
{
    if (were_off)
        store_exec(st, "PRAGMA foreign_keys=ON");
}

int store_add_record(struct store *st, const struct record *rec,
                     const char *name, const char *room, int64_t posted,
                     struct store_ingest_result *res, char *err, size_t errlen)
{
    int off = ingest_begin(st), rc;

    rc = ingest_add_record(st, rec, name, room, posted, res, err, errlen, 1);
    ingest_end(st, off);
    return rc;
}

int ingest_add_record(struct store *st, const struct record *rec,
                      const char *name, const char *room, int64_t posted,
                      struct store_ingest_result *res, char *err, size_t errlen, int own_tx)
{
    struct store_ingest_result dummy;
    struct ingest in;
    struct ingest_marks marks;
    int64_t dup, dup_record = 0;
    int dup_kind = 0, is_new = 0, i;

    if (!res)
        res = &dummy;
    memset(res, 0, sizeof(*res));
    memset(&in, 0, sizeof(in));
    res->kind = rec->kind;

    dup = find_duplicate(st, rec->sha256, &dup_record, &dup_kind);
    if (dup < 0) {
        store_seterr(err, errlen, "database error: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    if (dup > 0) {
        res->meeting_id = dup;
        res->record_id = dup_record;
        res->kind = dup_kind;
        describe_meeting(st, dup, res->meeting, sizeof(res->meeting));
        return STORE_DUPLICATE;
    }

    if (own_tx && store_begin(st) < 0) {
        store_seterr(err, errlen, "database busy or read-only: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    if (own_tx && ingest_marks_take(st, &marks) < 0)
        goto fail;
    in.st = st;
    in.r = rec;
    in.speaker_person = xcalloc((size_t)rec->n_speakers + 1, sizeof(int64_t));
    in.meeting_id = upsert_meeting(st, rec, room, posted, &is_new);
    if (in.meeting_id <= 0)
        goto fail;
    in.record_id = insert_record(st, rec, in.meeting_id, name, posted);
    if (in.record_id <= 0)
        goto fail;
    if (store_speakers(&in) < 0 || store_turns(&in) < 0 || store_people_lists(&in) < 0 ||
        ingest_facts_items(&in) < 0 || ingest_facts_actions(&in, posted) < 0 ||
        ingest_facts_glossary(&in) < 0 || people_resolve(st) < 0)
        goto fail;
    /* The meeting's name first: a closed action's history gives it. */
    describe_meeting(st, in.meeting_id, res->meeting, sizeof(res->meeting));
    if (ingest_facts_reports(&in, posted, res) < 0)
        goto fail;
    if (own_tx && (ingest_index(st, &marks) < 0 || store_commit(st) < 0))
        goto fail;

    res->meeting_id = in.meeting_id;
    res->record_id = in.record_id;
    res->new_meeting = is_new;
    res->turns = rec->n_turns;
    res->people = count_people(st, in.meeting_id, in.record_id);
    res->actions = 0;
    for (i = 0; i < rec->n_actions; i++)
        res->actions += rec->actions[i].text != NULL;
    res->decisions = rec->n_decisions;
    describe_meeting(st, in.meeting_id, res->meeting, sizeof(res->meeting));
    free(in.speaker_person);
    free(in.known);
    return 0;
fail:
    store_seterr(err, errlen, "cannot store the record: %s", sqlite3_errmsg(st->db));
    if (own_tx)
        store_rollback(st);
    free(in.speaker_person);
    free(in.known);
    return -1;
}

int ingest_parse(const char *data, size_t len, size_t max_bytes, struct record **out,
                 char *err, size_t errlen)
{
    char why[256] = "";

    *out = NULL;
    if (record_parse(data, len, max_bytes ? max_bytes : RECORD_MAX_BYTES_DEFAULT,
                     out, why, sizeof(why)) < 0) {
        store_seterr(err, errlen, "%s", why[0] ? why : "not a meeting record");
        return -1;
    }
    return 0;
}

int store_ingest(struct store *st, const char *data, size_t len,
                 size_t max_bytes, const char *name, const char *room,
                 int64_t posted, struct store_ingest_result *res,
                 char *err, size_t errlen)
{
    struct record *rec = NULL;
    int rc;

    if (ingest_parse(data, len, max_bytes, &rec, err, errlen) < 0)
        return -1;
    rc = store_add_record(st, rec, name, room, posted, res, err, errlen);
    record_free(rec);
    return rc;
}
