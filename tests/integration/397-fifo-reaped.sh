#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fifo-reaped: after `kill -9 $p; wait $p` of a process that
# held one end of a FIFO, a blocking open of the other end waits for a
# new peer and a non-blocking reader sees EOF, as natively. kbox's open
# paired with the dead process's end, which lx held until the serve
# loop's sweep: EPIPE at the first write, EOF at the first read.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fifo-reaped /root 30
run_guest_test "-R" fifo-reaped /tmp 30
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/fifo-reaped" ]; then
	d=$(mktemp -d /tmp/kbox-fifo-reaped.XXXXXX) && chmod 777 "$d"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/fifo-reaped" "$d" 30) >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
