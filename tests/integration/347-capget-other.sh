#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/capget-other: capget of another guest process answers with
# that process's sets (kbox answered with the caller's: `getpcaps PID` of
# a child that left root showed the parent's full set), of no process
# ESRCH; capset of another process EPERM, and an unknown version is
# answered (EINVAL, the kernel's version written back) before anything.
# As guest root, and natively (uid 65534 in a user namespace: the child
# cannot leave root there, so only the start runs).
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" capget-other
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
	command -v unshare >/dev/null && [ -x "$BUILD/guest/capget-other" ]; then
	d=$(mktemp -d /tmp/kbox-capget-other.XXXXXX) && chmod 777 "$d"
	(cd "$d" && timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare -r "$BUILD/guest/capget-other") >"$TMP/native.out" 2>&1
	st=$?
	[ "$st" -eq 0 ] || sed 's/^/    | /' "$TMP/native.out"
	expect_status 0 "$st" "natively the same program passes"
	rm -rf "$d"
fi
done_test
