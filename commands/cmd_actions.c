/* commands/cmd_actions.c -- action items: "open actions for DC",
 * "actions for Polly", "done actions", "my actions", "actions #66", and
 * their lifecycle: "A12" (one in full, with its changes), "done A12",
 * "reopen A12", "assign A12 to NAME", "action NAME: text". Changing an action someone else owns needs the
 * room's admin power; every change records who and when. */
#include "commands_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTIONS_SHOWN 25

/* ---- listing ---------------------------------------------------------- */

static const char *const list_lead[] = {
    "what are the ", "what are my ", "what are ", "which are the ", "which ", "show me the ",
    "show me ", "show the ", "show ", "list the ", "list ", "give me the ", "the ", "any ",
    "are there any ", "are there ", "what ",
};

static int actions_match(struct cmd_q *q)
{
    static const char *const status_words[] = { "open", "pending", "outstanding", "done",
                                                "closed", "completed", "finished", "all", "my" };
    const char *l = q->lower, *p;
    size_t i;
    int again = 1;

    while (again) {
        again = 0;
        for (i = 0; i < sizeof(list_lead) / sizeof(list_lead[0]); i++)
            if (!strncmp(l, list_lead[i], strlen(list_lead[i]))) {
                if (!strcmp(list_lead[i], "what are my "))
                    q->flag = 'm';
                l += strlen(list_lead[i]);
                again = 1;
            }
    }
    /* Status words before the noun: "open", "done", "my open". */
    for (again = 1; again;) {
        again = 0;
        for (i = 0; i < sizeof(status_words) / sizeof(status_words[0]); i++) {
            size_t n = strlen(status_words[i]);

            if (!strncmp(l, status_words[i], n) && l[n] == ' ') {
                if (status_words[i][0] == 'm')
                    q->flag = q->flag ? q->flag : 'm';
                else if (!strcmp(status_words[i], "all"))
                    q->arg2 = q->arg2 ? q->arg2 : xstrdup("all");
                else if (!strcmp(status_words[i], "done") || !strcmp(status_words[i], "closed") ||
                         !strcmp(status_words[i], "completed") || !strcmp(status_words[i], "finished"))
                    q->arg2 = q->arg2 ? q->arg2 : xstrdup("done");
                else
                    q->arg2 = q->arg2 ? q->arg2 : xstrdup("open");
                l += n + 1;
                again = 1;
            }
        }
    }
    /* "Polly's actions", "Polly's open actions": the owner first. */
    if ((p = strstr(l, "'s ")) && p > l && !q->arg1) {
        const char *n = p + 3;

        for (again = 1; again;) {
            again = 0;
            for (i = 0; i < sizeof(status_words) / sizeof(status_words[0]); i++) {
                size_t sl = strlen(status_words[i]);

                if (!strncmp(n, status_words[i], sl) && n[sl] == ' ' && status_words[i][0] != 'm' &&
                    strcmp(status_words[i], "all")) {
                    q->arg2 = q->arg2 ? q->arg2 :
                              xstrdup(status_words[i][0] == 'o' || status_words[i][0] == 'p' ?
                                      "open" : "done");
                    n += sl + 1;
                    again = 1;
                }
            }
        }
        if (!strcmp(n, "actions") || !strcmp(n, "action items") || !strcmp(n, "tasks") ||
            !strcmp(n, "todos")) {
            q->arg1 = xstrndup(q->text + (l - q->lower), (size_t)(p - l));
            q->args = q->text + strlen(q->text);
            return 1;
        }
    }
    if (!strncmp(l, "action items", 12))
        p = l + 12;
    else if (!strncmp(l, "actions", 7))
        p = l + 7;
    else if (!strncmp(l, "action", 6) && (l[6] == '\0'))
        p = l + 6;
    else if (!strncmp(l, "todos", 5))
        p = l + 5;
    else if (!strncmp(l, "tasks", 5))
        p = l + 5;
    else
        goto no;
    if (*p && *p != ' ')
        goto no;
    while (*p == ' ')
        p++;
    q->args = q->text + (p - q->lower);
    return 1;
no:
    free(q->arg2);
    q->arg2 = NULL;
    q->flag = 0;
    return 0;
}

static int is_dcs(const char *w)
{
    static const char *const names[] = { "dc", "dcs", "the dcs", "the dc", "dynamic coalitions",
                                         "dynamic coalition", "the dynamic coalitions", "dccg",
                                         "coalitions", "all dcs" };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcasecmp(w, names[i]))
            return 1;
    return 0;
}

/* v[0..n) of `total` actions */
static void render_actions(struct cmd_q *q, struct store_action *v, int n, int total)
{
    struct store *st = q->ctx->st;
    int64_t last = -1;
    int i, shown = 0;

    for (i = 0; i < n && shown < ACTIONS_SHOWN; i++, shown++) {
        struct store_action *a = &v[i];

        if (a->meeting_id != last) {
            char *ref = cmd_meeting_ref_dup(st, a->meeting_id, 0);
            struct store_meeting m;
            char date[32] = "";

            if (last != -1)
                rt_list_end(q);
            if (a->meeting_id && store_meeting_get(st, a->meeting_id, &m) == 0) {
                cmd_date(date, sizeof(date), m.date, 0);
                store_meeting_release(&m);
            }
            rt_plain(q, " ");
            rt_bold(q, a->meeting_id ? ref : "added in chat");
            if (a->meeting_id)
                rt_printf(q, " \u00b7 %s", date);
            rt_nl(q);
            rt_list_begin(q);
            free(ref);
            last = a->meeting_id;
        }
        rt_item(q, "  ");
        rt_bold(q, a->code);
        rt_text(q, " ");
        cmd_owners(q, a, "(no owner)");
        rt_text(q, " \u2014 ");
        {
            char *s = cmd_short_dup(a->text, 140);

            rt_text(q, s);
            free(s);
        }
        if (a->due_date) {
            char d[32];

            cmd_date(d, sizeof(d), a->due_date, 0);
            rt_printf(q, " (due %s)", d);
        } else if (a->due) {
            char *s = cmd_short_dup(a->due, 60);

            rt_printf(q, " (due: %s)", s);
            free(s);
        }
        if (a->done)
            rt_text(q, " \u2714 done");
        rt_item_end(q);
    }
    if (last != -1)
        rt_list_end(q);
    if (total > shown) {
        rt_printf(q, "\u2026and %d more", total - shown);
        rt_nl(q);
    }
}

static int actions_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    struct store_action_filter f;
    struct store_action *v = NULL;
    char *args = xstrdup(q->args), *spec = NULL, *who, *name = NULL, *p;
    const char *status_word;
    struct buf title;
    int n = 0, total = 0, i, rc = 0;

    memset(&f, 0, sizeof(f));
    buf_init(&title);
    f.status = STORE_ACT_OPEN;
    if (q->arg2 && !strcmp(q->arg2, "done"))
        f.status = STORE_ACT_DONE;
    else if (q->arg2 && !strcmp(q->arg2, "all"))
        f.status = STORE_ACT_ALL;
    status_word = f.status == STORE_ACT_DONE ? "Done" : f.status == STORE_ACT_ALL ? "All" : "Open";

    spec = cmd_split_meeting(args, 0);
    who = q->arg1 ? q->arg1 : cmd_trim(args);
    for (p = who; *p; p++)
        ;
    /* "for X", "of X", "owned by X", "assigned to X", "X" */
    if (!strncasecmp(who, "for ", 4))
        who += 4;
    else if (!strncasecmp(who, "of ", 3))
        who += 3;
    else if (!strncasecmp(who, "owned by ", 9))
        who += 9;
    else if (!strncasecmp(who, "assigned to ", 12))
        who += 12;
    else if (!strncasecmp(who, "by ", 3))
        who += 3;
    who = cmd_trim(who);
    /* "what actions does Polly have", "which actions do the DCs have" */
    if (!strncasecmp(who, "does ", 5) || !strncasecmp(who, "do ", 3)) {
        size_t wl = strlen(who);

        if (wl > 8 && !strcasecmp(who + wl - 5, " have")) {
            who[wl - 5] = '\0';
            who = cmd_trim(who + (who[1] == 'o' && who[2] == ' ' ? 3 : 5));
        }
    }
    if (!strncasecmp(who, "the ", 4) && !is_dcs(who))
        who += 4;
    if (spec) {
        int mrc = cmd_meeting(q, spec, &f.meeting_id);

        if (mrc != 0) {
            rc = mrc == -1 ? -1 : 0;
            goto out;
        }
    }
    if (q->flag == 'm' || !strcasecmp(who, "me") || !strcasecmp(who, "mine")) {
        int urc = store_user_person(st, q->ctx->user, &f.person_id, &name);

        if (urc == -1) {
            rc = cmd_store_error(q);
            goto out;
        }
        if (urc != 0) {
            rt_text(q, "I don't know who you are in the records yet. Say: iam <your name> "
                       "(e.g. iam Jutta Croll)");
            rt_nl(q);
            goto out;
        }
        buf_printf(&title, "%s actions for %s", status_word, name);
    } else if (*who && is_dcs(who)) {
        f.dcs = 1;
        buf_printf(&title, "%s actions for DC", status_word);
    } else if (*who) {
        int prc = store_person_find(st, who, &f.person_id, &name);

        if (prc == -1) {
            rc = cmd_store_error(q);
            goto out;
        }
        if (prc != 0) {
            f.person_id = 0;
            f.owner = who;
        }
        buf_printf(&title, "%s actions for %s", status_word, name ? name : who);
    } else {
        buf_printf(&title, "%s actions", status_word);
    }
    if (f.meeting_id) {
        char *ref = cmd_meeting_ref_dup(st, f.meeting_id, 0);

        buf_printf(&title, " in %s", ref);
        free(ref);
    }
    /* Only the ones shown are read in full (and are the JSON results):
     * a person may own a thousand. */
    f.limit = ACTIONS_SHOWN;
    if (store_actions_page(st, &f, &v, &n, &total) < 0) {
        rc = cmd_store_error(q);
        goto out;
    }
    if (cmd_results_new(q))
        for (i = 0; i < n; i++)
            cJSON_AddItemToArray(q->results, export_action_json(st, &v[i]));
    if (n == 0) {
        rt_printf(q, "No %s.", title.data);
        buf_reset(&title);
        if (f.status == STORE_ACT_OPEN)
            rt_text(q, " See all of them with: actions all");
        rt_nl(q);
        goto out;
    }
    rt_bold(q, title.data);
    rt_printf(q, " (%d) \u2014 newest meeting first", total);
    rt_nl(q);
    render_actions(q, v, n, total);
    if (f.status == STORE_ACT_OPEN)
        rt_printf(q, "Close one with: !done %s", v[0].code);
    else if (f.status == STORE_ACT_DONE)
        rt_printf(q, "Reopen one with: !reopen %s", v[0].code);
    rt_nl(q);
out:
    store_actions_free(v, n);
    buf_release(&title);
    free(name);
    free(spec);
    free(args);
    return rc;
}

const struct command cmd_actions = {
    .name = "actions",
    .usage = "actions [open|done|all] [for NAME|DC|me] [#62]",
    .help = "action items by owner or meeting; \"my actions\" after iam",
    .match = actions_match,
    .run = actions_run,
};

/* ---- due dates -------------------------------------------------------- */

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

/* ---- lifecycle -------------------------------------------------------- */

enum { CH_DONE = 1, CH_REOPEN, CH_ASSIGN, CH_ADD, CH_SHOW };

/* An action code at p ("A12", "a12"): its length, else 0. */
static size_t code_len(const char *p)
{
    size_t n = 1;

    if (*p != 'a' && *p != 'A')
        return 0;
    while (isdigit((unsigned char)p[n]))
        n++;
    return n > 1 && (p[n] == '\0' || p[n] == ' ' || p[n] == ',' || p[n] == ':') ? n : 0;
}

static int change_match(struct cmd_q *q)
{
    static const struct { const char *word; int what; } verbs[] = {
        { "done", CH_DONE }, { "close", CH_DONE }, { "closed", CH_DONE }, { "complete", CH_DONE },
        { "completed", CH_DONE }, { "finish", CH_DONE }, { "finished", CH_DONE },
        { "mark", CH_DONE }, { "reopen", CH_REOPEN }, { "re-open", CH_REOPEN },
        { "undo", CH_REOPEN }, { "assign", CH_ASSIGN }, { "reassign", CH_ASSIGN },
        { "give", CH_ASSIGN },
    };
    static const char *const show_lead[] = {
        "", "show ", "show me ", "action ", "what is ", "what's ", "status of ", "details of ",
        "history of ", "who owns ", "who has ", "who is responsible for ",
        "who's responsible for ", "tell me about ", "about ",
    };
    static const char *const add_lead[] = { "add action for ", "add action ", "new action for ",
                                            "new action ", "action for ", "action ", "todo " };
    const char *l = q->lower;
    size_t i, n;

    for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        size_t vl = strlen(verbs[i].word);

        if (strncmp(l, verbs[i].word, vl) || l[vl] != ' ')
            continue;
        n = code_len(l + vl + 1);
        if (!n)
            continue;
        q->arg1 = xstrndup(q->text + vl + 1, n);
        q->flag = verbs[i].what;
        if (verbs[i].what == CH_DONE && !strcmp(verbs[i].word, "mark") &&
            (strstr(l, " open") || strstr(l, " not done")))
            q->flag = CH_REOPEN;
        if (q->flag == CH_ASSIGN) {
            const char *to = strstr(l + vl + 1 + n, " to ");

            if (!to) {
                free(q->arg1);
                q->arg1 = NULL;
                continue;
            }
            q->arg2 = xstrdup(q->text + (to - l) + 4);
        }
        return 1;
    }
    /* "A12", "show A12", "who owns A12?", "status of A12": the action. */
    for (i = 0; i < sizeof(show_lead) / sizeof(show_lead[0]); i++) {
        size_t sl = strlen(show_lead[i]);

        if (!strncmp(l, show_lead[i], sl) && (n = code_len(l + sl)) && !l[sl + n]) {
            q->arg1 = xstrndup(q->text + sl, n);
            q->flag = CH_SHOW;
            return 1;
        }
    }
    /* "is A12 done?", "has A12 been done?": the action, with its state. */
    if ((!strncmp(l, "is ", 3) || !strncmp(l, "has ", 4)) && (n = code_len(l + 3 + (l[0] == 'h')))) {
        const char *rest = l + 3 + (l[0] == 'h') + n;
        static const char *const states[] = {
            " done", " open", " closed", " finished", " complete", " completed", " still open",
            " been done", " been closed", " been completed", " been finished",
        };

        for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
            if (!strcmp(rest, states[i])) {
                q->arg1 = xstrndup(q->text + 3 + (l[0] == 'h'), n);
                q->flag = CH_SHOW;
                return 1;
            }
    }
    /* "A12 done", "A12 is done", "A12 reopened" */
    if ((n = code_len(l))) {
        const char *rest = l + n;

        while (*rest == ' ')
            rest++;
        if (!strncmp(rest, "is ", 3))
            rest += 3;
        if (!strcmp(rest, "done") || !strcmp(rest, "closed") || !strcmp(rest, "completed") ||
            !strcmp(rest, "finished")) {
            q->arg1 = xstrndup(q->text, n);
            q->flag = CH_DONE;
            return 1;
        }
        if (!strcmp(rest, "open") || !strcmp(rest, "reopened") || !strcmp(rest, "not done")) {
            q->arg1 = xstrndup(q->text, n);
            q->flag = CH_REOPEN;
            return 1;
        }
    }
    /* "action Sorina: send the poll" */
    for (i = 0; i < sizeof(add_lead) / sizeof(add_lead[0]); i++) {
        size_t al = strlen(add_lead[i]);
        const char *colon;

        if (strncmp(l, add_lead[i], al))
            continue;
        colon = strchr(l + al, ':');
        if (!colon || colon == l + al)
            return 0;
        q->arg1 = xstrndup(q->text + al, (size_t)(colon - (l + al)));
        q->arg2 = xstrdup(q->text + (colon - l) + 1);
        q->flag = CH_ADD;
        return 1;
    }
    return 0;
}

static void action_line(struct cmd_q *q, const struct store_action *a)
{
    char *ref = cmd_meeting_ref_dup(q->ctx->st, a->meeting_id, 0);
    char *s = cmd_short_dup(a->text, 120);

    cmd_owners(q, a, "no owner");
    rt_printf(q, " \u2014 %s", s);
    if (a->meeting_id)
        rt_printf(q, ", %s", ref);
    free(s);
    free(ref);
}

/* 0 when the asker may change action a; else writes the refusal. */
static int may_change(struct cmd_q *q, const struct store_action *a)
{
    int64_t pid = 0;

    if (q->ctx->is_admin)
        return 0;
    if (store_user_person(q->ctx->st, q->ctx->user, &pid, NULL) == 0 &&
        store_action_owned_by(q->ctx->st, a->code, pid))
        return 0;
    rt_printf(q, "Only an owner of %s (", a->code);
    cmd_owners(q, a, "nobody");
    rt_text(q, ") or a room admin can change it. If that is you, first say: iam <your name>");
    rt_nl(q);
    snprintf(q->reply->kind, sizeof(q->reply->kind), "refused");
    return -1;
}

static int add_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    char *owner = cmd_trim(q->arg1), *text = cmd_trim(q->arg2), *name = NULL, code[16];
    const char *owners[1];
    struct store_action a;
    int64_t pid;
    int rc;

    if (!*owner || !*text) {
        rt_text(q, "Say who and what, e.g.: action Sorina Teleanu: send the poll");
        rt_nl(q);
        return 0;
    }
    if (!strcasecmp(owner, "me") && store_user_person(st, q->ctx->user, &pid, &name) != 0) {
        rt_text(q, "I don't know who you are yet. Say: iam <your name>");
        rt_nl(q);
        return 0;
    }
    if (!name && store_person_find(st, owner, &pid, &name) != 0)
        name = NULL;
    owners[0] = name ? name : owner;
    rc = store_action_add(st, 0, owners, 1, text, q->ctx->user, q->ctx->now, code);
    free(name);
    if (rc < 0)
        return cmd_store_error(q);
    if (store_action_get(st, code, &a) != 0)
        return cmd_store_error(q);
    rt_text(q, "Added ");
    rt_bold(q, a.code);
    rt_text(q, ": ");
    action_line(q, &a);
    rt_printf(q, ". Close it with: !done %s", a.code);
    rt_nl(q);
    if (cmd_results_new(q))
        cJSON_AddItemToArray(q->results, export_action_json(st, &a));
    store_action_release(&a);
    return 0;
}

/* "A12": the action in full, with who changed it and when. */
static void show_action(struct cmd_q *q, const struct store_action *a)
{
    struct store *st = q->ctx->st;
    struct store_history *h = NULL;
    char *s, day[32];
    int nh = 0, k;

    rt_bold(q, a->code);
    s = cmd_short_dup(a->text, 300);
    rt_printf(q, " \u2014 %s", s);
    free(s);
    rt_nl(q);
    rt_text(q, a->n_owners > 1 ? "Owners: " : "Owner: ");
    cmd_owners(q, a, "nobody");
    rt_printf(q, " \u00b7 %s", a->done ? "done" : "open");
    if (a->due_date) {
        cmd_date(day, sizeof(day), a->due_date, 0);
        rt_printf(q, " \u00b7 due %s", day);
    } else if (a->due) {
        s = cmd_short_dup(a->due, 60);
        rt_printf(q, " \u00b7 due: %s", s);
        free(s);
    }
    if (a->meeting_id) {
        char *ref = cmd_meeting_ref_dup(st, a->meeting_id, 1);

        rt_printf(q, " \u00b7 from %s", ref);
        free(ref);
    } else {
        rt_text(q, " \u00b7 added in chat");
    }
    rt_nl(q);
    if (a->quote && *a->quote) {
        s = cmd_short_dup(a->quote, 240);
        rt_text(q, a->speaker ? "" : "In the record: ");
        if (a->speaker)
            rt_printf(q, "%s: ", a->speaker);
        rt_quote(q, s, 0, 0);
        rt_nl(q);
        free(s);
    }
    if (store_action_history(st, a->code, &h, &nh) == 0 && nh > 0) {
        rt_text(q, "Changes:");
        rt_nl(q);
        rt_list_begin(q);
        for (k = 0; k < nh; k++) {
            cmd_day(day, sizeof(day), h[k].at);
            rt_item(q, "  \u2022 ");
            rt_printf(q, "%s %s", day, h[k].what ? h[k].what : "changed");
            if (h[k].detail && *h[k].detail)
                rt_printf(q, " (%s)", h[k].detail);
            if (h[k].by && *h[k].by)
                rt_printf(q, " by %s", h[k].by);
            rt_item_end(q);
        }
        rt_list_end(q);
    }
    store_history_free(h, nh);
    rt_printf(q, a->done ? "Reopen it with: !reopen %s" : "Close it with: !done %s \u00b7 "
                           "or: !assign %s to NAME", a->code, a->code);
    rt_nl(q);
}

static int change_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    struct store_action a, after;
    int rc = 0, grc;

    snprintf(q->reply->kind, sizeof(q->reply->kind), "action");
    if (q->flag == CH_ADD)
        return add_run(q);
    grc = store_action_get(st, q->arg1, &a);
    if (grc == -1)
        return cmd_store_error(q);
    if (grc != 0) {
        rt_printf(q, "I have no action %s. See them with: actions", q->arg1);
        rt_nl(q);
        snprintf(q->reply->kind, sizeof(q->reply->kind), "not_found");
        return 0;
    }
    if (q->flag == CH_SHOW) {
        show_action(q, &a);
        if (cmd_results_new(q))
            cJSON_AddItemToArray(q->results, export_action_json(st, &a));
        goto out;
    }
    if (may_change(q, &a) < 0)
        goto out;
    if (q->flag == CH_DONE || q->flag == CH_REOPEN) {
        int done = q->flag == CH_DONE;

        if (a.done == done) {
            rt_printf(q, "%s is already %s.", a.code, done ? "done" : "open");
            rt_nl(q);
            goto out;
        }
        if (store_action_set_done(st, a.code, done, q->ctx->user, q->ctx->now) < 0) {
            rc = cmd_store_error(q);
            goto out;
        }
        rt_bold(q, a.code);
        rt_text(q, done ? " done (was: " : " reopened (");
        action_line(q, &a);
        rt_printf(q, ").%s%s", done ? " Undo: !reopen " : "", done ? a.code : "");
        rt_nl(q);
    } else {
        char *who = cmd_trim(q->arg2), *name = NULL, *list[8], *save = NULL, *w;
        char *copy = xstrdup(who);
        int n = 0, k;

        /* "to Jutta Croll and Polly", "to Mark, Polly" */
        for (w = strtok_r(copy, ",&", &save); w && n < 8; w = strtok_r(NULL, ",&", &save)) {
            char *and = strcasestr(w, " and ");

            if (and && n < 7) {
                *and = '\0';
                list[n++] = cmd_trim(w);
                w = and + 5;
            }
            w = cmd_trim(w);
            if (*w)
                list[n++] = w;
        }
        for (k = 0; k < n; k++) {
            int64_t pid;

            if (store_person_find(st, list[k], &pid, &name) == 0) {
                list[k] = name;          /* canonical; freed below */
                name = NULL;
            } else {
                list[k] = xstrdup(list[k]);
            }
        }
        if (!n) {
            rt_text(q, "Assign to whom? e.g.: assign A12 to Jutta Croll");
            rt_nl(q);
        } else if (store_action_assign(st, a.code, (const char *const *)list, n, q->ctx->user,
                                       q->ctx->now) < 0) {
            rc = cmd_store_error(q);
        } else {
            rt_bold(q, a.code);
            rt_text(q, " now with ");
            for (k = 0; k < n; k++)
                rt_printf(q, "%s%s", k ? ", " : "", list[k]);
            rt_text(q, " (was: ");
            action_line(q, &a);
            rt_text(q, ")");
            rt_nl(q);
        }
        for (k = 0; k < n; k++)
            free(list[k]);
        free(copy);
    }
    /* The action as it is now, for ask --json. */
    if (rc == 0 && cmd_results_new(q) && store_action_get(st, a.code, &after) == 0) {
        cJSON_AddItemToArray(q->results, export_action_json(st, &after));
        store_action_release(&after);
    }
out:
    store_action_release(&a);
    return rc;
}

const struct command cmd_action_change = {
    .name = "action",
    .usage = "A12 | done A12 | reopen A12 | assign A12 to NAME | action NAME: TEXT",
    .help = "one action in full; close, reopen, reassign or add one (owners and admins)",
    .match = change_match,
    .run = change_run,
};
