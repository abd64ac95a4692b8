#include <stdio.h>
#include <string.h>
#include "mylib.h"

int main(void) {
    printf("fib(10)=%ld fib(90)=%ld\n", (long)lang_fib(10), (long)lang_fib(90));
    Vec2 v = {3.0, 4.0};
    printf("length=%.3f\n", lang_length(&v));
    lang_normalize(&v);
    printf("normalized=(%.3f, %.3f)\n", v.x, v.y);
    const char *t = "the quick  brown\tfox\n jumps";
    printf("words=%d\n", lang_count_words((uint8_t*)t, (int64_t)strlen(t)));
    printf("even(7)=%d even(8)=%d\n", lang_is_even(7), lang_is_even(8));
    fflush(stdout);
    lang_greet(5, 0x00E9);
    printf("done\n");
    return 0;
}
