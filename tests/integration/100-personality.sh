#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/personality: personality(2) changes were EPERM (setarch -R,
# gdb's ASLR switch); uname follows PER_LINUX32 and UNAME26. Also the
# image's setarch (busybox linux32).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" personality
img=$(own_img)
kbo "$TMP/sa" -S "$img" -- /bin/busybox linux32 /bin/busybox uname -m
expect_grep '^(i686|armv8l)$' "$TMP/sa" "linux32 uname -m: the 32-bit machine"
done_test
