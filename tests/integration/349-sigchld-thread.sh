#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sigchld-thread: 53-guest-sigchld-eintr's check with the
# children forked by a second thread while the main thread blocks SIGCHLD
# (waiting in pthread_join, or making image calls of its own with "busy"),
# so each SIGCHLD (handler without SA_RESTART) goes to that thread, as
# Linux's complete_signal picks it. kbox's held exits looked at the
# parent's main thread only (asleep in a futex wait: the exit was let go
# at once) and only its requests let them go: the second thread's stat,
# open and close failed with EINTR (14-87 in 300 rounds with the old
# kbox). Natively as a reference.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-r" sigchld-thread 300
run_guest_test "-r" sigchld-thread 300 /etc/passwd busy
KB_WRAP="taskset -c 0" run_guest_test "-S" sigchld-thread 300 /etc/os-release busy
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/sigchld-thread" ]; then
	for a in "" busy; do
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BUILD/guest/sigchld-thread" 300 /etc/passwd $a >"$TMP/native.out" 2>&1
		expect_status 0 $? "natively (uid 65534) no call fails either ($a)"
	done
fi
done_test
