/* storage/context.c -- facts that take their topic from what was just
 * said. A spoken decision or action often names its subject only in the
 * sentences before it ("... open archives ... And we have to put it on
 * the agenda of the next call again."): such a fact counts for a topic
 * when its own sentence refers back (it, this, that ...) and the turn's
 * words just before it carry the topic. */
#include "store_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT_BEFORE  600     /* bytes of the turn before the fact */
#define CONTEXT_PREFIX  40      /* bytes of the quote that find it in its turn */

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

int context_on_topic(struct store *st, int64_t record_id, size_t offset, const char *quote,
                     const struct store_topic *t)
{
    sqlite3_stmt *s;
    const char *text;
    size_t tlen, pos, start;
    int64_t toff;
    char *prefix, *hit, *window;
    int ok = 0;

    if (!quote || store_topic_empty(t) || !refers_back(quote) || query_on_topic(quote, t))
        return 0;
    s = store_stmt(st, "SELECT text, offset FROM turns WHERE record_id = ? AND offset <= ?"
                       " ORDER BY offset DESC LIMIT 1");
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, record_id);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)offset);
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

static const char items_of_transcripts[] =
    "SELECT i.meeting_id, r.kind, i.text, i.quote, COALESCE(c.name, i.speaker), i.offset,"
    " i.record_id"
    " FROM items i JOIN records r ON r.id = i.record_id"
    " LEFT JOIN persons p ON p.id = i.person_id LEFT JOIN persons c ON c.id = p.canon_id"
    " WHERE i.meeting_id = ?2 AND i.kind = ?1 AND r.kind = 1 ORDER BY i.record_id, i.seq";

int store_items_in_context(struct store *st, int kind, int64_t meeting_id,
                           const struct store_topic *t, struct store_item **out, int *n)
{
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
        const char *text = (const char *)sqlite3_column_text(s, 2);
        const char *quote = (const char *)sqlite3_column_text(s, 3);
        struct store_item *it;
        int on;

        if (text && query_on_topic(text, t))
            continue;           /* on topic by itself: not this list's */
        on = context_on_topic(st, sqlite3_column_int64(s, 6),
                              (size_t)sqlite3_column_int64(s, 5), quote ? quote : text, t);
        if (on < 0)
            rc = -1;
        if (on <= 0)
            continue;
        *out = xrealloc(*out, sizeof(**out) * (size_t)(*n + 1));
        it = &(*out)[(*n)++];
        it->meeting_id = sqlite3_column_int64(s, 0);
        it->record_kind = sqlite3_column_int(s, 1);
        it->text = store_col_dup(s, 2);
        it->quote = store_col_dup(s, 3);
        it->speaker = store_col_dup(s, 4);
        it->offset = (size_t)sqlite3_column_int64(s, 5);
        if (!it->text)
            it->text = xstrdup("");
    }
    store_stmt_done(s);
    return rc;
}
