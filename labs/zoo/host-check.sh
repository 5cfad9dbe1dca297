#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bug zoo's checks on the host (rubric PROGRAM "host"), run from the
# repository's top directory by labs/tools/grade.sh:
#
#   host-check.sh barriers   every smp_load_acquire() in kmod/ has its
#                            smp_store_release() (labs/tools/barriers.sh)
set -uo pipefail
case ${1:-} in
barriers) exec labs/tools/barriers.sh "$PWD" ;;
*) echo "usage: host-check.sh barriers" >&2; exit 2 ;;
esac
