// pingpong.go: 2,000,000 round trips between two goroutines over unbuffered channels.
package main

import "fmt"

func ponger(ping, pong chan int) {
	for v := range ping {
		pong <- v + 1
	}
}

func main() {
	ping := make(chan int)
	pong := make(chan int)
	go ponger(ping, pong)
	v := 0
	for i := 0; i < 2000000; i++ {
		ping <- v
		v = <-pong
	}
	fmt.Println(v)
}
