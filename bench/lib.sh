# bench/lib.sh: timing helpers shared by the benchmark scripts (sourced, not run).

# Times are taken with bash's $EPOCHREALTIME (no `date` process around the command).

# best-of-N wall time in seconds of a command (its stdout is discarded)
best() {
  local n=$1; shift
  local b=""
  for _ in $(seq "$n"); do
    local t0=${EPOCHREALTIME/[.,]/}
    "$@" > /dev/null
    local d=$(( ${EPOCHREALTIME/[.,]/} - t0 ))
    if [ -z "$b" ] || [ $d -lt $b ]; then b=$d; fi
  done
  awk -v us="$b" 'BEGIN { printf "%.4f", us / 1e6 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# best-of-N wall times of two commands run alternately (A B A B ...), so that both see the
# same machine: on a shared VM the speed drifts within seconds. A and B are names of shell
# functions (no arguments). Prints "tA tB" in seconds.
best_pair() {
  local n=$1 a=$2 b=$3 ba="" bb=""
  for _ in $(seq "$n"); do
    local t0=${EPOCHREALTIME/[.,]/}
    "$a" > /dev/null
    local d=$(( ${EPOCHREALTIME/[.,]/} - t0 ))
    if [ -z "$ba" ] || [ $d -lt $ba ]; then ba=$d; fi
    t0=${EPOCHREALTIME/[.,]/}
    "$b" > /dev/null
    d=$(( ${EPOCHREALTIME/[.,]/} - t0 ))
    if [ -z "$bb" ] || [ $d -lt $bb ]; then bb=$d; fi
  done
  awk -v a="$ba" -v b="$bb" 'BEGIN { printf "%.4f %.4f\n", a / 1e6, b / 1e6 }'
}

# bench_setup NAME BUILD_DIR: B and LANG_BIN for the compiler in BUILD_DIR, and a work
# directory $w (/tmp/lang-NAME-*) removed when the script exits.
bench_setup() {
  B=$2
  LANG_BIN=$PWD/$B/lang
  w=$(mktemp -d "/tmp/lang-$1-XXXXXX")
  trap 'rm -rf "$w"' EXIT
}
