/* context.c: the implicit context (Odin-like) and the runtime's type registry.
 *
 * A context carries the allocator, the temp allocator, the logger and the GC switch of
 * one lightweight thread; compiled code passes it as the hidden first argument and copies
 * it to change a field for a block. The root context is built by the bootstrap; the
 * scheduler builds one per lightweight thread with lang_context_init_child.
 * Type registration: the compiler may emit `const LangTypeInfo *` rows into the section
 * `lang_types` (bracketed by __start_lang_types/__stop_lang_types, weak here); a JIT
 * loader registers its rows with lang_rt_register_types. Lookup by name serves reflection.
 *
 * Invariants: a context made here owns its temp allocator (one LangTemp per thread, never
 * shared) and nothing else. types_lock guards the registry's table list.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include "rt_internal.h"
#include "gc.h"

int lang_rt_debug_checks = 1;

void lang_context_init_root(LangContext *ctx) {
    memset(ctx, 0, sizeof *ctx);
    ctx->allocator = lang_default_allocator();
    ctx->temp_allocator = lang_temp_allocator(lang_temp_create(lang_default_allocator()));
    ctx->gc_enabled = 1;
    ctx->caller_location.file = "";
    ctx->caller_location.function = "";
}

void lang_context_init_child(LangContext *ctx, const LangContext *parent) {
    memset(ctx, 0, sizeof *ctx);
    ctx->allocator = parent && parent->allocator ? parent->allocator : lang_default_allocator();
    ctx->temp_allocator = lang_temp_allocator(lang_temp_create(lang_default_allocator()));
    ctx->scheduler = parent ? parent->scheduler : NULL;
    ctx->logger = parent ? parent->logger : NULL;
    ctx->gc_enabled = parent ? parent->gc_enabled : 1;
    ctx->caller_location.file = "";
    ctx->caller_location.function = "";
}

void lang_context_fini(LangContext *ctx) {
    if (lang_alloc_is_temp(ctx->temp_allocator)) lang_temp_destroy((LangTemp *)ctx->temp_allocator->procedure_data);
    ctx->temp_allocator = NULL;
}

/* ---- type registry ---- */
extern const LangTypeInfo *const __start_lang_types[] __attribute__((weak));
extern const LangTypeInfo *const __stop_lang_types[] __attribute__((weak));

enum { kMaxTypeTables = 32 };
typedef struct TypeTable {
    const LangTypeInfo *const *begin, *const *end;
} TypeTable;
static pthread_mutex_t types_lock = PTHREAD_MUTEX_INITIALIZER; /* guards type_tables, type_table_count */
static TypeTable type_tables[kMaxTypeTables];
static int type_table_count;

void lang_rt_register_types(const LangTypeInfo *const *begin, const LangTypeInfo *const *end) {
    pthread_mutex_lock(&types_lock);
    if (type_table_count < kMaxTypeTables) type_tables[type_table_count++] = (TypeTable){begin, end};
    pthread_mutex_unlock(&types_lock);
}

void lang_rt_types_init(void) {
    static int done;
    if (done) return;
    done = 1;
    const char *d = getenv("LANG_DEBUG");
    if (d && d[0] == '0') lang_rt_debug_checks = 0;
    if (__start_lang_types && __stop_lang_types) lang_rt_register_types(__start_lang_types, __stop_lang_types);
}

const LangTypeInfo *lang_rt_type_by_name(const char *name) {
    const LangTypeInfo *found = NULL;
    pthread_mutex_lock(&types_lock);
    for (int i = 0; i < type_table_count && !found; i++)
        for (const LangTypeInfo *const *t = type_tables[i].begin; t < type_tables[i].end; t++)
            if (*t && (*t)->name && strcmp((*t)->name, name) == 0) {
                found = *t;
                break;
            }
    pthread_mutex_unlock(&types_lock);
    return found;
}

/* ---- bootstrap pieces ---- */
void lang_rt_init(void) {
    static int done;
    if (done) return;
    done = 1;
    lang_alloc_init();
    lang_console_init();
    lang_rt_types_init();
    lang_rt_install_fault_handlers();
}

static int saved_argc; /* for Environment.Args (lang_env_args) */
static char **saved_argv;

/* Environment.Args: a new string[] of the command-line arguments (the program name not
 * included), like Main's args. */
LangArray *lang_env_args(LangContext *ctx) {
    int n = saved_argc > 1 ? saved_argc - 1 : 0;
    LangArray *a = lang_array_new(ctx, n, (int64_t)sizeof(LangString *));
    LangString **slots = (LangString **)a->data;
    for (int i = 0; i < n; i++)
        slots[i] = lang_str_from_bytes_lossy(ctx, saved_argv[i + 1], (int64_t)strlen(saved_argv[i + 1]));
    return a;
}

LangArray *lang_rt_make_args(LangContext *ctx, int argc, char **argv) {
    saved_argc = argc;
    saved_argv = argv;
    int n = argc > 1 ? argc - 1 : 0;
    LangArray *args = lang_array_new(ctx, n, (int64_t)sizeof(LangString *));
    LangString **slots = (LangString **)args->data;
    for (int i = 0; i < n; i++) slots[i] = lang_str_from_bytes_lossy(ctx, argv[i + 1], (int64_t)strlen(argv[i + 1]));
    return args;
}

void lang_rt_free_args(LangContext *ctx, LangArray *args) {
    if (!args) return;
    LangString **slots = (LangString **)args->data;
    for (int64_t i = 0; i < args->length; i++) lang_str_release(slots[i]);
    lang_array_free(ctx, args);
}

void lang_rt_exit(int64_t status) {
    fflush(NULL); /* C stdio used through FFI: its text is older than what Lang's buffer holds */
    lang_console_flush();
    lang_gc_report();
    if (lang_alloc_leaks_enabled()) lang_alloc_leak_report();
    _exit((int)(status & 0xff));
}
