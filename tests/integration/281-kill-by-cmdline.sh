#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `pkill -9 -f 'kbox -S img'` (any SIGKILL by kbox's command line) ends
# the guest too. The guard (src/guard/guard.c) was a copy of kbox with
# the same command line, so such a kill took it down with kbox and a
# guest daemon ran on half-dead (postgres, redis and nginx started in the
# guest stayed, every supervised call ENOSYS). The guard now shows as
# "kbox-guard".
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
m=9$$
"$KBOX" -S "$img" -- /bin/sh -c \
	"busybox setsid sleep $m.2 & echo started; exec sleep $m.3" \
	>"$TMP/out" 2>&1 </dev/null &
kpid=$!
for _ in $(seq 100); do
	pgrep -f -- "sleep $m.2" >/dev/null && grep -q started "$TMP/out" && break
	sleep 0.1
done
pgrep -f -- "sleep $m.2" >/dev/null && pass "a guest daemon in its own session runs" ||
	fail "the setsid sleeper did not start" "$TMP/out"
# The guard runs, under its own name.
g=$(pgrep -P "$kpid" -x kbox-guard | head -1)
[ -n "$g" ] && pass "the guard runs" || fail "no kbox-guard child of kbox"
[ -n "$g" ] && ! tr '\0' ' ' <"/proc/$g/cmdline" | grep -qF -- "$img" &&
	pass "the guard's command line is not kbox's" ||
	fail "the guard's command line: $(tr '\0' ' ' <"/proc/$g/cmdline" 2>/dev/null)"
# The private image path is in kbox's command line only.
pkill -9 -f -- "$img"
wait "$kpid"
expect_status 137 $? "kbox killed by its command line"
for _ in $(seq 50); do
	pgrep -f -- "sleep $m.[23]" >/dev/null || break
	sleep 0.1
done
pgrep -f -- "sleep $m.[23]" >/dev/null &&
	fail "the guest outlived pkill -9 -f of kbox" ||
	pass "pkill -9 -f of kbox ends the guest too"
pkill -9 -f -- "sleep $m" 2>/dev/null # what a failed run left
pkill -9 -f -- "$img" 2>/dev/null
no_leftovers "$m" "$img"
done_test
