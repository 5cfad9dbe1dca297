#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# VM test: every ipcchan-bench method that is not an ipcchan or shm ring
# (the standard, batched and io_uring paths) delivers every message intact;
# bench_vm_test.sh has the checks.
exec sh "$(dirname "$0")/bench_vm_test.sh" others
