#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kill(0) reaches every guest process of the group, however many: group
# kills went to at most 256 (a fixed array), returned 0, and the rest
# lived on (kbox then waited for them at exit).
. "$(dirname "$0")/lib/common.sh"
require

kbo "$TMP/out" -S "$IMG" -- /bin/sh -c '
for i in $(seq 300); do sleep 30 & done
trap "" TERM
sleep 1
kill -TERM 0
sleep 1
n=0
for c in /proc/[0-9]*/comm; do
	[ "$(cat "$c" 2>/dev/null)" = sleep ] && n=$((n + 1))
done
echo "left=$n"'
expect_status 0 $? "300 sleepers, kill -TERM 0"
expect_grep '^left=0$' "$TMP/out" "none of them is left"
done_test
