/* storage/query_memo.c -- what questions read again and again from an
 * FTS5 index and that only a write can change (a word's count of turns,
 * the vocabulary's words of a stem, the best turns of a search, a
 * meeting's row), kept per store and index. Everything kept for an
 * index is forgotten as soon as its structure record differs (FTS5
 * rewrites it on every write, by any connection); once this connection
 * has written inside a transaction, nothing is kept or given until it
 * ends (the bot answers inside one that writes only the reply). */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#define MEMO_SLOTS 1024         /* per index; half may be used */
/* Bytes of keys and values per index: past this, the entries not given
 * back lately are forgotten (index_evict()). Who raised answers
 * (MEMO_MEETINGS) are up to some 40 KB each. What a long-running bot keeps
 * stays under a megabyte in all. */
#define MEMO_BYTES(index) ((index) == MEMO_MEETINGS ? (512 << 10) : (128 << 10))

struct memo_entry {
    char *key;                  /* any bytes; NULL: an empty slot */
    size_t key_len;
    struct buf value;
    int used;                   /* given back since the index last made room */
};

struct memo_index {
    struct buf stamp;           /* the structure record the entries hold for */
    uint64_t question;          /* checked in this question (store->question) */
    int64_t changes;            /* ... when this connection had made so many */
    struct memo_entry v[MEMO_SLOTS];
    int n;
    size_t bytes;
};

struct query_memo {
    struct memo_index ix[MEMO_INDEXES];
};

static void index_clear(struct memo_index *x)
{
    int i;

    for (i = 0; i < MEMO_SLOTS; i++)
        if (x->v[i].key) {
            free(x->v[i].key);
            buf_release(&x->v[i].value);
            x->v[i].key = NULL;
        }
    x->n = 0;
    x->bytes = 0;
}

void query_memo_free(struct store *st)
{
    int i;

    if (!st->memo)
        return;
    for (i = 0; i < MEMO_INDEXES; i++) {
        index_clear(&st->memo->ix[i]);
        buf_release(&st->memo->ix[i].stamp);
    }
    free(st->memo);
    st->memo = NULL;
}

/* The index's entries, valid for it as it is now; NULL once this
 * connection has written in its transaction (the index may hold what is
 * not committed) or on error. */
static struct memo_index *index_get(struct store *st, int index)
{
    /* MEMO_MEETINGS: meetings change with their records, and a record
     * brings turns (forgetting one drops them): the turns index, and the
     * newest record as well; and the newest person (persons are never
     * deleted; a new one may change whose name another's label takes). */
    static const char *const sql[MEMO_INDEXES] = {
        "SELECT block FROM turns_fts_data WHERE id = 10",
        "SELECT block FROM items_fts_data WHERE id = 10",
        "SELECT block FROM actions_fts_data WHERE id = 10",
        "SELECT block, (SELECT max(id) FROM records), (SELECT max(id) FROM persons)"
        " FROM turns_fts_data WHERE id = 10",
    };
    struct memo_index *x;
    sqlite3_stmt *s;
    int rc = -1;

    if (index < 0 || index >= MEMO_INDEXES || !store_reads_committed(st))
        return NULL;
    if (!st->memo) {
        int i;

        st->memo = xcalloc(1, sizeof(*st->memo));
        for (i = 0; i < MEMO_INDEXES; i++)
            buf_init(&st->memo->ix[i].stamp);
    }
    x = &st->memo->ix[index];
    /* Within one question the database is read as it was at its start
     * (other connections' commits show from the next question on), unless
     * this connection writes. */
    if (st->in_question && x->question == st->question &&
        x->changes == sqlite3_total_changes64(st->db))
        return x;
    if (!(s = store_stmt(st, sql[index])))
        return NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        const void *blk = sqlite3_column_blob(s, 0);
        size_t len = (size_t)sqlite3_column_bytes(s, 0);
        int64_t more[2] = { 0, 0 };
        int i;

        for (i = 1; i < sqlite3_column_count(s) && i <= 2; i++)
            more[i - 1] = sqlite3_column_int64(s, i);
        if (x->stamp.len != len + sizeof(more) || (len && memcmp(x->stamp.data, blk, len)) ||
            memcmp(x->stamp.data + len, more, sizeof(more))) {
            index_clear(x);
            buf_reset(&x->stamp);
            buf_add(&x->stamp, blk, len);
            buf_add(&x->stamp, more, sizeof(more));
        }
        x->question = st->question;
        x->changes = sqlite3_total_changes64(st->db);
        rc = 0;
    }
    store_stmt_done(s);
    return rc == 0 ? x : NULL;
}

void store_forget_kept(struct store *st)
{
    query_memo_free(st);
}

void store_question_begin(struct store *st)
{
    if (!st)
        return;
    st->question++;
    st->in_question = 1;
}

void store_question_end(struct store *st)
{
    if (st)
        st->in_question = 0;
}

static uint32_t key_hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

/* The slot of key k[0..n) in x: its entry, or the empty slot for it. */
static struct memo_entry *slot(struct memo_index *x, const char *k, size_t n)
{
    size_t i = key_hash(k, n) & (MEMO_SLOTS - 1);

    while (x->v[i].key && (x->v[i].key_len != n || memcmp(x->v[i].key, k, n)))
        i = (i + 1) & (MEMO_SLOTS - 1);
    return &x->v[i];
}

const struct buf *query_memo_get(struct store *st, int index, const char *key, size_t len)
{
    struct memo_index *x = index_get(st, index);
    struct memo_entry *e;

    if (!x)
        return NULL;
    e = slot(x, key, len);
    if (!e->key)
        return NULL;
    e->used = 1;
    return &e->value;
}

/* Make room for `need` more bytes: keep the entries given back since the
 * last time (a topic asked again and again), forget the others; all of
 * them when that is not enough. */
static void index_evict(struct memo_index *x, int index, size_t need)
{
    struct memo_entry *old = xmalloc(sizeof(x->v));
    int i;

    memcpy(old, x->v, sizeof(x->v));
    memset(x->v, 0, sizeof(x->v));
    x->n = 0;
    x->bytes = 0;
    for (i = 0; i < MEMO_SLOTS; i++) {
        struct memo_entry *e;

        if (!old[i].key)
            continue;
        if (!old[i].used) {
            free(old[i].key);
            buf_release(&old[i].value);
            continue;
        }
        e = slot(x, old[i].key, old[i].key_len);
        *e = old[i];
        e->used = 0;
        x->n++;
        x->bytes += e->key_len + e->value.len;
    }
    free(old);
    if (x->n >= MEMO_SLOTS / 2 || x->bytes + need > MEMO_BYTES(index))
        index_clear(x);
}

void query_memo_put(struct store *st, int index, const char *key, size_t len,
                    const void *value, size_t n)
{
    struct memo_index *x = index_get(st, index);
    struct memo_entry *e;

    if (!x || len + n > MEMO_BYTES(index) / 4)
        return;
    if (x->n >= MEMO_SLOTS / 2 || x->bytes + len + n > MEMO_BYTES(index))
        index_evict(x, index, len + n);
    e = slot(x, key, len);
    if (!e->key) {
        e->key = xmalloc(len ? len : 1);
        memcpy(e->key, key, len);
        e->key_len = len;
        e->used = 0;
        buf_init(&e->value);
        x->n++;
        x->bytes += len;
    }
    x->bytes -= e->value.len;
    buf_reset(&e->value);
    buf_add(&e->value, value, n);
    x->bytes += n;
}

/* ---- rows of an expression --------------------------------------------- */

int query_memo_rows(struct store *st, int index, const char *expr, int cap, struct buf *ids)
{
    sqlite3_stmt *s;
    const struct buf *kept;
    struct buf key, val;
    int64_t *v;
    int c = 0, i;

    buf_init(&key);
    buf_printf(&key, "rows %d %s", cap, expr);
    kept = query_memo_get(st, index, key.data, key.len);
    if (kept && kept->len >= sizeof(int)) {
        memcpy(&c, kept->data, sizeof(int));
        buf_add(ids, kept->data + sizeof(int), kept->len - sizeof(int));
        buf_release(&key);
        return c;
    }
    s = store_stmt(st, index == MEMO_ACTIONS ?
                   "SELECT rowid FROM actions_fts WHERE actions_fts MATCH ?1 LIMIT ?2" :
                   "SELECT rowid FROM items_fts WHERE items_fts MATCH ?1 LIMIT ?2");
    if (!s) {
        buf_release(&key);
        return -1;
    }
    v = xmalloc(sizeof(*v) * (size_t)cap);
    sqlite3_bind_text(s, 1, expr, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, cap);
    while (c < cap && sqlite3_step(s) == SQLITE_ROW)
        v[c++] = sqlite3_column_int64(s, 0);
    store_stmt_done(s);
    /* At the cap the meetings are walked instead: no list to write. The
     * digits by hand: printf costs more than the rest of a row. */
    buf_init(&val);
    buf_add(&val, &c, sizeof(c));
    for (i = 0; c < cap && i < c; i++) {
        char num[24];
        int len = 0;
        uint64_t x = (uint64_t)v[i];

        do
            num[sizeof(num) - 1 - len++] = (char)('0' + x % 10);
        while ((x /= 10) && len < (int)sizeof(num));
        buf_putc(&val, i ? ',' : '[');
        buf_add(&val, num + sizeof(num) - len, (size_t)len);
    }
    if (c && c < cap)
        buf_putc(&val, ']');
    free(v);
    buf_add(ids, val.data + sizeof(int), val.len - sizeof(int));
    query_memo_put(st, index, key.data, key.len, val.data, val.len);
    buf_release(&val);
    buf_release(&key);
    return c;
}
