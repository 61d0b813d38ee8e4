/* storage/query_meetings.c -- reading meetings back: listing and naming
 * them ("#62", "MAG XII", "June 2022", "latest"), the meetings about a
 * topic (who raised it, raised.c), their records and next-meeting notes,
 * and forgetting a meeting. Owns reads of tables
 * meetings, records, next_meeting; the items are query.c's. */
#include "store_int.h"
#include "reader_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEETING_COLUMNS \
    "m.id, m.grp, m.number, m.number_value, m.title, m.date, m.time_utc, m.end_time_utc," \
    " m.room, m.posted," \
    " EXISTS(SELECT 1 FROM records r WHERE r.meeting_id = m.id AND r.kind = 1)," \
    " EXISTS(SELECT 1 FROM records r WHERE r.meeting_id = m.id AND r.kind = 2)"
/* Newest first: the meeting date, else the day it was posted. */
#define MEETING_ORDER " ORDER BY COALESCE(m.date, date(m.posted, 'unixepoch')) DESC, m.id DESC"

static void meeting_read(sqlite3_stmt *s, struct store_meeting *m)
{
    memset(m, 0, sizeof(*m));
    m->id = sqlite3_column_int64(s, 0);
    m->group = store_col_dup(s, 1);
    m->number = store_col_dup(s, 2);
    m->number_value = sqlite3_column_type(s, 3) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(s, 3);
    m->title = store_col_dup(s, 4);
    m->date = store_col_dup(s, 5);
    m->time_utc = store_col_dup(s, 6);
    m->end_time_utc = store_col_dup(s, 7);
    m->room = store_col_dup(s, 8);
    m->posted = sqlite3_column_int64(s, 9);
    m->has_transcript = sqlite3_column_int(s, 10);
    m->has_summary = sqlite3_column_int(s, 11);
    if (!m->group)
        m->group = xstrdup("meeting");
}

void store_meeting_release(struct store_meeting *m)
{
    if (!m)
        return;
    free(m->group);
    free(m->number);
    free(m->title);
    free(m->date);
    free(m->time_utc);
    free(m->end_time_utc);
    free(m->room);
    memset(m, 0, sizeof(*m));
}

void store_meetings_free(struct store_meeting *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        store_meeting_release(&v[i]);
    free(v);
}

/* A meeting's row as query_memo.c keeps it: the numbers, then each text
 * as a flag byte (0: NULL) and the text with its NUL. */
struct meeting_nums {
    int64_t id, posted;
    long number_value;
    int has_transcript, has_summary;
};

static void meeting_pack(const struct store_meeting *m, struct buf *b)
{
    struct meeting_nums k = { m->id, m->posted, m->number_value, m->has_transcript,
                              m->has_summary };
    const char *const texts[] = { m->group, m->number, m->title, m->date, m->time_utc,
                                  m->end_time_utc, m->room };
    size_t i;

    buf_add(b, &k, sizeof(k));
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        buf_putc(b, texts[i] ? 1 : 0);
        if (texts[i])
            buf_add(b, texts[i], strlen(texts[i]) + 1);
    }
}

static void meeting_unpack(const struct buf *b, struct store_meeting *m)
{
    struct meeting_nums k;
    char **const texts[] = { &m->group, &m->number, &m->title, &m->date, &m->time_utc,
                             &m->end_time_utc, &m->room };
    const char *p = b->data + sizeof(k);
    size_t i;

    memcpy(&k, b->data, sizeof(k));
    m->id = k.id;
    m->posted = k.posted;
    m->number_value = k.number_value;
    m->has_transcript = k.has_transcript;
    m->has_summary = k.has_summary;
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if (*p++) {
            *texts[i] = xstrdup(p);
            p += strlen(p) + 1;
        }
}

int store_meeting_get(struct store *st, int64_t id, struct store_meeting *out)
{
    /* Kept prepared, and each meeting's row kept (query_memo.c): answers
     * name a meeting per line (actions, who raised, decisions, search). */
    sqlite3_stmt *s;
    const struct buf *kept = query_memo_get(st, MEMO_MEETINGS, (const char *)&id, sizeof(id));
    int rc = STORE_NOTFOUND;

    memset(out, 0, sizeof(*out));
    if (kept && kept->len > sizeof(struct meeting_nums)) {
        meeting_unpack(kept, out);
        return 0;
    }
    if (!(s = store_stmt(st, "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.id = ?")))
        return -1;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        struct buf b;

        meeting_read(s, out);
        buf_init(&b);
        meeting_pack(out, &b);
        query_memo_put(st, MEMO_MEETINGS, (const char *)&id, sizeof(id), b.data, b.len);
        buf_release(&b);
        rc = 0;
    }
    store_stmt_done(s);
    return rc;
}

int store_meetings_list(struct store *st, struct store_meeting **out, int *n)
{
    sqlite3_stmt *s = store_prep(st, "SELECT " MEETING_COLUMNS " FROM meetings m" MEETING_ORDER);

    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    while (sqlite3_step(s) == SQLITE_ROW) {
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        meeting_read(s, &(*out)[(*n)++]);
    }
    sqlite3_finalize(s);
    return 0;
}

int store_meeting_count(struct store *st)
{
    /* Kept prepared: topics and owners weigh their paths by it. */
    sqlite3_stmt *s = store_stmt(st, "SELECT COUNT(*) FROM meetings");
    int n = 0;

    if (!s)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int(s, 0);
    store_stmt_done(s);
    return n;
}

char *store_meeting_label_dup(const struct store_meeting *m)
{
    if (m->number && *m->number)
        return xasprintf("#%s", m->number);
    if (m->date)
        return xstrdup(m->date);
    return xasprintf("meeting %lld", (long long)m->id);
}

/* ---- naming a meeting ------------------------------------------------- */

static long roman_value(const char *s, size_t n)
{
    long v = 0, prev = 0;
    size_t i;

    if (!n)
        return -1;
    for (i = n; i-- > 0;) {
        long d;

        switch (toupper((unsigned char)s[i])) {
        case 'I': d = 1; break;
        case 'V': d = 5; break;
        case 'X': d = 10; break;
        case 'L': d = 50; break;
        case 'C': d = 100; break;
        case 'D': d = 500; break;
        case 'M': d = 1000; break;
        default: return -1;
        }
        v += d < prev ? -d : d;
        if (d > prev)
            prev = d;
    }
    return v > 0 ? v : -1;
}

static const char *const months[] = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
};

static int month_of(const char *w)
{
    int i;

    for (i = 0; i < 12; i++)
        if (!strncmp(w, months[i], 3))
            return i + 1;
    return 0;
}

int store_month_word(const char *w, size_t n)
{
    if (n && w[n - 1] == '.')
        n--;                    /* "Sept." */
    return reader_month_of(w, n);
}

int store_recent_word(const char *w, size_t n)
{
    static const char *const recent[] = { "last", "latest", "previous", "recent", "most",
                                          "newest" };
    size_t i;

    for (i = 0; i < sizeof(recent) / sizeof(recent[0]); i++)
        if (n == strlen(recent[i]) && !strncasecmp(w, recent[i], n))
            return 1;
    return 0;
}

/* Words of a meeting named in passing ("the last meeting", "our previous
 * call"): `latest` once these are dropped, when a recent word says so. */
static int passing_word(const char *w)
{
    return !strcmp(w, "the") || !strcmp(w, "our") || !strcmp(w, "meeting") ||
           !strcmp(w, "call") || !strcmp(w, "time") || !strcmp(w, "on") || !strcmp(w, "of");
}

int store_day_word(const char *w, size_t n)
{
    size_t digits = strspn(w, "0123456789");
    int d;

    if (digits > n)
        digits = n;
    if (digits < 1 || digits > 2 || (n != digits && !(n == digits + 2 &&
        (!strncasecmp(w + digits, "st", 2) || !strncasecmp(w + digits, "nd", 2) ||
         !strncasecmp(w + digits, "rd", 2) || !strncasecmp(w + digits, "th", 2)))))
        return 0;
    d = atoi(w);
    return d >= 1 && d <= 31 ? d : 0;
}

/* The first meeting (newest first) the statement yields. */
static int first_id(sqlite3_stmt *s, int64_t *id)
{
    int rc = STORE_NOTFOUND;

    if (!s)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        rc = 0;
    }
    store_stmt_done(s);
    return rc;
}

int store_meeting_in_span(struct store *st, const char *from, const char *to, int64_t *id)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT m.id FROM meetings m"
                                     " WHERE COALESCE(m.date, date(m.posted, 'unixepoch'))"
                                     " BETWEEN ?1 AND ?2" MEETING_ORDER " LIMIT 1");

    *id = 0;
    if (s) {
        sqlite3_bind_text(s, 1, from, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, to, -1, SQLITE_TRANSIENT);
    }
    return first_id(s, id);
}

int store_meeting_find(struct store *st, const char *spec, int64_t *id)
{
    char buf[128], *words[8], *p, *save = NULL;
    int nw = 0, i, y, mo, d, recent = 0, other = 0;
    long num = -1;
    sqlite3_stmt *s;
    struct buf grp;
    int rc;

    *id = 0;
    snprintf(buf, sizeof(buf), "%s", spec ? spec : "");
    for (p = buf; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    for (p = strtok_r(buf, " \t,", &save); p && nw < 8; p = strtok_r(NULL, " \t,", &save))
        words[nw++] = p;
    for (i = 0; i < nw; i++) {
        int r = store_recent_word(words[i], strlen(words[i]));

        recent += r;
        other += !passing_word(words[i]) && !r;
    }
    if (nw == 0 || (recent && !other))
        return first_id(store_stmt(st, "SELECT m.id FROM meetings m" MEETING_ORDER " LIMIT 1"), id);

    /* A date: 2022-06-14, or "14 June 2022", "June 2022", "2022". */
    if (nw == 1 && sscanf(words[0], "%4d-%2d-%2d", &y, &mo, &d) == 3) {
        char iso[16];

        snprintf(iso, sizeof(iso), "%04d-%02d-%02d", y, mo, d);
        s = store_stmt(st, "SELECT m.id FROM meetings m WHERE m.date = ?" MEETING_ORDER);
        if (s)
            sqlite3_bind_text(s, 1, iso, -1, SQLITE_TRANSIENT);
        return first_id(s, id);
    }
    y = mo = d = 0;
    for (i = 0; i < nw; i++) {
        if (month_of(words[i]) && isalpha((unsigned char)words[i][0]) && strlen(words[i]) >= 3)
            mo = month_of(words[i]);
        else if (strlen(words[i]) == 4 && isdigit((unsigned char)words[i][0]) && atoi(words[i]) > 1900)
            y = atoi(words[i]);
        else if (store_day_word(words[i], strlen(words[i])))
            d = store_day_word(words[i], strlen(words[i]));
    }
    if (mo && y) {
        char pat[16];

        if (d)
            snprintf(pat, sizeof(pat), "%04d-%02d-%02d", y, mo, d);
        else
            snprintf(pat, sizeof(pat), "%04d-%02d-", y, mo);
        s = store_stmt(st, "SELECT m.id FROM meetings m WHERE substr(m.date, 1, length(?1)) = ?1"
                           MEETING_ORDER);
        if (s)
            sqlite3_bind_text(s, 1, pat, -1, SQLITE_TRANSIENT);
        return first_id(s, id);
    }
    /* "the June meeting", "the meeting on 14 June": the newest such. */
    for (i = 0, mo = 0; i < nw && !y; i++)
        if (store_month_word(words[i], strlen(words[i])))
            mo = store_month_word(words[i], strlen(words[i]));
    if (mo) {
        char mm[4], dd[4];

        snprintf(mm, sizeof(mm), "%02d", mo);
        snprintf(dd, sizeof(dd), "%02d", d);
        s = store_stmt(st, "SELECT m.id FROM meetings m WHERE substr(m.date, 6, 2) = ?1"
                           " AND (?2 = '00' OR substr(m.date, 9, 2) = ?2)" MEETING_ORDER);
        if (s) {
            sqlite3_bind_text(s, 1, mm, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(s, 2, dd, -1, SQLITE_TRANSIENT);
        }
        return first_id(s, id);
    }

    /* A number, the last word: "#62", "62", "XXV", "no. 12"; the words
     * before it name the group ("MAG XII"). */
    p = words[nw - 1];
    if (*p == '#')
        p++;
    if (*p && strspn(p, "0123456789") == strlen(p) && strlen(p) < 9)
        num = atol(p);
    else if (*p && strlen(p) < 12)
        num = roman_value(p, strlen(p));
    if (num < 0)
        return STORE_NOTFOUND;
    buf_init(&grp);
    for (i = 0; i < nw - 1; i++) {
        if (!strcmp(words[i], "meeting") || !strcmp(words[i], "no") || !strcmp(words[i], "no.") ||
            !strcmp(words[i], "number") || !strcmp(words[i], "the"))
            continue;
        if (grp.len)
            buf_putc(&grp, ' ');
        buf_puts(&grp, words[i]);
    }
    s = store_stmt(st, "SELECT m.id FROM meetings m WHERE (m.number_value = ?1"
                       "   OR lower(m.number) = lower(?3))"
                       " AND (?2 = '' OR instr(m.grp_key, ?2) > 0 OR instr(lower(m.title), ?2) > 0)"
                       MEETING_ORDER);
    if (s) {
        char numtxt[16];

        snprintf(numtxt, sizeof(numtxt), "%s", p);
        sqlite3_bind_int64(s, 1, num);
        sqlite3_bind_text(s, 2, grp.data, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 3, numtxt, -1, SQLITE_TRANSIENT);
    }
    rc = first_id(s, id);
    if (rc == STORE_NOTFOUND && grp.len) {
        /* "DC #62" with a group spelt differently: the number alone. */
        s = store_stmt(st, "SELECT m.id FROM meetings m WHERE m.number_value = ?" MEETING_ORDER);
        if (s)
            sqlite3_bind_int64(s, 1, num);
        rc = first_id(s, id);
    }
    buf_release(&grp);
    return rc;
}

/* ---- records ---------------------------------------------------------- */

void store_records_free(struct store_record_info *v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        free(v[i].name);
    free(v);
}

int store_meeting_records(struct store *st, int64_t meeting_id,
                          struct store_record_info **out, int *n)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT id, kind, sha256, name, posted,"
                                     " (SELECT count(*) FROM turns t WHERE t.record_id = records.id),"
                                     " (SELECT count(*) FROM turns t WHERE t.record_id = records.id"
                                     "   AND t.person_id IS NULL AND records.kind = 1)"
                                     " FROM records WHERE meeting_id = ? ORDER BY kind, id");

    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, meeting_id);
    while (sqlite3_step(s) == SQLITE_ROW) {
        struct store_record_info *r;
        const char *sha = (const char *)sqlite3_column_text(s, 2);

        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        r = &(*out)[(*n)++];
        r->id = sqlite3_column_int64(s, 0);
        r->kind = sqlite3_column_int(s, 1);
        r->turns = sqlite3_column_int(s, 5);
        r->unattributed = sqlite3_column_int(s, 6);
        snprintf(r->sha256, sizeof(r->sha256), "%s", sha ? sha : "");
        r->name = store_col_dup(s, 3);
        r->posted = sqlite3_column_int64(s, 4);
    }
    store_stmt_done(s);
    return 0;
}

int store_meeting_forget(struct store *st, int64_t id)
{
    sqlite3_stmt *s;
    int changed = 0;

    if (store_begin(st) < 0)
        return -1;
    if (search_unindex_meeting(st, id) < 0)
        goto fail;
    s = store_prep(st, "DELETE FROM actions WHERE meeting_id = ?");
    if (!s)
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_finalize(s);
        goto fail;
    }
    sqlite3_finalize(s);
    s = store_prep(st, "DELETE FROM meetings WHERE id = ?");
    if (!s)
        goto fail;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_finalize(s);
        goto fail;
    }
    sqlite3_finalize(s);
    changed = sqlite3_changes(st->db);
    if (store_commit(st) < 0)
        goto fail;
    return changed ? 0 : STORE_NOTFOUND;
fail:
    store_fail(st, "cannot forget meeting");
    store_rollback(st);
    return -1;
}

/* ---- next meeting ----------------------------------------------------- */

void store_nexts_free(struct store_next *v, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        free(v[i].when);
        free(v[i].date);
        free(v[i].quote);
    }
    free(v);
}

int store_next_meeting(struct store *st, int64_t meeting_id, struct store_next **out, int *n)
{
    sqlite3_stmt *s;

    *out = NULL;
    *n = 0;
    if (!meeting_id) {
        s = store_stmt(st, "SELECT x.meeting_id FROM next_meeting x JOIN meetings m"
                           " ON m.id = x.meeting_id" MEETING_ORDER " LIMIT 1");
        if (!s)
            return -1;
        if (sqlite3_step(s) == SQLITE_ROW)
            meeting_id = sqlite3_column_int64(s, 0);
        store_stmt_done(s);
        if (!meeting_id)
            return 0;
    }
    s = store_stmt(st, "SELECT x.meeting_id, r.kind, x.when_text, x.date, x.quote FROM next_meeting x"
                       " JOIN records r ON r.id = x.record_id WHERE x.meeting_id = ?"
                       " ORDER BY r.kind, x.record_id");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, meeting_id);
    while (sqlite3_step(s) == SQLITE_ROW) {
        struct store_next *x;

        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        x = &(*out)[(*n)++];
        x->meeting_id = sqlite3_column_int64(s, 0);
        x->record_kind = sqlite3_column_int(s, 1);
        x->when = store_col_dup(s, 2);
        x->date = store_col_dup(s, 3);
        x->quote = store_col_dup(s, 4);
    }
    store_stmt_done(s);
    return 0;
}

/* ---- meetings about a topic ------------------------------------------- */

int store_meetings_about(struct store *st, const char *topic,
                         struct store_meeting **out, int *n)
{
    struct store_topic *t = store_topic_new(st, topic);
    struct store_raised *r = NULL;
    int nr = 0, i, rc;

    *out = NULL;
    *n = 0;
    rc = store_raised(st, t, 0, &r, &nr);
    for (i = 0; rc == 0 && i < nr; i++) {
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        if (store_meeting_get(st, r[i].meeting_id, &(*out)[*n]) == 0)
            (*n)++;
    }
    store_raised_free(r, nr);
    store_topic_free(t);
    return rc;
}

