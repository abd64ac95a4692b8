// The Go peer of print.lang: a bufio.Writer over stdout (fmt.Println alone is unbuffered).
package main

import (
	"bufio"
	"os"
	"strconv"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for i := 0; i < n; i++ {
		w.WriteString(strconv.Itoa(i))
		w.WriteByte('\n')
	}
	for i := 0; i < n; i++ {
		w.WriteByte(byte('a' + i%26))
	}
	w.WriteByte('\n')
}
