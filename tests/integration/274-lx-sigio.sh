#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/lx-sigio: lease breaks, F_NOTIFY and O_ASYNC on files lx
# serves (the image, lx's tmpfs) reach the guest: lx sent these signals
# to its own task, so a lease holder was never told (the breaker's open
# waited lease-break-time, 45 s), dnotify and O_ASYNC were silent, and
# F_SETOWN_EX/F_GETOWN_EX and FIOASYNC failed. As root and as a user, and
# natively as a reference.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" lx-sigio /tmp
run_guest_test "-S" lx-sigio /root
run_guest_test "--change-id 1000:1000 -R" lx-sigio /var/tmp
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/lx-sigio" ]; then
	d=$(mktemp -d /tmp/kbox-lx-sigio.XXXXXX) && chmod 777 "$d"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/lx-sigio" "$d") >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
