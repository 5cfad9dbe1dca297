# SPDX-License-Identifier: GPL-2.0
#
# Shared rules of the labs; a lab's Makefile sets LAB (its number) and
# includes this file.  labs/README.md is the instructor guide.
#
#   make grade [T=group] [JSON=file]   build, boot the VM, grade, Score: N/M
#   make handout OUT=dir               write the student repository
#   make handout BUG=name OUT=dir      the bug zoo's (labs/zoo/): one bug

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
LAB_DIR := $(abspath $(dir $(firstword $(MAKEFILE_LIST))))

.PHONY: grade handout

grade:
	@$(MAKE) --no-print-directory -C $(TOP) lab-grade LAB_DIR=$(LAB_DIR) \
		$(if $(T),T=$(T)) $(if $(JSON),JSON=$(abspath $(JSON)))

handout:
	@test -n "$(OUT)" || { echo "usage: make handout $(if $(filter zoo,$(LAB)),BUG=name )OUT=dir" >&2; exit 2; }
	@$(TOP)/labs/tools/handout.sh $(LAB) $(abspath $(OUT)) $(BUG)
