#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP tests of the ipcchan command, driven as a user would: create, send,
# recv across two processes, ls/stat, rm, load/unload, and every usage
# error with its exit status and message.  POSIX sh (busybox ash in the VM).
#
# Environment: IPCCHAN_BIN  directory of the ipcchan binary (else PATH)
#              IPCCHAN_KO   the module file, for the load/unload tests
# Without /dev/ipcchan only the module-free checks run, the others are
# skipped, and the script exits 4 (kselftest skip) unless something failed.
# The module is loaded again at the end if a test left it unloaded.

if [ -n "$IPCCHAN_BIN" ]; then
	IPCCHAN="$IPCCHAN_BIN/ipcchan"
else
	IPCCHAN=ipcchan
fi
T=$(mktemp -d /tmp/ipcchan-cli.XXXXXX) || exit 1
P="clitest-$$"
n=0
fails=0
have_dev=0
[ -e /dev/ipcchan ] && have_dev=1

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n $1"; fails=$((fails + 1)); }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
diag() { sed 's/^/#   /' "$@"; }

# run: run the command, stdout in $T/out, stderr in $T/err, status in $rc
run() {
	"$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

# expect NAME STATUS PATTERN CMD...: status and a stderr line matching
# PATTERN (a fixed string; empty: stderr must be empty)
expect() {
	name=$1 want=$2 pat=$3
	shift 3
	run "$@"
	if [ "$rc" -ne "$want" ]; then
		echo "# $name: status $rc, want $want"
		diag "$T/err"
		not_ok "$name"
	elif [ -z "$pat" ] && [ -s "$T/err" ]; then
		echo "# $name: unexpected stderr"
		diag "$T/err"
		not_ok "$name"
	elif [ -n "$pat" ] && ! grep -qF -- "$pat" "$T/err"; then
		echo "# $name: stderr lacks '$pat'"
		diag "$T/err"
		not_ok "$name"
	else
		ok "$name"
	fi
}

# out_has NAME PATTERN: the last command's stdout contains PATTERN
out_has() {
	if grep -qF -- "$2" "$T/out"; then
		ok "$1"
	else
		echo "# $1: stdout lacks '$2'"
		diag "$T/out"
		not_ok "$1"
	fi
}

cleanup() {
	for c in a b c d e f g h; do
		"$IPCCHAN" rm "$P-$c" >/dev/null 2>&1
	done
	if [ ! -e /dev/ipcchan ] && [ $have_dev = 1 ] && [ -n "$IPCCHAN_KO" ]; then
		"$IPCCHAN" load "$IPCCHAN_KO" >/dev/null 2>&1
	fi
	rm -rf "$T"
}
trap cleanup EXIT

echo "TAP version 13"

# ---- help, version, usage errors (no module needed) ----------------------

run "$IPCCHAN" --help
if [ $rc -eq 0 ] && grep -q "Exit status" "$T/out" && grep -q "unload" "$T/out"; then
	ok "help"
else
	not_ok "help"
fi
run "$IPCCHAN" --version
[ $rc -eq 0 ] && grep -q "^ipcchan [0-9]" "$T/out" && ok "version" || not_ok "version"
for c in create send recv stat ls rm load unload status; do
	run "$IPCCHAN" $c --help
	if [ $rc -eq 0 ] && grep -q "^Usage: ipcchan $c" "$T/out" &&
	   grep -q "Exit status" "$T/out"; then
		ok "help $c"
	else
		not_ok "help $c"
	fi
done
run "$IPCCHAN" help recv
[ $rc -eq 0 ] && grep -q "^Usage: ipcchan recv" "$T/out" && ok "help subcommand" || not_ok "help subcommand"

big=x
i=0
while [ $i -lt 13 ]; do big=$big$big; i=$((i + 1)); done	# 8 KiB
bad=$(printf 'a\377\001b')

expect "usage: no command" 2 "ipcchan: missing command" "$IPCCHAN"
expect "usage: unknown command" 2 "ipcchan: unknown command 'frob'" "$IPCCHAN" frob
expect "usage: empty command" 2 "unknown command ''" "$IPCCHAN" ""
expect "usage: unknown global option" 2 "unknown option '--frob'" "$IPCCHAN" --frob
expect "usage: help unknown" 2 "unknown command 'nope'" "$IPCCHAN" help nope
expect "usage: send no name" 2 "ipcchan: send: missing channel name" "$IPCCHAN" send
expect "usage: send bad name" 2 "invalid channel name 'a b'" "$IPCCHAN" send "a b" x
expect "usage: send empty name" 2 "invalid channel name ''" "$IPCCHAN" send "" x
expect "usage: send non-UTF-8 name" 2 "invalid channel name 'a\\xff\\x01b'" "$IPCCHAN" send "$bad" x
expect "usage: send huge name" 2 "invalid channel name 'xxxx" "$IPCCHAN" send "$big" x
expect "usage: send 64-byte name" 2 "invalid channel name" "$IPCCHAN" send \
	aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa x
expect "usage: send prio 32" 2 "invalid --prio '32': expected 0..31" "$IPCCHAN" send --prio 32 q x
expect "usage: send prio text" 2 "invalid --prio 'high'" "$IPCCHAN" send -p high q x
expect "usage: send bad timeout" 2 "invalid --timeout '5parsecs'" "$IPCCHAN" send -t 5parsecs q x
expect "usage: send negative timeout" 2 "invalid --timeout '-1'" "$IPCCHAN" send --timeout=-1 q x
expect "usage: send nonblock+timeout" 2 "--nonblock and --timeout exclude each other" "$IPCCHAN" send -N -t 1 q x
expect "usage: send file+args" 2 "--file and MESSAGE arguments exclude each other" "$IPCCHAN" send -f /etc/hostname q x
expect "usage: send missing value" 2 "option '--prio' needs a value" "$IPCCHAN" send q --prio
expect "usage: send unknown option" 2 "unknown option '-z'" "$IPCCHAN" send -z q x
expect "usage: send unknown long option" 2 "'--frob'" "$IPCCHAN" send --frob q x
expect "usage: recv no name" 2 "ipcchan: recv: missing channel name" "$IPCCHAN" recv
expect "usage: recv two names" 2 "unexpected argument 'b'" "$IPCCHAN" recv a b
expect "usage: recv bad count" 2 "invalid --count '-3'" "$IPCCHAN" recv -n -3 q
expect "usage: recv huge count" 2 "invalid --count '99999999999'" "$IPCCHAN" recv -n 99999999999 q
expect "usage: recv raw+hex" 2 "--raw excludes --json and --hex" "$IPCCHAN" recv --raw --hex q
expect "usage: create bad mode" 2 "invalid --mode '0999'" "$IPCCHAN" create --mode 0999 q
expect "usage: create ring not pow2" 2 "invalid --ring-pages '3'" "$IPCCHAN" create --ring-pages 3 q
expect "usage: create size overflow" 2 "invalid --max-msg-size '8G'" "$IPCCHAN" create --max-msg-size 8G q
expect "usage: create no name" 2 "ipcchan: create: missing channel name" "$IPCCHAN" create
expect "usage: stat no name" 2 "ipcchan: stat: missing channel name" "$IPCCHAN" stat
expect "usage: ls argument" 2 "ipcchan: ls: unexpected argument 'x'" "$IPCCHAN" ls x
expect "usage: rm no name" 2 "ipcchan: rm: missing channel name" "$IPCCHAN" rm
expect "usage: rm all+name" 2 "--all and NAME arguments exclude each other" "$IPCCHAN" rm --all q
expect "usage: load bad param" 2 "invalid module parameter 'a b'" "$IPCCHAN" load "a b"
expect "usage: unload argument" 2 "ipcchan: unload: unexpected argument 'x'" "$IPCCHAN" unload x
expect "usage: status argument" 2 "ipcchan: status: unexpected argument 'x'" "$IPCCHAN" status x
run "$IPCCHAN" recv -z q
grep -q "^Try 'ipcchan recv --help'." "$T/err" && ok "usage: hint line" || not_ok "usage: hint line"

# ---- without the module ----------------------------------------------------

if [ $have_dev = 0 ]; then
	expect "no module: send" 1 "ipcchan: send: module not loaded: no /dev/ipcchan (ENODEV)" "$IPCCHAN" send q x
	expect "no module: recv" 1 "module not loaded" "$IPCCHAN" recv q
	expect "no module: create" 1 "module not loaded" "$IPCCHAN" create q
	expect "no module: rm" 1 "module not loaded" "$IPCCHAN" rm q
	expect "no module: ls" 1 "ipcchan: ls: module not loaded: no /proc/ipcchan (ENODEV)" "$IPCCHAN" ls
	expect "no module: unload" 1 "ipcchan: unload: module ipcchan is not loaded (ENOENT)" "$IPCCHAN" unload
	run "$IPCCHAN" status
	[ $rc -eq 1 ] && grep -q "not loaded" "$T/out" && ok "no module: status" || not_ok "no module: status"
	expect "no module: load missing file" 1 "no module file '/nonexistent/ipcchan.ko' (ENOENT)" \
		"$IPCCHAN" load /nonexistent/ipcchan.ko
	echo "1..$((n + 1))"
	skip "channel and module tests" "/dev/ipcchan missing: module not loaded"
	[ $fails -eq 0 ] && exit 4
	exit 1
fi

# ---- channels ----------------------------------------------------------------

A=$P-a
expect "create" 0 "" "$IPCCHAN" create "$A"
expect "create existing: note" 0 "channel '$A' already exists; left unchanged" "$IPCCHAN" create "$A"
expect "create --excl existing" 1 "ipcchan: create: channel '$A' already exists (EEXIST)" "$IPCCHAN" create --excl "$A"
expect "send args" 0 "" "$IPCCHAN" send "$A" hello "two words"
run "$IPCCHAN" stat "$A"
[ $rc -eq 0 ] && ok "stat" || not_ok "stat"
out_has "stat: msgs" "msgs: 2"
out_has "stat: mode" "mode: 0660"
out_has "stat: name" "name: $A"
out_has "stat: attached excludes itself" "attached: 0"
run "$IPCCHAN" stat --json "$A"
out_has "stat --json" "\"msgs\":2"
run "$IPCCHAN" ls
[ $rc -eq 0 ] && ok "ls" || not_ok "ls"
out_has "ls: header" "NAME"
if grep -q "^$A .* 0660 .* 2 " "$T/out"; then ok "ls: channel line"; else diag "$T/out"; not_ok "ls: channel line"; fi
run "$IPCCHAN" ls --json
out_has "ls --json" "\"name\":\"$A\""
run "$IPCCHAN" recv -n 2 "$A"
printf 'hello\ntwo words\n' >"$T/want"
[ $rc -eq 0 ] && cmp -s "$T/out" "$T/want" && ok "recv -n 2" || { diag "$T/out"; not_ok "recv -n 2"; }

printf 'line one\nline two\n\nlast, no newline' | "$IPCCHAN" send "$A" 2>"$T/err"
[ $? -eq 0 ] && ok "send stdin lines" || not_ok "send stdin lines"
run "$IPCCHAN" recv -n 0 "$A"
printf 'line one\nline two\n\nlast, no newline\n' >"$T/want"
[ $rc -eq 0 ] && cmp -s "$T/out" "$T/want" && ok "recv -n 0 drains" || { diag "$T/out"; not_ok "recv -n 0 drains"; }

printf 'bin\000ary\377\n' >"$T/blob"
expect "send --file" 0 "" "$IPCCHAN" send --file "$T/blob" "$A"
run "$IPCCHAN" recv --raw "$A"
[ $rc -eq 0 ] && cmp -s "$T/out" "$T/blob" && ok "recv --raw round trip" || not_ok "recv --raw round trip"
"$IPCCHAN" send --file "$T/blob" "$A"
run "$IPCCHAN" recv --json "$A"
out_has "recv --json binary as hex" "\"hex\":\"62696e00617279ff0a\""
"$IPCCHAN" send --prio 3 "$A" 'say "hi"'
run "$IPCCHAN" recv --json "$A"
out_has "recv --json text" "\"data\":\"say \\\"hi\\\"\""
out_has "recv --json prio" "\"prio\":3"
"$IPCCHAN" send "$A" AB
run "$IPCCHAN" recv --hex "$A"
out_has "recv --hex" "4142"
"$IPCCHAN" send "$A" low
"$IPCCHAN" send -p 31 "$A" high
run "$IPCCHAN" recv -n 2 "$A"
[ "$(head -n 1 "$T/out")" = high ] && ok "priority order" || not_ok "priority order"

expect "recv empty --nonblock" 1 "ipcchan: recv: channel '$A' is empty (EAGAIN)" "$IPCCHAN" recv -N "$A"
expect "recv timeout" 1 "(ETIMEDOUT)" "$IPCCHAN" recv -t 100ms "$A"

# Across two processes: a blocked receiver woken by a later sender.
"$IPCCHAN" recv -t 20 "$A" >"$T/cross" 2>&1 &
rpid=$!
sleep 1
"$IPCCHAN" send "$A" crossing
wait $rpid
rrc=$?
[ $rrc -eq 0 ] && [ "$(cat "$T/cross")" = crossing ] && ok "recv across processes" ||
	{ diag "$T/cross"; not_ok "recv across processes"; }

B=$P-b
expect "create small" 0 "" "$IPCCHAN" create --max-msgs 1 --max-msg-size 16 --mode 600 "$B"
expect "send too long" 1 "longer than max_msg_size 16 of channel '$B' (EMSGSIZE)" "$IPCCHAN" send "$B" 01234567890123456
expect "send fills" 0 "" "$IPCCHAN" send "$B" one
expect "send full --nonblock" 1 "ipcchan: send: channel '$B' is full (EAGAIN)" "$IPCCHAN" send -N "$B" two
expect "send full timeout" 1 "(ETIMEDOUT)" "$IPCCHAN" send -t 50ms "$B" two
head -c 100 /dev/zero >"$T/big"
expect "send --file too long" 1 "(EMSGSIZE)" "$IPCCHAN" send -f "$T/big" "$B"
expect "send --file missing" 1 "cannot open '/nonexistent/file'" "$IPCCHAN" send -f /nonexistent/file "$B"
run "$IPCCHAN" stat "$B"
out_has "stat: mode 0600" "mode: 0600"
# A refused create names the module limit it hit, with its value.
lim() { cat "/sys/module/ipcchan/parameters/$1"; }
expect "create: size above the limit names it" 1 \
	"--max-msg-size 4294967295 is above the module's max_msg_size_limit $(lim max_msg_size_limit) (EINVAL)" \
	"$IPCCHAN" create --max-msg-size 4294967295 "$P-h"
expect "create: depth above the limit names it" 1 \
	"--max-msgs 4294967295 is above the module's max_msgs_limit $(lim max_msgs_limit) (EINVAL)" \
	"$IPCCHAN" create --max-msgs 4294967295 "$P-h"
expect "create: ring above the limit names it" 1 \
	"--ring-pages 1048576 is above the module's ring_pages_max $(lim ring_pages_max) (EINVAL)" \
	"$IPCCHAN" create --ring-pages 1048576 "$P-h"
expect "create: reservation above the user's bytes names the limit" 1 \
	"above the module's user_bytes_limit $(lim user_bytes_limit) (ENOSPC)" \
	"$IPCCHAN" create --max-msgs "$(lim max_msgs_limit)" \
	--max-msg-size "$(lim max_msg_size_limit)" "$P-h"

expect "stat missing" 1 "ipcchan: stat: no channel '$P-zz' (ENOENT)" "$IPCCHAN" stat "$P-zz"
expect "send missing" 1 "ipcchan: send: no channel '$P-zz' (ENOENT)" "$IPCCHAN" send "$P-zz" x
expect "recv missing" 1 "ipcchan: recv: no channel '$P-zz' (ENOENT)" "$IPCCHAN" recv "$P-zz"
expect "rm" 0 "" "$IPCCHAN" rm "$A"
expect "rm again" 1 "ipcchan: rm: no channel '$A' (ENOENT)" "$IPCCHAN" rm "$A"
expect "send after rm" 1 "no channel '$A' (ENOENT)" "$IPCCHAN" send "$A" x
"$IPCCHAN" create "$P-c" && "$IPCCHAN" create "$P-d"
expect "rm several" 0 "" "$IPCCHAN" rm "$P-c" "$B" "$P-d"
expect "rm some missing" 1 "no channel '$P-c'" "$IPCCHAN" rm "$P-c"
run "$IPCCHAN" ls
if grep -q "^$P-" "$T/out"; then not_ok "ls after rm"; else ok "ls after rm"; fi

run "$IPCCHAN" status
[ $rc -eq 0 ] && ok "status" || not_ok "status"
out_has "status: loaded" "module: ipcchan loaded"
out_has "status: abi" "abi_version: 2"
out_has "status: parameters" "parameters:"

# ---- load / unload -------------------------------------------------------------

if [ -z "$IPCCHAN_KO" ] || [ ! -f "$IPCCHAN_KO" ] || [ "$(id -u)" != 0 ]; then
	echo "1..$((n + 1))"
	skip "load/unload" "needs root and \$IPCCHAN_KO"
	[ $fails -eq 0 ] && exit 0
	exit 1
fi

# Busy: a process holds /dev/ipcchan open.
sleep 30 </dev/ipcchan &
hold=$!
sleep 1
expect "unload busy" 1 "ipcchan: unload: module ipcchan is in use by 1 file" "$IPCCHAN" unload
kill $hold
wait $hold 2>/dev/null

# Unloading frees every channel, and says so.
"$IPCCHAN" create "$P-u1" && "$IPCCHAN" create "$P-u2"
expect "unload names the channels it destroys" 0 "with the module: '" "$IPCCHAN" unload
grep -q "destroyed [2-9][0-9]* channels" "$T/err" && grep -q "$P-u" "$T/err" &&
	ok "unload counts them" || not_ok "unload counts them"
"$IPCCHAN" load "$IPCCHAN_KO"

for round in 1 2; do
	expect "unload ($round)" 0 "" "$IPCCHAN" unload
	[ ! -e /dev/ipcchan ] && ok "device gone ($round)" || not_ok "device gone ($round)"
	expect "unload again ($round)" 1 "module ipcchan is not loaded (ENOENT)" "$IPCCHAN" unload
	run "$IPCCHAN" status
	[ $rc -eq 1 ] && ok "status unloaded ($round)" || not_ok "status unloaded ($round)"
	expect "send unloaded ($round)" 1 "module not loaded" "$IPCCHAN" send q x
	expect "load ($round)" 0 "" "$IPCCHAN" load "$IPCCHAN_KO"
	[ -e /dev/ipcchan ] && ok "device back ($round)" || not_ok "device back ($round)"
	expect "load again ($round)" 1 "module ipcchan is already loaded (EEXIST)" "$IPCCHAN" load "$IPCCHAN_KO"
	expect "works after load ($round)" 0 "" "$IPCCHAN" create "$P-e"
	"$IPCCHAN" rm "$P-e"
done
expect "load while loaded" 1 "already loaded" "$IPCCHAN" load /nonexistent/ipcchan.ko

# Module parameters on the command line reach the module.
param=/sys/module/ipcchan/parameters/default_max_msgs
if [ -r $param ]; then
	"$IPCCHAN" unload
	expect "load with a parameter" 0 "" "$IPCCHAN" load "$IPCCHAN_KO" default_max_msgs=33
	[ "$(cat $param)" = 33 ] && ok "parameter applied" || not_ok "parameter applied"
	run "$IPCCHAN" status
	out_has "status shows the parameter" "default_max_msgs = 33"
	"$IPCCHAN" unload
	expect "load with a bad parameter value" 1 "the module refused its parameters 'default_max_msgs=lots'" \
		"$IPCCHAN" load "$IPCCHAN_KO" default_max_msgs=lots
	expect "load after refusal" 0 "" "$IPCCHAN" load "$IPCCHAN_KO"
	[ "$(cat $param)" != 33 ] && ok "defaults restored" || not_ok "defaults restored"
else
	skip "load with parameters" "no $param"
fi

echo "1..$n"
[ $fails -eq 0 ]
