/* storage/extract_reports.c -- work a speaker reports done, in the first
 * person ("Yes, I sent the survey on the 20th of March", "I've circulated
 * the draft description"), read into r->reports: the verb's plain form
 * and what was done. The store closes with them the speaker's matching
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

/* Words between "I" and the verb: "I have", "I've already", "I also". */
static const char *const between[] = { "have ", "'ve ", "\xE2\x80\x99ve ", "already ", "also ",
                                       "just ", "now ", "finally ", NULL };
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
            size_t n = strlen(list[k]);

            if (i + n <= e && !memcmp(low + i, list[k], n)) {
                i += n;
                again = 1;
            }
        }
    }
    return i;
}

/* The sentence st as a report, when it is one: "I [have] <past> <object>". */
static void report_in(struct ctx *c, const struct sent *st)
{
    struct record *r = c->r;
    const struct record_turn *tn = &r->turns[st->turn];
    const char *low = c->low;
    size_t i = skip_list(low, st->s, st->e, openers), o, end;
    struct record_report *rp;
    int v = -1;

    if (i + 2 >= st->e || low[i] != 'i' || (low[i + 1] != ' ' && low[i + 1] != '\'' &&
                                            (unsigned char)low[i + 1] != 0xE2))
        return;
    i++;
    if (low[i] == ' ')
        i++;
    i = skip_list(low, i, st->e, between);
    i = reader_skip_space(low, i, st->e);
    for (size_t k = 0; k < sizeof(done_verbs) / sizeof(done_verbs[0]) && v < 0; k++) {
        size_t n = strlen(done_verbs[k].past);

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
    rp->speaker = xstrdup(r->speakers[tn->speaker].name);
    rp->verb = xstrdup(done_verbs[v].plain);
    rp->object = reader_clean_dup(r->text + o, end - o);
    rp->quote = extract_quote_dup(r, st->s, st->e);
    rp->offset = st->s;
}

void extract_reports(struct ctx *c)
{
    for (int k = 0; k < c->n_sents; k++) {
        const struct record_turn *tn = &c->r->turns[c->sents[k].turn];

        /* Spoken, by a named speaker, and said as a fact, not asked. */
        if (tn->speaker < 0 || c->r->text[c->sents[k].e - 1] == '?')
            continue;
        report_in(c, &c->sents[k]);
    }
}
