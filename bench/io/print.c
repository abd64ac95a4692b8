/* The C peer of print.lang: printf per line, putchar per character (stdio, gcc -O2). */
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    for (long i = 0; i < n; i++) printf("%ld\n", i);
    for (long i = 0; i < n; i++) putchar('a' + i % 26);
    putchar('\n');
    return 0;
}
