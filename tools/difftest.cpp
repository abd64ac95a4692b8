// difftest.cpp: differential tester of the compiler against C (gcc).
// Usage: difftest LANG_BIN LIBLANGRT COUNT SEED [OUT_DIR]
//
// Each round generates one random, well-typed Lang program and the same program in C,
// builds the Lang one at -O0 and -O1 and the C one with gcc, runs the three and compares
// stdout, the exit status and the panic line ("panic: ..." on stderr). Round r uses the
// seed SEED + r, so `difftest LANG RT 1 S` replays round S alone.
//
// What the programs use: integers of every width and signedness, f32 and float, bool;
// + - * / % (checked: they panic like Lang does), & | ^ ~, shifts by an in-range constant,
// comparisons, && || !, casts between numbers (never float -> integer: out-of-range
// results are reserved by the spec), `?:`, `match` expressions with literal, range and
// `_ => panic(...)` arms, assignments and compound assignments used as statements and as
// values, untyped literals that adapt to the other operand, loops, arrays, static
// fields, and functions with parameters.
//
// How the C side keeps Lang's meaning:
//  - every integer operation calls a helper (add_i8, div_u32, ...) that computes in the
//    exact type and panics as Lang does: "integer overflow" (__builtin_*_overflow, MIN / -1,
//    -MIN), "division by zero"; x % -1 is 0. A panic flushes stdout, prints
//    "panic: MSG" to stderr and exits with 101 (spec 10.1);
//  - operands are evaluated left to right like Lang: each operand of a multi-operand node
//    goes to its own temporary in a GNU statement expression, so assignments inside
//    expressions are sequenced;
//  - floats print with the runtime's own formatter (lang_fmt_f64/f32 from liblangrt.a),
//    float % is fmod/fmodf, and f32 arithmetic is done in float (SSE, no contraction).
// On a mismatch the Lang and C sources are saved in OUT_DIR (default /tmp) as
// difftest-SEED.lang / .c and the seed is printed. Exit status: 0 when every round
// matched, 1 otherwise.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

enum K { I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, BOOL, NK };
const char* kLang[] = {"i8", "i16", "i32", "int", "u8", "u16", "u32", "u64", "f32", "float", "bool"};
const char* kSuffix[] = {"i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", ""};
const char* kC[] = {"int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t",
                    "uint32_t", "uint64_t", "float", "double", "bool"};
const char* kShort[] = {"i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "bool"};
bool is_int(K k) { return k <= U64; }
bool is_signed(K k) { return k <= I64; }
bool is_float(K k) { return k == F32 || k == F64; }
int bits(K k) { return k == BOOL ? 1 : 8 << (k % 4); }

struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    int below(int n) { return (int)(next() % (uint64_t)n); }
    bool chance(int pct) { return below(100) < pct; }
};

struct E {
    std::string l, c; // Lang and C text of the same expression
};

struct Var {
    std::string name;
    K k;
    bool mut;  // may be assigned
    bool array; // an array of 8 elements of k
};

struct Fn {
    std::string name;
    K ret;
    std::vector<K> params;
};

class Gen {
public:
    explicit Gen(uint64_t seed) { r.s = seed; }
    void program(std::string& lang, std::string& c);

private:
    Rng r;
    std::vector<Var> vars;   // in scope, innermost last
    std::vector<Fn> fns;     // callable (defined earlier)
    int tmp = 0;             // C temporaries
    int loop_depth = 0;
    int panics = 0;          // panic message numbers
    std::string L, C;        // bodies being written
    std::string ind = "        ";

    K any_num() { return (K)r.below(10); }
    K any_type() { return (K)r.below(11); }
    std::string t() { return "_t" + std::to_string(tmp++); }

    uint64_t value_of(K k);
    E lit(K k, bool plain);
    E leaf(K k);
    E expr(K k, int depth, bool allow_plain = false);
    E binary(K k, int depth);
    E compare(int depth);
    E ternary(K k, int depth);
    E match(K k, int depth);
    E assign_expr(K k, int depth);
    E call(K k, int depth);
    E cast(K k, int depth);
    const Var* pick_var(K k, bool mut, bool array);
    void stmt(int depth);
    void block(int n, int depth);
    void line(const std::string& l, const std::string& c) {
        L += ind + l + "\n";
        C += ind + c + "\n";
    }
    void print_var(const Var& v);
    void function(int idx);
};

uint64_t Gen::value_of(K k) {
    int w = bits(k);
    uint64_t mask = w == 64 ? ~0ull : (1ull << w) - 1;
    uint64_t v;
    switch (r.below(20)) { // mostly small values, so that programs do not all overflow early
    case 0: v = 0; break;
    case 1: case 2: v = 1; break;
    case 3: v = (uint64_t)-1; break;
    case 4: v = is_signed(k) ? (1ull << (w - 1)) : mask; break;               // MIN / MAX
    case 5: v = is_signed(k) ? (1ull << (w - 1)) - 1 : mask - r.below(3); break; // MAX
    case 6: v = r.next(); break;
    case 7: case 8: case 9: v = (uint64_t)(int64_t)(r.below(200) - 100); break;
    default: v = 2 + r.below(30); break;
    }
    v &= mask;
    if (is_signed(k) && w < 64 && (v >> (w - 1)) & 1) v |= ~mask; // sign-extend
    return v;
}

static std::string float_text(double d) {
    char b[64];
    snprintf(b, sizeof b, "%.17g", d);
    std::string s = b;
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    return s;
}

// A literal of type k. `plain`: without suffix or cast, so Lang adapts it to the other
// operand (the caller makes sure there is a typed one and that the value fits).
E Gen::lit(K k, bool plain) {
    char b[96];
    if (k == BOOL) return r.chance(50) ? E{"true", "true"} : E{"false", "false"};
    if (is_float(k)) {
        static const double pool[] = {0.0, 1.0, 0.5, 2.5, 3.0, 0.1, 1e10, 1e-5, 3.14159, 100.0, 7.25, 1e30, 6.0};
        double d = r.chance(60) ? pool[r.below(13)] : (double)(r.below(20001) - 10000) / 16.0;
        if (d < 0) d = -d;
        bool neg = r.chance(20); // -0.0 included
        std::string txt = float_text(d);
        std::string cl = k == F32 ? "((float)" + txt + ")" : "(" + txt + ")";
        if (neg) cl = "(-" + cl + ")";
        if (plain) return {neg ? "(-" + txt + ")" : txt, cl};
        std::string ll = txt + kSuffix[k];
        return {neg ? "(-" + ll + ")" : ll, cl};
    }
    uint64_t v = value_of(k);
    snprintf(b, sizeof b, "((%s)0x%" PRIx64 "ull)", kC[k], v);
    std::string cl = b;
    bool neg = is_signed(k) && (int64_t)v < 0;
    std::string mag = neg ? std::to_string(0 - v) : std::to_string(v);
    if (plain) return {neg ? "(-" + mag + ")" : mag, cl};
    if (neg) return {std::string("((") + kLang[k] + ")(-" + mag + "))", cl};
    return {mag + kSuffix[k], cl};
}

const Var* Gen::pick_var(K k, bool mut, bool array) {
    int n = 0;
    for (const Var& v : vars)
        if (v.k == k && (!mut || v.mut) && v.array == array) n++;
    if (!n) return nullptr;
    int pick = r.below(n);
    for (const Var& v : vars)
        if (v.k == k && (!mut || v.mut) && v.array == array && pick-- == 0) return &v;
    return nullptr;
}

E Gen::leaf(K k) {
    int c = r.below(10);
    if (c < 6)
        if (const Var* v = pick_var(k, false, false)) return {v->name, v->name};
    if (c < 8)
        if (const Var* a = pick_var(k, false, true)) {
            std::string idx = loop_depth && r.chance(50) ? "i" + std::to_string(r.below(loop_depth)) : std::to_string(r.below(8));
            return {a->name + "[" + idx + "]", a->name + "[" + idx + "]"};
        }
    return lit(k, false);
}

E Gen::expr(K k, int depth, bool allow_plain) {
    if (depth <= 0 || r.chance(25)) {
        if (allow_plain && k != BOOL && r.chance(40)) return lit(k, true);
        return leaf(k);
    }
    if (k == BOOL) {
        switch (r.below(6)) {
        case 0: case 1: case 2: return compare(depth);
        case 3: {
            E a = expr(BOOL, depth - 1), b = expr(BOOL, depth - 1);
            const char* op = r.chance(50) ? "&&" : "||";
            return {"(" + a.l + " " + op + " " + b.l + ")", "(" + a.c + " " + op + " " + b.c + ")"};
        }
        case 4: {
            E a = expr(BOOL, depth - 1);
            return {"!" + a.l, "!" + a.c};
        }
        default: return ternary(k, depth);
        }
    }
    switch (r.below(16)) {
    case 0: case 1: case 2: case 3: case 4: case 5: return binary(k, depth);
    case 6: case 7: return ternary(k, depth);
    case 8: return match(k, depth);
    case 9: case 10: return cast(k, depth);
    case 11: return assign_expr(k, depth);
    case 12: case 13: return call(k, depth);
    default: {
        E a = expr(k, depth - 1);
        if (is_float(k)) return {"(- " + a.l + ")", "(- " + a.c + ")"};
        if (is_signed(k) && r.chance(50)) return {"(- " + a.l + ")", std::string("neg_") + kShort[k] + "(" + a.c + ")"};
        return {"(~" + a.l + ")", std::string("((") + kC[k] + ")~" + a.c + ")"};
    }
    }
}

E Gen::binary(K k, int depth) {
    static const char* iops[] = {"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"};
    static const char* inames[] = {"add", "sub", "mul", "div", "mod"};
    int op = is_float(k) ? r.below(5) : r.below(10);
    if (op >= 8) { // shift by a constant in range
        E a = expr(k, depth - 1);
        int n = r.below(bits(k));
        std::string ns = std::to_string(n);
        std::string cs = op == 8 ? std::string("shl_") + kShort[k] + "(" + a.c + ", " + ns + ")"
                                 : std::string("((") + kC[k] + ")(" + a.c + " >> " + ns + "))";
        return {"(" + a.l + " " + iops[op] + " " + ns + ")", cs};
    }
    // One operand may be an untyped literal that adapts to the other.
    int plain = r.chance(30) ? 1 + r.below(2) : 0;
    E a = expr(k, depth - 1, plain == 1);
    E b = expr(k, depth - 1, plain == 2);
    std::string ta = t(), tb = t();
    std::string pre = std::string("({ ") + kC[k] + " " + ta + " = " + a.c + "; " + kC[k] + " " + tb + " = " + b.c + "; ";
    std::string l = "(" + a.l + " " + iops[op] + " " + b.l + ")";
    if (is_float(k)) {
        if (op == 4) return {l, pre + (k == F32 ? "fmodf(" : "fmod(") + ta + ", " + tb + "); })"};
        return {l, pre + ta + " " + iops[op] + " " + tb + "; })"};
    }
    if (op < 5) return {l, pre + inames[op] + "_" + kShort[k] + "(" + ta + ", " + tb + "); })"};
    return {l, pre + "(" + kC[k] + ")(" + ta + " " + iops[op] + " " + tb + "); })"};
}

E Gen::compare(int depth) {
    static const char* ops[] = {"==", "!=", "<", "<=", ">", ">="};
    K k = r.chance(10) ? BOOL : any_num();
    int op = k == BOOL ? r.below(2) : r.below(6);
    int plain = r.chance(30) ? 1 + r.below(2) : 0;
    E a = expr(k, depth - 1, plain == 1);
    E b = expr(k, depth - 1, plain == 2);
    std::string ta = t(), tb = t();
    return {"(" + a.l + " " + ops[op] + " " + b.l + ")",
            std::string("({ ") + kC[k] + " " + ta + " = " + a.c + "; " + kC[k] + " " + tb + " = " + b.c + "; " + ta +
                " " + ops[op] + " " + tb + "; })"};
}

// A panic arm: Lang's `panic("pN")` has type never; C aborts the same way.
static E panic_arm(K k, int n) {
    std::string m = "p" + std::to_string(n);
    return {"panic(\"" + m + "\")", std::string("(lg_panic(\"") + m + "\"), (" + kC[k] + ")0)"};
}

E Gen::ternary(K k, int depth) {
    E c = expr(BOOL, depth - 1);
    int plain = k != BOOL && r.chance(30) ? 1 + r.below(2) : 0;
    int pan = r.chance(5) ? 1 + r.below(2) : 0;
    E a = pan == 1 ? panic_arm(k, panics++) : expr(k, depth - 1, plain == 1 && pan != 2);
    E b = pan == 2 ? panic_arm(k, panics++) : expr(k, depth - 1, plain == 2 && pan != 1);
    return {"(" + c.l + " ? " + a.l + " : " + b.l + ")",
            std::string("((") + kC[k] + ")(" + c.c + " ? (" + kC[k] + ")(" + a.c + ") : (" + kC[k] + ")(" + b.c + ")))"};
}

E Gen::match(K k, int depth) {
    K s = (K)r.below(8);
    E scr = expr(s, depth - 1);
    std::string ts = t(), tr = t();
    std::string l = "match (" + scr.l + ") { ";
    std::string c = std::string("({ ") + kC[s] + " " + ts + " = " + scr.c + "; " + kC[k] + " " + tr + "; ";
    int arms = 1 + r.below(3);
    bool last_panic = r.chance(8);
    // At most one arm is an untyped literal, and only when another arm gives the type.
    int value_arms = arms + (last_panic ? 0 : 1);
    int plain_arm = k != BOOL && value_arms >= 2 && r.chance(40) ? r.below(value_arms) : -1;
    for (int i = 0; i < arms; i++) {
        uint64_t lo = value_of(s), hi = lo;
        bool range = r.chance(30);
        if (range) {
            hi = value_of(s);
            bool lt = is_signed(s) ? (int64_t)hi < (int64_t)lo : hi < lo;
            if (lt) std::swap(lo, hi);
        }
        auto pat = [&](uint64_t v) {
            return is_signed(s) && (int64_t)v < 0 ? "-" + std::to_string(0 - v) : std::to_string(v);
        };
        char cv[64], ch[64];
        snprintf(cv, sizeof cv, "((%s)0x%" PRIx64 "ull)", kC[s], lo);
        snprintf(ch, sizeof ch, "((%s)0x%" PRIx64 "ull)", kC[s], hi);
        E body = expr(k, depth - 1, i == plain_arm);
        l += range ? pat(lo) + "..=" + pat(hi) : pat(lo);
        l += " => " + body.l + ", ";
        c += std::string(i ? "else " : "") + "if (" + (range ? ts + " >= " + cv + " && " + ts + " <= " + ch : ts + " == " + cv) +
             ") " + tr + " = " + body.c + "; ";
    }
    E last = last_panic ? panic_arm(k, panics++) : expr(k, depth - 1, arms == plain_arm);
    l += "_ => " + last.l + " }";
    c += "else " + tr + " = " + last.c + "; " + tr + "; })";
    return {"(" + l + ")", c};
}

E Gen::assign_expr(K k, int depth) {
    const Var* v = pick_var(k, true, false);
    if (!v) return leaf(k);
    std::string name = v->name;
    if (is_float(k) || r.chance(50)) {
        E e = expr(k, depth - 1, true);
        return {"(" + name + " = " + e.l + ")", "(" + name + " = " + e.c + ")"};
    }
    static const char* ops[] = {"+", "-", "*", "/", "%"};
    static const char* names[] = {"add", "sub", "mul", "div", "mod"};
    int op = r.below(5);
    E e = expr(k, depth - 1, true);
    std::string ta = t(), tb = t();
    return {"(" + name + " " + ops[op] + "= " + e.l + ")",
            std::string("({ ") + kC[k] + " " + ta + " = " + name + "; " + kC[k] + " " + tb + " = " + e.c + "; " + name +
                " = " + names[op] + "_" + kShort[k] + "(" + ta + ", " + tb + "); })"};
}

E Gen::call(K k, int depth) {
    std::vector<const Fn*> cands;
    for (const Fn& f : fns)
        if (f.ret == k) cands.push_back(&f);
    if (cands.empty()) return cast(k, depth);
    const Fn* f = cands[r.below((int)cands.size())];
    std::string l = f->name + "(", c = "({ ", args;
    for (size_t i = 0; i < f->params.size(); i++) {
        K pk = f->params[i];
        E a = expr(pk, depth - 1, pk != BOOL);
        std::string ta = t();
        l += (i ? ", " : "") + a.l;
        c += std::string(kC[pk]) + " " + ta + " = " + a.c + "; ";
        args += (i ? ", " : "") + ta;
    }
    return {l + ")", c + f->name + "(" + args + "); })"};
}

E Gen::cast(K k, int depth) {
    K from = (K)r.below(10);
    if (is_float(from) && is_int(k)) from = (K)r.below(8); // float -> integer is reserved out of range
    E a = expr(from, depth - 1);
    return {std::string("((") + kLang[k] + ")" + a.l + ")", std::string("((") + kC[k] + ")" + a.c + ")"};
}

void Gen::print_var(const Var& v) {
    if (v.array) {
        for (int i = 0; i < 8; i++) {
            std::string e = v.name + "[" + std::to_string(i) + "]";
            line("Console.WriteLine(" + e + ");", std::string("pr_") + kShort[v.k] + "(" + e + ");");
        }
        return;
    }
    line("Console.WriteLine(" + v.name + ");", std::string("pr_") + kShort[v.k] + "(" + v.name + ");");
}

void Gen::stmt(int depth) {
    int c = r.below(20);
    if (c < 7) { // assignment or compound assignment
        K k = any_type();
        const Var* v = pick_var(k, true, false);
        bool arr = false;
        if (!v || r.chance(20)) {
            if (const Var* a = pick_var(k, true, true)) v = a, arr = true;
        }
        if (!v) return;
        std::string idx = loop_depth && r.chance(50) ? "i" + std::to_string(r.below(loop_depth)) : std::to_string(r.below(8));
        std::string place = arr ? v->name + "[" + idx + "]" : v->name;
        if (k == BOOL || r.chance(40)) {
            E e = expr(k, 3, k != BOOL);
            // x = y = e: a chain through another variable of the same type
            const Var* w = !arr && r.chance(20) ? pick_var(k, true, false) : nullptr;
            if (w && w->name != v->name) {
                line(place + " = " + w->name + " = " + e.l + ";", place + " = " + w->name + " = " + e.c + ";");
                return;
            }
            line(place + " = " + e.l + ";", place + " = " + e.c + ";");
            return;
        }
        static const char* ops[] = {"+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"};
        static const char* names[] = {"add", "sub", "mul", "div", "mod"};
        int op = is_float(k) ? r.below(5) : r.below(10);
        if (op >= 8) {
            int n = r.below(bits(k));
            std::string cs = op == 8 ? place + " = shl_" + kShort[k] + "(" + place + ", " + std::to_string(n) + ");"
                                     : place + " = (" + kC[k] + ")(" + place + " >> " + std::to_string(n) + ");";
            line(place + " " + ops[op] + "= " + std::to_string(n) + ";", cs);
            return;
        }
        E e = expr(k, 3, true);
        std::string ta = t(), tb = t();
        std::string pre = std::string("{ ") + kC[k] + " " + ta + " = " + place + "; " + kC[k] + " " + tb + " = " + e.c + "; ";
        std::string cs;
        if (is_float(k))
            cs = op == 4 ? pre + place + " = " + (k == F32 ? "fmodf(" : "fmod(") + ta + ", " + tb + "); }"
                         : pre + place + " = " + ta + " " + ops[op] + " " + tb + "; }";
        else if (op < 5) cs = pre + place + " = " + names[op] + "_" + kShort[k] + "(" + ta + ", " + tb + "); }";
        else cs = pre + place + " = (" + kC[k] + ")(" + ta + " " + ops[op] + " " + tb + "); }";
        line(place + " " + ops[op] + "= " + e.l + ";", cs);
        return;
    }
    if (c < 10) { // print a variable
        if (vars.empty()) return;
        print_var(vars[r.below((int)vars.size())]);
        return;
    }
    if (c < 13 && depth > 0) { // if / else
        E cond = expr(BOOL, 3);
        line("if (" + cond.l + ") {", "if (" + cond.c + ") {");
        std::string old = ind;
        size_t mark = vars.size();
        ind += "    ";
        block(1 + r.below(3), depth - 1);
        vars.resize(mark);
        ind = old;
        line("} else {", "} else {");
        ind += "    ";
        block(r.below(3), depth - 1);
        vars.resize(mark);
        ind = old;
        line("}", "}");
        return;
    }
    if (c < 16 && depth > 0 && loop_depth < 3) { // counted loop
        std::string iv = "i" + std::to_string(loop_depth);
        int n = 1 + r.below(8);
        line("for (var " + iv + " = 0; " + iv + " < " + std::to_string(n) + "; " + iv + " += 1) {",
             "for (int64_t " + iv + " = 0; " + iv + " < " + std::to_string(n) + "; " + iv + "++) {");
        std::string old = ind;
        ind += "    ";
        loop_depth++;
        size_t mark = vars.size();
        block(1 + r.below(4), depth - 1);
        vars.resize(mark);
        loop_depth--;
        ind = old;
        line("}", "}");
        return;
    }
    if (c < 18) { // a new local
        K k = any_type();
        std::string name = "v" + std::to_string(tmp++);
        E e = expr(k, 3, k != BOOL);
        line("var " + name + ": " + kLang[k] + " = " + e.l + ";", std::string(kC[k]) + " " + name + " = " + e.c + ";");
        vars.push_back({name, k, true, false});
        return;
    }
    // an expression statement whose value is dropped: an assignment used as a value
    K k = any_num();
    if (!pick_var(k, true, false)) return;
    E e = assign_expr(k, 3);
    line(e.l + ";", "(void)" + e.c + ";");
}

void Gen::block(int n, int depth) {
    for (int i = 0; i < n; i++) stmt(depth);
}

void Gen::function(int idx) {
    Fn f;
    f.name = "f" + std::to_string(idx);
    f.ret = any_type();
    int np = r.below(4);
    std::string lp, cp;
    for (int i = 0; i < np; i++) {
        K k = any_type();
        f.params.push_back(k);
        std::string pn = "p" + std::to_string(i);
        lp += (i ? ", " : "") + std::string(kLang[k]) + " " + pn;
        cp += (i ? ", " : "") + std::string(kC[k]) + " " + pn;
        vars.push_back({pn, k, false, false});
    }
    L += "    static " + std::string(kLang[f.ret]) + " " + f.name + "(" + lp + ") {\n";
    C += "static " + std::string(kC[f.ret]) + " " + f.name + "(" + (np ? cp : "void") + ") {\n";
    block(1 + r.below(4), 2);
    E e = expr(f.ret, 3, false);
    line("return " + e.l + ";", "return " + e.c + ";");
    L += "    }\n";
    C += "}\n";
    fns.push_back(f);
}

const char* kPrelude = R"(#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
int lang_fmt_f64(char *buf, double v);
int lang_fmt_f32(char *buf, float v);
_Noreturn static void lg_panic(const char *m) { fflush(stdout); fprintf(stderr, "panic: %s\n", m); exit(101); }
#define CHECKED(S, T, MIN)                                                                    \
  static T add_##S(T a, T b) { T r; if (__builtin_add_overflow(a, b, &r)) lg_panic("integer overflow"); return r; } \
  static T sub_##S(T a, T b) { T r; if (__builtin_sub_overflow(a, b, &r)) lg_panic("integer overflow"); return r; } \
  static T mul_##S(T a, T b) { T r; if (__builtin_mul_overflow(a, b, &r)) lg_panic("integer overflow"); return r; } \
  static T div_##S(T a, T b) { if (b == 0) lg_panic("division by zero");                    \
    if (MIN != 0 && a == MIN && b == (T)-1) lg_panic("integer overflow"); return (T)(a / b); } \
  static T mod_##S(T a, T b) { if (b == 0) lg_panic("division by zero");                    \
    if (MIN != 0 && b == (T)-1) return 0; return (T)(a % b); }                                \
  static T neg_##S(T a) { if (a == MIN) lg_panic("integer overflow"); return (T)-a; }         \
  static T shl_##S(T a, int n) { return (T)((uint64_t)a << n); }                               \
  static void pr_##S(T v) { if (MIN != 0) printf("%lld\n", (long long)v); else printf("%llu\n", (unsigned long long)v); }
CHECKED(i8, int8_t, INT8_MIN)
CHECKED(i16, int16_t, INT16_MIN)
CHECKED(i32, int32_t, INT32_MIN)
CHECKED(i64, int64_t, INT64_MIN)
CHECKED(u8, uint8_t, 0)
CHECKED(u16, uint16_t, 0)
CHECKED(u32, uint32_t, 0)
CHECKED(u64, uint64_t, 0)
static void pr_f64(double v) { char b[64]; int n = lang_fmt_f64(b, v); fwrite(b, 1, (size_t)n, stdout); putchar('\n'); }
static void pr_f32(float v) { char b[64]; int n = lang_fmt_f32(b, v); fwrite(b, 1, (size_t)n, stdout); putchar('\n'); }
static void pr_bool(bool v) { puts(v ? "true" : "false"); }
)";

void Gen::program(std::string& lang, std::string& c) {
    L = "// generated by tools/difftest.cpp\npublic class Program {\n";
    C = kPrelude;
    // static fields: globals that functions and Main both read and assign
    int ng = 1 + r.below(3);
    for (int i = 0; i < ng; i++) {
        K k = any_type();
        std::string name = "g" + std::to_string(i);
        E e = lit(k, false);
        L += "    static var " + std::string(kLang[k]) + " " + name + " = " + e.l + ";\n";
        C += "static " + std::string(kC[k]) + " " + name + " = " + e.c + ";\n";
        vars.push_back({name, k, true, false});
    }
    size_t globals = vars.size();
    int nf = r.below(4);
    for (int i = 0; i < nf; i++) {
        ind = "        ";
        function(i);
        vars.resize(globals);
    }
    L += "    public static void Main() {\n";
    C += "int main(void) {\n";
    ind = "        ";
    int nv = 3 + r.below(5);
    for (int i = 0; i < nv; i++) {
        K k = any_type();
        std::string name = "v" + std::to_string(tmp++);
        E e = expr(k, 2, k != BOOL);
        line("var " + name + ": " + kLang[k] + " = " + e.l + ";", std::string(kC[k]) + " " + name + " = " + e.c + ";");
        vars.push_back({name, k, true, false});
    }
    int na = r.below(3);
    for (int i = 0; i < na; i++) {
        K k = any_num();
        std::string name = "a" + std::to_string(i);
        line("var " + name + " = new " + kLang[k] + "[8];", std::string(kC[k]) + " " + name + "[8] = {0};");
        vars.push_back({name, k, true, true});
    }
    block(4 + r.below(8), 3);
    for (const Var& v : std::vector<Var>(vars)) print_var(v);
    L += "    }\n}\n";
    C += "        return 0;\n}\n";
    lang = L;
    c = C;
}

struct Result {
    std::string out, panic;
    int status = -1;
};

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

int run(const std::string& cmd) {
    int st = system(cmd.c_str());
    if (st == -1) return -1;
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

Result run_exe(const std::string& exe, const std::string& dir) {
    Result res;
    res.status = run("timeout 10 " + exe + " > " + dir + "/out 2> " + dir + "/err < /dev/null");
    res.out = slurp(dir + "/out");
    std::string err = slurp(dir + "/err");
    size_t p = err.find("panic: ");
    if (p != std::string::npos) res.panic = err.substr(p, err.find('\n', p) - p);
    return res;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: difftest LANG_BIN LIBLANGRT COUNT SEED [OUT_DIR]\n");
        return 2;
    }
    std::string lang = argv[1], rt = argv[2];
    long count = atol(argv[3]);
    uint64_t seed = strtoull(argv[4], nullptr, 10);
    std::string keep = argc > 5 ? argv[5] : "/tmp";
    char tmpl[] = "/tmp/lang-difftest-XXXXXX";
    if (!mkdtemp(tmpl)) {
        perror("mkdtemp");
        return 2;
    }
    std::string dir = tmpl;
    long ok = 0, bad = 0, skipped = 0, panicked = 0;
    for (long round = 0; round < count; round++) {
        uint64_t s = seed + (uint64_t)round;
        std::string ls, cs;
        Gen(s).program(ls, cs);
        std::ofstream(dir + "/p.lang") << ls;
        std::ofstream(dir + "/p.c") << cs;
        auto save = [&](const char* why) {
            std::string base = keep + "/difftest-" + std::to_string(s);
            std::ofstream(base + ".lang") << ls;
            std::ofstream(base + ".c") << cs;
            printf("MISMATCH seed %" PRIu64 ": %s (saved %s.lang and %s.c)\n", s, why, base.c_str(), base.c_str());
            fflush(stdout);
            bad++;
        };
        if (run("gcc -std=gnu11 -O1 -w -ffp-contract=off -fno-strict-aliasing " + dir + "/p.c " + rt + " -lm -o " + dir +
                "/c.exe 2> " + dir + "/cc.err") != 0) {
            skipped++; // the generator made C that gcc rejects: a generator bug, reported below
            printf("gcc rejected the C program of seed %" PRIu64 "\n", s);
            continue;
        }
        Result want = run_exe(dir + "/c.exe", dir);
        if (want.status == 101) panicked++;
        bool same = true;
        for (const char* opt : {"-O0", "-O1"}) {
            if (run(lang + " build " + dir + "/p.lang " + opt + " -o " + dir + "/l.exe > " + dir + "/lc.err 2>&1") != 0) {
                std::string why = std::string("Lang ") + opt + " rejected the program: " + slurp(dir + "/lc.err").substr(0, 300);
                save(why.c_str());
                same = false;
                break;
            }
            Result got = run_exe(dir + "/l.exe", dir);
            if (got.status != want.status || got.out != want.out || got.panic != want.panic) {
                std::string why = std::string("at ") + opt + ": exit " + std::to_string(got.status) + " vs C " +
                                  std::to_string(want.status) + ", '" + got.panic + "' vs '" + want.panic + "'" +
                                  (got.out != want.out ? ", stdout differs" : "");
                save(why.c_str());
                same = false;
                break;
            }
        }
        if (same) ok++;
    }
    run("rm -rf " + dir);
    printf("difftest: %ld programs (%ld end in a panic), %ld matched, %ld mismatched, %ld not compiled by gcc "
           "(seeds %" PRIu64 "..%" PRIu64 ")\n",
           count, panicked, ok, bad, skipped, seed, seed + (uint64_t)count - 1);
    return bad || skipped ? 1 : 0;
}
