/* bot/matrix_json.c -- JSON <-> plain structs for the Matrix client: typed
 * look-ups, /sync parsed into struct mx_sync (with the repairs that keep one
 * poisoned event from failing every sync), and the content scribe sends
 * (notices, reactions). No I/O here: tested and fuzzed alone. */
#include "matrix_int.h"
#include "../storage/log.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== JSON helpers (typed: NULL/-1 on a missing key or a wrong type) ==== */

const char *mx_json_str(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsString(it) && it->valuestring ? it->valuestring : NULL;
}

char *mx_json_str_dup(const cJSON *obj, const char *key)
{
    return xstrdup(mx_json_str(obj, key));
}

const cJSON *mx_json_obj(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsObject(it) ? it : NULL;
}

const cJSON *mx_json_arr(const cJSON *obj, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsArray(it) ? it : NULL;
}

/* A number, read from valuedouble (valueint saturates at INT_MAX). With
 * `strings`, also a decimal string, as pre-v10 rooms allow. */
int mx_json_int64_item(const cJSON *it, int strings, int64_t *out)
{
    if (cJSON_IsNumber(it)) {
        double d = it->valuedouble;
        if (!isfinite(d) || d > MX_MAX_SAFE || d < -MX_MAX_SAFE)
            return -1;
        *out = (int64_t)d;
        return 0;
    }
    if (strings && cJSON_IsString(it) && it->valuestring) {
        const char *p = it->valuestring;
        char *end;
        long long v;

        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            return -1;
        v = strtoll(p, &end, 10);
        while (isspace((unsigned char)*end))
            end++;
        if (*end || (double)v > MX_MAX_SAFE || (double)v < -MX_MAX_SAFE)
            return -1;
        *out = v;
        return 0;
    }
    return -1;
}

int mx_json_int64(const cJSON *obj, const char *key, int strings, int64_t *out)
{
    return mx_json_int64_item(cJSON_GetObjectItemCaseSensitive(obj, key), strings, out);
}

void mx_json_str_array(const cJSON *arr, char ***out, size_t *n)
{
    const cJSON *it;

    cJSON_ArrayForEach(it, arr) {
        if (!cJSON_IsString(it) || !it->valuestring)
            continue;
        *out = xrealloc(*out, sizeof(**out) * (*n + 1));
        (*out)[(*n)++] = xstrdup(it->valuestring);
    }
}

/* ==== sync parsing ===================================================== */

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void mx_power_free(struct mx_power *pl)
{
    if (!pl)
        return;
    free_strv(pl->users, pl->n);
    free(pl->levels);
    free(pl);
}

struct mx_power *mx_power_dup(const struct mx_power *pl)
{
    struct mx_power *c;

    if (!pl)
        return NULL;
    c = xcalloc(1, sizeof(*c));
    c->users_default = pl->users_default;
    c->n = pl->n;
    c->users = xcalloc(pl->n ? pl->n : 1, sizeof(*c->users));
    c->levels = xcalloc(pl->n ? pl->n : 1, sizeof(*c->levels));
    for (size_t i = 0; i < pl->n; i++) {
        c->users[i] = xstrdup(pl->users[i]);
        c->levels[i] = pl->levels[i];
    }
    return c;
}

int64_t mx_power_level(const struct mx_power *pl, const char *user)
{
    if (!pl)
        return 0;
    for (size_t i = 0; i < pl->n; i++)
        if (!strcmp(pl->users[i], user))
            return pl->levels[i];
    return pl->users_default;
}

static struct mx_power *parse_power(const cJSON *content)
{
    struct mx_power *pl = xcalloc(1, sizeof(*pl));
    const cJSON *users = mx_json_obj(content, "users"), *it;

    if (mx_json_int64(content, "users_default", 1, &pl->users_default) < 0)
        pl->users_default = 0;
    cJSON_ArrayForEach(it, users) {
        int64_t v;
        if (!it->string || mx_json_int64_item(it, 1, &v) < 0)
            continue;
        pl->users = xrealloc(pl->users, sizeof(*pl->users) * (pl->n + 1));
        pl->levels = xrealloc(pl->levels, sizeof(*pl->levels) * (pl->n + 1));
        pl->users[pl->n] = xstrdup(it->string);
        pl->levels[pl->n] = v;
        pl->n++;
    }
    return pl;
}

void mx_event_release(struct mx_event *e)
{
    free(e->event_id);
    free(e->sender);
    free(e->type);
    free(e->state_key);
    free(e->msgtype);
    free(e->body);
    free(e->formatted_body);
    free(e->filename);
    free(e->url);
    free(e->mimetype);
    free(e->rel_type);
    free(e->rel_event_id);
    free(e->reply_to);
    free_strv(e->mentions, e->n_mentions);
    free(e->membership);
    mx_power_free(e->power);
    free(e->room_version);
    free_strv(e->creators, e->n_creators);
    memset(e, 0, sizeof(*e));
}

/* Copy one event into `out`. Returns -1 (nothing kept) when a required
 * field is missing: type and sender always, event_id unless `stripped`,
 * state_key when `state`. */
static int parse_event(const cJSON *ev, int stripped, int state, struct mx_event *out)
{
    const cJSON *content, *rel, *men, *info, *uns;
    const char *type = mx_json_str(ev, "type"), *sender = mx_json_str(ev, "sender");
    const char *event_id = mx_json_str(ev, "event_id");
    const char *state_key = mx_json_str(ev, "state_key");

    memset(out, 0, sizeof(*out));
    out->size = -1;
    if (!cJSON_IsObject(ev) || !type || !sender || (!stripped && !event_id) ||
        (state && !state_key))
        return -1;
    out->type = xstrdup(type);
    out->sender = xstrdup(sender);
    out->event_id = xstrdup(event_id);
    out->state_key = xstrdup(state_key);
    if (mx_json_int64(ev, "origin_server_ts", 0, &out->ts) < 0)
        out->ts = 0;
    uns = mx_json_obj(ev, "unsigned");
    if (uns && cJSON_GetObjectItemCaseSensitive(uns, "redacted_because"))
        out->redacted = 1;
    content = mx_json_obj(ev, "content");
    if (!content)
        return 0;               /* e.g. a redacted event: kept, with no content */

    rel = mx_json_obj(content, "m.relates_to");
    if (rel) {
        const cJSON *irt = mx_json_obj(rel, "m.in_reply_to");
        out->rel_type = mx_json_str_dup(rel, "rel_type");
        out->rel_event_id = mx_json_str_dup(rel, "event_id");
        if (irt)
            out->reply_to = mx_json_str_dup(irt, "event_id");
    }

    if (!strcmp(type, "m.room.message")) {
        const char *format = mx_json_str(content, "format");
        out->msgtype = mx_json_str_dup(content, "msgtype");
        out->body = mx_json_str_dup(content, "body");
        if (!out->msgtype || !out->body)
            out->redacted = 1;  /* no msgtype: redacted or malformed, never acted on */
        if (format && !strcmp(format, "org.matrix.custom.html"))
            out->formatted_body = mx_json_str_dup(content, "formatted_body");
        out->filename = mx_json_str_dup(content, "filename");
        out->url = mx_json_str_dup(content, "url");
        out->encrypted_file = mx_json_obj(content, "file") != NULL;
        info = mx_json_obj(content, "info");
        if (info) {
            out->mimetype = mx_json_str_dup(info, "mimetype");
            if (mx_json_int64(info, "size", 0, &out->size) < 0 || out->size < 0)
                out->size = -1;
        }
        men = mx_json_obj(content, "m.mentions");
        if (men) {
            out->has_mentions = 1;
            mx_json_str_array(mx_json_arr(men, "user_ids"), &out->mentions, &out->n_mentions);
        }
    } else if (!strcmp(type, "m.room.member")) {
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(content, "is_direct");
        out->membership = mx_json_str_dup(content, "membership");
        out->is_direct = cJSON_IsTrue(d);
    } else if (!strcmp(type, "m.room.power_levels")) {
        out->power = parse_power(content);
    } else if (!strcmp(type, "m.room.name")) {
        out->body = mx_json_str_dup(content, "name");
    } else if (!strcmp(type, "m.room.create")) {
        out->room_version = mx_json_str_dup(content, "room_version");
        mx_json_str_array(mx_json_arr(content, "additional_creators"), &out->creators,
                       &out->n_creators);
    }
    return 0;
}

void mx_parse_events(const cJSON *arr, int stripped, int state,
                         struct mx_event **out, size_t *n)
{
    const cJSON *ev;
    size_t cap = (size_t)cJSON_GetArraySize(arr);

    *out = NULL;
    *n = 0;
    if (!cap)
        return;
    *out = xcalloc(cap, sizeof(**out));
    cJSON_ArrayForEach(ev, arr) {
        if (parse_event(ev, stripped, state, &(*out)[*n]) == 0)
            (*n)++;
    }
}

static void room_release(struct mx_room *r)
{
    free(r->room_id);
    for (size_t i = 0; i < r->n_state; i++)
        mx_event_release(&r->state[i]);
    free(r->state);
    for (size_t i = 0; i < r->n_timeline; i++)
        mx_event_release(&r->timeline[i]);
    free(r->timeline);
    free(r->prev_batch);
}

static void parse_rooms(const cJSON *map, enum mx_membership ms, struct mx_sync *s)
{
    const cJSON *room;

    cJSON_ArrayForEach(room, map) {
        struct mx_room *r;
        const cJSON *tl, *st, *sum;

        if (!room->string || !cJSON_IsObject(room))
            continue;
        s->rooms = xrealloc(s->rooms, sizeof(*s->rooms) * (s->n_rooms + 1));
        r = &s->rooms[s->n_rooms++];
        memset(r, 0, sizeof(*r));
        r->room_id = xstrdup(room->string);
        r->membership = ms;
        r->joined_count = -1;
        if (ms == MX_INVITED) {
            st = mx_json_obj(room, "invite_state");
            mx_parse_events(mx_json_arr(st, "events"), 1, 1, &r->state, &r->n_state);
            continue;
        }
        st = mx_json_obj(room, "state");
        mx_parse_events(mx_json_arr(st, "events"), 0, 1, &r->state, &r->n_state);
        tl = mx_json_obj(room, "timeline");
        mx_parse_events(mx_json_arr(tl, "events"), 0, 0, &r->timeline, &r->n_timeline);
        r->limited = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tl, "limited"));
        if (mx_json_str(tl, "prev_batch"))
            r->prev_batch = xstrdup(mx_json_str(tl, "prev_batch"));
        sum = mx_json_obj(room, "summary");
        if (sum && mx_json_int64(sum, "m.joined_member_count", 0, &r->joined_count) < 0)
            r->joined_count = -1;
    }
}

/* Deeper than this, a value in a sync answer is replaced by 0: no event
 * scribe reads comes near it, and cJSON refuses past 1000 levels. */
#define MX_JSON_MAX_DEPTH 256

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code unit of the "\uXXXX" escape at s[i] (s[i] == '\\'), or -1. */
static long u_escape(const char *s, size_t len, size_t i)
{
    long v = 0;

    if (i + 6 > len || s[i] != '\\' || s[i + 1] != 'u')
        return -1;
    for (size_t k = 2; k < 6; k++) {
        int h = hexval(s[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Skip the string starting at s[i] == '"'; with `fix`, turn every lone
 * UTF-16 surrogate escape into \ufffd (same length). Returns the index
 * after the closing quote, or len. */
static size_t skip_string(char *s, size_t len, size_t i, int fix)
{
    for (i++; i < len; ) {
        if (s[i] == '"')
            return i + 1;
        if (s[i] != '\\') {
            i++;
            continue;
        }
        long u = u_escape(s, len, i);
        if (u >= 0xD800 && u <= 0xDBFF) {
            long lo = u_escape(s, len, i + 6);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                i += 12;
                continue;
            }
        }
        if (u >= 0xD800 && u <= 0xDFFF && fix)
            memcpy(s + i, "\\ufffd", 6);
        i += u >= 0 ? 6 : 2;
    }
    return len;
}

/* One event that stays in a room's timeline and that cJSON refuses (a
 * lone surrogate escape, nesting past its limit) would fail every sync
 * from the same token and leave scribe deaf. Defuse such JSON in place,
 * keeping its length: lone surrogates become U+FFFD and values nested
 * deeper than MX_JSON_MAX_DEPTH become 0 padded with spaces. */
static void json_defuse(char *s, size_t len)
{
    int depth = 0;

    for (size_t i = 0; i < len; ) {
        char c = s[i];
        if (c == '"') {
            i = skip_string(s, len, i, 1);
        } else if (c == '{' || c == '[') {
            if (depth < MX_JSON_MAX_DEPTH) {
                depth++;
                i++;
                continue;
            }
            /* Find the end of this value and blank it out. */
            size_t j = i;
            int d = 0;
            while (j < len) {
                if (s[j] == '"') {
                    j = skip_string(s, len, j, 0);
                    continue;
                }
                if (s[j] == '{' || s[j] == '[')
                    d++;
                else if ((s[j] == '}' || s[j] == ']') && --d == 0)
                    break;
                j++;
            }
            if (j >= len)
                return;         /* unterminated: cJSON will say so */
            s[i] = '0';
            memset(s + i + 1, ' ', j - i);
            i = j + 1;
        } else {
            if ((c == '}' || c == ']') && depth > 0)
                depth--;
            i++;
        }
    }
}

int mx_sync_parse(const char *json, size_t len, struct mx_sync *out)
{
    char *copy = xmalloc(len + 1);
    cJSON *root;
    const cJSON *rooms, *ad, *ev;
    const char *nb;

    memcpy(copy, json, len);
    copy[len] = '\0';
    json_defuse(copy, len);
    root = cJSON_ParseWithLength(copy, len);
    free(copy);
    memset(out, 0, sizeof(*out));
    if (!root)
        return -1;
    nb = mx_json_str(root, "next_batch");
    if (!cJSON_IsObject(root) || !nb) {
        cJSON_Delete(root);
        return -1;
    }
    out->next_batch = xstrdup(nb);
    rooms = mx_json_obj(root, "rooms");
    parse_rooms(mx_json_obj(rooms, "join"), MX_JOINED, out);
    parse_rooms(mx_json_obj(rooms, "invite"), MX_INVITED, out);
    parse_rooms(mx_json_obj(rooms, "leave"), MX_LEFT, out);
    ad = mx_json_obj(root, "account_data");
    cJSON_ArrayForEach(ev, mx_json_arr(ad, "events")) {
        const char *type = mx_json_str(ev, "type");
        const cJSON *content = mx_json_obj(ev, "content"), *user;

        if (!type || strcmp(type, "m.direct") || !content)
            continue;
        out->has_direct = 1;
        cJSON_ArrayForEach(user, content)
            mx_json_str_array(user, &out->direct, &out->n_direct);
    }
    cJSON_Delete(root);
    return 0;
}

void mx_sync_release(struct mx_sync *s)
{
    free(s->next_batch);
    for (size_t i = 0; i < s->n_rooms; i++)
        room_release(&s->rooms[i]);
    free(s->rooms);
    free_strv(s->direct, s->n_direct);
    memset(s, 0, sizeof(*s));
}

/* ==== outgoing content ================================================= */

static cJSON *add_str_n(cJSON *obj, const char *key, const char *s, size_t n)
{
    char *tmp = xstrndup(s, n);
    cJSON *it = cJSON_AddStringToObject(obj, key, tmp);

    free(tmp);
    return it;
}

char *mx_json_print_free(cJSON *root)
{
    char *p = cJSON_PrintUnformatted(root);
    char *out;

    cJSON_Delete(root);
    if (!p) {
        log_err("matrix: cannot serialize JSON");
        abort();                /* only out of memory gets here */
    }
    out = xstrdup(p);
    cJSON_free(p);
    return out;
}

char *mx_notice_json_dup(const struct mx_notice *n)
{
    cJSON *root = cJSON_CreateObject(), *men, *ids;

    cJSON_AddStringToObject(root, "msgtype", n->msgtype ? n->msgtype : "m.notice");
    add_str_n(root, "body", n->body, n->body_len);
    if (n->html) {
        cJSON_AddStringToObject(root, "format", "org.matrix.custom.html");
        add_str_n(root, "formatted_body", n->html, n->html_len);
    }
    if (n->thread_root) {
        cJSON *rel = cJSON_AddObjectToObject(root, "m.relates_to");
        cJSON_AddStringToObject(rel, "rel_type", "m.thread");
        cJSON_AddStringToObject(rel, "event_id", n->thread_root);
        cJSON_AddBoolToObject(rel, "is_falling_back", 1);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(rel, "m.in_reply_to"), "event_id",
                                n->reply_to ? n->reply_to : n->thread_root);
    } else if (n->reply_to) {
        cJSON *rel = cJSON_AddObjectToObject(root, "m.relates_to");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(rel, "m.in_reply_to"), "event_id",
                                n->reply_to);
    }
    /* Always present, even empty, so legacy body-matching rules stay quiet. */
    men = cJSON_AddObjectToObject(root, "m.mentions");
    if (n->n_mentions) {
        ids = cJSON_AddArrayToObject(men, "user_ids");
        for (size_t i = 0; i < n->n_mentions; i++)
            cJSON_AddItemToArray(ids, cJSON_CreateString(n->mentions[i]));
    }
    return mx_json_print_free(root);
}

char *mx_reaction_json_dup(const char *event_id, const char *key)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *rel = cJSON_AddObjectToObject(root, "m.relates_to");

    cJSON_AddStringToObject(rel, "rel_type", "m.annotation");
    cJSON_AddStringToObject(rel, "event_id", event_id);
    cJSON_AddStringToObject(rel, "key", key);
    return mx_json_print_free(root);
}

