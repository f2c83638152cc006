#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fd-held-close: a FIFO read in flight in one thread (or a
# process sharing the fd table) while another closes its fd (close, dup2
# over it, close_range). The read gets its byte and the file goes when
# it returns (no reader left), but the close drops the process's POSIX
# locks on the file at once, as Linux's close does (kbox dropped them only
# when the read ended: another process's F_GETLK still saw them); and
# after the close an exec, unshare(CLONE_FILES) or CLOSE_RANGE_UNSHARE by
# the closer gives it a table without the file (lx copied the held file
# into the closer's new table: the FIFO kept a reader for good). As root
# and as a user, and natively as a reference.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fd-held-close lock /tmp
run_guest_test "-S" fd-held-close ends /tmp 3
run_guest_test "-S" fd-held-close unshare /tmp
run_guest_test "-S" fd-held-close unshare-range /tmp
run_guest_test "-S" fd-held-close exec-shared /tmp
run_guest_test "-S" fd-held-close exec /tmp
run_guest_test "-S" fd-held-close exec-cloexec /tmp
run_guest_test "-S" fd-held-close exit /tmp
run_guest_test "--change-id 1000:1000 -R" fd-held-close lock /var/tmp
run_guest_test "--change-id 1000:1000 -R" fd-held-close unshare /var/tmp
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/fd-held-close" ]; then
	d=$(mktemp -d /tmp/kbox-fd-held-close.XXXXXX) && chmod 777 "$d"
	cp "$BUILD/guest/fd-held-close" "$d/fhc" && chmod 755 "$d/fhc"
	(cd "$d" && for m in lock ends unshare unshare-range exec-shared exec exec-cloexec exit; do
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$d/fhc" "$m" "$d" 2 || exit 1
	done) >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
