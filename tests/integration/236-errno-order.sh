#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The error a failing rename, link, open or utimensat reports when several
# are due is Linux's (tests/guest/errno-order): kbox read and routed both
# names of rename and link before the old one was looked up, and refused
# an empty name before open's flags and utimensat's AT_EMPTY_PATH.
# In the image, lx's tmpfs and a bind, as a user and as root.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "--change-id 1000:1000 -R" errno-order /var/tmp perm
run_guest_test "--change-id 1000:1000 -R" errno-order /tmp perm
run_guest_test "-S" errno-order /var/tmp
run_guest_test "-b $b:/mnt --change-id 1000:1000 -R" errno-order /mnt
run_guest_test "-b $b:/mnt -S" errno-order /mnt
done_test
