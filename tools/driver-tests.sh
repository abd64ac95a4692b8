#!/usr/bin/env bash
# driver-tests.sh LANG_BIN: checks of the `lang` command line itself (spec 13): exit
# statuses, refused outputs and inputs, default output names, error messages. Prints one
# "PASS name" / "FAIL name: reason" line per check; run-tests.sh counts them.
set -u
L=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
R=$(cd "$(dirname "$0")/.." && pwd) # the repository (examples/, include/)
work=$(mktemp -d /tmp/lang-driver-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# check NAME WANT_STATUS STDERR_SUBSTRING CMD...: runs CMD (10 s at most) and compares.
check() {
  local name=$1 want=$2 msg=$3; shift 3
  timeout 10 "$@" > out.txt 2> err.txt < /dev/null; local st=$?
  if [ "$st" != "$want" ]; then echo "FAIL driver/$name: status $st, expected $want"; head -3 err.txt; return; fi
  if [ -n "$msg" ] && ! grep -q -F -- "$msg" err.txt out.txt; then
    echo "FAIL driver/$name: output lacks '$msg'"; head -3 err.txt; return
  fi
  echo "PASS driver/$name"
}
# same NAME FILE_A FILE_B: both files exist and have the same bytes.
same() {
  if cmp -s "$2" "$3"; then echo "PASS driver/$1"; else echo "FAIL driver/$1: '$2' changed"; fi
}

cat > hello.lang <<'LANG'
public class Program { public static void Main() { Console.WriteLine("hi"); } }
LANG
cp hello.lang keep.lang
printf 'public class Program { public static void Main() { let x: int = "s"; } }\n' > bad.lang

# Exit statuses: 0, 1 compile errors, 2 usage and I/O errors.
check ok 0 "" "$L" build hello.lang -o hello
check compile-error 1 "error: type mismatch" "$L" build bad.lang -o bad
check usage-no-subcommand 2 "" "$L"
check usage-unknown-option 2 "" "$L" build hello.lang --no-such-option
check usage-missing-path 2 "path is required" "$L" build
check usage-bad-opt-level 2 "not in range" "$L" build hello.lang -O 7
check usage-bad-emit 2 "" "$L" build hello.lang --emit nothing
# --time: each stage's time, arena size and the peak resident memory so far.
check time-stages 0 "peak rss" "$L" build hello.lang -o hello --time
check help 0 "Exit status: 0 success; 1 compile errors; 2 usage or I/O errors" "$L" --help
check help-O2 0 "-O2 is accepted and does what -O1 does" "$L" build --help
check missing-input 2 "cannot open 'nope.lang': no such file or directory" "$L" build nope.lang

# The output may not be one of the inputs: same name, another spelling, symlink, hard link.
check out-is-input 2 "the output 'hello.lang' is the input file 'hello.lang'" "$L" build hello.lang -o hello.lang
same out-is-input-kept hello.lang keep.lang
check out-is-input-dot 2 "is the input file" "$L" build hello.lang -o ./hello.lang
ln -s hello.lang link.lang
check out-is-input-symlink 2 "is the input file" "$L" build hello.lang -o link.lang
ln hello.lang hard.lang
check out-is-input-hardlink 2 "is the input file" "$L" build hello.lang -o hard.lang
check out-is-input-emit-ir 2 "is the input file" "$L" build hello.lang --emit ir -o "$work/hello.lang"
same out-is-input-kept-all hello.lang keep.lang
mkdir prog && cp hello.lang prog/main.lang
check out-is-folder-file 2 "is the input file 'prog/main.lang'" "$L" build prog -o prog/main.lang
check out-is-input-folder 2 "is the input folder" "$L" build prog -o prog
mkdir outdir
check out-is-directory 2 "cannot write 'outdir': it is a directory" "$L" build hello.lang -o outdir

# Inputs that are not regular files fail at once with a reason (never a hang).
check dev-zero 2 "cannot read '/dev/zero': not a regular file (a character device)" "$L" build /dev/zero
mkfifo fifo.lang
check fifo 2 "cannot read 'fifo.lang': not a regular file (a FIFO)" "$L" build fifo.lang
truncate -s 65M huge.lang
check too-big 2 "cannot read 'huge.lang': larger than the limit of 64 MiB" "$L" build huge.lang
rm -f huge.lang

# I/O errors name the user's output path (not a temporary file) and the OS reason.
check unwritable 2 "cannot write 'no/such/dir/hello': No such file or directory" "$L" build hello.lang -o no/such/dir/hello
if grep -q "tmp" err.txt; then echo "FAIL driver/unwritable-no-tmp: message names a temporary file"; else echo "PASS driver/unwritable-no-tmp"; fi
check unwritable-obj 2 "cannot write 'no/dir/h.o': No such file or directory" "$L" build hello.lang --emit obj -o no/dir/h.o

# Default output names: a file's stem here; a folder's name here, or inside the folder when
# that name is the folder itself.
check default-file 0 "" "$L" build prog/main.lang
[ -x main ] && echo "PASS driver/default-file-name" || echo "FAIL driver/default-file-name: no ./main"
check default-folder 0 "" "$L" build prog
[ -x prog/prog ] && [ "$(./prog/prog)" = hi ] && echo "PASS driver/default-folder-inside" || echo "FAIL driver/default-folder-inside: no prog/prog"
mkdir other && cp hello.lang other/main.lang && mkdir sub && cd sub || exit 1
check default-folder-parent 0 "" "$L" build ../other
[ -x other ] && echo "PASS driver/default-folder-here" || echo "FAIL driver/default-folder-here: no ./other"
cd ../prog || exit 1
rm -f prog
check default-folder-dot-build 0 "" "$L" build .
[ -x prog ] && echo "PASS driver/default-folder-dot" || echo "FAIL driver/default-folder-dot: no ./prog"
cd ..

# lang run passes the program's status through (101 after a panic).
printf 'public class Program { public static void Main() { panic("boom"); } }\n' > boom.lang
check run-panic 101 "panic: boom" "$L" run boom.lang
check run-compile-error 1 "error:" "$L" run bad.lang

# lang test: 0 when every test passed, 1 when one failed or the program does not compile,
# 2 for usage errors; without a path it tests the current folder; Main is not run.
mkdir tests && cd tests || exit 1
cat > t.lang <<'LANG'
test "passes" { assert_eq(1 + 1, 2); }
test "fails" { assert_eq(1 + 1, 3); }
LANG
check test-failed 1 "1 passed, 1 failed" "$L" test t.lang
check test-failed-line 1 't.lang:2: test "fails" failed: assert_eq failed: left 2, right 3' "$L" test t.lang
check test-passed 0 "1 passed, 0 failed" "$L" test t.lang --filter passes
check test-default-folder 1 "1 passed, 1 failed" "$L" test
check test-unknown-option 2 "" "$L" test t.lang --no-such-option
check test-bad-opt-level 2 "not in range" "$L" test t.lang -O 7
check test-missing-input 2 "cannot open 'nope.lang'" "$L" test nope.lang
printf 'test "x" { let y: int = "s"; }\n' > ../badtest.lang
check test-compile-error 1 "error: type mismatch" "$L" test ../badtest.lang
cd ..
printf 'test "x" { let y: int = "s"; }\npublic class Program { public static void Main() { Console.WriteLine("hi"); } }\n' > ignored.lang
check build-ignores-tests 0 "" "$L" build ignored.lang -o ignored
[ "$(./ignored)" = hi ] && echo "PASS driver/build-ignores-tests-runs" || echo "FAIL driver/build-ignores-tests-runs"
check test-with-main 1 "error: type mismatch" "$L" test ignored.lang

# export "C" (spec 10.9): a C program whose main is C calls a Lang library. The header
# written by --emit header is the checked-in include/stats.h; the object of a library
# without Main builds too (a program still needs one).
RT=$(dirname "$L")/liblangrt.a
check export-header 0 "" "$L" build "$R/examples/c_export/stats.lang" --emit header -o stats.h
same export-header-checked-in stats.h "$R/include/stats.h"
check export-obj 0 "" "$L" build "$R/examples/c_export/stats.lang" --emit obj -o stats.o
check export-cc 0 "" cc -I. "$R/examples/c_export/main.c" stats.o "$RT" -lpthread -lm -lutf8proc -o cstats
printf 'mean from Lang: 3.17\ncount 3, min 1.5, max 5.0\nempty: 0\n   3.0 ###\n   1.5 ##\n   5.0 #####\ndone\n' > cstats.want
timeout 10 ./cstats > cstats.out 2>&1
cmp -s cstats.out cstats.want && echo "PASS driver/export-c-main-runs" || { echo "FAIL driver/export-c-main-runs"; diff cstats.out cstats.want | head -5; }
printf 'export "C" i32 add(i32 a, i32 b) => a * 10 + b;\nexport "C" void hello() { Console.WriteLine($"hello {add(4, 2)}"); }\n' > nomain.lang
check export-obj-no-main 0 "" "$L" build nomain.lang --emit obj -o nomain.o
check export-header-no-main 0 "" "$L" build nomain.lang --emit header -o nomain.h
check export-exe-needs-main 1 "error: no entry point" "$L" build nomain.lang -o nomain
grep -q '^int32_t add(int32_t a, int32_t b);$' nomain.h && grep -q '^#ifndef LANG_NOMAIN_H$' nomain.h \
  && echo "PASS driver/export-header-text" || echo "FAIL driver/export-header-text"
printf '#include <stdio.h>\n#include "nomain.h"\nint main(void) { printf("%%d\\n", add(1, 2)); fflush(stdout); hello(); return 0; }\n' > m2.c
check export-cc-no-main 0 "" cc m2.c nomain.o "$RT" -lpthread -lm -lutf8proc -o m2
[ "$(timeout 10 ./m2)" = "$(printf '12\nhello 42')" ] && echo "PASS driver/export-no-main-runs" || echo "FAIL driver/export-no-main-runs"

# [C] structs by value against real C code (test/c/struct_abi.c): the Lang program's
# object (with Main) is linked with the C object and the runtime, at -O0 and -O1.
check struct-abi-cc 0 "" cc -c "$R/test/c/struct_abi.c" -o struct_abi_c.o
grep -o '^// expect: .*' "$R/test/c/struct_abi.lang" | sed 's|^// expect: ||' > struct_abi.want
for o in -O0 -O1; do
  check "struct-abi-obj$o" 0 "" "$L" build "$R/test/c/struct_abi.lang" $o --emit obj -o struct_abi.o
  check "struct-abi-link$o" 0 "" cc struct_abi.o struct_abi_c.o "$RT" -lpthread -lm -lutf8proc -o struct_abi
  timeout 10 ./struct_abi > struct_abi.out 2>&1
  cmp -s struct_abi.out struct_abi.want && echo "PASS driver/struct-abi-runs$o" || { echo "FAIL driver/struct-abi-runs$o"; diff struct_abi.out struct_abi.want | head -5; }
done

# A [C] struct that points to itself: the header spells it `struct Node`, valid C.
printf '[C] struct Node { public var i64 value; public var *Node next; }\nexport "C" i64 list_sum(*Node head) {\n    var sum: i64 = 0;\n    var p = head;\n    unsafe { while (p != null) { sum += (*p).value; p = (*p).next; } }\n    return sum;\n}\n' > node.lang
check export-self-struct-header 0 "" "$L" build node.lang --emit header -o node.h
check export-self-struct-obj 0 "" "$L" build node.lang --emit obj -o node.o
printf '#include <stdio.h>\n#include "node.h"\nint main(void) { Node c = {3, 0}; Node b = {2, &c}; Node a = {1, &b}; printf("%%ld\\n", (long)list_sum(&a)); return 0; }\n' > node_main.c
check export-self-struct-cc 0 "" cc -Wall -Werror node_main.c node.o "$RT" -lpthread -lm -lutf8proc -o node_main
[ "$(timeout 10 ./node_main)" = 6 ] && echo "PASS driver/export-self-struct-runs" || echo "FAIL driver/export-self-struct-runs"
