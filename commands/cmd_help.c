/* commands/cmd_help.c -- "help" and "help TOPIC": the command language in
 * a few lines, from the command table itself. Also a short answer to
 * "hello" and "thanks". */
#include "commands_int.h"

#include <stdio.h>
#include <string.h>

static int help_match(struct cmd_q *q)
{
    return cmd_starts(q, "help") || cmd_starts(q, "commands") || !strcmp(q->lower, "?") ||
           !strcmp(q->lower, "") || cmd_starts(q, "what can you do") || cmd_starts(q, "usage");
}

static int help_run(struct cmd_q *q)
{
    const struct command *const *c;
    const char *topic = q->args;
    int shown = 0;

    if (*topic && strcmp(q->lower, "what can you do")) {
        for (c = commands_table; *c; c++) {
            if (!(*c)->usage ||
                (!strcasestr((*c)->name, topic) && !strcasestr((*c)->usage, topic)))
                continue;
            rt_bold(q, (*c)->usage);
            rt_text(q, " \u2014 ");
            rt_text(q, (*c)->help);
            rt_nl(q);
            shown++;
        }
        if (shown)
            return 0;
        rt_printf(q, "No command called \"%s\". ", topic);
    }
    rt_text(q, "I keep this group's meeting records and answer questions about them. Ask me:");
    rt_nl(q);
    rt_list_begin(q);
    for (c = commands_table; *c; c++) {
        if (!(*c)->usage)
            continue;           /* not a command to list ("thanks") */
        rt_item(q, " \u2022 ");
        rt_bold(q, (*c)->usage);
        rt_text(q, " \u2014 ");
        rt_text(q, (*c)->help);
        rt_item_end(q);
    }
    rt_list_end(q);
    rt_text(q, "Post a transcript or summary report (text or file) and I read it and reply with a "
               "recap; actions it reports done (\"I sent the survey\") I close.");
    rt_nl(q);
    return 0;
}

const struct command cmd_help = {
    .name = "help",
    .usage = "help [COMMAND]",
    .help = "this list",
    .match = help_match,
    .run = help_run,
};

/* ---- greetings --------------------------------------------------------- */

static int greet_match(struct cmd_q *q)
{
    static const char *const hello[] = { "hello", "hello there", "good morning",
                                         "good afternoon", "good evening", "hiya", "howdy" };
    static const char *const thanks[] = { "thanks", "thank you", "thx", "ty", "cheers",
                                          "many thanks", "thanks a lot", "thank you very much",
                                          "great, thanks", "great thanks", "perfect, thanks" };
    char l[48];
    size_t i, n = strlen(q->lower);

    if (n >= sizeof(l))
        return 0;
    memcpy(l, q->lower, n + 1);
    while (n && (l[n - 1] == '!' || l[n - 1] == '.' || l[n - 1] == ' '))
        l[--n] = '\0';
    if (n > 7 && !strcmp(l + n - 7, " scribe"))
        l[n -= 7] = '\0';
    while (n && (l[n - 1] == ',' || l[n - 1] == ' '))
        l[--n] = '\0';
    for (i = 0; i < sizeof(hello) / sizeof(hello[0]); i++)
        if (!strcmp(l, hello[i]))
            return (q->flag = 'h');
    for (i = 0; i < sizeof(thanks) / sizeof(thanks[0]); i++)
        if (!strcmp(l, thanks[i]))
            return (q->flag = 't');
    return 0;
}

static int greet_run(struct cmd_q *q)
{
    snprintf(q->reply->kind, sizeof(q->reply->kind), "greeting");
    if (q->flag == 't')
        rt_text(q, "You're welcome.");
    else
        rt_text(q, "Hello! I keep this group's meeting records. Try: recap \u00b7 open actions "
                   "\u00b7 who raised <topic> \u00b7 help");
    rt_nl(q);
    return 0;
}

const struct command cmd_greet = {
    .name = "greeting",
    .usage = NULL,
    .help = NULL,
    .match = greet_match,
    .run = greet_run,
};
