#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# kbox killed with SIGKILL takes the guest's processes with it: a
# background sleeper, a reader blocked on a host pipe and one blocked in
# a supervised call (opening a FIFO in the image). They ran on against a
# closed listener before (ENOSYS for every supervised call, or asleep for
# ever); the guard process (src/guard/guard.c) now kills them. Other
# signals that would end kbox on the spot go to the guest instead.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
m=3$$
"$KBOX" -S "$img" -- /bin/sh -c "
	mkfifo /tmp/f$m
	sleep $m & sleep $m.5 | cat & cat /tmp/f$m &
	echo started; wait" >"$TMP/out" 2>&1 &
kpid=$!
for _ in $(seq 100); do
	[ "$(pgrep -fc -- "$m")" -ge 3 ] && grep -q started "$TMP/out" && break
	sleep 0.1
done
[ "$(pgrep -fc -- "$m")" -ge 3 ] && pass "the guest's processes run" ||
	fail "the guest's processes did not start" "$TMP/out"
sleep 0.3 # the FIFO reader reaches its open
kill -9 "$kpid"
wait "$kpid"
expect_status 137 $? "kbox killed"
no_leftovers "$m" "$img"
pkill -9 -f -- "$m" 2>/dev/null # what a failed run left
check "the image can be opened again" \
	sh -c "'$KBOX' -r '$img' -- /bin/true"
# SIGKILL to kbox's whole process group (timeout -s KILL, kill -9 -PGID)
# took the guard down too, and a guest daemon that had left the group
# (setsid) ran on half-dead: nginx held its port and answered nothing.
setsid bash -c "exec '$KBOX' -S '$img' -- /bin/sh -c 'busybox setsid sleep $m.2 & echo started; sleep $m.3'" \
	>"$TMP/g.out" 2>&1 </dev/null &
for _ in $(seq 100); do
	pgrep -f -- "sleep $m.2" >/dev/null && grep -q started "$TMP/g.out" && break
	sleep 0.1
done
pgrep -f -- "sleep $m.2" >/dev/null && pass "a guest daemon in its own session runs" ||
	fail "the setsid sleeper did not start" "$TMP/g.out"
gpid=$(pgrep -f -- "sleep $m.3" | head -1)
pg=$(ps -o pgid= -p "$gpid" 2>/dev/null | tr -d ' ')
[ -n "$pg" ] && kill -9 -- "-$pg"
for _ in $(seq 50); do
	pgrep -f -- "sleep $m.2" >/dev/null || break
	sleep 0.1
done
pgrep -f -- "sleep $m.2" >/dev/null && fail "the daemon outlived a group SIGKILL of kbox" ||
	pass "a group SIGKILL of kbox ends the daemon too"
pkill -9 -f -- "$m.2" 2>/dev/null
# Signals that would end kbox at once (SIGUSR1, SIGALRM, ...) go to the
# guest, as if kbox were its command: the guest ends by it and what it
# wrote is in the image (kbox died on the spot, unsynced).
# start_writer IMG FILE WORD SLEEP: kbox in the background (kpid), its
# guest writes WORD to FILE in the image and then sleeps; returns once the
# guest has said so.
start_writer() {
	"$KBOX" -S "$1" -- /bin/sh -c \
		"echo $3 >$2; echo started; exec sleep $4" >"$TMP/w.out" 2>&1 &
	kpid=$!
	for _ in $(seq 100); do
		grep -q started "$TMP/w.out" && break
		sleep 0.1
	done
}
for sig in USR1 ALRM; do
	img2=$(own_img ".$sig")
	start_writer "$img2" "/root/$sig" kept "$m.7"
	sleep 0.3
	kill -"$sig" "$kpid"
	wait "$kpid"
	st=$?
	want=$((128 + $(kill -l "$sig")))
	[ "$st" -eq "$want" ] && pass "SIG$sig: the guest's status ($st)" ||
		fail "SIG$sig to kbox: status $st, want $want"
	[ "$(img_cat "$img2" "/root/$sig")" = kept ] &&
		pass "SIG$sig: the guest's write is in the image" ||
		fail "SIG$sig: the guest's write was lost"
done
pkill -9 -f -- "$m.7" 2>/dev/null
# SIGINT or SIGQUIT sent to kbox by a process of another process group
# (`kill -INT $kbox_pid` from a script, with job control) goes to the
# guest: kbox ignored it and the guest ran on. The terminal's Ctrl-C
# reaches the guest through its group and is not relayed.
for sig in INT QUIT; do
	img4=$(own_img ".$sig")
	st=$(
		set -m
		"$KBOX" -S "$img4" -- /bin/sleep "$m.4" >/dev/null 2>&1 &
		p=$!
		for _ in $(seq 100); do
			pgrep -f -- "^/bin/sleep $m.4" >/dev/null && break
			sleep 0.1
		done
		sleep 0.3
		kill -"$sig" "$p"
		(sleep 10 && kill -9 "$p") >/dev/null 2>&1 &
		w=$!
		wait "$p"
		echo $?
		kill "$w" 2>/dev/null
	)
	want=$((128 + $(kill -l "$sig")))
	[ "$st" = "$want" ] && pass "SIG$sig sent to kbox ends the guest ($st)" ||
		fail "SIG$sig sent to kbox: status $st, want $want"
	pkill -9 -f -- "sleep $m.4" 2>/dev/null
done
# What the guest wrote more than ~10 s before kbox was killed is in the
# image: lx writes dirty data back after 5 s (Linux's 30 s lost it all).
img3=$(own_img .late)
start_writer "$img3" /root/late durable "$m.9"
sleep 12
kill -9 "$kpid"
wait "$kpid"
pkill -9 -f -- "$m.9" 2>/dev/null
sleep 0.5
[ "$(img_cat "$img3" /root/late)" = durable ] &&
	pass "a write 12 s before kill -9 of kbox is in the image" ||
	fail "a write 12 s before kill -9 of kbox was lost"
done_test
