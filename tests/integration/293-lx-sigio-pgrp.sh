#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/lx-sigio-owner group: F_SETOWN with a negative pid and
# F_SETOWN_EX F_OWNER_PGRP on a FIFO lx serves (lx's tmpfs, the image)
# name the caller's process group: F_GETOWN gives -pgrp, F_GETOWN_EX type
# F_OWNER_PGRP, and O_ASYNC's SIGIO reaches every member (one forked
# before the F_SETOWN, one after, neither having made a call lx serves)
# but not a process that left the group. lx has no process groups of its
# own: F_SETOWN of one stayed unknown (F_GETOWN 0) and no member got a
# signal. As root and as a user, and natively as a reference.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" lx-sigio-owner /tmp group
run_guest_test "--change-id 1000:1000 -R" lx-sigio-owner /var/tmp group
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/lx-sigio-owner" ]; then
	d=$(mktemp -d /tmp/kbox-lx-sigio-owner.XXXXXX) && chmod 777 "$d"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/lx-sigio-owner" "$d" group) >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
