/* commands/cmd_people.c -- people: "who attended #66?" (also "both #62
 * and #66", "#62 but not #66"), "who sent apologies for #62?" ("who
 * missed #66?"), "attendance Jutta Croll" ("when did Jutta last attend?"),
 * "who attends most?", and "iam Jutta Croll", which links the chat user
 * to a person for "my actions". */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { P_ATTENDED = 1, P_APOLOGIES, P_ATTENDANCE, P_IAM, P_WHO_IS, P_REGULARS };

static int people_match(struct cmd_q *q)
{
    static const struct { const char *lead; int what; } leads[] = {
        { "who attended", P_ATTENDED }, { "who was at", P_ATTENDED }, { "who was in", P_ATTENDED },
        { "who were at", P_ATTENDED }, { "who participated in", P_ATTENDED },
        { "who took part in", P_ATTENDED }, { "who joined", P_ATTENDED },
        { "who came to", P_ATTENDED }, { "attendees", P_ATTENDED }, { "participants", P_ATTENDED },
        { "who spoke at", P_ATTENDED }, { "who spoke in", P_ATTENDED }, { "people at", P_ATTENDED },
        { "how many people attended", P_ATTENDED }, { "how many attended", P_ATTENDED },
        { "how many people were at", P_ATTENDED }, { "how many were at", P_ATTENDED },
        { "how many participants", P_ATTENDED }, { "how many people came to", P_ATTENDED },
        { "number of participants", P_ATTENDED }, { "list of participants", P_ATTENDED },
        { "who sent apologies for", P_APOLOGIES }, { "who sent apologies", P_APOLOGIES },
        { "who sent their apologies", P_APOLOGIES }, { "who apologised", P_APOLOGIES },
        { "who apologized", P_APOLOGIES }, { "apologies for", P_APOLOGIES },
        { "who missed", P_APOLOGIES }, { "who was missing from", P_APOLOGIES },
        { "who was missing at", P_APOLOGIES }, { "who couldn't make it to", P_APOLOGIES },
        { "who could not make it to", P_APOLOGIES }, { "who could not attend", P_APOLOGIES },
        { "who couldn't attend", P_APOLOGIES }, { "who was not at", P_APOLOGIES },
        { "who wasn't at", P_APOLOGIES },
        { "apologies", P_APOLOGIES }, { "who was absent", P_APOLOGIES },
        { "attendance of", P_ATTENDANCE }, { "attendance for", P_ATTENDANCE },
        { "attendance", P_ATTENDANCE }, { "which meetings did", P_ATTENDANCE },
        { "iam", P_IAM }, { "i am", P_IAM }, { "i'm", P_IAM }, { "my name is", P_IAM },
        { "who are the members", P_REGULARS }, { "who are the regulars", P_REGULARS },
        { "who attends most", P_REGULARS }, { "who attends the most", P_REGULARS },
        { "who comes most", P_REGULARS }, { "who comes the most", P_REGULARS },
        { "who has attended the most", P_REGULARS }, { "who attended the most", P_REGULARS },
        { "who attended most", P_REGULARS }, { "list all people", P_REGULARS },
        { "list people", P_REGULARS }, { "all people", P_REGULARS }, { "people", P_REGULARS },
        { "members", P_REGULARS }, { "who is in the group", P_REGULARS },
    };

    static const char *const who_is[] = { "who is", "who's", "tell me about", "about" };
    /* "when did Sorina last attend?", "how often did Wout come?": where
     * someone was. */
    static const char *const how_often[] = { "when did ", "how often did ", "how many meetings did ",
                                             "how many times did ", "which meetings has ",
                                             "how often has ", "when was " };
    static const char *const attend[] = { " last attend", " attend", " last come", " come",
                                          " last join", " join", " participate", " take part",
                                          " attended", " last attended", " last here",
                                          " last at a meeting", " last in a meeting" };
    size_t i, j, len = strlen(q->lower);

    for (i = 0; i < sizeof(leads) / sizeof(leads[0]); i++)
        if (cmd_starts(q, leads[i].lead) && (leads[i].what != P_REGULARS || !*q->args)) {
            q->flag = leads[i].what;
            return 1;
        }
    for (i = 0; i < sizeof(how_often) / sizeof(how_often[0]); i++) {
        size_t ll = strlen(how_often[i]);

        if (strncmp(q->lower, how_often[i], ll))
            continue;
        for (j = 0; j < sizeof(attend) / sizeof(attend[0]); j++) {
            size_t tl = strlen(attend[j]);

            if (len > ll + tl && !strcmp(q->lower + len - tl, attend[j])) {
                char *who = xstrndup(q->text + ll, len - ll - tl);
                int64_t pid;

                /* only about someone the records know */
                if (store_person_find(q->ctx->st, cmd_trim(who), &pid, NULL) != 0) {
                    free(who);
                    return 0;
                }
                q->arg1 = who;
                q->args = q->arg1;
                q->flag = P_ATTENDANCE;
                return 1;
            }
        }
    }
    /* "who is Jutta Croll?": only for a name the records know. */
    for (i = 0; i < sizeof(who_is) / sizeof(who_is[0]); i++)
        if (cmd_starts(q, who_is[i]) && *q->args) {
            char *who = xstrdup(q->args);
            int64_t pid;
            int known = store_person_find(q->ctx->st, cmd_trim(who), &pid, NULL) == 0;

            free(who);
            if (known) {
                q->flag = P_WHO_IS;
                return 1;
            }
        }
    return 0;
}

/* Meetings named in "both #62 and #66", "#62, #66", "#66". */
static int meeting_list(struct cmd_q *q, const char *args, int64_t *ids, int max)
{
    char *copy = xstrdup(args), *w, *save = NULL;
    int n = 0, rc = 0;

    if (!strncasecmp(copy, "both ", 5))
        memset(copy, ' ', 5);
    for (w = strtok_r(copy, ",&", &save); w && n < max && rc == 0; w = strtok_r(NULL, ",&", &save)) {
        char *part = w, *and;

        do {
            and = strcasestr(part, " and ");
            if (and)
                *and = '\0';
            part = cmd_trim(part);
            if (!strncasecmp(part, "meeting ", 8))
                part += 8;
            if (*part || n == 0) {
                rc = cmd_meeting(q, part, &ids[n]);
                if (rc == 0)
                    n++;
            }
            part = and ? and + 5 : NULL;
        } while (part && n < max && rc == 0);
    }
    if (n == 0 && rc == 0 && (rc = cmd_meeting(q, "", &ids[0])) == 0)
        n = 1;                  /* none named: the latest */
    free(copy);
    return rc == 0 ? n : rc;
}

/* Where "but not", "and not" or ", not" starts in args (the meetings to
 * leave out follow it), and its length; NULL when there is none. */
static const char *but_not(const char *args, size_t *len)
{
    static const char *const seps[] = { " but not at ", " but not ", " and not at ", " and not ",
                                        ", not at ", ", not " };
    size_t i;

    for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
        const char *hit = strcasestr(args, seps[i]);

        if (hit) {
            *len = strlen(seps[i]);
            return hit;
        }
    }
    return NULL;
}

/* 1 when person `pid` is among v[0..n). */
static int listed(const struct store_participant *v, int n, int64_t pid)
{
    int k;

    for (k = 0; k < n && v[k].person_id != pid; k++)
        ;
    return k < n;
}

/* Meetings as "#62, #65 and #66". */
static void meeting_refs(struct cmd_q *q, const int64_t *ids, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        char *ref = cmd_meeting_ref_dup(q->ctx->st, ids[i], 0);

        rt_printf(q, "%s%s", i ? (i == n - 1 ? " and " : ", ") : "", ref);
        free(ref);
    }
}

/* "who attended #66", "both #62 and #66" (everyone at all of them),
 * "#62 but not #66" (at the first ones, at none of the others). */
static int attended_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    struct store_participant *all[8] = { NULL }, *v;
    int cnt[8] = { 0 }, nm, nx = 0, i, j, shown = 0;
    int64_t ids[8];
    char *args = xstrdup(q->args);
    const char *cut;
    size_t cut_len = 0;

    /* "#62 but not #66": the meetings to leave out go after the first
     * four places. */
    if ((cut = but_not(args, &cut_len)) != NULL) {
        args[cut - args] = '\0';
        nx = meeting_list(q, cut + cut_len, ids + 4, 4);
        if (nx <= 0) {
            free(args);
            return nx == -1 ? -1 : 0;
        }
    }
    nm = meeting_list(q, args, ids, 4);
    free(args);
    if (nm <= 0)
        return nm == -1 ? -1 : 0;
    for (i = 0; i < 8; i++)
        if ((i < nm || (i >= 4 && i < 4 + nx)) &&
            store_meeting_participants(st, ids[i], &all[i], &cnt[i]) < 0) {
            for (j = 0; j < 8; j++)
                store_participants_free(all[j], cnt[j]);
            return cmd_store_error(q);
        }
    v = all[0];
    q->results = cJSON_CreateArray();
    if (nm == 1 && !nx) {
        char *ref = cmd_meeting_ref_dup(st, ids[0], 1);

        rt_printf(q, "At %s (%d):", ref, cnt[0]);
        free(ref);
    } else {
        rt_text(q, nm > 1 ? "At all of " : "At ");
        meeting_refs(q, ids, nm);
        if (nx) {
            rt_text(q, nx > 1 ? " but at none of " : " but not at ");
            meeting_refs(q, ids + 4, nx);
        }
        rt_text(q, ":");
    }
    rt_nl(q);
    rt_list_begin(q);
    for (i = 0; i < cnt[0]; i++) {
        int keep = 1;
        cJSON *o;

        for (j = 1; j < nm && keep; j++)
            keep = listed(all[j], cnt[j], v[i].person_id);
        for (j = 4; j < 4 + nx && keep; j++)
            keep = !listed(all[j], cnt[j], v[i].person_id);
        if (!keep)
            continue;
        rt_item(q, " \u2022 ");
        rt_bold(q, v[i].name);
        if (v[i].affiliation)
            rt_printf(q, " (%s)", v[i].affiliation);
        if (v[i].role && nm == 1)
            rt_printf(q, " \u2014 %s", v[i].role);
        if (!v[i].spoke && nm == 1)
            rt_text(q, " [listed, did not speak]");
        rt_item_end(q);
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", v[i].name);
        if (v[i].affiliation)
            cJSON_AddStringToObject(o, "affiliation", v[i].affiliation);
        else
            cJSON_AddNullToObject(o, "affiliation");
        cJSON_AddBoolToObject(o, "spoke", v[i].spoke);
        cJSON_AddItemToArray(q->results, o);
        shown++;
    }
    rt_list_end(q);
    if (!shown) {
        rt_text(q, nx ? "Nobody: everyone recorded there is at the others too." :
                   nm > 1 ? "Nobody is recorded at all of them." : "My records name nobody.");
        rt_nl(q);
    }
    for (i = 0; i < 8; i++)
        store_participants_free(all[i], cnt[i]);
    return 0;
}

static int apologies_run(struct cmd_q *q)
{
    char **v = NULL;
    int64_t mid;
    int n = 0, i, rc;
    char *args = xstrdup(q->args), *spec = cmd_trim(args), *ref;

    if (!strncasecmp(spec, "for ", 4))
        spec += 4;
    if (!strncasecmp(spec, "meeting ", 8))
        spec += 8;
    rc = cmd_meeting(q, spec, &mid);
    if (rc != 0) {
        free(args);
        return rc == -1 ? -1 : 0;
    }
    free(args);
    if (store_meeting_apologies(q->ctx->st, mid, &v, &n) < 0)
        return cmd_store_error(q);
    ref = cmd_meeting_ref_dup(q->ctx->st, mid, 1);
    q->results = cJSON_CreateArray();
    if (n == 0) {
        rt_printf(q, "My records of %s name no apologies.", ref);
    } else {
        rt_printf(q, "Apologies for %s: ", ref);
        for (i = 0; i < n; i++) {
            rt_printf(q, "%s%s", i ? ", " : "", v[i]);
            cJSON_AddItemToArray(q->results, cJSON_CreateString(v[i]));
        }
    }
    rt_nl(q);
    free(ref);
    store_strings_free(v, n);
    return 0;
}

static int attendance_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    struct store_attendance *v = NULL;
    char *args = xstrdup(q->args), *who = cmd_trim(args), *name = NULL, *e;
    int64_t pid;
    int n = 0, i, rc;

    if (!*who) {
        /* "attendance" alone: the latest meeting's. */
        free(args);
        snprintf(q->reply->kind, sizeof(q->reply->kind), "attended");
        return attended_run(q);
    }
    e = who + strlen(who);
    if (e - who > 7 && !strcasecmp(e - 7, " attend"))
        e[-7] = '\0';
    rc = store_person_find(st, who, &pid, &name);
    if (rc == -1) {
        free(args);
        return cmd_store_error(q);
    }
    if (rc != 0) {
        rt_printf(q, "I know nobody called \"%s\" in my records.", who);
        rt_nl(q);
        free(args);
        return 0;
    }
    if (store_person_attendance(st, pid, &v, &n) < 0) {
        free(name);
        free(args);
        return cmd_store_error(q);
    }
    q->results = cJSON_CreateArray();
    rt_bold(q, name);
    rt_printf(q, " attended %d meeting%s:", n, n == 1 ? "" : "s");
    rt_nl(q);
    rt_list_begin(q);
    for (i = 0; i < n; i++) {
        char *ref = cmd_meeting_ref_dup(st, v[i].meeting_id, 1);
        cJSON *o = cJSON_CreateObject();

        rt_item(q, " \u2022 ");
        rt_text(q, ref);
        if (v[i].turns)
            rt_printf(q, " \u2014 spoke %d time%s (%d words)", v[i].turns, v[i].turns == 1 ? "" : "s",
                      v[i].words);
        else
            rt_text(q, " \u2014 listed");
        rt_item_end(q);
        cJSON_AddNumberToObject(o, "meeting_id", (double)v[i].meeting_id);
        cJSON_AddNumberToObject(o, "turns", v[i].turns);
        cJSON_AddNumberToObject(o, "words", v[i].words);
        cJSON_AddItemToArray(q->results, o);
        free(ref);
    }
    rt_list_end(q);
    {
        struct store_action_filter f = { STORE_ACT_OPEN, 0, pid, NULL, 0, NULL, 1 };
        struct store_action *a = NULL;
        int na = 0, total = 0;

        if (store_actions_page(st, &f, &a, &na, &total) == 0 && total > 0) {
            rt_printf(q, "Open actions: %d \u2014 ask: actions for %s", total, name);
            rt_nl(q);
        }
        store_actions_free(a, na);
    }
    free(v);
    free(name);
    free(args);
    return 0;
}

static int iam_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    char *args = xstrdup(q->args), *who = cmd_trim(args), *name = NULL;
    int64_t pid;
    int rc;

    if (!*who) {
        rt_text(q, "Who are you? Say: iam <your name as in the records>");
        rt_nl(q);
        free(args);
        return 0;
    }
    rc = store_person_find(st, who, &pid, &name);
    if (rc == -1) {
        free(args);
        return cmd_store_error(q);
    }
    if (rc != 0) {
        rt_printf(q, "I know nobody called \"%s\" in my records. Use your name as the records "
                     "spell it, e.g. iam Jutta Croll", who);
        rt_nl(q);
        free(args);
        return 0;
    }
    if (store_user_link(st, q->ctx->user, pid, q->ctx->now) < 0) {
        free(name);
        free(args);
        return cmd_store_error(q);
    }
    rt_printf(q, "Noted: you are %s. Ask: my actions", name);
    rt_nl(q);
    free(name);
    free(args);
    return 0;
}

/* People listed in "who attends most?"; the rest are counted. */
#define REGULARS_SHOWN 20

/* "who are the members?", "who attends most?": everyone who attended,
 * the most meetings first. */
static int regulars_run(struct cmd_q *q)
{
    struct store_regular *v = NULL;
    int n = 0, i, total = store_meeting_count(q->ctx->st);

    if (store_people_regulars(q->ctx->st, &v, &n) < 0)
        return cmd_store_error(q);
    if (n == 0) {
        rt_text(q, "My records name nobody yet. Post a transcript or a summary report.");
        rt_nl(q);
        return 0;
    }
    rt_printf(q, "%d people in my records, by the meetings they attended (of %d):", n, total);
    rt_nl(q);
    rt_list_begin(q);
    cmd_results_new(q);
    for (i = 0; i < n && i < REGULARS_SHOWN; i++) {
        rt_item(q, " \u2022 ");
        rt_bold(q, v[i].name ? v[i].name : "");
        rt_printf(q, " \u2014 %d", v[i].meetings);
        rt_item_end(q);
        if (q->results) {
            cJSON *o = cJSON_CreateObject();

            cJSON_AddStringToObject(o, "name", v[i].name ? v[i].name : "");
            cJSON_AddNumberToObject(o, "meetings", v[i].meetings);
            cJSON_AddItemToArray(q->results, o);
        }
    }
    rt_list_end(q);
    if (n > REGULARS_SHOWN) {
        rt_printf(q, "\u2026and %d more", n - REGULARS_SHOWN);
        rt_nl(q);
    }
    rt_printf(q, "Ask me: attendance %s", v[0].name ? v[0].name : "NAME");
    rt_nl(q);
    store_regulars_free(v, n);
    return 0;
}

static int people_run(struct cmd_q *q)
{
    switch (q->flag) {
    case P_ATTENDED:
        snprintf(q->reply->kind, sizeof(q->reply->kind), "attended");
        return attended_run(q);
    case P_APOLOGIES:
        snprintf(q->reply->kind, sizeof(q->reply->kind), "apologies");
        return apologies_run(q);
    case P_REGULARS:
        snprintf(q->reply->kind, sizeof(q->reply->kind), "people");
        return regulars_run(q);
    case P_ATTENDANCE:
    case P_WHO_IS:
        snprintf(q->reply->kind, sizeof(q->reply->kind), "attendance");
        return attendance_run(q);
    default:
        snprintf(q->reply->kind, sizeof(q->reply->kind), "iam");
        return iam_run(q);
    }
}

const struct command cmd_people = {
    .name = "people",
    .usage = "who attended #66 [but not #62] | attendance NAME | who attends most? | iam NAME",
    .help = "who was there, who sent apologies, where someone was; iam links you to your name",
    .match = people_match,
    .run = people_run,
};
