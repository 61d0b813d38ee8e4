/* storage/roles.c -- who chaired or facilitated a meeting: the roles a
 * summary's participant list gives ("Coordination facilitators",
 * "Secretariat"), what was said in the meeting ("thank you, Markus, for
 * chairing", "our co-facilitator, Jutta"), and failing both, who opened
 * the meeting. Reads the store; writes nothing. */
#include "store_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ROLES_MAX 16
#define ROLES_QUOTE_MAX 200

struct roles {
    struct store *st;
    int64_t meeting_id;
    struct store_role *v;
    int n;
};

void store_roles_free(struct store_role *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].role);
        free(v[i].quote);
        free(v[i].speaker);
    }
    free(v);
}

static int roles_has(const struct roles *r, int64_t person_id, const char *role)
{
    for (int i = 0; i < r->n; i++)
        if (r->v[i].person_id == person_id && !strcmp(r->v[i].role, role))
            return 1;
    return 0;
}

static void roles_add(struct roles *r, int64_t person_id, const char *name, const char *role,
                      int source, const char *quote, const char *speaker)
{
    struct store_role *x;

    if (r->n >= ROLES_MAX || roles_has(r, person_id, role))
        return;
    r->v = xrealloc(r->v, sizeof(*r->v) * (size_t)(r->n + 1));
    x = &r->v[r->n++];
    x->person_id = person_id;
    x->name = xstrdup(name);
    x->role = xstrdup(role);
    x->source = source;
    x->quote = quote ? xstrndup(quote, strlen(quote) > ROLES_QUOTE_MAX ? ROLES_QUOTE_MAX
                                                                        : strlen(quote)) : NULL;
    x->speaker = speaker ? xstrdup(speaker) : NULL;
}

/* Roles from the participant lists of the meeting's summaries. */
static int roles_listed(struct roles *r)
{
    sqlite3_stmt *s = store_stmt(r->st,
        "SELECT COALESCE(c.id, p.id), COALESCE(c.name, p.name), lower(pa.role)"
        " FROM participants pa JOIN persons p ON p.id = pa.person_id"
        " LEFT JOIN persons c ON c.id = p.canon_id"
        " WHERE pa.meeting_id = ? AND pa.role IS NOT NULL AND lower(pa.role) <> 'participant'"
        " ORDER BY pa.record_id, pa.seq");
    int rc;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, r->meeting_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        roles_add(r, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
                  (const char *)sqlite3_column_text(s, 2), STORE_ROLE_LISTED, NULL, NULL);
    store_stmt_done(s);
    return rc == SQLITE_DONE ? 0 : store_fail(r->st, "roles (listed)");
}

static const char *const not_names[] = {
    "You", "Thank", "Thanks", "And", "So", "But", "The", "Our", "As", "I", "We", NULL,
};

static int is_not_name(const char *w)
{
    for (int i = 0; not_names[i]; i++)
        if (!strcmp(w, not_names[i]))
            return 1;
    return 0;
}

static void roles_name(struct roles *r, const char *word, const char *role, const char *text,
                       const char *speaker)
{
    char *canonical = NULL;
    int64_t id;

    if (is_not_name(word))
        return;
    id = attrib_person(r->st, r->meeting_id, word, &canonical);
    if (id > 0 && canonical)
        roles_add(r, id, canonical, role, STORE_ROLE_SAID, text, speaker);
    free(canonical);
}

/* Cues in one turn: "<Name>, for chairing", "co-facilitator, <Name>",
 * "<Name>, as co-facilitator", "chaired by <Name>". */
static void roles_scan(struct roles *r, const char *text, const char *speaker)
{
    static const struct { const char *cue; const char *role; int after; } cues[] = {
        { "for chairing", "chair", 0 },
        { "chaired by", "chair", 1 },
        { "our chair", "chair", 1 },
        { "co-facilitator", "co-facilitator", 1 },
        { "as co-facilitator", "co-facilitator", 0 },
        { "co-chair", "co-chair", 1 },
        { "our facilitator", "facilitator", 1 },
        { "our moderator", "moderator", 1 },
    };
    char word[ATTRIB_WORD_MAX];
    const char *from;

    for (size_t i = 0; i < sizeof(cues) / sizeof(cues[0]); i++) {
        size_t cl = strlen(cues[i].cue);

        for (const char *p = strcasestr(text, cues[i].cue); p; p = strcasestr(p + cl, cues[i].cue)) {
            /* Quote from the start of the sentence that says it. */
            for (from = p; from > text && !(strchr(".?!", from[-1]) && from[0] == ' '); from--)
                ;
            while (*from == ' ')
                from++;
            if (cues[i].after) {
                /* "co-facilitator, Jutta," -- but not "co-facilitator of the session" */
                if (attrib_word_after(p + cl, word))
                    roles_name(r, word, cues[i].role, from, speaker);
            } else if (attrib_word_before(text, p, word)) {
                roles_name(r, word, cues[i].role, from, speaker);
            }
        }
    }
}

static int roles_said(struct roles *r)
{
    sqlite3_stmt *s = store_stmt(r->st,
        "SELECT t.text, COALESCE(c.name, p.name) FROM turns t"
        " LEFT JOIN persons p ON p.id = t.person_id LEFT JOIN persons c ON c.id = p.canon_id"
        " WHERE t.meeting_id = ? AND (t.text LIKE '%chair%' OR t.text LIKE '%facilitator%'"
        "   OR t.text LIKE '%moderator%')"
        " ORDER BY t.record_id, t.seq");
    int rc;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, r->meeting_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        roles_scan(r, (const char *)sqlite3_column_text(s, 0),
                   (const char *)sqlite3_column_text(s, 1));
    store_stmt_done(s);
    return rc == SQLITE_DONE ? 0 : store_fail(r->st, "roles (said)");
}

/* No one named as chair: the speaker of the first attributed turn of a
 * transcript, when they spoke more than anyone else or at least a few
 * times -- the person who opened the meeting and gave the floor. */
static int roles_opened(struct roles *r)
{
    sqlite3_stmt *s = store_stmt(r->st,
        "SELECT COALESCE(c.id, p.id), COALESCE(c.name, p.name), t.text,"
        "  (SELECT SUM(sp.turns) FROM speakers sp WHERE sp.meeting_id = t.meeting_id"
        "     AND sp.person_id = t.person_id)"
        " FROM turns t JOIN persons p ON p.id = t.person_id"
        " LEFT JOIN persons c ON c.id = p.canon_id"
        " JOIN records rc ON rc.id = t.record_id"
        " WHERE t.meeting_id = ? AND rc.kind = 1 ORDER BY t.record_id, t.seq LIMIT 1");
    int rc;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, r->meeting_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_int(s, 3) >= 3)
        roles_add(r, sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
                  "chair", STORE_ROLE_OPENED, (const char *)sqlite3_column_text(s, 2),
                  (const char *)sqlite3_column_text(s, 1));
    store_stmt_done(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(r->st, "roles (opened)");
}

static int roles_any_chair(const struct roles *r)
{
    for (int i = 0; i < r->n; i++)
        if (strstr(r->v[i].role, "chair") || strstr(r->v[i].role, "facilitator") ||
            strstr(r->v[i].role, "moderator"))
            return 1;
    return 0;
}

static int role_rank(const char *role)
{
    return !strcmp(role, "chair") ? 0 : strstr(role, "chair") ? 1 :
           !strcmp(role, "facilitator") ? 2 : strstr(role, "facilitator") ? 3 :
           strstr(role, "moderator") ? 4 : 5;
}

static int role_cmp(const void *a, const void *b)
{
    const struct store_role *x = a, *y = b;
    int d = role_rank(x->role) - role_rank(y->role);

    return d ? d : x->source - y->source;
}

int store_meeting_roles(struct store *st, int64_t meeting_id, struct store_role **out, int *n)
{
    struct roles r = { st, meeting_id, NULL, 0 };

    *out = NULL;
    *n = 0;
    if (roles_listed(&r) < 0 || roles_said(&r) < 0)
        goto fail;
    if (!roles_any_chair(&r) && roles_opened(&r) < 0)
        goto fail;
    if (r.n > 1)
        qsort(r.v, (size_t)r.n, sizeof(*r.v), role_cmp);
    *out = r.v;
    *n = r.n;
    return 0;
fail:
    store_roles_free(r.v, r.n);
    return -1;
}
