#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guest/utimensat-flags: utimensat's unknown flags are EINVAL on a
# bind's file too (kbox passed only AT_EMPTY_PATH to the host and the
# call succeeded), and on an image file.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/b
mkdir -p "$b" && echo x >"$b/f"
run_guest_test "-b $b:/mnt/b -0 -r" utimensat-flags /mnt/b/f
run_guest_test "-0 -r" utimensat-flags /etc/hostname
done_test
