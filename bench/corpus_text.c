/* bench/corpus_text.c -- the two record shapes scribe reads, written
 * for each meeting of the corpus (corpus.c) with the quirks of real ones:
 * U+00A0 indents, several labels for one speaker, unattributed turns,
 * hard wraps, Next steps with owners and dates, TAB participant tables
 * and "Name (Affiliation)" lists. Knows no SQL. */
#include "corpus_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBSP       "\xc2\xa0"

static const char *const months[] = {
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
};

static char *upper_dup(const char *s)
{
    char *d = xstrdup(s), *p;

    for (p = d; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return d;
}

static void roman(int v, char *out)
{
    static const struct { int v; const char *s; } t[] = {
        { 1000, "M" }, { 900, "CM" }, { 500, "D" }, { 400, "CD" }, { 100, "C" }, { 90, "XC" },
        { 50, "L" }, { 40, "XL" }, { 10, "X" }, { 9, "IX" }, { 5, "V" }, { 4, "IV" }, { 1, "I" },
    };
    size_t i;

    *out = '\0';
    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        while (v >= t[i].v) {
            strcat(out, t[i].s);
            v -= t[i].v;
        }
}

/* ---- sentences -------------------------------------------------------- */

/* Templates: %T a topic, %W a term, %P a first name, %D a date, %N a
 * number. Written for this generator. */
static const char *const said[] = {
    "I think we should look again at the %T before we decide anything.",
    "On the %T, the %W group has sent a first draft, which is on the list.",
    "We discussed the %T last time and there was no objection to the approach.",
    "My concern with the %T is the timeline, because the %W deadline is very close.",
    "Thank you, %P, that is a helpful point.",
    "Can I come back to what %P said about the %W question?",
    "There are %N coalitions that have answered so far, which is more than last year.",
    "I agree with the previous speaker.",
    "So the proposal is to keep the %T as it is and revisit it after the forum.",
    "We have had some feedback from members on the %W issue, mostly positive.",
    "The Secretariat can help with the %T if the group wants that.",
    "Is there anybody online who wants to comment on this?",
    "I see a hand from %P.",
    "Yes, I can hear you now.",
    "Just a quick question on the %T: who is holding the pen?",
    "Perhaps we can ask the %W people to join the next call and present their work.",
    "We should be careful not to duplicate what other groups are doing on %W.",
    "It would be good to have something in writing before the next meeting.",
    "I was not able to join last time, so apologies if this was already discussed.",
    "The numbers from the %W survey show about %N responses, which is encouraging.",
    "Okay.  I see no objection.",
    "Let me share my screen so that everybody can see the document.",
    "The %T came up in several of the comments we received on the draft.",
    "That is a fair point, and I think the %W colleagues would agree with it.",
    "Maybe we can combine the %T with the %W work, since the audience is the same.",
    "Sorry, I was on mute.",
    "We agreed to keep the %T on the agenda until the forum.",
    "There is also the question of translation, which we have not solved yet.",
};
#define N_SAID (int)(sizeof(said) / sizeof(said[0]))

static const char *const promises[] = {
    "I will send the %T draft to the list by %D.",
    "I can prepare a short note on the %T before the next meeting.",
    "We will share the %W summary with everybody by %D.",
    "I will circulate the %T questions on the mailing list.",
    "I'll ask the %W coalition to update their page by %D.",
};
#define N_PROMISES (int)(sizeof(promises) / sizeof(promises[0]))

static const char *const points[] = {
    "Members stressed that the %T should stay open to every coalition.",
    "Several participants asked for the %W material to be translated.",
    "The %T was considered a good basis, provided it shows concrete outputs.",
    "Some members noted a concern about the workload that the %T brings.",
    "A shorter format for the %W exchange could leave more time for discussion.",
    "The %T should be aligned with the %W timeline.",
};
#define N_POINTS (int)(sizeof(points) / sizeof(points[0]))

static const char *const decisions[] = {
    "It was agreed that the %T remains unchanged.",
    "It was agreed to hold the %T session at the annual meeting.",
    "The group decided to publish the %T on the website.",
    "Members agreed to merge the %T with the %W work.",
};
#define N_DECISIONS (int)(sizeof(decisions) / sizeof(decisions[0]))

static const char *const next_steps[] = {
    "%O to circulate the %T draft to the mailing list by %D.",
    "%O will prepare a short note on the %T for the next meeting.",
    "The Secretariat will share a poll on the %T by %D.",
    "%O to coordinate the %T and report back before %D.",
    "Coalitions to send their %W contributions to the Secretariat by %D.",
    "%O and %Q to review the %T checklist.",
};
#define N_STEPS (int)(sizeof(next_steps) / sizeof(next_steps[0]))

struct gen {
    const struct corpus *c;
    const struct meeting_plan *p;
    struct rng r;
    int topic;                  /* index into p->topics of the current item */
};

static void put_date(struct gen *g, struct buf *out, int style, int offset_days)
{
    int y = g->p->year, m = g->p->month, d = g->p->day;

    corpus_add_days(&y, &m, &d, offset_days);
    switch (style) {
    case 1: {
        char up[16], *p;

        snprintf(up, sizeof(up), "%s", months[m - 1]);
        for (p = up; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        buf_printf(out, "%s %d, %d", up, d, y);
        break;
    }
    case 2:
        buf_printf(out, "%s %d, %d", months[m - 1], d, y);
        break;
    case 3:
        buf_printf(out, "%d %s", d, months[m - 1]);
        break;
    default:
        buf_printf(out, "%d %s %d", d, months[m - 1], y);
        break;
    }
}

static const char *cur_topic(struct gen *g)
{
    if (corpus_rng_pct(&g->r, 20))
        return g->c->topics[corpus_rng_zipf(&g->r, N_TOPICS)];
    return g->c->topics[g->p->topics[g->topic]];
}

static void fill(struct gen *g, struct buf *out, const char *tpl, const char *owner,
                 const char *other)
{
    const char *s;

    for (s = tpl; *s; s++) {
        if (*s != '%' || !s[1]) {
            buf_putc(out, *s);
            continue;
        }
        switch (*++s) {
        case 'T':
            buf_puts(out, cur_topic(g));
            break;
        case 'W':
            buf_puts(out, g->c->words[corpus_rng_zipf(&g->r, N_WORDS)]);
            break;
        case 'P':
            buf_puts(out, g->c->first[g->p->people[corpus_rng_int(&g->r, g->p->n_people)]]);
            break;
        case 'N':
            buf_printf(out, "%d", 2 + corpus_rng_int(&g->r, 40));
            break;
        case 'D':
            put_date(g, out, 3, 5 + corpus_rng_int(&g->r, 30));
            break;
        case 'O':
            buf_puts(out, owner);
            break;
        case 'Q':
            buf_puts(out, other);
            break;
        default:
            buf_putc(out, *s);
        }
    }
}

/* ---- transcripts ------------------------------------------------------ */

static void indent(struct gen *g, struct buf *out)
{
    switch (corpus_rng_int(&g->r, 5)) {
    case 0:
        break;
    case 1:
        buf_puts(out, "   ");
        break;
    case 2:
        buf_puts(out, NBSP NBSP NBSP " ");
        break;
    case 3:
        buf_puts(out, " " NBSP "  ");
        break;
    default:
        buf_puts(out, "    ");
    }
}

/* The label a captioner typed for person k this time. */
static void label(struct gen *g, struct buf *out, int k)
{
    const struct corpus *c = g->c;
    char *u;
    int v = corpus_rng_int(&g->r, 100);

    if (v < 72)
        u = upper_dup(c->full[k]);
    else if (v < 84)
        u = upper_dup(c->first[k]);
    else if (v < 92)
        u = upper_dup(c->last[k]);
    else
        u = xstrdup(c->first[k]);
    buf_puts(out, u);
    free(u);
}

static void turn(struct gen *g, struct buf *out, int speaker, const char *lead, int sentences)
{
    int i, colon = corpus_rng_int(&g->r, 100);

    indent(g, out);
    buf_puts(out, corpus_rng_pct(&g->r, 10) ? ">>>" : ">>");
    if (!corpus_rng_pct(&g->r, 4))
        buf_putc(out, ' ');
    label(g, out, speaker);
    if (colon < 93)
        buf_puts(out, ":  ");
    else if (colon < 96)
        buf_puts(out, " :  ");
    else
        buf_puts(out, NBSP "  ");
    if (lead) {
        buf_puts(out, lead);
        buf_puts(out, "  ");
    }
    for (i = 0; i < sentences; i++) {
        if (i && corpus_rng_pct(&g->r, 6)) {
            /* A hard wrap: the sentence goes on in a new paragraph. */
            buf_puts(out, "and on the question that was raised\n\n");
            indent(g, out);
            buf_puts(out, "before, ");
        }
        if (corpus_rng_pct(&g->r, 4))
            buf_puts(out, corpus_rng_pct(&g->r, 50) ? "(inaudible)  " : "(Chuckling)  ");
        fill(g, out, corpus_rng_pct(&g->r, 5) ? promises[corpus_rng_int(&g->r, N_PROMISES)]
                                       : said[corpus_rng_int(&g->r, N_SAID)], NULL, NULL);
        buf_puts(out, "  ");
    }
    buf_puts(out, "\n\n");
}

static void vendor_block(struct buf *out)
{
    buf_puts(out, "Realtext Captioning Services\n"
                  "40 Meadow Lane, Unit 3\n"
                  "Fairhaven, ON 00000\n"
                  "www.realtext-captions.example\n\n"
                  "This text is the output of realtime captioning and is provided to aid "
                  "communication. It may contain errors and is not a verbatim record of the "
                  "proceedings.\n\n***\n\n");
}

static void transcript_head(struct gen *g, struct buf *out)
{
    const struct meeting_plan *p = g->p;
    const struct corpus *c = g->c;

    if (p->roman) {
        char r[32];

        roman(p->number, r);
        buf_printf(out, "%s Meeting %s\n\n", c->group_short[p->group], r);
    } else if (corpus_rng_pct(&g->r, 50)) {
        buf_printf(out, "%s Meeting #%d\n\n", c->group[p->group], p->number);
    } else {
        buf_printf(out, "%s\nVirtual meeting #%d\n\n", c->group[p->group], p->number);
    }
    if (corpus_rng_pct(&g->r, 70))
        vendor_block(out);
    buf_puts(out, NBSP "\n\n");
    put_date(g, out, corpus_rng_int(&g->r, 3), 0);
    buf_printf(out, "\n\n%d00 UTC\n\n" NBSP "\n\n", 9 + p->group);
}

static void transcript_body(struct gen *g, struct buf *out, size_t target)
{
    const struct meeting_plan *p = g->p;
    struct buf lead;
    int chair = p->people[0], i;

    buf_init(&lead);
    buf_printf(&lead, "Good afternoon, everyone.  We have %d items today:", p->n_topics);
    for (i = 0; i < p->n_topics; i++)
        buf_printf(&lead, "%s the %s", i ? (i + 1 == p->n_topics ? " and" : ",") : "",
                   g->c->topics[p->topics[i]]);
    buf_puts(&lead, ".  Is the agenda acceptable?");
    g->topic = 0;
    turn(g, out, chair, lead.data, 1);
    while (out->len < target) {
        int who = p->people[corpus_rng_zipf(&g->r, p->n_people)];

        if (corpus_rng_pct(&g->r, 4)) {
            indent(g, out);
            buf_puts(out, corpus_rng_pct(&g->r, 50) ? ">> Bye-bye.\n\n" : ">> That is indeed the answer.\n\n");
            continue;
        }
        if (corpus_rng_pct(&g->r, 3) && g->topic + 1 < p->n_topics) {
            g->topic++;
            buf_reset(&lead);
            buf_printf(&lead, "Thank you.  So the next item, the %s.", g->c->topics[p->topics[g->topic]]);
            turn(g, out, chair, lead.data, 1 + corpus_rng_int(&g->r, 2));
            continue;
        }
        turn(g, out, who, NULL, 1 + corpus_rng_int(&g->r, 6));
    }
    buf_reset(&lead);
    buf_puts(&lead, "Thank you all.  We meet again on");
    buf_putc(&lead, ' ');
    put_date(g, &lead, 3, 14);
    buf_puts(&lead, ".");
    turn(g, out, chair, lead.data, 0);
    buf_release(&lead);
    buf_printf(out, "(Session concluded at %d05 UTC)\n", 10 + p->group);
}

static void gen_init(struct gen *g, const struct corpus *c, int i, uint64_t stream)
{
    memset(g, 0, sizeof(*g));
    g->c = c;
    g->p = &c->plan[i];
    corpus_rng_seed(&g->r, c->seed, stream * 1000003ULL + (uint64_t)i);
}

void corpus_transcript_sized(const struct corpus *c, int i, size_t bytes, struct buf *out)
{
    struct gen g;

    gen_init(&g, c, i, 2);
    transcript_head(&g, out);
    transcript_body(&g, out, out->len + bytes);
    if (corpus_rng_pct(&g.r, 30))
        vendor_block(out);
}

void corpus_transcript(const struct corpus *c, int i, struct buf *out)
{
    struct rng r;

    corpus_rng_seed(&r, c->seed, 3000000 + (uint64_t)i);
    corpus_transcript_sized(c, i, 30000 + (size_t)corpus_rng_int(&r, 19000), out);
}

/* ---- summary reports -------------------------------------------------- */

void corpus_summary(const struct corpus *c, int i, struct buf *out)
{
    struct gen g;
    const struct meeting_plan *p;
    int t, j, layout;

    gen_init(&g, c, i, 4);
    p = g.p;
    layout = corpus_rng_int(&g.r, 3);
    buf_printf(out, "%s\n", c->group[p->group]);
    if (p->roman) {
        char r[32];

        roman(p->number, r);
        buf_printf(out, "Meeting %s | ", r);
    } else {
        buf_printf(out, "Virtual meeting #%d | ", p->number);
    }
    put_date(&g, out, 0, 0);
    buf_puts(out, layout == 1 ? "\nSummary\n\n" : "\n\nSummary report\n\n");
    for (t = 0; t < p->n_topics; t++) {
        char *title = corpus_capitalised(c->topics[p->topics[t]]);

        g.topic = t;
        buf_printf(out, layout == 1 ? "- %d. %s\n\n" : "%d. %s\n\n", t + 1, title);
        free(title);
        for (j = 0; j < 2 + corpus_rng_int(&g.r, 3); j++) {
            fill(&g, out, said[corpus_rng_int(&g.r, N_SAID)], NULL, NULL);
            buf_putc(out, ' ');
        }
        buf_puts(out, "\n\nKey points raised\n\n");
        for (j = 0; j < 2 + corpus_rng_int(&g.r, 3); j++) {
            buf_puts(out, "- ");
            fill(&g, out, points[corpus_rng_int(&g.r, N_POINTS)], NULL, NULL);
            buf_putc(out, '\n');
        }
        if (corpus_rng_pct(&g.r, 60)) {
            buf_puts(out, "- ");
            fill(&g, out, decisions[corpus_rng_int(&g.r, N_DECISIONS)], NULL, NULL);
            buf_putc(out, '\n');
        }
        buf_puts(out, "\nNext steps\n\n");
        for (j = 0; j < 1 + corpus_rng_int(&g.r, 3); j++) {
            const char *o = c->full[p->people[corpus_rng_int(&g.r, p->n_people)]];
            const char *q = c->full[p->people[corpus_rng_int(&g.r, p->n_people)]];

            buf_puts(out, "- ");
            fill(&g, out, next_steps[corpus_rng_int(&g.r, N_STEPS)], o, q);
            buf_putc(out, '\n');
        }
        buf_putc(out, '\n');
    }
    buf_puts(out, "Annex\n\nList of participants\n\n");
    if (p->n_people > 7) {
        int k = p->people[p->n_people - 1];

        buf_printf(out, "Apologies: %s", c->full[k]);
        if (c->affil_of[k] >= 0)
            buf_printf(out, " (%s)", c->affil[c->affil_of[k]]);
        buf_printf(out, ", %s.\n\n", c->full[p->people[p->n_people - 2]]);
    }
    if (corpus_rng_pct(&g.r, 60)) {
        buf_puts(out, "Coordination facilitators\n\n");
        for (j = 0; j < p->n_people - (p->n_people > 7 ? 2 : 0); j++) {
            int k = p->people[j];

            if (j == 2)
                buf_puts(out, "\nParticipants\n\n");
            buf_printf(out, "%s\t%s\t%s\n", c->first[k], c->last[k],
                       c->affil_of[k] >= 0 ? c->affil[c->affil_of[k]] : "");
        }
        buf_puts(out, "--------\t---------\n");
    } else {
        buf_puts(out, "Participants\n\n");
        for (j = 0; j < p->n_people - (p->n_people > 7 ? 2 : 0); j++) {
            int k = p->people[j];

            if (c->affil_of[k] >= 0)
                buf_printf(out, "%s (%s)\n", c->full[k], c->affil[c->affil_of[k]]);
            else
                buf_printf(out, "%s\n", c->full[k]);
        }
    }
}
