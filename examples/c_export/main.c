/* main.c: a C program that uses the Lang library examples/c_export/stats.lang through
 * include/stats.h (spec 10.9, export "C"). Build (tools/driver-tests.sh does this):
 *
 *   lang build examples/c_export/stats.lang --emit obj -o stats.o
 *   cc -Iinclude examples/c_export/main.c stats.o build/liblangrt.a -lpthread -lm -lutf8proc -o stats
 *
 * The first call into Lang sets up its runtime and gives this thread a context of its
 * own. C's stdout and Lang's Console are separate buffers: Lang's is written out before
 * each export "C" function returns, so C flushes its own before calling one that prints. */
#include <stdio.h>
#include "stats.h"

int main(void) {
    double xs[] = {3.0, 1.5, 5.0};
    printf("mean from Lang: %.2f\n", stats_mean(xs, 3));
    Summary s;
    if (stats_summarize(xs, 3, &s)) printf("count %ld, min %.1f, max %.1f\n", (long)s.count, s.min, s.max);
    printf("empty: %d\n", stats_summarize(xs, 0, &s));
    fflush(stdout);
    stats_print_bars(xs, 3);
    printf("done\n");
    return 0;
}
