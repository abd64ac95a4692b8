// ffi.cpp: calling C (spec 10.9, LANGUAGE.md section 11).
//
//   [Link("m")]
//   extern "C" {
//       f64 cbrt(f64 x);
//       u64 strlen(cstring s);
//   }
//   unsafe { Console.WriteLine(cbrt(27.0)); }
//
// Rules checked here:
//  - Only the "C" ABI. The functions of a block join its namespace like free functions
//    (resolve.cpp); a single `extern "C" T f(...);` is one too.
//  - Parameter and result types cross as the System V ABI passes them: bool, the integer
//    types (C's int is i32, long is i64), f32 and f64, char (a u32 code point), cstring (a
//    string argument converts to it: its bytes, NUL-terminated, valid while the call
//    runs; a cstring result is copied into a new string?, null for NULL), raw pointers
//    (pointers.cpp), function types (callbacks), [C] structs by value.
//  - A C function is called only inside `unsafe { }`; it cannot be a function value or
//    spawned (func_values.cpp, check_concurrency.cpp).
//  - [Link("NAME")] on the block (or on one function) links the program with -lNAME
//    (Compilation::link_libs, the driver's link step).
// Lowering calls the symbol directly, without the context argument (lower_call.cpp).
#include "sema/check.h"

namespace lang::sema {

void Sema::link_attribute(const Attribute& a, const char* where) {
    if (!(a.name == "Link")) {
        diag.error(a.span, "unknown attribute '%s' on %s (it takes [Link(\"name\")])", a.name.c_str(), where);
        return;
    }
    if (a.args.size != 1 || !a.args[0] || a.args[0]->kind != ExprKind::StringLit) {
        diag.error(a.span, "[Link] takes the library's name as a string: [Link(\"m\")] links with -lm");
        return;
    }
    std::string lib(static_cast<StringLitExpr*>(a.args[0])->bytes, static_cast<StringLitExpr*>(a.args[0])->len);
    bool ok = !lib.empty();
    for (char ch : lib)
        if (!(isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '.' || ch == '+')) ok = false;
    if (!ok) {
        diag.error(a.args[0]->span, "'%s' is not a library name (letters, digits, '_', '-', '.', '+')", lib.c_str());
        return;
    }
    for (const std::string& l : c.link_libs)
        if (l == lib) return;
    c.link_libs.push_back(lib);
}

void Sema::check_extern_block(ExternBlockDecl* b) {
    if (!b->abi || std::string_view(b->abi) != "C") {
        diag.error(b->span, "only extern \"C\" blocks are supported (found \"%s\")", b->abi ? b->abi : "");
        for (FuncDecl* f : b->funcs)
            if (f) f->extern_abi = "C"; // (reported once, for the block)
        return;
    }
    for (const Attribute& a : b->attrs()) link_attribute(a, "an extern block");
}

// (Inside a type the parser rejects them; they have no type parameters.)
void Sema::check_extern_decl(FuncDecl* f) {
    if (!f->extern_abi || std::string_view(f->extern_abi) != "C")
        diag.error(f->name_span, "only extern \"C\" functions are supported");
    for (const Attribute& a : f->attrs()) link_attribute(a, "an extern function");
}

// export "C" (spec 10.9): a Lang function with a C symbol of its own name, called from C
// without a context (lowering gets one from the runtime: lower.cpp, rt/ffi.c). Declared
// at namespace level, not generic, parameters and result plain values; [Link] may stand
// on it as on an extern declaration.
void Sema::check_export_decl(FuncDecl* f, TypeDecl* owner) {
    if (!f->extern_abi || std::string_view(f->extern_abi) != "C")
        diag.error(f->name_span, "only export \"C\" functions are supported (found \"%s\")", f->extern_abi ? f->extern_abi : "");
    else if (owner)
        diag.error(f->name_span, "an export \"C\" function is declared at namespace level, not inside a type");
    else if (!f->type_params.empty())
        diag.error(f->name_span, "an export \"C\" function cannot have type parameters");
    for (const Attribute& a : f->attrs()) link_attribute(a, "an export \"C\" function"); // [Link("m")] as on externs
}

// A plain value: what crosses in registers both ways, also for callbacks.
static bool c_scalar(const Type* t) {
    return t->is_numeric() || t->kind == TypeKind::Bool || t->kind == TypeKind::Char || t->kind == TypeKind::Pointer;
}

// A type that crosses to C as a parameter (param) or a result.
static bool c_type(const Type* t, bool param) {
    if (t->is_integer() || t->is_float()) return true;
    switch (t->kind) {
    case TypeKind::Func: { // a parameter `(*void, *void) => i32`: a C function pointer (a callback)
        if (!param) return false;
        for (uint32_t i = 0; i < t->count; i++)
            if (!c_scalar(t->elems[i])) return false;
        return t->elem->kind == TypeKind::Void || c_scalar(t->elem);
    }
    case TypeKind::Bool: case TypeKind::Char: return true;
    case TypeKind::CString: return true; // a result is a string? (a copy; null for NULL)
    case TypeKind::Pointer: return true; // pointers.cpp
    case TypeKind::Void: return !param;
    default: return false;
    }
}

void Sema::check_export_signature(FuncDecl* f) {
    if (!f->type_params.empty()) return; // (reported)
    for (ParamDecl* p : f->params) {
        if (!p || !p->type || is_error(p->type)) continue;
        if (p->mode != ParamMode::Borrow)
            diag.error(p->name_span, "an export \"C\" function's parameters are passed by value (no 'ref' or 'own')");
        else if (!c_scalar(p->type))
            diag.error(p->span, "type %s cannot be passed from C: use bool, an integer or float type, char or a pointer",
                       tn(p->type).c_str());
    }
    const Type* r = f->type ? f->type->elem : nullptr;
    if (r && !is_error(r) && r->kind != TypeKind::Void && !c_scalar(r))
        diag.error(f->ret ? f->ret->span : f->name_span,
                   "type %s cannot be returned to C: use void, bool, an integer or float type, char or a pointer", tn(r).c_str());
    auto [it, fresh] = c_funcs_.try_emplace(std::string(f->name.view()), f);
    if (!fresh) {
        diag.error(f->name_span, "C symbol '%s' is declared twice", f->name.c_str());
        diag.note(it->second->name_span, "'%s' is first declared here", f->name.c_str());
    }
}

void Sema::check_c_signature(FuncDecl* f) {
    for (ParamDecl* p : f->params) {
        if (!p || !p->type || is_error(p->type)) continue;
        if (p->mode != ParamMode::Borrow) {
            diag.error(p->name_span, "a C function's parameters are passed by value (no 'ref' or 'own')");
            continue;
        }
        if (p->type->kind == TypeKind::Struct && is_c_struct(p->type)) {
            // by value, in registers or in memory (lower_ffi.cpp)
        } else if (!c_type(p->type, true))
            diag.error(p->span, "type %s cannot be passed to C: use bool, an integer or float type, char, cstring or a pointer%s",
                       tn(p->type).c_str(), p->type->kind == TypeKind::String ? " (a string converts to cstring)"
                       : p->type->kind == TypeKind::Func ? " (a callback's parameters and result are bool, char, numbers and pointers)" : "");
    }
    // One C symbol, one signature: a second declaration with other types would call the
    // same function with the wrong registers.
    auto [it, fresh] = c_funcs_.try_emplace(std::string(f->name.view()), f);
    if (!fresh && it->second->type != f->type && f->type && it->second->type) {
        diag.error(f->name_span, "C function '%s' is declared again with other types (%s, before %s)", f->name.c_str(),
                   tn(f->type).c_str(), tn(it->second->type).c_str());
        diag.note(it->second->name_span, "'%s' is first declared here", f->name.c_str());
    }
    if (f->is_variadic && f->params.size == 0)
        diag.error(f->name_span, "a variadic C function needs a parameter before '...'");
    const Type* r = f->type ? f->type->elem : nullptr;
    if (r && !is_error(r) && r->kind == TypeKind::Struct && is_c_struct(r)) {
        // by value: in registers up to 16 bytes, else through a hidden pointer (lower_ffi.cpp)
    } else if (r && !is_error(r) && !c_type(r, false))
        diag.error(f->ret ? f->ret->span : f->name_span, "type %s cannot be returned from C: use void, bool, an integer or float type, char, cstring or a pointer",
                   tn(r).c_str());
}

// The Lang function a callback argument names: a free or static function, or a lambda
// that captures nothing (lowering passes C the address of a thunk that finds the context,
// lower_ffi.cpp). Null when `a` is something else.
static FuncDecl* c_callback_target(Expr* a) {
    while (a && a->kind == ExprKind::Cast && !static_cast<CastExpr*>(a)->to) a = static_cast<CastExpr*>(a)->operand;
    if (!a) return nullptr;
    Decl* d = nullptr;
    if (a->kind == ExprKind::Name) d = static_cast<NameExpr*>(a)->decl;
    else if (a->kind == ExprKind::Member) d = static_cast<MemberExpr*>(a)->decl;
    else if (a->kind == ExprKind::Lambda) {
        auto* l = static_cast<LambdaExpr*>(a);
        return l->captures.size || l->this_type ? nullptr : l->fn;
    }
    if (!d || d->kind != DeclKind::Func) return nullptr;
    auto* f = static_cast<FuncDecl*>(d);
    bool instance = f->parent && f->parent->kind == DeclKind::Type && !(f->mods & M_STATIC);
    if (instance || f->extern_abi || (f->fkind != FuncKind::Function && f->fkind != FuncKind::Method)) return nullptr;
    if (!f->body && !f->body_expr) return nullptr;
    return f;
}

// The arguments that fill a variadic C function's `...`, with C's default argument
// promotions: bool, char and integers narrower than i32 become i32 (sign- or
// zero-extended), f32 becomes f64, a string becomes a cstring; an untyped integer
// constant is an int (i64: read as C's int it gives the low 32 bits), a float constant
// an f64. i32, i64, u32, u64, f64 and pointers pass as they are. Lowering sets AL to the
// number of vector registers used (the SysV rule for variadic calls; codegen/x64).
void Sema::c_variadic_args(ArenaVec<Arg>& args, uint32_t from) {
    for (uint32_t i = from; i < args.size; i++) {
        Expr*& a = args[i].value;
        if (!a) continue;
        const Type* t = value(a, nullptr);
        if (is_error(t)) continue;
        uint64_t m;
        bool neg;
        if (is_untyped_int(a, &m, &neg)) {
            coerce(a, fits(m, neg, T.int_()) ? T.int_() : T.prim(TypeKind::U64));
            continue;
        }
        if (t->kind == TypeKind::Bool || t->kind == TypeKind::Char || (t->is_integer() && t->size < 4) ||
            (t->is_c_like_enum() && t->size < 4)) {
            a = wrap_cast(a, T.prim(TypeKind::I32));
        } else if (t->kind == TypeKind::F32) {
            a = wrap_cast(a, T.prim(TypeKind::F64));
        } else if (t->kind == TypeKind::String) {
            a = wrap_cast(a, T.prim(TypeKind::CString));
        } else if (!(t->is_numeric() || t->kind == TypeKind::Pointer || t->is_c_like_enum())) {
            diag.error(a->span, "type %s cannot be passed to a variadic C function: use bool, char, a number, a string "
                       "(as a C string) or a pointer", tn(t).c_str());
        }
    }
}

void Sema::check_c_call(CallExpr* e, FuncDecl* f) {
    if (fn_.unsafe_depth <= 0)
        diag.error(e->span, "calling the C function '%s' needs an 'unsafe { }' block", f->name.c_str());
    for (uint32_t i = 0; i < e->args.size && i < f->params.size; i++) {
        const Type* pt = f->params[i]->type;
        Expr* a = e->args[i].value;
        if (!pt || pt->kind != TypeKind::Func || !a || !a->type || is_error(a->type)) continue;
        if (!c_callback_target(a))
            diag.error(a->span, "a C function pointer must be a named static function or a lambda that captures nothing");
    }
}

} // namespace lang::sema
