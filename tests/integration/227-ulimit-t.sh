#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A CPU time limit (ulimit -t) is each process's own, as under chroot:
# kbox's time serving the guest (its lx threads) must not count against
# the guest's. Before: a soft `ulimit -S -t 1` and a guest that makes
# many file calls (find over the image, ~0.3 s of its own CPU, ~3 s of
# kbox's) ended with SIGXCPU, which kbox got and passed on; natively it
# runs. A guest that burns its own CPU still gets SIGXCPU.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
(
	ulimit -S -t 1
	kbo "$TMP/busy" -S "$img" -- /bin/sh -c \
		'i=0; while [ $i -lt 30 ]; do find / -xdev >/dev/null 2>&1; i=$((i+1)); done
		echo "limit $(ulimit -S -t)"; seq 1 50000 >/root/f; echo wrote'
)
expect_status 0 $? "ulimit -S -t 1: a guest busy with file calls runs"
expect_grep '^limit 1$' "$TMP/busy" "the guest has that limit"
expect_grep '^wrote$' "$TMP/busy" "and runs to its end"
check "its file is in the image" test "$(img_cat "$img" /root/f | wc -l)" -eq 50000
(
	ulimit -S -t 1
	kbo "$TMP/burn" -S "$img" -- /bin/sh -c 'while :; do :; done'
)
expect_status 152 $? "ulimit -S -t 1: a guest burning its CPU gets SIGXCPU"
e2fsck -fn "$img" >/dev/null 2>&1
check "image clean (e2fsck -fn)" test $? -eq 0
done_test
