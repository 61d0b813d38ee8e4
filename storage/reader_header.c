/* storage/reader_header.c -- a record's header lines read for its group,
 * number, title, date and time (reader_parse_header()), past a
 * captioning vendor's address and disclaimer lines; the group's acronym.
 * Called by transcript.c and summary.c through record.c. Pure: no
 * SQLite, no I/O. */
#include "reader_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

long reader_meeting_word_at(const char *s, size_t n, size_t *wlen)
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
    struct reader_tok t[48];
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
    mw = reader_meeting_word_at(s, n, &wl);
    k = reader_tokenize(s, n, t, 48);
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

/* A clock time at s[i..): "15:00", "15.00", "1500" (digits with ':' or
 * '.'). Its end in *end and 0, else -1. */
static int clock_at(const char *s, size_t i, size_t n, int *h, int *m, size_t *end)
{
    size_t j = i;

    if (i >= n || !isdigit((unsigned char)s[i]) || (i > 0 && isalnum((unsigned char)s[i - 1])))
        return -1;
    while (j < n && (isdigit((unsigned char)s[j]) || s[j] == ':' || s[j] == '.'))
        j++;
    if (j - i == 4 && isdigit((unsigned char)s[i + 3]) && isdigit((unsigned char)s[i + 2])) {
        *h = (s[i] - '0') * 10 + (s[i + 1] - '0');
        *m = (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
    } else if (sscanf(s + i, "%d%*[:.]%d", h, m) != 2) {
        return -1;
    }
    if (*h > 23 || *m > 59)
        return -1;
    *end = j;
    return 0;
}

/* Past a range's dash ("-", "\u2013", "\u2014", "to") and the spaces
 * around it, or at j when there is none. */
static size_t range_dash(const char *s, size_t j, size_t n)
{
    size_t k = reader_skip_space(s, j, n);

    if (k < n && s[k] == '-')
        k++;
    else if (k + 2 < n && !memcmp(s + k, "\xE2\x80", 2) && (s[k + 2] == '\x93' || s[k + 2] == '\x94'))
        k += 3;
    else if (k + 2 < n && !strncmp(s + k, "to", 2) && s[k + 2] == ' ')
        k += 2;
    else
        return j;
    return reader_skip_space(s, k, n);
}

/* The meeting's time: a clock time followed by UTC or GMT ("15:00 UTC"),
 * or the first of a range that is ("17:00\u201318:10 UTC", "17:00 to
 * 18:10 UTC"; its end in end_out when not NULL, else ""). */
static int find_time(const char *s, size_t n, char out[6], char end_out[6])
{
    for (size_t i = 0; i + 3 < n; i++) {
        int h, m, h2 = -1, m2 = -1;
        size_t d, j, k;

        if (clock_at(s, i, n, &h, &m, &d) < 0)
            continue;
        j = reader_skip_space(s, d, n);
        if ((k = range_dash(s, d, n)) != d && clock_at(s, k, n, &h2, &m2, &j) == 0)
            j = reader_skip_space(s, j, n);
        else
            h2 = -1;
        if (!(j + 3 <= n && (!strncmp(s + j, "UTC", 3) || !strncmp(s + j, "GMT", 3))))
            continue;
        snprintf(out, 6, "%02u:%02u", (unsigned)h % 24u, (unsigned)m % 60u);
        if (end_out) {
            end_out[0] = '\0';
            if (h2 >= 0)
                snprintf(end_out, 6, "%02u:%02u", (unsigned)h2 % 24u, (unsigned)m2 % 60u);
        }
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

    if (n > 80 || reader_meeting_word_at(s, n, &wl) >= 0)
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
                                  "annual", "monthly", "weekly", "biweekly", "fortnightly",
                                  "regular", "joint", "|",
                                  "-", "\xE2\x80\x93", "\xE2\x80\x94", NULL };
    struct buf b;
    size_t wl, n = strlen(title), i = 0;
    long mw = reader_meeting_word_at(title, n, &wl);
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
            reader_month_of(tok, tn) || (j >= (size_t)mw - 1 && tn > 1 && record_roman_value(tok, tn) > 0))
            skip = 1;
        if (!skip && reader_word_in(tok, tn, drop))
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
        char *line, date[11], tm[6], tm_end[6];
        size_t n, wl;

        if (ln->blank)
            continue;
        nonblank++;
        line = reader_clean_dup(r->text + ln->text, ln->end - ln->text);
        /* A Markdown heading's marks: "# Youth Network ... Meeting #14". */
        if (line[0] == '#' && (n = strspn(line, "#")) < 7 && line[n] == ' ')
            memmove(line, line + n + 1, strlen(line + n + 1) + 1);
        n = strlen(line);
        if (!r->date && record_parse_date(line, n, date) == 0)
            r->date = xstrdup(date);
        if (!r->time_utc && find_time(line, n, tm, tm_end) == 0) {
            r->time_utc = xstrdup(tm);
            if (tm_end[0] && !r->end_time_utc)
                r->end_time_utc = xstrdup(tm_end);
        }
        char *num = NULL;
        long v;
        int numbered = 0;

        if ((!title_line || !title_numbered) && n < 160 && reader_meeting_word_at(line, n, &wl) >= 0) {
            numbered = find_number(line, n, &num, &v) == 0;
            free(num);
        }
        if ((!title_line || !title_numbered) && n < 160 && reader_meeting_word_at(line, n, &wl) >= 0 &&
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
