/* commands/commands_int.h -- private to commands/: the command table
 * entry, the per-question state, and the helpers every command uses to
 * write the same content as plain text and as escaped HTML. */
#ifndef SCRIBE_COMMANDS_INT_H
#define SCRIBE_COMMANDS_INT_H

#include <cJSON.h>
#include <stdint.h>

#include "commands.h"
#include "../storage/store.h"

/* One question being answered. `text` is the normalised message (case
 * kept, trailing '?' and prefix words gone), `lower` the same in lower
 * case; `args` points into `text` after the words that chose the command. */
struct cmd_q {
    const struct cmd_ctx *ctx;
    struct cmd_reply *reply;
    cJSON *results;             /* set by the command; NULL: none */
    char *text;
    char *lower;
    const char *args;
    char *arg1;                 /* parsed by the matcher; owned here */
    char *arg2;
    int flag;
};

struct command {
    const char *name;
    const char *usage;
    const char *help;
    /* 1 when the message is this command (fills q->args, arg1, arg2, flag). */
    int (*match)(struct cmd_q *q);
    /* Write the answer. 0, or -1 when the store failed. */
    int (*run)(struct cmd_q *q);
};

extern const struct command cmd_help, cmd_raised, cmd_said, cmd_actions, cmd_action_change,
    cmd_decisions, cmd_recap, cmd_meetings, cmd_people, cmd_next, cmd_search, cmd_forget,
    cmd_roles, cmd_actions_due, cmd_agenda, cmd_speakers, cmd_greet, cmd_glossary;

/* Actions listed in one answer (the rest are counted). */
#define ACTIONS_SHOWN 25

/* The table, in matching order; NULL-terminated. */
extern const struct command *const commands_table[];

/* ---- matching helpers (commands.c) ------------------------------------ */

/* When q->lower starts with `prefix` followed by the end or a space, set
 * q->args past it (and spaces) and return 1. */
int cmd_starts(struct cmd_q *q, const char *prefix);
/* Split a trailing meeting reference (" in #62", " at MAG XII", " #66",
 * " at the last meeting", " in June") off `s` (modified in place);
 * returns the spec (a copy) or NULL. need_words: a meeting named in
 * passing is not split off when it is all of `s` ("who raised the
 * previous meeting" asks about a topic). */
char *cmd_split_meeting(char *s, int need_words);
/* A meeting named before the topic ("at #7 about the booth", "at the
 * last meeting on the survey", "in June regarding the banner"): returns
 * the spec (a copy) and leaves the topic alone in `s`; NULL (s as it
 * was) when the words before "about" are not a meeting. */
char *cmd_split_meeting_lead(char *s);
/* Trim spaces and surrounding quotes; returns s. */
char *cmd_trim(char *s);
/* Resolve a spec (NULL/"" = latest); writes a "no such meeting" answer and
 * returns STORE_NOTFOUND when there is none. */
int cmd_meeting(struct cmd_q *q, const char *spec, int64_t *id);
/* The year and month (1-12) `back` months before the one of `now` (unix
 * seconds, UTC): 0 this month, 1 last month. */
void cmd_month_of(int64_t now, int back, int *year, int *month);

/* ---- rendering (commands.c) ------------------------------------------- */

void rt_text(struct cmd_q *q, const char *s);           /* both, html escaped */
void rt_printf(struct cmd_q *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rt_bold(struct cmd_q *q, const char *s);
void rt_nl(struct cmd_q *q);
void rt_html(struct cmd_q *q, const char *raw);          /* html only, raw markup */
void rt_plain(struct cmd_q *q, const char *s);           /* text only */
/* A quote: “…text…” with newlines shown as spaces; cut marks as "…". */
void rt_quote(struct cmd_q *q, const char *s, int cut_start, int cut_end);
/* Headed list: rt_list_begin(); rt_item(indent bullet) ... rt_item_end(); rt_list_end(). */
void rt_list_begin(struct cmd_q *q);
void rt_item(struct cmd_q *q, const char *bullet);
void rt_item_end(struct cmd_q *q);
void rt_list_end(struct cmd_q *q);

/* An action's owners, comma-separated; `none` (may be NULL) when it has
 * none. */
void cmd_owners(struct cmd_q *q, const struct store_action *a, const char *none);
/* "14 Jun 2022" (or "Tue 14 Jun 2022" with weekday) from "2022-06-14". */
void cmd_date(char *out, size_t n, const char *iso, int weekday);
/* "2023-11-14" and "14 Nov 2023" of a unix time (UTC). */
void cmd_iso_day(char *out, size_t n, int64_t at);
void cmd_day(char *out, size_t n, int64_t at);
/* "#62 (14 Jun 2022)" or "#62 (undated)". Free with free(). */
char *cmd_meeting_ref_dup(struct store *st, int64_t meeting_id, int with_date);
/* Cut a one-line summary to at most n bytes on a word, adding "…". */
char *cmd_short_dup(const char *s, size_t n);
/* The words of topic tp no record carries, in one line: before an answer
 * that found something ("No record mentions "x": this is about "y z"."),
 * so a match on some of the words is never shown as one on all of them;
 * after one that found nothing ("No record mentions "x"."), so a typo is
 * seen. Nothing when every word is known, or none is. */
void cmd_topic_note(struct cmd_q *q, const struct store_topic *tp, int found);

/* A reply that says the store failed. Returns -1. */
int cmd_store_error(struct cmd_q *q);
/* Start q->results, the structured results behind the text, as an empty
 * array when the caller asked for JSON (ctx->want_json), else leave it
 * NULL: chat and console answers never read it. The commands that build
 * a result per row shown (who raised, said, decisions, search, actions)
 * build them only when this returned non-NULL; the short lists (meetings,
 * people, roles, next meeting) always fill theirs. */
cJSON *cmd_results_new(struct cmd_q *q);

/* ---- JSON (export.c) -------------------------------------------------- */

cJSON *export_meeting_json(struct store *st, int64_t meeting_id);
cJSON *export_action_json(struct store *st, const struct store_action *a);
/* {"meetings":[...]} for one meeting (id > 0) or all; caller frees. */
cJSON *export_json(struct store *st, int64_t meeting_id);

/* The recap of a meeting, used after ingest too. */
int recap_write(struct cmd_q *q, int64_t meeting_id);

#endif
