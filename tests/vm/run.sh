#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a throw-away QEMU VM with ipcchan.ko and run one command in it.
#
# The initramfs is busybox-static + a staged tree (module, tools, tests) +
# the shared libraries they need (found with ldd), cached by content; the
# command travels in a second, tiny cpio appended per run.  The guest's
# /init (tests/vm/init) loads the module, runs the command, scans dmesg,
# unloads, and powers off through isa-debug-exit so this script exits with
# the command's status.  Files the guest leaves in /xfer come back over a
# second serial port into --xfer DIR.
#
# usage: run.sh --kernel VMLINUZ --stage DIR [options] [-- COMMAND...]
#   --kernel F       kernel image to boot (Debian's /boot/vmlinuz-<ver>)
#   --stage DIR      tree copied to /opt/ipcchan (must hold ipcchan.ko)
#   --timeout S      whole-run limit in seconds (default 900)
#   --mem M          guest memory (default 2G)
#   --smp N          guest vCPUs (default 2)
#   --append ARGS    extra kernel command line
#   --params ARGS    module parameters for the load
#   --loader L       insmod (default) or cli (ipcchan load, libkmod)
#   --xfer DIR       receive the guest's /xfer into DIR
#   --log F          also write the console to F
#   --env 'K=V ...'  environment for COMMAND
#   --kmemleak       after unloading, fail on any kmemleak report (debug
#                    kernels with CONFIG_DEBUG_KMEMLEAK)
#   --interactive    a shell on the console instead of COMMAND
#   --share DIR      DIR read-write at /src in the guest (9p over virtio;
#                    the guest's `reload` re-inserts /src/kmod/ipcchan.ko)
#   --gdb PORT       QEMU's gdb stub on 127.0.0.1:PORT, KASLR off; the
#                    guest writes where the module is loaded into
#                    CACHE/vm/gdb-PORT/module (tests/vm/gdb.sh reads it)
#   --cpu MODEL      QEMU CPU model instead of the default (TCG: max, KVM:
#                    host), e.g. max,-erms,-fsrm: guest copies without
#                    rep movsb (docs/benchmark.md, CPU-model sensitivity)
# Exit status: the command's (0..120), 100 dmesg showed a kernel problem,
# 101 rmmod failed, 104 kmemleak report, 3 module load failed, 124 whole-run
# timeout, 125 the VM died without reporting (panic, triple fault), 2 usage.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${IPCCHAN_CACHE:-$here/../../.cache}/vm
kernel= stage= timeout=900 mem=2G smp=2 append= params= loader=insmod
xfer= log= interactive=0 kmemleak=0 envs= share= gdb= cpu_model=

die() { echo "run.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--stage) stage=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--params) params=$2; shift 2 ;;
	--loader) loader=$2; shift 2 ;;
	--xfer) xfer=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--kmemleak) kmemleak=1; shift ;;
	--env) envs=$2; shift 2 ;;
	--share) share=$2; shift 2 ;;
	--gdb) gdb=$2; shift 2 ;;
	--cpu) cpu_model=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
cmd=${*:-}

[ -r "$kernel" ] || die "kernel image '$kernel' not readable (make deps installs linux-image-amd64)"
[ -f "$stage/ipcchan.ko" ] || die "no ipcchan.ko in stage '$stage' (run make first)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (make deps)"
[ -x /bin/busybox ] || die "/bin/busybox missing (make deps installs busybox-static)"
[ -n "$cmd" ] || [ "$interactive" = 1 ] || die "no command (or --interactive)"
[ -z "$share" ] || [ -d "$share" ] || die "--share '$share' is not a directory"
case $gdb in ''|[0-9]*) ;; *) die "--gdb wants a port number" ;; esac

mkdir -p "$cache"

# --- base initramfs, rebuilt only when its inputs change -------------------
elfs=$(find "$stage" -type f -perm -u+x -exec sh -c \
	'head -c4 "$1" | grep -q ELF && echo "$1"' _ {} \; | sort)
libs=$( (for e in $elfs; do ldd "$e" 2>/dev/null || true; done) |
	sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' |
	sort -u)
key=$( (cat "$here/init" "$here/reload" "$here/run-tests.sh" "$here/dmesg-bad.ere" /bin/busybox
	find "$stage" -type f | sort | xargs cat
	for l in $libs; do echo "$l"; cat "$l"; done) | sha256sum | cut -c1-16)
base=$cache/base-$key.cpio

if [ ! -f "$base" ]; then
	root=$(mktemp -d "$cache/root.XXXXXX")
	chmod 0755 "$root"
	trap 'rm -rf "$root"' EXIT
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,xfer,opt}
	mkdir -p "$root"/usr/{bin,sbin} "$root/lib64"
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$here/init" "$root/init"
	cp "$here/reload" "$root/bin/reload"
	cp "$here/dmesg-bad.ere" "$root/etc/ipcchan-dmesg-bad.ere"
	cp -a "$stage" "$root/opt/ipcchan"
	cp "$here/run-tests.sh" "$root/opt/ipcchan/run-tests.sh"
	for l in $libs; do
		mkdir -p "$root$(dirname "$l")"
		cp -L "$l" "$root$l"
	done
	# Debian is usrmerged: make /lib point where the loader looks too.
	[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$base.tmp"
	mv "$base.tmp" "$base"
	rm -rf "$root"
	trap - EXIT
	# Keep the cache small: drop older bases.
	find "$cache" -name 'base-*.cpio' ! -name "${base##*/}" -mmin +60 \
		-delete 2>/dev/null || true
fi

# --- per-run cpio with the command ----------------------------------------
run=$(mktemp -d)
# KVM when /dev/kvm is usable and the kernel really boots with it, else
# TCG.  A nested or restricted host may refuse "-cpu host" MSRs or hang
# early in boot, so the probe boots $kernel without an initramfs until its
# "no root" panic (about a second with KVM); the verdict is cached for this
# host boot.  IPCCHAN_ACCEL=tcg|kvm forces one.
kvm_probe() {
	# (in a subshell, so an aborting QEMU's "Aborted" notice stays quiet)
	(echo quit | timeout 20 qemu-system-x86_64 -nodefaults -display none \
		-machine pc -accel kvm -cpu "$1" -S -monitor stdio) \
		>/dev/null 2>&1 &&
	timeout 30 qemu-system-x86_64 -nodefaults -no-reboot -display none \
		-machine pc -accel kvm -cpu "$1" -m 256M -kernel "$kernel" \
		-append "console=ttyS0 panic=-1 root=/dev/ipcchan-none" \
		-serial stdio -monitor none </dev/null 2>/dev/null |
		grep -q -m1 'Kernel panic'
}
pick_accel() {
	local c verdict
	accel=tcg,thread=multi cpu=max
	[ "${IPCCHAN_ACCEL:-auto}" != tcg ] || return 0
	if [ -w /dev/kvm ] && [ -r /dev/kvm ]; then
		verdict=$cache/kvm-$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)-$(basename "$kernel")
		if [ -f "$verdict" ]; then
			c=$(cat "$verdict")
		else
			c=none
			for try in host host,-arch-capabilities; do
				if kvm_probe "$try"; then
					c=$try
					break
				fi
			done
			mkdir -p "$cache" && echo "$c" >"$verdict"
			[ "$c" != none ] ||
				echo "run.sh: /dev/kvm does not boot $kernel: using TCG" >&2
		fi
		[ "$c" = none ] || { accel=kvm cpu=$c; return 0; }
	fi
	[ "${IPCCHAN_ACCEL:-auto}" != kvm ] || die "IPCCHAN_ACCEL=kvm but KVM is not usable"
}
pick_accel
[ -z "$cpu_model" ] || cpu=$cpu_model

trap 'rm -rf "$run"' EXIT
mkdir -p "$run/root"

# --- 9p for --share and --gdb -----------------------------------------------
# Debian builds 9p, and on 6.1 virtio-pci, as modules: they come from the
# kernel's module tree (the host's /lib/modules/REL, or the one
# scripts/kernel.sh unpacks next to a fetched image), dependencies first,
# decompressed for busybox's insmod, into the per-run cpio; the guest's
# /init loads those /9p.modules lists.
p9_modules() {
	local rel moddir k
	rel=$("$here/kernel-release.sh" "$kernel")
	for moddir in "$(dirname "$kernel")/../lib/modules/$rel" "/lib/modules/$rel"; do
		[ -f "$moddir/modules.dep" ] && break
	done
	[ -f "$moddir/modules.dep" ] ||
		die "--share/--gdb need the 9p modules of $rel: no modules.dep next to $kernel or in /lib/modules/$rel (make deps fetches them)"
	mkdir -p "$run/root/9p"
	awk -v want='virtio_pci 9pnet_virtio 9p' '
	{
		k = $1; sub(/:$/, "", k); deps[k] = ""
		for (i = 2; i <= NF; i++) deps[k] = deps[k] " " $i
		n = k; sub(/.*\//, "", n); sub(/\.ko.*/, "", n); byname[n] = k
	}
	function visit(k,    a, n, i) {
		if (k in seen) return
		seen[k] = 1
		n = split(deps[k], a, " ")
		for (i = n; i >= 1; i--) visit(a[i])
		print k
	}
	END { n = split(want, w, " "); for (i = 1; i <= n; i++) if (w[i] in byname) visit(byname[w[i]]) }
	' "$moddir/modules.dep" | while read -r k; do
		m=${k##*/}
		case $m in
		*.ko.xz) xz -dc "$moddir/$k" >"$run/root/9p/${m%.xz}" ;;
		*.ko.zst) zstd -qdc "$moddir/$k" >"$run/root/9p/${m%.zst}" ;;
		*.ko.gz) gzip -dc "$moddir/$k" >"$run/root/9p/${m%.gz}" ;;
		*) cp "$moddir/$k" "$run/root/9p/$m" ;;
		esac
		echo "${m%.ko*}.ko"
	done >"$run/root/9p.modules"
	grep -q '^9p\.ko$' "$run/root/9p.modules" ||
		die "no 9p module in $moddir"
}
# QEMU's option syntax doubles a comma inside a value.
qarg() { printf '%s' "$1" | sed 's/,/,,/g'; }
p9=() gdbdir=
if [ -n "$share" ] || [ -n "$gdb" ]; then
	p9_modules
fi
if [ -n "$share" ]; then
	p9+=(-virtfs "local,path=$(qarg "$(cd "$share" && pwd)"),mount_tag=ipcchan-src,security_model=none,id=src")
fi
if [ -n "$gdb" ]; then
	gdbdir=$cache/gdb-$gdb
	mkdir -p "$gdbdir"
	rm -f "$gdbdir/module" "$gdbdir/go"
	p9+=(-virtfs "local,path=$(qarg "$gdbdir"),mount_tag=ipcchan-gdb,security_model=none,id=gdb"
		-gdb "tcp:127.0.0.1:$gdb")
	append="nokaslr $append"
fi
sq() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
	echo "IPCCHAN_MODPARAMS=$(sq "$params")"
	echo "IPCCHAN_LOADER=$(sq "$loader")"
	echo "IPCCHAN_INTERACTIVE=$interactive"
	echo "IPCCHAN_KMEMLEAK=$kmemleak"
	echo "IPCCHAN_ENV=$(sq "$envs")"
	echo "IPCCHAN_VM_ACCEL=${accel%%,*}"
	echo "IPCCHAN_SHARE=$([ -n "$share" ] && echo 1 || echo 0)"
	echo "IPCCHAN_GDB=$([ -n "$gdb" ] && echo 1 || echo 0)"
} >"$run/root/run.env"
printf '%s\n' "$cmd" >"$run/root/run.cmd"
(cd "$run/root" && find . -mindepth 1 | cpio -o -H newc --quiet) \
	>"$run/run.cpio"
cat "$base" "$run/run.cpio" >"$run/initrd"


# The first -serial is ttyS0 (the console), the second ttyS1 (transfer).
qemu=(qemu-system-x86_64 -nodefaults -no-reboot -display none
	-machine pc -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem"
	-kernel "$kernel" -initrd "$run/initrd"
	-append "console=ttyS0 quiet loglevel=2 panic=-1 $append"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 "${p9[@]}")
# The console is also kept in $run/console.log, for the oops decoder.
# Interactive: as -serial mon:stdio, Ctrl-c goes to the guest (signal=off).
if [ "$interactive" = 1 ]; then
	qemu+=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$run/console.log"
		-serial chardev:con -mon chardev=con,mode=readline)
else
	qemu+=(-chardev "stdio,id=con,logfile=$run/console.log"
		-serial chardev:con -monitor none)
fi
qemu+=(-serial "file:$run/xfer.b64")

start=$(date +%s.%N)
set +e
if [ "$interactive" = 1 ]; then
	# A shell in the VM reads the terminal: from a background process
	# group (make vm &, or under timeout(1)) QEMU would be stopped silently.
	# /proc/PID/stat fields 5 and 8: process group, terminal's foreground
	# process group.
	read -r -a st </proc/$$/stat
	if [ -t 0 ] && [ "${st[4]}" != "${st[7]}" ]; then
		echo "run.sh: an interactive VM needs the terminal: run it in the foreground, or give it a command (make vm CMD='...')" >&2
		exit 2
	fi
	echo "run.sh: 'exit' or Ctrl-d in the VM's shell powers it off; Ctrl-a x kills it" >&2
	"${qemu[@]}"
	rc=$?
else
	# The emulator's faults are not the run's verdict; the VM is booted
	# again, up to 3 times in all, for two of them:
	#  - the guest kernel died while booting, before init ran (so before
	#    any module was loaded): Debian's 6.12 PREEMPT_RT kernel under
	#    QEMU 7.2's TCG now and then takes a stray int3 from boot-time code
	#    patching ("Oops: int3" in sched_clock_cpu: 2 of 27 boots here);
	#  - later, the same stray int3 (stray-int3.sh says how it is told
	#    apart from a real oops): tracepoints and static keys turned on
	#    and off while the other vCPU runs through them (perf counters,
	#    the bench's syscall counts) do it at any time.  The command then
	#    runs again from the start, in a new VM.
	# Anything else after init started is the run's verdict, never retried.
	for attempt in 1 2 3; do
		if [ -n "$log" ]; then
			timeout --foreground -k 5 "$timeout" "${qemu[@]}" </dev/null |
				tee $([ "$attempt" -gt 1 ] && echo -a) "$log"
			rc=${PIPESTATUS[0]}
		else
			timeout --foreground -k 5 "$timeout" "${qemu[@]}" </dev/null
			rc=$?
		fi
		[ "$rc" -eq 0 ] && [ "$attempt" -lt 3 ] || break
		if ! grep -q IPCCHAN-VM-UP "$run/console.log" 2>/dev/null; then
			echo "run.sh: the guest kernel died while booting, before init ran: $(tr -d '\r' <"$run/console.log" |
				grep -m1 -E 'Oops|BUG|panic' | sed 's/^\[ *[0-9.]*\] //')" >&2
		elif why=$("$here/stray-int3.sh" "$run/console.log"); then
			echo "run.sh: the guest kernel died of a stray int3 (an emulator fault, not the run's verdict):" >&2
			echo "$why" | sed 's/^/run.sh:   /' >&2
		else
			break
		fi
		echo "run.sh: booting again (attempt $((attempt + 1)) of 3)" >&2
	done
fi
set -e
end=$(date +%s.%N)
# This VM's module addresses are gone with it.
[ -z "$gdbdir" ] || rm -f "$gdbdir/module" "$gdbdir/go"

if [ -n "$xfer" ] && grep -q IPCCHAN-XFER-END "$run/xfer.b64" 2>/dev/null; then
	mkdir -p "$xfer"
	sed -n '/IPCCHAN-XFER-BEGIN/,/IPCCHAN-XFER-END/p' "$run/xfer.b64" |
		sed '1d;$d' | tr -d '\r' | base64 -d | tar -C "$xfer" -xf -
fi

printf 'run.sh: VM ran %.1f s (%s)\n' "$(echo "$end - $start" | bc)" \
	"${accel%%,*}" >&2
# ipcchan frames of an oops, BUG or WARN, decoded to source lines: of the
# module the guest last loaded (the staged one, or the shared tree's after
# a reload).
ko=$stage/ipcchan.ko
last=$(tr -d '\r' <"$run/console.log" 2>/dev/null |
	sed -n 's|^reload: /src/\(.*\) loaded$|\1|p' | tail -n1)
[ -z "$last" ] || [ -z "$share" ] || ko=$share/$last
"$here/decode-oops.sh" "$run/console.log" "$ko" >&2 || true
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "run.sh: VM did not finish within ${timeout}s" >&2
	exit 124
fi
if [ $((rc % 2)) -eq 1 ]; then
	exit $((rc >> 1))
fi
if [ "$interactive" = 1 ] && [ "$rc" -eq 0 ]; then
	# QEMU quit without the guest's status: Ctrl-a x, or a guest reboot
	# (a panic reboots), whose console the user has just seen.
	echo "run.sh: QEMU quit (Ctrl-a x) without powering the VM off" >&2
	exit 0
fi
echo "run.sh: VM stopped without reporting a status (qemu rc $rc): kernel panic or hang" >&2
# What killed it, in a line or two (the console above may be cut short in
# a CI log): the first oops/BUG/panic line, where it was, and the panic.
tr -d '\r' <"$run/console.log" 2>/dev/null |
	grep -E -m4 'Oops|BUG:|int3:|RIP: 0010|Kernel panic' |
	sed 's/^\[ *[0-9.]*\] /run.sh:   /' >&2
exit 125
