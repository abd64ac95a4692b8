# Lang: a plain GNU Makefile. `make` builds build/lang and build/liblangrt.a.
#   make test          build everything and run every test (ends with "N passed, N failed")
#   make run           build and run examples/basic/hello.lang
#   make test SAN=1    the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make UNITY=1       build the compiler as one translation unit (like TCC's ONE_SOURCE)
#   make DEBUG=1       keep assertions and run the IR verifier after every pass
#   make bench         benchmarks against tcc / gcc (and Go for concurrency and word frequency)
#   make difftest      random programs compared with the same programs in C (also run by make fuzz)
#   make install PREFIX=DIR
# Build in parallel by default, one job per core (an explicit -jN on the command line wins).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
  MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif
CXX      ?= g++
CC       ?= cc
B        := build
OPT      ?= -O2
CXXFLAGS := -std=c++20 $(OPT) -g -Wall -Wextra -Isrc -MMD -MP
# The runtime keeps line tables only (-g1): every `lang build` links it, and full debug
# information made a hello world's link 8% slower; gdb still shows runtime file:line.
CFLAGS   := -std=gnu11 -O2 -g1 -Wall -Wextra -Isrc/rt -Iinclude -fno-omit-frame-pointer -MMD -MP
LDLIBS   := -lutf8proc -lxxhash -pthread
# The compiler is linked statically (libc, the C++ library and the two above): a process
# that needs no dynamic loader starts about 1 ms sooner, and every `lang build` is one
# (measured: `lang version` 0.8 ms vs 1.9 ms). Where the static libraries are missing the
# link falls back to a dynamic one; `make STATIC=` never tries.
STATIC   ?= -static
# Release builds define NDEBUG; sanitizer builds are debug builds: the IR verifier runs
# after lowering and after every pass (see src/driver/pipeline.cpp).
ifeq ($(SAN),1)
  B := build-san
  CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
  LDFLAGS  += -fsanitize=address,undefined
  STATIC   :=
else ifeq ($(DEBUG),1)
  B := build-debug
else
  CXXFLAGS += -DNDEBUG
endif

# Plain `make` builds the compiler and runtime (rules above `all:` must not become the goal).
.DEFAULT_GOAL := all

# Library sources the compiler embeds (lib/std/X.lang becomes $(B)/gen/X.lang.inc, a C++
# raw string literal; src/sema/collections_prelude.cpp includes it).
CXXFLAGS += -I$(B)/gen
$(B)/gen/%.lang.inc: lib/std/%.lang
	@mkdir -p $(dir $@)
	@{ echo 'R"LANG('; cat $<; echo ')LANG"'; } > $@
$(B)/obj/src/sema/collections_prelude.o: $(B)/gen/List.lang.inc
$(B)/obj/src/sema/dict_prelude.o: $(B)/gen/Dict.lang.inc $(B)/gen/Set.lang.inc $(B)/gen/Hashing.lang.inc
$(B)/obj/src/sema/memory_prelude.o: $(B)/gen/Memory.lang.inc $(B)/gen/Logging.lang.inc
$(B)/obj/src/sema/io_prelude.o: $(B)/gen/IO.lang.inc $(B)/gen/System.lang.inc $(B)/gen/Json.lang.inc
LANG_INCS := $(patsubst lib/std/%.lang,$(B)/gen/%.lang.inc,$(wildcard lib/std/*.lang))

# The compiler: every .cpp under src/ except the runtime.
CSRC      := $(shell find src -name '*.cpp' -not -path 'src/rt/*' | sort)
MAIN_SRC  := src/driver/main.cpp
LIB_SRC   := $(filter-out $(MAIN_SRC),$(CSRC))
LIB_OBJ   := $(LIB_SRC:%.cpp=$(B)/obj/%.o)
MAIN_OBJ  := $(MAIN_SRC:%.cpp=$(B)/obj/%.o)

# The runtime: C and assembly under src/rt (no sanitizers: it switches stacks).
RT_SRC    := $(shell find src/rt -name '*.c' | sort) $(shell find src/rt/arch/x64 -name '*.S' | sort)
RT_OBJ    := $(patsubst %,$(B)/obj/%.o,$(RT_SRC))

UNIT_SRC  := $(sort $(wildcard test/unit/*.cpp))
UNIT_OBJ  := $(UNIT_SRC:%.cpp=$(B)/obj/%.o)

all: $(B)/lang $(B)/liblangrt.a

$(B)/.deps-ok: tools/install-deps.sh
	@mkdir -p $(B) && tools/install-deps.sh && touch $@

ifeq ($(UNITY),1)
$(B)/unity.cpp: $(CSRC) $(LANG_INCS)
	@mkdir -p $(B) && for f in $(CSRC); do echo "#include \"../$$f\""; done > $@
$(B)/lang: $(B)/unity.cpp | $(B)/.deps-ok
	$(CXX) $(CXXFLAGS) -I. $< -o $@ $(LDFLAGS) $(STATIC) $(LDLIBS) 2>/dev/null || $(CXX) $(CXXFLAGS) -I. $< -o $@ $(LDFLAGS) $(LDLIBS)
else
$(B)/lang: $(LIB_OBJ) $(MAIN_OBJ) | $(B)/.deps-ok
	$(CXX) $(LDFLAGS) $(STATIC) $^ -o $@ $(LDLIBS) 2>/dev/null || $(CXX) $(LDFLAGS) $^ -o $@ $(LDLIBS)
endif

$(B)/liblangrt.a: $(RT_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/obj/%.o: %.cpp | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(B)/obj/%.c.o: %.c | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/obj/%.S.o: %.S | $(B)/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/unittests: $(UNIT_OBJ) $(LIB_OBJ) $(B)/liblangrt.a
	$(CXX) $(LDFLAGS) $(UNIT_OBJ) $(LIB_OBJ) $(B)/liblangrt.a -o $@ $(LDLIBS) -lpthread

run: all
	$(B)/lang run examples/basic/hello.lang

test: all $(B)/unittests
	@tools/run-tests.sh $(B)

bench: all
	@bench/run.sh $(B)

# make fuzz FUZZ_N=10000 FUZZ_JOBS=2 FUZZ_SEED=7: more inputs (tools/fuzz.cpp says what they are)
FUZZ_N ?= 2000
FUZZ_SEED ?= 1
FUZZ_JOBS ?= 1
FUZZ_TIMEOUT ?= 5
fuzz: all
	$(CXX) -O2 -Wall -Wextra tools/fuzz.cpp -o $(B)/fuzz
	$(B)/fuzz $(B)/lang $(FUZZ_N) $(FUZZ_SEED) --timeout=$(FUZZ_TIMEOUT) --jobs=$(FUZZ_JOBS) \
	    $$(find test/run test/errors examples -name '*.lang' -size -16k)
	$(MAKE) --no-print-directory difftest

# Differential test against C: DIFF_N random programs from seed DIFF_SEED, Lang at -O0 and
# -O1 against gcc (tools/difftest.cpp); mismatches are saved in $(B)/difftest-out.
DIFF_N ?= 300
DIFF_SEED ?= 1
difftest: all
	$(CXX) -std=c++20 -O2 -Wall -Wextra tools/difftest.cpp -o $(B)/difftest
	@mkdir -p $(B)/difftest-out
	$(B)/difftest $(B)/lang $(B)/liblangrt.a $(DIFF_N) $(DIFF_SEED) $(B)/difftest-out

PREFIX ?= /usr/local
install: all
	mkdir -p $(PREFIX)/bin $(PREFIX)/lib/runtime $(PREFIX)/lib/std $(PREFIX)/include $(PREFIX)/doc $(PREFIX)/examples
	cp $(B)/lang $(PREFIX)/bin/
	cp $(B)/liblangrt.a $(PREFIX)/lib/runtime/
	cp -r lib/std/. $(PREFIX)/lib/std/
	cp src/rt/lang_rt.h src/rt/lang_sched.h src/rt/lang_alloc.h $(PREFIX)/include/
	cp -r doc/. $(PREFIX)/doc/
	cp -r examples/. $(PREFIX)/examples/

clean:
	rm -rf build build-san

.PHONY: all run test bench fuzz difftest install clean
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# ---- test-tsan: the lightweight-thread runtime's unit tests under ThreadSanitizer ----
# The whole runtime (without bootstrap's main) is rebuilt with -fsanitize=thread into
# build-tsan/. The assembly context switch stays: sched.c reports every switch to TSan
# through its fiber API (__tsan_switch_to_fiber).
TSAN_B      := build-tsan
TSAN_RT_OBJ := $(patsubst %,$(TSAN_B)/obj/%.o,$(RT_SRC))
TSAN_TESTS  := test/unit/test_rt_sched.cpp test/unit/test_rt_chan.cpp \
               test/unit/test_rt_deque.cpp test/unit/test_rt_timer.cpp test/unit/test_rt_gc.cpp \
               test/unit/test_rt_alloc_small.cpp test/unit/test_rt_handles.cpp
TSAN_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Isrc/rt -Iinclude -fno-omit-frame-pointer \
               -fsanitize=thread -Wno-tsan -DLANG_RT_NO_MAIN -MMD -MP

$(TSAN_B)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(TSAN_CFLAGS) -c $< -o $@

$(TSAN_B)/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(TSAN_CFLAGS) -c $< -o $@

$(TSAN_B)/rt_tests: $(TSAN_RT_OBJ) test/unit/main.cpp $(TSAN_TESTS) test/unit/rt_sched_util.h
	$(CXX) -std=c++20 -O1 -g -Wall -Wextra -Isrc -Itest/unit -fsanitize=thread \
	    test/unit/main.cpp $(TSAN_TESTS) $(TSAN_RT_OBJ) -o $@ -lutf8proc -lpthread -lm

test-tsan: $(TSAN_B)/rt_tests
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" $(TSAN_B)/rt_tests

clean-tsan:
	rm -rf $(TSAN_B)
clean: clean-tsan

.PHONY: test-tsan clean-tsan
-include $(shell find $(TSAN_B)/obj -name '*.d' 2>/dev/null)
