#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Files on lx's tmpfs (/tmp, /dev/shm, /run) have a birth time, as on
# Linux's tmpfs (statx STATX_BTIME; stat -c %w said "-", Node's
# birthtimeMs was 0). It is kept when the times are set.
. "$(dirname "$0")/lib/common.sh"
require
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c '
	now=$(date +%s)
	touch /tmp/f /dev/shm/f /run/f; mkdir /tmp/d; ln -s f /tmp/l
	touch -d @100 /tmp/f
	for p in /tmp/f /dev/shm/f /run/f /tmp/d /tmp/l; do
		b=$(stat -c %W "$p")
		d=$((b - now)); [ "$d" -lt 0 ] && d=$((-d))
		echo "$p born-near-now=$([ "$b" -gt 0 ] && [ "$d" -le 5 ] && echo yes || echo "no ($b, now $now)")"
	done
	echo "mtime=$(stat -c %Y /tmp/f)"'
for p in /tmp/f /dev/shm/f /run/f /tmp/d /tmp/l; do
	expect_grep "^$p born-near-now=yes\$" "$TMP/out" "$p has a birth time"
done
expect_grep '^mtime=100$' "$TMP/out" "touch -d set the mtime, the birth time stayed"
done_test
