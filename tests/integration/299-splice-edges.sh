#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/splice-edges: splice, tee, sendfile, vmsplice and
# copy_file_range between an image file (lx's ext4 and tmpfs) and a host
# pipe, socket, memfd, /dev/zero or /dev/null make Linux's checks in its
# order before kbox moves a byte: a 0-byte splice is 0, unknown flags
# EINVAL, O_PATH EBADF, O_APPEND outputs EINVAL, a full or readerless
# pipe EAGAIN or EPIPE even at EOF, sendfile from a pipe or socket
# ESPIPE/EINVAL without reading it, counts past LLONG_MAX EINVAL,
# positions past ext4's largest file EOVERFLOW, /dev/zero's offset kept,
# tee's and vmsplice's mode checks. Under kbox these read from the pipe,
# appended, returned 0 or the wrong errno. As root and as a user, and
# natively as a reference.
. "$(dirname "$0")/lib/common.sh"
require
run_guest_test "-S" splice-edges /var/tmp ext4
run_guest_test "--change-id 1000:1000 -R" splice-edges /tmp
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x "$BUILD/guest/splice-edges" ]; then
	d=$(mktemp -d /tmp/kbox-splice-edges.XXXXXX) && chmod 777 "$d"
	ext4=
	[ "$(stat -f -c %T "$d")" = ext2/ext3 ] && ext4=ext4
	(cd "$d" && setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BUILD/guest/splice-edges" "$d" $ext4) >"$TMP/native.out" 2>&1
	expect_status 0 $? "natively (uid 65534) the same checks pass"
	rm -rf "$d"
fi
done_test
