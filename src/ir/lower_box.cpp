// lower_box.cpp: structs converted to interface values (boxing).
//
// A boxed struct is a heap object like a class instance: the 16-byte header (whose type
// info is the struct's own "S.$type", which then lists interface tables), then a copy of
// the struct. The struct's methods take `this` as a pointer to the struct itself, so each
// interface table slot implemented by a struct method points at a thunk "S.M$boxed" that
// moves `this` past the header and calls the method with every other argument unchanged.
// Default methods of the interface are called on the box itself (their `this` is the
// interface value). The thunks and tables are made only for structs that are boxed
// somewhere in the program, after every function is lowered.
#include "ir/lower_impl.h"

namespace lang::lower {

Inst* Lowerer::box_struct(Inst* v, const Type* t, const Type* iface) {
    TypeDecl* sd = t->decl;
    if (boxed_set_.insert(sd).second) boxed_.push_back(sd);
    use_extern("lang_obj_new");
    Inst* ti = emit(Op::addr, Ty::Ptr);
    ti->sym = typeinfo(sd);
    Inst* obj = call("lang_obj_new", Ty::Ptr,
                     {ctx, ti, iconst(Ty::I64, (LANG_ABI_OBJ_HEADER_SIZE + (int64_t)t->size + 7) / 8 * 8)});
    // The box owns the struct's parts: a new struct (or one moved out of a variable) hands
    // them over, a borrowed copy takes its own references to its strings (store_typed). The
    // box is a new object, dropped through the struct's hook ("S.$drop", lower_drop.cpp).
    store_typed(t, obj, LANG_ABI_OBJ_HEADER_SIZE, v);
    return own_value(obj, iface);
}

const char* Lowerer::box_thunk_symbol(FuncDecl* impl) {
    std::string name = std::string(func_symbol(impl)) + "$boxed";
    return m.arena.copy_str(name.data(), name.size());
}

// Starts a function named sym that forwards to impl (a thunk): impl's file and line.
ir::Func* Lowerer::begin_thunk(FuncDecl* impl, const char* sym) {
    ir::Func* fn = ir::new_func(m, sym);
    const char* file = file_of(impl);
    fn->source_file = file ? file : file_path;
    fdecl = impl;
    begin_func(fn);
    file_id = impl->span.file;
    set_line(impl->span);
    return fn;
}

void Lowerer::box_thunk(FuncDecl* impl) {
    ir::Func* fn = begin_thunk(impl, box_thunk_symbol(impl));
    const Type* rt = fn_result(impl);
    bool agg = is_agg(rt);
    std::vector<Inst*> args;
    ctx = add_param(Ty::Ptr);
    fn->has_ctx = true;
    args.push_back(ctx);
    if (agg) args.push_back(add_param(Ty::Ptr));
    args.push_back(ptr_add(add_param(Ty::Ptr), LANG_ABI_OBJ_HEADER_SIZE)); // the struct inside the box
    for (ParamDecl* p : impl->params)
        args.push_back(add_param(p->mode == ParamMode::Ref || is_agg(p->type) ? Ty::Ptr : ty(p->type)));
    fn->ret = agg ? Ty::Void : ty(rt);
    Inst* r = call_v(func_symbol(impl), fn->ret, args);
    ret(fn->ret == Ty::Void ? nullptr : r);
    finish_func();
}

void Lowerer::emit_box_thunks() {
    for (size_t i = 0; i < boxed_.size(); i++) {
        TypeDecl* sd = boxed_[i];
        for (Decl* d : sd->members) {
            if (d->kind != DeclKind::Func || (d->mods & M_STATIC)) continue;
            auto* fd = as<FuncDecl>(d);
            if (fd->fkind != FuncKind::Method || (!fd->body && !fd->body_expr) || !fd->type_params.empty()) continue;
            box_thunk(fd);
        }
    }
}

} // namespace lang::lower
