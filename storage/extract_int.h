/* storage/extract_int.h -- what the fact extractor's files share
 * (extract.c, extract_owners.c, extract_actions.c): the sentences, the
 * per-record context and its index of phrase occurrences. Private to
 * them; pure like them: no SQLite, no I/O. */
#ifndef SCRIBE_EXTRACT_INT_H
#define SCRIBE_EXTRACT_INT_H

#include "reader_int.h"

#include <ctype.h>
#include <string.h>

struct sent {
    size_t s, e;            /* [s, e) in record text */
    int turn;
};

struct ctx {
    struct record *r;
    char *group_acr;
    struct sent *sents;
    int n_sents;
    int dc_group;           /* the group is about Dynamic Coalitions */
    char *low;              /* r->text in ASCII lower case, same offsets */
    uint64_t markers_of_head[16];   /* bit m: markers[m] opens with marker_heads[k] */
    uint64_t markers_any;           /* bit m: markers[m] opens with no known head */
    /* Every occurrence in `low` of the phrases searched in every
     * sentence (see phrases_index()): phrase i at occ[i].pos[0..n),
     * ascending. The first of each family: */
    struct occ {
        const char *phrase;
        size_t len;
        size_t *pos;
        int n;
    } *occ;
    int n_occ;
    int ix_marker, ix_decision, ix_next, ix_if, ix_meeting, ix_acceptable;
    int ix_makes_sense, ix_suggest;     /* "X suggests ... This makes sense" */
    int ix_past;                        /* past_meeting_marks[0]: "agreed at our last meeting" */
    int ix_items;                       /* "We have 4 items today: ..." */
    int ix_doodle_poll, ix_doodle;
    int ix_waived, ix_waived_need, ix_waived_not;  /* "not necessary ... for approval" */
    int ix_meet_verb;                   /* "to hold", "will meet": a meeting as a next step */
    unsigned char head_len[16];  /* strlen(marker_heads[k]) */
    unsigned short heads_of_len[8]; /* bit k: marker_heads[k] has that length */
    unsigned char gloss_first[256]; /* 1: some learnt acronym starts with this byte */
    unsigned char third_strong[32]; /* strong_marker(third_markers[m]) */
    unsigned char third_agreed[32]; /* third_markers[m] says "agreed" */
    unsigned char third_gate[32];   /* THIRD_* : where third_markers[m] may open an action */
    int ix_third;                   /* third_markers[0] in occ */
    int ix_absent_q, ix_absent;
    int ix_week, ix_end, ix_before, ix_after, ix_due;
    /* The bodies[] whose phrase starts with a byte, in list order,
     * ending with -1; a byte no phrase starts with has none. */
    signed char body_by_first[256][24];
    unsigned char body_len[24];     /* strlen(bodies[i].phrase) */
};

/* 1 when the turn sits under a heading of things to do next ("Next
 * steps", "Action items", "Follow-up"): the actions and the meetings
 * said there are decided ones. */
static inline int extract_next_steps_turn(const struct record_turn *tn)
{
    return tn->section && (reader_find_ci(tn->section, strlen(tn->section), "next step") >= 0 ||
                           reader_find_ci(tn->section, strlen(tn->section), "action") >= 0 ||
                           reader_find_ci(tn->section, strlen(tn->section), "follow") >= 0);
}

/* 1 when the turn sits under a heading of decisions ("Decisions",
 * "Decisions taken", "Agreed"; summary.c reads these headings): each
 * of its bullets or paragraphs is one decision. */
static inline int extract_decisions_turn(const struct record_turn *tn)
{
    static const char *const heads[] = { "decisions", "decision", "decisions taken",
                                         "decisions made", "decisions reached", "key decisions",
                                         "main decisions", "agreed", "agreements", "resolutions",
                                         NULL };
    const char *last, *p;
    size_t n;

    if (!tn->section)
        return 0;
    for (last = tn->section; (p = strstr(last, " / ")); last = p + 3)
        ;
    while (*last == '#' || *last == '*' || *last == ' ')
        last++;
    n = strlen(last);
    while (n > 0 && (last[n - 1] == ':' || last[n - 1] == '*' || last[n - 1] == ' '))
        n--;
    for (int i = 0; heads[i]; i++)
        if (strlen(heads[i]) == n && !reader_strncasecmp_ascii(last, heads[i], n))
            return 1;
    return 0;
}

/* Index of the first occurrence of `o` at or after s. */
static inline int extract_occ_first(const struct occ *o, size_t s)
{
    int lo = 0, hi = o->n;

    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;

        if (o->pos[mid] < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first occurrence of phrase `ix` that lies wholly in t[s..e),
 * relative to s, or -1: what a search of the sentence for it finds. */
static inline long extract_occ_find(const struct ctx *c, int ix, size_t s, size_t e)
{
    const struct occ *o = &c->occ[ix];
    int i = extract_occ_first(o, s);

    if (i < o->n && o->pos[i] + o->len <= e)
        return (long)(o->pos[i] - s);
    return -1;
}

/* Like extract_occ_find, the phrase standing as words of t[s..e) (the ends of
 * the range count as word boundaries). */
static inline long extract_occ_find_word(const struct ctx *c, int ix, size_t s, size_t e)
{
    const struct occ *o = &c->occ[ix];
    int i;

    for (i = extract_occ_first(o, s); i < o->n && o->pos[i] + o->len <= e; i++) {
        size_t at = o->pos[i], end = at + o->len;

        if ((at == s || !isalnum((unsigned char)c->low[at - 1])) &&
            (end >= e || !isalnum((unsigned char)c->low[end])))
            return (long)(at - s);
    }
    return -1;
}

/* extract.c: the phrase index of c (see phrases_index()) gets one more
 * phrase, or each of a NULL-ended list; returns the index of the (first) one. */
int extract_occ_add(struct ctx *c, const char *phrase);
int extract_occ_add_list(struct ctx *c, const char *const *list);
/* extract.c: a copy of the record's text [s, e), cut to a quote's length. */
char *extract_quote_dup(const struct record *r, size_t s, size_t e);

/* extract_owners.c: the owner tables of c (bodies by first byte, the
 * first bytes of the record's acronyms). */
void extract_owners_init(struct ctx *c);
size_t extract_name_at(const struct ctx *c, const char *t, size_t at, size_t end, const char **name);
const char *extract_body_at(const struct ctx *c, const char *t, size_t at, size_t end, size_t *len);
size_t extract_unknown_name_at(const char *t, size_t at, size_t end, char *out, size_t outlen);
void extract_add_owner(struct record_action *a, const char *o);
const char *extract_addressee(const struct ctx *c, const struct sent *st);
const char *extract_affirmer(const struct ctx *c, const struct sent *st);
void extract_add_we_partners(struct ctx *c, struct record_action *a, const struct sent *st);

/* extract_actions.c: the marker tables of c and their phrases in the index;
 * the actions of one sentence, added to c->r; and the actions the record
 * reports done. */
void extract_actions_init(struct ctx *c);
void extract_actions_in_sentence(struct ctx *c, const struct sent *st);
void extract_mark_done(struct ctx *c);
/* extract_spoken.c: the phrases it looks for (before phrases_index()),
 * the agenda read out, and the apologies given. */
void extract_spoken_init(struct ctx *c);
void extract_spoken_agenda(struct ctx *c);
void extract_spoken_apologies(struct ctx *c);
/* extract_reports.c: work the speakers report done, into r->reports. */
void extract_reports(struct ctx *c);

#endif
