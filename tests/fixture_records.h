/* tests/fixture_records.h -- meeting records built by hand for the store
 * and command tests, so they do not depend on the readers. Everything is
 * heap-allocated the way record_parse() does it: free with record_free().
 * The meetings are invented: a neighbourhood association's committee. */
#ifndef SCRIBE_FIXTURE_RECORDS_H
#define SCRIBE_FIXTURE_RECORDS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../storage/record.h"
#include "../storage/util.h"

static inline struct record *fx_new(enum record_kind kind, const char *sha_seed, const char *group,
                                    const char *number, long nv, const char *date, const char *title)
{
    struct record *r = xcalloc(1, sizeof(*r));
    size_t i, n = strlen(sha_seed);

    r->kind = kind;
    /* A fake but well-formed hash: the seed's bytes spread over 64 hex digits. */
    for (i = 0; i < 64; i++)
        r->sha256[i] = "0123456789abcdef"[((unsigned char)sha_seed[i % n] + i * 7) % 16];
    r->sha256[64] = '\0';
    r->group = xstrdup(group);
    r->number = xstrdup(number);
    r->number_value = nv;
    r->date = xstrdup(date);
    r->title = xstrdup(title);
    r->text = xstrdup("");
    return r;
}

static inline int fx_speaker(struct record *r, const char *name, const char *label)
{
    struct record_speaker *s;

    r->speakers = xrealloc(r->speakers, sizeof(*s) * (size_t)(r->n_speakers + 1));
    s = &r->speakers[r->n_speakers];
    memset(s, 0, sizeof(*s));
    s->name = xstrdup(name);
    s->labels = xcalloc(1, sizeof(char *));
    s->labels[0] = xstrdup(label);
    s->n_labels = 1;
    return r->n_speakers++;
}

static inline size_t fx_words(const char *s)
{
    size_t n = 0;
    int in = 0;

    for (; *s; s++) {
        if (*s == ' ' || *s == '\n')
            in = 0;
        else if (!in) {
            in = 1;
            n++;
        }
    }
    return n;
}

/* Append a turn (speaker -1: unattributed or a summary paragraph). */
static inline void fx_turn(struct record *r, int speaker, const char *section, const char *text)
{
    struct record_turn *t;
    size_t off = r->len;
    char *all = xasprintf("%s%s\n", r->text, text);

    free(r->text);
    r->text = all;
    r->len = strlen(all);
    r->turns = xrealloc(r->turns, sizeof(*t) * (size_t)(r->n_turns + 1));
    t = &r->turns[r->n_turns++];
    memset(t, 0, sizeof(*t));
    t->speaker = speaker;
    t->label = speaker >= 0 ? xstrdup(r->speakers[speaker].labels[0]) : NULL;
    t->section = xstrdup(section);
    t->text = xstrdup(text);
    t->offset = off;
    t->words = (int)fx_words(text);
    if (speaker >= 0) {
        r->speakers[speaker].turns++;
        r->speakers[speaker].words += t->words;
    } else {
        r->unattributed++;
    }
}

static inline void fx_action(struct record *r, const char *owner, const char *owner2,
                             const char *text, const char *speaker, int done, int dcs)
{
    struct record_action *a;

    r->actions = xrealloc(r->actions, sizeof(*a) * (size_t)(r->n_actions + 1));
    a = &r->actions[r->n_actions++];
    memset(a, 0, sizeof(*a));
    a->owners = xcalloc(2, sizeof(char *));
    a->owners[a->n_owners++] = xstrdup(owner);
    if (owner2)
        a->owners[a->n_owners++] = xstrdup(owner2);
    a->text = xstrdup(text);
    a->quote = xstrdup(text);
    a->speaker = xstrdup(speaker);
    a->is_explicit = 1;
    a->done = done;
    a->concerns_dcs = dcs;
    a->confidence = 0.9;
}

static inline void fx_item(struct record_item **v, int *n, const char *text, const char *speaker)
{
    struct record_item *it;

    *v = xrealloc(*v, sizeof(**v) * (size_t)(*n + 1));
    it = &(*v)[(*n)++];
    memset(it, 0, sizeof(*it));
    it->text = xstrdup(text);
    it->quote = xstrdup(text);
    it->speaker = xstrdup(speaker);
}

static inline void fx_participant(struct record *r, const char *name, const char *aff, const char *role)
{
    struct record_person *p;

    r->participants = xrealloc(r->participants, sizeof(*p) * (size_t)(r->n_participants + 1));
    p = &r->participants[r->n_participants++];
    p->name = xstrdup(name);
    p->affiliation = xstrdup(aff);
    p->role = xstrdup(role);
}

static inline void fx_apology(struct record *r, const char *name)
{
    r->apologies = xrealloc(r->apologies, sizeof(char *) * (size_t)(r->n_apologies + 1));
    r->apologies[r->n_apologies++] = xstrdup(name);
}

static inline void fx_gloss(struct record *r, const char *acr, const char *exp)
{
    r->glossary = xrealloc(r->glossary, sizeof(*r->glossary) * (size_t)(r->n_glossary + 1));
    r->glossary[r->n_glossary].acronym = xstrdup(acr);
    r->glossary[r->n_glossary].expansion = xstrdup(exp);
    r->n_glossary++;
}

static inline void fx_next(struct record *r, const char *when, const char *date, const char *quote)
{
    r->next = xcalloc(1, sizeof(*r->next));
    r->next->when = xstrdup(when);
    r->next->date = xstrdup(date);
    r->next->quote = xstrdup(quote);
}

/* Meeting #5 of the Riverside Committee, transcript. "Tom" is a one-word
 * label the summary's participant list resolves to "Tom Quist". */
static inline struct record *fx_transcript5(void)
{
    struct record *r = fx_new(RECORD_TRANSCRIPT, "transcript-5", "Riverside Committee", "5", 5,
                              "2023-01-10", "Riverside Committee Meeting #5");
    int anna = fx_speaker(r, "Anna Berg", "ANNA BERG");
    int tom = fx_speaker(r, "Tom", "Tom");
    int lee = fx_speaker(r, "Lee Park", "LEE PARK");

    r->time_utc = xstrdup("18:00");
    fx_turn(r, anna, NULL, "Hello everyone. Let us look at the agenda and the garden first.");
    fx_turn(r, tom, NULL, "I want to raise the community garden: the council offers a plot by the river "
                          "for a community garden if we apply before March.");
    fx_turn(r, lee, NULL, "The garden needs water. Also the long\xe2\x80\x91term plan\xc2\xa0" "for the "
                          "footbridge repair is still missing.");
    fx_turn(r, anna, NULL, "Good point about the community garden. Tom, can you write the application?");
    fx_turn(r, tom, NULL, "Yes, I will write the application for the community garden by Friday.");
    fx_turn(r, lee, NULL, "The Expert Group Meeting (EGM) report covers the footbridge as well.");
    fx_turn(r, -1, NULL, "Bye-bye.");
    fx_action(r, "Tom", NULL, "Write the application for the community garden", "Tom", 0, 0);
    fx_action(r, "Lee Park", NULL, "Ask the council about the footbridge repair", "Lee Park", 0, 0);
    fx_action(r, "Anna Berg", NULL, "Book the hall", "Anna Berg", 1, 0);
    fx_item(&r->decisions, &r->n_decisions, "Apply for the community garden plot", "Anna Berg");
    fx_item(&r->agenda, &r->n_agenda, "Community garden", NULL);
    fx_item(&r->agenda, &r->n_agenda, "Footbridge repair", NULL);
    fx_gloss(r, "EGM", "Expert Group Meeting");
    fx_apology(r, "Kim");
    fx_next(r, "in two weeks", "2023-01-24", "Let us meet again in two weeks.");
    return r;
}

/* The summary report of the same meeting: same group and number. */
static inline struct record *fx_summary5(void)
{
    struct record *r = fx_new(RECORD_SUMMARY, "summary-5", "Riverside Committee", "5", 5,
                              "2023-01-10", "Meeting #5 | 10 January 2023");

    fx_turn(r, -1, "Key points raised", "The committee discussed a community garden by the river.");
    fx_turn(r, -1, "Next steps", "The Secretariat will share a poll for the next meeting.");
    fx_participant(r, "Anna Berg", "Riverside North", "chair");
    fx_participant(r, "Tom Quist", "Garden Club", NULL);
    fx_participant(r, "Lee Park", NULL, NULL);
    fx_apology(r, "Kim Olsen");
    fx_action(r, "Secretariat", NULL, "Share a poll for the next meeting", NULL, 0, 0);
    return r;
}

/* An undated transcript of meeting #6 whose quote carries markup. */
static inline struct record *fx_transcript6(void)
{
    struct record *r = fx_new(RECORD_TRANSCRIPT, "transcript-6", "Riverside Committee", "6", 6,
                              NULL, "Riverside Committee Meeting #6");
    int eve = fx_speaker(r, "Eve <script>alert(1)</script>", "EVE");
    int anna = fx_speaker(r, "Anna Berg", "ANNA BERG");

    fx_turn(r, anna, NULL, "Welcome back. The footbridge repair is on the agenda again.");
    fx_turn(r, eve, NULL, "About the footbridge: <script>alert('x')</script> & the budget \"quote\".");
    fx_action(r, "DCs", NULL, "Report on the footbridge to the coalitions", "Anna Berg", 0, 1);
    return r;
}

#endif
