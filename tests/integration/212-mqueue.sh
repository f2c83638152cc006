#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# POSIX message queues are lx's (ipc/mqueue.c): tests/guest/mqueue
# (attributes and limits, priorities, EAGAIN, ETIMEDOUT, EMSGSIZE, two
# processes, a blocked receive woken by another process's send, EINTR and
# SA_RESTART, poll/select/epoll readiness, mq_notify by signal with
# SI_MESGQ and its value, SIGEV_NONE, unlink while open, a user denied a
# 0600 root queue) prints the same lines in kbox as natively; the full
# mount profile has /dev/mqueue. Every mq call was ENOSYS before.
. "$(dirname "$0")/lib/common.sh"
require
g=$BUILD/guest/mqueue
[ -x "$g" ] || skip "guest programs not built (make guest-tests)"
timeout 60 "$g" >"$TMP/native.out" 2>&1 || {
	cat "$TMP/native.out"
	skip "mqueue fails natively (no POSIX message queues on this host?)"
}
run_guest_test "-S" mqueue
# -S runs as guest root: the same lines when the native run was root's
if [ "$(id -u)" = 0 ]; then
	if diff "$TMP/native.out" "$GUEST_OUT" >"$TMP/diff"; then
		pass "the same lines as natively (-S)"
	else
		fail "not the lines the native run printed (-S):"
		sed 's/^/    | /' "$TMP/diff" | head -20
	fi
fi
run_guest_test "--change-id 1000:1000 -R" mqueue
run_guest_test "-R" mqueue devmq
done_test
