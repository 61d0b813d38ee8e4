/* storage/ingest_batch.c -- a batch of records stored one after another
 * (scribe ingest FILE..., the benchmark), each read and parsed on a
 * second thread while the one before it is stored: reading a record is
 * pure C and needs no database, so on two cores its time hides under the
 * SQLite work of the record before. The store itself is only ever used
 * by the calling thread, and records are stored and reported in order. */
#include "store_int.h"
#include "record.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Records waiting between the threads. With the one being stored and the
 * one being read, at most BATCH_AHEAD + 2 are held at once. */
#define BATCH_AHEAD 2

/* One record read (or not), handed from the reading thread to the storing one. */
struct batch_slot {
    struct store_batch_rec rec;
    struct record *r;           /* NULL when rc is -1 */
    int rc;
    char err[256];
};

struct batch_pipe {
    const struct store_batch *b;
    int n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch_slot ring[BATCH_AHEAD];
    int produced, consumed;     /* records put in the ring, and taken out */
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
}

/* Record i stored (when it was read) and given to b->done(). */
static void batch_store(struct store *st, const struct store_batch *b, int i,
                        struct batch_slot *s)
{
    struct store_ingest_result res;

    memset(&res, 0, sizeof(res));
    if (s->rc == 0)
        s->rc = store_add_record(st, s->r, s->rec.name, b->room, s->rec.posted, &res,
                                 s->err, sizeof(s->err));
    record_free(s->r);
    s->r = NULL;
    b->done(b->arg, i, &s->rec, s->rc, s->rc < 0 ? NULL : &res, s->rc < 0 ? s->err : NULL);
}

static void *batch_reader(void *arg)
{
    struct batch_pipe *p = arg;
    struct batch_slot s;
    int i;

    for (i = 0; i < p->n; i++) {
        batch_prepare(p->b, i, &s);
        pthread_mutex_lock(&p->mu);
        while (p->produced - p->consumed >= BATCH_AHEAD)
            pthread_cond_wait(&p->cv, &p->mu);
        p->ring[i % BATCH_AHEAD] = s;
        p->produced++;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

int store_ingest_batch(struct store *st, int n, const struct store_batch *b)
{
    struct batch_pipe p;
    struct batch_slot s;
    pthread_t reader;
    int i;

    if (n <= 0)
        return 0;
    memset(&p, 0, sizeof(p));
    p.b = b;
    p.n = n;
    if (n == 1 || pthread_mutex_init(&p.mu, NULL) != 0)
        goto one_thread;
    if (pthread_cond_init(&p.cv, NULL) != 0) {
        pthread_mutex_destroy(&p.mu);
        goto one_thread;
    }
    if (pthread_create(&reader, NULL, batch_reader, &p) != 0) {
        pthread_cond_destroy(&p.cv);
        pthread_mutex_destroy(&p.mu);
        goto one_thread;
    }
    for (i = 0; i < n; i++) {
        pthread_mutex_lock(&p.mu);
        while (p.produced <= i)
            pthread_cond_wait(&p.cv, &p.mu);
        s = p.ring[i % BATCH_AHEAD];
        p.consumed++;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
        batch_store(st, b, i, &s);
    }
    pthread_join(reader, NULL);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    return 0;
one_thread:
    /* No second thread to be had: the same work, in turn. */
    for (i = 0; i < n; i++) {
        batch_prepare(b, i, &s);
        batch_store(st, b, i, &s);
    }
    return 0;
}
