#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guest is every process it starts: kbox serves until the last one
# has exited (orphans are adopted and reaped), as proot does, and exits
# with the main process's status. A job left running in the background
# (`cmd &`, a double-forked daemon) lost every supervised call (ENOSYS)
# once the main process exited, and what it wrote never reached the
# image. SIGTERM to kbox, or Ctrl-C once the main process is gone, ends
# them all.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
start=$(date +%s%N)
kbo "$TMP/bg.out" -S "$img" -- /bin/sh -c '
	(sleep 1; echo late >/root/late) &
	( (sleep 1.5; echo daemon >/root/daemon) & ) &
	echo main-done; exit 3'
st=$?
ms=$((($(date +%s%N) - start) / 1000000))
expect_status 3 "$st" "kbox exits with the main process's status"
expect_grep '^main-done$' "$TMP/bg.out" "the main process ran"
if [ "$ms" -ge 1400 ]; then
	pass "kbox waited for the background jobs (${ms} ms)"
else
	fail "kbox returned after ${ms} ms, before its background jobs ended"
fi
if [ "$(img_cat "$img" /root/late)" = late ]; then
	pass "a background job's file is in the image"
else
	fail "a background job's file is not in the image" "$TMP/bg.out"
fi
if [ "$(img_cat "$img" /root/daemon)" = daemon ]; then
	pass "a double-forked daemon's file is in the image"
else
	fail "a double-forked daemon's file is not in the image" "$TMP/bg.out"
fi

# A child whose first supervised call comes after the main process has
# exited (tests/guest/orphan-first-call): it was refused every call.
img=$(own_img)
kbo "$TMP/orphan.out" -S "$img" -- /opt/kbox-tests/orphan-first-call /root/orphan
expect_status 0 $? "a main process that exits before its child's first call"
if [ "$(img_cat "$img" /root/orphan)" = orphan ]; then
	pass "the child's first calls, after the main process exited, are served"
else
	fail "the orphaned child's file is not in the image" "$TMP/orphan.out"
fi

# end_the_rest SIG: once the main process is gone, SIG to kbox ends the
# background job left (checked by its own marker: no process left).
end_the_rest() {
	local sig=$1 marker="kbox-bg-$$-$1" img kpid
	img=$(own_img)
	"$KBOX" -S "$img" -- /bin/sh -c "bash -c 'exec -a $marker sleep 300' & echo started" \
		>"$TMP/$sig.out" 2>&1 </dev/null &
	kpid=$!
	# until the main shell is gone and only the sleeper has the marker: a
	# signal before kbox sees the main process exit is the guest's
	for _ in $(seq 100); do
		grep -q '^started$' "$TMP/$sig.out" &&
			[ "$(pgrep -fc -- "$marker")" = 1 ] && break
		sleep 0.1
	done
	sleep 0.2
	pgrep -f -- "$marker" >/dev/null || fail "the background sleeper did not start ($sig)"
	kill "-$sig" "$kpid"
	for _ in $(seq 50); do
		kill -0 "$kpid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$kpid" 2>/dev/null; then
		fail "kbox still runs 5 s after SIG$sig"
		kill -KILL "$kpid"
	else
		wait "$kpid"
		expect_status 0 $? "SIG$sig after the main process: its status"
	fi
	no_leftovers "$marker"
}

# SIGTERM to kbox ends what is left.
end_the_rest TERM
# So does Ctrl-C (SIGINT to kbox's process group, which the guest's
# shell gives the terminal back to): an interactive session's forgotten
# job must not hold the terminal.
end_the_rest INT
done_test
