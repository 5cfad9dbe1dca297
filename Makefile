# SPDX-License-Identifier: GPL-2.0
#
# ipcchan: top-level build.  `make help` lists every target: each .PHONY
# target with the "## what it does" on its rule line.  Recipes longer than
# a few lines are scripts (scripts/, tests/vm/, tests/debug/), each with its
# usage at the top.
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
# VM_CPU=MODEL boots with that QEMU CPU model (TCG default: max), e.g.
# VM_CPU=max,-erms,-fsrm for copies without rep movsb (docs/benchmark.md).
VM_CPU ?=
LOADER ?= cli
RUN = tests/vm/run.sh --kernel $(VMLINUZ) --stage $(STAGE) --loader $(LOADER) \
	$(if $(VM_CPU),--cpu '$(VM_CPU)') $(VM_ARGS)

PROFILE ?= quick
# idle=poll keeps an idle vCPU from sleeping until the next tick under TCG,
# which otherwise dominates wake-up latency; tsc=reliable keeps the TSC as
# the guest's clocksource (QEMU's TCG TSC follows the host's, monotonic
# across vCPUs), where the kernel would fall back to the emulated HPET and
# make every clock read a 2 us system call (docs/benchmark.md has both A/Bs).
RUN_APPEND ?= idle=poll tsc=reliable
METHODS ?=
SIZES ?=
# ipcchan-bench --pattern: all = pingpong, stream, the large-transfer sweep
# and the scale shapes; e.g. PATTERN=sweep or PATTERN=pingpong,stream.
PATTERN ?= all
# ipcchan-bench --sweep-sizes (default: the profile's, see --help)
SWEEP_SIZES ?=
# Module limits for make run: every method gets the same queue depth
# (ipcchan-bench's cell_depth(): ten 1 MiB messages); the sweep goes to
# 16 MiB, and a ring holding two 16 MiB records is 16384 pages (64 MiB),
# above the defaults (ring_pages_max 1024, max_msg_size_limit 4 MiB,
# user_bytes_limit 64 MiB); the scale pattern keeps 1,000 idle channels
# beside a busy one (user_channels_limit 256, max_channels 1024).
BENCH_PARAMS ?= ring_pages_max=16384 max_msg_size_limit=16777216 \
	user_bytes_limit=268435456 total_bytes_limit=536870912 \
	user_channels_limit=2048 max_channels=2048
# make run measures every cell REPEAT times in interleaved rounds, the
# cells shuffled per round (SEED= repeats an order), and reports each
# cell's median run; the targets are judged from the paired per-round
# ratios, which needs at least 5 rounds (ipcchan-bench --repeat).  The
# full profile's rounds are long: its VM gets RUN_TIMEOUT.
REPEAT ?= 5
SEED ?=
RUN_TIMEOUT ?= $(if $(filter full,$(PROFILE)),14400,$(VM_TIMEOUT))
HOST_RESULTS := $(TOP)/results-host

.PHONY: all module userspace tests stage deps check lint vm run clean help \
	host-check check-debug check-kcsan check-config crosscheck check-build \
	modules_install check-vermagic ksft-headers ksft-intree dkms-check \
	install labs lab-grade labs-check gdb vm-tools-check run-host FORCE

all: module userspace tests labs ## module + library + tools + tests + the labs' programs (the default)

help: ## this list
	@scripts/make-help.sh Makefile
	@echo "  KERNEL=6.1|6.12|6.12-rt picks the kernel for check, run, vm, dkms-check"
	@echo "  (now: KDIR=$(KDIR) VMLINUZ=$(VMLINUZ))"

deps: ## install the packages everything needs (scripts/deps.sh) and the kernel
	@scripts/deps.sh
	@scripts/kernel.sh $(KERNEL) >/dev/null

# --- kernel module ----------------------------------------------------------
# Kbuild decides what to rebuild (it also notices a different KDIR).
module: $(KMOD) ## the module, kmod/ipcchan.ko, against KDIR

$(KMOD): FORCE
	@test -d "$(KDIR)" || { echo "no kernel build tree (KERNEL='$(KERNEL)' KDIR='$(KDIR)'): make deps, or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

modules_install: $(KMOD) ## install the module for KDIR's kernel
	$(MAKE) -C $(KDIR) M=$(TOP) modules_install

check-vermagic: $(KMOD) ## the module's vermagic is the VM kernel's
	@tests/vm/check-vermagic.sh $(KMOD) $(VMLINUZ)

# --- kselftest headers and checkpatch, from Debian's linux-source-* --------
$(CACHE)/ksft/.stamp: scripts/ksft-headers.sh
	@scripts/ksft-headers.sh "$(KSRC_TAR)" $(CACHE)/ksft

ksft-headers: $(CACHE)/ksft/.stamp ## unpack the kselftest harness and checkpatch

# --- userspace and tests ----------------------------------------------------
userspace: ksft-headers ## libipcchan, the ipcchan command, ipcchan-bench, examples, tests
	$(MAKE) -C userspace KSFT_DIR=$(KSFT_DIR)

tests: ksft-headers ## the kselftests (tests/)
	$(MAKE) -C tests KSFT_DIR=$(KSFT_DIR) OUTPUT=$(BUILD)/tests

# Each lab's programs (labs/lab.mk: PROGS in the lab's Makefile).
LAB_DIRS = $(patsubst %/Makefile,%,$(wildcard labs/[0-9]*-*/Makefile))
labs: userspace ## the labs' programs, into build/labs/N/
	@for d in $(LAB_DIRS); do \
		$(MAKE) --no-print-directory -C $$d progs KSFT_DIR=$(KSFT_DIR) || exit; \
	done

# tests/vm/stage.sh lays out the tree; the tests and tools install into it.
stage: all ksft-intree ## the tree the VM gets under /opt/ipcchan
	@tests/vm/stage.sh $(STAGE) $(KMOD) $(CACHE)/intree
	@$(MAKE) -s -C tests KSFT_DIR=$(KSFT_DIR) OUTPUT=$(BUILD)/tests \
		INSTALL_PATH=$(STAGE)/tests install >/dev/null
	@$(MAKE) -s -C userspace KSFT_DIR=$(KSFT_DIR) STAGE=$(STAGE) stage
	@for d in $(LAB_DIRS); do \
		$(MAKE) -s --no-print-directory -C $$d install-progs \
			KSFT_DIR=$(KSFT_DIR) INSTALL_PATH=$(STAGE)/tests || exit; \
	done

# --- lint -------------------------------------------------------------------
lint: ksft-headers ## checkpatch --strict + sparse + W=1
	@scripts/lint.sh $(CHECKPATCH) $(KDIR) "$(KREL)" $(BUILD) $(KSRCS)

# --- VM ---------------------------------------------------------------------
# Each VM target first runs deps, then a second make (here or in its
# script: tests/vm/check.sh, tests/vm/bench.sh, tests/debug/lane.sh) that
# resolves the kernel with the packages in place.
# SHARE (default: this tree) is read-write at /src in the VM, where
# `reload` re-inserts /src/kmod/ipcchan.ko after a make module here;
# SHARE= turns it off.  GDB=1 starts QEMU's gdb stub on GDB_PORT for
# `make gdb` in a second terminal.
SHARE ?= $(TOP)
GDB ?=
GDB_PORT ?= 1234
VM_RUN = $(RUN) $(if $(SHARE),--share $(SHARE)) $(if $(GDB),--gdb $(GDB_PORT))

vm: deps ## interactive shell in the VM (CMD='...' runs one command; SHARE=, GDB=1)
	@$(MAKE) --no-print-directory stage check-vermagic
ifeq ($(value CMD),)
	$(VM_RUN) --interactive
else
	$(VM_RUN) --timeout $(VM_TIMEOUT) -- "$$IPCCHAN_VM_CMD"
endif

gdb: ## attach gdb to the VM of a make vm GDB=1 (GDB_PORT=, GDB_ARGS=)
	@tests/vm/gdb.sh --port $(GDB_PORT) --stage $(STAGE) --kernel $(VMLINUZ) \
		$(if $(SHARE),--share $(SHARE)) $(GDB_ARGS)

# make check runs the first two parts (decoder, share); make gdb's test
# boots a second VM and waits on gdb, so it runs here only.
vm-tools-check: deps ## the oops decoder, make vm's share and reload, make gdb (tests/vm/tools-test.sh)
	@$(MAKE) --no-print-directory stage check-vermagic
	@tests/vm/tools-test.sh --gdb-test $(KMOD) $(RUN) --timeout $(VM_TIMEOUT)

# CMD reaches the VM as written: through the environment, unexpanded by
# make ($? or $e in it stay the shell's) and unquoted by the shell.
vm: export IPCCHAN_VM_CMD = $(value CMD)

host-check: all ## host-side tests (install, library on a fake kernel), TAP in build/host.log
	@mkdir -p $(BUILD)
	@{ $(MAKE) -s --no-print-directory -C userspace KSFT_DIR=$(KSFT_DIR) \
		install-test host-test 2>&1; echo $$? >$(BUILD)/host.rc; } | \
		tee $(BUILD)/host.log; rc=$$(cat $(BUILD)/host.rc); \
		[ "$$rc" -eq 0 ] || echo "host-check: FAILED (a host test above failed)" >&2; \
		exit $$rc

check-build: all lint ksft-intree dkms-check host-check stage check-vermagic ## everything make check does before it boots the VM

check: deps ## deps, build, lint, host tests, boot the VM, run every test
	@tests/vm/check.sh $(BUILD) "$(KREL)" $(RUN) --timeout $(VM_TIMEOUT)

# What make run runs in the VM; tests/vm/bench.sh builds, boots, fetches
# results/ and plots.
BENCH_ARGS = --profile $(PROFILE) --repeat $(REPEAT) $(if $(SEED),--seed $(SEED)) \
	$(if $(METHODS),--methods $(METHODS)) $(if $(SIZES),--sizes $(SIZES)) \
	--pattern $(PATTERN) $(if $(SWEEP_SIZES),--sweep-sizes $(SWEEP_SIZES))
BENCH_CMD = ipcchan-bench $(BENCH_ARGS) --accel $$IPCCHAN_VM_ACCEL --out /xfer

run: deps ## deps, build, boot the VM, run the IPC benchmark into results/ (PROFILE= METHODS= SIZES= PATTERN= SWEEP_SIZES= REPEAT=)
	@tests/vm/bench.sh $(RESULTS) $(BUILD)/run.log '$(BENCH_CMD)' \
		$(RUN) --append "$(RUN_APPEND)" --params "$(BENCH_PARAMS)" \
		--timeout $(RUN_TIMEOUT)

# The same benchmark natively on this host (no module: the ipcchan methods
# skip), into results-host/; with results/ from make run beside it (make
# run run-host: the same sitting), the host-to-VM ratio of every cell.
run-host: userspace ## the standard methods natively on the host into results-host/, and host/VM ratios
	@userspace/bench/run-host.sh $(HOST_RESULTS) $(RESULTS) \
		$(TOP)/userspace/build/ipcchan-bench $(BENCH_ARGS)

# stress-ng and rt-tests against ipcchan-bench's baselines in one VM run
# (docs/benchmark.md has the comparison).
crosscheck: deps ## stress-ng/pmqtest next to ipcchan-bench in the VM
	@$(MAKE) --no-print-directory all stage check-vermagic
	@cp /usr/bin/stress-ng /usr/bin/pmqtest /usr/bin/perf userspace/bench/crosscheck.sh $(STAGE)/bin/
	$(RUN) --append "$(RUN_APPEND)" --timeout $(VM_TIMEOUT) \
		--log $(BUILD)/crosscheck.log -- crosscheck.sh

# --- debug kernel lanes -------------------------------------------------------
# tests/debug/lane.sh says what each checker lane builds and runs.
# DEBUG_KCFLAGS= turns the module's UBSAN alignment check off; DEBUG_ENV=
# and KCSAN_ENV= pick the quick test profile instead of the long one.
# check-config runs the suite on the same fragments without the
# checkers, to show tests/config names every option the tests need.
DEBUG_CACHE ?= /var/tmp/ipcchan-cache
DEBUG_ENV ?= IPCCHAN_LONG=1
DEBUG_KCFLAGS ?= -fsanitize=alignment
KCSAN_ENV ?= IPCCHAN_LONG=1
LANE = $(DEBUG_CACHE) "$(KSRC_TAR)" $(CACHE) $(STAGE) $(BUILD) $(LOADER) \
	"$(DEBUG_KCFLAGS)"

lab-grade: deps ## grade a lab (what make grade in labs/N-name/ runs; LAB_DIR=, T=, JSON=)
	@test -n "$(LAB_DIR)" || { echo "usage: make -C labs/N-name grade" >&2; exit 2; }
	@mkdir -p $(BUILD)/grade
	@$(MAKE) --no-print-directory all stage check-vermagic \
		>$(BUILD)/grade/build.log 2>&1; \
	labs/tools/grade.sh --lab $(LAB_DIR) --stage $(STAGE) --build-status $$? \
		--build-log $(BUILD)/grade/build.log --work $(BUILD)/grade \
		$(if $(T),--group $(T)) $(if $(JSON),--json $(JSON)) \
		-- $(RUN) --timeout $(VM_TIMEOUT)

labs-check: deps ## each lab: the reference gets full marks, the handout its starting score
	@labs/tools/selfcheck.sh $(if $(KERNEL),KERNEL=$(KERNEL))

check-debug: deps ## the suite on a KASAN/UBSAN/lockdep/kmemleak kernel
	@tests/debug/lane.sh debug $(LANE) "$(DEBUG_ENV)"

check-kcsan: deps ## stress and fuzz tests on a KCSAN kernel
	@tests/debug/lane.sh kcsan $(LANE) "$(KCSAN_ENV)"

check-config: deps ## the suite on tinyconfig + tests/config (no option missing)
	@$(MAKE) --no-print-directory stage
	@tests/debug/config-check.sh $(DEBUG_CACHE) $(STAGE) $(BUILD)/check-config.log \
		$(KSRC_TAR); rc=$$?; : >$(BUILD)/empty.log; \
	tests/summary.sh $(BUILD)/empty.log $(BUILD)/check-config.log $$rc

# --- packaging checks -------------------------------------------------------
install: ## install library, headers, tools
	$(MAKE) -C userspace install

ksft-intree: ksft-headers ## build tests/ inside a kernel tree (kselftest layout)
	tests/ksft-intree.sh $(KSRC_TAR) $(CACHE)/intree

dkms-check: ## dkms add/build/remove against KDIR (as root)
	@if [ "$$(id -u)" -eq 0 ]; then tests/dkms-check.sh $(KREL) $(KDIR); \
	else echo "dkms-check: skipped (needs root)"; fi

clean: ## remove what the build made (not .cache)
	-$(MAKE) -C $(KDIR) M=$(TOP) clean
	-$(MAKE) -C userspace clean
	rm -rf $(BUILD) $(STAGE)

FORCE:
