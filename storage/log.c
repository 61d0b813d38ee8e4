/* storage/log.c -- stderr logging with a UTC timestamp and a level. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level log_min = LOG_INFO;

void log_set_level(enum log_level level)
{
    log_min = level;
}

int log_level_parse(const char *name)
{
    if (!strcmp(name, "debug"))
        return LOG_DEBUG;
    if (!strcmp(name, "info"))
        return LOG_INFO;
    if (!strcmp(name, "warn") || !strcmp(name, "warning"))
        return LOG_WARN;
    if (!strcmp(name, "error") || !strcmp(name, "err"))
        return LOG_ERR;
    return -1;
}

static void log_v(enum log_level level, const char *fmt, va_list ap)
{
    static const char *names[] = { "debug", "info", "warn", "error" };
    char stamp[32];
    struct timespec ts;
    struct tm tm;

    if (level < log_min)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ %s: ", stamp, ts.tv_nsec / 1000000, names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

#define LOG_FN(fn, level)                 \
    void fn(const char *fmt, ...)         \
    {                                     \
        va_list ap;                       \
        va_start(ap, fmt);                \
        log_v(level, fmt, ap);            \
        va_end(ap);                       \
    }

LOG_FN(log_debug, LOG_DEBUG)
LOG_FN(log_info, LOG_INFO)
LOG_FN(log_warn, LOG_WARN)

int log_err(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_v(LOG_ERR, fmt, ap);
    va_end(ap);
    return -1;
}
