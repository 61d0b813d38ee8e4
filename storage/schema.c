/* storage/schema.c -- the SQLite schema of the meeting store and its
 * migrations, keyed on PRAGMA user_version. Every table the store owns is
 * created here; the bot's sync-state tables live with their own module. */
#include "store_int.h"

#include <stdio.h>

/* Version 1: the whole data model of DESIGN.md section 3. Person ids in
 * facts point at the person as first named; persons.canon_id says who
 * that really is, re-resolved after every ingest so order never matters. */
static const char schema_v1[] =
    "CREATE TABLE meetings("
    "  id INTEGER PRIMARY KEY,"
    "  grp TEXT NOT NULL,"
    "  grp_key TEXT NOT NULL,"
    "  number TEXT,"
    "  number_value INTEGER,"
    "  title TEXT,"
    "  date TEXT,"
    "  time_utc TEXT,"
    "  end_time_utc TEXT,"
    "  room TEXT,"
    "  posted INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX meetings_grp ON meetings(grp_key, number_value);"
    "CREATE INDEX meetings_date ON meetings(date);"
    "CREATE TABLE records("
    "  id INTEGER PRIMARY KEY,"
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  kind INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL UNIQUE,"
    "  name TEXT,"
    "  title TEXT,"
    "  posted INTEGER NOT NULL DEFAULT 0,"
    "  text TEXT NOT NULL);"
    "CREATE INDEX records_meeting ON records(meeting_id);"
    "CREATE TABLE persons("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  name_key TEXT NOT NULL UNIQUE,"
    "  first_key TEXT NOT NULL,"
    "  single INTEGER NOT NULL,"  /* a lone first name that may resolve */
    "  affiliation TEXT,"
    "  canon_id INTEGER);"
    "CREATE INDEX persons_first ON persons(first_key, single);"
    "CREATE TABLE labels("
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
    "  label TEXT NOT NULL,"
    "  label_key TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  UNIQUE(record_id, person_id, label));"
    "CREATE INDEX labels_key ON labels(label_key);"
    "CREATE TABLE speakers("
    "  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  turns INTEGER NOT NULL,"
    "  words INTEGER NOT NULL);"
    "CREATE INDEX speakers_meeting ON speakers(meeting_id);"
    "CREATE INDEX speakers_person ON speakers(person_id);"
    "CREATE TABLE participants("
    "  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  seq INTEGER NOT NULL,"
    "  affiliation TEXT,"
    "  role TEXT);"
    "CREATE INDEX participants_meeting ON participants(meeting_id);"
    "CREATE INDEX participants_person ON participants(person_id);"
    "CREATE TABLE apologies("
    "  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  seq INTEGER NOT NULL);"
    "CREATE INDEX apologies_meeting ON apologies(meeting_id);"
    "CREATE TABLE turns("
    "  id INTEGER PRIMARY KEY,"
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL,"
    "  person_id INTEGER REFERENCES persons(id),"
    "  label TEXT,"
    "  section TEXT,"
    "  text TEXT NOT NULL,"
    "  offset INTEGER NOT NULL,"
    "  words INTEGER NOT NULL);"
    "CREATE INDEX turns_meeting ON turns(meeting_id, record_id, seq);"
    "CREATE INDEX turns_person ON turns(person_id);"
    /* Contentless: the index holds folded text, turns keeps the original. */
    "CREATE VIRTUAL TABLE turns_fts USING fts5(text, content='',"
    "  tokenize='porter unicode61 remove_diacritics 2');"
    "CREATE TABLE items("
    "  id INTEGER PRIMARY KEY,"
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
    "  kind INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  text TEXT NOT NULL,"
    "  quote TEXT,"
    "  speaker TEXT,"
    "  person_id INTEGER REFERENCES persons(id),"
    "  offset INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX items_meeting ON items(meeting_id, kind);"
    "CREATE TABLE actions("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,"
    "  record_id INTEGER REFERENCES records(id) ON DELETE SET NULL,"
    "  text TEXT NOT NULL,"
    "  due TEXT,"
    "  due_date TEXT,"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK(status IN ('open','done')),"
    "  status_by TEXT,"
    "  status_at INTEGER,"
    "  quote TEXT,"
    "  speaker TEXT,"
    "  speaker_id INTEGER REFERENCES persons(id),"
    "  offset INTEGER NOT NULL DEFAULT 0,"
    "  concerns_dcs INTEGER NOT NULL DEFAULT 0,"
    "  explicit INTEGER NOT NULL DEFAULT 1,"
    "  confidence REAL NOT NULL DEFAULT 1.0,"
    "  created INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX actions_meeting ON actions(meeting_id);"
    "CREATE TABLE action_owners("
    "  action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,"
    "  seq INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id));"
    "CREATE INDEX action_owners_action ON action_owners(action_id);"
    "CREATE INDEX action_owners_person ON action_owners(person_id);"
    "CREATE TABLE action_history("
    "  id INTEGER PRIMARY KEY,"
    "  action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  by TEXT,"
    "  what TEXT NOT NULL,"
    "  detail TEXT);"
    "CREATE INDEX action_history_action ON action_history(action_id);"
    "CREATE TABLE next_meeting("
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
    "  when_text TEXT,"
    "  date TEXT,"
    "  quote TEXT,"
    "  offset INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX next_meeting_meeting ON next_meeting(meeting_id);"
    "CREATE TABLE glossary("
    "  acronym TEXT NOT NULL,"
    "  expansion TEXT NOT NULL,"
    "  acronym_key TEXT NOT NULL,"
    "  expansion_key TEXT NOT NULL,"
    "  UNIQUE(acronym_key, expansion_key));"
    "CREATE INDEX glossary_expansion ON glossary(expansion_key);"
    "CREATE TABLE user_links("
    "  user TEXT PRIMARY KEY,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  at INTEGER NOT NULL);"
    /* Counters that must never go backwards (action codes). */
    "CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO counters VALUES('action', 0);";

struct migration {
    int version;
    const char *sql;
};

/* Version 2: records.text is no longer kept. The turns and paragraphs
 * hold every character a quote or an answer needs, and a second full copy
 * of each record made the database over three times the size of the text
 * it holds. The column stays (empty) so older files keep their shape. */
static const char schema_v2[] =
    "UPDATE records SET text = '';";

/* Version 3: indexes for answers that must not grow with the number of
 * meetings. Meetings newest first (the order every answer lists them in)
 * is read off an index instead of sorting them all; the turn before a
 * turn (who was given the floor) is found by record and seq instead of
 * scanning every turn; a person's other spellings (actions for X) by
 * canon_id instead of scanning every person; open actions are counted by
 * triggers. */
static const char schema_v3[] =
    "CREATE INDEX meetings_newest ON meetings(COALESCE(date, date(posted, 'unixepoch')), id);"
    "CREATE INDEX turns_record ON turns(record_id, seq);"
    /* Open actions counted as they open and close ("still open from
     * other meetings" in every recap), not by reading them all. */
    "INSERT INTO counters VALUES('open_actions',"
    "  (SELECT count(*) FROM actions WHERE status = 'open'));"
    "CREATE TRIGGER actions_open_insert AFTER INSERT ON actions WHEN NEW.status = 'open' BEGIN"
    "  UPDATE counters SET value = value + 1 WHERE name = 'open_actions'; END;"
    "CREATE TRIGGER actions_open_delete AFTER DELETE ON actions WHEN OLD.status = 'open' BEGIN"
    "  UPDATE counters SET value = value - 1 WHERE name = 'open_actions'; END;"
    "CREATE TRIGGER actions_open_update AFTER UPDATE OF status ON actions"
    "  WHEN OLD.status <> NEW.status BEGIN"
    "  UPDATE counters SET value = value + (NEW.status = 'open') - (OLD.status = 'open')"
    "  WHERE name = 'open_actions'; END;"
    "CREATE INDEX persons_canon ON persons(canon_id);";

/* Version 6: full-text indexes over the items (agenda, decisions, key
 * points) and the actions, by their text and quote, so "what was decided
 * about X" and the actions on X read only the rows that carry one of X's
 * words instead of filtering every item and action in C. Unstemmed and
 * without positions (detail=none): they answer prefix queries, "budg"*,
 * the way query_on_topic() matches a word. External content, kept by
 * triggers, so every writer of items and actions keeps them current;
 * existing stores are indexed here ('rebuild'). */
static const char schema_v6[] =
    "CREATE VIRTUAL TABLE items_fts USING fts5(text, quote, content='items', content_rowid='id',"
    "  detail='none', tokenize='unicode61 remove_diacritics 0');"
    "CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN"
    "  INSERT INTO items_fts(rowid, text, quote) VALUES(NEW.id, NEW.text, NEW.quote); END;"
    "CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN"
    "  INSERT INTO items_fts(items_fts, rowid, text, quote) VALUES('delete', OLD.id, OLD.text, OLD.quote);"
    "  END;"
    "CREATE TRIGGER items_fts_update AFTER UPDATE OF text, quote ON items BEGIN"
    "  INSERT INTO items_fts(items_fts, rowid, text, quote) VALUES('delete', OLD.id, OLD.text, OLD.quote);"
    "  INSERT INTO items_fts(rowid, text, quote) VALUES(NEW.id, NEW.text, NEW.quote); END;"
    "INSERT INTO items_fts(items_fts) VALUES('rebuild');"
    "CREATE VIRTUAL TABLE actions_fts USING fts5(text, quote, content='actions', content_rowid='id',"
    "  detail='none', tokenize='unicode61 remove_diacritics 0');"
    "CREATE TRIGGER actions_fts_insert AFTER INSERT ON actions BEGIN"
    "  INSERT INTO actions_fts(rowid, text, quote) VALUES(NEW.id, NEW.text, NEW.quote); END;"
    "CREATE TRIGGER actions_fts_delete AFTER DELETE ON actions BEGIN"
    "  INSERT INTO actions_fts(actions_fts, rowid, text, quote)"
    "  VALUES('delete', OLD.id, OLD.text, OLD.quote); END;"
    "CREATE TRIGGER actions_fts_update AFTER UPDATE OF text, quote ON actions BEGIN"
    "  INSERT INTO actions_fts(actions_fts, rowid, text, quote)"
    "  VALUES('delete', OLD.id, OLD.text, OLD.quote);"
    "  INSERT INTO actions_fts(rowid, text, quote) VALUES(NEW.id, NEW.text, NEW.quote); END;"
    "INSERT INTO actions_fts(actions_fts) VALUES('rebuild');"
    /* Their words: a stem is looked up as the words it starts, since
     * FTS5 reads every posting of a prefix query before the first row. */
    "CREATE VIRTUAL TABLE items_vocab USING fts5vocab(items_fts, row);"
    "CREATE VIRTUAL TABLE actions_vocab USING fts5vocab(actions_fts, row);"
    /* Open actions for a person (who may own thousands): which actions
     * are theirs and which of those are done, from two small indexes,
     * not from action rows that each sit on a page of their own. */
    "CREATE INDEX action_owners_person_action ON action_owners(person_id, action_id);"
    "CREATE INDEX actions_done ON actions(id) WHERE status = 'done';"
    "CREATE INDEX actions_state ON actions(id, status, meeting_id);";

/* Version 7: open actions for a person in page order from one index
 * range. Each owner row carries its action's done-ness and the sort key
 * of the answer (the meeting's day, newest first, then the meeting, then
 * the action), so index action_owners_page holds a person's open actions
 * already sorted: the first page is its first rows and the count is a
 * scan of the range, with no look-up per action. actions_insert_owners()
 * and a record's ingest (ingest_facts_actions()) fill the three columns as
 * they insert; the triggers keep them current when an action closes, reopens
 * or moves, and when a meeting gets its date. Rows of an action's second
 * and later owners (seq > 0) are indexed apart: only they can name the
 * same person twice. The person indexes this replaces go. */
static const char schema_v7[] =
    "ALTER TABLE action_owners ADD COLUMN done INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE action_owners ADD COLUMN day TEXT;"
    "ALTER TABLE action_owners ADD COLUMN mid INTEGER;"
    "UPDATE action_owners AS o SET done = a.status = 'done',"
    "  day = COALESCE(m.date, date(m.posted, 'unixepoch')), mid = m.id"
    "  FROM actions a LEFT JOIN meetings m ON m.id = a.meeting_id WHERE a.id = o.action_id;"
    "CREATE INDEX action_owners_page ON action_owners(person_id, done, day DESC, mid DESC,"
    "  action_id, seq);"
    "CREATE INDEX action_owners_shared ON action_owners(person_id, done, action_id, seq)"
    "  WHERE seq > 0;"
    "CREATE TRIGGER action_owners_status AFTER UPDATE OF status ON actions"
    "  WHEN OLD.status IS NOT NEW.status BEGIN"
    "  UPDATE action_owners SET done = NEW.status = 'done' WHERE action_id = NEW.id; END;"
    /* Moved to another meeting, or out of one (ON DELETE SET NULL). */
    "CREATE TRIGGER action_owners_meeting AFTER UPDATE OF meeting_id ON actions"
    "  WHEN OLD.meeting_id IS NOT NEW.meeting_id BEGIN"
    "  UPDATE action_owners SET"
    "    day = (SELECT COALESCE(m.date, date(m.posted, 'unixepoch')) FROM meetings m"
    "           WHERE m.id = NEW.meeting_id),"
    "    mid = (SELECT m.id FROM meetings m WHERE m.id = NEW.meeting_id)"
    "  WHERE action_id = NEW.id; END;"
    /* A later record of the meeting fills in its date. */
    "CREATE TRIGGER action_owners_day AFTER UPDATE OF date, posted ON meetings"
    "  WHEN OLD.date IS NOT NEW.date OR OLD.posted IS NOT NEW.posted BEGIN"
    "  UPDATE action_owners SET day = COALESCE(NEW.date, date(NEW.posted, 'unixepoch'))"
    "  WHERE action_id IN (SELECT id FROM actions WHERE meeting_id = NEW.id); END;"
    /* An action's owners in order (action_owners() reads them for every
     * action shown) without sorting them. */
    "DROP INDEX action_owners_action;"
    "CREATE INDEX action_owners_action_seq ON action_owners(action_id, seq);"
    "DROP INDEX action_owners_person;"
    "DROP INDEX action_owners_person_action;"
    "DROP INDEX actions_done;"
    "DROP INDEX actions_state;";

/* Version 8: the indexes over items and actions without a length per
 * row (columnsize=0). They are only matched, never ranked, so the
 * %_docsize row FTS5 kept for each item and action (a B-tree insert for
 * every one stored) bought nothing. An FTS5 table cannot change that
 * option, so both are made again and filled from their content tables;
 * the triggers of version 6 name them and go on as they were. And no
 * index of turns by person: no query looks turns up by their speaker
 * (they are reached by id, record or meeting, persons by primary key),
 * and persons are never deleted, so it was only written to, once per
 * turn stored. */
static const char schema_v8[] =
    "DROP INDEX IF EXISTS turns_person;"
    "DROP TABLE items_vocab;"
    "DROP TABLE actions_vocab;"
    "DROP TABLE items_fts;"
    "DROP TABLE actions_fts;"
    "CREATE VIRTUAL TABLE items_fts USING fts5(text, quote, content='items', content_rowid='id',"
    "  detail='none', columnsize=0, tokenize='unicode61 remove_diacritics 0');"
    "INSERT INTO items_fts(items_fts) VALUES('rebuild');"
    "CREATE VIRTUAL TABLE actions_fts USING fts5(text, quote, content='actions', content_rowid='id',"
    "  detail='none', columnsize=0, tokenize='unicode61 remove_diacritics 0');"
    "INSERT INTO actions_fts(actions_fts) VALUES('rebuild');"
    "CREATE VIRTUAL TABLE items_vocab USING fts5vocab(items_fts, row);"
    "CREATE VIRTUAL TABLE actions_vocab USING fts5vocab(actions_fts, row);";

/* Version 9: the full-text indexes merge two segments of a size, not
 * four, when tidy.c asks them to at rest (FTS5's 'usermerge'): a question
 * looks each of its terms up in every segment, and a store of 100
 * meetings had 20 of them for turns. Merging while records are stored
 * (automerge) stays as it was, so a record is stored no slower. */
static const char schema_v9[] =
    "INSERT INTO turns_fts(turns_fts, rank) VALUES('usermerge', 2);"
    "INSERT INTO items_fts(items_fts, rank) VALUES('usermerge', 2);"
    "INSERT INTO actions_fts(actions_fts, rank) VALUES('usermerge', 2);";

/* Version 10: work the speakers reported done (ingest_reports.c), kept
 * so that a record of an earlier meeting stored after a later one has
 * its actions closed by what the later one reported, as the other way
 * round. By person, for the owners of a new action. */
static const char schema_v10[] =
    "CREATE TABLE IF NOT EXISTS reports("
    "  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
    "  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
    "  person_id INTEGER NOT NULL REFERENCES persons(id),"
    "  speaker TEXT NOT NULL,"
    "  verb TEXT NOT NULL,"
    "  object TEXT NOT NULL,"
    "  quote TEXT NOT NULL,"
    "  offset INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS reports_person ON reports(person_id);"
    "CREATE INDEX IF NOT EXISTS reports_record ON reports(record_id);";

/* Version 11: items and actions go into their full-text indexes once a
 * record's rows (or a batch group's) are all written, by the ingest
 * (ingest_index()) and by the one other writer of actions (a command's
 * new action), not by a trigger per row: a statement that writes through
 * a trigger opens a savepoint, and FTS5 writes its pending rows out as a
 * segment at every savepoint, a few small segments per record to merge.
 * The triggers for deletes and edits stay. */
static const char schema_v11[] =
    "DROP TRIGGER IF EXISTS items_fts_insert;"
    "DROP TRIGGER IF EXISTS actions_fts_insert;";

static const struct migration migrations[] = {
    { 1, schema_v1 },
    { 2, schema_v2 },
    { 3, schema_v3 },
    { 6, schema_v6 },
    { 7, schema_v7 },
    { 8, schema_v8 },
    { 9, schema_v9 },
    { 10, schema_v10 },
    { 11, schema_v11 },
};

int schema_has_fts5(sqlite3 *db)
{
    sqlite3_stmt *s = NULL;
    int ok = 0;

    if (sqlite3_prepare_v2(db, "SELECT sqlite_compileoption_used('ENABLE_FTS5')",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        ok = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (ok)
        return 1;
    /* Loaded as an extension or built in without the option: try it. */
    ok = sqlite3_exec(db, "CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x);"
                          "DROP TABLE temp.fts5_probe;", NULL, NULL, NULL) == SQLITE_OK;
    return ok;
}

int schema_migrate(struct store *st, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int version = 0;
    size_t i;

    s = store_prep(st, "PRAGMA user_version");
    if (!s) {
        store_seterr(err, errlen, "cannot read schema version: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    if (sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);

    if (version > SCHEMA_VERSION) {
        store_seterr(err, errlen, "database schema version %d is newer than this scribe (%d)",
                     version, SCHEMA_VERSION);
        return -1;
    }
    for (i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++) {
        char pragma[64];

        if (migrations[i].version <= version)
            continue;
        if (store_exec(st, "BEGIN IMMEDIATE") < 0)
            goto fail;
        if (sqlite3_exec(st->db, migrations[i].sql, NULL, NULL, NULL) != SQLITE_OK)
            goto fail_rollback;
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", migrations[i].version);
        if (sqlite3_exec(st->db, pragma, NULL, NULL, NULL) != SQLITE_OK)
            goto fail_rollback;
        if (store_exec(st, "COMMIT") < 0)
            goto fail_rollback;
        version = migrations[i].version;
    }
    return 0;
fail_rollback:
    store_seterr(err, errlen, "cannot migrate schema to version %d: %s",
                 migrations[i].version, sqlite3_errmsg(st->db));
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
fail:
    store_seterr(err, errlen, "cannot migrate schema: %s", sqlite3_errmsg(st->db));
    return -1;
}
