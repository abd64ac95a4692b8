// lower_drop_enum.cpp: drops and string retains of payload enums (spec 6, doc/lowering.md
// "Drops").
//
// A payload enum is a tag and a union of its cases' payloads, so what it owns depends on
// the tag at run time. Two glue functions per enum type, made after every function is
// lowered (emit_drop_glue):
//   "$drop.enum.N"   (ctx, addr)  drops the active case's payload: strings released,
//                                 objects and arrays dropped, structs, tuples and nested
//                                 enums part by part, boxed payloads (recursive enums,
//                                 lower_recenum.cpp) dropped and their box freed;
//   "$retain.enum.N" (ctx, addr)  retains the strings of the active case's unboxed payload
//                                 (a copy of a copy-type enum holds its own references, as
//                                 struct copies do: retain_parts, lower_own.cpp).
// A zeroed enum (what a move leaves in the variable it empties) drops nothing: the parts
// of tag 0's case are null.
//
// Deep structures: the drop of a recursive enum is a loop over its chain, not recursion.
// In each case, the last boxed payload whose type is the enum itself (a list's tail, a
// tree's right child) is not dropped by a call: the loop moves on to it after freeing the
// box it is leaving, so a list of any length and a tree that leans right cost one native
// frame. Every other boxed payload (a left child, a payload of another enum or of a
// struct holding the enum) is dropped by a recursive call: depth one frame per level of
// such links.
#include "ir/lower_impl.h"

namespace lang::lower {

const char* Lowerer::enum_glue(const Type* t, bool drop) {
    auto& syms = drop ? enum_drop_glue_ : enum_retain_glue_;
    auto it = syms.find(t);
    if (it != syms.end()) return it->second;
    std::string name = std::string(drop ? "$drop.enum." : "$retain.enum.") + std::to_string(syms.size());
    const char* sym = m.arena.copy_str(name.data(), name.size());
    syms[t] = sym;
    pending_enum_glue_.push_back({t, drop});
    return sym;
}

void Lowerer::emit_enum_glue(const Type* t, bool drop) {
    Inst* p = glue_begin(drop ? enum_drop_glue_[t] : enum_retain_glue_[t]);
    int64_t tag_size, payload_off;
    enum_layout(t, &tag_size, &payload_off);
    Ty tt = tag_size == 1 ? Ty::I8 : tag_size == 2 ? Ty::I16 : tag_size == 8 ? Ty::I64 : Ty::I32;
    // cur: the value being dropped; box: the box holding it (null for the first); next:
    // the box the loop goes on to.
    uint32_t curv = new_var(Ty::Ptr), boxv = new_var(Ty::Ptr), nextv = new_var(Ty::Ptr);
    def(curv, p);
    def(boxv, iconst(Ty::Ptr, 0));
    Block* head = mk_block();
    Block* done = mk_block();
    jmp(head);
    enter(head);
    Inst* x = use(curv);
    def(nextv, iconst(Ty::Ptr, 0));
    Inst* tag = load(tt, x, 0);
    for (Decl* d : t->decl->members) {
        if (d->kind != DeclKind::EnumCase) continue;
        auto* ec = as<EnumCaseDecl>(d);
        int tail = -1;
        bool any = false;
        for (uint32_t j = 0; j < ec->payload.size; j++) {
            ParamDecl* pd = ec->payload[j];
            if (drop) {
                any |= pd->boxed || has_drops(pd->type);
                if (pd->boxed && pd->type == t) tail = (int)j;
            } else {
                any |= !pd->boxed && has_counted(pd->type);
            }
        }
        if (!any) continue;
        Block* hit = mk_block();
        Block* next = mk_block();
        Inst* is = emit(Op::eq, Ty::I8, tag, iconst(tt, ec->tag));
        is->cty = tt;
        br(is, hit, next);
        seal(hit);
        enter(hit);
        for (uint32_t j = 0; j < ec->payload.size; j++) {
            ParamDecl* pd = ec->payload[j];
            int64_t off = payload_field_offset(ec, j, payload_off);
            if (!drop) {
                if (!pd->boxed) retain_parts(pd->type, x, off);
            } else if ((int)j == tail) {
                def(nextv, load(Ty::Ptr, x, off));
            } else if (pd->boxed) {
                drop_box(pd->type, load(Ty::Ptr, x, off)); // lower_recenum.cpp
            } else if (has_drops(pd->type)) {
                drop_value(pd->type, load_typed(pd->type, x, off));
            }
        }
        jmp(next);
        seal(next);
        enter(next);
    }
    if (drop) { // free the box just left, then go on to the tail (if any)
        use_extern("lang_box_free");
        call("lang_box_free", Ty::Void, {ctx, use(boxv)});
        Inst* n = use(nextv);
        def(boxv, n);
        def(curv, n);
        Inst* end = emit(Op::eq, Ty::I8, n, iconst(Ty::Ptr, 0));
        end->cty = Ty::Ptr;
        br(end, done, head);
    } else {
        jmp(done);
    }
    seal(head);
    seal(done);
    enter(done);
    ret(nullptr);
    finish_func();
}

} // namespace lang::lower
