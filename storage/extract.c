/* storage/extract.c -- facts from the words of a record: actions with
 * owners and due dates, decisions, and the next meeting. Works sentence by
 * sentence on the turns read by transcript.c or summary.c; every fact
 * keeps its exact quote and offset. Pure: no SQLite, no I/O. */
#include "reader_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_QUOTE 400

/* ------------------------------------------------------------------ */
/* Sentences                                                           */

struct sent {
    size_t s, e;            /* [s, e) in record text */
    int turn;
};

static int is_abbrev(const char *t, size_t start, size_t dot)
{
    static const char *ab[] = { "e.g", "i.e", "mr", "mrs", "ms", "dr", "st", "vs", "etc",
                                "no", "u.n", "u.s", "p.o", "inc", "prof", NULL };
    size_t w = dot;
    while (w > start && (isalpha((unsigned char)t[w - 1]) || t[w - 1] == '.'))
        w--;
    if (dot - w == 1 && isupper((unsigned char)t[w]))
        return 1;                       /* an initial: "J. Smith" */
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
    int ix_doodle_poll, ix_doodle;
    unsigned char head_len[16];  /* strlen(marker_heads[k]) */
    unsigned short heads_of_len[8]; /* bit k: marker_heads[k] has that length */
    unsigned char gloss_first[256]; /* 1: some learnt acronym starts with this byte */
    unsigned char third_strong[32]; /* strong_marker(third_markers[m]) */
    unsigned char third_agreed[32]; /* third_markers[m] says "agreed" */
    int ix_absent_q, ix_absent;
    int ix_week, ix_end, ix_before, ix_after, ix_due;
    /* The bodies[] whose phrase starts with a byte, in list order,
     * ending with -1; a byte no phrase starts with has none. */
    signed char body_by_first[256][24];
    unsigned char body_len[24];     /* strlen(bodies[i].phrase) */
};

/* The first words of the action markers below: a sentence that has none
 * of them as a word cannot hold any marker, which spares most sentences
 * the search for each of the forty-odd phrases. */
static const char *const marker_heads[] = {
    "i", "let", "we", "they", "suggest", "propose", "you", "could", "can", "would", "will", NULL
};
_Static_assert(sizeof(marker_heads) / sizeof(marker_heads[0]) <= 16, "struct ctx head_len too small");

/* Index of the first occurrence of `o` at or after s. */
static int occ_first(const struct occ *o, size_t s)
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
static long occ_find(const struct ctx *c, int ix, size_t s, size_t e)
{
    const struct occ *o = &c->occ[ix];
    int i = occ_first(o, s);

    if (i < o->n && o->pos[i] + o->len <= e)
        return (long)(o->pos[i] - s);
    return -1;
}

/* Like occ_find, the phrase standing as words of t[s..e) (the ends of
 * the range count as word boundaries). */
static long occ_find_word(const struct ctx *c, int ix, size_t s, size_t e)
{
    const struct occ *o = &c->occ[ix];
    int i;

    for (i = occ_first(o, s); i < o->n && o->pos[i] + o->len <= e; i++) {
        size_t at = o->pos[i], end = at + o->len;

        if ((at == s || !isalnum((unsigned char)c->low[at - 1])) &&
            (end >= e || !isalnum((unsigned char)c->low[end])))
            return (long)(at - s);
    }
    return -1;
}

/* Bit k set when marker_heads[k] is a word of t[s..e). */
static unsigned heads_in(const struct ctx *c, size_t s, size_t e)
{
    unsigned mask = 0;
    size_t i = s;

    while (i < e) {
        size_t j;

        while (i < e && !isalnum((unsigned char)c->low[i]))
            i++;
        for (j = i; j < e && isalnum((unsigned char)c->low[j]); j++)
            ;
        if (j - i < 8) {
            for (unsigned b = c->heads_of_len[j - i]; b; b &= b - 1) {
                int k = __builtin_ctz(b);

                if (c->low[i] == marker_heads[k][0] && !memcmp(c->low + i, marker_heads[k], j - i))
                    mask |= 1u << k;
            }
        }
        i = j;
    }
    return mask;
}

/* Match a known speaker or participant name (full or first name) at
 * t[at..]; returns its length and sets *name, else 0. */
static size_t name_at(const struct ctx *c, const char *t, size_t at, size_t end, const char **name)
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
static const char *body_at(const struct ctx *c, const char *t, size_t at, size_t end, size_t *len)
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

/* ------------------------------------------------------------------ */
/* Verbs that make a commitment                                        */

static const char *verbs[] = {
    "send", "share", "circulate", "draft", "prepare", "write", "report", "let",
    "get back", "follow up", "follow", "check", "look", "take", "review", "organise",
    "organize", "set up", "invite", "contact", "reach out", "ask", "update", "put",
    "add", "coordinate", "work", "think", "volunteer", "post", "upload",
    "distribute", "compile", "summarise", "summarize", "forward", "email",
    "e-mail", "schedule", "book", "arrange", "make", "revise", "finalise",
    "finalize", "chair", "present", "hold", "continue", "engage", "collect",
    "gather", "inform", "provide", "submit", "produce", "develop", "remind",
    "flag", "bring", "discuss", "explore", "consult", "find", "identify",
    "confirm", "clarify", "liaise", "publish", "translate", "convene", "lead",
    "facilitate", "moderate", "host", "start", "launch", "create", "map",
    "respond", "reply", "answer", "react", "sign", "approve", "reach", "do",
    "try to find", "come back", "talk", "speak", "call", "set", "run", "plan",
    "build", "design", "pass", "raise", "table", "propose", "suggest", "note",
    "record", "keep", NULL
};

/* What a group commits to when a speaker says "we will/should ...". */
static const char *we_verbs[] = {
    "put", "invite", "send", "circulate", "share", "schedule", "hold", "organise",
    "organize", "contact", "write", "draft", "set up", "ask", "reach out", "inform",
    "submit", "publish", "add", "plan", "prepare", "take heed", "revise", "look with",
    "work out", "convene", NULL
};

static size_t word_list_at(const char **list, const char *t, size_t at, size_t end)
{
    for (int i = 0; list[i]; i++) {
        size_t l = strlen(list[i]);
        if (at + l <= end && !reader_strncasecmp_ascii(t + at, list[i], l) &&
            (at + l >= end || !isalpha((unsigned char)t[at + l])))
            return l;
    }
    return 0;
}

/* The verb must have an object: a word of three letters or more that is
 * not a preposition ("report on." is not an action). */
static int has_object(const char *t, size_t v, size_t vl, size_t end)
{
    static const char *preps[] = { "on", "to", "with", "for", "about", "out", "up",
                                   "then", "there", "now", "too", "so", NULL };
    size_t i = v + vl;

    while (i < end) {
        size_t j;
        while (i < end && !isalpha((unsigned char)t[i]))
            i++;
        j = i;
        while (j < end && isalpha((unsigned char)t[j]))
            j++;
        if (j - i >= 2) {
            int prep = 0;
            for (int k = 0; preps[k]; k++)
                if (strlen(preps[k]) == j - i && !reader_strncasecmp_ascii(t + i, preps[k], j - i))
                    prep = 1;
            if (!prep)
                return 1;
        }
        i = j;
    }
    return 0;
}

static size_t verb_at(const char *t, size_t at, size_t end)
{
    for (int i = 0; verbs[i]; i++) {
        size_t l = strlen(verbs[i]);
        if (at + l <= end && !reader_strncasecmp_ascii(t + at, verbs[i], l) &&
            (at + l >= end || !isalpha((unsigned char)t[at + l])))
            return l;
    }
    return 0;
}

/* After "I will", any verb is a commitment but these. */
static const char *not_commit[] = {
    "be", "say", "try", "see", "stop", "hand", "leave", "read", "repeat", "mention",
    "go", "come", "start", "pass", "give", "turn", "wait", "get", "have", "need",
    "want", "think", "tell", "hear", "show", "explain", "answer", "respond",
    "add", "keep", "let", "admit", "confess", "end", "close", "finish", "jump",
    "listen", "defer", "echo", "support", "agree", "second", "reiterate", "put",
    "skip", "move", "invite", "ask", "remind", "quote", "save", "park", "hold", NULL
};

static size_t open_verb_at(const char *t, size_t at, size_t end)
{
    size_t j = at;

    while (j < end && islower((unsigned char)t[j]))
        j++;
    if (j - at < 3 || (j < end && isalpha((unsigned char)t[j])))
        return 0;
    if (j - at > 2 && t[j - 2] == 'l' && t[j - 1] == 'y')
        return 0;
    for (int i = 0; not_commit[i]; i++)
        if (strlen(not_commit[i]) == j - at && !strncmp(t + at, not_commit[i], j - at))
            return 0;
    return j - at;
}

/* Phrases after which a commitment verb may follow; `who` tells whose. */
enum who { WHO_SPEAKER, WHO_WE, WHO_YOU, WHO_THEY };

struct marker {
    const char *phrase;
    enum who who;
    int is_explicit;
};

static const struct marker markers[] = {
    { "i will", WHO_SPEAKER, 1 }, { "i'll", WHO_SPEAKER, 1 }, { "i\xe2\x80\x99ll", WHO_SPEAKER, 1 },
    { "i shall", WHO_SPEAKER, 1 }, { "i am going to", WHO_SPEAKER, 1 },
    { "i'm going to", WHO_SPEAKER, 1 }, { "i can volunteer to", WHO_SPEAKER, 1 },
    { "i volunteer to", WHO_SPEAKER, 1 }, { "i'm happy to", WHO_SPEAKER, 1 },
    { "i am happy to", WHO_SPEAKER, 1 }, { "i'm also happy to", WHO_SPEAKER, 1 },
    { "i am also happy to", WHO_SPEAKER, 1 }, { "i would be happy to", WHO_SPEAKER, 1 },
    { "i'd be happy to", WHO_SPEAKER, 1 }, { "i'm willing to", WHO_SPEAKER, 1 },
    { "i can take", WHO_SPEAKER, 1 }, { "i will also", WHO_SPEAKER, 1 },
    { "i'll also", WHO_SPEAKER, 1 }, { "i can send", WHO_SPEAKER, 1 },
    { "i can circulate", WHO_SPEAKER, 1 }, { "i can share", WHO_SPEAKER, 1 },
    { "i can prepare", WHO_SPEAKER, 1 }, { "i can draft", WHO_SPEAKER, 1 },
    { "i offer to", WHO_SPEAKER, 1 }, { "let me", WHO_SPEAKER, 0 },
    { "we will", WHO_WE, 1 }, { "we'll", WHO_WE, 1 }, { "we have to", WHO_WE, 1 },
    { "we should", WHO_WE, 1 },
    { "we're going to", WHO_WE, 1 }, { "we are going to", WHO_WE, 1 },
    { "they have to", WHO_THEY, 1 }, { "they will have to", WHO_THEY, 1 },
    { "they need to", WHO_THEY, 1 }, { "they should", WHO_THEY, 1 },
    { "suggest that we", WHO_WE, 1 }, { "suggest then that we", WHO_WE, 1 },
    { "propose that we", WHO_WE, 1 },
    { "you will", WHO_YOU, 1 }, { "you'll", WHO_YOU, 1 }, { "could you", WHO_YOU, 0 },
    { "can you", WHO_YOU, 0 }, { "would you", WHO_YOU, 0 }, { "will you", WHO_YOU, 0 },
    { NULL, WHO_SPEAKER, 0 }
};
_Static_assert(sizeof(markers) / sizeof(markers[0]) <= 64, "struct ctx markers_of_head too small");

/* Third person: "<Name> will", "<Name> kindly volunteered to". */
static const char *third_markers[] = {
    " kindly volunteered to ", " volunteered to ", " has volunteered to ",
    " agreed to ", " has agreed to ", " offered to ", " will ", " is going to ",
    " would ", " to ", " said he would ", " said she would ", " said they would ",
    " said that he would ", " said that she would ", " will also ", " are to ",
    " is to ", " should ", " would need to ", NULL
};
_Static_assert(sizeof(third_markers) / sizeof(third_markers[0]) <= 32, "struct ctx third_* too small");

/* ------------------------------------------------------------------ */
/* Building facts                                                      */

static char *quote_dup(const struct record *r, size_t s, size_t e)
{
    size_t n = e - s;
    if (n > MAX_QUOTE)
        n = utf8_trim_len(r->text + s, n, MAX_QUOTE);
    return xstrndup(r->text + s, n);
}

static void add_owner(struct record_action *a, const char *o)
{
    for (int i = 0; i < a->n_owners; i++)
        if (!strcmp(a->owners[i], o))
            return;
    a->owners = xrealloc(a->owners, sizeof(char *) * (size_t)(a->n_owners + 1));
    a->owners[a->n_owners++] = xstrdup(o);
}

static const char *due_marks[] = {
    " by ", " before ", " until ", " no later than ", " in two weeks", " next week",
    " week starting", " the last week of ", " last week of ", " week of ", " end of ",
    " within ", " ahead of ", NULL
};

static void find_due(const struct ctx *c, struct record_action *a, size_t s, size_t e)
{
    const char *t = c->r->text;
    char date[11];

    for (int i = 0; due_marks[i]; i++) {
        long k = occ_find(c, c->ix_due + i, s, e);
        size_t from, to;
        int words = 0;
        if (k < 0)
            continue;
        from = s + (size_t)k + 1;
        to = from;
        while (to < e && t[to] != ',' && t[to] != ';' && t[to] != '?' &&
               !(t[to] == '.' && (to + 1 >= e || t[to + 1] == ' ')) && words < 9) {
            if (t[to] == ' ')
                words++;
            to++;
        }
        to = reader_trim_end(t, from, to);
        if (to <= from + 3)
            continue;
        /* "by email", "by the way": not a time. */
        {
            char *phrase = reader_clean_dup(t + from, to - from);
            int resolved = reader_resolve_date(phrase, c->r->date, date) == 0;
            int timeish = resolved ||
                          reader_find_ci(phrase, strlen(phrase), "meeting") >= 0 ||
                          reader_find_ci(phrase, strlen(phrase), "call") >= 0 ||
                          reader_find_ci(phrase, strlen(phrase), "consultation") >= 0 ||
                          reader_find_ci(phrase, strlen(phrase), "week") >= 0 ||
                          reader_find_ci(phrase, strlen(phrase), "month") >= 0 ||
                          reader_find_ci(phrase, strlen(phrase), "end of") >= 0 ||
                          reader_find_ci(phrase, strlen(phrase), "deadline") >= 0 ||
                          reader_find_ci(phrase, strlen(phrase), "igf") >= 0;
            if (!timeish) {
                free(phrase);
                continue;
            }
            a->due = phrase;
            if (resolved)
                a->due_date = xstrdup(date);
            return;
        }
    }
}

static int sentence_mentions_dcs(const char *t, size_t s, size_t e)
{
    return reader_find_word_ci(t + s, e - s, "dc") >= 0 || reader_find_word_ci(t + s, e - s, "dcs") >= 0 ||
           reader_find_ci(t + s, e - s, "dynamic coalition") >= 0 ||
           reader_find_ci(t + s, e - s, "coalition") >= 0 || reader_find_word_ci(t + s, e - s, "dccg") >= 0;
}

static struct record_action *new_action(struct ctx *c, const struct sent *st, size_t verb,
                                        int is_explicit, double conf)
{
    struct record *r = c->r;
    const struct record_turn *tn = &r->turns[st->turn];
    struct record_action *a;
    char *text;

    /* One action per sentence. */
    for (int i = 0; i < r->n_actions; i++)
        if (r->actions[i].offset == st->s)
            return NULL;
    a = READER_PUSH(r->actions, r->n_actions);
    memset(a, 0, sizeof(*a));
    a->quote = quote_dup(r, st->s, st->e);
    a->offset = st->s;
    a->speaker = tn->speaker >= 0 ? xstrdup(r->speakers[tn->speaker].name) : NULL;
    a->is_explicit = is_explicit;
    a->confidence = conf;
    text = reader_clean_dup(r->text + verb, st->e - verb);
    {
        size_t l = strlen(text);
        while (l > 0 && (text[l - 1] == '.' || text[l - 1] == '?' || text[l - 1] == '!'))
            text[--l] = '\0';
        if (l > 140) {
            l = utf8_trim_len(text, l, 137);
            memcpy(text + l, "...", 4);
        }
        text[0] = (char)toupper((unsigned char)text[0]);
    }
    a->text = text;
    find_due(c, a, verb, st->e);
    a->concerns_dcs = c->dc_group || sentence_mentions_dcs(r->text, st->s, st->e);
    return a;
}

/* The person addressed in a turn: a name before a comma at the start of
 * the sentence ("Sorina, can you ..."), else the previous speaker. */
static const char *addressee(const struct ctx *c, const struct sent *st)
{
    const struct record *r = c->r;
    const char *t = r->text, *name = NULL;
    int me = r->turns[st->turn].speaker;

    for (size_t i = st->s; i < st->e; i++) {
        if (isupper((unsigned char)t[i]) && (i == st->s || t[i - 1] == ' ')) {
            size_t l = name_at(c, t, i, st->e, &name);
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
            l = name_at(c, t, i, prev->e, &n2);
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
static const char *affirmer(const struct ctx *c, const struct sent *st)
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
static void add_we_partners(struct ctx *c, struct record_action *a, const struct sent *st)
{
    const char *t = c->r->text, *name;

    for (size_t i = st->s; i < st->e; i++) {
        if (!isupper((unsigned char)t[i]) || (i > st->s && isalnum((unsigned char)t[i - 1])))
            continue;
        size_t l = name_at(c, t, i, st->e, &name);
        if (!l)
            continue;
        if ((i + l + 6 <= st->e && !strncmp(t + i + l, " and I", 6)) ||
            (i >= st->s + 5 && !strncmp(t + i - 5, "with ", 5)))
            add_owner(a, name);
        i += l;
    }
}

static int negated(const char *t, size_t at, size_t end)
{
    static const char *neg[] = { "not ", "never ", "n't ", NULL };
    for (int i = 0; neg[i]; i++)
        if (at + strlen(neg[i]) <= end && !reader_strncasecmp_ascii(t + at, neg[i], strlen(neg[i])))
            return 1;
    return 0;
}

/* Screen sharing and small talk that look like commitments. */
static int trivial_object(const char *t, size_t v, size_t end)
{
    static const char *triv[] = { "share it", "share my screen", "share the screen", "share screen",
                                  "let you in", "take the floor", "take a moment", "do that now",
                                  "take it from here", "look at the screen", "talk about",
                                  "call on", "make a comment", "make a point", "make it",
                                  "do it", "put it this way", "start with", "note that",
                                  "let me", "take the opportunity", "ask a question",
                                  "raise my hand", "think so", "look forward", "be brief",
                                  "come back to that", "speak", "check the chat", NULL };
    for (int i = 0; triv[i]; i++)
        if (v + strlen(triv[i]) <= end && !reader_strncasecmp_ascii(t + v, triv[i], strlen(triv[i])))
            return 1;
    return 0;
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
static size_t unknown_name_at(const char *t, size_t at, size_t end, char *out, size_t outlen)
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

static int strong_marker(const char *m)
{
    return strstr(m, "volunteered") || strstr(m, "offered") || strstr(m, "said") ||
           strstr(m, "agreed");
}

/* Skip words between a commitment phrase and its verb: "I will also
 * send", "DCs will also have to start", "agreed to be volunteered to work". */
static size_t skip_fillers(const char *t, size_t v, size_t end)
{
    static const char *fill[] = { "also ", "then ", "just ", "certainly ", "definitely ",
                                  "have to ", "need to ", "be volunteered to ", "be able to ",
                                  "try to ", "gladly ", "happily ", "quickly ", "now ", NULL };
    int again = 1;

    while (again && v < end) {
        again = 0;
        for (int i = 0; fill[i]; i++) {
            size_t l = strlen(fill[i]);
            if (v + l <= end && !reader_strncasecmp_ascii(t + v, fill[i], l)) {
                v = reader_skip_space(t, v + l, end);
                again = 1;
            }
        }
    }
    return v;
}

/* "whether we should", "perhaps we should": musing, not a commitment. */
static int hedged(const char *t, size_t s, size_t e)
{
    static const char *h[] = { "whether", "perhaps", "maybe", "might", "probably", "question",
                               "wonder", "not sure", NULL };
    for (int i = 0; h[i]; i++)
        if (reader_find_word_ci(t + s, e - s, h[i]) >= 0)
            return 1;
    return 0;
}

static void actions_in_sentence(struct ctx *c, const struct sent *st)
{
    struct record *r = c->r;
    const char *t = r->text;
    const struct record_turn *tn = &r->turns[st->turn];
    const char *speaker = tn->speaker >= 0 ? r->speakers[tn->speaker].name : NULL;
    int next_steps = tn->section && (reader_find_ci(tn->section, strlen(tn->section), "next step") >= 0 ||
                                     reader_find_ci(tn->section, strlen(tn->section), "action") >= 0 ||
                                     reader_find_ci(tn->section, strlen(tn->section), "follow") >= 0);
    struct record_action *a;

    /* Conditional or hypothetical sentences are not commitments. */
    if (!next_steps && (occ_find_word(c, c->ix_if, st->s, st->e) >= 0 &&
                        occ_find_word(c, c->ix_if, st->s, st->e) < 12))
        return;

    /* First and second person, in spoken turns. */
    unsigned heads = tn->speaker >= 0 ? heads_in(c, st->s, st->e) : 0;
    /* The markers whose first word the sentence has, in list order. */
    uint64_t cand = c->markers_any;
    for (unsigned b = heads; b; b &= b - 1)
        cand |= c->markers_of_head[__builtin_ctz(b)];
    for (; cand && tn->speaker >= 0; cand &= cand - 1) {
        int m = __builtin_ctzll(cand);
        long k = occ_find_word(c, c->ix_marker + m, st->s, st->e);
        size_t v, vl;
        if (k < 0)
            continue;
        v = st->s + (size_t)k + strlen(markers[m].phrase);
        v = reader_skip_space(t, v, st->e);
        v = skip_fillers(t, v, st->e);
        vl = verb_at(t, v, st->e);
        if (!vl && markers[m].who == WHO_SPEAKER && markers[m].is_explicit &&
            strstr(markers[m].phrase, "happy") == NULL)
            vl = open_verb_at(t, v, st->e);
        if (negated(t, v, st->e) || !vl || trivial_object(t, v, st->e) ||
            !has_object(t, v, vl, st->e))
            continue;
        if (markers[m].who == WHO_WE && strncmp(markers[m].phrase, "suggest", 7) &&
            strncmp(markers[m].phrase, "propose", 7) && !word_list_at(we_verbs, t, v, st->e))
            continue;
        if (markers[m].who == WHO_WE && hedged(t, st->s, v))
            continue;
        /* "let" only as "let you/everyone know". */
        if (vl == 3 && !reader_strncasecmp_ascii(t + v, "let", 3) &&
            reader_find_ci(t + v, st->e - v, " know") < 0)
            continue;
        if (markers[m].who == WHO_YOU) {
            const char *who = t[st->e - 1] == '?' ? affirmer(c, st) : NULL;
            int is_q = t[st->e - 1] == '?';
            if (!who)
                who = addressee(c, st);
            if (!who || (is_q && !affirmer(c, st) && !markers[m].is_explicit))
                continue;
            if (!(a = new_action(c, st, v, markers[m].is_explicit || affirmer(c, st) != NULL, 0.7)))
                return;
            add_owner(a, who);
            add_we_partners(c, a, st);
        } else if (markers[m].who == WHO_THEY) {
            /* "the DCs who want to take part, that they have to react":
             * "they" is the body named before it in the sentence. */
            const char *body = NULL;
            size_t bl = 0, mk = st->s + (size_t)k;
            for (size_t i = st->s; i < mk; i++)
                if (i == st->s || !isalnum((unsigned char)t[i - 1])) {
                    const char *b = body_at(c, t, i, mk, &bl);
                    if (b)
                        body = b;
                }
            if (!body || t[st->e - 1] == '?' || hedged(t, st->s, v))
                continue;
            if (!(a = new_action(c, st, v, 1, 0.6)))
                return;
            add_owner(a, body);
        } else if (markers[m].who == WHO_WE) {
            const char *who = t[st->e - 1] == '?' ? affirmer(c, st) : NULL;
            if (t[st->e - 1] == '?' && !who)
                continue;
            if (!(a = new_action(c, st, v, markers[m].is_explicit, 0.6)))
                return;
            if (who) {
                add_owner(a, who);
            } else {
                add_we_partners(c, a, st);
                if (a->n_owners > 0)
                    add_owner(a, speaker);
                else
                    add_owner(a, c->group_acr);
            }
        } else {
            if (t[st->e - 1] == '?')
                continue;
            if (!(a = new_action(c, st, v, markers[m].is_explicit, 0.8)))
                return;
            add_owner(a, speaker);
            add_we_partners(c, a, st);
        }
        return;
    }

    /* "Let's have a Doodle poll": the speaker proposes it for the group. */
    {
        long k = occ_find(c, c->ix_doodle_poll, st->s, st->e);
        if (k < 0)
            k = occ_find(c, c->ix_doodle, st->s, st->e);
        if (k >= 0 && tn->speaker >= 0 && t[st->e - 1] == '?') {
            const char *who = affirmer(c, st);
            if (who && (a = new_action(c, st, st->s, 1, 0.7)))
                add_owner(a, who);
            return;
        }
    }

    /* Third person: a known name or body, then a commitment phrase. */
    char unknown_buf[96];
    for (size_t i = st->s; i < st->e; i++) {
        const char *owner = NULL;
        size_t l = 0;
        if (i > st->s && isalnum((unsigned char)t[i - 1]))
            continue;
        int unknown = 0;
        if (isupper((unsigned char)t[i]))
            l = name_at(c, t, i, st->e, &owner);
        if (!l)
            owner = body_at(c, t, i, st->e, &l);
        if (!l && isupper((unsigned char)t[i]) &&
            (l = unknown_name_at(t, i, st->e, unknown_buf, sizeof(unknown_buf))) > 0) {
            owner = unknown_buf;
            unknown = 1;
        }
        if (!l)
            continue;
        for (int m = 0; third_markers[m]; m++) {
            if (unknown && !c->third_strong[m])
                continue;
            /* "Members agreed to keep ..." is a decision, not an action. */
            if (!unknown && c->third_agreed[m] && !name_at(c, t, i, st->e, &(const char *){ NULL }))
                continue;
            size_t ml = strlen(third_markers[m]), v, vl;
            if (i + l + ml > st->e || reader_strncasecmp_ascii(t + i + l, third_markers[m], ml))
                continue;
            v = i + l + ml;
            v = reader_skip_space(t, v, st->e);
            v = skip_fillers(t, v, st->e);
            if (negated(t, v, st->e) || !(vl = verb_at(t, v, st->e)) || trivial_object(t, v, st->e) ||
                (!has_object(t, v, vl, st->e) && !next_steps && reader_find_ci(t + v, st->e - v, " out") < 0))
                continue;
            /* " to " only opens an action at the start of a bullet: "DCs to hold...". */
            if (!strcmp(third_markers[m], " to ") && !(next_steps && i == st->s) &&
                !(i == st->s && r->kind == RECORD_SUMMARY))
                continue;
            if (!strcmp(third_markers[m], " would ") && !next_steps)
                continue;
            if (!strcmp(third_markers[m], " should ") && !next_steps)
                continue;
            if (tn->speaker >= 0 && owner == speaker)
                continue;       /* speaking of oneself in the third person is rare */
            if (!(a = new_action(c, st, v, 1, 0.7)))
                return;
            add_owner(a, owner);
            return;
        }
        i += l - 1;
    }

    /* A Next steps bullet with no owner of its own: the body it names, or the group. */
    if (next_steps) {
        const char *owner = NULL;
        size_t l = 0;
        for (size_t i = st->s; i < st->e && !owner; i++)
            if (i == st->s || !isalnum((unsigned char)t[i - 1]))
                owner = body_at(c, t, i, st->e, &l);
        if ((a = new_action(c, st, st->s, 1, 0.5)) != NULL)
            add_owner(a, owner ? owner : c->group_acr);
    }
}

/* "He sent out the concept note": a reported action already done. */
static void mark_done(struct ctx *c)
{
    static const char *past[] = { " sent ", " circulated ", " shared ", " has sent ", " has done ",
                                  " completed ", " did ", " has circulated ", " has shared ",
                                  " drafted ", " prepared ", NULL };
    struct record *r = c->r;
    const char *t = r->text;

    for (int i = 0; i < r->n_actions; i++) {
        struct record_action *a = &r->actions[i];
        int si = -1;
        for (int k = 0; k < c->n_sents; k++)
            if (c->sents[k].s == a->offset)
                si = k;
        if (si < 0)
            continue;
        /* Past-tense reports: "X agreed to ... at the last meeting". */
        int reported = reader_find_ci(a->quote, strlen(a->quote), " agreed to ") >= 0 ||
                       reader_find_ci(a->quote, strlen(a->quote), " volunteered to ") >= 0;
        for (int k = si + 1; reported && k < c->n_sents && k <= si + 2; k++) {
            const struct sent *st = &c->sents[k];
            for (int p = 0; past[p]; p++)
                if (reader_find_ci(t + st->s, st->e - st->s, past[p]) >= 0 &&
                    (!reader_strncasecmp_ascii(t + st->s, "he ", 3) ||
                     !reader_strncasecmp_ascii(t + st->s, "she ", 4) ||
                     !reader_strncasecmp_ascii(t + st->s, "they ", 5) ||
                     (a->n_owners && !strncmp(t + st->s, a->owners[0], strcspn(a->owners[0], " "))))) {
                    a->done = 1;
                    break;
                }
        }
    }
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
    NULL
};

static const char *next_marks[] = {
    "next meeting", "next call", "another meeting", "next coordination", "meet again",
    "doodle poll", "find a meeting", "look for a meeting", "another call",
    "poll to agree on a meeting", "next session", "hold another", NULL
};

static void add_decision(struct ctx *c, const struct sent *st)
{
    struct record *r = c->r;
    const struct record_turn *tn = &r->turns[st->turn];
    struct record_item *it = READER_PUSH(r->decisions, r->n_decisions);

    it->quote = quote_dup(r, st->s, st->e);
    it->text = reader_clean_dup(it->quote, strlen(it->quote));
    it->speaker = tn->speaker >= 0 ? xstrdup(r->speakers[tn->speaker].name) : NULL;
    it->offset = st->s;
}

/* Find a date-like phrase in the sentence: "17th of October", "Friday". */
static int date_phrase(const struct ctx *c, const char *s, size_t n, char **when, char date[11])
{
    static const char *pre[] = { "last week of", "first week of", "week starting on",
                                 "week starting", "week of", "week beginning", "end of",
                                 "in two weeks", "next week", "before the", "after the", NULL };
    size_t at = (size_t)(s - c->r->text);
    char *clean;
    size_t cl;
    int ok = -1;

    /* Every phrase above holds "week", "end", "before" or "after", which
     * cleaning (spaces only) leaves as they are: without one of them the
     * sentence has no date phrase. */
    if (occ_find(c, c->ix_week, at, at + n) < 0 && occ_find(c, c->ix_end, at, at + n) < 0 &&
        occ_find(c, c->ix_before, at, at + n) < 0 && occ_find(c, c->ix_after, at, at + n) < 0)
        return -1;
    clean = reader_clean_dup(s, n);
    cl = strlen(clean);
    for (int p = 0; pre[p] && ok < 0; p++) {
        long k = reader_find_ci(clean, cl, pre[p]);
        if (k < 0)
            continue;
        size_t e = (size_t)k + strlen(pre[p]);
        int words = 0;
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
    return ok;
}

static void find_next(struct ctx *c)
{
    struct record *r = c->r;
    const char *t = r->text;
    int best = -1, best_score = 0;
    char *best_when = NULL, best_date[11] = "";

    for (int k = 0; k < c->n_sents; k++) {
        const struct sent *st = &c->sents[k];
        int score = 0;
        char *when = NULL, date[11] = "";
        for (int m = 0; next_marks[m] && !score; m++)
            if (occ_find(c, c->ix_next + m, st->s, st->e) >= 0)
                score = 2;
        if (!score && occ_find(c, c->ix_meeting, st->s, st->e) >= 0 &&
            date_phrase(c, t + st->s, st->e - st->s, &when, date) == 0)
            score = 2;
        if (!score) {
            free(when);
            continue;
        }
        if (!when && date_phrase(c, t + st->s, st->e - st->s, &when, date) == 0)
            score += 2;
        else if (when)
            score += 2;
        if (date[0])
            score += 1;
        /* Later statements about the next meeting supersede earlier ones. */
        if (score >= best_score) {
            best_score = score;
            best = k;
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
    r->next->quote = quote_dup(r, c->sents[best].s, c->sents[best].e);
    r->next->offset = c->sents[best].s;
    r->next->when = best_when ? best_when : reader_clean_dup(r->next->quote, strlen(r->next->quote));
    r->next->date = best_date[0] ? xstrdup(best_date) : NULL;
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
        if (!isupper((unsigned char)t[i]) || !(l = unknown_name_at(t, i, e, name, sizeof(name))))
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
static void spoken_apologies(struct ctx *c)
{
    struct record *r = c->r;
    const char *t = r->text;

    if (r->kind != RECORD_TRANSCRIPT || r->n_apologies > 0)
        return;
    for (int k = 0; k < c->n_sents && c->sents[k].turn < 12; k++) {
        const struct sent *st = &c->sents[k];
        int hit = 0;
        for (int m = 0; absent_questions[m] && !hit; m++)
            hit = occ_find(c, c->ix_absent_q + m, st->s, st->e) >= 0;
        if (hit) {
            if (k + 1 < c->n_sents && c->sents[k + 1].turn != st->turn)
                names_in(r, c->sents[k + 1].s, c->sents[k + 1].e);
            continue;
        }
        for (int m = 0; absent_marks[m] && !hit; m++)
            hit = occ_find(c, c->ix_absent + m, st->s, st->e) >= 0;
        if (hit) {
            /* Only the clause around the marker: "Ingrid sent her apologies,
             * and Rufus may join late" names Ingrid alone. A list after
             * "apologies from" runs to the next clause that is not a name. */
            long mk = -1;
            for (int m = 0; absent_marks[m] && mk < 0; m++)
                mk = occ_find(c, c->ix_absent + m, st->s, st->e);
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

/* ------------------------------------------------------------------ */
/* The phrases searched in every sentence, found in one pass           */

static int occ_add(struct ctx *c, const char *phrase)
{
    struct occ *o = READER_PUSH(c->occ, c->n_occ);

    o->phrase = phrase;
    o->len = strlen(phrase);
    o->pos = NULL;
    o->n = 0;
    return c->n_occ - 1;
}

static int occ_add_list(struct ctx *c, const char *const *list)
{
    int first = c->n_occ;

    for (int i = 0; list[i]; i++)
        occ_add(c, list[i]);
    return first;
}

#define OCC_BUCKETS 4096

static unsigned occ_hash(const char *p)
{
    return ((unsigned char)p[0] * 31u + (unsigned char)p[1]) & (OCC_BUCKETS - 1);
}

/* Every occurrence of every phrase (all at least two bytes, lower case)
 * in the lower-cased text, in one pass keyed on the first two bytes:
 * sentence by sentence, fifty-odd phrases were each searched anew in
 * every sentence of the record. */
static void phrases_index(struct ctx *c)
{
    const char *low = c->low;
    size_t len = c->r->len;
    int *head = xmalloc(sizeof(int) * OCC_BUCKETS);
    int *next = xmalloc(sizeof(int) * (size_t)c->n_occ);

    for (int b = 0; b < OCC_BUCKETS; b++)
        head[b] = -1;
    /* Chained in reverse so each bucket lists its phrases in order. */
    for (int i = c->n_occ - 1; i >= 0; i--) {
        unsigned h = occ_hash(c->occ[i].phrase);

        next[i] = head[h];
        head[h] = i;
    }
    for (size_t at = 0; at + 1 < len; at++) {
        for (int i = head[occ_hash(low + at)]; i >= 0; i = next[i]) {
            struct occ *o = &c->occ[i];

            if (at + o->len <= len && (o->len < 3 || low[at + 2] == o->phrase[2]) &&
                !memcmp(low + at, o->phrase, o->len))
                *READER_PUSH(o->pos, o->n) = at;
        }
    }
    free(next);
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
    /* ASCII lower case, as tolower() in the C locale, without a call per byte. */
    for (size_t i = 0; i < r->len; i++) {
        unsigned char ch = (unsigned char)t[i];

        c.low[i] = (char)((unsigned)(ch - 'A') < 26u ? ch + ('a' - 'A') : ch);
    }
    c.low[r->len] = '\0';
    for (int m = 0; markers[m].phrase; m++) {
        size_t hl = 0;
        int head = -1;      /* unknown head: always searched */
        while (isalnum((unsigned char)markers[m].phrase[hl]))
            hl++;
        for (int k = 0; marker_heads[k]; k++)
            if (strlen(marker_heads[k]) == hl && !memcmp(markers[m].phrase, marker_heads[k], hl))
                head = k;
        if (head >= 0)
            c.markers_of_head[head] |= 1ull << m;
        else
            c.markers_any |= 1ull << m;
    }
    c.ix_marker = c.n_occ;
    for (int m = 0; markers[m].phrase; m++)
        occ_add(&c, markers[m].phrase);
    c.ix_decision = occ_add_list(&c, decision_marks);
    c.ix_next = occ_add_list(&c, next_marks);
    c.ix_if = occ_add(&c, "if");
    c.ix_meeting = occ_add(&c, "meeting");
    c.ix_acceptable = occ_add(&c, "acceptable");
    c.ix_doodle_poll = occ_add(&c, "doodle poll");
    c.ix_doodle = occ_add(&c, "doodle");
    c.ix_absent_q = occ_add_list(&c, absent_questions);
    c.ix_absent = occ_add_list(&c, absent_marks);
    c.ix_due = occ_add_list(&c, due_marks);
    c.ix_week = occ_add(&c, "week");
    c.ix_end = occ_add(&c, "end");
    c.ix_before = occ_add(&c, "before");
    c.ix_after = occ_add(&c, "after");
    for (int m = 0; third_markers[m]; m++) {
        c.third_strong[m] = (unsigned char)strong_marker(third_markers[m]);
        c.third_agreed[m] = strstr(third_markers[m], "agreed") != NULL;
    }
    for (int k = 0; marker_heads[k]; k++) {
        c.head_len[k] = (unsigned char)strlen(marker_heads[k]);
        if (c.head_len[k] < 8)
            c.heads_of_len[c.head_len[k]] |= (unsigned short)(1u << k);
    }
    for (int i = 0; i < r->n_glossary; i++)
        c.gloss_first[(unsigned char)r->glossary[i].acronym[0]] = 1;
    memset(c.body_by_first, -1, sizeof(c.body_by_first));
    for (int i = 0; bodies[i].phrase; i++) {
        signed char *bi = c.body_by_first[(unsigned char)bodies[i].phrase[0]];

        c.body_len[i] = (unsigned char)strlen(bodies[i].phrase);
        while (*bi >= 0)
            bi++;
        *bi = (signed char)i;
    }
    phrases_index(&c);
    c.group_acr = reader_group_acronym(r->group);
    c.dc_group = reader_find_word_ci(r->group, strlen(r->group), "dc") >= 0 ||
                 reader_find_ci(r->group, strlen(r->group), "coalition") >= 0;
    for (int i = 0; i < r->n_turns; i++)
        split_sentences(r, i, &c.sents, &c.n_sents);
    for (int k = 0; k < c.n_sents; k++) {
        const struct sent *st = &c.sents[k];
        actions_in_sentence(&c, st);
        if (t[st->e - 1] == '?' && occ_find(&c, c.ix_acceptable, st->s, st->e) < 0)
            continue;
        for (int m = 0; decision_marks[m]; m++)
            if (occ_find(&c, c.ix_decision + m, st->s, st->e) >= 0) {
                add_decision(&c, st);
                break;
            }
    }
    mark_done(&c);
    find_next(&c);
    spoken_apologies(&c);
    free(c.sents);
    free(c.group_acr);
    phrases_release(&c);
    free(c.low);
}
