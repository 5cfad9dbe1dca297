#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hostvm.sh HOST_DIR VM_DIR: how much slower each cell ran in the VM than
# natively, from the two bench.csv files of ipcchan-bench: pingpong p50
# round trip VM/host, stream msgs/s host/VM, so both read "the VM is Nx
# slower".  Cells that ran on one side only are left out; the median per
# method over its cells closes the table.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 HOST_DIR VM_DIR" >&2; exit 2; }
awk -F, '
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; side++; next }
$col["status"] != "ok" { next }
{
	k = $1 " " $2 " " $3
	v = $2 == "pingpong" ? $(col["rtt_p50_ns"]) : $(col["msgs_per_s"])
	if (side == 1) host[k] = v; else vm[k] = v
	if (side == 2 && !(k in order)) { order[k] = ++n; keys[n] = k }
}
END {
	printf "VM over host (pingpong p50 VM/host, stream msgs/s host/VM: the VM is Nx slower)\n"
	printf "  %-22s %-9s %9s %12s %12s %8s\n", "method", "pattern", "size", "host", "VM", "VM/host"
	for (i = 1; i <= n; i++) {
		k = keys[i]
		if (!(k in host) || host[k] <= 0 || vm[k] <= 0) continue
		split(k, p, " ")
		r = p[2] == "pingpong" ? vm[k] / host[k] : host[k] / vm[k]
		printf "  %-22s %-9s %9s %12.4g %12.4g %7.1fx\n", p[1], p[2], p[3], host[k], vm[k], r
		m = p[1] " " p[2]
		cnt[m]++; val[m, cnt[m]] = r
		if (!(m in seen)) { seen[m] = 1; ml[++nm] = m }
	}
	printf "median per method and pattern over its sizes:\n"
	for (i = 1; i <= nm; i++) {
		m = ml[i]; c = cnt[m]
		for (a = 1; a <= c; a++) s[a] = val[m, a]
		for (a = 1; a <= c; a++) for (b = a + 1; b <= c; b++)
			if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
		med = c % 2 ? s[(c + 1) / 2] : (s[c / 2] + s[c / 2 + 1]) / 2
		printf "  %-32s %7.1fx\n", m, med
	}
}' "$1/bench.csv" "$2/bench.csv"
