// resolve.cpp: namespaces, declarations, imports, type expressions, signatures, mangling.
//
// Job: build the symbol table for the whole program before any body is checked, so
// declarations can be used before they appear and across files. Every file belongs to
// one namespace (its `namespace` line, else its sub-folder path below the program's
// folder, else the root namespace). Top-level declarations are file-private unless
// `public`; members are private to their type unless `public` (constructors are public
// unless `private`). Invariants: a name is defined once per scope, except functions,
// which may be overloaded by parameter types; Decl.type of every signature is set
// before bodies are checked (Error type when it could not be resolved).
#include "parse/parser.h"
#include "sema/check.h"
#include "sema/prelude.h"
#include <algorithm>

namespace lang::sema {

extern const struct PrimName { const char* n; TypeKind k; } kPrimNames[19];

Sema::Sema(Compilation& comp) : c(comp), T(comp.types), diag(comp.diag), arena(comp.arena) {
    root_ = new NsInfo();
    root_->decl = arena.make<NamespaceDecl>();
    root_->decl->kind = DeclKind::Namespace;
    namespaces_.push_back(root_);
    ns_by_decl_[root_->decl] = root_;
    Interner& in = c.interner;
    id_console = in.intern("Console");
    id_error = in.intern("Error");
    id_write = in.intern("Write");
    id_writeline = in.intern("WriteLine");
    id_assert = in.intern("assert");
    id_assert_eq = in.intern("assert_eq");
    id_assert_ne = in.intern("assert_ne");
    id_assert_fails = in.intern("assert_fails");
    id_panic = in.intern("panic");
    id_length = in.intern("Length");
    id_bytelength = in.intern("ByteLength");
    id_main = in.intern("Main");
    id_program = in.intern("Program");
    id_underscore = in.intern("_");
    for (int i = 0; i < 19; i++) {
        prim_ids_[i] = in.intern(kPrimNames[i].n);
        prim_kinds_[i] = kPrimNames[i].k;
    }
}

int32_t Sema::sym_find(const void* scope, Ident name) const {
    return name ? syms_.find(scope, name.raw()) : -1;
}

void Sema::sym_add(const void* scope, Decl* d) {
    if (!d->name) return;
    int32_t i = syms_.find(scope, d->name.raw());
    if (i < 0) {
        syms_.insert(scope, d->name.raw(), (int32_t)sym_list_.size());
        sym_list_.push_back(Sym{d, -1});
        return;
    }
    Decl* first = sym_list_[i].decl;
    // File-private top-level declarations of different files do not clash.
    bool separate = true;
    if (d->parent || (d->mods & M_PUBLIC)) separate = false;
    for (int32_t k = i; k >= 0 && separate; k = sym_list_[k].next) {
        Decl* o = sym_list_[k].decl;
        if (o->parent || (o->mods & M_PUBLIC) || o->span.file == d->span.file || o->kind == DeclKind::Namespace)
            separate = false;
    }
    if (separate || (d->kind == DeclKind::Func && first->kind == DeclKind::Func)) {
        while (sym_list_[i].next >= 0) i = sym_list_[i].next;
        sym_list_[i].next = (int32_t)sym_list_.size();
        sym_list_.push_back(Sym{d, -1});
        return;
    }
    diag.error(d->name_span, "duplicate definition of '%s'", d->name.c_str());
    diag.note(first->name_span, "'%s' is first defined here", first->name.c_str());
}

NsInfo* Sema::ns_of(Decl* d) {
    auto it = ns_by_decl_.find(d);
    return it == ns_by_decl_.end() ? nullptr : it->second;
}

NsInfo* Sema::ns_get(const ArenaVec<Ident>& path, uint32_t n, Span span) {
    NsInfo* cur = root_;
    for (uint32_t i = 0; i < n; i++) {
        int32_t s = sym_find(cur, path[i]);
        NsInfo* next = nullptr;
        if (s >= 0) {
            next = ns_of(sym_list_[s].decl);
            if (!next) {
                diag.error(span, "'%s' is already defined and is not a namespace", path[i].c_str());
                return cur;
            }
        } else {
            next = new NsInfo();
            next->parent = cur;
            next->path = cur->path.empty() ? std::string(path[i].view())
                                           : cur->path + "." + std::string(path[i].view());
            NamespaceDecl* nd = arena.make<NamespaceDecl>();
            nd->kind = DeclKind::Namespace;
            nd->name = path[i];
            nd->span = nd->name_span = span;
            nd->mods = M_PUBLIC;
            for (uint32_t k = 0; k <= i; k++) nd->path.push(arena, path[k]);
            next->decl = nd;
            namespaces_.push_back(next);
            ns_by_decl_[nd] = next;
            sym_add(cur, nd);
        }
        cur = next;
    }
    return cur;
}

// Registers a type declaration and, recursively, its members. A generic type is only a
// template (its instances are registered when made, sema/generics.cpp).
void collect_type(Sema& s, TypeDecl* td, uint32_t file) {
    TypeKind k = td->tkind == TypeDeclKind::Struct ? TypeKind::Struct
               : td->tkind == TypeDeclKind::Enum ? TypeKind::Enum
               : td->tkind == TypeDeclKind::Interface ? TypeKind::Interface : TypeKind::Class;
    td->type = s.T.nominal(k, td);
    if (!td->type_params.empty()) {
        s.check_tparam_names(td->type_params);
        return;
    }
    s.types_.push_back({td, file});
    for (Decl* m : td->members) {
        if (!m) continue;
        m->parent = td;
        if (m->kind == DeclKind::Func) {
            FuncDecl* f = static_cast<FuncDecl*>(m);
            if (!f->type_params.empty()) s.bind_template_params(f, f->type_params);
            s.funcs_.push_back({f, td, file});
            if (f->fkind == FuncKind::Constructor || f->fkind == FuncKind::Destructor) continue;
            s.sym_add(td, m);
        } else if (m->kind == DeclKind::Type) {
            s.sym_add(td, m);
            collect_type(s, static_cast<TypeDecl*>(m), file);
        } else if (m->kind == DeclKind::Field || m->kind == DeclKind::EnumCase) {
            s.sym_add(td, m);
        }
    }
}

// The declarations a type holds, nested types' included (to size the tables up front).
static size_t count_members(const TypeDecl* td) {
    size_t n = td->members.size;
    for (const Decl* m : td->members)
        if (m && m->kind == DeclKind::Type) n += count_members(static_cast<const TypeDecl*>(m));
    return n;
}

static std::string dir_of(const std::string& p) {
    size_t k = p.find_last_of('/');
    return k == std::string::npos ? std::string() : p.substr(0, k);
}

void Sema::declare_all() {
    // The program's folder: the shortest directory among the files.
    std::string root_dir;
    bool first = true;
    for (FileAst* f : c.files) {
        if (!f || is_prelude_path(c.sources.file(f->file_id).path)) continue;
        std::string d = dir_of(c.sources.file(f->file_id).path);
        if (first || d.size() < root_dir.size()) root_dir = d;
        first = false;
    }
    files_.reserve(c.files.size());
    for (FileAst* f : c.files) {
        if (!f) continue;
        files_.push_back(FileCtx{});
        FileCtx& fc = files_.back();
        fc.ast = f;
        const std::string& path = c.sources.file(f->file_id).path;
        size_t slash = path.find_last_of('/');
        fc.base_name = slash == std::string::npos ? path : path.substr(slash + 1);
        if (is_prelude_path(path)) {
            fc.ns = root_; // the compiler's own source: root namespace
        } else if (!f->ns_path.empty()) {
            fc.ns = ns_get(f->ns_path, f->ns_path.size, f->ns_span);
        } else {
            // Default namespace: the sub-folder path below the program's folder.
            std::string d = dir_of(path);
            ArenaVec<Ident> segs;
            if (d.size() > root_dir.size() && d.compare(0, root_dir.size(), root_dir) == 0) {
                std::string rel = d.substr(root_dir.size());
                size_t b = 0;
                while (b < rel.size()) {
                    while (b < rel.size() && rel[b] == '/') b++;
                    size_t e = rel.find('/', b);
                    if (e == std::string::npos) e = rel.size();
                    if (e > b) segs.push(arena, c.interner.intern(std::string_view(rel).substr(b, e - b)));
                    b = e;
                }
            }
            fc.ns = ns_get(segs, segs.size, Span{f->file_id, 0, 0});
        }
    }
    size_t ndecls = 0;
    for (const FileCtx& fc : files_)
        for (const Decl* d : fc.ast->decls)
            if (d) ndecls += 1 + (d->kind == DeclKind::Type ? count_members(static_cast<const TypeDecl*>(d)) : 0);
    syms_.reserve(ndecls);
    sym_list_.reserve(ndecls);
    funcs_.reserve(ndecls);
    for (uint32_t fi = 0; fi < files_.size(); fi++) {
        FileCtx& fc = files_[fi];
        for (Decl*& d : fc.ast->decls) {
            if (!d) continue;
            switch (d->kind) {
            case DeclKind::Type:
                sym_add(fc.ns, d);
                collect_type(*this, static_cast<TypeDecl*>(d), fi);
                break;
            case DeclKind::Func:
                sym_add(fc.ns, d);
                if (!static_cast<FuncDecl*>(d)->type_params.empty())
                    bind_template_params(d, static_cast<FuncDecl*>(d)->type_params);
                funcs_.push_back({static_cast<FuncDecl*>(d), nullptr, fi});
                break;
            case DeclKind::Test: // only `lang test` compiles them; other builds ignore them
                if (c.opts.test_build) d = declare_test(static_cast<TestDecl*>(d), fi); // tests.cpp
                break;
            case DeclKind::ExternBlock: // ffi.cpp: its functions join the namespace
                for (FuncDecl* f : static_cast<ExternBlockDecl*>(d)->funcs) {
                    if (!f) continue;
                    f->mods |= d->mods & M_PUBLIC; // `public extern "C" { ... }`
                    sym_add(fc.ns, f);
                    funcs_.push_back({f, nullptr, fi});
                }
                check_extern_block(static_cast<ExternBlockDecl*>(d));
                break;
            case DeclKind::Local:
                sym_add(fc.ns, d);
                globals_.push_back({static_cast<LocalDecl*>(d), fi});
                break;
            default: diag.error(d->span, "this declaration is not supported yet"); break;
            }
        }
    }
}

void Sema::resolve_imports() {
    for (FileCtx& fc : files_) {
        for (ImportDecl* im : fc.ast->imports) {
            if (!im || im->path.empty()) continue;
            if (im->alias.empty() && is_prelude_import(im->path)) continue; // collections_prelude.cpp
            NsInfo* cur = root_;
            bool ok = true;
            // `import C = Std.Collections;`: C names the root namespace, where the prelude's
            // List, Dict and Set are (C.List<int>).
            for (uint32_t i = 0; i < im->path.size && ok && !is_prelude_import(im->path); i++) {
                int32_t s = sym_find(cur, im->path[i]);
                NsInfo* nx = s >= 0 ? ns_of(sym_list_[s].decl) : nullptr;
                if (!nx) ok = false;
                else cur = nx;
            }
            if (!ok) {
                std::string p;
                for (uint32_t i = 0; i < im->path.size; i++) {
                    if (i) p += ".";
                    p += im->path[i].view();
                }
                diag.error(im->span, "unknown namespace '%s'", p.c_str());
                continue;
            }
            Import imp;
            imp.ns = cur;
            imp.open = im->alias.empty();
            imp.name = im->alias.empty() ? im->path[im->path.size - 1] : im->alias;
            imp.span = im->span;
            imp.sym = (int32_t)sym_list_.size();
            sym_list_.push_back(Sym{cur->decl, -1});
            fc.imports.push_back(imp);
        }
    }
}

int32_t Sema::lookup_in_types(Ident name) {
    for (size_t i = type_stack_.size(); i-- > 0;) {
        int32_t s = lookup_member(type_stack_[i], name);
        if (s >= 0) return s;
    }
    return -1;
}

int32_t Sema::lookup_global(Ident name, Span span, bool* ambiguous) {
    if (ambiguous) *ambiguous = false;
    if (!file_) return -1;
    int32_t hidden = -1; // a file-private declaration of another file
    for (NsInfo* ns = file_->ns; ns; ns = ns->parent) {
        int32_t s = sym_find(ns, name);
        if (s < 0) continue;
        int32_t v = first_visible(s);
        if (visible(sym_list_[v].decl)) return v;
        if (hidden < 0) hidden = v;
    }
    for (Import& im : file_->imports) {
        if (im.name == name) return im.sym;
    }
    int32_t found = -1;
    NsInfo* found_ns = nullptr;
    for (Import& im : file_->imports) {
        if (!im.open) continue;
        int32_t s = sym_find(im.ns, name);
        if (s < 0) continue;
        s = first_visible(s);
        if (!visible(sym_list_[s].decl)) {
            if (hidden < 0) hidden = s;
            continue;
        }
        if (found >= 0 && found_ns != im.ns) {
            diag.error(span, "'%s' is ambiguous: it is defined in both '%s' and '%s'", name.c_str(),
                       found_ns->path.c_str(), im.ns->path.c_str());
            if (ambiguous) *ambiguous = true;
            return found;
        }
        found = s;
        found_ns = im.ns;
    }
    if (found < 0 && hidden < 0 && prelude_) found = sym_find(prelude_, name); // reflect.cpp
    return found >= 0 ? found : hidden;
}

bool Sema::visible(const Decl* d) const {
    return d->parent || (d->mods & M_PUBLIC) || d->kind == DeclKind::Namespace || !file_ ||
           d->span.file == file_->ast->file_id;
}

int32_t Sema::first_visible(int32_t s) const {
    for (int32_t i = s; i >= 0; i = sym_list_[i].next)
        if (visible(sym_list_[i].decl)) return i;
    return s;
}

TypeDecl* Sema::base_of(const TypeDecl* td) const {
    if (!td || td->tkind != TypeDeclKind::Class || td->bases.empty()) return nullptr;
    TypeExpr* b = td->bases[0];
    if (!b || !b->resolved || b->resolved->kind != TypeKind::Class) return nullptr;
    return b->resolved->decl;
}

bool Sema::derives(const TypeDecl* d, const TypeDecl* b) const {
    if (b && b->tkind == TypeDeclKind::Interface) return implements(d, b);
    for (int guard = 0; d && guard < 10000; d = base_of(d), guard++)
        if (d == b) return true;
    return false;
}

// Interfaces a class or interface implements: the ones listed after ':', the ones they
// extend, and (for a class) those of its base classes. Depth-limited against cycles
// (reported by check_inheritance).
void Sema::interfaces_of(const TypeDecl* td, std::vector<TypeDecl*>& out, int depth) const {
    if (!td || depth > 64) return;
    for (TypeExpr* b : td->bases) {
        if (!b || !b->resolved || !b->resolved->decl) continue;
        TypeDecl* bd = b->resolved->decl;
        if (b->resolved->kind == TypeKind::Interface) {
            if (std::find(out.begin(), out.end(), bd) != out.end()) continue; // each once
            out.push_back(bd);
            interfaces_of(bd, out, depth + 1);
        } else if (b->resolved->kind == TypeKind::Class && td->tkind == TypeDeclKind::Class) {
            interfaces_of(bd, out, depth + 1);
        }
    }
}

bool Sema::implements(const TypeDecl* d, const TypeDecl* iface) const {
    if (!d || !iface || iface->tkind != TypeDeclKind::Interface) return false;
    if (d == iface) return true;
    std::vector<TypeDecl*> all;
    interfaces_of(d, all);
    return std::find(all.begin(), all.end(), iface) != all.end();
}

int32_t Sema::lookup_member(TypeDecl* td, Ident name) const {
    TypeDecl* start = td;
    for (int guard = 0; td && guard < 10000; td = base_of(td), guard++) {
        int32_t s = sym_find(td, name);
        if (s >= 0) return s;
    }
    // Then the interfaces (an interface's own members were searched above): a class or
    // struct value can call a default method it does not replace (a struct is boxed for
    // the call, lower_call.cpp); interfaces see the methods of the interfaces they extend.
    if (start && (start->tkind == TypeDeclKind::Class || start->tkind == TypeDeclKind::Struct ||
                  start->tkind == TypeDeclKind::Interface)) {
        std::vector<TypeDecl*> all;
        interfaces_of(start, all);
        for (TypeDecl* i : all) {
            int32_t s = sym_find(i, name);
            if (s >= 0) return s;
        }
    }
    return -1;
}

static bool same_param_list(const FuncDecl* a, const FuncDecl* b) {
    if (!a->type || !b->type || a->type->count != b->type->count) return false;
    for (uint32_t i = 0; i < a->type->count; i++)
        if (a->type->elems[i] != b->type->elems[i]) return false;
    return true;
}

TypeDecl* Sema::base_without_default_ctor(const TypeDecl* td) const {
    int guard = 0;
    for (TypeDecl* b = base_of(td); b && guard < 10000; b = base_of(b), guard++) {
        bool any = false;
        for (Decl* m : b->members) {
            if (!m || m->kind != DeclKind::Func || static_cast<FuncDecl*>(m)->fkind != FuncKind::Constructor) continue;
            any = true;
            if (static_cast<FuncDecl*>(m)->params.size == 0) return nullptr;
        }
        if (any) return b;
    }
    return nullptr;
}

// Base-class cycles, virtual/override/abstract rules. Runs after the signatures.
void Sema::check_inheritance() {
    for (size_t ti = t_from_; ti < t_end(); ti++) {
        TypeEntry te = types_[ti];
        TypeDecl* td = te.td;
        // A cycle (A : B, B : A) is cut at the class that closes it, and so is a chain of
        // base classes longer than the nesting limit (doc/language/spec.md 1.6; walks over
        // the bases stay bounded, and this loop linear in the number of classes).
        const TypeDecl* d = base_of(td);
        for (size_t n = 0; d && n <= types_.size(); n++, d = base_of(d)) {
            if (d == td) {
                diag.error(td->bases[0]->span, "class '%s' inherits from itself", td->name.c_str());
                td->bases[0]->resolved = err();
                break;
            }
            if (n + 1 >= (size_t)kMaxParseDepth) {
                if (!layout_too_deep_)
                    diag.error(td->bases[0]->span, "class '%s' has too many base classes (the limit is %d)",
                               td->name.c_str(), kMaxParseDepth - 1);
                layout_too_deep_ = true;
                td->bases[0]->resolved = err();
                break;
            }
        }
    }
    for (size_t ti = t_from_; ti < t_end(); ti++) {
        TypeEntry te = types_[ti];
        // An interface cycle (I : J, J : I) is cut at the interface that closes it.
        TypeDecl* td = te.td;
        if (td->tkind != TypeDeclKind::Interface) continue;
        for (TypeExpr* b : td->bases) {
            if (!b || !b->resolved || b->resolved->kind != TypeKind::Interface) continue;
            if (implements(b->resolved->decl, td)) {
                diag.error(b->span, "interface '%s' extends itself", td->name.c_str());
                b->resolved = err();
            }
        }
    }
    for (size_t ti = t_from_; ti < t_end(); ti++) {
        TypeEntry te = types_[ti];
        TypeDecl* td = te.td;
        file_ = &files_[te.file];
        if (td->tkind == TypeDeclKind::Class || td->tkind == TypeDeclKind::Struct) check_interfaces(td);
        bool is_abstract_class = (td->mods & M_ABSTRACT) != 0;
        if (TypeDecl* b = base_of(td); b && (b->mods & M_SEALED))
            diag.error(td->bases[0]->span, "class '%s' cannot derive from the sealed class '%s'", td->name.c_str(),
                       b->name.c_str());
        // A class without constructors runs its base's parameterless one.
        bool has_ctor = false;
        for (Decl* m : td->members)
            if (m && m->kind == DeclKind::Func && static_cast<FuncDecl*>(m)->fkind == FuncKind::Constructor)
                has_ctor = true;
        if (td->tkind == TypeDeclKind::Class && !has_ctor)
            if (TypeDecl* b = base_without_default_ctor(td))
                diag.error(td->name_span, "class '%s' needs a constructor calling ': base(...)': '%s' has no parameterless constructor",
                           td->name.c_str(), b->name.c_str());
        for (Decl* m : td->members) {
            if (!m || m->kind != DeclKind::Func) continue;
            auto* f = static_cast<FuncDecl*>(m);
            uint32_t vm = f->mods & (M_VIRTUAL | M_OVERRIDE | M_ABSTRACT);
            if (!(vm & M_OVERRIDE)) {
                // Same signature as a virtual method of a base: must say `override`
                // (also when it says `virtual` or `abstract`).
                if (f->fkind == FuncKind::Method || f->fkind == FuncKind::Function)
                    for (TypeDecl* b = base_of(td); b; b = base_of(b)) {
                        int32_t s = sym_find(b, f->name);
                        for (int32_t i = s; i >= 0; i = sym_list_[i].next) {
                            Decl* o = sym_list_[i].decl;
                            if (o->kind == DeclKind::Func && (o->mods & (M_VIRTUAL | M_OVERRIDE | M_ABSTRACT)) &&
                                same_param_list(static_cast<FuncDecl*>(o), f) && !(f->mods & M_STATIC)) {
                                diag.error(f->name_span, "'%s' hides the virtual method of '%s': add 'override'",
                                           f->name.c_str(), b->name.c_str());
                                b = nullptr;
                                break;
                            }
                        }
                        if (!b) break;
                    }
                if (!vm) continue;
            }
            if (td->tkind != TypeDeclKind::Class) {
                diag.error(f->name_span, "only class methods can be virtual, override or abstract");
                continue;
            }
            if (f->mods & M_STATIC) {
                diag.error(f->name_span, "a static method cannot be virtual, override or abstract");
                continue;
            }
            if ((f->mods & M_ABSTRACT) && (f->body || f->body_expr))
                diag.error(f->name_span, "abstract method '%s' cannot have a body", f->name.c_str());
            if ((f->mods & M_ABSTRACT) && !is_abstract_class)
                diag.error(f->name_span, "class '%s' has the abstract method '%s', so it must be 'abstract'",
                           td->name.c_str(), f->name.c_str());
            if (f->mods & M_OVERRIDE) {
                FuncDecl* over = nullptr;
                for (TypeDecl* b = base_of(td); b && !over; b = base_of(b))
                    for (int32_t i = sym_find(b, f->name); i >= 0 && !over; i = sym_list_[i].next) {
                        Decl* o = sym_list_[i].decl;
                        if (o->kind == DeclKind::Func && (o->mods & (M_VIRTUAL | M_OVERRIDE | M_ABSTRACT)) &&
                            same_param_list(static_cast<FuncDecl*>(o), f))
                            over = static_cast<FuncDecl*>(o);
                    }
                if (!over)
                    diag.error(f->name_span, "'%s' overrides nothing: no virtual method '%s' with these parameter types in a base class",
                               f->name.c_str(), f->name.c_str());
                else if (over->type && f->type && over->type->elem != f->type->elem)
                    diag.error(f->name_span, "'%s' must return %s like the method it overrides", f->name.c_str(),
                               tn(over->type->elem).c_str());
            }
        }
        // A concrete class must override every abstract method it inherits.
        if (td->tkind == TypeDeclKind::Class && !is_abstract_class) {
            for (TypeDecl* b = base_of(td); b; b = base_of(b)) {
                for (Decl* m : b->members) {
                    if (!m || m->kind != DeclKind::Func || !(m->mods & M_ABSTRACT)) continue;
                    auto* af = static_cast<FuncDecl*>(m);
                    bool done = false;
                    for (TypeDecl* c = td; c && c != b && !done; c = base_of(c))
                        for (int32_t i = sym_find(c, af->name); i >= 0 && !done; i = sym_list_[i].next) {
                            Decl* o = sym_list_[i].decl;
                            if (o->kind == DeclKind::Func && (o->mods & M_OVERRIDE) &&
                                same_param_list(static_cast<FuncDecl*>(o), af))
                                done = true;
                        }
                    if (!done)
                        diag.error(td->name_span, "class '%s' does not implement the abstract method '%s.%s'",
                                   td->name.c_str(), b->name.c_str(), af->name.c_str());
                }
            }
        }
    }
}

static bool same_modes(const FuncDecl* a, const FuncDecl* b) {
    if (a->params.size != b->params.size) return false;
    for (uint32_t i = 0; i < a->params.size; i++)
        if (a->params[i] && b->params[i] && a->params[i]->mode != b->params[i]->mode) return false;
    return true;
}

// Every method of every interface td implements needs an implementation in td or a
// base class (same name and parameter types; the result must match too), unless the
// interface gives a default body or td is abstract.
void Sema::check_interfaces(TypeDecl* td) {
    std::vector<TypeDecl*> ifs;
    interfaces_of(td, ifs);
    bool is_abstract_class = (td->mods & M_ABSTRACT) != 0;
    for (TypeDecl* iface : ifs) {
        for (Decl* m : iface->members) {
            if (!m || m->kind != DeclKind::Func || (m->mods & M_STATIC)) continue;
            auto* im = static_cast<FuncDecl*>(m);
            if (im->fkind != FuncKind::Method && im->fkind != FuncKind::Function) continue;
            FuncDecl* impl = nullptr;
            FuncDecl* same_name = nullptr;
            for (TypeDecl* c = td; c && !impl; c = base_of(c))
                for (int32_t i = sym_find(c, im->name); i >= 0 && !impl; i = sym_list_[i].next) {
                    Decl* o = sym_list_[i].decl;
                    if (o->kind != DeclKind::Func || (o->mods & M_STATIC)) continue;
                    auto* of = static_cast<FuncDecl*>(o);
                    if (same_param_list(of, im)) impl = of;
                    else if (!same_name) same_name = of;
                }
            Span at = td->name_span;
            if (impl) {
                if (impl->parent == td) at = impl->name_span;
                if (impl->type && im->type && impl->type->elem != im->type->elem && !is_error(impl->type->elem) &&
                    !is_error(im->type->elem))
                    diag.error(at, "'%s.%s' must return %s to implement '%s.%s', not %s", td->name.c_str(),
                               im->name.c_str(), tn(im->type->elem).c_str(), iface->name.c_str(), im->name.c_str(),
                               tn(impl->type->elem).c_str());
                else if (!same_modes(impl, im))
                    diag.error(at, "'%s.%s' must declare its parameters 'ref'/'own' like '%s.%s'", td->name.c_str(),
                               im->name.c_str(), iface->name.c_str(), im->name.c_str());
                else if ((impl->mods & M_MUT) && !(im->mods & M_MUT))
                    diag.error(at, "'%s.%s' is 'mut' but '%s.%s' is not: declare it 'mut' in the interface too",
                               td->name.c_str(), im->name.c_str(), iface->name.c_str(), im->name.c_str());
                continue;
            }
            if (im->body || im->body_expr || is_abstract_class) continue;
            if (same_name) {
                if (same_name->parent == td) at = same_name->name_span;
                diag.error(at, "%s '%s' does not implement '%s.%s': the parameter types of '%s.%s' differ (the interface wants %s)",
                           tkind_word(td), td->name.c_str(), iface->name.c_str(), im->name.c_str(),
                           static_cast<TypeDecl*>(same_name->parent)->name.c_str(), im->name.c_str(),
                           tn(im->type).c_str());
            } else {
                diag.error(at, "%s '%s' does not implement the interface method '%s.%s'", tkind_word(td), td->name.c_str(),
                           iface->name.c_str(), im->name.c_str());
            }
        }
    }
}

bool Sema::inside_type(TypeDecl* td) const {
    for (TypeDecl* t : type_stack_)
        for (Decl* p = t; p; p = p->parent)
            if (p == td) return true;
    return false;
}

const char* Sema::tkind_word(TypeDecl* td) const {
    switch (td->tkind) {
    case TypeDeclKind::Class: return "class";
    case TypeDeclKind::Struct: return "struct";
    case TypeDeclKind::Interface: return "interface";
    case TypeDeclKind::Enum: return "enum";
    }
    return "type";
}

bool Sema::check_access(Decl* d, Span span) {
    if (!d || d->kind == DeclKind::Namespace || d->kind == DeclKind::Param) return true;
    if (d->kind == DeclKind::Local && d->parent) return true; // (only globals get here)
    if (!d->parent) {
        if ((d->mods & M_PUBLIC) || !file_ || d->span.file == file_->ast->file_id) return true;
        std::string base = c.sources.file(d->span.file).path;
        size_t k = base.find_last_of('/');
        if (k != std::string::npos) base = base.substr(k + 1);
        diag.error(span, "'%s' is private to file %s", d->name.c_str(), base.c_str());
        return false;
    }
    TypeDecl* owner = static_cast<TypeDecl*>(d->parent);
    if (d->kind == DeclKind::EnumCase) return true;
    if (owner->tkind == TypeDeclKind::Interface) return true; // interface members are public
    bool is_public = (d->mods & M_PUBLIC) != 0;
    if (d->kind == DeclKind::Func && static_cast<FuncDecl*>(d)->fkind == FuncKind::Constructor)
        is_public = !(d->mods & M_PRIVATE);
    if (is_public || inside_type(owner)) return true;
    if (d->mods & M_PROTECTED)
        for (TypeDecl* t : type_stack_)
            if (derives(t, owner)) return true;
    if (d->mods & M_PROTECTED)
        diag.error(span, "'%s' is protected in %s %s", d->name.c_str(), tkind_word(owner), owner->name.c_str());
    else
        diag.error(span, "'%s' is private to %s %s", d->name.c_str(), tkind_word(owner), owner->name.c_str());
    return false;
}

const PrimName kPrimNames[19] = {
    {"int", TypeKind::I64}, {"i64", TypeKind::I64}, {"i32", TypeKind::I32},
    {"i16", TypeKind::I16}, {"i8", TypeKind::I8}, {"byte", TypeKind::U8},
    {"u8", TypeKind::U8}, {"u16", TypeKind::U16}, {"u32", TypeKind::U32},
    {"u64", TypeKind::U64}, {"float", TypeKind::F64}, {"f64", TypeKind::F64},
    {"double", TypeKind::F64}, {"f32", TypeKind::F32}, {"bool", TypeKind::Bool},
    {"char", TypeKind::Char}, {"string", TypeKind::String}, {"void", TypeKind::Void},
    {"cstring", TypeKind::CString},
};

static bool prim_kind(const Sema& s, Ident id, TypeKind* k) {
    for (int i = 0; i < 19; i++)
        if (s.prim_ids_[i] == id) { *k = s.prim_kinds_[i]; return true; }
    return false;
}

const Type* Sema::resolve_type(TypeExpr* te) {
    if (!te) return err();
    if (te->resolved) return te->resolved;
    const Type* r = err();
    switch (te->kind) {
    case TypeExprKind::Named: {
        if (te->path.empty()) break;
        TypeKind pk;
        bool prim = te->path.size == 1 && prim_kind(*this, te->path[0], &pk);
        // Most named types are primitives, and none of the names below is one: they are
        // tried for other names, or when a type parameter in scope may have a primitive's.
        if (!prim || !tbind_.empty()) {
            if (const Type* ct = resolve_conc_type(te)) { r = ct; break; } // check_concurrency.cpp
            if (te->path.size == 1 && te->args.empty() && !tbind_.empty())
                if (const Type* bound = lookup_tparam(te->path[0])) { r = bound; break; } // generics.cpp
            if (const Type* rt = resolve_reflect_type(te)) { r = rt; break; } // reflect.cpp
            if (const Type* st = resolve_text_type(te)) { r = st; break; } // check_text.cpp: StringBuilder
        }
        if (prim) {
            if (pk == TypeKind::CString && !c_types_ok_) {
                diag.error(te->span, "'cstring' is only for the parameters of extern \"C\" functions (a string converts to it at the call)");
                break;
            }
            r = T.prim(pk);
            break;
        }
        // First segment: enclosing types, then namespace-level lookup.
        int32_t s = lookup_in_types(te->path[0]);
        if (s < 0) s = lookup_global(te->path[0], te->span, nullptr);
        if (s < 0) {
            if (te->path[0] == "IComparable") // C#'s, which the library does not declare
                diag.error(te->span, "unknown type 'IComparable': declare it ('interface IComparable<T> { int "
                                     "CompareTo(T other); }', spec 4.11), or compare any two values with "
                                     "compare(a, b)");
            else
                diag.error(te->span, "unknown type '%s'", te->path[0].c_str());
            break;
        }
        Decl* d = sym_list_[s].decl;
        bool ok = true;
        for (uint32_t i = 1; i < te->path.size && ok; i++) {
            int32_t m = -1;
            if (NsInfo* ns = ns_of(d)) {
                m = sym_find(ns, te->path[i]);
                if (m >= 0) m = first_visible(m);
            }
            else if (d->kind == DeclKind::Type) m = lookup_member(static_cast<TypeDecl*>(d), te->path[i]);
            if (m < 0) {
                diag.error(te->span, "unknown type '%s' in '%s'", te->path[i].c_str(), d->name.c_str());
                ok = false;
                break;
            }
            if (!check_access(d, te->span)) ok = false;
            d = sym_list_[m].decl;
        }
        if (!ok) break;
        if (d->kind != DeclKind::Type) {
            diag.error(te->span, "'%s' is not a type", d->name.c_str());
            break;
        }
        check_access(d, te->span);
        r = d->type ? d->type : err();
        if (auto* gd = static_cast<TypeDecl*>(d); !gd->type_params.empty() || !te->args.empty()) {
            // A generic type: `Stack<int>` names the instance (generics.cpp).
            if (gd->type_params.size != te->args.size) {
                if (gd->type_params.empty())
                    diag.error(te->span, "'%s' is not generic", gd->name.c_str());
                else
                    diag.error(te->span, "generic type '%s' needs %u type argument%s, found %u", gd->name.c_str(),
                               gd->type_params.size, gd->type_params.size == 1 ? "" : "s", te->args.size);
                r = err();
                break;
            }
            std::vector<const Type*> args;
            for (TypeExpr* a : te->args) {
                const Type* at = resolve_type(a);
                if (at->kind == TypeKind::Void) {
                    diag.error(a->span, "a type argument cannot be void");
                    at = err();
                }
                args.push_back(at);
            }
            r = instantiate_type(gd, args, te->span);
        }
        break;
    }
    case TypeExprKind::Array: {
        const Type* e = resolve_type(te->elem);
        if (e->kind == TypeKind::Void) {
            diag.error(te->span, "arrays of void are not allowed");
            break;
        }
        r = is_error(e) ? err() : T.array(e);
        break;
    }
    case TypeExprKind::Nullable: {
        const Type* e = resolve_type(te->elem);
        if (e->kind == TypeKind::Void) {
            diag.error(te->span, "'void?' is not a type");
            break;
        }
        r = is_error(e) ? err() : e->kind == TypeKind::Nullable ? e : T.nullable(e);
        break;
    }
    case TypeExprKind::Tuple: {
        std::vector<const Type*> el;
        bool bad = false;
        for (TypeExpr* a : te->args) {
            const Type* t = resolve_type(a);
            if (is_error(t)) bad = true;
            if (t->kind == TypeKind::Void) {
                diag.error(a ? a->span : te->span, "a tuple element cannot be void");
                bad = true;
            }
            el.push_back(t);
        }
        if (el.size() < 2 && !bad) {
            diag.error(te->span, "a tuple type needs at least two elements");
            bad = true;
        }
        r = bad ? err() : T.tuple(el.data(), (uint32_t)el.size());
        break;
    }
    case TypeExprKind::Fallible: {
        const Type* el = resolve_type(te->elem);
        if (is_error(el)) break;
        if (el->kind == TypeKind::Fallible) diag.error(te->span, "%s is already fallible: T!! is not a type", tn(el).c_str());
        else if (el->kind == TypeKind::Never) diag.error(te->span, "'!' needs a value type or void");
        else r = T.fallible(el);
        break;
    }
    case TypeExprKind::Pointer: { // pointers.cpp
        const Type* el = resolve_type(te->elem);
        if (is_error(el)) break;
        if (!pointee_ok(el)) {
            diag.error(te->span, "a pointer cannot point to %s: its target is void, bool, char, an integer or float type, "
                       "a pointer or a [C] struct", tn(el).c_str());
            break;
        }
        r = T.pointer(el);
        break;
    }
    case TypeExprKind::Func: r = resolve_func_type(te); break;
    }
    te->resolved = r;
    return r;
}

void Sema::enter_type(TypeDecl* td) {
    type_stack_.clear();
    for (Decl* p = td; p; p = p->parent) type_stack_.push_back(static_cast<TypeDecl*>(p));
    std::reverse(type_stack_.begin(), type_stack_.end());
}

void Sema::resolve_signatures() {
    for (size_t ti = t_from_; ti < t_end(); ti++) {
        TypeEntry te = types_[ti];
        file_ = &files_[te.file];
        TypeDecl* td = te.td;
        enter_type(td);
        if (!td->bases.empty() && td->tkind != TypeDeclKind::Enum) {
            for (uint32_t i = 0; i < td->bases.size; i++) {
                TypeExpr* b = td->bases[i];
                if (!b) continue;
                const Type* bt = resolve_type(b);
                if (is_error(bt)) continue;
                bool twice = false;
                for (uint32_t k = 0; k < i && !twice; k++)
                    twice = td->bases[k] && td->bases[k]->resolved == bt;
                if (twice) {
                    diag.error(b->span, "'%s' is listed twice", tn(bt).c_str());
                    b->resolved = err();
                } else if (td->tkind == TypeDeclKind::Interface) {
                    if (bt->kind != TypeKind::Interface) {
                        diag.error(b->span, "an interface can only extend interfaces, not %s", tn(bt).c_str());
                        b->resolved = err();
                    }
                } else if (bt->kind == TypeKind::Interface) {
                    if (td->tkind != TypeDeclKind::Class && td->tkind != TypeDeclKind::Struct) {
                        diag.error(b->span, "a %s cannot implement an interface yet", tkind_word(td));
                        b->resolved = err();
                    }
                } else if (td->tkind != TypeDeclKind::Class) {
                    diag.error(b->span, "a %s cannot have a base type", tkind_word(td));
                    b->resolved = err();
                } else if (i > 0) {
                    diag.error(b->span, "'%s' is not an interface: only the first type after ':' can be a base class",
                               tn(bt).c_str());
                    b->resolved = err();
                } else if (bt->kind != TypeKind::Class) {
                    diag.error(b->span, "'%s' cannot be a base class (only classes can)", tn(bt).c_str());
                    b->resolved = err();
                }
            }
        }
        uint32_t field_index = 0;
        for (Decl* m : td->members) {
            if (!m) continue;
            if (m->kind == DeclKind::Field) {
                FieldDecl* f = static_cast<FieldDecl*>(m);
                f->type = resolve_type(f->type_expr);
                f->index = (f->mods & M_STATIC) ? 0 : field_index++;
                if (f->type->kind == TypeKind::Void) {
                    diag.error(f->name_span, "field '%s' cannot have type void", f->name.c_str());
                    f->type = err();
                }

                if (td->tkind == TypeDeclKind::Enum)
                    diag.error(f->name_span, "fields in enums are not supported yet");
                if (td->tkind == TypeDeclKind::Interface) {
                    diag.error(f->name_span, "an interface cannot have fields ('%s')", f->name.c_str());
                    f->type = err();
                }
            }
        }
        check_gc_class(td); // gc_classes.cpp
        if (td->tkind == TypeDeclKind::Enum) {
            const Type* under = T.prim(TypeKind::I32);
            if (td->underlying) {
                const Type* u = resolve_type(td->underlying);
                if (!is_error(u) && !u->is_integer())
                    diag.error(td->underlying->span, "the underlying type of enum '%s' must be an integer type, not %s",
                               td->name.c_str(), tn(u).c_str());
                else if (!is_error(u)) under = u;
            } else if (td->bases.size == 1) {
                // The parser may give `enum E : u8` as a base type.
                const Type* u = resolve_type(td->bases[0]);
                if (!is_error(u) && !u->is_integer())
                    diag.error(td->bases[0]->span, "the underlying type of enum '%s' must be an integer type, not %s",
                               td->name.c_str(), tn(u).c_str());
                else if (!is_error(u)) under = u;
            }
            int64_t next = 0;
            fn_ = FnCtx{};
            for (Decl* m : td->members) {
                if (!m || m->kind != DeclKind::EnumCase) continue;
                EnumCaseDecl* ec = static_cast<EnumCaseDecl*>(m);
                ec->type = td->type;
                if (ec->value) {
                    expr(ec->value, under);
                    int64_t v;
                    if (const_int(ec->value, &v)) next = v;
                    else if (!is_error(ec->value->type))
                        diag.error(ec->value->span, "enum value must be an integer constant");
                }
                if (!fits(next < 0 ? 0 - (uint64_t)next : (uint64_t)next, next < 0, under))
                    diag.error(ec->value ? ec->value->span : ec->name_span, "enum value %lld does not fit in %s",
                               (long long)next, tn(under).c_str());
                ec->tag = next;
                next++;
                uint32_t pi = 0;
                for (ParamDecl* p : ec->payload) {
                    if (!p) continue;
                    p->type = resolve_type(p->type_expr);
                    if (!p->type_expr) p->type = err();
                    if (p->type->kind == TypeKind::Void) {
                        diag.error(p->span, "an enum payload cannot have type void");
                        p->type = err();
                    }
                    p->index = pi++;
                }
            }
        }
    }
    // Parameter types, one buffer for every signature of this call (not type_buf_:
    // resolving a parameter may make an instance, whose signatures this runs for again).
    std::vector<const Type*> ps;
    for (size_t fi = f_from_; fi < f_end(); fi++) {
        FuncEntry fe = funcs_[fi];
        file_ = &files_[fe.file];
        if (fe.owner) enter_type(fe.owner);
        else type_stack_.clear();
        FuncDecl* f = fe.fn;
        tp_fn_ = f; // its type parameters are in scope (generics.cpp)
        if (!f->type_params.empty() && (f->fkind == FuncKind::Constructor || f->fkind == FuncKind::Destructor))
            diag.error(f->name_span, "a %s cannot have type parameters",
                       f->fkind == FuncKind::Constructor ? "constructor" : "destructor");
        else if (!f->type_params.empty() &&
                 ((f->mods & (M_VIRTUAL | M_OVERRIDE | M_ABSTRACT)) || (fe.owner && fe.owner->tkind == TypeDeclKind::Interface)))
            diag.error(f->name_span, "a generic method cannot be virtual, abstract, an override or an interface method "
                       "(it has one copy per list of type arguments, not one table slot)");
        if (f->is_export)
            check_export_decl(f, fe.owner); // ffi.cpp
        else if (f->fkind == FuncKind::Extern)
            check_extern_decl(f); // ffi.cpp

        if (f->mods & M_UNSAFE) diag.error(f->name_span, "unsafe functions are not supported yet");
        if (!fe.owner && (f->mods & M_MUT))
            diag.error(f->name_span, "only methods can be 'mut'");
        if (!fe.owner && (f->fkind == FuncKind::Constructor || f->fkind == FuncKind::Destructor))
            diag.error(f->name_span, "a %s must be declared inside a class or struct",
                       f->fkind == FuncKind::Constructor ? "constructor" : "destructor");
        if (fe.owner && fe.owner->tkind == TypeDeclKind::Enum)
            diag.error(f->name_span, "methods in enums are not supported yet");
        if (fe.owner && fe.owner->tkind == TypeDeclKind::Interface) {
            if (f->fkind == FuncKind::Constructor || f->fkind == FuncKind::Destructor)
                diag.error(f->name_span, "an interface cannot have a %s",
                           f->fkind == FuncKind::Constructor ? "constructor" : "destructor");
            else if (f->mods & M_STATIC)
                diag.error(f->name_span, "static methods in interfaces are not supported yet");
        }
        ps.clear();
        uint32_t pi = 0;
        c_types_ok_ = f->fkind == FuncKind::Extern; // cstring parameters (ffi.cpp)
        for (ParamDecl* p : f->params) {
            if (!p) { ps.push_back(err()); continue; }
            p->index = pi++;
            p->type = resolve_type(p->type_expr);
            if (!p->type_expr) p->type = err();
            if (p->type->kind == TypeKind::Void) {
                diag.error(p->name_span, "parameter '%s' cannot have type void", p->name.c_str());
                p->type = err();
            }
            if (p->default_value) check_default_param(f, p); // context.cpp: `= #caller`
            ps.push_back(p->type);
        }
        const Type* r = f->ret ? resolve_type(f->ret) : T.void_();
        c_types_ok_ = false;
        if (f->fkind == FuncKind::Constructor || f->fkind == FuncKind::Destructor) r = T.void_();
        f->type = T.func(ps.data(), (uint32_t)ps.size(), r);
        if (f->fkind == FuncKind::Extern) check_c_signature(f); // ffi.cpp
        if (f->is_export) check_export_signature(f); // ffi.cpp
        if (!f->body && !f->body_expr && f->fkind != FuncKind::Extern && !f->extern_abi &&
            !(fe.owner && fe.owner->tkind == TypeDeclKind::Interface) && !(f->mods & M_ABSTRACT))
            diag.error(f->name_span, "function '%s' has no body", f->name.c_str());
        tp_fn_ = nullptr;
    }
    type_stack_.clear();
}

static bool same_params(const FuncDecl* a, const FuncDecl* b) {
    if (!a->type || !b->type || a->type->count != b->type->count) return false;
    for (uint32_t i = 0; i < a->type->count; i++)
        if (a->type->elems[i] != b->type->elems[i]) return false;
    return true;
}

static void append_owner(std::string& out, Decl* td) {
    if (!td) return;
    append_owner(out, td->parent);
    out += td->name.view();
    out += '.';
}

// Mangled names: namespace path, enclosing types, then the name ("new"/"drop" for
// constructors/destructors). Overloads are numbered by declaration order within their
// scope: the symbol chain for methods and free functions, member order for constructors.
void Sema::mangle_all() {
    for (size_t fi = f_from_; fi < f_end(); fi++) {
        FuncEntry fe = funcs_[fi];
        FuncDecl* f = fe.fn;
        if (is_template_fn(f)) continue; // only its instances get symbols
        std::string& b = name_buf_;
        b.clear();
        const std::string& ns = files_[fe.file].ns->path;
        if (!ns.empty()) { b += ns; b += '.'; }
        append_owner(b, fe.owner);
        uint32_t nth = 0;
        FuncDecl* dup = nullptr;
        if (auto it = inst_info_.find(f); it != inst_info_.end()) {
            // An instance of a generic function: the template's name and overload number,
            // then the type arguments (its name says them: `Max<int>`).
            auto* g = static_cast<FuncDecl*>(it->second.generic);
            const void* scope = fe.owner ? (const void*)fe.owner : (const void*)files_[fe.file].ns;
            b += g->name.view();
            for (int32_t i = sym_find(scope, g->name); i >= 0 && sym_list_[i].decl != g; i = sym_list_[i].next) nth++;
            if (nth) { b += '#'; b += std::to_string(nth); }
            std::string_view full = f->name.view();
            b += full.substr(g->name.view().size());
            f->mangled = arena.copy_str(b.data(), b.size());
            continue;
        }
        if ((f->fkind == FuncKind::Constructor || f->fkind == FuncKind::Destructor) && !fe.owner) {
            // Reported in resolve_signatures; give it a harmless unique name.
            b += f->fkind == FuncKind::Constructor ? "new#" : "drop#";
            b += std::to_string((uintptr_t)f);
            f->mangled = arena.copy_str(b.data(), b.size());
            continue;
        }
        if (f->fkind == FuncKind::Constructor || f->fkind == FuncKind::Destructor) {
            b += f->fkind == FuncKind::Constructor ? "new" : "drop";
            for (Decl* m : fe.owner->members) {
                if (m == f) break;
                if (!m || m->kind != DeclKind::Func || static_cast<FuncDecl*>(m)->fkind != f->fkind) continue;
                if (f->fkind == FuncKind::Destructor && nth == 0)
                    diag.error(f->name_span, "a type can have only one destructor");
                if (!dup && same_params(static_cast<FuncDecl*>(m), f) && f->fkind == FuncKind::Constructor)
                    dup = static_cast<FuncDecl*>(m);
                nth++;
            }
        } else {
            b += f->name.view();
            const void* scope = fe.owner ? (const void*)fe.owner : (const void*)files_[fe.file].ns;
            for (int32_t i = sym_find(scope, f->name); i >= 0; i = sym_list_[i].next) {
                Decl* o = sym_list_[i].decl;
                if (o == f) break;
                if (o->kind != DeclKind::Func) continue;
                auto* of = static_cast<FuncDecl*>(o);
                bool separate = !o->parent && !f->parent && !(o->mods & M_PUBLIC) && !(f->mods & M_PUBLIC) &&
                                o->span.file != f->span.file;
                if (!dup && !separate && same_params(of, f)) dup = of;
                nth++;
            }
        }
        if (dup) {
            diag.error(f->name_span, "duplicate definition of '%s' with the same parameter types", f->name.c_str());
            diag.note(dup->name_span, "'%s' is first defined here", dup->name.c_str());
        }
        if (nth) { b += '#'; b += std::to_string(nth); }
        // A free function of the root namespace would have a C name (`write`, `main`,
        // `malloc`) and replace the C library's function for the whole program: its symbol
        // starts with '$', which no C name has (stack traces leave it out, x64/merge.cpp).
        if (!fe.owner && ns.empty() && !f->is_export && f->fkind != FuncKind::Extern) b.insert(b.begin(), '$');
        f->mangled = arena.copy_str(b.data(), b.size());
    }
}

} // namespace lang::sema
