/* bench/gen.c -- write a benchmark corpus to files: `gen N DIR [SEED]`
 * makes DIR/mNNNNN-transcript.txt and DIR/mNNNNN-summary.txt for N
 * meetings (bench/corpus.c), the same bytes for the same N and SEED. */
#include "corpus.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int write_file(const char *path, const struct buf *b)
{
    FILE *f = fopen(path, "wb");

    if (!f || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
        fprintf(stderr, "gen: cannot write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct corpus *c;
    struct buf b;
    char path[4096];
    int n, i, rc = 0;
    uint64_t seed;

    if (argc < 3) {
        fprintf(stderr, "usage: gen N DIR [SEED]\n");
        return 2;
    }
    n = atoi(argv[1]);
    seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
    if (mkdir(argv[2], 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "gen: cannot create '%s': %s\n", argv[2], strerror(errno));
        return 1;
    }
    c = corpus_new(seed, n);
    buf_init(&b);
    for (i = 0; i < n && rc == 0; i++) {
        buf_reset(&b);
        corpus_transcript(c, i, &b);
        snprintf(path, sizeof(path), "%s/m%05d-transcript.txt", argv[2], i);
        rc = write_file(path, &b);
        buf_reset(&b);
        corpus_summary(c, i, &b);
        snprintf(path, sizeof(path), "%s/m%05d-summary.txt", argv[2], i);
        if (rc == 0)
            rc = write_file(path, &b);
    }
    buf_release(&b);
    corpus_free(c);
    return rc ? 1 : 0;
}
