#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the release of an x86 bzImage (the first word of the version string
# the boot header points to at offset 0x20e), e.g. 6.1.0-56-amd64.
set -eu
img=$1
off=$(od -An -tu2 -j $((0x20e)) -N2 "$img" | tr -d ' ')
dd if="$img" bs=1 skip=$((off + 0x200)) count=128 2>/dev/null |
	tr '\0' '\n' | head -n1 | cut -d' ' -f1
