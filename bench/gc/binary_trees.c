/* binary-trees (the benchmarks game's program) in C with malloc/free: the reference for
 * bench/gc/binary_trees.lang. Depth from the first argument (default 18). */
#include <stdio.h>
#include <stdlib.h>

typedef struct Tree { struct Tree *l, *r; } Tree;

static Tree *make(int d) {
    Tree *t = malloc(sizeof *t);
    if (d == 0) t->l = t->r = NULL;
    else { t->l = make(d - 1); t->r = make(d - 1); }
    return t;
}
static int check(const Tree *t) { return t ? 1 + check(t->l) + check(t->r) : 0; }
static void release(Tree *t) {
    if (!t) return;
    release(t->l);
    release(t->r);
    free(t);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 18;
    int max_depth = n < 6 ? 6 : n, stretch = max_depth + 1;
    Tree *s = make(stretch);
    printf("stretch tree of depth %d\t check: %d\n", stretch, check(s));
    release(s);
    Tree *long_lived = make(max_depth);
    for (int d = 4; d <= max_depth; d += 2) {
        int iterations = 1 << (max_depth - d + 4), sum = 0;
        for (int i = 0; i < iterations; i++) {
            Tree *t = make(d);
            sum += check(t);
            release(t);
        }
        printf("%d\t trees of depth %d\t check: %d\n", iterations, d, sum);
    }
    printf("long lived tree of depth %d\t check: %d\n", max_depth, check(long_lived));
    release(long_lived);
    return 0;
}
