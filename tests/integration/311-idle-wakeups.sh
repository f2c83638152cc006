#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An idle kbox sleeps: while the guest does nothing (sleep), kbox's threads
# (lx's host timer thread and idle thread, the supervisor) switch context
# a few dozen times a second at most. lx ran a periodic tick at HZ=250 on
# its host timer thread, which woke lx's idle thread each time: ~1,500
# context switches a second for a guest that only sleeps. lx is tickless
# in idle now (NO_HZ_IDLE); the bound below is ten times what it costs.
# Then the clocks right after idle: a file written after two seconds of
# idle gets the time it was written at (lx's coarse clock, which file
# times come from, catches up on the first call), and a guest sleep ends.
. "$(dirname "$0")/lib/common.sh"
require

# ctxt_sum PID: voluntary + involuntary context switches of all threads
ctxt_sum() {
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

timeout -k 5 "$KB_TIMEOUT" "$KBOX" -r "$IMG" -- /bin/sleep 5 \
	>"$TMP/idle.out" 2>&1 </dev/null &
wrapper=$!
sleep 2 # boot and the guest's exec are done by then
pid=$(kbox_pid_of "$wrapper")
if [ -z "$pid" ] || [ "$(cat /proc/"$pid"/task/*/status 2>/dev/null | grep -c ^Pid:)" -lt 3 ]; then
	fail "kbox process (with its threads) not found under $wrapper"
else
	a=$(ctxt_sum "$pid")
	sleep 2
	b=$(ctxt_sum "$pid")
	n=$((b - a))
	if [ "$n" -lt 400 ]; then
		pass "idle kbox: $n context switches in 2 s"
	else
		fail "idle kbox: $n context switches in 2 s (want < 400: a periodic tick?)"
	fi
fi
wait "$wrapper"
expect_status 0 $? "guest sleep 5 ran to the end"

img=$(own_img)
kbo "$TMP/times.out" -r "$img" -- /bin/sh -c '
	sleep 2
	a=$(date +%s%N); touch /tmp/f; m=$(stat -c %.9Y /tmp/f | tr -d .)
	# the coarse clock lags the precise one by a tick (4 ms) at most
	if [ "$m" -ge $((a - 20000000)) ]; then echo "ok: mtime after idle"
	else echo "FAIL: mtime $m is older than the write at $a"; fi
	sleep 1.5
	b=$(date +%s%N); echo x >/var/tmp/g; m=$(stat -c %.9Y /var/tmp/g | tr -d .)
	if [ "$m" -ge $((b - 20000000)) ]; then echo "ok: ext4 mtime after idle"
	else echo "FAIL: ext4 mtime $m is older than the write at $b"; fi
	if [ $((m - a)) -ge 1500000000 ]; then echo "ok: the clock moved on in idle"
	else echo "FAIL: $((m - a)) ns between writes 1.5 s apart"; fi'
expect_status 0 $? "file times after idle"
expect_no_grep '^FAIL' "$TMP/times.out" "file times after idle are current"
expect_grep '^ok: the clock moved' "$TMP/times.out" "all time checks ran"
done_test
