#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Under kbox run by root a guest that starts as a user (--change-id) runs
# without the host capabilities a user lacks: the host answers the calls
# kbox lets through as for a user. tests/guest/memlock-limit: mlock past
# RLIMIT_MEMLOCK (a guest user locked 64 MiB past 8 MiB); the guest's host
# bounding set lacks CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_IPC_LOCK. Guest
# root keeps them.
. "$(dirname "$0")/lib/common.sh"
require
# the host's limit under 64 MiB, so that there is a limit to pass
ulimit -l 8192 2>/dev/null
run_guest_test "--change-id 1000:1000 -R" memlock-limit
run_guest_test "-S" memlock-limit
if [ "$(id -u)" -eq 0 ]; then
	img=$(own_img)
	"$KBOX" --change-id 1000:1000 -R "$img" -- /bin/sleep 3$$ >/dev/null 2>&1 &
	k=$!
	g=
	for _ in $(seq 100); do
		g=$(pgrep -f -- "^/bin/sleep 3$$" | head -1)
		[ -n "$g" ] && break
		sleep 0.1
	done
	bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' "/proc/$g/status" 2>/dev/null)
	kill "$k" 2>/dev/null
	wait "$k" 2>/dev/null
	if [ -z "$bnd" ]; then
		fail "the guest's host process was not found"
	else
		# CAP_NET_ADMIN 12, CAP_IPC_LOCK 14, CAP_SYS_ADMIN 21
		for c in 12 14 21; do
			[ $((0x$bnd >> c & 1)) -eq 0 ] &&
				pass "host bounding set $bnd lacks capability $c" ||
				fail "host bounding set $bnd has capability $c"
		done
		# CAP_DAC_OVERRIDE 1, CAP_KILL 5, CAP_LEASE 28: kbox's paths
		for c in 1 5 28; do
			[ $((0x$bnd >> c & 1)) -eq 1 ] &&
				pass "host bounding set keeps capability $c" ||
				fail "host bounding set $bnd lacks capability $c"
		done
	fi
fi
done_test
