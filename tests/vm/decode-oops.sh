#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Decode the ipcchan frames of the oopses, BUGs and WARNs in a console log
# to the module's source lines, with the kernel's scripts/faddr2line (from
# Debian's linux-source, unpacked by scripts/ksft-headers.sh):
#
#   oops: ipcchan frames in the kernel log, decoded against kmod/ipcchan.ko:
#     ipcchan_send+0x42/0x1a0 → kmod/msgq.c:512
#     send_one+0x9/0x30 → kmod/msg.h:88 (inlined into kmod/msgq.c:480)
#
# A frame is "FUNCTION+0xOFF/0xSIZE [ipcchan...]" anywhere on a line (call
# traces and "RIP: 0010:..." lines alike), each decoded once, in order.
# faddr2line checks each function's size against the module: a frame from
# another build says so instead of pointing at a wrong line.  Prints
# nothing when the log has no ipcchan frame; exit status 0 unless usage.
#
# usage: decode-oops.sh LOG KO [NAME]
#   LOG   the console log (run.sh's, or grade.sh's vm.log)
#   KO    the ipcchan.ko that ran (with its debug information)
#   NAME  how to call KO in the output (default KO)
# FADDR2LINE=path overrides the faddr2line script.
set -uo pipefail
[ $# -ge 2 ] || { echo "usage: $0 LOG KO [NAME]" >&2; exit 2; }
log=$1 ko=$2 name=${3:-$2}
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${IPCCHAN_CACHE:-$top/.cache}

frames=$(tr -d '\r' <"$log" 2>/dev/null |
	grep -aoE '[A-Za-z_.][A-Za-z0-9_.]*\+0x[0-9a-f]+/0x[0-9a-f]+ \[ipcchan[] ]' |
	sed 's/ \[.*//' | awk '!seen[$0]++')
[ -n "$frames" ] || exit 0

echo "oops: ipcchan frames in the kernel log, decoded against $name:"
f2l=${FADDR2LINE:-$cache/ksft/scripts/faddr2line}
if [ ! -x "$f2l" ]; then
	# An older cache: take it from the kernel source package now.
	tar=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)
	if [ -n "$tar" ]; then
		mkdir -p "$cache/ksft"
		tar -xJf "$tar" -C "$cache/ksft" --strip-components=1 \
			"$(basename "$tar" .tar.xz)/scripts/faddr2line" 2>/dev/null
	fi
fi
if [ ! -x "$f2l" ] || [ ! -r "$ko" ]; then
	echo "  (cannot decode: ${f2l##*/} or $ko missing; make deps installs linux-source)"
	echo "$frames" | sed 's/^/  /'
	exit 0
fi

# faddr2line prints "FRAME:", then "FUNC at FILE:LINE" and, for inlined
# code, "(inlined by) FUNC at FILE:LINE" lines; "no match for FRAME" or
# "skipping ... size mismatch" when KO does not have it.
# shellcheck disable=SC2086 # one frame per word
"$f2l" "$ko" $frames 2>&1 | awk -v top="$top/" -v frames="$frames" '
function rel(p) {
	if (index(p, top) == 1) p = substr(p, length(top) + 1)
	return p
}
function loc(s) { sub(/.* at /, "", s); sub(/ \(discriminator.*/, "", s); return rel(s) }
/^[^ ]+\+0x[0-9a-f]+\/0x[0-9a-f]+:$/ { cur = substr($0, 1, length($0) - 1); next }
/^no match for / { out[$4] = "? (not in this build of the module)"; next }
/ at .*:[0-9?]+/ && cur != "" {
	if ($0 ~ /^ *\(inlined by\)/) {
		inl[cur] = inl[cur] (inl[cur] == "" ? "" : ", ") loc($0)
	} else if (!(cur in out)) {
		out[cur] = loc($0)
	}
}
END {
	n = split(frames, f, "\n")
	for (i = 1; i <= n; i++) {
		s = (f[i] in out) ? out[f[i]] : "? (not in this build of the module)"
		if (inl[f[i]] != "") s = s " (inlined into " inl[f[i]] ")"
		printf "  %s \342\206\222 %s\n", f[i], s
	}
}'
exit 0
