// The Go peer of lines.lang: bufio.Scanner, characters counted with utf8.RuneCount.
package main

import (
	"bufio"
	"fmt"
	"os"
	"unicode/utf8"
)

func main() {
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64*1024), 1<<30)
	lines, chars := 0, 0
	for s.Scan() {
		lines++
		chars += utf8.RuneCount(s.Bytes())
	}
	fmt.Printf("%d lines, %d characters\n", lines, chars)
}
