/* storage/store.h -- the meeting store: an opaque handle on one SQLite
 * database holding meetings, records, people, turns, facts and search.
 * Callers speak plain C types; nothing here knows Matrix or cJSON. */
#ifndef SCRIBE_STORE_H
#define SCRIBE_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct sqlite3;

/* Open (creating and migrating) the database at `path` (":memory:" for
 * tests). New files are created mode 0600. Returns 0, or -1 with a reason
 * in err. Free with store_close(); store_close(NULL) is a no-op. */
int store_open(struct store **out, const char *path, char *err, size_t errlen);
void store_close(struct store *st);

/* The connection, for storage/ modules that keep their own tables (the
 * bot's sync state). Borrowed; valid until store_close(). */
struct sqlite3 *store_sqlite(struct store *st);

/* Write transactions (BEGIN IMMEDIATE). 0 or -1. */
int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);

#endif
