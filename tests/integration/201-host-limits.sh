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
done_test
