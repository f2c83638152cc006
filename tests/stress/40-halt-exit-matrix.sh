#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What the guest wrote is in the image after kbox's halt at exit (which
# leaves lx's kernel threads parked for the exit to end them), on every
# exit path kbox controls, round after round beside two CPU burners (a
# rare lost write or hang at the halt): a MAP_SHARED file stored to and
# never msync'd, the guest ending with _exit and with SIGKILL; a process
# exiting with threads blocked in lx (FIFO read, flock wait, inotify
# read) right after 200 small unsynced files; a left daemon that writes
# after the command ended; SIGTERM to kbox after a 20 MiB write. After
# each round debugfs reads it all and e2fsck -fn finds the image clean.
. "$(dirname "$0")/../integration/lib/common.sh"
require_kbox
require_cmd e2fsck debugfs
prog=$BUILD/guest/halt-exit-writes
[ -x "$prog" ] || skip "$prog not built (make guest-tests)"
mkdir -p "$TMP/g" "$TMP/rd" || fail "stage"
cp "$prog" "$TMP/g/" || fail "stage"
rounds=${KBOX_HALT_ROUNDS:-6}
burn() { while :; do :; done; }
burn &
b1=$!
burn &
b2=$!
# the burners go with the test, however it ends
trap 'kill "$b1" "$b2" 2>/dev/null; cleanup' EXIT
trap 'exit 143' TERM INT
bad=0

# expect_img IMG PATH WANT WHAT
expect_img() {
	local got
	got=$(img_cat "$1" "$2")
	[ "$got" = "$3" ] && return
	fail "round $r: $4: $2 is '${got:0:40}', not '$3'"
	bad=$((bad + 1))
}

for r in $(seq "$rounds"); do
	img=$(own_img)
	for m in mmap mmapkill; do
		kbo "$TMP/o" -r "$img" -b "$TMP/g:/g" -- /g/halt-exit-writes "$m" /
		st=$?
		want=0
		[ $m = mmapkill ] && want=137
		[ $st = $want ] || { fail "round $r: $m: status $st, not $want"; bad=$((bad + 1)); }
		got=$(img_cat "$img" /hx-mm | dd bs=1 skip=4096 count=10 2>/dev/null)
		[ "$got" = HELLO-MMAP ] || { fail "round $r: $m: the mapped store is not in the image ('$got')"; bad=$((bad + 1)); }
	done
	kbo "$TMP/o" -r "$img" -b "$TMP/g:/g" -- /g/halt-exit-writes blocked /
	st=$?
	[ $st = 0 ] || { fail "round $r: blocked: status $st ($(head -c 200 "$TMP/o"))"; bad=$((bad + 1)); }
	expect_img "$img" /hx-mark blocked-ok "exit with threads blocked in lx"
	expect_img "$img" /hx-s/f199 199 "small files before that exit"
	kbo "$TMP/o" -r "$img" -- /bin/sh -c \
		'(sleep 0.2; echo d > /daemon) & exit 0'
	expect_img "$img" /daemon d "a daemon's write after the command ended"
	rm -f "$TMP/rd/ready"
	timeout -k 5 "$KB_TIMEOUT" "$KBOX" -r "$img" -b "$TMP/rd:/rd" -- /bin/sh -c \
		'dd if=/dev/zero of=/z bs=1M count=20 2>/dev/null; echo t > /term; : > /rd/ready; exec sleep 60' \
		>"$TMP/o" 2>&1 </dev/null &
	kp=$!
	for _ in $(seq 400); do
		[ -e "$TMP/rd/ready" ] && break
		sleep 0.05
	done
	kill -TERM "$kp"
	wait "$kp"
	st=$?
	[ $st = 143 ] || { fail "round $r: SIGTERM to kbox: status $st, not 143"; bad=$((bad + 1)); }
	expect_img "$img" /term t "SIGTERM to kbox"
	size=$(debugfs -R 'stat /z' "$img" 2>/dev/null | sed -n 's/.*Size: \([0-9]*\).*/\1/p' | head -n1)
	[ "$size" = 20971520 ] || { fail "round $r: SIGTERM to kbox: /z is ${size:-missing} bytes"; bad=$((bad + 1)); }
	if ! e2fsck -fn "$img" >"$TMP/fsck" 2>&1; then
		fail "round $r: e2fsck -fn: $(tail -n 3 "$TMP/fsck" | tr '\n' ' ')"
		bad=$((bad + 1))
	fi
	rm -f "$img"
	[ $bad -gt 3 ] && break
done
[ $bad = 0 ] && pass "$rounds rounds: every write kept, the image clean"
done_test
