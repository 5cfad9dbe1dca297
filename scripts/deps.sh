#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what ipcchan needs to build, test and benchmark on Debian 12 or
# 13: as root it runs apt-get for whatever is missing; as another user it
# prints the exact command and fails.  Called by `make deps` (and so by
# `make check`, `make run`, `make vm`).
#
# The same names serve both releases because the kernel packages are
# Debian's metapackages, resolved by the release's archive:
# linux-image-amd64, linux-headers-amd64 and linux-source are 6.1 on
# Debian 12 and 6.12 on Debian 13.  Kernels of other series (make
# KERNEL=...) are fetched into the cache by scripts/kernel.sh instead.
set -eu

# linux-perf: perf bench sched pipe, for make crosscheck.
# dwarves: pahole, which Debian's 6.12 headers run for module BTF; git:
# the labs' handouts (labs/tools/handout.sh) are fresh repositories; gdb:
# make gdb; strace: staged into the VM, where lab 1 counts system calls;
# liburing-dev: ipcchan-bench's io-uring methods.
PKGS="build-essential make gcc libc6-dev pkg-config file xz-utils cpio
qemu-system-x86 linux-image-amd64 linux-headers-amd64 linux-source
busybox-static kmod libkmod-dev sparse dwarves gnuplot-nox perl dkms
stress-ng rt-tests linux-perf flex bison bc libelf-dev libssl-dev rsync git
gdb strace liburing-dev"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null |
		grep -qx installed || missing="$missing $p"
done

if [ -z "$missing" ]; then
	echo "deps: all $(echo $PKGS | wc -w) packages present"
	exit 0
fi

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing" >&2
	echo "deps: run as root:  apt-get update && $cmd" >&2
	exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
