#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main process has exited and kbox serves a job it left, one that
# ignores SIGTERM and SIGHUP. kbox sends it SIGTERM on the first SIGTERM
# (or Ctrl-C); natively nothing would wait for such a job, and kbox
# waited for ever: only a SIGKILL of kbox ended it, unsynced, losing the
# guest's last writes. A second signal kills the jobs left, and kbox
# syncs, unmounts and exits with the main process's status.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
m=4$$
(
	set -m
	"$KBOX" -S "$img" -- /bin/sh -c "sh -c 'trap \"\" TERM HUP
		echo kept >/root/job; echo started
		exec sleep $m' & exit 3" >"$TMP/out" 2>&1 &
	echo $! >"$TMP/pid"
	wait $!
)&
sub=$!
for _ in $(seq 100); do
	grep -q started "$TMP/out" 2>/dev/null && break
	sleep 0.1
done
kpid=$(cat "$TMP/pid")
sleep 0.3
kill -TERM "$kpid"
sleep 0.5
kill -0 "$kpid" 2>/dev/null && pass "the first SIGTERM is the job's to ignore" ||
	fail "kbox ended on the first SIGTERM"
kill -TERM "$kpid" 2>/dev/null
for _ in $(seq 30); do
	kill -0 "$kpid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$kpid" 2>/dev/null; then
	fail "kbox still waits for the job 3 s after a second SIGTERM"
	kill -9 "$kpid"
else
	pass "a second SIGTERM ends the job and kbox"
fi
wait "$sub"
expect_status 3 $? "kbox exits with the main process's status"
no_leftovers "sleep $m" "$img"
pkill -9 -f -- "sleep $m" 2>/dev/null # what a failed run left
check "the image is clean (synced and unmounted)" \
	sh -c "e2fsck -fn '$img' >/dev/null 2>&1"
[ "$(img_cat "$img" /root/job)" = kept ] &&
	pass "the job's write is in the image" ||
	fail "the job's write was lost"
done_test
