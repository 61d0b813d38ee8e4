/* storage/record.c -- record_parse(): check and decode the bytes, decide
 * transcript or summary, read the header (group, number, title, date,
 * time) and hand over to transcript.c / summary.c, then extract.c.
 * Text primitives are in reader_text.c, dates and names in
 * reader_dates.c, the glossary in glossary.c. Pure: no SQLite, no I/O. */
#include "reader_int.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <pthread.h>
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
    mw = meeting_word_at(s, n, &wl);
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
                                  "-", "\xE2\x80\x93", "\xE2\x80\x94", NULL };
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
            reader_month_of(tok, tn) || (j >= (size_t)mw - 1 && tn > 1 && record_roman_value(tok, tn) > 0))
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

/* SHA-256 fetched from OpenSSL's provider once per process: EVP_sha256()
 * is fetched again at every digest (about 130,000 instructions, more
 * than reading a 5 KB record). Both threads that ingest share it. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void record_sha256_hex(const char *data, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    pthread_once(&sha256_once, sha256_fetch);
    if (!EVP_Digest(data, len, md, &mdlen, sha256_md ? sha256_md : EVP_sha256(), NULL))
        mdlen = 0;
    memset(md + mdlen, 0, sizeof(md) - mdlen);
    for (unsigned int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
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

/* Where a line's heading words start: past white space, list and
 * heading marks ("#", "*", "-", "•") and a section number ("2.", "(b)",
 * "IV."). */
static size_t heading_start(const char *t, const struct rline *ln)
{
    size_t i = ln->text, j;

    for (;;) {
        if (i < ln->end && (t[i] == '#' || t[i] == '*' || t[i] == '-' || t[i] == '(')) {
            i++;
        } else if (i + 2 < ln->end && !memcmp(t + i, "\xE2\x80\xA2", 3)) {    /* • */
            i += 3;
        } else {
            /* "2.", "IV.", "b)": digits, a roman number or one letter. */
            for (j = i; j < ln->end && j - i < 5 &&
                        (isdigit((unsigned char)t[j]) || strchr("IVXivx", t[j])); j++)
                ;
            if (j == i && i < ln->end && isalpha((unsigned char)t[i]))
                j = i + 1;
            if (j == i || j >= ln->end || (t[j] != '.' && t[j] != ')'))
                break;
            i = j + 1;
        }
        i = reader_skip_space(t, i, ln->end);
    }
    return i;
}

/* How many of summary_marks head a line of their own: "Key points
 * raised", "2. Next steps", "Participants:". A mark inside a sentence
 * ("what decisions were made on the agenda?") is not a heading. */
static int heading_marks(const char *t, const struct rlines *l)
{
    int seen[sizeof(summary_marks) / sizeof(summary_marks[0])] = { 0 }, marks = 0;

    for (int i = 0; i < l->n; i++) {
        const struct rline *ln = &l->v[i];
        size_t at, n;

        if (ln->blank)
            continue;
        at = heading_start(t, ln);
        for (int k = 0; summary_marks[k]; k++) {
            n = strlen(summary_marks[k]);
            if (!seen[k] && ln->end - at >= n &&
                !reader_strncasecmp_ascii(t + at, summary_marks[k], n) &&
                (at + n == ln->end || !isalnum((unsigned char)t[at + n]))) {
                seen[k] = 1;
                marks++;
            }
        }
    }
    return marks;
}

/* 0 none, 1 transcript, 2 summary. A summary needs headings of its own,
 * not only their words: a chat message that asks about "decisions" and
 * "the agenda" of a meeting is a question. */
static int shape_of(const char *t, size_t len, const struct rlines *l)
{
    int turns = count_turn_lines(t, l), marks, nonblank = 0, meetingish = 0;
    size_t head = len < 4096 ? len : 4096, wl;

    if (turns >= 2)
        return RECORD_TRANSCRIPT;
    marks = heading_marks(t, l);
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

/* Markdown's bold marks ("**Aiko** \u2013 draft ...", "**Date:** 5 March")
 * are formatting, not words: blanked to spaces in the record's text, so
 * that every offset stays where it was and the readers see the words. */
static void blank_emphasis(char *t, size_t n)
{
    char *p = t;

    while ((p = memmem(p, n - (size_t)(p - t), "**", 2)) != NULL) {
        p[0] = p[1] = ' ';
        p += 2;
    }
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
    blank_emphasis(r->text, r->len);
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

