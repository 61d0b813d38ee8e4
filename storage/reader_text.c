/* storage/reader_text.c -- the readers' text primitives: Unicode spaces
 * and hyphens, lines, trimming, cleaning, word counts, case-insensitive
 * search. Pure: no SQLite, no I/O. */
#include "reader_int.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Lines and characters                                                */

int reader_space_len(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;

    if (n == 0)
        return 0;
    if (u[0] == ' ' || u[0] == '\t' || u[0] == '\r' || u[0] == '\f' || u[0] == '\v')
        return 1;
    if (u[0] == 0xC2 && n >= 2 && u[1] == 0xA0)
        return 2;                                       /* U+00A0 */
    if (u[0] == 0xE2 && n >= 3) {
        if (u[1] == 0x80 && (u[2] <= 0x8B || u[2] == 0xAF))
            return 3;                                   /* U+2000..U+200B, U+202F */
        if (u[1] == 0x81 && u[2] == 0x9F)
            return 3;                                   /* U+205F */
    }
    if (u[0] == 0xE3 && n >= 3 && u[1] == 0x80 && u[2] == 0x80)
        return 3;                                       /* U+3000 */
    if (u[0] == 0xEF && n >= 3 && u[1] == 0xBB && u[2] == 0xBF)
        return 3;                                       /* U+FEFF */
    return 0;
}

int reader_hyphen_len(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;

    if (n == 0)
        return 0;
    if (u[0] == '-')
        return 1;
    if (u[0] == 0xE2 && n >= 3 && u[1] == 0x80 && u[2] >= 0x90 && u[2] <= 0x92)
        return 3;                                       /* U+2010..U+2012 */
    if (u[0] == 0xE2 && n >= 3 && u[1] == 0x88 && u[2] == 0x92)
        return 3;                                       /* U+2212 */
    return 0;
}

size_t reader_skip_space(const char *s, size_t i, size_t end)
{
    int w;

    while (i < end && (w = reader_space_len(s + i, end - i)) > 0)
        i += (size_t)w;
    return i;
}

size_t reader_trim_end(const char *s, size_t start, size_t end)
{
    while (end > start) {
        size_t k = end - 1;
        /* Step back to the first byte of the last code point. */
        while (k > start && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
        if (reader_space_len(s + k, end - k) != (int)(end - k))
            break;
        end = k;
    }
    return end;
}

/* A time stamp before a turn ("[00:01:23] >> NAME:", "00:01:23.5 >>"):
 * where the arrows start, else p. */
static size_t skip_stamp(const char *t, size_t p, size_t end)
{
    size_t q = p, d;
    int parts = 0;

    if (q < end && (t[q] == '[' || t[q] == '('))
        q++;
    for (;;) {
        for (d = q; d < end && d - q < 2 && t[d] >= '0' && t[d] <= '9'; d++)
            ;
        if (d == q)
            return p;
        q = d;
        parts++;
        if (q < end && t[q] == ':' && parts < 3) {
            q++;
            continue;
        }
        break;
    }
    if (parts < 2)
        return p;
    if (q < end && (t[q] == '.' || t[q] == ',')) {
        for (q++; q < end && t[q] >= '0' && t[q] <= '9'; q++)
            ;
    }
    if (q < end && (t[q] == ']' || t[q] == ')'))
        q++;
    q = reader_skip_space(t, q, end);
    return q + 1 < end && t[q] == '>' && t[q + 1] == '>' ? q : p;
}

void rlines_split(const char *text, size_t len, struct rlines *out)
{
    size_t i = 0;

    out->v = NULL;
    out->n = 0;
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        struct rline *ln = READER_PUSH(out->v, out->n);

        ln->start = i;
        ln->end = end;
        if (ln->end > ln->start && text[ln->end - 1] == '\r')
            ln->end--;
        ln->text = reader_skip_space(text, i, ln->end);
        if (ln->text < ln->end && text[ln->text] != '>')
            ln->text = skip_stamp(text, ln->text, ln->end);
        ln->blank = ln->text >= ln->end;
        i = nl ? end + 1 : len;
    }
}

void rlines_release(struct rlines *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

char *reader_clean_dup(const char *s, size_t n)
{
    struct buf b;
    size_t i = 0;
    int pending = 0;

    buf_init(&b);
    while (i < n) {
        int w = reader_space_len(s + i, n - i);
        if (w > 0 || s[i] == '\n') {
            pending = b.len > 0;
            i += w > 0 ? (size_t)w : 1;
            continue;
        }
        /* The run of bytes up to the next space or line end, copied in
         * one go; printable ASCII is never either. */
        size_t j = i + 1;

        while (j < n) {
            unsigned char c = (unsigned char)s[j];

            if ((c > ' ' && c < 0x80) || (c != '\n' && reader_space_len(s + j, n - j) == 0))
                j++;
            else
                break;
        }
        if (pending)
            buf_putc(&b, ' ');
        pending = 0;
        buf_add(&b, s + i, j - i);
        i = j;
    }
    return buf_detach(&b);
}

void reader_lower_ascii(char *dst, const char *src, size_t n)
{
    const uint64_t high = 0x8080808080808080ull;
    size_t i = 0;

    /* Eight bytes at a time: a byte below 0x80 whose low seven bits lie
     * in 'A'..'Z' gets 0x20 added; the sums cannot carry into the next
     * byte, and UTF-8 bytes (0x80 and up) stay as they are. */
    for (; i + 8 <= n; i += 8) {
        uint64_t x, low7, upper;

        memcpy(&x, src + i, 8);
        low7 = x & ~high;
        upper = ~x & (low7 + 0x3f3f3f3f3f3f3f3full) & ~(low7 + 0x2525252525252525ull) & high;
        x |= upper >> 2;
        memcpy(dst + i, &x, 8);
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)src[i];

        dst[i] = (char)((unsigned)(c - 'A') < 26u ? c + ('a' - 'A') : c);
    }
}

int reader_count_words(const char *s, size_t n)
{
    int words = 0, in = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int w = isalnum(c) || c >= 0x80 || c == '\'';
        if (c >= 0x80 && reader_space_len(s + i, n - i) > 0)
            w = 0;
        if (w && !in)
            words++;
        in = w;
    }
    return words;
}

int reader_is_upper_word(const char *s, size_t n)
{
    int letters = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (islower(c))
            return 0;
        if (isupper(c))
            letters++;
    }
    return letters > 0;
}

int reader_word_in(const char *w, size_t n, const char *const *list)
{
    unsigned char c0;

    if (n == 0)
        return 0;
    /* The first letter tells most words apart before any length is taken. */
    c0 = (unsigned char)w[0];
    if (c0 >= 'A' && c0 <= 'Z')
        c0 = (unsigned char)(c0 - 'A' + 'a');
    for (int i = 0; list[i]; i++)
        if ((unsigned char)list[i][0] == c0 && strlen(list[i]) == n &&
            !reader_strncasecmp_ascii(w, list[i], n))
            return 1;
    return 0;
}

int reader_strncasecmp_ascii(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = (unsigned char)a[i], cb = (unsigned char)b[i];

        ca += ca >= 'A' && ca <= 'Z' ? 'a' - 'A' : 0;
        cb += cb >= 'A' && cb <= 'Z' ? 'a' - 'A' : 0;
        if (ca != cb)
            return ca - cb;
        if (!ca)
            return 0;
    }
    return 0;
}

/* The first c in [p, end), else end. */
static const char *next_byte(const char *p, const char *end, unsigned char c)
{
    const char *q = p < end ? memchr(p, c, (size_t)(end - p)) : NULL;

    return q ? q : end;
}

long reader_find_ci(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    const char *end, *na, *nb;
    unsigned char lo, up;

    if (m == 0 || m > n)
        return -1;
    /* Find the first byte in either case with memchr(), which skips the
     * bytes between candidates many at a time: this runs over every line
     * of every record, and over whole records. na and nb are the next
     * lower- and upper-case first bytes (end when none), each looked for
     * again only once passed, so no byte is scanned twice for either. */
    lo = (unsigned char)needle[0];
    if (lo >= 'A' && lo <= 'Z')
        lo = (unsigned char)(lo - 'A' + 'a');
    up = lo >= 'a' && lo <= 'z' ? (unsigned char)(lo - 'a' + 'A') : lo;
    end = s + (n - m) + 1;
    na = next_byte(s, end, lo);
    nb = up != lo ? next_byte(s, end, up) : end;
    for (;;) {
        const char *q = na < nb ? na : nb;

        if (q >= end)
            return -1;
        if (!reader_strncasecmp_ascii(q, needle, m))
            return (long)(q - s);
        if (q == na)
            na = next_byte(q + 1, end, lo);
        else
            nb = next_byte(q + 1, end, up);
    }
}

long reader_find_word_ci(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle), from = 0;

    while (from < n) {
        long k = reader_find_ci(s + from, n - from, needle);
        size_t at, e;
        if (k < 0)
            return -1;
        at = from + (size_t)k;
        e = at + m;
        if ((at == 0 || !isalnum((unsigned char)s[at - 1])) &&
            (e >= n || !isalnum((unsigned char)s[e])))
            return (long)at;
        from = at + 1;
    }
    return -1;
}
