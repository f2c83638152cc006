#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guest inherits the fds past 2 kbox was started with, as a program
# run by chroot or env does (`cmd 3>log`, a make jobserver's pipe, a
# shell's `exec 7>`): they were all closed at launch, so `echo >&7` in
# the guest said "Bad file descriptor". kbox's own copies are closed once
# the guest has them: a reader of an inherited pipe sees EOF when the
# guest closes its end, not only when kbox exits. Directory fds are
# not passed.
. "$(dirname "$0")/lib/common.sh"
require
kbo "$TMP/out" -S "$IMG" -- /bin/sh -c '
	echo via7 >&7 && echo wrote7
	ls /proc/self/fd | grep -qx 9 && echo has9' 7>"$TMP/fd7" 9</dev/null
expect_grep '^wrote7$' "$TMP/out" "fd 7 the caller opened is the guest's fd 7"
expect_grep '^via7$' "$TMP/fd7" "the guest's write reached the caller's file"
expect_grep '^has9$' "$TMP/out" "fd 9 is listed in /proc/self/fd"

# A directory fd is not passed: from it the guest would walk the host
# (/proc/self/fd/N/..), and such fds are mostly leaked unknowingly.
kbo "$TMP/dir" -S "$IMG" -- /bin/sh -c '
	ls /proc/self/fd | grep -qx 5 && echo has5
	ls /proc/self/fd/5/ >/dev/null 2>&1 && echo listed5
	echo done' 5<"$KBOX_ROOT"
expect_grep '^done$' "$TMP/dir" "the guest ran with a directory fd given"
expect_no_grep '^has5$' "$TMP/dir" "no directory fd passed to the guest"
expect_no_grep '^listed5$' "$TMP/dir" "the host directory is not listed"

mkfifo "$TMP/p"
# (timeout itself must not hold the write end: the redirection is made
# by the shell that becomes kbox)
# shellcheck disable=SC2016
timeout -k 5 "$KB_TIMEOUT" /bin/sh -c 'exec "$@" 7>"$0"' "$TMP/p" \
	"$KBOX" -S "$IMG" -- /bin/sh -c 'echo x >&7; exec 7>&-; sleep 4' \
	>/dev/null 2>&1 </dev/null &
bg=$!
start=$(date +%s)
got=$(timeout 20 cat "$TMP/p")
took=$(($(date +%s) - start))
wait "$bg"
if [ "$got" = x ] && [ "$took" -lt 3 ]; then
	pass "EOF when the guest closes its inherited write end (${took}s)"
else
	fail "pipe reader got '$got' after ${took}s (EOF only at kbox's exit?)"
fi
done_test
