#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kbox's threads count against the limits it is started with (ulimit -v,
# and ulimit -u for a non-root user). Where the first worker thread
# could not be made (with -k mem=128M, ulimit -v 400M here) no thread
# received the guest's requests and kbox hung for ever. Every limit in a
# range around that one must now end: the guest runs, or kbox says why
# and exits non-zero.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
hung=""
for v in $(seq 380 2 420); do
	(
		ulimit -v $((v * 1024))
		KB_TIMEOUT=10 kbo "$TMP/out.$v" -k mem=128M -S "$img" -- /bin/echo hi
	)
	st=$?
	if [ "$st" -eq 124 ] || [ "$st" -ge 128 ]; then
		hung="$hung ${v}M($st)"
	elif [ "$st" -ne 0 ] && ! grep -q '^kbox: ' "$TMP/out.$v"; then
		hung="$hung ${v}M(status $st, no message)"
	fi
done
if [ -z "$hung" ]; then
	pass "ulimit -v 380M..420M with mem=128M: each run ends"
else
	fail "hung or silent under ulimit -v:$hung"
fi

# A hard open-file limit kbox's own descriptors do not fit in: every
# request failed (status 126, nothing said). One line now.
(
	ulimit -n 20
	kbo "$TMP/nofile" -S "$img" -- /bin/true
)
expect_status 1 $? "ulimit -n 20"
expect_grep '^kbox: the open-file limit \(ulimit -n 20\) is too low' "$TMP/nofile" "says why"
check "just that line" test "$(wc -l <"$TMP/nofile")" -eq 1

# A hard file size limit below the image's size: writes past it failed,
# the guest's writes were lost and the image needed an e2fsck. Refused
# read-write; -m ro runs; a soft limit stays the guest's (SIGXFSZ).
(
	ulimit -f 1000
	kbo "$TMP/fsize" -S "$img" -- /bin/true
)
expect_status 1 $? "ulimit -f 1000 (512 KB) with a larger image"
expect_grep '^kbox: image .* is larger than the file size limit' "$TMP/fsize" "says why"
(
	ulimit -f 1000
	kbo "$TMP/fsize-ro" -m ro -S "$img" -- /bin/echo read-only
)
expect_status 0 $? "the same with -m ro"
(
	ulimit -S -f 1000
	kbo "$TMP/fsize-soft" -S "$img" -- /bin/sh -c 'head -c 1M /dev/zero >/tmp/big; echo "status $?"'
)
expect_grep '^status 153$' "$TMP/fsize-soft" "a soft limit is the guest's: SIGXFSZ"
e2fsck -fn "$img" >/dev/null 2>&1
check "image clean (e2fsck -fn)" test $? -eq 0
done_test
