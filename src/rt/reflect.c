/* reflect.c: the parts of TypeInfo (doc/language/spec.md 10) that make new arrays.
 *
 * The tables are the compiler's (LangTypeInfo in lang_rt.h); these only copy pointers
 * into fresh arrays, so a program that changes the array it got changes nothing else.
 * Everything else a TypeInfo or FieldInfo answers is read inline by compiled code. */
#include "lang_rt.h"

LangArray *lang_type_fields(LangContext *ctx, const LangTypeInfo *t) {
    LangArray *a = lang_array_new(ctx, t->field_count, (int64_t)sizeof(void *));
    const LangFieldInfo **out = (const LangFieldInfo **)(void *)a->data;
    for (int64_t i = 0; i < t->field_count; i++) out[i] = &t->fields[i];
    return a;
}

LangArray *lang_type_interfaces(LangContext *ctx, const LangTypeInfo *t) {
    LangArray *a = lang_array_new(ctx, t->interface_count, (int64_t)sizeof(void *));
    const LangTypeInfo **out = (const LangTypeInfo **)(void *)a->data;
    for (int64_t i = 0; i < t->interface_count; i++) out[i] = t->interfaces[i].iface;
    return a;
}

LangArray *lang_type_methods(LangContext *ctx, const LangTypeInfo *t) {
    LangArray *a = lang_array_new(ctx, t->method_count, (int64_t)sizeof(void *));
    const LangString **out = (const LangString **)(void *)a->data;
    for (int64_t i = 0; i < t->method_count; i++) out[i] = t->methods[i];
    return a;
}
