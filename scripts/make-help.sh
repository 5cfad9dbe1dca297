#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make help`: every .PHONY target of MAKEFILE (but FORCE), in the order of
# its rules, with the "## what it does" at the end of its rule line.  A
# .PHONY target without one is listed as such and makes the exit status 1,
# so the list cannot silently miss a target.
#
# usage: scripts/make-help.sh MAKEFILE
[ $# -eq 1 ] || { echo "usage: $0 MAKEFILE" >&2; exit 2; }
awk '
	# .PHONY: a b \ (continued) c
	/^\.PHONY:/ { phony = 1; sub(/^\.PHONY:/, "") }
	phony {
		cont = sub(/\\$/, "")
		for (i = 1; i <= NF; i++)
			if ($i != "FORCE") want[$i] = ++nwant
		phony = cont
		next
	}
	# target: prerequisites ## description
	/^[A-Za-z0-9_.-]+:.*## / {
		name = $0; sub(/:.*/, "", name)
		desc = $0; sub(/^[^#]*## /, "", desc)
		if (!(name in seen)) { seen[name] = 1; order[++n] = name; text[name] = desc }
	}
	END {
		for (i = 1; i <= n; i++)
			if (order[i] in want)
				printf "  make %-16s %s\n", order[i], text[order[i]]
		bad = 0
		for (t in want)
			if (!(t in seen)) {
				printf "  make %-16s (no \"## ...\" on its rule line in the Makefile)\n", t
				bad = 1
			}
		exit bad
	}
' "$1"
