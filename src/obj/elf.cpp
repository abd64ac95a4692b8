// elf.cpp: writes an Object as an ELF64 little-endian relocatable file (ET_REL).
//
// File layout: ELF header, section contents (each at its alignment), .rela.* tables,
// .symtab, .strtab, .shstrtab, then the section header table.
// The image is planned as a list of pieces (the sections' own bytes plus the tables made
// here) and either concatenated into a vector or written to a file with writev, so the
// section contents are never copied into an intermediate image.
// Section header order: [0] null, [1..n] the Object's sections in order, .note.GNU-stack
// (empty: tells the linker the stack is not executable), one .rela.<name> per section that
// has relocations, .symtab, .strtab, .shstrtab.
// Symbol order (ELF wants locals first; .symtab sh_info = first global): null, one
// STT_SECTION symbol per section, local defined symbols, then global and undefined ones.
// Relocations name symbols directly (not section+offset); RELA addends are explicit.
// The ELF records are our own structs (no <elf.h>), checked with static_assert(sizeof).
#include "obj/object.h"
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <sys/uio.h>

namespace lang::obj {

namespace {

struct Ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Shdr {
    uint32_t name, type;
    uint64_t flags, addr, offset, size;
    uint32_t link, info;
    uint64_t addralign, entsize;
};
struct Sym {
    uint32_t name;
    uint8_t info, other;
    uint16_t shndx;
    uint64_t value, size;
};
struct Rela {
    uint64_t offset, info;
    int64_t addend;
};
static_assert(sizeof(Ehdr) == 64);
static_assert(sizeof(Shdr) == 64);
static_assert(sizeof(Sym) == 24);
static_assert(sizeof(Rela) == 24);

enum : uint16_t { ET_REL = 1, EM_X86_64 = 62, EM_AARCH64 = 183 };
enum : uint32_t { SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4, SHT_NOBITS = 8 };
enum : uint64_t { SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHF_INFO_LINK = 0x40 };
enum : uint8_t { STB_LOCAL = 0, STB_GLOBAL = 1 };
enum : uint8_t { STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3 };
constexpr uint32_t kMaxSections = 0xff00; // SHN_LORESERVE: no extended numbering here

// (kind, arch) -> native relocation type and patched width. 0 = not representable.
struct RelocRow {
    RelocKind kind;
    uint32_t x64;   // R_X86_64_*
    uint32_t a64;   // R_AARCH64_*
    uint32_t width; // bytes patched (for the bounds check)
};
constexpr RelocRow kRelocs[] = {
    {RelocKind::Abs64, 1 /*R_X86_64_64*/, 257 /*R_AARCH64_ABS64*/, 8},
    {RelocKind::Abs32, 10 /*R_X86_64_32*/, 0, 4},
    {RelocKind::PcRel32, 2 /*R_X86_64_PC32*/, 0, 4},
    {RelocKind::Call32, 4 /*R_X86_64_PLT32*/, 0, 4},
    {RelocKind::A64Call26, 0, 283 /*R_AARCH64_CALL26*/, 4},
    {RelocKind::A64Page21, 0, 275 /*R_AARCH64_ADR_PREL_PG_HI21*/, 4},
    {RelocKind::A64PageOff12, 0, 277 /*R_AARCH64_ADD_ABS_LO12_NC*/, 4},
    {RelocKind::A64Abs64, 0, 257 /*R_AARCH64_ABS64*/, 8},
};

const RelocRow* reloc_row(RelocKind k) {
    for (const RelocRow& r : kRelocs)
        if (r.kind == k) return &r;
    return nullptr;
}

struct StrTab {
    std::vector<uint8_t> data{0};
    uint32_t add(const std::string& s) {
        if (s.empty()) return 0;
        uint32_t off = (uint32_t)data.size();
        data.insert(data.end(), s.begin(), s.end());
        data.push_back(0);
        return off;
    }
};

bool fail(std::string* err, const std::string& msg) {
    if (err) *err = "write_elf: " + msg;
    return false;
}

uint64_t section_flags(const Section& s) {
    switch (s.kind) {
    case SectionKind::Text: return SHF_ALLOC | SHF_EXECINSTR;
    case SectionKind::Rodata: return SHF_ALLOC;
    case SectionKind::Data: case SectionKind::Bss: return SHF_ALLOC | SHF_WRITE;
    case SectionKind::Other:
        // Named sections such as "lang_funcs" are allocated, writable data so the GNU linker
        // defines __start_/__stop_ symbols and may apply absolute relocations in a PIE;
        // debug and comment sections are not loaded.
        if (s.name.rfind(".debug", 0) == 0 || s.name == ".comment") return 0;
        return SHF_ALLOC | SHF_WRITE;
    }
    return 0;
}

const uint8_t kZeros[4096] = {};

// The file as a list of pieces: the sections' own bytes are referenced, not copied; the
// parts made here (headers, relocation and symbol tables, string tables) are owned.
struct Plan {
    struct Piece {
        const uint8_t* p;
        size_t n;
    };
    std::vector<Piece> pieces;
    std::vector<std::vector<uint8_t>> owned; // moving a vector keeps its data pointer
    uint64_t size = 0;

    void add(const uint8_t* p, size_t n) {
        if (!n) return;
        pieces.push_back({p, n});
        size += n;
    }
    void pad_to(uint64_t align) {
        if (align < 1) align = 1;
        for (uint64_t k = (align - size % align) % align; k;) {
            size_t n = k < sizeof kZeros ? (size_t)k : sizeof kZeros;
            add(kZeros, n);
            k -= n;
        }
    }
    uint8_t* own(size_t n) { // a zeroed owned buffer of n bytes, added at the current end
        owned.emplace_back(n, 0);
        uint8_t* p = owned.back().data();
        add(p, n);
        return p;
    }
    void own(std::vector<uint8_t>&& v) {
        owned.push_back(std::move(v));
        add(owned.back().data(), owned.back().size());
    }
};

bool plan_elf(const Object& o, Plan& plan, std::string* err) {
    const uint32_t nsec = (uint32_t)o.sections.size();

    // ---- validate and count relocations per section
    std::vector<uint32_t> nrel(nsec, 0);
    for (const Reloc& r : o.relocs) {
        if (r.section >= nsec) return fail(err, "relocation in a section that does not exist");
        if (r.symbol >= o.symbols.size()) return fail(err, "relocation names a symbol that does not exist");
        const RelocRow* row = reloc_row(r.kind);
        uint32_t type = row ? (o.arch == Arch::X64 ? row->x64 : row->a64) : 0;
        if (!type)
            return fail(err, "relocation kind " + std::to_string((int)r.kind) + " is not valid for " +
                                 (o.arch == Arch::X64 ? "x86-64" : "AArch64"));
        const Section& s = o.sections[r.section];
        if (s.kind == SectionKind::Bss) return fail(err, "relocation in bss section " + s.name);
        if (r.offset > s.size() || s.size() - r.offset < row->width)
            return fail(err, "relocation at offset " + std::to_string(r.offset) + " is outside section " + s.name);
        nrel[r.section]++;
    }
    for (const Symbol& s : o.symbols) {
        if (s.section == kUndef) continue;
        if (s.section >= nsec) return fail(err, "symbol " + s.name + " is in a section that does not exist");
        if (s.offset > o.sections[s.section].size())
            return fail(err, "symbol " + s.name + " is past the end of section " + o.sections[s.section].name);
    }

    // ---- section header indices
    uint32_t note_idx = nsec + 1;
    std::vector<uint32_t> rela_idx(nsec, 0);
    uint32_t next = note_idx + 1;
    for (uint32_t k = 0; k < nsec; k++)
        if (nrel[k]) rela_idx[k] = next++;
    uint32_t symtab_idx = next++, strtab_idx = next++, shstrtab_idx = next++;
    uint32_t shnum = next;
    if (shnum >= kMaxSections) return fail(err, "too many sections");

    // ---- symbol table: null, section symbols, locals, then globals/undefined
    size_t names = 1;
    for (const Symbol& s : o.symbols) names += s.name.size() + 1;
    StrTab strtab;
    strtab.data.reserve(names);
    const size_t nsyms = 1 + nsec + o.symbols.size();
    std::vector<uint8_t> symtab(nsyms * sizeof(Sym), 0);
    std::vector<uint32_t> sym_idx(o.symbols.size(), 0);
    uint32_t nsym = 1;
    auto put_sym = [&](const Sym& s) { memcpy(symtab.data() + (size_t)nsym++ * sizeof(Sym), &s, sizeof s); };
    for (uint32_t k = 0; k < nsec; k++) {
        Sym s{};
        s.info = (STB_LOCAL << 4) | STT_SECTION;
        s.shndx = (uint16_t)(k + 1);
        put_sym(s);
    }
    auto make_sym = [&](const Symbol& src, bool global) {
        Sym s{};
        s.name = strtab.add(src.name);
        bool defined = src.section != kUndef;
        uint8_t type = !defined ? STT_NOTYPE : src.is_func ? STT_FUNC : STT_OBJECT;
        s.info = (uint8_t)(((global ? STB_GLOBAL : STB_LOCAL) << 4) | type);
        s.shndx = defined ? (uint16_t)(src.section + 1) : 0;
        s.value = defined ? src.offset : 0;
        s.size = defined ? src.size : 0;
        return s;
    };
    for (uint32_t k = 0; k < o.symbols.size(); k++) {
        const Symbol& s = o.symbols[k];
        if (s.section != kUndef && !s.global) {
            sym_idx[k] = nsym;
            put_sym(make_sym(s, false));
        }
    }
    uint32_t first_global = nsym;
    for (uint32_t k = 0; k < o.symbols.size(); k++) {
        const Symbol& s = o.symbols[k];
        if (s.section == kUndef || s.global) {
            sym_idx[k] = nsym;
            put_sym(make_sym(s, true));
        }
    }

    // ---- relocation tables, in the order of o.relocs within each section
    std::vector<std::vector<uint8_t>> rela(nsec);
    std::vector<uint8_t*> rela_at(nsec, nullptr);
    for (uint32_t k = 0; k < nsec; k++)
        if (nrel[k]) rela[k].resize((size_t)nrel[k] * sizeof(Rela)), rela_at[k] = rela[k].data();
    for (const Reloc& r : o.relocs) {
        const RelocRow* row = reloc_row(r.kind);
        uint64_t type = o.arch == Arch::X64 ? row->x64 : row->a64;
        Rela e{r.offset, ((uint64_t)sym_idx[r.symbol] << 32) | type, r.addend};
        memcpy(rela_at[r.section], &e, sizeof e);
        rela_at[r.section] += sizeof e;
    }

    // ---- file contents
    std::vector<Shdr> sh(shnum);
    StrTab shstr;
    uint8_t* ehdr = plan.own(sizeof(Ehdr));
    for (uint32_t k = 0; k < nsec; k++) {
        const Section& s = o.sections[k];
        Shdr& h = sh[k + 1];
        h.name = shstr.add(s.name);
        h.type = s.kind == SectionKind::Bss ? SHT_NOBITS : SHT_PROGBITS;
        h.flags = section_flags(s);
        h.addralign = s.align ? s.align : 1;
        if (s.kind != SectionKind::Bss) plan.pad_to(h.addralign);
        h.offset = plan.size;
        h.size = s.size();
        if (s.kind != SectionKind::Bss) plan.add(s.bytes.data(), s.bytes.size());
    }
    {
        Shdr& h = sh[note_idx];
        h.name = shstr.add(".note.GNU-stack");
        h.type = SHT_PROGBITS;
        h.offset = plan.size;
        h.addralign = 1;
    }
    for (uint32_t k = 0; k < nsec; k++) {
        if (!rela_idx[k]) continue;
        Shdr& h = sh[rela_idx[k]];
        const std::string& sn = o.sections[k].name;
        h.name = shstr.add(sn.empty() || sn[0] != '.' ? ".rela." + sn : ".rela" + sn);
        h.type = SHT_RELA;
        h.flags = SHF_INFO_LINK;
        h.link = symtab_idx;
        h.info = k + 1;
        h.addralign = 8;
        h.entsize = sizeof(Rela);
        plan.pad_to(8);
        h.offset = plan.size;
        h.size = rela[k].size();
        plan.own(std::move(rela[k]));
    }
    {
        Shdr& h = sh[symtab_idx];
        h.name = shstr.add(".symtab");
        h.type = SHT_SYMTAB;
        h.link = strtab_idx;
        h.info = first_global;
        h.addralign = 8;
        h.entsize = sizeof(Sym);
        plan.pad_to(8);
        h.offset = plan.size;
        h.size = symtab.size();
        plan.own(std::move(symtab));
    }
    {
        Shdr& h = sh[strtab_idx];
        h.name = shstr.add(".strtab");
        h.type = SHT_STRTAB;
        h.addralign = 1;
        h.offset = plan.size;
        h.size = strtab.data.size();
        plan.own(std::move(strtab.data));
    }
    {
        Shdr& h = sh[shstrtab_idx];
        h.name = shstr.add(".shstrtab"); // added before the table is placed
        h.type = SHT_STRTAB;
        h.addralign = 1;
        h.offset = plan.size;
        h.size = shstr.data.size();
        plan.own(std::move(shstr.data));
    }
    plan.pad_to(8);
    uint64_t shoff = plan.size;
    memcpy(plan.own(sh.size() * sizeof(Shdr)), sh.data(), sh.size() * sizeof(Shdr));

    Ehdr eh{};
    const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2 /*ELFCLASS64*/, 1 /*ELFDATA2LSB*/, 1 /*EV_CURRENT*/, 0 /*SYSV*/};
    memcpy(eh.ident, ident, 16);
    eh.type = ET_REL;
    eh.machine = o.arch == Arch::X64 ? EM_X86_64 : EM_AARCH64;
    eh.version = 1;
    eh.shoff = shoff;
    eh.ehsize = sizeof(Ehdr);
    eh.shentsize = sizeof(Shdr);
    eh.shnum = (uint16_t)shnum;
    eh.shstrndx = (uint16_t)shstrtab_idx;
    memcpy(ehdr, &eh, sizeof eh);
    return true;
}

} // namespace

bool write_elf(const Object& o, std::vector<uint8_t>& out, std::string* err) {
    out.clear();
    Plan plan;
    if (!plan_elf(o, plan, err)) return false;
    out.resize(plan.size);
    uint8_t* p = out.data();
    for (const Plan::Piece& x : plan.pieces) memcpy(p, x.p, x.n), p += x.n;
    return true;
}

bool write_elf(const Object& o, int fd, std::string* err, bool* io_error) {
    if (io_error) *io_error = false;
    Plan plan;
    if (!plan_elf(o, plan, err)) return false;
    std::vector<iovec> iov(plan.pieces.size());
    for (size_t k = 0; k < iov.size(); k++) iov[k] = {(void*)plan.pieces[k].p, plan.pieces[k].n};
    for (size_t k = 0; k < iov.size();) {
        int n = (int)std::min<size_t>(iov.size() - k, IOV_MAX);
        ssize_t w = writev(fd, &iov[k], n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            if (io_error) *io_error = true;
            if (err) *err = std::string("write error: ") + (w < 0 ? strerror(errno) : "nothing written");
            return false;
        }
        for (size_t left = (size_t)w; left;) { // skip what was written, maybe part of a piece
            size_t take = std::min(left, iov[k].iov_len);
            iov[k].iov_base = (uint8_t*)iov[k].iov_base + take;
            iov[k].iov_len -= take;
            left -= take;
            if (!iov[k].iov_len) k++;
        }
    }
    return true;
}

} // namespace lang::obj
