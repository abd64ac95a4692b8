#!/usr/bin/env bash
# bench/core/run.sh BUILD_DIR: the core library against C++ (g++ -O2) and Go in the same
# run, best of 3 wall times of whole processes, with ratios (goal: within 2x of Go).
#   sort: 10^6 pseudo-random ints, List<int>.Sort() vs std::sort vs sort.Ints.
# Go is optional: without the go command its column is skipped.
set -eu
here=$(dirname "$0")
. "$here/../lib.sh"
bench_setup core "${1:-build}"

echo "== core library (vs C++ g++ -O2 and Go) =="
for prog in sort; do
  "$LANG_BIN" build "$here/$prog.lang" -O1 -o "$w/${prog}_lang"
  g++ -O2 "$here/$prog.cpp" -o "$w/${prog}_cpp"
  out=$("$w/${prog}_lang")
  [ "$out" = "$("$w/${prog}_cpp")" ] || echo "  $prog: lang output differs from C++!"
  rl=$(best 3 "$w/${prog}_lang"); rc=$(best 3 "$w/${prog}_cpp")
  line=$(printf "  %-6s lang -O1 %ss | C++ %ss" "$prog" "$rl" "$rc")
  ratios="lang/C++ time: $(ratio "$rl" "$rc")"
  if command -v go >/dev/null; then
    (cd "$here" && GOCACHE="$w/gocache" go build -o "$w/${prog}_go" "$prog.go")
    [ "$out" = "$("$w/${prog}_go")" ] || echo "  $prog: lang output differs from Go!"
    rg=$(best 3 "$w/${prog}_go")
    line="$line | Go ${rg}s"
    ratios="$ratios   lang/Go time: $(ratio "$rl" "$rg") (goal <= 2)"
  fi
  echo "$line"
  echo "         $ratios"
done
