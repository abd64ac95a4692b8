/* lang_json.h: the primitives of Std.Serialize.Json that compiled code calls (json_write.c and json_read.c;
 * the generated writers and readers are in src/ir/lower_json.cpp). */
#ifndef LANG_JSON_H
#define LANG_JSON_H
#include "lang_rt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LANG_JSON_MAX_DEPTH 512

typedef struct LangJsonW LangJsonW; /* a text being written */
typedef struct LangJsonR LangJsonR; /* a text being read, with its first error */

LangJsonW *lang_json_w_new(LangContext *ctx);
LangString *lang_json_w_finish(LangContext *ctx, LangJsonW *w); /* the text; frees w */
void lang_json_w_cstr(LangJsonW *w, const char *text);          /* punctuation, "key": */
void lang_json_w_sep(LangJsonW *w, int64_t index);              /* ',' before element index > 0 */
void lang_json_w_i64(LangJsonW *w, int64_t v);
void lang_json_w_u64(LangJsonW *w, uint64_t v);
void lang_json_w_f64(LangJsonW *w, double v);                   /* NaN, +-Infinity: null */
void lang_json_w_f32(LangJsonW *w, float v);
void lang_json_w_bool(LangJsonW *w, int64_t v);
void lang_json_w_char(LangJsonW *w, int64_t c);                 /* a one-character string */
void lang_json_w_str(LangJsonW *w, const LangString *s);
void lang_json_escape(LangJsonW *w, const char *p, int64_t n);
void lang_json_w_enum(LangJsonW *w, int64_t index, const char *names, int64_t value);

LangJsonR *lang_json_r_new(LangContext *ctx, const LangString *s);
void lang_json_r_free(LangJsonR *r);
int64_t lang_json_r_failed(const LangJsonR *r);
int64_t lang_json_r_null(LangJsonR *r);                         /* 1: a null was consumed */
int64_t lang_json_r_bool(LangJsonR *r);
int64_t lang_json_r_int(LangJsonR *r, int64_t min, int64_t max, const char *type);
uint64_t lang_json_r_uint(LangJsonR *r, uint64_t max, const char *type);
double lang_json_r_f64(LangJsonR *r);                           /* null: NaN */
float lang_json_r_f32(LangJsonR *r);
int64_t lang_json_r_char(LangJsonR *r);
LangString *lang_json_r_str(LangContext *ctx, LangJsonR *r);
int64_t lang_json_r_begin(LangJsonR *r, int64_t open);          /* '[' or '{' */
int64_t lang_json_r_more(LangJsonR *r, int64_t index);          /* an array element follows */
int64_t lang_json_r_elem(LangJsonR *r, int64_t index, int64_t count); /* a tuple's element follows */
void lang_json_r_close(LangJsonR *r, int64_t count);            /* a tuple's ']' */
int64_t lang_json_r_field(LangJsonR *r, int64_t index, const char *names);
LangString *lang_json_r_key(LangContext *ctx, LangJsonR *r, int64_t index);
int64_t lang_json_r_enum(LangJsonR *r, const char *names, const char *type);
void lang_json_r_end(LangJsonR *r);
int64_t lang_json_r_pos(LangJsonR *r);
void lang_json_r_fail(LangJsonR *r, int64_t at, const char *message);
LangArray *lang_json_r_grow(LangContext *ctx, LangArray *a, int64_t count);
LangArray *lang_json_r_fit(LangContext *ctx, LangArray *a, int64_t count);
/* For JsonError (lib/std/Json.lang): the reader passed as an int. */
LangString *lang_json_reason(LangContext *ctx, int64_t reader);
int64_t lang_json_error_pos(LangContext *ctx, int64_t reader, int64_t which); /* 0 offset, 1 line, 2 column */

#ifdef __cplusplus
}
#endif
#endif
