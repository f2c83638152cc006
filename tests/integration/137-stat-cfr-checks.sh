#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/stat-cfr-checks: copy_file_range's EINVAL/EISDIR/EBADF
# before EXDEV, statx/newfstatat flag checks and their NULL path with
# AT_EMPTY_PATH, in the image, lx's tmpfs and a bind (Node/libuv, Go).
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" stat-cfr-checks /var/tmp /tmp /mnt/b
done_test
