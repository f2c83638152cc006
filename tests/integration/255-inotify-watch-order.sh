#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# inotify_add_watch's errors in Linux's order - mask, then fd, then path
# (tests/guest/inotify-edges order; found by tests/guest/inotify-fuzz):
# kbox looked the path up first, so a bad mask (0, an unknown bit,
# IN_MASK_ADD|IN_MASK_CREATE) on a missing path, or on any path in a
# bind, was ENOENT or ENOTDIR instead of EINVAL, and so was a missing
# path with a fd that is no inotify instance. And IN_DONT_FOLLOW alone, a
# watch of no events natively, was EINVAL on a bind (kbox took the flag
# off for the host, leaving a mask of 0).
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "-b $b:/mnt/b -S" inotify-edges order /mnt/b
run_guest_test "-b $b:/mnt/b --change-id 1000:1000 -R" inotify-edges order /mnt/b
run_guest_test "-S" inotify-edges order /tmp
run_guest_test "--change-id 1000:1000 -R" inotify-edges order /var/tmp
done_test
