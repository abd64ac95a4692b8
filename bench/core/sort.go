// sort.go: the Go peer of sort.lang (sort.Ints).
package main

import (
	"fmt"
	"sort"
)

func main() {
	const n = 1000000
	l := make([]int, 0, n)
	x := uint64(88172645463325252)
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		l = append(l, int(x % 1000000000))
	}
	sort.Ints(l)
	check := 0
	for i := 0; i < n; i += 1000 {
		check += l[i]
	}
	fmt.Println(l[0], l[n/2], l[n-1], check)
}
