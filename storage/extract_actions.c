/* storage/extract_actions.c -- actions in the words of a record: the
 * phrases that make a commitment ("I will", "X volunteered to", a Next
 * steps bullet), its verb, owners (extract_owners.c) and due date, and the
 * actions the record reports done. Pure: no SQLite, no I/O. */
#include "extract_int.h"

#include <stdlib.h>
#include <string.h>

/* The first words of the action markers below: a sentence that has none
 * of them as a word cannot hold any marker, which spares most sentences
 * the search for each of the forty-odd phrases. */
static const char *const marker_heads[] = {
    "i", "let", "we", "they", "suggest", "propose", "you", "could", "can", "would", "will", NULL
};
_Static_assert(sizeof(marker_heads) / sizeof(marker_heads[0]) <= 16, "struct ctx head_len too small");

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
            if (!reader_word_in(t + i, j - i, preps))
                return 1;
        }
        i = j;
    }
    return 0;
}

static size_t verb_at(const char *t, size_t at, size_t end)
{
    /* The verbs are lower case: the first letter tells most apart. */
    int c0 = at < end ? tolower((unsigned char)t[at]) : 0;

    for (int i = 0; verbs[i]; i++) {
        size_t l;

        if (verbs[i][0] != c0)
            continue;
        l = strlen(verbs[i]);
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
    " is to ", " should ", " would need to ",
    /* "Aiko \u2013 draft the newsletter": at the start of a Next steps bullet. */
    " \xE2\x80\x93 ", " \xE2\x80\x94 ", " - ", ": ", NULL
};
_Static_assert(sizeof(third_markers) / sizeof(third_markers[0]) <= 32, "struct ctx third_* too small");

/* Where a third-person marker may open an action (the tests in
 * extract_actions_in_sentence): anywhere, only in Next steps, or " to "
 * only at the start of a bullet or of a summary's sentence. */
enum { THIRD_ANY, THIRD_NEXT_STEPS, THIRD_TO, THIRD_DASH };

static int third_gate(const char *marker)
{
    if (!strcmp(marker, " to "))
        return THIRD_TO;
    if (!isalpha((unsigned char)marker[1]))
        return THIRD_DASH;
    if (!strcmp(marker, " would ") || !strcmp(marker, " should "))
        return THIRD_NEXT_STEPS;
    return THIRD_ANY;
}

/* Whether t[st->s..st->e) holds a third-person marker that may open an
 * action there. Without one, no name or body in it can be an owner, and
 * the walk over its words is skipped. */
static int third_possible(const struct ctx *c, const struct sent *st, int next_steps)
{
    for (int m = 0; third_markers[m]; m++) {
        if ((c->third_gate[m] == THIRD_NEXT_STEPS || c->third_gate[m] == THIRD_DASH) &&
            !next_steps)
            continue;
        if (c->third_gate[m] == THIRD_TO && !next_steps && c->r->kind != RECORD_SUMMARY)
            continue;
        if (extract_occ_find(c, c->ix_third + m, st->s, st->e) >= 0)
            return 1;
    }
    return 0;
}


/* ------------------------------------------------------------------ */
/* Building actions                                                    */

static const char *due_marks[] = {
    " by ", " before ", " until ", " no later than ", " in two weeks", " next week",
    " week starting", " the last week of ", " last week of ", " week of ", " end of ",
    " within ", " ahead of ", " due ", "(due ", NULL
};

static void find_due(const struct ctx *c, struct record_action *a, size_t s, size_t e)
{
    const char *t = c->r->text;
    char date[11];

    for (int i = 0; due_marks[i]; i++) {
        long k = extract_occ_find(c, c->ix_due + i, s, e);
        size_t from, to;
        int words = 0;
        if (k < 0)
            continue;
        from = s + (size_t)k + 1;
        to = from;
        while (to < e && t[to] != ',' && t[to] != ';' && t[to] != '?' && t[to] != ')' &&
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
    a->quote = extract_quote_dup(r, st->s, st->e);
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

void extract_actions_in_sentence(struct ctx *c, const struct sent *st)
{
    struct record *r = c->r;
    const char *t = r->text;
    const struct record_turn *tn = &r->turns[st->turn];
    const char *speaker = tn->speaker >= 0 ? r->speakers[tn->speaker].name : NULL;
    int next_steps = extract_next_steps_turn(tn);
    struct record_action *a;

    /* Conditional or hypothetical sentences are not commitments. */
    if (!next_steps && (extract_occ_find_word(c, c->ix_if, st->s, st->e) >= 0 &&
                        extract_occ_find_word(c, c->ix_if, st->s, st->e) < 12))
        return;

    /* First and second person, in spoken turns. */
    unsigned heads = tn->speaker >= 0 ? heads_in(c, st->s, st->e) : 0;
    /* The markers whose first word the sentence has, in list order. */
    uint64_t cand = c->markers_any;
    for (unsigned b = heads; b; b &= b - 1)
        cand |= c->markers_of_head[__builtin_ctz(b)];
    for (; cand && tn->speaker >= 0; cand &= cand - 1) {
        int m = __builtin_ctzll(cand);
        long k = extract_occ_find_word(c, c->ix_marker + m, st->s, st->e);
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
            const char *who = t[st->e - 1] == '?' ? extract_affirmer(c, st) : NULL;
            int is_q = t[st->e - 1] == '?';
            if (!who)
                who = extract_addressee(c, st);
            if (!who || (is_q && !extract_affirmer(c, st) && !markers[m].is_explicit))
                continue;
            if (!(a = new_action(c, st, v, markers[m].is_explicit || extract_affirmer(c, st) != NULL, 0.7)))
                return;
            extract_add_owner(a, who);
            extract_add_we_partners(c, a, st);
        } else if (markers[m].who == WHO_THEY) {
            /* "the DCs who want to take part, that they have to react":
             * "they" is the body named before it in the sentence. */
            const char *body = NULL;
            size_t bl = 0, mk = st->s + (size_t)k;
            for (size_t i = st->s; i < mk; i++)
                if (i == st->s || !isalnum((unsigned char)t[i - 1])) {
                    const char *b = extract_body_at(c, t, i, mk, &bl);
                    if (b)
                        body = b;
                }
            if (!body || t[st->e - 1] == '?' || hedged(t, st->s, v))
                continue;
            if (!(a = new_action(c, st, v, 1, 0.6)))
                return;
            extract_add_owner(a, body);
        } else if (markers[m].who == WHO_WE) {
            const char *who = t[st->e - 1] == '?' ? extract_affirmer(c, st) : NULL;
            if (t[st->e - 1] == '?' && !who)
                continue;
            if (!(a = new_action(c, st, v, markers[m].is_explicit, 0.6)))
                return;
            if (who) {
                extract_add_owner(a, who);
            } else {
                extract_add_we_partners(c, a, st);
                if (a->n_owners > 0)
                    extract_add_owner(a, speaker);
                else
                    extract_add_owner(a, c->group_acr);
            }
        } else {
            if (t[st->e - 1] == '?')
                continue;
            if (!(a = new_action(c, st, v, markers[m].is_explicit, 0.8)))
                return;
            extract_add_owner(a, speaker);
            extract_add_we_partners(c, a, st);
        }
        return;
    }

    /* "Let's have a Doodle poll": the speaker proposes it for the group. */
    {
        long k = extract_occ_find(c, c->ix_doodle_poll, st->s, st->e);
        if (k < 0)
            k = extract_occ_find(c, c->ix_doodle, st->s, st->e);
        if (k >= 0 && tn->speaker >= 0 && t[st->e - 1] == '?') {
            const char *who = extract_affirmer(c, st);
            if (who && (a = new_action(c, st, st->s, 1, 0.7)))
                extract_add_owner(a, who);
            return;
        }
    }

    /* Third person: a known name or body, then a commitment phrase. */
    char unknown_buf[96];
    size_t walk_end = third_possible(c, st, next_steps) ? st->e : st->s;
    for (size_t i = st->s; i < walk_end; i++) {
        const char *owner = NULL;
        size_t l = 0;
        if (i > st->s && isalnum((unsigned char)t[i - 1]))
            continue;
        int unknown = 0;
        if (isupper((unsigned char)t[i]))
            l = extract_name_at(c, t, i, st->e, &owner);
        if (!l)
            owner = extract_body_at(c, t, i, st->e, &l);
        if (!l && isupper((unsigned char)t[i]) &&
            (l = extract_unknown_name_at(t, i, st->e, unknown_buf, sizeof(unknown_buf))) > 0) {
            owner = unknown_buf;
            unknown = 1;
        }
        if (!l)
            continue;
        for (int m = 0; third_markers[m]; m++) {
            /* A dash or colon after the first words of a Next steps
             * bullet: the owner, whoever it names. */
            int dash = c->third_gate[m] == THIRD_DASH;

            if (dash && !(next_steps && i == st->s))
                continue;
            /* "Newsletter: draft the April issue" names a topic: one
             * unknown capitalised word is no owner before a dash. */
            if (dash && unknown && !strchr(owner, ' '))
                continue;
            if (unknown && !c->third_strong[m] && !dash)
                continue;
            /* "Members agreed to keep ..." is a decision, not an action. */
            if (!unknown && c->third_agreed[m] && !extract_name_at(c, t, i, st->e, &(const char *){ NULL }))
                continue;
            size_t ml = strlen(third_markers[m]), v, vl, at = i + l;
            /* "Aiko   \u2013 draft": the spaces a bold mark left (record.c). */
            while (dash && at + 1 < st->e && t[at] == ' ' && t[at + 1] == ' ')
                at++;
            if (at + ml > st->e || reader_strncasecmp_ascii(t + at, third_markers[m], ml))
                continue;
            v = at + ml;
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
            extract_add_owner(a, owner);
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
                owner = extract_body_at(c, t, i, st->e, &l);
        if ((a = new_action(c, st, st->s, 1, 0.5)) != NULL)
            extract_add_owner(a, owner ? owner : c->group_acr);
    }
}

/* "He sent out the concept note": a reported action already done. */
void extract_mark_done(struct ctx *c)
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

void extract_actions_init(struct ctx *c)
{
    for (int m = 0; markers[m].phrase; m++) {
        size_t hl = 0;
        int head = -1;      /* unknown head: always searched */
        while (isalnum((unsigned char)markers[m].phrase[hl]))
            hl++;
        for (int k = 0; marker_heads[k]; k++)
            if (strlen(marker_heads[k]) == hl && !memcmp(markers[m].phrase, marker_heads[k], hl))
                head = k;
        if (head >= 0)
            c->markers_of_head[head] |= 1ull << m;
        else
            c->markers_any |= 1ull << m;
    }
    c->ix_marker = c->n_occ;
    for (int m = 0; markers[m].phrase; m++)
        extract_occ_add(c, markers[m].phrase);
    c->ix_due = extract_occ_add_list(c, due_marks);
    c->ix_third = c->n_occ;
    for (int m = 0; third_markers[m]; m++) {
        extract_occ_add(c, third_markers[m]);
        c->third_strong[m] = (unsigned char)strong_marker(third_markers[m]);
        c->third_agreed[m] = strstr(third_markers[m], "agreed") != NULL;
        c->third_gate[m] = (unsigned char)third_gate(third_markers[m]);
    }
    for (int k = 0; marker_heads[k]; k++) {
        c->head_len[k] = (unsigned char)strlen(marker_heads[k]);
        if (c->head_len[k] < 8)
            c->heads_of_len[c->head_len[k]] |= (unsigned short)(1u << k);
    }
}
