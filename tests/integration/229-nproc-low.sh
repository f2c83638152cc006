#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lx's kernel threads and kbox's own count against the process limit of
# the user kbox runs as (ulimit -u) and a pids cgroup's pids.max. Under
# `ulimit -u 5..40` as a user, kbox died of SIGSEGV, "kernel panic: BUG!"
# or an ENOMEM mount, where a small shell runs natively. Too little room
# is one line now, before the image is touched; enough room runs.
. "$(dirname "$0")/lib/common.sh"
require
kbox_abs=$(cd "$(dirname "$KBOX")" && pwd)/$(basename "$KBOX")
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	# a user of its own (no other processes), owning an image copy
	uid=4259
	d=$(mktemp -d /tmp/kbox-nproc.XXXXXX)
	chmod 755 "$d"
	cp --sparse=always "$IMG" "$d/img"
	chown -R $uid:$uid "$d"
	as_user() { timeout 60 setpriv --reuid=$uid --regid=$uid --clear-groups prlimit --nproc="$1" -- "$kbox_abs" -R "$d/img" -- /bin/sh -c 'echo start; (sleep 0.1 & sleep 0.1 & wait); echo done'; }
	for n in 5 10 20 30 40; do
		as_user $n >"$TMP/np.$n" 2>&1
		st=$?
		expect_status 1 $st "ulimit -u $n"
		expect_grep "^kbox: the process limit \(ulimit -u $n\) leaves room for [0-9]+ more threads" "$TMP/np.$n" "ulimit -u $n: says why"
		check "ulimit -u $n: just that line" test "$(wc -l <"$TMP/np.$n")" -eq 1
	done
	as_user 300 >"$TMP/np.ok" 2>&1
	expect_status 0 $? "ulimit -u 300: the guest runs"
	expect_grep '^done$' "$TMP/np.ok" "ulimit -u 300: its shell forks"
	e2fsck -fn "$d/img" >/dev/null 2>&1
	check "image clean (e2fsck -fn)" test $? -eq 0
	rm -rf "$d"
else
	# not root: this user's own limit, with no room at all
	( ulimit -S -u 1; "$kbox_abs" -S "$IMG" -- /bin/true ) >"$TMP/np.1" 2>&1
	expect_status 1 $? "ulimit -u 1"
	expect_grep '^kbox: the process limit \(ulimit -u 1\)' "$TMP/np.1" "ulimit -u 1: says why"
fi
done_test
