/* tests/store_fixture.h -- a store to test against: one in memory, records
 * added to it, or a temporary database file and its removal. Shared by
 * the unit tests of the store (test_store.c, test_schema.c, test_actions.c,
 * test_query_memo.c, test_search_rank.c, test_topic_match.c, test_reports.c,
 * test_ingest_batch.c). */
#ifndef SCRIBE_TEST_STORE_FIXTURE_H
#define SCRIBE_TEST_STORE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "../storage/store.h"

/* A new, empty store on ":memory:"; fails the test when it cannot be
 * opened. Close with store_close(). */
struct store *store_fixture_open_mem(void);

/* Adds `r` as "fixture.txt", posted at 1700000000, and frees it; fails
 * the test unless store_add_record() returns `want`. `res` may be NULL. */
void store_fixture_add(struct store *st, struct record *r, int want,
                       struct store_ingest_result *res);

/* Reads and stores the record `text` as `name`, posted at `posted`;
 * fails the test unless it is stored (0). `res` may be NULL. Returns the
 * meeting's id. */
int64_t store_fixture_ingest(struct store *st, const char *text, const char *name,
                             int64_t posted, struct store_ingest_result *res);

/* Writes to `path` (`cap` bytes) a new name for a database file,
 * "/tmp/scribe-test-NAME-XXXXXX.db", that does not exist yet: store_open()
 * creates it. Returns 0, or -1 when no name could be made. */
int store_fixture_temp_db(char *path, size_t cap, const char *name);

/* Removes the database file at `path` and the "-wal" and "-shm" files
 * SQLite keeps beside it; any of them may be missing. */
void store_fixture_remove_db(const char *path);

#endif
