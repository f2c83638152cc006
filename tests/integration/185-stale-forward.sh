#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SIGUSR1 (or SIGALRM, a relayed SIGINT) to kbox goes to the main guest
# process, as if kbox were its command. kbox also kept it for the
# processes left after the main one, and sent it to all of them when the
# main process exited, long after: a SIGUSR1 the main process handled
# killed its background job, whose write never came (natively the job
# runs on). SIGTERM and SIGHUP still reach the processes left.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
(
	set -m
	"$KBOX" -S "$img" -- /bin/sh -c '(sleep 1; echo done >/root/bg) &
		trap "echo main-got-usr1; exit 0" USR1; echo started
		while :; do sleep 0.1; done' >"$TMP/out" 2>&1 &
	echo $! >"$TMP/pid"
	wait $!
) &
sub=$!
for _ in $(seq 100); do
	grep -q started "$TMP/out" 2>/dev/null && break
	sleep 0.1
done
kill -USR1 "$(cat "$TMP/pid")"
(sleep 20 && kill -9 "$(cat "$TMP/pid")") >/dev/null 2>&1 &
w=$!
wait "$sub"
expect_status 0 $? "kbox exits with the main process's status"
kill "$w" 2>/dev/null
expect_grep '^main-got-usr1$' "$TMP/out" "the main process got SIGUSR1"
[ "$(img_cat "$img" /root/bg)" = done ] &&
	pass "the background job ran on after the main process's SIGUSR1" ||
	fail "the background job was killed by the main process's SIGUSR1"
done_test
