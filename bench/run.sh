#!/usr/bin/env bash
# bench/run.sh BUILD_DIR: compile-speed and run-time benchmarks, every peer measured in
# the same run on the same machine; prints ratios. Installs tcc if missing.
#   (a) compile speed: a generated ~100k-line program, `lang build --emit obj` (all cores,
#       and -j 1) vs `tcc -c` and `gcc -O0 -c`, in lines per second: lang and tcc best of 25
#       runs taken alternately (the machine's speed drifts, and on a shared VM bursts of other
#       load last seconds), lang -j 1 best of 5.
#   (b) big functions: one function of 20,000 `if`s and one of 1,000 variables assigned in
#       1,000 branches, lang -O0/-O1 vs tcc and gcc -O0 on the same functions in C: compile
#       time should grow with size, not size squared.
#   (c) run time: fib(35) and a sieve to 10^7, `lang -O1` vs gcc -O0, gcc -O2, tcc.
#   (d) lightweight threads and channels vs Go (bench/conc/run.sh).
#   (e) the core library (sorting 10^6 ints) vs C++ and Go (bench/core/run.sh).
#   (f) word frequency over a generated 20 MB text: Dict<string, int> vs C++ and Go
#       (bench/wordfreq/run.sh).
#   (g) the cycle collector: binary-trees with `gc class` nodes vs C and Go, and a churn of
#       2,000,000 cyclic pairs (peak RSS, longest pause) (bench/gc/run.sh).
#   (h) binary-trees with nodes in an Arena vs C malloc/free (bench/arena/run.sh).
#   (i) binary-trees with owned class nodes (dropped node by node) vs C malloc/free
#       (bench/owned/run.sh).
#   (j) standard output (10^6 lines, 10^6 single characters) and reading a 100 MB file
#       line by line vs C stdio and Go (bench/io/run.sh).
set -eu
B=${1:-build}
LANG_BIN=$PWD/$B/lang
command -v tcc >/dev/null || { apt-get update -qq && apt-get install -y -qq tcc >/dev/null; }
command -v go >/dev/null || { apt-get update -qq && apt-get install -y -qq golang-go >/dev/null; } || true
w=$(mktemp -d /tmp/lang-bench-XXXXXX)
trap 'rm -rf "$w"' EXIT

. "$(dirname "$0")/lib.sh"

echo "== compile speed (generated program) =="
g++ -O2 bench/gen.cpp -o "$w/gen"
"$w/gen" 9000 "$w/big.lang" "$w/big.c"
L=$(wc -l < "$w/big.lang"); C=$(wc -l < "$w/big.c")
lang_obj() { "$LANG_BIN" build "$w/big.lang" --emit obj -o "$w/big_lang.o"; }
tcc_obj() { tcc -c "$w/big.c" -o "$w/big_tcc.o"; }
read -r tl tt < <(best_pair 25 lang_obj tcc_obj)
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

echo "== big functions (one huge function each) =="
awk 'BEGIN { print "public class Program {\n  static int F(int v) {\n    var y = 0;";
  for (i = 0; i < 20000; i++) printf "    if (v == %d) y += %d;\n", i, i;
  print "    return y;\n  }\n  public static int Main() { return F(7) == 7 ? 0 : 1; }\n}" }' > "$w/ifs.lang"
awk 'BEGIN { print "static int F(int v) {\n  int y = 0;";
  for (i = 0; i < 20000; i++) printf "  if (v == %d) y += %d;\n", i, i;
  print "  return y;\n}\nint main(void) { return F(7) == 7 ? 0 : 1; }" }' > "$w/ifs.c"
awk 'BEGIN { print "public class Program {\n  static int F(int v) {";
  for (i = 0; i < 1000; i++) printf "    var x%d = %d;\n", i, i;
  for (i = 0; i < 1000; i++) printf "    if (v == %d) x%d += v;\n", i, (i * 7) % 1000;
  print "    var y = 0;"; for (i = 0; i < 1000; i++) printf "    y += x%d;\n", i;
  print "    return y;\n  }\n  public static int Main() { return F(7) > 0 ? 0 : 1; }\n}" }' > "$w/vars.lang"
awk 'BEGIN { print "static int F(int v) {";
  for (i = 0; i < 1000; i++) printf "  int x%d = %d;\n", i, i;
  for (i = 0; i < 1000; i++) printf "  if (v == %d) x%d += v;\n", i, (i * 7) % 1000;
  print "  int y = 0;"; for (i = 0; i < 1000; i++) printf "  y += x%d;\n", i;
  print "  return y;\n}\nint main(void) { return F(7) > 0 ? 0 : 1; }" }' > "$w/vars.c"
for prog in ifs vars; do
  b0=$(best 3 "$LANG_BIN" build "$w/$prog.lang" --emit obj -o "$w/$prog.o")
  b1=$(best 3 "$LANG_BIN" build "$w/$prog.lang" --emit obj -O1 -o "$w/$prog.o")
  bt=$(best 3 tcc -c "$w/$prog.c" -o "$w/${prog}_tcc.o")
  bg=$(best 1 gcc -O0 -c "$w/$prog.c" -o "$w/${prog}_gcc.o")
  printf "  %-5s lang -O0 %ss | lang -O1 %ss | tcc %ss | gcc -O0 %ss   lang -O0/tcc time: %s\n" \
    "$prog" "$b0" "$b1" "$bt" "$bg" "$(ratio "$b0" "$bt")"
done

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
bash "$(dirname "$0")/core/run.sh" "$B"

# Word frequency with Dict<string, int> vs C++ and Go (issue 9).
bash "$(dirname "$0")/wordfreq/run.sh" "$B"

# The cycle collector: binary-trees with gc class nodes vs C and Go, churn of cyclic pairs.
bash "$(dirname "$0")/gc/run.sh" "$B"
# binary-trees with nodes in an Arena vs C malloc/free (issue 10).
bash "$(dirname "$0")/arena/run.sh" "$B"
# binary-trees with owned class nodes, freed by drops, vs C malloc/free (issue 10).
bash "$(dirname "$0")/owned/run.sh" "$B"
# standard output and reading files line by line vs C stdio and Go (issue 11).
bash "$(dirname "$0")/io/run.sh" "$B"
