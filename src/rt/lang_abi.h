/* lang_abi.h: the runtime layouts compiled code depends on, described once.
 *
 * The compiler (src/ir/lower*.cpp, src/sema/layout.cpp, src/sema/reflect.cpp) emits loads,
 * stores and data records with these numbers; the runtime defines the same layouts as C
 * structs in lang_rt.h. This header is plain C with no includes so that both can use it:
 *   - LANG_TYPE_KINDS(X): X(CODE, Name) per TypeInfo kind, in the order of the prelude enum
 *     `TypeKind` (LangTypeKind in lang_rt.h is built from it, and so are the names);
 *   - LANG_ABI_OFFSETS(X): X(NAME, Struct, member, offset) per field compiled code touches;
 *   - LANG_ABI_SIZES(X): X(NAME, Struct, size) per header or record size it relies on.
 * The constants are LANG_ABI_<NAME>. src/rt/abi.c checks every row against the structs
 * with _Static_assert(offsetof/sizeof), so a change on one side without the other does not
 * build. Offsets are those of x86-64 (the only target).
 */
#ifndef LANG_ABI_H
#define LANG_ABI_H

#define LANG_TYPE_KINDS(X)                                                                            \
    X(VOID, Void) X(BOOL, Bool) X(INT, Int) X(UINT, UInt) X(FLOAT, Float) X(CHAR, Char)              \
    X(STRING, String) X(ARRAY, Array) X(TUPLE, Tuple) X(STRUCT, Struct) X(CLASS, Class)              \
    X(ENUM, Enum) X(INTERFACE, Interface) X(NULLABLE, Nullable) X(POINTER, Pointer)                  \
    X(FUNCTION, Function) X(FALLIBLE, Fallible) X(HANDLE, Handle)

#define LANG_ABI_OFFSETS(X)                                                  \
    /* object header: every class instance (and boxed struct) starts with it */ \
    X(OBJ_TYPE, LangObjHeader, type, 0)                                      \
    X(OBJ_ALLOCATOR, LangObjHeader, allocator, 8)                            \
    /* type info records (the vtable follows the record) */                  \
    X(TYPEINFO_KIND, LangTypeInfo, kind, 0)                                  \
    X(TYPEINFO_FLAGS, LangTypeInfo, flags, 4)                                \
    X(TYPEINFO_NAME, LangTypeInfo, name, 8)                                  \
    X(TYPEINFO_SIZE_FIELD, LangTypeInfo, size, 16)                           \
    X(TYPEINFO_ALIGNMENT, LangTypeInfo, alignment, 24)                       \
    X(TYPEINFO_BASE, LangTypeInfo, base, 32)                                 \
    X(TYPEINFO_FIELDS, LangTypeInfo, fields, 40)                             \
    X(TYPEINFO_FIELD_COUNT, LangTypeInfo, field_count, 48)                   \
    X(TYPEINFO_METHODS, LangTypeInfo, methods, 56)                           \
    X(TYPEINFO_METHOD_COUNT, LangTypeInfo, method_count, 64)                 \
    X(TYPEINFO_INTERFACES, LangTypeInfo, interfaces, 72)                     \
    X(TYPEINFO_INTERFACE_COUNT, LangTypeInfo, interface_count, 80)           \
    X(TYPEINFO_DROP, LangTypeInfo, drop, 88)                                 \
    X(FIELDINFO_NAME, LangFieldInfo, name, 0)                                \
    X(FIELDINFO_TYPE, LangFieldInfo, type, 8)                                \
    X(FIELDINFO_OFFSET, LangFieldInfo, offset, 16)                           \
    X(IFACE_ENTRY_IFACE, LangIfaceEntry, iface, 0)                           \
    X(IFACE_ENTRY_TABLE, LangIfaceEntry, table, 8)                           \
    /* strings and arrays */                                                 \
    X(STRING_REFCOUNT, LangString, refcount, 0)                              \
    X(STRING_BYTE_LENGTH, LangString, byte_length, 8)                        \
    X(STRING_LENGTH, LangString, length, 16)                                 \
    X(STRING_DATA, LangString, data, 24)                                     \
    X(ARRAY_LENGTH, LangArray, length, 0)                                    \
    X(ARRAY_ELEMENT_SIZE, LangArray, element_size, 8)                        \
    X(ARRAY_TYPE_INFO, LangArray, type_info, 16)                             \
    X(ARRAY_DATA, LangArray, data, 32)                                       \
    /* closure records (function values, closure.c) */                       \
    X(CLOSURE_CODE, LangClosure, code, 0)                                    \
    X(CLOSURE_REFCOUNT, LangClosure, refcount, 8)                            \
    X(CLOSURE_DROP, LangClosure, drop, 16)                                   \
    X(CLOSURE_ALLOCATOR, LangClosure, allocator, 24)                         \
    /* the implicit context */                                               \
    X(CONTEXT_ALLOCATOR, LangContext, allocator, 0)                          \
    X(CONTEXT_TEMP_ALLOCATOR, LangContext, temp_allocator, 8)                \
    X(CONTEXT_SCHEDULER, LangContext, scheduler, 16)                         \
    X(CONTEXT_CALLER_LOCATION, LangContext, caller_location, 40)             \
    X(CONTEXT_GC_ENABLED, LangContext, gc_enabled, 72)                       \
    X(CONTEXT_LOGGER, LangContext, logger, 80)

#define LANG_ABI_SIZES(X)                      \
    X(OBJ_HEADER_SIZE, LangObjHeader, 16)      \
    X(TYPEINFO_SIZE, LangTypeInfo, 96)         \
    X(FIELDINFO_SIZE, LangFieldInfo, 24)       \
    X(IFACE_ENTRY_SIZE, LangIfaceEntry, 16)    \
    X(STRING_HEADER_SIZE, LangString, 24)      \
    X(ARRAY_HEADER_SIZE, LangArray, 32)        \
    X(CLOSURE_HEADER_SIZE, LangClosure, 32)    \
    X(CONTEXT_SIZE, LangContext, 104)

enum LangAbi {
#define LANG_ABI_OFFSET_CONST(name, type, member, value) LANG_ABI_##name = value,
#define LANG_ABI_SIZE_CONST(name, type, value) LANG_ABI_##name = value,
    LANG_ABI_OFFSETS(LANG_ABI_OFFSET_CONST) LANG_ABI_SIZES(LANG_ABI_SIZE_CONST)
#undef LANG_ABI_OFFSET_CONST
#undef LANG_ABI_SIZE_CONST
    /* A stack slot that holds a LangContext (a spawned thread's own context): the size
     * rounded up to 16. */
    LANG_ABI_CONTEXT_SLOT = (LANG_ABI_CONTEXT_SIZE + 15) / 16 * 16
};

#endif
