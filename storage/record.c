/* storage/record.c -- record_parse(): check and decode the bytes, decide
 * transcript or summary, read the header (group, number, title, date,
 * time) and hand over to transcript.c / summary.c, then extract.c.
 * Pure: no SQLite, no I/O. */
#include "reader_int.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <utf8proc.h>
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
        if (pending)
            buf_putc(&b, ' ');
        pending = 0;
        buf_putc(&b, s[i]);
        i++;
    }
    return buf_detach(&b);
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

long reader_find_ci(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);

    unsigned char lo, up;

    if (m == 0 || m > n)
        return -1;
    /* Compare the first byte in both cases without a locale call per byte:
     * this runs over every line of every record. */
    lo = (unsigned char)needle[0];
    if (lo >= 'A' && lo <= 'Z')
        lo = (unsigned char)(lo - 'A' + 'a');
    up = lo >= 'a' && lo <= 'z' ? (unsigned char)(lo - 'a' + 'A') : lo;
    for (size_t i = 0; i + m <= n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c == lo || c == up) && !reader_strncasecmp_ascii(s + i, needle, m))
            return (long)i;
    }
    return -1;
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

/* ------------------------------------------------------------------ */
/* Dates, numbers, names                                               */

static const char *month_names[] = {
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december"
};

/* Month number (1..12) of a word such as "June", "OCT", "Sept.", or 0. */
static int month_of(const char *w, size_t n)
{
    char low[16];

    if (n < 3 || n >= sizeof(low))
        return 0;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)w[i]);
    low[n] = '\0';
    for (int m = 0; m < 12; m++) {
        size_t full = strlen(month_names[m]);
        if (n == full && !memcmp(low, month_names[m], n))
            return m + 1;
        if (n == 3 && !memcmp(low, month_names[m], 3) && m != 4)
            return m + 1;
        if (n == 4 && !strcmp(low, "sept") && m == 8)
            return 9;
    }
    return 0;
}

struct dtok {
    const char *s;
    size_t n;
    int num;        /* value when all digits (with an optional ordinal suffix), else -1 */
};

static int tokenize(const char *s, size_t n, struct dtok *t, int max)
{
    int k = 0;
    size_t i = 0;

    while (i < n && k < max) {
        size_t j;
        if (!isalnum((unsigned char)s[i])) {
            i++;
            continue;
        }
        j = i;
        while (j < n && isalnum((unsigned char)s[j]))
            j++;
        t[k].s = s + i;
        t[k].n = j - i;
        t[k].num = -1;
        if (isdigit((unsigned char)s[i])) {
            size_t d = i;
            long v = 0;
            while (d < j && isdigit((unsigned char)s[d]) && v < 100000)
                v = v * 10 + (s[d++] - '0');
            if (d == j || (j - d == 2 && (!reader_strncasecmp_ascii(s + d, "st", 2) ||
                                          !reader_strncasecmp_ascii(s + d, "nd", 2) ||
                                          !reader_strncasecmp_ascii(s + d, "rd", 2) ||
                                          !reader_strncasecmp_ascii(s + d, "th", 2))))
                t[k].num = (int)v;
        }
        k++;
        i = j;
    }
    return k;
}

static int days_in_month(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static int put_date(int y, int m, int d, char out[11])
{
    if (y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
    return 0;
}

int record_parse_date(const char *s, size_t n, char out[11])
{
    struct dtok t[64];
    int k = tokenize(s, n, t, 64);

    for (int i = 0; i < k; i++) {
        int m;
        /* 2022-06-14 */
        if (t[i].n == 4 && t[i].num >= 1990 && i + 2 < k && t[i + 1].num > 0 &&
            t[i + 2].num > 0 && t[i + 1].s[-1] == '-' &&
            put_date(t[i].num, t[i + 1].num, t[i + 2].num, out) == 0)
            return 0;
        /* 14 June 2022, 3rd of October 2022 */
        if (t[i].num > 0 && t[i].num <= 31 && i + 2 < k) {
            int j = i + 1;
            if (t[j].n == 2 && !reader_strncasecmp_ascii(t[j].s, "of", 2) && j + 2 < k + 1)
                j++;
            if (j + 1 < k && (m = month_of(t[j].s, t[j].n)) && t[j + 1].n == 4 &&
                put_date(t[j + 1].num, m, t[i].num, out) == 0)
                return 0;
        }
        /* OCTOBER 3, 2022 / June 14 2022 */
        if ((m = month_of(t[i].s, t[i].n)) && i + 2 < k && t[i + 1].num > 0 &&
            t[i + 1].num <= 31 && t[i + 2].n == 4 &&
            put_date(t[i + 2].num, m, t[i + 1].num, out) == 0)
            return 0;
    }
    return -1;
}

static int roman_digit(char c)
{
    switch (toupper((unsigned char)c)) {
    case 'I': return 1;
    case 'V': return 5;
    case 'X': return 10;
    case 'L': return 50;
    case 'C': return 100;
    case 'D': return 500;
    case 'M': return 1000;
    }
    return 0;
}

long record_roman_value(const char *s, size_t n)
{
    long v = 0;

    if (n == 0 || n > 12)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int a = roman_digit(s[i]), b = i + 1 < n ? roman_digit(s[i + 1]) : 0;
        if (!a || !isupper((unsigned char)s[i]))
            return -1;
        v += (b > a) ? -a : a;
    }
    return v > 0 ? v : -1;
}

static int is_particle(const char *w, size_t n)
{
    static const char *p[] = { "de", "van", "von", "der", "den", "da", "di",
                               "du", "del", "della", "la", "le", "ten", "ter",
                               "bin", "al", "dos", "das", "do", "y" };
    for (size_t i = 0; i < sizeof(p) / sizeof(*p); i++)
        if (strlen(p[i]) == n && !reader_strncasecmp_ascii(w, p[i], n))
            return 1;
    return 0;
}

char *record_name_dup(const char *label)
{
    struct buf b;
    char *clean = reader_clean_dup(label, strlen(label));
    size_t i = 0, n = strlen(clean);
    int first = 1;

    buf_init(&b);
    if (!reader_is_upper_word(clean, n)) {
        /* Mixed case: as written, with Unicode hyphens folded to '-'. */
        while (i < n) {
            int h = reader_hyphen_len(clean + i, n - i);
            if (h) {
                buf_putc(&b, '-');
                i += (size_t)h;
            } else {
                buf_putc(&b, clean[i++]);
            }
        }
        free(clean);
        return buf_detach(&b);
    }
    while (i < n) {
        size_t j = i;
        while (j < n && clean[j] != ' ')
            j++;
        if (!first)
            buf_putc(&b, ' ');
        if (!first && j < n && is_particle(clean + i, j - i)) {
            for (size_t k = i; k < j; k++)
                buf_putc(&b, (char)tolower((unsigned char)clean[k]));
        } else {
            int start = 1;
            size_t k = i;
            while (k < j) {
                uint32_t cp;
                int h = reader_hyphen_len(clean + k, j - k);
                int l;
                if (h) {
                    /* Capitalise after a hyphen: Jean-Paul. */
                    buf_putc(&b, '-');
                    k += (size_t)h;
                    start = 1;
                    continue;
                }
                l = utf8_decode((const unsigned char *)clean + k, j - k, &cp);
                if (l <= 0) {
                    buf_putc(&b, clean[k++]);
                    continue;
                }
                utf8_put(&b, start ? (uint32_t)utf8proc_toupper((utf8proc_int32_t)cp)
                                   : (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp));
                /* And after an apostrophe: O'Brien. */
                start = cp == '\'';
                k += (size_t)l;
            }
        }
        first = 0;
        i = j + 1;
    }
    free(clean);
    return buf_detach(&b);
}

/* ------------------------------------------------------------------ */
/* Header: title, group, number, date, time                            */

static const char *vendor_marks[] = {
    "raw file", "services provided by", "p.o. box", "www.", "http",
    "rough draft format", "communication access realtime", "cart",
    "captioning", "not to be distributed", "verbatim record", "inc.",
    "caption", "disclaimer", "***",
    "transcript", "summary report", "minutes", "draft", NULL
};
/* The vendor marks that also name a kind of document: a title may carry
 * them ("Meeting #14 \u2013 Summary report", "... #62 Minutes"). */
#define VENDOR_DOC_KINDS 4       /* the last four above */

/* A vendor's line (or a phone number). `titled`: the line names a
 * numbered meeting, so the words for a kind of document do not count. */
static int is_vendor_line(const char *s, size_t n, int titled)
{
    int digits = 0, letters = 0, marks = 0;

    while (vendor_marks[marks])
        marks++;
    if (titled)
        marks -= VENDOR_DOC_KINDS;
    for (int i = 0; i < marks; i++)
        if (reader_find_ci(s, n, vendor_marks[i]) >= 0)
            return 1;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)s[i]))
            digits++;
        else if (isalpha((unsigned char)s[i]))
            letters++;
    }
    /* Phone numbers, postcodes: mostly digits and punctuation. */
    return digits >= 5 && letters < digits;
}

static int is_vendorish(const char *s, size_t n)
{
    return is_vendor_line(s, n, 0);
}

static const char *meeting_words[] = {
    "meeting", "call", "session", "consultation", "conference", "workshop",
    "webinar", "retreat", NULL
};

static long meeting_word_at(const char *s, size_t n, size_t *wlen)
{
    for (int i = 0; meeting_words[i]; i++) {
        long k = reader_find_word_ci(s, n, meeting_words[i]);
        if (k >= 0) {
            *wlen = strlen(meeting_words[i]);
            return k;
        }
    }
    return -1;
}

/* Find "#62", "No. 62", "Meeting 62", "Meeting XII" in a title line. */
static int find_number(const char *s, size_t n, char **number, long *value)
{
    struct dtok t[48];
    int k;
    size_t wl = 0;
    long mw;
    const char *hash = memchr(s, '#', n);

    if (hash) {
        size_t i = (size_t)(hash - s) + 1, j;
        i = reader_skip_space(s, i, n);
        j = i;
        while (j < n && isdigit((unsigned char)s[j]))
            j++;
        if (j > i && j - i < 8) {
            *number = xstrndup(s + i, j - i);
            *value = strtol(*number, NULL, 10);
            return 0;
        }
    }
    mw = meeting_word_at(s, n, &wl);
    k = tokenize(s, n, t, 48);
    for (int i = 0; i < k; i++) {
        long rv;
        int after_word = mw >= 0 && t[i].s >= s + mw + wl;
        int after_no = i > 0 && ((t[i - 1].n == 2 && !reader_strncasecmp_ascii(t[i - 1].s, "no", 2)) ||
                                 (t[i - 1].n == 6 && !reader_strncasecmp_ascii(t[i - 1].s, "number", 6)));
        if (!(after_word && (i == 0 || t[i - 1].s + t[i - 1].n <= s + mw + wl + 2)) &&
            !after_no && !(mw >= 0 && t[i].s + t[i].n <= s + (size_t)mw && i + 1 < k &&
                           t[i + 1].s == s + mw))
            continue;
        if (t[i].num > 0 && t[i].num < 10000 && t[i].n < 5) {
            *number = xstrndup(t[i].s, t[i].n);
            *value = t[i].num;
            return 0;
        }
        rv = record_roman_value(t[i].s, t[i].n);
        if (rv > 0 && !(t[i].n == 1 && t[i].s[0] == 'I' && !after_word)) {
            *number = xstrndup(t[i].s, t[i].n);
            *value = rv;
            return 0;
        }
    }
    return -1;
}

static int find_time(const char *s, size_t n, char out[6])
{
    for (size_t i = 0; i + 3 < n; i++) {
        int h, m;
        size_t j = i, d;
        if (!isdigit((unsigned char)s[i]) || (i > 0 && isalnum((unsigned char)s[i - 1])))
            continue;
        while (j < n && (isdigit((unsigned char)s[j]) || s[j] == ':' || s[j] == '.'))
            j++;
        d = j;
        j = reader_skip_space(s, j, n);
        if (!(j + 3 <= n && (!strncmp(s + j, "UTC", 3) || !strncmp(s + j, "GMT", 3))))
            continue;
        if (d - i == 4 && isdigit((unsigned char)s[i + 3]) && isdigit((unsigned char)s[i + 2])) {
            h = (s[i] - '0') * 10 + (s[i + 1] - '0');
            m = (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
        } else if (sscanf(s + i, "%d%*[:.]%d", &h, &m) != 2) {
            continue;
        }
        if (h > 23 || m > 59)
            continue;
        snprintf(out, 6, "%02u:%02u", (unsigned)h % 24u, (unsigned)m % 60u);
        return 0;
    }
    return -1;
}

/* "Dynamic Coalition Coordination Group" -> "DC Coordination Group";
 * "DC COORDINATION" -> "DC Coordination Group"; "MAG" stays. */
static char *group_normalise(const char *raw)
{
    struct buf b;
    char *clean = reader_clean_dup(raw, strlen(raw));
    const char *p;
    size_t n;
    long k;

    /* An acronym in parentheses names the group best: "... (MAG)". */
    if ((p = strchr(clean, '(')) && strchr(p, ')')) {
        const char *q = strchr(p, ')');
        if (q - p - 1 >= 2 && q - p - 1 <= 8 && reader_is_upper_word(p + 1, (size_t)(q - p - 1))) {
            char *acr = xstrndup(p + 1, (size_t)(q - p - 1));
            free(clean);
            return acr;
        }
    }
    buf_init(&b);
    n = strlen(clean);
    if ((k = reader_find_ci(clean, n, "dynamic coalitions ")) >= 0 ||
        (k = reader_find_ci(clean, n, "dynamic coalition ")) >= 0) {
        size_t skip = clean[k + 17] == 's' ? 19 : 18;
        buf_add(&b, clean, (size_t)k);
        buf_puts(&b, "DC ");
        buf_puts(&b, clean + k + skip);
    } else {
        buf_puts(&b, clean);
    }
    free(clean);
    clean = buf_detach(&b);
    n = strlen(clean);
    /* Title-case words in capitals, keeping short acronyms (DC, MAG) and
     * ones with digits (IS3C). */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        int digits = 0;
        while (j < n && clean[j] != ' ')
            digits |= isdigit((unsigned char)clean[j++]);
        if (j - i > 3 && !digits && reader_is_upper_word(clean + i, j - i))
            for (size_t c = i + 1; c < j; c++)
                clean[c] = (char)tolower((unsigned char)clean[c]);
        i = j + 1;
    }
    if (n >= 12 && !reader_strncasecmp_ascii(clean + n - 12, "coordination", 12)) {
        char *g = xasprintf("%s Group", clean);
        free(clean);
        return g;
    }
    return clean;
}

static const char *group_words[] = {
    " group", " coalition", " committee", " council", " board", " task force",
    " network", " forum", " initiative", NULL
};

static int is_group_line(const char *s, size_t n)
{
    size_t wl;

    if (n > 80 || meeting_word_at(s, n, &wl) >= 0)
        return 0;
    for (int i = 0; group_words[i]; i++) {
        size_t m = strlen(group_words[i]);
        if (n >= m && !reader_strncasecmp_ascii(s + n - m, group_words[i], m))
            return 1;
    }
    return 0;
}

/* Group from a title: the words before "Meeting", without numbers, dates
 * and words such as "Virtual". */
static char *group_from_title(const char *title)
{
    static const char *drop[] = { "virtual", "online", "hybrid", "the", "of",
                                  "minutes", "summary", "report",
                                  "annual", "monthly", "regular", "joint", "|",
                                  "-", NULL };
    struct buf b;
    size_t wl, n = strlen(title), i = 0;
    long mw = meeting_word_at(title, n, &wl);
    char *raw, *g;

    if (mw <= 0)
        return NULL;
    buf_init(&b);
    while (i < (size_t)mw) {
        size_t j = i, tn;
        const char *tok;
        int skip = 0;
        while (j < (size_t)mw && title[j] != ' ')
            j++;
        tok = title + i;
        tn = j - i;
        if (tn == 0 || tok[0] == '#' || isdigit((unsigned char)tok[0]) ||
            month_of(tok, tn) || (j >= (size_t)mw - 1 && tn > 1 && record_roman_value(tok, tn) > 0))
            skip = 1;
        for (int d = 0; drop[d] && !skip; d++)
            if (strlen(drop[d]) == tn && !reader_strncasecmp_ascii(tok, drop[d], tn))
                skip = 1;
        if (!skip) {
            if (b.len)
                buf_putc(&b, ' ');
            buf_add(&b, tok, tn);
        }
        i = j + 1;
    }
    if (!b.len) {
        buf_release(&b);
        return NULL;
    }
    raw = buf_detach(&b);
    g = group_normalise(raw);
    free(raw);
    return g;
}

void reader_parse_header(struct record *r, const struct rlines *l, int header_end)
{
    char *title_line = NULL, *group_line = NULL;
    int nonblank = 0, title_numbered = 0;

    for (int i = 0; i < header_end && i < l->n && nonblank < 30; i++) {
        const struct rline *ln = &l->v[i];
        char *line, date[11], tm[6];
        size_t n, wl;

        if (ln->blank)
            continue;
        nonblank++;
        line = reader_clean_dup(r->text + ln->text, ln->end - ln->text);
        n = strlen(line);
        if (!r->date && record_parse_date(line, n, date) == 0)
            r->date = xstrdup(date);
        if (!r->time_utc && find_time(line, n, tm) == 0)
            r->time_utc = xstrdup(tm);
        char *num = NULL;
        long v;
        int numbered = 0;

        if ((!title_line || !title_numbered) && n < 160 && meeting_word_at(line, n, &wl) >= 0) {
            numbered = find_number(line, n, &num, &v) == 0;
            free(num);
        }
        if ((!title_line || !title_numbered) && n < 160 && meeting_word_at(line, n, &wl) >= 0 &&
            !is_vendor_line(line, n, numbered) && line[n - 1] != '.') {
            /* A title with a meeting number beats one without. */
            if (!title_line || numbered) {
                free(title_line);
                title_line = xstrdup(line);
                title_numbered = numbered;
            }
        } else if (!group_line && is_group_line(line, n) && !is_vendorish(line, n)) {
            group_line = xstrdup(line);
        }
        free(line);
    }
    if (title_line) {
        r->title = xstrdup(title_line);
        find_number(title_line, strlen(title_line), &r->number, &r->number_value);
    }
    /* The title names the group best ("DC Coordination Meeting #62");
     * else a line such as "Dynamic Coalition Coordination Group". */
    if (title_line)
        r->group = group_from_title(title_line);
    if (!r->group && group_line)
        r->group = group_normalise(group_line);
    if (!r->group)
        r->group = xstrdup("Meetings");
    free(title_line);
    free(group_line);
}

char *reader_group_acronym(const char *group)
{
    struct buf b;
    const char *p = group;

    buf_init(&b);
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if (reader_is_upper_word(p, (size_t)(e - p)) && e - p <= 4)
            buf_add(&b, p, (size_t)(e - p));
        else if (isupper((unsigned char)*p))
            buf_putc(&b, *p);
        p = e;
    }
    if (b.len < 2) {
        buf_release(&b);
        return xstrdup(group);
    }
    return buf_detach(&b);
}

/* ------------------------------------------------------------------ */
/* Glossary: "Expert Group Meeting (EGM)"                               */

static int is_minor(const char *w, size_t n)
{
    static const char *m[] = { "of", "the", "and", "on", "for", "in", "to", "a", "an", "&" };
    for (size_t i = 0; i < sizeof(m) / sizeof(*m); i++)
        if (strlen(m[i]) == n && !reader_strncasecmp_ascii(w, m[i], n))
            return 1;
    return 0;
}

static void gloss_add(struct record *r, const char *acr, const char *exp)
{
    for (int i = 0; i < r->n_glossary; i++)
        if (!strcmp(r->glossary[i].acronym, acr))
            return;
    struct record_gloss *g = READER_PUSH(r->glossary, r->n_glossary);
    g->acronym = xstrdup(acr);
    g->expansion = xstrdup(exp);
}

void reader_learn_glossary(struct record *r)
{
    const char *t = r->text;
    size_t n = r->len;

    for (size_t i = 0; i < n; i++) {
        char letters[16];
        size_t a, e, nl = 0;
        struct { size_t s, n; } words[24];
        int nw = 0, li;

        if (t[i] != '(')
            continue;
        a = i + 1;
        e = a;
        while (e < n && e - a < 10 && isalnum((unsigned char)t[e]))
            e++;
        /* Markdown escapes the parentheses: "\(EGM\)". */
        if (e + 1 < n && t[e] == '\\' && t[e + 1] == ')')
            ;
        else if (e >= n || t[e] != ')')
            continue;
        if (e - a < 2 || !isupper((unsigned char)t[a]))
            continue;
        /* Letters of the acronym; a digit repeats the letter before it
         * (IS3C = I S S S C); a trailing plural 's' is dropped (DCs). */
        for (size_t k = a; k < e && nl < sizeof(letters) - 4; k++) {
            char c = t[k];
            if (isupper((unsigned char)c))
                letters[nl++] = c;
            else if (isdigit((unsigned char)c) && nl > 0 && c >= '2' && c <= '5')
                for (int rep = 1; rep < c - '0'; rep++) {
                    letters[nl] = letters[nl - 1];
                    nl++;
                }
            else if (c == 's' && k == e - 1)
                ;
            else if (islower((unsigned char)c))
                ;
            else
                break;
        }
        if (nl < 2)
            continue;
        /* Words before the parenthesis, nearest last. */
        {
            size_t p = i;
            while (p > 0 && nw < 24) {
                size_t we;
                while (p > 0 && !isalnum((unsigned char)t[p - 1]) && t[p - 1] != '\n' &&
                       (t[p - 1] != '(' || (p >= 2 && t[p - 2] == '\\')) &&
                       t[p - 1] != '.' && t[p - 1] != ')')
                    p--;
                if (p == 0 || !isalnum((unsigned char)t[p - 1]))
                    break;
                we = p;
                while (p > 0 && (isalnum((unsigned char)t[p - 1]) || t[p - 1] == '-' || t[p - 1] == '\''))
                    p--;
                words[nw].s = p;
                words[nw].n = we - p;
                nw++;
            }
        }
        /* Match initials backwards, skipping minor words. */
        li = (int)nl - 1;
        int w = 0, first = -1;
        while (w < nw && li >= 0) {
            const char *ws = t + words[w].s;
            if (toupper((unsigned char)ws[0]) == letters[li] && isupper((unsigned char)ws[0])) {
                li--;
                first = w;
            } else if (!is_minor(ws, words[w].n)) {
                break;
            }
            w++;
        }
        if (li >= 0 || first < 0)
            continue;
        {
            char *acr = xstrndup(t + a, e - a);
            size_t es = words[first].s, ee = words[0].s + words[0].n;
            char *exp = reader_clean_dup(t + es, ee - es);
            size_t al = strlen(acr);
            if (al > 2 && acr[al - 1] == 's' && isupper((unsigned char)acr[al - 2]))
                acr[al - 1] = '\0';
            gloss_add(r, acr, exp);
            free(acr);
            free(exp);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Input checks and decoding                                           */

/* Windows-1252 0x80..0x9F; 0 marks bytes with no character. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178
};

static int decode_cp1252(const char *data, size_t len, struct buf *out)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c < 0x80) {
            buf_putc(out, (char)c);
        } else if (c < 0xA0) {
            if (!cp1252_high[c - 0x80])
                return -1;
            utf8_put(out, cp1252_high[c - 0x80]);
        } else {
            utf8_put(out, c);
        }
    }
    return 0;
}

void record_sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < mdlen && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    out[64] = '\0';
}

static int count_turn_lines(const char *t, const struct rlines *l)
{
    int turns = 0;

    for (int i = 0; i < l->n; i++) {
        const struct rline *ln = &l->v[i];
        if (!ln->blank && ln->end - ln->text >= 3 && t[ln->text] == '>' && t[ln->text + 1] == '>')
            turns++;
    }
    return turns;
}

static const char *summary_marks[] = {
    "key points", "next steps", "summary report", "action items", "action points",
    "decisions", "participants", "apologies", "attendees", "agenda",
    "list of participants", "minutes", "present:", "summary of", NULL
};

/* 0 none, 1 transcript, 2 summary. */
static int shape_of(const char *t, size_t len, const struct rlines *l)
{
    int turns = count_turn_lines(t, l), marks = 0, nonblank = 0, meetingish = 0;
    size_t head = len < 4096 ? len : 4096, wl;

    if (turns >= 2)
        return RECORD_TRANSCRIPT;
    for (int i = 0; summary_marks[i]; i++)
        if (reader_find_ci(t, len, summary_marks[i]) >= 0)
            marks++;
    for (int i = 0; i < l->n && nonblank < 12; i++) {
        const struct rline *ln = &l->v[i];
        char date[11];
        if (ln->blank)
            continue;
        nonblank++;
        if (ln->end - ln->text < 200 &&
            (meeting_word_at(t + ln->text, ln->end - ln->text, &wl) >= 0 ||
             record_parse_date(t + ln->text, ln->end - ln->text, date) == 0))
            meetingish++;
    }
    (void)head;
    if (marks >= 2 && meetingish >= 1)
        return RECORD_SUMMARY;
    if (marks >= 1 && meetingish >= 2)
        return RECORD_SUMMARY;
    return 0;
}

int record_looks_like(const char *data, size_t len)
{
    struct rlines l;
    int shape;

    if (len < 40 || memchr(data, '\0', len))
        return 0;
    rlines_split(data, len, &l);
    shape = shape_of(data, len, &l);
    rlines_release(&l);
    return shape != 0;
}

void record_free(struct record *r)
{
    if (!r)
        return;
    free(r->text);
    free(r->group);
    free(r->number);
    free(r->title);
    free(r->date);
    free(r->time_utc);
    free(r->end_time_utc);
    for (int i = 0; i < r->n_turns; i++) {
        free(r->turns[i].label);
        free(r->turns[i].section);
        free(r->turns[i].text);
    }
    free(r->turns);
    for (int i = 0; i < r->n_speakers; i++) {
        free(r->speakers[i].name);
        for (int j = 0; j < r->speakers[i].n_labels; j++)
            free(r->speakers[i].labels[j]);
        free(r->speakers[i].labels);
    }
    free(r->speakers);
    for (int i = 0; i < r->n_participants; i++) {
        free(r->participants[i].name);
        free(r->participants[i].affiliation);
        free(r->participants[i].role);
    }
    free(r->participants);
    for (int i = 0; i < r->n_apologies; i++)
        free(r->apologies[i]);
    free(r->apologies);
    struct record_item *lists[] = { r->agenda, r->decisions, r->points };
    int counts[] = { r->n_agenda, r->n_decisions, r->n_points };
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < counts[k]; i++) {
            free(lists[k][i].text);
            free(lists[k][i].quote);
            free(lists[k][i].speaker);
        }
        free(lists[k]);
    }
    for (int i = 0; i < r->n_actions; i++) {
        struct record_action *a = &r->actions[i];
        for (int j = 0; j < a->n_owners; j++)
            free(a->owners[j]);
        free(a->owners);
        free(a->text);
        free(a->due);
        free(a->due_date);
        free(a->quote);
        free(a->speaker);
    }
    free(r->actions);
    if (r->next) {
        free(r->next->when);
        free(r->next->date);
        free(r->next->quote);
        free(r->next);
    }
    for (int i = 0; i < r->n_glossary; i++) {
        free(r->glossary[i].acronym);
        free(r->glossary[i].expansion);
    }
    free(r->glossary);
    free(r);
}

int record_parse(const char *data, size_t len, size_t max_bytes,
                 struct record **out, char *err, size_t errlen)
{
    struct record *r = NULL;
    struct rlines l = { 0 };
    struct buf text;
    size_t ctrl = 0, printable = 0;
    int shape;

    *out = NULL;
    buf_init(&text);
    if (max_bytes == 0)
        max_bytes = RECORD_MAX_BYTES_DEFAULT;
    if (len > max_bytes) {
        snprintf(err, errlen, "record too big: %zu bytes (limit %zu)", len, max_bytes);
        return -1;
    }
    if (len == 0) {
        snprintf(err, errlen, "empty record");
        return -1;
    }
    if (len >= 2 && (((unsigned char)data[0] == 0xFF && (unsigned char)data[1] == 0xFE) ||
                     ((unsigned char)data[0] == 0xFE && (unsigned char)data[1] == 0xFF))) {
        snprintf(err, errlen, "UTF-16 text is not supported: save the record as UTF-8");
        return -1;
    }
    if (memchr(data, '\0', len)) {
        snprintf(err, errlen, "not a text record: it contains NUL bytes");
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
            ctrl++;
        else
            printable++;
    }
    if (ctrl * 50 > len) {
        snprintf(err, errlen, "not a text record: it looks binary");
        return -1;
    }
    if (utf8_valid(data, len)) {
        buf_add(&text, data, len);
    } else if (decode_cp1252(data, len, &text) < 0) {
        buf_release(&text);
        snprintf(err, errlen, "not UTF-8 or Windows-1252 text: cannot decode it");
        return -1;
    }
    r = xcalloc(1, sizeof(*r));
    r->number_value = -1;
    r->len = text.len;
    r->text = buf_detach(&text);
    record_sha256_hex(data, len, r->sha256);
    rlines_split(r->text, r->len, &l);
    shape = shape_of(r->text, r->len, &l);
    if (!shape) {
        snprintf(err, errlen, "no meeting record found: expected \">> NAME:\" turns or a summary report");
        goto fail;
    }
    r->kind = shape;
    if (shape == RECORD_TRANSCRIPT) {
        if (transcript_read(r, &l) < 0) {
            snprintf(err, errlen, "no speaking turns could be read from the transcript");
            goto fail;
        }
    } else if (summary_read(r, &l) < 0) {
        snprintf(err, errlen, "no content could be read from the summary report");
        goto fail;
    }
    reader_learn_glossary(r);
    extract_facts(r);
    rlines_release(&l);
    *out = r;
    return 0;
fail:
    rlines_release(&l);
    record_free(r);
    return -1;
}
