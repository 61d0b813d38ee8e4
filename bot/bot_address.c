/* bot/bot_address.c -- the pure decisions about a message: is it addressed to
 * scribe (prefix, name, mention, direct chat), is it a text file to read,
 * is an inviter allowed. No loop, no store: tested alone. */
#include "bot.h"
#include "matrix.h"
#include "../storage/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int bot_invite_allowed(char *const *allow, int n, const char *inviter)
{
    const char *server;

    if (!inviter || inviter[0] != '@' || !(server = strchr(inviter, ':')))
        return 0;
    server++;
    for (int i = 0; i < n; i++) {
        const char *a = allow[i];

        if (a[0] == '@') {
            if (!strcmp(a, inviter))
                return 1;
            continue;
        }
        if (a[0] == '*' && a[1] == ':')
            a += 2;
        else if (a[0] == ':')
            a++;
        if (*a && !strcasecmp(a, server))
            return 1;
    }
    return 0;
}

char *bot_strip_fallback_dup(const char *body)
{
    const char *p = body;

    if (!body)
        return NULL;
    /* A fallback opens with "> <@sender> ..."; a transcript's ">>" never does. */
    if (strncmp(p, "> <", 3))
        return xstrdup(body);
    while (!strncmp(p, "> ", 2) || !strncmp(p, ">\n", 2)) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            return xstrdup("");
        p = nl + 1;
    }
    if (*p == '\n')
        p++;
    return xstrdup(p);
}

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* When `s` starts with `who` (case-insensitive) followed by ':' or ','
 * (or, with `loose`, by white space or the end), returns what follows;
 * else NULL. */
static const char *after_address(const char *s, const char *who, int loose)
{
    size_t n;
    const char *p;

    if (!who || !*who)
        return NULL;
    n = strlen(who);
    if (strncasecmp(s, who, n))
        return NULL;
    p = s + n;
    if (*p == ':' || *p == ',')
        return skip_space(p + 1);
    if (loose && (!*p || isspace((unsigned char)*p)))
        return skip_space(p);
    return NULL;
}

/* Case-insensitive whole-word search. */
static int contains_word(const char *s, const char *w)
{
    size_t n = w ? strlen(w) : 0;

    if (!n)
        return 0;
    for (const char *p = s; *p; p++) {
        if (strncasecmp(p, w, n))
            continue;
        if ((p == s || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[n]))
            return 1;
    }
    return 0;
}

static char *trimmed_dup(const char *s)
{
    const char *e;

    s = skip_space(s);
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    return xstrndup(s, (size_t)(e - s));
}

char *bot_addressed_dup(const struct bot_self *self, const struct mx_event *ev, int direct)
{
    char *body = ev->reply_to ? bot_strip_fallback_dup(ev->body) : xstrdup(ev->body);
    char *out = NULL, *at_name = NULL;
    const char *p, *rest = NULL;
    const char *names[4];
    int mentioned = 0;

    if (!body)
        return NULL;
    p = skip_space(body);
    if (self->prefix && *self->prefix && !strncmp(p, self->prefix, strlen(self->prefix))) {
        out = trimmed_dup(p + strlen(self->prefix));
        goto done;
    }
    for (size_t i = 0; i < ev->n_mentions; i++)
        if (self->user_id && !strcmp(ev->mentions[i], self->user_id))
            mentioned = 1;
    if (self->user_id && strstr(ev->body, self->user_id))
        mentioned = 1;
    if (self->user_id && ev->formatted_body) {
        char *pill = xasprintf("matrix.to/#/%s", self->user_id);
        char *pill_enc = xasprintf("matrix.to/#/%%40%s", self->user_id + 1);
        if (strstr(ev->formatted_body, pill) || strstr(ev->formatted_body, pill_enc))
            mentioned = 1;
        free(pill);
        free(pill_enc);
    }
    /* Without m.mentions a client relies on body matching (the legacy
     * push rules): the display name or the configured name as a word. */
    if (!ev->has_mentions &&
        (contains_word(p, self->display_name) || contains_word(p, self->name)))
        mentioned = 1;
    /* A leading address is stripped: "scribe: ...", "scribe, ...",
     * "@scribe ...", the user id or the display name; without ':' or ','
     * only when the message mentions scribe anyway. */
    at_name = self->name ? xasprintf("@%s", self->name) : NULL;
    names[0] = self->user_id;
    names[1] = self->display_name;
    names[2] = self->name;
    names[3] = at_name;
    for (int i = 0; i < 4 && !rest; i++)
        rest = after_address(p, names[i], mentioned || i == 0 || i == 3);
    if (rest)
        out = trimmed_dup(rest);
    else if (mentioned || direct)
        out = trimmed_dup(p);
done:
    free(at_name);
    free(body);
    return out;
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, m = strlen(suffix);

    return n >= m && !strcasecmp(s + n - m, suffix);
}

int bot_is_text_file(const struct mx_event *ev)
{
    const char *name;

    if (!ev->msgtype || strcmp(ev->msgtype, "m.file") || !ev->url)
        return 0;
    if (ev->mimetype && (!strncasecmp(ev->mimetype, "text/plain", 10) ||
                         !strncasecmp(ev->mimetype, "text/markdown", 13)))
        return 1;
    name = ev->filename ? ev->filename : ev->body;
    return ends_with_ci(name, ".txt") || ends_with_ci(name, ".md");
}
