#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/lx-sigio-owner setsig: F_SETSIG with every signal a handler
# can take (but SIGKILL and SIGSTOP) on a FIFO lx serves, O_ASYNC, the
# caller the owner: each arrives with si_fd and si_band. Linux queues the
# signals with codes of their own (SIGCHLD, SIGSEGV, SIGBUS, SIGILL,
# SIGTRAP, SIGFPE, SIGSYS) with si_code SI_SIGIO, which lx's forwarding
# did not take: they never came. As root and as a user, and natively.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" lx-sigio-owner /tmp setsig
run_guest_test "--change-id 1000:1000 -R" lx-sigio-owner /var/tmp setsig
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/lx-sigio-owner" ]; then
	d=$(mktemp -d /tmp/kbox-lx-sigio-owner.XXXXXX) && chmod 777 "$d"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/lx-sigio-owner" "$d" setsig) >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
