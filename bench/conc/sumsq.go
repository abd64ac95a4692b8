// sumsq.go: sum of squares over 16 chunks of 12,500,000 numbers, one goroutine per chunk
// (run with GOMAXPROCS=1 and 2).
package main

import "fmt"

func chunk(lo, hi int, out chan int) {
	s := 0
	for i := lo; i < hi; i++ {
		x := i & 1023
		s += x * x
	}
	out <- s
}

func main() {
	chunks := 16
	size := 12500000
	outs := make([]chan int, chunks)
	for c := 0; c < chunks; c++ {
		outs[c] = make(chan int, 1)
		go chunk(c*size, (c+1)*size, outs[c])
	}
	total := 0
	for _, o := range outs {
		total += <-o
	}
	fmt.Println(total)
}
