/* storage/transcript.c -- read a raw captioning (CART) transcript: the
 * ">> NAME: text" turns with every quirk real captioners produce, and the
 * speakers behind the labels; and a transcript of "Name: text" lines
 * without arrows (a meeting tool's export, typed notes of who said what).
 * Pure: no SQLite, no I/O. */
#include "reader_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Words that open an unattributed turn and must not be taken for a name. */
static const char *not_names[] = {
    "yes", "no", "ok", "okay", "thank", "thanks", "hello", "hi", "bye",
    "well", "so", "and", "but", "sorry", "right", "good", "great", "sure",
    "i", "a", "the", "it", "this", "that", "we", "you", "question", "note",
    "answer", "comment", "please", "excuse", "hey", "oh", "um", "uh", "also",
    "perhaps", "maybe", "just", "now", "then", "here", "there", "what", "who",
    "why", "how", "when", "where", "which", "can", "could", "would", "should",
    "is", "are", "do", "does", "did", "let", "lets", "let's", "one", "two",
    "all", "everyone", "everybody", "agenda", "item", "next", "first",
    "second", "finally", "again", "indeed", "exactly", "absolutely", NULL
};

static int is_not_name(const char *w, size_t n)
{
    return reader_word_in(w, n, not_names);
}

/* Check that s[0..n) reads as a speaker label: 1-5 words of letters (with
 * . ' - inside), in capitals, or capitalised (particles allowed). */
static int label_ok(const char *s, size_t n, int need_caps)
{
    size_t i = 0;
    int words = 0, all_upper = 1, capitalised = 1, letters = 0;
    size_t first_len = 0;

    if (n == 0 || n > 60)
        return 0;
    while (i < n) {
        size_t j;
        i = reader_skip_space(s, i, n);
        if (i >= n)
            break;
        j = i;
        while (j < n && !reader_space_len(s + j, n - j)) {
            unsigned char c = (unsigned char)s[j];
            if (!(isalpha(c) || c == '.' || c == '\'' || c == '-' || c >= 0x80))
                return 0;
            if (isalpha(c) || c >= 0x80)
                letters++;
            j++;
        }
        if (!isalpha((unsigned char)s[i]) && (unsigned char)s[i] < 0x80)
            return 0;
        if (!reader_is_upper_word(s + i, j - i))
            all_upper = 0;
        if (!isupper((unsigned char)s[i]) && !(words > 0 && j - i <= 4))
            capitalised = 0;
        if (words == 0)
            first_len = j - i;
        words++;
        i = j;
    }
    if (words == 0 || words > 5 || letters < 2)
        return 0;
    if (words == 1 && is_not_name(s + reader_skip_space(s, 0, n), first_len))
        return 0;
    if (need_caps)
        return all_upper;
    return all_upper || (capitalised && words <= 4);
}

/* Parse the label of a turn line starting at `i` (just after the arrows).
 * Sets *label_end (exclusive, trimmed) and *text_start; returns 1 when a
 * label was found, 0 for an unattributed turn. */
static int parse_label(const char *t, size_t i, size_t end, size_t *label_end, size_t *text_start)
{
    size_t lim = end - i > 70 ? i + 70 : end;
    const char *colon = memchr(t + i, ':', lim - i);

    if (colon) {
        size_t c = (size_t)(colon - t);
        size_t le = reader_trim_end(t, i, c);
        /* "12:30" inside a sentence is not a label end. */
        if (le > i && label_ok(t + i, le - i, 0)) {
            *label_end = le;
            *text_start = reader_skip_space(t, c + 1, end);
            return 1;
        }
    }
    /* No colon: ">> NAME\u00a0 text" -- a run of words in capitals. */
    {
        size_t p = i, last_end = i;
        int words = 0;
        while (p < end) {
            size_t j = p;
            while (j < end && !reader_space_len(t + j, end - j))
                j++;
            if (!reader_is_upper_word(t + p, j - p) || !label_ok(t + p, j - p, 1))
                break;
            /* A capital word followed by punctuation ends a sentence, not a label. */
            if (ispunct((unsigned char)t[j - 1]) && t[j - 1] != '.')
                break;
            words++;
            last_end = j;
            p = reader_skip_space(t, j, end);
        }
        if (words >= 1 && last_end > i && p < end && label_ok(t + i, last_end - i, 1) &&
            (words >= 2 || last_end - i >= 3)) {
            /* The text must go on in ordinary case after the label: its
             * first word has a lower-case letter, or is "I" or "I'm". */
            size_t w = p;
            int lower = 0;
            while (w < end && !reader_space_len(t + w, end - w)) {
                if (islower((unsigned char)t[w]))
                    lower = 1;
                w++;
            }
            if (lower || !isalpha((unsigned char)t[p]) || (t[p] == 'I' && (w == p + 1 || t[p + 1] == '\''))) {
                *label_end = last_end;
                *text_start = p;
                return 1;
            }
        }
    }
    *label_end = i;
    *text_start = i;
    return 0;
}

static const char *footer_marks[] = {
    "rough draft format", "communication access realtime translation",
    "not be a totally verbatim", "not to be distributed", "services provided by",
    NULL
};

static int is_footer_line(const char *s, size_t n)
{
    for (int i = 0; footer_marks[i]; i++)
        if (reader_find_ci(s, n, footer_marks[i]) >= 0)
            return 1;
    return 0;
}

/* "(Chuckling)", "(Session concluded at 1608 UTC)": a whole line in parentheses. */
static int is_stage_line(const char *s, size_t n)
{
    size_t e = reader_trim_end(s, 0, n);
    return e >= 2 && s[0] == '(' && s[e - 1] == ')' && !memchr(s + 1, '(', e - 2);
}

static char *label_key(const char *s, size_t n)
{
    char *k = reader_clean_dup(s, n);
    size_t len = strlen(k);

    while (len > 0 && (k[len - 1] == '.' || k[len - 1] == ' '))
        k[--len] = '\0';
    for (size_t i = 0; i < len; i++)
        k[i] = (char)toupper((unsigned char)k[i]);
    return k;
}

struct lab {
    char *raw;      /* as written (spaces folded) */
    char *key;      /* upper case */
    int count;
    int group;      /* speaker index */
    int first;      /* turn index of first use */
};

static int find_lab(struct lab *labs, int n, const char *raw)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(labs[i].raw, raw))
            return i;
    return -1;
}

static int key_words(const char *k)
{
    int w = 1;
    for (; *k; k++)
        if (*k == ' ')
            w++;
    return w;
}

static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int prev[64], cur[64];

    if (la >= 63 || lb >= 63)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int c = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < c)
                c = prev[j] + 1;
            if (cur[j - 1] + 1 < c)
                c = cur[j - 1] + 1;
            cur[j] = c;
        }
        memcpy(prev, cur, sizeof(int) * (lb + 1));
    }
    return prev[lb];
}

/* ASCII lower case of c, other bytes as they are: the folding of
 * reader_strncasecmp_ascii(). */
static char low_ascii(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* reader_find_word_ci(text + from, len - from, needle) on `low`, the
 * text in ASCII lower case, for a lower-case needle: memmem instead of a
 * case-folding compare at every byte (display names search the whole
 * record once per speaker). Returns the offset in the text or -1. */
static long find_word_low(const char *low, size_t len, size_t from, const char *needle, size_t m)
{
    size_t at = from;

    while (at < len) {
        const char *p = memmem(low + at, len - at, needle, m);
        size_t k, e;

        if (!p)
            return -1;
        k = (size_t)(p - low);
        e = k + m;
        if ((k == from || !isalnum((unsigned char)low[k - 1])) &&
            (e >= len || !isalnum((unsigned char)low[e])))
            return (long)k;
        at = k + 1;
    }
    return -1;
}

/* Best display name for a key: a mixed-case spelling from the running
 * text when there is one ("Wout de Natris"), else title case. `*low` is
 * the record in ASCII lower case, made on first use (free with free()). */
static char *display_name(const struct record *r, const char *raw, char **low)
{
    size_t n = strlen(raw), from = 0;

    if (n && reader_is_upper_word(raw, n) && key_words(raw) >= 2) {
        char *needle = xstrdup(raw);

        for (size_t i = 0; i < n; i++)
            needle[i] = low_ascii(needle[i]);
        if (!*low) {
            *low = xmalloc(r->len + 1);
            reader_lower_ascii(*low, r->text, r->len);
            (*low)[r->len] = '\0';
        }
        while (from < r->len) {
            long k = find_word_low(*low, r->len, from, needle, n);
            if (k < 0)
                break;
            size_t at = (size_t)k;
            if (!reader_is_upper_word(r->text + at, n) && isupper((unsigned char)r->text[at])) {
                free(needle);
                return xstrndup(r->text + at, n);
            }
            from = at + n;
        }
        free(needle);
    }
    return record_name_dup(raw);
}

static void build_speakers(struct record *r, struct lab *labs, int nl)
{
    int *parent = xcalloc((size_t)nl, sizeof(int));
    char *low = NULL;

    for (int i = 0; i < nl; i++)
        parent[i] = i;
    /* Same key (case, spacing, trailing dot) is the same person. */
    for (int i = 0; i < nl; i++)
        for (int j = 0; j < i; j++)
            if (parent[j] == j && !strcmp(labs[i].key, labs[j].key)) {
                parent[i] = j;
                break;
            }
    /* One word that is the first (or last) word of exactly one longer
     * label: "WOUT" is "WOUT DE NATRIS". */
    for (int i = 0; i < nl; i++) {
        int match = -1, matches = 0;
        size_t kl = strlen(labs[i].key);
        if (parent[i] != i || key_words(labs[i].key) != 1)
            continue;
        for (int j = 0; j < nl; j++) {
            const char *kj = labs[j].key;
            size_t lj = strlen(kj);
            if (j == i || parent[j] != j || key_words(kj) < 2)
                continue;
            if ((!strncmp(kj, labs[i].key, kl) && kj[kl] == ' ') ||
                (lj > kl && !strcmp(kj + lj - kl, labs[i].key) && kj[lj - kl - 1] == ' ')) {
                if (match < 0 || strcmp(labs[match].key, kj))
                    matches++;
                match = j;
            }
        }
        if (matches == 1)
            parent[i] = match;
    }
    /* A misspelt label: close to a more used one with the same first word. */
    for (int i = 0; i < nl; i++) {
        if (parent[i] != i || strlen(labs[i].key) < 8)
            continue;
        for (int j = 0; j < nl; j++) {
            if (j == i || parent[j] != j || labs[j].count < labs[i].count ||
                strlen(labs[j].key) < 8)
                continue;
            if (edit_distance(labs[i].key, labs[j].key) <= 2 &&
                labs[i].key[0] == labs[j].key[0] && strcmp(labs[i].key, labs[j].key)) {
                parent[i] = j;
                break;
            }
        }
    }
    /* Speakers in order of first appearance. */
    for (int i = 0; i < nl; i++)
        labs[i].group = -1;
    for (int pass = 0; pass < nl; pass++) {
        int best = -1;
        for (int i = 0; i < nl; i++) {
            int root = i;
            while (parent[root] != root)
                root = parent[root];
            if (labs[root].group >= 0)
                continue;
            if (best < 0 || labs[i].first < labs[best].first)
                best = i;
        }
        if (best < 0)
            break;
        int root = best;
        while (parent[root] != root)
            root = parent[root];
        struct record_speaker *sp = READER_PUSH(r->speakers, r->n_speakers);
        memset(sp, 0, sizeof(*sp));
        labs[root].group = r->n_speakers - 1;
        /* Labels of this person, most used first; the name from the longest. */
        int longest = -1;
        for (int i = 0; i < nl; i++) {
            int ri = i;
            while (parent[ri] != ri)
                ri = parent[ri];
            if (ri != root)
                continue;
            labs[i].group = labs[root].group;
            if (longest < 0 || key_words(labs[i].key) > key_words(labs[longest].key) ||
                (key_words(labs[i].key) == key_words(labs[longest].key) &&
                 labs[i].count > labs[longest].count))
                longest = i;
        }
        for (int i = 0; i < nl; i++) {
            if (labs[i].group != labs[root].group)
                continue;
            int at = sp->n_labels;
            sp->labels = xrealloc(sp->labels, sizeof(char *) * (size_t)(at + 1));
            while (at > 0 && labs[find_lab(labs, nl, sp->labels[at - 1])].count < labs[i].count) {
                sp->labels[at] = sp->labels[at - 1];
                at--;
            }
            sp->labels[at] = xstrdup(labs[i].raw);
            sp->n_labels++;
        }
        sp->name = display_name(r, labs[longest].raw, &low);
    }
    free(low);
    free(parent);
}

/* ---- "Name: text" transcripts (no ">>") ------------------------------- */

/* Labels that head a line of a record without being anyone who spoke. */
static const char *const not_speakers[] = {
    "date", "time", "location", "venue", "place", "present", "participants", "attendees",
    "attendance", "apologies", "absent", "regrets", "agenda", "chair", "chairs", "facilitator",
    "facilitators", "note", "notes", "minutes", "subject", "re", "from", "to", "cc", "title",
    "next steps", "key points", "decisions", "decision", "action", "actions", "action items",
    "action points", "outcome", "outcomes", "summary", "meeting", "when", "where", "call",
    "link", "email", "phone", "item", "items", "topic", "topics", "agreed", "update",
    "updates", "status", "background", "purpose", "goal", "result", "results", NULL
};

int transcript_plain_turn(const char *t, const struct rline *ln, size_t *label_end,
                          size_t *text_start)
{
    size_t p = ln->text, e = ln->end, q, colon;

    if (ln->blank)
        return 0;
    /* A clock time first: "00:12:03 Ana Ruiz: ...", "[10:02] Ana: ...". */
    q = p + (t[p] == '[');
    while (q < e && (isdigit((unsigned char)t[q]) || t[q] == ':' || t[q] == '.'))
        q++;
    if (q > p + 3 && memchr(t + p, ':', q - p) && q < e && (t[q] == ' ' || t[q] == ']'))
        p = reader_skip_space(t, q + (t[q] == ']'), e);
    colon = p;
    while (colon < e && colon - p <= 40 && t[colon] != ':')
        colon++;
    if (colon >= e || t[colon] != ':' || colon == p || colon - p > 40 ||
        !label_ok(t + p, colon - p, 0) || reader_trim_end(t, p, colon) < colon)
        return 0;
    for (int i = 0; not_speakers[i]; i++)
        if (strlen(not_speakers[i]) == colon - p &&
            !reader_strncasecmp_ascii(t + p, not_speakers[i], colon - p))
            return 0;
    q = reader_skip_space(t, colon + 1, e);
    if (q >= e)
        return 0;
    *label_end = colon;
    *text_start = q;
    return 1;
}

int transcript_plain_shape(const char *t, const struct rlines *l)
{
    struct { size_t s, n; int count; } seen[32];
    int n_seen = 0, lines = 0, repeated = 0;

    for (int i = 0; i < l->n; i++) {
        size_t le, ts, s = l->v[i].text;
        int k;

        if (!transcript_plain_turn(t, &l->v[i], &le, &ts))
            continue;
        /* The label starts past a clock time, if any: from the end back. */
        while (s < le && !isupper((unsigned char)t[s]))
            s++;
        lines++;
        for (k = 0; k < n_seen; k++)
            if (seen[k].n == le - s && !memcmp(t + seen[k].s, t + s, le - s))
                break;
        if (k == n_seen && n_seen < 32) {
            seen[n_seen].s = s;
            seen[n_seen].n = le - s;
            seen[n_seen++].count = 0;
        }
        if (k < n_seen && ++seen[k].count == 2)
            repeated++;
    }
    /* Someone who speaks more than once, and more than one person: a
     * participants list ("Ana Ruiz: Coalition X") names each once. */
    return lines >= 4 && n_seen >= 2 && repeated >= 1;
}

/* Give turn `cur` the text up to `end` when continuation lines grew it. */
static void finish_turn(struct record *r, int cur, size_t end, int *grown)
{
    struct record_turn *tn;

    if (cur < 0 || !*grown)
        return;
    tn = &r->turns[cur];
    free(tn->text);
    tn->text = xstrndup(r->text + tn->offset, end - tn->offset);
    *grown = 0;
}

int transcript_read(struct record *r, const struct rlines *l)
{
    const char *t = r->text;
    struct lab *labs = NULL;
    int nl = 0, first_turn = -1, cur = -1, footer = 0;
    size_t turn_end = 0;
    int grown = 0;

    size_t le = 0, ts = 0;
    int plain = 0;

    for (int i = 0; i < l->n; i++)
        if (!l->v[i].blank && t[l->v[i].text] == '>' && l->v[i].end - l->v[i].text >= 2 &&
            t[l->v[i].text + 1] == '>') {
            first_turn = i;
            break;
        }
    /* No ">>" at all: "Name: text" turns (record.c said they are there). */
    if (first_turn < 0 && transcript_plain_shape(t, l)) {
        plain = 1;
        for (int i = 0; i < l->n && first_turn < 0; i++)
            if (transcript_plain_turn(t, &l->v[i], &le, &ts))
                first_turn = i;
    }
    if (first_turn < 0)
        return -1;
    reader_parse_header(r, l, first_turn);

    for (int i = first_turn; i < l->n; i++) {
        const struct rline *ln = &l->v[i];
        size_t p = ln->text;
        int labelled = 0;

        if (ln->blank)
            continue;
        if (plain ? (labelled = transcript_plain_turn(t, ln, &le, &ts)) != 0
                  : (t[p] == '>' && p + 1 < ln->end && t[p + 1] == '>')) {
            struct record_turn *tn;
            footer = 0;
            if (plain) {
                /* Past a clock time to the name. */
                while (p < le && !isupper((unsigned char)t[p]))
                    p++;
            } else {
                while (p < ln->end && t[p] == '>')
                    p++;
                p = reader_skip_space(t, p, ln->end);
                labelled = parse_label(t, p, ln->end, &le, &ts);
            }
            if (cur >= 0)
                r->turns[cur].words = 0;    /* recomputed below */
            finish_turn(r, cur, turn_end, &grown);
            tn = READER_PUSH(r->turns, r->n_turns);
            memset(tn, 0, sizeof(*tn));
            cur = r->n_turns - 1;
            tn->speaker = -1;
            if (labelled) {
                char *raw = reader_clean_dup(t + p, le - p);
                int k = find_lab(labs, nl, raw);
                if (k < 0) {
                    struct lab *lb = READER_PUSH(labs, nl);
                    lb->raw = raw;
                    lb->key = label_key(t + p, le - p);
                    lb->count = 0;
                    lb->first = cur;
                    k = nl - 1;
                } else {
                    free(raw);
                }
                labs[k].count++;
                tn->label = xstrdup(labs[k].raw);
                tn->speaker = k;        /* label index for now */
            } else {
                r->unattributed++;
            }
            tn->offset = ts;
            turn_end = reader_trim_end(t, ts, ln->end);
            tn->text = xstrndup(t + ts, turn_end - ts);
            continue;
        }
        if (is_footer_line(t + p, ln->end - p)) {
            footer = 1;
            continue;
        }
        if (is_stage_line(t + p, ln->end - p)) {
            long k = reader_find_ci(t + p, ln->end - p, "concluded at");
            if (k < 0)
                k = reader_find_ci(t + p, ln->end - p, "ended at");
            if (k >= 0 && !r->end_time_utc) {
                const char *s = t + p + k;
                size_t n = ln->end - p - (size_t)k;
                for (size_t d = 0; d + 4 <= n; d++)
                    if (isdigit((unsigned char)s[d]) && isdigit((unsigned char)s[d + 1]) &&
                        isdigit((unsigned char)s[d + 2]) && isdigit((unsigned char)s[d + 3])) {
                        r->end_time_utc = xasprintf("%c%c:%c%c", s[d], s[d + 1], s[d + 2], s[d + 3]);
                        break;
                    }
            }
            continue;
        }
        if (footer || cur < 0)
            continue;
        /* A continuation line or paragraph of the current turn: only its
         * end moves here; the text is copied once the turn is over, so a
         * turn hard-wrapped over many lines costs linear time. */
        turn_end = reader_trim_end(t, p, ln->end);
        grown = 1;
    }
    finish_turn(r, cur, turn_end, &grown);
    if (nl == 0 && r->n_turns == 0) {
        free(labs);
        return -1;
    }
    build_speakers(r, labs, nl);
    for (int i = 0; i < r->n_turns; i++) {
        struct record_turn *tn = &r->turns[i];
        tn->words = reader_count_words(tn->text, strlen(tn->text));
        if (tn->speaker >= 0) {
            tn->speaker = labs[tn->speaker].group;
            r->speakers[tn->speaker].turns++;
            r->speakers[tn->speaker].words += tn->words;
        }
    }
    for (int i = 0; i < nl; i++) {
        free(labs[i].raw);
        free(labs[i].key);
    }
    free(labs);
    return 0;
}
