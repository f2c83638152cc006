#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/lease-storm: processes taking leases on files in the image
# and lx's tmpfs while children break them and write to FIFOs with
# O_ASYNC; every break must reach its holder at once (its handler lets
# go by si_fd) and every write signal its reader. lx's signals never
# reached the guest: each break waited lease-break-time (45 s). Natively
# first, as a reference.
. "$(dirname "$0")/../integration/lib/common.sh"
require
st=$BUILD/guest/lease-storm
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$st" ]; then
	d=$(mktemp -d /tmp/kbox-lease-storm.XXXXXX) && chmod 777 "$d"
	(cd "$d" && timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$st" "$d" 8 60) >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534)"
	rm -rf "$d"
fi
KB_TIMEOUT=60 kbo "$TMP/r.out" -S "$IMG" -- /bin/sh -c \
	'/opt/kbox-tests/lease-storm /tmp 8 60 && /opt/kbox-tests/lease-storm /var/tmp 8 60'
expect_status 0 $? "lease-storm as guest root in /tmp and /var/tmp"
grep FAIL "$TMP/r.out" | head -5
KB_TIMEOUT=60 kbo "$TMP/u.out" --change-id 1000:1000 -R "$IMG" -- \
	/opt/kbox-tests/lease-storm /var/tmp 8 60
expect_status 0 $? "lease-storm as a user in /var/tmp"
grep FAIL "$TMP/u.out" | head -5
done_test
