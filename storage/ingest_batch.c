/* storage/ingest_batch.c -- a batch of records stored one after another
 * (scribe ingest FILE..., the benchmark), each read and parsed on a
 * second thread while the one before it is stored: reading a record is
 * pure C and needs no database, so on two cores its time hides under the
 * SQLite work of the record before. When the record to store next is
 * still being read, the storing thread reads a later one itself instead
 * of waiting (real transcripts take about as long to read as to store).
 * The store itself is only ever used by the calling thread, and records
 * are stored and reported in order.
 * Records are stored a group at a time, one transaction per group; a
 * record the store fails on rolls its group back, and the group is
 * stored again one record per transaction, so only that record is lost. */
#include "store_int.h"
#include "record.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Records waiting between the threads: at most BATCH_AHEAD of them, and
 * no more once they hold BATCH_AHEAD_BYTES of record text (one is always
 * let through). A group's index and commit keep the storing thread busy
 * for a while; with a whole group's worth read ahead, the reading thread
 * goes on meanwhile instead of stopping two records ahead. */
#define BATCH_AHEAD 32
#define BATCH_AHEAD_BYTES (4u << 20)

/* A group: records stored in one transaction, at most this many or about
 * this many bytes of record text. Each record in its own transaction
 * costs a commit, and FTS5 writes its pending rows out as a new segment
 * at every savepoint, segments that later have to be merged. */
#define GROUP_RECORDS 32
#define GROUP_BYTES (2u << 20)

/* Free memory a heap keeps before glibc gives it back to the system. Its
 * default, 128 KB, is less than what reading one record allocates and
 * frees again, so each record's working memory went back at its end and
 * was faulted in anew by the next: about 60 page faults a record (73,000
 * over six batches of 200 records, 3,300 with this). The bot, which
 * stores one record at a time, trims its memory at rest instead. */
#define BATCH_TRIM_THRESHOLD (4 << 20)

/* One record read (or not), handed from the reading thread to the storing one. */
struct batch_slot {
    struct store_batch_rec rec;
    struct record *r;           /* NULL when rc is -1 */
    int rc;
    int parsed;                 /* read and parsed: may be stored (again) */
    int ready;                  /* in the ring, waiting to be stored */
    struct store_ingest_result res;
    char err[256];
};

struct batch_pipe {
    const struct store_batch *b;
    int n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch_slot ring[BATCH_AHEAD]; /* record k in ring[k % BATCH_AHEAD] */
    int claimed, consumed;      /* records taken to be read, and taken out */
    size_t ahead_bytes;         /* record text in the ring */
};

/* The records of the open group, stored but not yet committed: their
 * done() waits for the commit. v[k] is record first + k. */
struct batch_group {
    struct batch_slot v[GROUP_RECORDS];
    int n, first;
    size_t bytes;
    int in_tx;                  /* the group's transaction is begun */
    struct ingest_marks marks;  /* the last rows stored before the group */
};

/* Record i read by b->read() and parsed into s. */
static void batch_prepare(const struct store_batch *b, int i, struct batch_slot *s)
{
    memset(s, 0, sizeof(*s));
    s->rc = b->read(b->arg, i, &s->rec, s->err, sizeof(s->err));
    if (s->rc < 0) {
        if (!s->err[0])
            snprintf(s->err, sizeof(s->err), "cannot read record");
        return;
    }
    s->rc = ingest_parse(s->rec.data, s->rec.len, b->max_bytes, &s->r, s->err, sizeof(s->err));
    s->parsed = s->rc == 0;
}

/* The group's records handed to b->done(), in order, and let go. */
static void group_report(const struct store_batch *b, struct batch_group *g)
{
    int k;

    for (k = 0; k < g->n; k++) {
        struct batch_slot *s = &g->v[k];

        b->done(b->arg, g->first + k, &s->rec, s->rc, s->rc < 0 ? NULL : &s->res,
                s->rc < 0 ? s->err : NULL);
    }
    g->n = 0;
    g->bytes = 0;
}

/* After the group's transaction was rolled back: each record that was
 * read stored again in a transaction of its own (parsed again: the parse
 * was let go once stored), so one that fails takes none of the others
 * with it. */
static void group_one_by_one(struct store *st, const struct store_batch *b, struct batch_group *g)
{
    int k;

    for (k = 0; k < g->n; k++) {
        struct batch_slot *s = &g->v[k];
        struct record *r = NULL;

        if (!s->parsed)
            continue;
        memset(&s->res, 0, sizeof(s->res));
        s->err[0] = '\0';
        s->rc = ingest_parse(s->rec.data, s->rec.len, b->max_bytes, &r, s->err, sizeof(s->err));
        if (s->rc == 0)
            s->rc = store_add_record(st, r, s->rec.name, b->room, s->rec.posted, &s->res,
                                     s->err, sizeof(s->err));
        record_free(r);
    }
}

/* The open group committed (or, when that fails, stored again record by
 * record) and reported. */
static void group_close(struct store *st, const struct store_batch *b, struct batch_group *g)
{
    if (g->in_tx) {
        g->in_tx = 0;
        /* The group's items and actions indexed last (ingest_index()). */
        if (ingest_index(st, &g->marks) < 0 || store_commit(st) < 0) {
            store_rollback(st);
            group_one_by_one(st, b, g);
        }
    }
    group_report(b, g);
}

/* Record i (in s) stored in the open group, which is closed when full.
 * A record the store fails on rolls the group back; the group is then
 * stored again one record at a time. */
static void batch_store(struct store *st, const struct store_batch *b, struct batch_group *g,
                        int i, struct batch_slot *s)
{
    if (!g->n)
        g->first = i;
    if (s->rc == 0 && !g->in_tx && store_begin(st) == 0) {
        g->in_tx = 1;
        if (ingest_marks_take(st, &g->marks) < 0) {
            store_rollback(st);
            g->in_tx = 0;
        }
    }
    if (s->rc == 0 && g->in_tx)
        s->rc = ingest_add_record(st, s->r, s->rec.name, b->room, s->rec.posted, &s->res,
                                  s->err, sizeof(s->err), 0);
    else if (s->rc == 0)        /* no transaction to be had: the record says why */
        s->rc = store_add_record(st, s->r, s->rec.name, b->room, s->rec.posted, &s->res,
                                 s->err, sizeof(s->err));
    record_free(s->r);
    s->r = NULL;
    g->v[g->n++] = *s;
    g->bytes += s->rec.len;
    if (s->rc < 0 && s->parsed && g->in_tx) {
        g->in_tx = 0;
        store_rollback(st);
        group_one_by_one(st, b, g);
    }
    if (g->n == GROUP_RECORDS || g->bytes >= GROUP_BYTES || (!g->in_tx && g->n))
        group_close(st, b, g);
}

/* Under p->mu: whether a record may be taken to be read now (one is
 * left, its slot in the ring is free, and what waits there is under the
 * byte cap; one is always let through). */
static int batch_may_claim(const struct batch_pipe *p)
{
    return p->claimed < p->n && p->claimed - p->consumed < BATCH_AHEAD &&
           (p->claimed == p->consumed || p->ahead_bytes < BATCH_AHEAD_BYTES);
}

/* Under p->mu: the next record taken, read and parsed with the lock let
 * go, and put in its slot. */
static void batch_claim(struct batch_pipe *p)
{
    struct batch_slot s;
    int k = p->claimed++;

    pthread_mutex_unlock(&p->mu);
    batch_prepare(p->b, k, &s);
    pthread_mutex_lock(&p->mu);
    s.ready = 1;
    p->ring[k % BATCH_AHEAD] = s;
    p->ahead_bytes += s.rec.len;
    pthread_cond_broadcast(&p->cv);
}

static void *batch_reader(void *arg)
{
    struct batch_pipe *p = arg;

    pthread_mutex_lock(&p->mu);
    while (p->claimed < p->n) {
        if (batch_may_claim(p))
            batch_claim(p);
        else
            pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int store_ingest_batch(struct store *st, int n, const struct store_batch *b)
{
    struct batch_pipe *p;
    struct batch_slot s;
    struct batch_group *g;
    pthread_t reader;
    int i, fk_off;

    if (n <= 0)
        return 0;
    mallopt(M_TRIM_THRESHOLD, BATCH_TRIM_THRESHOLD);
    /* Foreign keys are not checked while the batch is stored: every id a
     * record's rows point at comes from a row the same transaction has
     * just written or read, and ingest deletes nothing, so the checks (a
     * look-up per key per row, about 8% of the store's instructions)
     * could never fail, and each check would open a savepoint
     * (INGEST_WRITE). */
    fk_off = ingest_begin(st);
    g = xcalloc(1, sizeof(*g));
    p = xcalloc(1, sizeof(*p));  /* the ring is a few tens of KB: not on the stack */
    p->b = b;
    p->n = n;
    if (n == 1 || pthread_mutex_init(&p->mu, NULL) != 0)
        goto one_thread;
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        goto one_thread;
    }
    if (pthread_create(&reader, NULL, batch_reader, p) != 0) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        goto one_thread;
    }
    for (i = 0; i < n; i++) {
        struct batch_slot *slot = &p->ring[i % BATCH_AHEAD];

        pthread_mutex_lock(&p->mu);
        /* Record i still being read (or not yet taken): read the next
         * one meanwhile, or wait. */
        while (!slot->ready) {
            if (batch_may_claim(p))
                batch_claim(p);
            else
                pthread_cond_wait(&p->cv, &p->mu);
        }
        s = *slot;
        slot->ready = 0;
        p->ahead_bytes -= s.rec.len;
        p->consumed++;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        batch_store(st, b, g, i, &s);
    }
    pthread_join(reader, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    goto out;
one_thread:
    /* No second thread to be had: the same work, in turn. */
    for (i = 0; i < n; i++) {
        batch_prepare(b, i, &s);
        batch_store(st, b, g, i, &s);
    }
out:
    group_close(st, b, g);
    free(g);
    free(p);
    ingest_end(st, fk_off);
    return 0;
}
