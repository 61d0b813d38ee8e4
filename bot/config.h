/* bot/config.h -- scribe's INI configuration (see config.example).
 * Parsed with inih; secrets may come from the environment instead. */
#ifndef SCRIBE_CONFIG_H
#define SCRIBE_CONFIG_H

#include <stddef.h>

struct config {
    /* [matrix] */
    char *homeserver;           /* NULL: no homeserver configured */
    char *user_id;
    char *password;             /* secret; env SCRIBE_PASSWORD overrides */
    char *access_token;         /* secret; env SCRIBE_ACCESS_TOKEN overrides */
    char *access_token_file;
    char *device_id;            /* default "SCRIBE" */
    /* [bot] */
    char *database;             /* default "scribe.db" */
    char *prefix;               /* default "!" */
    char *name;                 /* default "scribe" */
    char **rooms;               /* rooms to join at start */
    int n_rooms;
    char **allow_invites_from;  /* user ids or server names */
    int n_allow;
    long admin_power_level;     /* default 50 */
    int auto_recap;             /* default 1 */
    size_t max_record_bytes;    /* default 5 MiB */
    long catchup_minutes;       /* answer questions asked while down, if newer; default 15 */
    /* [log] */
    int log_level;              /* enum log_level; default info */
};

/* Fill `cfg` with defaults, then read `path` when it is not NULL.
 * Returns 0, or -1 with a one-line reason in err (unknown key, bad
 * value, unreadable file). Free with config_release(). */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);
void config_release(struct config *cfg);
/* 1 when the homeserver URL is https, or http on a loopback host. */
int config_homeserver_ok(const char *url);

#endif
