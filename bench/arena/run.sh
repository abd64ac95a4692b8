#!/usr/bin/env bash
# bench/arena/run.sh BUILD_DIR [DEPTH]: binary-trees (the benchmarks game's program, depth
# 18 by default) with every tree's nodes in an Arena (binarytrees.lang, lang -O1, run with
# LANG_DEBUG=0: no live-allocation bookkeeping; each tree is still dropped node by node,
# which in an arena only counts) against C with malloc/free per node (binarytrees.c, gcc -O2), taken
# alternately, best of 3 wall times of whole processes; prints the ratio (goal: the arena
# version faster than C's malloc version).
set -eu
DEPTH=${2:-18}
here=$(dirname "$0")
. "$here/../lib.sh"
bench_setup arena "${1:-build}"

echo "== binary-trees, depth $DEPTH: nodes in an Arena (lang) vs malloc/free (C) =="
"$LANG_BIN" build "$here/binarytrees.lang" -O1 -o "$w/bt_lang"
gcc -O2 "$here/binarytrees.c" -o "$w/bt_c"
[ "$(LANG_DEBUG=0 "$w/bt_lang" "$DEPTH")" = "$("$w/bt_c" "$DEPTH")" ] || echo "  lang output differs from C!"
run_lang() { LANG_DEBUG=0 "$w/bt_lang" "$DEPTH"; }
run_c() { "$w/bt_c" "$DEPTH"; }
read -r tl tc < <(best_pair 3 run_lang run_c)
printf "  lang -O1 (Arena) %ss | C malloc/free (gcc -O2) %ss   lang/C time: %s (goal < 1)\n" "$tl" "$tc" \
  "$(ratio "$tl" "$tc")"
