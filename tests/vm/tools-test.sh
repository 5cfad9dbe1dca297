#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The student's VM tools, checked from the host (TAP; make check appends
# it to BUILD/host.log):
#   1. decode-oops.sh turns ipcchan frames of a saved oops (tests/vm/
#      oops-sample.log, its frames filled in from the built module: a call
#      site and a tail call, found with objdump) into the right file:line,
#      and says so for a frame the module does not have;
#   1b. stray-int3.sh tells the emulator's stray int3 (tests/vm/
#      int3-sample.log, a real console) from a real oops, so run.sh boots
#      again only for the former;
#   2. a VM booted with --share: the guest reads a file the host wrote,
#      writes one the host then reads, and `reload` re-inserts the module
#      from the shared directory;
#   3. (with --gdb-test) make gdb's script attaches to a VM with the gdb
#      stub, breaks on ipcchan_open and sees it hit (tests/vm/gdb-test.sh).
#
# usage: tests/vm/tools-test.sh [--gdb-test] KO [RUN...]
#   KO    the built ipcchan.ko (kmod/ipcchan.ko)
#   RUN   the tests/vm/run.sh command line (without it: test 1 only)
set -u
gdbtest=0
[ "${1:-}" = --gdb-test ] && { gdbtest=1; shift; }
[ $# -ge 1 ] || { echo "usage: $0 [--gdb-test] KO [RUN...]" >&2; exit 2; }
ko=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n $*"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n $*"; }

# frame FUNC CALLEE: "FUNC+0xOFF/0xSIZE" of the instruction in FUNC that
# calls (or tail-jumps to) CALLEE (an awk regex: mutex_init() calls
# __mutex_init, or __mutex_rt_init on PREEMPT_RT), SIZE as kallsyms counts it (up to the
# next symbol), as an oops prints it.
frame() {
	local at next
	at=$(objdump -dr --no-show-raw-insn "$ko" | awk -v f="$1" -v c="$2" '
	$2 == "<" f ">:" { start = $1; in_f = 1; next }
	in_f && /^$/ { exit }
	in_f && /^ *[0-9a-f]+:\t/ { insn = $1; sub(/:$/, "", insn); next }
	in_f && $0 ~ "R_X86_64_PLT32\t(" c ")-0x4$" { print start, insn; exit }')
	next=$(nm -n "$ko" | awk -v f="$1" '
		$2 ~ /^[tT]$/ && found { print $1; exit }
		$2 ~ /^[tT]$/ && $3 == f { found = 1 }')
	set -- "$1" $at
	[ $# -eq 3 ] && [ -n "$next" ] || return 0
	printf '%s+0x%x/0x%x\n' "$1" $((16#$3 - 16#$2)) $((16#$next - 16#$2))
}
# line FILE TEXT: FILE:N of the one line of FILE that holds TEXT
line() { echo "$1:$(grep -nF "$2" "$top/$1" | cut -d: -f1)"; }

# --- 1. the oops decoder on a saved log --------------------------------------
f1=$(frame ipcchan_open nonseekable_open)
f2=$(frame ipcchan_open '__mutex_init|__mutex_rt_init')
want1=$(line kmod/main.c 'return nonseekable_open(inode, file);')
want2=$(line kmod/main.c 'mutex_init(&pf->attach_lock);')
sed -e "s|@FRAME1@|$f1|; s|@FRAME2@|$f2|" "$here/oops-sample.log" >"$tmp/oops.log"
"$here/decode-oops.sh" "$tmp/oops.log" "$ko" kmod/ipcchan.ko >"$tmp/decoded" 2>&1
sed 's/^/# /' "$tmp/decoded"
if [ -n "$f1" ] && grep -qxF "  $f1 → $want1" "$tmp/decoded"; then
	ok "decode-oops: RIP frame $f1 is $want1"
else
	notok "decode-oops: RIP frame '$f1' is not decoded to $want1"
fi
if [ -n "$f2" ] && grep -qxF "  $f2 → $want2" "$tmp/decoded"; then
	ok "decode-oops: call-trace frame $f2 is $want2"
else
	notok "decode-oops: call-trace frame '$f2' is not decoded to $want2"
fi
if grep -qxF '  ipcchan_no_such_function+0x10/0x40 → ? (not in this build of the module)' "$tmp/decoded" &&
	! grep -q 'misc_open' "$tmp/decoded"; then
	ok "decode-oops: an unknown frame says so, other modules' frames are left out"
else
	notok "decode-oops: the unknown or foreign frame is mishandled"
fi

# --- 1b. a stray int3 (the emulator's fault) told from a real oops -----------
# int3-sample.log is a real console of the fault; the same oops with the
# int3 still in memory (0xcc before RIP) or with RIP in ipcchan, and
# oops-sample.log (a NULL dereference in ipcchan), are not it.
if why=$("$here/stray-int3.sh" "$here/int3-sample.log") &&
	[ "$(echo "$why" | sed -n 2p)" = "RIP: 0010:try_to_wake_up+0x5b4/0x680 (the byte before it: eb, not int3)" ]; then
	ok "stray-int3: the emulator's stray int3 is recognised, with its RIP"
else
	notok "stray-int3: the sample's stray int3 is not recognised ($why)"
fi
sed 's/ eb <05> / cc <05> /' "$here/int3-sample.log" >"$tmp/int3-in-memory.log"
sed 's/^\(\[ *[0-9.]*\] RIP: 0010:try_to_wake_up+0x5b4\/0x680\)$/\1 [ipcchan]/' \
	"$here/int3-sample.log" >"$tmp/int3-in-module.log"
if ! "$here/stray-int3.sh" "$tmp/oops.log" >/dev/null &&
	! "$here/stray-int3.sh" "$tmp/int3-in-memory.log" >/dev/null &&
	! "$here/stray-int3.sh" "$tmp/int3-in-module.log" >/dev/null &&
	grep -q ' cc <05> ' "$tmp/int3-in-memory.log" &&
	grep -q 'RIP: 0010:try_to_wake_up+0x5b4/0x680 \[ipcchan\]' "$tmp/int3-in-module.log"; then
	ok "stray-int3: an ipcchan oops, an int3 still in memory, an int3 in ipcchan are not"
else
	notok "stray-int3: a real oops is taken for the emulator's fault"
fi

[ $# -gt 0 ] || { echo "1..$n"; exit $fail; }

# --- 2. make vm's shared directory and reload ----------------------------------
mkdir -p "$tmp/share/kmod"
cp "$ko" "$tmp/share/kmod/ipcchan.ko"
echo "from the host $$" >"$tmp/share/host.txt"
"$@" --share "$tmp/share" -- '
	cat /src/host.txt >/src/guest-read.txt &&
	echo "from the guest $(uname -r)" >/src/guest.txt &&
	reload && grep -q "^ipcchan " /proc/modules &&
	ipcchan create reloaded-chan >/dev/null && ipcchan ls | grep -q reloaded-chan' \
	>"$tmp/share.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -qxF "from the host $$" "$tmp/share/guest-read.txt" 2>/dev/null &&
	grep -q '^from the guest ' "$tmp/share/guest.txt" 2>/dev/null; then
	ok "share: the guest reads and writes the host's directory at /src"
else
	notok "share: no round trip through /src (VM status $rc)"
	tail -n 20 "$tmp/share.log" | sed 's/^/# /'
fi
if [ "$rc" -eq 0 ] && grep -q '^reload: /src/kmod/ipcchan.ko loaded' "$tmp/share.log"; then
	ok "share: reload re-inserts /src/kmod/ipcchan.ko and the device works"
else
	notok "share: reload from /src failed (VM status $rc)"
fi

# --- 3. make gdb ---------------------------------------------------------------
if [ "$gdbtest" = 1 ]; then
	if "$here/gdb-test.sh" "$@" >"$tmp/gdb.log" 2>&1; then
		ok "gdb: attaches, breaks on ipcchan_open in the module, sees it hit"
	else
		notok "gdb: see below"
		tail -n 30 "$tmp/gdb.log" | sed 's/^/# /'
	fi
fi
echo "1..$n"
exit $fail
