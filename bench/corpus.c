/* bench/corpus.c -- the benchmark corpus: seeded word lists (made-up
 * names, topics and terms, so the full-text index sees a realistic spread
 * of vocabulary) and the two record shapes scribe reads, written with the
 * quirks of real ones: U+00A0 indents, several labels for one speaker,
 * unattributed turns, hard wraps, Next steps with owners and dates, TAB
 * participant tables and "Name (Affiliation)" lists. Knows no SQL. */
#include "corpus.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_WORDS    3000
#define N_TOPICS   800
#define N_PEOPLE   600
#define N_AFFIL    90
#define N_GROUPS   8
#define NBSP       "\xc2\xa0"

struct meeting_plan {
    int group, number, roman;
    int year, month, day;
    int topics[4], n_topics;
    int people[12], n_people;
};

struct corpus {
    uint64_t seed;
    int n;
    char *words[N_WORDS];
    char *topics[N_TOPICS];
    char *first[N_PEOPLE], *last[N_PEOPLE], *full[N_PEOPLE];
    int affil_of[N_PEOPLE];
    char *affil[N_AFFIL];
    char *group[N_GROUPS], *group_short[N_GROUPS];
    struct meeting_plan *plan;
};

/* ---- randomness ------------------------------------------------------- */

struct rng {
    uint64_t s;
};

static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    r->s = mix64(seed ^ mix64(stream + 0x5151));
}

static uint64_t rng_next(struct rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return mix64(r->s);
}

static int rng_int(struct rng *r, int n)
{
    return n > 0 ? (int)(rng_next(r) % (uint64_t)n) : 0;
}

static int rng_pct(struct rng *r, int pct)
{
    return rng_int(r, 100) < pct;
}

/* Skewed pick: low indices far more often, as words are in real text. */
static int rng_zipf(struct rng *r, int n)
{
    double u = (double)(rng_next(r) >> 11) / (double)(1ULL << 53);

    return (int)((double)n * u * u * u) % n;
}

/* ---- vocabulary ------------------------------------------------------- */

static const char *const syll[] = {
    "ka", "lo", "mer", "dun", "vi", "tra", "sel", "or", "an", "pel", "quin", "bo",
    "rus", "te", "gal", "fen", "mi", "do", "ster", "nu", "ba", "cor", "ith", "ven",
    "la", "sa", "rin", "tho", "wel", "zu", "ga", "hol", "ne", "pra", "dis", "mo",
    "el", "kon", "ru", "fa", "li", "gre", "tan", "vo", "sim", "ra", "de", "ul",
};
#define N_SYLL (int)(sizeof(syll) / sizeof(syll[0]))

static const char *const nouns[] = {
    "registry", "toolkit", "archive", "policy", "survey", "workshop", "report", "charter",
    "mailing list", "session", "roadmap", "guideline", "framework", "pilot", "budget",
    "review", "repository", "taxonomy", "standard", "certification", "outreach plan",
    "working paper", "newsletter", "dashboard", "fellowship", "training", "consultation",
    "observatory", "portal", "glossary", "handbook", "code of conduct", "travel fund",
    "translation", "evaluation grid", "work plan", "website", "panel", "booth", "webinar",
};
#define N_NOUNS (int)(sizeof(nouns) / sizeof(nouns[0]))

static const char *const months[] = {
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
};

static const char *const kinds[] = {
    "Coordination Group", "Advisory Group", "Steering Committee", "Working Group",
};

static char *make_word(struct rng *r, int min_syl, int max_syl)
{
    char w[64] = "";
    int n = min_syl + rng_int(r, max_syl - min_syl + 1), i;

    for (i = 0; i < n; i++)
        strcat(w, syll[rng_int(r, N_SYLL)]);
    return xstrdup(w);
}

static char *capitalised(const char *s)
{
    char *d = xstrdup(s);

    d[0] = (char)toupper((unsigned char)d[0]);
    return d;
}

static char *upper_dup(const char *s)
{
    char *d = xstrdup(s), *p;

    for (p = d; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return d;
}

static int month_days(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0) ? 29 : d[m - 1];
}

static void add_days(int *y, int *m, int *d, int n)
{
    while (n-- > 0) {
        if (++*d > month_days(*y, *m)) {
            *d = 1;
            if (++*m > 12) {
                *m = 1;
                ++*y;
            }
        }
    }
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

struct corpus *corpus_new(uint64_t seed, int n)
{
    struct corpus *c = xcalloc(1, sizeof(*c));
    struct rng r;
    int i, j, per_group[N_GROUPS] = { 0 };

    c->seed = seed;
    c->n = n;
    rng_seed(&r, seed, 1);
    for (i = 0; i < N_WORDS; i++)
        c->words[i] = make_word(&r, 2, 4);
    for (i = 0; i < N_TOPICS; i++) {
        const char *w = c->words[rng_int(&r, N_WORDS)];
        const char *noun = nouns[rng_int(&r, N_NOUNS)];

        c->topics[i] = rng_pct(&r, 30) ? xasprintf("%s %s %s", w, c->words[rng_int(&r, N_WORDS)], noun)
                                       : xasprintf("%s %s", w, noun);
    }
    for (i = 0; i < N_AFFIL; i++) {
        char *w = capitalised(c->words[rng_int(&r, N_WORDS)]);

        c->affil[i] = rng_pct(&r, 50) ? xasprintf("Coalition on %s %s", w, nouns[rng_int(&r, N_NOUNS)])
                                      : xasprintf("%s Institute", w);
        free(w);
    }
    for (i = 0; i < N_PEOPLE; i++) {
        char *f = make_word(&r, 2, 2), *l = make_word(&r, 2, 3);

        c->first[i] = capitalised(f);
        c->last[i] = capitalised(l);
        c->full[i] = xasprintf("%s %s", c->first[i], c->last[i]);
        c->affil_of[i] = rng_pct(&r, 70) ? rng_int(&r, N_AFFIL) : -1;
        free(f);
        free(l);
    }
    for (i = 0; i < N_GROUPS; i++) {
        char *a = capitalised(c->words[rng_int(&r, N_WORDS)]);
        char *b = capitalised(c->words[rng_int(&r, N_WORDS)]);
        const char *k = kinds[i % 4];

        c->group[i] = xasprintf("%s %s %s", a, b, k);
        c->group_short[i] = xasprintf("%c%c%c%c", a[0], b[0], k[0], strchr(k, ' ')[1]);
        free(a);
        free(b);
    }
    c->plan = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*c->plan));
    for (i = 0; i < n; i++) {
        struct meeting_plan *p = &c->plan[i];
        struct rng mr;
        int g = i % N_GROUPS, base = g * (N_PEOPLE / N_GROUPS), k;

        rng_seed(&mr, seed, 1000 + (uint64_t)i);
        p->group = g;
        p->number = 10 + per_group[g]++;
        p->roman = g == 3 && p->number < 40;
        p->year = 2001;
        p->month = 1;
        p->day = 2;
        add_days(&p->year, &p->month, &p->day, (i / N_GROUPS) * N_GROUPS + g);
        p->n_topics = 3 + rng_int(&mr, 2);
        for (j = 0; j < p->n_topics; j++)
            p->topics[j] = rng_zipf(&mr, N_TOPICS);
        p->n_people = 6 + rng_int(&mr, 7);
        for (j = 0; j < p->n_people; j++) {
            int again;

            do {
                /* Mostly the group's regulars, sometimes a guest. */
                k = rng_pct(&mr, 85) ? base + rng_zipf(&mr, N_PEOPLE / N_GROUPS)
                                     : rng_int(&mr, N_PEOPLE);
                again = 0;
                for (int q = 0; q < j; q++)
                    again |= p->people[q] == k;
            } while (again);
            p->people[j] = k;
        }
    }
    return c;
}

void corpus_free(struct corpus *c)
{
    int i;

    if (!c)
        return;
    for (i = 0; i < N_WORDS; i++)
        free(c->words[i]);
    for (i = 0; i < N_TOPICS; i++)
        free(c->topics[i]);
    for (i = 0; i < N_PEOPLE; i++) {
        free(c->first[i]);
        free(c->last[i]);
        free(c->full[i]);
    }
    for (i = 0; i < N_AFFIL; i++)
        free(c->affil[i]);
    for (i = 0; i < N_GROUPS; i++) {
        free(c->group[i]);
        free(c->group_short[i]);
    }
    free(c->plan);
    free(c);
}

int corpus_count(const struct corpus *c)
{
    return c->n;
}

void corpus_meeting(const struct corpus *c, int i, struct corpus_meeting *m)
{
    const struct meeting_plan *p = &c->plan[i];
    int j;

    memset(m, 0, sizeof(*m));
    m->group = c->group[p->group];
    m->group_short = c->group_short[p->group];
    m->number = p->number;
    m->roman = p->roman;
    m->year = p->year;
    m->month = p->month;
    m->day = p->day;
    for (j = 0; j < p->n_topics; j++)
        m->topics[j] = c->topics[p->topics[j]];
    m->n_topics = p->n_topics;
    for (j = 0; j < p->n_people; j++)
        m->people[j] = c->full[p->people[j]];
    m->n_people = p->n_people;
}

const char *corpus_topic(const struct corpus *c, uint64_t k)
{
    return c->topics[k % N_TOPICS];
}

const char *corpus_person(const struct corpus *c, uint64_t k)
{
    return c->full[k % N_PEOPLE];
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

    add_days(&y, &m, &d, offset_days);
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
    if (rng_pct(&g->r, 20))
        return g->c->topics[rng_zipf(&g->r, N_TOPICS)];
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
            buf_puts(out, g->c->words[rng_zipf(&g->r, N_WORDS)]);
            break;
        case 'P':
            buf_puts(out, g->c->first[g->p->people[rng_int(&g->r, g->p->n_people)]]);
            break;
        case 'N':
            buf_printf(out, "%d", 2 + rng_int(&g->r, 40));
            break;
        case 'D':
            put_date(g, out, 3, 5 + rng_int(&g->r, 30));
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
    switch (rng_int(&g->r, 5)) {
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
    int v = rng_int(&g->r, 100);

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
    int i, colon = rng_int(&g->r, 100);

    indent(g, out);
    buf_puts(out, rng_pct(&g->r, 10) ? ">>>" : ">>");
    if (!rng_pct(&g->r, 4))
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
        if (i && rng_pct(&g->r, 6)) {
            /* A hard wrap: the sentence goes on in a new paragraph. */
            buf_puts(out, "and on the question that was raised\n\n");
            indent(g, out);
            buf_puts(out, "before, ");
        }
        if (rng_pct(&g->r, 4))
            buf_puts(out, rng_pct(&g->r, 50) ? "(inaudible)  " : "(Chuckling)  ");
        fill(g, out, rng_pct(&g->r, 5) ? promises[rng_int(&g->r, N_PROMISES)]
                                       : said[rng_int(&g->r, N_SAID)], NULL, NULL);
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
    } else if (rng_pct(&g->r, 50)) {
        buf_printf(out, "%s Meeting #%d\n\n", c->group[p->group], p->number);
    } else {
        buf_printf(out, "%s\nVirtual meeting #%d\n\n", c->group[p->group], p->number);
    }
    if (rng_pct(&g->r, 70))
        vendor_block(out);
    buf_puts(out, NBSP "\n\n");
    put_date(g, out, rng_int(&g->r, 3), 0);
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
        int who = p->people[rng_zipf(&g->r, p->n_people)];

        if (rng_pct(&g->r, 4)) {
            indent(g, out);
            buf_puts(out, rng_pct(&g->r, 50) ? ">> Bye-bye.\n\n" : ">> That is indeed the answer.\n\n");
            continue;
        }
        if (rng_pct(&g->r, 3) && g->topic + 1 < p->n_topics) {
            g->topic++;
            buf_reset(&lead);
            buf_printf(&lead, "Thank you.  So the next item, the %s.", g->c->topics[p->topics[g->topic]]);
            turn(g, out, chair, lead.data, 1 + rng_int(&g->r, 2));
            continue;
        }
        turn(g, out, who, NULL, 1 + rng_int(&g->r, 6));
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
    rng_seed(&g->r, c->seed, stream * 1000003ULL + (uint64_t)i);
}

void corpus_transcript_sized(const struct corpus *c, int i, size_t bytes, struct buf *out)
{
    struct gen g;

    gen_init(&g, c, i, 2);
    transcript_head(&g, out);
    transcript_body(&g, out, out->len + bytes);
    if (rng_pct(&g.r, 30))
        vendor_block(out);
}

void corpus_transcript(const struct corpus *c, int i, struct buf *out)
{
    struct rng r;

    rng_seed(&r, c->seed, 3000000 + (uint64_t)i);
    corpus_transcript_sized(c, i, 30000 + (size_t)rng_int(&r, 19000), out);
}

/* ---- summary reports -------------------------------------------------- */

void corpus_summary(const struct corpus *c, int i, struct buf *out)
{
    struct gen g;
    const struct meeting_plan *p;
    int t, j, layout;

    gen_init(&g, c, i, 4);
    p = g.p;
    layout = rng_int(&g.r, 3);
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
        char *title = capitalised(c->topics[p->topics[t]]);

        g.topic = t;
        buf_printf(out, layout == 1 ? "- %d. %s\n\n" : "%d. %s\n\n", t + 1, title);
        free(title);
        for (j = 0; j < 2 + rng_int(&g.r, 3); j++) {
            fill(&g, out, said[rng_int(&g.r, N_SAID)], NULL, NULL);
            buf_putc(out, ' ');
        }
        buf_puts(out, "\n\nKey points raised\n\n");
        for (j = 0; j < 2 + rng_int(&g.r, 3); j++) {
            buf_puts(out, "- ");
            fill(&g, out, points[rng_int(&g.r, N_POINTS)], NULL, NULL);
            buf_putc(out, '\n');
        }
        if (rng_pct(&g.r, 60)) {
            buf_puts(out, "- ");
            fill(&g, out, decisions[rng_int(&g.r, N_DECISIONS)], NULL, NULL);
            buf_putc(out, '\n');
        }
        buf_puts(out, "\nNext steps\n\n");
        for (j = 0; j < 1 + rng_int(&g.r, 3); j++) {
            const char *o = c->full[p->people[rng_int(&g.r, p->n_people)]];
            const char *q = c->full[p->people[rng_int(&g.r, p->n_people)]];

            buf_puts(out, "- ");
            fill(&g, out, next_steps[rng_int(&g.r, N_STEPS)], o, q);
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
    if (rng_pct(&g.r, 60)) {
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
