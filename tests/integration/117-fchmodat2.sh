#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/fchmodat2: fchmodat2 with AT_EMPTY_PATH (was ENOENT) and
# AT_SYMLINK_NOFOLLOW (EOPNOTSUPP on a link; EACCES in a bind), in the
# image, /tmp and a bind.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" fchmodat2 /root /tmp /mnt/b
done_test
