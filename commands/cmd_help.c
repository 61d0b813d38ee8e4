/* commands/cmd_help.c -- "help" and "help TOPIC": the command language in
 * a few lines, from the command table itself. */
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
            if (!strcasestr((*c)->name, topic) && !strcasestr((*c)->usage, topic))
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
        rt_item(q, " \u2022 ");
        rt_bold(q, (*c)->usage);
        rt_text(q, " \u2014 ");
        rt_text(q, (*c)->help);
        rt_item_end(q);
    }
    rt_list_end(q);
    rt_text(q, "Post a transcript or summary report (text or file) and I read it and reply with a recap.");
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
