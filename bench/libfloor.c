/* bench/libfloor.c -- the memory floor under the bot: a process that
 * loads every library build/scribe loads, initialises libcurl and OpenSSL
 * through the bot's own http_new() (bot/http.c) and opens an event loop,
 * then does nothing. What it holds is what the libraries cost before
 * scribe reads a byte; bench.py sets it beside the bot's memory at rest.
 *   libfloor     prints {"rss_kb":..,"anon_kb":..,"file_kb":..,"libraries":..}
 */
#include "../bot/http.h"

#include <stdio.h>
#include <string.h>
#include <uv.h>

/* VmRSS, RssAnon and RssFile (KiB) from /proc/self/status; 0 when absent. */
static void own_memory(long *rss, long *anon, long *file)
{
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");

    *rss = *anon = *file = 0;
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "VmRSS:", 6))
            sscanf(line + 6, "%ld", rss);
        else if (!strncmp(line, "RssAnon:", 8))
            sscanf(line + 8, "%ld", anon);
        else if (!strncmp(line, "RssFile:", 8))
            sscanf(line + 8, "%ld", file);
    }
    fclose(f);
}

/* Shared objects mapped into this process (distinct paths ending .so*). */
static int count_libraries(void)
{
    char line[4352], seen[64][256];
    int n = 0;
    FILE *f = fopen("/proc/self/maps", "r");

    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f) && n < 64) {
        char *path = strchr(line, '/');
        int i;

        if (!path || !strstr(path, ".so"))
            continue;
        path[strcspn(path, "\n")] = '\0';
        for (i = 0; i < n && strcmp(seen[i], path); i++)
            ;
        if (i == n)
            snprintf(seen[n++], sizeof(seen[0]), "%s", path);
    }
    fclose(f);
    return n;
}

int main(void)
{
    uv_loop_t loop;
    struct http *h = NULL;
    long rss, anon, file;

    /* Linked with scribe's own library list (the Makefile), so SQLite,
     * cJSON and the rest are loaded as in the bot, unused. */
    if (uv_loop_init(&loop) < 0 || http_new(&h, &loop) < 0) {
        fprintf(stderr, "libfloor: cannot initialise\n");
        return 1;
    }
    own_memory(&rss, &anon, &file);
    printf("{\"rss_kb\":%ld,\"anon_kb\":%ld,\"file_kb\":%ld,\"libraries\":%d}\n",
           rss, anon, file, count_libraries());
    http_close(h);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return 0;
}
