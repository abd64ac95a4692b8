/* The C peer of lines.lang: getline, characters counted as UTF-8 lead bytes. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 1; }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lines = 0, chars = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        if (n > 0 && line[n - 1] == '\n') n--;
        if (n > 0 && line[n - 1] == '\r') n--;
        for (ssize_t i = 0; i < n; i++) chars += (line[i] & 0xC0) != 0x80;
        lines++;
    }
    printf("%ld lines, %ld characters\n", lines, chars);
    free(line);
    fclose(f);
    return 0;
}
