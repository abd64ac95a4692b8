/* binarytrees.c: the benchmarks game's binary-trees, one malloc and one free per node
 * (the peer of binarytrees.lang, built with gcc -O2). */
#include <stdio.h>
#include <stdlib.h>

typedef struct Node {
    struct Node *left, *right;
} Node;

static Node *make(int d) {
    Node *n = malloc(sizeof *n);
    if (!n) abort();
    n->left = d ? make(d - 1) : NULL;
    n->right = d ? make(d - 1) : NULL;
    return n;
}

static long check(const Node *n) { return n->left ? 1 + check(n->left) + check(n->right) : 1; }

static void drop(Node *n) {
    if (n->left) {
        drop(n->left);
        drop(n->right);
    }
    free(n);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10;
    int max = n < 6 ? 6 : n;
    Node *s = make(max + 1);
    printf("stretch tree of depth %d\t check: %ld\n", max + 1, check(s));
    drop(s);
    Node *lt = make(max);
    for (int d = 4; d <= max; d += 2) {
        long iters = 1L << (max - d + 4), c = 0;
        for (long i = 0; i < iters; i++) {
            Node *t = make(d);
            c += check(t);
            drop(t);
        }
        printf("%ld\t trees of depth %d\t check: %ld\n", iters, d, c);
    }
    printf("long lived tree of depth %d\t check: %ld\n", max, check(lt));
    drop(lt);
    return 0;
}
