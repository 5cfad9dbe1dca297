#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Did the guest die of a stray int3, the emulator's fault and not the
# kernel's or the module's?  QEMU's multi-threaded TCG (7.2 and 10.0 alike)
# now and then runs a vCPU on a stale translation of kernel text that
# another vCPU is patching (static keys and tracepoints turned on or off:
# perf counters, the bench's syscall counts, module loading): it executes
# the int3 that text_poke_bp() wrote and has already replaced, after the
# kernel's last sync, so the int3 handler finds no patch under way and the
# kernel dies ("Oops: int3", then "Fatal exception in interrupt").  On
# hardware the sync makes this impossible.
#
# The verdict needs all three: the first oops of the console is an int3
# trap; the byte before its RIP (in the "Code:" line) is no longer 0xcc,
# so the int3 it trapped on is not in memory; and RIP is not in ipcchan.
# Prints the oops line and its RIP line, exits 0 when it is such a death,
# 1 otherwise.
#
# usage: stray-int3.sh CONSOLE_LOG
[ $# -eq 1 ] || { echo "usage: $0 CONSOLE_LOG" >&2; exit 2; }
tr -d '\r' <"$1" 2>/dev/null | sed 's/^\[ *[0-9.]*\] //' | awk '
	# The first fault headline decides (6.1 prints "int3: 0000 [#1]",
	# 6.12 "Oops: int3: 0000 [#1]").
	!head && /^(Oops: |BUG: |int3: |general protection|kernel BUG|Kernel panic)/ {
		head = $0
		if (head !~ /^(Oops: )?int3: [0-9a-f]+ \[#1\]/)
			exit 1
		next
	}
	head && !rip && /^RIP: 0010:/ { rip = $0; next }
	head && rip && /^Code: / {
		for (i = 2; i <= NF; i++)
			if ($i ~ /^</) {
				code = i > 2 ? $(i - 1) : ""
				break
			}
		exit 0
	}
	END {
		if (!head || !rip || rip ~ /\[ipcchan\]/ || code == "" ||
		    code == "cc")
			exit 1
		print head
		print rip " (the byte before it: " code ", not int3)"
	}'
