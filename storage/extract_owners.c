/* storage/extract_owners.c -- who owns an action: the bodies ("the
 * Secretariat", "DCs"), speakers and participants named in a sentence,
 * an unknown person's name, the person addressed or answering. Used by
 * extract_actions.c; pure: no SQLite, no I/O. */
#include "extract_int.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Owners                                                              */

struct body {
    const char *phrase;
    const char *owner;      /* NULL: the group's own acronym */
};

static const struct body bodies[] = {
    { "the igf secretariat", "Secretariat" }, { "igf secretariat", "Secretariat" },
    { "the secretariat", "Secretariat" }, { "secretariat", "Secretariat" },
    { "dynamic coalitions", "DCs" }, { "the dcs", "DCs" }, { "dcs", "DCs" },
    { "all dcs", "DCs" }, { "coalitions", "Coalitions" },
    { "dccg", NULL }, { "the group", NULL }, { "the coordination group", NULL },
    { "the mag", "MAG" }, { "mag", "MAG" },
    { "members", "Members" }, { "all members", "Members" },
    { "the chair", "Chair" }, { "the chairs", "Chair" }, { "facilitators", "Facilitators" },
    { "co-facilitators", "Facilitators" },
    { NULL, NULL }
};
/* Room in struct ctx body_by_first for every body and the -1 after. */
_Static_assert(sizeof(bodies) / sizeof(bodies[0]) <= 24, "struct ctx body_by_first too small");

/* Match a known speaker or participant name (full or first name) at
 * t[at..]; returns its length and sets *name, else 0. */
size_t extract_name_at(const struct ctx *c, const char *t, size_t at, size_t end, const char **name)
{
    const struct record *r = c->r;
    size_t best = 0;

    for (int pass = 0; pass < 2; pass++) {
        int count = pass == 0 ? r->n_speakers : r->n_participants;
        for (int i = 0; i < count; i++) {
            const char *full = pass == 0 ? r->speakers[i].name : r->participants[i].name;
            if (full[0] != t[at])       /* most words start with another letter */
                continue;
            size_t fl = strlen(full), first = strcspn(full, " ");
            size_t cand[2] = { fl, first };
            for (int k = 0; k < 2; k++) {
                size_t l = cand[k];
                if (l < 2 || at + l > end || best >= l)
                    continue;
                if (!strncmp(t + at, full, l) && (at + l >= end || !isalnum((unsigned char)t[at + l]))) {
                    best = l;
                    *name = full;
                }
            }
        }
    }
    return best;
}

/* `t` is the record's text (c->low is it in lower case): the phrases
 * are compared, case-folded, on c->low. */
const char *extract_body_at(const struct ctx *c, const char *t, size_t at, size_t end, size_t *len)
{
    int c0 = (unsigned char)c->low[at];

    for (const signed char *bi = c->body_by_first[c0]; *bi >= 0; bi++) {
        int i = *bi;

        /* c->low has a NUL after the text: [at + 1] is always there. */
        if (c->low[at + 1] != bodies[i].phrase[1])
            continue;
        size_t l = c->body_len[i];
        if (at + l <= end && (l < 4 || !memcmp(c->low + at, bodies[i].phrase, 4)) &&
            !memcmp(c->low + at, bodies[i].phrase, l) &&
            (at + l >= end || !isalnum((unsigned char)t[at + l])) &&
            (at == 0 || !isalnum((unsigned char)t[at - 1]))) {
            /* "MAG" must be in capitals to count as the body. */
            if (!strcmp(bodies[i].phrase, "mag") && strncmp(t + at, "MAG", 3))
                continue;
            *len = l;
            return bodies[i].owner ? bodies[i].owner : c->group_acr;
        }
    }
    for (int i = 0; c->gloss_first[(unsigned char)t[at]] && i < c->r->n_glossary; i++) {
        const char *a = c->r->glossary[i].acronym;
        if (a[0] != t[at])
            continue;
        size_t l = strlen(a);
        if (at + l <= end && !strncmp(t + at, a, l) &&
            (at + l >= end || !isalnum((unsigned char)t[at + l])) &&
            (at == 0 || !isalnum((unsigned char)t[at - 1]))) {
            *len = l;
            return a;
        }
    }
    return NULL;
}

void extract_add_owner(struct record_action *a, const char *o)
{
    for (int i = 0; i < a->n_owners; i++)
        if (!strcmp(a->owners[i], o))
            return;
    a->owners = xrealloc(a->owners, sizeof(char *) * (size_t)(a->n_owners + 1));
    a->owners[a->n_owners++] = xstrdup(o);
}

/* The person addressed in a turn: a name before a comma at the start of
 * the sentence ("Sorina, can you ..."), else the previous speaker. */
const char *extract_addressee(const struct ctx *c, const struct sent *st)
{
    const struct record *r = c->r;
    const char *t = r->text, *name = NULL;
    int me = r->turns[st->turn].speaker;

    for (size_t i = st->s; i < st->e; i++) {
        if (isupper((unsigned char)t[i]) && (i == st->s || t[i - 1] == ' ')) {
            size_t l = extract_name_at(c, t, i, st->e, &name);
            if (l && i + l < st->e && (t[i + l] == ',' || t[i + l] == '?')) {
                if (me < 0 || strcmp(name, r->speakers[me].name))
                    return name;
            }
        }
    }
    /* A person named in the sentences just before, in the same turn. */
    for (int k = 0; k < c->n_sents; k++) {
        const struct sent *prev = &c->sents[k];
        if (prev->turn != st->turn || prev->e > st->s || prev->s + 600 < st->s)
            continue;
        for (size_t i = prev->s; i < prev->e; i++) {
            const char *n2 = NULL;
            size_t l;
            if (!isupper((unsigned char)t[i]) || (i > prev->s && isalnum((unsigned char)t[i - 1])))
                continue;
            l = extract_name_at(c, t, i, prev->e, &n2);
            if (l && (me < 0 || strcmp(n2, r->speakers[me].name)))
                name = n2;
            if (l)
                i += l;
        }
    }
    if (name)
        return name;
    for (int k = st->turn - 1; k >= 0 && k >= st->turn - 3; k--) {
        int sp = r->turns[k].speaker;
        if (sp >= 0 && sp != me)
            return r->speakers[sp].name;
    }
    return NULL;
}

/* Whoever answers a question with "Sure", "Yes", "Happy to" in the next turn. */
const char *extract_affirmer(const struct ctx *c, const struct sent *st)
{
    static const char *yes[] = { "sure", "yes", "of course", "will do", "okay", "ok",
                                 "absolutely", "happy to", "i can", "i will", "certainly", NULL };
    const struct record *r = c->r;
    int next = st->turn + 1;

    if (next >= r->n_turns || r->turns[next].speaker < 0 ||
        r->turns[next].speaker == r->turns[st->turn].speaker)
        return NULL;
    for (int i = 0; yes[i]; i++)
        if (!reader_strncasecmp_ascii(r->turns[next].text, yes[i], strlen(yes[i])))
            return r->speakers[r->turns[next].speaker].name;
    return NULL;
}

/* "Mark and I ... we will" and "we ... with Polly": the others in "we". */
void extract_add_we_partners(struct ctx *c, struct record_action *a, const struct sent *st)
{
    const char *t = c->r->text, *name;

    for (size_t i = st->s; i < st->e; i++) {
        if (!isupper((unsigned char)t[i]) || (i > st->s && isalnum((unsigned char)t[i - 1])))
            continue;
        size_t l = extract_name_at(c, t, i, st->e, &name);
        if (!l)
            continue;
        if ((i + l + 6 <= st->e && !strncmp(t + i + l, " and I", 6)) ||
            (i >= st->s + 5 && !strncmp(t + i - 5, "with ", 5)))
            extract_add_owner(a, name);
        i += l;
    }
}

/* Words in capitals that open sentences but name nobody. */
static const char *not_person[] = {
    "The", "This", "That", "It", "There", "They", "He", "She", "We", "I", "You", "And",
    "But", "So", "Also", "Some", "Many", "Most", "All", "One", "Each", "Every", "Other",
    "Others", "Participants", "Members", "Everyone", "Nobody", "Someone", "In", "On",
    "At", "For", "If", "When", "While", "After", "Before", "As", "A", "An", "Next",
    "Finally", "Overall", "Several", "These", "Those", "Our", "Their", "His", "Her",
    "Only", "Hello", "Hi", "Yes", "No", "Well", "Okay", "Thanks", "Thank", "Sorry",
    "Just", "Unfortunately", "Apologies", "Today", "Sure", "Good", "Maybe", NULL
};

/* An unknown person's name: one to three capitalised words ("Ana",
 * "Tomasz Wielgosz") followed by a space. Copies it into out. */
size_t extract_unknown_name_at(const char *t, size_t at, size_t end, char *out, size_t outlen)
{
    size_t i = at, last = at;
    int words = 0;

    while (i < end && words < 3 && isupper((unsigned char)t[i])) {
        size_t j = i + 1;
        while (j < end && (islower((unsigned char)t[j]) || t[j] == '-' || t[j] == '\'' ||
                           (unsigned char)t[j] >= 0x80))
            j++;
        int stop = 0;
        if (j - i < 2 || (t[i] == 'I' && t[i + 1] == '\''))
            break;
        if (j < end && !reader_space_len(t + j, end - j)) {
            /* Punctuation ends the name: "Only Adam, that's all". */
            if (!strchr(",.;:?!)", t[j]))
                break;
            stop = 1;
        }
        for (int k = 0; not_person[k]; k++)
            if (not_person[k][0] == t[i] && strlen(not_person[k]) == j - i &&
                !strncmp(t + i, not_person[k], j - i))
                return 0;
        words++;
        last = j;
        if (stop)
            break;
        i = reader_skip_space(t, j, end);
    }
    if (!words || last - at >= outlen)
        return 0;
    memcpy(out, t + at, last - at);
    out[last - at] = '\0';
    return last - at;
}

void extract_owners_init(struct ctx *c)
{
    const struct record *r = c->r;

    for (int i = 0; i < r->n_glossary; i++)
        c->gloss_first[(unsigned char)r->glossary[i].acronym[0]] = 1;
    memset(c->body_by_first, -1, sizeof(c->body_by_first));
    for (int i = 0; bodies[i].phrase; i++) {
        signed char *bi = c->body_by_first[(unsigned char)bodies[i].phrase[0]];

        c->body_len[i] = (unsigned char)strlen(bodies[i].phrase);
        while (*bi >= 0)
            bi++;
        *bi = (signed char)i;
    }
}
