/* storage/log.h -- one-line timestamped log messages on stderr.
 * Never pass secrets (tokens, passwords) or whole request bodies. */
#ifndef SCRIBE_LOG_H
#define SCRIBE_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERR };

void log_set_level(enum log_level level);
int log_level_parse(const char *name);      /* "debug".."error" -> level, or -1 */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs at error level and returns -1, so `return log_err(...)` fails in one line. */
int log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
