/* bot/matrix_text.c -- pure text helpers of the Matrix client: transaction
 * ids from event ids, URL escaping, and splitting a long answer (plain or
 * HTML) under the event size limit at paragraph boundaries. */
#include "matrix.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== pure helpers ===================================================== */

void mx_txn_id(char *out, size_t len, const char *event_id, const char *tag)
{
    static const char hex[] = "0123456789ABCDEF";
    struct buf b;

    buf_init(&b);
    buf_printf(&b, "scribe.%s.", tag);
    /* Injective: keep [A-Za-z0-9.-], write every other byte as _XX. */
    for (const unsigned char *p = (const unsigned char *)event_id; *p; p++) {
        if (isalnum(*p) || *p == '.' || *p == '-')
            buf_putc(&b, (char)*p);
        else {
            buf_putc(&b, '_');
            buf_putc(&b, hex[*p >> 4]);
            buf_putc(&b, hex[*p & 15]);
        }
    }
    if (b.len + 1 > len) {
        /* Too long for the caller's buffer: a 64-bit FNV-1a hash instead. */
        uint64_t hsh = 1469598103934665603ULL;
        for (const unsigned char *p = (const unsigned char *)event_id; *p; p++)
            hsh = (hsh ^ *p) * 1099511628211ULL;
        buf_reset(&b);
        buf_printf(&b, "scribe.%s.h%016llx", tag, (unsigned long long)hsh);
    }
    snprintf(out, len, "%s", b.data);
    buf_release(&b);
}

void mx_url_escape(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
            buf_putc(b, (char)*p);
        else {
            buf_putc(b, '%');
            buf_putc(b, hex[*p >> 4]);
            buf_putc(b, hex[*p & 15]);
        }
    }
}

/* Last cut point in text[from, to) after separator `sep`, at or after `min`. */
static size_t last_after(const char *text, size_t from, size_t to, size_t min, const char *sep)
{
    size_t sl = strlen(sep);

    for (size_t i = to; i >= from + sl && i > min; i--) {
        if (!memcmp(text + i - sl, sep, sl))
            return i;
    }
    return 0;
}

size_t mx_split(const char *text, size_t len, size_t max, size_t *ends, size_t max_pieces)
{
    size_t start = 0, n = 0;

    if (max < 8)
        max = 8;
    while (len - start > max && n + 1 < max_pieces) {
        size_t lim = start + max, min = start + max / 2, cut;

        if (!(cut = last_after(text, start, lim, min, "\n\n")) &&
            !(cut = last_after(text, start, lim, min, "\n")) &&
            !(cut = last_after(text, start, lim, min, " ")))
            cut = start + utf8_trim_len(text + start, len - start, max);
        if (cut <= start)       /* invalid UTF-8 at the cut: cut anyway */
            cut = lim;
        ends[n++] = cut;
        start = cut;
    }
    ends[n++] = len;
    return n;
}

static int void_element(const char *name, size_t n)
{
    static const char *v[] = { "br", "hr", "img", "wbr", "input", "meta", "link",
                               "area", "base", "col", "embed", "source", "track" };

    for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++)
        if (strlen(v[i]) == n && !strncasecmp(name, v[i], n))
            return 1;
    return 0;
}

size_t mx_split_html(const char *html, size_t len, size_t max, size_t *ends, size_t max_pieces)
{
    size_t start = 0, n = 0, last_ok = 0, i = 0;
    int depth = 0;

    while (len - start > max) {
        if (n + 1 >= max_pieces)
            return 0;
        last_ok = 0;
        /* Walk until the piece would be too long, remembering the last
         * position where no element is open. */
        for (i = start; i < len && i - start <= max; ) {
            if (html[i] == '<') {
                const char *gt = memchr(html + i, '>', len - i);
                size_t tl, nl = 0;
                const char *name;

                if (!gt)
                    return 0;
                tl = (size_t)(gt - (html + i)) + 1;
                if (i + tl - start > max)
                    break;
                name = html + i + 1 + (html[i + 1] == '/');
                while (isalnum((unsigned char)name[nl]))
                    nl++;
                if (html[i + 1] == '/')
                    depth--;
                else if (html[i + 1] != '!' && gt[-1] != '/' && !void_element(name, nl))
                    depth++;
                i += tl;
                if (depth == 0)
                    last_ok = i;
            } else {
                if (html[i] == '\n' && depth == 0)
                    last_ok = i + 1;
                i++;
            }
        }
        if (last_ok <= start)
            return 0;
        ends[n++] = last_ok;
        /* Rescan from the cut: depth is 0 there by construction. */
        start = last_ok;
        depth = 0;
    }
    ends[n++] = len;
    return n;
}

