#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fd-table-edges: close_range with an unknown flag or first >
# last is EINVAL and closes nothing (kbox closed the lx files behind the
# numbers and left their placeholders, which read as empty); F_DUPFD's
# minimum is fcntl's argument cut to an unsigned int (bits above 32 gave
# EINVAL); and mmap of an image file racing its close in another thread
# does not put the file's content memfd at the number the guest closed
# (it replaced the socket opened there next, or brought the closed fd
# back); a 32 MiB write or read goes on with its file when another
# thread closes the fd and opens a second file (kbox looked the lx fd up
# again for each 1 MiB step: the open reused it, and the rest of the
# write went into the second file); and a child forked while such a call
# holds a closed fd's file (a FIFO read) does not inherit it (the FIFO
# kept a reader: no ENXIO); a pipe's or image FIFO's write end received
# by a recvmsg that fails with EFAULT (a read-only buffer) is dropped, as
# Linux drops it (kbox kept it: the reader never saw EOF). As root and as
# a user, and natively as a reference.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" fd-table-edges args /tmp
run_guest_test "-S" fd-table-edges race /tmp 3
run_guest_test "-S" fd-table-edges longio /tmp 8
run_guest_test "-S" fd-table-edges forkheld /tmp
run_guest_test "-S" fd-table-edges rights /tmp
run_guest_test "--change-id 1000:1000 -R" fd-table-edges args /var/tmp
run_guest_test "--change-id 1000:1000 -R" fd-table-edges race /var/tmp 3
run_guest_test "--change-id 1000:1000 -R" fd-table-edges longio /var/tmp 8
run_guest_test "--change-id 1000:1000 -R" fd-table-edges forkheld /var/tmp
run_guest_test "--change-id 1000:1000 -R" fd-table-edges rights /var/tmp
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/fd-table-edges" ]; then
	d=$(mktemp -d /tmp/kbox-fd-table-edges.XXXXXX) && chmod 777 "$d"
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/fd-table-edges" args "$d" &&
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BUILD/guest/fd-table-edges" race "$d" 1 &&
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BUILD/guest/fd-table-edges" longio "$d" 8 &&
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BUILD/guest/fd-table-edges" forkheld "$d" &&
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BUILD/guest/fd-table-edges" rights "$d") >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
