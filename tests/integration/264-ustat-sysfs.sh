#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# x86_64's ustat(2) and sysfs(2) answer as Linux does (tests/guest/
# mount-facts; found by tests/guest/mount-fuzz): sysfs from lx's
# /proc/filesystems (index, name, count, EINVAL, EFAULT), ustat from the
# mount of the device asked for (EINVAL for no such device). Both were
# ENOSYS (lx, asm-generic, has neither). lx's tmpfs (/tmp), the image
# (/), a bind.
. "$(dirname "$0")/lib/common.sh"
require
[ "$(uname -m)" = x86_64 ] || skip "ustat and sysfs are x86_64's"
b=$TMP/b
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "--change-id 1000:1000 -R" mount-facts /tmp
run_guest_test "-S" mount-facts /
run_guest_test "-b $b:/mnt/b -S" mount-facts /mnt/b
done_test
