#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/adjtimex-read: adjtimex and clock_adjtime read the clock's
# discipline for any user (ntp_gettime, `adjtimex -p`) and refuse changes
# in Linux's order (EFAULT, the clock, then EINVAL/EPERM for the modes);
# kbox's filter refused them all with EPERM. As guest root, as a guest
# user, and natively as uid 65534.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" adjtimex-read
run_guest_test "--change-id 1000:1000 -R" adjtimex-read
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
	[ -x "$BUILD/guest/adjtimex-read" ]; then
	d=$(mktemp -d /tmp/kbox-adjtimex.XXXXXX) && chmod 755 "$d"
	(cd "$d" && timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/adjtimex-read") >"$TMP/native.out" 2>&1
	st=$?
	[ "$st" -eq 0 ] || sed 's/^/    | /' "$TMP/native.out"
	expect_status 0 "$st" "natively the same program passes"
	rm -rf "$d"
fi
done_test
