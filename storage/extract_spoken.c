/* storage/extract_spoken.c -- what a transcript says of its own meeting
 * besides decisions and actions: the agenda a chair reads out ("We have 4
 * items today: ...") when there is no written one, and who sent
 * apologies ("Adam cannot make it"). Called by extract_facts(). Pure: no
 * SQLite. */
#include "extract_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- the agenda, as a chair reads it out ----------------------------- */

/* "We have 4 items today: the survey, the workshop and the booth." and
 * "There are three items on the agenda: ...": a transcript's topics when
 * it has no written agenda. The items are the list after the colon. */
static int agenda_count(const char *w, size_t n)
{
    static const char *const words[] = { "two", "three", "four", "five", "six", "seven",
                                         "eight", "nine", "ten" };

    if (n >= 1 && n <= 2 && isdigit((unsigned char)w[0]) && (n == 1 || isdigit((unsigned char)w[1])))
        return atoi(w);
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (n == strlen(words[i]) && !reader_strncasecmp_ascii(w, words[i], n))
            return (int)i + 2;
    return 0;
}

static void agenda_item(struct record *r, const struct record_turn *tn, size_t s, size_t e)
{
    const char *t = r->text;
    struct record_item *it;
    char *text;

    while (s < e && (t[s] == ' ' || t[s] == ','))
        s++;
    while (e > s && (t[e - 1] == ' ' || t[e - 1] == '.' || t[e - 1] == ','))
        e--;
    if (e - s > 3 && !reader_strncasecmp_ascii(t + s, "the ", 4))
        s += 4;
    if (e <= s || e - s > 120)
        return;
    it = READER_PUSH(r->agenda, r->n_agenda);
    it->quote = xstrndup(t + s, e - s);
    text = reader_clean_dup(it->quote, strlen(it->quote));
    if (text[0] >= 'a' && text[0] <= 'z')
        text[0] = (char)(text[0] - 32);
    it->text = text;
    it->speaker = tn->speaker >= 0 ? xstrdup(r->speakers[tn->speaker].name) : NULL;
    it->offset = s;
}

void extract_spoken_agenda(struct ctx *c)
{
    struct record *r = c->r;
    const char *t = r->text;

    if (r->kind != RECORD_TRANSCRIPT || r->n_agenda)
        return;
    for (int k = 0; k < c->n_sents; k++) {
        const struct sent *st = &c->sents[k];
        long rel = extract_occ_find_word(c, c->ix_items, st->s, st->e);
        size_t at, w, colon, from, i;
        int want, got = 0;

        if (rel < 0)
            continue;
        at = st->s + (size_t)rel;
        /* the count just before "items" */
        for (w = at; w > st->s && t[w - 1] == ' '; w--)
            ;
        from = w;
        while (from > st->s && isalnum((unsigned char)t[from - 1]))
            from--;
        if (!(want = agenda_count(t + from, w - from)))
            continue;
        colon = at;
        while (colon < st->e && t[colon] != ':' && colon - at < 40)
            colon++;
        if (colon >= st->e || t[colon] != ':')
            continue;
        /* the list: "a, b, c and d" up to the end of the sentence */
        from = colon + 1;
        for (i = from; i <= st->e; i++) {
            int last_and = i + 5 <= st->e && !reader_strncasecmp_ascii(t + i, " and ", 5) &&
                           got == want - 2;

            if (i == st->e || t[i] == ',' || t[i] == ';' || last_and) {
                agenda_item(r, &r->turns[st->turn], from, i);
                got++;
                from = i + (last_and ? 5 : 1);
                i = from - 1;
            }
        }
        if (r->n_agenda >= 2)
            return;
        /* not a list after all */
        for (i = 0; i < (size_t)r->n_agenda; i++) {
            free(r->agenda[i].text);
            free(r->agenda[i].quote);
            free(r->agenda[i].speaker);
        }
        r->n_agenda = 0;
    }
}

static const char *absent_marks[] = {
    "apolog", "cannot make it", "can't make it", "not be able to make it", "won't make it",
    "not be able to join", "unable to join", "unable to attend", "are busy", "is busy",
    "wrote to me that", "sends regrets", "sent regrets", NULL
};

static const char *absent_questions[] = {
    "who cannot make it", "who can't make it", "who is not able", "any apologies",
    "who sent apologies", "who has sent apologies", NULL
};

static int is_speaker_first_name(const struct record *r, const char *name)
{
    for (int i = 0; i < r->n_speakers; i++) {
        const char *n = r->speakers[i].name;
        size_t fl = strcspn(n, " ");
        if (!strncmp(n, name, fl) && (name[fl] == '\0' || name[fl] == ' '))
            return 1;
        if (!strcmp(n, name))
            return 1;
    }
    return 0;
}

static void names_in(struct record *r, size_t s, size_t e)
{
    const char *t = r->text;
    char name[96];

    for (size_t i = s; i < e; i++) {
        size_t l;
        if (i > s && (isalnum((unsigned char)t[i - 1]) || t[i - 1] == '\''))
            continue;
        if (!isupper((unsigned char)t[i]) || !(l = extract_unknown_name_at(t, i, e, name, sizeof(name))))
            continue;
        i += l;
        if (is_speaker_first_name(r, name))
            continue;
        int dup = 0;
        for (int k = 0; k < r->n_apologies; k++)
            dup |= !strcmp(r->apologies[k], name);
        if (!dup)
            *READER_PUSH(r->apologies, r->n_apologies) = xstrdup(name);
    }
}

/* Transcripts: "Kwame and Odile sent apologies", "Adam will not be able to
 * make it", or an answer to "who cannot make it?" early in the meeting. */
void extract_spoken_apologies(struct ctx *c)
{
    struct record *r = c->r;
    const char *t = r->text;

    if (r->kind != RECORD_TRANSCRIPT || r->n_apologies > 0)
        return;
    for (int k = 0; k < c->n_sents && c->sents[k].turn < 12; k++) {
        const struct sent *st = &c->sents[k];
        int hit = 0;
        for (int m = 0; absent_questions[m] && !hit; m++)
            hit = extract_occ_find(c, c->ix_absent_q + m, st->s, st->e) >= 0;
        if (hit) {
            if (k + 1 < c->n_sents && c->sents[k + 1].turn != st->turn)
                names_in(r, c->sents[k + 1].s, c->sents[k + 1].e);
            continue;
        }
        for (int m = 0; absent_marks[m] && !hit; m++)
            hit = extract_occ_find(c, c->ix_absent + m, st->s, st->e) >= 0;
        if (hit) {
            /* Only the clause around the marker: "Ingrid sent her apologies,
             * and Rufus may join late" names Ingrid alone. A list after
             * "apologies from" runs to the next clause that is not a name. */
            long mk = -1;
            for (int m = 0; absent_marks[m] && mk < 0; m++)
                mk = extract_occ_find(c, c->ix_absent + m, st->s, st->e);
            size_t at = st->s + (size_t)mk, cs = at, ce = at;
            while (cs > st->s && !strchr(",;:.", t[cs - 1]))
                cs--;
            while (ce < st->e && !strchr(",;.", t[ce]))
                ce++;
            if (reader_find_ci(t + at, st->e - at, "from ") >= 0 && reader_find_ci(t + at, st->e - at, "from ") < 16) {
                /* "from Marguerite, Samir and Ana, who are ...": the list
                 * runs on while the next clause starts with a name. */
                while (ce < st->e && t[ce] == ',' && ce + 2 < st->e && isupper((unsigned char)t[ce + 2]) &&
                       reader_strncasecmp_ascii(t + ce + 2, "who", 3)) {
                    ce += 2;
                    while (ce < st->e && !strchr(",;.", t[ce]))
                        ce++;
                }
            }
            names_in(r, cs, ce);
            continue;
        }
    }
}

void extract_spoken_init(struct ctx *c)
{
    c->ix_items = extract_occ_add(c, "items");
    c->ix_absent_q = extract_occ_add_list(c, absent_questions);
    c->ix_absent = extract_occ_add_list(c, absent_marks);
}
