#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# O_DIRECT on image files: reads and writes failed with EINVAL (lx saw
# kbox's unaligned buffers); lx now buffers such files, as data goes.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
kbo "$TMP/od.out" -S "$img" -- /bin/sh -c '
	cd /root || exit 1
	head -c 3000000 /dev/urandom >src
	dd if=src of=copy bs=1M iflag=direct oflag=direct 2>dd.err || { cat dd.err; exit 1; }
	cmp src copy && echo same
	dd if=/dev/zero of=blk bs=4096 count=3 oflag=direct,sync 2>/dev/null && stat -c %s blk'
expect_status 0 $? "dd with iflag=direct,oflag=direct runs"
expect_grep '^same$' "$TMP/od.out" "the copy is the file"
expect_grep '^12288$' "$TMP/od.out" "direct, synchronous writes land"
done_test
