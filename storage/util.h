/* storage/util.h -- memory helpers and a growable byte buffer shared by
 * every layer (storage is the bottom layer, so they live here).
 * Ownership rule for all of scribe: arguments are borrowed; anything a
 * function keeps, it copies; a returned pointer is the caller's only when
 * the name says _new/_dup and the comment says "free with free()". */
#ifndef SCRIBE_UTIL_H
#define SCRIBE_UTIL_H

#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>

/* Allocation that aborts on out-of-memory: callers never check. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);            /* xstrdup(NULL) == NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A growable, always NUL-terminated byte buffer. */
struct buf {
    char *data;     /* NUL-terminated; "" after init */
    size_t len;
    size_t cap;
};

void buf_init(struct buf *b);
void buf_release(struct buf *b);        /* frees data; buffer may be reused after buf_init */
void buf_reset(struct buf *b);          /* len = 0, keeps memory */
void buf_add(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Append `s` with & < > " ' escaped for HTML. */
void buf_puts_html(struct buf *b, const char *s);
void buf_add_html(struct buf *b, const char *s, size_t n);
char *buf_detach(struct buf *b);        /* caller frees; buffer is re-initialised */

/* UTF-8 helpers. */
/* Decode one code point at s (n bytes available). Returns its length in
 * bytes (1..4) and stores it in *cp, or returns 0 for an invalid sequence. */
int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
int utf8_valid(const char *s, size_t n);            /* 1 when all of s is valid UTF-8 */
void utf8_put(struct buf *b, uint32_t cp);
/* Byte length of the longest prefix of s (at most max bytes) that does not
 * cut a code point in two. */
size_t utf8_trim_len(const char *s, size_t len, size_t max);

#endif
