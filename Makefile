# bootkit: one boot image for many phones. One Makefile, no recursion.
#
#   make            build the host tools (out/bin/) and the boot image
#   make check      unit tests (ASan+UBSan), differential tests, QEMU board tests
#   make bench      speed/size against the reference tools, side by side
#   make fuzz       build and briefly run the libFuzzer targets (clang)
#   make install    tools, man pages, probes and rules under PREFIX (DESTDIR)
#   make dist       out/bootkit-VERSION.tar.gz; make distcheck builds and checks it
#   make lint       clang-format and shellcheck (part of make check)
#
# Missing Debian packages are installed by mk/deps.sh when run as root.

CC      ?= gcc
O       := out
BIN     := $(O)/bin
OBJ     := $(O)/obj
# -Wformat-truncation=2: every snprintf cut is handled (lib/strfmt.h); gcc only
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wcast-qual -Wwrite-strings -Wpointer-arith -Wvla -Wformat=2 -Wformat-truncation=2
CFLAGS  ?= -O2 -g
PKGS    := libcrypto liblz4 zlib liblzma libzstd
# libbz2 ships no pkg-config file on Debian 12
LIBS     = $$(pkg-config --libs $(PKGS)) -lbz2 -lfdt
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.DEFAULT_GOAL := all
# (image, images: below)
.PHONY: all tools probes check unit-test fuzz-replay sh-test bench fuzz clean

# ---- Debian dependencies (stamps so the check runs once per clone) ----------
$(O)/.deps-%: mk/deps.list mk/deps.sh
	@mkdir -p $(O)
	@sh mk/deps.sh $*
	@touch $@
DEPS_BUILD := $(O)/.deps-build

# ---- library and tools --------------------------------------------------------
# The layout (HACKING.md, "Layout"; mk/lint.py checks it): lib/ holds what
# everything shares, nothing about boot images; mkbootimg/, ramdisk/ and probe/
# are the libraries (they never print or exit); the commands live in
# mkbootimg/tools/ and ramdisk/tools/ (lib/cli.c and mkbootimg/tools/common.c:
# their helpers, which print and die), the probe's in probe/main.c. Includes name
# their folder from the top ("lib/fileio.h"): one -I.
INCS    := -I.
ALL_CFLAGS = $(WARN) $(CFLAGS) -D_GNU_SOURCE $(INCS) -MMD -MP
LIB_SRC := $(filter-out lib/cli.c,$(wildcard lib/*.c mkbootimg/*.c ramdisk/*.c)) probe/rules.c
LIB_OBJ := $(LIB_SRC:%.c=$(OBJ)/%.o)
CLI_SRC := lib/cli.c mkbootimg/tools/common.c
CLI_OBJ := $(CLI_SRC:%.c=$(OBJ)/%.o)
TOOLS   := mkbootimg unpack_bootimg bootimg ramdisk

$(OBJ)/%.o: %.c | $(DEPS_BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# ---- the version: --version of every tool ------------------------------------
# mk/version.sh: `git describe --tags --always --dirty`, or the VERSION file of a
# `make dist` tarball. out/version.txt is rewritten only when it changes, and
# only lib/version.c is compiled with it: a new version relinks, nothing more.
# `make install` (alone) keeps the version the tools were built with: a root
# shell's git may see the tree otherwise (safe.directory) and relink them as
# root inside the user's out/.
INSTALL_ONLY := $(if $(MAKECMDGOALS),$(if $(filter-out install uninstall,$(MAKECMDGOALS)),,y))
VERSION := $(if $(and $(INSTALL_ONLY),$(wildcard $(O)/version.txt)),$(shell cat $(O)/version.txt),$(shell sh mk/version.sh))
VERSION_DEF = -DBOOTKIT_VERSION='"$(VERSION)"'
.PHONY: FORCE
$(O)/version.txt: FORCE
	@mkdir -p $(O)
	@[ "$$(cat $@ 2>/dev/null)" = '$(VERSION)' ] || echo '$(VERSION)' > $@
$(OBJ)/lib/version.o: $(O)/version.txt
$(OBJ)/lib/version.o: ALL_CFLAGS += $(VERSION_DEF)

$(O)/libbootkit.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# out/bin/TOOL from FOLDER/tools/TOOL.c and FOLDER/tools/TOOL_*.c (its verbs),
# the commands' helpers and the library
TOOL_DIR_mkbootimg      := mkbootimg
TOOL_DIR_unpack_bootimg := mkbootimg
TOOL_DIR_bootimg        := mkbootimg
TOOL_DIR_ramdisk        := ramdisk
TOOL_OBJ = $(patsubst %.c,$(OBJ)/%.o,$(wildcard $(TOOL_DIR_$1)/tools/$1.c $(TOOL_DIR_$1)/tools/$1_*.c))
.SECONDEXPANSION:
$(BIN)/%: $$(call TOOL_OBJ,$$*) $(CLI_OBJ) $(O)/libbootkit.a
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -o $@ $(call TOOL_OBJ,$*) $(CLI_OBJ) $(O)/libbootkit.a $(LIBS)

tools: $(TOOLS:%=$(BIN)/%)

# A test helper, not a tool: AVB-footed images with a test key for the shell
# tests, and the avbtool the GKI signing test runs (tests/avbtool-standin).
# A test helper: run a program with every system call newer than Linux 3.0
# answering ENOSYS (tests/enosys.c): for the host's fixture runs, and static
# for armhf (QEMU board 27 boots under it).
$(O)/enosys: tests/enosys.c | $(DEPS_BUILD)
	$(CC) $(WARN) $(CFLAGS) -o $@ $<
$(O)/armhf/enosys: tests/enosys.c $(O)/musl-inc/armhf/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC_armhf) $(PROBE_CFLAGS) -isystem $(O)/musl-inc/armhf -o $@ $<

$(O)/avbtest: $(OBJ)/tests/avbtest.o $(CLI_OBJ) $(O)/libbootkit.a
	$(CC) $(CFLAGS) -o $@ $< $(CLI_OBJ) $(O)/libbootkit.a $(LIBS)
.PHONY: avbtest
avbtest: $(O)/avbtest

# ---- the probe: static musl, for the target (armhf) and x86-64 ----------------------
# musl's compilers do not search /usr/include; the kernel UAPI headers (linux,
# asm, asm-generic) come from a private folder of links.
# The probe links its own files, the rules language and the lib/ files the
# init shares (module loading, the command line, checked formatting) plus
# lib/moddep.c, lib/readat.c and lib/version.c (--version).
PROBE_LIB  := lib/modload.c lib/kcmdline.c lib/strfmt.c lib/moddep.c lib/readat.c lib/version.c
PROBE_SRC  := $(filter-out probe/main.c,$(wildcard probe/*.c)) probe/main.c $(PROBE_LIB)
PROBE_HDR  := $(wildcard probe/*.h) $(PROBE_LIB:.c=.h) lib/bytes.h lib/diag.h lib/textsize.h
PROBE_CFLAGS = $(WARN) -Os -D_GNU_SOURCE -I. \
	-ffunction-sections -fdata-sections -static -Wl,--gc-sections -s
DEPS_TARGET := $(O)/.deps-target
$(O)/musl-inc/x86_64/.stamp: | $(DEPS_TARGET)
	@mkdir -p $(dir $@) && cd $(dir $@) && ln -sfn /usr/include/linux linux && \
	  ln -sfn /usr/include/asm-generic asm-generic && ln -sfn /usr/include/x86_64-linux-gnu/asm asm && touch .stamp
$(O)/musl-inc/armhf/.stamp: | $(DEPS_TARGET)
	@mkdir -p $(dir $@) && cd $(dir $@) && for d in linux asm asm-generic; do \
	  ln -sfn /usr/arm-linux-gnueabihf/include/$$d $$d; done && touch .stamp
MUSL_CC_x86_64 := musl-gcc
MUSL_CC_armhf  := arm-linux-musleabihf-gcc
$(O)/%/probe: $(PROBE_SRC) $(PROBE_HDR) $(O)/musl-inc/%/.stamp $(O)/version.txt
	@mkdir -p $(dir $@)
	$(MUSL_CC_$*) $(PROBE_CFLAGS) $(VERSION_DEF) -isystem $(O)/musl-inc/$* -o $@ $(PROBE_SRC)
# The minimal (BusyBox-free) init flow, static musl too.
INIT_SRC := ramdisk/init/init.c lib/modload.c lib/kcmdline.c lib/strfmt.c lib/readat.c
$(O)/%/init: $(INIT_SRC) lib/modload.h lib/kcmdline.h lib/strfmt.h lib/textsize.h lib/readat.h \
		$(O)/musl-inc/%/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC_$*) $(PROBE_CFLAGS) -isystem $(O)/musl-inc/$* -o $@ $(INIT_SRC)
# bootkit's entry shim for MediaTek's LK (mkbootimg/shim/lk-memstart.S): ARM
# code put in front of a zImage where the loader's memory start is one a
# generic kernel cannot use (make, make inject; mkbootimg --lk-shim).
SHIM := $(O)/armhf/lk-shim.bin
$(SHIM): mkbootimg/shim/lk-memstart.S | $(DEPS_TARGET)
	@mkdir -p $(dir $@)
	arm-linux-gnueabihf-as -o $@.o $<
	arm-linux-gnueabihf-objcopy -O binary $@.o $@.tmp && rm -f $@.o && mv $@.tmp $@
# The probe is held to 96 KiB (armhf) and 128 KiB (x86-64): the build says its
# size and fails above.
PROBE_MAX_armhf  := 98304
PROBE_MAX_x86_64 := 131072
probes: $(O)/x86_64/probe $(O)/armhf/probe $(O)/x86_64/init $(O)/armhf/init $(SHIM)
	@for a in armhf x86_64; do n=$$(wc -c <$(O)/$$a/probe); \
	  max=$$(case $$a in armhf) echo $(PROBE_MAX_armhf);; *) echo $(PROBE_MAX_x86_64);; esac); \
	  echo "probe: $(O)/$$a/probe $$n bytes (at most $$max)"; \
	  [ $$n -le $$max ] || { echo "probe: $(O)/$$a/probe is over its $$max bytes"; exit 1; }; done

# ---- what the user gives: paths and values, passed through, never run ------------
# Every path or value from the command line or the environment (a stock image,
# a kernel, a profile, a prefix...) reaches the scripts through the
# environment as it was given: make does not expand it (a "$(...)" in a file
# name stays text: $(value)), and no recipe interpolates it into shell text
# (recipes say "$$STOCK", never "$(STOCK)"), so a quote, a backquote, a ";" or
# a newline in it is just a byte of the name. tests/sh/t-inject.sh tries them.
# $(call given,VAR,DEFAULT): VAR as given (command line or environment), else DEFAULT.
given = $(if $(filter command line environment environment override,$(origin $1)),$(value $1),$2)
# make inject's default board: mt6572 unless BOARD= is on the command line
INJECT_BOARD := $(if $(filter command line,$(origin BOARD)),$(value BOARD),mt6572)
override STOCK         := $(call given,STOCK,)
override INJECTED      := $(call given,INJECTED,)
override BOARD         := $(call given,BOARD,qemu-vexpress)
override KERNEL        := $(call given,KERNEL,)
override DTB           := $(call given,DTB,)
override MODULES_DIR   := $(call given,MODULES_DIR,)
override SCATTER       := $(call given,SCATTER,)
override ALLOW_OVERLAP := $(call given,ALLOW_OVERLAP,)
override INJECT_COMPRESSION := $(call given,INJECT_COMPRESSION,)
override INJECT_CLASSES     := $(call given,INJECT_CLASSES,)
override FUZZ_SECONDS       := $(call given,FUZZ_SECONDS,30)
override DISTCHECK_GOALS    := $(call given,DISTCHECK_GOALS,)
override PREFIX  := $(call given,PREFIX,/usr/local)
override DESTDIR := $(call given,DESTDIR,)
override BINDIR  := $(call given,BINDIR,$(PREFIX)/bin)
override MANDIR  := $(call given,MANDIR,$(PREFIX)/share/man)
override DATADIR := $(call given,DATADIR,$(PREFIX)/share/bootkit)
export STOCK INJECTED BOARD INJECT_BOARD KERNEL DTB MODULES_DIR SCATTER ALLOW_OVERLAP \
	INJECT_COMPRESSION INJECT_CLASSES FUZZ_SECONDS DISTCHECK_GOALS
# The install folders reach the recipes under other names: exported as BINDIR,
# this make's default (/usr/local/bin) would be "given" to a make it runs (make
# check's tests run make install PREFIX=/usr), which would not derive its own.
override INSTALL_DESTDIR := $(DESTDIR)
override INSTALL_BINDIR  := $(BINDIR)
override INSTALL_MANDIR  := $(MANDIR)
override INSTALL_DATADIR := $(DATADIR)
export INSTALL_DESTDIR INSTALL_BINDIR INSTALL_MANDIR INSTALL_DATADIR

# ---- the boot image: make [BOARD=profile] [KERNEL=F DTB=F MODULES_DIR=D SCATTER=F] ----
# Profiles are profiles/*.conf; out/BOARD/boot.img, and out/boot.img for the default.
BOARDS  := $(patsubst profiles/%.conf,%,$(wildcard profiles/*.conf))
.PHONY: image images
image: tools probes | $(O)/.deps-kernel
	@sh mk/image.sh "$$BOARD"
	@if [ "$$BOARD" = qemu-vexpress ]; then cp out/qemu-vexpress/boot.img $(O)/boot.img.tmp && \
	  mv $(O)/boot.img.tmp $(O)/boot.img && echo "out/boot.img: the $$BOARD image"; fi
# every profile (the tests use them all)
images: tools probes | $(O)/.deps-kernel
	@for b in $(BOARDS); do IMAGES_SKIP_STOCK=1 sh mk/image.sh $$b || exit 1; done
	@cp out/qemu-vexpress/boot.img $(O)/boot.img.tmp && mv $(O)/boot.img.tmp $(O)/boot.img

# AnyKernel-style: the probe injected into a phone's stock boot image
.PHONY: inject
inject: tools probes | $(O)/.deps-kernel
	@test -n "$$STOCK" || { echo "usage: make inject STOCK=stock.img [BOARD=mt6572] [KERNEL=F] [MODULES_DIR=D] [SCATTER=F] [INJECTED=out.img]"; exit 2; }
	@sh mk/inject.sh "$$STOCK" "$${INJECTED:-$(O)/$$INJECT_BOARD/injected.img}" "$$INJECT_BOARD"

all: tools probes image

# ---- unit tests (Criterion), built with ASan+UBSan ------------------------------
UNIT_SRC := $(wildcard tests/unit/*.c)
PROBE_CORE := $(filter-out probe/main.c probe/rules.c,$(wildcard probe/*.c))
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
SAN_OBJ  := $(O)/san
$(SAN_OBJ)/%.o: %.c | $(DEPS_BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 -g $(SAN) -c -o $@ $<
$(SAN_OBJ)/lib/version.o: $(O)/version.txt
$(SAN_OBJ)/lib/version.o: ALL_CFLAGS += $(VERSION_DEF)

$(O)/unit-tests: $(UNIT_SRC:%.c=$(SAN_OBJ)/%.o) $(LIB_SRC:%.c=$(SAN_OBJ)/%.o) \
		$(PROBE_CORE:%.c=$(SAN_OBJ)/%.o) | $(DEPS_BUILD)
	$(CC) $(SAN) -o $@ $^ -lcriterion $(LIBS)

unit-test: $(O)/unit-tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(O)/unit-tests --jobs 2

# ---- differential and CLI tests (shell, against Debian's tools) ----------------
SH_TESTS := $(sort $(wildcard tests/sh/t-*.sh))
sh-test: tools avbtest probes images $(O)/peakrss $(O)/enosys san-tools | $(O)/.deps-check
	@sh tests/sh/run.sh $(SH_TESTS)
	@SH_SAN=1 SH_BIN=$(CURDIR)/$(SAN_BIN) SH_WORK=sh-test-san sh tests/sh/run.sh $(SAN_SH_TESTS)

# The host tools again, built with ASan+UBSan, and the shell tests of error
# paths and hostile inputs run with them (after the plain run, in
# out/sh-test-san/): an error exit that leaks (LeakSanitizer on), a read out
# of bounds, undefined behaviour, each fails the test: run.sh has every
# report written to a file of its own (log_path) and fails on any. Tests that
# bound peak memory or time are not among them (the sanitizers' overhead).
SAN_BIN     := $(O)/san-bin
SAN_ENV     := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
SAN_SH_TESTS := tests/sh/t-corpus.sh tests/sh/t-errors.sh tests/sh/t-hostile.sh tests/sh/t-keys.sh \
	tests/sh/t-diff.sh tests/sh/t-mtk.sh
SAN_CLI_OBJ := $(CLI_SRC:%.c=$(SAN_OBJ)/%.o)
SAN_LIB_OBJ := $(LIB_SRC:%.c=$(SAN_OBJ)/%.o)
SAN_TOOL_OBJ = $(patsubst $(OBJ)/%,$(SAN_OBJ)/%,$(call TOOL_OBJ,$1))
$(SAN_BIN)/%: $$(call SAN_TOOL_OBJ,$$*) $(SAN_CLI_OBJ) $(SAN_LIB_OBJ)
	@mkdir -p $(SAN_BIN)
	$(CC) $(SAN) -o $@ $(call SAN_TOOL_OBJ,$*) $(SAN_CLI_OBJ) $(SAN_LIB_OBJ) $(LIBS)
.PHONY: san-tools
san-tools: $(TOOLS:%=$(SAN_BIN)/%)
# The commands' objects reached through the pattern rules above are kept, not
# removed as intermediate files after each run (and rebuilt by the next).
.SECONDARY: $(foreach t,$(TOOLS),$(call TOOL_OBJ,$t) $(call SAN_TOOL_OBJ,$t))

# The libFuzzer corpora replayed by a gcc sanitizer build (no clang needed).
REPLAY_BIN := $(FUZZ_SRC:fuzz/%.c=$(O)/replay/%)
$(O)/replay/%: fuzz/%.c fuzz/replay.c $(LIB_SRC:%.c=$(SAN_OBJ)/%.o) | $(DEPS_BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -O1 -g $(SAN) -o $@ $^ $(LIBS)
$(O)/replay/fuzz_probe: $(PROBE_CORE:%.c=$(SAN_OBJ)/%.o)
fuzz-replay: $(REPLAY_BIN)
	@for f in $(REPLAY_BIN); do n=$${f##*/}; printf '%s: ' $$n; \
	  $(SAN_ENV) $$f fuzz/corpus/$$n/* || exit 1; done

# QEMU board tests: boot the images on emulated boards (qemu-tests/boards/)
.PHONY: qemu-test
# a stand-in for a phone's stock /init (the injection board boots it)
$(O)/%/stock-init: qemu-tests/stock-init.c $(O)/musl-inc/%/.stamp
	@mkdir -p $(dir $@)
	$(MUSL_CC_$*) $(PROBE_CFLAGS) -isystem $(O)/musl-inc/$* -o $@ $<
qemu-test: images $(O)/armhf/stock-init $(O)/armhf/enosys | $(O)/.deps-qemu $(O)/.deps-check
	@sh qemu-tests/run.sh

check: lint unit-test fuzz-replay sh-test qemu-test

# ---- install: make install [PREFIX=/usr/local] [DESTDIR=staging] ----------------
# The host tools in bin/, their man pages (man/), and for building ramdisks the
# static probe and init of each architecture and the shipped rules in
# share/bootkit/. Install depends on the built files, not on `all`: it never
# fetches a kernel, and run as root after a user's `make` it rebuilds nothing.
# uninstall removes exactly these files (and share/bootkit/ when left empty).
# (PREFIX, DESTDIR, BINDIR, MANDIR, DATADIR: above, with the user's values;
# the recipes read them as INSTALL_*)
MAN1    := $(TOOLS:%=man/%.1)
MAN5    := man/modules.list.5
MAN8    := man/probe.8
TARGETS := armhf/probe armhf/init armhf/lk-shim.bin x86_64/probe x86_64/init
.PHONY: install uninstall
install: $(TOOLS:%=$(BIN)/%) $(TARGETS:%=$(O)/%) $(MAN1) $(MAN5) $(MAN8) modules.list
	install -d "$$INSTALL_DESTDIR$$INSTALL_BINDIR" "$$INSTALL_DESTDIR$$INSTALL_MANDIR/man1" "$$INSTALL_DESTDIR$$INSTALL_MANDIR/man5" \
	  "$$INSTALL_DESTDIR$$INSTALL_MANDIR/man8" "$$INSTALL_DESTDIR$$INSTALL_DATADIR/armhf" "$$INSTALL_DESTDIR$$INSTALL_DATADIR/x86_64"
	install -m 0755 $(TOOLS:%=$(BIN)/%) "$$INSTALL_DESTDIR$$INSTALL_BINDIR"
	install -m 0644 $(MAN1) "$$INSTALL_DESTDIR$$INSTALL_MANDIR/man1"
	install -m 0644 $(MAN5) "$$INSTALL_DESTDIR$$INSTALL_MANDIR/man5"
	install -m 0644 $(MAN8) "$$INSTALL_DESTDIR$$INSTALL_MANDIR/man8"
	install -m 0755 $(O)/armhf/probe $(O)/armhf/init "$$INSTALL_DESTDIR$$INSTALL_DATADIR/armhf"
	install -m 0644 $(O)/armhf/lk-shim.bin "$$INSTALL_DESTDIR$$INSTALL_DATADIR/armhf"
	install -m 0755 $(O)/x86_64/probe $(O)/x86_64/init "$$INSTALL_DESTDIR$$INSTALL_DATADIR/x86_64"
	install -m 0644 modules.list "$$INSTALL_DESTDIR$$INSTALL_DATADIR"
uninstall:
	@set -e; for f in $(TOOLS); do rm -f "$$INSTALL_DESTDIR$$INSTALL_BINDIR/$$f"; done; \
	for f in $(MAN1:man/%=man1/%) $(MAN5:man/%=man5/%) $(MAN8:man/%=man8/%); do \
	  rm -f "$$INSTALL_DESTDIR$$INSTALL_MANDIR/$$f"; done; \
	for f in $(TARGETS) modules.list; do rm -f "$$INSTALL_DESTDIR$$INSTALL_DATADIR/$$f"; done
	@for d in "$$INSTALL_DESTDIR$$INSTALL_DATADIR/armhf" "$$INSTALL_DESTDIR$$INSTALL_DATADIR/x86_64" "$$INSTALL_DESTDIR$$INSTALL_DATADIR"; do \
	  rmdir "$$d" 2>/dev/null || :; done

# ---- release tarball: make dist, make distcheck -----------------------------------
# out/bootkit-VERSION.tar.gz: the tracked files as they are in the working tree
# (git stash create: uncommitted changes too, which the -dirty version says)
# and a VERSION file, which mk/version.sh reads where there is no git.
# distcheck builds it outside git: `make` and `make check`, the whole suite
# (QEMU boots included); DISTCHECK_GOALS="tools probes unit-test" for less.
DIST := bootkit-$(VERSION)
.PHONY: dist distcheck
dist:
	@git rev-parse --git-dir >/dev/null 2>&1 || { echo "make dist: needs a git checkout"; exit 1; }
	@mkdir -p $(O)/dist && echo '$(VERSION)' > $(O)/dist/VERSION
	@tree=$$(git stash create) && \
	  git archive --prefix=$(DIST)/ --add-file=$(O)/dist/VERSION -o $(O)/$(DIST).tar.gz $${tree:-HEAD}
	@case '$(VERSION)' in *-dirty) echo "make dist: uncommitted changes are in it";; esac
	@echo "$(O)/$(DIST).tar.gz"
distcheck: dist
	@MAKE='$(MAKE)' sh mk/distcheck.sh $(O)/$(DIST).tar.gz

# ---- lint: make lint (lint-c, lint-sh, lint-house) ------------------------------
# Part of `make check` (first: it is the quickest to fail). clang-format
# follows .clang-format (clang-format 14, Debian 12's); shellcheck reads
# .shellcheckrc (all scripts are POSIX sh) and tests/sh/.shellcheckrc (its one
# exclusion, said why there); mk/lint.py checks the house rules (HACKING.md,
# "Layout": qualified includes, dependencies down and no cycle, functions of at
# most 60 lines unless a "Long:" comment says why, files of at most 800).
# `make lint` runs the three and fails if any does.
LINT_C  := $(sort $(wildcard lib/*.[ch] mkbootimg/*.[ch] mkbootimg/tools/*.[ch] ramdisk/*.[ch] \
	     ramdisk/tools/*.[ch] ramdisk/init/*.c probe/*.[ch] tests/*.c tests/unit/*.[ch] \
	     fuzz/*.c bench/*.c qemu-tests/*.c))
LINT_SH := .ci/run $(sort $(wildcard mk/*.sh bench/*.sh qemu-tests/*.sh ramdisk/init/*.sh \
	     tests/sh/*.sh)) tests/avbtool-standin
LINT_C_CMD  = clang-format --dry-run -Werror $(LINT_C)
LINT_SH_CMD = shellcheck $(LINT_SH)
LINT_HOUSE_CMD = python3 mk/lint.py
.PHONY: lint lint-c lint-sh lint-house
lint: | $(O)/.deps-lint
	@rc=0; $(LINT_C_CMD) || rc=1; $(LINT_SH_CMD) || rc=1; $(LINT_HOUSE_CMD) || rc=1; \
	  [ $$rc = 0 ] && echo "lint: clean" || echo "lint: see above (make lint-c, lint-sh, lint-house)"; exit $$rc
lint-c: | $(O)/.deps-lint
	$(LINT_C_CMD)
lint-sh: | $(O)/.deps-lint
	$(LINT_SH_CMD)
lint-house: | $(O)/.deps-lint
	$(LINT_HOUSE_CMD)

# ---- benchmarks --------------------------------------------------------------
$(O)/peakrss: bench/peakrss.c | $(DEPS_BUILD)
	$(CC) $(WARN) $(CFLAGS) -D_GNU_SOURCE -o $@ $<
bench: tools images avbtest $(O)/peakrss | $(O)/.deps-check $(O)/.deps-qemu
	@sh bench/run.sh
# the time and memory bounds alone (bench/bounds.py; part of make bench)
.PHONY: bench-bounds
bench-bounds: tools probes $(O)/peakrss | $(O)/.deps-check
	@rm -rf $(O)/bench-bounds && mkdir -p $(O)/bench-bounds && \
	  cd $(O)/bench-bounds && python3 ../../bench/bounds.py ../bin

# ---- fuzzing (clang + libFuzzer) -----------------------------------------------
# FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION (the usual name): smaller output caps
# where a header says so (kernel.h), so a decompression bomb costs milliseconds;
# the replay under make check runs the corpora with the real caps.
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=$(O)/fuzz/%)
$(O)/fuzz/%: fuzz/%.c $(LIB_SRC) | $(O)/.deps-fuzz $(DEPS_BUILD)
	@mkdir -p $(dir $@)
	clang $(filter-out -Wformat-truncation=%,$(WARN)) -D_GNU_SOURCE $(INCS) -g -O1 \
	  -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)
$(O)/fuzz/fuzz_probe: $(PROBE_CORE)
fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$${f##*/}; mkdir -p $(O)/corpus/$$n; \
	  $$f -max_total_time="$$FUZZ_SECONDS" $(O)/corpus/$$n fuzz/corpus/$$n || exit 1; done

clean:
	rm -rf $(O)

-include $(shell find $(OBJ) $(SAN_OBJ) $(O)/replay $(O)/fuzz -name '*.d' -type f 2>/dev/null)
