// test_elf.cpp: the ELF64 writer, checked by readelf/llvm-readobj and by linking with cc.
//
// The x86-64 object is built by hand from raw bytes (the encoder is not involved):
//   main:   push rbx; lea rdi,[rip+msg]; call puts; mov rax,[rip+__start_lang_funcs];
//           call rax; pop rbx; ret
//   answer: mov eax, 42; ret
// lang_funcs holds the address of `answer`, so running the linked program prints the
// string and exits with 42 only if PC32, PLT32 and ABS64 relocations and the
// __start_lang_funcs symbol all work.
#include "obj/object.h"
#include <doctest/doctest.h>
#include <elf.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <fcntl.h>
#include <unistd.h>
#include <sys/wait.h>

using namespace lang::obj;

namespace {

std::string run(const std::string& cmd, int* status = nullptr) {
    std::string out;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int st = pclose(p);
    if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

bool write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    FILE* f = fopen(path.c_str(), "wb");
    if (!f) return false;
    bool ok = fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return fclose(f) == 0 && ok;
}

std::string tmp_path(const char* suffix) {
    return "/tmp/lang_test_elf_" + std::to_string(getpid()) + suffix;
}

void emit(std::vector<uint8_t>& code, std::initializer_list<uint8_t> bytes) {
    code.insert(code.end(), bytes.begin(), bytes.end());
}

Object hello_object() {
    Object o;
    uint32_t text = o.section(".text", SectionKind::Text, 16);
    uint32_t ro = o.section(".rodata", SectionKind::Rodata, 8);
    uint32_t funcs = o.section("lang_funcs", SectionKind::Other, 8);
    uint32_t bss = o.section(".bss", SectionKind::Bss, 8);
    auto& c = o.sections[text].bytes;
    emit(c, {0x53});                                     // push rbx
    emit(c, {0x48, 0x8d, 0x3d});                         // lea rdi, [rip+msg]
    o.reloc(text, c.size(), "msg", RelocKind::PcRel32, -4);
    emit(c, {0, 0, 0, 0});
    emit(c, {0xe8});                                     // call puts
    o.reloc(text, c.size(), "puts", RelocKind::Call32, -4);
    emit(c, {0, 0, 0, 0});
    emit(c, {0x48, 0x8b, 0x05});                         // mov rax, [rip+__start_lang_funcs]
    o.reloc(text, c.size(), "__start_lang_funcs", RelocKind::PcRel32, -4);
    emit(c, {0, 0, 0, 0});
    emit(c, {0xff, 0xd0});                               // call rax
    emit(c, {0x5b, 0xc3});                               // pop rbx; ret
    uint64_t main_size = c.size();
    uint64_t answer = c.size();
    emit(c, {0xb8, 42, 0, 0, 0, 0xc3});                  // mov eax, 42; ret
    o.define("main", text, 0, main_size, true, true);
    o.define("answer", text, answer, 6, false, true);
    const char msg[] = "hello from lang";
    o.sections[ro].bytes.assign(msg, msg + sizeof msg);
    o.define("msg", ro, 0, sizeof msg, false, false);
    o.sections[funcs].bytes.assign(8, 0);
    o.reloc(funcs, 0, "answer", RelocKind::Abs64, 0);
    o.sections[bss].bss_size = 64;
    o.define("counter", bss, 0, 64, true, false);
    return o;
}

} // namespace

TEST_CASE("object: sections and symbols are found by name") {
    Object o;
    uint32_t t = o.section(".text", SectionKind::Text, 4);
    CHECK(o.section(".text", SectionKind::Text, 16) == t);
    CHECK(o.sections[t].align == 16);
    CHECK(o.section(".data", SectionKind::Data, 8) == t + 1);
    uint32_t s = o.symbol("puts");
    CHECK(o.symbols[s].section == kUndef);
    CHECK(o.define("puts", t, 4, 0, true, true) == s);
    CHECK(o.symbols[s].section == t);
    CHECK(o.symbols[s].offset == 4);
}

TEST_CASE("elf: header and records parse with <elf.h>") {
    Object o = hello_object();
    std::vector<uint8_t> bytes;
    std::string err;
    REQUIRE(write_elf(o, bytes, &err));
    REQUIRE(bytes.size() > sizeof(Elf64_Ehdr));
    Elf64_Ehdr eh;
    memcpy(&eh, bytes.data(), sizeof eh);
    CHECK(memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0);
    CHECK(eh.e_ident[EI_CLASS] == ELFCLASS64);
    CHECK(eh.e_type == ET_REL);
    CHECK(eh.e_machine == EM_X86_64);
    REQUIRE(eh.e_shoff + (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) <= bytes.size());
    const auto* sh = reinterpret_cast<const Elf64_Shdr*>(bytes.data() + eh.e_shoff);
    const char* shstr = reinterpret_cast<const char*>(bytes.data() + sh[eh.e_shstrndx].sh_offset);
    int found = 0;
    for (int k = 0; k < eh.e_shnum; k++) {
        std::string name = shstr + sh[k].sh_name;
        if (name == "lang_funcs") {
            CHECK(sh[k].sh_flags == (SHF_ALLOC | SHF_WRITE));
            found++;
        }
        if (name == ".bss") {
            CHECK(sh[k].sh_type == SHT_NOBITS);
            CHECK(sh[k].sh_size == 64);
            found++;
        }
        if (name == ".rela.text") {
            CHECK(sh[k].sh_type == SHT_RELA);
            CHECK(sh[k].sh_size == 3 * sizeof(Elf64_Rela));
            found++;
        }
        if (name == ".symtab") {
            // locals: null + 4 section symbols + answer + msg
            CHECK(sh[k].sh_info == 7);
            found++;
        }
        if (name == ".note.GNU-stack") {
            CHECK(sh[k].sh_size == 0);
            CHECK(sh[k].sh_flags == 0);
            found++;
        }
    }
    CHECK(found == 5);
}

TEST_CASE("elf: readelf and llvm-readobj accept the object") {
    Object o = hello_object();
    std::vector<uint8_t> bytes;
    std::string err;
    REQUIRE(write_elf(o, bytes, &err));
    std::string obj = tmp_path(".o");
    REQUIRE(write_file(obj, bytes));
    int st = -1;
    std::string r = run("readelf -a -W " + obj, &st);
    CHECK(st == 0);
    CHECK(r.find("Warning") == std::string::npos);
    CHECK(r.find("Error") == std::string::npos);
    CHECK(r.find("REL (Relocatable file)") != std::string::npos);
    CHECK(r.find("Advanced Micro Devices X86-64") != std::string::npos);
    CHECK(r.find("R_X86_64_PLT32") != std::string::npos);
    CHECK(r.find("R_X86_64_PC32") != std::string::npos);
    CHECK(r.find("R_X86_64_64") != std::string::npos);
    CHECK(r.find(".rela.lang_funcs") != std::string::npos);
    CHECK(r.find(".note.GNU-stack") != std::string::npos);
    CHECK(r.find("GLOBAL DEFAULT    1 main") != std::string::npos);
    CHECK(r.find("LOCAL  DEFAULT    1 answer") != std::string::npos);
    CHECK(r.find("NOTYPE  GLOBAL DEFAULT  UND puts") != std::string::npos);

    r = run("llvm-readobj --relocations --symbols " + obj, &st);
    CHECK(st == 0);
    CHECK(r.find("R_X86_64_PLT32 puts 0xFFFFFFFFFFFFFFFC") != std::string::npos);
    CHECK(r.find("R_X86_64_PC32 msg 0xFFFFFFFFFFFFFFFC") != std::string::npos);
    CHECK(r.find("R_X86_64_64 answer 0x0") != std::string::npos);
    CHECK(r.find("warning") == std::string::npos);
    unlink(obj.c_str());
}

TEST_CASE("elf: linked with cc, the program runs") {
    Object o = hello_object();
    std::vector<uint8_t> bytes;
    std::string err;
    REQUIRE(write_elf(o, bytes, &err));
    std::string obj = tmp_path(".o"), exe = tmp_path(".exe");
    REQUIRE(write_file(obj, bytes));
    int st = -1;
    std::string r = run("cc -o " + exe + " " + obj, &st);
    INFO(r);
    REQUIRE(st == 0);
    // No executable-stack warning from the linker, thanks to .note.GNU-stack.
    CHECK(r.find("executable stack") == std::string::npos);
    r = run(exe, &st);
    CHECK(r == "hello from lang\n");
    CHECK(st == 42);
    r = run("readelf -lW " + exe);
    CHECK(r.find("GNU_STACK") != std::string::npos);
    CHECK(r.find("RWE") == std::string::npos);
    // The same object through lld, when it is installed.
    if (run("command -v ld.lld").find("ld.lld") != std::string::npos) {
        r = run("cc -fuse-ld=lld -o " + exe + " " + obj, &st);
        INFO(r);
        REQUIRE(st == 0);
        r = run(exe, &st);
        CHECK(r == "hello from lang\n");
        CHECK(st == 42);
    }
    unlink(obj.c_str());
    unlink(exe.c_str());
}

TEST_CASE("elf: AArch64 objects and relocation kinds") {
    Object o;
    o.arch = Arch::Arm64;
    uint32_t text = o.section(".text", SectionKind::Text, 4);
    auto& c = o.sections[text].bytes;
    // adrp x0, msg; add x0, x0, :lo12:msg; bl puts; (bytes are placeholders for the test)
    c.assign(16, 0);
    o.reloc(text, 0, "msg", RelocKind::A64Page21, 0);
    o.reloc(text, 4, "msg", RelocKind::A64PageOff12, 0);
    o.reloc(text, 8, "puts", RelocKind::A64Call26, 0);
    uint32_t data = o.section(".data", SectionKind::Data, 8);
    o.sections[data].bytes.assign(8, 0);
    o.reloc(data, 0, "msg", RelocKind::A64Abs64, 0);
    o.define("f", text, 0, 16, true, true);
    std::vector<uint8_t> bytes;
    std::string err;
    REQUIRE(write_elf(o, bytes, &err));
    Elf64_Ehdr eh;
    memcpy(&eh, bytes.data(), sizeof eh);
    CHECK(eh.e_machine == EM_AARCH64);
    std::string obj = tmp_path("_a64.o");
    REQUIRE(write_file(obj, bytes));
    std::string r = run("llvm-readobj --relocations " + obj);
    CHECK(r.find("R_AARCH64_ADR_PREL_PG_HI21 msg") != std::string::npos);
    CHECK(r.find("R_AARCH64_ADD_ABS_LO12_NC msg") != std::string::npos);
    CHECK(r.find("R_AARCH64_CALL26 puts") != std::string::npos);
    CHECK(r.find("R_AARCH64_ABS64 msg") != std::string::npos);
    unlink(obj.c_str());
}

TEST_CASE("elf: unrepresentable models are rejected with a message") {
    std::vector<uint8_t> bytes;
    std::string err;
    {
        Object o; // x86-64 object with an AArch64 relocation
        uint32_t t = o.section(".text", SectionKind::Text, 1);
        o.sections[t].bytes.assign(8, 0);
        o.reloc(t, 0, "f", RelocKind::A64Call26, 0);
        CHECK_FALSE(write_elf(o, bytes, &err));
        CHECK(err.find("not valid for x86-64") != std::string::npos);
    }
    {
        Object o; // relocation past the end of the section
        uint32_t t = o.section(".text", SectionKind::Text, 1);
        o.sections[t].bytes.assign(6, 0);
        o.reloc(t, 4, "f", RelocKind::PcRel32, -4);
        CHECK_FALSE(write_elf(o, bytes, &err));
        CHECK(err.find("outside section .text") != std::string::npos);
    }
    {
        Object o; // symbol past the end of its section
        uint32_t t = o.section(".text", SectionKind::Text, 1);
        o.sections[t].bytes.assign(4, 0);
        o.define("f", t, 8, 0, true, true);
        CHECK_FALSE(write_elf(o, bytes, &err));
        CHECK(err == "write_elf: symbol f is past the end of section .text");
    }
    {
        Object o; // relocation in bss
        uint32_t b = o.section(".bss", SectionKind::Bss, 8);
        o.sections[b].bss_size = 16;
        o.reloc(b, 0, "f", RelocKind::Abs64, 0);
        CHECK_FALSE(write_elf(o, bytes, &err));
        CHECK(err.find("bss") != std::string::npos);
    }
}

TEST_CASE("elf: written to a file descriptor, the object is the same as in memory") {
    Object o = hello_object();
    // A section of several pages with an odd alignment, so the plan has padding pieces.
    uint32_t big = o.section(".rodata.big", SectionKind::Rodata, 64);
    for (int k = 0; k < 3 * 4096 + 5; k++) o.sections[big].bytes.push_back((uint8_t)(k * 7));
    std::vector<uint8_t> bytes;
    std::string err;
    REQUIRE(write_elf(o, bytes, &err));
    std::string path = tmp_path("_fd.o");
    FILE* f = fopen(path.c_str(), "w+b");
    REQUIRE(f);
    bool io_error = true;
    CHECK(write_elf(o, fileno(f), &err, &io_error));
    CHECK_FALSE(io_error);
    fflush(f);
    std::vector<uint8_t> back(bytes.size() + 16);
    rewind(f);
    size_t n = fread(back.data(), 1, back.size(), f);
    fclose(f);
    unlink(path.c_str());
    back.resize(n);
    CHECK(back == bytes);
}

TEST_CASE("elf: writing to a file descriptor reports model and write errors apart") {
    std::string err;
    bool io_error = true;
    {
        Object o; // relocation past the end of the section: nothing is written
        uint32_t t = o.section(".text", SectionKind::Text, 1);
        o.sections[t].bytes.assign(6, 0);
        o.reloc(t, 4, "f", RelocKind::PcRel32, -4);
        std::string path = tmp_path("_bad.o");
        FILE* f = fopen(path.c_str(), "wb");
        REQUIRE(f);
        CHECK_FALSE(write_elf(o, fileno(f), &err, &io_error));
        CHECK_FALSE(io_error);
        CHECK(err.find("outside section .text") != std::string::npos);
        CHECK(ftell(f) == 0);
        fclose(f);
        unlink(path.c_str());
    }
    {
        Object o = hello_object(); // a descriptor open for reading only
        int fd = open("/dev/null", O_RDONLY);
        REQUIRE(fd >= 0);
        CHECK_FALSE(write_elf(o, fd, &err, &io_error));
        CHECK(io_error);
        CHECK(err.find("write error") == 0);
        close(fd);
    }
}

TEST_CASE("object: symbols are found by name, indices never change") {
    Object o;
    uint32_t t = o.section(".text", SectionKind::Text, 16);
    o.sections[t].bytes.assign(64, 0);
    std::vector<uint32_t> idx;
    for (int k = 0; k < 5000; k++) { // grows the name index several times
        idx.push_back(o.symbol("sym" + std::to_string(k)));
        CHECK(idx.back() == (uint32_t)k);
        if (k == 100) o.reserve_symbols(3000); // growing in the middle keeps every index
    }
    for (int k = 0; k < 5000; k += 7) CHECK(o.symbol("sym" + std::to_string(k)) == idx[k]);
    CHECK(o.symbols.size() == 5000);
    // Defining an undefined symbol keeps its index; a new name gets the next one.
    CHECK(o.define("sym42", t, 8, 4, true, true) == 42);
    CHECK(o.symbols[42].section == t);
    CHECK(o.symbols[42].offset == 8);
    CHECK(o.define("fresh", t, 16, 4, false, true) == 5000);
    CHECK(o.symbol("fresh") == 5000);
    CHECK(o.symbol("") == 5001); // the empty name is a name like any other
    CHECK(o.symbol("") == 5001);
    CHECK(o.symbol("sym4999") == 4999);
    CHECK(o.symbol("sym49999") == 5002);
}
