/* commands/cmd_action_change.c -- one action: "A12" (in full, with its
 * changes), "who owns A12?", "is A12 done?", "when is A12 due?", and its
 * lifecycle: "done A12" ("I finished A12 and A14"), "reopen A12",
 * "assign A12 to NAME" ("move A12 to NAME"), "action NAME: text".
 * Changing an action someone else owns needs the room's admin power;
 * every change records who and when. */
#include "commands_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The code at p (n bytes) and any more after it ("A12 and A10", "A1, A2
 * & A3"), as "A12 A10": what one "done" or "reopen" closes or opens. */
static char *more_codes(const char *p, size_t n)
{
    struct buf b;

    buf_init(&b);
    buf_add(&b, p, n);
    for (p += n;;) {
        size_t k;

        while (*p == ' ' || *p == ',' || *p == '&')
            p++;
        if (!strncasecmp(p, "and ", 4))
            p += 4;
        if (!(k = code_len(p)))
            break;
        buf_putc(&b, ' ');
        buf_add(&b, p, k);
        p += k;
    }
    return buf_detach(&b);
}

static int change_match(struct cmd_q *q)
{
    static const struct { const char *word; int what; } verbs[] = {
        { "done", CH_DONE }, { "close", CH_DONE }, { "closed", CH_DONE }, { "complete", CH_DONE },
        { "completed", CH_DONE }, { "finish", CH_DONE }, { "finished", CH_DONE },
        { "mark", CH_DONE }, { "reopen", CH_REOPEN }, { "re-open", CH_REOPEN },
        { "undo", CH_REOPEN }, { "assign", CH_ASSIGN }, { "reassign", CH_ASSIGN },
        { "give", CH_ASSIGN }, { "move", CH_ASSIGN }, { "hand", CH_ASSIGN },
        { "hand over", CH_ASSIGN }, { "transfer", CH_ASSIGN }, { "pass", CH_ASSIGN },
        { "did", CH_DONE }, { "have done", CH_DONE }, { "have finished", CH_DONE },
        { "have completed", CH_DONE }, { "have closed", CH_DONE }, { "'ve done", CH_DONE },
        { "'ve finished", CH_DONE }, { "'ve completed", CH_DONE },
    };
    /* Who says it first: "I finished A8", "we've done A3". */
    static const char *const subjects[] = { "i ", "we ", "i", "we" };
    static const char *const show_lead[] = {
        "", "show ", "show me ", "action ", "what is the status of ", "what's the status of ",
        "what is ", "what's ", "the status of ", "status of ", "details of ",
        "history of ", "who owns ", "who has ", "who is responsible for ",
        "who's responsible for ", "tell me about ", "about ", "when is ", "when's ",
        "who is doing ", "who's doing ", "who is working on ", "who's working on ",
    };
    static const char *const add_lead[] = { "add action for ", "add action ", "new action for ",
                                            "new action ", "action for ", "action ", "todo " };
    const char *l = q->lower;
    size_t i, n, sub = 0;

    for (i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++)
        if (!strncmp(l, subjects[i], strlen(subjects[i])) &&
            (subjects[i][strlen(subjects[i]) - 1] == ' ' || l[strlen(subjects[i])] == '\'')) {
            sub = strlen(subjects[i]);
            break;
        }
    for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        size_t vl = strlen(verbs[i].word);

        if (strncmp(l + sub, verbs[i].word, vl) || l[sub + vl] != ' ')
            continue;
        vl += sub;
        n = code_len(l + vl + 1);
        if (!n)
            continue;
        q->arg1 = more_codes(q->text + vl + 1, n);
        q->flag = verbs[i].what;
        if (verbs[i].what == CH_DONE && !strcmp(verbs[i].word, "mark") &&
            (strstr(l, " open") || strstr(l, " not done")))
            q->flag = CH_REOPEN;
        if (q->flag == CH_ASSIGN) {
            const char *to = strstr(l + vl + 1 + n, " to ");

            q->arg1[n] = '\0';         /* one action at a time */
            if (!to) {
                free(q->arg1);
                q->arg1 = NULL;
                continue;
            }
            q->arg2 = xstrdup(q->text + (to - l) + 4);
        }
        return 1;
    }
    /* "A12", "show A12", "who owns A12?", "status of A12", "when is A12
     * due?", "what is A12 about?": the action. */
    for (i = 0; i < sizeof(show_lead) / sizeof(show_lead[0]); i++) {
        static const char *const tails[] = { "", " about", " due", " for" };
        size_t sl = strlen(show_lead[i]), k;

        if (strncmp(l, show_lead[i], sl) || !(n = code_len(l + sl)))
            continue;
        for (k = 0; k < sizeof(tails) / sizeof(tails[0]); k++)
            if (!strcmp(l + sl + n, tails[k])) {
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

/* The JSON results of this answer, kept across the actions of one
 * "done A12 and A10" (cmd_results_new() would start them over). */
static cJSON *results_of(struct cmd_q *q)
{
    return q->results ? q->results : cmd_results_new(q);
}

/* Show or change the action `code` (q->flag says how). */
static int change_one(struct cmd_q *q, const char *code)
{
    struct store *st = q->ctx->st;
    struct store_action a, after;
    int rc = 0, grc;

    grc = store_action_get(st, code, &a);
    if (grc == -1)
        return cmd_store_error(q);
    if (grc != 0) {
        rt_printf(q, "I have no action %s. See them with: actions", code);
        rt_nl(q);
        snprintf(q->reply->kind, sizeof(q->reply->kind), "not_found");
        return 0;
    }
    if (q->flag == CH_SHOW) {
        show_action(q, &a);
        if (results_of(q))
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
    if (rc == 0 && results_of(q) && store_action_get(st, a.code, &after) == 0) {
        cJSON_AddItemToArray(q->results, export_action_json(st, &after));
        store_action_release(&after);
    }
out:
    store_action_release(&a);
    return rc;
}

static int change_run(struct cmd_q *q)
{
    char *codes, *code, *save = NULL;
    int rc = 0;

    snprintf(q->reply->kind, sizeof(q->reply->kind), "action");
    if (q->flag == CH_ADD)
        return add_run(q);
    /* "done A12 and A10": each in turn, a line each */
    codes = xstrdup(q->arg1);
    for (code = strtok_r(codes, " ", &save); code && rc == 0; code = strtok_r(NULL, " ", &save))
        rc = change_one(q, code);
    free(codes);
    return rc;
}

const struct command cmd_action_change = {
    .name = "action",
    .usage = "A12 | done A12 | reopen A12 | assign A12 to NAME | action NAME: TEXT",
    .help = "one action in full; close, reopen, reassign or add one (owners and admins)",
    .match = change_match,
    .run = change_run,
};
