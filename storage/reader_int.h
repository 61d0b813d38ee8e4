/* storage/reader_int.h -- private helpers shared by the record readers
 * (record.c, reader_header.c, transcript.c, summary.c, extract*.c). Not
 * for the store. */
#ifndef SCRIBE_READER_INT_H
#define SCRIBE_READER_INT_H

#include "record.h"
#include "util.h"

#include <stddef.h>
#include <stdint.h>

/* One line of the record: [start, end) excludes the newline (and a CR). */
struct rline {
    size_t start, end;
    size_t text;        /* first byte after leading white space (any Unicode space) */
    int blank;          /* only white space */
};

struct rlines {
    struct rline *v;
    int n;
};

void rlines_split(const char *text, size_t len, struct rlines *out);
void rlines_release(struct rlines *l);

/* Width in bytes of a white-space character at s (ASCII space/tab/CR,
 * U+00A0, U+2000..U+200B, U+202F, U+205F, U+3000, U+FEFF), else 0. */
int reader_space_len(const char *s, size_t n);
/* Width of a hyphen-like character (-, U+2010, U+2011, U+2012, U+2212), else 0. */
int reader_hyphen_len(const char *s, size_t n);
size_t reader_skip_space(const char *s, size_t i, size_t end);
size_t reader_trim_end(const char *s, size_t start, size_t end);

/* A copy of s[0..n) with Unicode spaces folded to ' ', runs collapsed,
 * ends trimmed; hyphens kept as written. Free with free(). */
char *reader_clean_dup(const char *s, size_t n);

/* dst[0..n) = src[0..n) with ASCII 'A'..'Z' in lower case (tolower() of
 * the C locale); other bytes as they are. dst may be src. */
void reader_lower_ascii(char *dst, const char *src, size_t n);
int reader_count_words(const char *s, size_t n);
int reader_is_upper_word(const char *s, size_t n);   /* letters all upper case, >= 1 letter */
int reader_strncasecmp_ascii(const char *a, const char *b, size_t n);
/* Whether w[0..n) is one of `list` (NULL-terminated, lower case), ASCII
 * case ignored. */
int reader_word_in(const char *w, size_t n, const char *const *list);
/* Case-insensitive search for ASCII needle in s[0..n); returns index or -1. */
long reader_find_ci(const char *s, size_t n, const char *needle);
/* Like reader_find_ci but the match must start and end at word boundaries. */
long reader_find_word_ci(const char *s, size_t n, const char *needle);

/* Header facts shared by both readers. */
void reader_parse_header(struct record *r, const struct rlines *l, int header_end);
/* transcript.c: line ln as a "Name: text" turn (an optional clock time
 * first): 1 with the label's end and the text's start, else 0. And 1
 * when the record is a transcript of such turns: at least four, of at
 * least two people, one of whom speaks more than once. */
int transcript_plain_turn(const char *t, const struct rline *ln, size_t *label_end,
                          size_t *text_start);
int transcript_plain_shape(const char *t, const struct rlines *l);
/* Where a word for a meeting ("meeting", "call", "session", ...) is in
 * s[0..n), its length in *wlen; -1 when none. */
long reader_meeting_word_at(const char *s, size_t n, size_t *wlen);
void reader_learn_glossary(struct record *r);
char *reader_group_acronym(const char *group);   /* "DC Coordination Group" -> "DCCG" */

/* Growing arrays: room for one more element at arr[n], n counted up.
 * The capacity doubles whenever n reaches a power of two (or 0), so a
 * record of 100,000 lines costs 17 reallocs, not 100,000. Such an array
 * must only ever grow through READER_PUSH. */
#define READER_PUSH(arr, n) \
    (((((size_t)(n)) & ((size_t)(n) - 1)) == 0 ? \
      (void)((arr) = xrealloc((arr), sizeof(*(arr)) * ((n) ? 2 * (size_t)(n) : 1))) : (void)0), \
     &(arr)[(n)++])

int transcript_read(struct record *r, const struct rlines *l);
int summary_read(struct record *r, const struct rlines *l);
/* Facts from the text: actions, decisions, next meeting. */
void extract_facts(struct record *r);

/* reader_dates.c: resolve a date phrase ("Friday", "17th of October", "end of June")
 * against the meeting date; writes YYYY-MM-DD or returns -1. */
int reader_resolve_date(const char *phrase, const char *meeting_date, char out[11]);

/* reader_dates.c: a month's number (1..12) from "June", "OCT", "Sept." or 0,
 * and a line cut into alphanumeric tokens (numbers read, ordinals too). */
struct reader_tok {
    const char *s;
    size_t n;
    int num;        /* value when all digits (with an optional ordinal suffix), else -1 */
};
int reader_month_of(const char *w, size_t n);
int reader_tokenize(const char *s, size_t n, struct reader_tok *t, int max);
/* reader_dates.c: the first day and month in s[0..n) ("12 September",
 * "the 2nd of May", "September 12th"): its offset and length (from the
 * first to the last of its words); 0, or -1 when there is none. */
int reader_find_day_month(const char *s, size_t n, size_t *at, size_t *len);

#endif
