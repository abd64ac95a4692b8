#!/usr/bin/env bash
# bench/conc/run.sh BUILD_DIR: lightweight threads and channels, Lang vs Go in the same
# run (installs golang-go with apt-get if `go` is missing). Prints times and ratios
# (Go time / Lang time: > 1 means Lang is faster).
#   spawn     1,000,000 threads that each send one int, summed     (goal: ratio >= 1)
#   pingpong  2,000,000 round trips over unbuffered channels        (goal: ratio >= 1)
#   blocked   peak RSS per thread with 100,000 threads blocked on a channel (goal <= 6 KiB)
#   sumsq     sum of squares in 16 tasks on 1 vs 2 workers          (goal: speed-up >= 1.8)
set -eu
B=${1:-build}
LANG_BIN=$PWD/$B/lang
export LANG_RUNTIME=${LANG_RUNTIME:-$PWD/$B/liblangrt.a}
D=$(cd "$(dirname "$0")" && pwd)
if ! command -v go >/dev/null; then
  { apt-get update -qq && apt-get install -y -qq golang-go >/dev/null; } || { echo "bench/conc: cannot install golang-go; skipped"; exit 0; }
fi
w=$(mktemp -d /tmp/lang-conc-bench-XXXXXX)
trap 'rm -rf "$w"' EXIT
export GOCACHE=$w/gocache GOFLAGS=-mod=mod GO111MODULE=off

. "$(dirname "$0")/../lib.sh"
rss() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; } # peak RSS in KiB

for p in spawn pingpong blocked sumsq; do
  "$LANG_BIN" build "$D/$p.lang" -O1 -o "$w/${p}_lang"
  go build -o "$w/${p}_go" "$D/$p.go"
  [ "$("$w/${p}_lang")" = "$("$w/${p}_go")" ] || echo "  $p: Lang and Go print different results!"
done
sed 's/let n = 100000;/let n = 1;/' "$D/blocked.lang" > "$w/blocked1.lang"
"$LANG_BIN" build "$w/blocked1.lang" -O1 -o "$w/blocked1_lang"
sed 's/n := 100000/n := 1/' "$D/blocked.go" > "$w/blocked1.go"
go build -o "$w/blocked1_go" "$w/blocked1.go"

echo "== concurrency (Lang -O1 vs $(go version | awk '{print $3}')) =="
for p in spawn pingpong; do
  tl=$(best 3 "$w/${p}_lang"); tg=$(best 3 "$w/${p}_go")
  printf "  %-9s lang %ss | go %ss | go/lang %s\n" "$p" "$tl" "$tg" "$(ratio "$tg" "$tl")"
done
ml=$(rss "$w/blocked_lang"); ml1=$(rss "$w/blocked1_lang")
mg=$(rss "$w/blocked_go"); mg1=$(rss "$w/blocked1_go")
kl=$(awk -v a="$ml" -v b="$ml1" 'BEGIN { printf "%.2f", (a - b) / 100000 }')
kg=$(awk -v a="$mg" -v b="$mg1" 'BEGIN { printf "%.2f", (a - b) / 100000 }')
printf "  blocked   lang %s KiB/thread (peak %s KiB) | go %s KiB/goroutine (peak %s KiB)\n" "$kl" "$ml" "$kg" "$mg"
l1=$(LANG_THREADS=1 best 3 "$w/sumsq_lang"); l2=$(LANG_THREADS=2 best 3 "$w/sumsq_lang")
g1=$(GOMAXPROCS=1 best 3 "$w/sumsq_go"); g2=$(GOMAXPROCS=2 best 3 "$w/sumsq_go")
printf "  sumsq     lang 1 worker %ss, 2 workers %ss: speed-up %s | go %ss, %ss: speed-up %s | go/lang (2) %s\n" \
  "$l1" "$l2" "$(ratio "$l1" "$l2")" "$g1" "$g2" "$(ratio "$g1" "$g2")" "$(ratio "$g2" "$l2")"
