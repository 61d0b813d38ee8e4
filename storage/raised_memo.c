/* storage/raised_memo.c -- who raised a topic, kept per store: the
 * meetings store_raised_newest() ranked for a topic (its words, terms,
 * pairs and phrase), a meeting and a limit, packed into query_memo.c's
 * MEMO_MEETINGS, which holds until turns, records or persons change. A
 * common topic costs a walk of thousands of index entries; asked again,
 * it is read back. */
#include "search_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- packing ------------------------------------------------------------ */

static void put(struct buf *b, const void *p, size_t n)
{
    buf_add(b, p, n);
}

static void put_str(struct buf *b, const char *s)
{
    buf_putc(b, s ? 1 : 0);
    if (s)
        buf_add(b, s, strlen(s) + 1);
}

static void put_hit(struct buf *b, const struct store_hit *h)
{
    put(b, &h->turn_id, sizeof(h->turn_id));
    put(b, &h->meeting_id, sizeof(h->meeting_id));
    put(b, &h->record_id, sizeof(h->record_id));
    put(b, &h->record_kind, sizeof(h->record_kind));
    put(b, &h->seq, sizeof(h->seq));
    put(b, &h->person_id, sizeof(h->person_id));
    put(b, &h->offset, sizeof(h->offset));
    put(b, &h->score, sizeof(h->score));
    put_str(b, h->speaker);
    put_str(b, h->section);
    put_str(b, h->text);
}

/* A reader over a packed value; every get checks the bounds and sets
 * `bad` when the value is shorter than it should be. */
struct rd {
    const char *p, *end;
    int bad;
};

static void get(struct rd *r, void *out, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        memset(out, 0, n);
        return;
    }
    memcpy(out, r->p, n);
    r->p += n;
}

static char *get_str(struct rd *r)
{
    char flag = 0;
    const char *nul;
    char *s;

    get(r, &flag, 1);
    if (r->bad || !flag)
        return NULL;
    if (!(nul = memchr(r->p, '\0', (size_t)(r->end - r->p)))) {
        r->bad = 1;
        return NULL;
    }
    s = xstrdup(r->p);
    r->p = nul + 1;
    return s;
}

static void get_hit(struct rd *r, struct store_hit *h)
{
    get(r, &h->turn_id, sizeof(h->turn_id));
    get(r, &h->meeting_id, sizeof(h->meeting_id));
    get(r, &h->record_id, sizeof(h->record_id));
    get(r, &h->record_kind, sizeof(h->record_kind));
    get(r, &h->seq, sizeof(h->seq));
    get(r, &h->person_id, sizeof(h->person_id));
    get(r, &h->offset, sizeof(h->offset));
    get(r, &h->score, sizeof(h->score));
    h->speaker = get_str(r);
    h->section = get_str(r);
    h->text = get_str(r);
}

/* The key: everything of the topic the ranking reads, the meeting and
 * the limit. */
static void memo_key(const struct store_topic *t, int64_t meeting_id, int limit, struct buf *k)
{
    int i;

    buf_printf(k, "raised %lld %d %s|", (long long)meeting_id, limit, t->words.data);
    for (i = 0; i < t->n_terms; i++)
        buf_printf(k, "%s=%s|%s|", t->terms[i].word, t->terms[i].match.data,
                   t->has_bigram[i] ? t->bigrams[i].data : "");
    buf_printf(k, "%s", t->phrase.data);
}

/* ---- the memo ------------------------------------------------------------ */

int raised_memo_get(struct store *st, const struct store_topic *t, int64_t meeting_id,
                    int limit, struct store_raised **out, int *n, int *more)
{
    struct store_raised *v = NULL;
    const struct buf *kept;
    struct buf key;
    struct rd r;
    int cnt = 0, m = 0, i, k;

    buf_init(&key);
    memo_key(t, meeting_id, limit, &key);
    kept = query_memo_get(st, MEMO_MEETINGS, key.data, key.len);
    buf_release(&key);
    if (!kept)
        return 0;
    r.p = kept->data;
    r.end = kept->data + kept->len;
    r.bad = 0;
    get(&r, &m, sizeof(m));
    get(&r, &cnt, sizeof(cnt));
    if (cnt < 0)
        r.bad = 1;
    if (!r.bad && cnt >= 0)
        v = xcalloc((size_t)(cnt ? cnt : 1), sizeof(*v));     /* as raised_walk() */
    for (i = 0; !r.bad && i < cnt; i++) {
        struct store_raised *x = &v[i];

        get(&r, &x->meeting_id, sizeof(x->meeting_id));
        get(&r, &x->has_first, sizeof(x->has_first));
        get(&r, &x->n_others, sizeof(x->n_others));
        get(&r, &x->first_mentions, sizeof(x->first_mentions));
        get(&r, &x->has_summary, sizeof(x->has_summary));
        get(&r, &x->score, sizeof(x->score));
        x->note = get_str(&r);
        get_hit(&r, &x->first);
        get_hit(&r, &x->summary);
        if (r.bad || x->n_others < 0) {
            x->n_others = 0;
            r.bad = 1;
            break;
        }
        if (x->n_others)
            x->others = xcalloc((size_t)x->n_others, sizeof(*x->others));
        for (k = 0; k < x->n_others; k++) {
            get(&r, &x->others[k].person_id, sizeof(x->others[k].person_id));
            get(&r, &x->others[k].mentions, sizeof(x->others[k].mentions));
            x->others[k].name = get_str(&r);
        }
    }
    if (r.bad) {                /* never: what was put is read back whole */
        store_raised_free(v, cnt);
        return 0;
    }
    *out = v;
    *n = cnt;
    if (more)
        *more = m;
    return 1;
}

void raised_memo_put(struct store *st, const struct store_topic *t, int64_t meeting_id,
                     int limit, const struct store_raised *v, int n, int more)
{
    struct buf key, b;
    int i, k;

    buf_init(&key);
    buf_init(&b);
    memo_key(t, meeting_id, limit, &key);
    put(&b, &more, sizeof(more));
    put(&b, &n, sizeof(n));
    for (i = 0; i < n; i++) {
        const struct store_raised *x = &v[i];

        put(&b, &x->meeting_id, sizeof(x->meeting_id));
        put(&b, &x->has_first, sizeof(x->has_first));
        put(&b, &x->n_others, sizeof(x->n_others));
        put(&b, &x->first_mentions, sizeof(x->first_mentions));
        put(&b, &x->has_summary, sizeof(x->has_summary));
        put(&b, &x->score, sizeof(x->score));
        put_str(&b, x->note);
        put_hit(&b, &x->first);
        put_hit(&b, &x->summary);
        for (k = 0; k < x->n_others; k++) {
            put(&b, &x->others[k].person_id, sizeof(x->others[k].person_id));
            put(&b, &x->others[k].mentions, sizeof(x->others[k].mentions));
            put_str(&b, x->others[k].name);
        }
    }
    query_memo_put(st, MEMO_MEETINGS, key.data, key.len, b.data, b.len);
    buf_release(&b);
    buf_release(&key);
}
