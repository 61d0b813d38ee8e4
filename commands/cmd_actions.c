/* commands/cmd_actions.c -- listing action items: "open actions for DC",
 * "actions for Polly", "Polly's actions", "done actions", "my actions",
 * "actions #66", "actions about the survey", "who is responsible for the
 * survey?", "what are the next steps?"; counting them by owner: "who has
 * the most open actions?", "how many open actions are there?". One
 * action in full and its lifecycle are in cmd_action_change.c; due dates
 * in cmd_actions_due.c. */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const list_lead[] = {
    "what are the ", "what are my ", "what are ", "which are the ", "which ", "show me the ",
    "show me ", "show the ", "show ", "list the ", "list ", "give me the ", "the ", "any ",
    "are there any ", "are there ", "what ",
};

/* "what are the next steps (from #62)?": a meeting's actions, open or
 * done, the latest meeting's when none is named. */
static int steps_match(struct cmd_q *q)
{
    static const char *const steps[] = { "what are the next steps", "what were the next steps",
                                         "what are our next steps", "what are next steps",
                                         "the next steps", "next steps", "what's next",
                                         "what is next", "whats next", "what comes next",
                                         "what happens next" };

    static const char *const took[] = { "who volunteered", "who offered to help",
                                        "who took on what", "who signed up" };
    static const char *const at[] = { "at ", "in ", "during ", "from ", "#", "last ", "this " };
    size_t i, k;

    for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (cmd_starts(q, steps[i])) {
            q->flag = 's';
            q->arg2 = xstrdup("all");
            return 1;
        }
    /* "who volunteered (at #66)?": what people took on there, the next
     * steps; "who volunteered to X" is asked of actions on X. */
    for (i = 0; i < sizeof(took) / sizeof(took[0]); i++) {
        if (!cmd_starts(q, took[i]))
            continue;
        for (k = 0; *q->args && k < sizeof(at) / sizeof(at[0]); k++)
            if (!strncasecmp(q->args, at[k], strlen(at[k])))
                break;
        if (*q->args && k == sizeof(at) / sizeof(at[0]))
            return 0;
        q->flag = 's';
        q->arg2 = xstrdup("all");
        return 1;
    }
    return 0;
}

/* "what do I need to do?": the asker's open actions. */
static int mine_match(struct cmd_q *q)
{
    static const char *const mine[] = {
        "what do i need to do", "what do i have to do", "what should i do", "what must i do",
        "what am i supposed to do", "what am i working on", "what's on my plate",
        "what is on my plate", "my tasks", "my todos", "my to-dos", "my to do list",
    };
    size_t i;

    for (i = 0; i < sizeof(mine) / sizeof(mine[0]); i++)
        if (!strcmp(q->lower, mine[i])) {
            q->flag = 'm';
            q->arg2 = xstrdup("open");
            q->args = q->text + strlen(q->text);
            return 1;
        }
    return 0;
}

/* "what is Jutta working on?", "what's the Secretariat doing?": the
 * person's open actions. */
static int doing_match(struct cmd_q *q)
{
    static const char *const leads[] = { "what is ", "what's ", "what are ", "what has ",
                                         "what have " };
    static const char *const tails[] = { " working on", " doing", " up to", " supposed to do",
                                         " responsible for", " in charge of", " tasked with",
                                         " got to do", " to do", " agreed to do" };
    const char *l = q->lower;
    size_t len = strlen(l), i, j;

    for (i = 0; i < sizeof(leads) / sizeof(leads[0]); i++) {
        size_t ll = strlen(leads[i]);

        if (strncmp(l, leads[i], ll))
            continue;
        for (j = 0; j < sizeof(tails) / sizeof(tails[0]); j++) {
            size_t tl = strlen(tails[j]);

            if (len > ll + tl && !strcmp(l + len - tl, tails[j])) {
                q->arg1 = xstrndup(q->text + ll, len - ll - tl);
                q->arg2 = xstrdup("open");
                q->args = q->text + len;
                return 1;
            }
        }
    }
    return 0;
}

/* "what's pending for Mark?", "anything outstanding on the survey?",
 * "what's left to do?": open actions, for whom or on what follows. */
static int pending_match(struct cmd_q *q)
{
    static const char *const leads[] = {
        "what's still pending", "what is still pending", "what's pending", "what is pending",
        "what's still outstanding", "what is still outstanding", "what's outstanding",
        "what is outstanding", "what's still open", "what is still open", "is anything pending",
        "is anything outstanding", "anything pending", "anything outstanding",
        "what's left to do", "what is left to do", "what's left", "what is left",
    };
    size_t i;

    for (i = 0; i < sizeof(leads) / sizeof(leads[0]); i++)
        if (cmd_starts(q, leads[i])) {
            const char *l = q->lower + (q->args - q->text);

            if (!strncmp(l, "to do", 5) && (!l[5] || l[5] == ' '))
                for (q->args += 5; *q->args == ' '; q->args++)
                    ;
            q->arg2 = xstrdup("open");
            return 1;
        }
    return 0;
}

static int actions_match(struct cmd_q *q)
{
    static const char *const status_words[] = { "open", "pending", "outstanding", "done",
                                                "closed", "completed", "finished", "all", "my" };
    static const char *const owner_of[] = {
        "who is responsible for ", "who's responsible for ", "who is in charge of ",
        "who's in charge of ", "who is working on ", "who's working on ", "who is doing ",
        "who's doing ", "who is going to ", "who's going to ", "who will ", "who was asked to ",
        "who volunteered to ", "who volunteered for ", "who offered to ", "who signed up to ",
        "who signed up for ", "who took on ",
    };
    static const char *const tally_whole[] = {
        "who is doing what", "who's doing what", "who does what", "who is working on what",
        "who owns what", "who has what", "who has which actions",
    };
    static const char *const tally_lead[] = {
        "who has the most ", "who has most ", "who owns the most ", "who owns most ",
        "who has ", "who owns ", "who still has ",
    };
    static const char *const count_lead[] = { "how many ", "number of ", "the number of ",
                                              "count of ", "count " };
    const char *l = q->lower, *p;
    size_t i;
    int again = 1;

    if (steps_match(q) || pending_match(q) || mine_match(q) || doing_match(q))
        return 1;
    /* "who is doing what?", "who has the most open actions?": a count by
     * owner. "how many open actions are there?": the same, unless an
     * owner or topic follows. */
    for (i = 0; i < sizeof(tally_whole) / sizeof(tally_whole[0]); i++)
        if (!strcmp(l, tally_whole[i])) {
            q->flag = 'c';
            q->args = q->text + strlen(q->text);
            return 1;
        }
    for (i = 0; i < sizeof(tally_lead) / sizeof(tally_lead[0]); i++)
        if (!strncmp(l, tally_lead[i], strlen(tally_lead[i]))) {
            q->flag = 'c';
            l += strlen(tally_lead[i]);
            break;
        }
    for (i = 0; !q->flag && i < sizeof(count_lead) / sizeof(count_lead[0]); i++)
        if (!strncmp(l, count_lead[i], strlen(count_lead[i]))) {
            q->flag = 'n';
            l += strlen(count_lead[i]);
            break;
        }

    /* "who is responsible for the questionnaire?": actions on a topic,
     * open or done, with their owners. */
    for (i = 0; i < sizeof(owner_of) / sizeof(owner_of[0]); i++)
        if (!strncmp(l, owner_of[i], strlen(owner_of[i])) && l[strlen(owner_of[i])]) {
            q->flag = 't';
            q->arg2 = xstrdup("all");
            q->args = q->text + strlen(owner_of[i]);
            return 1;
        }
    while (again && !q->flag) {
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

/* On a topic, the actions read (from the newest meeting) to choose from:
 * those that carry every word of it, when any do. */
#define TOPIC_READ 200

/* Keep, in order, the actions of v[0..n) whose text or quote carries
 * every word of `topic`, when any does ("the footbridge repair" is not
 * any repair or any footbridge); else all of them. The new count. */
static int keep_covering(struct store *st, const char *topic, struct store_action *v, int n)
{
    struct store_topic *t = store_topic_new(st, topic);
    char *covers = xcalloc((size_t)n + 1, 1);
    int i, k = 0, kept = 0;

    for (i = 0; t && i < n; i++)
        kept += covers[i] = (char)(store_topic_covers(t, v[i].text) ||
                                   store_topic_covers(t, v[i].quote));
    if (kept && kept < n)
        for (i = 0; i < n; i++) {
            if (covers[i])
                v[k++] = v[i];
            else
                store_action_release(&v[i]);
        }
    free(covers);
    store_topic_free(t);
    return kept ? kept : n;
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

/* Owners listed in a count by owner, and each one's newest codes. */
#define TALLY_OWNERS 15
#define TALLY_CODES 3

/* "who has the most open actions?": how many actions of f's status (in
 * f's meeting, or all) each owner has, the most first, with their newest
 * codes. */
static int tally_run(struct cmd_q *q, const struct store_action_filter *f)
{
    struct store *st = q->ctx->st;
    struct store_owner_count *v = NULL;
    const char *word = f->status == STORE_ACT_DONE ? "done" : f->status == STORE_ACT_ALL ? "" : "open";
    char *ref = f->meeting_id ? cmd_meeting_ref_dup(st, f->meeting_id, 0) : NULL;
    struct buf head;
    int n = 0, total = 0, i, rc = 0;

    buf_init(&head);
    if (store_actions_by_owner(st, f->status, f->meeting_id, &v, &n, &total) < 0) {
        rc = cmd_store_error(q);
        goto out;
    }
    if (total == 0) {
        rt_printf(q, "No %s%sactions%s%s.", word, *word ? " " : "", ref ? " in " : "", ref ? ref : "");
        if (f->status == STORE_ACT_OPEN)
            rt_text(q, " See all of them with: actions all");
        rt_nl(q);
        goto out;
    }
    buf_printf(&head, "%d %s%saction%s%s%s", total, word, *word ? " " : "", total == 1 ? "" : "s",
               ref ? " in " : "", ref ? ref : "");
    rt_bold(q, head.data);
    rt_text(q, " \u2014 by owner, the most first:");
    rt_nl(q);
    rt_list_begin(q);
    cmd_results_new(q);
    for (i = 0; i < n && i < TALLY_OWNERS; i++) {
        cJSON *o = q->results ? cJSON_CreateObject() : NULL;

        rt_item(q, " \u2022 ");
        rt_bold(q, v[i].name ? v[i].name : "(no owner)");
        rt_printf(q, ": %d", v[i].count);
        if (o) {
            if (v[i].name)
                cJSON_AddStringToObject(o, "owner", v[i].name);
            else
                cJSON_AddNullToObject(o, "owner");
            cJSON_AddNumberToObject(o, "actions", v[i].count);
            cJSON_AddItemToArray(q->results, o);
        }
        if (v[i].person_id) {
            struct store_action_filter pf = *f;
            struct store_action *a = NULL;
            int na = 0, nt = 0, k;

            pf.person_id = v[i].person_id;
            pf.limit = TALLY_CODES;
            if (store_actions_page(st, &pf, &a, &na, &nt) == 0 && na > 0) {
                rt_text(q, " (");
                for (k = 0; k < na; k++)
                    rt_printf(q, "%s%s", k ? ", " : "", a[k].code);
                rt_text(q, nt > na ? ", \u2026)" : ")");
            }
            store_actions_free(a, na);
        }
        rt_item_end(q);
    }
    rt_list_end(q);
    if (n > TALLY_OWNERS) {
        rt_printf(q, "\u2026and %d more owners", n - TALLY_OWNERS);
        rt_nl(q);
    }
    if (v[0].name) {
        rt_printf(q, "One owner's in full: %s%sactions for %s", word, *word ? " " : "", v[0].name);
        rt_nl(q);
    }
out:
    store_owner_counts_free(v, n);
    buf_release(&head);
    free(ref);
    return rc;
}

static int actions_run(struct cmd_q *q)
{
    struct store *st = q->ctx->st;
    struct store_action_filter f;
    struct store_action *v = NULL;
    char *args = xstrdup(q->args), *spec = NULL, *who, *name = NULL;
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
    if (q->flag == 's') {
        /* next steps: of the meeting named, on a topic ("next steps for
         * the footbridge", every meeting), else the latest meeting's */
        static const char *const on[] = { "for ", "on ", "about ", "regarding ", "concerning " };

        for (i = 0; i < (int)(sizeof(on) / sizeof(on[0])); i++)
            if (!strncasecmp(who, on[i], strlen(on[i]))) {
                who += strlen(on[i]);
                break;
            }
        if (!spec && *who)
            q->flag = 't';
        else if (!spec)
            spec = xstrdup("latest");
    }
    /* "which actions are still open from #62": the status, not an owner */
    {
        static const struct { const char *words; int status; } states[] = {
            { "are still open", STORE_ACT_OPEN }, { "are open", STORE_ACT_OPEN },
            { "still open", STORE_ACT_OPEN }, { "are outstanding", STORE_ACT_OPEN },
            { "are pending", STORE_ACT_OPEN }, { "are done", STORE_ACT_DONE },
            { "were done", STORE_ACT_DONE }, { "are closed", STORE_ACT_DONE },
            { "were closed", STORE_ACT_DONE }, { "are finished", STORE_ACT_DONE },
        };

        for (i = 0; i < (int)(sizeof(states) / sizeof(states[0])); i++) {
            size_t sl = strlen(states[i].words);

            if (!q->arg1 && !strncasecmp(who, states[i].words, sl) &&
                (!who[sl] || who[sl] == ' ')) {
                f.status = states[i].status;
                status_word = f.status == STORE_ACT_DONE ? "Done" : "Open";
                who = cmd_trim(who + sl);
                break;
            }
        }
    }
    /* "actions about the questionnaire", "actions on the booth" */
    if (q->flag != 't' && !q->arg1) {
        static const char *const about[] = { "about ", "on ", "regarding ", "concerning " };

        for (i = 0; i < (int)(sizeof(about) / sizeof(about[0])); i++)
            if (!strncasecmp(who, about[i], strlen(about[i]))) {
                q->flag = 't';
                who += strlen(about[i]);
                break;
            }
    }
    if (q->flag == 't') {
        char *topic = cmd_trim(who);

        f.topic = topic;
        who = topic + strlen(topic);
    }
    /* "how many open actions are there", "open actions by owner" */
    if (!f.topic) {
        static const char *const filler[] = {
            "are there still", "are there", "are left", "do we have", "have we got", "have we",
            "in total", "altogether", "remain",
            "by owner", "by person", "per owner", "per person", "for each person", "for everyone",
            "per head", "by people",
        };
        size_t k;

        for (k = 0; k < sizeof(filler) / sizeof(filler[0]); k++)
            if (!strcasecmp(who, filler[k])) {
                if (k >= 9)
                    q->flag = 'c';
                who += strlen(who);
                break;
            }
    }
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
    if (q->flag == 'c' || (q->flag == 'n' && !*who && !f.topic)) {
        rc = tally_run(q, &f);
        goto out;
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
    } else if (f.topic && *f.topic) {
        if (f.status == STORE_ACT_ALL)
            buf_printf(&title, "Actions about \"%s\"", f.topic);
        else
            buf_printf(&title, "%s actions about \"%s\"", status_word, f.topic);
    } else if (q->flag == 's') {
        buf_puts(&title, "Next steps");
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
    f.limit = f.topic && *f.topic ? TOPIC_READ : ACTIONS_SHOWN;
    if (store_actions_page(st, &f, &v, &n, &total) < 0) {
        rc = cmd_store_error(q);
        goto out;
    }
    if (f.topic && *f.topic) {
        total = n = keep_covering(st, f.topic, v, n);
        for (; n > ACTIONS_SHOWN; n--)
            store_action_release(&v[n - 1]);
    }
    if (cmd_results_new(q))
        for (i = 0; i < n; i++)
            cJSON_AddItemToArray(q->results, export_action_json(st, &v[i]));
    if (n == 0) {
        /* "No open actions for Lee", "No actions about the booth" */
        if (!strncmp(title.data, "All ", 4))
            rt_printf(q, "No %s.", title.data + 4);
        else
            rt_printf(q, "No %c%s.", title.data[0] - 'A' + 'a', title.data + 1);
        buf_reset(&title);
        if (f.topic && *f.topic)
            rt_printf(q, " Try: search %s", f.topic);
        else if (f.status == STORE_ACT_OPEN)
            rt_text(q, " See all of them with: actions all");
        rt_nl(q);
        goto out;
    }
    rt_bold(q, title.data);
    rt_printf(q, " (%d) \u2014 newest meeting first", total);
    rt_nl(q);
    render_actions(q, v, n, total);
    if (f.status == STORE_ACT_OPEN) {
        rt_printf(q, "Close one with: !done %s", v[0].code);
        rt_nl(q);
    } else if (f.status == STORE_ACT_DONE) {
        rt_printf(q, "Reopen one with: !reopen %s", v[0].code);
        rt_nl(q);
    }
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
    .usage = "actions [open|done|all] [for NAME|DC|me|about TOPIC] [#62]",
    .help = "action items by owner, meeting or topic; \"my actions\" after iam; "
            "\"who is responsible for X?\"; \"who has the most open actions?\"",
    .match = actions_match,
    .run = actions_run,
};
