#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Files the guest creates in a bind get the guest's umask, not kbox's
# (kbox creates them itself: a `umask 077` key was world-readable, a
# `umask 000` file lost its group and other bits); the guest starts with
# the user's umask, as under chroot.
. "$(dirname "$0")/lib/common.sh"
require
img=$(own_img)
b=$TMP/bind
mkdir -p "$b"
(umask 022 && kbo "$TMP/um.out" -S "$img" -b "$b:/m" -- /bin/sh -c '
	umask 077; echo s >/m/key; mkdir /m/d; mkfifo /m/f
	umask 000; touch /m/open; mkdir /m/od')
expect_status 0 $? "creating files in a bind"
mode() { stat -c %a "$b/$1"; }
check "umask 077: the file is 600" [ "$(mode key)" = 600 ]
check "umask 077: the directory is 700" [ "$(mode d)" = 700 ]
check "umask 077: the FIFO is 600" [ "$(mode f)" = 600 ]
check "umask 000 under kbox's 022: the file is 666" [ "$(mode open)" = 666 ]
check "umask 000 under kbox's 022: the directory is 777" [ "$(mode od)" = 777 ]
(umask 027 && kbo "$TMP/um2.out" -S "$img" -- /bin/sh -c 'umask')
expect_grep '^0027$' "$TMP/um2.out" "the guest starts with the user's umask"
done_test
