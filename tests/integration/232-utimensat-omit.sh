#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# utimensat(..., {UTIME_OMIT, UTIME_OMIT}, ...) succeeds without looking
# at the path (tests/guest/utimensat-omit): in a bind kbox resolved it
# first and said ENOTDIR or ENOENT, with a bad dirfd EBADF.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "-b $b:/mnt -R" utimensat-omit /mnt
run_guest_test "-b $b:/mnt -S" utimensat-omit /tmp
done_test
