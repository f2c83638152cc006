#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sigpipe-code: the SIGPIPE of a write (and writev) to a FIFO
# lx serves whose reader is gone, and the SIGXFSZ of a write past
# RLIMIT_FSIZE to an lx file, carry si_code SI_USER and the writer's own
# pid, as Linux's send_sig() from the write gives them; the fd goes on
# working (fstat, offset, pread, close-on-exec). kbox sent them with
# tgkill: SI_TKILL and kbox's pid. In the image, lx's tmpfs, as root and
# as a user, and natively.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" sigpipe-code /tmp
run_guest_test "-S" sigpipe-code /var/tmp
run_guest_test "--change-id 1000:1000 -R" sigpipe-code /tmp
run_guest_test "--change-id 1000:1000 -R" sigpipe-code /var/tmp
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/sigpipe-code" ]; then
	d=$(mktemp -d /tmp/kbox-sigpipe-code.XXXXXX) && chmod 777 "$d"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/sigpipe-code" "$d") >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
