// object.h: the one in-memory object model every backend writes into.
//
// Code generators append bytes to Sections, define Symbols and record Relocs with
// format-neutral kinds. A writer per format (elf.cpp now; macho.cpp and coff.cpp later)
// translates the model through a (kind, arch) -> native-type table. Symbols are looked
// up by name; an undefined symbol (section == kUndef) becomes an external reference.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lang::obj {

enum class Arch : uint8_t { X64, Arm64 };
enum class SectionKind : uint8_t { Text, Rodata, Data, Bss, Other };

// Format-neutral relocation kinds.
enum class RelocKind : uint8_t {
    Abs64,      // 64-bit absolute address of symbol + addend
    Abs32,      // 32-bit absolute (rare)
    PcRel32,    // 32-bit PC-relative: S + A - P (x64 RIP-relative data; addend usually -4)
    Call32,     // 32-bit PC-relative call/jmp to a function (x64 PLT32; addend -4)
    // AArch64 (used by the arm64 backend later)
    A64Call26, A64Page21, A64PageOff12, A64Abs64,
};

struct Section {
    std::string name;          // ".text", ".rodata", ".data", ".bss", ".lang.lines", ...
    SectionKind kind;
    uint32_t align = 1;
    std::vector<uint8_t> bytes; // empty for Bss
    uint64_t bss_size = 0;      // Bss only
    uint64_t size() const { return kind == SectionKind::Bss ? bss_size : bytes.size(); }
};

constexpr uint32_t kUndef = UINT32_MAX;

struct Symbol {
    std::string name;
    uint32_t section = kUndef; // index into Object::sections, or kUndef
    uint64_t offset = 0;
    uint64_t size = 0;
    bool global = false;
    bool is_func = false;
};

struct Reloc {
    uint32_t section;          // section whose bytes are patched
    uint64_t offset;           // byte offset in that section
    uint32_t symbol;           // index into Object::symbols
    RelocKind kind;
    int64_t addend;
};

class Object {
public:
    Arch arch = Arch::X64;
    std::vector<Section> sections;
    std::vector<Symbol> symbols;
    std::vector<Reloc> relocs;

    // Returns the index of the named section, creating it if needed.
    uint32_t section(std::string_view name, SectionKind kind, uint32_t align);
    // Returns the index of the named symbol, creating an undefined one if needed.
    uint32_t symbol(std::string_view name);
    // Room for n symbols in all (saves growing the table and the name index one by one).
    void reserve_symbols(size_t n);
    // Defines (or redefines an undefined) symbol at section:offset.
    uint32_t define(std::string_view name, uint32_t section, uint64_t offset, uint64_t size, bool global,
                    bool is_func);
    void reloc(uint32_t section, uint64_t offset, std::string_view sym, RelocKind kind, int64_t addend) {
        relocs.push_back({section, offset, symbol(sym), kind, addend});
    }
    // The same with a symbol index from symbol()/define() (no lookup by name).
    void reloc_sym(uint32_t section, uint64_t offset, uint32_t sym, RelocKind kind, int64_t addend) {
        relocs.push_back({section, offset, sym, kind, addend});
    }

private:
    // Symbol names -> index: open addressing over (hash << 32 | index + 1), 0 = empty, at
    // most half full. Keys are compared with symbols[index].name, so the index holds no
    // pointer into a string and survives the symbols vector growing.
    std::vector<uint64_t> sym_slots_;
    uint32_t find_slot(std::string_view name, uint32_t h) const; // slot of name, or of the empty slot for it
    void grow_slots(size_t n);
    // Transparent hashing: find() takes a string_view directly (few sections, looked up often).
    struct NameHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> sec_by_name_;
};

// elf.cpp: serializes an ELF64 relocatable object (ET_REL). Returns false with a
// message in *err if the model cannot be represented (e.g. an unknown reloc kind).
bool write_elf(const Object& o, std::vector<uint8_t>& out, std::string* err);
// The same written to the file descriptor fd (at its current position) with writev; the
// sections' bytes go straight from the model to the file. Nothing is written when the
// model cannot be represented; a failed write sets *io_error (the file is then partial:
// the caller removes it).
bool write_elf(const Object& o, int fd, std::string* err, bool* io_error = nullptr);

} // namespace lang::obj
