/* storage/summary.c -- read a written summary report: numbered sections
 * (the agenda), "Key points raised" and "Next steps" bullets, hard-wrapped
 * paragraphs, and the annex (apologies, facilitators, participants as TAB
 * tables or "Name (Affiliation)" lines). Pure: no SQLite, no I/O. */
#include "reader_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum mode {
    MODE_BODY = 0,
    MODE_POINTS,
    MODE_NEXT,
    MODE_DECISIONS,
    MODE_AGENDA,
    MODE_PEOPLE,
    MODE_APOLOGIES
};

struct heading {
    const char *word;
    enum mode mode;
    const char *role;
};

static const struct heading headings[] = {
    { "key points raised", MODE_POINTS, NULL },
    { "key points", MODE_POINTS, NULL },
    { "main points", MODE_POINTS, NULL },
    { "discussion", MODE_POINTS, NULL },
    { "next steps", MODE_NEXT, NULL },
    { "action items", MODE_NEXT, NULL },
    { "action points", MODE_NEXT, NULL },
    { "actions", MODE_NEXT, NULL },
    { "follow-up", MODE_NEXT, NULL },
    { "decisions", MODE_DECISIONS, NULL },
    { "decision", MODE_DECISIONS, NULL },
    { "decisions taken", MODE_DECISIONS, NULL },
    { "decisions made", MODE_DECISIONS, NULL },
    { "decisions reached", MODE_DECISIONS, NULL },
    { "key decisions", MODE_DECISIONS, NULL },
    { "main decisions", MODE_DECISIONS, NULL },
    { "agreed", MODE_DECISIONS, NULL },
    { "agreements", MODE_DECISIONS, NULL },
    { "resolutions", MODE_DECISIONS, NULL },
    { "agenda", MODE_AGENDA, NULL },
    { "annex", MODE_PEOPLE, "participant" },
    { "list of participants", MODE_PEOPLE, "participant" },
    { "participants", MODE_PEOPLE, "participant" },
    { "attendees", MODE_PEOPLE, "participant" },
    { "present", MODE_PEOPLE, "participant" },
    { "in attendance", MODE_PEOPLE, "participant" },
    { "coordination facilitators", MODE_PEOPLE, "facilitator" },
    { "facilitators", MODE_PEOPLE, "facilitator" },
    { "co-facilitators", MODE_PEOPLE, "facilitator" },
    { "chair", MODE_PEOPLE, "chair" },
    { "chairs", MODE_PEOPLE, "chair" },
    { "secretariat support", MODE_PEOPLE, "secretariat" },
    { "secretariat", MODE_PEOPLE, "secretariat" },
    { "apologies", MODE_APOLOGIES, NULL },
    { NULL, MODE_BODY, NULL }
};

/* A heading line: one of the words above, alone (maybe with ':' or '#'). */
static const struct heading *heading_of(const char *s, size_t n)
{
    while (n > 0 && (*s == '#' || *s == '*' || *s == ' ')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ':' || s[n - 1] == '*' || s[n - 1] == ' '))
        n--;
    for (int i = 0; headings[i].word; i++)
        if (strlen(headings[i].word) == n && !reader_strncasecmp_ascii(s, headings[i].word, n))
            return &headings[i];
    return NULL;
}

/* "1. Title", "- 2. Title", "II. Title", "3) Title": returns the offset of
 * the title text, or 0 when the line is not a numbered heading. */
static size_t numbered_heading(const char *s, size_t n)
{
    size_t i = 0, j;

    if (n > 2 && (s[0] == '-' || s[0] == '*') && s[1] == ' ')
        i = 2;
    while (i < n && s[i] == '#')
        i++;
    i = reader_skip_space(s, i, n);
    j = i;
    if (j < n && isdigit((unsigned char)s[j])) {
        while (j < n && isdigit((unsigned char)s[j]))
            j++;
        if (j - i > 2)
            return 0;
    } else {
        while (j < n && strchr("IVX", s[j]))
            j++;
        if (j == i || j - i > 5)
            return 0;
    }
    if (j >= n || (s[j] != '.' && s[j] != ')'))
        return 0;
    j++;
    if (j >= n || !reader_space_len(s + j, n - j))
        return 0;
    j = reader_skip_space(s, j, n);
    /* A heading is short and does not end a sentence. */
    if (j >= n || n - j > 120 || s[n - 1] == '.' || !isupper((unsigned char)s[j]))
        return 0;
    return j;
}

static int is_bullet(const char *s, size_t n, size_t *skip)
{
    if (n >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ') {
        *skip = 2;
        /* A task list's box: "- [ ] send the poll", "- [x] ...". */
        if (n >= 6 && s[2] == '[' && strchr(" xX", s[3]) && s[4] == ']' && s[5] == ' ')
            *skip = 6;
        return 1;
    }
    if (n >= 4 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
        ((unsigned char)s[2] == 0xA2 || (unsigned char)s[2] == 0x93)) {
        *skip = 3;
        return 1;
    }
    return 0;
}

static int is_rule(const char *s, size_t n)
{
    int dashes = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-' || s[i] == '_' || s[i] == '=')
            dashes++;
        else if (s[i] != '\t' && s[i] != ' ' && s[i] != '|')
            return 0;
    }
    return dashes >= 3;
}

static char *trim_dup(const char *s, size_t n)
{
    char *c = reader_clean_dup(s, n);
    size_t l = strlen(c);

    while (l > 0 && (c[l - 1] == '.' || c[l - 1] == ',' || c[l - 1] == ';' || c[l - 1] == ' '))
        c[--l] = '\0';
    return c;
}

static void add_person(struct record *r, const char *name, const char *aff, const char *role)
{
    struct record_person *p;
    size_t nl = strlen(name);

    if (nl < 2 || nl > 80 || !isupper((unsigned char)name[0]))
        return;
    for (int i = 0; i < r->n_participants; i++)
        if (!reader_strncasecmp_ascii(r->participants[i].name, name, nl + 1))
            return;
    p = READER_PUSH(r->participants, r->n_participants);
    p->name = xstrdup(name);
    p->affiliation = aff && *aff ? xstrdup(aff) : NULL;
    p->role = role ? xstrdup(role) : NULL;
}

/* The role a bracket after a name gives ("Ruth Okonkwo (chair)"), or
 * NULL when it is an affiliation. */
static const char *bracket_role(const char *b)
{
    static const struct { const char *word, *role; } roles[] = {
        { "chair", "chair" }, { "co-chair", "chair" }, { "chairperson", "chair" },
        { "facilitator", "facilitator" }, { "co-facilitator", "facilitator" },
        { "moderator", "facilitator" }, { "secretariat", "secretariat" },
        { "secretary", "secretariat" },
    };
    size_t n = strlen(b);

    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strlen(roles[i].word) == n && !reader_strncasecmp_ascii(b, roles[i].word, n))
            return roles[i].role;
    return NULL;
}

/* "Ana Ruiz (Some Coalition)" or "Ana Ruiz, Some Coalition" or "Ana Ruiz". */
static void person_line(struct record *r, const char *s, size_t n, const char *role)
{
    const char *open = memchr(s, '(', n);
    char *name, *aff = NULL;

    if (memchr(s, '\t', n)) {
        /* First<TAB>Last<TAB>Affiliation, with stray trailing TABs. */
        char *fields[6] = { 0 };
        int nf = 0;
        size_t i = 0;
        while (i <= n && nf < 6) {
            const char *tab = memchr(s + i, '\t', n - i);
            size_t e = tab ? (size_t)(tab - s) : n;
            fields[nf++] = trim_dup(s + i, e - i);
            if (!tab)
                break;
            i = e + 1;
        }
        if (nf >= 2 && *fields[0] && *fields[1]) {
            name = xasprintf("%s %s", fields[0], fields[1]);
            aff = nf >= 3 ? fields[2] : NULL;
        } else {
            name = xstrdup(fields[0] ? fields[0] : "");
        }
        add_person(r, name, aff, role);
        free(name);
        for (int k = 0; k < nf; k++)
            free(fields[k]);
        return;
    }
    if (open && memchr(open, ')', n - (size_t)(open - s))) {
        const char *close = memchr(open, ')', n - (size_t)(open - s));
        name = trim_dup(s, (size_t)(open - s));
        aff = trim_dup(open + 1, (size_t)(close - open - 1));
    } else {
        const char *comma = memchr(s, ',', n);
        name = trim_dup(s, comma ? (size_t)(comma - s) : n);
        if (comma)
            aff = trim_dup(comma + 1, n - (size_t)(comma - s) - 1);
    }
    if (aff && bracket_role(aff)) {
        role = bracket_role(aff);
        free(aff);
        aff = NULL;
    }
    if (reader_count_words(name, strlen(name)) <= 5)
        add_person(r, name, aff, role);
    free(name);
    free(aff);
}

/* Each name of a list on one line ("A, B (chair); C and D"), cut at
 * commas, semicolons and " and " outside brackets, given to `each`. */
static void list_each(struct record *r, const char *s, size_t n, const char *role,
                      void (*each)(struct record *, const char *, size_t, const char *))
{
    size_t i = 0, start = 0;
    int depth = 0;

    for (i = 0; i <= n; i++) {
        int cut = i == n, and = 0;
        if (!cut) {
            if (s[i] == '(')
                depth++;
            else if (s[i] == ')' && depth > 0)
                depth--;
            else if (!depth && (s[i] == ',' || s[i] == ';'))
                cut = 1;
            else if (!depth && i + 5 <= n && !strncmp(s + i, " and ", 5))
                cut = and = 1;
        }
        if (!cut)
            continue;
        if (i > start)
            each(r, s + start, i - start, role);
        start = i + (and ? 5 : 1);
        if (and)
            i += 4;
    }
}

/* One name of an apologies list (a bracket after it dropped). */
static void apology_one(struct record *r, const char *p, size_t len, const char *role)
{
    const char *open = memchr(p, '(', len);
    char *name = trim_dup(p, open ? (size_t)(open - p) : len);

    (void)role;
    if (*name && strlen(name) < 60 && isupper((unsigned char)name[0]))
        *READER_PUSH(r->apologies, r->n_apologies) = name;
    else
        free(name);
}

static void apologies_list(struct record *r, const char *s, size_t n)
{
    list_each(r, s, n, NULL, apology_one);
}

/* A line that lists who was there after a label: "Present: A, B (chair)",
 * "Attendees: ...". The length of the label and its colon, else 0. */
static size_t inline_people(const char *s, size_t n)
{
    static const char *const labels[] = { "present", "attendees", "attending", "participants",
                                          "in attendance", "attendance", NULL };

    for (int i = 0; labels[i]; i++) {
        size_t l = strlen(labels[i]);

        if (n > l + 2 && !reader_strncasecmp_ascii(s, labels[i], l) && s[l] == ':' &&
            reader_skip_space(s, l + 1, n) < n)
            return l + 1;
    }
    return 0;
}

static void add_item(struct record_item **arr, int *n, const char *text, const struct record *r,
                     size_t off, size_t len)
{
    struct record_item *it = READER_PUSH(*arr, *n);
    it->text = xstrdup(text);
    it->quote = xstrndup(r->text + off, len);
    it->speaker = NULL;
    it->offset = off;
}

int summary_read(struct record *r, const struct rlines *l)
{
    const char *t = r->text;
    int header_end = l->n, i;
    enum mode mode = MODE_BODY;
    const char *role = NULL;
    char *section = NULL, *sub = NULL;
    int last_para = -1, sub_bullets = 0;

    for (i = 0; i < l->n; i++) {
        const struct rline *ln = &l->v[i];
        size_t n = ln->end - ln->text;
        if (ln->blank)
            continue;
        if (numbered_heading(t + ln->text, n) || heading_of(t + ln->text, n) || n > 200 ||
            !reader_strncasecmp_ascii(t + ln->text, "apologies", 9) ||
            inline_people(t + ln->text, n)) {
            header_end = i;
            break;
        }
    }
    reader_parse_header(r, l, header_end);

    for (i = header_end; i < l->n; i++) {
        const struct rline *ln = &l->v[i];
        const char *s = t + ln->text;
        size_t n = ln->end - ln->text, h, skip = 0;
        const struct heading *hd;

        if (ln->blank)
            continue;
        n = reader_trim_end(t, ln->text, ln->end) - ln->text;
        if (is_rule(s, n))
            continue;
        if ((h = numbered_heading(s, n)) != 0 && mode != MODE_PEOPLE) {
            char *title = reader_clean_dup(s + h, n - h);
            add_item(&r->agenda, &r->n_agenda, title, r, ln->text + h, n - h);
            free(section);
            section = title;
            free(sub);
            sub = NULL;
            mode = MODE_BODY;
            last_para = -1;
            continue;
        }
        if ((hd = heading_of(s, n)) != NULL) {
            size_t hs = 0, he = n;

            /* Its words, without the marks: "## Key points:" is "Key points". */
            while (hs < he && (s[hs] == '#' || s[hs] == '*' || s[hs] == ' '))
                hs++;
            while (he > hs && (s[he - 1] == ':' || s[he - 1] == '*' || s[he - 1] == ' '))
                he--;
            free(sub);
            sub = reader_clean_dup(s + hs, he - hs);
            sub_bullets = 0;
            mode = hd->mode;
            role = hd->role;
            last_para = -1;
            continue;
        }
        if ((skip = inline_people(s, n)) != 0 && n < 600) {
            list_each(r, s + skip, n - skip, "participant", person_line);
            continue;
        }
        skip = 0;
        if (!reader_strncasecmp_ascii(s, "apologies", 9) && n > 10) {
            const char *colon = memchr(s, ':', n < 20 ? n : 20);
            if (colon) {
                apologies_list(r, colon + 1, n - (size_t)(colon + 1 - s));
                continue;
            }
        }
        if ((mode == MODE_PEOPLE || mode == MODE_APOLOGIES) && is_bullet(s, n, &skip)) {
            /* "- Samira Haddad (chair)": the bullet is not the name. */
            s += skip;
            n -= skip;
            skip = 0;
        }
        if (mode == MODE_PEOPLE && n < 200) {
            person_line(r, s, n, role);
            continue;
        }
        if (mode == MODE_APOLOGIES && n < 300) {
            apologies_list(r, s, n);
            continue;
        }
        if (mode == MODE_AGENDA && n < 200) {
            size_t k = numbered_heading(s, n);
            if (!k && is_bullet(s, n, &skip))
                k = skip;
            {
                char *item = reader_clean_dup(s + k, n - k);
                add_item(&r->agenda, &r->n_agenda, item, r, ln->text + k, n - k);
                free(item);
            }
            continue;
        }
        /* Content: a bullet or paragraph. A line starting in lower case
         * continues the paragraph before it (hard wraps, page breaks). */
        {
            int bullet = is_bullet(s, n, &skip);
            /* A plain paragraph after a heading's bullets ends that list:
             * "The meeting was facilitated by ..." is not a next step. */
            if (bullet)
                sub_bullets = 1;
            else if (sub_bullets && sub && (i == 0 || l->v[i - 1].blank) && !islower((unsigned char)s[0])) {
                free(sub);
                sub = NULL;
                mode = MODE_BODY;
                sub_bullets = 0;
            }
            int cont = last_para >= 0 && !bullet &&
                       (islower((unsigned char)s[0]) ||
                        (i > 0 && !l->v[i - 1].blank && !bullet));
            if (cont) {
                struct record_turn *tn = &r->turns[last_para];
                size_t end = ln->text + n;
                free(tn->text);
                tn->text = xstrndup(t + tn->offset, end - tn->offset);
                continue;
            }
            struct record_turn *tn = READER_PUSH(r->turns, r->n_turns);
            memset(tn, 0, sizeof(*tn));
            tn->speaker = -1;
            tn->offset = ln->text + skip;
            tn->offset = reader_skip_space(t, tn->offset, ln->text + n);
            tn->text = xstrndup(t + tn->offset, ln->text + n - tn->offset);
            if (sub && section)
                tn->section = xasprintf("%s / %s", section, sub);
            else
                tn->section = xstrdup(sub ? sub : section);
            last_para = r->n_turns - 1;
        }
    }
    for (i = 0; i < r->n_turns; i++) {
        struct record_turn *tn = &r->turns[i];
        tn->words = reader_count_words(tn->text, strlen(tn->text));
        if (tn->section && (reader_find_ci(tn->section, strlen(tn->section), "key points") >= 0 ||
                            reader_find_ci(tn->section, strlen(tn->section), "main points") >= 0)) {
            char *text = reader_clean_dup(tn->text, strlen(tn->text));
            add_item(&r->points, &r->n_points, text, r, tn->offset, strlen(tn->text));
            free(text);
        }
    }
    free(section);
    free(sub);
    return r->n_turns > 0 || r->n_participants > 0 ? 0 : -1;
}
