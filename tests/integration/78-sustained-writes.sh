#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writing more than lx's dirty limit (~24 MB at the default 128 MB): the
# writer is throttled in balance_dirty_pages(), which pauses on a kernel
# timer. No kernel timer ever expired in lx (the tick skipped
# update_process_times()), so `cp` of a 30 MB file slept for ever.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
KB_TIMEOUT=120 kbo "$TMP/sw.out" -S "$img" -- /bin/sh -c '
	cd /root || exit 1
	head -c 30000000 /dev/urandom >big
	# one copy stalled in about one run of three; six in a row always did
	for r in 1 2 3 4 5 6; do
		cp big big2 && cmp big big2 && echo "copied $r"
		rm big2
	done
	# two writers at once, as a parallel build or unpack does
	dd if=/dev/zero of=z1 bs=1M count=16 2>/dev/null &
	dd if=/dev/zero of=z2 bs=1M count=16 2>/dev/null
	wait
	stat -c "%n %s" z1 z2
	sha256sum big >big.sum'
expect_status 0 $? "six copies of a 30 MB file and two 16 MB writers finish"
expect_grep '^copied 6$' "$TMP/sw.out" "each copy is the file"
expect_grep '^z1 16777216$' "$TMP/sw.out" "first writer's file is whole"
expect_grep '^z2 16777216$' "$TMP/sw.out" "second writer's file is whole"
# Nothing is lost at exit: the image holds the data, and is clean.
img_cat "$img" /root/big >"$TMP/big.host"
want=$(img_cat "$img" /root/big.sum | cut -d' ' -f1)
got=$(sha256sum <"$TMP/big.host" | cut -d' ' -f1)
check "the image holds the written file" [ "${want:-none}" = "$got" ]
check "the image is clean after exit" e2fsck -fn "$img"
done_test
