/* tests/store_fixture.c -- see store_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_fixture.h"
#include "../storage/record.h"

struct store *store_fixture_open_mem(void)
{
    struct store *st = NULL;
    char err[256];

    assert_int_equal(store_open(&st, ":memory:", err, sizeof(err)), 0);
    return st;
}

int64_t store_fixture_ingest(struct store *st, const char *text, const char *name,
                             int64_t posted, struct store_ingest_result *res)
{
    struct store_ingest_result own;
    char err[256] = "";

    if (!res)
        res = &own;
    if (store_ingest(st, text, strlen(text), 0, name, NULL, posted, res, err, sizeof(err)) != 0)
        fail_msg("store_ingest of %s: %s", name, err[0] ? err : "a duplicate");
    return res->meeting_id;
}

void store_fixture_add(struct store *st, struct record *r, int want,
                       struct store_ingest_result *res)
{
    char err[256] = "";

    assert_int_equal(store_add_record(st, r, "fixture.txt", NULL, 1700000000, res, err, sizeof(err)), want);
    record_free(r);
}

int store_fixture_temp_db(char *path, size_t cap, const char *name)
{
    char tmpl[128];
    int fd, n;

    n = snprintf(tmpl, sizeof(tmpl), "/tmp/scribe-test-%s-XXXXXX", name);
    if (n < 0 || (size_t)n >= sizeof(tmpl))
        return -1;
    fd = mkstemp(tmpl);
    if (fd < 0)
        return -1;
    close(fd);
    /* mkstemp() made the name unique; the database goes beside it, so
     * that it does not exist yet, as a new store's file would not. */
    unlink(tmpl);
    n = snprintf(path, cap, "%s.db", tmpl);
    if (n < 0 || (size_t)n >= cap)
        return -1;
    return 0;
}

void store_fixture_remove_db(const char *path)
{
    static const char *const suffix[] = { "", "-wal", "-shm" };
    char file[256];
    size_t i;

    for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        if ((size_t)snprintf(file, sizeof(file), "%s%s", path, suffix[i]) >= sizeof(file))
            continue;
        unlink(file);
    }
}
