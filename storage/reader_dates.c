/* storage/reader_dates.c -- values read from running text: dates in every
 * form the records use, month names, Roman numerals, and people's names
 * from caption labels ("WOUT DE NATRIS" -> "Wout de Natris"), and due
 * phrases ("by Friday") resolved against the meeting date. Pure. */
#include "reader_int.h"

#include <ctype.h>
#include <utf8proc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Dates, numbers, names                                               */

static const char *month_names[] = {
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december"
};

/* Month number (1..12) of a word such as "June", "OCT", "Sept.", or 0. */
int reader_month_of(const char *w, size_t n)
{
    char low[16];

    if (n < 3 || n >= sizeof(low))
        return 0;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)w[i]);
    low[n] = '\0';
    for (int m = 0; m < 12; m++) {
        size_t full;

        if (low[0] != month_names[m][0])
            continue;
        full = strlen(month_names[m]);
        if (n == full && !memcmp(low, month_names[m], n))
            return m + 1;
        if (n == 3 && !memcmp(low, month_names[m], 3) && m != 4)
            return m + 1;
        if (n == 4 && !strcmp(low, "sept") && m == 8)
            return 9;
    }
    return 0;
}

int reader_tokenize(const char *s, size_t n, struct reader_tok *t, int max)
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

int reader_find_day_month(const char *s, size_t n, size_t *at, size_t *len)
{
    struct reader_tok t[64];
    int k = reader_tokenize(s, n, t, 64);

    for (int i = 0; i + 1 < k; i++) {
        int j = i + 1;

        /* 12 September, 2nd of May */
        if (t[i].num >= 1 && t[i].num <= 31) {
            if (t[j].n == 2 && !reader_strncasecmp_ascii(t[j].s, "of", 2) && j + 1 < k)
                j++;
            if (reader_month_of(t[j].s, t[j].n)) {
                *at = (size_t)(t[i].s - s);
                *len = (size_t)(t[j].s + t[j].n - t[i].s);
                return 0;
            }
        }
        /* September 12, May 2nd */
        if (reader_month_of(t[i].s, t[i].n) && t[i + 1].num >= 1 && t[i + 1].num <= 31 &&
            t[i + 1].n <= 4) {
            *at = (size_t)(t[i].s - s);
            *len = (size_t)(t[i + 1].s + t[i + 1].n - t[i].s);
            return 0;
        }
    }
    return -1;
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
    struct reader_tok t[64];
    int k = reader_tokenize(s, n, t, 64);

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
            if (j + 1 < k && (m = reader_month_of(t[j].s, t[j].n)) && t[j + 1].n == 4 &&
                put_date(t[j + 1].num, m, t[i].num, out) == 0)
                return 0;
        }
        /* OCTOBER 3, 2022 / June 14 2022 */
        if ((m = reader_month_of(t[i].s, t[i].n)) && i + 2 < k && t[i + 1].num > 0 &&
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
                               "bin", "al", "dos", "das", "do", "y", NULL };

    return reader_word_in(w, n, p);
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
/* Due dates: a phrase resolved against the meeting date                */

static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void put_days(long z, char out[11])
{
    int y, m, d;
    civil_from_days(z, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static const char *months[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
                                 "aug", "sep", "oct", "nov", "dec" };
static const char *weekdays[] = { "monday", "tuesday", "wednesday", "thursday",
                                  "friday", "saturday", "sunday" };

int reader_resolve_date(const char *phrase, const char *meeting_date, char out[11])
{
    int y, m, d;
    long base, k;
    size_t n = strlen(phrase);
    char tmp[11];

    if (record_parse_date(phrase, n, out) == 0)
        return 0;
    if (!meeting_date || sscanf(meeting_date, "%d-%d-%d", &y, &m, &d) != 3)
        return -1;
    base = days_from_civil(y, m, d);
    /* "17th of October", "October 17": day and month without a year. */
    {
        char with_year[200];
        snprintf(with_year, sizeof(with_year), "%.180s %d", phrase, y);
        if (record_parse_date(with_year, strlen(with_year), tmp) == 0) {
            int ty, tm, td;
            sscanf(tmp, "%d-%d-%d", &ty, &tm, &td);
            long z = days_from_civil(ty, tm, td);
            if (z < base - 31)
                z = days_from_civil(ty + 1, tm, td);
            put_days(z, out);
            return 0;
        }
    }
    if (reader_find_word_ci(phrase, n, "tomorrow") >= 0) {
        put_days(base + 1, out);
        return 0;
    }
    if (reader_find_ci(phrase, n, "two weeks") >= 0 || reader_find_ci(phrase, n, "2 weeks") >= 0 ||
        reader_find_ci(phrase, n, "fortnight") >= 0) {
        put_days(base + 14, out);
        return 0;
    }
    if (reader_find_ci(phrase, n, "three weeks") >= 0 || reader_find_ci(phrase, n, "3 weeks") >= 0) {
        put_days(base + 21, out);
        return 0;
    }
    if (reader_find_ci(phrase, n, "four weeks") >= 0 || reader_find_ci(phrase, n, "4 weeks") >= 0) {
        put_days(base + 28, out);
        return 0;
    }
    if (reader_find_ci(phrase, n, "next week") >= 0) {
        long dow = (base + 3) % 7;          /* 0 = Monday */
        put_days(base - dow + 7, out);
        return 0;
    }
    for (int w = 0; w < 7; w++)
        if ((k = reader_find_word_ci(phrase, n, weekdays[w])) >= 0) {
            long dow = (base + 3) % 7, ahead = (w - dow + 7) % 7;
            put_days(base + (ahead ? ahead : 7), out);
            return 0;
        }
    if ((k = reader_find_ci(phrase, n, "end of ")) >= 0) {
        for (int mi = 0; mi < 12; mi++)
            if (reader_find_ci(phrase + k, n - (size_t)k, months[mi]) >= 0) {
                int ty = (mi + 1 < m) ? y + 1 : y;
                long z = days_from_civil(mi == 11 ? ty + 1 : ty, mi == 11 ? 1 : mi + 2, 1) - 1;
                put_days(z, out);
                return 0;
            }
    }
    return -1;
}
