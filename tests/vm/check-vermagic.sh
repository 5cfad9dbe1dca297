#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module must carry the vermagic of the kernel the VM boots: compare
# the module's (modinfo) with the image's release (kernel-release.sh).
#
# usage: tests/vm/check-vermagic.sh MODULE VMLINUZ
# Exit status 0 when they match, 1 (and what to do) when they do not.
[ $# -eq 2 ] || { echo "usage: $0 MODULE VMLINUZ" >&2; exit 2; }
kmod=$1 vmlinuz=$2
mod=$(/sbin/modinfo -F vermagic "$kmod" | cut -d' ' -f1)
img=$("$(dirname "$0")/kernel-release.sh" "$vmlinuz")
if [ "$mod" != "$img" ]; then
	echo "vermagic mismatch: $kmod is for '$mod' but $vmlinuz is '$img'" >&2
	echo "  KDIR and VMLINUZ must be the same kernel (or pick one with KERNEL=)" >&2
	exit 1
fi
echo "vermagic: $mod (module) = $img (VM kernel)"
