/* storage/query.c -- reading meetings back: listing and naming them
 * ("#62", "MAG XII", "June 2022", "latest"), their records, agenda,
 * decisions, key points and next-meeting notes, and forgetting a meeting.
 * Owns reads of tables meetings, records, items, next_meeting. */
#include "store_int.h"

#include <ctype.h>
#include <math.h>
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

int store_meeting_get(struct store *st, int64_t id, struct store_meeting *out)
{
    /* Kept prepared: answers name a meeting per line (actions, who raised). */
    sqlite3_stmt *s = store_stmt(st, "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.id = ?");
    int rc = STORE_NOTFOUND;

    memset(out, 0, sizeof(*out));
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        meeting_read(s, out);
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
    sqlite3_finalize(s);
    return rc;
}

int store_meeting_find(struct store *st, const char *spec, int64_t *id)
{
    char buf[128], *words[8], *p, *save = NULL;
    int nw = 0, i, y, mo, d;
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
    if (nw == 0 || (nw == 1 && (!strcmp(words[0], "latest") || !strcmp(words[0], "last"))))
        return first_id(store_prep(st, "SELECT m.id FROM meetings m" MEETING_ORDER " LIMIT 1"), id);

    /* A date: 2022-06-14, or "14 June 2022", "June 2022", "2022". */
    if (nw == 1 && sscanf(words[0], "%4d-%2d-%2d", &y, &mo, &d) == 3) {
        char iso[16];

        snprintf(iso, sizeof(iso), "%04d-%02d-%02d", y, mo, d);
        s = store_prep(st, "SELECT m.id FROM meetings m WHERE m.date = ?" MEETING_ORDER);
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
        else if (isdigit((unsigned char)words[i][0]) && atoi(words[i]) <= 31 && strlen(words[i]) <= 2)
            d = atoi(words[i]);
    }
    if (mo && y) {
        char pat[16];

        if (d)
            snprintf(pat, sizeof(pat), "%04d-%02d-%02d", y, mo, d);
        else
            snprintf(pat, sizeof(pat), "%04d-%02d-", y, mo);
        s = store_prep(st, "SELECT m.id FROM meetings m WHERE substr(m.date, 1, length(?1)) = ?1"
                           MEETING_ORDER);
        if (s)
            sqlite3_bind_text(s, 1, pat, -1, SQLITE_TRANSIENT);
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
    s = store_prep(st, "SELECT m.id FROM meetings m WHERE (m.number_value = ?1"
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
        s = store_prep(st, "SELECT m.id FROM meetings m WHERE m.number_value = ?" MEETING_ORDER);
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
    sqlite3_stmt *s = store_prep(st, "SELECT id, kind, sha256, name, posted,"
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
    sqlite3_finalize(s);
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

/* ---- agenda, decisions, key points ------------------------------------ */

void store_items_free(struct store_item *v, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        free(v[i].text);
        free(v[i].quote);
        free(v[i].speaker);
    }
    free(v);
}

/* The part of a topic word that query_on_topic() looks for at the start
 * of a word: the whole word up to 5 letters, else all but its last two
 * (at least 5), so "budgets" finds "budget" and "budgeting". */
static size_t stem_len(size_t tl)
{
    return tl <= 5 ? tl : (tl - 2 < 5 ? 5 : tl - 2);
}

/* 1 when every topic word is plain (lower-case) letters and digits. */
static int words_plain(const char *w)
{
    for (; *w; w++)
        if (*w != ' ' && (!isalnum((unsigned char)*w) || isupper((unsigned char)*w)))
            return 0;
    return 1;
}

/* 1 when `text` carries at least half of the topic's words (by stem). */
int query_on_topic(const char *text, const struct store_topic *t)
{
    const char *words = store_topic_words(t), *w;
    int hits = 0, n = 0;

    if (!words_plain(words)) {
        /* Words with other bytes are compared with the folded text. */
        char *copy = xstrdup(words), *cw, *save = NULL;
        char *folded = store_fold_dup(text, strlen(text));
        char *p;

        for (p = folded; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        for (cw = strtok_r(copy, " ", &save); cw; cw = strtok_r(NULL, " ", &save)) {
            size_t pl = stem_len(strlen(cw));

            n++;
            for (p = folded; *p; p++)
                if ((p == folded || !isalnum((unsigned char)p[-1])) && !strncmp(p, cw, pl)) {
                    hits++;
                    break;
                }
        }
        free(copy);
        free(folded);
        return n > 0 && hits * 2 >= n;
    }
    /* Plain words: folding only turns other characters into spaces and
     * punctuation, which neither match a letter nor start a word, so the
     * text is read as it is, without a copy. */
    for (w = words; *w;) {
        size_t tl = strcspn(w, " "), pl = stem_len(tl), k;
        const char *p;

        if (!tl) {
            w++;
            continue;
        }
        n++;
        for (p = text; *p; p++) {
            if (p != text && isalnum((unsigned char)p[-1]))
                continue;
            for (k = 0; k < pl && p[k] && tolower((unsigned char)p[k]) == w[k]; k++)
                ;
            if (k == pl) {
                hits++;
                break;
            }
        }
        w += tl;
    }
    return n > 0 && hits * 2 >= n;
}

/* The words of index `vocab` (QUERY_ITEMS, QUERY_ACTIONS) that start
 * with stem[0..len), as an FTS5 OR into b; the stem as a prefix query
 * when there are over 64 of them. 0 when there is none. */
static int stem_terms(struct store *st, int vocab, const char *stem, size_t len, struct buf *b)
{
    sqlite3_stmt *s = store_stmt(st, vocab == QUERY_ACTIONS ?
        "SELECT term FROM actions_vocab WHERE term >= ?1 AND term < ?1 || x'ff' LIMIT 65" :
        "SELECT term FROM items_vocab WHERE term >= ?1 AND term < ?1 || x'ff' LIMIT 65");
    size_t start = b->len;
    int n = 0;

    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, stem, (int)len, SQLITE_TRANSIENT);
    buf_putc(b, '(');
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(s, 0);

        if (++n > 64) {
            b->len = start;
            buf_puts(b, "(\"");
            buf_add(b, stem, len);
            buf_puts(b, "\"*");
            break;
        }
        if (n > 1)
            buf_puts(b, " OR ");
        search_quote(b, term ? term : "");
    }
    store_stmt_done(s);
    buf_putc(b, ')');
    if (!n)
        b->len = start;
    return n > 0;
}

/* At least half of the words, as FTS5 needs it: any ceil(n/2) of them
 * together, (a AND b) OR (a AND c) OR ...; past 20 such sets, any one
 * word (then query_on_topic() alone narrows it down). */
#define PREFIX_SETS_MAX 20

char *query_topic_expr_dup(struct store *st, int vocab, const struct store_topic *t)
{
    const char *w = store_topic_words(t);
    struct buf word[16], b;
    unsigned mask, sets = 0, have = 0;
    int n = 0, need, i;

    if (store_topic_empty(t) || !*w || !words_plain(w))
        return NULL;
    while (*w) {
        size_t tl = strcspn(w, " ");

        if (tl) {
            int got;

            if (n == 16) {
                for (i = 0; i < n; i++)
                    buf_release(&word[i]);
                return NULL;
            }
            buf_init(&word[n]);
            if ((got = stem_terms(st, vocab, w, stem_len(tl), &word[n])) < 0) {
                /* No vocabulary to read: every row is tested in C. */
                for (i = 0; i <= n; i++)
                    buf_release(&word[i]);
                return NULL;
            }
            if (got > 0)
                have |= 1u << n;
            n++;
        }
        w += tl;
        while (*w == ' ')
            w++;
    }
    need = (n + 1) / 2;
    for (mask = 1; mask < 1u << n; mask++)
        if (__builtin_popcount(mask) == need)
            sets++;
    if (sets > PREFIX_SETS_MAX)
        need = 1;
    buf_init(&b);
    for (mask = 1; mask < 1u << n; mask++) {
        int first = 1;

        /* A set with a word the index does not have matches nothing. */
        if (__builtin_popcount(mask) != need || (mask & ~have))
            continue;
        if (b.len)
            buf_puts(&b, " OR ");
        buf_putc(&b, '(');
        for (i = 0; i < n; i++) {
            if (!(mask & (1u << i)))
                continue;
            if (!first)
                buf_puts(&b, " AND ");
            first = 0;
            buf_add(&b, word[i].data, word[i].len);
        }
        buf_putc(&b, ')');
    }
    for (i = 0; i < n; i++)
        buf_release(&word[i]);
    if (!b.len)
        buf_puts(&b, "");       /* nothing can match: an empty string */
    return buf_detach(&b);
}

#define ITEM_COLUMNS \
    "SELECT i.meeting_id, r.kind, i.text, i.quote, COALESCE(c.name, i.speaker), i.offset"
#define ITEM_NEWEST \
    " ORDER BY COALESCE(m.date, date(m.posted, 'unixepoch')) DESC, m.id DESC," \
    "  r.kind, i.record_id, i.seq"

/* With a topic: only the items whose text or quote carries one of its
 * words' stems (index items_fts answers that), so the items of thousands
 * of other meetings are never read; query_on_topic() then keeps those
 * with at least half of the words. */
static const char items_on_topic[] =
    ITEM_COLUMNS
    " FROM items i JOIN meetings m ON m.id = i.meeting_id JOIN records r ON r.id = i.record_id"
    " LEFT JOIN persons p ON p.id = i.person_id LEFT JOIN persons c ON c.id = p.canon_id"
    " WHERE i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?3)"
    " AND i.kind = ?1 AND (?2 = 0 OR i.meeting_id = ?2)" ITEM_NEWEST;
/* One meeting's (a recap): read through index items_meeting. */
static const char items_of_meeting[] =
    ITEM_COLUMNS
    " FROM items i JOIN records r ON r.id = i.record_id"
    " LEFT JOIN persons p ON p.id = i.person_id LEFT JOIN persons c ON c.id = p.canon_id"
    " WHERE i.meeting_id = ?2 AND i.kind = ?1 ORDER BY r.kind, i.record_id, i.seq";
/* Every meeting's; with a topic whose words the index cannot look up
 * (not plain letters and digits), each item is tested in C. */
static const char items_all[] =
    ITEM_COLUMNS
    " FROM items i JOIN meetings m ON m.id = i.meeting_id JOIN records r ON r.id = i.record_id"
    " LEFT JOIN persons p ON p.id = i.person_id LEFT JOIN persons c ON c.id = p.canon_id"
    " WHERE i.kind = ?1 AND (?2 = 0 OR i.meeting_id = ?2)" ITEM_NEWEST;

void query_item_read(sqlite3_stmt *s, struct store_item *it)
{
    it->meeting_id = sqlite3_column_int64(s, 0);
    it->record_kind = sqlite3_column_int(s, 1);
    it->text = store_col_dup(s, 2);
    it->quote = store_col_dup(s, 3);
    it->speaker = store_col_dup(s, 4);
    it->offset = (size_t)sqlite3_column_int64(s, 5);
    if (!it->text)
        it->text = xstrdup("");
}

/* Append the rows of s on topic t (every row when t is NULL) to *out,
 * until there are `limit` of them (0: no limit); the rows past the limit
 * are counted in *more. */
static void items_read(sqlite3_stmt *s, const struct store_topic *t, int limit,
                       struct store_item **out, int *n, int *more)
{
    while (sqlite3_step(s) == SQLITE_ROW) {
        struct store_item *it;
        const char *text = (const char *)sqlite3_column_text(s, 2);
        const char *quote = (const char *)sqlite3_column_text(s, 3);

        if (t && !store_topic_empty(t) && !query_on_topic(text ? text : "", t) &&
            !query_on_topic(quote ? quote : "", t))
            continue;
        if (limit && *n >= limit) {
            (*more)++;
            continue;
        }
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        it = &(*out)[(*n)++];
        query_item_read(s, it);
    }
}

static int items_query(struct store *st, int kind, int64_t meeting_id,
                       const struct store_topic *t, const char *prefixes, int limit,
                       struct store_item **out, int *n, int *more)
{
    sqlite3_stmt *s = store_stmt(st, prefixes ? items_on_topic :
                                     meeting_id ? items_of_meeting : items_all);

    if (!s)
        return -1;
    sqlite3_bind_int(s, 1, kind);
    sqlite3_bind_int64(s, 2, meeting_id);
    if (prefixes)
        sqlite3_bind_text(s, 3, prefixes, -1, SQLITE_STATIC);
    if (!prefixes || *prefixes)
        items_read(s, t, limit, out, n, more);
    store_stmt_done(s);
    return 0;
}

int store_items(struct store *st, int kind, int64_t meeting_id,
                const char *topic, struct store_item **out, int *n)
{
    struct store_topic *t = topic ? store_topic_new(st, topic) : NULL;
    char *expr = query_topic_expr_dup(st, QUERY_ITEMS, t);
    int more = 0, rc;

    *out = NULL;
    *n = 0;
    rc = items_query(st, kind, meeting_id, t, expr, 0, out, n, &more);
    free(expr);
    store_topic_free(t);
    return rc;
}

/* How many rows (at most `cap`) the index items_fts has for expr. */
static int fts_count(struct store *st, const char *expr, int cap)
{
    sqlite3_stmt *s = store_stmt(st, "SELECT count(*) FROM (SELECT 1 FROM items_fts"
                                     " WHERE items_fts MATCH ?1 LIMIT ?2)");
    int c = -1;

    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, cap);
    if (sqlite3_step(s) == SQLITE_ROW)
        c = sqlite3_column_int(s, 0);
    store_stmt_done(s);
    return c;
}

/* Words common in the store: walk the meetings newest first, each one's
 * items through index items_meeting, until past the limit. */
static int items_walk(struct store *st, int kind, const struct store_topic *t, int limit,
                      struct store_item **out, int *n, int *more)
{
    sqlite3_stmt *m = store_stmt(st, "SELECT m.id FROM meetings m ORDER BY"
                                     " COALESCE(m.date, date(m.posted, 'unixepoch')) DESC, m.id DESC");
    sqlite3_stmt *s = NULL;
    int rc = 0;

    if (!m)
        return -1;
    while (!*more && sqlite3_step(m) == SQLITE_ROW) {
        if (!(s = store_stmt(st, items_of_meeting))) {
            rc = -1;
            break;
        }
        sqlite3_bind_int(s, 1, kind);
        sqlite3_bind_int64(s, 2, sqlite3_column_int64(m, 0));
        items_read(s, t, limit, out, n, more);
        store_stmt_done(s);
    }
    store_stmt_done(m);
    if (*more)
        *more = -1;             /* more, uncounted */
    return rc;
}

int store_items_on_topic(struct store *st, int kind, int64_t meeting_id,
                         const struct store_topic *t, int limit,
                         struct store_item **out, int *n, int *more)
{
    char *prefixes = query_topic_expr_dup(st, QUERY_ITEMS, t);
    int rc, cap;

    *out = NULL;
    *n = 0;
    *more = 0;
    if (limit <= 0)
        limit = 1;
    /* Reading every item that carries a word costs a row each; walking
     * the meetings newest first costs a row per item of the kind until
     * `limit` are found. The walk wins when the words are common: over
     * about sqrt(limit x items) index rows (25 x sqrt(meetings) with ~50
     * items a meeting); then the rows past the limit are not counted. */
    cap = 25 * (int)sqrt((double)store_meeting_count(st));
    if (cap < 200)
        cap = 200;
    if (!prefixes || !*prefixes || meeting_id || fts_count(st, prefixes, cap) < cap)
        rc = items_query(st, kind, meeting_id, t, prefixes, limit, out, n, more);
    else
        rc = items_walk(st, kind, t, limit, out, n, more);
    free(prefixes);
    return rc;
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
        s = store_prep(st, "SELECT x.meeting_id FROM next_meeting x JOIN meetings m"
                           " ON m.id = x.meeting_id" MEETING_ORDER " LIMIT 1");
        if (!s)
            return -1;
        if (sqlite3_step(s) == SQLITE_ROW)
            meeting_id = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        if (!meeting_id)
            return 0;
    }
    s = store_prep(st, "SELECT x.meeting_id, r.kind, x.when_text, x.date, x.quote FROM next_meeting x"
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
    sqlite3_finalize(s);
    return 0;
}
