// lower_record_drops.cpp: heap closure records and the functions that drop them (spec 7.10,
// doc/lowering.md "Function values and closures", "Drops").
//
// A heap record (an escaping lambda's, a method value's) is made by lang_closure_new with
// refcount 1 and the address of its drop function, which the runtime (closure.c) calls
// when the last reference is released, before it frees the record. The drop function
// "$drop.record.N"(ctx, record) is made per distinct layout of what the record holds
// (RecordPart: a type at an offset, owned or not) and lets go of each part:
//   - a string or function value copy is released (the record retained it);
//   - a struct or tuple copy has its counted parts released (retain_parts' inverse);
//   - an owned part (a move-type value moved into the record) is dropped (drop_value);
//   - anything else (numbers, borrowed references) is left alone.
// A record that holds nothing to let go of gets no drop function (null).
#include "ir/lower_impl.h"

namespace lang::lower {

int64_t Lowerer::capture_slot(uint32_t i) { return LANG_ABI_CLOSURE_HEADER_SIZE + 8 * (int64_t)i; }

Inst* Lowerer::new_record(int64_t size, Inst* code, const char* drop) {
    Inst* d;
    if (drop) {
        d = emit(Op::addr, Ty::Ptr);
        d->sym = drop;
    } else {
        d = iconst(Ty::Ptr, 0);
    }
    use_extern("lang_closure_new");
    return call("lang_closure_new", Ty::Ptr, {ctx, iconst(Ty::I64, (size + 7) / 8 * 8), code, d});
}

const char* Lowerer::record_drop(const std::vector<RecordPart>& parts) {
    std::vector<RecordPart> kept;
    for (const RecordPart& p : parts)
        if (p.owned ? has_drops(p.type) : has_counted(p.type)) kept.push_back(p);
    if (kept.empty()) return nullptr;
    std::vector<std::tuple<const Type*, int64_t, bool>> key;
    for (const RecordPart& p : kept) key.emplace_back(p.type, p.off, p.owned);
    auto it = record_drops_.find(key);
    if (it != record_drops_.end()) return it->second;
    std::string name = "$drop.record." + std::to_string(record_drops_.size());
    const char* sym = m.arena.copy_str(name.data(), name.size());
    record_drops_[key] = sym;
    pending_record_drops_.push_back({sym, kept});
    return sym;
}

void Lowerer::emit_record_drop(const char* sym, const std::vector<RecordPart>& parts) {
    Inst* rec = glue_begin(sym);
    for (const RecordPart& p : parts) {
        if (p.owned)
            drop_value(p.type, load_typed(p.type, rec, p.off));
        else if (is_agg(p.type))
            release_parts(p.type, rec, p.off);
        else
            release(load(Ty::Ptr, rec, p.off), p.type);
    }
    ret(nullptr);
    finish_func();
}

} // namespace lang::lower
