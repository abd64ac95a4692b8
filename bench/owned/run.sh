#!/usr/bin/env bash
# bench/owned/run.sh BUILD_DIR: binary-trees depth 18 (the benchmarks game's program) with
# owned class nodes (bench/owned/binary_trees.lang, lang -O1): every tree is dropped, node
# by node, when the statement that made it ends (src/ir/lower_drop.cpp). Against C with
# malloc/free per node (bench/gc/binary_trees.c, gcc -O2), taken alternately in the same
# run, best of 3 wall times of whole processes. Goal: lang/C <= 1.5.
set -eu
here=$(dirname "$0")
. "$here/../lib.sh"
bench_setup owned "${1:-build}"

echo "== binary-trees, depth 18: owned class nodes (lang) vs malloc/free (C) =="
"$LANG_BIN" build "$here/binary_trees.lang" -O1 -o "$w/bt_lang"
gcc -O2 "$here/../gc/binary_trees.c" -o "$w/bt_c"
[ "$("$w/bt_lang" 18)" = "$("$w/bt_c" 18)" ] || echo "  lang output differs from C!"
run_lang() { "$w/bt_lang" 18; }
run_c() { "$w/bt_c" 18; }
read -r tl tc < <(best_pair 3 run_lang run_c)
printf "  lang -O1 (owned classes) %ss | C malloc/free (gcc -O2) %ss   lang/C time: %s (goal <= 1.5)\n" "$tl" "$tc" \
  "$(ratio "$tl" "$tc")"
