#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fiemap: FS_IOC_FIEMAP and FIBMAP on a file in the image
# (filefrag, e2fsprogs) were ENOTTY; so were the image disk's size
# ioctls (blockdev --getsize64 /dev/lxda, BLKSSZGET).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fiemap /root/fiemap.dat
img=$(own_img)
kbo "$TMP/bd" -S "$img" -- /bin/sh -c \
	'busybox blockdev --getsize64 /dev/lxda; busybox blockdev --getss /dev/lxda'
cat "$TMP/bd"
expect_grep "^$(stat -c %s "$img")\$" "$TMP/bd" "BLKGETSIZE64 is the image's size"
expect_grep '^512$' "$TMP/bd" "BLKSSZGET is 512"
done_test
