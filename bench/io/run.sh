#!/usr/bin/env bash
# bench/io/run.sh BUILD_DIR: standard output and reading files, Lang -O1 next to C (gcc -O2,
# stdio) and Go in the same run:
#   print: 10^6 numbers with Console.WriteLine, then 10^6 characters one Console.Write
#          each (printf / putchar; a bufio.Writer in Go), output to a file;
#   lines: a generated 100 MB text read line by line (File.OpenText + ReadLine; getline;
#          bufio.Scanner), counting lines and characters.
# Best of 5 wall times each; prints the ratios to C (goal: <= 1.5).
set -eu
B=${1:-build}
LANG_BIN=$PWD/$B/lang
export LANG_RUNTIME=${LANG_RUNTIME:-$PWD/$B/liblangrt.a}
D=$(cd "$(dirname "$0")" && pwd)
MB=${IO_MB:-100}
w=$(mktemp -d /tmp/lang-io-XXXXXX)
trap 'rm -rf "$w"' EXIT
. "$D/../lib.sh"

for p in print lines; do
  "$LANG_BIN" build "$D/$p.lang" -O1 -o "$w/${p}_lang"
  gcc -O2 "$D/$p.c" -o "$w/${p}_c"
done
have_go=1
if command -v go >/dev/null; then
  for p in print lines; do GOCACHE=$w/gocache GO111MODULE=off go build -o "$w/${p}_go" "$D/$p.go"; done
else
  have_go=0; echo "  (go not installed: Go column skipped)"
fi

# A text of about MB megabytes: lines of 1 to 120 characters, some of them not ASCII.
awk -v mb="$MB" 'BEGIN { srand(7); total = 0; limit = mb * 1000000;
  while (total < limit) { n = 1 + int(rand() * 120); s = "";
    for (i = 0; i < n; i++) s = s (rand() < 0.02 ? "é" : sprintf("%c", 97 + int(rand() * 26)));
    print s; total += length(s) + 1 } }' > "$w/text.txt"

echo "== standard output and files (Lang -O1 vs C gcc -O2 and Go) =="
print_to() { "$1" > "$w/out_$2.txt"; }
print_lang() { print_to "$w/print_lang" lang; }
print_c() { print_to "$w/print_c" c; }
print_go() { print_to "$w/print_go" go; }
read -r tl tc < <(best_pair 5 print_lang print_c)
cmp -s "$w/out_lang.txt" "$w/out_c.txt" || echo "  Lang and C print different text!"
tg=-; [ $have_go = 1 ] && tg=$(best 5 print_go)
echo "  print 10^6 lines + 10^6 chars  lang $tl s | C $tc s | Go $tg s   lang/C time: $(ratio "$tl" "$tc") (goal <= 1.5)"

lines_lang() { "$w/lines_lang" "$w/text.txt"; }
lines_c() { "$w/lines_c" "$w/text.txt"; }
[ "$(lines_lang)" = "$(lines_c)" ] || echo "  Lang and C count differently: $(lines_lang) / $(lines_c)"
read -r tl tc < <(best_pair 5 lines_lang lines_c)
tg=-; [ $have_go = 1 ] && tg=$(best 5 "$w/lines_go" "$w/text.txt")
echo "  read ${MB} MB line by line     lang $tl s | C $tc s | Go $tg s   lang/C time: $(ratio "$tl" "$tc") (goal <= 1.5)"
echo "  $(lines_c)"
