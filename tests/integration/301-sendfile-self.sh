#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/sendfile-self: sendfile from a file in the image into itself
# (one fd, and two fds on the file), the ranges in one page cache page,
# adjacent, across pages, past EOF: copied exactly, offsets and size as
# Linux's. Overlapping ranges check only the count and the bytes outside
# the destination: Linux leaves the destination's bytes to its memcpy
# (docs/kernel-port.md, "Overlapping copies within one file"). As root in
# the image, as a user in lx's tmpfs, and natively as a reference.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" sendfile-self /var/tmp
run_guest_test "--change-id 1000:1000 -R" sendfile-self /tmp
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/sendfile-self" ]; then
	d=$(mktemp -d /tmp/kbox-sendfile-self.XXXXXX) && chmod 777 "$d"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/sendfile-self" "$d") >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
