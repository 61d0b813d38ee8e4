/* storage/glossary.c -- acronyms learnt from a record's own text
 * ("Expert Group Meeting (EGM)") into record->glossary. Pure. */
#include "reader_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Glossary: "Expert Group Meeting (EGM)"                               */

static int is_minor(const char *w, size_t n)
{
    static const char *const m[] = { "of", "the", "and", "on", "for", "in", "to", "a", "an", "&",
                                     NULL };

    return reader_word_in(w, n, m);
}

static void gloss_add(struct record *r, const char *acr, const char *exp)
{
    for (int i = 0; i < r->n_glossary; i++)
        if (!strcmp(r->glossary[i].acronym, acr))
            return;
    struct record_gloss *g = READER_PUSH(r->glossary, r->n_glossary);
    g->acronym = xstrdup(acr);
    g->expansion = xstrdup(exp);
}

void reader_learn_glossary(struct record *r)
{
    const char *t = r->text;
    size_t n = r->len;

    for (size_t i = 0; i < n; i++) {
        char letters[16];
        size_t a, e, nl = 0;
        struct { size_t s, n; } words[24];
        int nw = 0, li;

        if (t[i] != '(')
            continue;
        a = i + 1;
        e = a;
        while (e < n && e - a < 10 && isalnum((unsigned char)t[e]))
            e++;
        /* Markdown escapes the parentheses: "\(EGM\)". */
        if (e + 1 < n && t[e] == '\\' && t[e + 1] == ')')
            ;
        else if (e >= n || t[e] != ')')
            continue;
        if (e - a < 2 || !isupper((unsigned char)t[a]))
            continue;
        /* Letters of the acronym; a digit repeats the letter before it
         * (IS3C = I S S S C); a trailing plural 's' is dropped (DCs). */
        for (size_t k = a; k < e && nl < sizeof(letters) - 4; k++) {
            char c = t[k];
            if (isupper((unsigned char)c))
                letters[nl++] = c;
            else if (isdigit((unsigned char)c) && nl > 0 && c >= '2' && c <= '5')
                for (int rep = 1; rep < c - '0'; rep++) {
                    letters[nl] = letters[nl - 1];
                    nl++;
                }
            else if (c == 's' && k == e - 1)
                ;
            else if (islower((unsigned char)c))
                ;
            else
                break;
        }
        if (nl < 2)
            continue;
        /* Words before the parenthesis, nearest last. */
        {
            size_t p = i;
            while (p > 0 && nw < 24) {
                size_t we;
                while (p > 0 && !isalnum((unsigned char)t[p - 1]) && t[p - 1] != '\n' &&
                       (t[p - 1] != '(' || (p >= 2 && t[p - 2] == '\\')) &&
                       t[p - 1] != '.' && t[p - 1] != ')')
                    p--;
                if (p == 0 || !isalnum((unsigned char)t[p - 1]))
                    break;
                we = p;
                while (p > 0 && (isalnum((unsigned char)t[p - 1]) || t[p - 1] == '-' || t[p - 1] == '\''))
                    p--;
                words[nw].s = p;
                words[nw].n = we - p;
                nw++;
            }
        }
        /* Match initials backwards, skipping minor words. */
        li = (int)nl - 1;
        int w = 0, first = -1;
        while (w < nw && li >= 0) {
            const char *ws = t + words[w].s;
            if (toupper((unsigned char)ws[0]) == letters[li] && isupper((unsigned char)ws[0])) {
                li--;
                first = w;
            } else if (!is_minor(ws, words[w].n)) {
                break;
            }
            w++;
        }
        if (li >= 0 || first < 0)
            continue;
        {
            char *acr = xstrndup(t + a, e - a);
            size_t es = words[first].s, ee = words[0].s + words[0].n;
            char *exp = reader_clean_dup(t + es, ee - es);
            size_t al = strlen(acr);
            if (al > 2 && acr[al - 1] == 's' && isupper((unsigned char)acr[al - 2]))
                acr[al - 1] = '\0';
            gloss_add(r, acr, exp);
            free(acr);
            free(exp);
        }
    }
}
