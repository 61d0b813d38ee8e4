/* storage/store_int.h -- private to the store's own files (store.c,
 * schema.c, ingest*.c, search*.c, topic.c, raised*.c, query*.c, context.c,
 * actions*.c, people.c, roles.c, attrib.c, botstate.c): the handle and the
 * small SQL helpers they share. Callers outside storage/ use store.h. */
#ifndef SCRIBE_STORE_INT_H
#define SCRIBE_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

/* Room for every distinct statement the store keeps prepared (about 85 in a
 * bench run of ingest and every kind of question): when full, store_stmt()
 * recycles its last slot, which a caller may still be stepping. */
#define STORE_STMT_CACHE 256

struct store {
    sqlite3 *db;
    int in_tx;                  /* depth of store_begin() (savepoints inside) */
    int64_t tx_changes;         /* sqlite3_total_changes64() at the outermost begin */
    /* Statements kept prepared across calls, keyed by the address of
     * their SQL text (always a string literal); see store_stmt(). */
    struct {
        const char *sql;
        sqlite3_stmt *stmt;
    } cache[STORE_STMT_CACHE];
    int n_cache;
    /* query_memo.c: what is kept per index between questions; NULL
     * until first used. search_rank.c: 1 once scribe_bm25 is registered,
     * -1 when FTS5 would not take it. */
    struct query_memo *memo;
    int rank_fn;
    int offsets_fn;             /* raised_stream.c: scribe_offsets, as rank_fn */
    /* query_memo.c: store_question_begin() counts questions; while one
     * is answered, an index checked in it is trusted. */
    uint64_t question;
    int in_question;
    int ingest_staged;          /* ingest_stage_tables() has made them */
};

/* schema.c: create or upgrade the tables (PRAGMA user_version). */
#define SCHEMA_VERSION 11
int schema_migrate(struct store *st, char *err, size_t errlen);
/* 1 when this SQLite has FTS5. */
int schema_has_fts5(sqlite3 *db);

/* store.c helpers. prep logs the SQL error and returns NULL on failure. */
sqlite3_stmt *store_prep(struct store *st, const char *sql);
int store_exec(struct store *st, const char *sql);
/* 1 when this connection reads only committed data: outside a transaction,
 * or inside a store_begin() transaction that has changed nothing yet. */
int store_reads_committed(struct store *st);
/* A prepared statement for `sql`, which must be a string literal: kept
 * by the store and reused on the next call with the same literal, so hot
 * paths (ingest, search) parse their SQL once per connection. Borrowed:
 * the caller steps it and hands it back with store_stmt_done() (which
 * resets it and clears its bindings), never sqlite3_finalize(). Not for
 * statements that may be live twice at once (recursion). NULL on error. */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);
void store_stmt_done(sqlite3_stmt *s);
char *store_col_dup(sqlite3_stmt *s, int col);       /* NULL for SQL NULL */
void store_bind_text(sqlite3_stmt *s, int idx, const char *v); /* NULL binds NULL */
int store_fail(struct store *st, const char *what);  /* logs, returns -1 */
void store_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* people.c: persons are matched by name, case-insensitively; one-word
 * names resolve to the unique known person with that first name. */
int64_t people_intern(struct store *st, const char *name, const char *affiliation);
int people_resolve(struct store *st);
/* Key of a name for matching: lower case, spaces folded, trimmed. */
char *people_key_dup(const char *name);

/* ingest.c / ingest_facts.c: one record being stored by
 * store_add_record(), inside its transaction. */
struct record;
struct ingest {
    struct store *st;
    const struct record *r;
    int64_t meeting_id;
    int64_t record_id;
    int64_t *speaker_person;     /* per record speaker */
    /* Persons this record has named so far, by the name as written: a
     * record names the same few people in every turn, item and action. */
    struct known_person {
        const char *name;       /* borrowed from the record */
        int64_t id;
    } *known;
    int n_known;
};
/* ingest.c: the person a name of the record is, people_intern() once per
 * name and record (an affiliation goes to people_intern() every time: it
 * may fill one in). > 0, or <= 0 on error. */
int64_t ingest_person(struct ingest *in, const char *name, const char *affiliation);
/* ingest.c: record_parse() with store_ingest()'s wording of a refusal;
 * max_bytes 0 is the default cap. 0, or -1 with the reason in err. Needs
 * no store: ingest_batch.c calls it on its reading thread. */
int ingest_parse(const char *data, size_t len, size_t max_bytes, struct record **out,
                 char *err, size_t errlen);
/* INGEST_WRITE: how ingest writes, so that a record (or a batch group)
 * costs FTS5 one new segment per index. FTS5 keeps what it is given
 * pending in memory and writes it out as a new segment at the commit and
 * at every savepoint -- and SQLite opens one for each statement inside
 * a transaction that writes several rows and may abort half-way: a
 * multi-row INSERT ... SELECT or UPDATE under an ABORT constraint, any
 * statement that fires a trigger that may, any foreign key checked, and
 * any date() in such a statement. So ingest runs with foreign keys off
 * (every key it writes comes from the same transaction), its multi-row
 * statements say OR FAIL (the whole transaction is rolled back on any
 * failure, so the rows a failed statement leaves never last), dates are
 * computed by statements of their own, and the one update with a trigger
 * (a meeting's date, filled from a later record) runs only when needed.
 * A turn is indexed as it is stored; the items' and actions' indexes,
 * filled by a statement each, come last (ingest_index()).
 *
 * ingest_facts.c: the last item and action stored (0 when none), and
 * their full-text indexes given every one stored after them. 0 or -1. */
struct ingest_marks {
    int64_t items, actions;
};
int ingest_marks_take(struct store *st, struct ingest_marks *m);
int ingest_index(struct store *st, const struct ingest_marks *m);
/* ingest.c: what every ingest runs inside (INGEST_WRITE): the staging
 * tables made and foreign keys off, both best done outside a transaction.
 * ingest_begin() returns what ingest_end() needs to undo (foreign keys
 * turned off by it). */
int ingest_begin(struct store *st);
void ingest_end(struct store *st, int were_off);
/* ingest_facts.c: the temporary tables a record's items and actions are
 * staged in, made once per connection, best outside any transaction
 * (making them opens a savepoint, INGEST_WRITE; made inside one, they
 * may go with its rollback, so they are made again the next time).
 * 0 or -1. */
int ingest_stage_tables(struct store *st);
/* ingest.c: store_add_record(); with own_tx 0 inside the caller's
 * transaction, with no savepoint of its own and after ingest_begin(), so
 * a failure leaves part of the record written and the caller must roll
 * its transaction back. */
int ingest_add_record(struct store *st, const struct record *rec,
                      const char *name, const char *room, int64_t posted,
                      struct store_ingest_result *res, char *err, size_t errlen, int own_tx);
/* ingest.c: the first column of the first row `s` (from store_stmt())
 * yields, 0 when none; s is handed back. */
int64_t ingest_step_id(sqlite3_stmt *s);
/* ingest_facts.c: the record's agenda, decisions, key points and next
 * meeting; its actions with their codes, owners and history; its
 * glossary. Each 0 or -1. */
int ingest_facts_items(struct ingest *in);
int ingest_facts_actions(struct ingest *in, int64_t posted);
int ingest_facts_glossary(struct ingest *in);
/* ingest_reports.c: the speakers' open actions of earlier meetings that
 * the record reports done, closed and counted into res. 0 or -1. */
int ingest_facts_reports(struct ingest *in, int64_t posted, struct store_ingest_result *res);

/* attrib.c: whose words a turn carries when its label does not say.
 * Each returns a person of the meeting (id > 0, canonical name to free
 * with free()), 0 when none, or -1 on a store error. */
int64_t attrib_person(struct store *st, int64_t meeting_id, const char *word, char **canonical);
/* The capitalised word (a name, perhaps) ending at `end` in `text`, or
 * starting at `p`, commas and spaces skipped, into out[ATTRIB_WORD_MAX].
 * 1 when there is one. */
#define ATTRIB_WORD_MAX 48
int attrib_word_before(const char *text, const char *end, char *out);
int attrib_word_after(const char *p, char *out);
/* The person the turn credits by name ("Jutta's question", "as Mark
 * suggested"); *at is the byte offset of the credit in text. */
int64_t attrib_credited(struct store *st, int64_t meeting_id, const char *text, char **name,
                        size_t *at);
/* For an unattributed transcript turn: the person the turn just before
 * gave the floor to ("Sivan put their hand up, please"). */
int64_t attrib_floor(struct store *st, int64_t turn_id, char **name);

/* topic.c: an FTS5 expression for turns that carry any of the topic's
 * words (NULL for an empty topic); free with free(). */
char *search_topic_any_dup(const struct store_topic *t);

/* search.c: turns put in the full-text index, their text folded: the
 * statement of search_index_open() (NULL on error; hand it back with
 * store_stmt_done()), then search_index_turn() for each, 0 or -1. */
sqlite3_stmt *search_index_open(struct store *st);
int search_index_turn(struct store *st, sqlite3_stmt *s, int64_t id, const char *text);
int search_unindex_meeting(struct store *st, int64_t meeting_id);
/* Quote a user word or phrase for MATCH: "..." with inner quotes doubled. */
void search_quote(struct buf *b, const char *s);
/* search_rank.c: append to b what `rank MATCH` takes to rank turns_fts
 * rows of expr as bm25() does: scribe_bm25(n, ...) with the number of
 * turns of each of its phrases (kept per store), 1; or "bm25()", 0, when
 * the expression is not one this reads or inside a transaction. With
 * top > 0 the query keeps only its best `top` rows (by rank, over every
 * row it ranks): the others may get a rank that is not their bm25, but
 * always one worse than all of those. */
int search_rank_arg(struct store *st, const char *expr, int top, struct buf *b);

/* query_memo.c: values kept per store for one FTS5 index (MEMO_TURNS:
 * turns_fts, ...; MEMO_MEETINGS: meetings and who spoke, with turns_fts,
 * the records and the persons), each forgotten as soon as the index is
 * written (by any connection). get: the value kept for key[0..len), borrowed until the
 * next call into the store, or NULL (none, inside a transaction, on
 * error). put: keep a copy (not inside a transaction). */
enum { MEMO_TURNS, MEMO_ITEMS, MEMO_ACTIONS, MEMO_MEETINGS, MEMO_INDEXES };
const struct buf *query_memo_get(struct store *st, int index, const char *key, size_t len);
void query_memo_put(struct store *st, int index, const char *key, size_t len,
                    const void *value, size_t n);
void query_memo_free(struct store *st);      /* store_close() */
/* query_memo.c: how many rows of items_fts (MEMO_ITEMS) or actions_fts
 * (MEMO_ACTIONS) match expr, up to cap, with their ids appended to ids
 * as a JSON array when under the cap (nothing when none); kept as above.
 * -1 on error. */
int query_memo_rows(struct store *st, int index, const char *expr, int cap, struct buf *ids);

/* actions_edit.c: the next action code (the counter only ever goes up, so a
 * forgotten action's code is never handed out again), owners, history.
 * actions_insert_owners() writes an action's owner rows (ingest writes a
 * record's all at once, ingest_facts_actions()): both fill their done-ness
 * and page sort key (schema_v7) from the action, which must exist. */
int actions_next_code(struct store *st, char code[16]);
int actions_insert_owners(struct store *st, int64_t action_id,
                          const char *const *owners, int n_owners);
int actions_log(struct store *st, int64_t action_id, int64_t at, const char *by,
                const char *what, const char *detail);

/* topic_match.c: 1 when text carries at least half of the topic's words. */
int query_on_topic(const char *text, const struct store_topic *t);
/* query.c: an item from a row whose first columns are meeting_id,
 * record kind, text, quote, speaker, offset. */
struct store_item;
void query_item_read(sqlite3_stmt *s, struct store_item *it);
/* context.c: the turn offsets of one record, read once for all of its
 * facts; zero it first, context_turns_release() after. */
struct context_turns {
    int64_t record_id;
    int64_t *id, *off;
    size_t n;
};
void context_turns_release(struct context_turns *ct);
/* context.c: 1 when the fact quoted at `offset` of a transcript record
 * refers back (it, this, that ...), does not carry the topic itself, and
 * the words of its turn just before it do; 0, or -1 on error. */
int context_on_topic(struct store *st, struct context_turns *ct, int64_t record_id,
                     size_t offset, const char *quote, const struct store_topic *t);
/* topic_match.c: an FTS5 expression for items_fts (QUERY_ITEMS) or actions_fts
 * (QUERY_ACTIONS) that matches every row whose text or quote
 * query_on_topic() accepts (each word's stem: the words of the index it
 * starts); "" when no row can match; NULL when the topic is empty or has
 * a word that is not plain letters and digits. Free with free(). */
enum { QUERY_ITEMS, QUERY_ACTIONS };
char *query_topic_expr_dup(struct store *st, int vocab, const struct store_topic *t);
/* topic_match.c: the same for the rows that carry every word of a topic of two
 * or more (each word's terms ANDed); NULL for a topic of one word or
 * what query_topic_expr_dup() gives NULL for. Free with free(). */
char *query_topic_all_expr_dup(struct store *st, int vocab, const struct store_topic *t);
/* topic_match.c: how many words topic t has. */
int query_topic_word_count(const struct store_topic *t);

/* search.c: a search hit from its row (search.c, raised.c) */
void store_hit_read(sqlite3_stmt *s, struct store_hit *h);

/* Small string-vector helpers. */
void strv_push(char ***v, int *n, const char *s);

#endif
