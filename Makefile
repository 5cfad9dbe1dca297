# SPDX-License-Identifier: GPL-2.0
#
# ipcchan: top-level build.  `make help` lists the targets.
#
#   make            module + library + tools + tests
#   make check      deps, build, lint, boot the VM, run every test
#   make run        deps, build, boot the VM, run the IPC benchmark
#   make vm         interactive shell in the VM (CMD='...' runs one command)

SHELL := /bin/bash
TOP := $(CURDIR)

# --- Kernel: the tree the module is built against, the image the VM boots --
# KERNEL picks a Debian kernel: empty for the host release's own (6.1 on
# Debian 12, 6.12 on Debian 13), or 6.1, 6.12, 6.12-rt, ... fetched from
# Debian's archive into the cache (scripts/kernel.sh).  KDIR and VMLINUZ
# may also be given directly (a kernel tree and its bzImage).  Everything
# here is resolved when first used, never while make reads this file, so
# the packages `make deps` installs are seen on the very first run.
KERNEL ?=
KPATHS = $(eval KPATHS := $$(shell scripts/kernel.sh $(KERNEL)))$(KPATHS)
KDIR ?= $(word 1,$(KPATHS))
VMLINUZ ?= $(word 2,$(KPATHS))
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

# The kselftest harness, lib.mk and checkpatch come from Debian's kernel
# source package of the host release (linux-source-6.1 or -6.12).
CACHE ?= $(TOP)/.cache
KSRC_TAR ?= $(eval KSRC_TAR := $$(shell ls /usr/src/linux-source-*.tar.xz \
	2>/dev/null | sort -V | tail -n1))$(KSRC_TAR)
KSRC_NAME = $(notdir $(KSRC_TAR:.tar.xz=))
KSFT_DIR := $(CACHE)/ksft/tools/testing/selftests
CHECKPATCH := $(CACHE)/ksft/scripts/checkpatch.pl
BUILD := $(TOP)/build
STAGE := $(CACHE)/stage
RESULTS := $(TOP)/results

KMOD := kmod/ipcchan.ko
KSRCS := $(filter-out %.mod.c,$(wildcard kmod/*.c kmod/*.h)) \
	include/uapi/linux/ipcchan.h

VM_TIMEOUT ?= 1500
VM_ARGS ?=
LOADER ?= cli
RUN = tests/vm/run.sh --kernel $(VMLINUZ) --stage $(STAGE) --loader $(LOADER) $(VM_ARGS)

PROFILE ?= quick
# idle=poll keeps an idle vCPU from sleeping until the next tick under TCG,
# which otherwise dominates wake-up latency; tsc=reliable keeps the TSC as
# the guest's clocksource (QEMU's TCG TSC follows the host's, monotonic
# across vCPUs), where the kernel would fall back to the emulated HPET and
# make every clock read a 2 us system call (docs/benchmark.md has both A/Bs).
RUN_APPEND ?= idle=poll tsc=reliable
METHODS ?=
SIZES ?=
# make run measures every cell REPEAT times in interleaved rounds and
# reports each cell's median run (ipcchan-bench --repeat): 3 keeps the quick
# profile at about 2.5 min of TCG VM time; the full profile's cells are long
# and it would need three times VM_TIMEOUT, so it runs once by default.
REPEAT ?= $(if $(filter full,$(PROFILE)),1,3)

.PHONY: all module userspace tests stage deps check lint vm run clean help \
	host-check check-debug check-kcsan check-config crosscheck check-build \
	modules_install check-vermagic ksft-headers ksft-intree dkms-check \
	install FORCE

all: module userspace tests

help:
	@sed -n 's/^#   make/  make/p' Makefile
	@echo "  make lint               checkpatch --strict + sparse + W=1"
	@echo "  make modules_install    install the module for KDIR's kernel"
	@echo "  make install            install library, headers, tools"
	@echo "  make ksft-intree        build tests/ inside a kernel tree (kselftest layout)"
	@echo "  make dkms-check         dkms add/build/remove against KDIR"
	@echo "  make crosscheck         stress-ng/pmqtest next to ipcchan-bench in the VM"
	@echo "  make check-debug        the suite on a KASAN/UBSAN/lockdep/kmemleak kernel"
	@echo "  make check-kcsan        stress and fuzz tests on a KCSAN kernel"
	@echo "  make check-config       the suite on tinyconfig + tests/config (no option missing)"
	@echo "  KERNEL=6.1|6.12|6.12-rt picks the kernel for check, run, vm, dkms-check"
	@echo "  (now: KDIR=$(KDIR) VMLINUZ=$(VMLINUZ))"

deps:
	@scripts/deps.sh
	@scripts/kernel.sh $(KERNEL) >/dev/null

# --- kernel module ----------------------------------------------------------
# Kbuild decides what to rebuild (it also notices a different KDIR).
module: $(KMOD)

$(KMOD): FORCE
	@test -d "$(KDIR)" || { echo "no kernel build tree (KERNEL='$(KERNEL)' KDIR='$(KDIR)'): make deps, or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

modules_install: $(KMOD)
	$(MAKE) -C $(KDIR) M=$(TOP) modules_install

# The module must carry the vermagic of the kernel the VM boots.
check-vermagic: $(KMOD)
	@mod=$$(/sbin/modinfo -F vermagic $(KMOD) | cut -d' ' -f1); \
	img=$$(tests/vm/kernel-release.sh $(VMLINUZ)); \
	if [ "$$mod" != "$$img" ]; then \
		echo "vermagic mismatch: $(KMOD) is for '$$mod' but $(VMLINUZ) is '$$img'" >&2; \
		echo "  KDIR and VMLINUZ must be the same kernel (or pick one with KERNEL=)" >&2; \
		exit 1; \
	fi; echo "vermagic: $$mod (module) = $$img (VM kernel)"

# --- kselftest headers and checkpatch, from Debian's linux-source-* --------
$(CACHE)/ksft/.stamp:
	@test -r "$(KSRC_TAR)" || { echo "no /usr/src/linux-source-*.tar.xz: make deps installs linux-source" >&2; exit 1; }
	@mkdir -p $(CACHE)/ksft
	tar -xJf $(KSRC_TAR) -C $(CACHE)/ksft --strip-components=1 \
		$(addprefix $(KSRC_NAME)/,tools/testing/selftests/lib.mk \
		tools/testing/selftests/kselftest_harness.h \
		tools/testing/selftests/kselftest.h \
		tools/testing/selftests/kselftest \
		scripts/checkpatch.pl scripts/spelling.txt \
		scripts/const_structs.checkpatch)
	@echo $(KSRC_NAME) >$@

ksft-headers: $(CACHE)/ksft/.stamp

# --- userspace and tests ----------------------------------------------------
userspace: ksft-headers
	$(MAKE) -C userspace KSFT_DIR=$(KSFT_DIR)

tests: ksft-headers
	$(MAKE) -C tests KSFT_DIR=$(KSFT_DIR) OUTPUT=$(BUILD)/tests

# Everything the VM gets under /opt/ipcchan: the module, the tools, the
# tests, and the same tests as the kernel's own runners see them (ksft/:
# installed with run_kselftest.sh; ksft-tree/: the selftests tree, for
# `make run_tests`, with make itself).
stage: all ksft-intree
	@rm -rf $(STAGE) && mkdir -p $(STAGE)/tests $(STAGE)/bin
	@cp $(KMOD) tests/vm/ksft-runners.sh $(STAGE)/
	@$(MAKE) -s -C tests KSFT_DIR=$(KSFT_DIR) OUTPUT=$(BUILD)/tests \
		INSTALL_PATH=$(STAGE)/tests install >/dev/null
	@$(MAKE) -s -C userspace KSFT_DIR=$(KSFT_DIR) STAGE=$(STAGE) stage
	@cp -a $(CACHE)/intree/install $(STAGE)/ksft
	@cp -a $(CACHE)/intree/tree $(STAGE)/ksft-tree
	@cp "$$(command -v make)" $(STAGE)/bin/

# --- lint -------------------------------------------------------------------
lint: ksft-headers
	$(CHECKPATCH) --strict --no-tree --terse --show-types -f $(KSRCS)
	@mkdir -p $(BUILD); echo "lint: W=1 + sparse (C=2) against $(KREL)"
	@$(MAKE) -s -C $(KDIR) M=$(TOP) W=1 C=2 modules 2>&1 | \
		tee $(BUILD)/lint.log | grep -v -e '^Skipping BTF' || true
	@if grep -E 'warning|error' $(BUILD)/lint.log; then \
		echo "lint: compiler or sparse warnings above" >&2; exit 1; fi
	@echo "lint: clean"

# --- VM ---------------------------------------------------------------------
# Each VM target first runs deps, then a second make that resolves the
# kernel with the packages in place.
vm: deps
	@$(MAKE) --no-print-directory stage check-vermagic
ifeq ($(CMD),)
	$(RUN) --interactive
else
	$(RUN) --timeout $(VM_TIMEOUT) -- '$(CMD)'
endif

# Host-side tests (install, library against a fake kernel), TAP into a log.
host-check: all
	@mkdir -p $(BUILD)
	@$(MAKE) -s --no-print-directory -C userspace KSFT_DIR=$(KSFT_DIR) \
		install-test host-test 2>&1 | tee $(BUILD)/host.log

# Everything make check builds and checks before it boots the VM.
check-build: all lint ksft-intree dkms-check host-check stage check-vermagic

# The suite in the VM: our runner over every test, then the kernel's two
# runners over the kselftests, whose counts must equal ours.
VM_CHECK_CMD := /opt/ipcchan/run-tests.sh | tee /tmp/run-tests.log; \
	/opt/ipcchan/ksft-runners.sh /tmp/run-tests.log

check: deps
	@start=$$(date +%s); rm -f $(BUILD)/check.log $(BUILD)/host.log; \
	$(MAKE) --no-print-directory check-build && \
	$(RUN) --timeout $(VM_TIMEOUT) --log $(BUILD)/check.log \
		-- '$(VM_CHECK_CMD)'; rc=$$?; \
	echo "check: $$(( $$(date +%s) - start )) s on $(KREL), VM exit status $$rc"; \
	tests/summary.sh $(BUILD)/host.log $(BUILD)/check.log $$rc

run: deps
	@$(MAKE) --no-print-directory all stage check-vermagic
	@rm -rf $(RESULTS).new && mkdir -p $(RESULTS).new
	@$(RUN) --append "$(RUN_APPEND)" --timeout $(VM_TIMEOUT) \
		--xfer $(RESULTS).new --log $(BUILD)/run.log -- \
		'ipcchan-bench --profile $(PROFILE) --repeat $(REPEAT) --accel $$IPCCHAN_VM_ACCEL \
		$(if $(METHODS),--methods $(METHODS)) $(if $(SIZES),--sizes $(SIZES)) \
		--out /xfer'; rc=$$?; \
	if [ ! -s $(RESULTS).new/bench.json ]; then \
		echo "run: the benchmark produced no results (status $$rc; log $(BUILD)/run.log)" >&2; \
		exit 1; fi; \
	rm -rf $(RESULTS) && mv $(RESULTS).new $(RESULTS); \
	userspace/bench/plot.sh $(RESULTS) || echo "run: plotting failed" >&2; \
	echo; cat $(RESULTS)/table.txt; echo; \
	echo "results: $$(ls $(RESULTS)/* | tr '\n' ' ')"; \
	if [ $$rc -ne 0 ]; then \
		echo "run: some cells failed (status $$rc): see the table's notes" >&2; \
		exit $$rc; fi

# stress-ng and rt-tests against ipcchan-bench's baselines in one VM run
# (docs/benchmark.md has the comparison).
crosscheck: deps
	@$(MAKE) --no-print-directory all stage check-vermagic
	@cp /usr/bin/stress-ng /usr/bin/pmqtest userspace/bench/crosscheck.sh $(STAGE)/bin/
	$(RUN) --append "$(RUN_APPEND)" --timeout $(VM_TIMEOUT) \
		--log $(BUILD)/crosscheck.log -- crosscheck.sh

# --- debug kernel lane -------------------------------------------------------
# A kernel of tinyconfig + tests/vm/vm.config + tests/config +
# tests/debug/debug.config (KASAN, UBSAN, lockdep, kmemleak, DEBUG_LIST,
# ...), built once from the host release's linux-source and cached outside
# the repository (keyed on the fragments); the module is rebuilt against it
# and every test runs with panic_on_warn, the long profile (IPCCHAN_LONG=1:
# a million fuzz calls, full stress counts), then a kmemleak scan after
# unload.  The console is quiet (loglevel=2), so a checker's report that
# panics would be lost: panic_print=0x20 replays the whole kernel log on
# the way down.  UBSAN's alignment check is on for the module alone
# (DEBUG_KCFLAGS; tests/debug/debug.config says why not for the kernel).
# Besides misaligned kernel loads and stores it reports a member access
# through a misaligned pointer, __user ones included, so the module finds
# the fields of user structs by offset (the fuzz test passes misaligned
# ones on purpose).  DEBUG_KCFLAGS= turns it off.
# check-config runs the suite on the same fragments without the
# checkers, to show tests/config names every option the tests need.
DEBUG_CACHE ?= /var/tmp/ipcchan-cache
DEBUG_ENV ?= IPCCHAN_LONG=1
DEBUG_KCFLAGS ?= -fsanitize=alignment
DEBUG_MOD := $(CACHE)/debug-mod

check-debug: deps
	@start=$$(date +%s); rm -f $(BUILD)/check-debug.log; \
	tree=$$(tests/debug/build-kernel.sh $(DEBUG_CACHE) $(KSRC_TAR)) && \
	$(MAKE) --no-print-directory all stage && \
	rm -rf $(DEBUG_MOD) $(STAGE)-debug && mkdir -p $(DEBUG_MOD) && \
	cp -r Kbuild kmod include $(DEBUG_MOD)/ && \
	$(MAKE) -s -C $$tree M=$(DEBUG_MOD) clean && \
	$(MAKE) -C $$tree M=$(DEBUG_MOD) KCFLAGS="$(DEBUG_KCFLAGS)" modules && \
	cp -r $(STAGE) $(STAGE)-debug && \
	cp $(DEBUG_MOD)/kmod/ipcchan.ko $(STAGE)-debug/ && \
	tests/vm/run.sh --kernel $$tree/arch/x86/boot/bzImage \
		--stage $(STAGE)-debug --loader $(LOADER) --kmemleak \
		--append "panic_on_warn=1 panic_print=0x20 kmemleak=on" --env "$(DEBUG_ENV)" \
		--timeout 4000 --log $(BUILD)/check-debug.log \
		-- /opt/ipcchan/run-tests.sh -t 3600; rc=$$?; \
	echo "check-debug: $$(( $$(date +%s) - start )) s, VM exit status $$rc"; \
	: >$(BUILD)/empty.log; \
	tests/summary.sh $(BUILD)/empty.log $(BUILD)/check-debug.log $$rc

# The KCSAN lane: the same kernel with KCSAN, the data-race detector,
# instead of KASAN (tests/debug/kcsan.config; the two cannot be combined),
# cached next to the debug kernel, on the tests that race: stress and fuzz
# (tests/debug/kcsan-tests.sh), long profile (the quick one, KCSAN_ENV=,
# takes 2 min instead of 8 but found no race where the long one did).
# No panic_on_warn, so one run shows every race (each at most once per
# 3 s); any "BUG: KCSAN" fails it through the dmesg scan, and the reports
# are printed in full.
KCSAN_ENV ?= IPCCHAN_LONG=1
KCSAN_MOD := $(CACHE)/kcsan-mod

check-kcsan: deps
	@start=$$(date +%s); rm -f $(BUILD)/check-kcsan.log; \
	tree=$$(tests/debug/build-kernel.sh --kcsan $(DEBUG_CACHE) $(KSRC_TAR)) && \
	$(MAKE) --no-print-directory all stage && \
	rm -rf $(KCSAN_MOD) $(STAGE)-kcsan && mkdir -p $(KCSAN_MOD) && \
	cp -r Kbuild kmod include $(KCSAN_MOD)/ && \
	$(MAKE) -s -C $$tree M=$(KCSAN_MOD) clean && \
	$(MAKE) -C $$tree M=$(KCSAN_MOD) KCFLAGS="$(DEBUG_KCFLAGS)" modules && \
	cp -r $(STAGE) $(STAGE)-kcsan && \
	cp $(KCSAN_MOD)/kmod/ipcchan.ko $(STAGE)-kcsan/ && \
	cp tests/debug/kcsan-tests.sh $(STAGE)-kcsan/bin/ && \
	tests/vm/run.sh --kernel $$tree/arch/x86/boot/bzImage \
		--stage $(STAGE)-kcsan --loader $(LOADER) --kmemleak \
		--append "kmemleak=on" --env "$(KCSAN_ENV)" \
		--timeout 2400 --log $(BUILD)/check-kcsan.log \
		-- kcsan-tests.sh 1800; rc=$$?; \
	echo "check-kcsan: $$(( $$(date +%s) - start )) s, VM exit status $$rc"; \
	: >$(BUILD)/empty.log; \
	tests/summary.sh $(BUILD)/empty.log $(BUILD)/check-kcsan.log $$rc

check-config: deps
	@$(MAKE) --no-print-directory stage
	@tests/debug/config-check.sh $(DEBUG_CACHE) $(STAGE) $(BUILD)/check-config.log \
		$(KSRC_TAR); rc=$$?; : >$(BUILD)/empty.log; \
	tests/summary.sh $(BUILD)/empty.log $(BUILD)/check-config.log $$rc

# --- packaging checks -------------------------------------------------------
install:
	$(MAKE) -C userspace install

ksft-intree: ksft-headers
	tests/ksft-intree.sh $(KSRC_TAR) $(CACHE)/intree

dkms-check:
	@if [ "$$(id -u)" -eq 0 ]; then tests/dkms-check.sh $(KREL) $(KDIR); \
	else echo "dkms-check: skipped (needs root)"; fi

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean
	-$(MAKE) -C userspace clean
	rm -rf $(BUILD) $(STAGE)

FORCE:
