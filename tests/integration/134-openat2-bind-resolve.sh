#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/openat2-resolve: openat2 RESOLVE_BENEATH / NO_SYMLINKS are
# relative to the dirfd or cwd in a bind too (they were checked against
# the bind's root: rsync's module-escape tests failed), image and bind.
. "$(dirname "$0")/lib/common.sh"
require
mkdir -p "$TMP/b"
run_guest_test "-b $TMP/b:/mnt/b -S" openat2-resolve /root /tmp /mnt/b
done_test
