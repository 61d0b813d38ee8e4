/* commands/cmd_roles.c -- "who chaired #66?", "who facilitated the
 * meetings?": per meeting, newest first, who chaired or facilitated it and
 * how the records say so (a participant list, a quote, or only that they
 * opened the meeting). */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROLES_MEETINGS_SHOWN 12

static int roles_match(struct cmd_q *q)
{
    static const char *const leads[] = {
        "who chaired", "who chairs", "who was chairing", "who was the chair", "who is the chair",
        "who facilitated", "who facilitates", "who was facilitating", "who moderated",
        "who ran", "who led", "who hosted", "chair of", "chairs of", "chair", "facilitators",
        "roles",
    };

    for (size_t i = 0; i < sizeof(leads) / sizeof(leads[0]); i++)
        if (cmd_starts(q, leads[i]))
            return 1;
    return 0;
}

/* The words that only say "the meetings" in "who chaired the DC
 * coordination meetings": no meeting named, so all of them. */
static int names_all(const char *args)
{
    static const char *const group[] = { "the group", "our group", "this group", "the coalition",
                                         "the committee", "us", "them" };
    size_t i;

    for (i = 0; i < sizeof(group) / sizeof(group[0]); i++)
        if (!strcasecmp(args, group[i]))
            return 1;       /* "who chairs the group?" */
    return !*args || strstr(args, "meetings") || strstr(args, "calls") ||
           !strncmp(args, "or facilitated", 14);
}

static void roles_one(struct cmd_q *q, int64_t mid)
{
    struct store *st = q->ctx->st;
    struct store_role *v = NULL;
    char *ref = cmd_meeting_ref_dup(st, mid, 1);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    int n = 0;

    rt_item(q, " \u2022 ");
    rt_bold(q, ref);
    rt_text(q, ": ");
    if (store_meeting_roles(st, mid, &v, &n) < 0 || n == 0)
        rt_text(q, "the records do not say");
    for (int i = 0; i < n; i++) {
        cJSON *r = cJSON_CreateObject();

        if (i)
            rt_text(q, "; ");
        rt_text(q, v[i].name);
        if (v[i].source == STORE_ROLE_OPENED)
            rt_text(q, " (opened the meeting and gave the floor; no record names a chair)");
        else
            rt_printf(q, " (%s%s)", v[i].role,
                      v[i].source == STORE_ROLE_LISTED ? ", in the participant list" : "");
        if (v[i].source == STORE_ROLE_SAID && v[i].quote) {
            char *s = cmd_short_dup(v[i].quote, 160);

            rt_text(q, " \u2014 ");
            if (v[i].speaker) {
                rt_text(q, v[i].speaker);
                rt_text(q, ": ");
            }
            rt_quote(q, s, 0, 0);
            free(s);
        }
        cJSON_AddStringToObject(r, "name", v[i].name);
        cJSON_AddStringToObject(r, "role", v[i].role);
        cJSON_AddStringToObject(r, "source", v[i].source == STORE_ROLE_LISTED ? "listed" :
                                             v[i].source == STORE_ROLE_SAID ? "said" : "opened");
        if (v[i].quote)
            cJSON_AddStringToObject(r, "quote", v[i].quote);
        cJSON_AddItemToArray(arr, r);
    }
    rt_item_end(q);
    cJSON_AddNumberToObject(o, "meeting_id", (double)mid);
    cJSON_AddStringToObject(o, "meeting", ref);
    cJSON_AddItemToObject(o, "roles", arr);
    cJSON_AddItemToArray(q->results, o);
    store_roles_free(v, n);
    free(ref);
}

static int roles_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    struct store_meeting *ms = NULL;
    char *args = xstrdup(q->args), *spec = cmd_split_meeting(args, 0);
    int nm = 0, rc = 0;

    snprintf(q->reply->kind, sizeof(q->reply->kind), "roles");
    q->results = cJSON_CreateArray();
    if (spec || !names_all(cmd_trim(args))) {
        int64_t mid = 0;
        int mrc = cmd_meeting(q, spec ? spec : args, &mid);

        if (mrc != 0) {
            rc = mrc == -1 ? -1 : 0;
            goto out;
        }
        rt_text(q, "Who chaired or facilitated:");
        rt_nl(q);
        rt_list_begin(q);
        roles_one(q, mid);
        rt_list_end(q);
        goto out;
    }
    if (store_meetings_list(st, &ms, &nm) < 0) {
        rc = cmd_store_error(q);
        goto out;
    }
    if (nm == 0) {
        rt_text(q, "I have no meeting records yet.");
        rt_nl(q);
        goto out;
    }
    rt_text(q, "Who chaired or facilitated each meeting, newest first:");
    rt_nl(q);
    rt_list_begin(q);
    for (int i = 0; i < nm && i < ROLES_MEETINGS_SHOWN; i++)
        roles_one(q, ms[i].id);
    rt_list_end(q);
    if (nm > ROLES_MEETINGS_SHOWN)
        rt_printf(q, "(%d older meetings not shown: ask \"who chaired #N\")\n",
                  nm - ROLES_MEETINGS_SHOWN);
out:
    store_meetings_free(ms, nm);
    free(spec);
    free(args);
    return rc;
}

const struct command cmd_roles = {
    .name = "roles",
    .usage = "who chaired [#66]",
    .help = "who chaired or facilitated each meeting, with the words that say so",
    .match = roles_match,
    .run = roles_run,
};
