/* fuzz/fuzz_sync.c -- libFuzzer target for the Matrix event handling:
 * bytes -> mx_sync_parse() -> rooms and events -> the bot's pure helpers
 * (which messages are addressed to scribe, which files are records, reply
 * fallbacks, power levels) on every event -> free. No network, no loop. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bot/bot.h"
#include "../bot/matrix.h"

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "fuzz_sync: contract broken: %s (%s:%d)\n",    \
                    #cond, __FILE__, __LINE__);                             \
            abort();                                                        \
        }                                                                   \
    } while (0)

static const struct bot_self self_named = {
    .prefix = "!", .name = "scribe", .user_id = "@scribe:example.org",
    .display_name = "Scribe Bot",
};
static const struct bot_self self_bare = {
    .prefix = "!", .name = "scribe", .user_id = "@scribe:example.org",
    .display_name = NULL,
};

static int is_direct(const struct mx_sync *s, const char *room_id)
{
    for (size_t i = 0; i < s->n_direct; i++)
        if (s->direct[i] && room_id && !strcmp(s->direct[i], room_id))
            return 1;
    return 0;
}

static void check_event(const struct mx_event *ev, int direct)
{
    char *cmd, *stripped;

    CHECK(ev->type != NULL);
    if (ev->power) {
        struct mx_power *dup = mx_power_dup(ev->power);

        (void)mx_power_level(ev->power, ev->sender);
        (void)mx_power_level(ev->power, "@scribe:example.org");
        mx_power_free(dup);
    }
    if (!ev->sender || strcmp(ev->type, "m.room.message"))
        return;
    (void)bot_is_text_file(ev);
    if (!ev->body)
        return;
    cmd = bot_addressed_dup(&self_named, ev, direct);
    free(cmd);
    cmd = bot_addressed_dup(&self_bare, ev, !direct);
    free(cmd);
    stripped = bot_strip_fallback_dup(ev->body);
    CHECK(stripped != NULL);
    CHECK(strlen(stripped) <= strlen(ev->body));
    free(stripped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mx_sync s;
    size_t i, j;
    int direct;

    if (mx_sync_parse((const char *)data, size, &s) == 0) {
        CHECK(s.next_batch != NULL);
        for (i = 0; i < s.n_rooms; i++) {
            const struct mx_room *r = &s.rooms[i];

            CHECK(r->room_id != NULL);
            direct = is_direct(&s, r->room_id);
            for (j = 0; j < r->n_state; j++)
                check_event(&r->state[j], direct);
            for (j = 0; j < r->n_timeline; j++)
                check_event(&r->timeline[j], direct);
        }
    }
    mx_sync_release(&s);
    return 0;
}
