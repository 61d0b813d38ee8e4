/* bot/bot.h -- scribe in Matrix rooms: the event loop that logs in, syncs,
 * decides which messages are addressed to scribe, runs the commands and
 * sends the replies, persisting its progress in the store. */
#ifndef SCRIBE_BOT_H
#define SCRIBE_BOT_H

#include <stddef.h>

struct config;
struct store;
struct mx_event;

/* Serve the homeserver of `cfg` until SIGINT/SIGTERM. Replies in flight
 * are given a few seconds to finish; unfinished work stays in the store
 * and is resumed on the next start. Returns 0 after a signal, or 1 after
 * a fatal error (rejected credentials and no password, no homeserver). */
int bot_run(const struct config *cfg, struct store *st);

/* ---- pure helpers, exposed for the tests ---- */

/* 1 when `inviter` matches an entry of `allow`: a user id ("@a:s") exactly,
 * or a server name ("s", ":s" or "*:s") for any user of that server. */
int bot_invite_allowed(char *const *allow, int n, const char *inviter);

/* The body with a rich-reply fallback removed: leading "> " lines, the
 * first of them "> <@sender> ...", and the blank line after them. Free
 * with free(). */
char *bot_strip_fallback_dup(const char *body);

/* Who scribe is, for deciding what is addressed to it. */
struct bot_self {
    const char *prefix;         /* "!" */
    const char *name;           /* "scribe" (config) */
    const char *user_id;        /* "@scribe:example.org" */
    const char *display_name;   /* from the profile, or NULL */
};

/* When `ev` (an m.room.message) is addressed to scribe -- prefix, name,
 * mention, or any message in a direct chat -- returns the command text
 * with the addressing and any reply fallback stripped (free with free());
 * else NULL. */
char *bot_addressed_dup(const struct bot_self *self, const struct mx_event *ev, int direct);

/* 1 when `ev` is an uploaded file scribe should read as a record:
 * m.file with a text/plain or text/markdown type or a .txt/.md name. */
int bot_is_text_file(const struct mx_event *ev);

#endif
