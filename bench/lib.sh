# bench/lib.sh: timing helpers shared by the benchmark scripts (sourced, not run).

# best-of-N wall time in seconds of a command (its stdout is discarded)
best() {
  local n=$1; shift
  local b=""
  for _ in $(seq "$n"); do
    local t0 t1; t0=$(date +%s%N); "$@" > /dev/null; t1=$(date +%s%N)
    local d=$(( t1 - t0 ))
    if [ -z "$b" ] || [ $d -lt $b ]; then b=$d; fi
  done
  awk -v ns="$b" 'BEGIN { printf "%.4f", ns / 1e9 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
