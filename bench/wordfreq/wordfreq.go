// Word frequency in Go (map[string]int): the same text and output as wordfreq.lang.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

var state uint64 = 88172645463325252

func next() uint64 {
	state = state*6364136223846793005 + 1442695040888963407
	return state >> 24
}

func spell(k int) string {
	var b []byte
	n := k
	b = append(b, byte(97+n%26))
	n /= 26
	for n > 0 {
		b = append(b, byte(97+n%26))
		n /= 26
	}
	return string(b)
}

func generate(bytes int) string {
	words := make([]string, 65536)
	for i := range words {
		words[i] = spell(i)
	}
	var sb strings.Builder
	n := 0
	for sb.Len() < bytes {
		bits := next() % 17
		idx := next() & ((1 << bits) - 1)
		sb.WriteString(words[idx])
		n++
		if n%12 == 0 {
			sb.WriteByte('\n')
		} else {
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}

// The text is counted `passes` times into the same map (as in wordfreq.lang).
const passes = 3

func main() {
	mb := 20
	if len(os.Args) > 2 {
		mb, _ = strconv.Atoi(os.Args[2])
	}
	text := generate(mb * 1000000)
	if len(os.Args) > 1 && os.Args[1] == "gen" {
		fmt.Println(len(text))
		return
	}
	counts := map[string]int{}
	total := 0
	for pass := 0; pass < passes; pass++ {
		start := -1
		for i := 0; i < len(text); i++ {
			ch := text[i]
			if ch == ' ' || ch == '\n' {
				if start >= 0 {
					counts[text[start:i]]++
					total++
					start = -1
				}
			} else if start < 0 {
				start = i
			}
		}
	}
	fmt.Printf("%d words, %d distinct\n", total, len(counts))
	type kv struct {
		k string
		v int
	}
	all := make([]kv, 0, len(counts))
	for k, v := range counts {
		all = append(all, kv{k, v})
	}
	for r := 0; r < 5 && r < len(all); r++ {
		best := r
		for j := r + 1; j < len(all); j++ {
			if all[j].v > all[best].v || (all[j].v == all[best].v && all[j].k < all[best].k) {
				best = j
			}
		}
		all[r], all[best] = all[best], all[r]
		fmt.Printf("%s %d\n", all[r].k, all[r].v)
	}
}
