// binary-trees (the benchmarks game's program) in Go: the reference for
// bench/gc/binary_trees.lang (Go's collector frees the trees). Depth from the first
// argument (default 18).
package main

import (
	"fmt"
	"os"
	"strconv"
)

type Tree struct{ L, R *Tree }

func make_(d int) *Tree {
	if d == 0 {
		return &Tree{}
	}
	return &Tree{make_(d - 1), make_(d - 1)}
}

func check(t *Tree) int {
	if t == nil {
		return 0
	}
	return 1 + check(t.L) + check(t.R)
}

func main() {
	n := 18
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	maxDepth := n
	if maxDepth < 6 {
		maxDepth = 6
	}
	stretch := maxDepth + 1
	fmt.Printf("stretch tree of depth %d\t check: %d\n", stretch, check(make_(stretch)))
	longLived := make_(maxDepth)
	for d := 4; d <= maxDepth; d += 2 {
		iterations := 1 << (maxDepth - d + 4)
		sum := 0
		for i := 0; i < iterations; i++ {
			sum += check(make_(d))
		}
		fmt.Printf("%d\t trees of depth %d\t check: %d\n", iterations, d, sum)
	}
	fmt.Printf("long lived tree of depth %d\t check: %d\n", maxDepth, check(longLived))
}
