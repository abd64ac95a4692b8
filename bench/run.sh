#!/usr/bin/env bash
# bench/run.sh BUILD_DIR: compile-speed and run-time benchmarks, every peer measured in
# the same run on the same machine; prints ratios. Installs tcc if missing.
#   (a) compile speed: a generated ~100k-line program, `lang build --emit obj` (all cores,
#       and -j 1) vs `tcc -c` and `gcc -O0 -c`, in lines per second: lang and tcc best of 9
#       runs taken alternately (the machine's speed drifts), lang -j 1 best of 5.
#   (b) run time: fib(35) and a sieve to 10^7, `lang -O1` vs gcc -O0, gcc -O2, tcc.
set -eu
B=${1:-build}
LANG_BIN=$PWD/$B/lang
command -v tcc >/dev/null || { apt-get update -qq && apt-get install -y -qq tcc >/dev/null; }
w=$(mktemp -d /tmp/lang-bench-XXXXXX)
trap 'rm -rf "$w"' EXIT

. "$(dirname "$0")/lib.sh"

echo "== compile speed (generated program) =="
g++ -O2 bench/gen.cpp -o "$w/gen"
"$w/gen" 9000 "$w/big.lang" "$w/big.c"
L=$(wc -l < "$w/big.lang"); C=$(wc -l < "$w/big.c")
lang_obj() { "$LANG_BIN" build "$w/big.lang" --emit obj -o "$w/big_lang.o"; }
tcc_obj() { tcc -c "$w/big.c" -o "$w/big_tcc.o"; }
read -r tl tt < <(best_pair 9 lang_obj tcc_obj)
t1=$(best 5 "$LANG_BIN" build "$w/big.lang" --emit obj -j 1 -o "$w/big_lang1.o")
tg=$(best 1 gcc -O0 -c "$w/big.c" -o "$w/big_gcc.o")
ll=$(awk -v l="$L" -v t="$tl" 'BEGIN { printf "%d", l / t }')
l1=$(awk -v l="$L" -v t="$t1" 'BEGIN { printf "%d", l / t }')
lt=$(awk -v l="$C" -v t="$tt" 'BEGIN { printf "%d", l / t }')
lg=$(awk -v l="$C" -v t="$tg" 'BEGIN { printf "%d", l / t }')
printf "  %-22s %8s s  %10s lines/s\n" "lang --emit obj -O0" "$tl" "$ll" "lang ... -j 1" "$t1" "$l1" "tcc -c" "$tt" "$lt" \
  "gcc -O0 -c" "$tg" "$lg"
echo "  lang/tcc speed ratio: $(ratio "$ll" "$lt")   (goal >= 0.5; on one thread: $(ratio "$l1" "$lt"))"
echo "  lang/gcc-O0 speed ratio: $(ratio "$ll" "$lg")   (goal >= 10)"

echo "== run time =="
for prog in fib sieve; do
  "$LANG_BIN" build "bench/$prog.lang" -O1 -o "$w/${prog}_lang"
  gcc -O0 "bench/$prog.c" -o "$w/${prog}_gcc0"
  gcc -O2 "bench/$prog.c" -o "$w/${prog}_gcc2"
  tcc "bench/$prog.c" -o "$w/${prog}_tcc"
  [ "$("$w/${prog}_lang")" = "$("$w/${prog}_gcc2")" ] || { echo "  $prog: lang output differs from gcc!"; }
  rl=$(best 3 "$w/${prog}_lang"); r0=$(best 3 "$w/${prog}_gcc0"); r2=$(best 3 "$w/${prog}_gcc2"); rt=$(best 3 "$w/${prog}_tcc")
  printf "  %-6s lang -O1 %ss | gcc -O0 %ss | gcc -O2 %ss | tcc %ss\n" "$prog" "$rl" "$r0" "$r2" "$rt"
  echo "         lang vs gcc -O0: $(ratio "$r0" "$rl")x faster   vs gcc -O2: $(ratio "$r2" "$rl")x   vs tcc: $(ratio "$rt" "$rl")x"
done

# Lightweight threads and channels vs Go (issue 3).
bash "$(dirname "$0")/conc/run.sh" "$B"
