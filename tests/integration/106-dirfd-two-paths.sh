#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/dirfd-two-paths: renameat/renameat2/linkat with directory
# fds, in the image and in a bind, and as a non-root guest in a bind
# (`perl -i` there failed: "File name too long"); a bad dirfd is EBADF.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/bind
mkdir -p "$b"
chmod 777 "$b"
run_guest_test "-S" dirfd-two-paths /root
run_guest_test "-b $b:/mnt -S" dirfd-two-paths /mnt
if [ "$(id -u)" -eq 0 ]; then
	run_guest_test "--change-id 1000:1000 -b $b:/mnt -R" dirfd-two-paths /mnt
fi
done_test
