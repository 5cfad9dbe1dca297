# SPDX-License-Identifier: GPL-2.0
#
# Shared rules of the labs; a lab's Makefile sets LAB (its number) and
# includes this file.  labs/README.md is the instructor guide.
#
#   make grade [T=group] [JSON=file]   build, boot the VM, grade, Score: N/M
#   make handout OUT=dir               write the student repository
#   make handout BUG=name OUT=dir      the bug zoo's (labs/zoo/): one bug
#   make progs                         build the lab's programs (PROGS)
#
# A lab with userspace programs lists them in PROGS; each program NAME is
# built from NAME.c plus NAME_SRCS (other .c files of the lab folder),
# with the kselftest harness and libipcchan at hand, and -Wall -Wextra
# -Werror like the rest of userspace.  The top-level `make` builds every
# lab's programs into build/labs/N/ and `make stage` installs them next to
# the kselftests in the VM (/opt/ipcchan/tests), where a rubric names them
# like any test program.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
LAB_DIR := $(abspath $(dir $(firstword $(MAKEFILE_LIST))))
PROGS ?=
KSFT_DIR ?= $(TOP)/.cache/ksft/tools/testing/selftests
OUT ?= $(TOP)/build/labs/$(LAB)
LIBIPCCHAN := $(TOP)/userspace/build/libipcchan.a

LAB_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -pthread \
	-I$(TOP)/include/uapi -I$(TOP)/userspace/include -I$(TOP)/tests \
	-isystem $(KSFT_DIR) -MMD -MP
ifeq ($(shell grep -qs test_harness_argv_check $(KSFT_DIR)/kselftest_harness.h && echo y),y)
LAB_CFLAGS += -DIPCCHAN_HARNESS_FILTERS
endif
LAB_LDLIBS := $(LIBIPCCHAN) -lrt -pthread

.PHONY: grade handout progs install-progs

grade:
	@$(MAKE) --no-print-directory -C $(TOP) lab-grade LAB_DIR=$(LAB_DIR) \
		$(if $(T),T=$(T)) $(if $(JSON),JSON=$(abspath $(JSON)))

handout:
	@test -n "$(OUT)" || { echo "usage: make handout $(if $(filter zoo,$(LAB)),BUG=name )OUT=dir" >&2; exit 2; }
	@$(TOP)/labs/tools/handout.sh $(LAB) $(abspath $(OUT)) $(BUG)

progs: $(addprefix $(OUT)/,$(PROGS))

$(OUT)/%.o: $(LAB_DIR)/%.c
	@mkdir -p $(OUT)
	$(CC) $(LAB_CFLAGS) -c -o $@ $<

# (a function: a '%' written in the rule would be the pattern's stem)
lab_objs = $(patsubst %.c,$(OUT)/%.o,$($(1)_SRCS))
.SECONDEXPANSION:
$(addprefix $(OUT)/,$(PROGS)): $(OUT)/%: $(OUT)/%.o $$(call lab_objs,$$*) \
		$(LIBIPCCHAN)
	$(CC) -o $@ $(filter %.o,$^) $(LAB_LDLIBS)

install-progs: progs
	@test -n "$(INSTALL_PATH)" || { echo "usage: make install-progs INSTALL_PATH=dir" >&2; exit 2; }
	$(if $(PROGS),install -m 755 $(addprefix $(OUT)/,$(PROGS)) $(INSTALL_PATH)/)

-include $(wildcard $(OUT)/*.d)
