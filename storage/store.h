/* storage/store.h -- the meeting store: an opaque handle on one SQLite
 * database holding meetings, records, people, turns, facts and search.
 * Callers speak plain C types; nothing here knows Matrix or cJSON.
 * Ownership: arguments are borrowed; every struct filled by a store_*
 * function owns its strings and is released with the matching _release or
 * _free function (all of which accept NULL / zero counts). */
#ifndef SCRIBE_STORE_H
#define SCRIBE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct sqlite3;
struct record;

/* Named results besides 0 and -1. */
#define STORE_NOTFOUND   (-2)       /* no such meeting / action / person */
#define STORE_DUPLICATE  1          /* store_ingest: record already stored */

/* Open (creating and migrating) the database at `path` (":memory:" for
 * tests). New files are created mode 0600. Fails clearly when SQLite lacks
 * FTS5. Returns 0, or -1 with a reason in err. Free with store_close();
 * store_close(NULL) is a no-op. A store is used by one thread at a time;
 * another thread opens its own. */
int store_open(struct store **out, const char *path, char *err, size_t errlen);
void store_close(struct store *st);

/* The connection, for storage/ modules that keep their own tables (the
 * bot's sync state). Borrowed; valid until store_close(). */
struct sqlite3 *store_sqlite(struct store *st);

/* Write transactions (BEGIN IMMEDIATE). 0 or -1. */
int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);

/* One question is being answered: until store_question_end(), what the
 * store keeps between questions is checked against the database once and
 * then trusted unless this connection writes. Without these calls it is
 * checked on every use. */
void store_question_begin(struct store *st);
void store_question_end(struct store *st);
/* Forgets everything the store keeps between questions (query_memo.c):
 * the next question computes its answer afresh. Statements stay prepared. */
void store_forget_kept(struct store *st);

/* Upkeep at rest (tidy.c): one step merges segments of one full-text
 * index, writing at most about `pages` pages; 1 when it merged (call
 * again), 0 when nothing is left to merge, -1 on error. store_tidy()
 * runs up to max_steps of them: 0 when done, 1 when work is left, -1.
 * Each step is its own transaction: never inside store_begin(). */
int store_tidy_step(struct store *st, int pages);
int store_tidy(struct store *st, int pages, int max_steps);
/* A whole tidy after a batch of records (scribe ingest, the console). */
#define STORE_TIDY_BATCH_PAGES 256
#define STORE_TIDY_BATCH_STEPS 100000

/* ---- ingest ---------------------------------------------------------- */

/* What one ingested record became. */
struct store_ingest_result {
    int64_t meeting_id;
    int64_t record_id;
    int kind;                   /* enum record_kind */
    int new_meeting;            /* 1 when the record started a meeting */
    int turns, people, actions, decisions;
    char meeting[128];          /* "DC Coordination Group #62 (2022-06-14)" */
    /* Actions of earlier meetings the record reports done ("I sent the
     * survey"), closed by it: how many, and the first codes. */
    int closed;
#define STORE_CLOSED_MAX 8
    char closed_codes[STORE_CLOSED_MAX][24];
};

/* Parse `data` (raw bytes, at most max_bytes) with record_parse() and store
 * it in one transaction. `name` (file name) and `room` may be NULL; `posted`
 * is the posting time (unix seconds). Returns 0 (stored), STORE_DUPLICATE
 * (same bytes already stored; res names that meeting), or -1 with a
 * one-line reason in err and nothing stored. */
int store_ingest(struct store *st, const char *data, size_t len,
                 size_t max_bytes, const char *name, const char *room,
                 int64_t posted, struct store_ingest_result *res,
                 char *err, size_t errlen);
/* The same for a record already parsed (tests build them by hand). */
int store_add_record(struct store *st, const struct record *rec,
                     const char *name, const char *room, int64_t posted,
                     struct store_ingest_result *res, char *err, size_t errlen);

/* A batch of records (scribe ingest FILE..., the benchmark), stored in
 * order, a group of them per transaction (up to 32 records or about 2 MB
 * of text); a record the store fails on is the only one lost: its group
 * is rolled back and stored again one record per transaction. Record i
 * is read and parsed on a second thread while the one before it is
 * stored, so on two cores the reading costs no time of its own (and the
 * calling thread reads later records itself while it waits for one); the
 * store is used by the calling thread only. read() runs on either
 * thread, for two different records at once at times: it fills rec (the
 * bytes, and the name and posting time to store them under) and returns
 * 0, or -1 with the reason in err. done()
 * runs on the calling thread for every record, in order: rc is
 * store_ingest()'s (0, STORE_DUPLICATE with res, or -1 with err, which
 * also reports a record read() could not give); it releases what read()
 * put in rec. Returns 0 once every record is done. It lets the
 * process keep up to 4 MB of freed memory before giving it back to the
 * system (glibc's M_TRIM_THRESHOLD, process-wide, left so). */
struct store_batch_rec {
    char *data;
    size_t len;
    const char *name;           /* file name, or NULL */
    int64_t posted;
    void *user;                 /* read()'s own, for done() */
};
struct store_batch {
    int (*read)(void *arg, int i, struct store_batch_rec *rec, char *err, size_t errlen);
    void (*done)(void *arg, int i, struct store_batch_rec *rec, int rc,
                 const struct store_ingest_result *res, const char *err);
    void *arg;
    size_t max_bytes;           /* 0: RECORD_MAX_BYTES_DEFAULT */
    const char *room;           /* or NULL */
};
int store_ingest_batch(struct store *st, int n, const struct store_batch *b);

/* ---- meetings -------------------------------------------------------- */

struct store_meeting {
    int64_t id;
    char *group;
    char *number;               /* as written, or NULL */
    long number_value;          /* or -1 */
    char *title;
    char *date;                 /* "YYYY-MM-DD" or NULL */
    char *time_utc;             /* "15:00" or NULL */
    char *end_time_utc;
    char *room;
    int64_t posted;             /* first record's posting time */
    int has_transcript, has_summary;
};

void store_meeting_release(struct store_meeting *m);
void store_meetings_free(struct store_meeting *v, int n);
/* 0, STORE_NOTFOUND or -1. */
int store_meeting_get(struct store *st, int64_t id, struct store_meeting *out);
/* Every meeting, newest first (date, else posting time). 0 or -1. */
int store_meetings_list(struct store *st, struct store_meeting **out, int *n);
/* Resolve a meeting named by a user: "#62", "62", "XXV", "MAG XII",
 * "2022-06-14", "June 2022", "latest" (or "" = latest). Sets *id.
 * Returns 0, STORE_NOTFOUND or -1. */
int store_meeting_find(struct store *st, const char *spec, int64_t *id);
/* The newest meeting held (dated, else posted) on a day in [from, to],
 * ISO dates: "the meeting last week". 0, STORE_NOTFOUND or -1. */
int store_meeting_in_span(struct store *st, const char *from, const char *to, int64_t *id);
/* 1-12 when w (n bytes, any case) names a month in full or by its usual
 * short form ("June", "Jun", "Sept"), not a word that only starts like
 * one ("decision"); else 0. */
int store_month_word(const char *w, size_t n);
/* 1 when w (n bytes, any case) picks the newest meeting ("last",
 * "latest", "previous", "most recent"); else 0. */
int store_recent_word(const char *w, size_t n);
/* 1-31 when w (n bytes) is a day of the month ("14", "14th"); else 0. */
int store_day_word(const char *w, size_t n);
/* Short label "#62" / "MAG #12" / "2022-06-14"; free with free(). */
char *store_meeting_label_dup(const struct store_meeting *m);
/* Meetings whose records mention the topic (search), newest first. */
int store_meetings_about(struct store *st, const char *topic,
                         struct store_meeting **out, int *n);
/* Delete a meeting with its records and facts (actions included). */
int store_meeting_forget(struct store *st, int64_t id);
int store_meeting_count(struct store *st);

struct store_record_info {
    int64_t id;
    int kind;                   /* enum record_kind */
    char sha256[65];
    char *name;
    int64_t posted;
    int turns;                  /* turns (transcripts) or paragraphs (summaries) */
    int unattributed;           /* transcript turns with no speaker */
};
int store_meeting_records(struct store *st, int64_t meeting_id,
                          struct store_record_info **out, int *n);
void store_records_free(struct store_record_info *v, int n);

/* ---- people ---------------------------------------------------------- */

struct store_speaker {
    int64_t person_id;
    char *name;                 /* canonical */
    char **labels;
    int n_labels;
    int turns;
    int words;
};
/* Speakers of a meeting (transcripts), most words first. */
int store_meeting_speakers(struct store *st, int64_t meeting_id,
                           struct store_speaker **out, int *n);
void store_speakers_free(struct store_speaker *v, int n);

struct store_participant {
    int64_t person_id;
    char *name;                 /* canonical */
    char *affiliation;          /* or NULL */
    char *role;                 /* or NULL */
    int spoke;                  /* 1 when they have turns in the meeting */
};
/* Everyone listed as present or heard speaking, deduplicated by person. */
int store_meeting_participants(struct store *st, int64_t meeting_id,
                               struct store_participant **out, int *n);
void store_participants_free(struct store_participant *v, int n);

/* Apologies (canonical names where known), in record order, deduplicated. */
int store_meeting_apologies(struct store *st, int64_t meeting_id,
                            char ***out, int *n);
void store_strings_free(char **v, int n);

/* Who chaired or facilitated a meeting. */
#define STORE_ROLE_LISTED   1   /* a summary's participant list gives the role */
#define STORE_ROLE_SAID     2   /* a turn says so ("thank you, X, for chairing") */
#define STORE_ROLE_OPENED   3   /* nobody named: X opened the meeting */
struct store_role {
    int64_t person_id;
    char *name;                 /* canonical */
    char *role;                 /* "chair", "co-facilitator", "facilitator", "secretariat", ... */
    int source;                 /* STORE_ROLE_* */
    char *quote;                /* the turn that says so (SAID, OPENED), or NULL */
    char *speaker;              /* who said it, or NULL */
};
/* The roles of a meeting, listed ones first, then said, then (only when
 * no chair or facilitator is known) who opened it. 0 or -1. */
int store_meeting_roles(struct store *st, int64_t meeting_id, struct store_role **out, int *n);
void store_roles_free(struct store_role *v, int n);

/* Find a person by a name a user typed: full name (any case), a label, or
 * a first name unique among known people. Returns 0 with *id and a
 * canonical name (free with free()), STORE_NOTFOUND, or -1. */
int store_person_find(struct store *st, const char *name, int64_t *id,
                      char **canonical);

struct store_attendance {
    int64_t meeting_id;
    int turns;
    int words;
    int listed;                 /* named in a participant list */
};
/* Meetings a person attended (spoke in or was listed), newest first. */
int store_person_attendance(struct store *st, int64_t person_id,
                            struct store_attendance **out, int *n);

/* Everyone who attended a meeting (spoke in it or was listed), each
 * person once under their canonical name, with how many meetings: the
 * most first, then by name. 0 or -1. */
struct store_regular {
    int64_t person_id;          /* canonical */
    char *name;
    int meetings;
};
int store_people_regulars(struct store *st, struct store_regular **out, int *n);
void store_regulars_free(struct store_regular *v, int n);

/* Link a chat user to a person ("iam"); replaces any earlier link. */
int store_user_link(struct store *st, const char *user, int64_t person_id,
                    int64_t at);
/* The person linked to `user`: 0 with *id and name (free()), or STORE_NOTFOUND. */
int store_user_person(struct store *st, const char *user, int64_t *id,
                      char **name);

/* ---- facts: agenda, decisions, key points, next meeting -------------- */

enum store_item_kind { STORE_AGENDA = 1, STORE_DECISION = 2, STORE_POINT = 3 };

struct store_item {
    int64_t meeting_id;
    int record_kind;
    char *text;
    char *quote;
    char *speaker;              /* canonical name or NULL */
    size_t offset;
};
/* Items of one kind for a meeting (meeting_id > 0) or for all meetings
 * (0), newest meeting first then record order. When `topic` is not NULL,
 * only items whose text or quote carries the topic's words. */
int store_items(struct store *st, int kind, int64_t meeting_id,
                const char *topic, struct store_item **out, int *n);
/* A meeting's transcript items of one kind that are on topic t only by
 * what was said just before them: the item refers back ("put it on the
 * agenda") and the turn's preceding words carry the topic. Record order.
 * 0 or -1. */
struct store_topic;
/* Up to `max` meetings whose transcripts or reports carry every word of
 * topic t, the most recently stored first, into out; how many, or -1. */
int store_meetings_discussed(struct store *st, const struct store_topic *t, int max,
                             int64_t *out);
int store_items_in_context(struct store *st, int kind, int64_t meeting_id,
                           const struct store_topic *t, struct store_item **out, int *n);
/* The first `limit` items of one kind on topic t (store_topic_new(), so
 * one question parses it once), in the order of store_items(); *more is
 * how many more there are, or -1 when there are more that were not
 * counted (a topic so common that counting them would read the store).
 * With more NULL, the rows past the first `limit` are not read. 0 or -1. */
struct store_topic;
int store_items_on_topic(struct store *st, int kind, int64_t meeting_id,
                         const struct store_topic *t, int limit,
                         struct store_item **out, int *n, int *more);
void store_items_free(struct store_item *v, int n);
/* A meeting's agenda: its summary reports' written one when there is
 * one, else the one read out in its transcript ("We have 4 items today:
 * ..."); each item once. 0 or -1. */
int store_meeting_agenda(struct store *st, int64_t meeting_id, struct store_item **out, int *n);

struct store_next {
    int64_t meeting_id;
    int record_kind;
    char *when;
    char *date;                 /* "YYYY-MM-DD" or NULL */
    char *quote;
};
/* Next-meeting notes of a meeting (meeting_id > 0) or of the latest
 * meeting that has one (0). 0 (n may be 0) or -1. */
int store_next_meeting(struct store *st, int64_t meeting_id,
                       struct store_next **out, int *n);
void store_nexts_free(struct store_next *v, int n);

/* ---- actions --------------------------------------------------------- */

struct store_action {
    int64_t id;
    char code[16];              /* "A12": stable, never reused */
    int64_t meeting_id;
    int record_kind;
    char **owners;              /* canonical names or bodies */
    int n_owners;
    char *text;
    char *due;
    char *due_date;
    int done;
    char *status_by;            /* who last changed the status, or NULL */
    int64_t status_at;
    char *quote;
    char *speaker;
    size_t offset;
    int concerns_dcs;
    int is_explicit;
    double confidence;
};

#define STORE_ACT_OPEN  0
#define STORE_ACT_DONE  1
#define STORE_ACT_ALL   2

struct store_action_filter {
    int status;                 /* STORE_ACT_OPEN / DONE / ALL */
    int64_t meeting_id;         /* 0: every meeting */
    int64_t person_id;          /* 0: anyone; else owned by this person */
    const char *owner;          /* NULL, or an owner name/body as typed */
    int dcs;                    /* 1: owned by or concerning the Dynamic Coalitions */
    const char *topic;          /* NULL, or only actions whose text or quote carries it */
    int limit;                  /* 0: all; else the first `limit` */
};
/* A meeting's transcript actions on topic t only by what was said just
 * before them (as store_items_in_context()), owners read. 0 or -1. */
int store_actions_in_context(struct store *st, int64_t meeting_id, const struct store_topic *t,
                             struct store_action **out, int *n);
/* Actions matching the filter, newest meeting first, then id order. */
int store_actions(struct store *st, const struct store_action_filter *f,
                  struct store_action **out, int *n);
/* The same, and *total: how many match in all (with no topic; on a
 * topic, the ones read). Only the first f->limit are read in full. */
int store_actions_page(struct store *st, const struct store_action_filter *f,
                       struct store_action **out, int *n, int *total);
/* How many actions with `status` (STORE_ACT_*) each owner has, in one
 * meeting or all (meeting_id 0): the most first, then by name; each
 * person or body once under its canonical name, and last, with name
 * NULL, the actions that have no owner. *total: how many actions with
 * that status there are. 0 or -1. */
struct store_owner_count {
    char *name;                 /* canonical name or body; NULL: no owner */
    int64_t person_id;          /* 0 for no owner */
    int count;
};
int store_actions_by_owner(struct store *st, int status, int64_t meeting_id,
                           struct store_owner_count **out, int *n, int *total);
void store_owner_counts_free(struct store_owner_count *v, int n);
/* Open actions due on a day in [from, to) (ISO dates), the earliest due
 * first: the first `limit` (0: all) read in full, *total counted. */
int store_actions_due(struct store *st, const char *from, const char *to, int limit,
                      struct store_action **out, int *n, int *total);
void store_actions_free(struct store_action *v, int n);
/* How many open actions belong to meetings other than `meeting_id`
 * (forgotten meetings' included), or -1. */
int store_actions_open_elsewhere(struct store *st, int64_t meeting_id);
/* One action by code ("A12", case-insensitive). 0, STORE_NOTFOUND or -1. */
int store_action_get(struct store *st, const char *code, struct store_action *out);
void store_action_release(struct store_action *a);
/* 1 when `person_id` is among the owners of action `code`. */
int store_action_owned_by(struct store *st, const char *code, int64_t person_id);
/* Lifecycle: every change is kept in action_history with who and when.
 * Return 0, STORE_NOTFOUND or -1. */
int store_action_set_done(struct store *st, const char *code, int done,
                          const char *by, int64_t at);
int store_action_assign(struct store *st, const char *code,
                        const char *const *owners, int n_owners,
                        const char *by, int64_t at);
/* New action in a meeting (0: latest); writes its code. */
int store_action_add(struct store *st, int64_t meeting_id,
                     const char *const *owners, int n_owners, const char *text,
                     const char *by, int64_t at, char code[16]);

struct store_history {
    int64_t at;
    char *by;
    char *what;                 /* "created", "done", "reopened", "assigned" */
    char *detail;
};
int store_action_history(struct store *st, const char *code,
                         struct store_history **out, int *n);
void store_history_free(struct store_history *v, int n);

/* ---- glossary -------------------------------------------------------- */

/* Expansions of an acronym ("EGM" -> "Expert Group Meeting"), and the
 * acronyms of an expansion, case-insensitive. 0 or -1. */
int store_glossary_expand(struct store *st, const char *acronym,
                          char ***out, int *n);
int store_glossary_acronyms(struct store *st, const char *expansion,
                            char ***out, int *n);

/* ---- search (storage/search.c) --------------------------------------- */

struct store_hit {
    int64_t turn_id;
    int64_t meeting_id;
    int64_t record_id;
    int record_kind;
    int seq;
    int64_t person_id;          /* 0 when unattributed */
    char *speaker;              /* canonical name or NULL */
    char *section;
    char *text;                 /* the turn as stored (original characters) */
    size_t offset;
    double score;
};
void store_hits_free(struct store_hit *v, int n);

/* Plain search: turns carrying all the words of `query` (stemmed, as
 * phrases), best first, at most `limit`. meeting_id 0: everywhere;
 * person_id 0: any speaker. Never fails on odd input: a query with no
 * usable word yields no hits. */
int store_search(struct store *st, const char *query, int64_t meeting_id,
                 int64_t person_id, int limit, struct store_hit **out, int *n);
/* The same (search_newest.c), except that when over 1,000 turns carry the
 * words, only the newest 1,000 of them (last stored) are ranked. */
int store_search_newest(struct store *st, const char *query, int64_t meeting_id, int limit,
                        struct store_hit **out, int *n);

/* A topic as the who-raised questions use it: content words stemmed by
 * FTS5, stop words dropped, acronyms expanded from the glossary. */
struct store_topic;
struct store_topic *store_topic_new(struct store *st, const char *text);
void store_topic_free(struct store_topic *t);
int store_topic_empty(const struct store_topic *t);
/* The words kept, joined by spaces (for "Nobody raised ..."). Borrowed. */
const char *store_topic_words(const struct store_topic *t);
/* 1 when text carries every one of t's words (by stem), not only the
 * half that matching on a topic asks for. */
int store_topic_covers(const struct store_topic *t, const char *text);
/* The words of topic t that no stored record carries in any form (its
 * stem, a spelling variant, an expansion), joined by spaces into unknown
 * (ucap bytes; "" when every word is known), and the others into known,
 * so an answer can say it is about those only. 0 or -1. */
int store_topic_unknown(struct store *st, const struct store_topic *t, char *unknown,
                        size_t ucap, char *known, size_t kcap);

/* Who raised a topic, per meeting. */
struct store_raiser {
    int64_t person_id;
    char *name;
    int mentions;               /* turns on the topic */
};
struct store_raised {
    int64_t meeting_id;
    struct store_hit first;     /* the turn that first carries the topic */
    int has_first;              /* 0 when only unattributed/summary text */
    struct store_raiser *others;/* others who spoke on it, most first */
    int n_others;
    int first_mentions;         /* topic turns of the first speaker */
    struct store_hit summary;   /* best summary paragraph, when any */
    int has_summary;
    double score;
    char *note;                 /* how the raiser was found when the label does
                                 * not say ("as Markus Kummer put it"), or NULL */
};
/* Per meeting (meeting_id 0: all), newest meeting first. */
int store_raised(struct store *st, const struct store_topic *t,
                 int64_t meeting_id, struct store_raised **out, int *n);
/* The same, at most `limit` meetings (0: all): the work is bounded by the
 * meetings returned, not by those stored. *more (may be NULL) is set to 1
 * when another meeting would have followed. */
int store_raised_newest(struct store *st, const struct store_topic *t, int64_t meeting_id,
                        int limit, struct store_raised **out, int *n, int *more);
void store_raised_free(struct store_raised *v, int n);
/* Turns of one person on a topic, best first then oldest. */
int store_said(struct store *st, int64_t person_id, const struct store_topic *t,
               int64_t meeting_id, int limit, struct store_hit **out, int *n);
/* The longest turns (at most `limit`) of one person at a meeting, in the
 * order spoken; meeting_id 0: the newest meeting where they spoke. None
 * when they did not speak there. */
int store_person_turns(struct store *st, int64_t person_id, int64_t meeting_id, int limit,
                       struct store_hit **out, int *n);

/* An exact excerpt of `text` of at most about `max` bytes, centred where
 * the topic's words sit together (t may be NULL: the start). Sets
 * *cut_start / *cut_end when text was left out there. Free with free(). */
char *store_excerpt_dup(const char *text, const struct store_topic *t, size_t max,
                        int *cut_start, int *cut_end);

/* Fold text for the index: Unicode spaces -> ' ', Unicode hyphens -> '-',
 * curly quotes -> straight. Free with free(). */
char *store_fold_dup(const char *s, size_t n);

#endif
