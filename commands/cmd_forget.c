/* commands/cmd_forget.c -- "forget #66": delete a meeting with its
 * records, facts and actions. Admins only. */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>

static int forget_match(struct cmd_q *q)
{
    return cmd_starts(q, "forget");
}

static int forget_run(struct cmd_q *q)
{
    int64_t mid = 0;
    char *ref;
    int rc;

    if (!q->ctx->is_admin) {
        rt_text(q, "Only room admins (power level 50 or more by default) can forget a meeting.");
        rt_nl(q);
        snprintf(q->reply->kind, sizeof(q->reply->kind), "refused");
        return 0;
    }
    if (!*q->args) {
        rt_text(q, "Forget which meeting? e.g.: forget #66");
        rt_nl(q);
        return 0;
    }
    rc = cmd_meeting(q, q->args, &mid);
    if (rc != 0)
        return rc == -1 ? -1 : 0;
    ref = cmd_meeting_ref_dup(q->ctx->st, mid, 1);
    rc = store_meeting_forget(q->ctx->st, mid);
    if (rc == -1) {
        free(ref);
        return cmd_store_error(q);
    }
    rt_printf(q, "Forgot %s with its records, facts and actions.", ref);
    rt_nl(q);
    free(ref);
    return 0;
}

const struct command cmd_forget = {
    .name = "forget",
    .usage = "forget #66",
    .help = "delete a meeting and everything read from it (admins)",
    .match = forget_match,
    .run = forget_run,
};
