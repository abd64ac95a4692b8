#!/usr/bin/env bash
# bench/gc/run.sh BUILD_DIR: the cycle collector (`gc class`, src/rt/gc.c).
#   binary-trees depth 18 (the benchmarks game's program): lang -O1 with gc class nodes vs
#   C (malloc/free, gcc -O2) and Go (its collector) in the same run, best of 3 wall times.
#   churn: 2,000,000 short-lived cyclic pairs: time, peak RSS, collections and max pause.
# Go is optional: without the go command its column is skipped.
set -eu
here=$(dirname "$0")
. "$here/../lib.sh"
bench_setup gc "${1:-build}"

echo "== cycle collector (gc class) =="
"$LANG_BIN" build "$here/binary_trees.lang" -O1 -o "$w/bt_lang"
gcc -O2 "$here/binary_trees.c" -o "$w/bt_c"
out=$("$w/bt_lang" 18)
[ "$out" = "$("$w/bt_c" 18)" ] || echo "  binary-trees: lang output differs from C!"
rl=$(best 3 "$w/bt_lang" 18); rc=$(best 3 "$w/bt_c" 18)
line=$(printf "  binary-trees 18: lang gc class -O1 %ss | C malloc -O2 %ss" "$rl" "$rc")
ratios="lang/C time: $(ratio "$rl" "$rc")"
if command -v go >/dev/null; then
  (cd "$here" && GOCACHE="$w/gocache" go build -o "$w/bt_go" binary_trees.go)
  [ "$out" = "$("$w/bt_go" 18)" ] || echo "  binary-trees: lang output differs from Go!"
  rg=$(best 3 "$w/bt_go" 18)
  line="$line | Go ${rg}s"
  ratios="$ratios   lang/Go time: $(ratio "$rl" "$rg") (goal <= 1.5)"
fi
echo "$line"
echo "  $ratios"
LANG_GC_STATS=1 "$w/bt_lang" 18 2>&1 >/dev/null | sed 's/^/  binary-trees /'

"$LANG_BIN" build "$here/churn.lang" -O1 -o "$w/churn"
t=$(best 1 "$w/churn")
rss=$( { /usr/bin/time -f "%M" "$w/churn" > /dev/null; } 2>&1 | tail -1)
echo "  churn 2,000,000 cyclic pairs: ${t}s, peak RSS $((rss / 1024)) MB (goal < 100)"
LANG_GC_STATS=1 "$w/churn" 2>&1 >/dev/null | sed 's/^/  churn /'
