/* storage/tidy.c -- upkeep of the full-text indexes between questions.
 * Every record stored adds a segment to turns_fts, items_fts and
 * actions_fts (FTS5 merges them only when four of a size pile up), and
 * every term a question looks up is looked up in every segment: a store
 * of 100 meetings held 20 segments of turns and 11 of items. A step
 * merges segments of the same size into one (FTS5's 'merge' command, at
 * most `pages` pages written), so that at rest an index keeps about one
 * segment per size. Callers run steps off the event loop (the bot) or
 * after a batch (scribe ingest). */
#include "store_int.h"

#include <sqlite3.h>

/* The merge command of each index; usermerge (set by schema version 9)
 * is 2: two segments of a size are enough to merge. */
static const char *const merges[] = {
    "INSERT INTO turns_fts(turns_fts, rank) VALUES('merge', ?)",
    "INSERT INTO items_fts(items_fts, rank) VALUES('merge', ?)",
    "INSERT INTO actions_fts(actions_fts, rank) VALUES('merge', ?)",
};

int store_tidy_step(struct store *st, int pages)
{
    size_t i;

    for (i = 0; i < sizeof(merges) / sizeof(merges[0]); i++) {
        sqlite3_stmt *s = store_stmt(st, merges[i]);
        int before = sqlite3_total_changes(st->db), rc;

        if (!s)
            return -1;
        sqlite3_bind_int(s, 1, pages > 0 ? pages : 1);
        rc = sqlite3_step(s);
        store_stmt_done(s);
        if (rc != SQLITE_DONE) {
            store_fail(st, "cannot merge the full-text index");
            return -1;
        }
        /* FTS5 counts a merge that wrote something as two changes or
         * more; fewer, and this index had nothing to merge. */
        if (sqlite3_total_changes(st->db) - before >= 2)
            return 1;
    }
    return 0;
}

int store_tidy(struct store *st, int pages, int max_steps)
{
    int k, rc = 1;

    for (k = 0; k < max_steps && rc == 1; k++)
        rc = store_tidy_step(st, pages);
    return rc < 0 ? -1 : rc;
}
