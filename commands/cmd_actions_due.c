/* commands/cmd_actions_due.c -- open actions by due date: "overdue
 * actions", "what's past due?", "actions due this week / next week". */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DUE_OVERDUE = 1, DUE_WEEK, DUE_NEXT_WEEK };

/* "overdue actions", "what's overdue?", "which actions are due this
 * week?", "due soon": every word one of these, and a due word. */
static int due_match(struct cmd_q *q)
{
    static const char *const words[] = {
        "what", "what's", "whats", "which", "are", "is", "the", "any", "actions", "action",
        "items", "tasks", "todos", "that", "open", "show", "list", "me", "overdue", "late",
        "past", "due", "this", "week", "next", "soon", "there", "anything", "in", "within",
        "days", "7", "seven",
    };
    char *copy = xstrdup(q->lower), *w, *save = NULL;
    int overdue = 0, due = 0, past = 0, week = 0, next = 0, ok = 1;
    size_t i;

    for (w = strtok_r(copy, " ", &save); w && ok; w = strtok_r(NULL, " ", &save)) {
        for (i = 0; i < sizeof(words) / sizeof(words[0]) && strcmp(w, words[i]); i++)
            ;
        ok = i < sizeof(words) / sizeof(words[0]);
        overdue |= !strcmp(w, "overdue") || !strcmp(w, "late");
        due |= !strcmp(w, "due");
        past |= !strcmp(w, "past");
        week |= !strcmp(w, "week") || !strcmp(w, "soon") || !strcmp(w, "days");
        next |= !strcmp(w, "next");
    }
    free(copy);
    overdue |= past && due;             /* "past due" */
    if (!ok || !(overdue || (due && week)))
        return 0;
    q->flag = overdue ? DUE_OVERDUE : next ? DUE_NEXT_WEEK : DUE_WEEK;
    return 1;
}

static int due_run(struct cmd_q *q)
{
    struct store_action *v = NULL;
    char from[16], to[16], d[32];
    int64_t now = q->ctx->now, week = 7 * 86400;
    int n = 0, total = 0, i;

    snprintf(q->reply->kind, sizeof(q->reply->kind), "actions");
    if (q->flag == DUE_OVERDUE) {
        snprintf(from, sizeof(from), "0000-00-00");
        cmd_iso_day(to, sizeof(to), now);
    } else {
        now += q->flag == DUE_NEXT_WEEK ? week : 0;
        cmd_iso_day(from, sizeof(from), now);
        cmd_iso_day(to, sizeof(to), now + week);
    }
    if (store_actions_due(q->ctx->st, from, to, ACTIONS_SHOWN, &v, &n, &total) < 0)
        return cmd_store_error(q);
    cmd_results_new(q);
    if (!total) {
        rt_text(q, q->flag == DUE_OVERDUE ? "No open action is past its due date." :
                   q->flag == DUE_NEXT_WEEK ? "No open action is due in the week after this one." :
                   "No open action is due in the next 7 days.");
        rt_text(q, " (Only actions with a due date count. See them all with: actions)");
        rt_nl(q);
        return 0;
    }
    rt_printf(q, q->flag == DUE_OVERDUE ? "Overdue actions (%d), the longest overdue first:" :
                 q->flag == DUE_NEXT_WEEK ? "Actions due in the week after this one (%d):" :
                 "Actions due in the next 7 days (%d):", total);
    rt_nl(q);
    rt_list_begin(q);
    for (i = 0; i < n; i++) {
        char *ref = cmd_meeting_ref_dup(q->ctx->st, v[i].meeting_id, 0);
        char *s = cmd_short_dup(v[i].text, 140);

        rt_item(q, "  ");
        rt_bold(q, v[i].code);
        rt_text(q, " ");
        cmd_owners(q, &v[i], "(no owner)");
        cmd_date(d, sizeof(d), v[i].due_date, 0);
        rt_printf(q, " \u2014 %s (due %s", s, d);
        if (v[i].meeting_id)
            rt_printf(q, ", %s", ref);
        rt_text(q, ")");
        rt_item_end(q);
        if (q->results)
            cJSON_AddItemToArray(q->results, export_action_json(q->ctx->st, &v[i]));
        free(s);
        free(ref);
    }
    rt_list_end(q);
    if (total > n) {
        rt_printf(q, "\u2026and %d more", total - n);
        rt_nl(q);
    }
    rt_printf(q, "Close one with: !done %s", v[0].code);
    rt_nl(q);
    store_actions_free(v, n);
    return 0;
}

const struct command cmd_actions_due = {
    .name = "due",
    .usage = "overdue actions | actions due this week",
    .help = "open actions past their due date, or due soon",
    .match = due_match,
    .run = due_run,
};
