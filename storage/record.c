/* storage/record.c -- record_parse(): check and decode the bytes, decide
 * transcript or summary, have the header read (reader_header.c) and hand
 * over to transcript.c / summary.c, then extract.c. Text primitives are
 * in reader_text.c, dates and names in reader_dates.c, the glossary in
 * glossary.c. Pure: no SQLite, no I/O. */
#include "reader_int.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        /* A heading starts with a capital: "next steps before the
         * meeting" is a wrapped sentence going on. */
        if (at >= ln->end || !isupper((unsigned char)t[at]))
            continue;
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
    int turns = count_turn_lines(t, l), marks, nonblank = 0, meetingish = 0, plain_seen = 0;
    size_t head = len < 4096 ? len : 4096, wl;

    if (turns >= 2)
        return RECORD_TRANSCRIPT;
    marks = heading_marks(t, l);
    for (int i = 0; i < l->n && nonblank < 12; i++) {
        const struct rline *ln = &l->v[i];
        char date[11];
        size_t le, ts;

        if (ln->blank)
            continue;
        /* "Name: text" turns without arrows, after a header that names
         * a meeting or a date (a chat excerpt pasted has none), unless
         * it is a report with headings of its own. */
        if (!plain_seen && transcript_plain_turn(t, ln, &le, &ts)) {
            plain_seen = 1;
            if (meetingish && marks < 2 && transcript_plain_shape(t, l))
                return RECORD_TRANSCRIPT;
        }
        nonblank++;
        if (ln->end - ln->text < 200 &&
            (reader_meeting_word_at(t + ln->text, ln->end - ln->text, &wl) >= 0 ||
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
    for (int i = 0; i < r->n_reports; i++) {
        free(r->reports[i].speaker);
        free(r->reports[i].verb);
        free(r->reports[i].object);
        free(r->reports[i].quote);
    }
    free(r->reports);
    free(r);
}

/* Markdown's bold marks ("**Aiko** \u2013 draft ...", "**Date:** 5 March")
 * are formatting, not words: blanked to spaces in the record's text, so
 * that every offset stays where it was and the readers see the words. */
static void blank_emphasis(char *t, size_t n)
{
    char *p = t, *end = t + n;

    /* memchr for the first '*' (memmem on "**" read every byte). */
    while (p + 1 < end && (p = memchr(p, '*', (size_t)(end - p - 1))) != NULL) {
        if (p[1] == '*') {
            p[0] = p[1] = ' ';
            p += 2;
        } else {
            p++;
        }
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

