/* storage/extract_reports.c -- work reported done, by a speaker in the
 * first person ("Yes, I sent the survey on the 20th of March", "I've
 * circulated the draft description") or of a person or body the record
 * names ("Priya sent the survey", "The Secretariat has shared the poll"),
 * read into r->reports: who, the verb's plain form and what was done. The store closes with them the speaker's matching
 * actions from earlier meetings (ingest_reports.c). Pure: no SQLite. */
#include "extract_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Past forms and the plain form they report. */
static const struct {
    const char *past, *plain;
} done_verbs[] = {
    { "sent out", "send" }, { "sent", "send" }, { "circulated", "circulate" },
    { "shared", "share" }, { "distributed", "distribute" }, { "forwarded", "forward" },
    { "posted", "post" }, { "uploaded", "upload" }, { "emailed", "email" },
    { "e-mailed", "email" }, { "drafted", "draft" }, { "prepared", "prepare" },
    { "wrote", "write" }, { "written", "write" }, { "finished", "finish" },
    { "completed", "complete" }, { "finalised", "finalise" }, { "finalized", "finalise" },
    { "revised", "revise" }, { "updated", "update" }, { "contacted", "contact" },
    { "invited", "invite" }, { "translated", "translate" }, { "published", "publish" },
    { "booked", "book" }, { "scheduled", "schedule" }, { "set up", "set up" },
};

/* Words between who did it and the verb: "I have", "I've already",
 * "Priya has also". */
static const char *const between[] = { "have ", "has ", "'ve ", "\xE2\x80\x99ve ", "already ",
                                       "also ", "just ", "now ", "finally ", NULL };
/* Words a sentence may open with before "I": "Yes, I sent ...". */
static const char *const openers[] = { "yes, ", "yes ", "so, ", "so ", "and ", "well, ",
                                       "okay, ", "ok, ", "also, ", "good news: ", NULL };
/* What ends the thing done: "the draft | last week", "the survey | on the 20th". */
static const char *const object_ends[] = { ",", ".", ";", ":", "?", "!", " on ", " to ", " last ",
                                           " this ", " yesterday", " today", " with ", " by ",
                                           " in ", " at ", " for ", " and ", " two ", " a few ",
                                           " ago", NULL };

static size_t skip_list(const char *low, size_t i, size_t e, const char *const *list)
{
    for (int again = 1; again;) {
        again = 0;
        for (int k = 0; list[k]; k++) {
            size_t n;

            if (i >= e || low[i] != list[k][0])     /* most words end here */
                continue;
            n = strlen(list[k]);
            if (i + n <= e && !memcmp(low + i, list[k], n)) {
                i += n;
                again = 1;
            }
        }
    }
    return i;
}

/* Who the sentence st says did something, and where its verb may start:
 * "I" (the speaker of a spoken turn), or a person or body of the record
 * named first ("Priya sent ...", "The Secretariat has shared ..."). NULL
 * when neither. */
static const char *reporter(const struct ctx *c, const struct sent *st, size_t *verb)
{
    const struct record *r = c->r;
    const struct record_turn *tn = &r->turns[st->turn];
    const char *low = c->low, *who = NULL;
    size_t i = skip_list(low, st->s, st->e, openers), l = 0;

    if (!strncmp(low + i, "the ", 4) && extract_body_at(c, r->text, i + 4, st->e, &l))
        i += 4;
    if (tn->speaker >= 0 && i + 2 < st->e && low[i] == 'i' &&
        (low[i + 1] == ' ' || low[i + 1] == '\'' || (unsigned char)low[i + 1] == 0xE2)) {
        who = r->speakers[tn->speaker].name;
        l = low[i + 1] == ' ' ? 2 : 1;
    } else if (isupper((unsigned char)r->text[i]) && (l = extract_name_at(c, r->text, i, st->e, &who))) {
        l++;
    } else if ((who = extract_body_at(c, r->text, i, st->e, &l)) != NULL) {
        l++;
    }
    if (!who || i + l >= st->e)
        return NULL;
    *verb = skip_list(low, i + l, st->e, between);
    return who;
}

/* The sentence st as a report, when it is one: "I [have] <past> <object>",
 * "Priya [has] <past> <object>". */
static void report_in(struct ctx *c, const struct sent *st)
{
    struct record *r = c->r;
    const char *low = c->low, *who;
    size_t i, o, end;
    struct record_report *rp;
    int v = -1;

    if (!(who = reporter(c, st, &i)))
        return;
    i = reader_skip_space(low, i, st->e);
    for (size_t k = 0; k < sizeof(done_verbs) / sizeof(done_verbs[0]) && v < 0; k++) {
        size_t n;

        if (i >= st->e || low[i] != done_verbs[k].past[0])
            continue;
        n = strlen(done_verbs[k].past);
        if (i + n < st->e && !memcmp(low + i, done_verbs[k].past, n) && low[i + n] == ' ')
            v = (int)k;
    }
    if (v < 0)
        return;
    o = reader_skip_space(low, i + strlen(done_verbs[v].past), st->e);
    if (o + 3 <= st->e && !memcmp(low + o, "out ", 4))
        o += 4;
    end = st->e;
    for (int k = 0; object_ends[k]; k++) {
        long at = reader_find_ci(low + o, end - o, object_ends[k]);

        if (at >= 0)
            end = o + (size_t)at;
    }
    end = reader_trim_end(r->text, o, end);
    if (end <= o + 2 || end - o > 120)
        return;
    rp = READER_PUSH(r->reports, r->n_reports);
    memset(rp, 0, sizeof(*rp));
    rp->speaker = xstrdup(who);
    rp->verb = xstrdup(done_verbs[v].plain);
    rp->object = reader_clean_dup(r->text + o, end - o);
    rp->quote = extract_quote_dup(r, st->s, st->e);
    rp->offset = st->s;
}

void extract_reports(struct ctx *c)
{
    for (int k = 0; k < c->n_sents; k++)
        /* Said as a fact, not asked. */
        if (c->r->text[c->sents[k].e - 1] != '?')
            report_in(c, &c->sents[k]);
}
