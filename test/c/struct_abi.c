/* struct_abi.c: C functions that take and return structs by value, for
 * test/c/struct_abi.lang (spec 10.9, [C] structs by value). tools/driver-tests.sh
 * compiles this with cc, links it with the Lang program's object and runs the program;
 * every System V class appears: INTEGER, SSE, mixed in both orders, a struct of three
 * bytes, two eightbytes of each kind, MEMORY (over 16 bytes) arguments and results, and
 * structs that go on the stack because the registers they need are taken. */
#include <stdint.h>

typedef struct { float x, y; } V2;                 /* SSE */
typedef struct { double x, y; } D2;                /* SSE, SSE */
typedef struct { int64_t id; double w; } Tagged;   /* INTEGER, SSE */
typedef struct { double w; int32_t a, b; } Weighed; /* SSE, INTEGER */
typedef struct { uint8_t r, g, b; } Rgb;           /* INTEGER (3 bytes) */
typedef struct { int32_t lo, hi; int64_t n; } Range; /* INTEGER, INTEGER */
typedef struct { int64_t a, b, c; } Big;           /* MEMORY */

V2 v2_scale(V2 v, float k) { V2 r = {v.x * k, v.y * k}; return r; }
D2 d2_add(D2 a, D2 b) { D2 r = {a.x + b.x, a.y + b.y}; return r; }
Tagged tagged_bump(Tagged t, int64_t by) { t.id += by; t.w *= 2; return t; }
Weighed weighed_swap(Weighed w) { Weighed r = {w.w + 0.5, w.b, w.a}; return r; }
Rgb rgb_invert(Rgb c) { Rgb r = {(uint8_t)(255 - c.r), (uint8_t)(255 - c.g), (uint8_t)(255 - c.b)}; return r; }
Range range_make(int32_t lo, int32_t hi) { Range r = {lo, hi, (int64_t)hi - lo}; return r; }
int64_t range_len(Range r) { return r.n; }
Big big_make(int64_t x) { Big b = {x, x * 2, x * 3}; return b; }
int64_t big_sum(const Big *b) { return b->a + b->b + b->c; }
/* structs among scalars: integer and vector registers are counted separately */
double mixed_args(int64_t a, D2 d, int64_t b, V2 v, Rgb c, double e) {
    return (double)(a + b + c.r + c.g + c.b) + d.x + d.y + v.x + v.y + e;
}
int64_t big_sum_val(Big b) { return b.a + b.b + b.c; }
/* a MEMORY argument between register arguments, and after the registers are used up */
int64_t big_mix(int64_t x, Big b, double f, int64_t y) { return x * 1000 + (b.a + b.b + b.c) * 10 + (int64_t)f + y; }
int64_t late(int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, Range r, int64_t f) {
    return a + b + c + d + e + f + r.lo * 100 + r.hi * 1000 + r.n * 10000;
}
double late_sse(double a, double b, double c, double d, double e, double f, double g, D2 p, double h) {
    return a + b + c + d + e + f + g + h + p.x * 100 + p.y * 1000;
}
Big big_pass(Big b, int64_t k) { Big r = {b.a * k, b.b * k, b.c * k}; return r; }
