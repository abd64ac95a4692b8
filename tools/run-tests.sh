#!/usr/bin/env bash
# run-tests.sh BUILD_DIR: runs every test and ends with the line "N passed, N failed".
#
#  - unit tests: BUILD_DIR/unittests (doctest); each test case counts once
#  - test/run/*.lang (or folders) and examples/*/*.lang: compiled at -O0 and -O1, run; checks
#      // expect: LINE          stdout lines, in order, exactly (all of stdout)
#      // exit: N               exit status (default 0)
#      // args: A B C           program arguments
#      // stderr: TEXT          stderr must contain TEXT
#      // flags: F              extra compiler flags (e.g. -j 3)
#      // leaks: N              exactly N built strings still live at exit (instead of none)
#      // leak check: off (WHY)  a known leak (doc/language/spec.md 6 lists them): not checked
#    every program runs with LANG_LEAKS=1; one that exits with status 0, or 1 by an error
#    escaping Main, must report no allocation, no handle and (unless "// leaks:" says
#    otherwise) no string still live
#      // env: NAME=VALUE ...   environment variables of the run (e.g. LANG_GC_STATS=1)
#      // warning: LINE:COL: MESSAGE   the compiler must print "PATH:LINE:COL: warning: MESSAGE";
#                               any warning the file does not expect fails the test
#  - test/lang-test/*.lang (or folders): run by `lang test PATH` (spec 10.8) at -O0 and -O1, checked like
#    test/run: // expect: (all of stdout: the runner's failure lines and its final
#    "N passed, N failed"), // exit: (1 when a test fails), // stderr:, // flags: (e.g.
#    --filter TEXT), leaks when the status is 0; "// command: run" runs `lang run FILE`
#    instead (test blocks must be ignored there)
#  - test/errors/*.lang: must fail to compile with status 1 (with the // flags: given); for each
#      // error: LINE:COL: MESSAGE   stderr must contain "PATH:LINE:COL: error: MESSAGE"
#      // errors: N            exactly N errors are reported (no follow-up errors)
#      // warning: LINE:COL: MESSAGE   stderr must contain "PATH:LINE:COL: warning: MESSAGE"
#      // command: test       compile with `lang test` (errors in test blocks) instead of `lang build`
#  - tools/driver-tests.sh: the `lang` command line (exit statuses, refused paths, messages)
#  - the compiler's sources as one translation unit (make UNITY=1) pass a syntax check
# Set TEST_FILTER=substring to run only matching end-to-end tests.
set -u
B=${1:-build}
LANG_BIN=$B/lang
tmp=$(mktemp -d /tmp/lang-tests-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0; failed=0

# ---- unit tests
if [ -x "$B/unittests" ] && [ -z "${TEST_FILTER:-}" ]; then
  "$B/unittests" --no-intro=true > "$tmp/unit.out" 2>&1
  ustat=$?
  line=$(grep -E '^\[doctest\] test cases:' "$tmp/unit.out" | tail -1)
  up=$(echo "$line" | sed -E 's/.*\| *([0-9]+) passed.*/\1/')
  uf=$(echo "$line" | sed -E 's/.*\| *([0-9]+) failed.*/\1/')
  [[ "$up" =~ ^[0-9]+$ ]] || up=0
  [[ "$uf" =~ ^[0-9]+$ ]] || uf=1
  if [ "$ustat" != 0 ] && [ "$uf" = 0 ]; then uf=1; fi
  if [ "$uf" != 0 ]; then grep -B2 -A12 -E 'ERROR|FAILED|crash|Sanitizer' "$tmp/unit.out" | head -80; fi
  echo "unit tests: $up passed, $uf failed"
  passed=$((passed + up)); failed=$((failed + uf))
fi

# ---- the "// warning:" lines of a test as the diagnostics they expect ("PATH:L:C: warning: M")
expected_warnings() {
  local srcs=$1 l want lc msg f
  while IFS= read -r l; do
    want="${l#*// warning: }"; lc=${want%%: *}; msg=${want#*: }
    f=$(grep -l -F "// warning: $want" $srcs | head -1)
    echo "$f:$lc: warning: $msg"
  done < <(grep -h -o '// warning: .*' $srcs)
}

# ---- checks the warnings in file $2 against the expected ones in $1; prints a reason or nothing
check_warnings() {
  local exp=$1 err=$2 strict=$3 w
  while IFS= read -r w; do
    if ! grep -q -x -F -- "$w" "$err"; then echo "missing warning '$w'"; return; fi
  done < "$exp"
  if [ "$strict" = 1 ]; then
    w=$(grep -E '^[^ ].*:[0-9]+:[0-9]+: warning: ' "$err" | grep -v -x -F -f "$exp" | head -1)
    if [ -n "$w" ]; then echo "unexpected warning '$w'"; fi
  fi
}

# ---- one test/lang-test file: `lang test` (or `lang run`) compiles and runs it at once
run_lang_test() {
  local t=$1 opt=$2 name=$3 srcs=$4 flags=$5
  local id; id=$(echo "$name$opt" | tr '/' '_')
  local exp="$tmp/$id.exp" out="$tmp/$id.out" err="$tmp/$id.err"
  local cmd=test; grep -q -F '// command: run' $srcs && cmd=run
  grep -h -o '// expect: .*' $srcs | sed 's|^// expect: ||' > "$exp"
  local want_exit; want_exit=$(grep -h -o '// exit: [0-9]*' $srcs | head -1 | sed 's|^// exit: ||'); want_exit=${want_exit:-0}
  local work; work=$(mktemp -d "$tmp/work.XXXXXX") # TEST_TMPDIR: this run's own (-O0 and -O1 may overlap)
  # shellcheck disable=SC2086
  TEST_TMPDIR="$work" LANG_LEAKS=1 timeout 60 "$LANG_BIN" $cmd "$t" $opt $flags > "$out" 2> "$err" < /dev/null; local st=$?
  rm -rf "$work"
  if [ "$st" != "$want_exit" ]; then echo "FAIL $name $opt: exit status $st, expected $want_exit"; head -8 "$err"; return; fi
  if ! diff -q "$exp" "$out" > /dev/null; then echo "FAIL $name $opt: stdout differs"; diff "$exp" "$out" | head -10; return; fi
  while IFS= read -r s; do
    if ! grep -q -F -- "$s" "$err"; then echo "FAIL $name $opt: stderr lacks '$s'"; head -5 "$err"; return; fi
  done < <(grep -h -o '// stderr: .*' $srcs | sed 's|^// stderr: ||')
  # Failing tests are abandoned without drops: only a clean run is leak checked.
  if [ "$st" = 0 ] && ! grep -q -x -F "leak report: 0 allocations, 0 bytes still live" "$err"; then
    echo "FAIL $name $opt: leaks: $(grep -F 'leak report: ' "$err" | head -1)"; return
  fi
  if [ "$st" = 0 ] && ! grep -q -x -F "string leak report: 0 strings still live" "$err"; then
    echo "FAIL $name $opt: leaks: $(grep -F 'string leak report' "$err")"; return
  fi
  echo "PASS $name $opt"
}

# ---- one end-to-end test; prints "PASS name" or "FAIL name: reason"
run_one() {
  local t=$1 kind=$2 opt=$3
  local name=${t#test/}; name=${name%.lang}; name=${name#examples/}
  local id; id=$(echo "$name$opt" | tr '/' '_')
  local srcs; if [ -d "$t" ]; then srcs=$(find "$t" -name '*.lang' | sort); else srcs=$t; fi
  local exp="$tmp/$id.exp" out="$tmp/$id.out" err="$tmp/$id.err" exe="$tmp/$id.exe"
  local flags; flags=$(grep -h -o '// flags: .*' $srcs | head -1 | sed 's|^// flags: ||')
  if [ "$kind" = errors ]; then
    local st
    if grep -q -F '// command: test' $srcs; then
      # shellcheck disable=SC2086
      timeout 20 "$LANG_BIN" test "$t" $flags > "$out" 2> "$err"; st=$?
    else
      # shellcheck disable=SC2086
      timeout 20 "$LANG_BIN" build "$t" $flags -o "$exe" > "$out" 2> "$err"; st=$?
    fi
    if [ $st != 1 ]; then echo "FAIL $name: expected compile status 1, got $st"; head -5 "$err"; return; fi
    local n=0
    while IFS= read -r l; do
      n=$((n+1))
      local want="${l#*// error: }"
      local lc=${want%%: *} msg=${want#*: }
      local f; f=$(grep -l -F "// error: $want" $srcs | head -1)
      if ! grep -q -F -- "$f:$lc: error: $msg" "$err"; then
        echo "FAIL $name: missing diagnostic '$f:$lc: error: $msg'"; head -6 "$err"; return
      fi
    done < <(grep -h -o '// error: .*' $srcs)
    if [ $n = 0 ]; then echo "FAIL $name: no '// error:' lines"; return; fi
    local want_n; want_n=$(grep -h -o '// errors: [0-9]*' $srcs | head -1 | sed 's|^// errors: ||')
    if [ -n "$want_n" ]; then
      local got_n; got_n=$(grep -c ': error: ' "$err")
      if [ "$got_n" != "$want_n" ]; then echo "FAIL $name: $got_n errors, expected exactly $want_n"; head -6 "$err"; return; fi
    fi
    expected_warnings "$srcs" > "$exp"
    local why; why=$(check_warnings "$exp" "$err" 0)
    if [ -n "$why" ]; then echo "FAIL $name: $why"; head -6 "$err"; return; fi
    echo "PASS $name"; return
  fi
  if [ "$kind" = langtest ]; then run_lang_test "$t" "$opt" "$name" "$srcs" "$flags"; return; fi
  # shellcheck disable=SC2086
  timeout 60 "$LANG_BIN" build "$t" $opt $flags -o "$exe" > "$out" 2> "$err"; local st=$?
  if [ $st != 0 ]; then echo "FAIL $name $opt: compile status $st"; head -8 "$err"; return; fi
  expected_warnings "$srcs" > "$exp"
  local why; why=$(check_warnings "$exp" "$err" 1)
  if [ -n "$why" ]; then echo "FAIL $name $opt: $why"; head -6 "$err"; return; fi
  grep -h -o '// expect: .*' $srcs | sed 's|^// expect: ||' > "$exp"
  grep -h -q -E '^// expect:$' $srcs && { grep -h -E '^// expect:( .*)?$' $srcs | sed -E 's|^// expect: ?||' > "$exp"; }
  local args; args=$(grep -h -o '// args: .*' $srcs | head -1 | sed 's|^// args: ||')
  local want_exit; want_exit=$(grep -h -o '// exit: [0-9]*' $srcs | head -1 | sed 's|^// exit: ||'); want_exit=${want_exit:-0}
  local leaks; leaks=$(grep -h -o '// leaks: [0-9]*' $srcs | head -1 | sed 's|^// leaks: ||')
  local envs; envs=$(grep -h -o '// env: .*' $srcs | head -1 | sed 's|^// env: ||')
  # Standard input: the "// stdin: ..." lines, else nothing. TEST_TMPDIR: a directory of
  # this run's own for the files a test writes (the -O0 and -O1 runs may overlap).
  local in=/dev/null work; work=$(mktemp -d "$tmp/work.XXXXXX")
  if grep -h -q -E '^// stdin:' $srcs; then in="$work.stdin"; grep -h -E '^// stdin:( .*)?$' $srcs | sed -E 's|^// stdin: ?||' > "$in"; fi
  # shellcheck disable=SC2086
  env $envs TEST_TMPDIR="$work" LANG_LEAKS=1 timeout 60 "$exe" $args > "$out" 2> "$err" < "$in"; st=$?
  rm -rf "$work" "$work.stdin"
  if [ "$st" != "$want_exit" ]; then echo "FAIL $name $opt: exit status $st, expected $want_exit"; head -8 "$err"; return; fi
  if ! diff -q "$exp" "$out" > /dev/null; then echo "FAIL $name $opt: stdout differs"; diff "$exp" "$out" | head -10; return; fi
  while IFS= read -r s; do
    if ! grep -q -F -- "$s" "$err"; then echo "FAIL $name $opt: stderr lacks '$s'"; head -5 "$err"; return; fi
  done < <(grep -h -o '// stderr: .*' $srcs | sed 's|^// stderr: ||')
  if [ -n "$leaks" ] && ! grep -q -F "string leak report: $leaks strings still live" "$err"; then
    echo "FAIL $name $opt: expected $leaks live strings at exit: $(grep -F 'string leak report' "$err")"; return
  fi
  # Panics skip the drops; an error escaping Main (exit 1, "error: ..." first) does not.
  if { [ "$st" = 0 ] || { [ "$st" = 1 ] && head -1 "$err" | grep -q '^error: '; }; } && ! grep -q -F '// leak check: off' $srcs; then
    if ! grep -q -x -F "leak report: 0 allocations, 0 bytes still live" "$err"; then
      echo "FAIL $name $opt: leaks: $(grep -F 'leak report: ' "$err" | head -1)"; return
    fi
    if [ -z "$leaks" ] && ! grep -q -x -F "string leak report: 0 strings still live" "$err"; then
      echo "FAIL $name $opt: leaks: $(grep -F 'string leak report' "$err")"; return
    fi
    if grep -q 'handle leak report: [1-9]' "$err"; then # (printed only when some are live)
      echo "FAIL $name $opt: leaks: $(grep -F 'handle leak report' "$err")"; return
    fi
  fi
  rm -f "$exe"
  echo "PASS $name $opt"
}
export -f run_one run_lang_test expected_warnings check_warnings
export LANG_BIN tmp

{
  for t in $(ls -d test/run/* examples/*/*.lang 2>/dev/null | grep -F "${TEST_FILTER:-}"); do echo "$t run -O0"; echo "$t run -O1"; done
  for t in $(ls -d test/lang-test/* 2>/dev/null | grep -F "${TEST_FILTER:-}"); do echo "$t langtest -O0"; echo "$t langtest -O1"; done
  for t in $(ls -d test/errors/* 2>/dev/null | grep -F "${TEST_FILTER:-}"); do echo "$t errors -"; done
} > "$tmp/list"

if [ -x "$LANG_BIN" ]; then
  xargs -r -P 2 -L 1 bash -c 'run_one "$0" "$1" "$2"' < "$tmp/list" > "$tmp/e2e.out" 2>&1
  grep -v '^PASS' "$tmp/e2e.out"
  ep=$(grep -c '^PASS' "$tmp/e2e.out"); ef=$(grep -c '^FAIL' "$tmp/e2e.out")
  echo "end-to-end tests: $ep passed, $ef failed"
  passed=$((passed + ep)); failed=$((failed + ef))
else
  echo "missing $LANG_BIN"; failed=$((failed + 1))
fi

# ---- the command line itself (tools/driver-tests.sh): statuses, refused paths, messages
if [ -x "$LANG_BIN" ] && { [ -z "${TEST_FILTER:-}" ] || [[ driver == *"$TEST_FILTER"* ]]; }; then
  "$(dirname "$0")/driver-tests.sh" "$LANG_BIN" > "$tmp/driver.out" 2>&1
  grep -v '^PASS' "$tmp/driver.out"
  dp=$(grep -c '^PASS' "$tmp/driver.out"); df=$(grep -c '^FAIL' "$tmp/driver.out")
  [ "$dp" = 0 ] && df=$((df + 1))
  echo "driver tests: $dp passed, $df failed"
  passed=$((passed + dp)); failed=$((failed + df))
fi

# ---- `make UNITY=1` builds the compiler as one translation unit: two files' file-local
# names must not clash there (a syntax check of that unit; it needs $B/gen, made by make)
if [ -z "${TEST_FILTER:-}" ] || [[ unity == *"$TEST_FILTER"* ]]; then
  for f in $(find src -name '*.cpp' -not -path 'src/rt/*' | sort); do echo "#include \"$f\""; done > "$tmp/unity.cpp"
  if ${CXX:-g++} -std=c++20 -fsyntax-only -Isrc -I"$B/gen" -I. "$tmp/unity.cpp" > "$tmp/unity.out" 2>&1; then
    echo "unity build check: 1 passed, 0 failed"; passed=$((passed + 1))
  else
    grep -m5 'error' "$tmp/unity.out"; echo "unity build check: 0 passed, 1 failed"; failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
