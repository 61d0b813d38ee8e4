/* storage/extract.c -- facts from the words of a record: actions with
 * owners and due dates (extract_actions.c, extract_owners.c), decisions,
 * the next meeting; the agenda read out and apologies given
 * (extract_spoken.c); work reported done (extract_reports.c). Works
 * sentence by sentence on the turns read by transcript.c or summary.c;
 * every fact keeps its exact quote and offset. Pure: no SQLite, no I/O. */
#include "extract_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_QUOTE 400

/* ------------------------------------------------------------------ */
/* Sentences                                                           */

static int is_abbrev(const char *t, size_t start, size_t dot)
{
    static const char *ab[] = { "e.g", "i.e", "mr", "mrs", "ms", "dr", "st", "vs", "etc",
                                "no", "u.n", "u.s", "p.o", "inc", "prof", NULL };
    size_t w = dot;
    while (w > start && (isalpha((unsigned char)t[w - 1]) || t[w - 1] == '.'))
        w--;
    if (dot - w == 1 && isupper((unsigned char)t[w]))
        return 1;                       /* an initial: "J. Smith" */
    if (dot - w < 2 || dot - w > 4)     /* the lengths in ab[] */
        return 0;
    for (int i = 0; ab[i]; i++)
        if (strlen(ab[i]) == dot - w && !reader_strncasecmp_ascii(t + w, ab[i], dot - w))
            return 1;
    return 0;
}

static void split_sentences(const struct record *r, int turn, struct sent **out, int *n)
{
    const struct record_turn *tn = &r->turns[turn];
    const char *t = r->text;
    size_t start = tn->offset, end = tn->offset + strlen(tn->text), i;

    start = reader_skip_space(t, start, end);
    for (i = start; i < end; i++) {
        char c = t[i];
        int stop = 0;
        if (c == '\n' && i + 1 < end) {
            /* A blank line ends a sentence; a single wrap does not. */
            size_t j = reader_skip_space(t, i + 1, end);
            if (j < end && t[j] == '\n')
                stop = 1;
        } else if ((c == '.' || c == '?' || c == '!') &&
                   (i + 1 >= end || reader_space_len(t + i + 1, end - i - 1) || t[i + 1] == '\n' ||
                    t[i + 1] == '"' || t[i + 1] == ')')) {
            stop = !(c == '.' && is_abbrev(t, start, i));
        }
        if (stop || i + 1 == end) {
            size_t e = i + 1, s2 = start;
            e = reader_trim_end(t, s2, e);
            if (e > s2 + 1) {
                struct sent *st = READER_PUSH(*out, *n);
                st->s = s2;
                st->e = e;
                st->turn = turn;
            }
            start = reader_skip_space(t, i + 1, end);
            while (start < end && (t[start] == '\n' || reader_space_len(t + start, end - start)))
                start = reader_skip_space(t, start + (t[start] == '\n'), end);
            i = start > 0 ? start - 1 : 0;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Quotes                                                              */

char *extract_quote_dup(const struct record *r, size_t s, size_t e)
{
    size_t n = e - s;
    if (n > MAX_QUOTE)
        n = utf8_trim_len(r->text + s, n, MAX_QUOTE);
    return xstrndup(r->text + s, n);
}

/* ------------------------------------------------------------------ */
/* Decisions and the next meeting                                      */

static const char *decision_marks[] = {
    "it was agreed", "we agreed", "we agree", "agreed that", "it was decided", "we decided",
    "decided to", "broad agreement", "general agreement", "consensus", "so agreed",
    "the group agreed", "no objection", "is the agenda as proposed acceptable",
    "i suggest let's", "let's have a", "we will go with", "we are agreed", "agreement that",
    /* Deciding not to decide yet is a decision too. */
    "on the agenda of the next", "back on the agenda", "need to be agreed", "needs to be agreed",
    "to be agreed at", "to be agreed in", "to be decided at", "was deferred", "were deferred",
    "was postponed", "refrained from",
    /* A step the group takes now. */
    "as a concrete step", "as a first step", "as a next step",
    /* Whether the group is ready to approve ("I don't think we are
     * collectively ready to sign off any letter"): either way, it decides. */
    "ready to sign", "ready to approve", "ready to endorse", "ready to adopt",
    /* A role taken on when the group asks ("I would be ready to assume
     * this task, should you so wish"). */
    "ready to assume this", "ready to take on this", "accept the nomination",
    /* How often the group meets. */
    "frequency of our meetings", "frequency of the meetings", "meet more often",
    "meet more frequently",
    NULL
};

/* Approval said not to be needed ("I don't think it will be necessary
 * that we give that to the full group for approval"): a way of working
 * decided. Each list's phrase must be in the sentence. */
static const char *const waived_marks[] = { "approv", NULL };
static const char *const waived_need[] = { "necessary", "no need", "not need", NULL };
static const char *const waived_not[] = { "not ", "n't", "n\xe2\x80\x99t", "no need", NULL };

/* Right after a decision mark, a meeting before this one: what was
 * decided then, recalled ("we agreed at our last meeting that it should
 * be interactive"), not decided now. */
static const char *const past_meeting_marks[] = {
    "at our last meeting", "at the last meeting", "in our last meeting", "in the last meeting",
    "at our previous meeting", "at the previous meeting", "in the previous meeting",
    "at our last call", "on our last call", "at the last call", "last time", "previously",
    "earlier this year", "last year", "last month", "last week", NULL
};

static const char *next_marks[] = {
    "next meeting", "next call", "another meeting", "next coordination", "meet again",
    "doodle poll", "find a meeting", "look for a meeting", "another call",
    "poll to agree on a meeting", "next session", "hold another", NULL
};

/* A next step that is a meeting ("DCs to hold another meeting before
 * the July Open Consultations"): the group decided to meet. With one of
 * next_marks in the same sentence. */
static const char *const meet_verbs[] = { "to hold", "will hold", "to meet", "will meet", NULL };

/* 1 when one phrase of the list at occurrence index ix (NULL-terminated
 * `list`) lies in the sentence. */
static int has_any(const struct ctx *c, int ix, const char *const *list, const struct sent *st)
{
    for (int i = 0; list[i]; i++)
        if (extract_occ_find(c, ix + i, st->s, st->e) >= 0)
            return 1;
    return 0;
}

/* The two kinds of decision no single phrase marks (see above). */
static int decided_otherwise(const struct ctx *c, const struct sent *st)
{
    const struct record_turn *tn = &c->r->turns[st->turn];

    if (has_any(c, c->ix_waived, waived_marks, st) && has_any(c, c->ix_waived_need, waived_need, st) &&
        has_any(c, c->ix_waived_not, waived_not, st))
        return 1;
    return extract_next_steps_turn(tn) && has_any(c, c->ix_meet_verb, meet_verbs, st) &&
           has_any(c, c->ix_next, next_marks, st);
}

/* 1 when a past meeting is named right after a decision mark that
 * ends at `end` (relative to the sentence's start): one or two
 * characters (space, comma) between them. */
static int recalled(const struct ctx *c, const struct sent *st, size_t end)
{
    int p;

    for (p = 0; past_meeting_marks[p]; p++) {
        long at = extract_occ_find(c, c->ix_past + p, st->s + end, st->e);

        if (at >= 0 && at <= 2)
            return 1;
    }
    return 0;
}

static void add_decision(struct ctx *c, const struct sent *st)
{
    struct record *r = c->r;
    const struct record_turn *tn = &r->turns[st->turn];
    char *quote = extract_quote_dup(r, st->s, st->e);
    char *text = reader_clean_dup(quote, strlen(quote));
    struct record_item *it;

    /* The same words said again ("no objection to the approach") are
     * one decision. */
    for (int i = 0; i < r->n_decisions; i++)
        if (!strcmp(r->decisions[i].text, text)) {
            free(quote);
            free(text);
            return;
        }
    it = READER_PUSH(r->decisions, r->n_decisions);
    it->quote = quote;
    it->text = text;
    it->speaker = tn->speaker >= 0 ? xstrdup(r->speakers[tn->speaker].name) : NULL;
    it->offset = st->s;
}

/* A day and month in the sentence ("on 12 September", "the 2nd of May"):
 * 0 with *when and date (empty when it does not resolve), else -1. */
static int day_month_phrase(const struct ctx *c, const char *s, size_t n, char **when,
                            char date[11])
{
    size_t at, len;

    if (reader_find_day_month(s, n, &at, &len) < 0)
        return -1;
    *when = reader_clean_dup(s + at, len);
    if (reader_resolve_date(*when, c->r->date, date) < 0)
        date[0] = '\0';
    return 0;
}

/* Find a date-like phrase in the sentence: "17th of October", "Friday";
 * a bare day and month ("30 April") only with day_month: in a sentence
 * that only says "meeting" it is as likely a deadline. */
static int date_phrase(const struct ctx *c, const char *s, size_t n, int day_month, char **when,
                       char date[11])
{
    static const char *pre[] = { "last week of", "first week of", "week starting on",
                                 "week starting", "week of", "week beginning", "end of",
                                 "in two weeks", "in three weeks", "in four weeks", "in 2 weeks",
                                 "in 3 weeks", "in 4 weeks", "next week", "before the",
                                 "after the", NULL };
    size_t at = (size_t)(s - c->r->text);
    char *clean;
    size_t cl;
    int ok = -1;


    /* Every phrase above holds "week", "end", "before" or "after", which
     * cleaning (spaces only) leaves as they are: without one of them the
     * sentence has no date phrase but a day and month ("12 September"). */
    if (extract_occ_find(c, c->ix_week, at, at + n) < 0 && extract_occ_find(c, c->ix_end, at, at + n) < 0 &&
        extract_occ_find(c, c->ix_before, at, at + n) < 0 && extract_occ_find(c, c->ix_after, at, at + n) < 0)
        return day_month ? day_month_phrase(c, s, n, when, date) : -1;
    clean = reader_clean_dup(s, n);
    cl = strlen(clean);
    for (int p = 0; pre[p] && ok < 0; p++) {
        long k = reader_find_ci(clean, cl, pre[p]);
        if (k < 0)
            continue;
        size_t e = (size_t)k + strlen(pre[p]);
        int words = 0;

        /* "after the last meeting": a time past, not a date to come. */
        if (pre[p][0] == 'b' || pre[p][0] == 'a') {
            size_t w = e;

            while (w < cl && clean[w] == ' ')
                w++;
            if (!reader_strncasecmp_ascii(clean + w, "last ", 5) ||
                !reader_strncasecmp_ascii(clean + w, "previous ", 9) ||
                !reader_strncasecmp_ascii(clean + w, "earlier ", 8))
                continue;
        }
        while (e < cl && words < 6 && clean[e] != ',' && clean[e] != '.' && clean[e] != '?' &&
               clean[e] != ';') {
            if (clean[e] == ' ')
                words++;
            e++;
        }
        *when = xstrndup(clean + k, e - (size_t)k);
        while (strlen(*when) && (*when)[strlen(*when) - 1] == ' ')
            (*when)[strlen(*when) - 1] = '\0';
        if (reader_resolve_date(*when, c->r->date, date) < 0)
            date[0] = '\0';
        ok = 0;
    }
    free(clean);
    return ok < 0 && day_month ? day_month_phrase(c, s, n, when, date) : ok;
}

static void find_next(struct ctx *c)
{
    struct record *r = c->r;
    const char *t = r->text;
    int best = -1, best_upto = -1, best_score = 0;
    char *best_when = NULL, best_date[11] = "";

    for (int k = 0; k < c->n_sents; k++) {
        const struct sent *st = &c->sents[k];
        int score = 0, upto = k;
        char *when = NULL, date[11] = "";
        for (int m = 0; next_marks[m] && !score; m++)
            if (extract_occ_find(c, c->ix_next + m, st->s, st->e) >= 0)
                score = 2;
        if (!score && extract_occ_find(c, c->ix_meeting, st->s, st->e) >= 0 &&
            date_phrase(c, t + st->s, st->e - st->s, 0, &when, date) == 0)
            score = 2;
        if (!score) {
            free(when);
            continue;
        }
        if (!when && date_phrase(c, t + st->s, st->e - st->s, 1, &when, date) == 0)
            score += 2;
        else if (when)
            score += 2;
        /* "Then the next meeting. I suggest the 2nd of May ...": the date
         * in the sentence after, in the same turn. */
        if (!when && k + 1 < c->n_sents && c->sents[k + 1].turn == st->turn &&
            date_phrase(c, t + c->sents[k + 1].s, c->sents[k + 1].e - c->sents[k + 1].s, 1,
                        &when, date) == 0) {
            score += 2;
            upto = k + 1;
        }
        if (date[0])
            score += 1;
        /* Later statements about the next meeting supersede earlier ones. */
        if (score >= best_score) {
            best_score = score;
            best = k;
            best_upto = upto;
            free(best_when);
            best_when = when;
            memcpy(best_date, date, sizeof(date));
        } else {
            free(when);
        }
    }
    if (best < 0)
        return;
    r->next = xcalloc(1, sizeof(*r->next));
    r->next->quote = extract_quote_dup(r, c->sents[best].s, c->sents[best_upto].e);
    r->next->offset = c->sents[best].s;
    r->next->when = best_when ? best_when : reader_clean_dup(r->next->quote, strlen(r->next->quote));
    r->next->date = best_date[0] ? xstrdup(best_date) : NULL;
}

/* ------------------------------------------------------------------ */
/* The phrases searched in every sentence, found in one pass           */

int extract_occ_add(struct ctx *c, const char *phrase)
{
    struct occ *o = READER_PUSH(c->occ, c->n_occ);

    o->phrase = phrase;
    o->len = strlen(phrase);
    o->pos = NULL;
    o->n = 0;
    return c->n_occ - 1;
}

int extract_occ_add_list(struct ctx *c, const char *const *list)
{
    int first = c->n_occ;

    for (int i = 0; list[i]; i++)
        extract_occ_add(c, list[i]);
    return first;
}

/* Buckets of phrases keyed on their first three bytes. A phrase of two
 * bytes stands in the bucket of each third byte it may be followed by:
 * occ_hash() adds the third byte last and OCC_BUCKETS is at least 256,
 * so those 256 buckets are all different and no position meets such a
 * phrase twice. */
#define OCC_BUCKETS 8192

static unsigned occ_hash(unsigned char a, unsigned char b, unsigned char c)
{
    return (((unsigned)a * 131u + b) * 67u + c) & (OCC_BUCKETS - 1);
}

/* Up to the first eight bytes at p (n of them) as one word, the way a
 * load of eight bytes there reads them: compared with a mask, a phrase's
 * head is told from the text at a position in one step. */
static uint64_t occ_head8(const char *p, size_t n)
{
    uint64_t v = 0;

    memcpy(&v, p, n < 8 ? n : 8);
    return v;
}

/* One phrase in one bucket's list. */
struct occ_node {
    int phrase, next;
};

/* Every occurrence of every phrase (all at least two bytes, lower case)
 * in the lower-cased text, in one pass keyed on the first three bytes:
 * sentence by sentence, fifty-odd phrases were each searched anew in
 * every sentence of the record (and keyed on two bytes, common heads
 * such as "th" opened several phrases at most positions). A phrase of
 * the position's bucket is compared on its first eight bytes at once,
 * the rest only when those match. */
static void phrases_index(struct ctx *c)
{
    const unsigned char *low = (const unsigned char *)c->low;
    size_t len = c->r->len;
    int *head = xmalloc(sizeof(int) * OCC_BUCKETS);
    struct occ_node *node;
    uint64_t *want = xmalloc(sizeof(uint64_t) * 2 * (size_t)c->n_occ);
    int n_node = 0, max_node = 0;

    for (int i = 0; i < c->n_occ; i++)
        max_node += c->occ[i].len == 2 ? 256 : 1;
    node = xmalloc(sizeof(*node) * (size_t)(max_node ? max_node : 1));
    for (int b = 0; b < OCC_BUCKETS; b++)
        head[b] = -1;
    /* Chained in reverse so each bucket lists its phrases in order. */
    for (int i = c->n_occ - 1; i >= 0; i--) {
        const struct occ *o = &c->occ[i];
        const unsigned char *ph = (const unsigned char *)o->phrase;
        /* A longer phrase in one bucket, a two-byte one in 256. */
        int third = o->len > 2 ? ph[2] : 0, last = o->len > 2 ? ph[2] : 255;

        want[2 * i] = occ_head8(o->phrase, o->len);
        want[2 * i + 1] = o->len >= 8 ? ~(uint64_t)0 : occ_head8("\xff\xff\xff\xff\xff\xff\xff", o->len);
        for (; third <= last; third++) {
            unsigned h = occ_hash(ph[0], ph[1], (unsigned char)third);

            node[n_node].phrase = i;
            node[n_node].next = head[h];
            head[h] = n_node++;
        }
    }
    /* low holds len + 1 bytes (its NUL): the third byte at len - 2 is it. */
    for (size_t at = 0; at + 1 < len; at++) {
        int k = head[occ_hash(low[at], low[at + 1], low[at + 2])];
        uint64_t v;

        if (k < 0)
            continue;
        /* Eight bytes can be read up to the NUL. */
        v = at + 8 <= len + 1 ? occ_head8(c->low + at, 8) : occ_head8(c->low + at, len + 1 - at);
        for (; k >= 0; k = node[k].next) {
            int i = node[k].phrase;
            struct occ *o = &c->occ[i];

            if (at + o->len <= len && (v & want[2 * i + 1]) == want[2 * i] &&
                (o->len <= 8 || !memcmp(c->low + at + 8, o->phrase + 8, o->len - 8)))
                *READER_PUSH(o->pos, o->n) = at;
        }
    }
    free(want);
    free(node);
    free(head);
}

static void phrases_release(struct ctx *c)
{
    for (int i = 0; i < c->n_occ; i++)
        free(c->occ[i].pos);
    free(c->occ);
}

void extract_facts(struct record *r)
{
    struct ctx c = { 0 };
    const char *t = r->text;

    c.r = r;
    c.low = xmalloc(r->len + 1);
    reader_lower_ascii(c.low, t, r->len);
    c.low[r->len] = '\0';
    /* The action markers and due marks (extract_actions.c) first. */
    extract_actions_init(&c);
    c.ix_decision = extract_occ_add_list(&c, decision_marks);
    c.ix_next = extract_occ_add_list(&c, next_marks);
    c.ix_if = extract_occ_add(&c, "if");
    c.ix_meeting = extract_occ_add(&c, "meeting");
    c.ix_acceptable = extract_occ_add(&c, "acceptable");
    c.ix_makes_sense = extract_occ_add(&c, "makes sense");
    c.ix_past = extract_occ_add_list(&c, past_meeting_marks);
    c.ix_suggest = extract_occ_add(&c, "suggests");
    c.ix_doodle_poll = extract_occ_add(&c, "doodle poll");
    c.ix_doodle = extract_occ_add(&c, "doodle");
    c.ix_waived = extract_occ_add_list(&c, waived_marks);
    c.ix_waived_need = extract_occ_add_list(&c, waived_need);
    c.ix_waived_not = extract_occ_add_list(&c, waived_not);
    c.ix_meet_verb = extract_occ_add_list(&c, meet_verbs);
    extract_spoken_init(&c);
    c.ix_week = extract_occ_add(&c, "week");
    c.ix_end = extract_occ_add(&c, "end");
    c.ix_before = extract_occ_add(&c, "before");
    c.ix_after = extract_occ_add(&c, "after");
    extract_owners_init(&c);
    phrases_index(&c);
    c.group_acr = reader_group_acronym(r->group);
    c.dc_group = reader_find_word_ci(r->group, strlen(r->group), "dc") >= 0 ||
                 reader_find_ci(r->group, strlen(r->group), "coalition") >= 0;
    for (int i = 0; i < r->n_turns; i++) {
        const struct record_turn *tn = &r->turns[i];

        split_sentences(r, i, &c.sents, &c.n_sents);
        /* Under a "Decisions" heading: the bullet is the decision. */
        if (extract_decisions_turn(tn) && tn->text[0]) {
            struct sent whole = { tn->offset, tn->offset + strlen(tn->text), i };

            add_decision(&c, &whole);
        }
    }
    for (int k = 0; k < c.n_sents; k++) {
        const struct sent *st = &c.sents[k];
        extract_actions_in_sentence(&c, st);
        if (extract_decisions_turn(&r->turns[st->turn]))
            continue;
        if (t[st->e - 1] == '?' && extract_occ_find(&c, c.ix_acceptable, st->s, st->e) < 0)
            continue;
        int m;

        for (m = 0; decision_marks[m]; m++) {
            long at = extract_occ_find(&c, c.ix_decision + m, st->s, st->e);

            if (at >= 0) {
                if (!recalled(&c, st, (size_t)at + strlen(decision_marks[m])))
                    add_decision(&c, st);
                break;
            }
        }
        if (!decision_marks[m] && decided_otherwise(&c, st)) {
            add_decision(&c, st);
            continue;
        }
        /* "Avri suggests parking. This makes sense": a suggestion taken up,
         * quoted with it. */
        if (!decision_marks[m] && k > 0 && c.sents[k - 1].turn == st->turn &&
            extract_occ_find(&c, c.ix_makes_sense, st->s, st->e) >= 0 &&
            extract_occ_find(&c, c.ix_suggest, c.sents[k - 1].s, c.sents[k - 1].e) >= 0) {
            struct sent both = { c.sents[k - 1].s, st->e, st->turn };

            add_decision(&c, &both);
        }
    }
    extract_mark_done(&c);
    extract_reports(&c);
    find_next(&c);
    extract_spoken_agenda(&c);
    extract_spoken_apologies(&c);
    free(c.sents);
    free(c.group_acr);
    phrases_release(&c);
    free(c.low);
}
