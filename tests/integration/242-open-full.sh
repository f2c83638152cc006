#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An open with no fd number free below RLIMIT_NOFILE is EMFILE whatever
# the path says, and creates or truncates nothing (tests/guest/open-full):
# kbox opened first and said ENOENT, ENOTDIR or EISDIR, and an O_CREAT or
# O_TRUNC open changed the file. In the image, lx's tmpfs and a bind, as
# a user and as root.
. "$(dirname "$0")/lib/common.sh"
require
b=$TMP/bind
mkdir -p "$b" && chmod 777 "$b"
run_guest_test "-S" open-full /root
run_guest_test "--change-id 1000:1000 -R" open-full /tmp
run_guest_test "-b $b:/mnt --change-id 1000:1000 -R" open-full /mnt
done_test
