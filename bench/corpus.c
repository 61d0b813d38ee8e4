/* bench/corpus.c -- the benchmark corpus: seeded word lists (made-up
 * names, topics and terms, so the full-text index sees a realistic spread
 * of vocabulary) and the plan of each meeting (group, number, date,
 * topics, people); corpus_text.c writes its records. Knows no SQL. */
#include "corpus_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char *const kinds[] = {
    "Coordination Group", "Advisory Group", "Steering Committee", "Working Group",
};

static char *make_word(struct rng *r, int min_syl, int max_syl)
{
    char w[64] = "";
    int n = min_syl + corpus_rng_int(r, max_syl - min_syl + 1), i;

    for (i = 0; i < n; i++)
        strcat(w, syll[corpus_rng_int(r, N_SYLL)]);
    return xstrdup(w);
}

char *corpus_capitalised(const char *s)
{
    char *d = xstrdup(s);

    d[0] = (char)toupper((unsigned char)d[0]);
    return d;
}

static int month_days(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0) ? 29 : d[m - 1];
}

void corpus_add_days(int *y, int *m, int *d, int n)
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

struct corpus *corpus_new(uint64_t seed, int n)
{
    struct corpus *c = xcalloc(1, sizeof(*c));
    struct rng r;
    int i, j, per_group[N_GROUPS] = { 0 };

    c->seed = seed;
    c->n = n;
    corpus_rng_seed(&r, seed, 1);
    for (i = 0; i < N_WORDS; i++)
        c->words[i] = make_word(&r, 2, 4);
    for (i = 0; i < N_TOPICS; i++) {
        const char *w = c->words[corpus_rng_int(&r, N_WORDS)];
        const char *noun = nouns[corpus_rng_int(&r, N_NOUNS)];

        c->topics[i] = corpus_rng_pct(&r, 30) ? xasprintf("%s %s %s", w, c->words[corpus_rng_int(&r, N_WORDS)], noun)
                                       : xasprintf("%s %s", w, noun);
    }
    for (i = 0; i < N_AFFIL; i++) {
        char *w = corpus_capitalised(c->words[corpus_rng_int(&r, N_WORDS)]);

        c->affil[i] = corpus_rng_pct(&r, 50) ? xasprintf("Coalition on %s %s", w, nouns[corpus_rng_int(&r, N_NOUNS)])
                                      : xasprintf("%s Institute", w);
        free(w);
    }
    for (i = 0; i < N_PEOPLE; i++) {
        char *f = make_word(&r, 2, 2), *l = make_word(&r, 2, 3);

        c->first[i] = corpus_capitalised(f);
        c->last[i] = corpus_capitalised(l);
        c->full[i] = xasprintf("%s %s", c->first[i], c->last[i]);
        c->affil_of[i] = corpus_rng_pct(&r, 70) ? corpus_rng_int(&r, N_AFFIL) : -1;
        free(f);
        free(l);
    }
    for (i = 0; i < N_GROUPS; i++) {
        char *a = corpus_capitalised(c->words[corpus_rng_int(&r, N_WORDS)]);
        char *b = corpus_capitalised(c->words[corpus_rng_int(&r, N_WORDS)]);
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

        corpus_rng_seed(&mr, seed, 1000 + (uint64_t)i);
        p->group = g;
        p->number = 10 + per_group[g]++;
        p->roman = g == 3 && p->number < 40;
        p->year = 2001;
        p->month = 1;
        p->day = 2;
        corpus_add_days(&p->year, &p->month, &p->day, (i / N_GROUPS) * N_GROUPS + g);
        p->n_topics = 3 + corpus_rng_int(&mr, 2);
        for (j = 0; j < p->n_topics; j++)
            p->topics[j] = corpus_rng_zipf(&mr, N_TOPICS);
        p->n_people = 6 + corpus_rng_int(&mr, 7);
        for (j = 0; j < p->n_people; j++) {
            int again;

            do {
                /* Mostly the group's regulars, sometimes a guest. */
                k = corpus_rng_pct(&mr, 85) ? base + corpus_rng_zipf(&mr, N_PEOPLE / N_GROUPS)
                                     : corpus_rng_int(&mr, N_PEOPLE);
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
