#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fsize-limit: RLIMIT_FSIZE holds for image and /tmp files
# (they grew past `ulimit -f` with no EFBIG or SIGXFSZ); a soft limit
# kbox was started with holds for the guest (kbox itself could not copy
# a program past it).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fsize-limit /root
run_guest_test "-S" fsize-limit /tmp
img=$(own_img)
(
	ulimit -S -f 8 # 8 KiB, soft: kbox's own copies may go past it
	kbo "$TMP/ul" -S "$img" -- /bin/sh -c \
		'head -c 20000 /dev/zero >/root/big; echo "status $?"; wc -c </root/big'
)
cat "$TMP/ul"
expect_grep '^status 153$' "$TMP/ul" "the shell's write is killed by SIGXFSZ (153)"
expect_grep '^8192$' "$TMP/ul" "the file stopped at 8 KiB"
done_test
