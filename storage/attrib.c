/* storage/attrib.c -- who a turn's words belong to when the label does
 * not say: a turn that credits someone else ("Jutta's question, she wants
 * to reverse the order", "as Mark suggested"), and an unattributed turn
 * that follows the chair giving someone the floor ("Sivan put their hand
 * up, please"). Names resolve only to people of that meeting. Reads the
 * store (statements kept prepared); writes nothing. */
#include "store_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ATTRIB_FLOOR_TAIL 160   /* bytes at the end of the turn before */

int64_t attrib_person(struct store *st, int64_t meeting_id, const char *word, char **canonical)
{
    sqlite3_stmt *s = store_stmt(st,
        "SELECT COALESCE(c.id, p.id), COALESCE(c.name, p.name)"
        " FROM persons p LEFT JOIN persons c ON c.id = p.canon_id"
        " WHERE (p.first_key = ?1 OR p.name_key = ?1)"
        "   AND COALESCE(c.id, p.id) IN (SELECT COALESCE(c2.id, p2.id) FROM persons p2"
        "       LEFT JOIN persons c2 ON c2.id = p2.canon_id WHERE p2.id IN"
        "       (SELECT person_id FROM speakers WHERE meeting_id = ?2"
        "        UNION SELECT person_id FROM participants WHERE meeting_id = ?2))"
        " GROUP BY 1");
    char *key = people_key_dup(word);
    int64_t id = 0;
    int rows = 0;

    *canonical = NULL;
    if (!s) {
        free(key);
        return -1;
    }
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, meeting_id);
    while (sqlite3_step(s) == SQLITE_ROW)
        if (++rows == 1) {
            id = sqlite3_column_int64(s, 0);
            *canonical = store_col_dup(s, 1);
        }
    store_stmt_done(s);
    free(key);
    if (rows != 1) {            /* unknown, or two people of that first name */
        free(*canonical);
        *canonical = NULL;
        return 0;
    }
    return id;
}

static int name_byte(unsigned char c)
{
    return isalpha(c) || c == '-' || c >= 0x80;
}

int attrib_word_before(const char *text, const char *end, char *out)
{
    const char *e = end, *b;

    while (e > text && (e[-1] == ' ' || e[-1] == ','))
        e--;
    for (b = e; b > text && name_byte((unsigned char)b[-1]); b--)
        ;
    if (b == e || !isupper((unsigned char)*b) || e - b >= ATTRIB_WORD_MAX)
        return 0;
    memcpy(out, b, (size_t)(e - b));
    out[e - b] = '\0';
    return 1;
}

int attrib_word_after(const char *p, char *out)
{
    const char *e;

    while (*p == ' ' || *p == ',')
        p++;
    for (e = p; name_byte((unsigned char)*e); e++)
        ;
    if (e == p || !isupper((unsigned char)*p) || e - p >= ATTRIB_WORD_MAX)
        return 0;
    memcpy(out, p, (size_t)(e - p));
    out[e - p] = '\0';
    return 1;
}

static const char *const not_names[] = {
    "I", "You", "We", "They", "He", "She", "It", "So", "And", "But", "Thank", "Thanks",
    "Yes", "No", "Okay", "OK", "Please", "The", "This", "That", "Everyone", "Anyone", NULL,
};

static int64_t resolve(struct store *st, int64_t meeting_id, const char *word, char **name)
{
    for (int i = 0; not_names[i]; i++)
        if (!strcmp(word, not_names[i]))
            return 0;
    return attrib_person(st, meeting_id, word, name);
}

int64_t attrib_credited(struct store *st, int64_t meeting_id, const char *text, char **name,
                        size_t *at)
{
    /* "<Name>'s question", "<Name>’s suggestion" */
    static const char *const things[] = {
        "question", "suggestion", "proposal", "idea", NULL,
    };
    /* "as <Name> suggested", "<Name> proposed" */
    static const char *const verbs[] = {
        " suggested", " proposed", " raised", " asked", NULL,
    };
    char word[ATTRIB_WORD_MAX];
    int64_t id;

    *name = NULL;
    for (const char *p = text; (p = strchr(p, 's')) != NULL; p++) {
        const char *apos = NULL, *after = p + 1;

        if (p > text && p[-1] == '\'')
            apos = p - 1;
        else if (p - text >= 3 && !memcmp(p - 3, "\xe2\x80\x99", 3))
            apos = p - 3;
        if (!apos || *after != ' ')
            continue;
        after++;
        for (int i = 0; things[i]; i++)
            if (!strncasecmp(after, things[i], strlen(things[i])) &&
                attrib_word_before(text, apos, word) &&
                (id = resolve(st, meeting_id, word, name)) > 0) {
                *at = (size_t)(apos - text);
                return id;
            }
    }
    for (int i = 0; verbs[i]; i++) {
        for (const char *p = strstr(text, verbs[i]); p; p = strstr(p + 1, verbs[i])) {
            if (attrib_word_before(text, p, word) && (id = resolve(st, meeting_id, word, name)) > 0) {
                *at = (size_t)(p - text);
                return id;
            }
        }
    }
    return 0;
}

int64_t attrib_floor(struct store *st, int64_t turn_id, char **name)
{
    /* "<Name>, please", "<Name> put their hand up", "over to you, <Name>" */
    static const struct { const char *cue; int after; } cues[] = {
        { ", please", 0 }, { " put their hand up", 0 }, { " put his hand up", 0 },
        { " put her hand up", 0 }, { " has the floor", 0 }, { ", you have the floor", 0 },
        { ", go ahead", 0 }, { "over to you", 1 }, { "floor to", 1 }, { "give the floor to", 1 },
    };
    /* Only an unattributed transcript turn, and the turn just before it. */
    sqlite3_stmt *s = store_stmt(st,
        "SELECT p.text, t.meeting_id FROM turns t JOIN records r ON r.id = t.record_id"
        " JOIN turns p ON p.record_id = t.record_id AND p.seq = t.seq - 1"
        " WHERE t.id = ? AND t.person_id IS NULL AND r.kind = 1");
    const char *text, *tail;
    char word[ATTRIB_WORD_MAX];
    int64_t id = 0, meeting_id;
    size_t n;

    *name = NULL;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, turn_id);
    if (sqlite3_step(s) != SQLITE_ROW || !(text = (const char *)sqlite3_column_text(s, 0)))
        goto out;
    meeting_id = sqlite3_column_int64(s, 1);
    n = strlen(text);
    tail = n > ATTRIB_FLOOR_TAIL ? text + n - ATTRIB_FLOOR_TAIL : text;
    for (size_t i = 0; i < sizeof(cues) / sizeof(cues[0]) && !id; i++) {
        const char *p = strcasestr(tail, cues[i].cue);
        int ok;

        if (!p)
            continue;
        ok = cues[i].after ? attrib_word_after(p + strlen(cues[i].cue), word)
                           : attrib_word_before(text, p, word);
        if (ok)
            id = resolve(st, meeting_id, word, name);
        if (id < 0)
            id = 0;
    }
out:
    store_stmt_done(s);
    return id;
}
