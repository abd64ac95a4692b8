// spawn.go: start 1,000,000 goroutines that each send one int; sum them.
package main

import "fmt"

func send(ch chan int, v int) { ch <- v }

func main() {
	n := 1000000
	ch := make(chan int, 1024)
	for i := 0; i < n; i++ {
		go send(ch, i)
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-ch
	}
	fmt.Println(sum)
}
