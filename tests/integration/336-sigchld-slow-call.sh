#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sigchld-slow-call: a child with much memory exits while its
# parent waits in a FIFO read lx serves; kbox lets a held exit go 5 ms
# into such a call, and the child's SIGCHLD (handler without SA_RESTART)
# came after that call's reply, withdrawing one of the parent's next
# requests not yet received: stat, open and close failed with EINTR (the
# closed fd left open). The reply, and the next request once received,
# now wait until that child is gone. Natively as a reference.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-r" sigchld-slow-call /tmp
run_guest_test "-S" sigchld-slow-call /tmp
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/sigchld-slow-call" ]; then
	d=$(mktemp -d /tmp/kbox-sigchld-slow-call.XXXXXX) && chmod 777 "$d"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/sigchld-slow-call" "$d") >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) no call fails either"
	rm -rf "$d"
fi
done_test
