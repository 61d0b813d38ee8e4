/* storage/context.c -- facts that take their topic from what was just
 * said. A spoken decision or action often names its subject only in the
 * sentences before it ("... open archives ... And we have to put it on
 * the agenda of the next call again."): such a fact counts for a topic
 * when its own sentence refers back (it, this, that ...) and the turn's
 * words just before it carry the topic. */
#include "search_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT_BEFORE  600     /* bytes of the turn before the fact */
#define CONTEXT_PREFIX  40      /* bytes of the quote that find it in its turn */
#define CONTEXT_TURNS   200     /* newest turns read for the meetings discussed */

/* 1 when s has a word that points back at something said before. */
static int refers_back(const char *s)
{
    static const char *const words[] = { "it", "this", "that", "these", "those", "them" };
    const char *p = s;

    while (*p) {
        size_t len, i;

        while (*p && !isalpha((unsigned char)*p))
            p++;
        for (len = 0; isalpha((unsigned char)p[len]); len++)
            ;
        for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            if (strlen(words[i]) == len && !strncasecmp(p, words[i], len))
                return 1;
        p += len;
    }
    return 0;
}

void context_turns_release(struct context_turns *ct)
{
    free(ct->id);
    free(ct->off);
    memset(ct, 0, sizeof(*ct));
}

/* The record's turns (ids and offsets, in order), read once per record. */
static int turns_load(struct store *st, struct context_turns *ct, int64_t record_id)
{
    sqlite3_stmt *s;
    size_t cap = 0;

    if (ct->record_id == record_id && ct->id)
        return 0;
    context_turns_release(ct);
    s = store_stmt(st, "SELECT id, offset FROM turns WHERE record_id = ? ORDER BY seq");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, record_id);
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (ct->n == cap) {
            cap = cap ? cap * 2 : 64;
            ct->id = xrealloc(ct->id, sizeof(*ct->id) * cap);
            ct->off = xrealloc(ct->off, sizeof(*ct->off) * cap);
        }
        ct->id[ct->n] = sqlite3_column_int64(s, 0);
        ct->off[ct->n] = sqlite3_column_int64(s, 1);
        ct->n++;
    }
    store_stmt_done(s);
    ct->record_id = record_id;
    if (!ct->id)
        ct->id = xcalloc(1, sizeof(*ct->id));   /* loaded, and empty */
    return 0;
}

int context_on_topic(struct store *st, struct context_turns *ct, int64_t record_id,
                     size_t offset, const char *quote, const struct store_topic *t)
{
    sqlite3_stmt *s = NULL;
    const char *text;
    size_t tlen, pos, start, lo, hi;
    int64_t toff;
    char *prefix, *hit, *window;
    int ok = 0;

    if (!quote || store_topic_empty(t) || !refers_back(quote) || query_on_topic(quote, t))
        return 0;
    if (turns_load(st, ct, record_id) < 0)
        return -1;
    /* The last turn starting at or before the fact. */
    for (lo = 0, hi = ct->n; lo < hi;) {
        size_t mid = (lo + hi) / 2;

        if (ct->off[mid] <= (int64_t)offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 0;
    s = store_stmt(st, "SELECT text, offset FROM turns WHERE id = ?");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, ct->id[lo - 1]);
    if (sqlite3_step(s) != SQLITE_ROW)
        goto out;
    text = (const char *)sqlite3_column_text(s, 0);
    tlen = (size_t)sqlite3_column_bytes(s, 0);
    toff = sqlite3_column_int64(s, 1);
    if (!text)
        goto out;
    /* Where the fact sits in its turn: its quote, else its offset. */
    prefix = xstrndup(quote, utf8_trim_len(quote, strlen(quote), CONTEXT_PREFIX));
    hit = strstr(text, prefix);
    free(prefix);
    pos = hit ? (size_t)(hit - text) : (size_t)((int64_t)offset - toff);
    if (pos > tlen)
        pos = tlen;
    start = pos > CONTEXT_BEFORE ? pos - CONTEXT_BEFORE : 0;
    while (start < pos && (text[start] & 0xC0) == 0x80)
        start++;
    window = xstrndup(text + start, pos - start);
    ok = query_on_topic(window, t);
    free(window);
out:
    store_stmt_done(s);
    return ok;
}

/* The decisions (say) of a meeting's transcripts, in order: only what the
 * test needs. Few pass it, and only those are read whole
 * (query_item_get()): the speakers' names are not looked up for every
 * item. */
static const char items_of_transcripts[] =
    "SELECT i.id, i.text, i.quote, i.offset, i.record_id"
    " FROM items i JOIN records r ON r.id = i.record_id"
    " WHERE i.meeting_id = ?2 AND i.kind = ?1 AND r.kind = 1 ORDER BY i.record_id, i.seq";

int store_items_in_context(struct store *st, int kind, int64_t meeting_id,
                           const struct store_topic *t, struct store_item **out, int *n)
{
    struct context_turns ct = { 0, NULL, NULL, 0 };
    sqlite3_stmt *s;
    int rc = 0;

    *out = NULL;
    *n = 0;
    if (store_topic_empty(t))
        return 0;
    s = store_stmt(st, items_of_transcripts);
    if (!s)
        return -1;
    sqlite3_bind_int(s, 1, kind);
    sqlite3_bind_int64(s, 2, meeting_id);
    while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(s, 1);
        const char *quote = (const char *)sqlite3_column_text(s, 2);
        struct store_item it;
        int on, got;

        if (text && query_on_topic(text, t))
            continue;           /* on topic by itself: not this list's */
        on = context_on_topic(st, &ct, sqlite3_column_int64(s, 4),
                              (size_t)sqlite3_column_int64(s, 3), quote ? quote : text, t);
        if (on < 0)
            rc = -1;
        if (on <= 0)
            continue;
        if ((got = query_item_get(st, sqlite3_column_int64(s, 0), &it)) < 0) {
            rc = -1;
            break;
        }
        if (got) {
            *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
            (*out)[(*n)++] = it;
        }
    }
    store_stmt_done(s);
    context_turns_release(&ct);
    return rc;
}

int store_meetings_discussed(struct store *st, const struct store_topic *t, int max,
                             int64_t *out)
{
    sqlite3_stmt *s;
    struct buf expr;
    int n = 0, i;

    if (store_topic_empty(t) || max <= 0)
        return 0;
    /* Turns carrying every word, newest first (FTS5 reads rowids in
     * descending order and stops at the limit). */
    buf_init(&expr);
    for (i = 0; i < t->n_terms; i++)
        buf_printf(&expr, "%s(%s)", i ? " AND " : "", t->terms[i].match.data);
    s = store_stmt(st, "SELECT t.meeting_id FROM (SELECT rowid FROM turns_fts"
                       " WHERE turns_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2) f"
                       " JOIN turns t ON t.id = f.rowid");
    if (!s) {
        buf_release(&expr);
        return -1;
    }
    sqlite3_bind_text(s, 1, expr.data, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, CONTEXT_TURNS);
    while (n < max && sqlite3_step(s) == SQLITE_ROW) {
        int64_t mid = sqlite3_column_int64(s, 0);

        for (i = 0; i < n && out[i] != mid; i++)
            ;
        if (i == n)
            out[n++] = mid;
    }
    store_stmt_done(s);
    buf_release(&expr);
    return n;
}
