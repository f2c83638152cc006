#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sock-accept-edges: accept/accept4/recvfrom/recvmsg asking
# for a unix peer's address (kbox makes the call on its copy of the
# socket) as natively. Wrong before: an accept that failed with EMFILE
# had taken the connection (kbox accepted, then the ADDFD failed), so the
# next accept found none; with SO_RCVTIMEO set, a handler's signal
# restarted the call under SA_RESTART (Linux fails it with EINTR) and it
# timed out with EAGAIN instead.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" sock-accept-edges
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/sock-accept-edges" ]; then
	d=$(mktemp -d /tmp/kbox-sock-accept.XXXXXX) && chmod 777 "$d"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/sock-accept-edges") >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
