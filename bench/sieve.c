#include <stdio.h>
#include <stdlib.h>
int main(void) {
    long n = 10000000, count = 0;
    char *composite = calloc(n + 1, 1);
    for (long i = 2; i <= n; i += 1)
        if (!composite[i]) {
            count += 1;
            for (long j = i * i; j <= n; j += i) composite[j] = 1;
        }
    printf("%ld\n", count);
    free(composite);
    return 0;
}
