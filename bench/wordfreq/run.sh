#!/usr/bin/env bash
# bench/wordfreq/run.sh BUILD_DIR: word frequency over a generated 20 MB text, counted with
# Dict<string, int> in Lang (-O1), std::unordered_map in C++ (g++ -O2) and a map in Go, all
# in the same run. Each program generates the same text itself (no file reading yet) and is
# timed twice: "gen" only generates it, "count" also counts; the counting time is the
# difference of the two best-of-5 CPU times (user + system: the programs are single-threaded,
# and CPU time is steadier than wall time on a shared machine). Prints times and ratios.
set -eu
B=${1:-build}
LANG_BIN=$PWD/$B/lang
export LANG_RUNTIME=${LANG_RUNTIME:-$PWD/$B/liblangrt.a}
D=$(cd "$(dirname "$0")" && pwd)
MB=${WORDFREQ_MB:-20}
w=$(mktemp -d /tmp/lang-wordfreq-XXXXXX)
trap 'rm -rf "$w"' EXIT
. "$D/../lib.sh"

echo "== word frequency (${MB} MB generated text, Dict<string, int>) =="
"$LANG_BIN" build "$D/wordfreq.lang" -O1 -o "$w/wf_lang"
g++ -O2 "$D/wordfreq.cpp" -o "$w/wf_cpp"
have_go=1
if command -v go >/dev/null; then
  GOCACHE=$w/gocache GO111MODULE=off go build -o "$w/wf_go" "$D/wordfreq.go"
else
  have_go=0; echo "  (go not installed: Go column skipped)"
fi
"$w/wf_lang" count "$MB" > "$w/lang.out"
"$w/wf_cpp" count "$MB" > "$w/cpp.out"
cmp -s "$w/lang.out" "$w/cpp.out" || echo "  Lang and C++ print different results!"
if [ $have_go = 1 ]; then
  "$w/wf_go" count "$MB" > "$w/go.out"
  cmp -s "$w/lang.out" "$w/go.out" || echo "  Lang and Go print different results!"
fi
cpu_best() { # best-of-N user+system seconds of a command
  local n=$1 b="" t; shift
  for _ in $(seq "$n"); do
    t=$( { /usr/bin/time -f "%U %S" "$@" > /dev/null; } 2>&1 | tail -1 | awk '{ printf "%.4f", $1 + $2 }')
    if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
  done
  echo "$b"
}
count_time() { # program: best(count) - best(gen)
  local g c
  g=$(cpu_best 5 "$1" gen "$MB"); c=$(cpu_best 5 "$1" count "$MB")
  awk -v g="$g" -v c="$c" 'BEGIN { d = c - g; if (d < 0.0001) d = 0.0001; printf "%.4f %.4f\n", d, g }'
}
read -r tl gl < <(count_time "$w/wf_lang")
read -r tc gc < <(count_time "$w/wf_cpp")
printf "  %-28s count %ss (generate %ss)\n" "lang -O1 (Dict)" "$tl" "$gl" "g++ -O2 (unordered_map)" "$tc" "$gc"
if [ $have_go = 1 ]; then
  read -r tg gg < <(count_time "$w/wf_go")
  printf "  %-28s count %ss (generate %ss)\n" "go (map)" "$tg" "$gg"
  echo "  lang/go time: $(ratio "$tl" "$tg")   lang/c++ time: $(ratio "$tl" "$tc")   (goal: lang/go <= 2)"
else
  echo "  lang/c++ time: $(ratio "$tl" "$tc")"
fi
head -1 "$w/lang.out" | sed 's/^/  /'
