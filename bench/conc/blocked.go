// blocked.go: N goroutines blocked on one channel (peak RSS is measured by run.sh).
package main

import (
	"fmt"
	"sync"
	"time"
)

func wait(ch chan int, started *sync.WaitGroup) {
	started.Done()
	<-ch
}

func main() {
	n := 100000
	ch := make(chan int)
	var started sync.WaitGroup
	started.Add(n)
	for i := 0; i < n; i++ {
		go wait(ch, &started)
	}
	started.Wait()
	time.Sleep(50 * time.Millisecond)
	fmt.Println(n)
}
