/* bot/bot_tidy.c -- the store's upkeep off the event loop. Each record
 * stored leaves new segments in the full-text indexes, and a question
 * looks each of its words up in every segment; at start-up, and at the
 * first rest after records were stored (their replies sent), the
 * segments are merged (store_tidy_step) in libuv's thread pool on a
 * connection of its own, one short transaction per step. A record or a
 * question that arrives meanwhile stops it after the step under way; what
 * is left is merged at the next rest. */
#include "bot_int.h"
#include "../storage/botstate.h"
#include "../storage/log.h"
#include "../storage/store.h"
#include "../storage/util.h"

#include <stdatomic.h>
#include <stdlib.h>

#define TIDY_PAGES      64      /* pages written per step: a few ms of the write lock */
#define TIDY_STEPS_MAX  100000  /* a bound on one run */

struct tidy_work {
    uv_work_t req;
    struct bot *b;
    char *path;
    atomic_int stop;
    int steps;
    int rc;                     /* of the last step: 1 more to merge, 0 done, -1 */
};

/* In the thread pool: nothing here touches the loop or the bot. */
static void tidy_run(uv_work_t *req)
{
    struct tidy_work *w = container_of(req, struct tidy_work, req);
    struct store *ws;
    char err[256];

    w->rc = -1;
    if (store_open(&ws, w->path, err, sizeof(err)) < 0) {
        log_warn("cannot open a connection to tidy the database: %s", err);
        return;
    }
    do {
        w->rc = store_tidy_step(ws, TIDY_PAGES);
    } while (w->rc == 1 && ++w->steps < TIDY_STEPS_MAX && !atomic_load(&w->stop));
    store_close(ws);
}

static void tidy_done(uv_work_t *req, int status)
{
    struct tidy_work *w = container_of(req, struct tidy_work, req);
    struct bot *b = w->b;

    (void)status;
    b->tidying = NULL;
    /* Stopped short: the next rest goes on. Failed (the database busy or
     * full): the next record stored asks again, not every rest. */
    b->tidy_left = w->rc == 1;
    if (w->rc < 0)
        log_warn("could not merge the full-text indexes; trying again after the next record");
    else if (w->steps)
        log_debug("full-text indexes merged in %d steps%s", w->steps,
                  w->rc ? ", more left for the next rest" : "");
    free(w->path);
    free(w);
    if (b->stopping) {
        bot_check_drained(b);
        return;
    }
    bot_worker_free(b);
    bot_rest_soon(b);
}

void bot_tidy_start(struct bot *b)
{
    const char *path = botstate_db_path(b->st);
    struct tidy_work *w;

    if (b->tidying || b->ingesting || b->stopping || !*path)
        return;
    w = xcalloc(1, sizeof(*w));
    w->b = b;
    w->path = xstrdup(path);
    atomic_init(&w->stop, 0);
    if (uv_queue_work(&b->loop, &w->req, tidy_run, tidy_done) < 0) {
        free(w->path);
        free(w);
        return;
    }
    b->tidying = w;
    b->tidy_left = 0;
}

void bot_tidy_yield(struct bot *b)
{
    if (b->tidying)
        atomic_store(&b->tidying->stop, 1);
}
