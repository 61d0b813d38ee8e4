/* bot/console.h -- `scribe console`: the command language in a terminal. */
#ifndef SCRIBE_CONSOLE_H
#define SCRIBE_CONSOLE_H

#include <stdio.h>

struct store;
struct config;

/* Read questions from `in` until EOF or "quit", answering on `out`.
 * Prompts when `in` is a terminal. ":ingest FILE" reads a record.
 * Returns 0, or 1 when the store failed. */
int console_run(struct store *st, const struct config *cfg, FILE *in, FILE *out);

/* Read a whole file ("-" = stdin) of at most `max` bytes. Returns 0 with
 * a buffer (free with free()), or -1 with a reason in err (also for a
 * file over `max`, read no further than that). */
int console_read_file(const char *path, size_t max, char **data, size_t *len,
                      char *err, size_t errlen);

#endif
