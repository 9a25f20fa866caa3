# memtune — build, set-up and tests.
#
#   make run        install what is missing, build, run the quick sweep,
#                   analyze, report and advise
#   make test       unit tests (cmocka), integration tests, a short fuzzing
#                   pass and a short fault-injection pass, then the unit
#                   tests under ASan + UBSan
#   make sanitize   the same tests in an ASan + UBSan build
#   make            just build ./memtune

PKGS      := hwloc jansson cmocka numa
DEB_PKGS  := libhwloc-dev libnuma-dev libjansson-dev \
             libcmocka-dev gnuplot-nox pkg-config jq
CC        ?= gcc
BUILD     ?= build
SAN       ?=
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g -Wall -Wextra -Werror \
               -Wshadow -Wno-missing-field-initializers -O2 \
               -DMT_VERSION='"$(VERSION)"'
ifeq ($(SAN),1)
BUILD     := build-san
CFLAGS_BASE += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined
LDFLAGS   += -fsanitize=address,undefined
endif

# pkg-config is asked only once the dependencies are in place.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS    += $(CFLAGS_BASE) $(PKG_CFLAGS)
LDLIBS    += $(PKG_LIBS) -lm -lpthread

LIB_SRCS  := $(wildcard core/*.c bench/*.c analyzer/*.c advisor/*.c tune/*.c)
CLI_SRCS  := $(wildcard cli/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(wildcard tests/unit/helpers/*.c)
HELPER_OBJS := $(HELPER_SRCS:%.c=$(BUILD)/%.o)
BIN       := $(BUILD)/memtune

.PHONY: all deps run test unit integration sanitize clean bench-analyzer \
        test-numa format configs-doc compare-fio fuzz fuzz-short fuzz-deps \
        fuzz-build faultinj faultinj-short

all: deps
	@$(MAKE) --no-print-directory build-only
	@ln -sf $(BIN) memtune

.PHONY: build-only
build-only: $(BIN) $(UNIT_BINS)

# Checks the libraries with pkg-config and gnuplot on PATH; installs the
# Debian packages when something is missing and we are root, otherwise
# prints the one command to run.
deps:
	@missing=""; \
	for p in $(PKGS); do pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; done; \
	command -v gnuplot >/dev/null 2>&1 || missing="$$missing gnuplot"; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	command -v jq >/dev/null 2>&1 || missing="$$missing jq"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "memtune: installing missing dependencies:$$missing" >&2; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PKGS) >/dev/null \
	      || { echo "memtune: apt-get install failed" >&2; exit 1; }; \
	  else \
	    echo "memtune: missing:$$missing; run: sudo apt-get update && sudo apt-get install -y $(DEB_PKGS)" >&2; \
	    exit 1; \
	  fi; \
	fi

$(BIN): $(LIB_OBJS) $(CLI_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libmemtune.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmemtune.a $(HELPER_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(HELPER_OBJS) -Wl,--whole-archive $(BUILD)/libmemtune.a -Wl,--no-whole-archive $(LDLIBS)

# The test helpers' objects are intermediate to the pattern rule above;
# keeping them stops every test binary from relinking on each make.
.SECONDARY:

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(HELPER_OBJS:.o=.d)

# --- tests -----------------------------------------------------------------

test: all
	@$(MAKE) --no-print-directory unit integration
	@$(MAKE) --no-print-directory fuzz-short faultinj-short
	@$(MAKE) --no-print-directory sanitize-unit

unit: build-only
	@tests/run-unit.sh $(BUILD)

integration: build-only
	@MEMTUNE=$(abspath $(BIN)) tests/run-integration.sh

# The sanitizer build: the unit tests and the quick integration tests.
sanitize: deps
	@$(MAKE) --no-print-directory SAN=1 build-only
	@tests/run-unit.sh build-san
	@MEMTUNE=$(abspath build-san/memtune) MEMTUNE_SANITIZE=1 tests/run-integration.sh

sanitize-unit: deps
	@$(MAKE) --no-print-directory SAN=1 build-only
	@tests/run-unit.sh build-san

# --- the main job ------------------------------------------------------------

run: all
	@mkdir -p $(BUILD)
	@./memtune run --quick > $(BUILD)/last-run; rc=$$?; cat $(BUILD)/last-run; exit $$rc
	@dir=$$(tail -n 1 $(BUILD)/last-run); \
	for c in analyze report advise; do \
	  ./memtune help $$c >/dev/null 2>&1 || continue; \
	  case $$c in \
	    report) ./memtune report "$$dir" -o "$$dir/report" || exit 1 ;; \
	    *) ./memtune $$c "$$dir" || exit 1 ;; \
	  esac; \
	done; \
	echo "run directory: $$dir"; \
	if [ -f "$$dir/report/index.html" ]; then echo "report: $$dir/report/index.html"; fi

# Analyze and report over 1,000 jittered run directories; prints the times.
bench-analyzer: all
	@tests/bench/bench-analyzer.sh $(abspath $(BIN)) 1000

# odirect and pagecache side by side with fio on this machine (about 40
# minutes here: memtune and fio alternate, three rounds); prints the table.
compare-fio: all
	@command -v fio >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fio >/dev/null; \
	  else echo "compare-fio: fio is missing; run: sudo apt-get install -y fio"; exit 1; fi; }
	@tests/bench/compare-fio.sh $(abspath $(BIN))

# Fault injection (tests/faultinj): malloc, open, write, fsync and rename
# fail at the Nth call, stepped over a tiny run, advise, apply, rollback and
# restore (on a copied fixture tree, never the real /proc/sys). The shim is
# an LD_PRELOAD library for the normal build (it cannot sit under ASan);
# leaks are checked with valgrind on a sample of N. `faultinj` strides
# over N (FAULTINJ_FULL=1: every N); `faultinj-short` takes a minute or two.
FI_SO    := $(BUILD)/faultinj/faultinj.so
FI_APPLY := $(BUILD)/faultinj/fi_apply

$(FI_SO): tests/faultinj/faultinj.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $< -ldl -lpthread

$(FI_APPLY): tests/faultinj/fi_apply.c $(BUILD)/libmemtune.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libmemtune.a $(LDLIBS)

faultinj: all
	@$(MAKE) --no-print-directory $(FI_SO) $(FI_APPLY)
	@tests/faultinj/run.sh $(abspath $(BIN)) $(abspath $(FI_SO)) \
	  $(abspath $(FI_APPLY))

faultinj-short: all
	@$(MAKE) --no-print-directory $(FI_SO) $(FI_APPLY)
	@FAULTINJ_SHORT=1 tests/faultinj/run.sh $(abspath $(BIN)) \
	  $(abspath $(FI_SO)) $(abspath $(FI_APPLY))

# The numa benchmark on an emulated two-node machine (qemu); minutes, so
# not part of `make test`.
NUMA_DEB_PKGS := qemu-system-x86 busybox-static cpio e2fsprogs kmod
test-numa: all
	@missing=""; for c in qemu-system-x86_64 busybox cpio mkfs.ext4 depmod; do \
	  command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(NUMA_DEB_PKGS) >/dev/null; \
	  else echo "test-numa: missing:$$missing; run: sudo apt-get install -y $(NUMA_DEB_PKGS)"; exit 1; fi; \
	fi
	@tests/numa/run-guest.sh

# --- fuzzing (issue 12) ---------------------------------------------------------
#
# libFuzzer targets (tests/fuzz/fuzz_NAME.c) over the parsers of files that
# other people write: the library is compiled again with clang into
# build-fuzz/, instrumented for coverage, ASan and UBSan. `make fuzz` runs
# each target FUZZ_SECONDS and prints executions, edges and crashes;
# `make fuzz-short` is the quick pass for `make test` (FUZZ_SHORT_SECONDS
# each, after replaying tests/fuzz/regress/NAME/), exit 1 on a crash.

FUZZ_CC       ?= clang-14
FUZZ_BUILD    := build-fuzz
FUZZ_SECONDS  ?= 60
FUZZ_SHORT_SECONDS ?= 12
FUZZ_DEB_PKGS := clang-14 libclang-rt-14-dev
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS    = $(filter-out -O2,$(CFLAGS_BASE)) -O1 -fno-omit-frame-pointer \
                 $(FUZZ_SAN) $(PKG_CFLAGS) -DMT_FUZZ_SRCDIR='"$(abspath .)"'
FUZZ_SRCS     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS     := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_HARNESS  := $(FUZZ_BUILD)/tests/fuzz/harness.o

# clang and its libFuzzer runtime (Debian: libclang-rt-14-dev); installed
# when missing and we are root, like `deps`.
fuzz-deps: deps
	@ok=1; printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
	  > /tmp/memtune-fuzz-check.$$$$.c; \
	$(FUZZ_CC) -fsanitize=fuzzer,address -o /tmp/memtune-fuzz-check.$$$$ \
	  /tmp/memtune-fuzz-check.$$$$.c >/dev/null 2>&1 || ok=0; \
	rm -f /tmp/memtune-fuzz-check.$$$$ /tmp/memtune-fuzz-check.$$$$.c; \
	if [ $$ok = 0 ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "memtune: installing the fuzzing toolchain: $(FUZZ_DEB_PKGS)" >&2; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FUZZ_DEB_PKGS) >/dev/null \
	      || { echo "memtune: apt-get install failed" >&2; exit 1; }; \
	  else \
	    echo "memtune: $(FUZZ_CC) cannot build libFuzzer targets; run: sudo apt-get update && sudo apt-get install -y $(FUZZ_DEB_PKGS)" >&2; \
	    exit 1; \
	  fi; \
	fi

fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-bins

.PHONY: fuzz-bins
fuzz-bins: $(FUZZ_BINS)
	@:

fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-short: fuzz-build
	@tests/fuzz/run.sh --short $(FUZZ_BUILD) $(FUZZ_SHORT_SECONDS)

$(FUZZ_BUILD)/libmemtune.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HARNESS) $(FUZZ_BUILD)/libmemtune.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_HARNESS) \
	  $(FUZZ_BUILD)/libmemtune.a $(LDLIBS)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_HARNESS:.o=.d)

# configs/README.md = a hand-written head + the generated key tables.
configs-doc: all
	@{ cat configs/README.head.md; ./memtune config-doc; } > configs/README.md

format:
	clang-format -i $(LIB_SRCS) $(CLI_SRCS) $(wildcard */*.h) $(UNIT_SRCS)

clean:
	rm -rf build build-san build-fuzz memtune
