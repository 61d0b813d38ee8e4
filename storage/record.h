/* storage/record.h -- a meeting record read into plain structs: the
 * contract between the readers (record.c, transcript.c, summary.c,
 * extract.c) and the store. Pure C: no SQLite, no I/O, no Matrix.
 * Every string is UTF-8 and owned by the struct record. */
#ifndef SCRIBE_RECORD_H
#define SCRIBE_RECORD_H

#include <stddef.h>

#define RECORD_MAX_BYTES_DEFAULT (5u * 1024u * 1024u)

enum record_kind {
    RECORD_TRANSCRIPT = 1,      /* raw captioning: ">> NAME: text" turns */
    RECORD_SUMMARY = 2          /* written summary report */
};

/* One speaking turn (transcripts) or one paragraph/bullet (summaries).
 * `text` keeps the original characters (U+00A0, U+2011 included) with the
 * wrapped paragraphs of a turn joined by "\n". */
struct record_turn {
    char *label;            /* label as written, trimmed; NULL: unattributed or summary */
    int speaker;            /* index into record.speakers, -1 when none */
    char *section;          /* summaries: heading the paragraph sits under, or NULL */
    char *text;
    size_t offset;          /* byte offset of the turn's text in record.text */
    int words;
};

/* A speaker of a transcript: labels that name one person merged. */
struct record_speaker {
    char *name;             /* display name: "Wout de Natris", "Polly" */
    char **labels;          /* every label as written, most used first */
    int n_labels;
    int turns;
    int words;
};

/* Someone named in a participants annex, apologies list or the text. */
struct record_person {
    char *name;
    char *affiliation;      /* or NULL */
    char *role;             /* "facilitator", "secretariat", "participant", "chair" or NULL */
};

/* An agenda item, decision or key point, with where it came from. */
struct record_item {
    char *text;             /* short statement */
    char *quote;            /* exact substring of record.text */
    char *speaker;          /* display name of the speaker, or NULL */
    size_t offset;          /* byte offset of quote in record.text */
};

struct record_action {
    char **owners;          /* display names or bodies: "Secretariat", "DCs", "IS3C" */
    int n_owners;
    char *text;             /* what is to be done, short */
    char *due;              /* due phrase as written, or NULL */
    char *due_date;         /* "YYYY-MM-DD" when resolvable, else NULL */
    char *quote;            /* exact substring of record.text */
    char *speaker;          /* who said it, or NULL */
    size_t offset;          /* byte offset of quote in record.text */
    int is_explicit;        /* 1: a Next steps bullet, "X will", "I will"...; 0: implied */
    int done;               /* the record itself reports it done */
    int concerns_dcs;       /* owned by or on behalf of the Dynamic Coalitions */
    double confidence;      /* 0..1 */
};

struct record_next {
    char *when;             /* as written, e.g. "week starting 17 October" */
    char *date;             /* "YYYY-MM-DD" when resolvable, else NULL */
    char *quote;
    size_t offset;
};

/* Work a speaker reports done ("I sent the draft last week"): it may
 * close one of their actions from an earlier meeting (ingest_reports.c). */
struct record_report {
    char *speaker;          /* display name of who said it */
    char *verb;             /* the action verb's plain form: "send", "draft" */
    char *object;           /* what was done, as written: "the draft" */
    char *quote;            /* exact substring of record.text */
    size_t offset;
};

struct record_gloss {
    char *acronym;          /* "EGM" */
    char *expansion;        /* "Expert Group Meeting" */
};

struct record {
    enum record_kind kind;
    char *text;             /* the record as UTF-8 (decoded when it came as
                             * Windows-1252); all offsets point into it */
    size_t len;
    char sha256[65];        /* of the bytes as received, lower-case hex */

    char *group;            /* "DC Coordination Group", "MAG"; never NULL */
    char *number;           /* as written: "62", "XII"; or NULL */
    long number_value;      /* 62, 12; -1 when none */
    char *title;            /* first title line, or NULL */
    char *date;             /* "YYYY-MM-DD" or NULL when the record has none */
    char *time_utc;         /* "15:00" or NULL */
    char *end_time_utc;     /* "16:08" or NULL */

    struct record_turn *turns;        int n_turns;
    struct record_speaker *speakers;  int n_speakers;
    int unattributed;                 /* turns with no speaker */
    struct record_person *participants; int n_participants;
    char **apologies;                 int n_apologies;
    struct record_item *agenda;       int n_agenda;
    struct record_item *decisions;    int n_decisions;
    struct record_item *points;       int n_points;   /* key points (summaries) */
    struct record_action *actions;    int n_actions;
    struct record_next *next;         /* or NULL */
    struct record_gloss *glossary;    int n_glossary;
    struct record_report *reports;    int n_reports;
};

/* Read one record. `data` is the raw bytes as received (file or message).
 * Returns 0 and a record (free with record_free()), or -1 with a one-line
 * reason in `err`: empty, too big (over max_bytes), binary or NUL bytes,
 * undecodable encoding, or no meeting shape. */
int record_parse(const char *data, size_t len, size_t max_bytes,
                 struct record **out, char *err, size_t errlen);
void record_free(struct record *r);

/* 1 when `data` has the shape of a meeting record (transcript turns or a
 * summary report), 0 otherwise. Cheap; used on every chat message. */
int record_looks_like(const char *data, size_t len);

/* The SHA-256 of a record's bytes as received, lower-case hex: what makes
 * two postings of one record the same record. */
void record_sha256_hex(const char *data, size_t len, char out[65]);

/* Helpers shared by the readers and the store. */
/* Parse a date in any form the records use ("14 June 2022", "OCTOBER 3,
 * 2022", "2022-06-14"); writes "YYYY-MM-DD" into out[11]. 0 or -1. */
int record_parse_date(const char *s, size_t n, char out[11]);
/* Value of a Roman numeral ("XXV" -> 25) or -1. */
long record_roman_value(const char *s, size_t n);
/* "WOUT DE NATRIS" -> "Wout de Natris"; mixed-case input is kept. */
char *record_name_dup(const char *label);

#endif
