# memtune — build, set-up and tests.
#
#   make            build ./memtune and the unit tests; installs nothing
#                   (says `make deps` when a library is missing)
#   make deps       install what is missing (Debian: apt-get update, then
#                   apt-get install; as root, else prints the command):
#                   the libraries, gnuplot, and what the tests use
#   make run        deps + build, then the quick sweep, analyze, report
#                   and advise
#   make test       deps + the format check and the layer check, build,
#                   unit tests (cmocka), integration tests, a short fuzzing
#                   pass and a short fault-injection pass, then the unit
#                   tests under ASan + UBSan
#   make sanitize   the same tests in an ASan + UBSan build
#   make format     clang-format the tracked sources in place
#
# Flags: CFLAGS, LDFLAGS and OPT (the optimisation level, -O2; -O1 with
# SAN=1) on the command line are added after memtune's own, so
# `make CFLAGS=-O0` builds at -O0 and keeps -Wall -Wextra -Werror. Objects
# are rebuilt when CC, OPT, CFLAGS or LDFLAGS change.

PKGS      := hwloc jansson cmocka numa
CC        ?= gcc
BUILD     ?= build
SAN       ?=
OPT       ?= -O2
CLANG_FORMAT ?= clang-format-14
FUZZ_CC   ?= clang-14
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

# What `make deps` checks, one word per thing: KIND:NAME:DEBIAN_PACKAGE,
# KIND lib (pkg-config --exists NAME), cmd (NAME on PATH) or fuzzer
# (FUZZ_CC links a libFuzzer target). DEPS_RUN is what building and
# `make run` need; DEPS_TEST adds what the tests use: jq, python3 and
# setpriv (integration), chromium (t_report_browser), ansible-playbook
# and sshd (t_ansible), valgrind (faultinj), clang and its libFuzzer
# runtime (fuzz), clang-format (format-check).
DEPS_RUN  := cmd:$(firstword $(CC)):gcc cmd:pkg-config:pkg-config \
             lib:hwloc:libhwloc-dev lib:numa:libnuma-dev \
             lib:jansson:libjansson-dev lib:cmocka:libcmocka-dev \
             cmd:gnuplot:gnuplot-nox
DEPS_FUZZ := cmd:$(FUZZ_CC):clang-14 fuzzer:libFuzzer:libclang-rt-14-dev
DEPS_TEST := cmd:jq:jq cmd:python3:python3 cmd:setpriv:util-linux \
             cmd:redis-server:redis-server cmd:redis-benchmark:redis-tools \
             cmd:valgrind:valgrind cmd:chromium:chromium \
             cmd:ansible-playbook:ansible cmd:sshd:openssh-server \
             cmd:$(CLANG_FORMAT):clang-format-14 $(DEPS_FUZZ)

# memtune's own flags; the user's CFLAGS and LDFLAGS come last.
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g -Wall -Wextra -Werror \
               -Wshadow -Wno-missing-field-initializers \
               -DMT_VERSION='"$(VERSION)"'
LDFLAGS_BASE :=
ifeq ($(SAN),1)
BUILD     := build-san
OPT       := -O1
CFLAGS_BASE += -fno-omit-frame-pointer -fsanitize=address,undefined \
               -fno-sanitize-recover=undefined
LDFLAGS_BASE += -fsanitize=address,undefined
endif

# pkg-config is asked only once the dependencies are in place.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
MT_CFLAGS  = $(CFLAGS_BASE) $(OPT) $(PKG_CFLAGS) $(CFLAGS)
MT_LDFLAGS = $(LDFLAGS_BASE) $(LDFLAGS)
LDLIBS    += $(PKG_LIBS) -lm -lpthread

LIB_SRCS  := $(wildcard core/*.c bench/*.c bench/runner/*.c bench/kit/*.c \
             observe/*.c \
             analyzer/*.c advisor/*.c tune/*.c)
CLI_SRCS  := $(wildcard cli/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS  := $(CLI_SRCS:%.c=$(BUILD)/%.o)
# The unit tests link the commands' code but main() (cli/sysinfo_print.c,
# for instance), from an archive: only what a test calls is pulled in.
CLI_LIB_OBJS := $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(wildcard tests/unit/helpers/*.c)
HELPER_OBJS := $(HELPER_SRCS:%.c=$(BUILD)/%.o)
BIN       := $(BUILD)/memtune
FLAGS_STAMP := $(BUILD)/.flags

.PHONY: all deps deps-run run test unit integration sanitize sanitize-unit \
        clean bench-analyzer test-numa format format-check layers \
        configs-doc compare-fio fuzz fuzz-short fuzz-deps fuzz-build \
        faultinj faultinj-short bench-sweep FORCE

all: build-only
	@ln -sf $(BIN) memtune

# Builds only; with a library missing, says so instead of failing in the
# compiler.
.PHONY: build-only
build-only: check-libs
	@$(MAKE) --no-print-directory build-files

.PHONY: build-files
build-files: $(BIN) $(UNIT_BINS)
	@:

.PHONY: check-libs
check-libs:
	@missing=""; \
	for p in $(PKGS); do pkg-config --exists $$p 2>/dev/null || missing="$$missing $$p"; done; \
	[ -z "$$missing" ] || { \
	  echo "memtune: missing libraries:$$missing; run: make deps" >&2; exit 1; }

# $(call install_missing,WORDS): installs the Debian packages of what is
# missing among WORDS (see DEPS_RUN): apt-get update first, as root;
# otherwise prints the command to run and fails. Services the packages
# bring (redis-server) are not started: the tests start their own, in
# their own directory and cgroup (a policy-rc.d that says no, for the
# install only, when the machine has none).
install_missing = \
	pkgs=""; missing=""; \
	for d in $(1); do \
	  kind=$${d%%:*}; rest=$${d\#*:}; name=$${rest%%:*}; pkg=$${rest\#*:}; \
	  case $$kind in \
	  lib) pkg-config --exists "$$name" 2>/dev/null ;; \
	  cmd) command -v "$$name" >/dev/null 2>&1 ;; \
	  fuzzer) $(fuzzer_links) ;; \
	  esac && continue; \
	  missing="$$missing $$name"; \
	  case " $$pkgs " in *" $$pkg "*) ;; *) pkgs="$$pkgs $$pkg" ;; esac; \
	done; \
	[ -z "$$pkgs" ] && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "memtune: installing what is missing ($${missing\# }):$$pkgs" >&2; \
	  prc=""; if [ ! -e /usr/sbin/policy-rc.d ]; then prc=/usr/sbin/policy-rc.d; \
	    printf '\#!/bin/sh\nexit 101\n' > $$prc && chmod 755 $$prc; fi; \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs >/dev/null; \
	  rc=$$?; [ -z "$$prc" ] || rm -f $$prc; \
	  [ $$rc = 0 ] || { echo "memtune: apt-get install$$pkgs failed" >&2; exit 1; }; \
	else \
	  echo "memtune: missing:$$missing; run: sudo apt-get update && sudo apt-get install -y$$pkgs" >&2; \
	  exit 1; \
	fi

# True if FUZZ_CC links a libFuzzer target (clang's runtime is there).
fuzzer_links = \
	{ f=$$(mktemp /tmp/memtune-fuzz-check.XXXXXX) && \
	  printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' > $$f.c && \
	  $(FUZZ_CC) -fsanitize=fuzzer,address -o $$f $$f.c >/dev/null 2>&1; \
	  r=$$?; rm -f $$f $$f.c; [ $$r = 0 ]; }

# Everything: building, `make run` and the tests.
deps:
	@$(call install_missing,$(DEPS_RUN) $(DEPS_TEST))

deps-run:
	@$(call install_missing,$(DEPS_RUN))

# Rewritten only when the compiler or the user's flags change, so that
# `make CFLAGS=-O0` recompiles what -O2 built.
$(FLAGS_STAMP): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(subst ','\'',$(CC) $(OPT) $(CFLAGS) $(LDFLAGS))' > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

$(BIN): $(LIB_OBJS) $(CLI_OBJS)
	$(CC) $(MT_CFLAGS) $(MT_LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libmemtune.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libmemtune-cli.a: $(CLI_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmemtune.a \
		  $(BUILD)/libmemtune-cli.a $(HELPER_OBJS) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(MT_CFLAGS) $(MT_LDFLAGS) -o $@ $< $(HELPER_OBJS) \
	  $(BUILD)/libmemtune-cli.a \
	  -Wl,--whole-archive $(BUILD)/libmemtune.a -Wl,--no-whole-archive $(LDLIBS)

# The test helpers' objects are intermediate to the pattern rule above;
# keeping them stops every test binary from relinking on each make.
.SECONDARY:

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(MT_CFLAGS) -MMD -MP -c -o $@ $<

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(HELPER_OBJS:.o=.d)

# --- tests -----------------------------------------------------------------

# The quick static checks first, then the build and the tests.
test: deps
	@$(MAKE) --no-print-directory format-check layers
	@$(MAKE) --no-print-directory all
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

sanitize-unit:
	@$(MAKE) --no-print-directory SAN=1 build-only
	@tests/run-unit.sh build-san

# --- the main job ------------------------------------------------------------

# The quick sweep's time: runs it (as `make run` does, root for every
# benchmark) and prints each benchmark's wall time, cases and converged
# cases, and the total (tests/bench/sweep.sh; needs jq).
bench-sweep: all
	@MEMTUNE=./memtune tests/bench/sweep.sh

run: deps-run
	@$(MAKE) --no-print-directory all
	@./memtune run --quick > $(BUILD)/last-run; rc=$$?; cat $(BUILD)/last-run; exit $$rc
	@dir=$$(tail -n 1 $(BUILD)/last-run); \
	./memtune analyze "$$dir" && \
	./memtune report "$$dir" -o "$$dir/report" && \
	./memtune advise "$$dir" || exit 1; \
	echo "run directory: $$dir"; \
	if [ -f "$$dir/report/index.html" ]; then echo "report: $$dir/report/index.html"; fi

# Analyze and report over 1,000 jittered run directories; prints the times.
bench-analyzer: all
	@tests/bench/bench-analyzer.sh $(abspath $(BIN)) 1000

# memtune fleet over 1,000 synthetic hosts (a fixture run with jittered
# figures, in /tmp); prints the time, with and without analysis.json.
.PHONY: bench-fleet
bench-fleet: all
	@tests/bench/bench-fleet.sh $(abspath $(BIN)) 1000

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
	$(CC) $(CFLAGS_BASE) $(OPT) $(CFLAGS) -fPIC -shared -o $@ $< -ldl -lpthread

$(FI_APPLY): tests/faultinj/fi_apply.c $(BUILD)/libmemtune.a
	@mkdir -p $(dir $@)
	$(CC) $(MT_CFLAGS) $(MT_LDFLAGS) -o $@ $< $(BUILD)/libmemtune.a $(LDLIBS)

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

FUZZ_BUILD    := build-fuzz
FUZZ_SECONDS  ?= 60
FUZZ_SHORT_SECONDS ?= 12
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS    = $(CFLAGS_BASE) -O1 -fno-omit-frame-pointer \
                 $(FUZZ_SAN) $(PKG_CFLAGS) -DMT_FUZZ_SRCDIR='"$(abspath .)"'
FUZZ_SRCS     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS     := $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_HARNESS  := $(FUZZ_BUILD)/tests/fuzz/harness.o
# The command code the harness calls (the sysinfo printer).
FUZZ_CLI_OBJS := $(FUZZ_BUILD)/cli/sysinfo_print.o

# clang and its libFuzzer runtime (Debian: clang-14, libclang-rt-14-dev),
# installed when missing like `deps`.
fuzz-deps:
	@$(call install_missing,$(DEPS_RUN) $(DEPS_FUZZ))

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

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HARNESS) $(FUZZ_CLI_OBJS) \
		      $(FUZZ_BUILD)/libmemtune.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_HARNESS) \
	  $(FUZZ_CLI_OBJS) $(FUZZ_BUILD)/libmemtune.a $(LDLIBS)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_HARNESS:.o=.d) $(FUZZ_CLI_OBJS:.o=.d)

# configs/README.md = a hand-written head + the generated key tables.
configs-doc: all
	@{ cat configs/README.head.md; ./memtune config-doc; } > configs/README.md

# --- installing and packaging (issue 17) ---------------------------------------
#
# `make install [PREFIX=/usr/local] [DESTDIR=...]`: the program in
# PREFIX/bin, the job files and profiles in PREFIX/share/memtune/configs
# (where the program looks: -DMT_DATADIR, and beside PREFIX/bin), the man
# page memtune(1) and the bash completion. `make uninstall` removes them.
# The man page is generated from the program's help (tools/mkman.sh) with
# every build: `man ./build/memtune.1`. `make deb` builds
# build-deb/memtune_VERSION_ARCH.deb (tools/mkdeb.sh: PREFIX=/usr,
# Debian's build flags, dpkg-deb) and runs lintian on it when present
# (`make deb-deps` installs lintian).
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
DATAROOTDIR ?= $(PREFIX)/share
MANDIR      ?= $(DATAROOTDIR)/man
BASHCOMPDIR ?= $(DATAROOTDIR)/bash-completion/completions
MT_DATADIR  := $(DATAROOTDIR)/memtune
MAN_PAGE    := $(BUILD)/memtune.1
DATADIR_STAMP := $(BUILD)/.datadir
CFLAGS_BASE += -DMT_DATADIR='"$(MT_DATADIR)"'
DEPS_DEB    := cmd:lintian:lintian cmd:dpkg-shlibdeps:dpkg-dev \
               cmd:man:man-db

.PHONY: install install-files uninstall man deb deb-deps clean-deb

build-files: $(MAN_PAGE)

man: build-only

# main.o holds MT_DATADIR: rebuilt when PREFIX changes.
$(BUILD)/cli/main.o: $(DATADIR_STAMP)
$(DATADIR_STAMP): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(MT_DATADIR)' > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

$(MAN_PAGE): $(BIN) tools/mkman.sh
	tools/mkman.sh $(BIN) > $@.tmp && mv -f $@.tmp $@

install: check-libs
	@$(MAKE) --no-print-directory install-files

install-files: $(BIN) $(MAN_PAGE)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MT_DATADIR)/configs/profiles \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/memtune
	install -m 644 configs/*.ini $(DESTDIR)$(MT_DATADIR)/configs/
	install -m 644 configs/profiles/*.ini \
	  $(DESTDIR)$(MT_DATADIR)/configs/profiles/
	install -m 644 $(MAN_PAGE) $(DESTDIR)$(MANDIR)/man1/memtune.1
	install -m 644 packaging/bash-completion/memtune.bash \
	  $(DESTDIR)$(BASHCOMPDIR)/memtune

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/memtune $(DESTDIR)$(MANDIR)/man1/memtune.1 \
	  $(DESTDIR)$(BASHCOMPDIR)/memtune
	rm -rf $(DESTDIR)$(MT_DATADIR)

deb-deps:
	@$(call install_missing,$(DEPS_RUN) $(DEPS_DEB))

deb:
	@$(call install_missing,$(DEPS_RUN) cmd:dpkg-shlibdeps:dpkg-dev)
	@tools/mkdeb.sh

clean: clean-deb
clean-deb:
	rm -rf build-deb

# --- static checks -------------------------------------------------------------
#
# Formatting: .clang-format (kernel style) over the tracked C sources
# outside tests/fixtures, with clang-format 14 (CLANG_FORMAT). `make format`
# rewrites them in place; `make format-check` lists the files it would
# change and fails.
FORMAT_SRCS = $(shell { git ls-files '*.c' '*.h' 2>/dev/null || \
		find . -name '*.[ch]' -not -path './build*' | sed 's,^\./,,'; } | \
		grep -v '^tests/fixtures/')

format:
	@$(CLANG_FORMAT) -i $(FORMAT_SRCS)

format-check:
	@command -v $(CLANG_FORMAT) >/dev/null 2>&1 || { \
	  echo "format-check: $(CLANG_FORMAT) is missing; run: make deps" >&2; exit 1; }
	@bad=$$($(CLANG_FORMAT) --dry-run -Werror $(FORMAT_SRCS) 2>&1 | \
	  sed -n 's/^\([^: ]*\.[ch]\):[0-9]*:[0-9]*: error: .*/\1/p' | uniq); \
	if [ -n "$$bad" ]; then \
	  echo "format-check: these files are not formatted as .clang-format says:" >&2; \
	  printf '  %s\n' $$bad >&2; \
	  echo "see the changes: $(CLANG_FORMAT) --dry-run FILE; fix them all: make format" >&2; \
	  exit 1; \
	fi; \
	echo "format-check: $(words $(FORMAT_SRCS)) files formatted"

# The layer rules of DESIGN.md section 1, from the #include lines; then
# the check's own test (each rule broken on a copy must be reported).
layers:
	@tests/layers.sh
	@tests/layers.sh --self-test

clean:
	rm -rf build build-san build-fuzz memtune

# Two back-to-back quick tlb runs and the coverage of one run's intervals
# over the other's values (tests/bench/coverage.sh; target: 90% or more).
.PHONY: coverage
coverage: all
	@tests/bench/coverage.sh $(abspath $(BIN))
