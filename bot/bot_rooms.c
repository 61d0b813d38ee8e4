/* bot/bot_rooms.c -- what scribe knows of each room: power levels, creators,
 * direct or group, encrypted; applied from state events and saved in the
 * store so that a restart knows who may do what. */
#include "bot_int.h"
#include "bot.h"
#include "config.h"
#include "../storage/log.h"
#include "matrix.h"
#include "../storage/botstate.h"
#include "../storage/store.h"
#include "../storage/util.h"

#include <stdlib.h>
#include <string.h>

struct room *bot_room_find(struct bot *b, const char *room_id)
{
    for (struct room *r = b->rooms; r; r = r->next)
        if (!strcmp(r->room_id, room_id))
            return r;
    return NULL;
}

struct room *bot_room_get(struct bot *b, const char *room_id)
{
    struct room *r = bot_room_find(b, room_id);

    if (r)
        return r;
    r = xcalloc(1, sizeof(*r));
    r->room_id = xstrdup(room_id);
    r->members = -1;
    r->next = b->rooms;
    b->rooms = r;
    return r;
}

void bot_room_free(struct room *r)
{
    free(r->room_id);
    mx_power_free(r->power);
    for (size_t i = 0; i < r->n_creators; i++)
        free(r->creators[i]);
    free(r->creators);
    free(r);
}

void bot_room_forget(struct bot *b, const char *room_id)
{
    for (struct room **pp = &b->rooms; *pp; pp = &(*pp)->next) {
        if (!strcmp((*pp)->room_id, room_id)) {
            struct room *r = *pp;
            *pp = r->next;
            bot_room_free(r);
            return;
        }
    }
}

static void room_add_creator(struct room *r, const char *user)
{
    for (size_t i = 0; i < r->n_creators; i++)
        if (!strcmp(r->creators[i], user))
            return;
    r->creators = xrealloc(r->creators, sizeof(*r->creators) * (r->n_creators + 1));
    r->creators[r->n_creators++] = xstrdup(user);
}

int bot_room_is_admin(const struct bot *b, const struct room *r, const char *user)
{
    int creator = 0;

    if (!r)
        return 0;
    for (size_t i = 0; i < r->n_creators; i++)
        if (!strcmp(r->creators[i], user))
            creator = 1;
    if (creator && (r->creators_infinite || !r->power))
        return 1;               /* v12 creators, or creator (100) with no power levels */
    if (!r->power)
        return 0 >= b->cfg->admin_power_level;
    return mx_power_level(r->power, user) >= b->cfg->admin_power_level;
}

/* Apply one state event (from state or timeline) to the room cache.
 * Returns 1 when the room turns out to be encrypted for the first time. */
int bot_room_apply(struct bot *b, struct room *r, const struct mx_event *ev)
{
    if (!ev->state_key)
        return 0;
    if (!strcmp(ev->type, "m.room.power_levels") && ev->power && !*ev->state_key) {
        mx_power_free(r->power);
        r->power = mx_power_dup(ev->power);
        r->dirty = 1;
    } else if (!strcmp(ev->type, "m.room.create") && !*ev->state_key) {
        room_add_creator(r, ev->sender);
        for (size_t i = 0; i < ev->n_creators; i++)
            room_add_creator(r, ev->creators[i]);
        r->creators_infinite = ev->room_version && atoi(ev->room_version) >= 12;
        r->dirty = 1;
    } else if (!strcmp(ev->type, "m.room.name") && !*ev->state_key) {
        int named = ev->body && *ev->body;
        if (named != r->named) {
            r->named = named;
            r->dirty = 1;
        }
    } else if (!strcmp(ev->type, "m.room.encryption") && !r->encrypted) {
        r->encrypted = 1;
        r->dirty = 1;
        return 1;
    }
    return 0;
}

int bot_room_save(struct bot *b, struct room *r)
{
    struct botstate_room sr = { 0 };
    struct buf pw, cr;
    int rc;

    buf_init(&pw);
    buf_init(&cr);
    if (r->power)
        for (size_t i = 0; i < r->power->n; i++)
            buf_printf(&pw, "%s\t%lld\n", r->power->users[i], (long long)r->power->levels[i]);
    for (size_t i = 0; i < r->n_creators; i++)
        buf_printf(&cr, "%s\n", r->creators[i]);
    if (r->creators_infinite)
        buf_puts(&cr, "*\n");
    sr.room_id = r->room_id;
    sr.has_power = r->power != NULL;
    sr.users_default = r->power ? r->power->users_default : 0;
    sr.power = pw.data;
    sr.creators = cr.data;
    sr.members = r->members;
    sr.direct = r->direct;
    sr.encrypted = r->encrypted;
    sr.named = r->named;
    rc = botstate_room_put(b->st, &sr);
    buf_release(&pw);
    buf_release(&cr);
    r->dirty = 0;
    return rc;
}

void bot_rooms_load(struct bot *b)
{
    struct botstate_room *rs;
    size_t n;

    if (botstate_rooms_load(b->st, &rs, &n) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        struct room *r = bot_room_get(b, rs[i].room_id);
        char *line, *save = NULL, *copy;

        r->members = rs[i].members;
        r->direct = rs[i].direct;
        r->encrypted = rs[i].encrypted;
        r->named = rs[i].named;
        if (rs[i].has_power) {
            r->power = xcalloc(1, sizeof(*r->power));
            r->power->users_default = rs[i].users_default;
            copy = xstrdup(rs[i].power ? rs[i].power : "");
            for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *tab = strchr(line, '\t');
                if (!tab)
                    continue;
                *tab = '\0';
                r->power->users = xrealloc(r->power->users, sizeof(char *) * (r->power->n + 1));
                r->power->levels = xrealloc(r->power->levels,
                                            sizeof(int64_t) * (r->power->n + 1));
                r->power->users[r->power->n] = xstrdup(line);
                r->power->levels[r->power->n] = strtoll(tab + 1, NULL, 10);
                r->power->n++;
            }
            free(copy);
        }
        copy = xstrdup(rs[i].creators ? rs[i].creators : "");
        save = NULL;
        for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            if (!strcmp(line, "*"))
                r->creators_infinite = 1;
            else
                room_add_creator(r, line);
        }
        free(copy);
    }
    botstate_rooms_free(rs, n);
}

