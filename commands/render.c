/* commands/render.c -- what every answer writes with: one content as
 * plain text and as escaped HTML together (rt_*), and the pieces answers
 * share: dates, meeting references, owners, short quotes, the line about
 * topic words no record carries, store errors and the JSON results. No
 * I/O here. */
#include "commands_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- rendering -------------------------------------------------------- */

void rt_text(struct cmd_q *q, const char *s)
{
    buf_puts(&q->reply->text, s);
    buf_puts_html(&q->reply->html, s);
}

void rt_printf(struct cmd_q *q, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = xvasprintf(fmt, ap);
    va_end(ap);
    rt_text(q, s);
    free(s);
}

void cmd_owners(struct cmd_q *q, const struct store_action *a, const char *none)
{
    int k;

    for (k = 0; k < a->n_owners; k++)
        rt_printf(q, "%s%s", k ? ", " : "", a->owners[k]);
    if (!a->n_owners && none)
        rt_text(q, none);
}

void rt_bold(struct cmd_q *q, const char *s)
{
    buf_puts(&q->reply->text, s);
    buf_puts(&q->reply->html, "<b>");
    buf_puts_html(&q->reply->html, s);
    buf_puts(&q->reply->html, "</b>");
}

void rt_nl(struct cmd_q *q)
{
    buf_putc(&q->reply->text, '\n');
    buf_puts(&q->reply->html, "<br>\n");
}

void rt_html(struct cmd_q *q, const char *raw)
{
    buf_puts(&q->reply->html, raw);
}

void rt_plain(struct cmd_q *q, const char *s)
{
    buf_puts(&q->reply->text, s);
}

void rt_quote(struct cmd_q *q, const char *s, int cut_start, int cut_end)
{
    struct buf b;
    const char *p;
    int space = 0;

    buf_init(&b);
    buf_puts(&b, "\u201c");
    if (cut_start)
        buf_puts(&b, "\u2026");
    /* Line breaks and runs of spaces (a record's wraps, its blanked
     * bold marks) show as one space. */
    for (p = s; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t' || (*p == ' ' && (space || p[1] == ' '))) {
            space = 1;
            continue;
        }
        if (space)
            buf_putc(&b, ' ');
        space = 0;
        buf_putc(&b, *p);
    }
    if (cut_end)
        buf_puts(&b, "\u2026");
    buf_puts(&b, "\u201d");
    buf_puts(&q->reply->text, b.data);
    buf_puts(&q->reply->html, "<i>");
    buf_puts_html(&q->reply->html, b.data);
    buf_puts(&q->reply->html, "</i>");
    buf_release(&b);
}

void rt_list_begin(struct cmd_q *q)
{
    buf_puts(&q->reply->html, "<ul>\n");
}

void rt_item(struct cmd_q *q, const char *bullet)
{
    buf_puts(&q->reply->text, bullet);
    buf_puts(&q->reply->html, "<li>");
}

void rt_item_end(struct cmd_q *q)
{
    buf_putc(&q->reply->text, '\n');
    buf_puts(&q->reply->html, "</li>\n");
}

void rt_list_end(struct cmd_q *q)
{
    buf_puts(&q->reply->html, "</ul>\n");
}

static const char *const month_abbr[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

void cmd_date(char *out, size_t n, const char *iso, int weekday)
{
    static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    int y, m, d;

    if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12) {
        snprintf(out, n, "%s", iso ? iso : "undated");
        return;
    }
    if (weekday) {
        struct tm tm;

        memset(&tm, 0, sizeof(tm));
        tm.tm_year = y - 1900;
        tm.tm_mon = m - 1;
        tm.tm_mday = d;
        tm.tm_hour = 12;
        timegm(&tm);
        snprintf(out, n, "%s %d %s %d", wd[tm.tm_wday % 7], d, month_abbr[m - 1], y);
    } else {
        snprintf(out, n, "%d %s %d", d, month_abbr[m - 1], y);
    }
}

void cmd_iso_day(char *out, size_t n, int64_t at)
{
    time_t t = (time_t)at;
    struct tm tm;

    if (!gmtime_r(&t, &tm) || !strftime(out, n, "%Y-%m-%d", &tm))
        snprintf(out, n, "0000-00-00");
}

void cmd_day(char *out, size_t n, int64_t at)
{
    char iso[16];

    cmd_iso_day(iso, sizeof(iso), at);
    cmd_date(out, n, iso, 0);
}

char *cmd_meeting_ref_dup(struct store *st, int64_t meeting_id, int with_date)
{
    struct store_meeting m;
    char *label, *out, date[32];

    if (store_meeting_get(st, meeting_id, &m) != 0)
        return xstrdup("an earlier meeting");
    label = store_meeting_label_dup(&m);
    if (!with_date) {
        store_meeting_release(&m);
        return label;
    }
    if (m.date) {
        cmd_date(date, sizeof(date), m.date, 0);
    } else {
        memcpy(date, "posted ", 7);
        cmd_day(date + 7, sizeof(date) - 7, m.posted);
    }
    out = xasprintf("%s (%s)", label, date);
    free(label);
    store_meeting_release(&m);
    return out;
}

void cmd_topic_note(struct cmd_q *q, const struct store_topic *tp, int found)
{
    char unknown[256], known[256];

    if (store_topic_unknown(q->ctx->st, tp, unknown, sizeof(unknown), known, sizeof(known)) < 0 ||
        !unknown[0] || !known[0])
        return;
    if (found)
        rt_printf(q, "No record mentions \"%s\": this is about \"%s\".", unknown, known);
    else
        rt_printf(q, "No record mentions \"%s\".", unknown);
    rt_nl(q);
}

char *cmd_short_dup(const char *s, size_t n)
{
    size_t len = strlen(s), cut, hard;
    char *out;

    if (len <= n)
        return xstrdup(s);
    cut = hard = utf8_trim_len(s, len, n);
    while (cut > n / 2 && s[cut] != ' ')
        cut--;
    /* No space in the second half: cut at the code point boundary, never
     * inside a character. */
    if (s[cut] != ' ')
        cut = hard;
    while (cut > 0 && (s[cut - 1] == ' ' || s[cut - 1] == ',' || s[cut - 1] == ';'))
        cut--;
    out = xmalloc(cut + 4);
    memcpy(out, s, cut);
    memcpy(out + cut, "\u2026", 4);
    return out;
}

int cmd_store_error(struct cmd_q *q)
{
    buf_reset(&q->reply->text);
    buf_reset(&q->reply->html);
    rt_text(q, "Sorry, I could not read my meeting store just now. Please try again.");
    snprintf(q->reply->kind, sizeof(q->reply->kind), "error");
    return -1;
}

cJSON *cmd_results_new(struct cmd_q *q)
{
    cJSON_Delete(q->results);
    q->results = q->ctx->want_json ? cJSON_CreateArray() : NULL;
    return q->results;
}
