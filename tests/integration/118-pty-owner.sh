#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/pty-owner: a pty slave belongs to the guest process that
# opened its master, and guest root may chown it. The slaves are the
# host's: under a rootless kbox they showed the host user and every
# chown was EPERM (sshd closed each pty session, screen did not start).
# Run both ways: as the caller, and as nobody when the tests run as root.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" pty-owner
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	d=$(mktemp -d /tmp/kbox-pty.XXXXXX)
	cp --sparse=always "$IMG" "$d/img"
	chmod 755 "$d"
	chmod 666 "$d/img"
	chown 65534:65534 "$d"
	kbox_abs=$(cd "$(dirname "$KBOX")" && pwd)/$(basename "$KBOX")
	timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		env HOME="$d" "$kbox_abs" -S "$d/img" -- /opt/kbox-tests/pty-owner \
		>"$TMP/rootless.out" 2>&1
	expect_status 0 $? "pty owners under a rootless kbox"
	expect_grep '^5 passed, 0 failed$' "$TMP/rootless.out" "its checks"
	rm -rf "$d"
fi
done_test
