#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what ipcchan needs to build, test and benchmark on Debian 12:
# as root it runs apt-get for whatever is missing; as another user it prints
# the exact command and fails.  Called by `make deps` (and so by `make check`
# and `make run`).
set -eu

PKGS="build-essential make gcc libc6-dev pkg-config file xz-utils cpio
qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static kmod
libkmod-dev linux-source-6.1 sparse gnuplot-nox perl dkms stress-ng rt-tests
flex bison bc libelf-dev libssl-dev rsync"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null |
	     grep -qx installed; then
		missing="$missing $p"
	fi
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
