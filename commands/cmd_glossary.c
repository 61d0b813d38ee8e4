/* commands/cmd_glossary.c -- "what does EGM stand for?", "what is IS3C?":
 * the acronyms the records spell out ("Expert Group Meeting (EGM)"),
 * both ways. "what is X" is taken only when X is in the glossary; the
 * other phrasings always are, and say so when it is not. */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Phrasings that ask what a term means; `tail` ends the question. */
static const struct {
    const char *lead, *tail;
    int always;                 /* 0: only for a term the glossary has */
} forms[] = {
    { "what does ", " stand for", 1 }, { "what do ", " stand for", 1 },
    { "what does ", " mean", 1 }, { "what is meant by ", "", 1 }, { "define ", "", 1 },
    { "meaning of ", "", 1 }, { "expand ", "", 1 }, { "acronym ", "", 1 },
    { "what is the ", "", 0 }, { "what is ", "", 0 }, { "what's ", "", 0 }, { "what are ", "", 0 },
    { "who is the ", "", 0 }, { "who are the ", "", 0 }, { "who is ", "", 0 },
};

/* The glossary's entries for `term` either way; 1 when it has any. */
static int glossary_lookup(struct store *st, const char *term, char ***exp, int *ne,
                           char ***acr, int *na)
{
    *exp = *acr = NULL;
    *ne = *na = 0;
    if (store_glossary_expand(st, term, exp, ne) < 0)
        return -1;
    if (store_glossary_acronyms(st, term, acr, na) < 0)
        return -1;
    return *ne > 0 || *na > 0;
}

static int glossary_match(struct cmd_q *q)
{
    size_t i, len = strlen(q->lower);

    for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        size_t ll = strlen(forms[i].lead), tl = strlen(forms[i].tail);
        char *term, **exp = NULL, **acr = NULL;
        int ne = 0, na = 0, known;

        if (strncmp(q->lower, forms[i].lead, ll) || len <= ll + tl ||
            strcmp(q->lower + len - tl, forms[i].tail))
            continue;
        term = xstrndup(q->text + ll, len - ll - tl);
        cmd_trim(term);
        if (!strncasecmp(term, "the ", 4))
            memmove(term, term + 4, strlen(term + 4) + 1);
        known = *term ? glossary_lookup(q->ctx->st, term, &exp, &ne, &acr, &na) : 0;
        store_strings_free(exp, ne);
        store_strings_free(acr, na);
        if (known > 0 || (forms[i].always && *term)) {
            q->arg1 = term;
            return 1;
        }
        free(term);
        return 0;
    }
    return 0;
}

static int glossary_run(struct cmd_q *q)
{
    char **exp = NULL, **acr = NULL;
    int ne = 0, na = 0, i, rc;

    snprintf(q->reply->kind, sizeof(q->reply->kind), "glossary");
    rc = glossary_lookup(q->ctx->st, q->arg1, &exp, &ne, &acr, &na);
    if (rc < 0)
        return cmd_store_error(q);
    if (rc == 0) {
        rt_printf(q, "My records never spell out \"%s\". Try: search %s", q->arg1, q->arg1);
        rt_nl(q);
        return 0;
    }
    cmd_results_new(q);
    if (ne > 0) {
        /* The acronym as the records write it ("cart" -> "CART"). */
        char **as = NULL;
        int nas = 0, k;

        if (store_glossary_acronyms(q->ctx->st, exp[0], &as, &nas) == 0)
            for (k = 0; k < nas; k++)
                if (!strcasecmp(as[k], q->arg1)) {
                    free(q->arg1);
                    q->arg1 = xstrdup(as[k]);
                    break;
                }
        store_strings_free(as, nas);
    }
    for (i = 0; i < ne; i++) {
        rt_bold(q, q->arg1);
        rt_printf(q, " stands for %s.", exp[i]);
        rt_nl(q);
        if (q->results)
            cJSON_AddItemToArray(q->results, cJSON_CreateString(exp[i]));
    }
    for (i = 0; i < na; i++) {
        rt_bold(q, q->arg1);
        rt_printf(q, " goes by %s.", acr[i]);
        rt_nl(q);
        if (q->results)
            cJSON_AddItemToArray(q->results, cJSON_CreateString(acr[i]));
    }
    rt_printf(q, "Ask me: who raised %s", q->arg1);
    rt_nl(q);
    store_strings_free(exp, ne);
    store_strings_free(acr, na);
    return 0;
}

const struct command cmd_glossary = {
    .name = "glossary",
    .usage = "what does EGM stand for? | what is IS3C?",
    .help = "an acronym the records spell out, or the acronym of a name",
    .match = glossary_match,
    .run = glossary_run,
};
