#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A static check of the module's memory ordering, for graders (rubric
# PROGRAM "host", labs/tools/grade.sh): every smp_load_acquire() of a
# field must have an smp_store_release() of the same field somewhere in
# kmod/, and the other way round.  A release without its acquire (or an
# acquire without its release) orders nothing: the other side may see the
# new value and still old data.  Fields are matched by their last member
# name (ch->given and given, pid_removed[i] and pid_removed).  Prints each
# unpaired one; exits 1 if there is any.
#
# Under TCG on x86 a missing release or acquire is invisible to a test:
# x86 keeps stores in order and loads in order, so only the compiler could
# reorder, and it rarely does.  This check is what catches it.
#
# usage: barriers.sh [TOP]
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"

list=$(grep -nHoE 'smp_(store_release|load_acquire)\(&[^,)]*' kmod/*.[ch] |
	sed -E 's/\[[^]]*\]//g; s/:smp_(store_release|load_acquire)\(&(.*->|.*\.)?/: \1 /')
echo "$list" | awk '
	{ kind[NR] = $2; field[NR] = $3; at[NR] = $1
	  n[$2, $3]++ }
	END {
		bad = 0
		for (i = 1; i <= NR; i++) {
			other = kind[i] == "store_release" ? "load_acquire" : "store_release"
			if (!n[other, field[i]]) {
				printf "%s smp_%s() of %s has no smp_%s() of it anywhere in kmod/\n",
					at[i], kind[i], field[i], other
				bad = 1
			}
		}
		exit bad
	}'
