/* bot/matrix_int.h -- private to bot/matrix*.c: the typed cJSON helpers
 * and the event parser shared by the requests (matrix.c) and the JSON
 * conversions (matrix_json.c). Nothing outside the Matrix client uses it. */
#ifndef SCRIBE_MATRIX_INT_H
#define SCRIBE_MATRIX_INT_H

#include "matrix.h"

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define MX_MAX_SAFE     9007199254740991.0  /* 2^53 - 1: the largest integer JSON keeps */

/* Typed look-ups: NULL or -1 on a missing key or a wrong type. */
const char *mx_json_str(const cJSON *obj, const char *key);
char *mx_json_str_dup(const cJSON *obj, const char *key);
const cJSON *mx_json_obj(const cJSON *obj, const char *key);
const cJSON *mx_json_arr(const cJSON *obj, const char *key);
/* An integer (also from a string when `strings`); 0, or -1. */
int mx_json_int64_item(const cJSON *it, int strings, int64_t *out);
int mx_json_int64(const cJSON *obj, const char *key, int strings, int64_t *out);
/* The strings of an array, copied (other items skipped). */
void mx_json_str_array(const cJSON *arr, char ***out, size_t *n);

/* The document as compact text (copied), deleting `root`. */
char *mx_json_print_free(cJSON *root);

/* Events of a JSON array into plain structs (malformed ones skipped);
 * release each with mx_event_release() and free the array. */
void mx_parse_events(const cJSON *arr, int stripped, int state, struct mx_event **out, size_t *n);
void mx_event_release(struct mx_event *e);

#endif
