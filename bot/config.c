/* bot/config.c -- read the INI config with inih, apply defaults and
 * environment overrides. Knows the keys of config.example, nothing else. */
#include "config.h"
#include "../storage/log.h"
#include "../storage/util.h"
#include "../storage/record.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct config_parse {
    struct config *cfg;
    char *err;
    size_t errlen;
};

static char *trim_dup(const char *s)
{
    const char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    return xstrndup(s, (size_t)(e - s));
}

/* Split a comma-separated list into trimmed, non-empty items. */
static void split_list(const char *value, char ***items, int *n)
{
    const char *p = value;

    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char *raw = xstrndup(p, len);
        char *item = trim_dup(raw);

        free(raw);
        if (*item) {
            *items = xrealloc(*items, sizeof(**items) * (size_t)(*n + 1));
            (*items)[(*n)++] = item;
        } else {
            free(item);
        }
        p += len;
        if (*p == ',')
            p++;
    }
}

static void set_str(char **slot, const char *value)
{
    free(*slot);
    *slot = trim_dup(value);
}

static int parse_bool(const char *v, int *out)
{
    if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1") ||
        !strcasecmp(v, "on")) {
        *out = 1;
        return 0;
    }
    if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0") ||
        !strcasecmp(v, "off")) {
        *out = 0;
        return 0;
    }
    return -1;
}

static int parse_long(const char *v, long *out)
{
    char *end;

    errno = 0;
    *out = strtol(v, &end, 10);
    if (errno || end == v || *end)
        return -1;
    return 0;
}

static int on_key(void *user, const char *section, const char *key,
                  const char *value)
{
    struct config_parse *cp = user;
    struct config *c = cp->cfg;
    long n;

    if (!strcmp(section, "matrix")) {
        if (!strcmp(key, "homeserver"))
            set_str(&c->homeserver, value);
        else if (!strcmp(key, "user_id"))
            set_str(&c->user_id, value);
        else if (!strcmp(key, "password"))
            set_str(&c->password, value);
        else if (!strcmp(key, "access_token"))
            set_str(&c->access_token, value);
        else if (!strcmp(key, "access_token_file"))
            set_str(&c->access_token_file, value);
        else if (!strcmp(key, "device_id"))
            set_str(&c->device_id, value);
        else
            goto unknown;
    } else if (!strcmp(section, "bot")) {
        if (!strcmp(key, "database"))
            set_str(&c->database, value);
        else if (!strcmp(key, "prefix"))
            set_str(&c->prefix, value);
        else if (!strcmp(key, "name"))
            set_str(&c->name, value);
        else if (!strcmp(key, "rooms"))
            split_list(value, &c->rooms, &c->n_rooms);
        else if (!strcmp(key, "allow_invites_from"))
            split_list(value, &c->allow_invites_from, &c->n_allow);
        else if (!strcmp(key, "admin_power_level")) {
            if (parse_long(value, &c->admin_power_level) < 0)
                goto bad;
        } else if (!strcmp(key, "auto_recap")) {
            if (parse_bool(value, &c->auto_recap) < 0)
                goto bad;
        } else if (!strcmp(key, "max_record_bytes")) {
            if (parse_long(value, &n) < 0 || n <= 0)
                goto bad;
            c->max_record_bytes = (size_t)n;
        } else if (!strcmp(key, "catchup_minutes")) {
            if (parse_long(value, &c->catchup_minutes) < 0 || c->catchup_minutes < 0)
                goto bad;
        } else
            goto unknown;
    } else if (!strcmp(section, "log")) {
        if (!strcmp(key, "level")) {
            int lv = log_level_parse(value);
            if (lv < 0)
                goto bad;
            c->log_level = lv;
        } else
            goto unknown;
    } else {
        snprintf(cp->err, cp->errlen, "unknown section [%s]", section);
        return 0;
    }
    return 1;
unknown:
    snprintf(cp->err, cp->errlen, "unknown key '%s' in [%s]", key, section);
    return 0;
bad:
    snprintf(cp->err, cp->errlen, "bad value for '%s' in [%s]", key, section);
    return 0;
}

static void config_defaults(struct config *c)
{
    memset(c, 0, sizeof(*c));
    c->device_id = xstrdup("SCRIBE");
    c->database = xstrdup("scribe.db");
    c->prefix = xstrdup("!");
    c->name = xstrdup("scribe");
    c->admin_power_level = 50;
    c->auto_recap = 1;
    c->max_record_bytes = RECORD_MAX_BYTES_DEFAULT;
    c->catchup_minutes = 15;
    c->log_level = LOG_INFO;
}

/* Read the first line of a token file, without its newline. */
static int read_token_file(const char *path, char **out)
{
    char line[4096];
    FILE *f = fopen(path, "r");

    if (!f)
        return -1;
    if (!fgets(line, sizeof(line), f)) {
        fclose(f);
        return -1;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    free(*out);
    *out = trim_dup(line);
    return 0;
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
    struct config_parse cp = { cfg, err, errlen };
    const char *env;
    int rc;

    config_defaults(cfg);
    err[0] = '\0';
    if (path) {
        rc = ini_parse(path, on_key, &cp);
        if (rc == -1) {
            snprintf(err, errlen, "cannot read config '%s': %s", path, strerror(errno));
            return -1;
        }
        if (rc != 0) {
            if (!err[0])
                snprintf(err, errlen, "syntax error");
            /* Prefix the location; keep the reason. */
            char reason[256];
            snprintf(reason, sizeof(reason), "%s", err);
            snprintf(err, errlen, "config '%s' line %d: %s", path, rc, reason);
            return -1;
        }
    }
    if (cfg->access_token_file && !cfg->access_token &&
        read_token_file(cfg->access_token_file, &cfg->access_token) < 0) {
        snprintf(err, errlen, "cannot read access_token_file '%s'", cfg->access_token_file);
        return -1;
    }
    if ((env = getenv("SCRIBE_ACCESS_TOKEN")) && *env)
        set_str(&cfg->access_token, env);
    if ((env = getenv("SCRIBE_PASSWORD")) && *env)
        set_str(&cfg->password, env);
    if (cfg->homeserver && !*cfg->homeserver) {
        free(cfg->homeserver);
        cfg->homeserver = NULL;
    }
    if (cfg->homeserver) {
        size_t l = strlen(cfg->homeserver);
        while (l > 0 && cfg->homeserver[l - 1] == '/')
            cfg->homeserver[--l] = '\0';
        if (!config_homeserver_ok(cfg->homeserver)) {
            snprintf(err, errlen, "homeserver '%s' must be https:// (http:// only for loopback)",
                     cfg->homeserver);
            return -1;
        }
    }
    return 0;
}

static void free_list(char **items, int n)
{
    for (int i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

void config_release(struct config *c)
{
    free(c->homeserver);
    free(c->user_id);
    free(c->password);
    free(c->access_token);
    free(c->access_token_file);
    free(c->device_id);
    free(c->database);
    free(c->prefix);
    free(c->name);
    free_list(c->rooms, c->n_rooms);
    free_list(c->allow_invites_from, c->n_allow);
    memset(c, 0, sizeof(*c));
}

int config_homeserver_ok(const char *url)
{
    static const char *loopback[] = { "127.", "localhost", "[::1]" };
    const char *host;

    if (!strncmp(url, "https://", 8))
        return url[8] != '\0';
    if (strncmp(url, "http://", 7))
        return 0;
    host = url + 7;
    for (size_t i = 0; i < sizeof(loopback) / sizeof(*loopback); i++) {
        size_t n = strlen(loopback[i]);
        if (!strncmp(host, loopback[i], n)) {
            /* The loopback name or address must be the whole host: not
             * the start of "localhost.evil", "127.evil.example" or
             * "127.0.0.1@evil.example". */
            if (i == 0)
                n += strspn(host + n, "0123456789.");
            char after = host[n];
            if (after == '\0' || after == ':' || after == '/')
                return 1;
        }
    }
    return 0;
}
