/* commands/export.c -- `export --json`: everything the store knows about
 * meetings in the shape DESIGN.md section 6 fixes (meetings with records,
 * speakers, participants, apologies, agenda, decisions, actions, next
 * meeting). The action object is shared with "actions" answers. */
#include "commands_int.h"

#include <stdio.h>
#include <stdlib.h>

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

cJSON *export_action_json(struct store *st, const struct store_action *a)
{
    cJSON *o = cJSON_CreateObject(), *own = cJSON_CreateArray();
    int k;

    cJSON_AddStringToObject(o, "id", a->code);
    for (k = 0; k < a->n_owners; k++)
        cJSON_AddItemToArray(own, cJSON_CreateString(a->owners[k]));
    cJSON_AddItemToObject(o, "owners", own);
    cJSON_AddStringToObject(o, "text", a->text);
    add_str(o, "due", a->due);
    add_str(o, "due_date", a->due_date);
    cJSON_AddStringToObject(o, "status", a->done ? "done" : "open");
    add_str(o, "quote", a->quote);
    add_str(o, "speaker", a->speaker);
    if (a->meeting_id) {
        char *label = cmd_meeting_ref_dup(st, a->meeting_id, 0);

        cJSON_AddNumberToObject(o, "meeting_id", (double)a->meeting_id);
        cJSON_AddStringToObject(o, "meeting", label);
        free(label);
    } else {
        cJSON_AddNullToObject(o, "meeting_id");
        cJSON_AddNullToObject(o, "meeting");
    }
    cJSON_AddStringToObject(o, "record", a->record_kind == 2 ? "summary" :
                                         a->record_kind == 1 ? "transcript" : "chat");
    cJSON_AddBoolToObject(o, "explicit", a->is_explicit);
    cJSON_AddBoolToObject(o, "concerns_dcs", a->concerns_dcs);
    add_str(o, "status_by", a->status_by);
    return o;
}

static cJSON *items_json(struct store *st, int64_t mid, int kind, int full)
{
    cJSON *arr = cJSON_CreateArray();
    struct store_item *v = NULL;
    int n = 0, i;

    if ((kind == STORE_AGENDA ? store_meeting_agenda(st, mid, &v, &n) :
                                store_items(st, kind, mid, NULL, &v, &n)) < 0)
        return arr;
    for (i = 0; i < n; i++) {
        if (!full) {
            cJSON_AddItemToArray(arr, cJSON_CreateString(v[i].text));
            continue;
        }
        cJSON *o = cJSON_CreateObject();

        cJSON_AddStringToObject(o, "text", v[i].text);
        add_str(o, "quote", v[i].quote);
        add_str(o, "speaker", v[i].speaker);
        cJSON_AddItemToArray(arr, o);
    }
    store_items_free(v, n);
    return arr;
}

cJSON *export_meeting_json(struct store *st, int64_t mid)
{
    struct store_meeting m;
    struct store_record_info *rec = NULL;
    struct store_speaker *spk = NULL;
    struct store_participant *par = NULL;
    struct store_action *act = NULL;
    struct store_next *nx = NULL;
    struct store_action_filter f = { STORE_ACT_ALL, mid, 0, NULL, 0, NULL, 0 };
    char **apo = NULL;
    int nrec = 0, nspk = 0, npar = 0, napo = 0, nact = 0, nnx = 0, i, k;
    cJSON *o, *arr;

    if (store_meeting_get(st, mid, &m) != 0)
        return NULL;
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)m.id);
    cJSON_AddStringToObject(o, "group", m.group);
    add_str(o, "number", m.number);
    if (m.number_value >= 0)
        cJSON_AddNumberToObject(o, "number_value", (double)m.number_value);
    else
        cJSON_AddNullToObject(o, "number_value");
    add_str(o, "title", m.title);
    add_str(o, "date", m.date);
    add_str(o, "time_utc", m.time_utc);
    add_str(o, "end_time_utc", m.end_time_utc);

    arr = cJSON_AddArrayToObject(o, "records");
    if (store_meeting_records(st, mid, &rec, &nrec) == 0)
        for (i = 0; i < nrec; i++) {
            cJSON *r = cJSON_CreateObject();

            cJSON_AddStringToObject(r, "kind", rec[i].kind == 2 ? "summary" : "transcript");
            cJSON_AddStringToObject(r, "sha256", rec[i].sha256);
            add_str(r, "name", rec[i].name);
            cJSON_AddNumberToObject(r, "turns", rec[i].turns);
            if (rec[i].kind != 2)
                cJSON_AddNumberToObject(r, "unattributed", rec[i].unattributed);
            cJSON_AddItemToArray(arr, r);
        }
    store_records_free(rec, nrec);

    arr = cJSON_AddArrayToObject(o, "speakers");
    if (store_meeting_speakers(st, mid, &spk, &nspk) == 0)
        for (i = 0; i < nspk; i++) {
            cJSON *s = cJSON_CreateObject(), *labels = cJSON_CreateArray();

            cJSON_AddStringToObject(s, "name", spk[i].name);
            for (k = 0; k < spk[i].n_labels; k++)
                cJSON_AddItemToArray(labels, cJSON_CreateString(spk[i].labels[k]));
            cJSON_AddItemToObject(s, "labels", labels);
            cJSON_AddNumberToObject(s, "turns", spk[i].turns);
            cJSON_AddNumberToObject(s, "words", spk[i].words);
            cJSON_AddItemToArray(arr, s);
        }
    store_speakers_free(spk, nspk);

    arr = cJSON_AddArrayToObject(o, "participants");
    if (store_meeting_participants(st, mid, &par, &npar) == 0)
        for (i = 0; i < npar; i++) {
            cJSON *p = cJSON_CreateObject();

            cJSON_AddStringToObject(p, "name", par[i].name);
            add_str(p, "affiliation", par[i].affiliation);
            add_str(p, "role", par[i].role);
            cJSON_AddItemToArray(arr, p);
        }
    store_participants_free(par, npar);

    arr = cJSON_AddArrayToObject(o, "apologies");
    if (store_meeting_apologies(st, mid, &apo, &napo) == 0)
        for (i = 0; i < napo; i++)
            cJSON_AddItemToArray(arr, cJSON_CreateString(apo[i]));
    store_strings_free(apo, napo);

    cJSON_AddItemToObject(o, "agenda", items_json(st, mid, STORE_AGENDA, 0));
    cJSON_AddItemToObject(o, "decisions", items_json(st, mid, STORE_DECISION, 1));
    cJSON_AddItemToObject(o, "points", items_json(st, mid, STORE_POINT, 1));

    arr = cJSON_AddArrayToObject(o, "actions");
    if (store_actions(st, &f, &act, &nact) == 0)
        for (i = 0; i < nact; i++)
            cJSON_AddItemToArray(arr, export_action_json(st, &act[i]));
    store_actions_free(act, nact);

    if (store_next_meeting(st, mid, &nx, &nnx) == 0 && nnx > 0) {
        cJSON *x = cJSON_CreateObject();

        add_str(x, "when", nx[0].when);
        add_str(x, "date", nx[0].date);
        add_str(x, "quote", nx[0].quote);
        cJSON_AddItemToObject(o, "next_meeting", x);
    } else {
        cJSON_AddNullToObject(o, "next_meeting");
    }
    store_nexts_free(nx, nnx);
    store_meeting_release(&m);
    return o;
}

cJSON *export_json(struct store *st, int64_t meeting_id)
{
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "meetings");
    struct store_meeting *v = NULL;
    int n = 0, i;

    if (meeting_id) {
        cJSON *m = export_meeting_json(st, meeting_id);

        if (m)
            cJSON_AddItemToArray(arr, m);
        return root;
    }
    if (store_meetings_list(st, &v, &n) < 0)
        return root;
    /* Oldest first reads naturally in a file. */
    for (i = n - 1; i >= 0; i--) {
        cJSON *m = export_meeting_json(st, v[i].id);

        if (m)
            cJSON_AddItemToArray(arr, m);
    }
    store_meetings_free(v, n);
    return root;
}

int commands_export_json(struct store *st, const char *meeting, struct buf *out,
                         char *err, size_t errlen)
{
    int64_t mid = 0;
    cJSON *root;
    char *s;

    if (meeting && *meeting) {
        int rc = store_meeting_find(st, meeting, &mid);

        if (rc != 0) {
            snprintf(err, errlen, rc == -1 ? "cannot read the store" : "no meeting '%s'", meeting);
            return rc == -1 ? -1 : -2;
        }
    }
    root = export_json(st, mid);
    s = cJSON_Print(root);
    buf_puts(out, s ? s : "{\"meetings\":[]}");
    buf_putc(out, '\n');
    cJSON_free(s);
    cJSON_Delete(root);
    return 0;
}
