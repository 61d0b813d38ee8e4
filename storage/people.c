/* storage/people.c -- persons across records and meetings: interning
 * names, resolving a lone first name ("Avri") to the one known person who
 * carries it ("Avri Doria"), speakers, participants, apologies,
 * attendance and the chat-user links behind "iam" and "my actions".
 * Owns tables persons, labels, speakers, participants, apologies, user_links. */
#include "store_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- names ------------------------------------------------------------ */

char *people_key_dup(const char *name)
{
    char *folded = store_fold_dup(name, strlen(name));
    struct buf b;
    const char *p;
    int space = 0;

    buf_init(&b);
    for (p = folded; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (isspace(c)) {
            space = b.len > 0;
            continue;
        }
        if (space)
            buf_putc(&b, ' ');
        space = 0;
        buf_putc(&b, (char)tolower(c));
    }
    free(folded);
    return buf_detach(&b);
}

/* A lone first name that may stand for a fuller one: one word, capital
 * then lower case ("Avri", "Wout"). Acronyms and bodies ("DCs", "IS3C",
 * "MAG") never resolve to a person. */
static int is_single_name(const char *name)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t n = 0;

    if (!isupper(*p))
        return 0;
    for (p++; *p; p++, n++) {
        if (*p >= 0x80)
            continue;
        if (!islower(*p) && *p != '-' && *p != '\'')
            return 0;
    }
    return n >= 2;
}

int64_t people_intern(struct store *st, const char *name, const char *affiliation)
{
    char *key = people_key_dup(name), *first, *sp;
    sqlite3_stmt *s = NULL;
    int64_t id = -1;

    if (!*key) {
        free(key);
        key = xstrdup("(unknown)");
        name = "(unknown)";
    }
    if (affiliation && !*affiliation)
        affiliation = NULL;
    /* Most names of a record are known already (speakers name the same
     * people in every meeting): look first, write only what is new. */
    s = store_stmt(st, "SELECT id, affiliation IS NULL FROM persons WHERE name_key = ?");
    if (!s)
        goto out_key;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        int fill = affiliation && sqlite3_column_int(s, 1);

        id = sqlite3_column_int64(s, 0);
        store_stmt_done(s);
        s = NULL;
        if (fill) {
            s = store_stmt(st, "UPDATE persons SET affiliation = ? WHERE id = ?");
            if (!s) {
                id = -1;
                goto out_key;
            }
            sqlite3_bind_text(s, 1, affiliation, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 2, id);
            if (sqlite3_step(s) != SQLITE_DONE)
                id = store_fail(st, "cannot store person");
            store_stmt_done(s);
        }
        goto out_key;
    }
    store_stmt_done(s);
    first = xstrdup(key);
    if ((sp = strchr(first, ' ')))
        *sp = '\0';
    s = store_stmt(st, "INSERT INTO persons(name, name_key, first_key, single, affiliation)"
                       " VALUES(?, ?, ?, ?, ?)");
    if (s) {
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, first, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 4, is_single_name(name) && !strchr(key, ' '));
        store_bind_text(s, 5, affiliation);
        if (sqlite3_step(s) == SQLITE_DONE)
            id = sqlite3_last_insert_rowid(st->db);
        else
            store_fail(st, "cannot store person");
        store_stmt_done(s);
    }
    free(first);
out_key:
    free(key);
    return id;
}

int people_resolve(struct store *st)
{
    /* Everybody is themselves, except a lone first name that exactly one
     * fuller name starts with. Persons are only ever added, so only the
     * new ones (canon_id still NULL) and the lone first names a new
     * person's first name matches can change: the result is the same as
     * resolving everybody, whatever the order of ingest, without reading
     * every person after every record. */
    sqlite3_stmt *s = store_stmt(st,
        "UPDATE persons SET canon_id = CASE WHEN single = 0 THEN id ELSE"
        " COALESCE((SELECT MIN(q.id) FROM persons q WHERE q.first_key = persons.name_key"
        "           AND q.name_key <> persons.name_key HAVING COUNT(*) = 1), id) END"
        " WHERE id IN (SELECT id FROM persons WHERE canon_id IS NULL"
        "  UNION SELECT p.id FROM persons p WHERE p.single = 1 AND p.name_key IN"
        "   (SELECT first_key FROM persons WHERE canon_id IS NULL))");
    int rc = 0;

    if (!s)
        return -1;
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_fail(st, "cannot resolve persons");
    store_stmt_done(s);
    return rc;
}

static int canonical_name(struct store *st, int64_t id, char **name)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT name FROM persons WHERE id = ?");
    int rc = STORE_NOTFOUND;

    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        *name = store_col_dup(s, 0);
        rc = 0;
    }
    store_stmt_done(s);
    return rc;
}

/* The one canonical id the query yields, 0 when none or ambiguous. */
static int64_t unique_canon(struct store *st, const char *sql, const char *key)
{
    sqlite3_stmt *s = store_stmt(st, sql);
    int64_t id = 0;
    int rows = 0;

    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    while (sqlite3_step(s) == SQLITE_ROW) {
        id = sqlite3_column_int64(s, 0);
        rows++;
    }
    store_stmt_done(s);
    return rows == 1 ? id : 0;
}

int store_person_find(struct store *st, const char *name, int64_t *id, char **canonical)
{
    static const char *const lookups[] = {
        "SELECT DISTINCT canon_id FROM persons WHERE name_key = ?",
        "SELECT DISTINCT p.canon_id FROM labels l JOIN persons p ON p.id = l.person_id"
        " WHERE l.label_key = ?",
        "SELECT DISTINCT canon_id FROM persons WHERE first_key = ?",
        "SELECT DISTINCT canon_id FROM persons WHERE name_key LIKE '% ' || ?",
    };
    char *key = people_key_dup(name);
    int64_t found = 0;
    size_t i;

    *id = 0;
    if (canonical)
        *canonical = NULL;
    for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]) && *key && !found; i++) {
        /* LIKE treats % and _ as wildcards: skip the surname lookup for them. */
        if (i == 3 && strpbrk(key, "%_"))
            continue;
        found = unique_canon(st, lookups[i], key);
        if (found < 0) {
            free(key);
            return -1;
        }
    }
    free(key);
    if (!found)
        return STORE_NOTFOUND;
    *id = found;
    return canonical ? canonical_name(st, found, canonical) : 0;
}

/* ---- speakers, participants, apologies ------------------------------- */

void store_speakers_free(struct store_speaker *v, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        free(v[i].name);
        store_strings_free(v[i].labels, v[i].n_labels);
    }
    free(v);
}

static int has_string(char **v, int n, const char *s)
{
    int i;

    for (i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}

int store_meeting_speakers(struct store *st, int64_t meeting_id,
                           struct store_speaker **out, int *n)
{
    sqlite3_stmt *s = store_stmt(st,
        "SELECT c.id, c.name, SUM(s.turns), SUM(s.words) FROM speakers s"
        " JOIN persons p ON p.id = s.person_id JOIN persons c ON c.id = p.canon_id"
        " WHERE s.meeting_id = ? GROUP BY c.id"
        " ORDER BY SUM(s.turns) DESC, SUM(s.words) DESC, MIN(s.rowid)");
    /* Every label of the meeting in one pass (not a query per speaker),
     * each given to its speaker in record and label order. */
    sqlite3_stmt *l = store_stmt(st,
        "SELECT p.canon_id, l.label FROM labels l JOIN records r ON r.id = l.record_id"
        " JOIN persons p ON p.id = l.person_id WHERE r.meeting_id = ?"
        " ORDER BY l.record_id, l.seq");
    struct store_speaker *v = NULL;
    int cnt = 0, rc = -1, i;

    *out = NULL;
    *n = 0;
    if (!s || !l)
        goto out;
    sqlite3_bind_int64(s, 1, meeting_id);
    while (sqlite3_step(s) == SQLITE_ROW) {
        v = xrealloc(v, sizeof(*v) * (size_t)(cnt + 1));
        memset(&v[cnt], 0, sizeof(v[cnt]));
        v[cnt].person_id = sqlite3_column_int64(s, 0);
        v[cnt].name = store_col_dup(s, 1);
        v[cnt].turns = sqlite3_column_int(s, 2);
        v[cnt].words = sqlite3_column_int(s, 3);
        cnt++;
    }
    sqlite3_bind_int64(l, 1, meeting_id);
    while (cnt && sqlite3_step(l) == SQLITE_ROW) {
        int64_t canon = sqlite3_column_int64(l, 0);
        const char *lab = (const char *)sqlite3_column_text(l, 1);

        for (i = 0; i < cnt && v[i].person_id != canon; i++)
            ;
        if (i < cnt && lab && !has_string(v[i].labels, v[i].n_labels, lab))
            strv_push(&v[i].labels, &v[i].n_labels, lab);
    }
    *out = v;
    *n = cnt;
    v = NULL;
    cnt = 0;
    rc = 0;
out:
    store_stmt_done(s);
    store_stmt_done(l);
    store_speakers_free(v, cnt);
    return rc;
}

void store_participants_free(struct store_participant *v, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].affiliation);
        free(v[i].role);
    }
    free(v);
}

int store_meeting_participants(struct store *st, int64_t meeting_id,
                               struct store_participant **out, int *n)
{
    /* Listed people first (record order), then speakers not listed;
     * whether each spoke, from the set of the meeting's speakers (made
     * once, not a search of them per person). */
    sqlite3_stmt *s = store_stmt(st,
        "SELECT c.id, c.name, COALESCE(x.affiliation, p.affiliation, c.affiliation), x.role,"
        "  c.id IN (SELECT p2.canon_id FROM speakers s2 JOIN persons p2 ON p2.id = s2.person_id"
        "           WHERE s2.meeting_id = ?1) FROM ("
        "  SELECT person_id, affiliation, role, record_id AS r, seq FROM participants"
        "   WHERE meeting_id = ?1"
        "  UNION ALL SELECT person_id, NULL, NULL, 1e18, rowid FROM speakers WHERE meeting_id = ?1"
        " ) x JOIN persons p ON p.id = x.person_id JOIN persons c ON c.id = p.canon_id"
        " ORDER BY x.r, x.seq");
    struct store_participant *v = NULL;
    int cnt = 0, i;

    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, meeting_id);
    while (sqlite3_step(s) == SQLITE_ROW) {
        int64_t pid = sqlite3_column_int64(s, 0);

        for (i = 0; i < cnt && v[i].person_id != pid; i++)
            ;
        if (i < cnt) {
            if (!v[i].affiliation)
                v[i].affiliation = store_col_dup(s, 2);
            if (!v[i].role)
                v[i].role = store_col_dup(s, 3);
            continue;
        }
        v = xrealloc(v, sizeof(*v) * (size_t)(cnt + 1));
        v[cnt].person_id = pid;
        v[cnt].name = store_col_dup(s, 1);
        v[cnt].affiliation = store_col_dup(s, 2);
        v[cnt].role = store_col_dup(s, 3);
        v[cnt].spoke = sqlite3_column_int(s, 4);
        cnt++;
    }
    store_stmt_done(s);
    *out = v;
    *n = cnt;
    return 0;
}

int store_meeting_apologies(struct store *st, int64_t meeting_id, char ***out, int *n)
{
    sqlite3_stmt *s = store_stmt(st,
        "SELECT c.name FROM apologies a JOIN persons p ON p.id = a.person_id"
        " JOIN persons c ON c.id = p.canon_id WHERE a.meeting_id = ?"
        " ORDER BY a.record_id, a.seq");

    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, meeting_id);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);

        if (name && !has_string(*out, *n, name))
            strv_push(out, n, name);
    }
    store_stmt_done(s);
    return 0;
}

/* ---- attendance and user links ---------------------------------------- */

int store_person_attendance(struct store *st, int64_t person_id,
                            struct store_attendance **out, int *n)
{
    sqlite3_stmt *s = store_stmt(st,
        "SELECT m.id, COALESCE(SUM(x.turns), 0), COALESCE(SUM(x.words), 0), MAX(x.listed)"
        " FROM (SELECT s.meeting_id, s.turns, s.words, 0 AS listed FROM speakers s"
        "        JOIN persons p ON p.id = s.person_id WHERE p.canon_id = ?1"
        "       UNION ALL SELECT a.meeting_id, 0, 0, 1 FROM participants a"
        "        JOIN persons p ON p.id = a.person_id WHERE p.canon_id = ?1) x"
        " JOIN meetings m ON m.id = x.meeting_id GROUP BY m.id"
        " ORDER BY COALESCE(m.date, date(m.posted, 'unixepoch')) DESC, m.id DESC");
    struct store_attendance *v = NULL;
    int cnt = 0;

    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, person_id);
    while (sqlite3_step(s) == SQLITE_ROW) {
        v = xrealloc(v, sizeof(*v) * (size_t)(cnt + 1));
        v[cnt].meeting_id = sqlite3_column_int64(s, 0);
        v[cnt].turns = sqlite3_column_int(s, 1);
        v[cnt].words = sqlite3_column_int(s, 2);
        v[cnt].listed = sqlite3_column_int(s, 3);
        cnt++;
    }
    store_stmt_done(s);
    *out = v;
    *n = cnt;
    return 0;
}

int store_people_regulars(struct store *st, struct store_regular **out, int *n)
{
    sqlite3_stmt *s = store_stmt(st,
        "SELECT c.id, c.name, count(DISTINCT x.meeting_id) AS k"
        " FROM (SELECT person_id, meeting_id FROM speakers"
        "       UNION ALL SELECT person_id, meeting_id FROM participants) x"
        " JOIN persons p ON p.id = x.person_id JOIN persons c ON c.id = p.canon_id"
        " GROUP BY c.id ORDER BY k DESC, c.name COLLATE NOCASE");
    struct store_regular *v = NULL;
    int cnt = 0, rc;

    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        v = xrealloc(v, sizeof(*v) * (size_t)(cnt + 1));
        v[cnt].person_id = sqlite3_column_int64(s, 0);
        v[cnt].name = store_col_dup(s, 1);
        v[cnt].meetings = sqlite3_column_int(s, 2);
        cnt++;
    }
    store_stmt_done(s);
    if (rc != SQLITE_DONE) {
        store_regulars_free(v, cnt);
        return store_fail(st, "cannot list the people");
    }
    *out = v;
    *n = cnt;
    return 0;
}

void store_regulars_free(struct store_regular *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

int store_user_link(struct store *st, const char *user, int64_t person_id, int64_t at)
{
    sqlite3_stmt *s = store_prep(st, "INSERT INTO user_links(user, person_id, at) VALUES(?, ?, ?)"
                                     " ON CONFLICT(user) DO UPDATE SET person_id = excluded.person_id,"
                                     " at = excluded.at");
    int rc = 0;

    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, person_id);
    sqlite3_bind_int64(s, 3, at);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = store_fail(st, "cannot link user");
    sqlite3_finalize(s);
    return rc;
}

int store_user_person(struct store *st, const char *user, int64_t *id, char **name)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT c.id, c.name FROM user_links u"
                                     " JOIN persons p ON p.id = u.person_id"
                                     " JOIN persons c ON c.id = p.canon_id WHERE u.user = ?");
    int rc = STORE_NOTFOUND;

    *id = 0;
    if (name)
        *name = NULL;
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, user, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        if (name)
            *name = store_col_dup(s, 1);
        rc = 0;
    }
    store_stmt_done(s);
    return rc;
}
